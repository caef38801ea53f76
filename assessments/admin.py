"""Admin of the assessments: the dimensions are data an administrator keeps here (names,
descriptions, weights); questionnaires, campaigns and responses change only through the
builder and the campaign pages, which keep versions and history, so here they are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assessments.models import Campaign, CampaignChange, Dimension, Questionnaire, Response


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name_bg", "slug", "weight", "position")
    list_editable = ("weight", "position")
    search_fields = ("name_bg", "name_en", "slug")
    # A dimension in use cannot be deleted: its questions protect it (on_delete=PROTECT).


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("title", "family", "version", "respondent_type", "state")
    list_filter = ("respondent_type", "state")
    search_fields = ("title", "family")


class CampaignChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CampaignChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_state", "to_state", "by", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("title", "state", "opens_on", "closes_on", "anonymity", "is_demo")
    list_filter = ("state", "anonymity", "is_demo")
    search_fields = ("title",)
    inlines = [CampaignChangeInline]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    # Only what the index is made of: no answers, no names.
    list_display = ("pk", "campaign", "respondent_type", "municipality", "state", "submitted_on")
    list_filter = ("state", "respondent_type")
    fields = ("campaign", "respondent_type", "municipality", "state", "submitted_on", "scores")
