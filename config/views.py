"""Pages that bring several apps together: the home page and the open-data page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.home import home_blocks
from territory.maps import make_map
from territory.selectors import scope_overview


def home(request: HttpRequest) -> HttpResponse:
    """What is happening now in the portal's scope (config/home.py), and the scope at a
    glance: a map and lists of its provinces and municipalities."""
    scope = scope_overview()
    css = {p.code: "partial" for p in scope.map_provinces if p.code in scope.partial_province_codes}
    css.update({p.code: "in-scope" for p in scope.provinces})
    scope_map = make_map(
        _("The portal's region on the map of Bulgaria"),
        _(
            "Provinces served by the portal are solid, provinces with served municipalities "
            "are hatched; the same provinces and municipalities are listed beside the map."
        ),
        scope.map_provinces,
        css=css,
    )
    return render(
        request,
        "home.html",
        {"scope": scope, "scope_map": scope_map, "blocks": home_blocks(scope)},
    )


def api_page(request: HttpRequest) -> HttpResponse:
    from api.api import api

    return render(
        request,
        "api_page.html",
        {"breadcrumbs": [(_("Open data and API"), "")], "endpoints": api.public_endpoints()},
    )
