"""Workflows over several models: personal-data export and account deletion."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Follow,
    NotificationPreference,
    PendingNotification,
    RoleAssignment,
    User,
)
from accounts.notifications import follows_with_targets, frequencies_for
from accounts.tasks import purge_sessions


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the portal holds about a person, as JSON-ready data."""
    follows = [
        {
            "type": follow.content_type.app_labeled_name,
            "id": follow.object_id,
            "name": str(target) if target is not None else None,
            "since": _iso(follow.created_at),
        }
        for follow, target in follows_with_targets(user)
    ]
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "two_factor_authentication": sorted(
            set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        ),
        "roles": [
            {
                "role": a.role,
                "role_name": str(a.get_role_display()),
                "scope": str(a.scope) if a.scope_type_id else None,
                "granted_at": _iso(a.granted_at),
                "revoked_at": _iso(a.revoked_at),
            }
            for a in user.role_assignments.select_related("scope_type").order_by("granted_at")
        ],
        "follows": follows,
        "notification_preferences": frequencies_for(user),
        "pending_notifications": [
            {
                "kind": p.news_kind,
                "frequency": p.frequency,
                "title": p.title,
                "url": p.url,
                "created_at": _iso(p.created_at),
            }
            for p in user.pending_notifications.unsent()
        ],
    }


@transaction.atomic
def delete_account(user: User) -> None:
    """Erase everything personal; keep the row so public contributions keep their author,
    shown as "Deleted user" (User.public_name)."""
    now = timezone.now()
    for assignment in RoleAssignment.objects.active().filter(user=user):
        assignment.revoke()
    Follow.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    PendingNotification.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # Other devices are signed out at once anyway (inactive user, changed password hash);
    # the stored sessions are removed in the background, as finding them means decoding all.
    purge_sessions.enqueue(user_id=user.pk)
    # ".invalid" is reserved (RFC 2606): the address can never receive mail or be registered.
    user.email = f"deleted-{user.pk}-{secrets.token_hex(6)}@deleted.invalid"
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = now
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
