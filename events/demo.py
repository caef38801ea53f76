"""Demo content of events (`manage.py load_demo_events`). Never in production.

What the two source documents plan, run on the portal, with dates around today:

- seed 004: the programme „Обучения за НПО“ of the demo network „Семейство на НПО от Южен
  централен район“ (organisations/demo.py), three strands of 20 trained NGO representatives
  each, one two-day training per strand with 20 places: one finished (attendance per day,
  certificates for those present on both days, feedback), one open with a waiting list, one
  scheduled whose registration opens later;
- seed 000: discussions of the model of interaction "local self-government – local
  administration – citizens", 3 one-day and 8 two-day, run by the municipal administrations
  of Sofia (Столична), Pleven and Sliven; the past ones with attendance and minutes;
- a public hearing of the demo strategy of consultations/demo.py, linked to it.

Everything is invented and marked `is_demo`; the people are the fictional demo accounts of
consultations/demo.py (`uchastnik-NNN@demo.eregion.bg`, who never sign in), the trainings'
participants speak for the demo network's member organisations (demo organisations only).
Registrations, attendance, certificates and feedback are written directly with the models,
not through events/services.py: the demo must not e-mail anyone, and its history is dated in
the past. The stored counters are then recounted from the rows. Loading is idempotent: an
event is keyed by its title among the demo ones, and one that exists is left as it is.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from consultations.demo import participants
from consultations.models import Consultation
from core.legal_calendar import SOFIA, is_working_day
from directory.models import Institution

# Registers events in the site's search before any demo event is saved (its post_save hook
# indexes each one); events.apps does not import it at start-up yet.
from events import search as _search  # noqa: F401
from events.enums import (
    Audience,
    Format,
    Kind,
    RegistrationState,
    State,
)
from events.models import (
    Attendance,
    Certificate,
    Event,
    Feedback,
    Programme,
    Registration,
    RegistrationChange,
    Session,
    Strand,
    new_code,
)
from organisations.demo import DEMO_REPRESENTATIVE, MAIN_NETWORK
from organisations.models import Membership, Network, Organisation
from territory.models import Settlement

SEED = 2010
DEMO_NOTE = "\n\n*Демонстрационно съдържание: събитието е измислено.*"
PROGRAMME_TITLE = "Обучения за НПО"
PLACES = 20

# (strand of seed 004, trainers, [(day, from, until, title)], settlement, venue, address)
TRAININGS: list[tuple[str, str, list[tuple[int, str, str, str]], str, str, str]] = [
    (
        "Партньорства и работа в мрежа",
        "Радостина Шаблонова, Тодор Макетов",
        [
            (0, "09:30", "11:00", "Защо партньорства: местната власт, администрацията и НПО"),
            (0, "11:30", "13:00", "Форми на партньорство и работа в мрежа"),
            (0, "14:00", "17:00", "Упражнение: карта на партньорите в общината"),
            (1, "09:30", "11:00", "Споразумения за партньорство и общ план за работа"),
            (1, "11:30", "13:00", "Добри практики от Южен централен район"),
            (1, "14:00", "16:30", "Упражнение: план за съвместна работа на мрежата"),
        ],
        "56784",
        "Конферентна зала „Тракия“",
        "бул. „Цар Борис III Обединител“ 2",
    ),
    (
        "Застъпнически кампании. Техники за водене на преговори и диалог",
        "Гергана Моделова, Васил Пробов",
        [
            (0, "09:30", "11:00", "Какво е застъпничество: цели, послания, аудитории"),
            (0, "11:30", "13:00", "Планиране на застъпническа кампания"),
            (0, "14:00", "17:00", "Упражнение: кампания по общински проблем"),
            (1, "09:30", "11:00", "Техники за водене на преговори"),
            (1, "11:30", "13:00", "Диалог с общинския съвет и администрацията"),
            (1, "14:00", "16:30", "Симулация: преговори по проект на наредба"),
        ],
        "55155",
        "Заседателна зала на Сдружение „Граждански инициативи – Пазарджик“",
        "ул. „Есперанто“ 11",
    ),
    (
        "Разработване на политики и мониторинг върху дейността на администрацията",
        "Милена Образцова, Христо Демирев",
        [
            (0, "09:30", "11:00", "Цикълът на публичните политики на местно ниво"),
            (0, "11:30", "13:00", "Обществени консултации: предложения и справки"),
            (0, "14:00", "17:00", "Упражнение: предложение по проект на наредба"),
            (1, "09:30", "11:00", "Мониторинг на администрацията: ангажименти и срокове"),
            (1, "11:30", "13:00", "Достъп до обществена информация (ЗДОИ)"),
            (1, "14:00", "16:30", "Упражнение: план за наблюдение на общински ангажимент"),
        ],
        "68850",
        "Учебна зала „Августа“",
        "бул. „Руски“ 17",
    ),
]

POSITIONS = ["председател", "експерт", "координатор на проекти", "член на управителния съвет",
             "доброволец", "изпълнителен директор"]  # fmt: skip

# Seed 000: the model of interaction discussed in the three partner municipalities.
DISCUSSION_THEMES = [
    "общинският съвет и гражданските организации",
    "консултативните съвети и обществените обсъждания",
    "финансирането на граждански инициативи от общината",
    "достъпът до информация и прозрачността",
    "участието на гражданите в бюджета",
    "партньорството при социалните услуги",
]
CITIES = {"SOF46": "София", "PVN24": "Плевен", "SLV20": "Сливен"}
# The town halls, where the directory has no address of the administration yet.
TOWN_HALLS = {
    "SOF46": "ул. „Московска“ 33",
    "PVN24": "пл. „Възраждане“ 2",
    "SLV20": "бул. „Цар Освободител“ 1",
    "PDV22": "пл. „Стефан Стамболов“ 1",
}
# (municipality, theme, days from today, one or two days): 3 one-day and 8 two-day.
DISCUSSIONS: list[tuple[str, int, int, int]] = [
    ("SOF46", 0, -84, 2), ("PVN24", 1, -63, 2), ("SLV20", 2, -49, 2), ("SOF46", 3, -35, 1),
    ("PVN24", 4, -21, 2), ("SLV20", 1, -7, 1), ("SLV20", 3, 3, 2), ("SOF46", 5, 10, 2),
    ("PVN24", 0, 24, 1), ("SLV20", 4, 38, 2), ("SOF46", 2, 52, 2),
]  # fmt: skip
DISCUSSION_SPEAKERS = "експерти по проекта; представители на общинската администрация"

FEEDBACK = [
    "Много полезни упражнения, бих искала продължение.",
    "Добра организация; малко време за въпроси.",
    "Примерите от други общини бяха най-ценни.",
    "Ще използваме плана за съвместна работа в нашата мрежа.",
    "",
    "Повече време за работа в групи.",
]


@dataclass
class Loaded:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    registrations: int = 0
    attendances: int = 0
    certificates: int = 0
    feedback: int = 0


def sofia_at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)


def working_start(day: datetime.date, length: int) -> datetime.date:
    """The first day from `day` on which an event of `length` days falls on working days only
    (no weekend, no public holiday): people meet on working days."""
    while not all(is_working_day(day + datetime.timedelta(days=i)) for i in range(length)):
        day += datetime.timedelta(days=1)
    return day


def _time(hhmm: str) -> datetime.time:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.time(hour, minute)


def _name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip()


class Builder:
    """Makes demo events and their registrations; every random choice is seeded."""

    def __init__(self, people: list[User]) -> None:
        self.people = people
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.now = timezone.now()
        self.today = self.now.astimezone(SOFIA).date()
        self.result = Loaded()

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        seconds = max(int((end - start).total_seconds()), 120)
        return start + datetime.timedelta(seconds=self.rng.randrange(60, seconds))

    def event(self, title: str, description: str, **fields: object) -> Event:
        opens = fields.get("registration_opens_at")
        start = opens if isinstance(opens, datetime.datetime) and opens < self.now else self.now
        published = start - datetime.timedelta(days=2)
        event = Event.objects.create(
            title=title,
            description=description + DEMO_NOTE,
            state=State.PUBLISHED,
            published_at=published,
            is_demo=True,
            **fields,
        )
        self.result.created.append(title)
        return event

    def sessions(self, event: Event, rows: list[tuple[int, str, str, str]], speakers: str) -> None:
        days = event.days
        Session.objects.bulk_create(
            Session(event=event, day=days[min(d, len(days) - 1)], starts=_time(a),
                    ends=_time(b), title=title, speakers=speakers)
            for d, a, b, title in rows
        )  # fmt: skip

    def register(
        self,
        event: Event,
        person: User,
        at: datetime.datetime,
        steps: list[tuple[str, datetime.datetime]] | None = None,
        *,
        organisation: Organisation | None = None,
        position: str = "",
    ) -> Registration:
        """A registration made at `at` whose history is `steps` [(state, when)] (confirmed at
        once when not given); its state is the last step's."""
        steps = steps or [(RegistrationState.CONFIRMED, at)]
        waiting_at = next((w for s, w in steps if s == RegistrationState.WAITING), None)
        registration = Registration.objects.create(
            event=event,
            user=person,
            organisation=organisation,
            state=steps[-1][0],
            name=_name(person),
            organisation_name=organisation.name if organisation else "",
            position=position,
            waiting_since=waiting_at,
        )
        # created_at is set on insert (auto_now_add): the past time goes in afterwards.
        Registration.objects.filter(pk=registration.pk).update(created_at=at, updated_at=at)
        previous = ""
        for to_state, when in steps:
            promoted = previous == RegistrationState.WAITING
            RegistrationChange.objects.create(
                registration=registration,
                from_state=previous,
                to_state=to_state,
                at=when,
                # A promotion from the waiting list is the portal's doing, not the person's.
                by=None if promoted else person,
                reason="Освободено място: първа в листа на чакащите." if promoted else "",
            )
            previous = to_state
        self.result.registrations += 1
        return registration

    def attend(
        self, registration: Registration, days: list[datetime.date], by: User | None
    ) -> None:
        for day in days:
            Attendance.objects.create(
                registration=registration,
                day=day,
                checked_in_at=sofia_at(day, f"09:{self.rng.randrange(5, 40):02d}"),
                checked_in_by=by,
            )
            self.result.attendances += 1


