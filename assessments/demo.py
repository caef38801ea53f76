"""Demo content of the assessments (`manage.py load_demo_assessments`). Never in production.

Two rounds of one assessment, both over the seeded questionnaires (assessments/seed.py):

- round 1 (02.03.–30.04.2026), finished and published: ~250 submitted responses from the
  portal's scope (most of 14 chosen municipalities with at least 5 answers from their
  administration and from organisations, some councils with 5 and some with fewer, so the
  anonymity threshold shows; a few municipalities with 1–3 answers), invitations for ~90 % of
  them and ~40 never answered, recommendation rules and the recommendations they make (one
  edited by the coordinator), and the coordinator's conclusions;
- round 2 (16.11.2026–31.01.2027), open: ~70 invitations, half answered, ~10 started, with the
  open link on.

The answers follow believable patterns: each respondent answers from a latent level per
municipality and dimension (higher in bigger municipalities; councils lower on consultation
practice, organisations on networking and partnership; a little better in round 2) plus noise;
conditional questions are answered only when shown, some optional ones are skipped, open
answers come from a pool of Bulgarian sentences. Every random choice is seeded.

Nothing here names a real organisation or person (DESIGN.md §6): responses and invitations
carry only a municipality and a respondent type, invitations go to fictional addresses of the
demo domain. Submissions go through services.record_submission (the scores the portal would
store); the campaigns' past states are written as history rows, because services.transition
checks today's date. Idempotent: a round whose demo campaign exists is left alone.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.enums import Anonymity, CampaignState, QuestionType, RespondentType
from assessments.models import (
    Campaign,
    CampaignChange,
    Dimension,
    Invitation,
    Question,
    Questionnaire,
    Recommendation,
    RecommendationRule,
    Response,
)
from assessments.results import compute
from assessments.scoring import OVERALL
from assessments.selectors import questions_of
from assessments.services import decimal_comma, generate_recommendations, record_submission
from core.legal_calendar import SOFIA
from territory.models import Municipality, PortalScope

SEED = 2026
DEMO_DOMAIN = "demo.eregion.bg"
COORDINATOR_EMAIL = f"koordinator@{DEMO_DOMAIN}"
# The South Central region's provinces, when the portal's scope is empty.
FALLBACK_PROVINCES = ["PDV", "HKV", "KRZ", "SML", "PAZ", "SZR"]
FAMILIES = {
    RespondentType.ADMINISTRATION: "administration-capacity",
    RespondentType.COUNCIL: "council-practices",
    RespondentType.ORGANISATION: "organisation-capacity",
}
ROUND_1 = "Оценка на капацитета за взаимодействие с гражданския сектор — 2026"
ROUND_2 = "Оценка на капацитета за взаимодействие с гражданския сектор — 2027 (втори кръг)"
DAY = datetime.timedelta(days=1)
SINGLE_TYPES = (QuestionType.SINGLE, QuestionType.YES_NO)

# How many municipalities and answers; the tests read these numbers.
FOCUS = 14  # municipalities with enough answers to be shown
LARGEST = 8  # of them, the most populous of the scope; the others drawn at random
FEW = 8  # municipalities with only 1–3 answers
COUNCILS_SHOWN = 6  # focus municipalities whose council gives at least 5 answers
UNANSWERED_1 = 40  # round 1's invitations never answered
ROUND_2_PLAN = {"submitted": 35, "started": 10, "invited": 25}

# The latent level of each dimension by respondent type, added to the municipality's own.
# fmt: off
TYPE_SHIFT: dict[str, dict[str, float]] = {
    RespondentType.ADMINISTRATION: {
        "transparency": 9, "consultation-practice": 3, "partnership-funding": 1,
        "internal-capacity": 4, "feedback-accountability": -2, "networking": 4,
    },
    RespondentType.COUNCIL: {
        "transparency": 5, "consultation-practice": -15, "partnership-funding": -5,
        "internal-capacity": -7, "feedback-accountability": -6, "networking": -3,
    },
    RespondentType.ORGANISATION: {
        "transparency": 4, "consultation-practice": -2, "partnership-funding": -18,
        "internal-capacity": 2, "feedback-accountability": -4, "networking": -19,
    },
}
# fmt: on
ROUND_2_GAIN = 6.0

OPEN_ANSWERS: dict[str, list[str]] = {
    RespondentType.ADMINISTRATION: [
        "Нужен е един служител, който да отговаря само за връзките с гражданските организации.",
        "Проектите се публикуват, но предложения идват рядко и обикновено в последния ден.",
        "Би помогнал общ календар на обществените консултации за цялата година.",
        "Служителите нямат време да обобщават предложенията и да отговарят на всяко поотделно.",
        "Добре е обсъжданията да се провеждат и след работно време, за да идват повече хора.",
        "Програмата за финансиране на проекти на НПО трябва да има ясни и постоянни правила.",
        "Нужно е обучение по писане на мотиви и оценка на въздействието на проектите.",
        "Много от организациите не знаят, че могат да участват в консултативните съвети.",
        "Интернет страницата на общината трябва да има отделен раздел за консултациите.",
        "Срещите с организациите са полезни, когато се провеждат преди проектът да е готов.",
    ],
    RespondentType.COUNCIL: [
        "Материалите за заседанията идват късно и съветниците нямат време да ги обсъдят.",
        "Гражданите рядко знаят кога заседават постоянните комисии.",
        "Нужна е наредба за обществените обсъждания, която да важи за всички проекти.",
        "Изказванията на граждани в залата са малко, защото точката е в края на дневния ред.",
        "Съветът трябва да отчита публично какво е станало с постъпилите предложения.",
        "Комисиите биха могли да канят организациите, които работят по съответната тема.",
        "Липсва служител, който да води регистър на предложенията и отговорите.",
        "Пряко излъчване на заседанията би увеличило доверието към съвета.",
        "Отчетите на кмета за изпълнението на решенията се внасят нередовно.",
        "Добре би било съветниците да минат обучение за работа с гражданския сектор.",
    ],
    RespondentType.ORGANISATION: [
        "Научаваме за консултациите твърде късно, за да подготвим становище.",
        "Общината рядко отговаря по същество на нашите предложения.",
        "Нужна е местна мрежа на организациите, за да говорим с общ глас.",
        "Конкурсът за финансиране на проекти трябва да се обявява всяка година по едно и също "
        "време.",
        "Би помогнало обучение по анализ на общинския бюджет.",
        "Обсъжданията се провеждат в работно време и доброволците ни не могат да присъстват.",
        "Общината трябва да публикува справката за отразяване на предложенията.",
        "Искаме представител на организациите в комисията, която оценява проектите.",
        "Малките организации нямат хора, които да следят всички проекти на актове.",
        "Споразумение за сътрудничество с общината би направило работата ни по-предвидима.",
    ],
}
CONTACT_UNITS = [
    "Дирекция „Връзки с обществеността и протокол“",
    "Отдел „Европейски програми и проекти“",
    "Главен експерт „Връзки с обществеността“",
    "Секретар на общината",
    "Отдел „Култура, образование и спорт“",
    "Звено за граждански инициативи",
]
# Weights of the answers to the unscored choice questions about the respondent.
CONTEXT_WEIGHTS: dict[str, list[float]] = {
    "A2": [2, 3, 3, 2, 1, 3, 1],
    "B1": [1, 3, 10, 2],
    "C1": [55, 20, 22, 3],
    "C3": [6, 5, 8, 3, 4, 4, 2],
    "C23": [4, 3, 3, 2],
}

RULES: list[tuple[str | None, str, int, str]] = [
    (
        "consultation-practice", RespondentType.ADMINISTRATION, 50,
        "Да се приеме годишен план за обществените консултации и да се определи звено за "
        "контакт с гражданския сектор.",
    ),
    (
        "consultation-practice", RespondentType.COUNCIL, 40,
        "Общинският съвет да въведе постоянна точка в дневния ред за изказвания и предложения "
        "на граждани и да публикува проектите на наредби за не по-малко от 30 дни, със справка "
        "за отразяването на предложенията.",
    ),
    (
        "networking", RespondentType.ORGANISATION, 45,
        "Да се подкрепи създаването на местна мрежа на гражданските организации с общи сфери "
        "на работа и план за работа; представители на организациите да участват в обучението "
        "„Партньорства и работа в мрежа“.",
    ),
    (
        "partnership-funding", RespondentType.ORGANISATION, 40,
        "Общината да въведе програма за финансиране на проекти на граждански организации с "
        "открит конкурс, публични критерии и участие на независими експерти от НПО в "
        "оценяването.",
    ),
    (
        "transparency", RespondentType.ADMINISTRATION, 55,
        "Проектите на актове, мотивите и справките да се публикуват в отделен раздел "
        "„Обществени консултации“ на интернет страницата на общината, а бюджетът — и като "
        "„бюджет за граждани“.",
    ),
    (
        "feedback-accountability", "", 45,
        "Да се публикува справка за отразяването на всяко предложение, с мотиви за неприетите "
        "(ЗНА, чл. 26, ал. 5), и веднъж годишно да се отчита публично изпълнението на поетите "
        "ангажименти.",
    ),
    (
        "internal-capacity", RespondentType.ORGANISATION, 50,
        "Представители на организациите да участват в обученията „Застъпнически кампании. "
        "Техники за водене на преговори и диалог“ и „Разработване на политики и мониторинг "
        "върху дейността на администрацията“.",
    ),
    (
        None, "", 40,
        "Общината и общинският съвет да изготвят заедно с гражданските организации план за "
        "подобряване на взаимодействието по модела „органи на местното самоуправление – "
        "местна администрация – граждани“ и да го обсъдят публично.",
    ),
]  # fmt: skip
EDITED_NOTE = (
    " Първата стъпка е публично обсъждане на проекта на плана с организациите от общината "
    "до края на септември 2026 г."
)

DESCRIPTION_1 = """\
*Демонстрационно съдържание: общините са истински, отговорите са измислени.*

