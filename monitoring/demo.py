"""Demo content of monitoring (`manage.py load_demo_monitoring`). Never in production.

In the portal's scope, over the last two years, addressed to the real generated institutions
(municipal administrations, municipal councils, regional administrations):

- REQUEST_PLAN: ~400 requests for access to public information (ЗДОИ) with the outcomes a
  real administration has: most granted on time, some partial, refused (with the legal ground),
  extended (with the reason), clarified, forwarded, left without consideration, some overdue
  now, a few pending within the deadline;
- SIGNAL_PLAN: ~100 proposals and signals (АПК): anonymous ones kept as feedback, answered on
  time and late, overdue, private ones;
- COMMITMENT_PLAN (monitoring/demo_commitments.py): ~60 commitments from council decisions
  with their progress, comments and ratings of demo organisations, and two monitoring reports
  of demo organisations covering some commitments, requests and signals.

Everything is invented and marked `is_demo`. The people are the fictional demo accounts
(`uchastnik-NNN@demo.eregion.bg` of consultations/demo.py, `grazhdanin@`) or fictional names
without an account; organisations are the demo ones of organisations/demo.py, never a real
register entry. The rows are written directly, with coherent timelines and the deadlines of
monitoring.legal (one LegalCalendar for the whole load), not through the workflows: those
e-mail the institutions' real addresses. Every random choice is seeded, so the content is the
same on every machine on the same day. Loading is idempotent: each part (requests, signals,
commitments) is made only when no demo record of its kind exists, reports are keyed by title.
Then the responsiveness index is rebuilt, so the dashboard shows the figures.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from consultations.demo import FIRST, LAST, demo_staff, owner_institution, participants
from core.legal_calendar import SOFIA, LegalCalendar
from directory.models import Institution
from monitoring import legal
from monitoring.demo_texts import (
    CHANNELS,
    COUNCIL_SUBJECTS,
    DEMO_LINE,
    FORWARD_TO,
    MUNICIPAL_SUBJECTS,
    NOTES,
    PATRONYMICS,
    PROPOSALS,
    REGIONAL_SUBJECTS,
    SIGNALS,
    STREETS,
    request_answer,
    signal_answer,
)
from monitoring.enums import (
    AccessForm,
    Channel,
    ExtensionReason,
    RefusalGround,
    RequestEventKind,
    RequestStatus,
    SignalEventKind,
    SignalKind,
    SignalOutcome,
    SignalStatus,
)
from monitoring.models import InformationRequest, RequestEvent, Signal, SignalEvent
from organisations.demo import COORDINATOR_NAME, DEMO_REPRESENTATIVE, DEMO_SOURCE
from organisations.models import Organisation
from territory.models import Municipality, PortalScope

SEED = 2031
DEMO_DOMAIN = "demo.eregion.bg"
CITIZEN_EMAIL = f"grazhdanin@{DEMO_DOMAIN}"
DAY = datetime.timedelta(days=1)

# What becomes of the records, and how many of each; the tests read these numbers.
# fmt: off
REQUEST_PLAN: dict[str, int] = {
    "granted": 170, "granted_late": 22, "partial": 36, "refused": 26, "not_exists": 16,
    "extended": 34, "clarified": 16, "lapsed": 8, "forwarded": 12, "withdrawn": 4,
    "overdue": 30, "pending": 16, "awaiting_clarification": 4, "submitted": 6,
}
SIGNAL_PLAN: dict[str, int] = {
    "anonymous": 12, "stale": 3, "answered": 44, "late": 10, "overdue": 11, "pending": 9,
    "extended": 4, "forwarded": 3, "withdrawn": 1, "submitted": 3,
}
# fmt: on
# The youngest a request of each kind can be (days since filing), so that its story ends
# before today; the oldest is two years.
MIN_AGE = {"granted_late": 60, "extended": 45, "clarified": 75, "lapsed": 60, "overdue": 40}
OLDEST = 730
# The demo official's institution (consultations.demo.owner_institution: Plovdiv's municipal
# administration) gets some of the pending kinds, so that its inbox has work.
HOME_SHARE = {"submitted": 2, "pending": 4, "overdue": 3, "awaiting_clarification": 1}
# The demo citizen (grazhdanin@) filed one request of each of these.
CITIZEN_KINDS = ("overdue", "pending", "granted", "refused", "extended", "partial")


@dataclass
class Loaded:
    requests: int = 0
    request_events: int = 0
    signals: int = 0
    signal_events: int = 0
    commitments: int = 0
    commitment_updates: int = 0
    ratings: int = 0
    reports: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    institutions: set[int] = field(default_factory=set)


@dataclass
class Person:
    """Who files: an account, or a fictional name without one; maybe for an organisation."""

    name: str
    user: User | None = None
    organisation: Organisation | None = None
    address: str = ""
    email: str = ""


@dataclass
class Step:
    kind: str
    on: datetime.date
    from_status: str
    to_status: str
    by: User | None
    note: str
    details: dict[str, Any]


class Timeline:
    """The steps of one record; a step that changes the status starts from the current one."""

    def __init__(self) -> None:
        self.status = ""
        self.steps: list[Step] = []

    def add(
        self, kind: str, on: datetime.date, status: str = "", by: User | None = None,
        note: str = "", **details: Any,
    ) -> None:  # fmt: skip
        data = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in details.items()}
        self.steps.append(Step(kind, on, self.status if status else "", status, by, note, data))
        self.status = status or self.status


class Builder:
    """Shared state of one load: the seeded random source, the calendar, the places, people."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.now = timezone.now()
        self.today = self.now.astimezone(SOFIA).date()
        self.calendar = LegalCalendar()  # one for the whole load: one query for the years
        self.calendar.load(self.today - datetime.timedelta(days=OLDEST + 400), self.today)
        self.result = Loaded()
        self.home = owner_institution()
        self.staff = demo_staff(self.home)
        self.people = participants()
        self.citizen = User.objects.filter(email=CITIZEN_EMAIL).first()
        self.monitors = monitors()
        self._institutions()

    def _institutions(self) -> None:
        codes = PortalScope.current().municipality_codes() or {self.home.municipality_id or ""}
        municipalities = list(Municipality.objects.filter(code__in=codes).order_by("code"))
        keys = [f"{kind}:{m.code}" for kind in ("ma", "mc") for m in municipalities]
        keys += [f"oa:{p}" for p in sorted({m.province_id for m in municipalities})]
        found = {
            i.generated_key: i
            for i in Institution.objects.filter(generated_key__in=keys).select_related(
                "municipality", "province"
            )
        }
        weight = {m.code: max(m.population_2017 or 3000, 3000) ** 0.5 for m in municipalities}
        ma = [found[k] for m in municipalities if (k := f"ma:{m.code}") in found]
        mc = [found[k] for m in municipalities if (k := f"mc:{m.code}") in found]
        if not ma:
            raise LookupError("No municipal administration in scope: run generate_directory.")
        self.administrations, self.councils = ma, mc
        self.regional = [i for k, i in sorted(found.items()) if k and k.startswith("oa:")]
        self.admin_weights = [weight[i.municipality_id or ""] for i in ma]
        self.council_weights = [weight[i.municipality_id or ""] for i in mc]
        self.council_of = {i.municipality_id: i for i in mc}

    def institution(self, share: float = 1.0) -> Institution:
        """A municipal administration most often, weighted by population; sometimes a council
        or a regional administration (`share` scales how often)."""
        roll = self.rng.random()
        if roll < 0.12 * share and self.regional:
            return self.rng.choice(self.regional)
        if roll < 0.26 * share and self.councils:
            return self.rng.choices(self.councils, weights=self.council_weights)[0]
        return self.rng.choices(self.administrations, weights=self.admin_weights)[0]

    def person(self, institution: Institution, organisation_share: float = 0.08) -> Person:
        roll = self.rng.random()
        if roll < organisation_share and self.monitors:
            org, rep = self.rng.choice(self.monitors)
            email = rep.email if rep else org.email
            return Person(org.name, rep, org, org.email or email, email)
        if roll < 0.72:
            user = self.rng.choice(self.people)
            return Person(f"{user.first_name} {user.last_name}", user, None, user.email, user.email)
        first, gender = self.rng.choice(FIRST)
        male, female = self.rng.choice(LAST)
        pm, pf = self.rng.choice(PATRONYMICS)
        name = f"{first} {pf} {female}" if gender == "f" else f"{first} {pm} {male}"
        town = institution.municipality.name_bg if institution.municipality else "Пловдив"
        street = self.rng.choice(STREETS)
        return Person(name, address=f"гр. {town}, ул. „{street}“ № {self.rng.randint(1, 140)}")

    def acting(self, institution: Institution) -> User | None:
        """Staff acting for the institution: the demo official at theirs, else unrecorded."""
        return self.staff if institution.pk == self.home.pk else None

    def working(self, day: datetime.date) -> datetime.date:
        return self.calendar.next_working_day(day)

    def between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A working day from `first` to `last` (`last` when none falls between)."""
        if last <= first:
            return last
        day = self.working(first + DAY * self.rng.randint(0, (last - first).days))
        return min(day, last)

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        minute = self.rng.randrange(0, 60, 5)
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)

    def ago(self, low: int, high: int) -> datetime.date:
        return self.today - DAY * self.rng.randint(low, high)


def monitors() -> list[tuple[Organisation, User | None]]:
    """Demo organisations that act as monitors, each with its fictional demo representative
    when it has one: the network's coordinator first, then those named for governance."""
    orgs = list(
        Organisation.objects.filter(source=DEMO_SOURCE, is_demo=True).order_by("source_key")
    )
    if not orgs:
        return []
    ct = ContentType.objects.get_for_model(Organisation)
    reps: dict[str, User] = {}
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=Role.ORGANISATION_REPRESENTATIVE, scope_type=ct)
        .filter(user__email__endswith="@" + DEMO_DOMAIN)
        .select_related("user")
        .order_by("user__email")
    )
    for assignment in assignments:
        reps.setdefault(assignment.scope_id, assignment.user)
    words = ("Прозрачно", "мониторинг", "Обществен диалог", "местни политики", "Граждански")
    coordinator = [o for o in orgs if COORDINATOR_NAME in o.name]
    civic = [o for o in orgs if any(w in o.name for w in words) and o not in coordinator]
    civic.sort(key=lambda o: (str(o.pk) not in reps, o.source_key))
    ngo = User.objects.filter(email=DEMO_REPRESENTATIVE).first()
    chosen = (coordinator + civic)[:5] or orgs[:3]
    return [(o, reps.get(str(o.pk)) or (ngo if o in coordinator else None)) for o in chosen]


