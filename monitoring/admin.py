"""Admin of the monitoring: read-only views for support.

Every record here changes only through the workflows (monitoring/services/), which check the
transition, lock the row, recompute the deadline, write the timeline and refresh the index; an
edit in the admin would skip all of that. So nothing is added, changed or deleted here, not
even by a superuser: requests, signals and commitments are shown with their timelines
(core.admin_history.ReadOnlyHistoryAdmin, as for events' history), and the stored
responsiveness figures as the index computed them. The private original of a redacted file is
not linked (only whether there is one): it is fetched through the portal's own checks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import HTTPS_URLS
from core.admin_history import ReadOnlyHistoryAdmin
from monitoring.models import (
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
    Document,
    InformationRequest,
    MonitoringReport,
    RequestEvent,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
    SignalEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    """A request's or a signal's timeline."""

    fields = ("on", "at", "kind", "from_status", "to_status", "by", "is_public", "note")
    readonly_fields = fields


class RequestEventInline(EventInline):
    model = RequestEvent


class SignalEventInline(EventInline):
    model = SignalEvent


class RedactedColumn:
    """Whether a document's public file is a redacted copy (the original is not linked)."""

    @admin.display(boolean=True, description=_("redacted"))
    def redacted(self, obj: Document) -> bool:
        return obj.is_redacted


class DocumentInline(RedactedColumn, ReadOnlyInline):
    model = Document
    fields = ("title", "kind", "is_public", "redacted", "uploaded_at", "uploaded_by")
    readonly_fields = fields


class CommitmentUpdateInline(ReadOnlyInline):
    model = CommitmentUpdate
    fields = ("at", "kind", "from_status", "to_status", "progress", "organisation", "by", "text")
    readonly_fields = fields


class CommitmentRatingInline(ReadOnlyInline):
    model = CommitmentRating
    fields = ("organisation", "rating", "by", "at")
    readonly_fields = fields


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "title", "institution", "status", "filed_on", "registered_on", "due_on", "is_overdue",
        "is_public", "show_name", "is_demo",
    )  # fmt: skip
    list_filter = ("status", "is_overdue", "is_public", "channel", "is_demo")
    search_fields = ("title", "registration_number", "external_reference")
    list_select_related = ("institution",)
    inlines = [RequestEventInline, DocumentInline]


class EventAdmin(ReadOnlyHistoryAdmin):
    list_filter = ("kind", "is_public")


@admin.register(RequestEvent)
class RequestEventAdmin(EventAdmin):
    list_display = ("on", "request", "kind", "from_status", "to_status", "is_public", "by")
    list_select_related = ("request", "by")


@admin.register(Signal)
class SignalAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "title", "kind", "institution", "status", "received_on", "due_on", "is_overdue",
        "is_public", "is_anonymous", "is_demo",
    )  # fmt: skip
    list_filter = ("kind", "status", "is_overdue", "is_public", "is_anonymous", "is_demo")
    search_fields = ("title", "registration_number", "external_reference")
    list_select_related = ("institution",)
    inlines = [SignalEventInline, DocumentInline]


@admin.register(SignalEvent)
class SignalEventAdmin(EventAdmin):
    list_display = ("on", "signal", "kind", "from_status", "to_status", "is_public", "by")
    list_select_related = ("signal", "by")


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "title", "institution", "source_kind", "deadline", "status", "progress", "is_overdue",
        "monitor", "ratings_count", "is_demo",
    )  # fmt: skip
    list_filter = ("status", "source_kind", "is_overdue", "is_demo")
    search_fields = ("title", "source_reference")
    list_select_related = ("institution", "monitor")
    inlines = [CommitmentUpdateInline, CommitmentRatingInline, DocumentInline]
    formfield_overrides = HTTPS_URLS


@admin.register(CommitmentUpdate)
class CommitmentUpdateAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "commitment", "kind", "to_status", "progress", "organisation", "by")
    list_filter = ("kind",)
    list_select_related = ("commitment", "organisation", "by")
    formfield_overrides = HTTPS_URLS


@admin.register(CommitmentRating)
class CommitmentRatingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("at", "commitment", "organisation", "rating", "by")
    list_filter = ("rating",)
    list_select_related = ("commitment", "organisation", "by")


@admin.register(MonitoringReport)
class MonitoringReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "organisation", "published_at", "created_by", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation", "created_by")
    inlines = [DocumentInline]


@admin.register(Document)
class DocumentAdmin(RedactedColumn, ReadOnlyHistoryAdmin):
    list_display = ("title", "kind", "owner", "is_public", "redacted", "uploaded_at")
    list_filter = ("kind", "is_public")
    search_fields = ("title",)
    # The file as the public gets it; the original of a redacted one is left out on purpose.
    exclude = ("original",)
    readonly_fields = ("redacted",)

    @admin.display(description=_("belongs to"))
    def owner(self, obj: Document) -> str:
        return obj.owner_key


@admin.register(Responsiveness)
class ResponsivenessAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "unit", "province", "score", "requests_total", "requests_on_time", "requests_overdue",
        "median_days", "signals_total", "commitments_total", "updated_at",
    )  # fmt: skip
    list_filter = ("province",)
    search_fields = ("institution__name_bg", "municipality__name_bg")
    list_select_related = ("institution", "municipality", "province")

    @admin.display(description=_("institution or municipality"))
    def unit(self, obj: Responsiveness) -> str:
        return str(obj.institution or obj.municipality or "")


@admin.register(ResponsivenessMonth)
class ResponsivenessMonthAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "month", "institution", "municipality", "requests_decided", "requests_on_time",
        "signals_answered", "signals_on_time",
    )  # fmt: skip
    list_select_related = ("institution", "municipality")
