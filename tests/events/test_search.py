"""Events in the shared search index (core.search): the list's `q` finds events by their title,
description, organiser and place, in Cyrillic or Latin, with Bulgarian word forms; drafts stay
out until published; the entry follows the event when it is saved, published or deleted; and
the site-wide search shows events as their own group."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from core import search as search_index
from core.models import SearchEntry
from events import search as events_search
from events import services
from events.enums import State
from events.models import Event
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> set[str]:
    response = Client().get(reverse("events:index"), {"q": q})
    assert response.status_code == 200
    return {e.title for e in response.context["events"]}


def entry(event: Event) -> SearchEntry:
    return SearchEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Event), object_id=str(event.pk)
    )


@pytest.fixture
def two_events():
    training = EventFactory(
        title="Обучение по застъпнически кампании",
        description="Практически упражнения по **бюджетиране** за читалища.",
    )
    hearing = EventFactory(
        title="Публично изслушване за бюджета",
        kind="public_hearing",
        description="Изслушване на гражданите по проекта на бюджет.",
        institution=generated("ma:VAR01"),
        province_id="VAR",
        municipality_id="VAR01",
        venue="Зала „Варна“",
    )
    return training, hearing


def test_search_by_title_in_cyrillic_and_latin(two_events):
    assert found("обучение") == {"Обучение по застъпнически кампании"}
    assert found("obuchenie") == {"Обучение по застъпнически кампании"}
    assert found("izslushvane") == {"Публично изслушване за бюджета"}


def test_search_finds_bulgarian_word_forms(two_events):
    # Plural and definite forms meet the singular in the title.
    assert found("обученията") == {"Обучение по застъпнически кампании"}
    assert found("кампанията") == {"Обучение по застъпнически кампании"}
    assert found("изслушванията") == {"Публично изслушване за бюджета"}


def test_search_by_description_organiser_and_place(two_events):
    assert found("читалищата") == {"Обучение по застъпнически кампании"}
    assert found("варна") == {"Публично изслушване за бюджета"}
    assert found("plovdiv") == {"Обучение по застъпнически кампании"}
    # Every word must match: the two words come from two different events.
    assert found("читалища варна") == set()


def test_search_combines_with_the_other_filters(two_events):
    response = Client().get(reverse("events:index"), {"q": "бюджет", "province": "VAR"})
    assert {e.title for e in response.context["events"]} == {"Публично изслушване за бюджета"}


def test_drafts_are_indexed_but_not_found_until_published():
    draft = EventFactory(title="Тайна работна среща", state=State.DRAFT, published_at=None)
    assert entry(draft).public is False
    assert found("тайна") == set()
    assert not search_index.matching("тайна", kind=events_search.KIND).exists()
    draft.state = State.PUBLISHED
    draft.save()
    assert entry(draft).public is True
    assert found("тайна") == {"Тайна работна среща"}


def test_publishing_through_the_services_makes_the_event_findable():
    organiser = UserFactory()
    staff_of(generated(), organiser)
    draft = EventFactory(title="Семинар за младежки политики", state=State.DRAFT, published_at=None)
    services.publish(draft, by=organiser)
    assert Event.objects.get(pk=draft.pk).state == State.PUBLISHED
    assert entry(draft).public is True
    assert found("младежки") == {"Семинар за младежки политики"}


def test_the_entry_follows_the_saved_event_and_goes_with_it():
    event = EventFactory(title="Дискусия за транспорта")
    event.title = "Дискусия за велоалеите"
    event.save()
    assert found("велоалеите") == {"Дискусия за велоалеите"}
    assert found("транспорта") == set()
    pk = event.pk
    event.delete()
    assert not SearchEntry.objects.filter(object_id=str(pk), kind=events_search.KIND).exists()


def test_cancelled_events_stay_findable_and_past_ones_rank_after_upcoming():
    cancelled = EventFactory(title="Отменен семинар по екология", state=State.CANCELLED)
    assert entry(cancelled).public is True
    assert found("екология") == {"Отменен семинар по екология"}
    assert entry(cancelled).boost == events_search.UPCOMING_BOOST


def test_site_search_shows_events_as_a_group(two_events):
    groups = search_index.grouped("обучение")
    kinds = {g.kind.kind: g for g in groups}
    assert events_search.KIND in kinds
    assert kinds[events_search.KIND].entries[0].title_bg == "Обучение по застъпнически кампании"


def test_reindex_rebuilds_the_events(two_events):
    SearchEntry.objects.filter(kind=events_search.KIND).delete()
    assert found("обучение") == set()
    assert search_index.reindex(events_search.KIND) >= 2
    assert found("обучение") == {"Обучение по застъпнически кампании"}
