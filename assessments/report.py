"""What a campaign's report shows, the same for its page and its PDF: the indices by
respondent type and by municipality, the comparison with the previous round, the spread, the
map, the recommendations, the training needs and the open answers, all under the anonymity
threshold (assessments/indices.py): a group smaller than the minimum appears only as "fewer
than N answers", never with a number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.enums import QuestionType, RespondentType, ResponseState
from assessments.indices import GroupIndex
from assessments.models import (
    Campaign,
    Dimension,
    Invitation,
    Question,
    Recommendation,
    Response,
)
from assessments.results import Results, results_of
from assessments.scoring import OVERALL
from core.charts import Chart, chart
from territory.maps import MapData, make_map
from territory.models import Municipality, PortalScope


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Row:
    """One line of an index table: a municipality or a respondent type, with its group."""

    key: str
    label: str
    group: GroupIndex | None
    url: str = ""
    change: float | None = None

    def value(self, key: str) -> float | None:
        if self.group is None or self.group.hidden:
            return None
        return self.group.values.get(key)

    @property
    def hidden(self) -> bool:
        return self.group is None or self.group.hidden


@dataclass
class Need:
    topic: str
    total: int
    by_municipality: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class CampaignReport:
    campaign: Campaign
    results: Results
    columns: list[Column]
    types: list[Row]
    municipalities: list[Row]
    respondent_type: str | None
    comparison: Chart | None
    map: MapData | None
    map_css: dict[str, str]
    recommendations: list[Recommendation]
    needs: list[Need]
    needs_respondents: int
    counts: dict[str, int]
    previous: Campaign | None
    open_answers: list[tuple[Question, list[str]]]

    @property
    def minimum(self) -> int:
        return self.results.minimum


def columns_of(dimensions: Iterable[Dimension], results: Results) -> list[Column]:
    """The dimensions that have an index somewhere in the campaign, then the overall index."""
    present = {key for g in results.groups.values() for key in g.values}
    found = [Column(d.slug, d.name) for d in dimensions if d.slug in present]
    return [*found, Column(OVERALL, _("Overall index"))]


def score_class(value: float | None) -> str:
    """The map's five classes of equal width (main.css: score-1 … score-5)."""
    if value is None:
        return "no-data"
    return f"score-{min(5, int(value // 20) + 1)}"


def campaign_report(
    campaign: Campaign, respondent_type: str | None = None, with_answers: bool = False
) -> CampaignReport:
    results = results_of(campaign)
    previous = campaign.previous if campaign.previous_id else None
    before = results_of(previous) if previous is not None and previous.is_published else None
    columns = columns_of(Dimension.objects.all(), results)
    types = [
        Row(kind, str(RespondentType(kind).label), results.get(kind, None))
        for kind in RespondentType.values
        if results.get(kind, None) is not None
    ]
    groups = results.municipalities(respondent_type)
    names = dict(Municipality.objects.filter(code__in=list(groups)).values_list("code", "name_bg"))
    municipalities = sorted(
        (
            Row(
                code,
                names.get(code, code),
                group,
                url=_municipality_url(campaign, code),
                change=results.change_from(before, (respondent_type, code), OVERALL),
            )
            for code, group in groups.items()
        ),
        key=lambda r: (r.hidden, -(r.value(OVERALL) or 0), r.label),
    )
    visible = [r for r in municipalities if r.value(OVERALL) is not None]
    comparison = (
        chart(
            "municipalities",
            _("Overall index by municipality (0–100)"),
            _("Index"),
            [(r.label, round(r.value(OVERALL) or 0)) for r in visible],
            top=100,
        )
        if visible
        else None
    )
    css = {r.key: score_class(r.value(OVERALL)) for r in municipalities}
    drawn = _map(campaign, groups, css)
    needs, needs_respondents = training_needs(campaign, results.minimum, names)
    return CampaignReport(
        campaign=campaign,
        results=results,
        columns=columns,
        types=types,
        municipalities=municipalities,
        respondent_type=respondent_type,
        comparison=comparison,
        map=drawn,
        map_css=css,
        recommendations=list(
            Recommendation.objects.filter(campaign=campaign, municipality=None).order_by("pk")
        ),
        needs=needs,
        needs_respondents=needs_respondents,
        counts=progress_counts(campaign),
        previous=previous if before is not None else None,
        open_answers=open_answers(campaign) if with_answers else [],
    )