Първият кръг на оценката на капацитета за взаимодействие между местната власт и гражданския
сектор: **общинските администрации**, **общинските съвети** и **гражданските организации**
отговарят на по един въпросник. Индексите по измерения (прозрачност, консултиране,
партньорство, капацитет, обратна връзка, работа в мрежа) се публикуват по общини, само за
групи от поне 5 отговора.
"""
DESCRIPTION_2 = """\
*Демонстрационно съдържание: общините са истински, отговорите са измислени.*

Вторият кръг повтаря въпросниците от 2026 г., за да покаже какво се е променило след
препоръките и обученията. Отговаря се по покана или през отворената връзка.
"""


@dataclass
class Loaded:
    campaigns: list[str] = field(default_factory=list)
    submitted: int = 0
    started: int = 0
    invitations: int = 0
    recommendations: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class Planned:
    """One respondent to be: where, who, and what became of the invitation."""

    municipality: Municipality
    kind: str
    outcome: str  # "submitted", "started", "invited"
    invited: bool = True


# --- Levels and answers -------------------------------------------------------------------------


def size_level(municipality: Municipality) -> float:
    """Bigger municipalities have more people and practice: a level that grows with the log
    of the population (about 36 at 5,000 people, 56 at 350,000)."""
    people = max(municipality.population_2017 or 5000, 1000)
    return 36 + 11 * math.log10(people / 5000)


class Levels:
    """The latent level (0–100) of each municipality × respondent type × dimension."""

    def __init__(self, rng: random.Random, slugs: list[str], gain: float = 0.0) -> None:
        self.rng = rng
        self.slugs = slugs
        self.gain = gain
        self._own: dict[tuple[str, str, str], float] = {}
        self._place: dict[str, float] = {}

    def of(self, municipality: Municipality, kind: str, slug: str) -> float:
        key = (municipality.code, kind, slug)
        if key not in self._own:
            if municipality.code not in self._place:
                self._place[municipality.code] = self.rng.gauss(0, 6)
            self._own[key] = (
                size_level(municipality)
                + self._place[municipality.code]
                + TYPE_SHIFT[kind].get(slug, 0)
                + self.rng.gauss(0, 7)
            )
        return self._own[key] + self.gain

    def respondent(self, municipality: Municipality, kind: str) -> dict[str, float]:
        """One respondent's levels: the group's plus their own leaning."""
        own = self.rng.gauss(0, 9)
        return {s: self.of(municipality, kind, s) + own for s in self.slugs}


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class Answerer:
    """Answers a questionnaire as a respondent of the given levels would."""

    def __init__(self, rng: random.Random, questions: list[Question]) -> None:
        self.rng = rng
        self.questions = questions

    def answers(
        self,
        kind: str,
        municipality: Municipality,
        levels: Mapping[str, float],
        share: float = 1.0,
    ) -> dict[str, Any]:
        """The answers, in the questionnaire's order; `share` < 1 stops part-way (a draft)."""
        rng = self.rng
        given: dict[str, Any] = {}
        chosen: dict[int, set[int]] = {}
        stop = max(1, round(len(self.questions) * share))
        overall = sum(levels.values()) / len(levels)
        for question in self.questions[:stop]:
            if question.show_if_id is not None:
                parent = question.show_if.question_id if question.show_if else None
                if parent is None or question.show_if_id not in chosen.get(parent, set()):
                    continue  # not shown: never answered
            if not question.required:
                answered_share = 0.35 if question.type == QuestionType.LONG_TEXT else 0.8
                if rng.random() > answered_share:
                    continue
            slug = question.dimension.slug if question.dimension_id and question.dimension else ""
            level = levels.get(slug, overall)
            value = self._answer(question, kind, municipality, level)
            if value is None:
                continue
            given[str(question.pk)] = value
            if isinstance(value, int) and question.type in SINGLE_TYPES:
                chosen[question.pk] = {value}
            elif isinstance(value, list):
                chosen[question.pk] = set(value)
        return given

    def _answer(
        self, question: Question, kind: str, municipality: Municipality, level: float
    ) -> Any:
        rng = self.rng
        options = list(question.options.all())
        kind_of = question.type
        if kind_of in SINGLE_TYPES:
            scored = [o for o in options if o.score is not None]
            if question.dimension_id is None or not scored:
                weights = CONTEXT_WEIGHTS.get(question.code, [1.0] * len(options))
                return rng.choices(options, weights=weights[: len(options)])[0].pk
            unknown = [o for o in options if o.score is None]
            if unknown and rng.random() < 0.05:
                return unknown[0].pk
            target = level + rng.gauss(0, 16)
            if kind_of == QuestionType.YES_NO:
                yes, no = options[0], options[1]
                return yes.pk if rng.random() * 100 < clamp(target, 3, 97) else no.pk
            return min(scored, key=lambda o: (abs((o.score or 0) - target), rng.random())).pk
        if kind_of == QuestionType.MULTIPLE:
            if question.training_need:
                return self._topics(options, level)
            if question.dimension_id is None:
                picked = [o.pk for o in options if rng.random() < 0.4]
                return picked or [rng.choice(options).pk]
            positive = [o for o in options if (o.score or 0) > 0]
            none = [o for o in options if o.score == 0]
            chance = clamp((level + rng.gauss(0, 12)) / 100, 0.02, 0.95)
            picked = [o.pk for o in positive if rng.random() < chance]
            if not picked:
                return [none[0].pk] if none else [rng.choice(positive).pk]
            return picked
        if kind_of == QuestionType.SCALE:
            return self._point(level)
        if kind_of == QuestionType.MATRIX:
            return {str(o.pk): self._point(level + rng.gauss(0, 10)) for o in options}
        if kind_of == QuestionType.NUMBER:
            return self._number(question, municipality, level)
        if kind_of == QuestionType.SHORT_TEXT:
            return rng.choice(CONTACT_UNITS)
        if kind_of == QuestionType.LONG_TEXT:
            return rng.choice(OPEN_ANSWERS[kind])
        return None

    def _point(self, level: float) -> int:
        return int(clamp(round(1 + (level + self.rng.gauss(0, 14)) / 25), 1, 5))

    def _topics(self, options: list[Any], level: float) -> list[int]:
        """Training topics: the weaker the organisation, the more topics it names; the three
        topics of the project's trainings most often."""
        rng = self.rng
        base = clamp(0.75 - level / 200, 0.3, 0.7)
        picked = [
            o.pk for n, o in enumerate(options) if rng.random() < base + (0.15 if n < 3 else 0)
        ]
        return picked or [options[rng.randrange(3)].pk]

    def _number(self, question: Question, municipality: Municipality, level: float) -> int:
        rng = self.rng
        people = municipality.population_2017 or 5000
        code = question.code
        if code == "A1":  # employees of the municipal administration
            value = max(15, round(people / rng.uniform(230, 330)))
        elif code == "A14":  # agreements and joint projects with NGOs in two years
            value = max(0, round(rng.gauss(level / 8, 2)))
        elif code == "B2":  # councillors: ЗМСМА чл. 19 by the population
            value = councillors(people)
        elif code == "C2":  # the year the organisation was founded
            value = rng.choice([rng.randint(1870, 1960), *[rng.randint(1990, 2024)] * 4])
        elif code == "C4":  # staff
            value = rng.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 6, 9, 15])
        elif code == "C5":  # volunteers
            value = rng.choice([0, 3, 5, 8, 10, 12, 15, 20, 25, 40, 60, 120])
        else:
            low = question.min_value or 0
            value = rng.randint(low, max(low, min(question.max_value or low + 20, low + 20)))
        low = question.min_value if question.min_value is not None else value
        high = question.max_value if question.max_value is not None else value
        return int(clamp(value, low, high))


