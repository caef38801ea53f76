"""Monitoring: the section's landing page, the responsiveness dashboard (ranking of
institutions or municipalities, map, trend), one institution's or municipality's figures,
and the methodology page.

Every figure comes from the stored `Responsiveness` and `ResponsivenessMonth` rows
(monitoring/index.py keeps them current at each change): no page counts the records
themselves, and each page runs a fixed number of queries whatever the number of records,
institutions or municipalities. The dashboard's content is kept in the cache under the
index's version, which every change moves on (see DASHBOARD_CACHE_SECONDS). Filters are
plain GET parameters; a wrong one is shown next to its field and ignored, an unknown sort
falls back to the score.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, FloatField, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, NullIf
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.i18n import localized
from core.models import DeclaredDay
from core.templatetags.core import number as number_filter
from core.widgets import ListSelect
from directory.models import Institution, InstitutionKind
from directory.selectors import VERSION_KEY as DIRECTORY_VERSION
from directory.selectors import directory_version
from monitoring import index, legal
from monitoring.models import Responsiveness, ResponsivenessMonth
from territory.maps import MapData, make_map
from territory.models import Municipality, PortalScope, Province

PAGE_SIZE = 50
MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
MUNICIPALITY_CODE = re.compile(r"[A-Z]{3}[0-9]{2}")
INSTITUTION_ID = re.compile(r"[0-9]{1,19}")
ALL = "all"


def url_or_empty(name: str, *args: Any) -> str:
    """The address of a page another part of the monitoring provides; '' while it is not
    there, so these pages never break because of a page they only link to."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _detail_url(kind: str, key: str | int) -> str:
    """The figures page of an institution or municipality. Reversed once per kind and filled
    in: a map of 265 municipalities would otherwise spend most of its time in reverse()."""
    cache_key = (get_language() or "", kind)
    template = _DETAIL_URLS.get(cache_key)
    if template is None:
        template = _DETAIL_URLS[cache_key] = reverse(
            "monitoring:responsiveness-detail", args=[kind, _PLACEHOLDER]
        )
    return template.replace(_PLACEHOLDER, str(key))


_PLACEHOLDER = "KEY00"
# (language, kind) → the address with _PLACEHOLDER for the key ("/en/…" in English).
_DETAIL_URLS: dict[tuple[str, str], str] = {}


def _with_query(url: str, **params: Any) -> str:
    if not url:
        return ""
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


# --- The area shown: the portal's scope, one province, or all of Bulgaria --------------------


@dataclass
class Area:
    """Which part of the country a page shows. `codes` None means all of it."""

    label: str
    codes: list[str] | None
    province: Province | None = None

    def institutions(self) -> Q:
        """Institution rows in the area: those of its municipalities, and the province-wide
        ones (no municipality) of their provinces (as directory.selectors.in_scope)."""
        if self.province is not None:
            return Q(province_id=self.province.code)
        if self.codes is None:
            return Q()
        provinces = Municipality.objects.filter(code__in=self.codes).values("province_id")
        return Q(institution__municipality_id__in=self.codes) | Q(
            institution__municipality__isnull=True, province_id__in=provinces
        )

    def municipalities(self) -> Q:
        if self.province is not None:
            return Q(province_id=self.province.code)
        if self.codes is None:
            return Q()
        return Q(municipality_id__in=self.codes)

    def month_rows(self) -> list[QuerySet[ResponsivenessMonth]]:
        """The months of the area: its municipalities' rows (every record of their
        institutions, by the records' municipality) and those of the province-wide
        institutions (no municipality) of its provinces; two index range scans (after one
        query for those institutions' ids) instead of summing every institution's months."""
        regional = Institution.objects.filter(municipality__isnull=True)
        municipal = ResponsivenessMonth.objects.filter(municipality__isnull=False)
        if self.province is not None:
            regional = regional.filter(province_id=self.province.code)
            municipal = municipal.filter(
                municipality_id__in=Municipality.objects.filter(
                    province_id=self.province.code
                ).values("code")
            )
        elif self.codes is not None:
            regional = regional.filter(
                province_id__in=Municipality.objects.filter(code__in=self.codes).values(
                    "province_id"
                )
            )
            municipal = municipal.filter(municipality_id__in=self.codes)
        # The province-wide institutions' ids first (a few dozen): as a subquery the planner
        # scans every month of every institution instead of their index.
        ids = list(regional.values_list("pk", flat=True))
        return [municipal, ResponsivenessMonth.objects.filter(institution_id__in=ids)]

    def map_units(self) -> QuerySet[Municipality]:
        qs = Municipality.objects.all()
        if self.province is not None:
            return qs.filter(province_id=self.province.code)
        if self.codes is not None:
            return qs.filter(code__in=self.codes)
        return qs


