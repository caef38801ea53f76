# The legal texts below keep one provision a line, as the draft reader reads them.
# ruff: noqa: E501
"""Demo content of public consultations (`manage.py load_demo_consultations`). Never in
production.

In the portal's scope, owned by the municipal administration of its first municipality
(Plovdiv when it is in scope), whose staff the demo official `sluzhitel@demo.eregion.bg`
(load_demo) becomes so that they can manage them:

- an open ordinance on parking (a real-looking text read by drafts.parse_text) with ~150
  comments: people as themselves, demo organisations through fictional representatives, a
  network's joint position, a campaign of 40 near-identical comments, replies, supports and
  one comment hidden by a moderator;
- an ordinance on local fees, closed, every proposal grouped and answered, report published;
- a closed ordinance on outdoor advertising whose proposals wait for answers (to try it out);
- the budget for next year, scheduled 7 days ahead (its legal notice);
- a strategy (headings, no articles) with a public hearing;
- an adopted ordinance, a withdrawn one and an unpublished draft, so that every state shows.

Everything is invented and marked `is_demo`; the people are fictional accounts at
demo.eregion.bg that never sign in. Loading is idempotent: a consultation is keyed by its title
among the demo ones, and one that exists is left as it is (people may have changed it).
The stored counts (comments, proposals, participants, supports) are computed from the rows
made (`recount`).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from consultations import drafts
from consultations.enums import Decision, Kind, ShownAs, State, VersionKind
from consultations.models import (
    Article,
    Comment,
    Consultation,
    Hearing,
    ModerationLog,
    ProposalGroup,
    StateChange,
    Support,
)
from consultations.services import transition
from consultations.versions import save_version
from core.legal_calendar import SOFIA
from directory.models import Institution
from organisations.models import Network, Organisation
from territory.models import PortalScope

DEMO_DOMAIN = "demo.eregion.bg"
STAFF_EMAIL = f"sluzhitel@{DEMO_DOMAIN}"
MODERATOR_EMAIL = f"moderator@{DEMO_DOMAIN}"
PARTICIPANT_EMAIL = "uchastnik-{:03d}@" + DEMO_DOMAIN
PARTICIPANTS = 120
SEED = 2027
PREFERRED_MUNICIPALITY = "PDV22"

FIRST = [
    ("Мария", "f"), ("Иван", "m"), ("Елена", "f"), ("Георги", "m"), ("Десислава", "f"),
    ("Николай", "m"), ("Цветелина", "f"), ("Петър", "m"), ("Радостина", "f"), ("Христо", "m"),
    ("Гергана", "f"), ("Стоян", "m"), ("Милена", "f"), ("Тодор", "m"), ("Вяра", "f"),
    ("Атанас", "m"), ("Снежана", "f"), ("Костадин", "m"), ("Теодора", "f"), ("Васил", "m"),
]  # fmt: skip
LAST = [
    ("Демирев", "Демирева"), ("Примеров", "Примерова"), ("Образцов", "Образцова"),
    ("Тестов", "Тестова"), ("Пробов", "Пробова"), ("Макетов", "Макетова"),
    ("Моделов", "Моделова"), ("Шаблонов", "Шаблонова"),
]  # fmt: skip

PARKING = """Наредба за реда и условията за паркиране на пътни превозни средства на територията на общината

## Глава първа
Общи положения

Чл. 1. (1) С тази наредба се уреждат редът и условията за паркиране на пътни превозни средства на територията на общината.
(2) Наредбата се прилага за всички улици, площади и паркинги – публична общинска собственост.

Чл. 2. Паркирането се извършва на местата, обозначени с пътни знаци и пътна маркировка, съобразно правилата за движение по пътищата.

## Глава втора
Зони за платено паркиране

Чл. 3. (1) Въвеждат се зона за кратковременно платено паркиране („синя зона“) и зона с по-ниска цена („зелена зона“).
(2) Границите на зоните се определят с решение на общинския съвет по предложение на кмета.
(3) Зоните се обозначават с вертикална и хоризонтална маркировка и с информационни табели.

