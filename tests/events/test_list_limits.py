"""What keeps the lists usable and fast at 50,000 events: an event lasts at most 31 days, a
day of the calendar shows at most DAY_LIMIT events, the organisers are listed for an area."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from events import selectors
from events.models import MAX_EVENT_DAYS
from tests.clients import signed_in
from tests.events.organiser_support import edit_data
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, sofia

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_an_event_longer_than_the_limit_is_refused() -> None:
    event = EventFactory()
    official = UserFactory()
    staff_of(event.institution, official)
    local = event.starts_at.astimezone(selectors.SOFIA)
    too_late = (local + datetime.timedelta(days=MAX_EVENT_DAYS + 1)).date().isoformat()
    data = edit_data(event, ends_on=too_late)
    response = signed_in(official).post(reverse("events:edit", args=[event.pk]), data)
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert response.context["form"]["ends_on"].value() == too_late  # what was typed stays
    before = event.ends_at
    event.refresh_from_db()
    assert event.ends_at == before


def test_a_busy_day_shows_its_first_events_and_counts_the_rest() -> None:
    made = [
        EventFactory(title=f"Среща {n:02d}", starts_at=sofia(2031, 11, 5, 8 + n),
                     ends_at=sofia(2031, 11, 5, 9 + n), with_sessions=False)
        for n in range(selectors.DAY_LIMIT + 3)
    ]  # fmt: skip
    response = Client().get(reverse("events:calendar"), {"month": "2031-11"})
    (day,) = [d for week in response.context["month"].weeks for d in week if d.date.day == 5
              and d.in_month]  # fmt: skip
    assert [e.pk for e in day.events] == [e.pk for e in made[: selectors.DAY_LIMIT]]
    assert day.more == 3
    page = response.content.decode()
    assert 'href="#month-list"' in page
    # Every one of them is in the month's list under the calendar (20 a page).
    assert response.context["month"].count == len(made)
    for e in made:
        assert e.get_absolute_url() in page


def test_organisers_are_listed_for_the_chosen_area_only() -> None:
    plovdiv = EventFactory(with_sessions=False)
    sliven = EventFactory(institution=generated("ma:SLV20"), province_id="SLV",
                          municipality_id="SLV20", with_sessions=False)  # fmt: skip
    form = Client().get(reverse("events:index")).context["form"]
    assert [v for v, _label in form.fields["organiser"].choices] == [""]
    assert form.fields["organiser"].help_text
    form = Client().get(reverse("events:index"), {"province": "PDV"}).context["form"]
    values = [v for v, _label in form.fields["organiser"].choices]
    assert f"institution-{plovdiv.institution_id}" in values
    assert f"institution-{sliven.institution_id}" not in values
    # A new organiser's event shows at once: saving an event moves the cached lists on.
    other = EventFactory(institution=generated("ma:PDV01"), with_sessions=False)
    form = Client().get(reverse("events:index"), {"province": "PDV"}).context["form"]
    assert f"institution-{other.institution_id}" in [v for v, _ in form.fields["organiser"].choices]


def test_the_cached_month_follows_a_saved_event() -> None:
    url, month = reverse("events:calendar"), {"month": "2031-11"}
    assert Client().get(url, month).context["month"].count == 0
    event = EventFactory(starts_at=sofia(2031, 11, 7, 10), ends_at=sofia(2031, 11, 7, 12),
                         with_sessions=False)  # fmt: skip
    assert Client().get(url, month).context["month"].count == 1
    event.title = "Ново заглавие на срещата"
    event.save()
    assert event.title in Client().get(url, month).content.decode()
