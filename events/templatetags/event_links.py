"""Template tags other apps use to show events without importing this app: the seam through
which a consultation's page lists its public hearings and discussions (DESIGN.md §4: the
participation apps do not import each other)."""

from __future__ import annotations

from typing import Any

from django import template

from events.enums import State
from events.models import Event

register = template.Library()


@register.inclusion_tag("events/includes/linked_events.html")
def consultation_events(consultation: Any) -> dict[str, Any]:
    """The published (or cancelled) events linked to `consultation`, soonest first."""
    events = list(
        Event.objects.public()
        .filter(consultation_id=consultation.pk)
        .only("pk", "title", "kind", "state", "starts_at", "venue", "format")
        .order_by("starts_at", "pk")
    )
    return {"events": events, "cancelled": State.CANCELLED}
