"""Read API of the monitoring of the administration: /api/v1/information-requests,
/api/v1/signals, /api/v1/commitments (each with one record) and /api/v1/responsiveness.

The filters (filters.py) are shared with the CSV and JSON exports (monitoring/views/exports.py),
the items' schemas are in schemas.py; the routes stay here (their operation ids in the schema
name this module). Privacy, the same in the exports:

- a private request or signal is never listed and is a 404 like an id that was never used,
  whoever asks (the API is public data: its owner sees it on the portal);
- the requester's or filer's name appears only when they chose to show it
  (`InformationRequest.public_name`), never the address, the e-mail or an account;
- of a timeline only the public rows (staff-only notes never), of the documents only the
  public ones, and never the original of a redacted file.

Lists are `{count, items}` in pages (core/pagination.py), newest first on the tables' own
"newest" indexes (ordered by date, then id, so pages are stable), filtered on indexed
columns of the record's own table. At 200,000 requests a COUNT of every public one reads the
whole table, so the requests' and signals' lists count at most COUNT_CAP rows
(`count_capped` says when there are more). Malformed parameters are a 422 with a readable
`message` (api/api.py); unknown or private ids a 404.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

from typing import Annotated, Any

from django.db.models import Prefetch, Q, QuerySet
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.pagination import PagePagination
from monitoring.api.filters import (
    LEVELS,
    MAX_ID,
    CommitmentFilters,
    RequestFilters,
    ResponsivenessFilters,
    SignalFilters,
    choice,
    filter_commitments,
    filter_requests,
    filter_responsiveness,
    filter_signals,
    one_of,
)
from monitoring.api.schemas import (
    CommitmentDetail,
    CommitmentOut,
    RequestDetail,
    RequestOut,
    ResponsivenessDetail,
    ResponsivenessOut,
    SignalDetail,
    SignalOut,
)
from monitoring.models import (
    Commitment,
    CommitmentUpdate,
    Document,
    InformationRequest,
    MonitoringReport,
    RequestEvent,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
    SignalEvent,
)

router = Router(tags=["monitoring"])

COUNT_CAP = 10_000


# --- Pagination with a capped count -------------------------------------------------------------


class CappedPagination(PagePagination):
    """`{count, count_capped, items}`: the count stops at COUNT_CAP, so a page of a list of
    200,000 costs a bounded count (the rows are read on an index, in order) instead of a
    scan of the whole table."""

    class Output(Schema):
        count: int = Field(
            description=f"Number of items in the whole list, counted up to {COUNT_CAP:,}."
        )
        count_capped: bool = Field(
            description=f"True when there are more than {COUNT_CAP:,} items: `count` then "
            "says the cap. Page on until a page comes back short, or use the CSV/JSON export."
        )
        items: list[Any]

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PagePagination.Input,
        request: Any,
        **params: Any,
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        return {
            "count": min(counted, COUNT_CAP),
            "count_capped": counted > COUNT_CAP,
            "items": list(queryset[offset : offset + pagination.page_size]),
        }


# --- The records' pages -------------------------------------------------------------------------


_DOC_OWNERS = ("request", "signal", "commitment", "report")
_REPORT_FIELDS = (
    "pk", "title", "published_at", "organisation__name", "organisation__name_en",
    "organisation__legal_form",
)  # fmt: skip


def _detail_prefetches(events: QuerySet[Any] | None) -> list[Prefetch]:
    # Never the original of a redacted file: it is not even read; of the timeline only the
    # public rows, of the reports only the published ones.
    documents = Document.objects.filter(is_public=True).only("pk", "title", "kind", *_DOC_OWNERS)
    reports = MonitoringReport.objects.published().select_related("organisation")
    prefetches = [
        Prefetch("documents", documents.order_by("uploaded_at", "pk"), "public_documents"),
        Prefetch(
            "reports", reports.only(*_REPORT_FIELDS).order_by("-published_at", "-pk"),
            "published_reports",
        ),
    ]  # fmt: skip
    if events is not None:
        prefetches.append(
            Prefetch("events", events.filter(is_public=True).order_by("at", "pk"), "public_events")
        )
    return prefetches


def _detail(qs: QuerySet[Any], pk: int, events: QuerySet[Any] | None, what: str) -> Any:
    found = qs.filter(is_public=True, pk=pk).prefetch_related(*_detail_prefetches(events)).first()
    if found is None:
        raise HttpError(404, f"No public {what} with id {pk}.")
    return found


RecordId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
_INSTITUTION = ("institution__name_bg",)
_ORGANISATION = ("organisation__name",)

# --- Information requests ------------------------------------------------------------------------


REQUEST_LIST_FIELDS = (
    "title", "status", "institution", "municipality", "province", "organisation",
    "requester_name", "show_name", "is_public", "channel", "filed_on", "registration_number",
    "registered_on", "due_on", "is_overdue", "extension_days", "decided_on", "refusal_ground",
    "answered_on_time", "days_to_answer", *_INSTITUTION, *_ORGANISATION,
)  # fmt: skip


@router.get(
    "/information-requests",
    response=list[RequestOut],
    summary="List information requests",
    description=(
        "Public requests for access to public information (ЗДОИ) filed through the portal or "
        "logged from elsewhere, newest first (by the day filed, then id). Each carries its "
        "status in the vocabulary of pitay.government.bg, its registration and the current "
        "statutory deadline (`due_on`). Private requests are not listed. `from` and `to` "
        "bound the day filed. Filters combine (AND)."
    ),
    url_name="information-requests",
)
@paginate(CappedPagination)
def list_requests(request: Any, filters: Query[RequestFilters]) -> QuerySet[InformationRequest]:
    # What an item shows and no more: no address, no e-mail ever leaves the database here.
    qs = filter_requests(filters).select_related("institution", "organisation")
    return qs.only(*REQUEST_LIST_FIELDS)


@router.get(
    "/information-requests/{id}",
    response=RequestDetail,
    summary="Get an information request",
    description="One public request with its public timeline, documents and answer.",
    url_name="information-request",
)
def get_request(request: Any, id: RecordId) -> InformationRequest:
    qs = InformationRequest.objects.select_related("institution", "organisation", "forwarded_to")
    qs = qs.defer("correspondence_address", "requester_email")
    return _detail(qs, id, RequestEvent.objects.all(), "information request")  # type: ignore[no-any-return]


# --- Proposals and signals -----------------------------------------------------------------------


SIGNAL_LIST_FIELDS = (
    "kind", "title", "status", "institution", "municipality", "province", "organisation",
    "filer_name", "show_name", "is_public", "is_anonymous", "is_stale", "channel",
    "received_on", "registration_number", "registered_on", "due_on", "extended_months",
    "is_overdue", "decided_on", "outcome", "communicated_on", "answered_on_time",
    "days_to_answer", *_INSTITUTION, *_ORGANISATION,
)  # fmt: skip


@router.get(
    "/signals",
    response=list[SignalOut],
    summary="List proposals and signals",
    description=(
        "Public proposals and signals to institutions (АПК, chapter 8), newest first (by the "
        "day received, then id), with their status and statutory deadline. Private ones are "
        "not listed. `from` and `to` bound the day received. Filters combine (AND)."
    ),
    url_name="signals",
)
@paginate(CappedPagination)
def list_signals(request: Any, filters: Query[SignalFilters]) -> QuerySet[Signal]:
    qs = filter_signals(filters).select_related("institution", "organisation")
    return qs.only(*SIGNAL_LIST_FIELDS)


@router.get(
    "/signals/{id}",
    response=SignalDetail,
    summary="Get a proposal or signal",
    description="One public proposal or signal with its public timeline, documents and answer.",
    url_name="signal",
)
def get_signal(request: Any, id: RecordId) -> Signal:
    qs = Signal.objects.select_related("institution", "organisation", "forwarded_to")
    qs = qs.defer("filer_address", "filer_email")
    return _detail(qs, id, SignalEvent.objects.all(), "proposal or signal")  # type: ignore[no-any-return]


# --- Commitments ---------------------------------------------------------------------------------


COMMITMENT_LIST_FIELDS = (
    "title", "status", "institution", "municipality", "province", "source_kind",
    "source_reference", "source_date", "source_url", "deadline", "indicator", "progress",
    "done_on", "done_on_time", "is_overdue", "is_public", "monitor", "ratings_count",
    "ratings_sum", "monitor__name", "monitor__name_en", "monitor__legal_form",
    "monitor__visibility", *_INSTITUTION,
)  # fmt: skip


@router.get(
    "/commitments",
    response=list[CommitmentOut],
    summary="List commitments",
    description=(
        "Commitments of institutions (council decisions, programme measures, promises in "
        "consultation reports, minutes) with deadline, indicator, status and progress, by "
        "deadline (nearest first), then id. Filters combine (AND)."
    ),
    url_name="commitments",
)
@paginate(PagePagination)
def list_commitments(request: Any, filters: Query[CommitmentFilters]) -> QuerySet[Commitment]:
    qs = filter_commitments(filters).select_related("institution", "monitor")
    return qs.only(*COMMITMENT_LIST_FIELDS)


@router.get(
    "/commitments/{id}",
    response=CommitmentDetail,
    summary="Get a commitment",
    description="One commitment with its updates, evidence and the organisations' average "
    "assessment of its fulfilment.",
    url_name="commitment",
)
def get_commitment(request: Any, id: RecordId) -> Commitment:
    updates = CommitmentUpdate.objects.select_related("organisation").order_by("at", "pk")
    qs = Commitment.objects.select_related("institution", "monitor", "consultation")
    qs = qs.prefetch_related(Prefetch("updates", queryset=updates))
    return _detail(qs, id, None, "commitment")  # type: ignore[no-any-return]


# --- Responsiveness ------------------------------------------------------------------------------


def _responsiveness_rows(qs: QuerySet[Responsiveness]) -> QuerySet[Responsiveness]:
    return qs.select_related("institution", "municipality").only(
        "institution", "municipality", "province", "requests_total", "requests_due",
        "requests_on_time", "requests_overdue", "median_days", "signals_total", "signals_due",
        "signals_answered", "signals_on_time", "commitments_total", "commitments_due",
        "commitments_done_on_time", "score", "updated_at", "institution__name_bg",
        "institution__municipality_id", "municipality__name_bg",
    )  # fmt: skip


@router.get(
    "/responsiveness",
    response=list[ResponsivenessOut],
    summary="List the responsiveness index",
    description=(
        "The stored figures of the responsiveness index, per institution (`level=institution`, "
        "the default) or per municipality (all its institutions together): requests answered "
        "on time, median days to answer, overdue ones, proposals and signals answered, "
        "commitments done on time, and the score (0–100). The methodology page of the "
        "dashboard explains every formula."
    ),
    url_name="responsiveness",
)
@paginate(PagePagination)
def list_responsiveness(
    request: Any, filters: Query[ResponsivenessFilters]
) -> QuerySet[Responsiveness]:
    return _responsiveness_rows(filter_responsiveness(filters))


@router.get(
    "/responsiveness/{level}/{id}",
    response=ResponsivenessDetail,
    summary="Get the responsiveness of an institution or municipality",
    description="`level` is institution (with the institution's id) or municipality (with its "
    "code, PDV22); the figures with their trend month by month.",
    url_name="responsiveness-detail",
)
def get_responsiveness(
    request: Any,
    level: Annotated[str, Path(..., pattern=choice(LEVELS), description=one_of(LEVELS))],
    id: Annotated[str, Path(..., max_length=20, description="Institution id or PDV22.")],
) -> Responsiveness:
    if level == "institution":
        if not id.isascii() or not id.isdigit() or not 1 <= int(id) <= MAX_ID:
            _invalid("id", "an institution's id is a whole number from 1")
        condition = Q(institution_id=int(id))
        months = Q(institution_id=int(id))
    else:
        if not (len(id) == 5 and id[:3].isascii() and id[:3].isupper() and id[3:].isdigit()):
            _invalid("id", "a municipality's code is three capital letters and two digits (PDV22)")
        condition = Q(municipality_id=id)
        months = Q(municipality_id=id)
    found = _responsiveness_rows(Responsiveness.objects.filter(condition)).first()
    if found is None:
        raise HttpError(404, f"No responsiveness figures for {level} {id}.")
    found.month_rows = list(  # type: ignore[attr-defined]
        ResponsivenessMonth.objects.filter(months).order_by("month")
    )
    return found


def _invalid(field: str, message: str) -> None:
    """A 422 in the shape of the schema's own (api/api.py turns it into a readable message)."""
    from ninja.errors import ValidationError

    raise ValidationError([{"loc": ["path", field], "msg": message, "type": "value_error"}])
