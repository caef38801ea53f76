from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The sections that exist. Later apps add theirs here; nothing links to unbuilt sections.
NAV = [
    ("home", _("Home")),
    ("territory:index", _("Territory")),
    ("directory:index", _("Directory")),
    ("organisations:index", _("Organisations")),
    ("consultations:index", _("Consultations")),
    ("events:index", _("Events")),
    ("monitoring:index", _("Monitoring")),
    ("library:index", _("Library")),
    ("news:index", _("News")),
    ("search", _("Search")),
    ("api-page", _("Open data")),
]


def portal(request: HttpRequest) -> dict[str, Any]:
    items = []
    path = request.path
    for name, label in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = path == url if name == "home" else path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {"portal_name": settings.PORTAL_NAME, "nav_items": items}
