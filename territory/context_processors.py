from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from territory.models import PortalScope


def portal_scope(request: HttpRequest) -> dict[str, object]:
    """The scope's name for the header; lazy, so pages that don't show it don't query it."""

    def name() -> str:
        scope = PortalScope.objects.filter(pk=1).only("name_bg", "name_en").first()
        return scope.name if scope else ""

    return {"portal_scope_name": SimpleLazyObject(name)}
