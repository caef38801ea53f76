"""The organiser checks people in at the door (a phone-friendly list per day with search by
name or code) and reads the attendance report: permissions, the day chosen, the search in
Cyrillic and Latin, check-in and undo through events.services, bad input (an unknown code, a
day that is not the event's, a malformed day) and flat query counts."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.enums import Role
from core.legal_calendar import SOFIA
from events.enums import RegistrationState, State
from events.models import Attendance, Event
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

PAGES = ["events:attendance", "events:attendance-report"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


@pytest.fixture
def plovdiv():
    return generated("ma:PDV22")


@pytest.fixture
def organiser(plovdiv):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(plovdiv, user)
    return user


@pytest.fixture
def event():
    return EventFactory()


def people(event: Event) -> dict[str, object]:
    """Everyone on the ladder except the anonymous visitor."""
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    own = UserFactory()
    staff_of(event.institution, own)
    registrant = RegistrationFactory(event=event).user
    return {
        "citizen": UserFactory(),
        "registrant": registrant,
        "staff of another institution": other,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "organiser": own,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }


ALLOWED = {"organiser", "administrator"}


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def running_today(**kwargs) -> Event:
    """A two-day event that started yesterday at 9:30 (Sofia) and ends today."""
    day = sofia_today() - datetime.timedelta(days=1)
    start = datetime.datetime(day.year, day.month, day.day, 9, 30, tzinfo=SOFIA)
    return EventFactory(starts_at=start, ends_at=start + datetime.timedelta(days=1, hours=7),
                        registration_opens_at=start - datetime.timedelta(days=20),
                        registration_closes_at=start - datetime.timedelta(days=1),
                        **kwargs)  # fmt: skip


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def list_url(event: Event, **params: str) -> str:
    url = reverse("events:attendance", args=[event.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


# --- permissions -----------------------------------------------------------------------------


def test_permission_ladder_on_the_pages(event) -> None:
    ladder = people(event)
    for name in PAGES:
        url = reverse(name, args=[event.pk])
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        for role, user in ladder.items():
            response = signed_in(user).get(url)
            expected = 200 if role in ALLOWED else 403
            assert response.status_code == expected, (name, role)


def test_permission_ladder_on_checking_in(event) -> None:
    target = RegistrationFactory(event=event)
    url = reverse("events:check-in", args=[event.pk])
    data = {"code": target.code, "day": event.days[0].isoformat()}
    response = Client().post(url, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role, user in people(event).items():
        if role in ALLOWED:
            continue
        assert signed_in(user).post(url, data).status_code == 403, role
    assert not Attendance.objects.exists()


def test_a_draft_event_is_not_found_for_those_who_may_not_see_it(organiser) -> None:
    draft = EventFactory(state=State.DRAFT, published_at=None)
    url = reverse("events:attendance", args=[draft.pk])
    assert signed_in(UserFactory()).get(url).status_code == 404
    assert signed_in(organiser).get(url).status_code == 200
    assert signed_in(organiser).get(reverse("events:attendance", args=[2**63])).status_code == 404


def test_representatives_and_network_coordinators_organise_their_events() -> None:
    organisation = OrganisationFactory()
    rep = UserFactory()
    representative_of(organisation, rep)
    network = NetworkFactory()
    coordinator = UserFactory()
    representative_of(network.coordinator, coordinator)
    own = EventFactory(institution=None, organisation=organisation)
    networks = EventFactory(institution=None, network=network)
    for user, mine, other in ((rep, own, networks), (coordinator, networks, own)):
        client = signed_in(user)
        assert client.get(reverse("events:attendance", args=[mine.pk])).status_code == 200
        assert client.get(reverse("events:attendance", args=[other.pk])).status_code == 403


def test_check_in_takes_only_post_with_csrf(organiser, event) -> None:
    url = reverse("events:check-in", args=[event.pk])
    assert signed_in(organiser).get(url).status_code == 405
    strict = signed_in(organiser, Client(enforce_csrf_checks=True))
    target = RegistrationFactory(event=event)
    response = strict.post(url, {"code": target.code, "day": event.days[0].isoformat()})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_confirmed_participants_of_the_first_day(organiser, event) -> None:
    ana = RegistrationFactory(event=event, name="Анна Димитрова", organisation_name="Сдружение")
    bob = RegistrationFactory(event=event, name="Борислав Илиев")
    waiting = RegistrationFactory(event=event, name="Чакащ Човек", state=RegistrationState.WAITING)
    other = RegistrationFactory(name="От Друго Събитие")
    at = datetime.datetime(2026, 1, 1, 9, 41, tzinfo=SOFIA)
    Attendance.objects.create(registration=ana, day=event.days[0], checked_in_at=at)
    Attendance.objects.create(registration=bob, day=event.days[1])
    response = signed_in(organiser).get(list_url(event))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["day"] == event.days[0]  # the event has not begun: its first day
    assert [p.registration for p in ctx["people"]] == [ana, bob]
    assert (ctx["present_count"], ctx["confirmed_count"]) == (1, 2)
    assert [d for d, _label, _current in ctx["days"]] == event.days
    html = response.content.decode()
    assert ana.code in html and bob.code in html and "Сдружение" in html
    assert waiting.code not in html and other.code not in html
    assert "09:41" in html  # the time of check-in, Sofia
    assert f'id="p-{ana.code}"' in html
    # One form per person, each for its own code and the day shown.
    action = reverse("events:check-in", args=[event.pk])
    assert html.count(f'action="{action}"') == 2
    assert html.count(f'name="day" value="{event.days[0].isoformat()}"') >= 2


def test_the_second_day_and_today(organiser, event) -> None:
    reg = RegistrationFactory(event=event)
    Attendance.objects.create(registration=reg, day=event.days[1])
    response = signed_in(organiser).get(list_url(event, day=event.days[1].isoformat()))
    assert response.context["day"] == event.days[1]
    assert response.context["present_count"] == 1
    assert response.context["people"][0].attendance is not None
    running = running_today()
    response = signed_in(organiser).get(list_url(running))
    assert response.context["day"] == sofia_today() == running.days[1]


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "2026-02-30", "1" * 200, "20261122"])
def test_a_malformed_day_shows_a_message_and_the_default_day(organiser, event, day) -> None:
    response = signed_in(organiser).get(reverse("events:attendance", args=[event.pk]),
                                        {"day": day})  # fmt: skip
    assert response.status_code == 200
    assert response.context["day"] == event.days[0]
    assert response.context["day_error"]


def test_a_day_outside_the_event_shows_a_message(organiser, event) -> None:
    outside = (event.days[-1] + datetime.timedelta(days=1)).isoformat()
    with translation.override("en"):
        response = signed_in(organiser).get(list_url(event, day=outside))
    assert response.context["day"] == event.days[0]
    assert f"“{outside}” is not a day of this event" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("петров", {"Иван Петров"}),
        ("ПЕТРОВ", {"Иван Петров"}),
        ("Ivan", {"Иван Петров", "Ivan Stoyanov"}),
        ("ivan petrov", {"Иван Петров"}),
        ("Стоянов", {"Ivan Stoyanov"}),
        ("Щерю", {"Щерю Ясенов"}),
        ("shteryu", {"Щерю Ясенов"}),
        ("Никой", set()),
    ],
)
def test_search_by_name_in_cyrillic_or_latin(organiser, event, query, found) -> None:
    for name in ("Иван Петров", "Ivan Stoyanov", "Щерю Ясенов", "Мария Колева"):
        RegistrationFactory(event=event, name=name)
    response = signed_in(organiser).get(reverse("events:attendance", args=[event.pk]),
                                        {"q": query})  # fmt: skip
    assert {p.registration.name for p in response.context["people"]} == found
    assert response.context["confirmed_count"] == 4


def test_search_by_registration_code(organiser, event) -> None:
    regs = RegistrationFactory.create_batch(3, event=event)
    target = regs[1]
    client = signed_in(organiser)
    for typed in (target.code, target.code.lower(), f" {target.code[:4]}-{target.code[4:]} "):
        response = client.get(reverse("events:attendance", args=[event.pk]), {"q": typed})
        assert [p.registration for p in response.context["people"]] == [target], typed
    # The search keeps the day; the check-in forms carry the query back.
    response = client.get(reverse("events:attendance", args=[event.pk]),
                          {"q": target.code, "day": event.days[1].isoformat()})  # fmt: skip
    html = response.content.decode()
    assert f'name="q" value="{target.code}"' in html
    assert response.context["day"] == event.days[1]


def test_the_list_query_count_is_flat(organiser, event) -> None:
    client = signed_in(organiser)
    counts = []
    for total in (3, 30):
        while event.registrations.count() < total:
            reg = RegistrationFactory(event=event)
            Attendance.objects.create(registration=reg, day=event.days[0])
        for name in PAGES:
            url = reverse(name, args=[event.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts
    assert max(counts) <= 12, counts


# --- checking in -----------------------------------------------------------------------------


def post_check_in(client: Client, event: Event, **data: str):
    return client.post(reverse("events:check-in", args=[event.pk]), data)


def test_check_in_and_undo(organiser, event) -> None:
    reg = RegistrationFactory(event=event, name="Иван Петров")
    client = signed_in(organiser)
    day = event.days[1].isoformat()
    response = post_check_in(client, event, code=reg.code, day=day, q="петров")
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == reverse("events:attendance", args=[event.pk])
    assert parse_qs(parts.query) == {"day": [day], "q": ["петров"]}
    assert parts.fragment == f"p-{reg.code}"
    attendance = Attendance.objects.get(registration=reg)
    assert attendance.day == event.days[1]
    assert attendance.checked_in_by == organiser
    # Twice is harmless (a double tap at the door).
    post_check_in(client, event, code=reg.code, day=day)
    assert Attendance.objects.filter(registration=reg).count() == 1
    page = client.get(response["Location"])
    assert page.context["present_count"] == 1
    assert timezone.localtime(attendance.checked_in_at, SOFIA).strftime("%H:%M") in (
        page.content.decode()
    )
    response = post_check_in(client, event, code=reg.code, day=day, undo="1")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).fragment == f"p-{reg.code}"
    assert not Attendance.objects.filter(registration=reg).exists()


def test_the_code_may_be_typed_in_lower_case(organiser, event) -> None:
    reg = RegistrationFactory(event=event)
    post_check_in(signed_in(organiser), event, code=reg.code.lower(),
                  day=event.days[0].isoformat())  # fmt: skip
    assert Attendance.objects.filter(registration=reg, day=event.days[0]).exists()


@pytest.mark.parametrize("which", ["unknown", "waiting", "cancelled", "other event", "empty"])
def test_a_code_that_is_not_a_confirmed_participant_is_refused(organiser, event, which) -> None:
    codes = {
        "unknown": "ZZZZ2222",
        "waiting": RegistrationFactory(event=event, state=RegistrationState.WAITING).code,
        "cancelled": RegistrationFactory(event=event, state=RegistrationState.CANCELLED).code,
        "other event": RegistrationFactory().code,
        "empty": "",
    }
    with translation.override("en"):
        response = post_check_in(signed_in(organiser), event, code=codes[which],
                                 day=event.days[0].isoformat(), q="abc")  # fmt: skip
        expected = gettext(
            "No confirmed participant of this event has the registration code “%(code)s”."
        ) % {"code": codes[which]}
        assert messages_of(response) == [expected]
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == {
        "day": [event.days[0].isoformat()], "q": ["abc"]
    }  # fmt: skip
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("day", ["outside", "2026-02-30", "tomorrow", ""])
def test_a_day_that_is_not_the_events_is_refused(organiser, event, day) -> None:
    reg = RegistrationFactory(event=event)
    if day == "outside":
        day = (event.days[0] - datetime.timedelta(days=1)).isoformat()
    with translation.override("en"):
        response = post_check_in(signed_in(organiser), event, code=reg.code, day=day)
        assert messages_of(response) == [
            gettext("“%(day)s” is not a day of this event: nobody was checked in.") % {"day": day}
        ]
        assert urlsplit(response["Location"]).path == reverse("events:attendance", args=[event.pk])
    assert response.status_code == 302
    assert not Attendance.objects.exists()


# --- the report ------------------------------------------------------------------------------


def test_the_report_per_day_and_all_days(organiser, event) -> None:
    both = RegistrationFactory(event=event, name="Анна Атанасова")
    first = RegistrationFactory(event=event, name="Борис Борисов")
    never = RegistrationFactory(event=event, name="Васил Василев")
    left = RegistrationFactory(event=event, name="Георги Господинов",
                               state=RegistrationState.CANCELLED)  # fmt: skip
    RegistrationFactory(event=event, name="Чакащ", state=RegistrationState.WAITING)
    for reg, day in ((both, 0), (both, 1), (first, 0), (left, 0)):
        Attendance.objects.create(registration=reg, day=event.days[day])
    Attendance.objects.create(registration=RegistrationFactory(), day=event.days[0])
    response = signed_in(organiser).get(reverse("events:attendance-report", args=[event.pk]))
    assert response.status_code == 200
    ctx = response.context
    # Checked in and cancelled later: still counted as present that day, marked.
    assert [r.registration for r in ctx["rows"]] == [both, first, never, left]
    assert [d["present"] for d in ctx["per_day"]] == [3, 1]
    assert ctx["confirmed_count"] == 3
    assert ctx["all_days_count"] == 1
    assert [r.all_days for r in ctx["rows"]] == [True, False, False, False]
    assert [bool(m) for m in ctx["rows"][1].marks] == [True, False]
    html = response.content.decode()
    assert "✓" in html and "<caption>" in html
    assert reverse("events:attendance-sheet", args=[event.pk]) + f"?day={event.days[1]}" in html
    assert reverse("events:participants-csv", args=[event.pk]) in html


def test_the_report_of_an_event_without_participants(organiser, event) -> None:
    response = signed_in(organiser).get(reverse("events:attendance-report", args=[event.pk]))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert [d["present"] for d in response.context["per_day"]] == [0, 0]


def test_check_in_to_a_cancelled_event_is_refused_with_the_services_message(organiser) -> None:
    cancelled = EventFactory(state=State.CANCELLED, cancelled_reason="Болест на лектора")
    reg = RegistrationFactory(event=cancelled)
    response = post_check_in(signed_in(organiser), cancelled, code=reg.code,
                             day=cancelled.days[0].isoformat())  # fmt: skip
    assert response.status_code == 302
    assert urlsplit(response["Location"]).fragment == f"p-{reg.code}"
    assert len(messages_of(response)) == 1
    assert not Attendance.objects.exists()


def test_check_in_is_rate_limited(organiser, event) -> None:
    reg = RegistrationFactory(event=event)
    client = signed_in(organiser)
    data = {"code": reg.code, "day": event.days[0].isoformat()}
    url = reverse("events:check-in", args=[event.pk])
    assert client.post(url, data).status_code == 302
    # A thousand check-ins an hour is a door with a queue; more is a script.
    cache.set(f"ratelimit:events-attendance:user:{organiser.pk}", 1000, timeout=3600)
    assert client.post(url, data | {"undo": "1"}).status_code == 429
    assert Attendance.objects.filter(registration=reg).exists()
