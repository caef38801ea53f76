"""The benchmark's events: `Scale.events` (default 50,000) public discussions, hearings,
seminars, trainings and working meetings over the institutions `generate_directory` made in the
portal's scope (with some organised by the generated organisations and networks), spread over
two years before and after today, a fiftieth of them in CALENDAR_MONTH so that the calendar
target always has a full month; a third with a programme of sessions.

Two showcases have fixed ids for bench/targets.py and bench/registration_burst.py: SHOWCASE_ID,
a two-day training of Plovdiv with its programme (the event page), and BURST_ID, a seminar with
BURST_PLACES places and registration open, for which the burst registers generated people
concurrently through the real server.

Everything is fictional and marked `is_demo`; the generated events have ids from ID_BASE on
(the showcases just below), which is how the previous run's rows are found and removed with
plain DELETEs, so the generator is idempotent. The stored counters are set directly (the list
shows places left; no registration rows behind them, as the consultations' counts).
"""

from __future__ import annotations

import datetime
import importlib
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import EMAIL_DOMAIN, Context, generator

SHOWCASE_ID = 900_101
BURST_ID = 900_102
BURST_PLACES = 50
ID_FLOOR = 900_100  # every event of this generator has an id from here on
ID_BASE = 1_000_000  # the bulk ones
CALENDAR_MONTH = (2026, 12)  # a month the calendar target shows, always well filled
PROGRAMME_TITLE = "Обучения за НПО (бенчмарк)"
BATCH = 2000

KINDS = (
    ["public_discussion"] * 30 + ["public_hearing"] * 12 + ["seminar"] * 18
    + ["training"] * 20 + ["working_meeting"] * 15 + ["other"] * 5
)  # fmt: skip
STATES = ["published"] * 88 + ["cancelled"] * 4 + ["draft"] * 8
HEADINGS = {
    "public_discussion": "Обществено обсъждане",
    "public_hearing": "Публично изслушване",
    "seminar": "Семинар",
    "training": "Обучение",
    "working_meeting": "Работна среща",
    "other": "Среща",
}
SUBJECTS = [
    "бюджета на общината", "наредбата за обществения ред", "местните данъци и такси",
    "програмата за развитие", "плана за интегрирано развитие", "социалните услуги",
    "управлението на отпадъците", "зелената система", "градската мобилност",
    "партньорства и работа в мрежа", "застъпнически кампании", "мониторинг на администрацията",
    "достъпа до обществена информация", "младежките политики", "читалищната дейност",
    "енергийната ефективност", "детските градини", "културния календар",
]  # fmt: skip
VENUES = ["Заседателна зала на общината", "Голямата зала на читалището", "Конферентна зала",
          "Зала „Съединение“", "Младежкият център", "Онлайн"]  # fmt: skip
SESSION_TITLES = ["Откриване и представяне", "Дискусия", "Работа в групи", "Въпроси и отговори",
                  "Изводи и следващи стъпки", "Добри практики"]  # fmt: skip
FORMATS = ["in_person"] * 5 + ["hybrid"]
SPEAKERS = ["Мария Иванова", "Георги Петров", "Елена Стоянова", "експерти на общината"]


@generator("events_cleanup", version=1, order=17)
def events_cleanup(ctx: Context) -> str:
    """The previous run's events go before the "organisations" generator (order 30) removes
    the generated organisations and networks: events organised by them protect them."""
    from events.models import Event

    removed = Event.objects.filter(is_demo=True, pk__gte=ID_FLOOR).count()
    _delete_previous()
    return f"{removed:,} events of the previous run removed"


def _delete_previous() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from core.models import SearchEntry
    from events.models import (
        Attendance,
        Certificate,
        Event,
        Feedback,
        Invitation,
        Material,
        Programme,
        Registration,
        RegistrationChange,
        Session,
    )

    ours = Event.objects.filter(is_demo=True, pk__gte=ID_FLOOR)
    ids = ours.values("pk")
    registrations = Registration.objects.filter(event__in=ids).values("pk")
    # Plain DELETEs, what refers to a row first: the ORM's cascade would load every row.
    for qs in (
        Certificate.objects.filter(registration__in=registrations),
        Feedback.objects.filter(registration__in=registrations),
        Attendance.objects.filter(registration__in=registrations),
        RegistrationChange.objects.filter(registration__in=registrations),
        Invitation.objects.filter(event__in=ids),
        Registration.objects.filter(event__in=ids),
        Material.objects.filter(event__in=ids),
        Session.objects.filter(event__in=ids),
        Event.topics.through.objects.filter(event__in=ids),
        SearchEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Event),
            object_id__in=ours.annotate(sid=Cast("pk", CharField())).values("sid"),
        ),
        ours,
    ):
        qs._raw_delete(qs.db)
    Programme.objects.filter(title=PROGRAMME_TITLE, is_demo=True).delete()  # and its strands


