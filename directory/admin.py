"""Admin: kinds are data; entries are edited here until the staff's own forms arrive."""

from __future__ import annotations

from django.contrib import admin

from directory.models import Institution, InstitutionKind, WorkingHours


@admin.register(InstitutionKind)
class InstitutionKindAdmin(admin.ModelAdmin):
    list_display = ("name_bg", "name_en", "slug", "level", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name_en",)}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    max_num = 7


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name_bg", "kind", "province", "verified_at")
    list_filter = ("kind", "province")
    search_fields = ("name_bg", "name_en", "short_name", "eik")
    list_select_related = ("kind", "province")
    raw_id_fields = (
        "province", "municipality", "mayoralty", "district", "settlement", "parent",
    )  # fmt: skip
    filter_horizontal = ("area_municipalities",)
    readonly_fields = ("generated_key", "created_at", "updated_at")
    inlines = [WorkingHoursInline]
    show_full_result_count = False
