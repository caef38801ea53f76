"""The questionnaire builder's writes (assessments/builder.py): the details with their
optimistic lock, sections and questions with their rules and order, publishing, new versions
(deep copies with the conditions remapped) and archiving; nothing changes once a
questionnaire is ready for use, and nothing is half-written when a rule refuses."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _

from assessments import builder
from assessments.builder import OptionRow, QuestionValues
from assessments.enums import QuestionnaireState, QuestionType, RespondentType
from assessments.models import Option, Question, Questionnaire, Section
from assessments.selectors import questions_of, structure_of
from tests.factories.accounts import UserFactory
from tests.factories.assessments import (
    DimensionFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

T = QuestionType


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def values(**changes) -> QuestionValues:
    base = {"code": "A1", "text": "Публикува ли общината проектите?", "type": T.SINGLE}
    base.update(changes)
    return QuestionValues(**base)


def rows(*pairs) -> list[OptionRow]:
    return [OptionRow(None, label, score) for label, score in pairs]


def draft_with_section():
    questionnaire = QuestionnaireFactory()
    section = SectionFactory(questionnaire=questionnaire, position=0)
    return questionnaire, section


def add(questionnaire, section, **changes) -> Question:
    options = changes.pop("options", [("Да", 100), ("Не", 0)])
    changes.setdefault("dimension_id", DimensionFactory().pk)
    return builder.save_question(questionnaire, values(**changes), rows(*options), section=section)


# --- the questionnaire -------------------------------------------------------------------------


def test_a_new_questionnaire_is_a_draft_of_a_new_family_named_by_transliteration():
    person = UserFactory()
    details = builder.Details("Оценка на капацитета", "Текст", RespondentType.COUNCIL)
    first = builder.create_questionnaire(details, by=person)
    assert first.family == "otsenka-na-kapatsiteta"
    assert (first.version, first.state, first.created_by) == (1, QuestionnaireState.DRAFT, person)
    second = builder.create_questionnaire(details, by=person)
    assert second.family == "otsenka-na-kapatsiteta-2"
    assert builder.family_base("!!!") == "questionnaire"
    assert len(builder.family_base("Щ" * 200)) <= 60


def test_details_saved_with_the_revision_seen_and_a_stale_form_refused():
    questionnaire = QuestionnaireFactory(title="Старо", description="", revision=3)
    saved, changed = builder.update_details(
        questionnaire, builder.Details("Ново", "Описание", RespondentType.COUNCIL), revision=3
    )
    assert changed and saved.revision == 4
    assert (fresh(questionnaire).title, fresh(questionnaire).respondent_type) == (
        "Ново",
        RespondentType.COUNCIL,
    )
    # The same values again: nothing to save, even from an old page.
    _same, changed = builder.update_details(
        questionnaire, builder.Details("Ново", "Описание", RespondentType.COUNCIL), revision=1
    )
    assert not changed and fresh(questionnaire).revision == 4
    with pytest.raises(builder.Stale) as caught:
        builder.update_details(
            questionnaire, builder.Details("Трето", "", RespondentType.COUNCIL), revision=3
        )
    assert caught.value.current.title == "Ново"
    assert fresh(questionnaire).title == "Ново"


# --- sections ----------------------------------------------------------------------------------


def test_sections_added_at_the_end_changed_moved_and_each_write_bumps_the_revision():
    questionnaire = QuestionnaireFactory()
    revision = questionnaire.revision
    first = builder.add_section(questionnaire, "Информиране")
    second = builder.add_section(questionnaire, "Консултации", "Увод")
    assert (first.position, second.position) == (0, 1)
    assert fresh(questionnaire).revision == revision + 2
    builder.change_section(second, "Консултиране", "Нов увод")
    assert (fresh(second).title, fresh(second).description) == ("Консултиране", "Нов увод")
    assert builder.move_section(second, up=True)
    assert list(questionnaire.sections.values_list("title", flat=True)) == [
        "Консултиране",
        "Информиране",
    ]
    assert not builder.move_section(second, up=True)  # already first
    assert fresh(questionnaire).revision == revision + 4


def test_a_section_is_deleted_with_its_questions_unless_others_depend_on_them():
    questionnaire, first = draft_with_section()
    second = builder.add_section(questionnaire, "Втори")
    parent = add(questionnaire, first, code="A1", type=T.YES_NO)
    child = add(questionnaire, second, code="B1", show_if_id=parent.options.first().pk)
    with pytest.raises(builder.BuilderError, match="B1"):
        builder.delete_section(first)
    assert Section.objects.filter(pk=first.pk).exists()
    assert builder.delete_section(second) == 1
    assert not Question.objects.filter(pk=child.pk).exists()
    assert builder.delete_section(first) == 1
    assert not Option.objects.filter(question__questionnaire=questionnaire).exists()


def test_a_section_cannot_move_above_the_question_its_questions_depend_on():
    questionnaire, first = draft_with_section()
    second = builder.add_section(questionnaire, "Втори")
    parent = add(questionnaire, first, code="A1", type=T.YES_NO)
    add(questionnaire, second, code="B1", show_if_id=parent.options.first().pk)
    with pytest.raises(builder.BuilderError, match="B1"):
        builder.move_section(second, up=True)
    assert list(questionnaire.sections.values_list("pk", flat=True)) == [first.pk, second.pk]


# --- questions ---------------------------------------------------------------------------------


def test_a_question_is_added_at_the_end_of_its_section_with_its_options_in_order():
    questionnaire, section = draft_with_section()
    revision = questionnaire.revision
    first = add(questionnaire, section, code="A1", options=[("Да", 100), ("Не", 0)])
    second = add(
        questionnaire, section, code="A2", type=T.MULTIPLE,
        options=[("Сайт", 40), ("Табло", 30), ("Не знам", None)],
    )  # fmt: skip
    assert (first.position, second.position) == (0, 1)
    assert [(o.label, o.score, o.position) for o in second.options.all()] == [
        ("Сайт", 40, 0),
        ("Табло", 30, 1),
        ("Не знам", None, 2),
    ]
    assert fresh(questionnaire).revision == revision + 2


def test_a_yes_no_question_saved_without_options_gets_da_and_ne():
    questionnaire, section = draft_with_section()
    question = add(questionnaire, section, type=T.YES_NO, options=[])
    assert [(o.label, o.score) for o in question.options.all()] == [("Да", 100), ("Не", 0)]


def test_what_does_not_apply_to_the_type_is_not_kept():
    questionnaire, section = draft_with_section()
    question = add(
        questionnaire, section, type=T.SCALE, options=[], min_value=1, max_value=3,
        low_label="никак", high_label="напълно",
    )  # fmt: skip
    question = fresh(question)
    assert (question.min_value, question.max_value) == (None, None)
    assert (question.low_label, question.high_label) == ("никак", "напълно")
    number = add(
        questionnaire, section, code="N1", type=T.NUMBER, options=[], dimension_id=None,
        min_value=0, max_value=500, low_label="x",
    )  # fmt: skip
    assert (fresh(number).min_value, fresh(number).max_value, fresh(number).low_label) == (
        0,
        500,
        "",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": T.SINGLE, "options": [("Само един", 100)]}, builder.OPTIONS),
        ({"type": T.MULTIPLE, "options": []}, builder.OPTIONS),
        ({"type": T.YES_NO, "options": [("Да", 100), ("Не", 0), ("Може", 50)]}, builder.OPTIONS),
        ({"type": T.MATRIX, "options": [("Ред", None)]}, builder.OPTIONS),
        ({"type": T.MATRIX, "options": [("Ред", 10), ("Друг", None)]}, builder.OPTIONS),
        ({"type": T.SHORT_TEXT, "dimension_id": None}, builder.OPTIONS),
        ({"type": T.LONG_TEXT, "options": []}, "dimension"),
        (
            {"type": T.NUMBER, "options": [], "dimension_id": None, "min_value": 9, "max_value": 1},
            "max_value",
        ),
        ({"options": [("Да", None), ("Не", None)]}, "dimension"),
        ({"dimension_id": None}, "dimension"),
        ({"weight": Decimal(0)}, "weight"),
        ({"type": T.SCALE, "options": [], "training_need": True}, "training_need"),
        ({"show_if_id": 10**9}, "show_if"),
    ],
)
def test_the_rules_of_a_question_refuse_and_write_nothing(changes, field):
    questionnaire, section = draft_with_section()
    revision = fresh(questionnaire).revision
    with pytest.raises(builder.Invalid) as caught:
        add(questionnaire, section, **changes)
    assert field in [name for name, _message in caught.value.errors]
    assert not Question.objects.filter(questionnaire=questionnaire).exists()
    assert fresh(questionnaire).revision == revision


def test_codes_are_unique_in_the_questionnaire_whatever_the_case():
    questionnaire, section = draft_with_section()
    add(questionnaire, section, code="A1")
    with pytest.raises(builder.Invalid) as caught:
        add(questionnaire, section, code=" a1 ")
    assert [name for name, _m in caught.value.errors] == ["code"]
    # Another questionnaire may use it.
    other, other_section = draft_with_section()
    add(other, other_section, code="A1")


def test_a_condition_is_an_answer_to_an_earlier_choice_question_only():
    questionnaire, section = draft_with_section()
    scale = add(questionnaire, section, code="A1", type=T.SCALE, options=[])
    parent = add(questionnaire, section, code="A2", type=T.YES_NO)
    later = add(questionnaire, section, code="A3")
    yes = parent.options.first()
    child = add(questionnaire, section, code="A4", show_if_id=yes.pk)
    assert fresh(child).show_if_id == yes.pk
    context = builder.context_for(questionnaire, question=later)
    assert [q.code for q, _options in context.earlier] == ["A2"]
    assert scale.pk not in {q.pk for q, _o in context.earlier}
    # The first question cannot depend on a later one.
    first_context = builder.context_for(questionnaire, question=scale)
    assert first_context.earlier == []
    with pytest.raises(builder.Invalid) as caught:
        builder.save_question(
            questionnaire,
            replace(QuestionValues.of(fresh(parent)), show_if_id=later.options.first().pk),
            [OptionRow(o.pk, o.label, o.score) for o in parent.options.all()],
            question=parent,
        )
    assert [name for name, _m in caught.value.errors] == ["show_if"]


def test_editing_changes_keeps_reorders_adds_and_deletes_options():
    questionnaire, section = draft_with_section()
    question = add(
        questionnaire, section, type=T.MULTIPLE,
        options=[("Сайт", 40), ("Табло", 30), ("Вестник", 30)],
    )  # fmt: skip
    site, board, paper = question.options.all()
    context = builder.context_for(questionnaire, question=question)
    builder.save_question(
        questionnaire,
        values(type=T.MULTIPLE, text="Къде?", dimension_id=question.dimension_id),
        [
            OptionRow(board.pk, "Табло", 20),
            OptionRow(site.pk, "Интернет страница", 40),
            OptionRow(None, "Социални мрежи", 40),
        ],
        question=question,
        seen=context.fingerprint,
    )
    assert fresh(question).text == "Къде?"
    assert [(o.pk, o.label, o.score) for o in fresh(question).options.all()] == [
        (board.pk, "Табло", 20),
        (site.pk, "Интернет страница", 40),
        (fresh(question).options.last().pk, "Социални мрежи", 40),
    ]
    assert not Option.objects.filter(pk=paper.pk).exists()


def test_a_question_changed_since_the_form_was_loaded_is_stale():
    questionnaire, section = draft_with_section()
    question = add(questionnaire, section)
    seen = builder.context_for(questionnaire, question=question).fingerprint
    options = [OptionRow(o.pk, o.label, o.score) for o in question.options.all()]
    builder.save_question(
        questionnaire, values(text="Първа промяна", dimension_id=question.dimension_id),
        options, question=question, seen=seen,
    )  # fmt: skip
    with pytest.raises(builder.Stale):
        builder.save_question(
            questionnaire, values(text="Втора промяна", dimension_id=question.dimension_id),
            options, question=question, seen=seen,
        )  # fmt: skip
    assert fresh(question).text == "Първа промяна"
    # Another question's change does not make this form stale.
    seen = builder.context_for(questionnaire, question=question).fingerprint
    add(questionnaire, section, code="A9")
    builder.save_question(
        questionnaire, values(text="Трета промяна", dimension_id=question.dimension_id),
        options, question=question, seen=seen,
    )  # fmt: skip
    assert fresh(question).text == "Трета промяна"


def test_options_and_types_that_conditions_rely_on_stay():
    questionnaire, section = draft_with_section()
    parent = add(questionnaire, section, code="A1", type=T.YES_NO)
    yes, no = parent.options.all()
    add(questionnaire, section, code="A2", show_if_id=yes.pk)
    dimension = parent.dimension_id
    with pytest.raises(builder.Invalid) as caught:
        builder.save_question(
            questionnaire, values(type=T.YES_NO, dimension_id=dimension),
            [OptionRow(no.pk, "Не", 0), OptionRow(None, "Друго", 50)], question=parent,
        )  # fmt: skip
    assert any("A2" in message for _f, message in caught.value.errors)
    with pytest.raises(builder.Invalid) as caught:
        builder.save_question(questionnaire, values(type=T.SHORT_TEXT), [], question=parent)
    assert "type" in [name for name, _m in caught.value.errors]
    assert [o.pk for o in fresh(parent).options.all()] == [yes.pk, no.pk]


def test_options_of_another_question_are_refused():
    questionnaire, section = draft_with_section()
    first = add(questionnaire, section, code="A1")
    second = add(questionnaire, section, code="A2")
    stolen = first.options.first()
    with pytest.raises(builder.Invalid):
        builder.save_question(
            questionnaire, values(code="A2", dimension_id=second.dimension_id),
            [OptionRow(stolen.pk, "x", 1), OptionRow(None, "y", 2)], question=second,
        )  # fmt: skip
    assert fresh(stolen).label == "Да"


def test_a_question_is_deleted_unless_another_is_shown_only_after_its_answer():
    questionnaire, section = draft_with_section()
    parent = add(questionnaire, section, code="A1", type=T.YES_NO)
    child = add(questionnaire, section, code="A2", show_if_id=parent.options.first().pk)
    with pytest.raises(builder.BuilderError, match="A2"):
        builder.delete_question(parent)
    builder.delete_question(child)
    builder.delete_question(parent)
    assert not Question.objects.filter(questionnaire=questionnaire).exists()


def test_questions_move_within_their_section_but_never_above_their_condition():
    questionnaire, section = draft_with_section()
    parent = add(questionnaire, section, code="A1", type=T.YES_NO)
    other = add(questionnaire, section, code="A2")
    child = add(questionnaire, section, code="A3", show_if_id=parent.options.first().pk)
    assert builder.move_question(child, up=True)
    codes = list(Question.objects.filter(section=section).order_by("position").values_list(
        "code", flat=True))  # fmt: skip
    assert codes == ["A1", "A3", "A2"]
    with pytest.raises(builder.BuilderError, match="A3"):
        builder.move_question(child, up=True)
    with pytest.raises(builder.BuilderError):
        builder.move_question(parent, up=False)
    assert not builder.move_question(parent, up=True)  # already first
    assert builder.move_question(other, up=True)


def test_a_change_refreshes_the_cached_scoring_structure():
    questionnaire, section = draft_with_section()
    add(questionnaire, section, code="A1")
    before = structure_of(fresh(questionnaire))
    add(questionnaire, section, code="A2")
    after = structure_of(fresh(questionnaire))
    assert [q.code for q in before.questions] == ["A1"]
    assert [q.code for q in after.questions] == ["A1", "A2"]


# --- publishing, versions, archive ---------------------------------------------------------------


def test_publishing_is_refused_with_the_reasons():
    questionnaire = QuestionnaireFactory()
    with pytest.raises(builder.BuilderError) as caught:
        builder.publish(questionnaire)
    assert _("It has no questions yet.") in str(caught.value)
    section = builder.add_section(questionnaire, "Информиране")
    builder.add_section(questionnaire, "Празен раздел")
    add(questionnaire, section)
    with pytest.raises(builder.BuilderError, match="Празен раздел"):
        builder.publish(questionnaire)
    assert fresh(questionnaire).state == QuestionnaireState.DRAFT


def test_publish_problems_name_each_broken_question():
    questionnaire, section = draft_with_section()
    # Made directly, past the rules: as an import or the admin might have left them.
    QuestionFactory(section=section, code="X1", type=T.SINGLE, options=[("Само", 10)])
    QuestionFactory(section=section, code="X2", type=T.SHORT_TEXT, dimension=DimensionFactory())
    problems = builder.publish_problems(list(questionnaire.sections.all()),
                                        questions_of(questionnaire))  # fmt: skip
    assert any(p.startswith("X1: ") for p in problems)
    assert any(p.startswith("X2: ") for p in problems)


def test_published_it_no_longer_changes():
    questionnaire, section = draft_with_section()
    question = add(questionnaire, section)
    published = builder.publish(questionnaire, by=UserFactory())
    assert published.state == QuestionnaireState.PUBLISHED and published.published_at
    attempts = [
        lambda: builder.add_section(questionnaire, "Нов"),
        lambda: builder.change_section(section, "Ново име"),
        lambda: builder.delete_section(section),
        lambda: builder.move_section(section, up=False),
        lambda: add(questionnaire, section, code="B1"),
        lambda: builder.delete_question(question),
        lambda: builder.move_question(question, up=False),
        lambda: builder.update_details(
            questionnaire, builder.Details("Друго", "", RespondentType.COUNCIL), 99
        ),
        lambda: builder.publish(questionnaire),
    ]
    for attempt in attempts:
        with pytest.raises(builder.NotEditable):
            attempt()
    assert fresh(section).title == section.title
    assert Question.objects.filter(questionnaire=questionnaire).count() == 1


def test_a_new_version_is_a_deep_copy_with_the_conditions_remapped():
    questionnaire, first = draft_with_section()
    second = builder.add_section(questionnaire, "Втори", "Увод")
    parent = add(questionnaire, first, code="A1", type=T.YES_NO)
    add(questionnaire, first, code="A2", type=T.SCALE, options=[], low_label="никак")
    add(questionnaire, second, code="B1", show_if_id=parent.options.last().pk)
    add(questionnaire, second, code="B2", type=T.MATRIX, options=[("Ред 1", None),
                                                                  ("Ред 2", None)])  # fmt: skip
    builder.publish(questionnaire)
    original = {
        "sections": list(Section.objects.filter(questionnaire=questionnaire).values()),
        "questions": list(Question.objects.filter(questionnaire=questionnaire).values()),
        "options": list(Option.objects.filter(question__questionnaire=questionnaire).values()),
    }
    person = UserFactory()
    copy = builder.new_version(fresh(questionnaire), by=person)
    assert (copy.family, copy.version, copy.state) == (
        questionnaire.family,
        2,
        QuestionnaireState.DRAFT,
    )
    assert (copy.based_on, copy.created_by, copy.title) == (
        questionnaire,
        person,
        questionnaire.title,
    )
    sections = list(copy.sections.all())
    assert [(s.title, s.description) for s in sections] == [(first.title, ""), ("Втори", "Увод")]
    questions = list(
        Question.objects.filter(questionnaire=copy).order_by("section__position", "position")
    )
    assert [q.code for q in questions] == ["A1", "A2", "B1", "B2"]
    assert {q.section_id for q in questions} <= {s.pk for s in sections}
    b1 = questions[2]
    assert b1.show_if.question == questions[0]
    assert b1.show_if.label == "Не"
    assert questions[1].low_label == "никак"
    assert [o.label for o in questions[3].options.all()] == ["Ред 1", "Ред 2"]
    # The original is untouched.
    assert original == {
        "sections": list(Section.objects.filter(questionnaire=questionnaire).values()),
        "questions": list(Question.objects.filter(questionnaire=questionnaire).values()),
        "options": list(Option.objects.filter(question__questionnaire=questionnaire).values()),
    }
    # The copy can be changed and published as it is.
    builder.publish(copy)


def test_one_draft_per_family_and_versions_only_of_a_questionnaire_in_use():
    draft = QuestionnaireFactory()
    with pytest.raises(builder.BuilderError):
        builder.new_version(draft)
    published = QuestionnaireFactory(published=True, family="obshtina", version=1)
    archived = QuestionnaireFactory(archived=True, family="obshtina", version=3)
    copy = builder.new_version(published)
    assert copy.version == 4  # after the highest, whichever is copied
    with pytest.raises(builder.DraftExists) as caught:
        builder.new_version(archived)
    assert caught.value.draft == copy
    assert Questionnaire.objects.filter(family="obshtina").count() == 3


def test_archive_only_a_questionnaire_in_use():
    published = QuestionnaireFactory(published=True)
    assert builder.archive(published).state == QuestionnaireState.ARCHIVED
    with pytest.raises(builder.BuilderError):
        builder.archive(published)
    with pytest.raises(builder.BuilderError):
        builder.archive(QuestionnaireFactory())


def test_every_change_of_state_is_in_the_history_with_who_made_it():
    author, publisher, archivist = UserFactory(), UserFactory(), UserFactory()
    made = builder.create_questionnaire(
        builder.Details("Оценка на съвета", "", RespondentType.COUNCIL), by=author
    )
    section = builder.add_section(made, "Първи")
    add(made, section)
    builder.publish(made, by=publisher)
    with pytest.raises(builder.BuilderError):
        builder.archive(QuestionnaireFactory(), by=archivist)  # a draft: refused, no row
    builder.archive(made, by=archivist)
    copy = builder.new_version(fresh(made), by=author)
    history = [(c.from_state, c.to_state, c.by) for c in made.changes.order_by("at", "pk")]
    assert history == [
        ("", QuestionnaireState.DRAFT, author),
        (QuestionnaireState.DRAFT, QuestionnaireState.PUBLISHED, publisher),
        (QuestionnaireState.PUBLISHED, QuestionnaireState.ARCHIVED, archivist),
    ]
    assert [(c.to_state, c.by) for c in copy.changes.all()] == [(QuestionnaireState.DRAFT, author)]
    assert made.changes.last().to_label == str(QuestionnaireState.ARCHIVED.label)
