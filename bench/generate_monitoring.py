"""The benchmark's monitoring of the administration: `Scale.information_requests` (default
200,000) requests for access to public information, `Scale.signals` (20,000) proposals and
signals and `Scale.commitments` (5,000) commitments, spread over every institution
`generate_directory` made (municipal administrations most, then mayoralties, councils,
regional administrations, city districts and the state's regional units) over the last two
years, each with its timeline (at least one event, as the workflows write them) and the
statutory deadlines of monitoring.legal; then the responsiveness index is rebuilt in bulk
(monitoring.index.rebuild_all), as the dashboard reads it.

One showcase has a fixed id for bench/targets.py: REQUEST_SHOWCASE_ID, a request to Plovdiv's
municipal administration that was extended, went overdue and was then decided (the request
page). Everything is fictional and marked `is_demo`; the people are the generated users (at
bench.invalid) or fictional names; rows have ids from ID_FLOOR on, which is how the previous
run's rows are found and removed with plain DELETEs (before the "users" generator removes the
people they point to), so the generator is idempotent. Rows go in with one executemany per
batch (`insert`, with rows lighter than model instances).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import EMAIL_DOMAIN, FEMALE, FIRST_NAMES, LAST_NAMES, Context, generator

REQUEST_SHOWCASE_ID = 900_001
ID_FLOOR = 900_000  # every record and timeline row of this generator has an id from here on
ID_BASE = 1_000_000
DAY = datetime.timedelta(days=1)
DAYS = 730
BATCH = 2000

# Shares of the generated directory's kinds of institution (by generated_key prefix).
KIND_WEIGHTS = {"ma": 60, "km": 12, "mc": 10, "oa": 8, "rd": 5, "other": 5}
# What became of a request whose deadline has passed (per thousand).
# fmt: off
OUTCOMES = (
    ["granted"] * 560 + ["granted_late"] * 50 + ["partial"] * 90 + ["refused"] * 65
    + ["not_exists"] * 40 + ["forwarded"] * 30 + ["withdrawn"] * 10 + ["lapsed"] * 20
    + ["overdue"] * 135
)
SIGNAL_OUTCOMES = (
    ["answered"] * 60 + ["late"] * 12 + ["overdue"] * 12 + ["anonymous"] * 10
    + ["forwarded"] * 4 + ["withdrawn"] * 2
)
COMMITMENT_STATES = (
    ["done"] * 30 + ["done_late"] * 10 + ["in_progress"] * 30 + ["not_started"] * 8
    + ["overdue"] * 18 + ["dropped"] * 4
)
# fmt: on
GROUNDS = ["secret"] * 4 + ["third_party"] * 5 + ["given_before"]
CHANNELS = ["platform"] * 60 + ["pitay"] * 20 + ["email"] * 12 + ["in_person"] * 5 + ["post"] * 3


def _delete_previous() -> None:
    from monitoring.models import (
        Commitment,
        CommitmentRating,
        CommitmentUpdate,
        Document,
        InformationRequest,
        MonitoringReport,
        RequestEvent,
        Signal,
        SignalEvent,
    )

    requests = InformationRequest.objects.filter(is_demo=True, pk__gte=ID_FLOOR)
    signals = Signal.objects.filter(is_demo=True, pk__gte=ID_FLOOR)
    commitments = Commitment.objects.filter(is_demo=True, pk__gte=ID_FLOOR)
    # Plain DELETEs, what refers to a row first: the ORM's cascade would load every row.
    for qs in (
        RequestEvent.objects.filter(request__in=requests.values("pk")),
        SignalEvent.objects.filter(signal__in=signals.values("pk")),
        CommitmentUpdate.objects.filter(commitment__in=commitments.values("pk")),
        CommitmentRating.objects.filter(commitment__in=commitments.values("pk")),
        Document.objects.filter(request__in=requests.values("pk")),
        Document.objects.filter(signal__in=signals.values("pk")),
        Document.objects.filter(commitment__in=commitments.values("pk")),
        MonitoringReport.requests.through.objects.filter(
            informationrequest__in=requests.values("pk")
        ),
        MonitoringReport.signals.through.objects.filter(signal__in=signals.values("pk")),
        MonitoringReport.commitments.through.objects.filter(
            commitment__in=commitments.values("pk")
        ),
        requests,
        signals,
        commitments,
    ):
        qs._raw_delete(qs.db)


class Row(types.SimpleNamespace):
    """One row to insert: only the values that differ from the model's defaults. Lighter than
    a model instance, of which 850,000 would take most of the generator's time."""


