"""Admin: consultations for support; the records that are evidence (changes of state,
moderation acts, supports, notices sent) are read-only, like every history table."""

from __future__ import annotations

from django.contrib import admin

from consultations.models import (
    Article,
    Attachment,
    Comment,
    CommentFlag,
    Consultation,
    DraftVersion,
    Hearing,
    ModerationLog,
    Notice,
    ProposalGroup,
    ReportFile,
    StateChange,
    Support,
)
from core.admin import HTTPS_URLS
from core.admin_history import ReadOnlyHistoryAdmin


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    raw_id_fields = ("uploaded_by",)


class HearingInline(admin.TabularInline):
    model = Hearing
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    # The state is changed through the staff pages (services.transition records each move),
    # never by editing the field here.
    list_display = ("title", "institution", "kind", "state", "opens_at", "closes_on", "is_demo")
    list_filter = ("state", "kind", "is_demo")
    search_fields = ("title",)
    raw_id_fields = ("institution", "province", "municipality", "created_by")
    filter_horizontal = ("topics",)
    readonly_fields = (
        "state", "version", "comments_count", "proposals_count", "participants_count",
        "report_published_at", "created_at", "updated_at",
    )  # fmt: skip
    date_hierarchy = "opens_at"
    inlines = [AttachmentInline, HearingInline, StateChangeInline]
    show_full_result_count = False


@admin.register(DraftVersion)
class DraftVersionAdmin(admin.ModelAdmin):
    list_display = ("consultation", "number", "kind", "created_at", "source_name")
    list_filter = ("kind",)
    raw_id_fields = ("consultation", "created_by")
    readonly_fields = ("warnings",)
    show_full_result_count = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("label", "version", "kind", "commentable", "comments_count")
    list_filter = ("kind", "commentable")
    search_fields = ("label", "text")
    raw_id_fields = ("version", "parent")
    show_full_result_count = False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # Hiding goes through the moderation pages, which log each act.
    list_display = ("consultation", "display_name", "created_at", "is_proposal", "hidden_at")
    list_filter = ("is_proposal",)
    search_fields = ("text",)
    raw_id_fields = (
        "consultation",
        "article",
        "parent",
        "author",
        "organisation",
        "network",
        "group",
    )
    readonly_fields = ("hidden_at", "hidden_reason", "supports_count")
    show_full_result_count = False


@admin.register(ProposalGroup)
class ProposalGroupAdmin(admin.ModelAdmin):
    list_display = ("consultation", "order", "decision", "answered_at")
    list_filter = ("decision",)
    raw_id_fields = ("consultation", "article", "answered_by")
    show_full_result_count = False


@admin.register(Hearing)
class HearingAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("consultation", "starts_at", "place")
    raw_id_fields = ("consultation",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("title", "consultation", "kind", "uploaded_at")
    list_filter = ("kind",)
    raw_id_fields = ("consultation", "uploaded_by")


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyHistoryAdmin):
    list_display = ("consultation", "format", "requested_at")
    list_filter = ("format",)


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("consultation", "from_state", "to_state", "by", "at")
    list_filter = ("to_state",)


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyHistoryAdmin):
    list_display = ("comment", "action", "moderator", "at")
    list_filter = ("action",)


@admin.register(CommentFlag)
class CommentFlagAdmin(ReadOnlyHistoryAdmin):
    list_display = ("comment", "created_at", "handled_at")


@admin.register(Support)
class SupportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("comment", "created_at")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("consultation", "kind", "sent_at")
    list_filter = ("kind",)
