"""Forms of proposals and signals (АПК гл. 8): choosing the institution, filing one, logging
one filed elsewhere, the institution's steps (register, no proceedings, extend, forward,
answer, add a document) and the filer's (withdraw, visibility).

The forms check what they can see (dates against the signal's own dates, both name and
address or neither) so that the message appears next to its field; the services check it all
again and refuse what they cannot do (their message is shown on top of the form).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import ListSelect
from directory.models import Institution
from monitoring import legal
from monitoring.enums import Channel, DocumentKind, SignalKind, SignalOutcome
from monitoring.forms.common import (
    HoneypotMixin,
    NoPersonalNumbersMixin,
    PastDateField,
    StepForm,
    choice_field,
    chosen_organisation,
    document_validator,
    honeypot_field,
    is_code,
    municipality_choices,
    on_behalf_field,
    serving,
)
from monitoring.models import MAX_TEXT_LENGTH, Signal
from organisations.models import Organisation
from territory.models import Municipality

TOO_LONG = _("Write at most %(limit_value)d characters (you wrote %(show_value)d).")


def _max(field: str) -> int:
    return cast(int, getattr(Signal._meta.get_field(field), "max_length", None))


def _text(label: Any, *, required: bool = True, rows: int = 0, **kwargs: Any) -> forms.CharField:
    """A text field with the portal's messages; a textarea when `rows` is given."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    messages = {"max_length": TOO_LONG, **kwargs.pop("error_messages", {})}
    return forms.CharField(
        label=label, required=required, widget=widget, error_messages=messages, **kwargs
    )


def institution_choices(municipality_code: str) -> list[tuple[str, str]]:
    """What a person in the municipality can file to (forms.common.serving), by name."""
    found = (
        Institution.objects.filter(serving(municipality_code))
        .order_by("name_bg")
        .only("pk", "name_bg", "name_en")
    )
    return [(str(i.pk), i.name) for i in found]


class ChooseInstitutionForm(forms.Form):
    """The first step of filing (a GET form): the municipality, then its institution."""

    municipality = forms.ChoiceField(
        label=_("Municipality"),
        widget=ListSelect,
        help_text=_("Where the institution is. Choose it and press “Continue”."),
        error_messages={
            "required": _("Choose the municipality."),
            "invalid_choice": _("Choose one of the municipalities listed."),
        },
    )
    institution = forms.ChoiceField(
        label=_("Institution"),
        widget=ListSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the institutions listed.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "municipality").choices = [("", _("choose")), *municipality_choices()]
        code = str(self.data.get("municipality") or "")
        municipality = Municipality.objects.filter(code=code).first() if is_code(code) else None
        if municipality is None:
            del self.fields["institution"]
            return
        choice_field(self, "institution").choices = [
            ("", _("choose")),
            *institution_choices(municipality.code),
        ]
        self.fields["institution"].help_text = _(
            "The municipality, its council, a mayoralty or a body serving the province."
        )