def councillors(people: int) -> int:
    """The number of councillors of a municipality of this population (ЗМСМА чл. 19)."""
    steps = [
        (5_000, 11), (10_000, 13), (20_000, 17), (30_000, 21), (40_000, 25), (50_000, 29),
        (75_000, 33), (100_000, 37), (160_000, 41), (300_000, 51),
    ]  # fmt: skip
    for limit, count in steps:
        if people <= limit:
            return count
    return 61


# --- Who answers --------------------------------------------------------------------------------


def scope_municipalities() -> list[Municipality]:
    """The portal's scope, or else the six provinces of the South Central region."""
    codes = PortalScope.current().municipality_codes()
    found = Municipality.objects.filter(code__in=codes) if codes else None
    if found is None or not found.exists():
        found = Municipality.objects.filter(province_id__in=FALLBACK_PROVINCES)
    return list(found.order_by("code"))


def choose_municipalities(
    rng: random.Random, municipalities: list[Municipality]
) -> tuple[list[Municipality], list[Municipality]]:
    """The focus municipalities (the most populous and some drawn at random) and a few more
    with only one to three answers."""
    by_size = sorted(municipalities, key=lambda m: (-(m.population_2017 or 0), m.code))
    focus = by_size[:LARGEST]
    rest = by_size[LARGEST:]
    rng.shuffle(rest)
    focus += rest[: FOCUS - LARGEST]
    few = rest[FOCUS - LARGEST : FOCUS - LARGEST + FEW]
    return focus, few


