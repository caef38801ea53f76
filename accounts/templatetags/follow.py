"""`{% load follow %}{% is_following object as following %}`: one query per page, not per object."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from accounts.notifications import followable_for, following_keys, target_key

register = template.Library()

_CACHE_ATTR = "_eregion_following_keys"


@register.simple_tag(takes_context=True)
def is_following(context: dict[str, Any], obj: models.Model | None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated:
        return False
    keys = getattr(request, _CACHE_ATTR, None)
    if keys is None:
        # Every follow of the person at once: a list page with fifty buttons costs one query.
        keys = following_keys(user)
        setattr(request, _CACHE_ATTR, keys)
    return target_key(obj) in keys


@register.filter
def follow_type(obj: models.Model | None) -> str:
    """The registry name of a followable object ("territory.province"), or "" if not one."""
    if obj is None or followable_for(obj) is None:
        return ""
    return obj._meta.label_lower
