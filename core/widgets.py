"""Form widgets of the portal.

`ListSelect` is a <select> whose options are written out in Python: Django renders every
option through a template of its own, and a list of the 265 municipalities then costs more
than the rest of the page (80 of the 100 ms of the consultations' list). `PlainTextInput` is
a text box written out the same way, for the filter forms of busy lists. `DateInput` is the
browser's date picker, which every date field of the portal uses; `VersionField` carries the
version of a record a page showed, for the optimistic locks of the forms.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


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


class PlainTextInput(forms.TextInput):
    """Renders the HTML of Django's TextInput template (input.html and attrs.html: the type,
    the name, the value, then the attributes in their order) without rendering a template."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        shown = self.format_value(value)
        kind, field = conditional_escape(self.input_type), conditional_escape(name)
        parts = [f'<input type="{kind}" name="{field}"']
        if shown is not None:
            parts.append(f' value="{conditional_escape(str(shown))}"')
        for key, item in self.build_attrs(self.attrs, attrs).items():
            if item is True:
                parts.append(f" {conditional_escape(key)}")
            elif item is not False:
                parts.append(f' {conditional_escape(key)}="{conditional_escape(str(item))}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class VersionField(forms.IntegerField):
    """The version of the record the person saw (optimistic locking: a stale page changes
    nothing), in a hidden input: an error here means the page was tampered with or is out of
    date."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        message = _("The page was out of date: reload it and try again.")
        kwargs.setdefault(
            "error_messages", {"required": message, "invalid": message, "min_value": message}
        )
        super().__init__(min_value=1, **kwargs)