def plan_round_1(
    rng: random.Random, focus: list[Municipality], few: list[Municipality]
) -> list[Planned]:
    plan: list[Planned] = []
    councils_shown = set(rng.sample(range(len(focus)), min(COUNCILS_SHOWN, len(focus))))
    thin_administrations = set(rng.sample(range(len(focus)), min(2, len(focus))))
    for n, municipality in enumerate(focus):
        admins = rng.randint(2, 4) if n in thin_administrations else rng.randint(5, 7)
        councils = rng.randint(5, 6) if n in councils_shown else rng.randint(2, 4)
        orgs = rng.randint(5, 8)
        for kind, count in (
            (RespondentType.ADMINISTRATION, admins),
            (RespondentType.COUNCIL, councils),
            (RespondentType.ORGANISATION, orgs),
        ):
            plan += [Planned(municipality, kind, "submitted") for _ in range(count)]
    kinds = list(RespondentType.values)
    for municipality in few:
        plan += [
            Planned(municipality, rng.choice(kinds), "submitted") for _ in range(rng.randint(1, 3))
        ]
    # About one in ten answered through the open link, without an invitation.
    for planned in plan:
        planned.invited = rng.random() < 0.9
    places = focus + few
    plan += [Planned(rng.choice(places), rng.choice(kinds), "invited") for _ in range(UNANSWERED_1)]
    return plan


