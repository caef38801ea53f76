"""The catalogue of civil-society organisations and their networks ("family of NGOs").

Real organisations enter as unclaimed register entries (`source`, `register_number`); a
person who registers a new one or claims an entry becomes its representative only after
verification (`RepresentationClaim`), which grants the scoped role
`organisation_representative` (accounts.RoleAssignment). Networks keep a work plan whose every
change is kept (`TaskChange`), and publish joint positions co-signed by member organisations.
"""

from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.eik import validate_eik
from core.i18n import localized
from core.models import GeneratedDocument, TimeStampedModel
from organisations.enums import Benefit, LegalForm, Reach, RegisterStatus, Visibility
from territory.models import Municipality, Province, Settlement


class Taxonomy(models.Model):
    slug = models.SlugField(_("identifier"), unique=True)
    name_bg = models.CharField(_("name in Bulgarian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        abstract = True
        ordering = ["order", "name_bg"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)


class FieldOfActivity(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")


class TargetGroup(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


def display_name_of(name: str, name_en: str, legal_form: str) -> str:
    """Community centres are registered without "Народно читалище": give it back."""
    base = localized(name, name_en)
    if legal_form == LegalForm.COMMUNITY_CENTRE and not base.lower().startswith(
        ("народно читалище", "нч ", "чн ", "читалище")
    ):
        return f"Народно читалище „{base}“"
    return base


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def public(self) -> OrganisationQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def for_list(self) -> OrganisationQuerySet:
        """What list rows show, eager-loaded: a page costs the same queries at any size."""
        return self.select_related("settlement__municipality__province").order_by("name", "pk")


def logo_path(instance: Organisation, filename: str) -> str:
    # The name is ours, not the uploader's: no personal data or odd characters in paths.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"organisations/logos/{instance.pk or 'new'}-{timezone.now():%Y%m%d%H%M%S}.{suffix}"


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    # Unique where given: the same EIK cannot be registered twice (issue 4).
    eik = models.CharField(
        _("EIK/BULSTAT"), max_length=13, null=True, blank=True, unique=True,
        validators=[validate_eik],
    )  # fmt: skip
    benefit = models.CharField(
        _("benefit"), max_length=10, choices=Benefit.choices, blank=True, default=Benefit.UNKNOWN
    )
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("seat"),
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    social_links = models.TextField(
        _("social networks"), blank=True, help_text=_("One address a line.")
    )
    fields = models.ManyToManyField(
        FieldOfActivity, blank=True, related_name="organisations",
        verbose_name=_("fields of activity"),
    )  # fmt: skip
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="organisations", verbose_name=_("target groups")
    )
    reach = models.CharField(_("territorial reach"), max_length=20, choices=Reach.choices,
                             default=Reach.LOCAL)  # fmt: skip
    reach_settlements = models.ManyToManyField(
        Settlement, blank=True, related_name="+", verbose_name=_("settlements reached")
    )
    reach_municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities reached")
    )
    reach_provinces = models.ManyToManyField(
        Province, blank=True, related_name="+", verbose_name=_("provinces reached")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"), null=True, blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )  # fmt: skip

    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC,
        db_index=True,
    )  # fmt: skip
    register_status = models.CharField(
        _("status in the register"), max_length=10, choices=RegisterStatus.choices, blank=True,
        default=RegisterStatus.UNKNOWN,
    )  # fmt: skip
    # Where a register entry came from: e.g. the Ministry of Culture's register of community
    # centres, with its number there. Empty for organisations registered on the portal.
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    source_date = models.CharField(_("date of the source"), max_length=10, blank=True)
    register_number = models.CharField(_("number in the register"), max_length=20, blank=True)
    # The loader's key within its source: the register number, or for the few entries the
    # register lists without one, a digest of name and seat (organisations/loader.py).
    source_key = models.CharField(max_length=40, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("registered by"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)
    # Stored, not counted per row (DESIGN.md §7): kept by the services that change them.
    representatives_count = models.PositiveIntegerField(_("representatives"), default=0)
    # Raised on every save through the edit form (optimistic locking, as in the directory).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_key"], name="one_entry_per_source_key",
                condition=~Q(source_key=""),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return display_name_of(self.name, self.name_en, self.legal_form)

    @property
    def is_claimed(self) -> bool:
        return self.representatives_count > 0

    @property
    def social_link_list(self) -> list[str]:
        return [s.strip() for s in self.social_links.splitlines() if s.strip()]


class RepresentationClaim(TimeStampedModel):
    """A person's request to represent an organisation, and how it was decided.

    Verified either by a moderator on uploaded evidence, or by a code sent to the
    organisation's published e-mail (never to an address the person typed in).
    """

    class Method(models.TextChoices):
        EVIDENCE = "evidence", _("document checked by a moderator")
        EMAIL_CODE = "email-code", _("code sent to the organisation's e-mail")
        INVITATION = "invitation", _("invited by a representative")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claims",
        verbose_name=_("organisation"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("person"),
    )  # fmt: skip
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    position = models.CharField(_("position in the organisation"), max_length=200, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="organisations/evidence/", blank=True)
    # A hash of the code sent by e-mail (the code itself is never stored) and its attempts.
    code_hash = models.CharField(max_length=128, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claim to represent an organisation")
        verbose_name_plural = _("claims to represent organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(status="pending"),
                name="one_pending_claim_per_person",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.user_id} {self.status}"


class Activity(TimeStampedModel):
    """An activity or a project of the organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities",
        verbose_name=_("organisation"),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=300)
    is_project = models.BooleanField(_("a project"), default=False)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    funding_programme = models.CharField(_("funding programme"), max_length=300, blank=True)
    budget_eur = models.DecimalField(
        _("budget (euro)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_in", verbose_name=_("partner organisations")
    )
    other_partners = models.TextField(_("other partners"), blank=True, help_text=_("One a line."))
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    results = models.TextField(_("results"), blank=True, help_text=_("Markdown."))

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("activity or project")
        verbose_name_plural = _("activities and projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="activity_ends_after_start",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})


class AnnualReport(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="annual_reports",
        verbose_name=_("organisation"),
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    file = models.FileField(_("file (PDF)"), upload_to="organisations/reports/")

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_report_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class ProfileChange(models.Model):
    """One saved change to an organisation's profile: who, when, what (before → after), why."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="changes",
        verbose_name=_("organisation"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change to a profile")
        verbose_name_plural = _("changes to profiles")
        indexes = [models.Index(fields=["organisation", "-at"], name="profile_change_by_org")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.at:%Y-%m-%d %H:%M}"


class Network(TimeStampedModel):
    """A network ("family") of organisations with areas of joint work and a work plan."""

    name = models.CharField(_("name"), max_length=300)
    purpose = models.TextField(_("purpose"), help_text=_("Markdown."))
    coordinator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="coordinated_networks",
        verbose_name=_("coordinating organisation"),
    )  # fmt: skip
    provinces = models.ManyToManyField(
        Province, blank=True, related_name="+", verbose_name=_("provinces")
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)
    members_count = models.PositiveIntegerField(_("members"), default=0)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("network of organisations")
        verbose_name_plural = _("networks of organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:network", args=[self.pk])


class JointArea(models.Model):
    """An area of joint work of a network (e.g. "Прозрачност на местния бюджет")."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="areas", verbose_name=_("network")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("area of joint work")
        verbose_name_plural = _("areas of joint work")
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="area_name_unique_in_network")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        INVITED = "invited", _("invited")
        MEMBER = "member", _("member")
        REFUSED = "refused", _("refused")
        LEFT = "left", _("left")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("organisation"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership in a network")
        verbose_name_plural = _("memberships in networks")
        constraints = [
            models.UniqueConstraint(fields=["network", "organisation"], name="one_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.network_id}/{self.organisation_id} {self.status}"


class Task(TimeStampedModel):
    """A task of a network's work plan."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in-progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("network")
    )
    title = models.CharField(_("title"), max_length=300)
    area = models.ForeignKey(
        JointArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks",
        verbose_name=_("area of joint work"),
    )  # fmt: skip
    responsible = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("responsible organisation"),
    )  # fmt: skip
    starts_on = models.DateField(_("start"), null=True, blank=True)
    due_on = models.DateField(_("due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    notes = models.TextField(_("notes"), blank=True)
    # When the coordinators were told it is overdue: told once, not every day.
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task of the work plan")
        verbose_name_plural = _("tasks of the work plan")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__gte=F("starts_on")),
                name="task_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": _("The due date cannot be before the start.")})

    def is_overdue(self, today: date_type) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS) and self.due_on < today