def cached_campaign_report(campaign: Campaign, respondent_type: str | None) -> CampaignReport:
    """The page's report, kept until the results change (their version is in the key): its
    training needs read every response's answers, its map every municipality's outline."""
    key = (
        f"assessments:report:{campaign.pk}:{campaign.results_version}:"
        f"{respondent_type}:{get_language()}"
    )
    found = cache.get(key)
    if found is None:
        found = campaign_report(campaign, respondent_type)
        cache.set(key, found, 24 * 3600)
    return found


def _municipality_url(campaign: Campaign, code: str) -> str:
    return reverse("assessments:municipality", args=[campaign.pk, code])


def _map(campaign: Campaign, groups: dict[str, GroupIndex], css: dict[str, str]) -> MapData | None:
    # The portal's scope, with the municipalities that answered from beyond it.
    codes = PortalScope.current().municipality_codes() | set(groups)
    units = list(
        Municipality.objects.filter(code__in=codes).only(
            "code", "name_bg", "name_en", "svg_path", "bbox"
        )
    )
    if not units:
        return None
    return make_map(
        _("Overall index of the municipalities"),
        _(
            "Each municipality is coloured by its overall index in five classes from red "
            "(under 20) to blue (80 and over); those with too few answers are hatched grey. "
            "The table gives the same numbers."
        ),
        [_Unit(u, _municipality_url(campaign, u.code)) for u in units],
        css={u.code: css.get(u.code, "no-data") for u in units},
    )


@dataclass
class _Unit:
    """A municipality as territory.maps.make_map reads it, linked to its assessment page
    instead of its territory page."""

    municipality: Municipality
    url: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.municipality, name)

    def get_absolute_url(self) -> str:
        return self.url


def progress_counts(campaign: Campaign) -> dict[str, int]:
    invited = Invitation.objects.filter(campaign=campaign)
    states = dict(
        Response.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "invited": invited.count(),
        "started": states.get(ResponseState.DRAFT, 0),
        "submitted": states.get(ResponseState.SUBMITTED, 0),
    }


def training_needs(
    campaign: Campaign, minimum: int, names: dict[str, str]
) -> tuple[list[Need], int]:
    """How many respondents named each training topic (a topic chosen, or a matrix row rated 4
    or 5), in total and by municipality (only municipalities with at least `minimum`
    respondents of the questionnaire); and how many respondents the totals count."""
    questions = list(
        Question.objects.filter(
            questionnaire__campaigns=campaign, training_need=True
        ).prefetch_related("options")
    )
    if not questions:
        return [], 0
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    by_questionnaire: dict[int, list[Question]] = {}
    for q in questions:
        by_questionnaire.setdefault(q.questionnaire_id, []).append(q)
    totals: Counter[str] = Counter()
    local: dict[str, Counter[str]] = {}
    respondents: Counter[str | None] = Counter()
    rows = (
        Response.objects.submitted()
        .filter(campaign=campaign, questionnaire_id__in=list(by_questionnaire))
        .values_list("questionnaire_id", "municipality_id", "answers")
        .iterator(chunk_size=2000)
    )
    count = 0
    for questionnaire_id, code, answers in rows:
        count += 1
        respondents[code] += 1
        topics = {
            labels[o]
            for q in by_questionnaire[questionnaire_id]
            for o in _needed(q, answers.get(str(q.pk)))
            if o in labels
        }
        totals.update(topics)
        local.setdefault(code, Counter()).update(topics)
    if count < minimum:
        return [], count
    needs = [
        Need(
            topic,
            total,
            sorted(
                (
                    (names.get(code) or code, found[topic])
                    for code, found in local.items()
                    if code is not None and respondents[code] >= minimum and found[topic]
                ),
                key=lambda pair: (-pair[1], pair[0]),
            ),
        )
        for topic, total in totals.most_common()
    ]
    return needs, count


