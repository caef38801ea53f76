"""Forms of the questionnaire builder: the questionnaire's details (with the revision seen, the
optimistic lock), a section, and a question with its options.

The forms only read what was typed; the writes are assessments/builder.py's. A question's
rules (`builder.check`) need the options and the rest of the questionnaire, so the view runs
them once both the question form and its options are valid (`validate_question`), and puts
each message next to its field or above the options.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assessments import builder
from assessments.enums import QuestionType
from assessments.models import Dimension, Question, Questionnaire, Section
from core.widgets import VersionField

MAX_OPTIONS = 50


class QuestionnaireForm(forms.ModelForm):  # type: ignore[type-arg]
    """The details. `revision` (the questionnaire's revision when the form was loaded) only
    when editing an existing questionnaire."""

    revision = VersionField()

    class Meta:
        model = Questionnaire
        fields = ["title", "description", "respondent_type"]
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "description": _(
                "Markdown: what the questionnaire assesses and how to answer it. Respondents "
                "read it before the first question."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["revision"]
        else:
            self.fields["revision"].initial = self.instance.revision

    def details(self) -> builder.Details:
        data = self.cleaned_data
        return builder.Details(data["title"].strip(), data["description"], data["respondent_type"])


class SectionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Section
        fields = ["title", "description"]
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        help_texts = {"description": _("Shown to respondents above the section's questions.")}


class WeightField(forms.DecimalField):
    """ "1,5" and "1.5" alike, in either language; shown without trailing zeros."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=4, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter a weight such as 1 or 1,5."), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value.normalize():f}".replace(".", ",")
        return value


def condition_choices(context: builder.QuestionContext) -> list[Any]:
    """The answers of earlier choice questions, grouped by question."""
    choices: list[Any] = [("", _("— always shown —"))]
    for question, options in context.earlier:
        if options:
            group = f"{question.code}. {Truncator(question.text).chars(80)}"
            choices.append((group, [(str(o.pk), f"{question.code}: {o.label}") for o in options]))
    return choices


