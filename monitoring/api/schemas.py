"""What the monitoring's API items show (monitoring/api/__init__.py's routes): the records
and their references, of the timelines only the public rows, of the documents only the public
ones (never the original of a redacted file), never an address, an e-mail or an account.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from consultations.enums import PUBLIC_STATES as CONSULTATION_PUBLIC_STATES
from core.ical import absolute
from monitoring.api.filters import one_of
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
    InformationRequest,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
)
from monitoring.search import (
    label,
    page_path,
)
from organisations.enums import Visibility

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


# --- Information requests -----------------------------------------------------------------------


class RequestOut(RecordOut):
    status: str = Field(description=one_of(RequestStatus.values))
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


# --- Proposals and signals ----------------------------------------------------------------------


class SignalOut(RecordOut):
    kind: str = Field(description=one_of(SignalKind.values))
    status: str = Field(description=one_of(SignalStatus.values))
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


# --- Commitments --------------------------------------------------------------------------------


class CommitmentOut(RecordOut):
    status: str = Field(description=one_of(CommitmentStatus.values))
    source_kind: str = Field(description=one_of(CommitmentSource.values))
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


# --- Responsiveness -----------------------------------------------------------------------------


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
