"""The responsiveness index: stored figures per institution and per municipality.

`refresh(institution_id)` recomputes one institution's `Responsiveness` row, its months and
its municipality's row from their records (a fixed number of aggregate queries over that
institution's and municipality's rows only, whatever their number). The workflows call it in
the same transaction as every change that can move a figure, and the daily deadline check
after marking records overdue; pages only read the stored rows. `rebuild_all()` recomputes
everything in bulk for the demo and bench loaders.

What counts (the methodology page, monitoring/templates/monitoring/index/methodology.html,
says the same in words; keep them together):

- A request is *decided* when the body answered it: access granted, partial access, refused,
  the information does not exist, or forwarded to the competent body (ЗДОИ чл. 28, 32, 33,
  37). It is *due* when decided, or when it still waits for the body after its deadline (or
  the daily check marked it overdue): the denominator of "on time". Withdrawn requests,
  those left without consideration and those waiting for the requester's clarification
  have no deadline of the body running and are not judged. *On time*: decided, and
  `answered_on_time` set by the workflow (decided on or before the deadline in force).
- Proposals and signals count only when they start a legal deadline (not anonymous, not
  about acts over 2 years old: АПК чл. 111, ал. 4). Decided = answered or forwarded.
- A commitment is due when it is done, or its deadline has passed (or the daily check marked
  it overdue); done on time = done with `done_on_time`.
- Consultations (consultations.compliance, through its `figures_of`/`grouped_figures` seam):
  published ones with both dates are due; those giving the legal minimum period count.
  Imports and publications announce a change (consultations.audit.audit_changed), which
  refreshes the institutions concerned (`consultations_audited`).
- The score (0–100) weighs the shares in `WEIGHTS` over the parts that have anything due,
  and is None while fewer than MIN_RECORDS records are due altogether.

`version()` is the stored figures' version, which every refresh and rebuild moves on once it
commits: the dashboard keeps its rendered page under it (monitoring/views/index.py).
"""

from __future__ import annotations

import datetime
import functools
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consultations import compliance
from directory.models import Institution
from monitoring.enums import (
    REQUEST_PENDING,
    SIGNAL_PENDING,
    CommitmentStatus,
    RequestStatus,
    SignalStatus,
)
from monitoring.models import (
    Commitment,
    InformationRequest,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
)
from territory.models import Municipality

# Fewer records due than this, and the score is not given: too little to judge.
MIN_RECORDS = 5

# The parts of the score and their weights (percent). A part without anything due is left
# out and the others are re-weighted to 100.
WEIGHTS: dict[str, int] = {
    "requests_on_time": 50,
    "requests_not_overdue": 20,
    "signals_on_time": 15,
    "commitments_on_time": 15,
    # The consultations' compliance audit (consultations.compliance), a part of its own.
    "consultations_meeting_minimum": 15,
}

# The body answered: every outcome of ЗДОИ and forwarding (чл. 32 is an answer within the term).
REQUEST_DECIDED = (
    RequestStatus.GRANTED,
    RequestStatus.PARTIAL,
    RequestStatus.REFUSED,
    RequestStatus.NOT_EXISTS,
    RequestStatus.FORWARDED,
)
SIGNAL_DECIDED = (SignalStatus.ANSWERED, SignalStatus.FORWARDED)

# How many months the trend charts show.
TREND_MONTHS = 24

COUNTERS = (
    "requests_total",
    "requests_due",
    "requests_on_time",
    "requests_overdue",
    "signals_total",
    "signals_due",
    "signals_answered",
    "signals_on_time",
    "commitments_total",
    "commitments_due",
    "commitments_done_on_time",
    "consultations_due",
    "consultations_meeting",
)
MONTH_COUNTERS = ("requests_decided", "requests_on_time", "signals_answered", "signals_on_time")


def _today() -> datetime.date:
    from monitoring.services.common import today

    return today()


# --- The version the pages' caches follow ---------------------------------------------------

VERSION_KEY = "monitoring:index-version"