class TaskChange(models.Model):
    """One change to a task: who, when, what (before → after). The work plan's history."""

    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, related_name="changes", verbose_name=_("task")
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="task_changes", verbose_name=_("network")
    )
    subject = models.CharField(_("subject"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=10)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change to the work plan")
        verbose_name_plural = _("changes to the work plan")
        indexes = [models.Index(fields=["network", "-at"], name="task_change_by_network")]

    def __str__(self) -> str:
        return f"{self.network_id} {self.subject}"


class JointPosition(TimeStampedModel):
    """A statement of a network that member organisations co-sign."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="positions", verbose_name=_("network")
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    attachment = models.FileField(
        _("attachment (PDF)"), upload_to="organisations/positions/", blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("written by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("joint position")
        verbose_name_plural = _("joint positions")

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """A member organisation co-signing a joint position, through one of its representatives."""

    position = models.ForeignKey(
        JointPosition, on_delete=models.CASCADE, related_name="signatures",
        verbose_name=_("joint position"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("signed by"),
    )  # fmt: skip
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["position", "organisation"], name="one_signature"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id}/{self.organisation_id}"


class Announcement(models.Model):
    """A message from the network's coordinator to the members' representatives, by e-mail."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("network")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("sent by"),
    )  # fmt: skip
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("announcement to members")
        verbose_name_plural = _("announcements to members")

    def __str__(self) -> str:
        return self.subject


