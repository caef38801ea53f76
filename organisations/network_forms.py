"""Forms of the networks' pages: the network, applying, the work plan's tasks, joint positions
and announcements. Messages are English msgids translated to Bulgarian (var/po/networks.po)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_pdf
from core.widgets import DateInput
from organisations.models import JointArea, Membership, Network, Organisation, Task
from territory.models import Province

MAX_AREAS = 12


def _areas(text: str) -> list[str]:
    names: list[str] = []
    for line in text.splitlines():
        name = " ".join(line.split())
        if name and name not in names:
            names.append(name)
    return names


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name of the network"), max_length=300)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the organisations want to achieve together. Markdown is allowed."),
    )
    areas = forms.CharField(
        label=_("Areas of joint work"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One area a line, e.g. “Transparency of the local budget”."),
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Territory: provinces"),
        queryset=Province.objects.order_by("name_bg"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Enter the name of the network.")
        self.fields["purpose"].error_messages["required"] = _("Describe the purpose.")
        self.fields["areas"].error_messages["required"] = _("Name at least one area of joint work.")

    def clean_areas(self) -> list[str]:
        names = _areas(self.cleaned_data["areas"])
        if not names:
            raise ValidationError(_("Name at least one area of joint work."))
        if len(names) > MAX_AREAS:
            raise ValidationError(
                _("At most %(n)d areas of joint work.") % {"n": MAX_AREAS}, code="too_many"
            )
        if any(len(n) > 200 for n in names):
            raise ValidationError(_("An area's name can have at most 200 characters."))
        return names

    @classmethod
    def initial_for(cls, network: Network) -> dict[str, Any]:
        return {
            "name": network.name,
            "purpose": network.purpose,
            "areas": "\n".join(a.name for a in network.areas.all()),
            "provinces": list(network.provinces.all()),
        }


class NewNetworkForm(NetworkForm):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinating organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("An organisation you represent; its representatives will run the network."),
        empty_label=None,
    )

    field_order = ["coordinator", "name", "purpose", "areas", "provinces"]

    def __init__(self, *args: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=organisation_ids
        ).order_by("name")


class OrganisationChoiceForm(forms.Form):
    """Choose one of the organisations the person represents (applying, leaving, signing)."""

    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=organisation_ids
        ).order_by("name")
        self.fields["organisation"].error_messages["invalid_choice"] = _(
            "Choose one of the organisations you represent."
        )


class TaskForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    area = forms.ModelChoiceField(
        label=_("Area of joint work"), queryset=JointArea.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible member organisation"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DateInput)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"), initial=0, help_text=_("A whole number from 0 to 100.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["area"].queryset = network.areas.all()  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            memberships__network=network, memberships__status=Membership.Status.MEMBER
        ).order_by("name")
        self.fields["title"].error_messages["required"] = _("Enter the title of the task.")
        self.fields["due_on"].error_messages["required"] = _("Enter the due date.")
        for name in ("starts_on", "due_on"):
            self.fields[name].error_messages["invalid"] = _(
                "Enter a real date, for example 31.12.2027."
            )
        self.fields["progress"].error_messages["invalid"] = _(
            "Enter the progress as a whole number from 0 to 100."
        )
        self.fields["responsible"].error_messages["invalid_choice"] = _(
            "The responsible organisation must be a member of the network."
        )
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose one of the network's areas of joint work."
        )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError(_("Enter the title of the task."))
        return title

    def clean_progress(self) -> int:
        progress = self.cleaned_data["progress"]
        if progress is None or not 0 <= progress <= 100:
            raise ValidationError(_("Enter the progress as a whole number from 0 to 100."))
        return int(progress)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("The due date cannot be before the start."))
        if data.get("status") == Task.Status.DONE and "progress" in data:
            data["progress"] = 100
        return data

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        return {
            "version": task.version,
            "title": task.title,
            "area": task.area_id,
            "responsible": task.responsible_id,
            "starts_on": task.starts_on,
            "due_on": task.due_on,
            "status": task.status,
            "progress": task.progress,
            "notes": task.notes,
        }


class PositionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("Text of the position"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown is allowed: **bold**, lists with “-”, links."),
    )
    attachment = forms.FileField(
        label=_("Attachment (PDF)"),
        required=False,
        validators=[validate_pdf],
        help_text=_("Optional: the signed position or an analysis, as a PDF of up to 10 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Enter the title of the position.")
        self.fields["body"].error_messages["required"] = _("Enter the text of the position.")


class AnnouncementForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].error_messages["required"] = _("Enter the subject.")
        self.fields["body"].error_messages["required"] = _("Enter the text of the announcement.")
