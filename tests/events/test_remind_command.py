"""`manage.py remind_events`: the reminder the day before (in Sofia) and the feedback request
after an event, each sent once however many times the command runs."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.legal_calendar import SOFIA
from events import services
from events.enums import RegistrationState, State
from events.models import Attendance, Event, Feedback, Registration
from tests.conftest import Mailbox
from tests.factories.events import EventFactory, RegistrationFactory, sofia

pytestmark = pytest.mark.django_db


def event_on(start: datetime.datetime, **kw) -> Event:
    return EventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=7),
        registration_opens_at=start - datetime.timedelta(days=30),
        registration_closes_at=start - datetime.timedelta(hours=1),
        **kw,
    )


def attended(event: Event, **kw) -> Registration:
    registration = RegistrationFactory(event=event, **kw)
    Attendance.objects.create(registration=registration, day=event.days[0])
    return registration


# --- Reminders ------------------------------------------------------------------------------------


def test_reminders_go_to_confirmed_participants_of_tomorrows_events_once(territory, mailbox):
    now = sofia(2027, 5, 11, 8, 0)
    tomorrow = event_on(sofia(2027, 5, 12, 9, 30))
    confirmed = RegistrationFactory.create_batch(2, event=tomorrow)
    waiting = RegistrationFactory(event=tomorrow, state=RegistrationState.WAITING)
    cancelled = RegistrationFactory(event=tomorrow, state=RegistrationState.CANCELLED)
    done = RegistrationFactory(event=tomorrow, reminded_at=now - datetime.timedelta(hours=2))
    later = RegistrationFactory(event=event_on(sofia(2027, 5, 13, 9, 30)))
    today = RegistrationFactory(event=event_on(sofia(2027, 5, 11, 18, 0)))
    called_off = RegistrationFactory(event=event_on(sofia(2027, 5, 12, 10), state=State.CANCELLED))

    assert services.send_reminders(now) == 2
    assert {str(m["To"]) for m in mailbox.messages} == {r.user.email for r in confirmed}
    for registration in confirmed:
        registration.refresh_from_db()
        assert registration.reminded_at == now
        body = Mailbox.body(mailbox.to(registration.user.email)[0])
        assert registration.code in body
        assert f"{settings.SITE_URL}/events/registrations/{registration.code}/cancel/" in body
    for registration in (waiting, cancelled, later, today, called_off):
        registration.refresh_from_db()
        assert registration.reminded_at is None
    done.refresh_from_db()
    assert done.reminded_at == now - datetime.timedelta(hours=2)

    # Run again (the same day, or the cron fired twice): nothing new.
    assert services.send_reminders(now + datetime.timedelta(hours=1)) == 0
    assert len(mailbox.messages) == 2


def test_tomorrow_is_counted_in_sofia_not_in_utc(territory, mailbox):
    """00:30 in Sofia is still the previous day in UTC: "tomorrow" is Sofia's tomorrow."""
    now = sofia(2027, 3, 27, 0, 30)
    assert now.astimezone(datetime.UTC).day == 26
    # The night the clocks go forward (28.03.2027): an early start still counts as that day.
    early = RegistrationFactory(event=event_on(sofia(2027, 3, 28, 0, 30)))
    morning = RegistrationFactory(event=event_on(sofia(2027, 3, 28, 9, 0)))
    not_yet = RegistrationFactory(event=event_on(sofia(2027, 3, 29, 0, 15)))
    this_day = RegistrationFactory(event=event_on(sofia(2027, 3, 27, 23, 30)))
    assert services.send_reminders(now) == 2
    assert {str(m["To"]) for m in mailbox.messages} == {early.user.email, morning.user.email}
    assert mailbox.to(not_yet.user.email) == mailbox.to(this_day.user.email) == []


def test_the_reminder_carries_the_event_in_the_calendar(territory, mailbox):
    now = sofia(2027, 10, 30, 8, 0)
    # The day the clocks go back (31.10.2027): 09:30 in Sofia is 07:30 UTC (EET, +2).
    registration = RegistrationFactory(event=event_on(sofia(2027, 10, 31, 9, 30)))
    services.send_reminders(now)
    (message,) = mailbox.to(registration.user.email)
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "event.ics"]
    text = part.get_payload(decode=True).decode()
    assert "DTSTART:20271031T073000Z" in text


# --- Feedback requests ----------------------------------------------------------------------------


def test_feedback_is_requested_once_from_those_who_attended(territory, mailbox):
    now = sofia(2027, 6, 20, 10, 0)
    ended = event_on(sofia(2027, 6, 18, 9, 0))
    present = [attended(ended) for _ in range(2)]
    absent = RegistrationFactory(event=ended)
    answered = attended(ended)
    Feedback.objects.create(registration=answered, rating=5, usefulness=4)
    asked = attended(ended, feedback_requested_at=now - datetime.timedelta(days=1))
    long_ago = attended(event_on(sofia(2027, 5, 20, 9, 0)))
    running = attended(event_on(sofia(2027, 6, 20, 8, 0)))  # ends at 15:00 today
    called_off = attended(event_on(sofia(2027, 6, 18, 9, 0), state=State.CANCELLED))

    assert services.request_feedback(now) == 2
    assert {str(m["To"]) for m in mailbox.messages} == {r.user.email for r in present}
    for registration in present:
        registration.refresh_from_db()
        assert registration.feedback_requested_at == now
        body = Mailbox.body(mailbox.to(registration.user.email)[0])
        assert f"{settings.SITE_URL}/events/registrations/{registration.code}/feedback/" in body
    for registration in (absent, answered, long_ago, running, called_off):
        registration.refresh_from_db()
        assert registration.feedback_requested_at is None
    asked.refresh_from_db()
    assert asked.feedback_requested_at == now - datetime.timedelta(days=1)

    assert services.request_feedback(now + datetime.timedelta(hours=3)) == 0
    assert len(mailbox.messages) == 2


def test_two_days_of_attendance_make_one_request(territory, mailbox):
    now = sofia(2027, 6, 25, 10, 0)
    event = EventFactory(starts_at=sofia(2027, 6, 22, 9), ends_at=sofia(2027, 6, 23, 17))
    registration = RegistrationFactory(event=event)
    for day in event.days:
        Attendance.objects.create(registration=registration, day=day)
    assert services.request_feedback(now) == 1
    assert len(mailbox.to(registration.user.email)) == 1


# --- The command ----------------------------------------------------------------------------------


def run() -> str:
    out = StringIO()
    call_command("remind_events", stdout=out)
    return out.getvalue()


def test_the_command_sends_each_once_and_says_how_many(territory, mailbox):
    tomorrow = (timezone.now().astimezone(SOFIA) + datetime.timedelta(days=1)).date()
    upcoming = event_on(datetime.datetime(*tomorrow.timetuple()[:3], 10, 0, tzinfo=SOFIA))
    reminded = RegistrationFactory(event=upcoming)
    finished = event_on(timezone.now() - datetime.timedelta(days=3))
    asked = attended(finished)

    first = run()
    assert "Reminders sent: 1" in first
    assert "Feedback requests sent: 1" in first
    assert {str(m["To"]) for m in mailbox.messages} == {reminded.user.email, asked.user.email}

    second = run()
    assert "Reminders sent: 0" in second
    assert "Feedback requests sent: 0" in second
    assert len(mailbox.messages) == 2


def test_the_command_is_quiet_with_verbosity_0(territory):
    out = StringIO()
    call_command("remind_events", verbosity=0, stdout=out)
    assert out.getvalue() == ""
