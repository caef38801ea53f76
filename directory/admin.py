"""Admin: kinds are data; administrators add entries of other kinds (units of state bodies)
here. Institution staff keep their own entry with the forms of `directory.editing`, which
write the history; the history itself is read-only here."""

from __future__ import annotations

from django.contrib import admin

from core.admin import HTTPS_URLS
from core.admin_history import ReadOnlyHistoryAdmin
from directory.models import (
    Change,
    ErrorReport,
    HoursException,
    Institution,
    InstitutionKind,
    PrintedDirectory,
    Service,
    WorkingHours,
)


@admin.register(InstitutionKind)
class InstitutionKindAdmin(admin.ModelAdmin):
    list_display = ("name_bg", "name_en", "slug", "level", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name_en",)}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    max_num = 7


class HoursExceptionInline(admin.TabularInline):
    model = HoursException
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name_bg", "kind", "province", "verified_at")
    list_filter = ("kind", "province")
    search_fields = ("name_bg", "name_en", "short_name", "eik")
    list_select_related = ("kind", "province")
    raw_id_fields = (
        "province", "municipality", "mayoralty", "district", "settlement", "parent",
    )  # fmt: skip
    filter_horizontal = ("area_municipalities",)
    readonly_fields = ("generated_key", "version", "created_at", "updated_at")
    inlines = [WorkingHoursInline, HoursExceptionInline]
    show_full_result_count = False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "institution", "fee_eur", "deadline")
    search_fields = ("name", "register_code")
    list_select_related = ("institution",)
    raw_id_fields = ("institution",)
    readonly_fields = ("version", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(Change)
class ChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "institution", "subject", "action", "user")
    list_select_related = ("institution", "user")
    list_filter = ("action",)


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "institution", "part", "status", "answered_at")
    list_filter = ("status", "part")
    list_select_related = ("institution",)
    raw_id_fields = ("institution", "reporter", "answered_by")
    show_full_result_count = False


@admin.register(PrintedDirectory)
class PrintedDirectoryAdmin(admin.ModelAdmin):
    list_display = ("province", "municipality", "status", "progress", "pages", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("fingerprint", "requested_at", "finished_at")
