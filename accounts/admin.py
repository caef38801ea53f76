from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Follow, NotificationPreference, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "scope_type", "scope_id", "granted_by", "granted_at", "revoked_at"]
    readonly_fields = ["granted_by", "granted_at", "revoked_at"]
    can_delete = False  # history is kept: revoke instead

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "display_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "display_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    readonly_fields = ["deleted_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Names"), {"fields": ("first_name", "last_name", "display_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [RoleAssignmentInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, RoleAssignment) and instance.pk is None:
                instance.granted_by = request.user
            instance.save()
        formset.save_m2m()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "scope_type", "scope_id", "granted_at", "revoked_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history is kept: revoke instead

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A granted role is not edited into another: revoke it and grant the new one.
        return obj is None and super().has_change_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_roles")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_roles")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_roles")

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        if not change:
            obj.granted_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected roles"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=request.user
        )
        self.message_user(request, _("Roles revoked: %(n)d") % {"n": count}, messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "content_type", "object_id", "created_at"]
    raw_id_fields = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "news_kind", "frequency"]
    raw_id_fields = ["user"]