class MembershipChange(models.Model):
    """One step in a membership's life (applied, invited, accepted, refused, left) or a hand-over
    of the coordination: who did it and when, as for every public record (DESIGN.md §5)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="membership_changes",
        verbose_name=_("network"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(
        _("from"), max_length=10, choices=Membership.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Membership.Status.choices)
    # Set when the organisation took over the coordination of the network.
    became_coordinator = models.BooleanField(_("took over the coordination"), default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change of membership")
        verbose_name_plural = _("changes of membership")
        indexes = [models.Index(fields=["network", "-at"], name="membership_change_by_network")]

    def __str__(self) -> str:
        return f"{self.network_id}/{self.organisation_id} {self.from_status}→{self.to_status}"


class PrintedCatalogue(GeneratedDocument):
    """The printable catalogue (PDF) of the organisations matching one filter of the catalogue,
    made by a background task (organisations/printing.py, tasks.py, pdf.py).

    The scope is the filter as a canonical query string (`query`: only the filters, their
    values sorted, e.g. "field=youth&province=PDV"; empty = the portal's area) and its sha256
    (`filter_key`), which the unique constraint uses: the query can be longer than an index
    allows. Status, progress, file and times come from `core.models.GeneratedDocument`.
    """

    query = models.TextField(_("filters"), blank=True)
    filter_key = models.CharField(_("key of the filters"), max_length=64)
    file = models.FileField(_("file"), upload_to="organisations/pdf/", blank=True)

    class Meta:
        verbose_name = _("printable catalogue")
        verbose_name_plural = _("printable catalogues")
        constraints = [
            models.UniqueConstraint(
                fields=["filter_key", "fingerprint"], name="one_catalogue_pdf_per_filter_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.query or '—'} {self.status}"