Чл. 4. (1) В „синя зона“ паркирането е платено от 8:00 до 19:00 часа в работните дни и от 9:00 до 14:00 часа в събота.
(2) Престоят на едно място в „синя зона“ е не повече от два часа.
(3) В „зелена зона“ паркирането е платено от 8:00 до 18:00 часа в работните дни, без ограничение на престоя.

Чл. 5. Заплащането се извършва чрез:
1. кратко текстово съобщение (SMS);
2. паркинг автомат;
3. мобилно приложение;
4. талон, закупен от оторизиран обект.

Чл. 6. (1) Размерът на таксите се определя в Наредбата за определянето и администрирането на местните такси и цени на услуги.
(2) Приходите от зоните за платено паркиране се разходват за поддържане на пътната инфраструктура и за изграждане на нови паркинги.

## Глава трета
Паркиране на живущите

Чл. 7. (1) Живущите в „синя зона“ и „зелена зона“ могат да закупят годишен абонамент за паркиране в зоната, в която живеят.
(2) Абонаментът се издава за едно превозно средство на адрес по постоянен или настоящ адрес.
(3) Цената на годишния абонамент се определя с Наредбата по чл. 6, ал. 1.

Чл. 8. (1) Хората с трайни увреждания паркират безплатно на обозначените за тях места.
(2) Местата по ал. 1 са не по-малко от 4 на сто от местата във всяка зона.

## Глава четвърта
Контрол и принудителни административни мерки

Чл. 9. (1) Контролът по наредбата се осъществява от общинското предприятие „Организация на движението“ и от органите на Министерството на вътрешните работи.
(2) При неплатен престой се прилага техническо средство за принудително задържане („скоба“).

Чл. 10. (1) Превозно средство, паркирано на място за хора с увреждания, на тротоар или в зелена площ, се премества принудително на наказателен паркинг.
(2) Разходите по преместването и съхранението са за сметка на собственика.

Чл. 11. Нарушенията на наредбата се наказват с глоба от 50 до 500 евро, а при повторно нарушение – от 100 до 1000 евро.

Заключителни разпоредби

§ 1. Наредбата се приема на основание чл. 21, ал. 2 от Закона за местното самоуправление и местната администрация и чл. 167, ал. 2 от Закона за движението по пътищата.

§ 2. Наредбата влиза в сила от 1 март следващата година.
"""

FEES = """Наредба за изменение и допълнение на Наредбата за определянето и администрирането на местните такси и цени на услуги

§ 1. В чл. 6, ал. 1 таксата за битови отпадъци за жилищни имоти се определя според количеството на изхвърлените отпадъци.

§ 2. В чл. 18 се създава ал. 3:
„(3) Освобождават се от такса за детска градина децата на многодетни родители.“

§ 3. В чл. 42 таксата за ползване на тротоари за търговия се увеличава с 10 на сто.

§ 4. В чл. 58 цената на услугата „домашен социален патронаж“ се намалява за лица с доходи под линията на бедност.

§ 5. Наредбата влиза в сила от 1 януари следващата година.
"""

ADVERTISING = """Наредба за рекламната дейност на територията на общината

Чл. 1. С тази наредба се уреждат условията и редът за поставяне на рекламно-информационни елементи.

Чл. 2. (1) Рекламни елементи не се поставят върху паметници на културата.
(2) Рекламни елементи върху фасади на сгради в централната градска част се съгласуват с главния архитект.

Чл. 3. Светлинните реклами не могат да светят между 23:00 и 6:00 часа в жилищните зони.

Чл. 4. Таксата за рекламен елемент се определя на квадратен метър площ.
"""

PETS = """Наредба за отглеждане на домашни любимци на територията на общината

Чл. 1. С тази наредба се уреждат условията за отглеждане на кучета и котки в населените места.

Чл. 2. Собствениците почистват след своите кучета на обществени места.

Чл. 3. Общината определя площадки за разходка на кучета във всеки район.
"""

TREES = """Наредба за опазване на зелената система

Чл. 1. С тази наредба се уреждат опазването, поддържането и развитието на зелената система на общината.

