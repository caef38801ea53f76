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


# The map's five classes (main.css: score-1 … score-5, no-data) as SVG fill colours, for the
# PDF, whose renderer does not style SVG from a stylesheet.
FILLS = {
    "score-1": "#d7191c", "score-2": "#fdae61", "score-3": "#ffffbf",
    "score-4": "#abd9e9", "score-5": "#2c7bb6", "no-data": "#d5d7d8",
}  # fmt: skip


@register.filter
def score_fill(css_class: str) -> str:
    return FILLS.get(css_class, FILLS["no-data"])
