"""Pages of the directory: the list with filters, an institution, who serves a settlement.

Every view runs a fixed number of queries, whatever the number of entries shown.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import search as search_index
from core.i18n import localized
from directory import hours as hours_mod
from directory import selectors
from directory.models import HoursException, Institution, InstitutionKind, Service
from directory.vcard import vcard as make_vcard
from territory import maps
from territory.models import Municipality, PortalScope, Province, Settlement

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
MUNICIPALITY_CODE = re.compile(r"[A-Z]{3}[0-9]{2}")
# An institution page lists up to this many services in full; more are listed compactly.
SERVICES_COMPACT_AFTER = 30


def _crumbs() -> list[tuple[str, str]]:
    return [(_("Directory"), reverse("directory:index"))]


@dataclass(frozen=True)
class ServiceRow:
    """A service as a list shows it: its address and fee written out once, in the view, so a
    list of a hundred services costs a hundred plain lookups in the template, not reverses."""

    service: Service
    name: str
    url: str
    fee: str


def fee_text(fee: Decimal | None) -> str:
    """A fee as people read it: "безплатна" for 0, "не е посочена" when not stated, else
    "2,56 €" (the number written the way of the page's language)."""
    if fee is None:
        return pgettext("fee", "not stated")
    if fee == 0:
        return pgettext("fee", "free of charge")
    amount = number_format(fee, decimal_pos=2, force_grouping=True)
    return _("€%(amount)s") % {"amount": amount}


@dataclass(frozen=True)
class InstitutionRow:
    """An institution as the list shows it, from a few plain columns: its kind's and
    province's names come from the lists the filter form loads anyway."""

    url: str
    name: str
    kind: str
    province: str


# The columns of an institution's row (see InstitutionRow).
ROW_COLUMNS = ("pk", "name_bg", "name_en", "kind_id", "province_id")


def _institution_rows(
    page: Any, kinds: list[InstitutionKind], provinces: list[Province]
) -> list[InstitutionRow]:
    pattern = reverse("directory:detail", args=[123456789])
    kind_names = {k.pk: k.name for k in kinds}
    province_names = {p.code: p.name for p in provinces}
    return [
        InstitutionRow(
            url=pattern.replace("123456789", str(pk)),
            name=localized(name_bg, name_en),
            kind=kind_names.get(kind_id, ""),
            province=province_names.get(province_id or "", ""),
        )
        for pk, name_bg, name_en, kind_id, province_id in page
    ]


def _rows(services: list[Service]) -> list[ServiceRow]:
    pattern = reverse("directory:service", args=[123456789])
    fees: dict[Decimal | None, str] = {}
    rows = []
    for s in services:
        if s.fee_eur not in fees:
            fees[s.fee_eur] = fee_text(s.fee_eur)
        url = pattern.replace("123456789", str(s.pk))
        rows.append(ServiceRow(s, s.name, url, fees[s.fee_eur]))
    return rows


def _shown(value: str) -> str:
    """A value from the address bar, cut short before it goes into a message."""
    return value if len(value) <= 30 else value[:30] + "…"


def index(request: HttpRequest) -> HttpResponse:
    """Institutions and services matching the search box and the filters (a GET form).

    A filter value that does not exist (a mistyped kind, a municipality of another province
    than the one chosen) is left out with a message saying so, never an error page.
    """
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("kind", "").strip()
    province = request.GET.get("province", "").strip()
    municipality = request.GET.get("municipality", "").strip()
    kinds = list(InstitutionKind.objects.all())
    provinces = list(Province.objects.only("code", "name_bg", "name_en").order_by("name_bg"))
    problems: list[str] = []
    if kind and kind not in {k.slug for k in kinds}:
        problems.append(
            _("There is no kind of institution “%(value)s”: institutions of all kinds are shown.")
            % {"value": _shown(kind)}
        )
        kind = ""
    chosen_province = next((p for p in provinces if p.code == province), None)
    if province and chosen_province is None:
        problems.append(
            _("There is no province with the code “%(value)s”: all provinces are shown.")
            % {"value": _shown(province)}
        )
        province = ""
    municipalities: list[Municipality] = []
    if municipality:
        found = None
        if MUNICIPALITY_CODE.fullmatch(municipality):
            found = (
                Municipality.objects.filter(code=municipality)
                .only("code", "name_bg", "name_en", "province_id")
                .first()
            )
        if found is None:
            problems.append(
                _("There is no municipality with the code “%(value)s”: it was left out.")
                % {"value": _shown(municipality)}
            )
            municipality = ""
        elif chosen_province is None:
            # A municipality alone (a link from elsewhere) brings its province with it.
            chosen_province = next((p for p in provinces if p.code == found.province_id), None)
            province = found.province_id
        elif found.province_id != province:
            problems.append(
                _(
                    "The municipality of %(municipality)s is not in the province of "
                    "%(province)s: it was left out. Choose one of the municipalities below."
                )
                % {"municipality": found.name, "province": chosen_province.name}
            )
            municipality = ""
    if chosen_province is not None:
        municipalities = list(
            Municipality.objects.filter(province_id=chosen_province.code)
            .only("code", "name_bg", "name_en")
            .order_by("name_bg")
        )
    filters = selectors.Filters(
        q=q,
        kind=kind,
        province=province,
        municipality=municipality,
        show_all=request.GET.get("all") == "1",
    )
    qs = selectors.institutions(filters)
    scope = None
    if not filters.given:
        # Without a filter, the part of the country this portal serves (DESIGN.md §2.1).
        scope = PortalScope.current()
        qs = selectors.in_scope(qs, scope)
    rows: Any = qs.values_list(*ROW_COLUMNS)
    version = 0
    if filters.q:
        # A search: its counts and pages are kept in the cache (selectors.CachedResults).
        version = selectors.directory_version()
        rows = selectors.CachedResults(rows, "institutions", filters, version)
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    institution_rows = _institution_rows(page_obj.object_list, kinds, provinces)
    services_page: Page[Any] | None = None
    service_rows: list[ServiceRow] = []
    if filters.q:
        entries: Any = selectors.CachedResults(
            selectors.service_entries(filters), "services", filters, version
        )
        services_page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("spage"))
        if services_page.paginator.count:
            service_rows = _rows(selectors.services_for(list(services_page)))
    crumbs = _crumbs()
    crumbs[-1] = (crumbs[-1][0], "")
    return render(
        request,
        "directory/index.html",
        {
            "filters": filters,
            "kinds": kinds,
            "provinces": provinces,
            "municipalities": municipalities,
            "chosen_province": chosen_province,
            "problems": problems,
            "scope": scope,
            "page_obj": page_obj,
            "institution_rows": institution_rows,
            "services_page": services_page,
            "service_rows": service_rows,
            "breadcrumbs": crumbs,
        },
    )