# --- Information requests ---------------------------------------------------------------------


def _subject(b: Builder, institution: Institution, filed: datetime.date) -> tuple[str, str]:
    key = institution.generated_key or ""
    pool = MUNICIPAL_SUBJECTS
    if key.startswith("mc:"):
        pool = COUNCIL_SUBJECTS
    elif key.startswith("oa:"):
        pool = REGIONAL_SUBJECTS
    title, text = b.rng.choice(pool)
    place = (institution.municipality or institution.province or institution).name_bg
    values = {"year": filed.year, "prev": filed.year - 1, "next": filed.year + 1, "place": place}
    return title.format(**values), text.format(**values)


def _filed_on(b: Builder, kind: str) -> datetime.date:
    ranges = {"submitted": (0, 2), "pending": (1, 9), "awaiting_clarification": (8, 20)}
    ranges["overdue"] = (MIN_AGE["overdue"], 240)
    return b.ago(*ranges.get(kind, (MIN_AGE.get(kind, 25), OLDEST)))


def _channel(b: Builder, person: Person) -> str:
    channel = b.rng.choices(list(CHANNELS), weights=[60, 20, 12, 5, 3])[0]
    if person.user is None and channel in (Channel.PLATFORM, Channel.PITAY):
        channel = b.rng.choice([Channel.EMAIL, Channel.IN_PERSON, Channel.POST])
    return channel


