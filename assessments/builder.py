"""The questionnaire builder's writes: a questionnaire's details, its sections and questions
with their options, publishing it, a new version of one in use, archiving.

Only a draft changes. Every write here locks the questionnaire's row, checks it is still a
draft (a coordinator in another tab may have published it meanwhile), and bumps its
`revision` in the same transaction: the revision keys the cached scoring structure
(selectors.structure_of) and is the optimistic lock of the details form.

The rules of a question (`check`) are one function used three times: by the form, so the
messages appear next to the fields; here again under the lock, since the questionnaire may
have changed since the form was checked; and before publishing, over every question.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.enums import (
    CHOICE_TYPES,
    ROW_TYPES,
    TEXT_TYPES,
    QuestionnaireState,
    QuestionType,
)
from assessments.models import Option, Question, Questionnaire, QuestionnaireChange, Section
from assessments.selectors import questions_of
from assessments.services import AssessmentError
from core.translit import transliterate

FAMILY_LENGTH = 60
# The answers a yes / no question gets when it is saved without options. Content of the
# questionnaire, which is written in Bulgarian whatever the language of the builder's pages.
YES_NO_OPTIONS = (("Да", 100), ("Не", 0))
# Types answered by choosing among options or rating rows: they have options.
OPTION_TYPES = CHOICE_TYPES | ROW_TYPES
# The ends of a scale are labelled for scales and for a matrix's rows.
LABEL_TYPES = frozenset({QuestionType.SCALE, QuestionType.MATRIX})
# Not scored: no dimension.
UNSCORED_TYPES = TEXT_TYPES | {QuestionType.NUMBER}
OPTIONS = "options"  # the key of errors about the options as a whole


class BuilderError(AssessmentError):
    """A change the builder refuses, with the reason to show."""


class NotEditable(BuilderError):
    """The questionnaire is no longer a draft."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        super().__init__(
            _(
                "This questionnaire is ready for use or archived, so it is no longer changed: "
                "make a new version to change it."
            )
        )
        self.questionnaire = questionnaire


class Stale(BuilderError):
    """Someone saved the details or the question since the form was loaded: `current`."""

    def __init__(self, current: Any) -> None:
        super().__init__(_("Someone else changed it while you were editing it."))
        self.current = current


class Invalid(BuilderError):
    """Question rules broken: (field name, or OPTIONS, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in errors))
        self.errors = errors


class DraftExists(BuilderError):
    """A new version is asked for, but the family already has a draft: `draft`."""

    def __init__(self, draft: Questionnaire) -> None:
        super().__init__(
            _("Version %(version)s of this questionnaire is already being prepared.")
            % {"version": draft.version}
        )
        self.draft = draft


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    title: str
    description: str
    respondent_type: str

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Details:
        return cls(questionnaire.title, questionnaire.description, questionnaire.respondent_type)


@dataclass(frozen=True)
class OptionRow:
    """An option as typed: `id` of an existing option of the question, None for a new one."""

    id: int | None
    label: str
    score: int | None


@dataclass(frozen=True)
class QuestionValues:
    code: str
    text: str
    type: str
    help_text: str = ""
    required: bool = True
    dimension_id: int | None = None
    weight: Decimal = Decimal(1)
    low_label: str = ""
    high_label: str = ""
    min_value: int | None = None
    max_value: int | None = None
    show_if_id: int | None = None
    training_need: bool = False

    @classmethod
    def of(cls, question: Question) -> QuestionValues:
        return cls(
            code=question.code,
            text=question.text,
            type=question.type,
            help_text=question.help_text,
            required=question.required,
            dimension_id=question.dimension_id,
            weight=question.weight,
            low_label=question.low_label,
            high_label=question.high_label,
            min_value=question.min_value,
            max_value=question.max_value,
            show_if_id=question.show_if_id,
            training_need=question.training_need,
        )


def normalise(
    values: QuestionValues, options: Sequence[OptionRow]
) -> tuple[QuestionValues, list[OptionRow]]:
    """What is saved of what was typed: the limits only of a number, the scale's labels only
    of a scale or matrix (a change of type leaves them behind, unseen), and the two answers
    of a yes / no question saved without options."""
    values = replace(values, code=values.code.strip(), text=values.text.strip())
    if values.type != QuestionType.NUMBER:
        values = replace(values, min_value=None, max_value=None)
    if values.type not in LABEL_TYPES:
        values = replace(values, low_label="", high_label="")
    rows = list(options)
    if values.type == QuestionType.YES_NO and not rows:
        rows = [OptionRow(None, label, score) for label, score in YES_NO_OPTIONS]
    return values, rows


# --- the questionnaire around a question -------------------------------------------------------


@dataclass
class QuestionContext:
    """What the rules of one question need to know of the rest of the questionnaire."""

    # Codes (lower case) of the other questions.
    codes: set[str] = field(default_factory=set)
    # Earlier questions of a choice type with their options: the conditions it may have.
    earlier: list[tuple[Question, list[Option]]] = field(default_factory=list)
    # This question's options as saved, in order.
    options: list[Option] = field(default_factory=list)
    # Option id of this question → codes of the questions shown only after it.
    dependants: dict[int, list[str]] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def allowed_conditions(self) -> set[int]:
        return {option.pk for _question, options in self.earlier for option in options}


def ordered_questions(questionnaire: Questionnaire) -> list[Question]:
    """All questions in the questionnaire's order, with their section (1 query)."""
    return list(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "pk")
    )


