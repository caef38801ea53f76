"""The compliance audit's figures: how well consultations kept the law, by institution,
municipality or policy area and by year (the dashboard, /api/v1/compliance, monitoring's
responsiveness index).

Every figure comes from the audit fields stored on each consultation (consultations.audit),
so a dashboard over 50,000 consultations is two aggregate queries: one grouped count, and the
periods of the group for their medians. Only published consultations with both dates count
(drafts, test entries of the source portal and consultations without dates do not).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from consultations.audit import audit_version
from consultations.enums import Source
from consultations.models import Consultation

# The groupings of the dashboard: the value grouped by and the label's fields.
GROUPINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "institution": ("institution_id", ("institution__name_bg", "institution__name_en")),
    "municipality": ("municipality_id", ("municipality__name_bg", "municipality__name_en")),
    "policy_area": ("policy_area", ()),
}
GROUPING_LABELS = {
    "institution": _("institution"),
    "municipality": _("municipality"),
    "policy_area": _("policy area"),
}


@dataclass
class Filters:
    source: str | None = None
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    meets_minimum: bool | None = None
    year: int | None = None
    institution: int | None = None
    municipality: str | None = None
    policy_area: str | None = None

    def as_query(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Figures:
    """The figures of one group (or of everything filtered)."""

    key: Any = None
    label: str = ""
    year: int | None = None
    consultations: int = 0
    meeting: int = 0
    short_without_reason: int = 0
    comments: int = 0
    taken_into_account: int = 0
    # How many consultations had each period (days → count): the median without every row.
    periods: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def meeting_share(self) -> Decimal | None:
        return share(self.meeting, self.consultations)

    @property
    def short_without_reason_share(self) -> Decimal | None:
        return share(self.short_without_reason, self.consultations)

    @property
    def taken_into_account_share(self) -> Decimal | None:
        return share(self.taken_into_account, self.comments)

    @property
    def median_period(self) -> Decimal | None:
        n = sum(self.periods.values())
        if not n:
            return None
        middle = [(n - 1) // 2, n // 2]  # the middle one, or the middle two
        found: list[int] = []
        seen = 0
        for days in sorted(self.periods):
            count = self.periods[days]
            found += [days for position in middle if seen <= position < seen + count]
            seen += count
        return (Decimal(sum(found)) / len(found)).quantize(Decimal("0.1"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "year": self.year,
            "consultations": self.consultations,
            "meeting_minimum": self.meeting,
            "meeting_minimum_share": self.meeting_share,
            "shorter_without_reason": self.short_without_reason,
            "shorter_without_reason_share": self.short_without_reason_share,
            "median_period_days": self.median_period,
            "comments": self.comments,
            "taken_into_account": self.taken_into_account,
            "taken_into_account_share": self.taken_into_account_share,
        }


def audited() -> QuerySet[Consultation]:
    """The consultations the audit judges: published, with both dates."""
    return Consultation.objects.public().filter(opened_on__isnull=False, period_days__isnull=False)


def filtered(filters: Filters, qs: QuerySet[Consultation] | None = None) -> QuerySet[Consultation]:
    qs = audited() if qs is None else qs
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.opened_from:
        qs = qs.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        qs = qs.filter(opened_on__lte=filters.opened_to)
    if filters.meets_minimum is not None:
        qs = qs.filter(meets_minimum=filters.meets_minimum)
    if filters.year:
        qs = qs.filter(opened_year=filters.year)
    if filters.institution:
        qs = qs.filter(institution_id=filters.institution)
    if filters.municipality:
        qs = qs.filter(municipality_id=filters.municipality)
    if filters.policy_area:
        qs = qs.filter(policy_area=filters.policy_area)
    return qs


CACHE_SECONDS = 600

COUNTS = {
    "consultations": Count("pk"),
    "meeting": Count("pk", filter=Q(meets_minimum=True)),
    "short_without_reason": Count("pk", filter=Q(short_without_reason=True)),
    "comments": Sum("audit_comments"),
    "taken_into_account": Sum("audit_taken_into_account"),
}


def _figures(row: dict[str, Any], key: Any, label: str, year: int | None = None) -> Figures:
    return Figures(
        key=key,
        label=label,
        year=year,
        consultations=row["consultations"],
        meeting=row["meeting"],
        short_without_reason=row["short_without_reason"],
        comments=row["comments"] or 0,
        taken_into_account=row["taken_into_account"] or 0,
    )


def _label(row: dict[str, Any], fields: tuple[str, ...], key: Any, language: str) -> str:
    if not fields:
        return str(key or "")
    bg, en = (row.get(f) or "" for f in fields)
    return (en if language == "en" and en else bg) or ""


def _periods(qs: QuerySet[Consultation], keys: list[str]) -> dict[Any, dict[int, int]]:
    """Each group's count of consultations per period: one grouped query, a few rows a group
    (periods repeat: 14, 30, 31 days) instead of every consultation."""
    periods: dict[Any, dict[int, int]] = defaultdict(dict)
    rows = qs.order_by().values_list(*keys, "period_days").annotate(n=Count("pk"))
    for *group, days, n in rows:
        periods[tuple(group)][days] = n
    return periods


def _cached(name: str, build: Callable[[], Any], *parts: Any) -> Any:
    """Kept under the audit's version (consultations.audit): a save or an import moves it on,
    so a page never shows figures older than the data; 10 minutes at most besides."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"consultations:compliance:{audit_version()}:{name}:{digest}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def overall(filters: Filters) -> Figures:
    def build() -> Figures:
        qs = filtered(filters)
        figures = _figures(qs.order_by().aggregate(**COUNTS), None, "")
        figures.periods = _periods(qs, []).get((), {})
        return figures

    return cast(Figures, _cached("overall", build, filters))