def insert(model: Any, rows: list[Row]) -> None:
    """INSERT the rows (ids set) with one executemany per batch, every column of the model:
    a value the row lacks is the field's default. Dates, times and JSON are adapted as the
    ORM adapts them for the database in use; the rest travels as it is."""
    from functools import partial

    from django.db import connections

    if not rows:
        return
    connection = connections["default"]  # the real one: the proxy costs a lookup per use
    ops = connection.ops
    fields = list(model._meta.concrete_fields)
    adapt = {
        "DateField": ops.adapt_datefield_value,
        "DateTimeField": ops.adapt_datetimefield_value,
    }
    preps: list[Any] = []
    for f in fields:
        kind = f.get_internal_type()
        json = kind == "JSONField"
        preps.append(
            partial(f.get_db_prep_save, connection=connection) if json else adapt.get(kind)
        )
    known = {f.attname for f in fields}
    columns = [(f.attname, f.get_default(), prep) for f, prep in zip(fields, preps, strict=True)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = []
            for row in rows[start : start + BATCH]:
                values = vars(row)
                if not values.keys() <= known:  # a misspelt field would be lost silently
                    raise ValueError(f"Not fields of {model.__name__}: {values.keys() - known}")
                batch.append([
                    prep(v) if prep is not None and v is not None else v
                    for name, default, prep in columns
                    for v in (values.get(name, default),)
                ])  # fmt: skip
            cursor.executemany(sql, batch)


@generator("monitoring_cleanup", version=1, order=16)
def monitoring_cleanup(ctx: Context) -> str:
    """The previous run's records go before the "users" generator (order 20) removes the
    people: deleting a person sets their 200,000 requests' requester to NULL one by one."""
    from monitoring.models import InformationRequest

    removed = InformationRequest.objects.filter(is_demo=True, pk__gte=ID_FLOOR).count()
    _delete_previous()
    return f"{removed:,} information requests of the previous run removed"


class Maker:
    """What the three parts share: institutions by weight, people, the legal calendar."""

    def __init__(self, ctx: Context) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.functions import Coalesce
        from django.utils import timezone

        from core.legal_calendar import SOFIA, LegalCalendar
        from directory.models import Institution
        from monitoring.services.common import today

        self.rng = ctx.rng
        self.now = timezone.now()
        self.today = today()
        self.sofia = SOFIA
        self.calendar = LegalCalendar()
        self.calendar.load(self.today - DAY * (DAYS + 60), self.today + DAY * 400)
        self._due: dict[tuple[Any, ...], datetime.date] = {}
        rows = list(
            Institution.objects.exclude(generated_key__isnull=True)
            .exclude(generated_key="")
            .values_list(
                "pk",
                "generated_key",
                "municipality_id",
                "province_id",
                Coalesce("municipality__name_bg", "province__name_bg"),
            )
        )
        by_kind: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            prefix = row[1].split(":", 1)[0]
            by_kind.setdefault(prefix if prefix in KIND_WEIGHTS else "other", []).append(row)
        self.kinds = [k for k in KIND_WEIGHTS if by_kind.get(k)]
        self.kind_weights = [KIND_WEIGHTS[k] for k in self.kinds]
        self.by_kind = by_kind
        self.institutions = rows
        self.people = list(
            get_user_model()
            .objects.filter(email__endswith="@" + EMAIL_DOMAIN)
            .values_list("pk", "first_name", "last_name", "email")[:5000]
        )
        self.seq: Counter[tuple[int, int, str]] = Counter()
        self.event_id = ID_BASE

    def institution(self, kinds: list[str] | None = None) -> tuple[Any, ...]:
        """(pk, generated key, municipality, province, place name) of a random institution:
        weighted by kind, or among `kinds` (those the directory has)."""
        present = [k for k in kinds or [] if k in self.by_kind]
        if present:
            kind = self.rng.choice(present)
        else:
            kind = self.rng.choices(self.kinds, weights=self.kind_weights)[0]
        return self.rng.choice(self.by_kind[kind])

    def person(self) -> tuple[int | None, str, str]:
        """(user id or None, name, e-mail)."""
        if self.people and self.rng.random() < 0.7:
            pk, first, last, email = self.rng.choice(self.people)
            return pk, f"{first} {last}", email
        first = self.rng.choice(FIRST_NAMES)
        male, female = self.rng.choice(LAST_NAMES)
        return None, f"{first} {female if first in FEMALE else male}", ""

    def working(self, day: datetime.date) -> datetime.date:
        return self.calendar.next_working_day(day)

    def between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return last
        return min(self.working(first + DAY * self.rng.randint(0, (last - first).days)), last)

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=self.sofia)

    def due(self, kind: str, start: datetime.date, extra: int = 0) -> datetime.date:
        """monitoring.legal's deadlines, memoised: a few thousand distinct (kind, start)."""
        from monitoring import legal

        key = (kind, start, extra)
        if key not in self._due:
            if kind == "request":
                self._due[key] = legal.request_due_on(start, extra, calendar=self.calendar)
            elif kind == "clarification":
                self._due[key] = legal.clarification_due_on(start, calendar=self.calendar)
            else:
                self._due[key] = legal.signal_due_on(kind, start, calendar=self.calendar)
        return self._due[key]

    def number(self, prefix: str, institution_id: int, day: datetime.date) -> str:
        self.seq[institution_id, day.year, prefix] += 1
        return f"{prefix}-{self.seq[institution_id, day.year, prefix]}/{day:%d.%m.%Y}"

    def next_event_id(self) -> int:
        self.event_id += 1
        return self.event_id