def _options_by_question(questionnaire: Questionnaire) -> dict[int, list[Option]]:
    grouped: dict[int, list[Option]] = {}
    rows = Option.objects.filter(question__questionnaire=questionnaire).order_by(
        "question_id", "position", "pk"
    )
    for option in rows:
        grouped.setdefault(option.question_id, []).append(option)
    return grouped


def context_for(
    questionnaire: Questionnaire,
    *,
    question: Question | None = None,
    section: Section | None = None,
) -> QuestionContext:
    """The context of an existing `question`, or of a new one at the end of `section` (two
    queries however long the questionnaire is)."""
    questions = ordered_questions(questionnaire)
    grouped = _options_by_question(questionnaire)
    if question is not None:
        index = next((i for i, q in enumerate(questions) if q.pk == question.pk), len(questions))
        earlier = questions[:index]
        current = questions[index] if index < len(questions) else question
    else:
        if section is None:
            raise ValueError("a new question needs its section")
        place = (section.position, section.pk)
        earlier = [q for q in questions if (q.section.position, q.section_id) <= place]
        current = None
    own = grouped.get(current.pk, []) if current is not None else []
    own_ids = {o.pk for o in own}
    dependants: dict[int, list[str]] = {}
    for q in questions:
        if q.show_if_id in own_ids:
            dependants.setdefault(q.show_if_id, []).append(q.code)
    return QuestionContext(
        codes={q.code.lower() for q in questions if current is None or q.pk != current.pk},
        earlier=[(q, grouped.get(q.pk, [])) for q in earlier if q.type in CHOICE_TYPES],
        options=own,
        dependants=dependants,
        fingerprint=fingerprint(current, own) if current is not None else "",
    )


