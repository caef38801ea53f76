"""Forms of information requests: filing one (the four fields of ЗДОИ чл. 25 and the
requester's choices), logging one filed elsewhere, and each step of the institution and the
requester. They check the shape of what was typed and the dates against the request, so a
message appears next to its field; monitoring/services/requests.py checks everything again
under the lock. No form takes a personal number (NoPersonalNumbersMixin)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.widgets import ListSelect
from directory.models import Institution
from monitoring import legal
from monitoring.enums import (
    REQUEST_OUTCOMES,
    AccessForm,
    Channel,
    DocumentKind,
    ExtensionReason,
    RefusalGround,
    RequestStatus,
)
from monitoring.forms.common import (
    HoneypotMixin,
    NoPersonalNumbersMixin,
    PastDateField,
    StepForm,
    choice_field,
    chosen_organisation,
    honeypot_field,
    on_behalf_field,
    validate_document,
)
from monitoring.models import MAX_TEXT_LENGTH, InformationRequest
from monitoring.services.common import today
from organisations.models import Organisation

# A step's date before the one it follows: with the step's name (`step`).
BEFORE = _("The date cannot be before %(step)s (%(day)s).")


def _max(field: str) -> int:
    return cast(int, getattr(InformationRequest._meta.get_field(field), "max_length", None))


# --- filing ----------------------------------------------------------------------------------


class RequestForm(HoneypotMixin, NoPersonalNumbersMixin, forms.Form):
    """The four statutory fields (ЗДОИ чл. 25), on whose behalf, and what is published."""

    title = forms.CharField(
        label=_("Subject"),
        max_length=_max("title"),
        help_text=_("A short title, e.g. “Contracts for snow clearing in 2025”."),
        error_messages={"required": _("Write the subject of the request.")},
    )
    description = forms.CharField(
        label=_("What information do you ask for?"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe the information as precisely as you can: which documents, for which "
            "period. You do not have to say why you need it."
        ),
        error_messages={"required": _("Describe the information you ask for.")},
    )
    access_form = forms.ChoiceField(
        label=_("Preferred form of access"),
        choices=AccessForm.choices,
        initial=AccessForm.ELECTRONIC,
        widget=forms.RadioSelect,
        help_text=_("Access by e-mail or a link is free (ЗДОИ чл. 35, ал. 3)."),
    )
    requester_name = forms.CharField(
        label=_("Your full name"),
        max_length=_max("requester_name"),
        help_text=_(
            "The law asks for the requester's name (ЗДОИ чл. 25). Never a personal number."
        ),
        error_messages={"required": _("Write your name.")},
    )
    correspondence_address = forms.CharField(
        label=_("Address for correspondence"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A postal address or an e-mail address. It is never published."),
        error_messages={"required": _("Write an address for correspondence.")},
    )
    requester_email = forms.EmailField(
        label=_("E-mail for notices"),
        required=False,
        help_text=_("We tell you of every step here. It is never published."),
    )
    on_behalf = forms.ChoiceField(label=_("I file the request"), required=False)
    show_name = forms.BooleanField(
        label=_("Show my name (or my organisation's) on the public page of the request"),
        required=False,
        help_text=_("If you leave it unticked, the public sees the request without your name."),
    )
    is_public = forms.BooleanField(
        label=_("Publish the request and the answer"),
        required=False,
        initial=True,
        help_text=_(
            "Published requests help others who need the same information. If you untick it, "
            "only you and the institution see the request."
        ),
    )
    website = honeypot_field()

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = on_behalf_field(
            self, "on_behalf", organisations, _("on behalf of %(name)s"), radio=True
        )

    def clean_requester_name(self) -> str:
        name = " ".join(self.cleaned_data["requester_name"].split())
        if not name:
            raise ValidationError(_("Write your name."))
        return name

    @property
    def organisation(self) -> Organisation | None:
        return chosen_organisation(self, "on_behalf", self.organisations)

    def request_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "access_form": data["access_form"],
            "requester_name": data["requester_name"],
            "correspondence_address": data["correspondence_address"],
            "requester_email": data.get("requester_email") or "",
            "show_name": bool(data.get("show_name")),
            "is_public": bool(data.get("is_public")),
            "organisation": self.organisation,
        }


class LogForm(RequestForm):
    """A request filed elsewhere: how, when, under which numbers."""

    channel = forms.ChoiceField(
        label=_("How was it filed?"),
        choices=[(v, label) for v, label in Channel.choices if v != Channel.PLATFORM],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the request was filed.")},
    )
    filed_on = PastDateField(
        label=_("Filed on"), error_messages={"required": _("Give the date of the filing.")}
    )
    external_reference = forms.CharField(
        label=_("Number elsewhere"),
        required=False,
        max_length=_max("external_reference"),
        help_text=_("E.g. the number on pitay.government.bg."),
    )
    registration_number = forms.CharField(
        label=_("Registration number at the institution"),
        required=False,
        max_length=_max("registration_number"),
    )
    registered_on = PastDateField(label=_("Registered on"), required=False)
    someone_else = forms.BooleanField(
        label=_("This is the request of someone without an account on the portal"),
        required=False,
        help_text=_("For the institution's staff: the request is logged without an account."),
    )
    field_order = [
        "channel", "filed_on", "external_reference", "registration_number", "registered_on",
        "title", "description", "access_form", "someone_else", "requester_name",
        "correspondence_address", "requester_email", "on_behalf", "show_name", "is_public",
    ]  # fmt: skip

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        if not staff:
            del self.fields["someone_else"]
        self.fields["requester_name"].label = _("Name of the requester")
        self.fields["description"].label = _("Description of the information requested")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        filed, registered = cleaned.get("filed_on"), cleaned.get("registered_on")
        if filed and registered and registered < filed:
            self.add_error("registered_on", _("The registration cannot be before the filing."))
        if cleaned.get("registration_number") and not registered and "registered_on" in cleaned:
            self.add_error("registered_on", _("Give the date of the registration with its number."))
        if registered and not cleaned.get("registration_number"):
            self.add_error("registration_number", _("Give the registration number with its date."))
        return cleaned

    @property
    def for_someone_else(self) -> bool:
        return bool(self.cleaned_data.get("someone_else"))

    def request_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = super().request_fields()
        if self.for_someone_else:
            fields["organisation"] = None
        return {
            **fields,
            "channel": data["channel"],
            "filed_on": data["filed_on"],
            "external_reference": data.get("external_reference") or "",
            "registration_number": data.get("registration_number") or "",
            "registered_on": data.get("registered_on"),
        }


# --- the institution's steps -----------------------------------------------------------------


class RegisterForm(StepForm):
    number = forms.CharField(
        label=_("Registration number"),
        max_length=_max("registration_number"),
        error_messages={"required": _("Give the registration number.")},
    )
    registered_on = PastDateField(
        label=_("Registered on"),
        help_text=_("The 14 days for the decision run from this date (ЗДОИ чл. 28, ал. 1)."),
        error_messages={"required": _("Give the date of the registration.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].initial = today()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.not_before("registered_on", self.record.filed_on, BEFORE, step=_("the filing"))
        return cleaned


class AskClarificationForm(StepForm):
    on = PastDateField(label=_("Asked on"))
    note = forms.CharField(
        label=_("What is unclear"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The requester sees this and has 30 days to clarify (ЗДОИ чл. 29). Until then the "
            "deadline for the decision does not run."
        ),
        error_messages={"required": _("Say what needs to be clarified.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = today()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.not_before("on", self.record.registered_on, BEFORE, step=_("the registration"))
        return cleaned


class ClarifyForm(StepForm):
    text = forms.CharField(
        label=_("Your clarification"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the clarification.")},
    )
    on = PastDateField(
        label=_("Received on"),
        required=False,
        help_text=_("For a clarification the institution received on paper or by e-mail."),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["on"]
        else:
            self.fields["text"].label = _("The clarification received")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.not_before(
            "on", self.record.clarification_asked_on, BEFORE, step=_("the request to clarify")
        )
        return cleaned


class ExtendForm(StepForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=ExtensionReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason for the extension.")},
    )
    days = forms.IntegerField(
        label=_("By how many days"),
        min_value=1,
        error_messages={"required": _("Give the number of days.")},
    )
    note = forms.CharField(
        label=_("Notice to the requester"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What makes the extension necessary. The requester gets it by e-mail."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = _(
            "At most %(volume)s days for a large volume (ЗДОИ чл. 30) and %(third)s days for a "
            "third party's consent (ЗДОИ чл. 31). The term can be extended only once."
        ) % {
            "volume": legal.zdoi_volume_extension_days(),
            "third": legal.zdoi_third_party_extension_days(),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reason, days = cleaned.get("reason"), cleaned.get("days")
        if reason and days:
            limit = legal.extension_days(reason)
            if days > limit:
                self.add_error(
                    "days",
                    _("For this reason the term can be extended by 1 to %(limit)s days.")
                    % {"limit": limit},
                )
        return cleaned


class ForwardForm(StepForm):
    to_institution = forms.ChoiceField(
        label=_("Competent institution from the directory"), required=False, widget=ListSelect
    )
    to_name = forms.CharField(
        label=_("Or the name of a body not in the directory"),
        required=False,
        max_length=_max("forwarded_to_name"),
    )
    on = PastDateField(label=_("Forwarded on"))
    note = forms.CharField(
        label=_("Notice to the requester"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = today()
        province_id = self.record.province_id or self.record.institution.province_id
        institutions = (
            Institution.objects.filter(province_id=province_id)
            .exclude(pk=self.record.institution_id)
            .order_by("name_bg", "pk")
            .only("pk", "name_bg", "name_en")
        )
        field = choice_field(self, "to_institution")
        field.choices = [("", _("— choose —"))] + [(str(i.pk), i.name) for i in institutions]
        self.institutions = {str(i.pk): i for i in institutions}
        field.help_text = _(
            "The institutions of the same province. A new request is made for the one you "
            "choose and sent to it; the requester is told."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen, name = cleaned.get("to_institution"), (cleaned.get("to_name") or "").strip()
        if bool(chosen) == bool(name):
            self.add_error(
                "to_institution",
                _("Choose the competent institution from the directory or write its name."),
            )
        self.not_before(
            "on",
            self.record.registered_on or self.record.filed_on,
            BEFORE,
            step=_("the registration"),
        )
        return cleaned

    @property
    def institution(self) -> Institution | None:
        return self.institutions.get(self.cleaned_data.get("to_institution") or "")


class DecideForm(StepForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(o.value, o.label) for o in REQUEST_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision.")},
    )
    decided_on = PastDateField(
        label=_("Decided on"), error_messages={"required": _("Give the date of the decision.")}
    )
    refusal_ground = forms.ChoiceField(
        label=_("Ground for refusal"),
        required=False,
        choices=[("", _("none")), *RefusalGround.choices],
        widget=forms.RadioSelect,
        help_text=_("Required for a refusal; for partial access, the ground for the part refused."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Published with the request, if it is public: no personal data."),
    )
    document = forms.FileField(
        label=_("The decision or the information released"),
        required=False,
        validators=[validate_document],
        help_text=_("A PDF, a Word file or a scan, up to 10 MB. Published with the request."),
    )
    document_title = forms.CharField(
        label=_("Title of the document"), required=False, max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = today()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome, ground = cleaned.get("outcome"), cleaned.get("refusal_ground")
        if outcome == RequestStatus.REFUSED and not ground:
            self.add_error(
                "refusal_ground", _("A refusal must state its ground (ЗДОИ чл. 37, ал. 1).")
            )
        if ground and outcome and outcome not in (RequestStatus.REFUSED, RequestStatus.PARTIAL):
            self.add_error(
                "refusal_ground",
                _("A ground for refusal goes only with a refusal or partial access."),
            )
        if self.record.status == RequestStatus.SUBMITTED:
            self.add_error(
                "decided_on",
                _("Register the request first: a decision cannot come before the registration."),
            )
        elif self.record.clarified_on:
            self.not_before(
                "decided_on", self.record.clarified_on, BEFORE, step=_("the clarification")
            )
        else:
            self.not_before(
                "decided_on", self.record.registered_on, BEFORE, step=_("the registration")
            )
        return cleaned

    def documents(self) -> list[tuple[UploadedFile, str, str]]:
        upload = self.cleaned_data.get("document")
        if not upload:
            return []
        title = (self.cleaned_data.get("document_title") or "").strip() or str(_("Decision"))
        return [(upload, title, DocumentKind.DECISION)]


class DocumentForm(StepForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        error_messages={"required": _("Give the document a title.")},
    )
    kind = forms.ChoiceField(label=_("What is it?"), choices=DocumentKind.choices)
    upload = forms.FileField(
        label=_("File"),
        validators=[validate_document],
        help_text=_("A PDF, a Word file or a scan, up to 10 MB."),
        error_messages={"required": _("Choose the file.")},
    )
    redacted = forms.FileField(
        label=_("Redacted copy for the public"),
        required=False,
        validators=[validate_document],
        help_text=_(
            "If the file holds personal data: upload a copy with it blacked out. The public "
            "sees the copy; the file above is kept privately as the original."
        ),
    )
    is_public = forms.BooleanField(
        label=_("Publish the document with the request"), required=False, initial=True
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["redacted"]


class RedactForm(StepForm):
    redacted = forms.FileField(
        label=_("Redacted copy"),
        validators=[validate_document],
        help_text=_("It replaces the public file; the file as it is now is kept privately."),
        error_messages={"required": _("Choose the redacted copy.")},
    )
    is_public = forms.BooleanField(
        label=_("Publish the redacted copy"), required=False, initial=True
    )


# --- the requester's steps -------------------------------------------------------------------


class WithdrawForm(StepForm):
    note = forms.CharField(
        label=_("Why (optional, public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisibilityForm(StepForm):
    is_public = forms.BooleanField(label=_("Publish the request and the answer"), required=False)
    show_name = forms.BooleanField(
        label=_("Show my name (or my organisation's) on the public page of the request"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_public"].initial = self.record.is_public
        self.fields["show_name"].initial = self.record.show_name
