"""Form widgets of the portal.

`ListSelect` is a <select> whose options are written out in Python: Django renders every
option through a template of its own, and a list of the 265 municipalities then costs more
than the rest of the page (80 of the 100 ms of the consultations' list).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class ListSelect(forms.Select):
    """Renders as Django's Select does (same attributes, aria-describedby included), without
    option groups or per-option attributes."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                option["value"],
                mark_safe(" selected") if option["selected"] else "",
                option["label"],
            )
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 - each option escaped by format_html
        )
