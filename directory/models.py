"""The citizens' directory (справочник) of administrative structures.

Kinds are data (admins add new ones); institutions link to the official territorial units
(territory app) so that "who serves my settlement" is a query, not a guess. Contacts are only
ever copied from a named source (`source`, `source_date`); what no source gives stays empty
and the pages say so. Entries made by `generate_directory` carry a `generated_key`, so a new
run updates them instead of adding duplicates.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.eik import validate_eik
from core.i18n import localized
from core.models import GeneratedDocument, TimeStampedModel
from directory.enums import Level, Weekday
from territory.models import CityDistrict, Mayoralty, Municipality, Province, Settlement


class InstitutionKind(models.Model):
    slug = models.SlugField(_("identifier"), unique=True)
    name_bg = models.CharField(_("name in Bulgarian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.OTHER)

    class Meta:
        ordering = ["order", "name_bg"]
        verbose_name = _("kind of institution")
        verbose_name_plural = _("kinds of institutions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def for_list(self) -> InstitutionQuerySet:
        """What list rows show, eager-loaded: a page costs the same queries at any size."""
        return self.select_related("kind", "province", "municipality").order_by(
            "kind__order", "name_bg", "pk"
        )


class Institution(TimeStampedModel):
    kind = models.ForeignKey(
        InstitutionKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    name_bg = models.CharField(_("name in Bulgarian"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)

    # The unit it serves; the province is filled for every entry so lists filter on one column.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    mayoralty = models.ForeignKey(
        Mayoralty, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("mayoralty"),
    )  # fmt: skip
    district = models.ForeignKey(
        CityDistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("city district"),
    )  # fmt: skip
    # Territorial units of state bodies often serve several municipalities (e.g. a labour office).
    area_municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities served")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children",
        verbose_name=_("part of"),
    )  # fmt: skip

    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("seat"),
    )  # fmt: skip
    phones = models.TextField(_("phones"), blank=True, help_text=_("One number per line."))
    email = models.EmailField(_("e-mail"), blank=True)
    # Free-mail boxes (abv.bg, gmail.com…) are kept but marked: they are often personal.
    email_is_free_mail = models.BooleanField(_("free-mail address"), default=False)
    website = models.URLField(_("website"), blank=True)
    head_position = models.CharField(_("head's position"), max_length=200, blank=True)
    head_name = models.CharField(_("head's name"), max_length=200, blank=True)

    # The person the institution names for dealings with NGOs and citizens' groups.
    cs_contact_name = models.CharField(
        _("contact for civil society: name"), max_length=200, blank=True
    )
    cs_contact_position = models.CharField(
        _("contact for civil society: position"), max_length=200, blank=True
    )
    cs_contact_email = models.EmailField(_("contact for civil society: e-mail"), blank=True)
    cs_contact_phone = models.CharField(
        _("contact for civil society: phone"), max_length=100, blank=True
    )

    source = models.TextField(_("source"), blank=True)
    # As precise as the source is: YYYY, YYYY-MM or YYYY-MM-DD.
    source_date = models.CharField(_("date of the source"), max_length=10, blank=True)
    data_note = models.TextField(_("note on the data"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    eik = models.CharField(_("EIK/BULSTAT"), max_length=13, blank=True, validators=[validate_eik])
    generated_key = models.CharField(
        _("generated key"), max_length=40, unique=True, null=True, blank=True, editable=False
    )
    departments = models.TextField(_("departments"), blank=True, help_text=_("One a line."))
    # Raised by every save through the edit form: a form posted with an older number was
    # based on data someone else has since changed (optimistic locking, no lost update).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name_bg"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name_bg

    def get_absolute_url(self) -> str:
        return reverse("directory:detail", args=[self.pk])

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)

    @property
    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.splitlines() if p.strip()]

    @property
    def department_list(self) -> list[str]:
        return [d.strip() for d in self.departments.splitlines() if d.strip()]

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class WorkingHours(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="hours", verbose_name=_("institution")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    break_start = models.TimeField(_("break from"), null=True, blank=True)
    break_end = models.TimeField(_("break until"), null=True, blank=True)

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.UniqueConstraint(fields=["institution", "weekday"], name="one_row_per_weekday"),
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="opens_before_closes"),
            models.CheckConstraint(
                condition=Q(break_start__isnull=True, break_end__isnull=True)
                | Q(
                    break_start__gt=F("opens"),
                    break_end__gt=F("break_start"),
                    break_end__lt=F("closes"),
                ),
                name="break_inside_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})
        if (self.break_start is None) != (self.break_end is None):
            raise ValidationError(_("Give both the start and the end of the break, or neither."))
        opens, closes, start, end = self.opens, self.closes, self.break_start, self.break_end
        if opens and closes and start and end and not (opens < start < end < closes):
            raise ValidationError(
                {"break_start": _("The break must lie inside the working hours.")}
            )


class HoursException(models.Model):
    """A day that differs from the weekly hours: a public holiday, a closure, a longer day.

    Bulgarian public holidays close every office without a row here (`hours.open_status` knows
    them); a row is needed only when a day differs from both the week and the holiday calendar.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="hours_exceptions",
        verbose_name=_("institution"),
    )  # fmt: skip
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("exception to the working hours")
        verbose_name_plural = _("exceptions to the working hours")
        constraints = [
            models.UniqueConstraint(fields=["institution", "date"], name="one_exception_per_day"),
            models.CheckConstraint(
                condition=Q(closed=True, opens__isnull=True, closes__isnull=True)
                | Q(closed=False, opens__isnull=False, closes__isnull=False, opens__lt=F("closes")),
                name="exception_closed_or_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}"

    def clean(self) -> None:
        if self.closed:
            if self.opens or self.closes:
                raise ValidationError(
                    {"opens": _("A day closed all day has no opening and closing time.")}
                )
            return
        if not (self.opens and self.closes):
            raise ValidationError({"opens": _("Give the opening and the closing time.")})
        if self.opens >= self.closes:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})