MAX_ID = 2**63 - 1


def _today() -> datetime.date:
    return timezone.now().astimezone(hours_mod.SOFIA).date()


def _institution(pk: int) -> Institution:
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    children = Institution.objects.select_related("kind").order_by("kind__order", "name_bg", "pk")
    # The boundaries (long SVG paths) are not needed here: the map loads its own shapes.
    shapes = ("svg_path", "bbox")
    qs = (
        Institution.objects.select_related(
            "kind", "province", "municipality", "mayoralty", "district", "settlement",
            "parent__kind",
        )
        .defer(*(f"{unit}__{f}" for unit in ("province", "municipality") for f in shapes))
        .prefetch_related(
            "hours",
            Prefetch(
                "hours_exceptions", queryset=HoursException.objects.filter(date__gte=_today())
            ),
            Prefetch("children", queryset=children),
            Prefetch("area_municipalities", queryset=Municipality.objects.defer(*shapes)),
        )
    )  # fmt: skip
    return get_object_or_404(qs, pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _institution(pk)
    hours = list(obj.hours.all())
    exceptions = list(obj.hours_exceptions.all())
    now = timezone.now()
    status = hours_mod.open_status(hours, now, exceptions)
    crumbs = _crumbs()
    if obj.parent:
        crumbs.append((obj.parent.name, obj.parent.get_absolute_url()))
    crumbs.append((obj.name, ""))
    areas = list(obj.area_municipalities.all())
    context: dict[str, Any] = {
        "institution": obj,
        "hours": hours,
        "status": status,
        "hours_exceptions": exceptions,
        "today": now.astimezone(hours_mod.SOFIA).weekday(),
        "children": list(obj.children.all()),
        "areas": areas,
        "map": _territory_map(obj, areas),
        "source_date": _source_date(obj.source_date),
        "services": _rows(list(selectors.services_of(obj))),
        "services_compact_after": SERVICES_COMPACT_AFTER,
        "breadcrumbs": crumbs,
    }
    return render(request, "directory/detail.html", context)


def _territory_map(obj: Institution, areas: list[Municipality]) -> maps.MapData | None:
    """The municipalities the entry serves, marked on the map of their province(s): its area
    where it has one, else its municipality (a mayoralty or district: the municipality it is
    in), else the whole province. One query, whatever the entry."""
    if not obj.province_id:
        return None
    served: set[str] = set()
    provinces: set[str] = {obj.province_id}
    if areas:
        served = {m.code for m in areas}
        provinces = {m.province_id for m in areas}
    elif obj.municipality_id:
        served = {obj.municipality_id}
    shapes = list(
        Municipality.objects.filter(province_id__in=provinces)
        .only("code", "name_bg", "name_en", "svg_path", "bbox")
        .order_by("code")
    )
    if not served:
        served = {m.code for m in shapes}
    return maps.make_map(
        _("Territory served by %(name)s") % {"name": obj.name},
        _("Map of the municipalities the institution serves, marked; each links to its page."),
        shapes,
        css=dict.fromkeys(served, "current"),
    )


def _source_date(value: str) -> str:
    """A source's date as precise as it is: 14.10.2022 г., 05.2020 г. or 2014 г."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{datetime.date(*map(int, parts)):%d.%m.%Y} г."
        if len(parts) == 2:
            return f"{int(parts[1]):02d}.{parts[0]} г."
    except ValueError:
        return value
    return f"{value} г." if value else ""


def vcard(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404
    obj = get_object_or_404(Institution.objects.select_related("settlement"), pk=pk)
    body = make_vcard(obj, request.build_absolute_uri(obj.get_absolute_url()))
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    filename = slugify(obj.name_en or str(obj.pk)) or str(obj.pk)
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


def who_serves(request: HttpRequest) -> HttpResponse:
    ekatte = request.GET.get("settlement", "").strip()
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    settlement = None
    institutions: list[Institution] = []
    if ekatte:
        if not (len(ekatte) == 5 and ekatte.isdigit()):
            raise Http404
        settlement = get_object_or_404(
            Settlement.objects.select_related("municipality__province", "mayoralty"), pk=ekatte
        )
        institutions = selectors.serving(settlement)
    candidates = list(search_index.matching(q, kind="territory.settlement")[:20]) if q else []
    crumbs = _crumbs()
    crumbs.append((_("Who serves my settlement?"), ""))
    return render(
        request,
        "directory/who_serves.html",
        {
            "q": q,
            "candidates": candidates,
            "settlement": settlement,
            "institutions": institutions,
            "breadcrumbs": crumbs,
        },
    )


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    service = get_object_or_404(selectors.service_page(pk))
    institution = service.institution
    crumbs = _crumbs()
    crumbs.append((institution.name, institution.get_absolute_url()))
    crumbs.append((service.name, ""))
    return render(
        request,
        "directory/service.html",
        {
            "service": service,
            "institution": institution,
            "fee": fee_text(service.fee_eur),
            "breadcrumbs": crumbs,
        },
    )
