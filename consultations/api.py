"""Read API of public consultations: /api/v1/consultations, one consultation with the units of
its draft, its comments and, once published, the rows of its report (справка).

Only published consultations (enums.PUBLIC_STATES) exist here: a draft or a scheduled one is a
404 like an id that was never used. People appear only as they chose to be shown on the
portal (`display_name`, fixed when they commented; domain-rules §7.2): never an e-mail or an
account id. Lists are `{count, items}` (core/pagination.py) and load what their items show in a
fixed number of queries.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
import functools
from typing import Annotated, Any

from django.conf import settings
from django.db.models import IntegerField, Prefetch, QuerySet
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from consultations import compliance, report
from consultations.enums import PUBLIC_STATES, Kind, ReportFormat, Source, State
from consultations.models import Article, Comment, Consultation, ReportFile
from core import search as search_index
from core.models import GeneratedDocument, Topic
from core.pagination import PagePagination
from territory.api import MunicipalityFilter, TitleWords

router = Router(tags=["consultations"])

MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error
SEARCH_KIND = "consultations.consultation"
# The download of a made file of the report (consultations/views/answers.py).
REPORT_DOWNLOAD_URL = "consultations:report-download"
REPORT_STATES = frozenset({State.REPORT_PUBLISHED, State.ADOPTED})

_PUBLIC_STATE_VALUES = sorted(str(s) for s in PUBLIC_STATES)
_SOURCE_VALUES = [str(s) for s in Source]
SourceFilter = Annotated[
    str | None,
    Query(
        None,
        pattern="^(" + "|".join(v.replace(".", r"\.") for v in _SOURCE_VALUES) + ")$",
        description="Where it was held: `platform` or `strategy.bg` (imported history).",
    ),
]
OpenedFrom = Annotated[
    datetime.date | None, Query(None, description="Opened on or after (YYYY-MM-DD).")
]
OpenedTo = Annotated[
    datetime.date | None, Query(None, description="Opened on or before (YYYY-MM-DD).")
]
_KIND_VALUES = [str(k) for k in Kind]


@functools.cache
def _url_pattern(name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=[123456789])


def page_url(consultation_id: int) -> str:
    """The consultation's canonical (Bulgarian) page, whatever the client's Accept-Language."""
    try:
        return _url_pattern("consultations:detail").replace("123456789", str(consultation_id))
    except NoReverseMatch:  # the public pages are not wired yet: the path they will have
        return f"/consultations/{consultation_id}/"


def institution_url(institution_id: int) -> str:
    return _url_pattern("directory:detail").replace("123456789", str(institution_id))


def report_file_url(consultation_id: int, file_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(REPORT_DOWNLOAD_URL, args=[consultation_id, file_id])


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.public()


def get_public_or_404(consultation_id: int) -> Consultation:
    found = (
        public_consultations()
        .select_related("institution")
        .prefetch_related("topics")
        .filter(pk=consultation_id)
        .first()
    )
    if found is None:
        raise HttpError(404, f"No public consultation with id {consultation_id}.")
    return found


def report_is_published(consultation: Consultation) -> bool:
    return consultation.state in REPORT_STATES or (
        consultation.state == State.WITHDRAWN and consultation.report_published_at is not None
    )


# --- Schemas ------------------------------------------------------------------------------


class InstitutionRef(Schema):
    id: int
    name: str = Field(description="The institution's name in Bulgarian.")
    url: str = Field(description="The institution's page on the portal.")

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.name_bg)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return institution_url(obj.pk)


class ConsultationOut(Schema):
    id: int
    title: str
    kind: str = Field(description=f"One of: {', '.join(_KIND_VALUES)}.")
    state: str = Field(description=f"One of: {', '.join(_PUBLIC_STATE_VALUES)}.")
    url: str = Field(description="The consultation's page on the portal.")
    institution: InstitutionRef = Field(description="The institution that owns it.")
    province: str | None = Field(description="Province code of the territory it concerns.")
    municipality: str | None = Field(description="Municipality code (PDV22), if one.")
    topics: list[str] = Field(description="Slugs of its topics.")
    opens_at: datetime.datetime | None = Field(description="Publication time.")
    closes_on: datetime.date | None = Field(description="Last day for comments (Sofia time).")
    closes_at: datetime.datetime | None = Field(description="23:59:59 Sofia time of closes_on.")
    comments_count: int
    proposals_count: int
    participants_count: int
    source: str = Field(description="Where it was held: `platform` or `strategy.bg`.")
    source_id: int | None = Field(description="Its number on strategy.bg, when imported.")
    source_url: str | None = Field(description="Its page on strategy.bg, when imported.")
    source_comments_count: int | None = Field(
        description="The number of comments strategy.bg states for it, when imported."
    )
    document_types: list[str] = Field(description="Types of its documents (strategy.bg's).")
    policy_area: str = Field(description="strategy.bg's policy area of a national one.")
    opened_on: datetime.date | None = Field(description="The day it was published (Sofia).")
    period_days: int | None = Field(
        description="Days from the day after publication to the last day, both included "
        "(ГПК чл. 60, as the courts count)."
    )
    legal_minimum_days: int | None = Field(
        description="The minimum the law set on the opening day for its kind of act: 30 days "
        "(ЗНА чл. 26, ал. 4, since 04.11.2016), 14 with a stated reason or before that day, 7 "
        "for a budget."
    )
    meets_minimum: bool | None = Field(description="period_days >= legal_minimum_days.")
    short_period_reason: str = Field(description="The reason stated for a shorter period.")

    @staticmethod
    def resolve_url(obj: Consultation) -> str:
        return page_url(obj.pk)

    @staticmethod
    def resolve_source_url(obj: Consultation) -> str | None:
        return obj.source_url or None

    @staticmethod
    def resolve_province(obj: Consultation) -> str | None:
        return obj.province_id

    @staticmethod
    def resolve_municipality(obj: Consultation) -> str | None:
        return obj.municipality_id

    @staticmethod
    def resolve_topics(obj: Consultation) -> list[str]:
        return sorted(t.slug for t in obj.topics.all())


class ArticleOut(Schema):
    label: str = Field(description='The unit in legal notation ("Чл. 5, ал. 2", "§ 1").')
    anchor: str = Field(description="Its anchor on the consultation's page (#chl-5-al-2).")
    kind: str = Field(description="article, alinea, paragraph_sign, heading, chapter, ...")
    depth: int = Field(description="0 for the top level; children one deeper.")
    title: str
    text: str = Field(description="The unit's own text (its paragraphs are units of their own).")
    commentable: bool
    comments_count: int


class ConsultationDetail(ConsultationOut):
    summary: str = Field(description="Markdown.")
    motives: str = Field(description="Markdown.")
    impact_assessment: str = Field(description="Markdown.")
    report_published_at: datetime.datetime | None
    version: int | None = Field(description="Number of the draft version consulted.")
    articles: list[ArticleOut] = Field(description="The units of that version, in order.")
    comments_url: str
    report_url: str | None = Field(description="The report in this API, once published.")

    @staticmethod
    def resolve_version(obj: Consultation) -> int | None:
        return obj.version_number  # type: ignore[attr-defined]

    @staticmethod
    def resolve_articles(obj: Consultation) -> list[Article]:
        return obj.article_list  # type: ignore[attr-defined]

    @staticmethod
    def resolve_comments_url(obj: Consultation) -> str:
        return reverse("api:consultation-comments", args=[obj.pk])

    @staticmethod
    def resolve_report_url(obj: Consultation) -> str | None:
        if not report_is_published(obj):
            return None
        return reverse("api:consultation-report", args=[obj.pk])


class CommentOut(Schema):
    id: int
    parent: int | None = Field(description="Id of the comment it replies to.")
    created_at: datetime.datetime
    display_name: str = Field(description="The author as they chose to be shown.")
    organisation: str | None = Field(description="Written on behalf of this organisation.")
    network: str | None = Field(description="The joint position of this network.")
    article: str | None = Field(description="Label of the unit commented on; null: the whole.")
    article_anchor: str | None
    text: str
    is_proposal: bool
    proposed_wording: str
    supports_count: int

    @staticmethod
    def resolve_parent(obj: Comment) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_organisation(obj: Comment) -> str | None:
        return obj.organisation.name if obj.organisation is not None else None

    @staticmethod
    def resolve_network(obj: Comment) -> str | None:
        return obj.network.name if obj.network is not None else None

    @staticmethod
    def resolve_article(obj: Comment) -> str | None:
        return obj.article.label if obj.article is not None else None

    @staticmethod
    def resolve_article_anchor(obj: Comment) -> str | None:
        return obj.article.anchor if obj.article is not None else None


class ReportRow(Schema):
    number: int = Field(description="Row number in the report.")
    article: str = Field(description='Label of the unit ("Чл. 5, ал. 2"), or the whole draft.')
    participants: list[str] = Field(
        description="Who made the proposal: an organisation or network by its name, a person as "
        "they chose to be shown (full name or initials). One answer may cover many."
    )
    proposals: list[str] = Field(description="The proposals' texts (identical ones once).")
    proposed_wordings: list[str] = Field(description="New wordings proposed, if any.")
    count: int = Field(description="How many proposals the answer covers.")
    decision: str | None = Field(description="accepted, partly, not_accepted or noted.")
    decision_label: str = Field(description="The decision in Bulgarian, as the report says it.")
    reasons: str


class ReportOut(Schema):
    consultation: int
    published_at: datetime.datetime | None
    rows: list[ReportRow]
    pdf: str | None = Field(description="The report as PDF, once made (null until then).")
    docx: str | None = Field(description="The report as .docx, once made (null until then).")


# --- Operations -----------------------------------------------------------------------------


def _list_queryset() -> QuerySet[Consultation]:
    return (
        public_consultations()
        .select_related("institution")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk", "slug")))
        .order_by("-opens_at", "-pk")
    )


def _matching(qs: QuerySet[Consultation], q: str) -> QuerySet[Consultation]:
    """Through the site's search index when the consultations are registered there (Latin or
    Cyrillic, word prefixes); a plain match on the title otherwise."""
    if search_index.get_kind(SEARCH_KIND) is not None:
        ids = (
            search_index.matching(q, kind=SEARCH_KIND)
            .order_by()
            .annotate(oid=Cast("object_id", IntegerField()))
            .values("oid")
        )
        return qs.filter(pk__in=ids)
    return qs.filter(title__icontains=q)


@router.get(
    "/consultations",
    response=list[ConsultationOut],
    summary="List public consultations",
    description=(
        "Published consultations on draft ordinances, rules, strategies, budgets and other "
        "documents, newest first. Drafts and scheduled ones are not listed."
    ),
    url_name="consultations",
)
@paginate(PagePagination)
def list_consultations(
    request: Any,
    state: Annotated[
        str | None,
        Query(
            None,
            pattern="^(" + "|".join(_PUBLIC_STATE_VALUES) + ")$",
            description=f"One of: {', '.join(_PUBLIC_STATE_VALUES)}.",
        ),
    ] = None,
    institution: Annotated[
        int | None, Query(None, ge=1, le=MAX_ID, description="Id of the owning institution.")
    ] = None,
    municipality: MunicipalityFilter = None,
    kind: Annotated[
        str | None,
        Query(
            None,
            pattern="^(" + "|".join(_KIND_VALUES) + ")$",
            description=f"One of: {', '.join(_KIND_VALUES)}.",
        ),
    ] = None,
    topic: Annotated[
        str | None,
        Query(None, pattern=r"^[a-z0-9-]{1,50}$", description="Topic slug (education)."),
    ] = None,
    q: TitleWords = None,
    source: SourceFilter = None,
    meets_minimum: Annotated[
        bool | None, Query(None, description="Only those meeting (true) or not (false).")
    ] = None,
    opened_from: OpenedFrom = None,
    opened_to: OpenedTo = None,
) -> QuerySet[Consultation]:
    qs = _list_queryset()
    if source:
        qs = qs.filter(source=source)
    if meets_minimum is not None:
        qs = qs.filter(meets_minimum=meets_minimum)
    if opened_from:
        qs = qs.filter(opened_on__gte=opened_from)
    if opened_to:
        qs = qs.filter(opened_on__lte=opened_to)
    if state:
        qs = qs.filter(state=state)
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics__slug=topic)
    if q and q.strip():
        qs = _matching(qs, q.strip())
    return qs


ConsultationId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


@router.get(
    "/consultations/{id}",
    response=ConsultationDetail,
    summary="Get a consultation",
    description="One consultation with the units (articles, §§, headings) of its draft.",
    url_name="consultation",
)
def get_consultation(request: Any, id: ConsultationId) -> Consultation:
    consultation = get_public_or_404(id)
    version = consultation.current_version
    articles: list[Article] = list(version.articles.order_by("index")) if version else []
    consultation.version_number = version.number if version else None  # type: ignore[attr-defined]
    consultation.article_list = articles  # type: ignore[attr-defined]
    return consultation


@router.get(
    "/consultations/{id}/comments",
    response=list[CommentOut],
    summary="List a consultation's comments",
    description=(
        "The comments shown on the consultation's page, oldest first, replies included "
        "(`parent`); comments hidden by the moderators are left out."
    ),
    url_name="consultation-comments",
)
@paginate(PagePagination)
def list_comments(request: Any, id: ConsultationId) -> QuerySet[Comment]:
    consultation = get_public_or_404(id)
    return (
        Comment.objects.visible()
        .filter(consultation=consultation)
        .select_related("article", "organisation", "network")
        .only(
            "pk",
            "parent_id",
            "created_at",
            "display_name",
            "text",
            "is_proposal",
            "proposed_wording",
            "supports_count",
            "organisation__name",
            "network__name",
            "article__label",
            "article__anchor",
        )
        .order_by("created_at", "pk")
    )


def report_rows(consultation: Consultation) -> list[dict[str, Any]]:
    """The report's rows as consultations/report.py makes them for the page and the files:
    one a group of proposals answered together, in the report's order."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            {
                "number": row.number,
                "article": str(row.article),
                "participants": [p.name for p in row.participants],
                "proposals": row.texts,
                "proposed_wordings": row.wordings,
                "count": row.count,
                "decision": row.decision_code or None,
                "decision_label": row.decision,
                "reasons": row.reasons,
            }
            for row in report.rows(consultation)
        ]


