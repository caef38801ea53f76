"""Bulgaria's territorial structure from the NSI classifier EKATTE (see data/README.md).

Codes are the official ones and serve as primary keys: they are what people and other
systems use (PDV, PDV22, 56784, PDV22-01), and they keep URLs and API paths stable.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized


class NamedUnit(models.Model):
    name_bg = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in Latin script"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name_bg

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)


class Shape(models.Model):
    """A boundary drawn as an SVG path in the portal's map projection (see territory/maps.py)."""

    svg_path = models.TextField(_("SVG path"), blank=True)
    # Bounding box in map units: min x, min y, max x, max y.
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)

    class Meta:
        abstract = True


class Nuts1Region(NamedUnit):
    code = models.CharField(_("NUTS code"), max_length=3, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("NUTS-1 region")
        verbose_name_plural = _("NUTS-1 regions")


class RegionMembershipQuerySet(models.QuerySet["RegionMembership"]):
    def valid_on(self, day: datetime.date | None = None) -> RegionMembershipQuerySet:
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class PlanningRegion(NamedUnit, Shape):
    """A planning region (район за планиране, NUTS-2). Its provinces change over time."""

    code = models.CharField(_("NUTS code"), max_length=4, primary_key=True)
    nuts1 = models.ForeignKey(
        Nuts1Region, on_delete=models.PROTECT, related_name="regions", verbose_name=_("NUTS-1")
    )
    # Regions that no longer exist keep their history; `is_current` marks today's regions.
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("planning region")
        verbose_name_plural = _("planning regions")

    def get_absolute_url(self) -> str:
        return reverse("territory:region", args=[self.code])

    def provinces_on(self, day: datetime.date | None = None) -> models.QuerySet[Province]:
        ids = self.memberships.valid_on(day).values("province_id")
        return Province.objects.filter(code__in=ids)


class Province(NamedUnit, Shape):
    """A province (област, NUTS-3)."""

    code = models.CharField(_("NSI code"), max_length=3, primary_key=True)
    iso_code = models.CharField(_("ISO 3166-2"), max_length=5, unique=True)
    nuts3_code = models.CharField(_("NUTS-3 code"), max_length=5, unique=True)
    admin_centre = models.ForeignKey(
        "Settlement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative centre"),
    )
    population_2017 = models.PositiveIntegerField(_("population (2017)"), null=True, blank=True)
    municipalities_count = models.PositiveIntegerField(_("municipalities"), default=0)
    settlements_count = models.PositiveIntegerField(_("settlements"), default=0)

    class Meta:
        ordering = ["name_bg"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def get_absolute_url(self) -> str:
        return reverse("territory:province", args=[self.code])

    def region_on(self, day: datetime.date | None = None) -> PlanningRegion | None:
        membership = (
            self.memberships.valid_on(day).select_related("region").order_by("-valid_from").first()
        )
        return membership.region if membership else None


class RegionMembership(models.Model):
    """A province belongs to a planning region from one date to another (DESIGN.md §2.1).

    Regions are never derived from a province by a constant: the 2003 NUTS put Stara Zagora
    in the South Central region, the 2008 one in the South East, and a 2025 proposal would
    change them again.
    """

    region = models.ForeignKey(PlanningRegion, on_delete=models.CASCADE, related_name="memberships")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="memberships")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # The NUTS-2 code the region had in this version of the classification (e.g. BG22 in 2003).
    nuts2_code = models.CharField(_("NUTS-2 code then"), max_length=4)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RegionMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "region_id", "province_id"]
        verbose_name = _("planning-region membership")
        verbose_name_plural = _("planning-region memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "valid_from"], name="one_region_per_province_per_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id} → {self.region_id} ({self.valid_from}–{self.valid_to or ''})"