def _scope_area() -> Area:
    """The portal's scope (PortalScope.current(): its municipalities and those of its
    provinces, with its name, in one query); all of Bulgaria while none is chosen."""
    scope = PortalScope.objects.filter(pk=1)
    chosen = PortalScope.municipalities.through.objects.filter(portalscope_id=1)
    provinces = PortalScope.provinces.through.objects.filter(portalscope_id=1)
    rows = list(
        Municipality.objects.filter(
            Q(code__in=chosen.values("municipality_id"))
            | Q(province_id__in=provinces.values("province_id"))
        )
        .annotate(
            scope_bg=Subquery(scope.values("name_bg")),
            scope_en=Subquery(scope.values("name_en")),
        )
        .order_by("code")
        .values_list("code", "scope_bg", "scope_en")
    )
    if not rows:
        return Area(_("all of Bulgaria"), None)
    _code, name_bg, name_en = rows[0]
    label = localized(name_bg or "", name_en or "") or _("the portal's region")
    return Area(label, [code for code, _bg, _en in rows])


def _institution_rows(area: Area) -> QuerySet[Responsiveness]:
    return Responsiveness.objects.filter(Q(institution__isnull=False) & area.institutions())


# --- Trend: a line of the share answered on time, month by month ------------------------------

TREND_WIDTH, TREND_HEIGHT = 640, 240
TREND_SUMS = ("d", "t", "s", "st")
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 48, 32, 12, 36


@dataclass
class TrendMonth:
    month: datetime.date
    decided: int
    on_time: int
    signals: int
    signals_on_time: int
    x: float = 0
    y: float | None = None
    # The month and its numbers as the table writes them (_trend).
    shown: dict[str, str] = field(default_factory=dict)

    @property
    def share(self) -> Decimal | None:
        return index.percent(self.on_time, self.decided)

    @property
    def signals_share(self) -> Decimal | None:
        return index.percent(self.signals_on_time, self.signals)