def report_files(consultation: Consultation) -> dict[str, str | None]:
    """The download URLs of the report's files that are made from the current data (an
    older file would not show the latest answers or moderation): null until then."""
    current = report.fingerprint(consultation)
    made = ReportFile.objects.filter(
        consultation=consultation, status=GeneratedDocument.Status.DONE, fingerprint=current
    ).order_by("format", "-finished_at", "-pk")
    urls: dict[str, str | None] = {str(fmt): None for fmt in ReportFormat}
    for row in made:
        if urls[row.format] is None:
            urls[row.format] = report_file_url(consultation.pk, row.pk)
    return urls


@router.get(
    "/consultations/{id}/report",
    response=ReportOut,
    summary="Get a consultation's report",
    description=(
        "The report on the proposals received (справка, ЗНА чл. 26, ал. 5): one row per "
        "proposal with the institution's decision and its reasons. 404 until it is published."
    ),
    url_name="consultation-report",
)
def get_report(request: Any, id: ConsultationId) -> dict[str, Any]:
    consultation = get_public_or_404(id)
    if not report_is_published(consultation):
        raise HttpError(404, f"The report of consultation {id} is not published yet.")
    files = report_files(consultation)
    return {
        "consultation": consultation.pk,
        "published_at": consultation.report_published_at,
        "rows": report_rows(consultation),
        "pdf": files.get(ReportFormat.PDF),
        "docx": files.get(ReportFormat.DOCX),
    }


