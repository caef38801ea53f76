"""Public consultations: the consultation and its package, the draft's versions and units,
comments and proposals, their answers, hearings, and the report's files.

State changes go through consultations/services.py, which checks them against
enums.TRANSITIONS and writes a `StateChange` row for each.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.audit import audit, audit_moved
from consultations.enums import (
    PUBLIC_STATES,
    AttachmentKind,
    Decision,
    Kind,
    ModerationAction,
    ReportFormat,
    ShownAs,
    Source,
    State,
    VersionKind,
)
from core.legal_calendar import SOFIA, deadline_end
from core.models import GeneratedDocument, TimeStampedModel, Topic
from directory.models import Institution
from organisations.models import Network, Organisation
from territory.models import Municipality, Province

MAX_COMMENT_LENGTH = 10_000

# The import flag of an evident test entry on the source portal (consultations.history).
TEST_ENTRY_FLAG = "test_entry"
AUDIT_FIELDS = (
    "opened_on",
    "opened_year",
    "period_days",
    "legal_minimum_days",
    "meets_minimum",
    "short_without_reason",
)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The name is made safe by core.uploads before it gets here.
    return f"consultations/{instance.consultation_id}/{filename}"


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def public(self) -> ConsultationQuerySet:
        # Written as an exclusion: nearly every consultation is public, and with `IN` SQLite
        # (without statistics) walks the state index and sorts everything instead of walking
        # the newest-first index (90 ms instead of 1 for 10,000 consultations).
        return self.exclude(state__in=[s for s in State if s not in PUBLIC_STATES])

    def open(self) -> ConsultationQuerySet:
        return self.filter(state=State.OPEN)

    def due_to_open(self, now: datetime.datetime | None = None) -> ConsultationQuerySet:
        return self.filter(state=State.SCHEDULED, opens_at__lte=now or timezone.now())

    def due_to_close(self, now: datetime.datetime | None = None) -> ConsultationQuerySet:
        today = (now or timezone.now()).astimezone(SOFIA).date()
        return self.filter(state=State.OPEN, closes_on__lt=today)


class Consultation(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="consultations",
        verbose_name=_("institution"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # Publication (the day after it the period starts) and the last day of the period, which
    # lasts until 23:59:59 Sofia time (ГПК чл. 60, core.legal_calendar).
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_on = models.DateField(_("last day for comments"), null=True, blank=True)
    short_period_reason = models.TextField(
        _("reason for a shorter period"), blank=True,
        help_text=_("Required, and published, when the period is shorter than the law's 30 days."),
    )  # fmt: skip
    motives = models.TextField(_("motives (мотиви)"), blank=True, help_text=_("Markdown."))
    impact_assessment = models.TextField(
        _("impact assessment"), blank=True, help_text=_("Markdown.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=100, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="consultations", verbose_name=_("topics")
    )
    # The territory it concerns; by default that of the institution (services.py fills it).
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    report_published_at = models.DateTimeField(_("report published"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adoption_reference = models.CharField(
        _("adoption decision"), max_length=300, blank=True,
        help_text=_("E.g. Decision No 123 of the municipal council of 25.03.2026."),
    )  # fmt: skip
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    # Stored, not counted per row (DESIGN.md §7): kept by the services that change them.
    comments_count = models.PositiveIntegerField(_("comments"), default=0)
    proposals_count = models.PositiveIntegerField(_("proposals"), default=0)
    participants_count = models.PositiveIntegerField(_("participants"), default=0)
    # Raised on every save through the edit form (optimistic locking, as in the directory).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # Where it was held: here, or on strategy.bg (history imported by consultations.history,
    # read-only here; `source_id` is strategy.bg's number, `source_url` its page there).
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.PLATFORM
    )
    source_id = models.PositiveIntegerField(_("number at the source"), null=True, blank=True)
    source_url = models.URLField(_("page at the source"), blank=True)
    document_types = models.JSONField(_("types of documents"), default=list, blank=True)
    policy_area = models.CharField(_("policy area"), max_length=200, blank=True)
    # The number of comments the source portal states, beside the ones imported.
    source_comments_count = models.PositiveIntegerField(
        _("comments according to the source"), null=True, blank=True
    )
    # Why an import did not publish it (e.g. an evident test entry), for the administrators.
    import_flags = models.JSONField(_("import flags"), default=list, blank=True)

    # The audit (consultations.audit), recomputed on every save.
    opened_on = models.DateField(_("opened on"), null=True, blank=True, editable=False)
    # Stored for the dashboard's grouping by year (SQLite extracts a year in Python per row).
    opened_year = models.PositiveSmallIntegerField(
        _("year opened"), null=True, blank=True, editable=False
    )
    # Signed: a mistyped date in a source can end a period before it starts.
    period_days = models.IntegerField(_("period in days"), null=True, blank=True, editable=False)
    legal_minimum_days = models.PositiveSmallIntegerField(
        _("legal minimum in days"), null=True, blank=True, editable=False
    )
    meets_minimum = models.BooleanField(
        _("meets the legal minimum"), null=True, blank=True, editable=False
    )
    short_without_reason = models.BooleanField(
        _("shorter without a stated reason"), default=False, editable=False
    )
    # Comments that got an answer and those taken into account (accepted, fully or in part),
    # kept by consultations.history and when the report is published (consultations.answers).
    audit_comments = models.PositiveIntegerField(_("comments judged"), default=0)
    audit_taken_into_account = models.PositiveIntegerField(
        _("comments taken into account"), default=0
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["state", "closes_on"], name="consultation_state_closes"),
            models.Index(fields=["institution", "state"], name="consultation_institution"),
            # The lists' order: newest first is walked in the index, not sorted (10,000 rows).
            models.Index(fields=["-opens_at", "-id"], name="consultation_newest"),
            models.Index(fields=["source", "opened_on"], name="consultation_source_opened"),
            # The public list's consultations that are not open, latest closed first.
            models.Index(fields=["-closes_on", "-id"], name="consultation_latest_closed"),
            # The compliance dashboard's list of those below the minimum, newest first.
            models.Index(fields=["meets_minimum", "-opened_on"], name="consultation_below_minimum"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source_id__isnull=False),
                name="consultation_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def closes_at(self) -> datetime.datetime | None:
        """The last moment comments are accepted (23:59:59 Sofia time of `closes_on`)."""
        return deadline_end(self.closes_on) if self.closes_on else None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_audit()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *AUDIT_FIELDS}
        super().save(*args, **kwargs)
        audit_moved()

    def refresh_audit(self) -> None:
        """Recompute the stored audit figures from the dates, the kind and the reason."""
        self.opened_on = self.opens_at.astimezone(SOFIA).date() if self.opens_at else None
        self.opened_year = self.opened_on.year if self.opened_on else None
        figures = audit(
            self.kind,
            self.opened_on,
            self.closes_on,
            reason_stated=bool(self.short_period_reason.strip()) and not self.is_test_entry,
        )
        self.period_days = figures.period_days
        self.legal_minimum_days = figures.legal_minimum_days
        self.meets_minimum = figures.meets_minimum
        self.short_without_reason = figures.short_without_reason

    @property
    def is_imported(self) -> bool:
        return self.source != Source.PLATFORM

    @property
    def is_test_entry(self) -> bool:
        return TEST_ENTRY_FLAG in self.import_flags

    @property
    def current_version(self) -> DraftVersion | None:
        return self.versions.filter(kind=VersionKind.CONSULTED).order_by("-number").first()


class StateChange(models.Model):
    """One move of a consultation between states: who (none when automatic), when, why."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change of state")
        verbose_name_plural = _("changes of state")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.from_state} → {self.to_state}"