def plan_round_2(rng: random.Random, focus: list[Municipality]) -> list[Planned]:
    """Invitations over the focus municipalities; the largest one's administration and
    organisations have already given enough answers for interim results."""
    plan = [Planned(focus[0], RespondentType.ADMINISTRATION, "submitted") for _ in range(6)]
    plan += [Planned(focus[0], RespondentType.ORGANISATION, "submitted") for _ in range(5)]
    kinds = list(RespondentType.values)
    for outcome, count in ROUND_2_PLAN.items():
        left = count - (len(plan) if outcome == "submitted" else 0)
        plan += [Planned(rng.choice(focus), rng.choice(kinds), outcome) for _ in range(left)]
    return plan


# --- Loading --------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)


class Writer:
    """Writes one campaign's invitations and responses."""

    def __init__(
        self,
        rng: random.Random,
        campaign: Campaign,
        questionnaires: dict[str, Questionnaire],
        answerers: dict[str, Answerer],
        levels: Levels,
        last_day: datetime.date,
    ) -> None:
        self.rng = rng
        self.campaign = campaign
        self.questionnaires = questionnaires
        self.answerers = answerers
        self.levels = levels
        self.last_day = max(last_day, campaign.opens_on)
        self.numbers: dict[tuple[str, str], int] = {}

    def email(self, planned: Planned) -> str:
        prefix = {
            RespondentType.ADMINISTRATION: "obshtina",
            RespondentType.COUNCIL: "obshtinski-savet",
            RespondentType.ORGANISATION: "npo",
        }[RespondentType(planned.kind)]
        key = (planned.municipality.code, planned.kind)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return f"{prefix}-{planned.municipality.code.lower()}-{self.numbers[key]}@{DEMO_DOMAIN}"

    def write(self, plan: list[Planned]) -> tuple[int, int, int]:
        """Invitations, responses and the submissions; (submitted, started, invitations)."""
        rng, campaign = self.rng, self.campaign
        span = (self.last_day - campaign.opens_on).days
        now, minutes = timezone.now(), datetime.timedelta(minutes=1)
        invitations: list[Invitation] = []
        responses: list[Response] = []
        stamps: list[tuple[Invitation | None, Response | None, dict[str, Any]]] = []
        for planned in plan:
            sent_on = campaign.opens_on + DAY * min(span, rng.choice([0, 0, 0, 1, 2, 7]))
            started_on = min(self.last_day, sent_on + DAY * int(rng.expovariate(1 / 9)))
            done_on = min(self.last_day, started_on + DAY * rng.choice([0, 0, 0, 1, 2, 5]))
            sent = at(sent_on, 9, rng.randint(0, 59))
            started = at(started_on, rng.randint(10, 16), rng.randint(0, 59))
            done = at(done_on, started.hour, started.minute) + minutes * rng.randint(12, 80)
            # Nothing happened later than now (round 2 is answered until today).
            times: dict[str, Any] = {
                "sent": min(sent, now),
                "started": min(started, now),
                "done": min(done, now),
                "on": done_on,
            }
            invitation = None
            if planned.invited:
                invitation = Invitation(
                    campaign=campaign,
                    respondent_type=planned.kind,
                    municipality=planned.municipality,
                    email=self.email(planned),
                    sent_at=times["sent"],
                )
                if (started_on - sent_on).days > 10 or planned.outcome == "invited":
                    invitation.reminders = rng.choice([1, 1, 2])
                    reminded = at(min(self.last_day, sent_on + DAY * 10), 10, rng.randint(0, 59))
                    invitation.reminded_at = min(reminded, now)
                if planned.outcome != "invited":
                    invitation.started_at = times["started"]
                invitations.append(invitation)
            response = None
            if planned.outcome != "invited":
                share = 1.0 if planned.outcome == "submitted" else rng.uniform(0.3, 0.75)
                answers = self.answerers[planned.kind].answers(
                    planned.kind,
                    planned.municipality,
                    self.levels.respondent(planned.municipality, planned.kind),
                    share,
                )
                response = Response(
                    campaign=campaign,
                    questionnaire=self.questionnaires[planned.kind],
                    respondent_type=planned.kind,
                    municipality=planned.municipality,
                    answers=answers,
                    is_demo=True,
                    revision=rng.randint(1, 4) if planned.outcome == "started" else 1,
                )
                responses.append(response)
            stamps.append((invitation, response, times | {"outcome": planned.outcome}))
        Invitation.objects.bulk_create(invitations, batch_size=500)
        for invitation, response, _times in stamps:
            if invitation is not None and response is not None:
                response.invitation = invitation
        Response.objects.bulk_create(responses, batch_size=500)
        submitted = 0
        for _invitation, response, times in stamps:
            if response is not None and times["outcome"] == "submitted":
                record_submission(response, on=times["on"])
                submitted += 1
        self._backdate(stamps)
        return submitted, len(responses) - submitted, len(invitations)

    def _backdate(
        self, stamps: list[tuple[Invitation | None, Response | None, dict[str, Any]]]
    ) -> None:
        """The rows were made today; give them the days of the story (record_submission
        stamps an invitation's submission with the time it runs)."""
        invitations, responses = [], []
        for invitation, response, times in stamps:
            last = times["done"] if times["outcome"] == "submitted" else times["started"]
            if invitation is not None:
                invitation.created_at = times["sent"]
                quiet = invitation.reminded_at or times["sent"]
                invitation.updated_at = last if response else quiet
                invitation.submitted_at = times["done"] if times["outcome"] == "submitted" else None
                invitations.append(invitation)
            if response is not None:
                response.created_at = times["started"]
                response.updated_at = last
                responses.append(response)
        Invitation.objects.bulk_update(
            invitations, ["created_at", "updated_at", "submitted_at"], batch_size=500
        )
        Response.objects.bulk_update(responses, ["created_at", "updated_at"], batch_size=500)


