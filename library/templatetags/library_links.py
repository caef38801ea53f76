"""The seam through which a consultation's, an event's or an assessment campaign's page lists
the library's publications used in it, without those apps importing this one (DESIGN.md §4:
the library sits above them). Their templates load it:

    {% load library_links %}{% used_publications consultation %}
"""

from __future__ import annotations

from typing import Any

from django import template

from assessments.models import Campaign
from consultations.models import Consultation
from events.models import Event
from library.enums import State
from library.models import Publication

register = template.Library()

FIELDS = {Consultation: "consultation", Event: "event", Campaign: "campaign"}


@register.inclusion_tag("library/includes/used_publications.html")
def used_publications(obj: Any) -> dict[str, Any]:
    """The published publications linked to `obj` (one query; none for another kind)."""
    field = FIELDS.get(type(obj))
    if field is None or obj is None or obj.pk is None:
        return {"publications": []}
    found = (
        Publication.objects.filter(state=State.PUBLISHED, **{f"uses__{field}": obj.pk})
        .only("pk", "title", "type", "year")
        .order_by("-published_at", "-pk")
    )
    return {"publications": list(found)}
