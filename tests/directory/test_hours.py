"""Working hours: validation and "open now" in Sofia time, with the moment passed in."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from directory.hours import open_status
from directory.models import WorkingHours

UTC = datetime.UTC
T = datetime.time


def hours(weekday, opens, closes, break_start=None, break_end=None):
    return WorkingHours(
        weekday=weekday, opens=opens, closes=closes, break_start=break_start, break_end=break_end
    )


WEEK = [hours(d, T(9), T(17, 30), T(12), T(13)) for d in range(5)]


def test_open_on_a_weekday_morning_in_sofia_time():
    # Monday 23.11.2026, 07:30 UTC = 09:30 in Sofia (winter, UTC+2).
    status = open_status(WEEK, datetime.datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    assert status.is_open and not status.on_break
    assert status.today.weekday == 0


def test_before_opening_in_sofia_although_open_in_utc_terms():
    # 06:45 UTC = 08:45 in Sofia: not yet open.
    status = open_status(WEEK, datetime.datetime(2026, 11, 23, 6, 45, tzinfo=UTC))
    assert not status.is_open


def test_summer_time_is_utc_plus_three():
    # Monday 6.7.2026, 14:15 UTC = 17:15 in Sofia (summer): open; 14:30 UTC = 17:30: closed.
    assert open_status(WEEK, datetime.datetime(2026, 7, 6, 14, 15, tzinfo=UTC)).is_open
    assert not open_status(WEEK, datetime.datetime(2026, 7, 6, 14, 30, tzinfo=UTC)).is_open


def test_lunch_break():
    status = open_status(WEEK, datetime.datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # 12:30
    assert status.on_break and not status.is_open


def test_closed_all_day_at_the_weekend():
    status = open_status(WEEK, datetime.datetime(2026, 11, 22, 10, 0, tzinfo=UTC))  # Sunday
    assert status.today is None and not status.is_open


def test_the_day_is_sofias_day_near_midnight():
    # Sunday 22.11.2026 23:30 UTC is already Monday 01:30 in Sofia.
    status = open_status(WEEK, datetime.datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert status.today is not None and status.today.weekday == 0 and not status.is_open


@pytest.mark.parametrize(
    "opens, closes, break_start, break_end",
    [
        (T(17), T(9), None, None),  # closes before it opens
        (T(9), T(9), None, None),
        (T(9), T(17), T(12), None),  # half a break
        (T(9), T(17), T(8), T(10)),  # break starts before opening
        (T(9), T(17), T(16), T(18)),  # break ends after closing
        (T(9), T(17), T(13), T(12)),  # break ends before it starts
    ],
)
def test_invalid_hours_are_refused(opens, closes, break_start, break_end):
    with pytest.raises(ValidationError):
        hours(0, opens, closes, break_start, break_end).clean()


def test_valid_hours_pass():
    hours(0, T(9), T(17), T(12), T(13)).clean()
    hours(0, T(9), T(17)).clean()


def test_a_public_holiday_closes_the_office():
    # Thursday 24.12.2026 (Christmas Eve, a public holiday since 2018), 10:00 in Sofia.
    status = open_status(WEEK, datetime.datetime(2026, 12, 24, 8, 0, tzinfo=UTC))
    assert status.today is None and not status.is_open
    assert status.holiday == "Бъдни вечер"


def test_an_exception_wins_over_the_week_and_the_holidays():
    from directory.models import HoursException

    holiday_duty = HoursException(
        date=datetime.date(2026, 12, 24), closed=False, opens=T(9), closes=T(12)
    )
    status = open_status(WEEK, datetime.datetime(2026, 12, 24, 8, 0, tzinfo=UTC), [holiday_duty])
    assert status.is_open and status.exception is holiday_duty and status.holiday == ""
    closure = HoursException(date=datetime.date(2026, 11, 23), closed=True, note="Дезинфекция")
    status = open_status(WEEK, datetime.datetime(2026, 11, 23, 8, 0, tzinfo=UTC), [closure])
    assert not status.is_open and status.today is None and status.exception is closure
