"""Admin: news items and their images for support.

States change only through news/services.py (history rows, followers told once), so the
state, the time of publication and the notification mark are read-only here; the history of
states is evidence that nobody edits or deletes (core.admin_history.ReadOnlyHistoryAdmin).
"""

from __future__ import annotations

from django.contrib import admin

from core.admin_history import ReadOnlyHistoryAdmin
from news.models import NewsImage, NewsItem, StateChange


class NewsImageInline(admin.TabularInline):
    model = NewsImage
    extra = 0
    fields = ("file", "alt", "caption", "position")


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    fields = ("at", "from_state", "to_state", "by", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "publish_at", "institution", "organisation",
                    "network", "is_demo")  # fmt: skip
    list_filter = ("state", "kind", "is_demo")
    search_fields = ("title", "lead")
    date_hierarchy = "publish_at"
    raw_id_fields = ("institution", "organisation", "network", "created_by", "municipality")
    filter_horizontal = ("topics",)
    readonly_fields = ("state", "publish_at", "withdrawn_reason", "notified_at", "created_at",
                       "updated_at")  # fmt: skip
    inlines = [NewsImageInline, StateChangeInline]
    list_select_related = ("institution", "organisation", "network")


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("item", "from_state", "to_state", "by", "at")
    list_filter = ("to_state",)
    raw_id_fields = ("item", "by")