# --- Information requests ---------------------------------------------------------------------


def _request(
    m: Maker, pk: int, filed: datetime.date, where: tuple[Any, ...]
) -> tuple[Any, list[Any]]:
    from monitoring.demo_texts import MUNICIPAL_SUBJECTS, request_answer

    rng = m.rng
    institution_id, _key, municipality_id, province_id, place = where
    user_id, name, email = m.person()
    channel = rng.choice(CHANNELS) if user_id else rng.choice(["email", "in_person", "post"])
    title, text = rng.choice(MUNICIPAL_SUBJECTS)
    values = {
        "year": filed.year,
        "prev": filed.year - 1,
        "next": filed.year + 1,
        "place": place or "Пловдив",
    }
    title = title.format(**values)
    r = Row(
        id=pk,
        institution_id=institution_id,
        municipality_id=municipality_id,
        province_id=province_id,
        title=title,
        description=text.format(**values),
        requester_id=user_id,
        requester_name=name,
        correspondence_address=email or "гр. Пловдив",
        requester_email=email,
        show_name=rng.random() < 0.15,
        is_public=rng.random() > 0.04,
        channel=channel,
        filed_on=filed,
        created_by_id=user_id,
        is_demo=True,
        created_at=m.at(filed, 9),
        updated_at=m.at(filed, 9),
    )
    events: list[Any] = []
    status = ""

    def event(kind: str, on: datetime.date, to: str = "", **details: Any) -> None:
        nonlocal status
        events.append(
            Row(
                id=m.next_event_id(),
                request_id=pk,
                kind=kind,
                on=on,
                at=m.at(on, 8 + len(events)),
                by_id=user_id if kind in ("filed", "logged", "withdrawn") else None,
                from_status=status if to else "",
                to_status=to,
                details={k: v.isoformat() for k, v in details.items()},
            )
        )
        status = to or status

    event("filed" if channel == "platform" else "logged", filed, "submitted")
    registered = min(m.working(filed + DAY * rng.choice([0, 0, 1])), m.today)
    if (m.today - filed).days < 2 and rng.random() < 0.5:
        r.status, r.due_on = "submitted", m.due("request", filed)
        return r, events
    r.registered_on, r.registration_number = (
        registered,
        m.number("ЗДОИ", institution_id, registered),
    )
    r.due_on = m.due("request", registered)
    event("registered", registered, "registered", due_on=r.due_on)
    if rng.random() < 0.08:
        r.extension_reason = rng.choice(["large_volume", "large_volume", "third_party"])
        r.extension_days = 10 if r.extension_reason == "large_volume" else 14
        r.due_on = m.due("request", registered, r.extension_days)
        event(
            "extended", m.between(registered + DAY, min(r.due_on - DAY, m.today)), due_on=r.due_on
        )
    if r.due_on >= m.today:  # still within the deadline: mostly waiting
        outcome = "pending" if rng.random() < 0.65 or registered >= m.today - DAY else "granted"
    else:
        outcome = rng.choice(OUTCOMES)
    if outcome == "pending":
        r.status = status
        return r, events
    if outcome == "lapsed":
        asked = m.between(registered + DAY, min(registered + DAY * 6, r.due_on))
        r.clarification_asked_on, r.due_on = asked, None
        r.clarification_due_on = m.due("clarification", asked)
        event("clarification_asked", asked, "clarification", due_on=r.clarification_due_on)
        if r.clarification_due_on >= m.today:
            r.status = status
            return r, events
        event("lapsed", r.clarification_due_on + DAY, "no_consideration")
        r.status = status
        return r, events
    if outcome in ("overdue", "granted_late"):
        r.is_overdue, r.overdue_since = True, r.due_on + DAY
        event("overdue", r.overdue_since, status, due_on=r.due_on)
        if outcome == "overdue":
            r.status = status
            return r, events
        decided = m.between(r.due_on + DAY * 2, min(r.due_on + DAY * 40, m.today - DAY))
        outcome = "granted"
    else:
        decided = m.between(registered + DAY * 2, min(r.due_on, m.today - DAY))
    if outcome in ("forwarded", "withdrawn"):
        event(outcome, decided, outcome)
        if outcome == "forwarded":
            r.forwarded_to_name = "Агенция „Пътна инфраструктура“"
        r.status = status
        return r, events
    if outcome in ("partial", "refused"):
        r.refusal_ground = "third_party" if outcome == "partial" else rng.choice(GROUNDS)
    r.answer = request_answer(outcome, getattr(r, "refusal_ground", ""), title)
    r.decided_on, r.is_overdue, r.overdue_since = decided, False, None
    r.answered_on_time = decided <= r.due_on
    r.days_to_answer = (decided - registered).days
    event("decided", decided, outcome)
    r.status = status
    r.updated_at = m.at(decided, 17)
    return r, events


