"""Choices of the assessments app: who answers, the kinds of questions, and the states of a
questionnaire, a campaign, an invitation and a response."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RespondentType(models.TextChoices):
    """Who a questionnaire is for: the three analyses of source document 000 (activities 2–4)."""

    ADMINISTRATION = "administration", _("Municipal administration")
    COUNCIL = "council", _("Municipal council")
    ORGANISATION = "organisation", _("Civil-society organisation")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    MATRIX = "matrix", _("Matrix of scales")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    YES_NO = "yes_no", _("Yes / no")


# Types answered by choosing options (their options carry the scores).
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.YES_NO})
# Types whose options are the rows of a matrix, each rated 1–5.
ROW_TYPES = frozenset({QuestionType.MATRIX})
# Types that can be scored and so belong to a dimension.
SCORED_TYPES = frozenset(CHOICE_TYPES | ROW_TYPES | {QuestionType.SCALE})
TEXT_TYPES = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})
SCALE_POINTS = (1, 2, 3, 4, 5)


class QuestionnaireState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Ready for use")
    ARCHIVED = "archived", _("Archived")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed, results being prepared")
    PUBLISHED = "published", _("Results published")


CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignState.DRAFT: frozenset({CampaignState.OPEN}),
    CampaignState.OPEN: frozenset({CampaignState.CLOSED}),
    # Reopened when the period is extended; published once the results are ready.
    CampaignState.CLOSED: frozenset({CampaignState.OPEN, CampaignState.PUBLISHED}),
    # Withdrawn back to closed to correct the recommendations.
    CampaignState.PUBLISHED: frozenset({CampaignState.CLOSED}),
}


class Anonymity(models.TextChoices):
    NAMED = "named", _("Named: each answer is given in the respondent's name and is public")
    PUBLIC_ANONYMOUS = (
        "public_anonymous",
        _("Anonymous to the public: the coordinator sees who answered, the public only groups"),
    )
    ANONYMOUS = (
        "anonymous",
        _("Fully anonymous: nobody sees who answered; the link is cut on submission"),
    )


class ResponseState(models.TextChoices):
    DRAFT = "draft", _("Started, not submitted")
    SUBMITTED = "submitted", _("Submitted")