def _history(
    campaign: Campaign, steps: list[tuple[str, str, datetime.datetime, str]], by: User
) -> None:
    CampaignChange.objects.bulk_create(
        CampaignChange(campaign=campaign, from_state=a, to_state=b, at=when, by=by, note=note)
        for a, b, when, note in steps
    )


def _campaign(
    title: str,
    description: str,
    opens: datetime.date,
    closes: datetime.date,
    created: datetime.datetime,
    coordinator: User,
    questionnaires: dict[str, Questionnaire],
    previous: Campaign | None = None,
) -> Campaign:
    campaign = Campaign.objects.create(
        title=title,
        description=description,
        opens_on=opens,
        closes_on=closes,
        anonymity=Anonymity.PUBLIC_ANONYMOUS,
        min_group_size=5,
        state=CampaignState.DRAFT,
        coordinator=coordinator,
        previous=previous,
        open_key=secrets.token_urlsafe(16),
        is_demo=True,
    )
    campaign.questionnaires.set(questionnaires.values())
    Campaign.objects.filter(pk=campaign.pk).update(created_at=created)
    return campaign


def add_rules(campaign: Campaign) -> int:
    """The demo's recommendation rules on the campaign (those whose dimension exists), then
    the recommendations they make; how many were made. The bench's campaign uses them too."""
    dimensions = {d.slug: d for d in Dimension.objects.all()}
    RecommendationRule.objects.bulk_create(
        RecommendationRule(
            campaign=campaign,
            dimension=dimensions.get(slug) if slug else None,
            respondent_type=kind,
            below=below,
            text=text,
            position=n,
        )
        for n, (slug, kind, below, text) in enumerate(RULES, start=1)
        if slug is None or slug in dimensions
    )
    return generate_recommendations(campaign)