def _showcase(m: Maker) -> tuple[Any, list[Any]]:
    """Plovdiv's request with a full timeline: registered, extended, overdue, then decided."""
    plovdiv = next((i for i in m.institutions if i[1] == "ma:PDV22"), m.institutions[0])
    state = m.rng.getstate()
    for back in range(60, 200):  # a day whose story is the whole one
        m.rng.seed(back)
        r, events = _request(m, REQUEST_SHOWCASE_ID, m.today - DAY * back, plovdiv)
        if {e.kind for e in events} >= {"registered", "overdue", "decided"}:
            break
        m.event_id -= len(events)
    m.rng.setstate(state)
    r.is_public = True
    return r, events


def requests(m: Maker, total: int) -> tuple[int, int]:
    from monitoring.models import InformationRequest, RequestEvent

    rng = m.rng
    days = sorted(m.today - DAY * rng.randint(0, DAYS) for _ in range(total))
    showcase, showcase_events = _showcase(m)
    made, events = [showcase], list(showcase_events)
    for i, filed in enumerate(days):
        r, steps = _request(m, ID_BASE + i, filed, m.institution())
        made.append(r)
        events += steps
        if len(made) >= 20_000:  # keep memory flat: insert as we go
            insert(InformationRequest, made)
            insert(RequestEvent, events)
            made, events = [], []
    insert(InformationRequest, made)
    insert(RequestEvent, events)
    return (
        InformationRequest.objects.filter(pk__gte=ID_FLOOR).count(),
        RequestEvent.objects.filter(pk__gte=ID_FLOOR).count(),
    )


