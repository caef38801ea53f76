"""When the organiser changes when or where a published event takes place, everyone
registered is told (the confirmed with the updated .ics); other edits tell nobody."""

from __future__ import annotations

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse

from events import services
from events.enums import State
from events.services import Answers
from tests.clients import signed_in
from tests.conftest import Mailbox
from tests.events.organiser_support import edit_data
from tests.factories.accounts import UserFactory
from tests.factories.directory import staff_of
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _registered(event, n: int) -> list:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        services.register(event, person, Answers(name=person.get_full_name() or "Иван Петров"))
    return people


def test_a_new_time_reaches_everyone_registered(mailbox) -> None:
    event = EventFactory(capacity=1)
    organiser = UserFactory()
    staff_of(event.institution, organiser)
    confirmed, waiting = _registered(event, 2)
    mailbox.clear()
    local = event.starts_at.astimezone(services.SOFIA)
    data = edit_data(event, starts_time="10:30")
    response = signed_in(organiser).post(reverse("events:edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at.astimezone(services.SOFIA).hour == 10 != local.hour
    to_confirmed, to_waiting = mailbox.to(confirmed.email), mailbox.to(waiting.email)
    assert len(to_confirmed) == 1 and len(to_waiting) == 1
    assert event.get_absolute_url() in Mailbox.body(to_confirmed[0])
    ics = [p for p in to_confirmed[0].walk() if p.get_filename() == "event.ics"]
    assert len(ics) == 1 and not [p for p in to_waiting[0].walk() if p.get_filename()]
    calendar = icalendar.Calendar.from_ical(ics[0].get_payload(decode=True))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert int(vevent["SEQUENCE"]) == event.version


def test_other_edits_and_drafts_tell_nobody(mailbox) -> None:
    event = EventFactory()
    organiser = UserFactory()
    staff_of(event.institution, organiser)
    (person,) = _registered(event, 1)
    mailbox.clear()
    client = signed_in(organiser)
    data = edit_data(event, title="Обучение с ново име")
    assert client.post(reverse("events:edit", args=[event.pk]), data).status_code == 302
    assert mailbox.to(person.email) == []
    draft = EventFactory(state=State.DRAFT)
    assert services.tell_about_change(draft) == 0


def test_a_new_venue_counts_as_a_change(mailbox) -> None:
    event = EventFactory()
    (person,) = _registered(event, 1)
    mailbox.clear()
    before = services.when_and_where(event)
    event.venue = "Зала 5"
    event.save()
    assert services.when_and_where(event) != before
    assert services.tell_about_change(event) == 1
    assert len(mailbox.to(person.email)) == 1