def _settlement(ekatte: str) -> Settlement | None:
    return Settlement.objects.select_related("municipality").filter(ekatte=ekatte).first()


def _place(ekatte: str) -> dict[str, object]:
    s = _settlement(ekatte)
    if s is None:
        return {}
    return {
        "settlement": s,
        "municipality": s.municipality,
        "province_id": s.municipality.province_id,
    }


# --- Seed 004: the programme of trainings ----------------------------------------------------


def _members(network: Network) -> list[Organisation]:
    return [
        m.organisation
        for m in network.memberships.filter(status=Membership.Status.MEMBER)
        .select_related("organisation")
        .order_by("joined_on", "pk")
    ]


def _represent(people: list[User], orgs: list[Organisation]) -> dict[int, Organisation]:
    """Each trainee speaks for one member organisation of the network (a fictional
    representative of a demo organisation), two or so per organisation."""
    mapping: dict[int, Organisation] = {}
    touched: set[Organisation] = set()
    for k, person in enumerate(people):
        org = orgs[k % len(orgs)]
        RoleAssignment.grant(person, Role.ORGANISATION_REPRESENTATIVE, scope=org)
        mapping[person.pk] = org
        touched.add(org)
    for org in touched:
        count = (
            RoleAssignment.objects.for_scope(org)
            .filter(role=Role.ORGANISATION_REPRESENTATIVE)
            .active()
            .count()
        )
        if org.representatives_count != count:
            Organisation.objects.filter(pk=org.pk).update(representatives_count=count)
    return mapping