class FileForm(HoneypotMixin, NoPersonalNumbersMixin, forms.Form):
    """A proposal or a signal filed through the portal."""

    kind = forms.ChoiceField(
        label=_("What do you want to file?"),
        widget=forms.RadioSelect,
        choices=[
            (
                SignalKind.PROPOSAL,
                _(
                    "A proposal: an idea to improve how the institution is organised and works, "
                    "or to solve a question within its competence"
                ),
            ),
            (
                SignalKind.SIGNAL,
                _(
                    "A signal: about abuse of power, corruption, mismanagement of public "
                    "property, or other unlawful or inexpedient acts or omissions of officials"
                ),
            ),
        ],
        help_text=_("Administrative Procedure Code (АПК), Art. 107."),
        error_messages={
            "required": _("Choose whether it is a proposal or a signal."),
            "invalid_choice": _("Choose whether it is a proposal or a signal."),
        },
    )
    title = _text(
        _("Subject"),
        max_length=_max("title"),
        help_text=_("One line that says what it is about. It is shown in the list if published."),
        error_messages={"required": _("Write the subject.")},
    )
    description = _text(
        _("Text"),
        rows=10,
        max_length=MAX_TEXT_LENGTH,
        help_text=_(
            "What you propose, or what happened, where and who was involved. Do not write "
            "personal numbers (ЕГН) or other people's personal data you do not need to."
        ),
        error_messages={"required": _("Write the text of the proposal or signal.")},
    )
    event_on = PastDateField(
        label=_("When did it happen?"),
        required=False,
        help_text=_(
            "For a signal: the date of the acts or omission (the latest, if it goes on). No "
            "proceedings are opened on acts more than 2 years old (АПК, Art. 111(4))."
        ),
        error_messages={"invalid": _("Enter a real date, e.g. 15.10.2026.")},
    )
    filer_name = _text(
        _("Your full name"),
        required=False,
        max_length=_max("filer_name"),
        help_text=_(
            "Your three names. Without your name and address the institution opens no "
            "proceedings (АПК, Art. 111(4)): it is kept only as feedback and no legal deadline "
            "runs. Leave both empty to stay anonymous to the institution."
        ),
    )
    filer_address = _text(
        _("Your address"),
        required=False,
        rows=3,
        max_length=_max("filer_address"),
        help_text=_(
            "A postal address, for the institution's answer. Only the institution sees it: it "
            "is never published."
        ),
    )
    filer_email = forms.EmailField(
        label=_("E-mail for notices"),
        required=False,
        max_length=254,
        help_text=_(
            "We send the confirmation, the deadlines and the answer here. Never published."
        ),
        error_messages={"invalid": _("Enter an e-mail address like name@example.bg.")},
    )
    organisation = forms.ChoiceField(label=_("I file"), required=False)
    show_name = forms.BooleanField(
        label=_("Show my name (or my organisation's) on the public page"), required=False
    )
    is_public = forms.BooleanField(
        label=_("Publish it on the portal"),
        required=False,
        help_text=_(
            "Published: everyone can read the subject, the text, the timeline and the answer. "
            "Not published: only you and the institution see it. You can change this later."
        ),
    )
    website = honeypot_field()

    # Filing on the portal: a name without an address (or the reverse) is almost always a
    # slip that would silently make the filing anonymous.
    require_name_and_address_together = True

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = on_behalf_field(self, "organisation", organisations, _("for %(name)s"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("kind") == SignalKind.SIGNAL
            and not data.get("event_on")
            and "event_on" not in self.errors
        ):
            self.add_error(
                "event_on",
                _("Give the date of the acts the signal is about (the latest, if it goes on)."),
            )
        name = (data.get("filer_name") or "").strip()
        address = (data.get("filer_address") or "").strip()
        if self.require_name_and_address_together and bool(name) != bool(address):
            missing = "filer_address" if name else "filer_name"
            self.add_error(
                missing,
                _(
                    "Give both your name and your address, or leave both empty to file "
                    "anonymously (then no proceedings are opened)."
                ),
            )
        return data

    @property
    def chosen_organisation(self) -> Organisation | None:
        return chosen_organisation(self, "organisation", self.organisations)

    @property
    def is_anonymous(self) -> bool:
        data = self.cleaned_data
        return not (data.get("filer_name", "").strip() and data.get("filer_address", "").strip())

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "event_on": data.get("event_on"),
            "organisation": self.chosen_organisation,
            "filer_name": data.get("filer_name", ""),
            "filer_address": data.get("filer_address", ""),
            "filer_email": data.get("filer_email", ""),
            "show_name": data.get("show_name", False),
            "is_public": data.get("is_public", False),
        }