def fingerprint(question: Question, options: Iterable[Option]) -> str:
    """A digest of the question as saved: the question form's optimistic lock (the
    questionnaire's revision moves on with every other question's change too)."""
    values = QuestionValues.of(question)
    payload = {
        **{name: str(getattr(values, name)) for name in values.__dataclass_fields__},
        "section": question.section_id,
        "options": [(o.pk, o.label, o.score) for o in options],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


# --- the rules of a question -------------------------------------------------------------------


def _codes(codes: list[str]) -> str:
    return ", ".join(codes)


def check(
    values: QuestionValues, options: Sequence[OptionRow], context: QuestionContext
) -> list[tuple[str, str]]:
    """The broken rules of a question (normalised first) as (field, message) pairs; OPTIONS
    for the options as a whole."""
    errors: list[tuple[str, str]] = []
    kind = values.type
    if values.code and values.code.lower() in context.codes:
        errors.append(
            ("code", _("Another question of this questionnaire has the code %(code)s.")
             % {"code": values.code})
        )  # fmt: skip
    if values.weight is not None and values.weight <= 0:
        errors.append(("weight", _("The weight must be greater than 0.")))
    scores = [o.score for o in options]
    if kind == QuestionType.YES_NO and len(options) != 2:
        errors.append(
            (OPTIONS, _("A yes / no question has exactly two options, such as “Да” and “Не”."))
        )
    elif kind in CHOICE_TYPES and len(options) < 2:
        errors.append((OPTIONS, _("A choice question needs at least two options.")))
    elif kind in ROW_TYPES and len(options) < 2:
        errors.append((OPTIONS, _("A matrix needs at least two rows.")))
    if kind not in OPTION_TYPES and options:
        errors.append(
            (OPTIONS, _("This type of question has no options: delete them, or choose a type "
                        "with options (single or multiple choice, yes / no, matrix)."))
        )  # fmt: skip
    if kind in ROW_TYPES and any(s is not None for s in scores):
        errors.append(
            (OPTIONS, _("The rows of a matrix have no score: each is scored by the point "
                        "chosen on its scale. Clear the scores."))
        )  # fmt: skip
    if kind in UNSCORED_TYPES and values.dimension_id is not None:
        errors.append(
            ("dimension", _("Text and number answers are not scored: leave the dimension empty."))
        )
    if kind in CHOICE_TYPES and len(options) >= 2:
        if values.dimension_id is not None and all(s is None for s in scores):
            errors.append(
                ("dimension", _("None of the options has a score, so the answers could not "
                                "count in the dimension: give the options scores, or leave "
                                "the dimension empty."))
            )  # fmt: skip
        if values.dimension_id is None and any(s is not None for s in scores):
            errors.append(
                ("dimension", _("The options have scores, but scores count only in a "
                                "dimension: choose one, or clear the scores."))
            )  # fmt: skip
    if (
        values.min_value is not None
        and values.max_value is not None
        and values.min_value > values.max_value
    ):
        errors.append(("max_value", _("The largest number cannot be smaller than the smallest.")))
    if values.show_if_id is not None and values.show_if_id not in context.allowed_conditions:
        errors.append(
            ("show_if", _("Choose an answer to an earlier question with options (single or "
                          "multiple choice, yes / no)."))
        )  # fmt: skip
    if values.training_need and kind not in CHOICE_TYPES:
        errors.append(
            ("training_need", _("Only a question with options asks for training needs: its "
                                "options are the training topics."))
        )  # fmt: skip
    # Options others' conditions rely on stay, and so does the type that has them.
    kept = {o.id for o in options if o.id is not None}
    if kind not in CHOICE_TYPES and context.dependants:
        codes = sorted({c for codes in context.dependants.values() for c in codes})
        errors.append(
            ("type", _("This question keeps its options (single or multiple choice, yes / no): "
                       "these questions are shown only after an answer to it: %(codes)s.")
             % {"codes": _codes(codes)})
        )  # fmt: skip
    labels = {o.pk: o.label for o in context.options}
    for option_id, codes in context.dependants.items():
        if option_id not in kept:
            errors.append(
                (OPTIONS, _("The option “%(label)s” cannot be deleted: these questions are shown "
                            "only after it: %(codes)s.")
                 % {"label": labels.get(option_id, ""), "codes": _codes(codes)})
            )  # fmt: skip
    known = {o.pk for o in context.options}
    ids = [o.id for o in options if o.id is not None]
    if kept - known or len(ids) != len(kept):
        errors.append(
            (OPTIONS, _("Some options were deleted meanwhile: reload the page and try again."))
        )
    return errors


# --- locking ---------------------------------------------------------------------------------


def _lock(questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.state != QuestionnaireState.DRAFT:
        raise NotEditable(locked)
    return locked


def _bump(locked: Questionnaire) -> None:
    """The content changed: cached structures and open details forms are out of date."""
    locked.revision += 1
    locked.save(update_fields=["revision", "updated_at"])


# --- the questionnaire -----------------------------------------------------------------------


def family_base(title: str) -> str:
    """The family's slug from its title, by the official transliteration: "Оценка на
    капацитета" → "otsenka-na-kapatsiteta"."""
    slug = slugify(transliterate(title))[: FAMILY_LENGTH - 4].strip("-")
    return slug or "questionnaire"


def _free_family(base: str) -> str:
    taken = set(
        Questionnaire.objects.filter(family__startswith=base).values_list("family", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_questionnaire(details: Details, by: Any = None) -> Questionnaire:
    """A new draft, version 1 of a new family named after its title."""
    base = family_base(details.title)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                made = Questionnaire.objects.create(
                    family=_free_family(base),
                    version=1,
                    title=details.title,
                    description=details.description,
                    respondent_type=details.respondent_type,
                    state=QuestionnaireState.DRAFT,
                    created_by=by if getattr(by, "is_authenticated", False) else None,
                )
                _record(made, "", by)
                return made
        except IntegrityError:  # the same family taken at the same moment: the next one
            continue
    raise BuilderError(_("The questionnaire could not be saved: try again."))


def update_details(
    questionnaire: Questionnaire, details: Details, revision: int
) -> tuple[Questionnaire, bool]:
    """Save the details typed on a form loaded at `revision`; (questionnaire, changed). Raises
    Stale when the questionnaire changed since and the form differs from what is saved."""
    with transaction.atomic():
        locked = _lock(questionnaire)
        if Details.of(locked) == details:
            return locked, False
        if revision != locked.revision:
            raise Stale(locked)
        locked.title = details.title
        locked.description = details.description
        locked.respondent_type = details.respondent_type
        locked.revision += 1
        locked.save(
            update_fields=["title", "description", "respondent_type", "revision", "updated_at"]
        )
    return locked, True


# --- sections --------------------------------------------------------------------------------


def add_section(questionnaire: Questionnaire, title: str, description: str = "") -> Section:
    with transaction.atomic():
        locked = _lock(questionnaire)
        last = locked.sections.aggregate(last=Max("position"))["last"]
        section = Section.objects.create(
            questionnaire=locked,
            title=title,
            description=description,
            position=0 if last is None else last + 1,
        )
        _bump(locked)
    return section


def change_section(section: Section, title: str, description: str = "") -> Section:
    with transaction.atomic():
        locked = _lock(section.questionnaire)
        current = Section.objects.select_for_update().get(pk=section.pk, questionnaire=locked)
        current.title, current.description = title, description
        current.save(update_fields=["title", "description"])
        _bump(locked)
    return current


def delete_section(section: Section) -> int:
    """Delete the section with its questions (their number); refused while questions of
    other sections are shown only after an answer to one of them."""
    with transaction.atomic():
        locked = _lock(section.questionnaire)
        questions = ordered_questions(locked)
        inside = {q.pk for q in questions if q.section_id == section.pk}
        owners = dict(
            Option.objects.filter(question_id__in=inside).values_list("pk", "question_id")
        )
        blocked = [q.code for q in questions if q.pk not in inside and q.show_if_id in owners]
        if blocked:
            raise BuilderError(
                _("The section cannot be deleted: these questions of other sections are shown "
                  "only after an answer to one of its questions: %(codes)s. Change their "
                  "condition first.") % {"codes": _codes(blocked)}
            )  # fmt: skip
        Section.objects.filter(pk=section.pk, questionnaire=locked).delete()
        _bump(locked)
    return len(inside)


def order_problems(questions: Sequence[Question], owners: dict[int, int]) -> list[str]:
    """Questions whose condition is an answer to a question that does not come before them
    (`owners`: option id → its question's id), as messages."""
    seen: set[int] = set()
    codes = {q.pk: q.code for q in questions}
    problems = []
    for q in questions:
        if q.show_if_id is not None:
            owner = owners.get(q.show_if_id)
            if owner not in seen:
                problems.append(
                    _("%(code)s is shown only after an answer to %(parent)s, which must come "
                      "before it.") % {"code": q.code, "parent": codes.get(owner or 0, "?")}
                )  # fmt: skip
        seen.add(q.pk)
    return problems


def _check_order(locked: Questionnaire) -> None:
    questions = ordered_questions(locked)
    owners = dict(
        Option.objects.filter(question__questionnaire=locked).values_list("pk", "question_id")
    )
    problems = order_problems(questions, owners)
    if problems:
        raise BuilderError(_("It cannot be moved there: %(why)s") % {"why": " ".join(problems)})


def _swap(rows: list[Any], index: int, up: bool) -> bool:
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    return True


def move_section(section: Section, up: bool) -> bool:
    """One place up or down; False when it is already first or last. Refused when a question
    would come before the question its condition answers."""
    with transaction.atomic():
        locked = _lock(section.questionnaire)
        sections = list(locked.sections.select_for_update().order_by("position", "pk"))
        index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
        if not _swap(sections, index, up):
            return False
        Section.objects.bulk_update(sections, ["position"])
        _check_order(locked)
        _bump(locked)
    return True


def question_context(question: Question) -> QuestionContext:
    return context_for(question.questionnaire, question=question)


def save_question(
    questionnaire: Questionnaire,
    values: QuestionValues,
    options: Sequence[OptionRow],
    *,
    section: Section | None = None,
    question: Question | None = None,
    seen: str = "",
) -> Question:
    """Create a question at the end of `section`, or change `question` (loaded as `seen`, its
    fingerprint: Stale if it changed since), with its options in the order given."""
    with transaction.atomic():
        locked = _lock(questionnaire)
        current: Question | None = None
        if question is not None:
            current = (
                Question.objects.select_for_update(of=("self",))
                .select_related("section")
                .get(pk=question.pk, questionnaire=locked)
            )
            section = current.section
        else:
            if section is None:
                raise ValueError("a new question needs its section")
            section = Section.objects.get(pk=section.pk, questionnaire=locked)
        context = context_for(locked, question=current, section=section)
        if current is not None and seen and seen != context.fingerprint:
            raise Stale(current)
        values, rows = normalise(values, options)
        errors = check(values, rows, context)
        if errors:
            raise Invalid(errors)
        if current is None:
            last = Question.objects.filter(section=section).aggregate(last=Max("position"))
            current = Question(
                questionnaire=locked,
                section=section,
                position=0 if last["last"] is None else last["last"] + 1,
            )
        for name in values.__dataclass_fields__:
            setattr(current, name, getattr(values, name))
        current.save()
        _save_options(current, rows, context.options)
        _bump(locked)
    return current


def _save_options(question: Question, rows: list[OptionRow], saved: list[Option]) -> None:
    by_id = {o.pk: o for o in saved}
    kept = {row.id for row in rows if row.id is not None}
    Option.objects.filter(question=question).exclude(pk__in=kept).delete()
    changed, new = [], []
    for position, row in enumerate(rows):
        if row.id is None:
            new.append(
                Option(question=question, label=row.label, score=row.score, position=position)
            )
            continue
        option = by_id[row.id]
        if (option.label, option.score, option.position) != (row.label, row.score, position):
            option.label, option.score, option.position = row.label, row.score, position
            changed.append(option)
    if changed:
        Option.objects.bulk_update(changed, ["label", "score", "position"])
    if new:
        Option.objects.bulk_create(new)


def delete_question(question: Question) -> None:
    """Refused while another question is shown only after one of its answers."""
    with transaction.atomic():
        locked = _lock(question.questionnaire)
        blocked = list(
            Question.objects.filter(show_if__question=question)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if blocked:
            raise BuilderError(
                _("The question cannot be deleted: these questions are shown only after an "
                  "answer to it: %(codes)s. Change their condition first.")
                % {"codes": _codes(blocked)}
            )  # fmt: skip
        Question.objects.filter(pk=question.pk, questionnaire=locked).delete()
        _bump(locked)


def move_question(question: Question, up: bool) -> bool:
    """One place up or down within its section; False when already first or last there."""
    with transaction.atomic():
        locked = _lock(question.questionnaire)
        rows = list(
            Question.objects.select_for_update()
            .filter(section_id=question.section_id)
            .order_by("position", "pk")
        )
        index = next(i for i, q in enumerate(rows) if q.pk == question.pk)
        if not _swap(rows, index, up):
            return False
        Question.objects.bulk_update(rows, ["position"])
        _check_order(locked)
        _bump(locked)
    return True


# --- publishing and versions -----------------------------------------------------------------


def publish_problems(sections: Sequence[Section], questions: Sequence[Question]) -> list[str]:
    """What keeps a draft from being ready for use, in words (the questions with their
    options prefetched, in order; no queries)."""
    problems: list[str] = []
    if not questions:
        problems.append(_("It has no questions yet."))
    counts: dict[int, int] = {}
    for q in questions:
        counts[q.section_id] = counts.get(q.section_id, 0) + 1
    for s in sections:
        if not counts.get(s.pk):
            problems.append(
                _("The section “%(title)s” has no questions: add some, or delete it.")
                % {"title": s.title}
            )
    owner = {o.pk: q.pk for q in questions for o in q.options.all()}
    # Question id → {its option id → codes of the questions shown only after that option}.
    dependants: dict[int, dict[int, list[str]]] = {}
    for q in questions:
        if q.show_if_id is not None and q.show_if_id in owner:
            by_option = dependants.setdefault(owner[q.show_if_id], {})
            by_option.setdefault(q.show_if_id, []).append(q.code)
    codes = [q.code.lower() for q in questions]
    earlier: list[tuple[Question, list[Option]]] = []
    for index, q in enumerate(questions):
        options = list(q.options.all())
        context = QuestionContext(
            codes=set(codes[:index] + codes[index + 1 :]),
            earlier=list(earlier),
            options=options,
            dependants=dependants.get(q.pk, {}),
        )
        rows = [OptionRow(o.pk, o.label, o.score) for o in options]
        for _field, message in check(QuestionValues.of(q), rows, context):
            problems.append(f"{q.code}: {message}")
        if q.type in CHOICE_TYPES:
            earlier.append((q, options))
    return problems


def publish(questionnaire: Questionnaire, by: Any = None) -> Questionnaire:
    """Draft → ready for use, once nothing keeps it (BuilderError with the reasons)."""
    with transaction.atomic():
        locked = _lock(questionnaire)
        problems = publish_problems(list(locked.sections.all()), questions_of(locked))
        if problems:
            raise BuilderError(
                _("It cannot be made ready for use yet: %(why)s") % {"why": " ".join(problems)}
            )
        locked.state = QuestionnaireState.PUBLISHED
        locked.published_at = timezone.now()
        locked.revision += 1
        locked.save(update_fields=["state", "published_at", "revision", "updated_at"])
        _record(locked, QuestionnaireState.DRAFT, by)
    return locked


def _record(questionnaire: Questionnaire, before: str, by: Any) -> None:
    QuestionnaireChange.objects.create(
        questionnaire=questionnaire,
        from_state=before,
        to_state=questionnaire.state,
        by=by if getattr(by, "is_authenticated", False) else None,
    )


def archive(questionnaire: Questionnaire, by: Any = None) -> Questionnaire:
    """Ready for use → archived: no longer offered for new campaigns (those that used it keep
    it, with their answers)."""
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.state != QuestionnaireState.PUBLISHED:
            raise BuilderError(_("Only a questionnaire ready for use can be archived."))
        locked.state = QuestionnaireState.ARCHIVED
        locked.save(update_fields=["state", "updated_at"])
        _record(locked, QuestionnaireState.PUBLISHED, by)
    return locked


def new_version(source: Questionnaire, by: Any = None) -> Questionnaire:
    """A draft copy of a questionnaire in use or archived — its sections, questions and
    options, with the conditions pointing at the copies — as the family's next version."""
    with transaction.atomic():
        family = list(
            Questionnaire.objects.select_for_update()
            .filter(family=source.family)
            .order_by("-version")
        )
        locked = next(q for q in family if q.pk == source.pk)
        if locked.state == QuestionnaireState.DRAFT:
            raise BuilderError(_("A draft is changed as it is; a new version is made of a "
                                 "questionnaire in use."))  # fmt: skip
        draft = next((q for q in family if q.state == QuestionnaireState.DRAFT), None)
        if draft is not None:
            raise DraftExists(draft)
        copy = Questionnaire.objects.create(
            family=locked.family,
            version=family[0].version + 1,
            title=locked.title,
            description=locked.description,
            respondent_type=locked.respondent_type,
            state=QuestionnaireState.DRAFT,
            based_on=locked,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        _copy_content(locked, copy)
        _record(copy, "", by)
    return copy


def _copy_content(source: Questionnaire, copy: Questionnaire) -> None:
    sections = list(source.sections.order_by("position", "pk"))
    new_sections = Section.objects.bulk_create(
        Section(questionnaire=copy, title=s.title, description=s.description, position=s.position)
        for s in sections
    )
    section_map = {old.pk: new.pk for old, new in zip(sections, new_sections, strict=True)}
    questions = list(
        Question.objects.filter(questionnaire=source).order_by("section_id", "position", "pk")
    )
    copied = []
    for q in questions:
        twin = Question(questionnaire=copy, section_id=section_map[q.section_id])
        for name in QuestionValues.__dataclass_fields__:
            setattr(twin, name, getattr(q, name))
        twin.show_if_id = None  # set once the options are copied
        twin.position = q.position
        copied.append(twin)
    new_questions = Question.objects.bulk_create(copied)
    question_map = {old.pk: new.pk for old, new in zip(questions, new_questions, strict=True)}
    options = list(
        Option.objects.filter(question__questionnaire=source).order_by("question_id", "position")
    )
    new_options = Option.objects.bulk_create(
        Option(
            question_id=question_map[o.question_id], label=o.label, score=o.score,
            position=o.position,
        )
        for o in options
    )  # fmt: skip
    option_map = {old.pk: new.pk for old, new in zip(options, new_options, strict=True)}
    conditional = []
    for old, new in zip(questions, new_questions, strict=True):
        if old.show_if_id is not None and old.show_if_id in option_map:
            new.show_if_id = option_map[old.show_if_id]
            conditional.append(new)
    if conditional:
        Question.objects.bulk_update(conditional, ["show_if"])
