"""Choices of the consultations app: kinds of draft, the consultation's states, the answers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ORDINANCE = "ordinance", _("ordinance (наредба)")
    RULES = "rules", _("rules (правилник)")
    STRATEGY = "strategy", _("strategy, programme or plan")
    BUDGET = "budget", _("budget")
    ANALYSIS = "analysis", _("analysis or report")
    MODEL = "model", _("model or procedure")
    OTHER = "other", _("other")


# Normative acts: ЗНА чл. 26 applies (30 days, 14 with a published reason).
NORMATIVE_KINDS = frozenset({Kind.ORDINANCE, Kind.RULES})


class State(models.TextChoices):
    DRAFT = "draft", _("draft (not published)")
    SCHEDULED = "scheduled", _("scheduled")
    OPEN = "open", _("open for comments")
    CLOSED = "closed", _("closed, answers being prepared")
    REPORT_PUBLISHED = "report_published", _("report published")
    ADOPTED = "adopted", _("adopted")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The moves a consultation may make (consultations/services.py checks them). Only a
# published one is withdrawn (publicly, with its reason); an unpublished one goes back to draft.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SCHEDULED, State.OPEN}),
    State.SCHEDULED: frozenset({State.DRAFT, State.OPEN}),
    State.OPEN: frozenset({State.CLOSED, State.WITHDRAWN}),
    State.CLOSED: frozenset({State.REPORT_PUBLISHED, State.WITHDRAWN}),
    State.REPORT_PUBLISHED: frozenset({State.ADOPTED, State.WITHDRAWN}),
    State.ADOPTED: frozenset(),
    State.WITHDRAWN: frozenset(),
}

# States in which the public sees the consultation.
PUBLIC_STATES = frozenset(
    {State.OPEN, State.CLOSED, State.REPORT_PUBLISHED, State.ADOPTED, State.WITHDRAWN}
)


class Source(models.TextChoices):
    """Where a consultation was held: on this platform, or on strategy.bg (imported history)."""

    PLATFORM = "platform", _("this platform")
    STRATEGY_BG = "strategy.bg", _("strategy.bg (imported)")


class AttachmentKind(models.TextChoices):
    DRAFT = "draft", _("the draft")
    MOTIVES = "motives", _("motives or report (мотиви / доклад)")
    IMPACT = "impact", _("impact assessment")
    OTHER = "other", _("other document")


class VersionKind(models.TextChoices):
    CONSULTED = "consulted", _("draft put to consultation")
    ADOPTED = "adopted", _("adopted text")


class ShownAs(models.TextChoices):
    """How a person's name appears next to their comment and in the report (§7.2)."""

    FULL_NAME = "full_name", _("my full name")
    INITIALS = "initials", _("my initials only")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    PARTLY = "partly", _("partly accepted")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    NOTED = "noted", _("taken into account as an opinion")


# Every decision but full acceptance needs its reasons (ЗНА чл. 26, ал. 5).
DECISIONS_NEEDING_REASONS = frozenset({Decision.PARTLY, Decision.NOT_ACCEPTED, Decision.NOTED})


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("hidden")
    RESTORE = "restore", _("shown again")
    DISMISS = "dismiss", _("report dismissed")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"


class Scope(models.TextChoices):
    """The level of a consultation on strategy.bg (its `CategoryParentId`)."""

    NATIONAL = "national", _("national")
    REGIONAL = "regional", _("regional")
    MUNICIPAL = "municipal", _("municipal")


class ImportedCommentState(models.TextChoices):
    """A comment's state on strategy.bg (`commentState`)."""

    APPROVED = "approved", _("approved")
    NOT_APPROVED = "not_approved", _("not approved")
    DELETED = "deleted", _("deleted")
    NEW = "new", _("new, not moderated")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being imported")
    DONE = "done", _("done")
    FAILED = "failed", _("failed, nothing imported")
