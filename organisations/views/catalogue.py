"""The catalogue: search with facets, an organisation's page, open-data exports.

Every page runs a fixed number of queries, whatever the number of organisations: the facets
cost two queries counted in one pass (organisations.selectors.count_facets), the list one
COUNT and one page, and the rows' seats and fields are eager-loaded.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.i18n import localized
from organisations import filters as filters_mod
from organisations import selectors
from organisations.enums import LegalForm, Reach, RegisterStatus, Visibility
from organisations.loader import CC_SOURCE
from organisations.models import Network, Organisation, display_name_of
from organisations.selectors import CatalogueFilters, Sort
from territory.models import Province

PAGE_SIZE = 25
MAX_VALUES = filters_mod.MAX_VALUES
MAX_ID = 2**63 - 1
PROVINCE_CODE = re.compile(r"[A-Z]{3}")
EXPORT_CHUNK = 2000


def _crumbs() -> list[tuple[str, str]]:
    return [(_("Organisations"), reverse("organisations:index"))]


@dataclass(frozen=True)
class Option:
    """One value of a facet as the form shows it: a checkbox with its count."""

    value: str
    label: str
    count: int
    checked: bool

    @property
    def count_text(self) -> str:
        return number_format(self.count, force_grouping=True)


@dataclass(frozen=True)
class Row:
    """An organisation as the list shows it, its texts written out here rather than by the
    template (a page of 25 rows and 150 checkboxes renders in a few milliseconds)."""

    url: str
    name: str
    legal_form: str
    seat: str
    fields: str
    closed: str
    unclaimed: bool
    is_demo: bool


def _row(v: dict[str, Any], field_names: dict[int, str], municipality_label: str) -> Row:
    """`v`: one of selectors.rows_for's rows; `field_names` in the fields' order."""
    seat = ""
    if v["settlement__ekatte"]:
        settlement = localized(
            f"{v['settlement__type_abbr']} {v['settlement__name_bg']}", v["settlement__name_en"]
        )
        municipality = localized(
            v["settlement__municipality__name_bg"], v["settlement__municipality__name_en"]
        )
        seat = f"{settlement}, {municipality_label % {'name': municipality}}"
    closed = ""
    if v["register_status"] in (RegisterStatus.CLOSED, RegisterStatus.INACTIVE):
        closed = str(RegisterStatus(v["register_status"]).label)
    return Row(
        url=reverse("organisations:detail", args=[v["pk"]]),
        name=display_name_of(v["name"], v["name_en"], v["legal_form"]),
        legal_form=capfirst(str(LegalForm(v["legal_form"]).label)) if v["legal_form"] else "",
        seat=seat,
        fields=", ".join(name for pk, name in field_names.items() if pk in v["field_ids"]),
        closed=closed,
        unclaimed=not v["representatives_count"],
        is_demo=v["is_demo"],
    )


@dataclass(frozen=True)
class Facet:
    name: str  # the GET parameter
    legend: str
    options: list[Option]
    hint: str = ""

    @property
    def chosen(self) -> int:
        return sum(1 for o in self.options if o.checked)

    def checkboxes(self) -> SafeString:
        """The options as a list of checkboxes, written out here: through the template's
        loop the hundred or so options cost a third of the page (and plain escaping, not
        format_html, with each count written once: a sixth of what remained)."""
        name = conditional_escape(self.name)
        counts: dict[int, str] = {}
        items = []
        for n, o in enumerate(self.options, start=1):
            if o.count not in counts:
                counts[o.count] = conditional_escape(o.count_text)
            checked = " checked" if o.checked else ""
            items.append(
                f'<li><div class="checkbox"><input type="checkbox" id="f-{name}-{n}" '
                f'name="{name}" value="{conditional_escape(o.value)}"{checked}>'
                f'<label for="f-{name}-{n}">{conditional_escape(o.label)} '
                f'<span class="muted">({counts[o.count]})</span></label></div></li>'
            )
        # Every value, label and count is escaped above.
        return mark_safe('<ul class="columns plain-list">' + "".join(items) + "</ul>")  # noqa: S308


def _options(
    choices: Iterable[tuple[Any, Any]], counts: dict[Any, int], chosen: Iterable[Any]
) -> list[Option]:
    """The values with organisations (and the chosen ones even when none is left)."""
    chosen = set(chosen)
    return [
        Option(str(value), capfirst(str(label)), counts.get(value, 0), value in chosen)
        for value, label in choices
        if counts.get(value, 0) or value in chosen
    ]


def _without(request: HttpRequest, name: str, value: str) -> str:
    """The current query string without one facet value (and back on the first page)."""
    query = request.GET.copy()
    query.setlist(name, [v for v in query.getlist(name) if v.strip() != value])
    query.pop("page", None)
    return "?" + query.urlencode()


def index(request: HttpRequest) -> HttpResponse:
    """Organisations matching the search box and the facets (a GET form, no JavaScript).

    A facet value that does not exist (a mistyped slug or code, a municipality of another
    province than those chosen) is left out with a message saying so, never an error page.
    """
    reading = filters_mod.read(request.GET)
    problems = reading.problems
    all_fields, provinces, municipalities = (
        reading.all_fields,
        reading.provinces,
        reading.municipalities,
    )
    q = reading.filters.q
    fields, legal_forms, reaches = (
        reading.filters.fields,
        reading.filters.legal_forms,
        reading.filters.reaches,
    )
    chosen_provinces = list(reading.filters.provinces)
    chosen_municipalities = list(reading.filters.municipalities)
    networks = list(reading.filters.networks)
    show_all = request.GET.get("all") == "1"
    scope = reading.portal_scope

    sort_value = request.GET.get("sort", "")
    sort = Sort(sort_value) if sort_value in Sort._value2member_map_ else None
    if sort is None or (sort == Sort.RELEVANCE and not q):
        sort = Sort.RELEVANCE if q else Sort.NAME

    filters = replace(reading.filters, sort=sort)
    facets_found = selectors.facets(filters)
    counts = facets_found.counts
    rows_query: Any
    if facets_found.ids is not None:
        rows_query = selectors.ordered_ids(filters, facets_found.ids)
    elif sort == Sort.RELEVANCE:
        rows_query = selectors.catalogue_entries(filters)
    else:
        rows_query = selectors.catalogue_list(filters)
    paginator = Paginator(rows_query, PAGE_SIZE)
    paginator.count = facets_found.total  # counted by the facet pass: no COUNT query
    page_obj = paginator.get_page(request.GET.get("page"))
    listed = selectors.rows_for(page_obj.object_list) if page_obj.paginator.count else []
    municipality_label = _("%(name)s municipality")
    field_names = {f.pk: f.name for f in all_fields}
    rows = [_row(v, field_names, municipality_label) for v in listed]

    network_ids = sorted(counts["network"], key=lambda i: -counts["network"][i])[:MAX_VALUES]
    network_names = dict(
        Network.objects.filter(pk__in=set(network_ids) | set(networks)).values_list("pk", "name")
    )
    for n in networks:
        if n not in network_names:
            problems.append(_("There is no network “%(value)s”: it was left out.") % {"value": n})
    slug_of = {f.id: f.slug for f in all_fields}
    field_counts = {slug_of[i]: n for i, n in counts["field"].items() if i in slug_of}
    facets = [
        Facet(
            "field",
            _("Field of activity"),
            _options(((f.slug, f.name) for f in all_fields), field_counts, fields),
        ),
        Facet(
            "legal_form",
            _("Legal form"),
            _options(LegalForm.choices, counts["legal_form"], legal_forms),
        ),
        Facet(
            "province",
            _("Province"),
            _options(((p.code, p.name) for p in provinces), counts["province"], chosen_provinces),
        ),
        Facet(
            "municipality",
            _("Municipality"),
            _options(
                ((m.code, m.name) for m in municipalities),
                counts["municipality"],
                chosen_municipalities,
            ),
            ""
            if municipalities
            else _("Choose a province and press “Show”: its municipalities appear here."),
        ),
        Facet("reach", _("Territorial reach"), _options(Reach.choices, counts["reach"], reaches)),
        Facet(
            "network",
            _("Member of the network"),
            _options(
                ((i, network_names[i]) for i in dict.fromkeys(network_ids + networks)
                 if i in network_names),
                counts["network"],
                networks,
            ),
        ),
    ]  # fmt: skip
    chosen = [
        (option.label, _without(request, facet.name, option.value))
        for facet in facets
        for option in facet.options
        if option.checked
    ]
    # Relevance is offered without words too (it is the default), so that words typed on the
    # first page are then ordered by relevance rather than by the name the select showed.
    sorts = [
        (Sort.RELEVANCE, _("Relevance") if q else _("Relevance (when searching), else name")),
        (Sort.NAME, _("Name")),
        (Sort.NEWEST, _("Newest in the catalogue")),
        (Sort.FOUNDED, _("Year founded, oldest first")),
    ]
    chosen_sort = sort_value if sort_value in Sort._value2member_map_ else Sort.RELEVANCE
    crumbs = _crumbs()
    crumbs[-1] = (crumbs[-1][0], "")
    return render(
        request,
        "organisations/catalogue/index.html",
        {
            "filters": filters,
            "facets": facets,
            "chosen": chosen,
            "chosen_count": len(chosen),
            "problems": problems,
            "scope": scope,
            "show_all": show_all,
            "sorts": sorts,
            "chosen_sort": chosen_sort,
            "page_obj": page_obj,
            "rows": rows,
            "breadcrumbs": crumbs,
        },
    )


# --- An organisation's page -----------------------------------------------------------------


def source_date_text(value: str) -> str:
    """A source's date as precise as it is: 14.10.2022 г., 05.2023 г. or 2014 г."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{datetime.date(*map(int, parts)):%d.%m.%Y} г."
        if len(parts) == 2:
            return f"{int(parts[1]):02d}.{int(parts[0])} г."
    except ValueError:
        return value
    return f"{value} г." if value else ""


