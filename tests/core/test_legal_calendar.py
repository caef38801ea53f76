"""The legal calendar: known Bulgarian days off, the ГПК чл. 60 deadline rule, declared days,
and property tests against a naive day-by-day count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.legal_calendar import (
    SOFIA,
    LegalCalendar,
    add_calendar_days_deadline,
    add_months,
    add_months_deadline,
    add_working_days,
    deadline_end,
    is_working_day,
    next_working_day,
    working_days_between,
)
from core.models import DeclaredDay

pytestmark = pytest.mark.django_db

D = date.fromisoformat
OFF, WORKING = DeclaredDay.Kind.DAY_OFF, DeclaredDay.Kind.WORKING_DAY

# Orthodox Easter Sundays (Bulgarian Orthodox Church), to aim the random dates at them.
ORTHODOX_EASTER = [
    D("2021-05-02"),
    D("2022-04-24"),
    D("2023-04-16"),
    D("2024-05-05"),
    D("2025-04-20"),
    D("2026-04-12"),
    D("2027-05-02"),
    D("2028-04-16"),
]


def declare(day: str, kind: str, reason: str = "Решение на МС № 1/2026") -> DeclaredDay:
    return DeclaredDay.objects.create(date=D(day), kind=kind, reason=reason)


# --- Known days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2025-01-01",
        "2025-03-03",  # Liberation Day, a Monday
        "2026-03-03",
        "2025-04-18",  # Good Friday, Orthodox Easter 20.04.2025
        "2025-04-21",  # Easter Monday
        "2026-04-10",  # Good Friday, Orthodox Easter 12.04.2026
        "2026-04-13",  # Easter Monday
        "2025-05-01",
        "2025-05-06",
        "2025-12-24",
        "2025-12-25",
        "2025-12-26",
        "2025-12-31",  # declared by Council of Ministers Decision 808/2025 (euro changeover)
        "2026-01-02",  # the same decision
        "2023-05-08",  # 6 May 2023 was a Saturday: the Monday is off (КТ чл. 154, ал. 2)
        "2025-05-26",  # 24 May 2025 was a Saturday
        "2026-05-25",  # 24 May 2026 is a Sunday
        "2025-09-08",  # 6 September 2025 was a Saturday
        "2022-12-27",  # 24–26 December 2022 fell Saturday–Monday: two days moved
        "2022-12-28",
        "2021-05-04",  # 1 May 2021 was Holy Saturday; Easter Monday was 3 May
        "2016-03-04",  # swapped with Saturday 12.03.2016 (Council of Ministers Decision 935/2015)
    ],
)
def test_official_days_off(day):
    assert not is_working_day(D(day))


@pytest.mark.parametrize(
    "day",
    [
        "2024-02-29",  # leap day, a Thursday
        "2025-04-17",  # Maundy Thursday is not a holiday
        "2025-04-22",
        "2025-05-02",
        "2025-12-23",
        "2025-12-29",
        "2026-01-06",  # Epiphany is not an official holiday
        "2026-11-02",  # 1 November is a day off for schools only
        "2016-03-12",  # a working Saturday (Decision 935/2015)
    ],
)
def test_working_days(day):
    assert is_working_day(D(day))


def test_easter_saturday_and_sunday_do_not_move_a_day_off():
    # КТ чл. 154, ал. 2 excludes Easter: Tuesday after Easter is an ordinary working day.
    for easter in ORTHODOX_EASTER:
        assert not is_working_day(easter - timedelta(days=2))
        assert not is_working_day(easter + timedelta(days=1))
        if easter.replace(month=5, day=1) not in {easter - timedelta(days=1), easter}:
            assert is_working_day(easter + timedelta(days=2)), easter


def test_next_working_day():
    assert next_working_day(D("2025-12-23")) == D("2025-12-23")
    assert next_working_day(D("2025-12-24")) == D("2025-12-29")
    assert next_working_day(D("2025-12-31")) == D("2026-01-05")
    assert next_working_day(D("2026-04-10")) == D("2026-04-14")


# --- Deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, end",
    [
        # The Haskovo case (domain-rules §1.1): published 11.03.2011, 14 days end on 25.03.2011.
        ("2011-03-11", 14, "2011-03-25"),
        ("2025-05-24", 14, "2025-06-09"),  # ends on Saturday 7.6 → Monday 9.6
        ("2025-12-12", 14, "2025-12-29"),  # ends on 26.12 (holiday), then a weekend
        ("2025-12-17", 14, "2026-01-05"),  # 31.12 → 1.1, 2.1, weekend
        ("2026-03-27", 14, "2026-04-14"),  # ends on Good Friday 10.4.2026
        ("2024-01-30", 30, "2024-02-29"),  # leap year
        ("2023-01-30", 30, "2023-03-01"),
        ("2028-02-15", 14, "2028-02-29"),
        ("2026-05-20", 6, "2026-05-26"),  # ends on Sunday 24.5, Monday 25.5 is off too
        ("2026-06-01", 0, "2026-06-01"),
    ],
)
def test_calendar_day_deadline(start, n, end):
    assert add_calendar_days_deadline(D(start), n) == D(end)


def test_haskovo_adoption_on_the_last_day_is_too_early():
    # The council voted during 25.03.2011, before the period's end: the court annulled the act.
    close = add_calendar_days_deadline(D("2011-03-11"), 14)
    vote = datetime(2011, 3, 25, 10, 0, tzinfo=SOFIA)
    assert vote < deadline_end(close)


@pytest.mark.parametrize(
    "start, n, end",
    [
        ("2025-12-19", 3, "2025-12-29"),  # Monday 22, Tuesday 23, then (24–28 off) Monday 29
        ("2026-04-09", 1, "2026-04-14"),
        ("2021-04-29", 1, "2021-05-05"),
        ("2026-01-30", 20, "2026-02-27"),
        ("2026-06-12", 0, "2026-06-12"),
    ],
)
def test_working_day_deadline(start, n, end):
    assert add_working_days(D(start), n) == D(end)


def test_working_days_between():
    # January 2026: 22 weekdays, of which 1 and 2 January are off.
    assert working_days_between(D("2025-12-31"), D("2026-01-31")) == 20
    assert working_days_between(D("2026-01-31"), D("2025-12-31")) == -20
    assert working_days_between(D("2026-04-09"), D("2026-04-14")) == 1
    assert working_days_between(D("2026-04-14"), D("2026-04-14")) == 0


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D("2026-01-05"), -1)
    with pytest.raises(ValueError):
        add_calendar_days_deadline(D("2026-01-05"), -1)


# --- Declared days --------------------------------------------------------------------------


def test_a_declared_day_off_moves_a_deadline():
    assert add_calendar_days_deadline(D("2026-05-22"), 14) == D("2026-06-05")
    declare("2026-06-05", OFF)
    assert not is_working_day(D("2026-06-05"))
    assert add_calendar_days_deadline(D("2026-05-22"), 14) == D("2026-06-08")
    assert add_working_days(D("2026-06-04"), 1) == D("2026-06-08")


def test_a_working_saturday_counts():
    assert add_calendar_days_deadline(D("2026-05-30"), 14) == D("2026-06-15")
    declare("2026-06-13", WORKING)
    assert is_working_day(D("2026-06-13"))
    assert add_calendar_days_deadline(D("2026-05-30"), 14) == D("2026-06-13")
    assert add_working_days(D("2026-06-12"), 1) == D("2026-06-13")
    assert working_days_between(D("2026-06-12"), D("2026-06-15")) == 2


def test_a_declared_day_can_correct_the_holidays_library():
    declare("2016-03-12", OFF, "correction")
    declare("2026-01-02", WORKING, "correction")
    assert not is_working_day(D("2016-03-12"))
    assert is_working_day(D("2026-01-02"))


def test_an_entry_that_changes_nothing_is_refused():
    for day, kind in [("2026-06-06", OFF), ("2026-06-08", WORKING), ("2026-03-03", OFF)]:
        with pytest.raises(ValidationError) as err:
            DeclaredDay(date=D(day), kind=kind, reason="x").full_clean()
        assert "kind" in err.value.message_dict
    DeclaredDay(date=D("2026-06-05"), kind=OFF, reason="x").full_clean()


def test_one_query_per_call():
    with CaptureQueriesContext(connection) as ctx:
        add_working_days(D("2026-12-20"), 250)  # runs into 2027
    assert len(ctx) == 1
    with CaptureQueriesContext(connection) as ctx:
        calendar = LegalCalendar()
        for day in range(1, 29):
            calendar.add_calendar_days_deadline(date(2026, 2, day), 14)
    assert len(ctx) == 1


# --- deadline_end ---------------------------------------------------------------------------


def test_deadline_end_in_winter_and_summer():
    assert deadline_end(D("2026-01-15")).isoformat() == "2026-01-15T23:59:59.999999+02:00"
    assert deadline_end(D("2026-07-15")).isoformat() == "2026-07-15T23:59:59.999999+03:00"
    # The clocks change at 03:00/04:00, so the day of the change already ends in the new time.
    assert deadline_end(D("2026-03-29")).utcoffset() == timedelta(hours=3)
    assert deadline_end(D("2026-03-28")).utcoffset() == timedelta(hours=2)
    assert deadline_end(D("2026-10-25")).utcoffset() == timedelta(hours=2)
    assert deadline_end(D("2026-10-24")).utcoffset() == timedelta(hours=3)


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def staff(admin_client, settings):
    # Administrators normally need a second factor (accounts.middleware); not under test here.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]
    return admin_client


def test_administrator_declares_a_day_off_in_the_admin(staff):
    assert is_working_day(D("2027-05-07"))
    response = staff.post(
        reverse("admin:core_declaredday_add"),
        {"date": "07.05.2027", "kind": OFF, "reason": "Решение на МС № 100/2027"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not is_working_day(D("2027-05-07"))
    listing = staff.get(reverse("admin:core_declaredday_changelist")).content.decode()
    assert "Решение на МС № 100/2027" in listing
    assert "петък" in listing


def test_the_admin_refuses_a_day_that_is_already_off(staff):
    response = staff.post(
        reverse("admin:core_declaredday_add"),
        {"date": "08.05.2027", "kind": OFF, "reason": "x"},
    )
    assert response.status_code == 200
    assert not DeclaredDay.objects.exists()


def test_others_cannot_open_the_admin(client):
    response = client.get(reverse("admin:core_declaredday_changelist"))
    assert response.status_code == 302


# --- Properties: compare with a naive day-by-day count ---------------------------------------

_LIBRARY = holidays.country_holidays("BG", years=range(1999, 2043))


def naive_working(d: date, declared: dict[date, bool]) -> bool:
    if d in declared:
        return declared[d]
    return _LIBRARY.is_working_day(d)


def naive_add_working(start: date, n: int, declared: dict[date, bool]) -> date:
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if naive_working(d, declared):
            counted += 1
    return d


def naive_deadline(start: date, n: int, declared: dict[date, bool]) -> date:
    d = start
    for _ in range(n):
        d += timedelta(days=1)
    while not naive_working(d, declared):
        d += timedelta(days=1)
    return d


near_easter = st.builds(
    lambda easter, offset: easter + timedelta(days=offset),
    st.sampled_from(ORTHODOX_EASTER),
    st.integers(-40, 10),
)
near_leap_day = st.builds(
    lambda year, offset: date(year, 2, 29) + timedelta(days=offset),
    st.sampled_from([2000, 2004, 2008, 2012, 2016, 2020, 2024, 2028, 2032, 2036, 2040]),
    st.integers(-40, 5),
)
near_new_year = st.builds(
    lambda year, offset: date(year, 12, 31) + timedelta(days=offset),
    st.integers(2000, 2039),
    st.integers(-20, 5),
)
dates = st.one_of(
    st.dates(date(2000, 1, 1), date(2040, 12, 31)), near_easter, near_leap_day, near_new_year
)
days = st.integers(0, 70)

# Declared days kept in the database during the property tests below.
DECLARED = {
    D("2026-06-05"): False,
    D("2026-06-13"): True,
    D("2026-12-31"): False,
    D("2027-01-09"): True,
    D("2026-04-14"): False,
}


@pytest.fixture
def declared_in_db() -> dict[date, bool]:
    for day, working in DECLARED.items():
        DeclaredDay.objects.create(date=day, kind=WORKING if working else OFF, reason="test")
    return DECLARED


PROPERTY = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
declared_dates = st.one_of(st.sampled_from(sorted(DECLARED)), near_easter)


@PROPERTY
@given(d=st.one_of(dates, declared_dates))
def test_is_working_day_matches_naive(declared_in_db, d):
    assert is_working_day(d) == naive_working(d, declared_in_db)


@PROPERTY
@given(start=st.one_of(dates, declared_dates), n=days)
def test_add_working_days_matches_naive(declared_in_db, start, n):
    end = add_working_days(start, n)
    assert end == naive_add_working(start, n, declared_in_db)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@PROPERTY
@given(start=st.one_of(dates, declared_dates), n=days)
def test_calendar_day_deadline_matches_naive(declared_in_db, start, n):
    end = add_calendar_days_deadline(start, n)
    assert end == naive_deadline(start, n, declared_in_db)
    assert end >= start + timedelta(days=n)
    assert is_working_day(end)
    # Only non-working days lie between the nominal last day and the moved one.
    assert not any(is_working_day(start + timedelta(days=k)) for k in range(n, (end - start).days))


@settings(deadline=None, max_examples=200)
@given(
    declared=st.dictionaries(dates, st.booleans(), max_size=30),
    start=dates,
    n=days,
)
def test_pure_calendar_with_random_declared_days(declared, start, n):
    calendar = LegalCalendar(declared)
    assert calendar.add_working_days(start, n) == naive_add_working(start, n, declared)
    assert calendar.add_calendar_days_deadline(start, n) == naive_deadline(start, n, declared)
    for k in range(0, 10):
        d = start + timedelta(days=k)
        assert calendar.is_working_day(d) == naive_working(d, declared)


def naive_add_months(start: date, n: int) -> date:
    """Walk month by month, then clip the day to the month's length: independent of the
    arithmetic in add_months."""
    year, month = start.year, start.month
    for _ in range(n):
        month += 1
        if month == 13:
            year, month = year + 1, 1
    day = start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2026-01-31", 1, "2026-03-02"),  # 28.02.2026 is a Saturday → Monday 2 March
        ("2028-01-31", 1, "2028-02-29"),  # a leap year: the month's last day, a Tuesday
        ("2026-08-31", 2, "2026-11-02"),  # 31 October is a Saturday
        ("2026-03-15", 2, "2026-05-15"),
        # 24–26.12 are holidays, the 26th a Saturday, so Monday the 28th is off too (КТ чл. 154)
        ("2026-10-24", 2, "2026-12-29"),
        ("2026-11-30", 1, "2026-12-30"),
    ],
)
def test_month_deadline(start, n, end):
    assert add_months_deadline(D(start), n) == D(end)


@settings(deadline=None, max_examples=300)
@given(start=dates, n=st.integers(0, 24))
def test_month_deadline_matches_naive(start, n):
    assert add_months(start, n) == naive_add_months(start, n)
    end = add_months_deadline(start, n)
    nominal = naive_add_months(start, n)
    assert end >= nominal
    assert is_working_day(end)
    assert not any(is_working_day(nominal + timedelta(days=k)) for k in range((end - nominal).days))


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


@settings(deadline=None, max_examples=300)
@given(
    d=st.one_of(
        st.dates(date(2000, 1, 1), date(2040, 12, 31)),
        st.builds(
            lambda y, m, k: _last_sunday(y, m) + timedelta(days=k),
            st.integers(2000, 2040),
            st.sampled_from([3, 10]),
            st.integers(-2, 2),
        ),
    )
)
def test_deadline_end_is_the_last_moment_of_the_sofia_day(d):
    end = deadline_end(d)
    assert (end.date(), end.time()) == (d, time(23, 59, 59, 999999))
    summer = _last_sunday(d.year, 3) <= d < _last_sunday(d.year, 10)
    assert end.utcoffset() == timedelta(hours=3 if summer else 2)
    # One microsecond later, in real (UTC) time, it is midnight of the next day in Sofia.
    after = (end.astimezone(UTC) + timedelta(microseconds=1)).astimezone(SOFIA)
    assert (after.date(), after.time()) == (d + timedelta(days=1), time(0))