# --- Proposals and signals, commitments --------------------------------------------------------


def signals(m: Maker, total: int) -> int:
    from monitoring.demo_texts import PROPOSALS, SIGNALS, signal_answer
    from monitoring.models import Signal, SignalEvent

    rng = m.rng
    made: list[Any] = []
    events: list[Any] = []
    for i, received in enumerate(
        sorted(m.today - DAY * rng.randint(0, DAYS) for _ in range(total))
    ):
        pk = ID_BASE + i
        institution_id, _key, municipality_id, province_id, _place = m.institution(
            ["ma", "ma", "km", "mc"]
        )
        kind = rng.choice(["proposal", "signal"])
        title, text = rng.choice(PROPOSALS if kind == "proposal" else SIGNALS)
        outcome = rng.choice(SIGNAL_OUTCOMES)
        anonymous = outcome == "anonymous"
        user_id, name, email = (None, "", "") if anonymous else m.person()
        registered = min(m.working(received + DAY), m.today)
        s = Row(
            id=pk,
            kind=kind,
            institution_id=institution_id,
            municipality_id=municipality_id,
            province_id=province_id,
            title=title,
            description=text,
            filer_id=user_id,
            filer_name=name,
            filer_email=email,
            is_public=anonymous or rng.random() < 0.6,
            is_anonymous=anonymous,
            received_on=received,
            registered_on=registered,
            registration_number=m.number("АПК", institution_id, registered),
            created_by_id=user_id,
            is_demo=True,
            created_at=m.at(received, 9),
            updated_at=m.at(received, 9),
        )
        steps = [("filed", received, "", "submitted")]
        if anonymous:
            steps.append(("no_proceedings", registered, "submitted", "no_proceedings"))
        else:
            s.due_on = m.due(kind, received)
            steps.append(("registered", registered, "submitted", "registered"))
            if s.due_on >= m.today:
                outcome = (
                    "pending"
                    if rng.random() < 0.7 or registered >= m.today - DAY * 8
                    else "answered"
                )
            if outcome in ("overdue", "late"):
                s.is_overdue, s.overdue_since = outcome == "overdue", s.due_on + DAY
                steps.append(("overdue", s.overdue_since, "registered", "registered"))
            if outcome in ("answered", "late"):
                low = s.due_on + DAY * 3 if outcome == "late" else registered + DAY * 10
                high = (
                    min(s.due_on + DAY * 60, m.today - DAY)
                    if outcome == "late"
                    else min(s.due_on, m.today - DAY)
                )
                s.decided_on = s.communicated_on = m.between(low, high)
                s.outcome = rng.choice(["accepted", "partly", "rejected"])
                s.answer = signal_answer(kind, s.outcome)
                s.answered_on_time, s.is_overdue = s.decided_on <= s.due_on, False
                s.days_to_answer = (s.decided_on - received).days
                steps.append(("answered", s.decided_on, "registered", "answered"))
            elif outcome in ("forwarded", "withdrawn"):
                s.forwarded_to_name = (
                    "Агенция „Пътна инфраструктура“" if outcome == "forwarded" else ""
                )
                steps.append(
                    (
                        outcome,
                        m.between(registered + DAY, min(registered + DAY * 7, m.today)),
                        "registered",
                        outcome,
                    )
                )
        s.status = steps[-1][3]
        made.append(s)
        events += [
            Row(
                id=m.next_event_id(),
                signal_id=pk,
                kind=kind_,
                on=on,
                at=m.at(on, 9 + n),
                from_status=a,
                to_status=b,
            )
            for n, (kind_, on, a, b) in enumerate(steps)
        ]
    insert(Signal, made)
    insert(SignalEvent, events)
    return len(made)