def fast_insert(objs: list[Any]) -> None:
    """INSERT the objects (all of one model, primary keys set) with one executemany per batch:
    Django's bulk_create compiles a statement per ~20 rows on SQLite (999 parameters), which
    made 50,000 events take minutes. Values are prepared by each field as the ORM does."""
    from django.db import connection

    if not objs:
        return
    meta = type(objs[0])._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    # Names from the model's own metadata, quoted; every value travels as a parameter.
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            rows = []
            # No pre_save here: auto_now(_add) fields must be set on the objects.
            for obj in objs[start : start + BATCH]:
                rows.append(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )
            cursor.executemany(sql, rows)


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    from core.legal_calendar import SOFIA

    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)


def _showcases(now: datetime.datetime) -> None:
    """The event page's training (a programme, six sessions) and the burst's seminar."""
    from decimal import Decimal

    from directory.models import Institution
    from events.models import Event, Programme, Session, Strand

    plovdiv = (
        Institution.objects.filter(generated_key="ma:PDV22").first()
        or Institution.objects.exclude(generated_key="").order_by("pk").first()
    )
    if plovdiv is None:
        return
    programme = Programme.objects.create(
        title=PROGRAMME_TITLE, institution=plovdiv, is_demo=True,
        description="Серия обучения за измерване на скоростта.",
    )  # fmt: skip
    strand = Strand.objects.create(programme=programme, title="Застъпнически кампании",
                                   target_people=20, position=1)  # fmt: skip
    today = now.date()
    start = today + datetime.timedelta(days=20)
    common = {
        "institution": plovdiv,
        "province_id": plovdiv.province_id,
        "municipality_id": plovdiv.municipality_id,
        "settlement_id": plovdiv.settlement_id,
        "state": "published",
        "published_at": now - datetime.timedelta(days=5),
        "is_demo": True,
        "venue": "Зала „Съединение“",
        "address": "пл. „Стефан Стамболов“ 1",
        "registration_opens_at": now - datetime.timedelta(days=5),
    }
    Event.objects.create(
        pk=SHOWCASE_ID, kind="training", programme=programme, strand=strand,
        title="Обучение „Застъпнически кампании. Техники за водене на преговори и диалог“ "
        "(бенчмарк)",
        description="Двудневно обучение за представители на НПО: **20 места**, "
        "удостоверение за присъствалите и в двата дни.",
        starts_at=_aware(start, 9, 30), ends_at=_aware(start + datetime.timedelta(days=1), 16, 30),
        capacity=20, confirmed_count=17, waiting_count=0, hours=Decimal(16),
        registration_closes_at=_aware(start - datetime.timedelta(days=2), 18),
        audience="representatives", **common,
    )  # fmt: skip
    Session.objects.bulk_create(
        Session(event_id=SHOWCASE_ID, day=start + datetime.timedelta(days=d),
                starts=datetime.time(h, m), ends=datetime.time(h + 1, m + 30 if m == 0 else 0),
                title=f"{SESSION_TITLES[(2 * d + n) % len(SESSION_TITLES)]}",
                speakers="Гергана Моделова, Васил Пробов")
        for d in range(2) for n, (h, m) in enumerate([(9, 30), (11, 30), (14, 0)])
    )  # fmt: skip
    burst_day = today + datetime.timedelta(days=30)
    Event.objects.create(
        pk=BURST_ID, kind="seminar",
        title="Семинар за прилагане на модела за взаимодействие (бенчмарк: вълна от записвания)",
        description="Отворен семинар: първите 50 записали се са потвърдени, останалите – "
        "в листа на чакащите.",
        starts_at=_aware(burst_day, 10), ends_at=_aware(burst_day, 16),
        capacity=BURST_PLACES, registration_closes_at=_aware(burst_day, 9),
        audience="everyone", ask_organisation=False, ask_accessibility=False, **common,
    )  # fmt: skip


