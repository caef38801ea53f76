"""Pages of Bulgaria's territory: regions → provinces → municipalities → settlements.

Each view runs a fixed number of queries (select_related and stored counters), whatever the
size of the unit. Maps are drawn on the server from paths computed at load time.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territory import maps, selectors
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    PlanningRegion,
    Province,
    Settlement,
)

Crumbs = list[tuple[str, str]]


def _crumbs(
    region: PlanningRegion | None = None,
    province: Province | None = None,
    municipality: Municipality | None = None,
) -> Crumbs:
    """The trail from the territory index down to (not including) the current page."""
    crumbs: Crumbs = [(_("Territory"), reverse("territory:index"))]
    if region:
        crumbs.append((_("%(name)s region") % {"name": region.name}, region.get_absolute_url()))
    # "Област Пловдив › Община Пловдив": a province and its municipality often share a name.
    if province:
        crumbs.append(
            (_("%(name)s province") % {"name": province.name}, province.get_absolute_url())
        )
    if municipality:
        label = _("%(name)s municipality") % {"name": municipality.name}
        crumbs.append((label, municipality.get_absolute_url()))
    return crumbs


def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.regions_overview()
    region_of = {p.code: row.region for row in rows for p in row.provinces}
    provinces = [p for row in rows for p in row.provinces]
    country_map = maps.make_map(
        _("Provinces of Bulgaria"),
        _("Map of Bulgaria's 28 provinces; each province links to its page."),
        provinces,
        notes={code: r.name for code, r in region_of.items()},
    )
    return render(
        request,
        "territory/index.html",
        {
            "rows": rows,
            "map": country_map,
            "population": sum(r.population for r in rows),
            "breadcrumbs": [(_("Territory"), "")],
        },
    )


def region(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(PlanningRegion.objects.select_related("nuts1"), code=code)
    detail = selectors.region_detail(obj)
    region_map = maps.make_map(
        _("Provinces of the %(name)s region") % {"name": obj.name},
        _("Map of the region's provinces; each province links to its page."),
        detail.provinces,
    )
    crumbs = _crumbs()
    crumbs.append((_("%(name)s region") % {"name": obj.name}, ""))
    return render(
        request,
        "territory/region.html",
        {"region": obj, "detail": detail, "map": region_map, "breadcrumbs": crumbs},
    )


def province(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Province.objects.select_related("admin_centre"), code=code)
    memberships = selectors.province_memberships(obj)
    today = timezone.localdate()
    current = [m for m in memberships if selectors.is_valid_on(m, today)]
    current_region = current[0].region if current else None
    municipalities = list(obj.municipalities.select_related("admin_centre").order_by("name_bg"))
    province_map = maps.make_map(
        _("Municipalities of %(name)s province") % {"name": obj.name},
        _("Map of the province's municipalities; each municipality links to its page."),
        municipalities,
        bbox=maps.union_bbox([obj.bbox]) if obj.bbox else None,
    )
    crumbs = _crumbs(region=current_region)
    crumbs.append((obj.name, ""))
    return render(
        request,
        "territory/province.html",
        {
            "province": obj,
            "region": current_region,
            "memberships": memberships,
            "municipalities": municipalities,
            "map": province_map,
            "breadcrumbs": crumbs,
        },
    )


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(
        Municipality.objects.select_related("province", "admin_centre"), code=code
    )
    current_region = selectors.current_region(obj.province)
    settlements = list(obj.settlements.select_related("mayoralty").order_by("name_bg", "ekatte"))
    mayoralties = list(obj.mayoralties.select_related("centre").order_by("name_bg"))
    districts = list(obj.districts.order_by("code"))
    neighbours = Municipality.objects.filter(province_id=obj.province_id).only(
        "code", "name_bg", "name_en", "svg_path", "bbox"
    )
    location_map = maps.make_map(
        _("%(name)s municipality in %(province)s province")
        % {"name": obj.name, "province": obj.province.name},
        _("Map of the province's municipalities with this one marked; each links to its page."),
        neighbours,
        css={obj.code: "current"},
    )
    crumbs = _crumbs(region=current_region, province=obj.province)
    crumbs.append((obj.name, ""))
    return render(
        request,
        "territory/municipality.html",
        {
            "municipality": obj,
            "region": current_region,
            "settlements": settlements,
            "mayoralties": mayoralties,
            "districts": districts,
            "map": location_map,
            "breadcrumbs": crumbs,
        },
    )


def mayoralty(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(
        Mayoralty.objects.select_related("municipality__province", "centre"), code=code
    )
    muni = obj.municipality
    crumbs = _crumbs(
        region=selectors.current_region(muni.province), province=muni.province, municipality=muni
    )
    crumbs.append((obj.name, ""))
    settlements = list(obj.settlements.order_by("name_bg", "ekatte"))
    return render(
        request,
        "territory/mayoralty.html",
        {"mayoralty": obj, "settlements": settlements, "breadcrumbs": crumbs},
    )


def settlement(request: HttpRequest, ekatte: str) -> HttpResponse:
    obj = get_object_or_404(
        Settlement.objects.select_related("municipality__province", "mayoralty"), ekatte=ekatte
    )
    muni = obj.municipality
    crumbs = _crumbs(
        region=selectors.current_region(muni.province), province=muni.province, municipality=muni
    )
    crumbs.append((obj.full_name, ""))
    context: dict[str, Any] = {
        "settlement": obj,
        "districts": list(obj.districts.order_by("code")),
        "breadcrumbs": crumbs,
    }
    return render(request, "territory/settlement.html", context)


def district(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(
        CityDistrict.objects.select_related("city", "municipality__province"), code=code
    )
    muni = obj.municipality
    crumbs = _crumbs(
        region=selectors.current_region(muni.province), province=muni.province, municipality=muni
    )
    crumbs.append((obj.city.full_name, obj.city.get_absolute_url()))
    crumbs.append((obj.name, ""))
    siblings = list(CityDistrict.objects.filter(city_id=obj.city_id).order_by("code"))
    return render(
        request,
        "territory/district.html",
        {"district": obj, "siblings": siblings, "breadcrumbs": crumbs},
    )
