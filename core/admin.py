"""Admin for core: the days the government declares off or working (legal calendar)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.models import DeclaredDay


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
