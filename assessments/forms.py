"""The respondent's form: one section of a questionnaire at a time, built from its questions,
and the check of the whole response before it is submitted.

A field is never required while saving (a respondent saves and continues later); the required
questions a respondent was shown are checked when they submit, and listed with links to their
sections. An option that does not belong to its question (a tampered form) is refused next to
the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.enums import SCALE_POINTS, QuestionType
from assessments.models import Question
from assessments.scoring import Structure, shown_questions
from core.personal_numbers import validate_no_personal_number
from core.widgets import VersionField

SHORT_TEXT_LENGTH, LONG_TEXT_LENGTH = 300, 5000
NOT_AN_OPTION = _("This answer is not one of the question's options.")


def field_name(question: Question, row: int | None = None) -> str:
    return f"q{question.pk}" if row is None else f"q{question.pk}_r{row}"


def _scale_choices(question: Question) -> list[tuple[int, str]]:
    low = question.low_label or _("not at all")
    high = question.high_label or _("fully")
    return [
        (p, f"{p} — {low}" if p == 1 else f"{p} — {high}" if p == SCALE_POINTS[-1] else str(p))
        for p in SCALE_POINTS
    ]


def _text_check(value: str) -> None:
    # Answers are read by the coordinator and, anonymised, by everyone: no personal numbers.
    validate_no_personal_number(value)


class SavesEmpty:
    """A field that shows whether its question is required, yet lets a section be saved
    without it: the required questions are checked at submission (`missing_required`)."""

    empty_values: Any

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            return
        super().validate(value)  # type: ignore[misc]


class ChoiceAnswer(SavesEmpty, forms.TypedChoiceField):
    pass


class ChoicesAnswer(SavesEmpty, forms.TypedMultipleChoiceField):
    pass


class NumberAnswer(SavesEmpty, forms.IntegerField):
    pass


class TextAnswer(SavesEmpty, forms.CharField):
    pass


class SectionForm(forms.Form):
    """The fields of one section's questions; `initial` from the stored answers."""

    # Nothing is required by the browser either: a half-filled section can be saved.
    use_required_attribute = False

    revision = VersionField()

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        answers: dict[str, Any],
        revision: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["revision"].initial = revision
        for question in questions:
            self._add(question, answers.get(str(question.pk)))

    def _add(self, question: Question, stored: Any) -> None:
        options = [(o.pk, o.label) for o in question.options.all()]
        messages = {"invalid_choice": NOT_AN_OPTION}
        common: dict[str, Any] = {
            "label": f"{question.code}. {question.text}",
            "help_text": question.help_text,
            "required": question.required,
            "error_messages": messages,
        }
        kind = question.type
        if kind in (QuestionType.SINGLE, QuestionType.YES_NO):
            field: forms.Field = ChoiceAnswer(
                choices=options, coerce=int, widget=forms.RadioSelect, **common
            )
        elif kind == QuestionType.MULTIPLE:
            messages["invalid_list"] = NOT_AN_OPTION
            field = ChoicesAnswer(
                choices=options, coerce=int, widget=forms.CheckboxSelectMultiple, **common
            )
        elif kind == QuestionType.SCALE:
            field = ChoiceAnswer(
                choices=_scale_choices(question), coerce=int, widget=forms.RadioSelect, **common
            )
        elif kind == QuestionType.MATRIX:
            # One radio group per row; the question is their common fieldset (answer.html).
            for option in question.options.all():
                # Each row is "required" with its question: no "(optional)" on every row.
                row = ChoiceAnswer(
                    label=option.label,
                    choices=_scale_choices(question),
                    coerce=int,
                    required=True,
                    widget=forms.RadioSelect,
                    error_messages=messages,
                )
                row.initial = (
                    (stored or {}).get(str(option.pk)) if isinstance(stored, dict) else None
                )
                self.fields[field_name(question, option.pk)] = row
            return
        elif kind == QuestionType.NUMBER:
            messages["invalid"] = _("Enter a whole number, such as 12.")
            field = NumberAnswer(
                min_value=question.min_value,
                max_value=question.max_value,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                **common,
            )
        else:
            limit = SHORT_TEXT_LENGTH if kind == QuestionType.SHORT_TEXT else LONG_TEXT_LENGTH
            widget = (
                forms.TextInput(attrs={"maxlength": limit})
                if kind == QuestionType.SHORT_TEXT
                else forms.Textarea(attrs={"rows": 5, "maxlength": limit})
            )
            field = TextAnswer(max_length=limit, widget=widget, validators=[_text_check], **common)
        field.initial = stored
        self.fields[field_name(question)] = field

    def answers(self) -> dict[str, Any]:
        """The section's answers in the stored shapes (an emptied field removes its answer:
        None values are dropped by `merge`)."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        for question in self.questions:
            key = str(question.pk)
            if question.type == QuestionType.MATRIX:
                rows = {
                    str(o.pk): data[field_name(question, o.pk)]
                    for o in question.options.all()
                    if data.get(field_name(question, o.pk)) not in (None, "")
                }
                result[key] = rows or None
                continue
            value = data.get(field_name(question))
            if value in ("", [], None):
                result[key] = None
            else:
                result[key] = value.strip() if isinstance(value, str) else value
        return result


def merge(stored: dict[str, Any], given: dict[str, Any], structure: Structure) -> dict[str, Any]:
    """The stored answers with a section's answers over them, without the answers to questions
    the respondent is no longer shown (an earlier answer changed) or has emptied."""
    merged = {k: v for k, v in {**stored, **given}.items() if v is not None}
    shown = shown_questions(structure, merged)
    return {k: v for k, v in merged.items() if k.isdigit() and int(k) in shown}


@dataclass(frozen=True)
class Missing:
    question: Question
    section_number: int


def missing_required(
    questions: list[Question], section_numbers: dict[int, int], answers: dict[str, Any],
    structure: Structure,
) -> list[Missing]:  # fmt: skip
    """The required questions the respondent is shown and has not answered."""
    shown = shown_questions(structure, answers)
    return [
        Missing(q, section_numbers[q.section_id])
        for q in questions
        if q.required and q.pk in shown and not is_answered(q, answers.get(str(q.pk)))
    ]


def is_answered(question: Question, value: Any) -> bool:
    """A matrix is answered when every row is."""
    if question.type == QuestionType.MATRIX:
        return isinstance(value, dict) and len(value) >= len(question.options.all())
    return value not in (None, "", [], {})