def _round_1(
    rng: random.Random,
    coordinator: User,
    questionnaires: dict[str, Questionnaire],
    answerers: dict[str, Answerer],
    slugs: list[str],
    places: tuple[list[Municipality], list[Municipality]],
    loaded: Loaded,
) -> Campaign:
    opens, closes = datetime.date(2026, 3, 2), datetime.date(2026, 4, 30)
    campaign = _campaign(
        ROUND_1, DESCRIPTION_1, opens, closes, at(datetime.date(2026, 2, 16), 11),
        coordinator, questionnaires,
    )  # fmt: skip
    writer = Writer(rng, campaign, questionnaires, answerers, Levels(rng, slugs), closes)
    submitted, started, invitations = writer.write(plan_round_1(rng, *places))
    _history(
        campaign,
        [
            (CampaignState.DRAFT, CampaignState.OPEN, at(opens, 9), ""),
            (CampaignState.OPEN, CampaignState.CLOSED, at(closes + DAY, 0, 5), "Срокът изтече."),
            (
                CampaignState.CLOSED, CampaignState.PUBLISHED, at(datetime.date(2026, 6, 15), 10),
                "Резултатите и препоръките са публикувани след обсъждане с общините.",
            ),
        ],
        coordinator,
    )  # fmt: skip
    Campaign.objects.filter(pk=campaign.pk).update(
        state=CampaignState.PUBLISHED, published_at=at(datetime.date(2026, 6, 15), 10)
    )
    campaign.refresh_from_db()
    loaded.recommendations += add_rules(campaign)
    edited = (
        Recommendation.objects.filter(campaign=campaign, rule__dimension=None)
        .order_by("municipality_id")
        .first()
    ) or Recommendation.objects.filter(campaign=campaign).order_by("pk").first()
    if edited is not None:
        edited.text += EDITED_NOTE
        edited.edited = True
        edited.save(update_fields=["text", "edited", "updated_at"])
    campaign.summary = summary(campaign)
    campaign.save(update_fields=["summary", "updated_at"])
    loaded.submitted += submitted
    loaded.started += started
    loaded.invitations += invitations
    return campaign


def _round_2(
    rng: random.Random,
    coordinator: User,
    questionnaires: dict[str, Questionnaire],
    answerers: dict[str, Answerer],
    slugs: list[str],
    focus: list[Municipality],
    previous: Campaign | None,
    loaded: Loaded,
) -> Campaign:
    opens, closes = datetime.date(2026, 11, 16), datetime.date(2027, 1, 31)
    campaign = _campaign(
        ROUND_2, DESCRIPTION_2, opens, closes, at(datetime.date(2026, 11, 2), 14),
        coordinator, questionnaires, previous,
    )  # fmt: skip
    today = timezone.now().astimezone(SOFIA).date()
    levels = Levels(rng, slugs, gain=ROUND_2_GAIN)
    writer = Writer(rng, campaign, questionnaires, answerers, levels, min(today, closes))
    submitted, started, invitations = writer.write(plan_round_2(rng, focus))
    _history(campaign, [(CampaignState.DRAFT, CampaignState.OPEN, at(opens, 9), "")], coordinator)
    Campaign.objects.filter(pk=campaign.pk).update(
        state=CampaignState.OPEN, results_version=campaign.results_version + 1
    )
    loaded.submitted += submitted
    loaded.started += started
    loaded.invitations += invitations
    return campaign


