"""Admin for core: the days the government declares off or working (legal calendar)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.models import DeclaredDay, Page

# Links people paste without a scheme are taken as https (Django 6's default already); every
# ModelAdmin with a URLField uses it as its formfield_overrides.
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


@admin.register(DeclaredDay)
class DeclaredDayAdmin(admin.ModelAdmin):
    """The administrator enters each Council of Ministers decision on days off (usually one a
    year); deadlines computed afterwards take it into account at once."""

    list_display = ("date", "weekday", "kind", "reason")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("reason",)

    @admin.display(description=_("day of the week"))
    def weekday(self, obj: DeclaredDay) -> str:
        return date_format(obj.date, "l")


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """The pages of information: the administrator writes them in Markdown (sanitised when
    shown); the footer links to them."""

    list_display = ("title_bg", "slug", "updated_at")
    readonly_fields = ("updated_at",)
