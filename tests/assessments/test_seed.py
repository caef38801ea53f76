"""The seeded dimensions and questionnaires (data/assessments/questionnaires.json): the real
file loads as promised, every scored question can reach both ends of the scale, a repeated
load changes nothing, and a damaged file is refused whole, with the place of each problem."""

import copy
import json

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from assessments.builder import publish_problems
from assessments.enums import CHOICE_TYPES, QuestionnaireState, QuestionType, RespondentType
from assessments.models import Dimension, Option, Question, Questionnaire, Section
from assessments.scoring import OVERALL, score, shown_questions
from assessments.seed import SeedError, default_path, load_questionnaires
from assessments.selectors import questions_of, structure_of
from tests.factories.assessments import QuestionnaireFactory

pytestmark = pytest.mark.django_db

FAMILIES = {
    "administration-capacity": RespondentType.ADMINISTRATION,
    "council-practices": RespondentType.COUNCIL,
    "organisation-capacity": RespondentType.ORGANISATION,
}
DIMENSIONS = [
    "transparency",
    "consultation-practice",
    "partnership-funding",
    "internal-capacity",
    "feedback-accountability",
    "networking",
]
# Source document 004: the three topics of its trainings.
TRAINING_TOPICS = {
    "Партньорства и работа в мрежа",
    "Застъпнически кампании. Техники за водене на преговори и диалог",
    "Разработване на политики и мониторинг върху дейността на администрацията",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    # structure_of caches by primary key, and a rolled-back test hands its keys to the next.
    cache.clear()
    yield
    cache.clear()


def seed_data():
    return json.loads(default_path().read_text(encoding="utf-8"))


def counts():
    return tuple(m.objects.count() for m in (Dimension, Questionnaire, Section, Question, Option))


def test_the_real_file_loads():
    result = load_questionnaires()
    assert sorted(result.dimensions_created) == sorted(DIMENSIONS)
    assert set(result.questionnaires_created) == set(FAMILIES)
    assert list(Dimension.objects.values_list("slug", flat=True)) == DIMENSIONS
    assert all(d.name_bg and d.name_en and d.description_bg for d in Dimension.objects.all())

    types = set()
    for questionnaire in Questionnaire.objects.all():
        assert questionnaire.respondent_type == FAMILIES[questionnaire.family]
        assert questionnaire.version == 1
        assert questionnaire.state == QuestionnaireState.PUBLISHED
        assert questionnaire.published_at is not None and questionnaire.created_by is None
        assert 4 <= questionnaire.sections.count() <= 6
        questions = list(
            Question.objects.filter(questionnaire=questionnaire)
            .select_related("show_if__question")
            .prefetch_related("options")
            .order_by("section__position", "position")
        )
        assert 20 <= len(questions) <= 28
        assert result.questionnaires_created[questionnaire.family] == len(questions)
        types |= {q.type for q in questions}
        order = {q.pk: n for n, q in enumerate(questions)}
        conditional = [q for q in questions if q.show_if_id]
        assert conditional, questionnaire.family
        for q in conditional:
            parent = q.show_if.question
            assert parent.questionnaire_id == questionnaire.pk
            assert order[parent.pk] < order[q.pk], q.code  # the condition comes earlier
            assert parent.type in CHOICE_TYPES
        for q in questions:
            labels = [o.label for o in q.options.all()]
            if q.type == QuestionType.YES_NO:
                assert labels == ["Да", "Не"], q.code
            if q.type in (QuestionType.SCALE, QuestionType.MATRIX):
                assert q.low_label and q.high_label, q.code
            if q.type == QuestionType.MATRIX:
                assert all(o.score is None for o in q.options.all())
            for o in q.options.all():
                if o.label.startswith(("Не знам", "Не мога да преценя")):
                    assert o.score is None
        # Unscored context questions too (the number of employees, the year founded, ...).
        assert any(q.dimension_id is None for q in questions)
        scored = {q.dimension.slug for q in questions if q.dimension_id}
        if questionnaire.respondent_type == RespondentType.ORGANISATION:
            assert scored == set(DIMENSIONS)
        else:
            assert scored >= set(DIMENSIONS) - {"networking"}
    assert types == set(QuestionType.values)


def test_the_builder_would_publish_them_as_they_are():
    """The seeded questionnaires keep the rules of the builder's questions."""
    load_questionnaires()
    for questionnaire in Questionnaire.objects.all():
        sections = list(questionnaire.sections.all())
        assert publish_problems(sections, questions_of(questionnaire)) == []


def test_the_organisations_are_asked_about_their_training_needs():
    load_questionnaires()
    needs = Question.objects.filter(training_need=True).select_related("questionnaire")
    assert [q.questionnaire.family for q in needs] == ["organisation-capacity"]
    need = needs.get()
    assert need.dimension_id is None
    assert need.type in (QuestionType.MULTIPLE, QuestionType.MATRIX)
    topics = set(need.options.values_list("label", flat=True))
    assert topics >= TRAINING_TOPICS and 5 <= len(topics) <= 6
    assert not need.options.exclude(score=None).exists()


def _ends(structure):
    """The best and the worst answers to every question of a questionnaire."""
    best, worst = {}, {}
    for spec in structure.questions:
        scores = {o: s for o, s in spec.options.items() if s is not None}
        if spec.type in (QuestionType.SINGLE, QuestionType.YES_NO) and scores:
            best[spec.key] = max(scores, key=scores.get)
            worst[spec.key] = min(scores, key=scores.get)
        elif spec.type == QuestionType.MULTIPLE and scores:
            best[spec.key] = [o for o, s in scores.items() if s > 0]
            worst[spec.key] = [o for o, s in scores.items() if s == 0][:1]
        elif spec.type == QuestionType.SCALE:
            best[spec.key], worst[spec.key] = 5, 1
        elif spec.type == QuestionType.MATRIX:
            best[spec.key] = {str(row): 5 for row in spec.options}
            worst[spec.key] = {str(row): 1 for row in spec.options}
    return best, worst


def test_every_scored_question_reaches_both_ends():
    load_questionnaires()
    for questionnaire in Questionnaire.objects.all():
        structure = structure_of(questionnaire)
        dimensions = {q.dimension for q in structure.questions if q.dimension}
        best, worst = _ends(structure)
        high, low = score(structure, best), score(structure, worst)
        assert high == dict.fromkeys([*dimensions, OVERALL], 100.0), questionnaire.family
        assert low == dict.fromkeys([*dimensions, OVERALL], 0.0), questionnaire.family
        # The best answers open every conditional question, so those reach 100 too.
        assert shown_questions(structure, best) == {q.id for q in structure.questions}
        for spec in structure.questions:
            if spec.dimension:
                assert 0 in _question_ends(spec) and 100 in _question_ends(spec), spec.code


def _question_ends(spec):
    if spec.type in (QuestionType.SCALE, QuestionType.MATRIX):
        return {0, 100}
    scores = [s for s in spec.options.values() if s is not None]
    if spec.type == QuestionType.MULTIPLE:
        return {min(scores), min(100, sum(s for s in scores if s > 0))}
    return {min(scores), max(scores)}


def test_loading_twice_changes_nothing(django_assert_max_num_queries):
    load_questionnaires()
    before = counts()
    names = list(Dimension.objects.values_list("slug", "name_bg", "weight", "position"))
    with django_assert_max_num_queries(3):
        again = load_questionnaires()
    assert again.skipped and not again.questionnaires_created
    assert sorted(again.questionnaires_kept) == sorted(FAMILIES)
    # Forced, the file is applied again, and there is still nothing to change.
    forced = load_questionnaires(force=True)
    assert not forced.skipped
    assert forced.dimensions_created == forced.dimensions_updated == []
    assert forced.questionnaires_created == {}
    assert counts() == before
    assert names == list(Dimension.objects.values_list("slug", "name_bg", "weight", "position"))


def test_an_existing_family_is_never_touched(tmp_path):
    used = QuestionnaireFactory(
        family="council-practices", title="Въпросник в употреба", published=True, version=3
    )
    result = load_questionnaires()
    assert result.questionnaires_kept == ["council-practices"]
    assert set(result.questionnaires_created) == set(FAMILIES) - {"council-practices"}
    assert Questionnaire.objects.filter(family="council-practices").get() == used
    used.refresh_from_db()
    assert used.title == "Въпросник в употреба" and not used.questions.exists()


def test_a_changed_file_updates_the_dimensions_only(tmp_path):
    load_questionnaires()
    before = counts()
    data = seed_data()
    data["dimensions"][0]["name_bg"] = "Прозрачност, информиране и откритост"
    data["questionnaires"][0]["title"] = "Друго заглавие"  # a family in use: not applied
    path = tmp_path / "questionnaires.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = load_questionnaires(path)
    assert result.dimensions_updated == ["transparency"]
    assert Dimension.objects.get(slug="transparency").name_bg.endswith("откритост")
    assert not Questionnaire.objects.filter(title="Друго заглавие").exists()
    assert counts() == before


def test_the_command_reports_what_it_did(capsys):
    call_command("load_assessment_questionnaires")
    out = capsys.readouterr().out
    assert "6 created" in out and "organisation-capacity (24 questions)" in out
    call_command("load_assessment_questionnaires")
    assert "unchanged since the last load: skipped" in capsys.readouterr().out


# --- Damaged files -------------------------------------------------------------------------------


def _question(data, code):
    for questionnaire in data["questionnaires"]:
        for section in questionnaire["sections"]:
            for question in section["questions"]:
                if question["code"] == code:
                    return question
    raise KeyError(code)


def _unknown_type(d):
    _question(d, "A5")["type"] = "slider"


def _unknown_dimension(d):
    _question(d, "A7")["dimension"] = "consultation"


def _later_condition(d):
    _question(d, "A11")["show_if"] = {"question": "A18", "option": 0}


def _unknown_condition(d):
    _question(d, "A11")["show_if"] = {"question": "Z9", "option": 0}


def _missing_option(d):
    _question(d, "A11")["show_if"] = {"question": "A10", "option": 2}


def _condition_on_text(d):
    _question(d, "C10")["show_if"] = {"question": "C2", "option": 0}


def _yes_no_three(d):
    _question(d, "B3")["options"].append({"label": "Не знам", "score": None})


def _yes_no_order(d):
    _question(d, "B6")["options"].reverse()


def _no_options(d):
    _question(d, "C12")["options"] = []


def _duplicate_code(d):
    _question(d, "A4")["code"] = "A3"


def _scored_text(d):
    _question(d, "A26")["dimension"] = "feedback-accountability"


def _score_out_of_range(d):
    _question(d, "B4")["options"][0]["score"] = 150


def _matrix_without_labels(d):
    _question(d, "C18")["high_label"] = ""


def _training_matrix(d):
    _question(d, "C18")["training_need"] = True


def _typo(d):
    _question(d, "C7")["helptext"] = "…"


def _duplicate_family(d):
    d["questionnaires"][2]["family"] = "council-practices"


def _unknown_respondent(d):
    d["questionnaires"][1]["respondent_type"] = "mayor"


def _duplicate_dimension(d):
    d["dimensions"][5]["slug"] = "transparency"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_unknown_type, "questionnaire 'administration-capacity', question A5: unknown type"),
        (_unknown_dimension, "question A7: unknown dimension 'consultation'"),
        (_later_condition, "question A11: show_if names 'A18', which is not an earlier"),
        (_unknown_condition, "question A11: show_if names 'Z9', which is not an earlier"),
        (_missing_option, "question A11: show_if names option 2 of A10, which has 2"),
        (_condition_on_text, "question C10: show_if names C2, a number question"),
        (_yes_no_three, "'council-practices', question B3: a yes_no question has exactly two"),
        (_yes_no_order, "question B6: a yes_no question has exactly two options"),
        (_no_options, "'organisation-capacity', question C12: a multiple question needs at least"),
        (_duplicate_code, "question A3: the code is used twice in the questionnaire"),
        (_scored_text, "question A26: a long_text question is never scored"),
        (_score_out_of_range, "question B4, option 1: 'score' must be a whole number 0–100"),
        (_matrix_without_labels, "question C18: a matrix question needs low_label and high"),
        (_typo, "question C7: unknown key 'helptext'"),
        (_training_matrix, "question C18: a training-needs question is a choice question"),
        (_duplicate_family, "questionnaire 'council-practices': the family is used twice"),
        (_unknown_respondent, "'council-practices': unknown respondent_type 'mayor'"),
        (_duplicate_dimension, "dimension 'transparency': the slug is used twice"),
    ],
)
def test_a_damaged_file_is_refused_whole(tmp_path, damage, expected):
    data = copy.deepcopy(seed_data())
    damage(data)
    path = tmp_path / "questionnaires.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_questionnaires(path)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert counts() == (0, 0, 0, 0, 0)  # nothing written, not even the dimensions


def test_every_problem_is_reported_at_once(tmp_path):
    data = seed_data()
    _unknown_type(data)
    _duplicate_code(data)
    _yes_no_order(data)
    path = tmp_path / "questionnaires.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_assessment_questionnaires", path=str(path))
    message = str(caught.value)
    assert "3 problem(s), nothing loaded" in message
    assert "question A5" in message and "question A3" in message and "question B6" in message


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "questionnaires.json"
    path.write_text('{"dimensions": [\n  {"slug": "x",}\n]}', encoding="utf-8")
    with pytest.raises(SeedError, match="line 2, column"):
        load_questionnaires(path)
    with pytest.raises(SeedError, match="cannot be read"):
        load_questionnaires(tmp_path / "missing.json")