def version() -> int:
    """The stored figures' version. When it is lost (evicted; or expired: the database cache
    gives a raised version its default timeout) it starts again from the clock, never at a
    number whose pages may still be in the cache."""
    return cast(int, cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None))


def _move_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache: see version()
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def figures_changed() -> None:
    """The stored figures change in the current transaction: the version moves on once it
    commits. Only then: a page built meanwhile from the rows as they were is kept under the old
    version, never the new one; and no transaction holds the cache's row (the database cache
    is a table) until it ends, which two refreshes in opposite order would deadlock on. A cache
    that fails then is logged, not raised: the change is saved, and the pages follow within
    their timeout."""
    transaction.on_commit(_move_version, robust=True)


# --- What counts ------------------------------------------------------------------------------


def _request_conditions(today: datetime.date) -> dict[str, Q]:
    decided = Q(status__in=REQUEST_DECIDED)
    overdue = Q(status__in=REQUEST_PENDING) & (Q(is_overdue=True) | Q(due_on__lt=today))
    return {
        "requests_total": Q(),
        "requests_due": decided | overdue,
        "requests_on_time": decided & Q(answered_on_time=True),
        "requests_overdue": overdue,
    }


# Only those that start a legal deadline (АПК чл. 111, ал. 4).
SIGNALS_COUNTED = Q(is_anonymous=False, is_stale=False)


def _signal_conditions(today: datetime.date) -> dict[str, Q]:
    decided = Q(status__in=SIGNAL_DECIDED)
    overdue = Q(status__in=SIGNAL_PENDING) & (Q(is_overdue=True) | Q(due_on__lt=today))
    return {
        "signals_total": Q(),
        "signals_due": decided | overdue,
        "signals_answered": decided,
        "signals_on_time": decided & Q(answered_on_time=True),
    }


def _commitment_conditions(today: datetime.date) -> dict[str, Q]:
    done = Q(status=CommitmentStatus.DONE)
    passed = Q(deadline__lt=today) | Q(status=CommitmentStatus.OVERDUE)
    return {
        "commitments_total": Q(),
        "commitments_due": done | passed,
        "commitments_done_on_time": done & Q(done_on_time=True),
    }


