"""What every monitoring form shares: no personal number (ЕГН, ЛНЧ) in any text a person
types, and dates that are not in the future."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.personal_numbers import validate_no_personal_number
from monitoring.services.common import today


class NoPersonalNumbersMixin:
    """Refuse, next to the field, any text field that contains an ЕГН or ЛНЧ (domain-rules.md
    §7.2: the portal never needs one, and a request or signal is published)."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            value = cleaned.get(name)
            if isinstance(field, forms.CharField) and isinstance(value, str):
                try:
                    validate_no_personal_number(value)
                except ValidationError as error:
                    self.add_error(name, error)  # type: ignore[attr-defined]
        return cleaned


class VersionField(forms.IntegerField):
    """The version of the record the person saw (optimistic locking), in a hidden input: an
    error here means the page was tampered with or is out of date."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        message = _("The page was out of date: reload it and try again.")
        kwargs.setdefault(
            "error_messages", {"required": message, "invalid": message, "min_value": message}
        )
        super().__init__(min_value=1, **kwargs)


class PastDateField(forms.DateField):
    """A date of something that already happened (a registration, a decision): today at most,
    in Sofia."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > today():
            raise ValidationError(_("The date cannot be in the future."), code="future")