Чл. 2. Премахването на дървета се извършва само с разрешение на кмета.

Чл. 3. За всяко премахнато дърво се засаждат три нови.
"""

MARKETS = """Наредба за пазарите на открито

Чл. 1. С тази наредба се уреждат редът и условията за търговия на открити пазари.

Чл. 2. Пазарите работят от 7:00 до 19:00 часа.
"""

BUDGET = """Проект на бюджет на общината за следващата година

# 1. Основни параметри
Общият размер на приходите е 412 млн. евро, от които 156 млн. евро местни приходи.

# 2. Капиталови разходи
Предвиждат се 48 млн. евро за ремонт на улици, училища и детски градини.

# 3. Социални дейности
Разходите за социални услуги нарастват с 8 на сто.

# 4. Общински дълг
Не се предвижда поемане на нов дълг.
"""

STRATEGY = """Програма за развитие на общината 2028–2034 г.

# 1. Въведение
Програмата определя целите и приоритетите на общината за седемгодишния период.

# 2. Анализ на състоянието
## 2.1. Население и заетост
Населението на общината намалява с около 0,5 на сто годишно, а заетостта расте.
## 2.2. Инфраструктура
Над една трета от уличната мрежа се нуждае от основен ремонт.

# 3. Визия и цели
Общината е място с добро качество на живот, чиста среда и достъпни услуги.

# 4. Приоритети
## 4.1. Устойчива градска мобилност
Развитие на обществения транспорт, велосипедни алеи и пешеходни зони.
## 4.2. Образование и млади хора
Модернизация на училищата и подкрепа за младежки инициативи.
## 4.3. Зелена и чиста среда
Нови паркове, енергийна ефективност и разделно събиране на отпадъците.

# 5. Изпълнение и наблюдение
Програмата се изпълнява с годишни планове и се отчита пред общинския съвет.
"""

CAMPAIGN = [
    "Предлагам живущите в зоната да паркират безплатно с един стикер на домакинство.",
    "Предлагам живущите в зоната да паркират безплатно с по един стикер на домакинство!",
    "Предлагам живущите в зоната да паркират безплатно – един стикер на домакинство.",
    "предлагам живущите в зоната да паркират безплатно с един стикер на домакинство",
]
CITIZEN_COMMENTS = [
    ("Двучасовият престой е твърде кратък за посещение при лекар. Предлагам три часа.",
     "Чл. 4, ал. 2", "(2) Престоят на едно място в „синя зона“ е не повече от три часа."),
    ("Съботата трябва да е безплатна – малкият бизнес в центъра страда.", "Чл. 4, ал. 1",
     "(1) В „синя зона“ паркирането е платено от 8:00 до 19:00 часа в работните дни."),
    ("Нужно е плащане и с банкова карта на автоматите.", "Чл. 5",
     "5. безконтактно плащане с банкова карта."),
    ("Приходите трябва да отиват и за велосипедни алеи.", "Чл. 6, ал. 2", ""),
    ("Абонаментът трябва да е за адрес, а не само за постоянен адрес – много наематели живеят в центъра.",
     "Чл. 7, ал. 2", ""),
    ("4 на сто места за хора с увреждания е малко около болниците. Предлагам 10 на сто там.",
     "Чл. 8, ал. 2", "(2) Местата по ал. 1 са не по-малко от 4 на сто от местата във всяка зона "
     "и не по-малко от 10 на сто в радиус от 300 м около лечебните заведения."),
    ("Скобата да се поставя едва след 30 минути неплатен престой.", "Чл. 9, ал. 2", ""),
    ("Глобите са прекалено високи спрямо доходите.", "Чл. 11", ""),
    ("Подкрепям наредбата – в центъра е невъзможно да се намери място.", "", ""),
    ("Липсват буферни паркинги на входовете на града.", "", ""),
    ("Наказателният паркинг трябва да работи денонощно.", "Чл. 10, ал. 2", ""),
    ("Зелената зона да обхване и кварталите около стадиона.", "Чл. 3, ал. 1", ""),
    ("Маркировката да се обновява всяка година.", "Чл. 3, ал. 3", ""),
    ("Да се въведе безплатен престой от 15 минути за доставки.", "Чл. 4, ал. 1",
     "(4) Първите 15 минути престой за доставки са безплатни."),
    ("Срокът за влизане в сила е кратък – нужни са поне шест месеца.", "§ 2",
     "§ 2. Наредбата влиза в сила шест месеца след обнародването ѝ."),
]  # fmt: skip
ORGANISATION_COMMENTS = [
    ("Предлагаме приходите от зоните да се разходват с публичен годишен отчет.", "Чл. 6, ал. 2",
     "(2) ... Кметът публикува годишен отчет за приходите и разходите на зоните."),
    ("Настояваме за обществено обсъждане на границите на зоните преди решението на съвета.",
     "Чл. 3, ал. 2", ""),
    ("Местата за хора с увреждания трябва да се контролират и извън работното време.",
     "Чл. 8, ал. 1", ""),
    ("Предлагаме безплатно паркиране на електрически автомобили в зелена зона за две години.",
     "Чл. 4, ал. 3", ""),
    ("Необходима е преходна разпоредба за издадените вече абонаменти.", "§ 2", ""),
    ("Да се предвиди отстъпка за абонамент на многодетни семейства.", "Чл. 7, ал. 3", ""),
]  # fmt: skip
REPLIES = [
    "Съгласен съм напълно.",
    "Това вече е уредено в Закона за движението по пътищата.",
    "Не съм съгласна – ще се увеличи трафикът в квартала.",
    "Добро предложение, но кой ще плати?",
    "Подкрепям, в нашия квартал е същото.",
]


@dataclass
class Loaded:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def owner_institution() -> Institution:
    """The municipal administration of the portal's first municipality in scope."""
    codes = PortalScope.current().municipality_codes()
    code = PREFERRED_MUNICIPALITY if not codes or PREFERRED_MUNICIPALITY in codes else min(codes)
    found = Institution.objects.filter(generated_key=f"ma:{code}").first()
    if found is None:
        found = Institution.objects.filter(municipality_id=code).order_by("pk").first()
    if found is None:
        raise LookupError(f"No institution of municipality {code}: run generate_directory first.")
    return found


