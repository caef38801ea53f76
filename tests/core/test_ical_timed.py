"""core.ical with timed events (public discussions, trainings): times written in UTC, right on
both sides of Sofia's daylight-saving changes (last Sunday of March and of October), cancelled
events, escaping and the folding of long Cyrillic lines. Every calendar is read back with the
icalendar library, as a calendar client would."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.utils import timezone

from core import ical
from core.legal_calendar import SOFIA

UTC = datetime.UTC


def at(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SOFIA, fold=fold)


def timed(starts_at, ends_at, **kw) -> ical.DayEvent:
    values = {
        "uid": "event-1",
        "day": starts_at.astimezone(SOFIA).date(),
        "summary": "Обществено обсъждане на бюджета",
        "description": "Заповядайте.",
        "url": "https://eregion.example/events/1/",
        "last_modified": timezone.now(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": "Зала „Съединение“, пл. „Стефан Стамболов“ 1, Пловдив",
    }
    values.update(kw)
    return ical.DayEvent(**values)


def parse(*events: ical.DayEvent) -> list[icalendar.Event]:
    text = ical.calendar("Събития", "tests", events)
    calendar = icalendar.Calendar.from_ical(text)
    return list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # Winter (EET, UTC+2) and summer (EEST, UTC+3).
        (at(2027, 1, 15, 10), "20270115T080000Z"),
        (at(2027, 7, 15, 10), "20270715T070000Z"),
        # The Saturday and the Sunday of the change in March (28.03.2027, 03:00 → 04:00).
        (at(2027, 3, 27, 10), "20270327T080000Z"),
        (at(2027, 3, 28, 10), "20270328T070000Z"),
        # The Saturday and the Sunday of the change in October (31.10.2027, 04:00 → 03:00).
        (at(2027, 10, 30, 10), "20271030T070000Z"),
        (at(2027, 10, 31, 10), "20271031T080000Z"),
        # The hour that happens twice in October: first in summer time, then in winter time.
        (at(2027, 10, 31, 3, 30, fold=0), "20271031T003000Z"),
        (at(2027, 10, 31, 3, 30, fold=1), "20271031T013000Z"),
        # 2026 too (29.03 and 25.10).
        (at(2026, 3, 29, 9, 30), "20260329T063000Z"),
        (at(2026, 10, 25, 9, 30), "20261025T073000Z"),
    ],
)
def test_times_are_written_in_utc_across_daylight_saving(local, utc):
    text = ical.calendar("Събития", "tests", [timed(local, local + datetime.timedelta(hours=2))])
    assert f"DTSTART:{utc}\r\n" in text
    (event,) = parse(timed(local, local + datetime.timedelta(hours=2)))
    start = event["DTSTART"].dt
    assert start.utcoffset() == datetime.timedelta(0)
    # The same instant (compared in UTC: a time in the repeated hour never equals one in
    # another zone, PEP 495).
    assert start == local.astimezone(UTC)
    assert start.astimezone(SOFIA).hour == local.hour


def test_an_event_over_the_march_change_lasts_an_hour_less():
    """18:00 to 18:00 across the night the clocks go forward: 23 hours, both ends right."""
    start, end = at(2027, 3, 27, 18), at(2027, 3, 28, 18)
    (event,) = parse(timed(start, end))
    assert event["DTSTART"].dt == datetime.datetime(2027, 3, 27, 16, tzinfo=UTC)
    assert event["DTEND"].dt == datetime.datetime(2027, 3, 28, 15, tzinfo=UTC)
    assert event["DTEND"].dt - event["DTSTART"].dt == datetime.timedelta(hours=23)


def test_a_two_day_training_over_the_october_change():
    start, end = at(2027, 10, 30, 9, 30), at(2027, 10, 31, 16, 30)
    (event,) = parse(timed(start, end))
    assert event["DTSTART"].dt.astimezone(SOFIA) == start
    assert event["DTEND"].dt.astimezone(SOFIA) == end
    assert event["DTEND"].dt == datetime.datetime(2027, 10, 31, 14, 30, tzinfo=UTC)


def test_a_timed_event_is_opaque_and_has_its_location():
    (event,) = parse(timed(at(2027, 5, 5, 17), at(2027, 5, 5, 19)))
    assert str(event["TRANSP"]) == "OPAQUE"
    assert str(event["STATUS"]) == "CONFIRMED"
    # Commas and quotes survive the escaping.
    assert str(event["LOCATION"]) == "Зала „Съединение“, пл. „Стефан Стамболов“ 1, Пловдив"
    assert str(event["URL"]) == "https://eregion.example/events/1/"


def test_timed_and_all_day_events_in_one_calendar():
    all_day = ical.DayEvent(
        uid="task-3",
        day=datetime.date(2027, 3, 28),
        summary="Краен срок",
        description="",
        url="https://eregion.example/t/3/",
        last_modified=timezone.now(),
    )
    text = ical.calendar(
        "Събития", "tests", [all_day, timed(at(2027, 3, 28, 10), at(2027, 3, 28, 12))]
    )
    assert "DTSTART;VALUE=DATE:20270328" in text
    assert "DTSTART:20270328T070000Z" in text
    day_event, timed_event = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert day_event["DTSTART"].dt == datetime.date(2027, 3, 28)
    assert str(day_event["TRANSP"]) == "TRANSPARENT"
    assert isinstance(timed_event["DTSTART"].dt, datetime.datetime)


def test_a_cancelled_timed_event_keeps_its_uid_with_a_higher_sequence():
    start = at(2027, 4, 2, 10)
    before = timed(start, start + datetime.timedelta(hours=3), sequence=2)
    after = timed(start, start + datetime.timedelta(hours=3), sequence=3, cancelled=True)
    (a,) = parse(before)
    (b,) = parse(after)
    assert str(a["UID"]) == str(b["UID"]) == f"event-1@{ical.host()}"
    assert str(a["STATUS"]) == "CONFIRMED" and str(b["STATUS"]) == "CANCELLED"
    assert b["SEQUENCE"] > a["SEQUENCE"]
    assert b["DTSTART"].dt == start


def test_long_cyrillic_lines_are_folded_and_read_back_whole():
    summary = "Обучение „Партньорства и работа в мрежа“ за представители на НПО, " * 4
    description = "Програма:\n1. Въведение; правна рамка\n2. Упражнения, казуси\n" + "Ж" * 120
    text = ical.calendar(
        "Календар на събитията",
        "tests",
        [timed(at(2027, 3, 28, 10), at(2027, 3, 28, 12), summary=summary, description=description)],
    )
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never cut inside a character
    assert any(line.startswith(b" ") for line in raw.split(b"\r\n"))
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description
