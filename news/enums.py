"""Choices of the news app: kinds of item, the states an item goes through and who publishes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEWS = "news", _("news")
    ANNOUNCEMENT = "announcement", _("announcement")


class State(models.TextChoices):
    DRAFT = "draft", _("draft (not published)")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The moves an item may make (news/services.py checks them). A scheduled item may be
# withdrawn too: once its time has come the public sees it before the worker marks it
# published. A withdrawn item stays withdrawn (its page says why); a new item replaces it.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SCHEDULED, State.PUBLISHED}),
    State.SCHEDULED: frozenset({State.DRAFT, State.PUBLISHED, State.WITHDRAWN}),
    State.PUBLISHED: frozenset({State.WITHDRAWN}),
    State.WITHDRAWN: frozenset(),
}

# States in which the text can still be changed.
EDITABLE_STATES = frozenset({State.DRAFT, State.SCHEDULED, State.PUBLISHED})


class PublisherKind(models.TextChoices):
    PORTAL = "portal", _("the portal")
    INSTITUTION = "institution", _("institution")
    ORGANISATION = "organisation", _("organisation")
    NETWORK = "network", _("network")