def demo_staff(institution: Institution) -> User | None:
    """The demo official becomes staff of the owner (so they can manage the demo)."""
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is not None:
        RoleAssignment.grant(staff, Role.INSTITUTION_STAFF, institution)
    return staff


def participants() -> list[User]:
    """Fictional people who comment (unusable passwords: they never sign in)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    emails = [PARTICIPANT_EMAIL.format(i) for i in range(1, PARTICIPANTS + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(None)
    new = []
    for email in emails:
        first, gender = rng.choice(FIRST)
        male, female = rng.choice(LAST)
        if email not in existing:
            new.append(
                User(
                    email=email,
                    first_name=first,
                    last_name=female if gender == "f" else male,
                    password=password,
                )
            )
    User.objects.bulk_create(new)
    return list(User.objects.filter(email__in=emails).order_by("email"))


def shown_name(user: User, shown_as: str) -> str:
    if shown_as == ShownAs.INITIALS:
        return f"{user.first_name[:1]}. {user.last_name[:1]}."
    return f"{user.first_name} {user.last_name}"


def _sofia_day(when: datetime.datetime) -> datetime.date:
    return when.astimezone(SOFIA).date()


class Builder:
    """Makes one demo consultation and its comments; counts come from the rows made."""

    def __init__(self, institution: Institution, staff: User | None, people: list[User]) -> None:
        self.institution = institution
        self.staff = staff
        self.people = people
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.now = timezone.now()

    def consultation(
        self,
        title: str,
        kind: str,
        text: str,
        *,
        opens_days: int,
        period_days: int,
        summary: str = "",
        **extra: Any,
    ) -> Consultation:
        opens_at = self.now + datetime.timedelta(days=opens_days)
        c = Consultation.objects.create(
            institution=self.institution,
            kind=kind,
            title=title,
            summary=summary
            or "Проектът е публикуван за обществено обсъждане. Очакваме вашите предложения.",
            motives="**Мотиви.** Действащата уредба е остаряла и не отговаря на нуждите на гражданите.",
            impact_assessment="Частична предварителна оценка на въздействието: очакват се "
            "положителни социални и икономически ефекти.",
            opens_at=opens_at,
            closes_on=_sofia_day(opens_at) + datetime.timedelta(days=period_days),
            contact_name="Десислава Примерова, дирекция „Правна“",
            contact_email=f"konsultacii@{DEMO_DOMAIN}",
            province_id=self.institution.province_id,
            municipality_id=self.institution.municipality_id,
            created_by=self.staff,
            is_demo=True,
            **extra,
        )
        save_version(c, drafts.parse_text(text), source_text=text, by=self.staff)
        return c

    def move(self, c: Consultation, to: str, at: datetime.datetime, **fields: Any) -> Consultation:
        c = transition(c, to, by=self.staff if to != State.CLOSED else None, **fields)
        StateChange.objects.filter(consultation=c, to_state=to).update(at=at)
        return c

    def article(self, c: Consultation, label: str) -> Article | None:
        if not label:
            return None
        return Article.objects.get(version__consultation=c, label=label)

    def person(self, i: int) -> User:
        return self.people[i % len(self.people)]

    def when(self, c: Consultation, until: datetime.datetime | None = None) -> datetime.datetime:
        start = c.opens_at or self.now
        end = min(until or self.now, c.closes_at or self.now)
        seconds = max(int((end - start).total_seconds()), 60)
        return start + datetime.timedelta(seconds=self.rng.randrange(60, seconds))

    def comment(
        self, c: Consultation, author: User, text: str, label: str = "", wording: str = "",
        *, organisation: Organisation | None = None, network: Network | None = None,
        parent: Comment | None = None, until: datetime.datetime | None = None,
    ) -> Comment:  # fmt: skip
        shown_as = ShownAs.INITIALS if self.rng.random() < 0.3 else ShownAs.FULL_NAME
        created = self.when(c, until)
        if parent is not None:
            created = max(created, parent.created_at + datetime.timedelta(minutes=30))
        return Comment(
            consultation=c,
            article=parent.article if parent is not None else self.article(c, label),
            parent=parent,
            author=author,
            organisation=organisation,
            network=network,
            shown_as=shown_as,
            display_name=shown_name(author, shown_as),
            text=text,
            is_proposal=bool(wording),
            proposed_wording=wording,
            created_at=created,
        )

    def supports(self, comments: list[Comment], how_many: int) -> None:
        rows = []
        for comment in comments[:how_many]:
            for person in self.rng.sample(self.people, self.rng.randint(1, 12)):
                if person.pk != comment.author_id:
                    rows.append(Support(comment=comment, user=person))
        Support.objects.bulk_create(rows, ignore_conflicts=True)


def recount(c: Consultation) -> None:
    """The stored counts from the rows: comments shown (replies included), proposals (the
    top-level comments, which need an answer), participants (distinct authors), per article
    and the supports of each comment."""
    visible = Comment.objects.visible().filter(consultation=c)
    c.comments_count = visible.count()
    c.proposals_count = visible.proposals().count()
    c.participants_count = visible.values("author").distinct().count()
    c.save(update_fields=["comments_count", "proposals_count", "participants_count"])
    per_article = dict(
        visible.filter(article__isnull=False)
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    articles = list(Article.objects.filter(version__consultation=c))
    for a in articles:
        a.comments_count = per_article.get(a.pk, 0)
    Article.objects.bulk_update(articles, ["comments_count"])
    comments = list(Comment.objects.filter(consultation=c).annotate(n=Count("supports")))
    for comment in comments:
        comment.supports_count = comment.n  # type: ignore[attr-defined]
    Comment.objects.bulk_update(comments, ["supports_count"], batch_size=500)


def _representatives(builder: Builder, orgs: list[Organisation]) -> list[tuple[User, Organisation]]:
    """Each demo organisation that comments speaks through a fictional representative."""
    pairs = []
    for i, org in enumerate(orgs):
        person = builder.person(100 + i)
        RoleAssignment.grant(person, Role.ORGANISATION_REPRESENTATIVE, org)
        pairs.append((person, org))
    return pairs


def _open_ordinance(b: Builder) -> Consultation:
    c = b.consultation(
        "Проект на Наредба за реда и условията за паркиране на територията на общината",
        Kind.ORDINANCE, PARKING, opens_days=-12, period_days=30,
        summary="Нови правила за **синя** и **зелена** зона, абонаменти за живущите и "
        "места за хора с увреждания.",
    )  # fmt: skip
    c = b.move(c, State.OPEN, c.opens_at or b.now)
    rows: list[Comment] = []
    # Individual comments and proposals, some twice by different people.
    for i in range(70):
        text, label, wording = CITIZEN_COMMENTS[i % len(CITIZEN_COMMENTS)]
        if i >= len(CITIZEN_COMMENTS):
            text = f"{text} (Живея в района от {1990 + i % 30} г.)"
        rows.append(b.comment(c, b.person(i), text, label, wording))
    # The campaign: 40 near-identical comments on the residents' parking.
    for i in range(40):
        rows.append(b.comment(c, b.person(70 + i), CAMPAIGN[i % len(CAMPAIGN)], "Чл. 7, ал. 1"))
    # Organisations through their representatives, and a network's joint position.
    orgs = list(Organisation.objects.filter(is_demo=True).order_by("pk")[:12])
    for i, (person, org) in enumerate(_representatives(b, orgs)):
        text, label, wording = ORGANISATION_COMMENTS[i % len(ORGANISATION_COMMENTS)]
        rows.append(b.comment(c, person, text, label, wording, organisation=org))
    network = Network.objects.filter(is_demo=True).order_by("pk").first()
    if network is not None:
        rows.append(
            b.comment(
                c,
                b.person(119),
                "Общата позиция на мрежата: наредбата да се приеме след "
                "въвеждане на буферни паркинги и безплатен абонамент за живущите.",
                "",
                network=network,
            )
        )
    Comment.objects.bulk_create(rows)
    parents = [r for r in rows if r.article_id][:45]
    replies = [
        b.comment(c, b.person(7 * i + 3), REPLIES[i % len(REPLIES)], parent=parents[i])
        for i in range(min(26, len(parents)))
    ]
    Comment.objects.bulk_create(replies)
    b.supports([r for r in rows if r.is_proposal], 15)
    # One comment a moderator hid (the text is kept; its reason is public).
    hidden = rows[13]
    hidden.hidden_at = b.now - datetime.timedelta(days=1)
    hidden.hidden_reason = "Обиден език към служители на общината."
    hidden.text = "Всички в общината сте ... (обиден текст, скрит от модератор)"
    hidden.save(update_fields=["hidden_at", "hidden_reason", "text"])
    ModerationLog.objects.create(
        comment=hidden,
        moderator=User.objects.filter(email=MODERATOR_EMAIL).first(),
        action="hide",
        reason=hidden.hidden_reason,
        at=hidden.hidden_at,
    )
    recount(c)
    return c


FEE_PROPOSALS = [
    ("§ 1", "Таксата според количеството отпадъци е справедлива, но да има преходен период.",
     Decision.PARTLY, "Въвежда се преходен период от една година; по-дълъг би забавил реформата."),
    ("§ 2", "Освобождаването да обхване и децата на самотни родители.",
     Decision.ACCEPTED, ""),
    ("§ 3", "Увеличението на таксата за тротоари ще затвори малки магазини.",
     Decision.NOT_ACCEPTED, "Таксата не е променяна от 2015 г. и е под разходите за "
     "поддържане на тротоарите."),
    ("§ 4", "Подкрепям намалението за домашния социален патронаж.",
     Decision.NOTED, "Становището е взето предвид; предложението не изисква промяна в текста."),
    ("", "Наредбата да се публикува и на лесен за четене език.",
     Decision.NOTED, "Ще бъде публикувано кратко разяснение заедно с приетата наредба."),
]  # fmt: skip


TREE_PROPOSALS = [
    ("Чл. 2", "Разрешението за премахване на дърво да се публикува на сайта на общината.",
     Decision.ACCEPTED, ""),
    ("Чл. 3", "Новите дървета да се засаждат в същия квартал.",
     Decision.PARTLY, "Засаждат се в същия район; в същия квартал не винаги има място."),
    ("Чл. 3", "За вековни дървета да се засаждат десет нови.",
     Decision.NOT_ACCEPTED, "Вековните дървета се опазват по Закона за биологичното "
     "разнообразие и не се премахват по реда на наредбата."),
]  # fmt: skip


def _answered(
    b: Builder, title: str, text: str, opens_days: int, proposals: Sequence[tuple[str, str, str, str]],
    *, adopted: bool,
) -> Consultation:  # fmt: skip
    c = b.consultation(title, Kind.ORDINANCE, text, opens_days=opens_days, period_days=30)
    c = b.move(c, State.OPEN, c.opens_at or b.now)
    closed_at = (c.closes_at or b.now) + datetime.timedelta(minutes=5)
    groups = []
    comments: list[Comment] = []
    for order, (label, text_, decision, reasons) in enumerate(proposals, start=1):
        group = ProposalGroup.objects.create(
            consultation=c, article=b.article(c, label), order=order, summary=text_,
            decision=decision, reasons=reasons, answered_by=b.staff,
            answered_at=closed_at + datetime.timedelta(days=3),
        )  # fmt: skip
        groups.append(group)
        # Several people made the same point: one answer covers them.
        for k in range(1 + (order % 3) * 2):
            made = b.comment(c, b.person(order * 11 + k), text_, label, until=closed_at)
            made.group = group
            comments.append(made)
    Comment.objects.bulk_create(comments)
    Comment.objects.bulk_create(
        [
            b.comment(c, b.person(90 + i), REPLIES[i], parent=comments[i], until=closed_at)
            for i in range(3)
        ]
    )
    recount(c)
    c = b.move(c, State.CLOSED, closed_at)
    published = closed_at + datetime.timedelta(days=5)
    c = b.move(c, State.REPORT_PUBLISHED, published, report_published_at=published)
    if adopted:
        adopted_on = _sofia_day(published) + datetime.timedelta(days=14)
        save_version(
            c, drafts.parse_text(text), source_text=text, kind=VersionKind.ADOPTED, by=b.staff
        )
        c = b.move(
            c, State.ADOPTED, published + datetime.timedelta(days=14), adopted_on=adopted_on,
            adoption_reference=f"Решение № 412 на общинския съвет от {adopted_on:%d.%m.%Y} г.",
        )  # fmt: skip
    return c


def _awaiting_answers(b: Builder) -> Consultation:
    c = b.consultation(
        "Проект на Наредба за рекламната дейност", Kind.ORDINANCE, ADVERTISING,
        opens_days=-40, period_days=30,
    )  # fmt: skip
    c = b.move(c, State.OPEN, c.opens_at or b.now)
    closed_at = (c.closes_at or b.now) + datetime.timedelta(minutes=5)
    texts = [
        ("Чл. 3", "Светлинните реклами да се изключват от 22:00 часа.",
         "Чл. 3. Светлинните реклами не могат да светят между 22:00 и 6:00 часа."),
        ("Чл. 3", "Светлинните реклами да се изключват от 22 часа.", ""),
        ("Чл. 2, ал. 2", "Да се забранят рекламите върху фасадите в центъра изобщо.", ""),
        ("Чл. 4", "Таксата да зависи и от зоната в града.", ""),
        ("", "Наредбата да урежда и рекламите по превозните средства.", ""),
    ]  # fmt: skip
    rows = [
        b.comment(c, b.person(20 + i), text, label, wording, until=closed_at)
        for i, (label, text, wording) in enumerate(texts * 2)
    ]
    Comment.objects.bulk_create(rows)
    recount(c)
    return b.move(c, State.CLOSED, closed_at)


def _budget(b: Builder) -> Consultation:
    # The budget's public discussion is announced at least 7 days ahead (ЗПФ чл. 84, ал. 6).
    year = (b.now + datetime.timedelta(days=60)).year
    c = b.consultation(
        f"Проект на бюджет на общината за {year} г.", Kind.BUDGET, BUDGET,
        opens_days=7, period_days=14,
        summary="Публично обсъждане на проекта на бюджет: приходи, капиталови разходи, "
        "социални дейности.",
    )  # fmt: skip
    return b.move(c, State.SCHEDULED, b.now)


def _strategy(b: Builder) -> Consultation:
    c = b.consultation(
        "Програма за развитие на общината 2028–2034 г.", Kind.STRATEGY, STRATEGY,
        opens_days=-5, period_days=30,
        summary="Целите и приоритетите на общината за следващите седем години.",
    )  # fmt: skip
    c = b.move(c, State.OPEN, c.opens_at or b.now)
    Hearing.objects.create(
        consultation=c,
        starts_at=(b.now + datetime.timedelta(days=6))
        .astimezone(SOFIA)
        .replace(hour=17, minute=30, second=0, microsecond=0),
        place="Голямата зала на общината",
        online_url="https://meet.example.org/programa-2028",
    )
    rows = [
        b.comment(c, b.person(30), "Липсват мерки за селата в общината.", "4. Приоритети"),
        b.comment(
            c,
            b.person(31),
            "Велосипедните алеи да свържат всички квартали.",
            "4.1. Устойчива градска мобилност",
        ),
        b.comment(c, b.person(32), "Нужни са показатели за всяка цел.", ""),
    ]
    Comment.objects.bulk_create([r for r in rows if r is not None])
    recount(c)
    return c


def _withdrawn(b: Builder) -> Consultation:
    c = b.consultation(
        "Проект на Наредба за пазарите на открито", Kind.ORDINANCE, MARKETS,
        opens_days=-20, period_days=30,
    )  # fmt: skip
    c = b.move(c, State.OPEN, c.opens_at or b.now)
    return b.move(
        c, State.WITHDRAWN, b.now - datetime.timedelta(days=2),
        withdrawn_reason="Проектът ще бъде преработен след промените в Закона за търговията.",
    )  # fmt: skip


def _draft(b: Builder) -> Consultation:
    return b.consultation(
        "Проект на Наредба за отглеждане на домашни любимци", Kind.ORDINANCE, PETS,
        opens_days=20, period_days=30,
    )  # fmt: skip


# (title, maker): the title is the key that makes loading idempotent.
def _makers(b: Builder) -> list[tuple[str, object]]:
    year = (b.now + datetime.timedelta(days=60)).year
    return [
        ("Проект на Наредба за реда и условията за паркиране на територията на общината",
         lambda: _open_ordinance(b)),
        ("Проект на Наредба за изменение и допълнение на Наредбата за местните такси",
         lambda: _answered(b, "Проект на Наредба за изменение и допълнение на Наредбата за "
                           "местните такси", FEES, -75, FEE_PROPOSALS, adopted=False)),
        ("Проект на Наредба за опазване на зелената система",
         lambda: _answered(b, "Проект на Наредба за опазване на зелената система", TREES, -150,
                           TREE_PROPOSALS, adopted=True)),
        ("Проект на Наредба за рекламната дейност", lambda: _awaiting_answers(b)),
        (f"Проект на бюджет на общината за {year} г.", lambda: _budget(b)),
        ("Програма за развитие на общината 2028–2034 г.", lambda: _strategy(b)),
        ("Проект на Наредба за пазарите на открито", lambda: _withdrawn(b)),
        ("Проект на Наредба за отглеждане на домашни любимци", lambda: _draft(b)),
    ]  # fmt: skip


@transaction.atomic
def load() -> Loaded:
    institution = owner_institution()
    staff = demo_staff(institution)
    builder = Builder(institution, staff, participants())
    result = Loaded()
    existing = set(Consultation.objects.filter(is_demo=True).values_list("title", flat=True))
    for title, make in _makers(builder):
        if title in existing:
            result.skipped.append(title)
            continue
        made = make()  # type: ignore[operator]
        assert made.title == title  # noqa: S101 - the key and the maker agree
        result.created.append(title)
    return result
