"""Indices of groups under the anonymity threshold: a group smaller than the minimum shows
nothing (not even its size in the values), a dimension answered by fewer than the minimum is
left out of a visible group, the spread and the change between rounds."""

from __future__ import annotations

from assessments.indices import change, group_index, group_indices
from assessments.scoring import OVERALL


def test_a_group_under_the_minimum_is_hidden_with_no_values():
    group = group_index([{OVERALL: 80.0}] * 4, minimum=5)
    assert group.hidden and group.values == {} and group.sd is None


def test_means_per_dimension_and_a_dimension_with_too_few_answers_left_out():
    rows = [{"t": 10.0 * n, OVERALL: 10.0 * n} for n in range(1, 6)]
    rows[0]["c"] = 100.0  # only one respondent has "c"
    group = group_index(rows, minimum=5)
    assert not group.hidden
    assert group.values == {"t": 30.0, OVERALL: 30.0}
    assert (group.q1, group.median, group.q3) == (20.0, 30.0, 40.0)
    assert group.sd == 15.8


def test_grouping_and_the_change_between_rounds():
    now = group_indices([("a", {OVERALL: 60.0}), ("a", {OVERALL: 70.0}), ("b", {OVERALL: 1.0})], 2)
    before = group_indices([("a", {OVERALL: 50.0}), ("a", {OVERALL: 50.0})], 2)
    assert now["a"].overall == 65.0 and now["b"].hidden
    assert change(now["a"], before["a"]) == 15.0
    assert change(now["b"], before["a"]) is None  # hidden now
    assert change(now["a"], None) is None
