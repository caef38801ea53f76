"""core.ical: calendars of all-day deadlines (RFC 5545)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core import ical


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "Ж" * 100
    parts = ical.fold(line).split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_escape_keeps_text_from_breaking_the_format():
    assert ical.escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_a_cancelled_event_is_sent_as_cancelled_with_a_stable_uid():
    event = ical.DayEvent(
        uid="task-7",
        day=datetime.date(2026, 12, 24),
        summary="Бъдни вечер",
        description="ред 1\nред 2",
        url="https://example.org/x",
        last_modified=timezone.now(),
        sequence=3,
        cancelled=True,
    )
    text = ical.calendar("Календар", "tests", [event])
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"UID:task-7@{ical.host()}" in text
    assert "DTSTART;VALUE=DATE:20261224" in text and "DTEND;VALUE=DATE:20261225" in text
    assert "STATUS:CANCELLED" in text and "SEQUENCE:3" in text
    assert "DESCRIPTION:ред 1\\nред 2" in text
