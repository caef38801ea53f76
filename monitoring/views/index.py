"""Monitoring: the section's landing page, the responsiveness dashboard (ranking of
institutions or municipalities, map, trend), one institution's or municipality's figures,
and the methodology page.

Every figure comes from the stored `Responsiveness` and `ResponsivenessMonth` rows
(monitoring/index.py keeps them current at each change): no page counts the records
themselves, and each page runs a fixed number of queries whatever the number of records,
institutions or municipalities. Filters are plain GET parameters; a wrong one is shown next
to its field and ignored, an unknown sort falls back to the score.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.db.models import F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.i18n import localized
from core.models import DeclaredDay
from core.widgets import ListSelect
from directory.models import Institution, InstitutionKind
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
        institutions (no municipality) of its provinces; two index range scans instead of
        summing every institution's months."""
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
        return [
            municipal,
            ResponsivenessMonth.objects.filter(institution_id__in=regional.values("pk")),
        ]

    def map_units(self) -> QuerySet[Municipality]:
        qs = Municipality.objects.all()
        if self.province is not None:
            return qs.filter(province_id=self.province.code)
        if self.codes is not None:
            return qs.filter(code__in=self.codes)
        return qs


def _scope_area() -> Area:
    """The portal's scope (three queries); all of Bulgaria while none is chosen."""
    scope = PortalScope.current()
    codes = sorted(scope.municipality_codes())
    if not codes:
        return Area(_("all of Bulgaria"), None)
    return Area(scope.name or _("the portal's region"), codes)


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
    for n, month in enumerate(months):
        got = sums.get(month, {})
        point = TrendMonth(
            month, got.get("d", 0), got.get("t", 0), got.get("s", 0), got.get("st", 0)
        )
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


@dataclass
class MapRow:
    code: str
    name: str
    url: str
    figures: index.Figures
    score: Decimal | None
    css: str


def _score_map(area: Area) -> tuple[MapData, list[MapRow], list[dict[str, Any]]]:
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
    css: dict[str, str] = {}
    notes: dict[str, str] = {}
    rows: list[MapRow] = []
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
        rows.append(
            MapRow(unit.code, unit.name, unit.url, index.Figures.of(row), score, css[unit.code])
        )
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
    return drawn, rows, legend


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
    shapes = ("svg_path", "bbox")
    if of == MUNICIPALITIES:
        qs = Responsiveness.objects.filter(
            Q(municipality__isnull=False) & area.municipalities()
        ).select_related("municipality", "province")
        deferred = [f"{unit}__{f}" for unit in ("municipality", "province") for f in shapes]
    else:
        qs = _institution_rows(area).select_related("institution__kind", "province")
        if chosen.get("kind"):
            qs = qs.filter(institution__kind__slug=chosen["kind"])
        deferred = [f"province__{f}" for f in shapes]
    minimum = max(chosen.get("min") or 0, 1)
    qs = qs.alias(records=F("requests_total") + F("signals_total") + F("commitments_total"))
    return qs.filter(records__gte=minimum).defer(*deferred).order_by(*ordering)


def _rank_rows(rows: list[Responsiveness], of: str) -> list[RankRow]:
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
        result.append(RankRow(name, url, kind, province, index.Figures.of(r), r.score))
    return result


@require_http_methods(["GET", "HEAD"])
def responsiveness(request: HttpRequest) -> HttpResponse:
    """The dashboard: ranking, map and trend of the chosen area (the portal's by default)."""
    scope = _scope_area()
    form = RankingForm(request.GET or None, scope_label=scope.label)
    chosen = form.chosen() if request.GET else {}
    of = chosen.get("of") or INSTITUTIONS
    area = scope
    if chosen.get("province") == ALL:
        area = Area(_("all of Bulgaria"), None)
    elif chosen.get("province"):
        province = next(p for p in form.provinces if p.code == chosen["province"])
        area = Area(province.name, None, province)
    key, descending = _sort(request)
    page = Paginator(
        _ranking(area, chosen, of, _ordering(key, descending, of)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    score_map, map_rows, legend = _score_map(area)
    trend = _trend(
        "area",
        _("Information requests answered on time, month by month: %(area)s") % {"area": area.label},
        area.month_rows(),
        _today(),
    )
    filtered = any(chosen.get(k) for k in ("province", "kind", "min")) or of != INSTITUTIONS
    return render(
        request,
        "monitoring/index/responsiveness.html",
        {
            "form": form,
            "of": of,
            "area": area,
            "page_obj": page,
            "rows": _rank_rows(list(page.object_list), of),
            "headers": _headers(request, key, descending, of),
            "filtered": filtered,
            "score_map": score_map,
            "map_rows": map_rows,
            "legend": legend,
            "trend": trend,
            "min_records": index.MIN_RECORDS,
            "breadcrumbs": [
                (_("Monitoring"), reverse("monitoring:index")),
                (_("Responsiveness of the institutions"), ""),
            ],
        },
    )


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