def _needed(question: Question, value: Any) -> set[int]:
    if question.type == QuestionType.MATRIX and isinstance(value, dict):
        return {int(row) for row, point in value.items() if row.isdigit() and point in (4, 5)}
    if isinstance(value, int):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, int)}
    return set()


def open_answers(campaign: Campaign) -> list[tuple[Question, list[str]]]:
    """The answers to the open questions, without who gave them (the annex)."""
    questions = list(
        Question.objects.filter(
            questionnaire__campaigns=campaign,
            type__in=[QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT],
        ).order_by("questionnaire_id", "section__position", "position", "pk")
    )
    if not questions:
        return []
    found: dict[str, list[str]] = {str(q.pk): [] for q in questions}
    rows = (
        Response.objects.submitted()
        .filter(campaign=campaign)
        .order_by("pk")
        .values_list("answers", flat=True)
        .iterator(chunk_size=2000)
    )
    for answers in rows:
        for key, texts in found.items():
            value = answers.get(key)
            if isinstance(value, str) and value.strip():
                texts.append(value.strip())
    return [(q, found[str(q.pk)]) for q in questions if found[str(q.pk)]]


@dataclass
class MunicipalityReport:
    campaign: Campaign
    municipality: Municipality
    columns: list[Column]
    rows: list[Row]
    profile: list[Chart]
    recommendations: list[Recommendation]
    previous: Campaign | None
    minimum: int
    # Each respondent with their own indices: for those who may see who answered.
    respondents: list[Row] = field(default_factory=list)


def respondent_rows(campaign: Campaign, municipality: Municipality) -> list[Row]:
    """The municipality's submitted responses by respondent name, each an index row."""
    responses = (
        Response.objects.submitted()
        .filter(campaign=campaign, municipality=municipality)
        .select_related("institution", "organisation")
        .order_by("respondent_type", "pk")
    )
    return [
        Row(
            str(r.pk),
            r.institution.name if r.institution is not None
            else r.organisation.display_name if r.organisation is not None
            else _("%(who)s, answered %(day)s") % {
                "who": RespondentType(r.respondent_type).label,
                "day": f"{r.submitted_on:%d.%m.%Y}" if r.submitted_on else "—",
            },
            GroupIndex(n=1, hidden=False, values=r.scores),
        )
        for r in responses
    ]  # fmt: skip


def municipality_report(
    campaign: Campaign, municipality: Municipality, with_respondents: bool = False
) -> MunicipalityReport:
    """The municipality's indices per respondent type and all together, each dimension as a
    bar (0–100) per respondent type, the change from the previous round, its
    recommendations."""
    results = results_of(campaign)
    previous = campaign.previous if campaign.previous_id else None
    before = results_of(previous) if previous is not None and previous.is_published else None
    columns = columns_of(Dimension.objects.all(), results)
    code = municipality.code
    rows = [
        Row(
            kind or "all",
            str(RespondentType(kind).label) if kind else _("All respondents"),
            results.get(kind, code),
            change=results.change_from(before, (kind, code), OVERALL),
        )
        for kind in [*RespondentType.values, None]
        if results.get(kind, code) is not None
    ]
    profile = [
        chart(
            f"profile-{row.key}",
            _("Profile by dimension: %(who)s") % {"who": row.label},
            _("Index"),
            [(c.label, round(v)) for c in columns if (v := row.value(c.key)) is not None],
            top=100,
        )
        for row in rows
        if not row.hidden
    ]
    return MunicipalityReport(
        campaign=campaign,
        municipality=municipality,
        columns=columns,
        rows=rows,
        profile=profile,
        recommendations=list(
            Recommendation.objects.filter(campaign=campaign, municipality=municipality)
            .select_related("rule")
            .order_by("pk")
        ),
        previous=previous if before is not None else None,
        minimum=results.minimum,
        respondents=respondent_rows(campaign, municipality) if with_respondents else [],
    )
