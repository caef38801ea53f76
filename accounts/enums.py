"""Choices of the accounts app: roles and how often people want news."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ORGANISATION_REPRESENTATIVE = "organisation_representative", _("Organisation representative")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    COUNCILLOR = "councillor", _("Municipal councillor")
    MODERATOR = "moderator", _("Moderator")
    ASSESSMENT_COORDINATOR = "assessment_coordinator", _("Assessment coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that act for an institution, scoped to it: its staff and the councillors of a council.
STAFF_ROLES: tuple[str, ...] = (Role.INSTITUTION_STAFF, Role.COUNCILLOR)

# Roles that act for an institution, run the portal or see who answered an assessment: their
# accounts must use 2FA.
TWO_FACTOR_ROLES: frozenset[str] = frozenset(
    {Role.INSTITUTION_STAFF, Role.COUNCILLOR, Role.ASSESSMENT_COORDINATOR, Role.ADMINISTRATOR}
)


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per item")
    DAILY = "daily", _("Once a day, in a digest")
    WEEKLY = "weekly", _("Once a week, in a digest")
    OFF = "off", _("Never")