def source_text(source: str) -> str:
    """ "Данни от Регистъра на народните читалища": the register in its own words."""
    if source == CC_SOURCE:
        return _("Data from the Register of Community Centres")
    return _("Data from: %(source)s") % {"source": source}


def money(amount: Decimal | None) -> str:
    """12 500,00 € in Bulgarian (the language's grouping); "" when not stated."""
    if amount is None:
        return ""
    shown = number_format(amount, decimal_pos=2, force_grouping=True)
    return _("€%(amount)s") % {"amount": shown}


@dataclass(frozen=True)
class ActivityRow:
    activity: Any
    budget: str
    partners: list[Organisation]


def visible_organisation(request: HttpRequest, pk: int) -> Organisation:
    """The organisation of a page, or 404 when this person may not see it (DESIGN: an entry
    awaiting verification or hidden looks the same as one that does not exist)."""
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    organisation = selectors.organisation_page(pk)
    if organisation is None:
        raise Http404
    if organisation.visibility != Visibility.PUBLIC and not request.user.has_perm(
        "organisations.view_organisation", organisation
    ):
        raise Http404
    return organisation


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = visible_organisation(request, pk)
    activities = [
        ActivityRow(
            a,
            money(a.budget_eur),
            [p for p in a.partners.all() if p.visibility == Visibility.PUBLIC],
        )
        for a in organisation.activities.all()
    ]
    reach_places: list[Any] = [
        *organisation.reach_provinces.all(),
        *organisation.reach_municipalities.all(),
        *organisation.reach_settlements.all(),
    ]
    crumbs = _crumbs()
    crumbs.append((organisation.display_name, ""))
    status_tag = ""
    if organisation.register_status in (RegisterStatus.CLOSED, RegisterStatus.INACTIVE):
        status_tag = str(RegisterStatus(organisation.register_status).label)
    return render(
        request,
        "organisations/catalogue/detail.html",
        {
            "organisation": organisation,
            "can_edit": request.user.has_perm("organisations.change_organisation", organisation),
            "fields": list(organisation.fields.all()),
            "target_groups": list(organisation.target_groups.all()),
            "reach_places": reach_places,
            "activities": [a for a in activities if not a.activity.is_project],
            "projects": [a for a in activities if a.activity.is_project],
            "reports": list(organisation.annual_reports.all()),
            "memberships": list(organisation.memberships.all()),
            "coordinated": list(organisation.coordinated_networks.all()),
            "source_text": source_text(organisation.source),
            "source_date": source_date_text(organisation.source_date),
            "status_tag": status_tag,
            "is_public": organisation.visibility == Visibility.PUBLIC,
            "breadcrumbs": crumbs,
        },
    )


