"""Read-side queries of the territory app used by other pages (home page, filters)."""

from __future__ import annotations

from dataclasses import dataclass

from territory.models import Municipality, PortalScope, Province


@dataclass
class ScopeOverview:
    scope: PortalScope
    provinces: list[Province]
    municipalities: list[Municipality]


def scope_overview() -> ScopeOverview:
    scope = PortalScope.current()
    return ScopeOverview(
        scope=scope,
        provinces=list(scope.provinces.select_related("admin_centre")),
        municipalities=list(scope.municipalities.select_related("province")),
    )