def _request(
    b: Builder, kind: str, institution: Institution
) -> tuple[InformationRequest, Timeline]:
    """One request and its timeline, as `kind` says it ends."""
    rng, cal = b.rng, b.calendar
    filed = _filed_on(b, kind)
    person = b.person(institution)
    channel = _channel(b, person)
    title, description = _subject(b, institution, filed)
    staff = b.acting(institution)
    r = InformationRequest(
        institution=institution,
        municipality_id=institution.municipality_id,
        province_id=institution.province_id,
        title=title,
        description=description + DEMO_LINE,
        access_form=rng.choices(list(AccessForm)[:4], weights=[80, 6, 4, 10])[0],
        requester=person.user,
        organisation=person.organisation,
        requester_name=person.name,
        correspondence_address=person.address or person.email,
        requester_email=person.email,
        show_name=rng.random() < (0.7 if person.organisation else 0.12),
        is_public=rng.random() > 0.04,
        channel=channel,
        external_reference=f"{filed.year}-{rng.randint(1000, 99999):06d}"
        if channel == Channel.PITAY
        else "",
        filed_on=filed,
        created_by=person.user or staff,
        is_demo=True,
    )
    t = Timeline()
    if channel == Channel.PLATFORM:
        t.add(RequestEventKind.FILED, filed, RequestStatus.SUBMITTED, person.user)
        t.add(RequestEventKind.SENT, filed, note=NOTES["sent"])
    else:
        t.add(RequestEventKind.LOGGED, filed, RequestStatus.SUBMITTED, r.created_by,
              f"Подадено {CHANNELS[Channel(channel)]}.")  # fmt: skip
    if kind == "submitted" or (kind == "overdue" and rng.random() < 0.15):
        r.status, r.due_on = t.status, legal.request_due_on(filed, calendar=cal)
        if kind == "overdue":
            _overdue(b, r, t)  # never registered
        return r, t

    registered = min(b.working(filed + DAY * rng.choice([0, 0, 0, 1, 1, 2])), b.today)
    r.registered_on = registered
    r.due_on = legal.request_due_on(registered, calendar=cal)
    t.add(RequestEventKind.REGISTERED, registered, RequestStatus.REGISTERED, staff, due_on=r.due_on)
    if kind == "extended" or (kind in ("overdue", "pending") and rng.random() < 0.2):
        reason = rng.choices([ExtensionReason.LARGE_VOLUME, ExtensionReason.THIRD_PARTY], [2, 1])[0]
        r.extension_reason, r.extension_days = reason, legal.extension_days(reason)
        r.due_on = legal.request_due_on(registered, r.extension_days, calendar=cal)
        on = b.between(registered + DAY, min(r.due_on - DAY, b.today))
        t.add(RequestEventKind.EXTENDED, on, by=staff, note=NOTES[f"extended_{reason}"],
              days=r.extension_days, reason=str(reason), due_on=r.due_on)  # fmt: skip

    if kind in ("clarified", "lapsed", "awaiting_clarification"):
        asked = b.between(registered + DAY, max(registered, min(registered + DAY * 6, b.today)))
        r.clarification_asked_on = asked
        r.clarification_due_on = legal.clarification_due_on(asked, calendar=cal)
        r.due_on = None  # the 14 days start again from the clarification (чл. 29, ал. 2)
        t.add(RequestEventKind.CLARIFICATION_ASKED, asked, RequestStatus.CLARIFICATION, staff,
              NOTES["clarify"], due_on=r.clarification_due_on)  # fmt: skip
        if kind == "lapsed":
            t.add(RequestEventKind.LAPSED, r.clarification_due_on + DAY,
                  RequestStatus.NO_CONSIDERATION, note=NOTES["lapsed"])  # fmt: skip
        if kind != "clarified":
            r.status = t.status
            return r, t
        r.clarified_on = asked + DAY * rng.randint(2, 20)
        r.due_on = legal.request_due_on(r.clarified_on, calendar=cal)
        t.add(RequestEventKind.CLARIFIED, r.clarified_on, RequestStatus.REGISTERED, person.user,
              NOTES["clarified"], due_on=r.due_on)  # fmt: skip

    r.status = t.status
    if kind == "pending":
        return r, t
    if kind == "overdue":
        _overdue(b, r, t)
        return r, t
    assert r.due_on is not None  # noqa: S101 - set on every path above
    start = r.clarified_on or registered
    if kind in ("forwarded", "withdrawn"):
        on = b.between(start + DAY * 2, min(r.due_on, start + DAY * 10, b.today - DAY))
        if kind == "withdrawn":
            t.add(RequestEventKind.WITHDRAWN, on, RequestStatus.WITHDRAWN, person.user,
                  NOTES["withdrawn"])  # fmt: skip
        else:
            note = _forwarded(b, r, on, due=r.due_on, start=registered, article="чл. 32 ЗДОИ")
            t.add(RequestEventKind.FORWARDED, on, RequestStatus.FORWARDED, staff, note,
                  to=r.forwarded_to_name, request=None)  # fmt: skip
        r.status = t.status
        return r, t

    if kind == "granted_late" or (kind in ("extended", "clarified") and rng.random() < 0.12):
        _overdue(b, r, t)
        decided = b.between(r.due_on + DAY * 2, min(r.due_on + DAY * 40, b.today - DAY))
    else:
        lower = min(start + DAY * 3, r.due_on)
        decided = b.between(lower + (r.due_on - lower) * 2 // 5, min(r.due_on, b.today - DAY))
    outcomes = {"partial": RequestStatus.PARTIAL, "refused": RequestStatus.REFUSED,
                "not_exists": RequestStatus.NOT_EXISTS}  # fmt: skip
    outcome = outcomes.get(kind, RequestStatus.GRANTED)
    if r.extension_reason == ExtensionReason.THIRD_PARTY and rng.random() < 0.5:
        outcome = RequestStatus.PARTIAL  # the third party did not consent (чл. 31, ал. 4)
    if outcome == RequestStatus.PARTIAL:
        r.refusal_ground = RefusalGround.THIRD_PARTY if rng.random() < 0.8 else RefusalGround.SECRET
    elif outcome == RequestStatus.REFUSED:
        r.refusal_ground = rng.choices(list(RefusalGround), weights=[4, 5, 1])[0]
    r.answer = request_answer(outcome, r.refusal_ground, title)
    t.add(RequestEventKind.DECIDED, decided, outcome, staff, r.answer.split("\n", 1)[0])
    r.status, r.is_overdue, r.overdue_since = outcome, False, None
    _decided(r, decided)
    return r, t


def _forwarded(
    b: Builder,
    record: InformationRequest | Signal,
    on: datetime.date,
    *,
    due: datetime.date,
    start: datetime.date,
    article: str,
) -> str:
    """Forwarded to a body outside the directory; as the workflows store it, the forwarding
    is this body's answer, in time within `due`. The note of the timeline's step."""
    institution = record.institution
    province = institution.province.name_bg if institution.province else "Пловдив"
    record.forwarded_to_name = b.rng.choice(FORWARD_TO).format(province=province)
    record.decided_on = on
    record.answered_on_time = on <= due
    record.days_to_answer = (on - start).days
    return NOTES["forwarded"].format(body=record.forwarded_to_name, article=article)


def _decided(r: InformationRequest, on: datetime.date) -> None:
    """What the index reads, as services/requests.decide stores it."""
    assert r.due_on is not None  # noqa: S101
    r.decided_on = on
    r.answered_on_time = on <= r.due_on
    r.days_to_answer = (on - (r.registered_on or r.filed_on)).days


def _overdue(b: Builder, r: InformationRequest, t: Timeline) -> None:
    """The daily check notices the missed deadline the day after it."""
    assert r.due_on is not None and r.due_on < b.today  # noqa: S101 - planned so
    r.overdue_since = r.due_on + DAY
    r.is_overdue = True  # a later decision clears it
    appeal_by = legal.tacit_refusal_appeal_due_on(r.due_on, calendar=b.calendar)
    t.add(RequestEventKind.OVERDUE, r.overdue_since, t.status, note=NOTES["overdue"],
          due_on=r.due_on, appeal_by=appeal_by)  # fmt: skip


def number(rows: list[tuple[Any, Timeline]], prefix: str) -> None:
    """Registration numbers in the order of registration, per institution and year."""
    seq: Counter[tuple[int, int]] = Counter()
    dated = sorted(
        ((obj.registered_on, obj.title, obj) for obj, _ in rows if obj.registered_on),
        key=lambda t: t[:2],
    )
    for day, _title, obj in dated:
        seq[obj.institution_id, day.year] += 1
        first = 10 + 7 * (obj.institution_id % 9)  # registers do not all start at one
        obj.registration_number = (
            f"{prefix}-{first + seq[obj.institution_id, day.year]}/{day:%d.%m.%Y}"
        )


def load_requests(b: Builder) -> None:
    if InformationRequest.objects.filter(is_demo=True).exists():
        b.result.skipped.append("information requests")
        return
    kinds = [kind for kind, n in REQUEST_PLAN.items() for _ in range(n)]
    b.rng.shuffle(kinds)
    home_left = dict(HOME_SHARE)
    citizen_left = set(CITIZEN_KINDS) if b.citizen else set()
    rows = []
    for kind in kinds:
        at_home = home_left.get(kind, 0) > 0
        home_left[kind] = home_left.get(kind, 0) - at_home
        r, t = _request(b, kind, b.home if at_home else b.institution())
        if kind in citizen_left and r.requester_id and r.organisation_id is None and b.citizen:
            citizen_left.discard(kind)
            person = r.requester
            r.requester = r.created_by = b.citizen
            r.requester_name = f"{b.citizen.first_name} {b.citizen.last_name}"
            r.requester_email = r.correspondence_address = b.citizen.email
            for step in t.steps:
                step.by = b.citizen if step.by == person else step.by
        rows.append((r, t))
    number(rows, "ЗДОИ")
    for r, t in rows:  # the registration's step names the number, as the workflow's does
        for step in t.steps:
            if step.kind == RequestEventKind.REGISTERED:
                step.details["number"] = r.registration_number
    b.result.request_events = save(b, rows, RequestEvent, "request", "filed_on")
    b.result.requests = len(rows)


def save(b: Builder, rows: list[tuple[Any, Timeline]], event_model: Any, owner: str,
         day_field: str) -> int:  # fmt: skip
    """Insert the records and their timelines, dated as they happened; the number of steps."""
    model = type(rows[0][0])
    objs = model.objects.bulk_create([obj for obj, _ in rows], batch_size=500)
    events = []
    for obj, t in rows:
        hour = 8
        for s in t.steps:
            hour = 6 if s.kind == "overdue" else min(hour + 1, 17)  # the daily check: early
            events.append(event_model(**{owner: obj}, kind=s.kind, on=s.on, at=b.at(s.on, hour),
                                      by=s.by, from_status=s.from_status, to_status=s.to_status,
                                      note=s.note, details=s.details))  # fmt: skip
        obj.created_at = b.at(getattr(obj, day_field), 9)
        obj.updated_at = max(b.at(t.steps[-1].on, 17), obj.created_at)
        b.result.institutions.add(obj.institution_id)
    event_model.objects.bulk_create(events, batch_size=1000)
    model.objects.bulk_update(objs, ["created_at", "updated_at"], batch_size=500)
    return len(events)


# --- Proposals and signals --------------------------------------------------------------------


def _signal(b: Builder, kind: str) -> tuple[Signal, Timeline]:
    rng, cal = b.rng, b.calendar
    institution = b.institution(share=0.4)
    which = rng.choice(list(SignalKind))
    which = {"extended": SignalKind.PROPOSAL, "stale": SignalKind.SIGNAL}.get(kind, which)
    title, text = rng.choice(PROPOSALS if which == SignalKind.PROPOSAL else SIGNALS)
    ages = {"submitted": (0, 3), "pending": (2, 50), "overdue": (75, 300), "late": (120, OLDEST),
            "extended": (200, OLDEST)}  # fmt: skip
    received = b.ago(*ages.get(kind, (30, OLDEST)))
    anonymous = kind == "anonymous"
    person = Person("") if anonymous else b.person(institution, organisation_share=0.1)
    channel = rng.choices([Channel.PLATFORM, Channel.EMAIL, Channel.IN_PERSON], [70, 20, 10])[0]
    if person.user is None:
        channel = Channel.EMAIL if anonymous else rng.choice([Channel.EMAIL, Channel.IN_PERSON])
    staff = b.acting(institution)
    s = Signal(
        kind=which, institution=institution, municipality_id=institution.municipality_id,
        province_id=institution.province_id, title=title, description=text + DEMO_LINE,
        filer=person.user, organisation=person.organisation, filer_name=person.name,
        filer_address=person.address, filer_email=person.email,
        show_name=not anonymous and rng.random() < 0.15,
        is_public=anonymous or rng.random() < 0.6, is_anonymous=anonymous,
        channel=channel, received_on=received, created_by=person.user or staff, is_demo=True,
    )  # fmt: skip
    if kind == "stale":
        s.event_on = received - DAY * (730 + rng.randint(60, 500))
        s.is_stale = legal.is_stale_signal(s.event_on, received)
    elif which == SignalKind.SIGNAL:
        s.event_on = received - DAY * rng.randint(1, 40)
    t = Timeline()
    first = SignalEventKind.FILED if channel == Channel.PLATFORM else SignalEventKind.LOGGED
    t.add(first, received, SignalStatus.SUBMITTED, s.created_by)
    if kind == "submitted":
        s.due_on = legal.signal_due_on(which, received, calendar=cal)
        return s, t
    s.registered_on = min(b.working(received + DAY * rng.choice([0, 1, 1, 2])), b.today)
    if kind in ("anonymous", "stale"):  # no deadline runs (АПК чл. 111, ал. 4)
        t.add(SignalEventKind.NO_PROCEEDINGS, s.registered_on, SignalStatus.NO_PROCEEDINGS, staff,
              NOTES["anonymous" if anonymous else "stale"])  # fmt: skip
        s.status = t.status
        return s, t
    s.due_on = legal.signal_due_on(which, received, calendar=cal)
    t.add(SignalEventKind.REGISTERED, s.registered_on, SignalStatus.REGISTERED, staff,
          due_on=s.due_on)  # fmt: skip
    if kind == "extended":  # АПК чл. 118, ал. 3
        s.extended_months = rng.choice([4, 4, 6])
        s.extension_note = NOTES["extended_proposal"]
        s.due_on = legal.signal_due_on(which, received, months=s.extended_months, calendar=cal)
        on = b.between(s.registered_on + DAY * 20, s.registered_on + DAY * 50)
        t.add(SignalEventKind.EXTENDED, on, by=staff, note=s.extension_note,
              months=s.extended_months, due_on=s.due_on)  # fmt: skip
    s.status = t.status
    if kind == "pending":
        return s, t
    if kind in ("late", "overdue"):
        s.overdue_since = s.due_on + DAY
        s.is_overdue = kind == "overdue"
        t.add(SignalEventKind.OVERDUE, s.overdue_since, t.status, note=NOTES["overdue"],
              due_on=s.due_on)  # fmt: skip
        if kind == "overdue":
            return s, t
    if kind in ("forwarded", "withdrawn"):
        on = b.between(s.registered_on + DAY, legal.forward_due_on(received, calendar=cal))
        if kind == "withdrawn":
            t.add(SignalEventKind.WITHDRAWN, on, SignalStatus.WITHDRAWN, person.user,
                  NOTES["solved"])  # fmt: skip
        else:
            due = legal.forward_due_on(received, calendar=cal)
            note = _forwarded(b, s, on, due=due, start=received, article="чл. 112 АПК")
            t.add(SignalEventKind.FORWARDED, on, SignalStatus.FORWARDED, staff, note)
        s.status = t.status
        return s, t
    if kind == "late":
        decided = b.between(s.due_on + DAY * 3, min(s.due_on + DAY * 60, b.today - DAY * 8))
    else:
        decided = b.between(s.registered_on + DAY * 12, min(s.due_on, b.today - DAY * 8))
    s.outcome = rng.choices(list(SignalOutcome), weights=[5, 3, 3])[0]
    s.decided_on = decided
    last_day = legal.communication_due_on(decided, calendar=cal)  # АПК чл. 118, ал. 2
    s.communicated_on = b.between(decided, last_day - DAY * 2)
    s.answered_on_time = decided <= s.due_on
    s.days_to_answer = (decided - received).days
    s.answer = signal_answer(which, s.outcome)
    t.add(SignalEventKind.ANSWERED, decided, SignalStatus.ANSWERED, staff,
          s.answer.split("\n", 1)[0], communicated_on=s.communicated_on)  # fmt: skip
    s.status = t.status
    return s, t


def load_signals(b: Builder) -> None:
    if Signal.objects.filter(is_demo=True).exists():
        b.result.skipped.append("proposals and signals")
        return
    kinds = [kind for kind, n in SIGNAL_PLAN.items() for _ in range(n)]
    b.rng.shuffle(kinds)
    rows = [_signal(b, kind) for kind in kinds]
    number(rows, "АПК")
    b.result.signal_events = save(b, rows, SignalEvent, "signal", "received_on")
    b.result.signals = len(rows)


# --- Loading ----------------------------------------------------------------------------------


def refresh_index(institution_ids: set[int]) -> None:
    """The stored responsiveness figures, and the search index of what monitoring registers
    (bulk inserts bypass the save hooks of both)."""
    from core import search
    from monitoring import index

    rebuild_all = getattr(index, "rebuild_all", None)
    if rebuild_all is not None:
        rebuild_all()
    else:
        for pk in sorted(institution_ids):
            index.refresh(pk)
    for kind in search.kinds():
        if kind.model._meta.app_label == "monitoring":
            search.reindex(kind.kind)


@transaction.atomic
def load() -> Loaded:
    from monitoring.demo_commitments import load_commitments, load_reports

    b = Builder()
    load_requests(b)
    load_signals(b)
    load_commitments(b)
    load_reports(b)
    if b.result.institutions:
        refresh_index(b.result.institutions)
    return b.result
