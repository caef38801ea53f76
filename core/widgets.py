"""Form widgets of the portal.

`ListSelect` is a <select> whose options are written out in Python: Django renders every
option through a template of its own, and a list of the 265 municipalities then costs more
than the rest of the page (80 of the 100 ms of the consultations' list).
"""

from __future__ import annotations

from html import escape
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
        # Not through get_context: its option dictionaries (one per choice, with copied
        # attributes) cost as much as the template they feed; and plain escaping, not
        # format_html, for lists of thousands (the organisers of events).
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in self.choices
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308 - every value and label escaped above
        )
