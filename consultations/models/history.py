"""The history imported from strategy.bg's open-data exports (consultations.history).

An imported consultation is an ordinary `Consultation` with `source` set; what only the import
knows lives here: the comments as the export gives them (a title, a date, the decision; no
author, no body), the source portal's categories with the institution each one stands for,
the rows waiting for an administrator to say which municipality a category means, and each
run of the import with its report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.enums import Decision, ImportedCommentState, ImportState, Scope
from directory.models import Institution
from territory.models import Municipality


class ImportedComment(models.Model):
    """A comment of the source portal. Public only when the portal approved it."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="imported_comments"
    )
    source_id = models.PositiveIntegerField(_("number at the source"), unique=True)
    title = models.TextField(_("comment (its title at the source)"))
    created_at = models.DateTimeField(_("written"))
    # Blank: the source says "Неразгледан" (not considered).
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    remark = models.TextField(_("remark"), blank=True)
    state = models.CharField(_("state at the source"), max_length=20, choices=ImportedCommentState)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("imported comment")
        verbose_name_plural = _("imported comments")
        indexes = [
            models.Index(fields=["consultation", "state"], name="imported_comment_public"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.source_id}"

    @property
    def is_public(self) -> bool:
        return self.state == ImportedCommentState.APPROVED


class SourceCategory(models.Model):
    """A category of the source portal: a policy area (national), a province (regional) or a
    municipality, and the institution its consultations are attached to. A municipal name the
    directory has twice (or not at all) waits for an administrator's choice (`problem`)."""

    class Problem(models.TextChoices):
        NONE = "", _("none")
        AMBIGUOUS = "ambiguous", _("several municipalities have this name")
        UNKNOWN = "unknown", _("no municipality or province has this name")

    category_id = models.PositiveIntegerField(_("category number at the source"), unique=True)
    scope = models.CharField(_("level"), max_length=20, choices=Scope.choices)
    name = models.CharField(_("name at the source"), max_length=300)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("institution"),
    )  # fmt: skip
    problem = models.CharField(
        _("problem"), max_length=20, choices=Problem.choices, default=Problem.NONE, blank=True
    )
    candidates = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("possible municipalities")
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("resolved by"),
    )  # fmt: skip
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["scope", "name"]
        verbose_name = _("category of strategy.bg")
        verbose_name_plural = _("categories of strategy.bg")

    def __str__(self) -> str:
        return self.name


class HeldRow(models.Model):
    """A consultation of a category waiting for the administrator's choice: imported as soon
    as the category is resolved (consultations.history.resolve_category)."""

    category = models.ForeignKey(SourceCategory, on_delete=models.CASCADE, related_name="held")
    source_id = models.PositiveIntegerField(_("number at the source"))
    record = models.JSONField(_("record"))
    comments = models.JSONField(_("its comments"), default=list)

    class Meta:
        ordering = ["source_id"]
        constraints = [
            models.UniqueConstraint(fields=["source_id"], name="held_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.source_id}"


def import_path(instance: ImportRun, filename: str) -> str:
    # Never served: the files are read by the task and kept with the run's report.
    return f"private/consultations/imports/{timezone.now():%Y/%m}/{filename}"


class ImportRun(models.Model):
    """One import of an export: its files, its progress and its report."""

    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("started by"),
    )  # fmt: skip
    consultations_file = models.FileField(_("consultations file"), upload_to=import_path)
    comments_file = models.FileField(_("comments file"), upload_to=import_path, blank=True)
    consultations_name = models.CharField(_("consultations file"), max_length=255)
    comments_name = models.CharField(_("comments file"), max_length=255, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import from strategy.bg")
        verbose_name_plural = _("imports from strategy.bg")

    def __str__(self) -> str:
        return f"{self.consultations_name} ({self.created_at:%d.%m.%Y})"

    @property
    def under_way(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)