# --- Open-data exports ----------------------------------------------------------------------

# Never personal data: no representative, no e-mail or phone (an association's contact is
# often a person's own), only what the register or the organisation published as its profile.
EXPORT_COLUMNS = [
    "id", "name", "display_name", "legal_form", "eik", "benefit", "settlement_ekatte",
    "settlement", "municipality", "province", "address", "postal_code", "website", "fields",
    "reach", "year_founded", "register_status", "register_number", "source", "source_url",
    "source_date", "url",
]  # fmt: skip


def _export_queryset(scope: str) -> Any:
    qs = selectors.public_organisations().select_related("settlement__municipality")
    if scope != "bg":
        qs = selectors.catalogue_queryset(CatalogueFilters(provinces=(scope,)))
        qs = qs.select_related("settlement__municipality")
    return qs.prefetch_related("fields").order_by("pk")


def export_row(o: Organisation, base_url: str) -> dict[str, Any]:
    s = o.settlement
    return {
        "id": o.pk,
        "name": o.name,
        "display_name": o.display_name,
        "legal_form": o.legal_form,
        "eik": o.eik or "",
        "benefit": o.benefit,
        "settlement_ekatte": s.ekatte if s else "",
        "settlement": f"{s.type_abbr} {s.name_bg}" if s else "",
        "municipality": s.municipality_id if s else "",
        "province": s.municipality.province_id if s else "",
        "address": o.address,
        "postal_code": o.postal_code,
        "website": o.website,
        "fields": [f.slug for f in o.fields.all()],
        "reach": o.reach,
        "year_founded": o.year_founded,
        "register_status": o.register_status,
        "register_number": o.register_number,
        "source": o.source,
        "source_url": o.source_url,
        "source_date": o.source_date,
        "url": base_url + o.get_absolute_url(),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # the BOM: Excel then reads UTF-8
    for row in rows:
        row = {**row, "fields": " ".join(row["fields"])}
        yield writer.writerow(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])


