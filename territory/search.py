"""Territorial units in the portal's search (core.search).

Titles are the bare names (so "Пловдив" ranks the province and municipality as exact
matches); settlements carry their type ("гр. Пловдив") as people write them. The boost is
the population, so the city of Plovdiv comes before the villages whose names start alike.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, register
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    PlanningRegion,
    Province,
    RegionMembership,
    Settlement,
)

_PLACEHOLDER = "00000"


@lru_cache(maxsize=64)
def _url_pattern(name: str, language: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER]).replace(_PLACEHOLDER, "{}")


def _url(name: str, code: str) -> str:
    """reverse() is a tenth of the reindex time for 5,256 settlements; reverse once per kind."""
    return _url_pattern(name, get_language()).format(code)


def _muni_sub(m: Municipality) -> tuple[str, str]:
    p = m.province
    return (
        f"общ. {m.name_bg}, обл. {p.name_bg}",
        f"{m.name_en or m.name_bg} Municipality, {p.name_en or p.name_bg} Province",
    )


def region_doc(r: PlanningRegion) -> SearchDoc:
    return SearchDoc(
        object_id=r.code,
        title_bg=f"{r.name_bg} район",
        title_en=f"{r.name_en} region" if r.name_en else "",
        subtitle_bg=f"район за планиране {r.code}",
        subtitle_en=f"planning region {r.code}",
        url=_url("territory:region", r.code),
        texts=(r.code,),
    )


def _provinces() -> QuerySet[Province]:
    current = RegionMembership.objects.valid_on().select_related("region")
    return Province.objects.prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships")
    )


def province_doc(p: Province) -> SearchDoc:
    memberships = getattr(p, "current_memberships", [])
    region = memberships[0].region if memberships else None
    return SearchDoc(
        object_id=p.code,
        title_bg=p.name_bg,
        title_en=p.name_en,
        subtitle_bg=f"област, {region.name_bg} район" if region else "област",
        subtitle_en=f"province, {region.name_en} region" if region else "province",
        url=_url("territory:province", p.code),
        texts=(p.code,),
        boost=p.population_2017 or 0,
    )


def municipality_doc(m: Municipality) -> SearchDoc:
    return SearchDoc(
        object_id=m.code,
        title_bg=m.name_bg,
        title_en=m.name_en,
        subtitle_bg=f"община, обл. {m.province.name_bg}",
        subtitle_en=f"municipality, {m.province.name_en or m.province.name_bg} Province",
        url=_url("territory:municipality", m.code),
        texts=(m.code,),
        boost=m.population_2017 or 0,
    )


def settlement_doc(s: Settlement) -> SearchDoc:
    sub_bg, sub_en = _muni_sub(s.municipality)
    return SearchDoc(
        object_id=s.ekatte,
        title_bg=f"{s.type_abbr} {s.name_bg}",
        title_en=s.name_en,
        subtitle_bg=sub_bg,
        subtitle_en=sub_en,
        url=_url("territory:settlement", s.ekatte),
        texts=(s.ekatte,),
        boost=s.population_2017 or 0,
    )


def mayoralty_doc(k: Mayoralty) -> SearchDoc:
    sub_bg, sub_en = _muni_sub(k.municipality)
    return SearchDoc(
        object_id=k.code,
        title_bg=k.name_bg,
        title_en=k.name_en,
        subtitle_bg=f"кметство, {sub_bg}",
        subtitle_en=f"mayoralty, {sub_en}",
        url=_url("territory:mayoralty", k.code),
        texts=(k.code,),
        boost=(k.centre.population_2017 or 0) if k.centre else 0,
    )


def district_doc(d: CityDistrict) -> SearchDoc:
    city = d.city
    return SearchDoc(
        object_id=d.code,
        title_bg=f"район {d.name_bg}",
        title_en=f"{d.name_en} district" if d.name_en else "",
        subtitle_bg=f"{city.type_abbr} {city.name_bg}",
        subtitle_en=city.name_en,
        url=_url("territory:district", d.code),
        texts=(d.name_bg, d.code),
    )


register(
    "territory.region",
    _("Planning regions"),
    PlanningRegion,
    region_doc,
    lambda: PlanningRegion.objects.all(),
    order=10,
)
register("territory.province", _("Provinces"), Province, province_doc, _provinces, order=11)
register(
    "territory.municipality",
    _("Municipalities"),
    Municipality,
    municipality_doc,
    lambda: Municipality.objects.select_related("province"),
    order=12,
)
register(
    "territory.settlement",
    _("Settlements"),
    Settlement,
    settlement_doc,
    lambda: Settlement.objects.select_related("municipality__province"),
    order=13,
)
register(
    "territory.mayoralty",
    _("Mayoralties"),
    Mayoralty,
    mayoralty_doc,
    lambda: Mayoralty.objects.select_related("municipality__province", "centre"),
    order=14,
)
register(
    "territory.district",
    _("City districts"),
    CityDistrict,
    district_doc,
    lambda: CityDistrict.objects.select_related("city"),
    order=15,
)