class QuestionForm(forms.ModelForm):  # type: ignore[type-arg]
    """A question; `context` (builder.context_for) gives the conditions it may have and the
    fingerprint of the question as loaded (the optimistic lock of this form)."""

    weight = WeightField(
        label=_("Weight"),
        help_text=_(
            "How much the question counts in its dimension, against the others: 1 is usual."
        ),
        error_messages={
            "max_digits": _("Enter a weight below 100."),
            "max_decimal_places": _("Enter at most two decimals."),
            "max_whole_digits": _("Enter a weight below 100."),
        },
    )
    show_if = forms.TypedChoiceField(
        label=_("Show only after the answer"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Empty: everyone is asked. Otherwise only those who chose this answer to an "
            "earlier question."
        ),
        error_messages={
            "invalid_choice": _("Choose an answer to an earlier question from the list.")
        },
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Question
        fields = [
            "code", "text", "help_text", "type", "required", "dimension", "weight",
            "low_label", "high_label", "min_value", "max_value", "training_need",
        ]  # fmt: skip
        widgets = {
            "code": forms.TextInput(attrs={"maxlength": 20, "autocomplete": "off"}),
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "help_text": forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
            "low_label": forms.TextInput(attrs={"maxlength": 60}),
            "high_label": forms.TextInput(attrs={"maxlength": 60}),
            "min_value": forms.TextInput(attrs={"inputmode": "numeric"}),
            "max_value": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        labels = {
            "text": _("Question"),
            "help_text": _("Help text"),
            "required": _("An answer is required"),
            "low_label": _("Label of 1 (the low end)"),
            "high_label": _("Label of 5 (the high end)"),
            "min_value": _("Smallest number allowed"),
            "max_value": _("Largest number allowed"),
            "training_need": _("Its options are training topics (counted in the training needs)"),
        }
        help_texts = {
            "help_text": _("Shown under the question: an example, what counts, where to look."),
            "type": _(
                "Single or multiple choice, yes / no and matrices have options below; a scale "
                "is rated 1 to 5; numbers and texts are not scored."
            ),
            "dimension": _(
                "What the answer's score counts towards. Empty: not scored (always so for "
                "texts and numbers)."
            ),
            "low_label": _("Scales and matrices only, e.g. “not at all”."),
            "high_label": _("Scales and matrices only, e.g. “fully”."),
            "min_value": _("Numbers only."),
            "max_value": _("Numbers only."),
        }
        error_messages = {
            "min_value": {"invalid": _("Enter a whole number, such as 0.")},
            "max_value": {"invalid": _("Enter a whole number, such as 100.")},
        }

    def __init__(self, *args: Any, context: builder.QuestionContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        dimension = cast(forms.ModelChoiceField, self.fields["dimension"])  # type: ignore[type-arg]
        dimension.queryset = Dimension.objects.order_by("position", "slug")
        dimension.empty_label = _("— not scored —")
        self.fields["show_if"].choices = condition_choices(context)  # type: ignore[attr-defined]
        self.fields["show_if"].initial = self.instance.show_if_id
        self.fields["seen"].initial = context.fingerprint
        kind = cast(forms.TypedChoiceField, self.fields["type"])
        kind.choices = QuestionType.choices  # no empty choice: every question has a type
        kind.widget.attrs["data-question-type"] = ""

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data.get("weight")
        if weight is None or weight <= 0:
            raise ValidationError(_("The weight must be greater than 0."), code="min_value")
        return weight

    def values(self) -> builder.QuestionValues:
        data = self.cleaned_data
        dimension = data.get("dimension")
        return builder.QuestionValues(
            code=data["code"],
            text=data["text"],
            type=data["type"],
            help_text=data.get("help_text", ""),
            required=bool(data.get("required")),
            dimension_id=dimension.pk if dimension else None,
            weight=data["weight"],
            low_label=data.get("low_label", ""),
            high_label=data.get("high_label", ""),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            show_if_id=data.get("show_if"),
            training_need=bool(data.get("training_need")),
        )


class OptionForm(forms.Form):
    """An option (or a matrix row): `id` of a saved one, none for a new one."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    label = forms.CharField(label=_("Answer"), max_length=300, required=False)
    score = forms.IntegerField(
        label=_("Score"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
        help_text=_("0–100; empty: not scored."),
        error_messages={
            "invalid": _("A score is a whole number from 0 to 100."),
            "min_value": _("A score is a whole number from 0 to 100."),
            "max_value": _("A score is a whole number from 0 to 100."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deleted = data.get("DELETE")
        if not deleted and not (data.get("label") or "").strip():
            if data.get("id"):
                self.add_error("label", _("Give the option its text, or tick “Delete”."))
            elif data.get("score") is not None:
                self.add_error("label", _("Give the option its text, or clear its score."))
        return data


class BaseOptionFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[builder.OptionRow]:
        """The options to keep (of a valid formset), by their "Order" numbers; a row without
        one keeps its place (its row number), so a number typed on one row moves only it."""
        keyed = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None) or {}
            label = (data.get("label") or "").strip()
            if not label or data.get("DELETE"):
                continue
            order = data.get("ORDER")
            key = (index + 1 if order is None else order, index)
            keyed.append((key, builder.OptionRow(data.get("id"), label, data.get("score"))))
        return [row for _key, row in sorted(keyed, key=lambda pair: pair[0])]

    def add_non_form_error(self, message: str) -> None:
        """A rule's message about the options as a whole (after validation)."""
        errors = self.non_form_errors()  # validates, once
        errors.append(message)


def option_formset(
    context: builder.QuestionContext, data: Any = None, *, new: bool = False
) -> BaseOptionFormSet:
    """The options of the question as saved, then empty rows to add more (without JavaScript,
    saving and editing again gives more)."""
    initial = [
        {"id": o.pk, "label": o.label, "score": o.score, "ORDER": n}
        for n, o in enumerate(context.options, start=1)
    ]
    extra = 6 if new or not initial else 3
    factory = forms.formset_factory(
        OptionForm,
        formset=BaseOptionFormSet,
        extra=extra,
        can_delete=True,
        can_order=True,
        can_delete_extra=False,
        max_num=MAX_OPTIONS,
        validate_max=True,
        absolute_max=MAX_OPTIONS + 10,
    )
    formset = factory(data, initial=initial, prefix="options", error_class=ErrorList)
    for form in formset.forms:
        form.fields["ORDER"].label = _("Order")
        form.fields["ORDER"].widget.attrs.update({"inputmode": "numeric", "size": 3})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete")
    return cast(BaseOptionFormSet, formset)


def validate_question(form: QuestionForm, options: BaseOptionFormSet) -> bool:
    """The question and its options, then the question's rules over both (so that a rule's
    message stands next to its field, or above the options)."""
    valid = form.is_valid()
    valid = options.is_valid() and valid
    if not valid:
        return False
    values, rows = builder.normalise(form.values(), options.rows())
    return add_errors(form, options, builder.check(values, rows, form.context))


def add_errors(
    form: QuestionForm, options: BaseOptionFormSet, errors: list[tuple[str, str]]
) -> bool:
    """Put the rules' messages in their place; False when there are any."""
    for name, message in errors:
        if name == builder.OPTIONS or name not in form.fields:
            options.add_non_form_error(message)
        else:
            form.add_error(name, message)
    return not errors
