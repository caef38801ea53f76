"""Addresses of the portal's own pages pasted into a form, read back as the objects they show:
an editor links a publication to a consultation, an event or an assessment campaign, or names
an authoring organisation or institution, by pasting the address of its page (the simplest
way to pick one of 60,000 organisations without a script-driven picker)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import translation

# The pages' URL names and the kind each stands for.
PAGES: dict[str, str] = {
    "consultations:detail": "consultation",
    "events:detail": "event",
    "assessments:campaign": "campaign",
    "organisations:detail": "organisation",
    "directory:detail": "institution",
}
MAX_ID = 2**62


def read(address: str) -> tuple[str, int] | None:
    """(kind, id) of the page at `address` (absolute or a path, Bulgarian or English), or
    None when it is not one of PAGES."""
    path = urlsplit(address.strip()).path
    if not path.startswith("/"):
        return None
    # Bulgarian pages have no language prefix; English ones start with /en/.
    if path.startswith("/en/"):
        path = path[3:]
    try:
        with translation.override("bg"):
            match = resolve(path)
    except Resolver404:
        return None
    kind = PAGES.get(match.view_name)
    pk = match.kwargs.get("pk")
    if kind is None or not isinstance(pk, int) or not 0 < pk < MAX_ID:
        return None
    return kind, pk