class Attachment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class DraftVersion(models.Model):
    """A version of the draft's text: revised freely until the consultation opens (one
    "consulted" version then), and the adopted text published after it as another."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=VersionKind.choices, default=VersionKind.CONSULTED
    )
    # The text as given (Markdown or the text read from a .docx), kept to read it again.
    source_text = models.TextField(_("text"), blank=True)
    source_name = models.CharField(_("imported from"), max_length=255, blank=True)
    warnings = models.JSONField(_("warnings of the reading"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("version of the draft")
        verbose_name_plural = _("versions of the draft")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} v{self.number}"


class Article(models.Model):
    """One unit of a version's text (consultations.drafts.Node): a part, chapter or section
    heading, an article or § with its paragraphs and points, or a heading of a strategy.
    Comments are made on the units whose `commentable` is set (articles, §§, headings)."""

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="articles")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    index = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20)
    number = models.CharField(_("number"), max_length=40, blank=True)
    label = models.CharField(_("label"), max_length=200)  # "Чл. 5, ал. 2"
    anchor = models.CharField(_("anchor"), max_length=200)  # "chl-5-al-2"
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    commentable = models.BooleanField(_("can be commented on"), default=False)
    comments_count = models.PositiveIntegerField(_("comments"), default=0)

    class Meta:
        ordering = ["version", "index"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["version", "index"], name="article_index"),
            models.UniqueConstraint(fields=["version", "anchor"], name="article_anchor"),
        ]

    def __str__(self) -> str:
        return self.label


class ProposalGroup(models.Model):
    """Proposals answered together: one proposal, or many identical or near-identical ones
    (a campaign text), with the institution's decision and its reasons."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="groups")
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    summary = models.TextField(_("summary of the proposal"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["consultation", "order", "pk"]
        verbose_name = _("group of proposals")
        verbose_name_plural = _("groups of proposals")

    def __str__(self) -> str:
        return f"{self.consultation_id} #{self.order}"

    @property
    def is_answered(self) -> bool:
        return bool(self.decision)


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible(self) -> CommentQuerySet:
        return self.filter(hidden_at__isnull=True)

    def proposals(self) -> CommentQuerySet:
        """What needs an answer: top-level comments (replies are discussion)."""
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    """A comment on the whole draft (no article) or on one unit, by a person as themselves,
    on behalf of an organisation they represent, or as a network's joint position. A
    proposal carries a concrete new wording. Replies (`parent`) form threads."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    # Units are deleted only with their consultation (a version is never deleted once
    # commented on), so the comments go with them.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_comments"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("on behalf of"),
    )  # fmt: skip
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("joint position of"),
    )  # fmt: skip
    shown_as = models.CharField(
        _("show my name as"), max_length=10, choices=ShownAs.choices, default=ShownAs.FULL_NAME
    )
    # The name shown, fixed when the comment is made (the report must not change later).
    display_name = models.CharField(_("shown as"), max_length=300)
    text = models.TextField(_("comment"), validators=[MaxLengthValidator(MAX_COMMENT_LENGTH)])
    is_proposal = models.BooleanField(_("proposal with a new wording"), default=False)
    proposed_wording = models.TextField(
        _("proposed wording"), blank=True, validators=[MaxLengthValidator(MAX_COMMENT_LENGTH)]
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    group = models.ForeignKey(
        ProposalGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    # Moderation: the text is kept; a hidden comment shows its public reason instead.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["consultation", "created_at"], name="comment_by_time"),
            models.Index(fields=["consultation", "article"], name="comment_by_article"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(network__isnull=True),
                name="comment_one_voice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Support(models.Model):
    """A person supports a proposal, once."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.comment_id}"


class CommentFlag(models.Model):
    """Someone reports a comment to the moderators, with a reason."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report of a comment")
        verbose_name_plural = _("reports of comments")

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.reason[:40]}"


class ModerationLog(models.Model):
    """Every moderation act: who, when, what, why (public reason for hiding)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=ModerationAction.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("moderation act")
        verbose_name_plural = _("moderation acts")

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.action}"


class Hearing(models.Model):
    """A public hearing of the consultation; its minutes are added after it."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="hearings"
    )
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown."))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("public hearing")
        verbose_name_plural = _("public hearings")

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.starts_at:%Y-%m-%d}"


class ReportFile(GeneratedDocument):
    """The report (справка) as a PDF or a .docx, made in the background (core.documents)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="report_files"
    )
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    file = models.FileField(_("file"), upload_to="consultations/reports/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("file of the report")
        verbose_name_plural = _("files of the report")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "format", "fingerprint"], name="report_file_unique"
            ),
        ]


class Notice(models.Model):
    """A notice sent about a consultation to its followers (opened, closing in three days),
    recorded so that it goes once."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        CLOSING = "closing", _("closing soon")
        REPORT = "report", _("report published")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.kind}"


# The imported history's own models (a module of their own: this one is long enough).
from consultations.models.history import (  # noqa: E402, F401
    HeldRow,
    ImportedComment,
    ImportRun,
    SourceCategory,
)
