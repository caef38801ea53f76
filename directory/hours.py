"""Today's hours and "open now", as pure functions of the hours and an explicit moment.

The moment is passed in (not read from the clock) so tests can use any time without mocking;
it is converted to Sofia time, where the institutions are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from directory.models import WorkingHours

SOFIA = ZoneInfo("Europe/Sofia")


@dataclass(frozen=True)
class OpenStatus:
    today: WorkingHours | None  # None: closed all day
    is_open: bool
    on_break: bool


def open_status(hours: Iterable[WorkingHours], now: datetime.datetime) -> OpenStatus:
    local = now.astimezone(SOFIA)
    today = next((h for h in hours if h.weekday == local.weekday()), None)
    if today is None:
        return OpenStatus(None, False, False)
    t = local.time()
    within = today.opens <= t < today.closes
    on_break = bool(
        within
        and today.break_start
        and today.break_end
        and today.break_start <= t < today.break_end
    )
    return OpenStatus(today, within and not on_break, on_break)