def _programme(network: Network) -> tuple[Programme, list[Strand]]:
    programme = Programme.objects.filter(title=PROGRAMME_TITLE, is_demo=True).first()
    if programme is None:
        programme = Programme.objects.create(
            title=PROGRAMME_TITLE,
            network=network,
            is_demo=True,
            description=(
                "Три двудневни обучения за представители на граждански организации от шестте "
                "области на Южен централен район: по **20 обучени** по всяка тема. Целта е "
                "организациите да станат активен и ефективен партньор на администрацията: "
                "да работят в мрежа, да водят застъпнически кампании, да участват в "
                "разработването на политики и да наблюдават дейността на администрацията."
                "\n\n*Демонстрационно съдържание: програмата е измислена по описанието на "
                "проект за Южен централен район.*"
            ),
        )
    strands = []
    for position, (title, *_rest) in enumerate(TRAININGS, start=1):
        strand, _created = Strand.objects.get_or_create(
            programme=programme, title=title,
            defaults={"target_people": PLACES, "position": position},
        )  # fmt: skip
        strands.append(strand)
    return programme, strands


def _training(
    b: Builder, n: int, programme: Programme, strand: Strand, network: Network,
    organiser: User | None, start: datetime.date, opens: datetime.datetime,
) -> Event:  # fmt: skip
    title, trainers, rows, ekatte, venue, address = TRAININGS[n]
    event = b.event(
        f"Обучение „{title}“",
        f"Двудневно обучение от програмата „{PROGRAMME_TITLE}“ за представители на "
        "граждански организации. Обучители: " + trainers + ".\n\nУчастниците, присъствали "
        "и в двата дни, получават **сертификат**. Местата са 20.",
        kind=Kind.TRAINING,
        network=network,
        programme=programme,
        strand=strand,
        format=Format.IN_PERSON,
        venue=venue,
        address=address,
        starts_at=sofia_at(start, "09:30"),
        ends_at=sofia_at(start + datetime.timedelta(days=1), "16:30"),
        capacity=PLACES,
        registration_opens_at=opens,
        registration_closes_at=sofia_at(start - datetime.timedelta(days=2), "18:00"),
        audience=Audience.REPRESENTATIVES,
        ask_position=True,
        hours=Decimal(16),
        created_by=organiser,
        **_place(ekatte),
    )
    b.sessions(event, rows, trainers)
    return event


