"""What every monitoring form shares: no personal number (ЕГН, ЛНЧ) in any text a person
types, dates that are not in the future, the form of a step on a request or a signal (the
version the person saw), the honeypot of the public forms, the choice to file on behalf of an
organisation, the upload checks, and the lists of places and institutions to choose from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_numbers import validate_no_personal_number
from core.uploads import IMAGE_TYPES, check_size, sniff
from core.widgets import DateInput, VersionField
from monitoring.services.common import today
from organisations.models import Organisation
from territory.models import Municipality, Province

SELF = "self"
# A decision, a notice, the information released, evidence: read from the content.
DOCUMENT_TYPES = ("pdf", "docx", *IMAGE_TYPES)


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


class PastDateField(forms.DateField):
    """A date of something that already happened (a registration, a decision): today at most,
    in Sofia."""

    widget = DateInput()

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > today():
            raise ValidationError(_("The date cannot be in the future."), code="future")


class StepForm(NoPersonalNumbersMixin, forms.Form):
    """A step on a request or a signal (`record`): carries the version the person saw, and
    checks dates against the record's own so that the message appears next to the field."""

    version = VersionField()

    def __init__(self, *args: Any, record: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", record.version)
        super().__init__(*args, **kwargs)
        self.record = record

    def not_before(self, field: str, day: Any, message: Any, **params: Any) -> None:
        """`message` (with %(day)s, and `params`) next to `field` if it is before `day`."""
        value = self.cleaned_data.get(field)
        if value and day and value < day:
            self.add_error(field, message % {"day": day.strftime("%d.%m.%Y"), **params})


# --- the public forms: the honeypot and on whose behalf --------------------------------------


def honeypot_field() -> forms.CharField:
    """Hidden from people and screen readers (includes/form.html, `form.honeypot`); bots fill
    every field they find."""
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class HoneypotMixin:
    """A form with a `website = honeypot_field()`."""

    honeypot = "website"

    def is_spam(self) -> bool:
        form = cast(forms.Form, self)
        return bool(form.data.get(form.add_prefix(self.honeypot)))


def on_behalf_field(
    form: forms.Form,
    name: str,
    organisations: list[Organisation] | None,
    each: Any,
    *,
    radio: bool = False,
) -> dict[str, Organisation]:
    """Offer "as myself" or each organisation the person verifiably represents (`each`: the
    label, with %(name)s) in the field `name`, dropped for those who represent none. The
    organisations by their key, for `chosen_organisation`."""
    found = {str(o.pk): o for o in organisations or []}
    if not found:
        del form.fields[name]
        return found
    field = cast(forms.ChoiceField, form.fields[name])
    field.choices = [(SELF, _("as myself"))] + [
        (pk, each % {"name": o.display_name}) for pk, o in found.items()
    ]
    field.initial = SELF
    field.help_text = _("The organisations listed are those you verifiably represent.")
    if radio:
        field.widget = forms.RadioSelect(choices=field.choices)
    return found


def chosen_organisation(
    form: forms.Form, name: str, organisations: dict[str, Organisation]
) -> Organisation | None:
    return organisations.get(form.cleaned_data.get(name) or SELF)


# --- uploads ---------------------------------------------------------------------------------


def document_validator(message: Any) -> Callable[[Any], None]:
    """A check of an uploaded PDF, Word .docx or image (a scan, a photograph), at most 10 MB,
    the type read from the content; `message` when it is none of these."""

    def validate(upload: Any) -> None:
        check_size(upload)
        if sniff(upload) not in DOCUMENT_TYPES:
            raise ValidationError(message, code="wrong_type")

    return validate


validate_document = document_validator(
    _("Upload a PDF, a Word (.docx) file or an image (PNG, JPEG, GIF, WebP).")
)


# --- places and institutions -----------------------------------------------------------------


def province_choices() -> list[tuple[str, str]]:
    return [
        (p.code, p.name)
        for p in Province.objects.order_by("name_bg").only("code", "name_bg", "name_en")
    ]


def municipality_choices(province: str = "") -> list[tuple[str, str]]:
    """The municipalities by name (of `province` when given)."""
    found = Municipality.objects.order_by("name_bg", "code").only("code", "name_bg", "name_en")
    if province:
        found = found.filter(province_id=province)
    return [(m.code, m.name) for m in found]


def serving(municipality_code: str) -> Q:
    """The institutions of a municipality and those of its province that serve the whole
    province (the regional administration, inspectorates): what a person there can file to."""
    province = Municipality.objects.filter(code=municipality_code).values("province_id")
    return Q(municipality_id=municipality_code) | Q(
        municipality__isnull=True, province_id__in=province
    )


def is_code(value: str) -> bool:
    """Shaped like a municipality's (PDV22) or a province's (PDV) code."""
    return value.isalnum() and len(value) <= 8


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])
