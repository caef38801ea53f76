"""iCalendar feeds of events, each parsed with the icalendar library as a calendar client
would: all public events (upcoming and the last 90 days), per municipality, per organiser,
one person's registrations (a signed token; a wrong one is a 404) and one event's .ics.
UIDs are stable, SEQUENCE follows the event's version, a cancelled event is sent as cancelled,
times are right across daylight saving, and the query count stays flat."""

from __future__ import annotations

import datetime
import re

import icalendar
import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.ical import host
from events.enums import Format, RegistrationState, State
from events.models import Event
from events.views.feeds import personal_token
from tests.clients import signed_in
from tests.events.test_public import make_people
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated
from tests.factories.events import EventFactory, RegistrationFactory, sofia
from tests.factories.organisations import NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content.decode("utf-8"))


def vevents(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def uid(event: Event) -> str:
    return f"event-{event.pk}@{host()}"


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_feed_of_all_public_events_upcoming_and_recent():
    coming = EventFactory(title="Обучение, което предстои")
    recent = EventFactory(title="Дискусия преди месец")
    Event.objects.filter(pk=recent.pk).update(starts_at=ago(31), ends_at=ago(30))
    old = EventFactory(title="Стара дискусия")
    Event.objects.filter(pk=old.pk).update(starts_at=ago(121), ends_at=ago(120))
    draft = EventFactory(state=State.DRAFT)
    cancelled = EventFactory(state=State.CANCELLED, title="Отменен семинар")

    cal = parse(Client().get(reverse("events:feed")))
    items = vevents(cal)
    assert uid(coming) in items and uid(recent) in items and uid(cancelled) in items
    assert uid(old) not in items and uid(draft) not in items
    item = items[uid(coming)]
    assert str(item["SUMMARY"]) == "Обучение, което предстои"
    assert item.decoded("DTSTART") == coming.starts_at
    assert item.decoded("DTEND") == coming.ends_at
    assert "Зала „Съединение“" in str(item["LOCATION"])
    assert str(item["URL"]).endswith(coming.get_absolute_url())
    assert str(item["STATUS"]) == "CONFIRMED"
    assert str(items[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert int(items[uid(cancelled)]["SEQUENCE"]) == cancelled.version + 1


def test_sequence_follows_the_version_and_the_uid_stays():
    event = EventFactory()
    first = vevents(parse(Client().get(reverse("events:feed"))))[uid(event)]
    Event.objects.filter(pk=event.pk).update(version=4, title="Ново заглавие")
    second = vevents(parse(Client().get(reverse("events:feed"))))[uid(event)]
    assert int(first["SEQUENCE"]) == 1
    assert int(second["SEQUENCE"]) == 4
    assert str(second["SUMMARY"]) == "Ново заглавие"


def test_times_are_right_across_daylight_saving():
    # Sofia is UTC+2 in winter and UTC+3 in summer: 09:30 there is 07:30 or 06:30 UTC.
    winter = EventFactory(starts_at=sofia(2031, 1, 15, 9, 30), ends_at=sofia(2031, 1, 15, 17))
    summer = EventFactory(starts_at=sofia(2031, 7, 15, 9, 30), ends_at=sofia(2031, 7, 15, 17))
    body = Client().get(reverse("events:feed")).content.decode()
    assert "DTSTART:20310115T073000Z" in body
    assert "DTSTART:20310715T063000Z" in body
    items = vevents(icalendar.Calendar.from_ical(body))
    assert items[uid(winter)].decoded("DTSTART") == winter.starts_at
    assert items[uid(summer)].decoded("DTSTART") == summer.starts_at


def test_online_event_location_and_no_link_in_public_feeds():
    event = EventFactory(format=Format.ONLINE, online_url="https://meet.example.org/secret")
    body = Client().get(reverse("events:feed")).content.decode()
    assert "meet.example.org/secret" not in body
    assert vevents(icalendar.Calendar.from_ical(body))[uid(event)]["LOCATION"]


def test_municipality_feed_has_only_its_events():
    plovdiv = EventFactory()
    varna = EventFactory(
        institution=generated("ma:VAR01"), province_id="VAR", municipality_id="VAR01"
    )
    items = vevents(parse(Client().get(reverse("events:feed-municipality", args=["VAR01"]))))
    assert set(items) == {uid(varna)}
    assert uid(plovdiv) not in items


@pytest.mark.parametrize("code", ["XXX99", "var01", "PDV2", "../..", "ПДВ22"])
def test_municipality_feed_bad_code_is_404(code):
    assert Client().get(f"/events/feed/municipalities/{code}.ics").status_code == 404


def test_organiser_feeds():
    by_institution = EventFactory()
    organisation = OrganisationFactory()
    by_ngo = EventFactory(institution=None, organisation=organisation)
    network = NetworkFactory()
    by_network = EventFactory(institution=None, network=network)
    for kind, pk, expected in (
        ("institution", by_institution.institution_id, by_institution),
        ("organisation", organisation.pk, by_ngo),
        ("network", network.pk, by_network),
    ):
        items = vevents(parse(Client().get(reverse("events:feed-organiser", args=[kind, pk]))))
        assert set(items) == {uid(expected)}


def test_organiser_feed_unknown_kind_or_id_is_404():
    assert Client().get(reverse("events:feed-organiser", args=["person", 1])).status_code == 404
    assert (
        Client().get(reverse("events:feed-organiser", args=["institution", 10**9])).status_code
        == 404
    )
    hidden = OrganisationFactory(visibility="pending")
    assert (
        Client().get(reverse("events:feed-organiser", args=["organisation", hidden.pk])).status_code
        == 404
    )


def test_personal_feed_lists_the_persons_active_registrations():
    person = UserFactory()
    confirmed = EventFactory(
        title="Потвърдено", format=Format.HYBRID, online_url="https://meet.example.org/mine"
    )
    RegistrationFactory(event=confirmed, user=person)
    waiting = EventFactory(
        title="Чакам", format=Format.ONLINE, online_url="https://meet.example.org/not-yet"
    )
    RegistrationFactory(
        event=waiting, user=person, state=RegistrationState.WAITING, waiting_since=timezone.now()
    )
    gone = EventFactory(title="Отказах се")
    RegistrationFactory(event=gone, user=person, state=RegistrationState.CANCELLED)
    someone_elses = EventFactory(title="Чуждо")
    RegistrationFactory(event=someone_elses)
    called_off = EventFactory(title="Отменено от организатора", state=State.CANCELLED)
    RegistrationFactory(event=called_off, user=person)

    # The address is the one "My registrations" gives.
    page = signed_in(person).get(reverse("events:mine")).content.decode()
    url = re.search(r'value="https?://[^/]+(/[^"]*\.ics)"', page).group(1)
    assert url == reverse("events:feed-personal", args=[personal_token(person)])
    assert str(person.pk) in url.split("/")[-1]  # its id, signed: nothing else about them
    assert person.email not in url

    response = Client().get(url)  # calendar clients do not sign in
    body = response.content.decode()
    items = vevents(parse(response))
    assert set(items) == {uid(confirmed), uid(waiting), uid(called_off)}
    assert str(items[uid(called_off)]["STATUS"]) == "CANCELLED"
    # The online link only where the place is confirmed.
    assert "meet.example.org/mine" in body.replace("\r\n ", "")
    assert "not-yet" not in body


def test_personal_token_is_stable_and_a_bad_one_is_404():
    person = UserFactory()
    token = personal_token(person)
    assert token == personal_token(person)
    forged = f"{person.pk + 1}:{token.split(':', 1)[1]}"
    other_salt = signing.Signer(salt="something-else").sign(str(person.pk))
    for bad in (forged, other_salt, "nonsense", f"{person.pk}"):
        assert Client().get(reverse("events:feed-personal", args=[bad])).status_code == 404
    person.is_active = False
    person.save()
    assert Client().get(reverse("events:feed-personal", args=[token])).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "citizen",
        "registrant",
        "organiser",
        "other staff",
        "moderator",
        "administrator",
    ],
)
def test_event_ics_by_role(role):
    public = EventFactory(format=Format.HYBRID, online_url="https://meet.example.org/room")
    draft = EventFactory(state=State.DRAFT, published_at=None)
    people = make_people(public)
    client = people.client(role)
    response = client.get(reverse("events:event-ics", args=[public.pk]))
    cal = parse(response)
    assert list(vevents(cal)) == [uid(public)]
    assert 'filename="event-' in response["Content-Disposition"]
    sees_link = role in {"registrant", "organiser", "administrator"}
    assert ("meet.example.org/room" in response.content.decode().replace("\r\n ", "")) is sees_link
    draft_response = client.get(reverse("events:event-ics", args=[draft.pk]))
    assert draft_response.status_code == (200 if role in {"organiser", "administrator"} else 404)


def test_event_ics_unknown_is_404():
    assert Client().get(reverse("events:event-ics", args=[987654])).status_code == 404


def test_feeds_refuse_writes():
    assert Client().post(reverse("events:feed")).status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_feed_query_counts_are_flat(rows, django_assert_max_num_queries):
    person = UserFactory()
    organisation = OrganisationFactory()
    for i in range(rows):
        event = EventFactory(
            with_sessions=False,
            **({"institution": None, "organisation": organisation} if i % 2 else {}),
        )
        RegistrationFactory(event=event, user=person)
    with django_assert_max_num_queries(1):
        assert len(vevents(parse(Client().get(reverse("events:feed"))))) == rows
    with django_assert_max_num_queries(2):
        Client().get(reverse("events:feed-municipality", args=["PDV22"]))
    with django_assert_max_num_queries(2):
        Client().get(reverse("events:feed-organiser", args=["organisation", organisation.pk]))
    with django_assert_max_num_queries(2):
        items = vevents(
            parse(Client().get(reverse("events:feed-personal", args=[personal_token(person)])))
        )
    assert len(items) == rows