@dataclass
class Trend:
    slug: str
    title: str
    description: str
    months: list[TrendMonth]
    lines: list[str]  # polyline points, one per run of months with decisions
    x_labels: list[tuple[float, str]]
    y_labels: list[tuple[float, str]]
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    right_edge: int = TREND_WIDTH - TREND_RIGHT
    bottom_edge: int = TREND_HEIGHT - TREND_BOTTOM

    @property
    def has_data(self) -> bool:
        return any(m.decided for m in self.months)


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    n = day.year * 12 + day.month - 1 - back
    return datetime.date(n // 12, n % 12 + 1, 1)


def _trend_months(today: datetime.date) -> list[datetime.date]:
    return [_month_start(today, back) for back in range(index.TREND_MONTHS - 1, -1, -1)]


def _trend(
    slug: str, title: str, sources: list[QuerySet[ResponsivenessMonth]], today: datetime.date
) -> Trend:
    """The last 24 months of the `sources` summed (one query each), laid out as a line chart:
    x the month, y the share of requests answered on time; months without a decision break
    the line."""
    months = _trend_months(today)
    sums: dict[datetime.date, dict[str, int]] = {}
    for rows in sources:
        for row in (
            rows.filter(month__gte=months[0], month__lte=months[-1])
            .values("month")
            .annotate(
                d=Sum("requests_decided"),
                t=Sum("requests_on_time"),
                s=Sum("signals_answered"),
                st=Sum("signals_on_time"),
            )
            .order_by()
        ):
            entry = sums.setdefault(index._as_date(row["month"]), dict.fromkeys(TREND_SUMS, 0))
            for key in TREND_SUMS:
                entry[key] += row[key] or 0  # type: ignore[literal-required]
    plot_w = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_h = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    step = plot_w / (len(months) - 1)
    points: list[TrendMonth] = []
    lines: list[str] = []
    run: list[str] = []
    text = _Text()
    for n, month in enumerate(months):
        got = sums.get(month, {})
        point = TrendMonth(
            month, got.get("d", 0), got.get("t", 0), got.get("s", 0), got.get("st", 0)
        )
        point.shown = {
            "month": f"{month:%m.%Y}",
            "decided": text.number(point.decided),
            "on_time": text.number(point.on_time),
            "share": text.decimal(point.share),
            "signals": text.number(point.signals),
            "signals_on_time": text.number(point.signals_on_time),
        }
        point.x = round(TREND_LEFT + n * step, 1)
        if point.decided:
            point.y = round(TREND_TOP + plot_h * (1 - point.on_time / point.decided), 1)
            run.append(f"{point.x},{point.y}")
        elif run:
            lines.append(" ".join(run))
            run = []
        points.append(point)
    if run:
        lines.append(" ".join(run))
    decided = sum(p.decided for p in points)
    on_time = sum(p.on_time for p in points)
    share = index.percent(on_time, decided)
    description = (
        _(
            "From %(start)s to %(end)s: %(decided)s information requests decided, %(on_time)s "
            "of them on time (%(share)s %%). Each point is one month; months without a decision "
            "are left out. The table below gives every month's numbers."
        )
        % {
            "start": f"{months[0]:%m.%Y}",
            "end": f"{months[-1]:%m.%Y}",
            "decided": number_format(decided, force_grouping=True),
            "on_time": number_format(on_time, force_grouping=True),
            "share": number_format(share, 1) if share is not None else "—",
        }
        if decided
        else _("No information request was decided in these months.")
    )
    return Trend(
        slug=slug,
        title=title,
        description=description,
        months=points,
        lines=lines,
        x_labels=[(p.x, f"{p.month:%m.%Y}") for n, p in enumerate(points) if n % 6 == 5],
        y_labels=[
            (round(TREND_TOP + plot_h * (1 - v / 100), 1), f"{v} %") for v in (0, 25, 50, 75, 100)
        ],
    )


# --- The map ----------------------------------------------------------------------------------


@dataclass
class _Unit:
    """What territory.maps.make_map reads of a municipality, with the link to its figures
    instead of its territory page."""

    code: str
    name: str
    svg_path: str
    bbox: Any
    url: str

    @property
    def pk(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return self.url


class _Text:
    """Numbers as the page's language writes them, as the templates' `number` and
    `floatformat` filters do, each value once: a map or a ranking repeats the same few hundred,
    and the filters were a good part of the dashboard's time."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, Any], str] = {}

    def number(self, value: int | None) -> str:
        """Thousands grouped (core's `number` filter)."""
        key = ("n", value)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = number_filter(value)
        return found

    def decimal(self, value: Decimal | None, digits: str = "1") -> str:
        """`floatformat:digits`, or a dash without a value."""
        key = (digits, value)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = str(floatformat(value, digits)) or "—"
        return found


# One shape of the map as territory/includes/map.html draws it, and one row of its table:
# written in one pass here (the scope's 69 municipalities, or all 265, with their long paths
# were most of the map's time through the template).
MAP_SHAPE = '<a href="{}" aria-label="{}"><title>{}</title><path class="map-shape{}" d="{}"/></a>'
MAP_ROW = (
    '<tr>\n        <th scope="row" data-label="{}"><a href="{}">{}</a></th>'
    '\n        <td class="num" data-label="{}">{}</td>'
    '\n        <td class="num" data-label="{}">{}</td>'
    '\n        <td class="num" data-label="{}">{}</td>\n      </tr>'
)


@dataclass
class ScoreMap:
    """The area's map (its box, title and description, and its shapes as markup), the same
    numbers as table rows, and the legend with how many fall in each class."""

    map: MapData
    shapes: SafeString
    rows: SafeString
    legend: list[dict[str, Any]]


def _score_map(area: Area) -> ScoreMap:
    """The area's municipalities coloured by their score in five classes (two queries), the
    same numbers as table rows, and the legend with how many fall in each class."""
    units = [
        _Unit(code, localized(bg, en), path, bbox, _detail_url("municipality", code))
        for code, bg, en, path, bbox in area.map_units()
        .order_by("name_bg", "code")
        .values_list("code", "name_bg", "name_en", "svg_path", "bbox")
    ]
    stored = {
        r.municipality_id: r
        for r in Responsiveness.objects.filter(municipality_id__in=[u.code for u in units])
    }
    text = _Text()
    no_data = format_html('<span class="muted">{}</span>', _("no data"))
    labels = [_("Municipality"), _("Score"), _("Records due"), _("Requests on time, %")]
    css: dict[str, str] = {}
    notes: dict[str, str] = {}
    rows: list[tuple[Any, ...]] = []
    for unit in units:
        row = stored.get(unit.code)
        score = row.score if row else None
        klass = index.score_class(score)
        css[unit.code] = f"score-{klass}" if klass else "no-data"
        notes[unit.code] = (
            _("score %(score)s") % {"score": number_format(score, 1)}
            if score is not None
            else _("no data")
        )
        figures = index.Figures.of(row)
        rows.append(
            (
                labels[0], unit.url, unit.name,
                labels[1], text.decimal(score) if score is not None else no_data,
                labels[2], text.number(figures.records_due),
                labels[3], text.decimal(figures.requests_on_time_share),
            )
        )  # fmt: skip
    drawn = make_map(
        _("Responsiveness of the municipalities: %(area)s") % {"area": area.label},
        _(
            "Each municipality is coloured by its score in five classes from red (under 20) "
            "to blue (80 and over); those without enough data are hatched grey. Each links "
            "to its figures; the table beside the map gives the same numbers."
        ),
        units,
        css=css,
        notes=notes,
    )
    shapes = format_html_join(
        "\n    ",
        MAP_SHAPE,
        (
            (s.url, label, label, f" {s.css}" if s.css else "", s.path)
            for s in drawn.shapes
            for label in [f"{s.label} ({s.note})" if s.note else s.label]
        ),
    )
    counts = dict.fromkeys([f"score-{n}" for n, _lo, _hi in index.SCORE_CLASSES], 0)
    counts["no-data"] = 0
    for css_class in css.values():
        counts[css_class] += 1
    legend = [
        {
            "css": f"score-{n}",
            "label": _("%(low)s to under %(high)s") % {"low": low, "high": high}
            if n < 5
            else _("%(low)s and over") % {"low": low},
            "count": counts[f"score-{n}"],
        }
        for n, low, high in index.SCORE_CLASSES
    ]
    legend.append({"css": "no-data", "label": _("no data (hatched)"), "count": counts["no-data"]})
    return ScoreMap(drawn, shapes, format_html_join("", MAP_ROW, rows), legend)


# --- The ranking ------------------------------------------------------------------------------

INSTITUTIONS, MUNICIPALITIES = "institutions", "municipalities"


def _share(numerator: str, denominator: str) -> Any:
    return Cast(F(numerator), FloatField()) * 100 / NullIf(F(denominator), 0)


# key: (label, expression or field, numeric, first direction)
REQUESTS_GROUP = gettext_lazy("Information requests")
SIGNALS_GROUP = gettext_lazy("Proposals and signals")
COMMITMENTS_GROUP = gettext_lazy("Commitments")


@dataclass(frozen=True)
class Column:
    """A sortable column of the ranking: its short heading under its group's (`group`, read
    out with it), what it sorts by (None: the name), and the first direction of a click."""

    label: Any
    group: Any
    expression: Any
    numeric: bool
    first: str


SORTS: dict[str, Column] = {
    "name": Column(gettext_lazy("Name"), "", None, False, "asc"),
    "province": Column(gettext_lazy("Province"), "", "province__name_bg", False, "asc"),
    "requests": Column(gettext_lazy("Total"), REQUESTS_GROUP, "requests_total", True, "desc"),
    "on_time": Column(
        gettext_lazy("On time, %"),
        REQUESTS_GROUP,
        _share("requests_on_time", "requests_due"),
        True,
        "desc",
    ),
    "overdue": Column(
        gettext_lazy("Overdue now"), REQUESTS_GROUP, "requests_overdue", True, "desc"
    ),
    "median": Column(gettext_lazy("Median days"), REQUESTS_GROUP, "median_days", True, "asc"),
    "signals": Column(gettext_lazy("Total"), SIGNALS_GROUP, "signals_total", True, "desc"),
    "signals_on_time": Column(
        gettext_lazy("On time, %"),
        SIGNALS_GROUP,
        _share("signals_on_time", "signals_due"),
        True,
        "desc",
    ),
    "commitments": Column(
        gettext_lazy("Total"), COMMITMENTS_GROUP, "commitments_total", True, "desc"
    ),
    "commitments_on_time": Column(
        gettext_lazy("On time, %"),
        COMMITMENTS_GROUP,
        _share("commitments_done_on_time", "commitments_due"),
        True,
        "desc",
    ),
    "score": Column(gettext_lazy("Score"), "", "score", True, "desc"),
}
DEFAULT_SORT = "-score"


class RankingForm(forms.Form):
    of = forms.ChoiceField(
        label=gettext_lazy("Rank"),
        required=False,
        choices=[
            (INSTITUTIONS, gettext_lazy("institutions")),
            (MUNICIPALITIES, gettext_lazy("municipalities (all their institutions together)")),
        ],
    )
    province = forms.ChoiceField(label=gettext_lazy("Area"), required=False, widget=ListSelect)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of institution"), required=False, widget=ListSelect
    )
    min = forms.IntegerField(
        label=gettext_lazy("At least this many records"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=gettext_lazy("Requests, proposals, signals and commitments together."),
    )

    def __init__(self, *args: Any, scope_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provinces = list(
            Province.objects.only("code", "name_bg", "name_en").order_by("name_bg")
        )
        choice = lambda name: cast(forms.ChoiceField, self.fields[name])  # noqa: E731
        choice("province").choices = [
            ("", _("the portal's region (%(name)s)") % {"name": scope_label}),
            (ALL, _("all of Bulgaria")),
        ] + [(p.code, p.name) for p in self.provinces]
        choice("kind").choices = [("", _("all"))] + [
            (k.slug, k.name) for k in InstitutionKind.objects.only("slug", "name_bg", "name_en")
        ]

    def chosen(self) -> dict[str, Any]:
        """What was chosen, without the fields that are wrong (shown with their message)."""
        self.is_valid()
        return dict(self.cleaned_data)


@dataclass
class RankRow:
    name: str
    url: str
    kind: str
    province: str
    figures: index.Figures
    score: Decimal | None
    # The figures as the ranking writes them (_rank_rows: the `number` and `floatformat`
    # filters' text, each value formatted once).
    shown: dict[str, str] = field(default_factory=dict)

    @property
    def score_class(self) -> int | None:
        return index.score_class(self.score)


def _sort(request: HttpRequest) -> tuple[str, bool]:
    value = request.GET.get("sort", DEFAULT_SORT)
    key = value.lstrip("-")
    if key not in SORTS or value.count("-") > 1:
        value = DEFAULT_SORT
        key = value.lstrip("-")
    return key, value.startswith("-")


def _ordering(key: str, descending: bool, of: str) -> list[Any]:
    name = "institution__name_bg" if of == INSTITUTIONS else "municipality__name_bg"
    expression = SORTS[key].expression or name
    if isinstance(expression, str):
        expression = F(expression)
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [first, F(name).asc(), F("pk").asc()]


def _headers(request: HttpRequest, key: str, descending: bool, of: str) -> list[dict[str, Any]]:
    headers = []
    for column, spec in SORTS.items():
        current = column == key
        flip = not descending if current else spec.first == "desc"
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = ("-" if flip else "") + column
        headers.append(
            {
                "key": column,
                "label": spec.label,
                "group": spec.group,
                "numeric": spec.numeric,
                "url": "?" + query.urlencode(),
                "sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return headers


def _ranking(
    area: Area, chosen: dict[str, Any], of: str, ordering: list[Any]
) -> QuerySet[Responsiveness]:
    # Only the columns the rows show: an institution's row has a dozen more (addresses,
    # departments) and the territory's the shapes of the map.
    shown = [*index.COUNTERS, "median_days", "score", "province__name_bg", "province__name_en"]
    if of == MUNICIPALITIES:
        qs = Responsiveness.objects.filter(
            Q(municipality__isnull=False) & area.municipalities()
        ).select_related("municipality", "province")
        shown += ["municipality__name_bg", "municipality__name_en"]
    else:
        qs = _institution_rows(area).select_related("institution__kind", "province")
        if chosen.get("kind"):
            qs = qs.filter(institution__kind__slug=chosen["kind"])
        shown += [
            f"institution__{name}"
            for name in ("name_bg", "name_en", "kind__name_bg", "kind__name_en")
        ]
    minimum = max(chosen.get("min") or 0, 1)
    qs = qs.alias(records=F("requests_total") + F("signals_total") + F("commitments_total"))
    return qs.filter(records__gte=minimum).only(*shown).order_by(*ordering)


def _rank_rows(rows: list[Responsiveness], of: str) -> list[RankRow]:
    text = _Text()
    result = []
    for r in rows:
        if of == MUNICIPALITIES:
            municipality = cast(Municipality, r.municipality)
            name, kind = municipality.name, _("municipality")
            url = _detail_url("municipality", municipality.code)
        else:
            institution = cast(Institution, r.institution)
            name, kind = institution.name, institution.kind.name
            url = _detail_url("institution", institution.pk)
        province = r.province.name if r.province else ""
        figures = index.Figures.of(r)
        shown = {
            "requests": text.number(figures.requests_total),
            "requests_on_time": text.decimal(figures.requests_on_time_share),
            "requests_overdue": text.number(figures.requests_overdue),
            "median_days": text.decimal(figures.median_days, "-1"),
            "signals": text.number(figures.signals_total),
            "signals_on_time": text.decimal(figures.signals_on_time_share),
            "commitments": text.number(figures.commitments_total),
            "commitments_on_time": text.decimal(figures.commitments_on_time_share),
            "score": text.decimal(r.score),
        }
        result.append(RankRow(name, url, kind, province, figures, r.score, shown))
    return result


# --- The dashboard, kept in the cache ----------------------------------------------------------

# The dashboard's content (its 130 KB of ranking, map and trend took most of its time to
# render) is kept under the stored figures' version (monitoring.index.version, moved on by
# every refresh once it commits) and the directory's (names and kinds of the institutions),
# with the language, the day (the trend's months), the portal's scope and the query: a change
# of a record shows at once. The area's map and trend, the same for every sort and page of
# the ranking, are kept on their own. Municipalities' names and shapes change only with
# load_territory, which raises no signal: they show within the timeout.
DASHBOARD_CACHE_SECONDS = 600
# The dashboard's own parameters, as its form and links write them. A query with anything
# else (or repeated, or longer) is rendered afresh and not kept, nor one whose form has
# errors: the cache holds what the page's links lead to, not whatever can be typed.
CACHED_PARAMS: dict[str, re.Pattern[str]] = {
    "of": re.compile(r"[a-z]{0,20}"),
    "province": re.compile(r"[A-Za-z0-9]{0,8}"),
    "kind": re.compile(r"[a-z0-9-]{0,60}"),
    "min": re.compile(r"[0-9]{0,7}"),
    "sort": re.compile(r"-?[a-z_]{0,20}"),
    "page": re.compile(r"[0-9]{0,5}|last"),
}


def _cached_query(query: QueryDict) -> list[tuple[str, str]] | None:
    """The query as the cache key takes it (sorted), or None when it is not to be kept."""
    items = []
    for key, values in query.lists():
        pattern = CACHED_PARAMS.get(key)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return None
        items.append((key, values[0]))
    return sorted(items)


# Part of every key: raised when what is kept under them changes shape. (A changed template
# shows within the timeout, as the other pages' cached fragments do.)
CACHE_FORMAT = 2


def _cache_key(kind: str, *parts: Any) -> str:
    spec = json.dumps(parts, ensure_ascii=False, default=str)
    digest = hashlib.sha256(spec.encode()).hexdigest()[:40]
    return f"monitoring:dashboard:{CACHE_FORMAT}:{kind}:{digest}"


def _kept(value: Any, versions: list[int]) -> SafeString | None:
    """The HTML kept in `value` (versions, packed HTML) if it was made under `versions`."""
    fits = isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], bytes)
    return _unpack(value[1]) if fits and value[0] == versions else None


def _pack(html: str) -> bytes:
    """The HTML as the cache keeps it: compressed to a fifth, which the database cache
    writes and reads several times faster (a 300 KB value costs milliseconds there)."""
    return zlib.compress(html.encode(), 1)


def _unpack(data: bytes) -> SafeString:
    return mark_safe(zlib.decompress(data).decode())  # noqa: S308 - what _pack kept of a template's output


def _versions(found: dict[str, Any]) -> list[int]:
    """The versions the kept content must have been made under (from `found`, a get_many
    that asked for them too; read again, or started, where the cache had lost them)."""
    return [
        found.get(index.VERSION_KEY) or index.version(),
        found.get(DIRECTORY_VERSION) or directory_version(),
    ]


@require_http_methods(["GET", "HEAD"])
def responsiveness(request: HttpRequest) -> HttpResponse:
    """The dashboard: ranking, map and trend of the chosen area (the portal's by default).
    Kept in the cache (see DASHBOARD_CACHE_SECONDS): the scope and one read of the cache
    when it is there."""
    scope = _scope_area()
    query = _cached_query(request.GET)
    common = [get_language() or "", _today().isoformat(), scope.label, scope.codes]
    page_key = _cache_key("page", *common, query) if query is not None else ""
    found = cache.get_many([k for k in (page_key, index.VERSION_KEY, DIRECTORY_VERSION) if k])
    versions = _versions(found)
    content = _kept(found.get(page_key), versions)
    if content is None:
        content, valid = _dashboard(request, scope, common, versions)
        if page_key and valid:
            cache.set(page_key, (versions, _pack(content)), DASHBOARD_CACHE_SECONDS)
    return render(
        request,
        "monitoring/index/responsiveness.html",
        {
            "content": content,
            "breadcrumbs": [
                (_("Monitoring"), reverse("monitoring:index")),
                (_("Responsiveness of the institutions"), ""),
            ],
        },
    )


def _dashboard(
    request: HttpRequest, scope: Area, common: list[Any], versions: list[int]
) -> tuple[SafeString, bool]:
    """The dashboard's content as HTML, and whether its filters were all right."""
    form = RankingForm(request.GET or None, scope_label=scope.label)
    chosen = form.chosen() if request.GET else {}
    of = chosen.get("of") or INSTITUTIONS
    area, area_id = scope, ""
    if chosen.get("province") == ALL:
        area, area_id = Area(_("all of Bulgaria"), None), ALL
    elif chosen.get("province"):
        province = next(p for p in form.provinces if p.code == chosen["province"])
        area, area_id = Area(province.name, None, province), province.code
    key, descending = _sort(request)
    page = Paginator(
        _ranking(area, chosen, of, _ordering(key, descending, of)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    filtered = any(chosen.get(k) for k in ("province", "kind", "min")) or of != INSTITUTIONS
    content = render_to_string(
        "monitoring/index/_dashboard.html",
        {
            "form": form,
            "of": of,
            "area": area,
            "page_obj": page,
            "rows": _rank_rows(list(page.object_list), of),
            "headers": _headers(request, key, descending, of),
            "filtered": filtered,
            "area_html": _area_html(area, _cache_key("area", *common, area_id), versions),
            "min_records": index.MIN_RECORDS,
        },
        request,
    )
    return mark_safe(content), not form.errors  # noqa: S308 - the template's output


def _area_html(area: Area, key: str, versions: list[int]) -> SafeString:
    """The area's map, its numbers and its trend (_area.html), kept under `key`."""
    kept = _kept(cache.get(key), versions)
    if kept is not None:
        return kept
    score_map = _score_map(area)
    trend = _trend(
        "area",
        _("Information requests answered on time, month by month: %(area)s") % {"area": area.label},
        area.month_rows(),
        _today(),
    )
    html = render_to_string(
        "monitoring/index/_area.html",
        {
            "area": area,
            "score_map": score_map,
            "trend": trend,
        },
    )
    cache.set(key, (versions, _pack(html)), DASHBOARD_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - the template's output


def _today() -> datetime.date:
    from monitoring.services.common import today

    return today()


# --- One institution or municipality ----------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    institution: Institution | None = None
    municipality: Municipality | None = None
    members: list[RankRow] = []
    if kind == "institution":
        if not INSTITUTION_ID.fullmatch(key) or int(key) > MAX_ID:
            raise Http404
        institution = get_object_or_404(
            Institution.objects.select_related("kind", "municipality", "province").defer(
                *(f"{u}__{f}" for u in ("municipality", "province") for f in ("svg_path", "bbox"))
            ),
            pk=int(key),
        )
        row = Responsiveness.objects.filter(institution=institution).first()
        months = ResponsivenessMonth.objects.filter(institution=institution)
        name = institution.name
        filter_param: dict[str, Any] = {"institution": institution.pk}
    elif kind == "municipality":
        if not MUNICIPALITY_CODE.fullmatch(key):
            raise Http404
        municipality = get_object_or_404(
            Municipality.objects.select_related("province").defer(
                "svg_path", "bbox", "province__svg_path", "province__bbox"
            ),
            code=key,
        )
        row = Responsiveness.objects.filter(municipality=municipality).first()
        months = ResponsivenessMonth.objects.filter(municipality=municipality)
        name = municipality.name
        filter_param = {"municipality": municipality.code}
        member_rows = (
            Responsiveness.objects.filter(institution__municipality=municipality)
            .select_related("institution__kind", "province")
            .defer("province__svg_path", "province__bbox")
            .order_by(F("score").desc(nulls_last=True), "institution__name_bg", "pk")
        )
        members = _rank_rows(list(member_rows), INSTITUTIONS)
    else:
        raise Http404
    figures = index.Figures.of(row)
    links = [
        (
            _("See its information requests"),
            _with_query(url_or_empty("monitoring:requests"), **filter_param),
        ),
        (
            _("See its proposals and signals"),
            _with_query(url_or_empty("monitoring:signals"), **filter_param),
        ),
        (
            _("See its commitments"),
            _with_query(url_or_empty("monitoring:commitments"), **filter_param),
        ),
    ]
    return render(
        request,
        "monitoring/index/detail.html",
        {
            "name": name,
            "institution": institution,
            "municipality": municipality,
            "row": row,
            "figures": figures,
            "score": row.score if row else None,
            "score_class": index.score_class(row.score if row else None),
            "parts": figures.parts(),
            "members": members,
            "links": [(label, url) for label, url in links if url],
            "trend": _trend(
                "unit",
                _("Information requests answered on time, month by month: %(name)s")
                % {"name": name},
                [months],
                _today(),
            ),
            "min_records": index.MIN_RECORDS,
            "breadcrumbs": [
                (_("Monitoring"), reverse("monitoring:index")),
                (_("Responsiveness of the institutions"), reverse("monitoring:responsiveness")),
                (name, ""),
            ],
        },
    )


# --- The landing page -------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def landing(request: HttpRequest) -> HttpResponse:
    """What the monitoring is for, its three parts with the figures of the portal's area
    (summed from the stored rows: one query), and where to go next."""
    area = _scope_area()
    sums = _institution_rows(area).aggregate(**{k: Sum(k) for k in index.COUNTERS})
    figures = index.Figures.of(sums)
    return render(
        request,
        "monitoring/index/landing.html",
        {
            "area": area,
            "figures": figures,
            "score": figures.score,
            "links": {
                "request_file": url_or_empty("monitoring:request-file"),
                "signal_file": url_or_empty("monitoring:signal-file"),
                "requests": url_or_empty("monitoring:requests"),
                "signals": url_or_empty("monitoring:signals"),
                "commitments": url_or_empty("monitoring:commitments"),
                "reports": url_or_empty("monitoring:reports"),
                "inbox": url_or_empty("monitoring:inbox"),
            },
            "breadcrumbs": [(_("Monitoring"), "")],
        },
    )


# --- Methodology ------------------------------------------------------------------------------


SHARE_FORMULAS = {
    "requests_on_time": gettext_lazy("A = requests answered on time ÷ requests due"),
    "requests_not_overdue": gettext_lazy(
        "B = (requests due − requests overdue now) ÷ requests due"
    ),
    "signals_on_time": gettext_lazy(
        "C = proposals and signals answered on time ÷ proposals and signals due"
    ),
    "commitments_on_time": gettext_lazy("D = commitments done on time ÷ commitments due"),
    "consultations_meeting_minimum": gettext_lazy(
        "E = published consultations giving the legal minimum period ÷ published consultations"
    ),
}


@require_http_methods(["GET", "HEAD"])
def methodology(request: HttpRequest) -> HttpResponse:
    today = _today()
    declared = DeclaredDay.objects.filter(date__year__in=[today.year, today.year + 1]).order_by(
        "date"
    )
    return render(
        request,
        "monitoring/index/methodology.html",
        {
            "weights": [
                (index.PART_LABELS[key], weight, SHARE_FORMULAS[key])
                for key, weight in index.WEIGHTS.items()
            ],
            "example": index.Figures(requests_due=10, requests_on_time=6, requests_overdue=2),
            "min_records": index.MIN_RECORDS,
            "trend_months": index.TREND_MONTHS,
            "classes": index.SCORE_CLASSES,
            "rules": legal.rules(),
            "declared": list(declared),
            "breadcrumbs": [
                (_("Monitoring"), reverse("monitoring:index")),
                (_("Responsiveness of the institutions"), reverse("monitoring:responsiveness")),
                (_("Methodology"), ""),
            ],
        },
    )


urlpatterns: list[URLPattern] = [
    path("", landing, name="index"),
    path("responsiveness/", responsiveness, name="responsiveness"),
    path("responsiveness/methodology/", methodology, name="methodology"),
    path("responsiveness/<str:kind>/<str:key>/", detail, name="responsiveness-detail"),
]
