"""The filters of the monitoring's API lists, shared with the CSV and JSON exports
(monitoring/views/exports.py): the schemas of their parameters and the querysets they give.
Only public records, on indexed columns of the record's own table, newest first on the
tables' own "newest" indexes (by date, then id, so pages are stable). Malformed parameters
are a 422 (api/api.py), never a database error.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
from typing import Any

from django.db.models import F, IntegerField, QuerySet
from django.db.models.functions import Cast
from ninja import Field, Schema
from pydantic import model_validator

from core import search as search_index
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    RequestStatus,
    SignalKind,
    SignalStatus,
)
from monitoring.models import (
    Commitment,
    InformationRequest,
    Responsiveness,
    Signal,
)
from monitoring.search import (
    COMMITMENT_KIND,
    REQUEST_KIND,
    SIGNAL_KIND,
)
from territory.api import MunicipalityFilter, ProvinceFilter, TitleWords

MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error
# Days a filter may name (a date outside them is a 422, not a database error).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9999, 12, 31)
LEVELS = ("institution", "municipality")
RESPONSIVENESS_SORTS = ("score", "name", "requests_total", "requests_overdue", "median_days")


def choice(values: Any) -> str:
    return "^(" + "|".join(str(v) for v in values) + ")$"


def one_of(values: Any) -> str:
    return "One of: " + ", ".join(str(v) for v in values) + "."


# --- Filters (shared with the exports) ----------------------------------------------------------

InstitutionId = Field(None, ge=1, le=MAX_ID, description="Id of the institution (directory).")
OverdueFlag = Field(
    None,
    description="true: only those marked overdue (their statutory deadline passed while the "
    "institution had not decided); false: only the others.",
)


class PlaceFilters(Schema):
    # The shared filter types of the other apps' lists (territory.api), as schema fields.
    institution: int | None = InstitutionId
    municipality: MunicipalityFilter = None
    province: ProvinceFilter = None
    overdue: bool | None = OverdueFlag
    q: TitleWords = None


class DatedFilters(PlaceFilters):
    date_from: datetime.date | None = Field(
        None, alias="from", ge=FIRST_DAY, le=LAST_DAY, description="First day (YYYY-MM-DD)."
    )
    date_to: datetime.date | None = Field(
        None, alias="to", ge=FIRST_DAY, le=LAST_DAY, description="Last day (YYYY-MM-DD)."
    )

    @model_validator(mode="after")
    def _in_order(self) -> "DatedFilters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("`from` must not be after `to`")
        return self


class RequestFilters(DatedFilters):
    status: str | None = Field(
        None, pattern=choice(RequestStatus.values), description=one_of(RequestStatus.values)
    )


class SignalFilters(DatedFilters):
    kind: str | None = Field(
        None, pattern=choice(SignalKind.values), description=one_of(SignalKind.values)
    )
    status: str | None = Field(
        None, pattern=choice(SignalStatus.values), description=one_of(SignalStatus.values)
    )


class CommitmentFilters(PlaceFilters):
    status: str | None = Field(
        None, pattern=choice(CommitmentStatus.values), description=one_of(CommitmentStatus.values)
    )
    source_kind: str | None = Field(
        None, pattern=choice(CommitmentSource.values), description=one_of(CommitmentSource.values)
    )


class ResponsivenessFilters(Schema):
    level: str = Field(
        "institution", pattern=choice(LEVELS), description="institution (default) or municipality."
    )
    province: ProvinceFilter = None
    sort: str = Field(
        "-score",
        pattern=r"^-?(" + "|".join(RESPONSIVENESS_SORTS) + ")$",
        description="One of: " + ", ".join(RESPONSIVENESS_SORTS) + "; a leading `-` reverses "
        "it. Default `-score` (the most responsive first; those too small to judge last).",
    )


def _matching(qs: QuerySet[Any], q: str, kind: str) -> QuerySet[Any]:
    """Through the site's search index (titles in Cyrillic or Latin, word prefixes), which
    holds only public records; a plain match on the subject if the kind is not registered."""
    if search_index.get_kind(kind) is None:
        return qs.filter(title__icontains=q)
    ids = (
        search_index.matching(q, kind=kind)
        .order_by()
        .annotate(oid=Cast("object_id", IntegerField()))
        .values("oid")
    )
    return qs.filter(pk__in=ids)


def _place(qs: QuerySet[Any], f: PlaceFilters, kind: str) -> QuerySet[Any]:
    if f.institution is not None:
        qs = qs.filter(institution_id=f.institution)
    if f.municipality:
        qs = qs.filter(municipality_id=f.municipality)
    if f.province:
        qs = qs.filter(province_id=f.province)
    if f.overdue is not None:
        qs = qs.filter(is_overdue=f.overdue)
    if f.q and f.q.strip():
        qs = _matching(qs, f.q.strip(), kind)
    return qs


def _dated(qs: QuerySet[Any], f: DatedFilters, day: str) -> QuerySet[Any]:
    """`from` and `to` bound the record's day (filed, received)."""
    if f.date_from:
        qs = qs.filter(**{f"{day}__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{day}__lte": f.date_to})
    return qs


def filter_requests(f: RequestFilters) -> QuerySet[InformationRequest]:
    """Public requests matching the filters, newest first (the request_newest index)."""
    qs = _place(InformationRequest.objects.filter(is_public=True), f, REQUEST_KIND)
    if f.status:
        qs = qs.filter(status=f.status)
    return _dated(qs, f, "filed_on").order_by("-filed_on", "-id")


def filter_signals(f: SignalFilters) -> QuerySet[Signal]:
    """Public proposals and signals matching the filters, newest first (signal_newest)."""
    qs = _place(Signal.objects.filter(is_public=True), f, SIGNAL_KIND)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    return _dated(qs, f, "received_on").order_by("-received_on", "-id")


def filter_commitments(f: CommitmentFilters) -> QuerySet[Commitment]:
    """Commitments matching the filters, by deadline (the nearest first), then id."""
    qs = _place(Commitment.objects.filter(is_public=True), f, COMMITMENT_KIND)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.source_kind:
        qs = qs.filter(source_kind=f.source_kind)
    return qs.order_by("deadline", "id")


def filter_responsiveness(f: ResponsivenessFilters) -> QuerySet[Responsiveness]:
    level = f.level
    qs = Responsiveness.objects.filter(**{f"{level}__isnull": False})
    if f.province:
        qs = qs.filter(province_id=f.province)
    descending = f.sort.startswith("-")
    key = f.sort.lstrip("-")
    field = F(f"{level}__name_bg") if key == "name" else F(key)
    # Those without a figure last, whichever the direction.
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return qs.order_by(order, "pk")
