"""The month's table of the calendar is rendered once and kept with the month in the cache
(events.views.public._month_table, under selectors.month_key: the lists' version, the filters
and the day) for each language: a saved event shows at once, a change that raised no signal
(a bulk update) only once the lists' version moves on."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from events.models import Event
from tests.factories.events import EventFactory, sofia

pytestmark = pytest.mark.django_db

URL = "events:calendar"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The test database is rolled back after each test, the in-memory cache is not."""
    cache.clear()


def table(path: str, **params) -> str:
    response = Client().get(path, params)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<div class="table-wrap month-wrap">') : page.index("</table>")]


def test_a_saved_event_shows_in_the_kept_table_at_once():
    event = EventFactory(
        title="Среща за бюджета", starts_at=sofia(2031, 11, 5, 10), ends_at=sofia(2031, 11, 5, 12)
    )
    first = table(reverse(URL), month="2031-11")
    assert "Среща за бюджета" in first
    # A bulk update raises no signal: the kept table stays as it was.
    Event.objects.filter(pk=event.pk).update(title="Среща за транспорта")
    assert table(reverse(URL), month="2031-11") == first
    event.refresh_from_db()
    event.title = "Среща за паркирането"
    event.save()
    again = table(reverse(URL), month="2031-11")
    assert "Среща за паркирането" in again and "Среща за бюджета" not in again
    EventFactory(title="Втора среща", starts_at=sofia(2031, 11, 6, 10),
                 ends_at=sofia(2031, 11, 6, 12))  # fmt: skip
    assert "Втора среща" in table(reverse(URL), month="2031-11")
    event.delete()
    assert "Среща за паркирането" not in table(reverse(URL), month="2031-11")


def test_each_language_month_and_filter_has_its_own_table():
    EventFactory(
        title="Среща за бюджета", starts_at=sofia(2031, 11, 5, 10), ends_at=sofia(2031, 11, 5, 12)
    )
    bulgarian = table(reverse(URL), month="2031-11")
    assert "<caption>ноември 2031 г.: 1 събитие</caption>" in bulgarian
    english = table("/en" + reverse(URL), month="2031-11")
    assert "<caption>November 2031: 1 event</caption>" in english
    assert 'href="/en/events/' in english and 'href="/events/' in bulgarian
    assert "Среща за бюджета" not in table(reverse(URL), month="2031-12")
    assert "Среща за бюджета" not in table(reverse(URL), month="2031-11", province="SML")
    assert "Среща за бюджета" in table(reverse(URL), month="2031-11", province="PDV")
