"""Template helpers for Bulgarian typography and for links that keep the query string."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import markdown as markdown_mod

register = template.Library()


@register.filter
def number(value: Any) -> str:
    """Thousands grouped as the language writes them: 5 256 in Bulgarian, 5,256 in English."""
    if value is None or value == "":
        return "—"
    return number_format(value, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination and filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return str(query.urlencode())


@register.simple_tag
def lang_is(code: str) -> bool:
    return (get_language() or "bg").startswith(code)


@register.filter
def markdown(value: str | None) -> SafeString:
    """Markdown written by a person as sanitised HTML (core/markdown.py)."""
    return mark_safe(markdown_mod.render(value))  # noqa: S308 - sanitised by nh3