def _finished_training(
    b: Builder, event: Event, trainees: list[User], orgs: dict[int, Organisation],
    latecomer: User, organiser: User | None,
) -> None:  # fmt: skip
    """20 confirmed (one of them promoted from the waiting list when someone cancelled),
    attendance on both days for most, certificates for those present both days, feedback."""
    opens = event.registration_opens_at or b.now
    closes = event.registration_closes_at or event.starts_at
    full_at = opens + (closes - opens) / 2
    registrations = []
    for k, person in enumerate(trainees[:19]):
        at = b.between(opens, full_at)
        registrations.append(
            b.register(event, person, at, organisation=orgs.get(person.pk),
                       position=POSITIONS[k % len(POSITIONS)])
        )  # fmt: skip
    # One more took the twentieth place and cancelled; the first waiting got it.
    cancelled_at = b.between(full_at, closes)
    b.register(
        event, latecomer, full_at,
        [(RegistrationState.CONFIRMED, full_at), (RegistrationState.CANCELLED, cancelled_at)],
        organisation=orgs.get(latecomer.pk),
    )  # fmt: skip
    waited = full_at + datetime.timedelta(hours=5)
    registrations.append(
        b.register(
            event, trainees[19], waited,
            [(RegistrationState.WAITING, waited), (RegistrationState.CONFIRMED, cancelled_at)],
            organisation=orgs.get(trainees[19].pk), position="експерт",
        )
    )  # fmt: skip
    days = event.days
    for k, registration in enumerate(registrations):
        Registration.objects.filter(pk=registration.pk).update(
            reminded_at=event.starts_at - datetime.timedelta(days=1),
            feedback_requested_at=event.ends_at + datetime.timedelta(hours=2),
        )
        # 17 both days, one the first only, one the second only, one never came.
        present = days if k < 17 else [days[0]] if k == 17 else [days[-1]] if k == 18 else []
        b.attend(registration, present, organiser)
        if present == days:
            Certificate.objects.create(
                registration=registration,
                code=new_code(12),  # as services.issue_certificates makes them
                name=registration.name,
                event_title=event.title,
                first_day=days[0],
                last_day=days[-1],
                hours=event.hours,
                organiser_name=str(event.organiser),
                issued_at=event.ends_at + datetime.timedelta(days=2),
            )
            b.result.certificates += 1
        if present and k % 3 != 2:
            Feedback.objects.create(
                registration=registration,
                rating=[5, 5, 4, 5, 3, 5, 4, 5][k % 8],
                usefulness=5 if k % 5 else 4,
                comments=FEEDBACK[k % len(FEEDBACK)],
                submitted_at=event.ends_at + datetime.timedelta(hours=6 + k),
            )
            b.result.feedback += 1


def _open_training(
    b: Builder, event: Event, trainees: list[User], orgs: dict[int, Organisation]
) -> None:
    """20 confirmed and 5 on the waiting list, in the order they came."""
    opens = event.registration_opens_at or b.now
    times = sorted(b.between(opens, b.now - datetime.timedelta(hours=1)) for _ in trainees)
    for k, (person, at) in enumerate(zip(trainees, times, strict=True)):
        steps: list[tuple[str, datetime.datetime]] | None = (
            None if k < PLACES else [(RegistrationState.WAITING, at)]
        )
        b.register(event, person, at, steps, organisation=orgs.get(person.pk),
                   position=POSITIONS[k % len(POSITIONS)])  # fmt: skip


