"""The coordinator's forms: a campaign, invitations, recommendation rules and texts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from assessments.enums import RespondentType
from assessments.models import Campaign, Questionnaire, Recommendation, RecommendationRule
from core.widgets import DateInput
from territory.models import Municipality


class CampaignForm(forms.ModelForm):
    questionnaires = forms.ModelMultipleChoiceField(
        label=_("Questionnaires"),
        queryset=Questionnaire.objects.published().order_by("respondent_type", "title"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At most one for each kind of respondent."),
        error_messages={"required": _("Choose at least one questionnaire.")},
    )
    open_link = forms.BooleanField(
        label=_("Also accept answers through an open link (signed-in people, one each)"),
        required=False,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        fields = [
            "title", "description", "questionnaires", "previous", "opens_on", "closes_on",
            "anonymity", "min_group_size", "summary",
        ]  # fmt: skip
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "anonymity": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "title": {"required": _("Give the campaign a title.")},
            "opens_on": {
                "required": _("Give the first day of answers."),
                "invalid": _("Enter a date such as 02.03.2027."),
            },
            "closes_on": {
                "required": _("Give the last day of answers."),
                "invalid": _("Enter a date such as 30.04.2027."),
            },
            "min_group_size": {
                "min_value": _("The smallest group is at least 1."),
                "max_value": _("The smallest group is at most 100."),
                "invalid": _("Enter a whole number, such as 5."),
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        previous = self.fields["previous"]
        found = Campaign.objects.order_by("-opens_on")
        if self.instance.pk:
            found = found.exclude(pk=self.instance.pk)
        previous.queryset = found  # type: ignore[attr-defined]
        self.fields["open_link"].initial = bool(self.instance.open_key)
        if self.instance.pk and self.instance.state != "draft":
            # The questionnaires of a campaign that has answers stay as they are.
            self.fields["questionnaires"].disabled = True

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("opens_on"), data.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", _("The last day cannot be before the first."))
        chosen = data.get("questionnaires")
        if chosen is not None:
            kinds = [q.respondent_type for q in chosen]
            if len(kinds) != len(set(kinds)):
                message = _("Choose at most one questionnaire for each kind of respondent.")
                self.add_error("questionnaires", message)
        return data


class InvitationForm(forms.Form):
    """Invite by e-mail addresses, one per line, for a respondent type and a municipality;
    or invite every municipal administration or council of chosen municipalities from the
    directory (their published e-mail)."""

    respondent_type = forms.ChoiceField(
        label=_("Who answers"), choices=RespondentType.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose who answers.")},
    )  # fmt: skip
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name_bg", "code"),
        required=False,
        help_text=_("For the addresses typed below."),
    )
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line."),
    )
    from_directory = forms.ModelMultipleChoiceField(
        label=_("Or: the institutions of these municipalities, from the directory"),
        queryset=Municipality.objects.order_by("name_bg", "code"),
        required=False,
        help_text=_(
            "The municipal administration (or council) of each, at its published e-mail "
            "address. Hold Ctrl to choose several."
        ),
    )

    def clean_emails(self) -> list[str]:
        found = []
        for n, line in enumerate(self.cleaned_data["emails"].splitlines(), start=1):
            address = line.strip().strip(",;")
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("Line %(n)s is not an e-mail address: %(text)s")
                    % {"n": n, "text": address[:80]}
                ) from None
            found.append(address.lower())
        if len(found) > 500:
            raise ValidationError(_("At most 500 addresses at a time."))
        return found

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not data.get("emails") and not data.get("from_directory") and not self.errors:
            raise ValidationError(_("Type addresses or choose municipalities."))
        if data.get("emails") and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality of these addresses."))
        return data


class RuleForm(forms.ModelForm):
    class Meta:
        model = RecommendationRule
        fields = ["dimension", "respondent_type", "below", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "below": {
                "required": _("Give the threshold, such as 50."),
                "invalid": _("Enter a number from 0 to 100, such as 50."),
                "max_value": _("The threshold is at most 100."),
                "min_value": _("The threshold is at least 0."),
            },
            "text": {"required": _("Write the recommendation.")},
        }


RuleFormSet = forms.inlineformset_factory(
    Campaign, RecommendationRule, form=RuleForm, extra=2, can_delete=True, max_num=50
)


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["municipality", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"municipality": _("Empty: a recommendation for the whole scope.")}
        error_messages = {"text": {"required": _("Write the recommendation.")}}
