"""Read API of the monitoring of the administration: /api/v1/information-requests,
/api/v1/signals, /api/v1/commitments (each with one record) and /api/v1/responsiveness.

Privacy, the same in the CSV and JSON exports (monitoring/views/exports.py), which use the
filters and querysets defined here:

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

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import F, IntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import model_validator

from consultations.enums import PUBLIC_STATES as CONSULTATION_PUBLIC_STATES
from core import search as search_index
from core.ical import absolute
from core.pagination import PagePagination
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    CommitmentUpdateKind,
    RequestEventKind,
    RequestStatus,
    SignalEventKind,
    SignalKind,
    SignalStatus,
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
from monitoring.search import (
    COMMITMENT_KIND,
    REQUEST_KIND,
    SIGNAL_KIND,
    label,
    page_path,
)
from organisations.enums import Visibility
from territory.api import MunicipalityFilter, ProvinceFilter, TitleWords

router = Router(tags=["monitoring"])

MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error
COUNT_CAP = 10_000
# Days a filter may name (a date outside them is a 422, not a database error).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9999, 12, 31)
LEVELS = ("institution", "municipality")
RESPONSIVENESS_SORTS = ("score", "name", "requests_total", "requests_overdue", "median_days")


def _choice(values: Any) -> str:
    return "^(" + "|".join(str(v) for v in values) + ")$"


def _one_of(values: Any) -> str:
    return "One of: " + ", ".join(str(v) for v in values) + "."


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
        None, pattern=_choice(RequestStatus.values), description=_one_of(RequestStatus.values)
    )


class SignalFilters(DatedFilters):
    kind: str | None = Field(
        None, pattern=_choice(SignalKind.values), description=_one_of(SignalKind.values)
    )
    status: str | None = Field(
        None, pattern=_choice(SignalStatus.values), description=_one_of(SignalStatus.values)
    )


class CommitmentFilters(PlaceFilters):
    status: str | None = Field(
        None, pattern=_choice(CommitmentStatus.values), description=_one_of(CommitmentStatus.values)
    )
    source_kind: str | None = Field(
        None, pattern=_choice(CommitmentSource.values), description=_one_of(CommitmentSource.values)
    )


class ResponsivenessFilters(Schema):
    level: str = Field(
        "institution", pattern=_choice(LEVELS), description="institution (default) or municipality."
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


def filter_requests(f: RequestFilters) -> QuerySet[InformationRequest]:
    """Public requests matching the filters, newest first (the request_newest index)."""
    qs = _place(InformationRequest.objects.filter(is_public=True), f, REQUEST_KIND)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(filed_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(filed_on__lte=f.date_to)
    return qs.order_by("-filed_on", "-id")


def filter_signals(f: SignalFilters) -> QuerySet[Signal]:
    """Public proposals and signals matching the filters, newest first (signal_newest)."""
    qs = _place(Signal.objects.filter(is_public=True), f, SIGNAL_KIND)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(received_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(received_on__lte=f.date_to)
    return qs.order_by("-received_on", "-id")


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


# --- Shared pieces of the items ----------------------------------------------------------------

# What each model's items link to and which vocabulary their statuses and events use.
_PAGES = {
    InformationRequest: "monitoring:request",
    Signal: "monitoring:signal",
    Commitment: "monitoring:commitment",
}
_STATUSES = {InformationRequest: RequestStatus, Signal: SignalStatus, Commitment: CommitmentStatus}
_EVENT_KINDS = {InformationRequest: RequestEventKind, Signal: SignalEventKind}


def institution_ref(institution: Any) -> dict[str, Any]:
    url = absolute(page_path("directory:detail", institution.pk))
    return {"id": institution.pk, "name": institution.name_bg, "url": url}


def organisation_ref(org: Any) -> dict[str, Any] | None:
    """A public organisation as a reference; one awaiting verification or hidden: none."""
    if org is None or org.visibility != Visibility.PUBLIC:
        return None
    url = absolute(page_path("organisations:detail", org.pk))
    return {"id": org.pk, "name": org.display_name, "url": url}


class InstitutionRef(Schema):
    id: int
    name: str = Field(description="The institution's name in Bulgarian.")
    url: str = Field(description="Its page in the directory.")


class OrganisationRef(Schema):
    id: int
    name: str
    url: str = Field(description="Its page in the catalogue.")


class TimelineEntry(Schema):
    kind: str
    label: str = Field(description="What happened, in Bulgarian.")
    on: datetime.date = Field(description="The legal date of the step.")
    from_status: str = Field(description="Status before (empty when it did not change).")
    to_status: str = Field(description="Status after (empty when it did not change).")
    note: str


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    url: str = Field(description="Download address (the redacted copy when it was redacted).")


class ReportRef(Schema):
    id: int
    title: str
    url: str
    organisation: str
    published_at: datetime.datetime


class RecordOut(Schema):
    """What requests, signals and commitments share (the resolvers pick by the model)."""

    id: int
    url: str = Field(description="Its page on the portal.")
    title: str = Field(description="The subject.")
    status: str
    status_label: str = Field(description="The status in Bulgarian.")
    institution: InstitutionRef
    municipality: str | None = Field(description="Municipality code (PDV22) of the institution.")
    province: str | None = Field(description="Province code (PDV).")

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return absolute(page_path(_PAGES[type(obj)], obj.pk))

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return label(_STATUSES[type(obj)], obj.status)

    @staticmethod
    def resolve_institution(obj: Any) -> dict[str, Any]:
        return institution_ref(obj.institution)

    @staticmethod
    def resolve_municipality(obj: Any) -> str | None:
        return obj.municipality_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_province(obj: Any) -> str | None:
        return obj.province_id  # type: ignore[no-any-return]


class WithDocuments(Schema):
    documents: list[DocumentOut] = Field(description="Public documents (never an original).")
    reports: list[ReportRef] = Field(description="Published monitoring reports that assess it.")

    @staticmethod
    def resolve_documents(obj: Any) -> list[dict[str, Any]]:
        return [
            {"id": d.pk, "title": d.title, "kind": d.kind,
             "url": absolute(page_path("monitoring:document", d.pk))}
            for d in obj.public_documents
        ]  # fmt: skip

    @staticmethod
    def resolve_reports(obj: Any) -> list[dict[str, Any]]:
        return [
            {"id": r.pk, "title": r.title, "url": absolute(page_path("monitoring:report", r.pk)),
             "organisation": r.organisation.display_name, "published_at": r.published_at}
            for r in obj.published_reports
        ]  # fmt: skip


class DecidedDetail(WithDocuments):
    """What the page of a request or a signal shows beyond its list item."""

    description: str = Field(description="What is asked or proposed, as filed.")
    forwarded_to: InstitutionRef | None
    forwarded_to_name: str = Field(description="A body not in the directory it went to.")
    overdue_since: datetime.date | None
    answer: str = Field(description="Markdown.")
    timeline: list[TimelineEntry] = Field(description="The public steps, oldest first.")

    @staticmethod
    def resolve_forwarded_to(obj: Any) -> dict[str, Any] | None:
        return institution_ref(obj.forwarded_to) if obj.forwarded_to else None

    @staticmethod
    def resolve_timeline(obj: Any) -> list[dict[str, Any]]:
        kinds = _EVENT_KINDS[type(obj)]
        return [
            {"kind": e.kind, "label": label(kinds, e.kind), "on": e.on,
             "from_status": e.from_status, "to_status": e.to_status, "note": e.note}
            for e in obj.public_events
        ]  # fmt: skip


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


class RequestOut(RecordOut):
    status: str = Field(description=_one_of(RequestStatus.values))
    requester_name: str | None = Field(
        description="The requester (or the organisation) as they chose to be shown; null when "
        "they chose not to."
    )
    channel: str
    filed_on: datetime.date
    registration_number: str
    registered_on: datetime.date | None
    due_on: datetime.date | None = Field(
        description="The current statutory deadline of the institution (null while the "
        "requester is asked to clarify, or once decided without one)."
    )
    is_overdue: bool
    extension_days: int
    decided_on: datetime.date | None
    refusal_ground: str
    answered_on_time: bool | None
    days_to_answer: int | None

    @staticmethod
    def resolve_requester_name(obj: InformationRequest) -> str | None:
        return obj.public_name or None


class RequestDetail(RequestOut, DecidedDetail):
    access_form: str
    external_reference: str = Field(description="Its number elsewhere (pitay.government.bg).")
    clarification_asked_on: datetime.date | None
    clarification_due_on: datetime.date | None
    clarified_on: datetime.date | None
    extension_reason: str


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


class SignalOut(RecordOut):
    kind: str = Field(description=_one_of(SignalKind.values))
    status: str = Field(description=_one_of(SignalStatus.values))
    filer_name: str | None = Field(
        description="The filer (or the organisation) as they chose to be shown; null otherwise."
    )
    is_anonymous: bool = Field(
        description="Filed without a name or an address: accepted as feedback, no proceedings "
        "and no legal deadline (АПК чл. 111, ал. 4)."
    )
    is_stale: bool = Field(description="About acts over 2 years old (АПК чл. 111, ал. 4).")
    channel: str
    received_on: datetime.date = Field(description="The day the institution received it.")
    registration_number: str
    registered_on: datetime.date | None
    due_on: datetime.date | None = Field(
        description="The current statutory deadline for the decision (АПК чл. 118); null when "
        "none runs."
    )
    extended_months: int | None
    is_overdue: bool
    decided_on: datetime.date | None
    outcome: str
    communicated_on: datetime.date | None
    answered_on_time: bool | None
    days_to_answer: int | None

    @staticmethod
    def resolve_filer_name(obj: Signal) -> str | None:
        return obj.public_name or None


class SignalDetail(SignalOut, DecidedDetail):
    event_on: datetime.date | None = Field(description="When the acts it reports happened.")
    extension_note: str


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


class CommitmentOut(RecordOut):
    status: str = Field(description=_one_of(CommitmentStatus.values))
    source_kind: str = Field(description=_one_of(CommitmentSource.values))
    source_reference: str = Field(description="E.g. the council decision's number and date.")
    source_date: datetime.date | None
    source_url: str
    deadline: datetime.date
    indicator: str = Field(description="How fulfilment is measured.")
    progress: int = Field(description="Per cent, 0–100.")
    done_on: datetime.date | None
    done_on_time: bool | None
    is_overdue: bool
    monitor: OrganisationRef | None = Field(description="The organisation that monitors it.")
    ratings_count: int = Field(description="Organisations that assessed its fulfilment.")
    average_rating: float | None = Field(description="Their average assessment, 1–5.")

    @staticmethod
    def resolve_monitor(obj: Commitment) -> dict[str, Any] | None:
        return organisation_ref(obj.monitor)

    @staticmethod
    def resolve_average_rating(obj: Commitment) -> float | None:
        average = obj.average_rating
        return None if average is None else round(average, 2)


class CommitmentUpdateOut(Schema):
    kind: str
    label: str = Field(description="What it is, in Bulgarian.")
    at: datetime.datetime
    from_status: str
    to_status: str
    progress: int | None
    text: str = Field(description="Markdown.")
    evidence_url: str
    organisation: OrganisationRef | None = Field(description="Written for this organisation.")

    @staticmethod
    def resolve_label(obj: CommitmentUpdate) -> str:
        return label(CommitmentUpdateKind, obj.kind)

    @staticmethod
    def resolve_organisation(obj: CommitmentUpdate) -> dict[str, Any] | None:
        return organisation_ref(obj.organisation)


class CommitmentDetail(CommitmentOut, WithDocuments):
    description: str = Field(description="Markdown.")
    consultation: int | None = Field(
        description="Id of the public consultation whose report made the promise."
    )
    updates: list[CommitmentUpdateOut] = Field(description="Its timeline, oldest first.")

    @staticmethod
    def resolve_consultation(obj: Commitment) -> int | None:
        c = obj.consultation
        return c.pk if c is not None and c.state in CONSULTATION_PUBLIC_STATES else None

    @staticmethod
    def resolve_updates(obj: Commitment) -> list[CommitmentUpdate]:
        return list(obj.updates.all())


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


class ResponsivenessOut(Schema):
    level: str = Field(description="institution or municipality.")
    id: str = Field(description="The institution's id, or the municipality's code (PDV22).")
    name: str
    url: str = Field(description="Its page on the responsiveness dashboard.")
    institution: InstitutionRef | None = Field(description="At the institution level.")
    municipality: str | None = Field(description="Municipality code (PDV22).")
    province: str | None = Field(description="Province code (PDV).")
    requests_total: int = Field(description="Information requests recorded.")
    requests_due: int = Field(description="Requests decided or past their deadline.")
    requests_on_time: int = Field(description="Of those, decided within the deadline.")
    requests_overdue: int
    median_days: float | None = Field(description="Median days from registration to decision.")
    signals_total: int
    signals_due: int
    signals_answered: int
    signals_on_time: int
    commitments_total: int
    commitments_due: int
    commitments_done_on_time: int
    score: float | None = Field(description="0–100; null while too little to judge.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_level(obj: Responsiveness) -> str:
        return "institution" if obj.institution_id else "municipality"

    @staticmethod
    def resolve_id(obj: Responsiveness) -> str:
        return str(obj.institution_id or obj.municipality_id)

    @staticmethod
    def resolve_name(obj: Responsiveness) -> str:
        unit = obj.institution or obj.municipality
        return unit.name_bg if unit is not None else ""

    @staticmethod
    def resolve_url(obj: Responsiveness) -> str:
        level = "institution" if obj.institution_id else "municipality"
        key = obj.institution_id or obj.municipality_id
        return absolute(page_path("monitoring:responsiveness-detail", str(key), level))

    @staticmethod
    def resolve_institution(obj: Responsiveness) -> dict[str, Any] | None:
        return institution_ref(obj.institution) if obj.institution else None

    @staticmethod
    def resolve_municipality(obj: Responsiveness) -> str | None:
        if obj.institution is not None:
            return obj.institution.municipality_id
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: Responsiveness) -> str | None:
        return obj.province_id

    @staticmethod
    def resolve_median_days(obj: Responsiveness) -> float | None:
        return _float(obj.median_days)

    @staticmethod
    def resolve_score(obj: Responsiveness) -> float | None:
        return _float(obj.score)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class MonthOut(Schema):
    month: datetime.date = Field(description="The first day of the month.")
    requests_decided: int
    requests_on_time: int
    signals_answered: int
    signals_on_time: int


class ResponsivenessDetail(ResponsivenessOut):
    months: list[MonthOut] = Field(description="The trend, month by month, oldest first.")

    @staticmethod
    def resolve_months(obj: Responsiveness) -> list[ResponsivenessMonth]:
        return obj.month_rows  # type: ignore[attr-defined]


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
    level: Annotated[str, Path(..., pattern=_choice(LEVELS), description=_one_of(LEVELS))],
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
