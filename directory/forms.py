"""Forms of the staff's editing: the entry, its working week and days with other hours, services.

Everything is validated on the server and every error is put next to its field, in words; the
forms keep what was typed. Structure (kind, territory, parent) is not editable here: it comes
from the generator (`services.generate`).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from directory.enums import Weekday
from directory.history import INSTITUTION_FIELDS, SERVICE_FIELDS
from directory.hours import SOFIA
from directory.models import HoursException, Institution, Service, WorkingHours

# Free-mail services whose addresses are often someone's personal box (data/README.md).
FREE_MAIL_DOMAINS = frozenset(
    {"abv.bg", "mail.bg", "dir.bg", "gmail.com", "gmail.bg", "yahoo.com", "hotmail.com",
     "outlook.com", "live.com", "icloud.com", "mail.ru", "yandex.ru"}
)  # fmt: skip

PHONE_CHARS = re.compile(r"^[+\d\s\-/()]+$")
PHONE_SEPARATORS = re.compile(r"[\s\-/()]")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 15


def is_bulgarian_phone(value: str) -> bool:
    """+359 or 0, then digits; spaces, dashes, slashes and brackets may separate them."""
    if not PHONE_CHARS.match(value):
        return False
    compact = PHONE_SEPARATORS.sub("", value)
    if not (compact.startswith("+359") or compact.startswith("0")):
        return False
    digits = compact.removeprefix("+")
    return digits.isdigit() and MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS


def clean_lines(value: str) -> str:
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


def validate_phone(value: str) -> None:
    if value and not is_bulgarian_phone(value.strip()):
        raise ValidationError(
            _(
                "This is not a Bulgarian phone number: start with +359 or 0 and give 6 to 15 "
                "digits (spaces, dashes, slashes and brackets are allowed)."
            ),
            code="invalid_phone",
        )


def is_free_mail(email: str) -> bool:
    return email.rpartition("@")[2].lower() in FREE_MAIL_DOMAINS


class WebAddressField(forms.URLField):
    """A web address; without a scheme https:// is assumed; only http and https are taken."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    # The field puts its own "invalid" message on its validators' errors (Field.run_validators).
    default_error_messages = {
        "invalid": _("Enter a web address that starts with http:// or https://."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class EuroField(forms.DecimalField):
    """An amount in euro: "2,50", "2.50" and "2,50 €" are the same."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = re.sub(r"[\s\xa0€]", "", value).replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(
                _("Enter an amount in euro, for example 2,50."), code="invalid"
            ) from None
        if not number.is_finite():
            raise ValidationError(_("Enter an amount in euro, for example 2,50."), code="invalid")
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for the change"),
        help_text=_("Shown in the public history of the entry."),
        max_length=500,
        required=False,
    )


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Web addresses of the models become `WebAddressField`s (https assumed, http(s) only)."""
    if isinstance(field, models.URLField):
        kwargs.update(form_class=WebAddressField, assume_scheme="https")
    return field.formfield(**kwargs)


class VersionedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form with the hidden version it was loaded at and a reason for the change."""

    version = _version_field()
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version  # type: ignore[attr-defined]
        elif not self.is_bound:
            self.initial["version"] = 0


class InstitutionForm(VersionedForm):
    postal_code = forms.CharField(
        label=capfirst(Institution._meta.get_field("postal_code").verbose_name),
        required=False,
        validators=[
            RegexValidator(r"^\d{4}$", _("A postal code has exactly 4 digits, e.g. 4000."))
        ],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    class Meta:
        model = Institution
        fields = INSTITUTION_FIELDS
        formfield_callback = _formfield
        widgets = {
            "phones": forms.Textarea(attrs={"rows": 3}),
            "departments": forms.Textarea(attrs={"rows": 5}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "cs_contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "cs_contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "eik": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "phones": _("One number a line, e.g. 032 656 711 or +359 32 656 711."),
            "departments": _("One a line."),
            "eik": _("9 digits, or 13 for a unit of a larger body."),
        }

    def clean_phones(self) -> str:
        value = clean_lines(self.cleaned_data.get("phones", ""))
        errors = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not is_bulgarian_phone(line):
                errors.append(
                    ValidationError(
                        _(
                            "Line %(n)d, “%(line)s”, is not a Bulgarian phone number: start "
                            "with +359 or 0 and give 6 to 15 digits (spaces, dashes, slashes "
                            "and brackets are allowed)."
                        ),
                        code="invalid_phone",
                        params={"n": number, "line": line},
                    )
                )
        if errors:
            raise ValidationError(errors)
        return value

    def clean_cs_contact_phone(self) -> str:
        value = (self.cleaned_data.get("cs_contact_phone") or "").strip()
        validate_phone(value)
        return value

    def clean_departments(self) -> str:
        return clean_lines(self.cleaned_data.get("departments", ""))

    def clean_eik(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data.get("eik") or "")


TIME_ERROR = _("Give the opening and the closing time.")
TIME_FIELDS = ("opens", "closes", "break_start", "break_end")


def _time_field(label: Any, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=TimeInput(),
        error_messages={"required": TIME_ERROR},
    )


class OpenOrClosedForm(forms.Form):
    """A day that is either closed all day or open from–to.

    The times are required unless "closed" is ticked, and "closed" wins over whatever was
    left in the time boxes: ticking it is the clearer intent, and a day that had hours should
    not need four boxes emptied to be closed.
    """

    use_required_attribute = False  # the server decides; "closed" makes the times optional

    closed = forms.BooleanField(label=_("Closed all day"), required=False)
    opens = _time_field(_("Opens"))
    closes = _time_field(_("Closes"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.fields["closed"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("closed")
        ):
            for name in TIME_FIELDS:
                if name in self.fields:
                    self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closed"):
            for name in TIME_FIELDS:
                if name in self.fields:
                    self.errors.pop(name, None)
                    data[name] = None
        return data


class DayHoursForm(OpenOrClosedForm):
    """One weekday: closed, or open from–to with an optional break (as `WorkingHours.clean`)."""

    break_start = _time_field(_("Break from"), required=False)
    break_end = _time_field(_("Break until"), required=False)

    def __init__(self, *args: Any, weekday: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"day{weekday}")
        super().__init__(*args, **kwargs)
        self.weekday = weekday
        self.day_name = capfirst(Weekday(weekday).label)

    @classmethod
    def initial_for(cls, row: WorkingHours | None) -> dict[str, Any]:
        if row is None:
            return {"closed": True}
        return {
            "closed": False,
            "opens": row.opens,
            "closes": row.closes,
            "break_start": row.break_start,
            "break_end": row.break_end,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("closed") or self.errors:
            return data
        opens, closes = data["opens"], data["closes"]
        start, end = data.get("break_start"), data.get("break_end")
        if bool(start) != bool(end):
            self.add_error(
                "break_end" if start else "break_start",
                _("Give both the start and the end of the break, or neither."),
            )
            return data
        row = WorkingHours(
            weekday=self.weekday, opens=opens, closes=closes, break_start=start, break_end=end
        )
        try:
            row.clean()
        except ValidationError as error:
            self._add_model_error(error)
        return data

    def _add_model_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error)

    def row(self, institution: Institution) -> WorkingHours | None:
        """The row to store, or None for a closed day (valid forms only)."""
        data = self.cleaned_data
        if data.get("closed"):
            return None
        return WorkingHours(
            institution=institution,
            weekday=self.weekday,
            opens=data["opens"],
            closes=data["closes"],
            break_start=data.get("break_start"),
            break_end=data.get("break_end"),
        )


def week_forms(hours: list[WorkingHours], data: Any = None) -> list[DayHoursForm]:
    by_day = {h.weekday: h for h in hours}
    return [
        DayHoursForm(data, weekday=day, initial=DayHoursForm.initial_for(by_day.get(day)))
        for day in Weekday.values
    ]


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


class ExceptionForm(OpenOrClosedForm):
    """A day with other hours: a date, closed all day or open from–to, and a note."""

    field_order = ["date", "closed", "opens", "closes", "note"]

    date = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("For example: “Christmas Eve” or “Short day before a holiday”."),
    )

    @classmethod
    def initial_for(cls, row: HoursException) -> dict[str, Any]:
        return {
            "date": row.date,
            "closed": row.closed,
            "opens": row.opens,
            "closes": row.closes,
            "note": row.note,
        }

    def clean_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["date"]
        if "date" in self.changed_data and value < sofia_today():
            raise ValidationError(_("This date has passed; give today or a later day."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("closed") or "opens" in self.errors or "closes" in self.errors:
            return data
        row = HoursException(closed=False, opens=data.get("opens"), closes=data.get("closes"))
        try:
            row.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data


class BaseExceptionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[datetime.date] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            date = data["date"]
            if date in seen:
                form.add_error("date", _("This date is given twice."))
            seen.add(date)

    def rows(self, institution: Institution) -> list[HoursException]:
        """The days to store (valid formsets only): neither blank nor marked for deletion."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            rows.append(
                HoursException(
                    institution=institution,
                    date=data["date"],
                    closed=bool(data.get("closed")),
                    opens=data.get("opens"),
                    closes=data.get("closes"),
                    note=(data.get("note") or "").strip(),
                )
            )
        return rows


ExceptionFormSet = forms.formset_factory(
    ExceptionForm,
    formset=BaseExceptionFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
    max_num=100,
)


def exception_formset(exceptions: list[HoursException], data: Any = None) -> BaseExceptionFormSet:
    formset = ExceptionFormSet(
        data, prefix="exc", initial=[ExceptionForm.initial_for(e) for e in exceptions]
    )
    return cast(BaseExceptionFormSet, formset)


class ServiceForm(VersionedForm):
    fee_eur = EuroField(
        label=capfirst(Service._meta.get_field("fee_eur").verbose_name),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=_("In euro, e.g. 2,50; 0 if free of charge; empty if not known."),
    )

    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        formfield_callback = _formfield
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "who_may_apply": forms.Textarea(attrs={"rows": 3}),
            "documents": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "register_code": _("The number in the Administrative Register, e.g. 2065."),
            "online_url": _("The page where the service is requested online, if it can be."),
            "documents": _("One a line."),
        }

    def clean_documents(self) -> str:
        return clean_lines(self.cleaned_data.get("documents", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "online_url" in self.errors:
            return data
        if not (data.get("in_person") or data.get("by_post") or data.get("online_url")):
            raise ValidationError(
                _("Give at least one way to apply: in person, by post or online."),
                code="no_way_to_apply",
            )
        return data


class DeleteServiceForm(forms.Form):
    """The confirmation of a deletion, with the version of the service that was shown."""

    version = _version_field()
    reason = _reason_field()