def _json_chunks(meta: dict[str, Any], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    head = json.dumps(meta, ensure_ascii=False)
    yield head[:-1] + ', "items": ['
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def _scopes() -> list[tuple[str, str]]:
    return [("bg", _("The whole country"))] + [
        (p.code, p.name) for p in Province.objects.only("code", "name_bg", "name_en")
    ]


def exports(request: HttpRequest) -> HttpResponse:
    """The export page: the whole country and each province, as CSV and JSON."""
    counts = dict(
        selectors.public_organisations()
        .order_by()
        .values_list("settlement__municipality__province_id")
        .annotate(n=Count("*"))
    )
    total = sum(counts.values())
    scopes = [
        (code, name, total if code == "bg" else counts.get(code, 0)) for code, name in _scopes()
    ]
    crumbs = _crumbs()
    crumbs.append((_("Open data"), ""))
    return render(
        request,
        "organisations/catalogue/exports.html",
        {"scopes": sorted(scopes[1:], key=lambda s: s[1]), "country": scopes[0],
         "breadcrumbs": crumbs},
    )  # fmt: skip


def export(request: HttpRequest, scope: str, fmt: str) -> StreamingHttpResponse:
    """All public organisations of the country or a province, streamed (memory stays flat)."""
    if fmt not in ("csv", "json"):
        raise Http404
    if scope != "bg" and not (
        PROVINCE_CODE.fullmatch(scope) and Province.objects.filter(code=scope).exists()
    ):
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    rows = (
        export_row(o, base_url) for o in _export_queryset(scope).iterator(chunk_size=EXPORT_CHUNK)
    )
    filename = f"organisations-{scope.lower()}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        meta = {
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "source": pgettext(
                "export", "Catalogue of civil-society organisations of the portal %(portal)s"
            )
            % {"portal": base_url},
            "scope": scope,
            "count": _export_queryset(scope).count(),
        }
        response = StreamingHttpResponse(
            _json_chunks(meta, rows), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("export/", exports, name="exports"),
    path("export/<slug:scope>.<slug:fmt>", export, name="export"),
]
