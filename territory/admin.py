"""Admin: reference data is read-mostly (it comes from load_territory); the scope is editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    Nuts1Region,
    PlanningRegion,
    PortalScope,
    Province,
    RegionMembership,
    Settlement,
)


class ReferenceAdmin(admin.ModelAdmin):
    """Edits would be overwritten by the next load_territory, so only viewing is allowed."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Nuts1Region)
class Nuts1RegionAdmin(ReferenceAdmin):
    list_display = ("code", "name_bg", "name_en")


@admin.register(PlanningRegion)
class PlanningRegionAdmin(ReferenceAdmin):
    exclude = ("svg_path",)  # long machine output, drawn on the public pages
    list_display = ("code", "name_bg", "name_en", "nuts1", "is_current")


@admin.register(RegionMembership)
class RegionMembershipAdmin(ReferenceAdmin):
    list_display = ("province", "region", "nuts2_code", "valid_from", "valid_to")
    list_filter = ("region", "valid_from")
    list_select_related = ("province", "region")


@admin.register(Province)
class ProvinceAdmin(ReferenceAdmin):
    exclude = ("svg_path",)  # long machine output, drawn on the public pages
    list_display = ("code", "name_bg", "name_en", "iso_code", "nuts3_code", "population_2017")
    search_fields = ("code", "name_bg", "name_en")


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceAdmin):
    exclude = ("svg_path",)  # long machine output, drawn on the public pages
    list_display = ("code", "name_bg", "name_en", "province", "population_2017")
    list_filter = ("province",)
    list_select_related = ("province",)
    search_fields = ("code", "name_bg", "name_en")


@admin.register(Mayoralty)
class MayoraltyAdmin(ReferenceAdmin):
    list_display = ("code", "name_bg", "municipality", "settlements_count")
    list_select_related = ("municipality",)
    search_fields = ("code", "name_bg", "name_en")


@admin.register(Settlement)
class SettlementAdmin(ReferenceAdmin):
    list_display = ("ekatte", "type_abbr", "name_bg", "name_en", "municipality", "population_2017")
    list_filter = ("kind",)
    list_select_related = ("municipality",)
    search_fields = ("ekatte", "name_bg", "name_en")


@admin.register(CityDistrict)
class CityDistrictAdmin(ReferenceAdmin):
    list_display = ("code", "name_bg", "name_en", "city", "municipality")
    list_select_related = ("city", "municipality")


@admin.register(PortalScope)
class PortalScopeAdmin(admin.ModelAdmin):
    fields = ("name_bg", "name_en", "provinces", "municipalities")
    filter_horizontal = ("provinces", "municipalities")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One scope only (pk=1, see PortalScope.current).
        return not PortalScope.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