def load_programme(b: Builder, trainees: list[User]) -> None:
    network = Network.objects.filter(name=MAIN_NETWORK, is_demo=True).first()
    if network is None or not _members(network):
        b.result.notes.append(
            "No demo network with members: run load_demo_organisations first (trainings skipped)."
        )
        return
    organiser = User.objects.filter(email=DEMO_REPRESENTATIVE).first()
    programme, strands = _programme(network)
    existing = set(Event.objects.filter(is_demo=True).values_list("title", flat=True))
    orgs = _represent(trainees, _members(network))

    def day(offset: int) -> datetime.date:
        return b.today + datetime.timedelta(days=offset)

    # (first day, registration opens): finished 40 days ago; open now, in two weeks;
    # registration opens in a month.
    plans = [
        (day(-40), sofia_at(day(-75), "09:00")),
        (day(14), sofia_at(day(-10), "09:00")),
        (day(75), sofia_at(day(30), "09:00")),
    ]
    for n, (start, opens) in enumerate(plans):
        title = f"Обучение „{TRAININGS[n][0]}“"
        if title in existing:
            b.result.skipped.append(title)
            continue
        start = working_start(start, 2)
        event = _training(b, n, programme, strands[n], network, organiser, start, opens)
        if n == 0:
            _finished_training(b, event, trainees[:20], orgs, trainees[45], organiser)
        elif n == 1:
            _open_training(b, event, trainees[20:45], orgs)


# --- Seed 000: discussions of the model -------------------------------------------------------


def _discussion_sessions(days: int, theme: str) -> list[tuple[int, str, str, str]]:
    if days == 1:
        return [
            (0, "14:00", "15:00", "Представяне на модела за взаимодействие"),
            (0, "15:00", "16:30", f"Дискусия: {theme}"),
            (0, "16:45", "18:00", "Изводи и предложения към модела"),
        ]
    return [
        (0, "10:00", "11:30", "Представяне на модела и на анализите на капацитета"),
        (0, "12:00", "13:00", "Европейски практики за взаимодействие"),
        (0, "14:00", "17:00", f"Работа в групи: {theme}"),
        (1, "09:30", "11:00", "Представяне на работата на групите"),
        (1, "11:15", "13:00", "Предложения към модела и следващи стъпки"),
    ]


def load_discussions(b: Builder, pool: list[User]) -> None:
    existing = set(Event.objects.filter(is_demo=True).values_list("title", flat=True))
    for code, theme_no, offset, days in DISCUSSIONS:
        theme = DISCUSSION_THEMES[theme_no]
        city = CITIES[code]
        title = f"Обсъждане на модела за взаимодействие: {theme} – {city}"
        if title in existing:
            b.result.skipped.append(title)
            continue
        institution = Institution.objects.filter(generated_key=f"ma:{code}").first()
        if institution is None:
            b.result.notes.append(f"No municipal administration of {code}: {title!r} skipped.")
            continue
        start = working_start(b.today + datetime.timedelta(days=offset), days)
        rows = _discussion_sessions(days, theme)
        starts_at = sofia_at(start, rows[0][1])
        ends_at = sofia_at(start + datetime.timedelta(days=days - 1), rows[-1][2])
        opens = starts_at - datetime.timedelta(days=25)
        capacity = 60 if days == 1 else 40
        event = b.event(
            title,
            f"Публично обсъждане на проекта на модел за взаимодействие „органи на местното "
            f"самоуправление – местна администрация – граждани“ в община {city}: {theme}.\n\n"
            "Моделът е изготвен въз основа на анализите на капацитета на общинската "
            "администрация, общинския съвет и гражданските организации и на добри европейски "
            "практики. Поканени са граждани, организации, общински съветници и служители.",
            kind=Kind.PUBLIC_DISCUSSION,
            institution=institution,
            format=Format.IN_PERSON,
            venue="Заседателна зала на общинската администрация",
            address=institution.address or TOWN_HALLS[code],
            settlement=institution.settlement,
            municipality_id=code,
            province_id=institution.province_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            registration_opens_at=opens,
            registration_closes_at=starts_at - datetime.timedelta(hours=12),
            audience=Audience.EVERYONE,
        )
        b.sessions(event, rows, DISCUSSION_SPEAKERS)
        past = ends_at < b.now
        count = b.rng.randint(18, 32) if past else b.rng.randint(6, 22)
        until = min(b.now, event.registration_closes_at or b.now)
        if until <= opens:  # registration opens later
            continue
        registrations = [
            b.register(event, person, b.between(opens, until))
            for person in b.rng.sample(pool, min(count, capacity, len(pool)))
        ]
        if not past:
            continue
        attended = 0
        for registration in registrations:
            present = [d for i, d in enumerate(event.days) if b.rng.random() < (0.85 - 0.1 * i)]
            b.attend(registration, present, None)
            attended += bool(present)
        Event.objects.filter(pk=event.pk).update(
            minutes=(
                f"**Обобщение на обсъждането.** Участваха {attended} души: представители на "
                "граждански организации, общински съветници, служители на администрацията и "
                f"граждани.\n\nОсновни предложения по темата „{theme}“:\n\n"
                "1. Общината да публикува годишен план на обществените обсъждания.\n"
                "2. Постоянна рубрика за предложенията на гражданите и отговорите на тях.\n"
                "3. Обучение на служителите за работа с граждански организации.\n\n"
                "Предложенията ще бъдат отразени в окончателния вариант на модела." + DEMO_NOTE
            ),
            minutes_published_at=ends_at + datetime.timedelta(days=3),
        )


