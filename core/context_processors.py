from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.i18n import localized

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


# The pages of information the footer links to (core.models.Page; no query on every page).
FOOTER_PAGES = [
    ("about", _("About the portal")),
    ("interaction-model", _("The interaction model")),
    ("how-to-take-part", _("How to take part")),
    ("privacy", _("Privacy notice")),
    ("terms", _("Terms of use")),
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
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_items": items,
        "funding_notice": localized(settings.FUNDING_NOTICE, settings.FUNDING_NOTICE_EN),
        "funding_eu_emblem": settings.FUNDING_EU_EMBLEM,
        "footer_pages": FOOTER_PAGES,
    }