# --- The compliance audit -------------------------------------------------------------------


class ComplianceFigures(Schema):
    key: Any = Field(
        description="The group: institution id, municipality code, policy area or year."
    )
    label: str
    year: int | None
    consultations: int
    meeting_minimum: int
    meeting_minimum_share: float | None = Field(description="Percent, one decimal.")
    shorter_without_reason: int
    shorter_without_reason_share: float | None
    median_period_days: float | None
    comments: int = Field(description="Public comments judged (answered or left unconsidered).")
    taken_into_account: int = Field(description="Of them, accepted fully or in part.")
    taken_into_account_share: float | None


class ComplianceOut(Schema):
    grouping: str
    overall: ComplianceFigures
    by_year: list[ComplianceFigures]
    groups: list[ComplianceFigures]
    methodology: str


@router.get(
    "/compliance",
    response=ComplianceOut,
    summary="Compliance of consultations with the law",
    description=(
        "The compliance dashboard's aggregates: overall, by year and by institution, "
        "municipality or policy area (`by`), over published consultations with both dates. "
        "Filters as in /consultations."
    ),
    url_name="compliance",
)
def compliance_figures(
    request: Any,
    by: Annotated[
        str,
        Query(
            "institution",
            pattern="^(institution|municipality|policy_area)$",
            description="institution, municipality or policy_area.",
        ),
    ] = "institution",
    source: SourceFilter = None,
    meets_minimum: Annotated[bool | None, Query(None)] = None,
    opened_from: OpenedFrom = None,
    opened_to: OpenedTo = None,
    year: Annotated[int | None, Query(None, ge=1990, le=2100)] = None,
    institution: Annotated[int | None, Query(None, ge=1, le=MAX_ID)] = None,
    municipality: MunicipalityFilter = None,
) -> dict[str, Any]:
    filters = compliance.Filters(
        source=source,
        opened_from=opened_from,
        opened_to=opened_to,
        meets_minimum=meets_minimum,
        year=year,
        institution=institution,
        municipality=municipality,
    )
    return {
        "grouping": by,
        "overall": compliance.overall(filters).as_dict(),
        "by_year": [f.as_dict() for f in compliance.by_year(filters)],
        "groups": [f.as_dict() for f in compliance.by_group(filters, by)],
        "methodology": settings.SITE_URL + reverse("consultations:compliance-methodology"),
    }
