"""Who may do what: predicates over roles held as data (RoleAssignment), for django-rules.

Other apps combine these in their own rules.py, e.g.
`rules.add_perm("directory.change_institution", is_staff_of | is_administrator)`.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.enums import Role


def _holds(user: Any, role: str, obj: models.Model | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    keys = user.active_role_keys()
    if obj is None:
        return any(key[0] == role for key in keys)
    scope = (ContentType.objects.get_for_model(obj).pk, str(obj.pk))
    return any(key[0] == role and (key[1], key[2]) == scope for key in keys)


def has_role(role: str) -> rules.Predicate:
    """A predicate true for people holding `role` (any scope); citizens are everyone signed in."""

    @rules.predicate(name=f"has_role:{role}")
    def predicate(user: Any) -> bool:
        if role == Role.CITIZEN:
            return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.CITIZEN))
        return _holds(user, role)

    return predicate


is_citizen = has_role(Role.CITIZEN)
is_superuser = rules.is_superuser
is_moderator = has_role(Role.MODERATOR)
is_administrator = has_role(Role.ADMINISTRATOR) | rules.is_superuser


@rules.predicate
def is_staff_of(user: Any, obj: models.Model | None) -> bool:
    """Institution staff or a councillor whose active assignment is for this very object."""
    if obj is None:
        return False
    return _holds(user, Role.INSTITUTION_STAFF, obj) or _holds(user, Role.COUNCILLOR, obj)


@rules.predicate
def is_representative_of(user: Any, obj: models.Model | None) -> bool:
    if obj is None:
        return False
    return _holds(user, Role.ORGANISATION_REPRESENTATIVE, obj)


@rules.predicate
def is_self(user: Any, other: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and other is not None and user.pk == other.pk
    )


rules.add_perm("accounts.manage_roles", is_administrator)
rules.add_perm("accounts.moderate", is_moderator | is_administrator)
rules.add_perm("accounts.view_user_data", is_self | is_administrator)
rules.add_perm("accounts.change_user_data", is_self)
