"""Pages that bring several apps together: the home page and the open-data page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from territory.selectors import scope_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"scope": scope_overview()})


def api_page(request: HttpRequest) -> HttpResponse:
    from api.api import api

    return render(
        request,
        "api_page.html",
        {"breadcrumbs": [(_("Open data and API"), "")], "endpoints": api.public_endpoints()},
    )