@generator("events", version=1, order=50)
def events(ctx: Context) -> str:
    from django.utils import timezone

    from core import search
    from directory.models import Institution
    from events.models import Event, Session
    from organisations.models import Network, Organisation
    from territory.models import PortalScope

    rng = ctx.rng
    _delete_previous()
    codes = PortalScope.current().municipality_codes()
    institutions = Institution.objects.exclude(generated_key="").filter(municipality__isnull=False)
    if codes:
        institutions = institutions.filter(municipality_id__in=codes)
    organisers: list[tuple[str, int, str | None, str | None, str | None]] = [
        ("institution", pk, province, municipality, settlement)
        for pk, province, municipality, settlement in institutions.values_list(
            "pk", "province_id", "municipality_id", "settlement_id"
        )
    ]
    if not organisers:
        return "no institutions (run generate_directory first): nothing made"
    orgs = Organisation.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    if codes:
        orgs = orgs.filter(settlement__municipality_id__in=codes)
    Row = tuple[str, int, str | None, str | None, str | None]
    org_rows: list[Row] = [
        ("organisation", pk, province, municipality, settlement)
        for pk, province, municipality, settlement in orgs.values_list(
            "pk", "settlement__municipality__province_id", "settlement__municipality_id",
            "settlement_id",
        )[:5000]
    ]  # fmt: skip
    networks: list[Row] = [
        ("network", pk, None, None, None)
        for pk in Network.objects.filter(
            coordinator__email__endswith="@" + EMAIL_DOMAIN
        ).values_list("pk", flat=True)[:200]
    ]
    now = timezone.now()
    _showcases(now)

    month_first = datetime.date(*CALENDAR_MONTH, 1)
    in_month = ctx.scale.events // 50
    made: list[Event] = []
    sessions: list[Session] = []
    for i in range(ctx.scale.events):
        roll = rng.random()
        if roll < 0.08 and org_rows:
            kind_of, pk, province, municipality, settlement = rng.choice(org_rows)
        elif roll < 0.10 and networks:
            kind_of, pk, province, municipality, settlement = rng.choice(networks)
        else:
            kind_of, pk, province, municipality, settlement = rng.choice(organisers)
        kind = rng.choice(KINDS)
        if i < in_month:
            day = month_first + datetime.timedelta(days=rng.randrange(31))
        else:
            day = now.date() + datetime.timedelta(days=rng.randint(-730, 730))
        two_days = kind == "training" or rng.random() < 0.15
        starts_at = _aware(day, rng.choice([9, 10, 10, 14, 16, 17]), rng.choice([0, 0, 30]))
        ends_at = (
            _aware(day + datetime.timedelta(days=1), 16, 30)
            if two_days
            else starts_at + datetime.timedelta(hours=rng.choice([2, 2, 3, 4]))
        )
        capacity = rng.choice([None, 20, 30, 40, 40, 60, 100])
        past = ends_at < now
        confirmed = 0 if capacity is None else rng.randint(capacity // 2 if past else 0, capacity)
        venue = rng.choice(VENUES)
        made.append(
            Event(
                pk=ID_BASE + i,
                created_at=now,
                updated_at=now,
                kind=kind,
                title=f"{HEADINGS[kind]}: {rng.choice(SUBJECTS)} ({i + 1})",
                description="Примерно събитие за измерване на скоростта.",
                state=(state := rng.choice(STATES)),
                cancelled_reason="Отложено по организационни причини." if state == "cancelled"
                else "",
                institution_id=pk if kind_of == "institution" else None,
                organisation_id=pk if kind_of == "organisation" else None,
                network_id=pk if kind_of == "network" else None,
                province_id=province,
                municipality_id=municipality,
                settlement_id=settlement,
                format="online" if venue == "Онлайн" else rng.choice(FORMATS),
                venue="" if venue == "Онлайн" else venue,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                registration_opens_at=starts_at - datetime.timedelta(days=30),
                registration_closes_at=starts_at - datetime.timedelta(days=1),
                hours=16 if kind == "training" else None,
                published_at=None if state == "draft" else starts_at - datetime.timedelta(days=35),
                is_demo=True,
                confirmed_count=confirmed,
                waiting_count=rng.randint(0, 10) if capacity and confirmed == capacity else 0,
            )
        )  # fmt: skip
        if rng.random() < 0.33:
            for d in range(2 if two_days else 1):
                for n in range(rng.randint(1, 3)):
                    sessions.append(
                        Session(
                            event_id=ID_BASE + i,
                            day=day + datetime.timedelta(days=d),
                            starts=datetime.time(9 + 2 * n, 30),
                            ends=datetime.time(11 + 2 * n, 0),
                            title=rng.choice(SESSION_TITLES),
                            speakers=rng.choice(SPEAKERS),
                        )
                    )
    fast_insert(made)
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    # Registers the kind: the views import events.search, a generator's process does not.
    importlib.import_module("events.search")

    if search.get_kind("events.event") is not None:
        search.reindex("events.event")
    return (
        f"{len(made) + 2:,} events ({in_month:,} in {month_first:%Y-%m}), "
        f"{len(sessions):,} sessions"
    )
