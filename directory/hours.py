"""Today's hours and "open now", as pure functions of the hours and an explicit moment.

The moment is passed in (not read from the clock) so tests can use any time without mocking;
it is converted to Sofia time, where the institutions are. A Bulgarian public holiday closes
the office unless the institution recorded an exception for that date (a row of
`HoursException` always wins over the weekly hours and the holiday calendar).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from directory.models import HoursException, WorkingHours

SOFIA = ZoneInfo("Europe/Sofia")


@dataclass(frozen=True)
class DayHours:
    weekday: int  # 0 = Monday
    opens: datetime.time
    closes: datetime.time
    break_start: datetime.time | None = None
    break_end: datetime.time | None = None


@dataclass(frozen=True)
class OpenStatus:
    today: DayHours | None  # None: closed all day
    is_open: bool
    on_break: bool
    holiday: str = ""  # the public holiday's name when that is why it is closed
    exception: HoursException | None = None


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("BG", years=year, language="bg")


def public_holiday(day: datetime.date) -> str:
    """The name of the Bulgarian public holiday on `day` (in Bulgarian), or ""."""
    return str(_holidays(day.year).get(day, ""))


def hours_on(
    hours: Iterable[WorkingHours],
    day: datetime.date,
    exceptions: Iterable[HoursException] = (),
) -> tuple[DayHours | None, str, HoursException | None]:
    """The hours on a date: (hours or None if closed, holiday name, exception applied)."""
    exception = next((e for e in exceptions if e.date == day), None)
    if exception is not None:
        if exception.closed or exception.opens is None or exception.closes is None:
            return None, "", exception
        return DayHours(day.weekday(), exception.opens, exception.closes), "", exception
    holiday = public_holiday(day)
    if holiday:
        return None, holiday, None
    row = next((h for h in hours if h.weekday == day.weekday()), None)
    if row is None:
        return None, "", None
    return DayHours(day.weekday(), row.opens, row.closes, row.break_start, row.break_end), "", None


def open_status(
    hours: Iterable[WorkingHours],
    now: datetime.datetime,
    exceptions: Iterable[HoursException] = (),
) -> OpenStatus:
    local = now.astimezone(SOFIA)
    today, holiday, exception = hours_on(list(hours), local.date(), exceptions)
    if today is None:
        return OpenStatus(None, False, False, holiday, exception)
    t = local.time()
    within = today.opens <= t < today.closes
    on_break = bool(
        within
        and today.break_start
        and today.break_end
        and today.break_start <= t < today.break_end
    )
    return OpenStatus(today, within and not on_break, on_break, holiday, exception)
