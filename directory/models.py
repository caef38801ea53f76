"""The citizens' directory (справочник) of administrative structures.

Kinds are data (admins add new ones); institutions link to the official territorial units
(territory app) so that "who serves my settlement" is a query, not a guess. Contacts are only
ever copied from a named source (`source`, `source_date`); what no source gives stays empty
and the pages say so. Entries made by `generate_directory` carry a `generated_key`, so a new
run updates them instead of adding duplicates.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.eik import validate_eik
from core.i18n import localized
from core.models import TimeStampedModel
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
