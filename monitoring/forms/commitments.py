"""Forms of commitments: recording and correcting one, the institution's progress update, a
monitor's comment or the staff's answer, an organisation's rating, and the list's filters.

The forms ask what the services ask (monitoring/services/commitments.py) so that a mistake is
shown next to its field; the services check again and stay the authority.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from core.widgets import ListSelect
from directory.models import Institution
from monitoring.enums import CommitmentSource, CommitmentStatus
from monitoring.forms.common import (
    DateInput,
    NoPersonalNumbersMixin,
    PastDateField,
    choice_field,
    municipality_choices,
    province_choices,
    validate_document,
)
from monitoring.models import MAX_TEXT_LENGTH, Commitment
from monitoring.services.commitments import TRANSITIONS
from monitoring.services.common import today
from organisations.models import Organisation

S = CommitmentStatus
# A long list of consultations to choose from helps nobody: the newest of the institution.
CONSULTATION_CHOICES = 200


# --- recording and correcting ----------------------------------------------------------------


class CommitmentForm(NoPersonalNumbersMixin, forms.Form):
    """A new commitment (with `monitors`: the organisations the person may record it for) or
    a correction of one (`commitment` given: no deadline here, no monitor)."""

    monitor = forms.ChoiceField(
        label=_("Recorded by"),
        required=False,
        help_text=_(
            "Record it for the institution you work for, or as a monitor for your organisation."
        ),
    )
    title = forms.CharField(
        label=_("The commitment"),
        max_length=300,
        help_text=_("What was promised, in one sentence."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Details of what was promised. You may use Markdown."),
    )
    source_kind = forms.ChoiceField(label=_("Source"), choices=CommitmentSource.choices)
    source_reference = forms.CharField(
        label=_("Reference"),
        max_length=300,
        help_text=_("E.g. Decision No 123 of the municipal council of 25.03.2026."),
    )
    source_date = PastDateField(label=_("Date of the source"), required=False)
    source_url = forms.URLField(
        label=_("Link to the source"), required=False, max_length=200, assume_scheme="https"
    )
    consultation = forms.ChoiceField(
        label=_("Consultation"),
        required=False,
        widget=ListSelect,
        help_text=_("If the promise was made in the report of a consultation of the institution."),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    indicator = forms.CharField(
        label=_("Indicator"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How fulfilment is measured, e.g. “the playground is accepted with a protocol”."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        institution: Institution,
        monitors: list[Organisation] | None = None,
        as_staff: bool = False,
        commitment: Commitment | None = None,
        **kwargs: Any,
    ) -> None:
        if commitment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": commitment.title,
                "description": commitment.description,
                "source_kind": commitment.source_kind,
                "source_reference": commitment.source_reference,
                "source_date": commitment.source_date,
                "source_url": commitment.source_url,
                "consultation": commitment.consultation_id or "",
                "indicator": commitment.indicator,
                "version": commitment.version,
            }
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.commitment = commitment
        if commitment is not None:
            del self.fields["monitor"], self.fields["deadline"]
        else:
            del self.fields["version"]
            options = [(str(o.pk), o.name) for o in monitors or []]
            if as_staff:
                options.insert(0, ("", str(_("The institution (as its staff)"))))
            choice_field(self, "monitor").choices = options
            choice_field(self, "monitor").required = not as_staff
            if len(options) == 1:
                self.fields["monitor"].widget = forms.HiddenInput()
                self.initial.setdefault("monitor", options[0][0])
        self.consultations = {
            c.pk: c
            for c in Consultation.objects.public()
            .filter(institution=institution)
            .order_by("-pk")
            .only("pk", "title", "institution_id", "state")[:CONSULTATION_CHOICES]
        }
        linked_id = commitment.consultation_id if commitment is not None else None
        if linked_id is not None and linked_id not in self.consultations:
            # Linked when it was public: kept as a choice, so a correction does not lose it.
            linked = Consultation.objects.filter(pk=linked_id).first()
            if linked is not None:
                self.consultations[linked.pk] = linked
        choice_field(self, "consultation").choices = [("", str(_("none")))] + [
            (str(pk), c.title[:150]) for pk, c in self.consultations.items()
        ]

    def clean_monitor(self) -> Organisation | None:
        value = self.cleaned_data.get("monitor") or ""
        if not value:
            return None
        return Organisation.objects.filter(pk=int(value)).first()

    def clean_consultation(self) -> Consultation | None:
        value = self.cleaned_data.get("consultation") or ""
        return self.consultations.get(int(value)) if value else None

    def values(self) -> dict[str, Any]:
        """The keyword arguments of services.commitments.record / edit."""
        data = self.cleaned_data
        names = ("title", "description", "source_kind", "source_reference", "source_date",
                 "source_url", "consultation", "indicator")  # fmt: skip
        values = {name: data.get(name) for name in names}
        values["description"] = values["description"] or ""
        values["source_url"] = values["source_url"] or ""
        if self.commitment is None:
            values["deadline"] = data.get("deadline")
        return values


# --- progress --------------------------------------------------------------------------------


class ProgressForm(NoPersonalNumbersMixin, forms.Form):
    """The institution reports progress on `commitment`."""

    status = forms.ChoiceField(label=_("Status"), widget=forms.RadioSelect)
    progress = forms.IntegerField(
        label=_("Progress, %"),
        min_value=0,
        max_value=100,
        help_text=_("From 0 to 100. A commitment marked done is at 100 %."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    done_on = PastDateField(
        label=_("Done on"),
        required=False,
        help_text=_("Only when it is done: the day it was fulfilled."),
    )
    text = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when the commitment is dropped: say why. You may use Markdown."),
    )
    evidence_url = forms.URLField(
        label=_("Link to evidence"), required=False, max_length=200, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        validators=[validate_document],
        help_text=_("A PDF, a Word (.docx) file or a photograph, at most 10 MB. It is public."),
    )
    evidence_title = forms.CharField(label=_("Title of the file"), required=False, max_length=300)
    new_deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Only if the deadline changes. The old one stays in the timeline."),
    )
    deadline_reason = forms.CharField(
        label=_("Why the deadline changes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": S.IN_PROGRESS if commitment.status == S.OVERDUE else commitment.status,
                "progress": commitment.progress,
                "version": commitment.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        allowed = TRANSITIONS.get(commitment.status, frozenset())
        choice_field(self, "status").choices = [
            (v, label) for v, label in S.choices if v in allowed
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status")
        if status == S.DONE and not data.get("done_on") and "done_on" not in self.errors:
            self.add_error("done_on", _("Give the date on which the commitment was fulfilled."))
        if status == S.DROPPED and not (data.get("text") or "").strip():
            self.add_error("text", _("Say why the commitment is dropped."))
        if status == S.NOT_STARTED and data.get("progress"):
            self.add_error(
                "progress",
                _("A commitment with progress has started: choose “In progress” or “Done”."),
            )
        new_deadline = data.get("new_deadline")
        if new_deadline is not None:
            if status not in (S.NOT_STARTED, S.IN_PROGRESS):
                self.add_error(
                    "new_deadline",
                    _("A new deadline is set only for a commitment that is still being fulfilled."),
                )
            elif new_deadline == self.commitment.deadline:
                self.add_error(
                    "new_deadline", _("The new deadline is the same as the current one.")
                )
            elif new_deadline < today():
                self.add_error("new_deadline", _("The new deadline cannot be in the past."))
            if not (data.get("deadline_reason") or "").strip():
                self.add_error("deadline_reason", _("Say why the deadline changes."))
        if data.get("evidence_title") and not data.get("evidence_file"):
            self.add_error("evidence_file", _("Choose the file to go with this title."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data.get("evidence_file")
        return {
            "status": data["status"],
            "progress": data["progress"],
            "text": data.get("text") or "",
            "evidence_url": data.get("evidence_url") or "",
            "done_on": data.get("done_on"),
            "new_deadline": data.get("new_deadline"),
            "deadline_reason": data.get("deadline_reason") or "",
            "documents": [(data.get("evidence_title") or "", upload)] if upload else [],
            "version": data["version"],
        }


# --- comments, answers and ratings ---------------------------------------------------------


def _organisation_field(form: forms.Form, organisations: list[Organisation]) -> None:
    field = choice_field(form, "organisation")
    field.choices = [(str(o.pk), o.name) for o in organisations]
    if len(organisations) == 1:
        field.widget = forms.HiddenInput()
        form.initial.setdefault("organisation", str(organisations[0].pk))


class CommentForm(NoPersonalNumbersMixin, forms.Form):
    """A monitor's comment (`organisations`: those the person represents) or, without them,
    the answer of the institution."""

    organisation = forms.ChoiceField(label=_("On behalf of"))
    text = forms.CharField(
        label=_("Comment"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public. You may use Markdown."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        if organisations:
            _organisation_field(self, organisations)
        else:
            del self.fields["organisation"]
            self.fields["text"].label = _("Answer of the institution")

    def chosen(self) -> Organisation | None:
        value = self.cleaned_data.get("organisation")
        return self.organisations.get(int(value)) if value else None


class RatingForm(forms.Form):
    organisation = forms.ChoiceField(label=_("On behalf of"))
    rating = forms.TypedChoiceField(
        label=_("How is the commitment being kept?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            ("1", _("1 — not at all")),
            ("2", _("2 — poorly")),
            ("3", _("3 — partly")),
            ("4", _("4 — mostly")),
            ("5", _("5 — fully")),
        ],
        help_text=_("Your organisation's assessment. A new one replaces the previous one."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        _organisation_field(self, organisations)

    def chosen(self) -> Organisation:
        return self.organisations[int(self.cleaned_data["organisation"])]


# --- the list's filters ----------------------------------------------------------------------


class FilterForm(forms.Form):
    institution = forms.ChoiceField(label=_("Institution"), required=False, widget=ListSelect)
    province = forms.ChoiceField(label=_("Province"), required=False, widget=ListSelect)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False, widget=ListSelect)
    status = forms.ChoiceField(label=_("Status"), required=False)
    source_kind = forms.ChoiceField(label=_("Source"), required=False)
    deadline_after = forms.DateField(label=_("Deadline from"), required=False, widget=DateInput())
    deadline_before = forms.DateField(label=_("Deadline until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", str(_("all")))]
        # Only institutions with commitments: the directory's thousands would help nobody.
        with_commitments = Commitment.objects.values("institution_id")
        choice_field(self, "institution").choices = everything + [
            (str(i.pk), i.name)
            for i in Institution.objects.filter(pk__in=with_commitments)
            .order_by("name_bg", "pk")
            .only("pk", "name_bg", "name_en")
        ]
        choice_field(self, "province").choices = everything + province_choices()
        choice_field(self, "municipality").choices = everything + municipality_choices()
        choice_field(self, "status").choices = everything + list(S.choices)
        choice_field(self, "source_kind").choices = everything + list(CommitmentSource.choices)

    def filters(self) -> dict[str, Any]:
        """What was chosen, without the fields that are wrong (shown with their message)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
