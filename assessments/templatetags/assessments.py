"""Numbers of the assessments' tables: an index with one decimal (or a dash), a change with
its sign and a word for screen readers (never colour alone)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def index_of(row: Any, key: str) -> str:
    value = row.value(key)
    return "—" if value is None else str(floatformat(value, 1))


@register.simple_tag
def change_of(value: float | None) -> SafeString | str:
    if value is None:
        return "—"
    if value > 0:
        return format_html(
            '<span class="change-up">+{} <span class="visually-hidden">{}</span></span>',
            floatformat(value, 1), _("up"),
        )  # fmt: skip
    if value < 0:
        return format_html(
            '<span class="change-down">−{} <span class="visually-hidden">{}</span></span>',
            floatformat(-value, 1), _("down"),
        )  # fmt: skip
    return "0"
