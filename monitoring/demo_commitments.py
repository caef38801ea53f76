"""Demo commitments of councils and the two monitoring reports (part of monitoring/demo.py).

COMMITMENT_PLAN: ~60 commitments from council decisions ("Решение № 412 от 28.03.2025 г. на
Общински съвет – Пловдив") of municipalities in scope, the bigger more often, executed by the
municipal administration: done on time and late, in progress, not started, overdue, dropped;
each with its updates (recorded, progress, the daily check's note, done) and, for some, the
comments and ratings (1–5) of the demo monitoring organisations with the institution's answer.
Then two published reports of demo organisations: one on commitments, one on requests and
signals, their figures computed from the records they cover.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from core.legal_calendar import SOFIA
from monitoring.demo_texts import (
    COMMENTS,
    COMMITMENTS,
    DEMO_LINE,
    NOTES,
    PROGRESS_NOTES,
    report_on_commitments,
    report_on_requests,
)
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    CommitmentUpdateKind,
    RequestStatus,
)
from monitoring.models import (
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
    InformationRequest,
    MonitoringReport,
    Signal,
)

if TYPE_CHECKING:
    from accounts.models import User
    from directory.models import Institution
    from monitoring.demo import Builder
    from organisations.models import Organisation

DAY = datetime.timedelta(days=1)
# fmt: off
COMMITMENT_PLAN: dict[str, int] = {
    "done": 18, "done_late": 6, "in_progress": 16, "not_started": 5, "overdue": 12, "dropped": 3,
}
# fmt: on
MANDATE = datetime.date(2023, 11, 1)  # the councils elected in the local elections of 2023
HOME_COMMITMENTS = 6  # the demo official's institution has a few to update
# A monitor's usual rating of a commitment in each state (then one up or down at random).
RATING = {"done": 4, "in_progress": 3, "overdue": 1, "dropped": 2}


def _session_day(b: Builder, low: int, high: int) -> datetime.date:
    """A council's session: a Thursday (or the next working day), `low` to `high` days ago."""
    day = b.ago(low, high)
    return b.working(day + DAY * ((3 - day.weekday()) % 7))


def _commitment(b: Builder, kind: str, institution: Institution, per_month: int) -> Commitment:
    rng = b.rng
    if kind in ("in_progress", "not_started"):
        deadline = b.today + DAY * (30 * rng.randint(2, 14) + rng.randint(0, 20))
        source = _session_day(b, *((20, 110) if kind == "not_started" else (120, 600)))
    else:
        source = _session_day(b, 240, 900)
        deadline = source + DAY * rng.randint(120, 420)
        if deadline >= b.today - DAY * 20:
            deadline = b.today - DAY * rng.randint(20, 120)
    code = institution.municipality_id or ""
    # Decisions are numbered in one series per mandate (from November 2023), some a month.
    months = (source.year - MANDATE.year) * 12 + source.month - MANDATE.month
    number = per_month * months + rng.randint(1, per_month)
    where = institution.municipality.name_bg if institution.municipality else ""
    reference = f"Решение № {number} от {source:%d.%m.%Y} г."
    if code in b.council_of:
        reference += f" на Общински съвет – {where}"
    title, indicator, description = rng.choice(COMMITMENTS)
    return Commitment(
        institution=institution, municipality_id=institution.municipality_id,
        province_id=institution.province_id, title=title, description=description + DEMO_LINE,
        source_kind=CommitmentSource.COUNCIL_DECISION, source_reference=reference,
        source_date=source, deadline=b.working(deadline), indicator=indicator, is_demo=True,
    )  # fmt: skip


class Updates:
    """The updates of one commitment, each from the status the previous one left."""

    def __init__(self, b: Builder, c: Commitment) -> None:
        self.b, self.c = b, c
        self.status: str = CommitmentStatus.NOT_STARTED
        self.progress = 0
        self.rows: list[CommitmentUpdate] = []

    def add(self, kind: str, on: datetime.date, hour: int, to: str = "", **fields: object) -> None:
        self.rows.append(CommitmentUpdate(
            commitment=self.c, kind=kind, at=self.b.at(on, hour), from_status=self.status,
            to_status=to or self.status, **fields,
        ))  # fmt: skip
        self.status = to or self.status

    def overdue(self) -> None:
        self.add(CommitmentUpdateKind.OVERDUE, self.c.deadline + DAY, 6, CommitmentStatus.OVERDUE,
                 text=NOTES["commitment_overdue"])  # fmt: skip