class Service(TimeStampedModel):
    """An administrative service (административна услуга) an institution provides."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="services",
        verbose_name=_("institution"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=500)
    # The number in the Register of services of the Administrative Register (IISDA), e.g. "2065".
    register_code = models.CharField(
        _("number in the register of services"), max_length=20, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    who_may_apply = models.TextField(_("who may apply"), blank=True)
    documents = models.TextField(_("documents needed"), blank=True, help_text=_("One a line."))
    # Empty: not stated; 0: free of charge.
    fee_eur = models.DecimalField(
        _("fee (euro)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    deadline = models.CharField(_("deadline"), max_length=200, blank=True)
    in_person = models.BooleanField(_("in person"), default=True)
    by_post = models.BooleanField(_("by post"), default=False)
    online_url = models.URLField(_("online, at"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("administrative service")
        verbose_name_plural = _("administrative services")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:service", args=[self.pk])

    @property
    def document_list(self) -> list[str]:
        return [d.strip() for d in self.documents.splitlines() if d.strip()]


class Change(models.Model):
    """One saved change to an entry or one of its services: who, when, what, why.

    `changes` maps a field name to [before, after] as shown to people (strings), so the history
    reads the same after fields are renamed or choices change.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="changes",
        verbose_name=_("institution"),
    )  # fmt: skip
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("service"),
    )  # fmt: skip
    # The service's name when the change was made: kept after the service is deleted.
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["institution", "-at"], name="change_by_institution")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ErrorReport(TimeStampedModel):
    """A report that an entry is wrong ("сигнал за неточност"), answered by staff or moderators."""

    class Part(models.TextChoices):
        CONTACTS = "contacts", _("contacts (address, phones, e-mail, website)")
        HOURS = "hours", _("working hours")
        HEAD = "head", _("head or contact point")
        SERVICES = "services", _("services")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="error_reports",
        verbose_name=_("institution"),
    )  # fmt: skip
    part = models.CharField(_("what is wrong"), max_length=20, choices=Part.choices)
    text = models.TextField(_("what should it say"), max_length=2000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reported by"),
    )  # fmt: skip
    # For an answer to someone not signed in; never shown on a page.
    reporter_email = models.EmailField(_("e-mail for the answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("answered by"),
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.get_part_display()}"


class PrintedDirectory(GeneratedDocument):
    """The printable (PDF) directory of a province or a municipality, made by a background task.

    `fingerprint` sums up the data it was made from; when the data changes the fingerprint
    differs and a new file is made on the next request, so a file is never older than its data.
    Status, progress, file and times come from `core.models.GeneratedDocument`.
    """

    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    file = models.FileField(_("file"), upload_to="directory/pdf/", blank=True)

    class Meta:
        verbose_name = _("printable directory")
        verbose_name_plural = _("printable directories")
        constraints = [
            models.CheckConstraint(
                condition=Q(province__isnull=False, municipality__isnull=True)
                | Q(province__isnull=True, municipality__isnull=False),
                name="printed_directory_one_unit",
            ),
            models.UniqueConstraint(
                fields=["province", "fingerprint"], name="one_pdf_per_province_version",
                condition=Q(province__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["municipality", "fingerprint"], name="one_pdf_per_municipality_version",
                condition=Q(municipality__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.province_id or self.municipality_id} {self.status}"
