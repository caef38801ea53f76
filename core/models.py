"""Shared base models: timestamps, topics, the search index, data-load bookkeeping and the days
the government declares off or working (the legal calendar)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.legal_calendar import is_default_working_day


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class GeneratedDocument(models.Model):
    """A file made by a background task from the data of one scope (a province's directory, a
    filtered catalogue), with the fingerprint of that data: the same fingerprint is the same
    document, so a file is made again only when the data changed (core/documents.py).

    Subclasses add their scope's fields, a unique constraint on (scope, fingerprint) and their
    own `file` with its folder (`upload_to`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    fingerprint = models.CharField(_("fingerprint of the data"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="documents/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True


class Topic(models.Model):
    """A theme people follow and content is tagged with (education, environment, ...)."""

    slug = models.SlugField(_("identifier"), unique=True)
    name_bg = models.CharField(_("name in Bulgarian"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)

    class Meta:
        ordering = ["name_bg"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)


class SearchEntry(models.Model):
    """One searchable thing, registered by its app (see core/search.py).

    `document` holds normalised Latin terms (transliterated, with Bulgarian stems), indexed by
    SQLite FTS5 or a PostgreSQL full-text GIN index created in this app's migrations.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=64, db_index=True)
    title_bg = models.CharField(max_length=500)
    title_en = models.CharField(max_length=500, blank=True)
    subtitle_bg = models.CharField(max_length=500, blank=True)
    subtitle_en = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500)
    title_key = models.CharField(max_length=500, db_index=True)
    document = models.TextField()
    boost = models.BigIntegerField(default=0)
    public = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_entry_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "-boost"], name="search_kind_boost")]

    def __str__(self) -> str:
        return self.title_bg

    @property
    def title(self) -> str:
        return localized(self.title_bg, self.title_en)

    @property
    def subtitle(self) -> str:
        return localized(self.subtitle_bg, self.subtitle_en)


class DataLoad(models.Model):
    """What a loader last imported, so a repeated load of unchanged files is skipped."""

    name = models.CharField(max_length=100, unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name


class DeclaredDay(models.Model):
    """A day the Council of Ministers declares a day off, or a Saturday it declares a working
    day to make up for one (КТ чл. 154; "отработване"). It overrides the weekends and official
    holidays of core.legal_calendar, so the administrator can also correct the holidays library.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("day off")
        WORKING_DAY = "working_day", _("working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(
        _("reason"),
        max_length=300,
        help_text=_("The act that declares it, e.g. Council of Ministers Decision No 808/2025."),
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("declared day off or working day")
        verbose_name_plural = _("declared days off and working days")

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}"

    def clean(self) -> None:
        # An entry that changes nothing is most likely a mistyped date.
        if self.date and self.kind:
            working = self.kind == self.Kind.WORKING_DAY
            if is_default_working_day(self.date) == working:
                raise ValidationError(
                    {
                        "kind": _("This day already is a %(kind)s; the entry would change nothing.")
                        % {"kind": self.get_kind_display()}
                    }
                )


class Page(models.Model):
    """A page of information the administrator edits in the admin (about the portal, the
    interaction model, how to take part, privacy, terms, the accessibility statement), in
    Bulgarian and English. The footer's co-funding notice is a deployment's setting
    (FUNDING_NOTICE), not a page."""

    class Slug(models.TextChoices):
        ABOUT = "about", _("About the portal")
        MODEL = "interaction-model", _("The interaction model")
        TAKE_PART = "how-to-take-part", _("How to take part")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        PRIVACY = "privacy", _("Privacy notice")
        TERMS = "terms", _("Terms of use")

    slug = models.SlugField(_("page"), max_length=40, unique=True, choices=Slug.choices)
    title_bg = models.CharField(_("title in Bulgarian"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    body_bg = models.TextField(_("text in Bulgarian"), help_text=_("Markdown."))
    body_en = models.TextField(_("text in English"), blank=True, help_text=_("Markdown."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("page of information")
        verbose_name_plural = _("pages of information")

    def __str__(self) -> str:
        return self.title_bg

    @property
    def title(self) -> str:
        return localized(self.title_bg, self.title_en)

    @property
    def body(self) -> str:
        return localized(self.body_bg, self.body_en)