def _updates(b: Builder, c: Commitment, kind: str) -> Updates:
    rng = b.rng
    staff = b.acting(c.institution)
    monitor = rng.choice(b.monitors) if b.monitors and rng.random() < 0.4 else None
    c.monitor, c.recorded_by = monitor if monitor else (None, staff)
    assert c.source_date is not None  # noqa: S101 - set by _commitment
    recorded = b.working(c.source_date + DAY * rng.randint(2, 15))
    u = Updates(b, c)
    u.rows.append(CommitmentUpdate(
        commitment=c, kind=CommitmentUpdateKind.RECORDED, at=b.at(recorded, 10),
        by=c.recorded_by, organisation=c.monitor, to_status=u.status, progress=0,
        text=NOTES["recorded"],
    ))  # fmt: skip
    if kind == "not_started":
        return u
    done = None
    if kind == "done":
        done = b.between(recorded + DAY * 30, min(c.deadline, b.today - DAY * 10))
    elif kind == "done_late":
        done = b.between(c.deadline + DAY * 5, min(c.deadline + DAY * 150, b.today - DAY * 5))
    if done is not None or kind in ("in_progress", "overdue"):
        last = done or b.today - DAY * 3
    else:  # dropped
        last = b.between(recorded + DAY * 40, min(c.deadline, b.today - DAY * 5))
    steps = rng.randint(1, 3)
    notes = sorted(rng.sample(range(len(PROGRESS_NOTES)), steps))  # in the order work goes
    span = max((last - recorded).days, steps + 1)
    for n in range(1, steps + 1):
        on = b.working(recorded + DAY * (span * n // (steps + 1)))
        if on > c.deadline and u.status != CommitmentStatus.OVERDUE:
            u.overdue()
        u.progress = min(u.progress + rng.randint(15, 35), 90)
        to = u.status if u.status == CommitmentStatus.OVERDUE else CommitmentStatus.IN_PROGRESS
        u.add(CommitmentUpdateKind.PROGRESS, on, 11, to, by=staff, progress=u.progress,
              text=PROGRESS_NOTES[notes[n - 1]])  # fmt: skip
    if kind in ("overdue", "done_late") and u.status != CommitmentStatus.OVERDUE:
        u.overdue()
    if done is not None:
        u.progress = 100
        u.add(CommitmentUpdateKind.PROGRESS, done, 12, CommitmentStatus.DONE, by=staff,
              progress=100, text=NOTES["done"])  # fmt: skip
        c.done_on, c.done_on_time = done, done <= c.deadline
    if kind == "dropped":
        on = b.between(last + DAY, min(last + DAY * 60, b.today - DAY))
        u.add(CommitmentUpdateKind.ANSWER, on, 14, CommitmentStatus.DROPPED, by=staff,
              text=NOTES["dropped"])  # fmt: skip
    c.status, c.progress = u.status, u.progress
    c.is_overdue = u.status == CommitmentStatus.OVERDUE
    return u


def _opinions(b: Builder, c: Commitment, u: Updates) -> list[CommitmentRating]:
    """Comments and ratings of the monitoring organisations, with the institution's answer."""
    rng = b.rng
    if not b.monitors or c.status == CommitmentStatus.NOT_STARTED or rng.random() < 0.45:
        return []
    ratings = []
    last = u.rows[-1].at.astimezone(SOFIA).date()
    raters: list[tuple[Organisation, User | None]] = rng.sample(
        b.monitors, rng.randint(1, min(3, len(b.monitors)))
    )
    days = sorted(b.between(last + DAY, min(last + DAY * 30, b.today - DAY)) for _ in raters)
    answered_once = False
    for (org, rep), on in zip(raters, days, strict=True):
        score = max(1, min(5, RATING.get(c.status, 3) + rng.choice([-1, 0, 0, 1])))
        text = rng.choice([t for near, t in COMMENTS if abs(near - score) <= 1])
        if rng.random() < 0.3:  # a comment without a rating
            u.add(CommitmentUpdateKind.COMMENT, on, 15, by=rep, organisation=org, text=text)
        else:
            # As the workflow stores it: the rating in details (shown in the reader's language).
            u.add(CommitmentUpdateKind.RATING, on, 15, by=rep, organisation=org, text=text,
                  details={"rating": score})  # fmt: skip
            ratings.append(CommitmentRating(commitment=c, organisation=org, rating=score,
                                            by=rep, at=b.at(on, 15)))  # fmt: skip
        if score <= 2 and c.status != CommitmentStatus.DONE and not answered_once:
            answered_once = True  # the institution answers the criticism once
            answered = b.between(on + DAY, min(on + DAY * 14, b.today))
            u.add(CommitmentUpdateKind.ANSWER, answered, 16, by=b.acting(c.institution),
                  text=NOTES["delay"])  # fmt: skip
    c.ratings_count = len(ratings)
    c.ratings_sum = sum(r.rating for r in ratings)
    return ratings


def load_commitments(b: Builder) -> None:
    if Commitment.objects.filter(is_demo=True).exists():
        b.result.skipped.append("commitments")
        return
    kinds = [kind for kind, n in COMMITMENT_PLAN.items() for _ in range(n)]
    b.rng.shuffle(kinds)
    places = b.rng.choices(b.administrations, weights=b.admin_weights, k=len(kinds))
    places[:HOME_COMMITMENTS] = [b.home] * HOME_COMMITMENTS
    weights = dict(zip(b.administrations, b.admin_weights, strict=True))
    made = [
        (_commitment(b, kind, place, 10 + int(weights.get(place, 100) / 30)), kind)
        for kind, place in zip(kinds, places, strict=True)
    ]
    updates: list[CommitmentUpdate] = []
    ratings: list[CommitmentRating] = []
    for c, kind in made:
        u = _updates(b, c, kind)
        ratings += _opinions(b, c, u)
        updates += u.rows
        c.created_at = b.at(c.source_date or b.today, 10)
        c.updated_at = max(row.at for row in u.rows)
    commitments = Commitment.objects.bulk_create([c for c, _ in made], batch_size=500)
    for update in updates:
        update.commitment_id = update.commitment.pk
    for rating in ratings:
        rating.commitment_id = rating.commitment.pk
    CommitmentUpdate.objects.bulk_create(updates, batch_size=1000)
    CommitmentRating.objects.bulk_create(ratings, batch_size=1000)
    # created_at and updated_at are set on insert; the dates of the story go in afterwards.
    Commitment.objects.bulk_update(commitments, ["created_at", "updated_at"], batch_size=500)
    b.result.institutions.update(c.institution_id for c in commitments)
    b.result.commitments = len(commitments)
    b.result.commitment_updates = len(updates)
    b.result.ratings = len(ratings)


# --- Monitoring reports -----------------------------------------------------------------------


def load_reports(b: Builder) -> None:
    if len(b.monitors) < 2:
        b.result.notes.append(
            "No demo organisations: run load_demo_organisations first (reports skipped)."
        )
        return
    (first, first_rep), (second, second_rep) = b.monitors[:2]
    year = b.today.year
    existing = set(MonitoringReport.objects.filter(is_demo=True).values_list("title", flat=True))

    commitments = list(
        Commitment.objects.filter(is_demo=True)
        .exclude(status=CommitmentStatus.NOT_STARTED)
        .select_related("municipality")
        .order_by("deadline", "pk")
    )
    # Its own (it recorded them as monitor), then every other one: a spread of deadlines.
    covered = [c for c in commitments if c.monitor_id == first.pk]
    covered = (covered + [c for c in commitments[::2] if c not in covered])[:24]
    covered.sort(key=lambda c: (c.deadline, c.pk))
    title = f"Изпълняват ли общините решенията си? Наблюдение на ангажименти, {year - 1}–{year} г."
    if title not in existing and covered:
        body = report_on_commitments(covered, first.name)
        _report(b, first, first_rep, title, body, 18).commitments.set(covered)

    # A sample of the year's requests (every third) and of the named proposals and signals.
    requests = list(
        InformationRequest.objects.filter(is_demo=True, is_public=True, filed_on__year=year)
        .exclude(status__in=[RequestStatus.SUBMITTED, RequestStatus.CLARIFICATION])
        .order_by("filed_on", "pk")
    )[::3][:60]
    signals = list(
        Signal.objects.filter(is_demo=True, is_public=True, is_anonymous=False).order_by(
            "received_on", "pk"
        )
    )[::2][:12]
    title = f"Отговарят ли институциите в срок? Достъпът до обществена информация, {year} г."
    if title not in existing and requests:
        body = report_on_requests(requests, signals, second.name, b.today)
        report = _report(b, second, second_rep, title, body, 45)
        report.requests.set(requests)
        report.signals.set(signals)
    if b.result.reports == 0:
        b.result.skipped.append("monitoring reports")


def _report(
    b: Builder, org: Organisation, by: User | None, title: str, body: tuple[str, str], days: int
) -> MonitoringReport:
    summary, text = body
    published = b.at(b.today - DAY * days, 11)
    report = MonitoringReport.objects.create(
        organisation=org, title=title, summary=summary, body=text + DEMO_LINE,
        published_at=published, created_by=by, is_demo=True,
    )  # fmt: skip
    MonitoringReport.objects.filter(pk=report.pk).update(
        created_at=published - DAY * 3, updated_at=published
    )
    b.result.reports += 1
    return report
