"""Territory for tests: the real data is loaded once per session, so helpers fetch real units.

Creating fake provinces or municipalities would clash with the real codes; use these instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from territory.models import Municipality, PortalScope, Province, Settlement


def province(code: str = "PDV") -> Province:
    return Province.objects.get(code=code)


def municipality(code: str = "PDV22") -> Municipality:
    return Municipality.objects.get(code=code)


def settlement(ekatte: str = "56784") -> Settlement:
    return Settlement.objects.get(ekatte=ekatte)


def portal_scope(
    provinces: Iterable[str] = (), municipalities: Iterable[str] = (), name_bg: str = "Тест"
) -> PortalScope:
    """Set the portal's scope to the given province and municipality codes."""
    scope = PortalScope.current()
    scope.name_bg = name_bg
    scope.save(update_fields=["name_bg"])
    scope.provinces.set(Province.objects.filter(code__in=list(provinces)))
    scope.municipalities.set(Municipality.objects.filter(code__in=list(municipalities)))
    return scope
