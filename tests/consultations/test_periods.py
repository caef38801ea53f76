"""The legal minimum period of a consultation (ЗНА чл. 26; ЗПФ чл. 84) and the default last day."""

from __future__ import annotations

import datetime

import pytest

from consultations import periods
from consultations.enums import Kind

pytestmark = pytest.mark.django_db  # the legal calendar reads the declared days

D = datetime.date


@pytest.mark.parametrize(
    ("kind", "opens_on", "expected"),
    [
        # Monday 23.11.2026 + 30 days = Wednesday 23.12.2026, a working day.
        (Kind.ORDINANCE, D(2026, 11, 23), D(2026, 12, 23)),
        # Friday 20.11.2026 + 30 = Sunday 20.12.2026: moved to Monday 21.12.2026.
        (Kind.ORDINANCE, D(2026, 11, 20), D(2026, 12, 21)),
        # 24.11.2026 + 30 = 24.12.2026, Christmas Eve; 25, 26 (Saturday, observed on Monday 28)
        # and the weekend follow: Tuesday 29.12.2026.
        (Kind.STRATEGY, D(2026, 11, 24), D(2026, 12, 29)),
        # The budget: announced at least 7 days ahead (ЗПФ чл. 84, ал. 6).
        (Kind.BUDGET, D(2026, 11, 23), D(2026, 11, 30)),
        # Before 04.11.2016 the minimum was 14 days (old ЗНА чл. 26, ал. 2).
        (Kind.ORDINANCE, D(2015, 5, 4), D(2015, 5, 18)),
    ],
)
def test_default_last_day(kind: str, opens_on: datetime.date, expected: datetime.date) -> None:
    assert periods.default_last_day(kind, opens_on) == expected


def test_default_last_day_never_shortens_the_period() -> None:
    day = D(2026, 1, 1)
    for offset in range(60):
        opens_on = day + datetime.timedelta(days=offset)
        last = periods.default_last_day(Kind.ORDINANCE, opens_on)
        assert periods.period_days(opens_on, last) >= 30
        assert last.weekday() < 5


def test_thirty_days_keep_the_law() -> None:
    assert periods.problems(Kind.ORDINANCE, D(2026, 11, 23), D(2026, 12, 23), "") == {}


def test_shorter_period_needs_a_reason_with_the_legal_reference() -> None:
    found = periods.problems(Kind.ORDINANCE, D(2026, 11, 23), D(2026, 12, 13), "")
    assert list(found) == ["short_period_reason"]
    assert "20" in found["short_period_reason"]
    assert "ЗНА чл. 26, ал. 4" in found["short_period_reason"]
    reason = "Спешна промяна, наложена от изменение на закона."
    assert periods.problems(Kind.ORDINANCE, D(2026, 11, 23), D(2026, 12, 13), reason) == {}
    # Whitespace is not a reason.
    assert list(periods.problems(Kind.ORDINANCE, D(2026, 11, 23), D(2026, 12, 13), "  ")) == [
        "short_period_reason"
    ]


def test_under_fourteen_days_is_refused_even_with_a_reason() -> None:
    found = periods.problems(Kind.RULES, D(2026, 11, 23), D(2026, 12, 6), "Спешно.")
    assert list(found) == ["closes_on"]
    assert "13" in found["closes_on"] and "14" in found["closes_on"]
    assert "ЗНА чл. 26, ал. 4" in found["closes_on"]
    assert "07.12.2026" in found["closes_on"]  # the first day that keeps the minimum


def test_the_last_day_must_be_after_publication() -> None:
    assert list(periods.problems(Kind.OTHER, D(2026, 11, 23), D(2026, 11, 23), "x")) == [
        "closes_on"
    ]
    assert list(periods.problems(Kind.OTHER, D(2026, 11, 23), D(2026, 11, 1), "x")) == ["closes_on"]


def test_good_practice_for_other_kinds() -> None:
    found = periods.problems(Kind.STRATEGY, D(2026, 11, 23), D(2026, 12, 13), "")
    assert "добра практика" in found["short_period_reason"]


def test_budget_seven_days() -> None:
    assert periods.problems(Kind.BUDGET, D(2026, 11, 23), D(2026, 11, 30), "") == {}
    found = periods.problems(Kind.BUDGET, D(2026, 11, 23), D(2026, 11, 29), "")
    assert "ЗПФ чл. 84, ал. 6" in found["closes_on"]


def test_before_2016_fourteen_days_sufficed() -> None:
    rule = periods.rule_for(Kind.ORDINANCE, D(2016, 11, 3))
    assert (rule.standard_days, rule.shortest_days) == (14, 14)
    assert not rule.allows_shorter
    assert periods.problems(Kind.ORDINANCE, D(2015, 5, 4), D(2015, 5, 18), "") == {}
    found = periods.problems(Kind.ORDINANCE, D(2015, 5, 4), D(2015, 5, 17), "")
    assert "до 04.11.2016" in found["closes_on"]
    # From the day the amendment came into force, 30 days.
    assert periods.rule_for(Kind.ORDINANCE, periods.ZNA_2016).standard_days == 30
