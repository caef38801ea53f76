"""An admin for history tables: they are evidence, so nobody edits or deletes them, not even
an administrator in the admin site."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
