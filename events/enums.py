"""The vocabularies of events: kinds, formats, who may register, the states of an event and
of a registration (with the transitions a registration may take)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PUBLIC_DISCUSSION = "public_discussion", _("public discussion")
    PUBLIC_HEARING = "public_hearing", _("public hearing")
    SEMINAR = "seminar", _("seminar")
    TRAINING = "training", _("training")
    WORKING_MEETING = "working_meeting", _("working meeting")
    OTHER = "other", _("other")


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybrid (in person and online)")


class Audience(models.TextChoices):
    """Who may register."""

    EVERYONE = "everyone", _("everyone")
    REPRESENTATIVES = "representatives", _("representatives of organisations")
    OFFICIALS = "officials", _("officials")
    INVITATION = "invitation", _("by invitation only")


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


# A person holds at most one registration in these states per event (a database constraint).
ACTIVE_REGISTRATION_STATES = (
    RegistrationState.PENDING,
    RegistrationState.CONFIRMED,
    RegistrationState.WAITING,
)

# Allowed registration transitions; services.py refuses any other and writes a history row.
REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    "": {RegistrationState.PENDING, RegistrationState.CONFIRMED, RegistrationState.WAITING},
    RegistrationState.PENDING: {
        RegistrationState.CONFIRMED,
        RegistrationState.WAITING,
        RegistrationState.DECLINED,
        RegistrationState.CANCELLED,
    },
    RegistrationState.WAITING: {
        RegistrationState.CONFIRMED,
        RegistrationState.DECLINED,
        RegistrationState.CANCELLED,
    },
    RegistrationState.CONFIRMED: {RegistrationState.CANCELLED},
    RegistrationState.DECLINED: set(),
    RegistrationState.CANCELLED: set(),
}


class MaterialVisibility(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    PARTICIPANTS = "participants", _("confirmed participants only")