class LogForm(FileForm):
    """One filed elsewhere: how, when, under which numbers."""

    require_name_and_address_together = False

    channel = forms.ChoiceField(
        label=_("How was it filed?"),
        widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in Channel if c != Channel.PLATFORM],
        error_messages={
            "required": _("Choose how it was filed."),
            "invalid_choice": _("Choose how it was filed."),
        },
    )
    received_on = PastDateField(
        label=_("Received by the institution on"),
        help_text=_("The deadline runs from this day (АПК, Art. 118(1))."),
        error_messages={
            "required": _("Give the date the institution received it."),
            "invalid": _("Enter a real date, e.g. 15.10.2026."),
        },
    )
    external_reference = _text(
        _("Number elsewhere"),
        required=False,
        max_length=_max("external_reference"),
        help_text=_("E.g. the number of a postal receipt or of another system."),
    )
    registration_number = _text(
        _("Registration number"),
        required=False,
        max_length=_max("registration_number"),
        help_text=_("The institution's incoming number, if you have it."),
    )
    registered_on = PastDateField(
        label=_("Registered on"),
        required=False,
        error_messages={"invalid": _("Enter a real date, e.g. 15.10.2026.")},
    )
    field_order = ["kind", "channel", "received_on", "registration_number", "registered_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        received = data.get("received_on")
        event_on = data.get("event_on")
        if received and event_on and event_on > received:
            self.add_error("event_on", _("The acts cannot be after the day it was received."))
        number = (data.get("registration_number") or "").strip()
        registered = data.get("registered_on")
        if number and not registered and "registered_on" not in self.errors:
            self.add_error("registered_on", _("Give the date of the registration."))
        if registered and not number:
            self.add_error("registration_number", _("Give the registration number."))
        if registered and received and registered < received:
            self.add_error("registered_on", _("The registration cannot be before the receipt."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "channel": data["channel"],
            "received_on": data["received_on"],
            "external_reference": data.get("external_reference", ""),
            "registration_number": data.get("registration_number", ""),
            "registered_on": data.get("registered_on"),
        }


# --- the institution's steps -----------------------------------------------------------------


class RegisterForm(StepForm):
    number = _text(
        _("Registration number"),
        max_length=_max("registration_number"),
        error_messages={"required": _("Give the registration number.")},
    )
    registered_on = PastDateField(
        label=_("Registered on"),
        error_messages={
            "required": _("Give the date of the registration."),
            "invalid": _("Enter a real date, e.g. 15.10.2026."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.not_before(
            "registered_on",
            self.record.received_on,
            _("The registration cannot be before the receipt (%(day)s)."),
        )
        return data


NO_PROCEEDINGS_GROUNDS = [
    ("anonymous", _("Anonymous: without the filer's name and address (АПК, Art. 111(4))")),
    ("stale", _("About acts more than 2 years old (АПК, Art. 111(4))")),
    ("competence", _("Outside the institution's competence, with no competent body to forward it to")),  # noqa: E501
    ("other", _("Another reason")),
]  # fmt: skip


class NoProceedingsForm(StepForm):
    ground = forms.ChoiceField(
        label=_("Why are no proceedings opened?"),
        widget=forms.RadioSelect,
        choices=NO_PROCEEDINGS_GROUNDS,
        error_messages={"required": _("Choose the reason.")},
    )
    reason = _text(
        _("Explanation"),
        rows=4,
        max_length=2000,
        help_text=_("Shown on the timeline and sent to the filer."),
        error_messages={"required": _("Explain the decision to the filer.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            if self.record.is_anonymous:
                self.initial["ground"] = "anonymous"
            elif self.record.is_stale:
                self.initial["ground"] = "stale"


class ExtendForm(StepForm):
    months = forms.TypedChoiceField(
        label=_("New term, counted from the receipt"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new term.")},
    )
    on = PastDateField(
        label=_("Extended on"),
        help_text=_("The date of the superior body's decision; before the current term ends."),
        error_messages={
            "required": _("Give the date of the extension."),
            "invalid": _("Enter a real date, e.g. 15.10.2026."),
        },
    )
    note = _text(
        _("Who extended it and why"),
        rows=4,
        max_length=2000,
        help_text=_(
            "E.g. “Extended by the mayor, order No 12 of 01.12.2026: a field check is "
            "needed.” Sent to the filer."
        ),
        error_messages={"required": _("Say who extended the term and why.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.record.extended_months or legal.APK_PROPOSAL_MONTHS
        choice_field(self, "months").choices = [
            (m, _("%(n)s months") % {"n": m})
            for m in range(current + 1, legal.APK_MAX_EXTENDED_MONTHS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.not_before(
            "on",
            self.record.received_on,
            _("The extension cannot be before the receipt (%(day)s)."),
        )
        on, due = data.get("on"), self.record.due_on
        if on and due and on > due:
            self.add_error(
                "on",
                _("The term can be extended only before it ends (%(day)s).")
                % {"day": due.strftime("%d.%m.%Y")},
            )
        return data


class ForwardForm(StepForm):
    to = forms.ChoiceField(
        label=_("Institution in the directory"),
        required=False,
        widget=ListSelect,
        error_messages={"invalid_choice": _("Choose one of the institutions listed.")},
    )
    to_name = _text(
        _("Or the name of a body not in the directory"),
        required=False,
        max_length=_max("forwarded_to_name"),
    )
    on = PastDateField(
        label=_("Forwarded on"),
        error_messages={
            "required": _("Give the date it was forwarded."),
            "invalid": _("Enter a real date, e.g. 15.10.2026."),
        },
    )
    note = _text(_("Note"), required=False, rows=3, max_length=2000)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = str(self.record.institution_id)
        choice_field(self, "to").choices = [("", _("none of these"))] + [
            c for c in choices if c[0] != own
        ]
        self.fields["to"].help_text = _(
            "The competent body. In the directory, it receives the filing on the portal."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = (data.get("to_name") or "").strip()
        if not data.get("to") and not named and "to" not in self.errors:
            self.add_error("to", _("Choose the body it is forwarded to, or write its name."))
        if data.get("to") and (data.get("to_name") or "").strip():
            self.add_error("to_name", _("Choose an institution or write a name, not both."))
        self.not_before(
            "on", self.record.received_on, _("It cannot be forwarded before the receipt (%(day)s).")
        )
        return data

    @property
    def institution(self) -> Institution | None:
        pk = self.cleaned_data.get("to")
        return Institution.objects.filter(pk=int(pk)).first() if pk else None


class AnswerForm(StepForm):
    outcome = forms.ChoiceField(
        label=_("What does the decision say?"),
        widget=forms.RadioSelect,
        choices=SignalOutcome.choices,
        error_messages={"required": _("Choose what the decision says.")},
    )
    decided_on = PastDateField(
        label=_("Decided on"),
        error_messages={
            "required": _("Give the date of the decision."),
            "invalid": _("Enter a real date, e.g. 15.10.2026."),
        },
    )
    communicated_on = PastDateField(
        label=_("Communicated to the filer on"),
        required=False,
        help_text=_(
            "Within 7 days of the decision (АПК, Art. 118(2), Art. 123(1)). Empty: the same day."
        ),
        error_messages={"invalid": _("Enter a real date, e.g. 15.10.2026.")},
    )
    answer = _text(
        _("The answer"),
        rows=10,
        max_length=MAX_TEXT_LENGTH,
        help_text=_(
            "The reasoned decision as sent to the filer (Markdown). Public if the filing is "
            "published: leave out personal data."
        ),
        error_messages={"required": _("Write the answer given to the filer.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.record.registered_on:
            self.not_before(
                "decided_on",
                self.record.registered_on,
                _("The decision cannot be before the registration (%(day)s)."),
            )
        else:
            self.not_before(
                "decided_on",
                self.record.received_on,
                _("The decision cannot be before the receipt (%(day)s)."),
            )
        decided, communicated = data.get("decided_on"), data.get("communicated_on")
        if decided and communicated and communicated < decided:
            self.add_error("communicated_on", _("It cannot be communicated before the decision."))
        return data


validate_signal_document = document_validator(_("Upload a PDF, a Word (.docx) file or an image."))


class DocumentForm(StepForm):
    title = _text(
        _("Title"),
        max_length=300,
        help_text=_("E.g. “Decision No 15 of 20.11.2026”."),
        error_messages={"required": _("Give the document a title.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (k.value, k.label)
            for k in DocumentKind
            if k not in (DocumentKind.REQUEST, DocumentKind.RELEASED)
        ],
        initial=DocumentKind.DECISION,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx) or an image, at most 10 MB."),
        validators=[validate_signal_document],
        error_messages={"required": _("Choose the file.")},
    )
    redacted = forms.FileField(
        label=_("Copy with personal data removed"),
        required=False,
        help_text=_(
            "If the file holds personal data: the public sees this copy, the original stays "
            "with the staff."
        ),
        validators=[validate_signal_document],
    )
    is_public = forms.BooleanField(
        label=_("Public (shown on the page when the filing is published)"),
        required=False,
        initial=True,
    )


class WithdrawForm(StepForm):
    note = _text(
        _("Why do you withdraw it?"),
        required=False,
        rows=3,
        max_length=2000,
        help_text=_("Shown on the timeline."),
    )


class VisibilityForm(StepForm):
    is_public = forms.BooleanField(
        label=_("Publish it on the portal"),
        required=False,
        help_text=_("Published: everyone can read it, its timeline and the answer."),
    )
    show_name = forms.BooleanField(
        label=_("Show my name (or my organisation's) on the public page"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update(
                {"is_public": self.record.is_public, "show_name": self.record.show_name}
            )
