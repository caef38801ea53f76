"""Admin: events, programmes and their pieces for support.

Registrations change state only through events/services.py (which keeps the stored counters
and writes a history row per change), so here a registration's state and an event's counters
are read-only, and the history of registrations, the attendance and the feedback are evidence
that nobody edits or deletes (core.admin_history.ReadOnlyHistoryAdmin). A certificate is never
deleted either: it is revoked (its code then no longer verifies).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import HTTPS_URLS
from core.admin_history import ReadOnlyHistoryAdmin
from events.models import (
    Attendance,
    Certificate,
    Event,
    Feedback,
    Invitation,
    Material,
    Programme,
    Registration,
    RegistrationChange,
    Session,
    Strand,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("day", "starts", "ends", "title", "speakers")


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("title", "file", "url", "visibility", "added_by")
    raw_id_fields = ("added_by",)
    formfield_overrides = HTTPS_URLS


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    # Publishing and cancelling go through the organiser's pages (services.publish and
    # cancel_event tell the registrants), never by editing the state here.
    list_display = (
        "title", "kind", "state", "starts_at", "organiser_name", "municipality",
        "capacity", "confirmed_count", "waiting_count", "is_demo",
    )  # fmt: skip
    list_filter = ("state", "kind", "format", "audience", "is_demo")
    search_fields = ("title",)
    list_select_related = ("institution", "organisation", "network", "municipality")
    raw_id_fields = (
        "institution", "organisation", "network", "programme", "strand", "consultation",
        "related_network", "province", "municipality", "settlement", "created_by",
    )  # fmt: skip
    filter_horizontal = ("topics",)
    readonly_fields = (
        "state", "confirmed_count", "waiting_count", "pending_count", "published_at",
        "version", "created_at", "updated_at",
    )  # fmt: skip
    date_hierarchy = "starts_at"
    inlines = [SessionInline, MaterialInline]
    formfield_overrides = HTTPS_URLS
    show_full_result_count = False

    @admin.display(description=_("organiser"))
    def organiser_name(self, obj: Event) -> str:
        return str(obj.organiser)


class StrandInline(admin.TabularInline):
    model = Strand
    extra = 0
    fields = ("position", "title", "target_people")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("title", "institution", "organisation", "network", "is_demo", "created_at")
    list_filter = ("is_demo",)
    search_fields = ("title",)
    raw_id_fields = ("institution", "organisation", "network")
    inlines = [StrandInline]


class RegistrationChangeInline(admin.TabularInline):
    model = RegistrationChange
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    can_delete = False
    fields = ("day", "checked_in_at", "checked_in_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    # The state moves only through services (history row, counters, waiting list, e-mail):
    # support may correct what the person typed, nothing else.
    list_display = ("code", "event", "name", "organisation_name", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("code", "name", "organisation_name", "event__title")
    list_select_related = ("event",)
    raw_id_fields = ("event", "user", "organisation")
    readonly_fields = (
        "event", "user", "state", "code", "waiting_since", "reminded_at",
        "feedback_requested_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [RegistrationChangeInline, AttendanceInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people register through the portal (services.register)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: the place goes to the waiting list


@admin.register(RegistrationChange)
class RegistrationChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "registration", "from_state", "to_state", "by")
    list_filter = ("to_state",)
    list_select_related = ("registration", "by")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("day", "registration", "checked_in_at", "checked_in_by")
    list_select_related = ("registration", "checked_in_by")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyHistoryAdmin):
    list_display = ("registration", "rating", "usefulness", "submitted_at")
    list_filter = ("rating",)
    list_select_related = ("registration",)


@admin.action(description=_("Revoke the selected certificates"))
def revoke(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    # Revoked ones keep their first revocation time.
    count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    modeladmin.message_user(
        request,
        ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    # A certificate states what was true when it was issued: its copies are not edited.
    list_display = ("code", "name", "event_title", "first_day", "issued_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("code", "name", "event_title")
    readonly_fields = (
        "registration", "code", "name", "event_title", "first_day", "last_day", "hours",
        "organiser_name", "issued_at", "revoked_at",
    )  # fmt: skip
    actions = [revoke]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by services.issue_certificates

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "visibility", "created_at")
    list_filter = ("visibility",)
    search_fields = ("title",)
    list_select_related = ("event",)
    raw_id_fields = ("event", "added_by")
    formfield_overrides = HTTPS_URLS


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "event", "created_at", "used_by")
    search_fields = ("email", "event__title")
    list_select_related = ("event", "used_by")
    raw_id_fields = ("event", "invited_by", "used_by")
    readonly_fields = ("code", "used_by", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sent by services.invite, which e-mails the link with its code
