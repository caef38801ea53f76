"""The library: publications (handbooks, analyses, good practices, guides, templates, laws)
with their files, chapters, editions, good-practice case records and the consultations,
events and assessment campaigns they are used in.

A publication is a draft until an editor publishes it; every change of state leaves a
`PublicationChange` row (who, when, from, to, why). A second edition is a new publication
linked to the previous one (`previous_edition`, and `first_edition` for the whole line): the
first stays readable and each page links to the others. The text of attached files is
extracted once, at upload (library/textract.py), and stored for the full-text search.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Campaign
from consultations.models import Consultation
from core.models import TimeStampedModel, Topic
from directory.models import Institution
from events.models import Event
from library.enums import (
    AUDIENCE_FIELDS,
    Audience,
    FileKind,
    Language,
    Licence,
    PublicationType,
    State,
)
from organisations.models import Organisation
from territory.models import Municipality, Province

MAX_BODY_LENGTH = 200_000
MAX_SUMMARY_LENGTH = 2_000
# The stored text of one file: a 10 MB PDF rarely holds more; beyond it the index gains little.
MAX_FILE_TEXT = 1_000_000
MIN_YEAR, MAX_YEAR = 1900, 2100


class PublicationQuerySet(models.QuerySet["Publication"]):
    def published(self) -> PublicationQuerySet:
        return self.filter(state=State.PUBLISHED)


class Publication(TimeStampedModel):
    type = models.CharField(_("type"), max_length=20, choices=PublicationType.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=MAX_SUMMARY_LENGTH)
    body = models.TextField(
        _("text"), blank=True, max_length=MAX_BODY_LENGTH, help_text=_("Markdown.")
    )
    authors = models.CharField(
        _("authors (persons)"), max_length=500, blank=True,
        help_text=_("Names of the people who wrote it, separated by commas."),
    )  # fmt: skip
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("authoring organisations")
    )
    institutions = models.ManyToManyField(
        Institution, blank=True, related_name="+", verbose_name=_("authoring institutions")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.BULGARIAN
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="publications", verbose_name=_("topics")
    )
    # Who it is for: one boolean each (enums.Audience), filtered and counted in one query.
    for_citizens = models.BooleanField(_("for citizens"), default=False)
    for_ngos = models.BooleanField(_("for civil-society organisations"), default=False)
    for_administrations = models.BooleanField(_("for administrations"), default=False)
    for_councils = models.BooleanField(_("for municipal councils"), default=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    previous_edition = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_edition",
        verbose_name=_("previous edition"),
    )  # fmt: skip
    # The line of editions: every later edition points at the first (None on the first).
    first_edition = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_editions",
        verbose_name=_("first edition"),
    )  # fmt: skip
    is_example = models.BooleanField(
        _("example"), default=False,
        help_text=_("Seed content written to show how the library works."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    # Optimistic lock of the edit forms; also moved on by any change of chapters or files,
    # so the handbook's PDF (cached under it) is made anew.
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    # What the seed loader wrote it from (its key in data/library/): the loader finds it again.
    seed_key = models.CharField(max_length=80, blank=True, editable=False, db_index=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [
            models.Index(fields=["state", "-published_at", "-id"], name="publication_newest"),
            models.Index(fields=["state", "type"], name="publication_type"),
            models.Index(fields=["state", "year"], name="publication_year"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(edition__gte=1), name="publication_edition_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def audiences(self) -> list[str]:
        return [value for value, name in AUDIENCE_FIELDS.items() if getattr(self, name)]

    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels[a]) for a in self.audiences]

    @property
    def line_root_id(self) -> int:
        """The first edition's id: the same for every edition of one publication."""
        return self.first_edition_id or self.pk


class PublicationChange(models.Model):
    """One change of state of a publication: who, when, from, to, why."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["publication", "at", "pk"]
        verbose_name = _("change of state")
        verbose_name_plural = _("changes of state")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def from_label(self) -> str:
        return str(State(self.from_state).label) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return str(State(self.to_state).label)


def file_path(instance: PublicationFile, filename: str) -> str:
    # The name is made safe by core.uploads.safe_name before it gets here.
    return f"library/{instance.publication_id}/{filename}"


class PublicationFile(TimeStampedModel):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=file_path, max_length=300)
    kind = models.CharField(_("type"), max_length=8, choices=FileKind.choices)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # The file's words for the search (library/textract.py), read once at upload.
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )  # fmt: skip

    class Meta:
        ordering = ["publication", "position", "pk"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.title or self.file.name or ""

    def get_absolute_url(self) -> str:
        return reverse("library:file", args=[self.pk])

    @property
    def label(self) -> str:
        """The title, or else the stored file's own name (without its folder)."""
        return self.title or os.path.basename(self.file.name or "")


class Chapter(TimeStampedModel):
    """A chapter of a publication read as web pages (a handbook): its own page, in order."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    anchor = models.SlugField(
        _("address"), max_length=80,
        help_text=_("The end of the chapter's address: Latin letters, digits and dashes."),
    )  # fmt: skip
    body = models.TextField(_("text"), max_length=MAX_BODY_LENGTH, help_text=_("Markdown."))

    class Meta:
        ordering = ["publication", "position", "pk"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        constraints = [
            models.UniqueConstraint(fields=["publication", "anchor"], name="chapter_anchor_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:chapter", args=[self.publication_id, self.anchor])


class GoodPractice(models.Model):
    """The case record of a good practice: where, when, what was done and with what result."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="good_practice"
    )
    country = models.CharField(_("country"), max_length=100)
    place = models.CharField(
        _("municipality or city"), max_length=200, blank=True,
        help_text=_("Empty for a practice of a whole country or region."),
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(
        _("year it began"), null=True, blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )  # fmt: skip
    what_was_done = models.TextField(
        _("what was done"), max_length=20_000, help_text=_("Markdown.")
    )
    results = models.TextField(
        _("results"), max_length=20_000, blank=True, help_text=_("Markdown.")
    )
    contacts = models.TextField(_("contacts"), max_length=2_000, blank=True)
    sources = models.TextField(
        _("sources"), max_length=5_000, blank=True,
        help_text=_("One source a line: a title and its address."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        indexes = [models.Index(fields=["country", "year"], name="good_practice_country")]

    def __str__(self) -> str:
        return f"{self.country}: {self.publication_id}"

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]


class PublicationUse(models.Model):
    """Where a publication is used: a consultation, an event or an assessment campaign
    (exactly one). The library sits above those apps, so it may point at them; they never
    import it."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="uses")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )  # fmt: skip
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["publication", "added_at", "pk"]
        verbose_name = _("use of a publication")
        verbose_name_plural = _("uses of publications")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(consultation__isnull=False, event__isnull=True, campaign__isnull=True)
                    | Q(consultation__isnull=True, event__isnull=False, campaign__isnull=True)
                    | Q(consultation__isnull=True, event__isnull=True, campaign__isnull=False)
                ),
                name="publication_use_exactly_one",
            ),
            # Each once per publication (NULLs never collide, so the other two columns pass).
            models.UniqueConstraint(
                fields=["publication", "consultation"], name="use_consultation_once"
            ),
            models.UniqueConstraint(fields=["publication", "event"], name="use_event_once"),
            models.UniqueConstraint(fields=["publication", "campaign"], name="use_campaign_once"),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> Consultation | Event | Campaign | None:
        return self.consultation or self.event or self.campaign
