"""Capacity assessments: questionnaires (versioned, with sections, questions, options and the
dimensions their scores feed), campaigns that invite respondents, the responses with their
stored scores, and the recommendation rules with the recommendations they produce.

A questionnaire in use is never changed: once published it is read-only, and a change makes a
new version (same `family`, next `version`). Answers are kept as JSON on the response, keyed
by question id (see assessments/scoring.py for the shapes); the scores computed from them at
submission are stored beside them (assessments/scoring.py), so indices aggregate stored
numbers and never re-read answers.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.enums import (
    Anonymity,
    CampaignState,
    QuestionnaireState,
    QuestionType,
    RespondentType,
    ResponseState,
)
from core.i18n import localized
from core.models import TimeStampedModel
from directory.models import Institution
from organisations.models import Organisation
from territory.models import Municipality

MAX_TEXT_LENGTH = 10_000


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Dimension(models.Model):
    """What a group of scored questions measures (transparency, consultation practice, ...).
    Shared by the questionnaires, so administrations, councils and organisations can be
    compared on the same dimension."""

    slug = models.SlugField(_("identifier"), unique=True)
    name_bg = models.CharField(_("name in Bulgarian"), max_length=160)
    name_en = models.CharField(_("name in English"), max_length=160, blank=True)
    description_bg = models.TextField(_("description in Bulgarian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    weight = models.DecimalField(
        _("weight in the overall index"), max_digits=4, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)

    @property
    def description(self) -> str:
        return localized(self.description_bg, self.description_en)


class StateChange(models.Model):
    """One change of state of a questionnaire or a campaign: who, when, from, to, why."""

    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    STATES: type[models.TextChoices]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def from_label(self) -> str:
        return str(self.STATES(self.from_state).label) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return str(self.STATES(self.to_state).label)


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def published(self) -> QuestionnaireQuerySet:
        return self.filter(state=QuestionnaireState.PUBLISHED)


class Questionnaire(TimeStampedModel):
    family = models.SlugField(
        _("family"), max_length=60, help_text=_("The versions of one questionnaire share it.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, max_length=MAX_TEXT_LENGTH, help_text=_("Markdown.")
    )
    respondent_type = models.CharField(
        _("who answers"), max_length=20, choices=RespondentType.choices
    )
    state = models.CharField(
        _("state"), max_length=12, choices=QuestionnaireState.choices,
        default=QuestionnaireState.DRAFT,
    )  # fmt: skip
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("previous version"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("ready since"), null=True, blank=True)
    # Optimistic lock of the builder: two coordinators never overwrite each other unseen.
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="questionnaire_version")
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:questionnaire", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state == QuestionnaireState.DRAFT


class QuestionnaireChange(StateChange):
    STATES = QuestionnaireState

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="changes"
    )

    class Meta:
        ordering = ["questionnaire", "at", "pk"]
        verbose_name = _("questionnaire change")
        verbose_name_plural = _("questionnaire changes")


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("introduction"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(
        _("code"), max_length=20,
        help_text=_("Short and unique in the questionnaire, e.g. A3; used in exports."),
    )  # fmt: skip
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=True)
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, null=True, blank=True, related_name="questions",
        verbose_name=_("dimension"), help_text=_("Empty: the answer is not scored."),
    )  # fmt: skip
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    # Labels of the scale's ends (1 and 5) for scales and matrices.
    low_label = models.CharField(_("label of 1"), max_length=60, blank=True)
    high_label = models.CharField(_("label of 5"), max_length=60, blank=True)
    min_value = models.IntegerField(_("smallest number"), null=True, blank=True)
    max_value = models.IntegerField(_("largest number"), null=True, blank=True)
    # Shown only when this option was chosen (an option of an earlier question). An option a
    # condition rests on cannot be deleted alone (the question would silently show to all);
    # with its whole questionnaire it can (RESTRICT, not PROTECT).
    show_if = models.ForeignKey(
        "Option", on_delete=models.RESTRICT, null=True, blank=True, related_name="shows",
        verbose_name=_("shown only after the answer"),
    )  # fmt: skip
    # Its options are training topics: counted in the training needs.
    training_need = models.BooleanField(_("asks for training needs"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["questionnaire", "section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class Option(models.Model):
    """A choice of a choice question (with its score, 0–100, or none: not scored, e.g. "I do
    not know"), or a row of a matrix."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("answer"), max_length=300)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text=_("0–100; empty: not scored."),
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


# --- Campaigns --------------------------------------------------------------------------------


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def published(self) -> CampaignQuerySet:
        return self.filter(state=CampaignState.PUBLISHED)


def default_min_group_size() -> int:
    return int(settings.ASSESSMENTS_MIN_GROUP_SIZE)


