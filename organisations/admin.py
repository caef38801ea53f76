"""Admin: the taxonomies are data administrators extend; entries and networks for support."""

from __future__ import annotations

from django.contrib import admin

from core.admin import HTTPS_URLS
from core.admin_history import ReadOnlyHistoryAdmin
from organisations.models import (
    Activity,
    Announcement,
    FieldOfActivity,
    JointArea,
    JointPosition,
    Membership,
    Network,
    Organisation,
    ProfileChange,
    RepresentationClaim,
    Signature,
    TargetGroup,
    Task,
    TaskChange,
)


@admin.register(FieldOfActivity, TargetGroup)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name_bg", "name_en", "slug", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "legal_form", "eik", "visibility", "register_status", "is_demo")
    list_filter = ("legal_form", "visibility", "register_status", "is_demo")
    search_fields = ("name", "name_en", "eik", "register_number")
    raw_id_fields = ("settlement", "registered_by")
    filter_horizontal = ("fields", "target_groups")
    exclude = ("reach_settlements", "reach_municipalities", "reach_provinces")
    readonly_fields = ("source_key", "version", "representatives_count", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(RepresentationClaim)
class RepresentationClaimAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organisation", "user", "method", "status")
    list_filter = ("status", "method")
    raw_id_fields = ("organisation", "user", "decided_by")
    exclude = ("code_hash",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "starts_on", "ends_on")
    raw_id_fields = ("organisation", "partners")


class JointAreaInline(admin.TabularInline):
    model = JointArea
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("organisation",)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "coordinator", "members_count", "is_demo")
    raw_id_fields = ("coordinator", "created_by")
    filter_horizontal = ("provinces", "municipalities")
    inlines = [JointAreaInline, MembershipInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "network", "due_on", "status", "progress")
    list_filter = ("status",)
    raw_id_fields = ("network", "area", "responsible")
    readonly_fields = ("version", "overdue_notified_at")


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    raw_id_fields = ("organisation", "signed_by")


@admin.register(JointPosition)
class JointPositionAdmin(admin.ModelAdmin):
    list_display = ("title", "network", "published_at")
    raw_id_fields = ("network", "created_by")
    inlines = [SignatureInline]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("subject", "network", "sent_at", "recipients_count")
    raw_id_fields = ("network", "sent_by")


@admin.register(TaskChange)
class TaskChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "network", "subject", "action", "user")
    list_select_related = ("network", "user")


@admin.register(ProfileChange)
class ProfileChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "organisation", "user")
    list_select_related = ("organisation", "user")
