"""Template tags other apps use to show monitoring without importing this app: the seam
through which an institution's directory page shows how it answers and offers to file a
request or a signal to it (DESIGN.md §4: a lower app never imports a higher one; a template
may load a higher app's tag library, as consultations' pages load events' `event_links`)."""

from __future__ import annotations

from typing import Any

from django import template

from monitoring.models import Responsiveness

register = template.Library()


@register.inclusion_tag("monitoring/includes/institution_monitoring.html")
def institution_monitoring(institution: Any) -> dict[str, Any]:
    """The stored responsiveness of `institution` (one query) and the links to file to it."""
    figures = Responsiveness.objects.filter(institution_id=institution.pk).first()
    return {"institution": institution, "figures": figures}