class Campaign(TimeStampedModel):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, max_length=MAX_TEXT_LENGTH, help_text=_("Markdown.")
    )
    # At most one questionnaire per respondent type (checked by the services).
    questionnaires = models.ManyToManyField(
        Questionnaire, related_name="campaigns", verbose_name=_("questionnaires")
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_rounds",
        verbose_name=_("previous round"),
        help_text=_("The earlier campaign of the same questionnaires, to show the change."),
    )  # fmt: skip
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    anonymity = models.CharField(
        _("anonymity"), max_length=20, choices=Anonymity.choices,
        default=Anonymity.PUBLIC_ANONYMOUS,
    )  # fmt: skip
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown"), default=default_min_group_size,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Indices of fewer answers than this are never shown, anywhere."),
    )  # fmt: skip
    state = models.CharField(
        _("state"), max_length=12, choices=CampaignState.choices, default=CampaignState.DRAFT,
        db_index=True,
    )  # fmt: skip
    # The secret of the open link; empty: answers by invitation only.
    open_key = models.CharField(_("open link key"), max_length=40, blank=True)
    summary = models.TextField(
        _("conclusions"), blank=True, max_length=MAX_TEXT_LENGTH,
        help_text=_("Markdown: the coordinator's conclusions, at the head of the report."),
    )  # fmt: skip
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("coordinator"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    # Bumped by every change that alters the results: the key of their cache.
    results_version = models.PositiveIntegerField(default=1, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("assessment campaign")
        verbose_name_plural = _("assessment campaigns")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:campaign", args=[self.pk])

    @property
    def is_open_for_answers(self) -> bool:
        today = timezone.localdate()
        return self.state == CampaignState.OPEN and self.opens_on <= today <= self.closes_on

    @property
    def is_published(self) -> bool:
        return self.state == CampaignState.PUBLISHED

    @property
    def is_named(self) -> bool:
        return self.anonymity == Anonymity.NAMED

    @property
    def is_fully_anonymous(self) -> bool:
        return self.anonymity == Anonymity.ANONYMOUS

    @property
    def group_minimum(self) -> int:
        """Named answers are public one by one; anonymous ones only in big enough groups."""
        return 1 if self.is_named else self.min_group_size


class CampaignChange(StateChange):
    STATES = CampaignState

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="changes")

    class Meta:
        ordering = ["campaign", "at", "pk"]
        verbose_name = _("campaign change")
        verbose_name_plural = _("campaign changes")


class Invitation(TimeStampedModel):
    """One respondent invited by e-mail: an institution's or organisation's address, or a
    person's. The token in the link is the respondent's key (nothing personal in the URL)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    respondent_type = models.CharField(
        _("who answers"), max_length=20, choices=RespondentType.choices
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("institution"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "municipality", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="invitation_once")
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.respondent_name or self.email

    @property
    def respondent_name(self) -> str:
        if self.institution is not None:
            return self.institution.name
        if self.organisation is not None:
            return self.organisation.display_name
        return ""

    def get_answer_url(self) -> str:
        return reverse("assessments:answer", args=[self.token])


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(state=ResponseState.SUBMITTED)


class Response(TimeStampedModel):
    """One respondent's answers. In a fully anonymous campaign the links to the invitation,
    the account, the institution or organisation are cut at submission, and only the
    municipality and the respondent type stay (with the date, not the time)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    respondent_type = models.CharField(
        _("who answers"), max_length=20, choices=RespondentType.choices
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    # A keyed hash of (campaign, account) for the open link: one submission per account, and
    # nothing that names the account once the link is cut.
    respondent_key = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ResponseState.choices, default=ResponseState.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict)
    # {dimension slug: index 0–100, "overall": index}: computed at submission.
    scores = models.JSONField(_("scores"), default=dict)
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "pk"]
        indexes = [models.Index(fields=["campaign", "state"], name="response_campaign_state")]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.pk}"


# --- Recommendations ---------------------------------------------------------------------------


class RecommendationRule(models.Model):
    """ "Consultation practice below 50 → recommend an annual consultation plan": applied to
    each municipality's index of a dimension (or the overall index) for a respondent type."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rules")
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dimension"), help_text=_("Empty: the overall index."),
    )  # fmt: skip
    respondent_type = models.CharField(
        _("whose answers"), max_length=20, choices=RespondentType.choices, blank=True,
        help_text=_("Empty: all respondents of the municipality together."),
    )  # fmt: skip
    below = models.DecimalField(
        _("when the index is below"), max_digits=5, decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    text = models.TextField(_("recommendation"), max_length=2000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("recommendation rule")
        verbose_name_plural = _("recommendation rules")

    def __str__(self) -> str:
        return self.text[:80]


class Recommendation(TimeStampedModel):
    """A recommendation to one municipality (or, without one, to the whole scope), made by a
    rule or written by the coordinator; its text can be edited before publishing."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recommendations")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    rule = models.ForeignKey(
        RecommendationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the rule found, e.g. "Consultation practice: 41.5 (administration)".
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    text = models.TextField(_("recommendation"), max_length=2000)
    edited = models.BooleanField(_("edited by the coordinator"), default=False)

    class Meta:
        ordering = ["campaign", "municipality", "pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:80]