class Municipality(NamedUnit, Shape):
    """A municipality (община, LAU)."""

    code = models.CharField(_("EKATTE code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("province"),
    )
    admin_centre = models.ForeignKey(
        "Settlement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative centre"),
    )
    category = models.PositiveSmallIntegerField(_("NSI category"), null=True, blank=True)
    population_2017 = models.PositiveIntegerField(_("population (2017)"), null=True, blank=True)
    settlements_count = models.PositiveIntegerField(_("settlements"), default=0)
    mayoralties_count = models.PositiveIntegerField(_("mayoralties"), default=0)

    class Meta:
        ordering = ["name_bg"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def get_absolute_url(self) -> str:
        return reverse("territory:municipality", args=[self.code])


class Mayoralty(NamedUnit):
    """A mayoralty (кметство): one or more settlements with an elected mayor of their own."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="mayoralties",
        verbose_name=_("municipality"),
    )
    centre = models.ForeignKey(
        "Settlement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("centre"),
    )
    category = models.PositiveSmallIntegerField(_("NSI category"), null=True, blank=True)
    settlements_count = models.PositiveIntegerField(_("settlements"), default=0)

    class Meta:
        ordering = ["name_bg"]
        verbose_name = _("mayoralty")
        verbose_name_plural = _("mayoralties")

    def get_absolute_url(self) -> str:
        return reverse("territory:mayoralty", args=[self.code])


class SettlementKind(models.TextChoices):
    TOWN = "town", _("town")
    VILLAGE = "village", _("village")
    MONASTERY = "monastery", _("monastery")


class Settlement(NamedUnit):
    """A populated place with its EKATTE code."""

    ekatte = models.CharField(_("EKATTE code"), max_length=5, primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SettlementKind.choices)
    type_abbr = models.CharField(_("abbreviation"), max_length=5)  # гр. / с. / ман.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="settlements",
        verbose_name=_("municipality"),
    )
    mayoralty = models.ForeignKey(
        Mayoralty,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="settlements",
        verbose_name=_("mayoralty"),
    )
    is_municipal_centre = models.BooleanField(_("municipal centre"), default=False)
    is_province_centre = models.BooleanField(_("province centre"), default=False)
    category = models.PositiveSmallIntegerField(_("NSI category"), null=True, blank=True)
    altitude_band = models.CharField(_("altitude (m)"), max_length=40, blank=True)
    population_2017 = models.PositiveIntegerField(_("population (2017)"), null=True, blank=True)

    class Meta:
        ordering = ["name_bg", "ekatte"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        indexes = [models.Index(fields=["municipality", "name_bg"], name="settlement_muni_name")]

    def __str__(self) -> str:
        return f"{self.type_abbr} {self.name_bg}"

    def get_absolute_url(self) -> str:
        return reverse("territory:settlement", args=[self.ekatte])

    @property
    def full_name(self) -> str:
        return localized(f"{self.type_abbr} {self.name_bg}", self.name_en)


class CityDistrict(NamedUnit):
    """A district (район) of Sofia, Plovdiv or Varna."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)  # e.g. 68134-24
    city = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, related_name="districts", verbose_name=_("city")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("municipality"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("city district")
        verbose_name_plural = _("city districts")

    def get_absolute_url(self) -> str:
        return reverse("territory:district", args=[self.code])


class PortalScope(models.Model):
    """The part of the country this portal serves first: editable by the administrator.

    One row (pk=1). Its provinces and municipalities are shown first on the home page and are
    the default filter of lists across the portal.
    """

    name_bg = models.CharField(_("name"), max_length=200, default="")
    name_en = models.CharField(_("name in English"), max_length=200, blank=True, default="")
    provinces = models.ManyToManyField(Province, blank=True, verbose_name=_("provinces"))
    municipalities = models.ManyToManyField(
        Municipality, blank=True, verbose_name=_("municipalities")
    )

    class Meta:
        verbose_name = _("portal scope")
        verbose_name_plural = _("portal scope")

    def __str__(self) -> str:
        return self.name_bg or "—"

    @property
    def name(self) -> str:
        return localized(self.name_bg, self.name_en)

    @classmethod
    def current(cls) -> PortalScope:
        scope, _created = cls.objects.get_or_create(pk=1)
        return scope

    def municipality_codes(self) -> set[str]:
        """Every municipality in scope: those named, and all of the provinces named."""
        named = set(self.municipalities.values_list("code", flat=True))
        in_provinces = set(
            Municipality.objects.filter(province__in=self.provinces.all()).values_list(
                "code", flat=True
            )
        )
        return named | in_provinces
