"""The registration form: only the questions the event asks (events.models.Event.ask_*,
free_question), whom one registers for (oneself or an organisation one verifiably
represents), and a honeypot as in consultations' comment form. The checks of the workflow
(window, audience, places, invitation) are events.services'; this form checks the shape of
what was typed so a message appears next to its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration
from events.services import Answers
from organisations.models import Organisation

SELF = "self"


def _max(field: str) -> int:
    return cast(int, getattr(Registration._meta.get_field(field), "max_length", None))


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=_max("name"),
        help_text=_("As it should appear on the list of participants and on a certificate."),
        error_messages={"required": _("Write your name.")},
    )
    register_for = forms.ChoiceField(label=_("I register"), required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=_max("organisation_name"),
        help_text=_("The organisation or institution where you work, if any."),
    )
    position = forms.CharField(label=_("Position"), required=False, max_length=_max("position"))
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=_max("accessibility_needs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: step-free access, a sign-language interpreter, large print. "
            "Only the organiser sees this."
        ),
    )
    answer = forms.CharField(
        required=False,
        max_length=_max("answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Hidden from people (and from screen readers); bots fill every field they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        event: Event,
        organisations: list[Organisation] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.organisations = {str(o.pk): o for o in organisations}
        if self.organisations:
            choices = [(SELF, str(_("as myself")))]
            choices += [
                (str(pk), str(_("for %(name)s")) % {"name": o.display_name})
                for pk, o in self.organisations.items()
            ]
            field = cast(forms.ChoiceField, self.fields["register_for"])
            field.choices = choices
            field.help_text = _("The organisations listed are those you verifiably represent.")
        else:
            del self.fields["register_for"]
        if not event.ask_organisation:
            del self.fields["organisation_name"]
        elif self.organisations:
            self.fields["organisation_name"].help_text = _(
                "Only if you register as yourself: where you work, if anywhere."
            )
        if not event.ask_position:
            del self.fields["position"]
        if not event.ask_accessibility:
            del self.fields["accessibility_needs"]
        if event.free_question:
            self.fields["answer"].label = event.free_question
        else:
            del self.fields["answer"]

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Write your name."))
        return name

    def answers(self) -> Answers:
        data = self.cleaned_data
        organisation = self.organisations.get(data.get("register_for") or SELF)
        organisation_name = (data.get("organisation_name") or "").strip()
        if organisation is not None:
            organisation_name = organisation.display_name
        return Answers(
            name=data["name"],
            organisation=organisation,
            organisation_name=organisation_name,
            position=(data.get("position") or "").strip(),
            accessibility_needs=(data.get("accessibility_needs") or "").strip(),
            answer=(data.get("answer") or "").strip(),
        )
