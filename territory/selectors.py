"""Read-side queries of the territory app: page data with a fixed number of queries.

Every function here issues a constant number of queries whatever the size of the unit
(Столична with 38 settlements or Габрово with 134), using stored counters instead of counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import QuerySet
from django.utils import timezone

from territory.models import (
    Municipality,
    PlanningRegion,
    PortalScope,
    Province,
    RegionMembership,
)


def is_valid_on(m: RegionMembership, day: datetime.date) -> bool:
    return m.valid_from <= day and (m.valid_to is None or m.valid_to >= day)


def current_region(province: Province) -> PlanningRegion | None:
    """The planning region a province belongs to today (one query)."""
    membership = (
        RegionMembership.objects.valid_on()
        .filter(province=province)
        .select_related("region")
        .order_by("-valid_from")
        .first()
    )
    return membership.region if membership else None


@dataclass
class RegionRow:
    region: PlanningRegion
    provinces: list[Province]

    @property
    def population(self) -> int:
        return sum(p.population_2017 or 0 for p in self.provinces)

    @property
    def municipalities_count(self) -> int:
        return sum(p.municipalities_count for p in self.provinces)


def regions_overview() -> list[RegionRow]:
    """Today's regions with their provinces (two queries)."""
    regions = list(PlanningRegion.objects.filter(is_current=True))
    memberships = (
        RegionMembership.objects.valid_on()
        .select_related("province")
        .order_by("region_id", "province__name_bg")
    )
    by_region: dict[str, list[Province]] = {}
    for m in memberships:
        by_region.setdefault(m.region_id, []).append(m.province)
    return [RegionRow(r, by_region.get(r.code, [])) for r in regions]


@dataclass
class CompositionVersion:
    """One version of a region's composition: a period, the NUTS code then, the provinces."""

    valid_from: datetime.date
    valid_to: datetime.date | None
    nuts2_code: str
    provinces: list[Province]
    is_current: bool
    source: str = ""


@dataclass
class RegionDetail:
    region: PlanningRegion
    provinces: list[Province]
    versions: list[CompositionVersion] = field(default_factory=list)

    @property
    def population(self) -> int:
        return sum(p.population_2017 or 0 for p in self.provinces)


def region_detail(region: PlanningRegion, day: datetime.date | None = None) -> RegionDetail:
    """The region's provinces today and every version of its composition (one query)."""
    day = day or timezone.localdate()
    memberships = list(
        region.memberships.select_related("province").order_by(
            "valid_from", "valid_to", "nuts2_code", "province__name_bg"
        )
    )
    current = [m.province for m in memberships if is_valid_on(m, day)]
    versions = []
    for (start, end, code), group in groupby(
        memberships, key=lambda m: (m.valid_from, m.valid_to, m.nuts2_code)
    ):
        members = list(group)
        versions.append(
            CompositionVersion(
                valid_from=start,
                valid_to=end,
                nuts2_code=code,
                provinces=[m.province for m in members],
                is_current=is_valid_on(members[0], day),
                source=members[0].source,
            )
        )
    versions.reverse()  # newest first
    return RegionDetail(region, current, versions)


def province_memberships(province: Province) -> list[RegionMembership]:
    """A province's planning regions over time, newest first (one query)."""
    return list(province.memberships.select_related("region").order_by("-valid_from"))


def all_provinces_for_map() -> QuerySet[Province]:
    return Province.objects.only("code", "name_bg", "name_en", "svg_path", "bbox")


@dataclass
class ScopeOverview:
    scope: PortalScope
    provinces: list[Province]
    municipalities: list[Municipality]
    map_provinces: list[Province]
    # Provinces that are not in scope themselves but hold a municipality that is.
    partial_province_codes: set[str]

    @property
    def is_empty(self) -> bool:
        return not self.provinces and not self.municipalities

    @property
    def population(self) -> int:
        in_provinces = {p.code for p in self.provinces}
        total = sum(p.population_2017 or 0 for p in self.provinces)
        total += sum(
            m.population_2017 or 0 for m in self.municipalities if m.province_id not in in_provinces
        )
        return total


def scope_overview() -> ScopeOverview:
    """The portal's scope for the home page (four queries)."""
    scope = PortalScope.current()
    provinces = list(scope.provinces.select_related("admin_centre").order_by("name_bg"))
    municipalities = list(
        scope.municipalities.select_related("province", "admin_centre").order_by("name_bg")
    )
    in_scope = {p.code for p in provinces}
    partial = {m.province_id for m in municipalities} - in_scope
    return ScopeOverview(
        scope=scope,
        provinces=provinces,
        municipalities=municipalities,
        map_provinces=list(all_provinces_for_map()),
        partial_province_codes=partial,
    )
