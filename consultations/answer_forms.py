"""Forms of the answering pages: the answer to a group of proposals, and regrouping by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.enums import DECISIONS_NEEDING_REASONS, Decision
from consultations.models import MAX_COMMENT_LENGTH


class AnswerForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the proposal"),
        help_text=_("As it will read in the report; it starts as the first comment's text."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT_LENGTH,
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("Required unless the proposal is accepted (ЗНА чл. 26, ал. 5)."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_COMMENT_LENGTH,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") in DECISIONS_NEEDING_REASONS
            and not (data.get("reasons") or "").strip()
        ):
            self.add_error(
                "reasons",
                _("Give the reasons: the law requires them for a proposal not fully accepted."),
            )
        return data


class RegroupForm(forms.Form):
    """One hand regrouping: move a proposal to a group (by its number), give it a group of its
    own, or merge a whole group into another."""

    MOVE, SPLIT, MERGE = "move", "split", "merge"
    action = forms.ChoiceField(
        choices=[(MOVE, MOVE), (SPLIT, SPLIT), (MERGE, MERGE)], widget=forms.HiddenInput
    )
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    target = forms.IntegerField(label=_("Group number"), required=False, min_value=1)

    def __init__(self, *args: Any, numbers: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = numbers or set()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in (self.MOVE, self.SPLIT) and not data.get("comment"):
            raise forms.ValidationError(_("Choose a proposal."))
        if action in (self.MOVE, self.MERGE):
            target = data.get("target")
            if target is None:
                self.add_error("target", _("Give the number of the group."))
            elif target not in self.numbers:
                self.add_error("target", _("There is no group with this number."))
        return data