def commitments(m: Maker, total: int) -> int:
    from monitoring.demo_texts import COMMITMENTS, NOTES, PROGRESS_NOTES
    from monitoring.models import Commitment, CommitmentUpdate

    rng = m.rng
    made: list[Any] = []
    updates: list[Any] = []
    for i in range(total):
        pk = ID_BASE + i
        institution_id, _key, municipality_id, province_id, place = m.institution(["ma"])
        state = rng.choice(COMMITMENT_STATES)
        future = state in ("in_progress", "not_started")
        source = m.today - DAY * rng.randint(20 if future else 200, 300 if future else 900)
        deadline = m.working(
            m.today + DAY * rng.randint(30, 400) if future else source + DAY * rng.randint(60, 180)
        )
        title, indicator, description = rng.choice(COMMITMENTS)
        c = Row(
            id=pk,
            institution_id=institution_id,
            municipality_id=municipality_id,
            province_id=province_id,
            title=title,
            description=description,
            source_kind="council_decision",
            source_reference=f"Решение № {rng.randint(10, 999)} от {source:%d.%m.%Y} г. на "
            f"Общински съвет – {place}",
            source_date=source,
            deadline=deadline,
            indicator=indicator,
            is_demo=True,
            created_at=m.at(source, 10),
            updated_at=m.at(source, 10),
        )
        steps = [("recorded", source + DAY * 3, "", "not_started", 0, NOTES["recorded"])]
        if state != "not_started":
            progress = rng.randint(20, 80)
            middle = min(source + (deadline - source) / 2, m.today - DAY * 2)
            steps.append(
                (
                    "progress",
                    middle,
                    "not_started",
                    "in_progress",
                    progress,
                    rng.choice(PROGRESS_NOTES),
                )
            )
            status = "in_progress"
            if state in ("overdue", "done_late"):
                steps.append(
                    (
                        "overdue",
                        deadline + DAY,
                        status,
                        "overdue",
                        None,
                        NOTES["commitment_overdue"],
                    )
                )
                status = "overdue"
            if state in ("done", "done_late"):
                done = (
                    m.between(deadline + DAY * 5, m.today - DAY)
                    if state == "done_late"
                    else m.between(middle + DAY, min(deadline, m.today - DAY))
                )
                steps.append(("progress", done, status, "done", 100, NOTES["done"]))
                c.done_on, c.done_on_time = done, done <= deadline
            elif state == "dropped":
                steps.append(
                    ("answer", middle + DAY * 10, status, "dropped", None, NOTES["dropped"])
                )
        c.status = steps[-1][3]
        c.progress = max(p or 0 for *_rest, p, _text in steps)
        c.is_overdue = c.status == "overdue"
        made.append(c)
        updates += [
            Row(
                id=m.next_event_id(),
                commitment_id=pk,
                kind=kind,
                at=m.at(on, 11),
                from_status=a,
                to_status=b,
                progress=p,
                text=text,
            )
            for kind, on, a, b, p, text in steps
        ]
    insert(Commitment, made)
    insert(CommitmentUpdate, updates)
    return len(made)


@generator("monitoring", version=1, order=60)
def monitoring(ctx: Context) -> str:
    from core import search
    from monitoring import index

    _delete_previous()
    m = Maker(ctx)
    if not m.institutions:
        return "no institutions (run generate_directory first): nothing made"
    made_requests, made_events = requests(m, ctx.scale.information_requests)
    made_signals = signals(m, ctx.scale.signals)
    made_commitments = commitments(m, ctx.scale.commitments)
    rows = index.rebuild_all()
    with contextlib.suppress(ModuleNotFoundError):  # where the views register the kinds
        importlib.import_module("monitoring.search")
    for kind in search.kinds():
        if kind.model._meta.app_label == "monitoring":
            search.reindex(kind.kind)
    return (
        f"{made_requests:,} information requests ({made_events:,} events), {made_signals:,} "
        f"proposals and signals, {made_commitments:,} commitments; {rows:,} index rows"
    )
