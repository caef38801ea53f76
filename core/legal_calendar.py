"""The legal calendar: which days are working days in Bulgaria, and when a statutory period ends.

Used for consultation periods (ЗНА чл. 26), information-request deadlines (ЗДОИ чл. 28–33),
proposals and signals (АПК чл. 112–123) and any other period counted in days; see
core/README.md, "Legal calendar", for the rules and their sources.

A day is a working day when it is Monday to Friday and not an official holiday (Labour Code
(КТ) чл. 154, ал. 1; a holiday falling on a weekend moves to the next working day, ал. 2, from
2017). Both come from the `holidays` library. On top of it the administrator records the days
the Council of Ministers declares (`DeclaredDay`): an extra day off, or a Saturday worked to
make up for it ("отработване"). A declared day wins over everything else.

Each public function reads the declared days once (one query for the years it may touch).
Nothing is cached across calls on purpose: an administrator's correction must change the next
deadline computed by every worker process at once, and a stale calendar gives a wrong legal
answer. A caller computing many deadlines builds one `LegalCalendar` and reuses it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

# Statutory time is Bulgarian time whatever the server's zone (ГПК чл. 62, ал. 1: the last
# day of a period lasts until midnight).
SOFIA = ZoneInfo("Europe/Sofia")

_DAY = timedelta(days=1)


@functools.cache
def _official(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(official days off on weekdays or weekends, working Saturdays) from the `holidays` library.

    With the default `observed=True` the library already applies КТ чл. 154, ал. 2 (from 2017,
    not for Easter) and moves a holiday on a Saturday or Sunday to the next working day; it also
    knows the days the Council of Ministers swapped in 2004–2016 and the declared days off of
    31.12.2025 and 2.1.2026. Newer decisions are entered by the administrator (`DeclaredDay`).
    """
    calendar = holidays.country_holidays("BG", years=year)
    return frozenset(calendar), frozenset(calendar.weekend_workdays)


def is_default_working_day(d: date) -> bool:
    """Working day by law and the `holidays` library alone, before any declared day."""
    days_off, working_saturdays = _official(d.year)
    if d.weekday() >= 5:
        return d in working_saturdays
    return d not in days_off


class LegalCalendar:
    """The working days, given the declared days (`{date: is_working}`) for some years.

    Pass `declared` to use the calendar without the database (tests, previews); otherwise the
    declared days are loaded from the database, one query for each range of years not loaded.
    """

    def __init__(self, declared: dict[date, bool] | None = None) -> None:
        self._declared: dict[date, bool] = dict(declared or {})
        # None: the caller gave the declared days, never read the database.
        self._loaded: set[int] | None = None if declared is not None else set()

    def load(self, first: date, last: date) -> None:
        """Read the declared days of the years from `first` to `last` in one query."""
        if self._loaded is None:
            return
        years = [y for y in range(first.year, last.year + 1) if y not in self._loaded]
        if not years:
            return
        from core.models import DeclaredDay  # the model's validation uses this module

        rows = DeclaredDay.objects.filter(
            date__range=(date(years[0], 1, 1), date(years[-1], 12, 31))
        ).values_list("date", "kind")
        for day, kind in rows:
            if day.year not in self._loaded:
                self._declared[day] = kind == DeclaredDay.Kind.WORKING_DAY
        self._loaded.update(range(years[0], years[-1] + 1))

    def is_working_day(self, d: date) -> bool:
        self.load(d, d)
        if d in self._declared:
            return self._declared[d]
        return is_default_working_day(d)

    def next_working_day(self, d: date) -> date:
        while not self.is_working_day(d):
            d += _DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        _check_days(n)
        # Enough years for n working days (at most 7/5 n days plus some 15 days off a year),
        # so that one query covers the whole count; load() fetches more if ever needed.
        self.load(start, start + timedelta(days=2 * n + 31))
        d = start
        while n:
            d += _DAY
            n -= self.is_working_day(d)
        return d

    def add_calendar_days_deadline(self, start: date, n: int) -> date:
        _check_days(n)
        end = start + timedelta(days=n)
        self.load(end, end + timedelta(days=31))
        return self.next_working_day(end)

    def add_months_deadline(self, start: date, n: int) -> date:
        _check_days(n)
        end = add_months(start, n)
        self.load(end, end + timedelta(days=31))
        return self.next_working_day(end)

    def working_days_between(self, a: date, b: date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        self.load(a, b)
        return sum(self.is_working_day(d) for d in _days(a + _DAY, b))


def add_months(start: date, n: int) -> date:
    """The same day of the month n months later, or that month's last day when it is shorter
    (ГПК чл. 60, ал. 3: 31 January + 1 month = 28 or 29 February)."""
    months = start.year * 12 + start.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(start.day, (next_month - _DAY).day))


def _check_days(n: int) -> None:
    if n < 0:
        raise ValueError(f"A period of {n} days: count forwards only.")


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += _DAY


def is_working_day(d: date) -> bool:
    """True on a day public bodies work (присъствен ден): Monday–Friday and not a holiday or
    declared day off, or a Saturday declared a working day."""
    return LegalCalendar().is_working_day(d)


def next_working_day(d: date) -> date:
    """`d` if it is a working day, else the first working day after it."""
    return LegalCalendar().next_working_day(d)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (periods "in N working days", e.g. ЗПФ чл. 84: the
    day of the triggering event is not counted). `start` itself for n = 0."""
    return LegalCalendar().add_working_days(start, n)


def add_calendar_days_deadline(start: date, n: int) -> date:
    """The last day of a period of n days after `start` (ЗДОИ 14 days, ЗНА 30 days).

    ГПК чл. 60: the period runs from the day after the event, ends at the end of its last day,
    and a last day that is not a working day moves to the next working day.
    """
    return LegalCalendar().add_calendar_days_deadline(start, n)


def add_months_deadline(start: date, n: int) -> date:
    """The last day of a period of n months after `start` (АПК чл. 118: 2 months for a
    proposal; АПК чл. 149, ал. 2: 1 month to appeal a tacit refusal).

    ГПК чл. 60, ал. 3: it ends on the same date of the last month, or on that month's last day
    when the month has no such date; a last day that is not a working day moves to the next
    working day (ал. 6)."""
    return LegalCalendar().add_months_deadline(start, n)


def working_days_between(a: date, b: date) -> int:
    """The working days after `a` up to and including `b` (negative when `b` is before `a`),
    so that `working_days_between(a, add_working_days(a, n)) == n`."""
    return LegalCalendar().working_days_between(a, b)


def deadline_end(d: date) -> datetime:
    """The last moment of day `d` in Sofia (23:59:59.999999, +02:00 in winter, +03:00 in
    summer): a period ending on `d` is kept by anything done before then (ГПК чл. 62, ал. 1).
    """
    return datetime.combine(d, time.max, tzinfo=SOFIA)
