"""The formula of the methodology page, against hand-computed cases: option scores, several
choices capped at 100, scales and matrices, weights, missing answers, unscored options and
conditional questions; and that every index stays within 0–100 whatever the answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.enums import QuestionType as T
from assessments.scoring import OVERALL, QuestionSpec, Structure, question_score, score

# Two dimensions: "t" (weight 1) and "c" (weight 3).
SINGLE = QuestionSpec(1, "A1", T.SINGLE, dimension="t", options={11: 100, 12: 40, 13: None})
MULTI = QuestionSpec(2, "A2", T.MULTIPLE, dimension="t", weight=2, options={21: 60, 22: 60, 23: 0})
SCALE = QuestionSpec(3, "A3", T.SCALE, dimension="c")
MATRIX = QuestionSpec(4, "A4", T.MATRIX, dimension="c", options={41: None, 42: None})
YES_NO = QuestionSpec(5, "A5", T.YES_NO, dimension="c", options={51: 100, 52: 0})
# Shown only after "yes" to A5.
FOLLOW = QuestionSpec(6, "A6", T.SCALE, dimension="c", show_if=(5, 51))
TEXT = QuestionSpec(7, "A7", T.LONG_TEXT)
STRUCTURE = Structure(
    (SINGLE, MULTI, SCALE, MATRIX, YES_NO, FOLLOW, TEXT), dimension_weights={"t": 1.0, "c": 3.0}
)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (SINGLE, 11, 100.0),
        (SINGLE, 12, 40.0),
        (SINGLE, 13, None),  # "I do not know": unscored
        (SINGLE, 99, None),  # not an option of the question
        (MULTI, [21], 60.0),
        (MULTI, [21, 22], 100.0),  # 120, capped
        (MULTI, [23], 0.0),
        (SCALE, 1, 0.0),
        (SCALE, 3, 50.0),
        (SCALE, 5, 100.0),
        (SCALE, 6, None),
        (MATRIX, {"41": 5, "42": 2}, 62.5),  # (100 + 25) / 2
        (MATRIX, {"41": 4, "99": 1}, 75.0),  # a row of another question is ignored
        (TEXT, "Нещо", None),
    ],
)
def test_question_scores(spec, value, expected):
    assert question_score(spec, value) == expected


def test_weighted_dimensions_and_overall_by_hand():
    answers = {"1": 12, "2": [21], "3": 4, "4": {"41": 5, "42": 3}, "5": 51, "6": 2, "7": "Т"}
    result = score(STRUCTURE, answers)
    # t: (1·40 + 2·60) / 3 = 53.33; c: (75 + 75 + 100 + 25) / 4 = 68.75
    assert result == {"t": 53.33, "c": 68.75, OVERALL: round((53.333333 + 3 * 68.75) / 4, 2)}


def test_missing_answers_count_in_neither_sum():
    assert score(STRUCTURE, {"1": 11, "3": 1}) == {"t": 100.0, "c": 0.0, OVERALL: 25.0}


def test_a_hidden_question_is_not_scored_even_if_answered():
    # A6 answered, but A5 was "no": A6 does not count.
    result = score(STRUCTURE, {"5": 52, "6": 5})
    assert result == {"c": 0.0, OVERALL: 0.0}
    assert score(STRUCTURE, {"5": 51, "6": 5}) == {"c": 100.0, OVERALL: 100.0}


def test_no_scored_answer_gives_no_index():
    assert score(STRUCTURE, {"1": 13, "7": "Само текст"}) == {}


answer_values = st.fixed_dictionaries(
    {},
    optional={
        "1": st.sampled_from([11, 12, 13, 99]),
        "2": st.lists(st.sampled_from([21, 22, 23]), unique=True),
        "3": st.integers(-2, 8),
        "4": st.dictionaries(st.sampled_from(["41", "42", "x"]), st.integers(0, 6)),
        "5": st.sampled_from([51, 52]),
        "6": st.integers(1, 5),
    },
)


@settings(deadline=None)
@given(answer_values)
def test_every_index_is_within_0_and_100(answers):
    for value in score(STRUCTURE, answers).values():
        assert 0 <= value <= 100