def by_group(filters: Filters, grouping: str, language: str = "bg") -> list[Figures]:
    """One row per group, all years of the filter together; the most consultations first."""

    def build() -> list[Figures]:
        key, label_fields = GROUPINGS[grouping]
        qs = filtered(filters)
        rows = qs.order_by().values(key, *label_fields).annotate(**COUNTS)
        periods = _periods(qs, [key])
        result = []
        for row in rows:
            figures = _figures(row, row[key], _label(row, label_fields, row[key], language))
            figures.periods = periods.get((row[key],), {})
            result.append(figures)
        result.sort(key=lambda f: (-f.consultations, f.label))
        return result

    return cast(list[Figures], _cached("groups", build, filters, grouping, language))


def by_year(filters: Filters) -> list[Figures]:
    """The trend: one row per year the consultations opened in, oldest first."""

    def build() -> list[Figures]:
        qs = filtered(filters)
        rows = qs.order_by().values("opened_year").annotate(**COUNTS)
        periods = _periods(qs, ["opened_year"])
        result = []
        for row in cast(Iterable[dict[str, Any]], rows):
            year = row["opened_year"]
            figures = _figures(row, year, str(year), year)
            figures.periods = periods.get((year,), {})
            result.append(figures)
        result.sort(key=lambda f: f.year or 0)
        return result

    return cast(list[Figures], _cached("years", build, filters))


def years() -> list[int]:
    """The years with audited consultations, newest first (the dashboard's year choice)."""

    def build() -> list[int]:
        found = audited().order_by().values_list("opened_year", flat=True).distinct()
        return sorted({y for y in found if y}, reverse=True)

    return cast(list[int], _cached("year-list", build))


def below_minimum(filters: Filters) -> QuerySet[Consultation]:
    """The consultations shorter than their legal minimum, newest first, for the list."""
    return (
        filtered(filters)
        .filter(meets_minimum=False)
        .select_related("institution")
        .only(
            *("pk", "title", "source", "source_url", "opened_on", "closes_on", "period_days"),
            *("legal_minimum_days", "short_period_reason"),
            *("institution__name_bg", "institution__name_en"),
        )
        .order_by("-opened_on", "-pk")
    )


# The seam through which monitoring's responsiveness index reads the audit (monitoring/index.py):
# (consultations judged, consultations meeting the minimum).


def figures_of(targets: dict[str, Q]) -> dict[str, tuple[int, int]]:
    """Of the consultations matching each target's condition (e.g. {"i": Q(institution_id=5),
    "m": Q(municipality_id="PDV22")}), in one query."""
    within = Q()
    for condition in targets.values():
        within |= condition
    aggregates: dict[str, Any] = {}
    for name, condition in targets.items():
        aggregates[f"{name}_total"] = Count("pk", filter=condition)
        aggregates[f"{name}_met"] = Count("pk", filter=condition & Q(meets_minimum=True))
    row = audited().filter(within).aggregate(**aggregates)
    return {name: (row[f"{name}_total"] or 0, row[f"{name}_met"] or 0) for name in targets}


def grouped_figures(field_name: str) -> dict[Any, tuple[int, int]]:
    """Of every institution ("institution_id") or municipality ("municipality_id")."""
    rows = (
        audited()
        .order_by()
        .values(field_name)
        .annotate(total=Count("pk"), met=Count("pk", filter=Q(meets_minimum=True)))
    )
    return {r[field_name]: (r["total"], r["met"]) for r in rows}


SOURCES = (Source.PLATFORM, Source.STRATEGY_BG)