# --- A public hearing of a demo consultation ------------------------------------------------


def load_hearing(b: Builder, pool: list[User]) -> None:
    consultation = (
        Consultation.objects.filter(is_demo=True, hearings__isnull=False)
        .select_related("institution")
        .order_by("pk")
        .first()
    )
    if consultation is None:
        b.result.notes.append(
            "No demo consultation with a hearing: run load_demo_consultations first "
            "(the public hearing skipped)."
        )
        return
    title = f"Публично обсъждане: {consultation.title}"
    if Event.objects.filter(is_demo=True, title=title).exists():
        b.result.skipped.append(title)
        return
    hearing = consultation.hearings.order_by("starts_at", "pk").first()
    assert hearing is not None  # noqa: S101 - filtered on above
    institution = consultation.institution
    event = b.event(
        title,
        "Публично обсъждане на проекта в рамките на обществената консултация. Можете да "
        "присъствате в залата или онлайн (връзката получават потвърдените участници). "
        "Писмени предложения се подават на страницата на консултацията.",
        kind=Kind.PUBLIC_HEARING,
        institution=institution,
        consultation=consultation,
        format=Format.HYBRID if hearing.online_url else Format.IN_PERSON,
        online_url=hearing.online_url,
        venue=hearing.place,
        address=institution.address or TOWN_HALLS.get(institution.municipality_id or "", ""),
        settlement=institution.settlement,
        municipality_id=consultation.municipality_id,
        province_id=consultation.province_id,
        starts_at=hearing.starts_at,
        ends_at=hearing.starts_at + datetime.timedelta(hours=2, minutes=30),
        capacity=100,
        registration_opens_at=consultation.opens_at or b.now - datetime.timedelta(days=3),
        registration_closes_at=hearing.starts_at - datetime.timedelta(hours=2),
        audience=Audience.EVERYONE,
        ask_organisation=False,
    )
    b.sessions(
        event,
        [(0, f"{hearing.starts_at.astimezone(SOFIA):%H:%M}",
          f"{event.ends_at.astimezone(SOFIA):%H:%M}", "Представяне на проекта, въпроси и "
          "предложения")],
        "представители на общинската администрация",
    )  # fmt: skip
    opens = event.registration_opens_at or b.now
    for person in b.rng.sample(pool, min(12, len(pool))):
        b.register(event, person, b.between(opens, b.now))


# --- Counters ---------------------------------------------------------------------------------


def recount() -> int:
    """The stored counters of the demo events from their registrations; how many changed."""
    counted = (
        Event.objects.filter(is_demo=True)
        .annotate(
            c=Count("registrations", filter=Q(registrations__state=RegistrationState.CONFIRMED)),
            w=Count("registrations", filter=Q(registrations__state=RegistrationState.WAITING)),
            p=Count("registrations", filter=Q(registrations__state=RegistrationState.PENDING)),
        )
        .values_list("pk", "c", "w", "p", "confirmed_count", "waiting_count", "pending_count")
    )
    changed = 0
    for pk, c, w, p, *stored in counted:
        if [c, w, p] != stored:
            Event.objects.filter(pk=pk).update(confirmed_count=c, waiting_count=w, pending_count=p)
            changed += 1
    return changed


@transaction.atomic
def load() -> Loaded:
    people = participants()
    # Trainees and the discussions' public are different demo people (the comments of the
    # consultations' demo come from all of them: one public of one portal).
    trainees, pool = people[40:86], people[:40] + people[86:]
    b = Builder(people)
    load_programme(b, trainees)
    load_discussions(b, pool)
    load_hearing(b, pool)
    recount()
    return b.result