def _counts(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


# --- The score --------------------------------------------------------------------------------


def percent(part: int | None, whole: int | None) -> Decimal | None:
    """`part` of `whole` in percent to one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(100) * (part or 0) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Figures:
    """The counters of one institution, municipality or area, with the shares and the score
    worked out from them (no query)."""

    requests_total: int = 0
    requests_due: int = 0
    requests_on_time: int = 0
    requests_overdue: int = 0
    signals_total: int = 0
    signals_due: int = 0
    signals_answered: int = 0
    signals_on_time: int = 0
    commitments_total: int = 0
    commitments_due: int = 0
    commitments_done_on_time: int = 0
    consultations_due: int = 0
    consultations_meeting: int = 0
    median_days: Decimal | None = None

    @classmethod
    def of(cls, source: Any) -> Figures:
        """From a Responsiveness row, a dict of sums (None read as 0) or None (all zero)."""
        if source is None:
            return cls()
        get = source.get if isinstance(source, Mapping) else lambda k: getattr(source, k, None)
        values = {k: int(get(k) or 0) for k in COUNTERS}
        return cls(**values, median_days=get("median_days"))

    # Shares, in percent.
    @property
    def requests_on_time_share(self) -> Decimal | None:
        return percent(self.requests_on_time, self.requests_due)

    @property
    def requests_overdue_share(self) -> Decimal | None:
        return percent(self.requests_overdue, self.requests_due)

    @property
    def signals_overdue(self) -> int:
        """Waiting for the institution after their deadline: due but not decided."""
        return self.signals_due - self.signals_answered

    @property
    def signals_answered_share(self) -> Decimal | None:
        return percent(self.signals_answered, self.signals_due)

    @property
    def signals_on_time_share(self) -> Decimal | None:
        return percent(self.signals_on_time, self.signals_due)

    @property
    def commitments_on_time_share(self) -> Decimal | None:
        return percent(self.commitments_done_on_time, self.commitments_due)

    @property
    def consultations_meeting_share(self) -> Decimal | None:
        return percent(self.consultations_meeting, self.consultations_due)

    @property
    def records_due(self) -> int:
        return self.requests_due + self.signals_due + self.commitments_due + self.consultations_due

    @property
    def records_total(self) -> int:
        return (
            self.requests_total + self.signals_total + self.commitments_total
            + self.consultations_due
        )  # fmt: skip

    def parts(self) -> list[Part]:
        """The parts of the score with their data (a part with nothing due has no share)."""
        return [
            Part("requests_on_time", self.requests_on_time, self.requests_due),
            Part(
                "requests_not_overdue",
                self.requests_due - self.requests_overdue,
                self.requests_due,
            ),
            Part("signals_on_time", self.signals_on_time, self.signals_due),
            Part("commitments_on_time", self.commitments_done_on_time, self.commitments_due),
            Part(
                "consultations_meeting_minimum",
                self.consultations_meeting,
                self.consultations_due,
            ),
        ]

    @property
    def score(self) -> Decimal | None:
        return compute_score(self)


PART_LABELS: dict[str, Promise] = {
    "requests_on_time": _("Information requests answered on time"),
    "requests_not_overdue": _("Information requests not overdue"),
    "signals_on_time": _("Proposals and signals answered on time"),
    "commitments_on_time": _("Commitments done on time"),
    "consultations_meeting_minimum": _("Consultations giving the legal minimum period"),
}


@dataclass
class Part:
    key: str
    numerator: int
    denominator: int
    weight: int = field(init=False)

    def __post_init__(self) -> None:
        self.weight = WEIGHTS[self.key]

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.key])

    @property
    def share(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)

    @property
    def counts(self) -> bool:
        return self.denominator > 0


def compute_score(figures: Figures) -> Decimal | None:
    """Σ weight × share over the parts with anything due, divided by the sum of their weights;
    None under MIN_RECORDS records due. Exact fractions, rounded once at the end."""
    if figures.records_due < MIN_RECORDS:
        return None
    parts = [p for p in figures.parts() if p.counts]
    if not parts:
        return None
    weighted = sum(
        (Decimal(p.weight) * p.numerator / p.denominator for p in parts), start=Decimal(0)
    )
    total_weight = sum(p.weight for p in parts)
    return (Decimal(100) * weighted / total_weight).quantize(Decimal("0.1"), ROUND_HALF_UP)


def score_class(score: Decimal | None) -> int | None:
    """The map's five classes of equal width: 1 under 20, …, 5 from 80; None without score."""
    if score is None:
        return None
    return min(5, int(score // 20) + 1)


SCORE_CLASSES: list[tuple[int, int, int]] = [(n, (n - 1) * 20, n * 20) for n in range(1, 6)]


def median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return Decimal(values[middle])
    return (Decimal(values[middle - 1] + values[middle]) / 2).quantize(Decimal("0.1"))


# --- Refreshing one institution ---------------------------------------------------------------


def _middle_values(qs: models.QuerySet[Any], group: str | None) -> dict[Any, list[int]]:
    """The one or two middle `days_to_answer` of each group of decided requests, ranked in
    SQL so that only they travel (two rows a group, whatever the number of requests)."""
    partition = [F(group)] if group else None
    ranked = (
        qs.filter(status__in=REQUEST_DECIDED, days_to_answer__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=partition, order_by=[F("days_to_answer"), F("pk")]
            ),
            n=Window(Count("pk"), partition_by=partition),
        )
        # ranks (n+1)/2 and (n+2)/2 in integer division: the middle one, or the middle two
        .filter(rank__gte=(F("n") + 1) / 2, rank__lte=(F("n") + 2) / 2)
        .values_list(group or "pk", "days_to_answer")
    )
    middles: dict[Any, list[int]] = defaultdict(list)
    for key, days in ranked:
        middles[key if group else None].append(days)
    return middles


def _aggregate(
    model: type[models.Model],
    base: Q,
    conditions: dict[str, Q],
    targets: dict[str, Q],
) -> dict[str, dict[str, int]]:
    """One query: each counter for each target (e.g. {"i": Q(institution_id=1), "m": …})."""
    within = Q()
    for condition in targets.values():
        within |= condition
    aggregates = {
        f"{target}_{name}": _counts(target_q & condition)
        for target, target_q in targets.items()
        for name, condition in conditions.items()
    }
    row = model._default_manager.filter(base & within).aggregate(**aggregates)
    result: dict[str, dict[str, int]] = {target: {} for target in targets}
    for key, value in row.items():
        target, name = key.split("_", 1)
        result[target][name] = value or 0
    return result


def _months(
    model: type[models.Model],
    base: Q,
    decided: Q,
    prefix: str,
    targets: dict[str, Q],
) -> dict[str, dict[datetime.date, dict[str, int]]]:
    """Decided and on time per month of the decision, for each target (one query)."""
    within = Q()
    for condition in targets.values():
        within |= condition
    counted = "requests_decided" if prefix == "requests" else "signals_answered"
    aggregates: dict[str, Any] = {}
    for target, target_q in targets.items():
        aggregates[f"{target}_{counted}"] = Count("pk", filter=target_q)
        aggregates[f"{target}_{prefix}_on_time"] = Count(
            "pk", filter=target_q & Q(answered_on_time=True)
        )
    rows = (
        model._default_manager.filter(base & within & decided, decided_on__isnull=False)
        .annotate(month=TruncMonth("decided_on"))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    result: dict[str, dict[datetime.date, dict[str, int]]] = {t: {} for t in targets}
    for row in rows:
        month = _as_date(row.pop("month"))
        for key, value in row.items():
            target, name = key.split("_", 1)
            if value:
                result[target].setdefault(month, {})[name] = value
    return result


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _responsiveness(figures: Figures, **keys: Any) -> Responsiveness:
    return Responsiveness(
        **keys,
        **{k: getattr(figures, k) for k in COUNTERS},
        median_days=figures.median_days,
        score=figures.score,
        updated_at=timezone.now(),
    )


def _upsert_rows(rows: list[Responsiveness], unique: str) -> None:
    if rows:
        Responsiveness.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[unique],
            update_fields=[*COUNTERS, "median_days", "score", "province", "updated_at"],
        )


def _upsert_months(rows: list[ResponsivenessMonth], unique: str) -> None:
    if rows:
        ResponsivenessMonth.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[unique, "month"],
            update_fields=list(MONTH_COUNTERS),
        )


def _month_rows(
    by_month: dict[datetime.date, dict[str, int]], **keys: Any
) -> list[ResponsivenessMonth]:
    return [
        ResponsivenessMonth(**keys, month=month, **{k: counts.get(k, 0) for k in MONTH_COUNTERS})
        for month, counts in sorted(by_month.items())
    ]


def refresh(institution_id: int, today: datetime.date | None = None) -> None:
    """Recompute the stored figures of the institution and of its municipality, and the months
    of both: a fixed number of queries (about 14) whatever the number of records.

    The institution's and municipality's rows are locked first (FOR NO KEY UPDATE, which
    does not block the records' inserts that reference them), so that two changes of the same
    institution or municipality at once are counted one after the other, each seeing the
    other's committed records, instead of the later one writing figures that miss the first.
    """
    today = today or _today()
    with transaction.atomic():
        found = (
            Institution.objects.select_for_update(no_key=True)
            .filter(pk=institution_id)
            .values_list("municipality_id", "province_id")
            .first()
        )
        if found is None:
            return
        municipality_id, own_province = found
        municipality_province: str | None = None
        if municipality_id:
            municipality_province = (
                Municipality.objects.select_for_update(no_key=True)
                .filter(code=municipality_id)
                .values_list("province_id", flat=True)
                .first()
            )
        province_id = own_province or municipality_province

        targets = {"i": Q(institution_id=institution_id)}
        if municipality_id:
            targets["m"] = Q(municipality_id=municipality_id)
        counts: dict[str, dict[str, Any]] = {t: {} for t in targets}
        for model, base, conditions in (
            (InformationRequest, Q(), _request_conditions(today)),
            (Signal, SIGNALS_COUNTED, _signal_conditions(today)),
            (Commitment, Q(), _commitment_conditions(today)),
        ):
            for target, values in _aggregate(model, base, conditions, targets).items():
                counts[target].update(values)
        for target, target_q in targets.items():
            middles = _middle_values(InformationRequest.objects.filter(target_q), None)
            counts[target]["median_days"] = median(middles.get(None, []))
        for target, (due, meeting) in compliance.figures_of(targets).items():
            counts[target].update(consultations_due=due, consultations_meeting=meeting)

        months: dict[str, dict[datetime.date, dict[str, int]]] = {t: {} for t in targets}
        for model, base, decided, prefix in (
            (InformationRequest, Q(), Q(status__in=REQUEST_DECIDED), "requests"),
            (Signal, SIGNALS_COUNTED, Q(status__in=SIGNAL_DECIDED), "signals"),
        ):
            for target, by_month in _months(model, base, decided, prefix, targets).items():
                for month, values in by_month.items():
                    months[target].setdefault(month, {}).update(values)

        _upsert_rows(
            [
                _responsiveness(
                    Figures.of(counts["i"]), institution_id=institution_id, province_id=province_id
                )
            ],
            "institution",
        )
        _upsert_months(_month_rows(months["i"], institution_id=institution_id), "institution")
        stale = Q(institution_id=institution_id) & ~Q(month__in=list(months["i"]))
        if municipality_id:
            _upsert_rows(
                [
                    _responsiveness(
                        Figures.of(counts["m"]),
                        municipality_id=municipality_id,
                        province_id=municipality_province,
                    )
                ],
                "municipality",
            )
            _upsert_months(
                _month_rows(months["m"], municipality_id=municipality_id), "municipality"
            )
            stale |= Q(municipality_id=municipality_id) & ~Q(month__in=list(months["m"]))
        # Months that no longer have a decision (a record corrected): one DELETE.
        ResponsivenessMonth.objects.filter(stale).delete()
        figures_changed()


# --- Rebuilding everything --------------------------------------------------------------------


def _grouped_counts(
    model: type[models.Model], base: Q, conditions: dict[str, Q]
) -> Iterable[dict[str, Any]]:
    """Each counter per (institution, municipality) pair: one pass over the table. The pairs
    are summed into institutions and municipalities in Python (an institution's records all
    carry its municipality, so there are about as many pairs as institutions)."""
    return (
        model._default_manager.filter(base)
        .values("institution_id", "municipality_id")
        .annotate(**{name: _counts(condition) for name, condition in conditions.items()})
        .order_by()
    )


def _grouped_months(
    model: type[models.Model], base: Q, decided: Q, prefix: str
) -> Iterable[dict[str, Any]]:
    counted = "requests_decided" if prefix == "requests" else "signals_answered"
    return (
        model._default_manager.filter(base & decided, decided_on__isnull=False)
        .annotate(month=TruncMonth("decided_on"))
        .values("institution_id", "municipality_id", "month")
        .annotate(
            **{
                counted: Count("pk"),
                f"{prefix}_on_time": Count("pk", filter=Q(answered_on_time=True)),
            }
        )
        .order_by()
    )


def rebuild_all(today: datetime.date | None = None) -> int:
    """Recompute every stored row from all records (the demo and bench loaders): grouped in
    SQL, one pass per table for the counters and one for the months, two for the medians;
    then everything is replaced in one transaction. Returns the number of rows written."""
    today = today or _today()
    by_institution: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    by_municipality: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    months_i: dict[tuple[int, datetime.date], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    months_m: dict[tuple[str, datetime.date], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    with transaction.atomic():
        for model, base, conditions in (
            (InformationRequest, Q(), _request_conditions(today)),
            (Signal, SIGNALS_COUNTED, _signal_conditions(today)),
            (Commitment, Q(), _commitment_conditions(today)),
        ):
            for row in _grouped_counts(model, base, conditions):
                institution_id = row.pop("institution_id")
                municipality_id = row.pop("municipality_id")
                for name, value in row.items():
                    by_institution[institution_id][name] += value
                    if municipality_id:
                        by_municipality[municipality_id][name] += value
        for model, base, decided, prefix in (
            (InformationRequest, Q(), Q(status__in=REQUEST_DECIDED), "requests"),
            (Signal, SIGNALS_COUNTED, Q(status__in=SIGNAL_DECIDED), "signals"),
        ):
            for row in _grouped_months(model, base, decided, prefix):
                institution_id = row.pop("institution_id")
                municipality_id = row.pop("municipality_id")
                month = _as_date(row.pop("month"))
                for name, value in row.items():
                    months_i[institution_id, month][name] += value
                    if municipality_id:
                        months_m[municipality_id, month][name] += value
        for key, values in _middle_values(
            InformationRequest.objects.all(), "institution_id"
        ).items():
            if key in by_institution:
                by_institution[key]["median_days"] = median(values)
        for key, values in _middle_values(
            InformationRequest.objects.filter(municipality__isnull=False), "municipality_id"
        ).items():
            if key in by_municipality:
                by_municipality[key]["median_days"] = median(values)

        for field_name, into in (
            ("institution_id", by_institution),
            ("municipality_id", by_municipality),
        ):
            for key, (due, meeting) in compliance.grouped_figures(field_name).items():
                if key is not None:
                    into[key]["consultations_due"] += due
                    into[key]["consultations_meeting"] += meeting
        institution_provinces = _institution_provinces(list(by_institution))
        municipality_provinces = dict(
            Municipality.objects.filter(code__in=list(by_municipality)).values_list(
                "code", "province_id"
            )
        )
        rows = [
            _responsiveness(
                Figures.of(values),
                institution_id=pk,
                province_id=institution_provinces.get(pk),
            )
            for pk, values in by_institution.items()
        ] + [
            _responsiveness(
                Figures.of(values), municipality_id=code, province_id=municipality_provinces[code]
            )
            for code, values in by_municipality.items()
        ]
        month_rows = [
            ResponsivenessMonth(institution_id=pk, month=month, **counts)
            for (pk, month), counts in months_i.items()
        ] + [
            ResponsivenessMonth(municipality_id=code, month=month, **counts)
            for (code, month), counts in months_m.items()
        ]
        ResponsivenessMonth.objects.all().delete()
        Responsiveness.objects.all().delete()
        Responsiveness.objects.bulk_create(rows, batch_size=1000)
        ResponsivenessMonth.objects.bulk_create(month_rows, batch_size=1000)
        figures_changed()
    return len(rows) + len(month_rows)


def _institution_provinces(ids: list[int]) -> dict[int, str | None]:
    """Each institution's province, or its municipality's (one query)."""
    return {
        pk: province or municipality_province
        for pk, province, municipality_province in Institution.objects.filter(
            pk__in=ids
        ).values_list("pk", "province_id", "municipality__province_id")
    }


# Above this many institutions at once (an import of strategy.bg's history) everything is
# rebuilt in one pass instead of one refresh each.
REBUILD_ABOVE = 50


def consultations_audited(sender: Any, institution_ids: list[int], **kwargs: Any) -> None:
    """The consultations' audit of these institutions changed (consultations.audit): their
    figures are recomputed once the change is committed."""
    if len(institution_ids) > REBUILD_ABOVE:
        transaction.on_commit(rebuild_all)
        return
    for pk in institution_ids:
        transaction.on_commit(functools.partial(refresh, pk))