def summary(campaign: Campaign) -> str:
    """The coordinator's conclusions, with the campaign's own figures."""
    results = compute(campaign)
    types = results.types()
    total = results.total
    responses = total.n if total else 0
    places = len(results.municipalities())

    def value(kind: str | None, slug: str = OVERALL) -> str:
        group = types.get(kind) if kind else total
        found = group.values.get(slug) if group and not group.hidden else None
        return "—" if found is None else decimal_comma(found)

    return f"""\
Оценката обхвана **{responses} отговора от {places} общини**. Общият индекс е \
{value(None)} от 100: {value(RespondentType.ADMINISTRATION)} за общинските администрации, \
{value(RespondentType.COUNCIL)} за общинските съвети и {value(RespondentType.ORGANISATION)} \
за гражданските организации. По-големите общини са по-напред почти във всяко измерение: там \
има звено за връзка с гражданския сектор, план за консултациите и програма за финансиране на \
проекти на НПО.

Най-слабото място на общинските съвети е практиката на консултиране \
({value(RespondentType.COUNCIL, "consultation-practice")}): проектите на наредби често се \
публикуват със съкратен срок, а справката за отразяването на предложенията рядко се прилага. \
Организациите оценяват най-ниско работата си в мрежа \
({value(RespondentType.ORGANISATION, "networking")}) и партньорството и финансирането \
({value(RespondentType.ORGANISATION, "partnership-funding")}): малко от тях членуват в мрежа \
и още по-малко са получавали общинско финансиране.

Препоръките по-долу са направени за всяка община от правилата на оценката и са прегледани от \
координатора. Обученията „Партньорства и работа в мрежа“, „Застъпнически кампании. Техники за \
водене на преговори и диалог“ и „Разработване на политики и мониторинг върху дейността на \
администрацията“ са най-търсени от организациите. Вторият кръг (ноември 2026 – януари 2027) \
ще покаже какво се е променило.
"""


def _questionnaires() -> dict[str, Questionnaire]:
    found: dict[str, Questionnaire] = {}
    for kind, family in FAMILIES.items():
        questionnaire = (
            Questionnaire.objects.published().filter(family=family).order_by("-version").first()
        )
        if questionnaire is None:
            raise LookupError(
                f"No questionnaire {family!r} ready for use: run load_assessment_questionnaires "
                "first."
            )
        found[kind] = questionnaire
    return found


def load(say: Callable[[str], None] | None = None) -> Loaded:
    """Create the demo rounds that do not exist yet (see the module's docstring)."""
    loaded = Loaded()
    existing = {
        c.title: c for c in Campaign.objects.filter(is_demo=True, title__in=[ROUND_1, ROUND_2])
    }
    loaded.skipped = [t for t in (ROUND_1, ROUND_2) if t in existing]
    if len(existing) == 2:
        return loaded
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if coordinator is None:
        raise LookupError(f"No demo coordinator {COORDINATOR_EMAIL}: run load_demo first.")
    questionnaires = _questionnaires()
    municipalities = scope_municipalities()
    if not municipalities:
        raise LookupError("No municipalities: run load_territory first.")
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    places = choose_municipalities(rng, municipalities)
    slugs = list(Dimension.objects.values_list("slug", flat=True))
    answerers = {
        kind: Answerer(rng, questions_of(questionnaire))
        for kind, questionnaire in questionnaires.items()
    }
    with transaction.atomic():
        first = existing.get(ROUND_1)
        if first is None:
            first = _round_1(rng, coordinator, questionnaires, answerers, slugs, places, loaded)
            loaded.campaigns.append(ROUND_1)
            if say:
                say(f"  {ROUND_1}: published, with recommendations")
        if ROUND_2 not in existing:
            # Its own random stream: the same round 2 whether or not round 1 was made now.
            rng2 = random.Random(SEED + 1)  # noqa: S311
            answerers2 = {k: Answerer(rng2, a.questions) for k, a in answerers.items()}
            _round_2(rng2, coordinator, questionnaires, answerers2, slugs, places[0], first, loaded)
            loaded.campaigns.append(ROUND_2)
            if say:
                say(f"  {ROUND_2}: open")
    return loaded
