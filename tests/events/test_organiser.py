"""The organiser's side of an event: creating it for an institution, organisation or network
one may act for, editing it with its sessions (validation next to each field, optimistic
locking, the places never below the confirmed), publishing and cancelling it through
events.services, and running it from its page (counts, registrations by state, approval)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from core.legal_calendar import SOFIA
from core.models import Topic
from events import services
from events.enums import Audience, Format, Kind, RegistrationState, State
from events.forms import capacity_message
from events.models import Event, Programme, RegistrationChange, Session, Strand
from tests.clients import signed_in
from tests.events.organiser_support import (
    ALLOWED,
    draft,
    edit_data,
    event_data,
    field_block,
    in_days,
    ladder,
    network_event,
    organisation_event,
)
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import ConsultationFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

CONFIRMED = RegistrationState.CONFIRMED
WAITING = RegistrationState.WAITING
PENDING = RegistrationState.PENDING


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


@pytest.fixture
def plovdiv():
    return generated("ma:PDV22")


@pytest.fixture
def staff(plovdiv):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(plovdiv, user)
    return user


def new_url(organiser) -> str:
    return reverse("events:new") + f"?organiser={organiser._meta.model_name}-{organiser.pk}"


def register(event: Event, n: int = 1) -> list:
    people = [UserFactory() for _ in range(n)]
    return [services.register(event, u, services.Answers(name=f"Участник {u.pk}")) for u in people]


# --- creating --------------------------------------------------------------------------------


def test_permission_ladder_on_creating(plovdiv) -> None:
    url = new_url(plovdiv)
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    people = ladder(EventFactory(institution=plovdiv))
    for role, user in people.items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, event_data())
        assert response.status_code == (302 if role in ALLOWED else 403), role
    assert Event.objects.filter(institution=plovdiv, state=State.DRAFT).count() == 2


def test_creating_makes_a_draft_with_its_sessions(staff, plovdiv) -> None:
    topic = Topic.objects.create(slug="training", name_bg="Обучения")
    response = signed_in(staff).post(new_url(plovdiv), event_data(topics=[str(topic.pk)]))
    event = Event.objects.get(title="Обучение: застъпнически кампании")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[event.pk])
    assert event.state == State.DRAFT and event.published_at is None
    assert event.institution == plovdiv and event.organisation is None and event.network is None
    assert event.created_by == staff
    assert event.capacity == 20 and event.hours == Decimal("16")
    assert event.settlement_id == "56784" and event.municipality_id == "PDV22"
    assert event.ask_organisation and event.ask_accessibility and not event.ask_position
    assert list(event.topics.all()) == [topic]
    start = event.starts_at.astimezone(SOFIA)
    assert (start.date(), start.hour, start.minute) == (in_days(20), 9, 30)
    assert event.registration_closes_at.astimezone(SOFIA).date() == in_days(19)
    assert event.registration_opens_at is None
    session = event.sessions.get()
    assert (session.day, session.starts, session.ends) == (
        in_days(20),
        datetime.time(9, 30),
        datetime.time(12, 30),
    )
    assert event.version == 1


def test_representatives_and_coordinators_create_events() -> None:
    organisation = OrganisationFactory()
    rep = UserFactory()
    representative_of(organisation, rep)
    network = NetworkFactory()
    coordinator = UserFactory()
    representative_of(network.coordinator, coordinator)
    # Territory left empty: the organisation's seat (Plovdiv) is taken.
    data = event_data(province="", municipality="", settlement="")
    assert signed_in(rep).post(new_url(organisation), data).status_code == 302
    event = Event.objects.get(organisation=organisation)
    assert (event.province_id, event.municipality_id) == ("PDV", "PDV22")
    response = signed_in(coordinator).post(new_url(network), event_data(title="Среща на мрежата"))
    assert response.status_code == 302
    assert Event.objects.get(network=network).title == "Среща на мрежата"
    # The coordinator's organisation is not the network: neither may use the other's.
    assert signed_in(rep).get(new_url(network)).status_code == 403


def test_without_an_organiser_in_the_address(plovdiv) -> None:
    url = reverse("events:new")
    only_staff = UserFactory()
    staff_of(plovdiv, only_staff)
    response = signed_in(only_staff).get(url)
    assert response.status_code == 200 and response.context["organiser"] == plovdiv
    several = UserFactory()
    staff_of(plovdiv, several)
    organisation = OrganisationFactory()
    representative_of(organisation, several)
    network = NetworkFactory(coordinator=organisation)
    response = signed_in(several).get(url)
    assert response.status_code == 200 and "form" not in response.context
    links = [row[0] for row in response.context["rows"]]
    assert links == [
        f"{url}?organiser=institution-{plovdiv.pk}",
        f"{url}?organiser=organisation-{organisation.pk}",
        f"{url}?organiser=network-{network.pk}",
    ]
    assert signed_in(UserFactory()).get(url).status_code == 403
    admin = RoleAssignmentFactory(role="administrator").user
    assert signed_in(admin).get(url).status_code == 200


@pytest.mark.parametrize("value", ["institution-999999999", "network-99999999", "organisation-0"])
def test_an_unknown_organiser_is_404(staff, value) -> None:
    response = signed_in(staff).get(reverse("events:new") + f"?organiser={value}")
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["person-1", "institution-", "institution-x", "institution"])
def test_a_malformed_organiser_is_404(staff, value) -> None:
    response = signed_in(staff).get(reverse("events:new") + f"?organiser={value}")
    assert response.status_code == 404


def test_the_territory_defaults_to_the_organiser(staff, plovdiv) -> None:
    response = signed_in(staff).get(new_url(plovdiv))
    form = response.context["form"]
    assert form.initial["province"] == "PDV" and form.initial["municipality"] == "PDV22"
    html = response.content.decode()
    assert '<option value="56784">гр. Пловдив</option>' in html


def test_times_are_sofia_time_across_daylight_saving(staff, plovdiv) -> None:
    # 09:30 in July is 06:30 UTC; in January 07:30 UTC.
    client = signed_in(staff)
    year = timezone.now().year + 1
    for month, utc_hour in ((7, 6), (1, 7)):
        day = datetime.date(year, month, 14)
        data = event_data(
            title=f"Събитие {month}",
            starts_on=day.isoformat(),
            ends_on=day.isoformat(),
            registration_closes_on=(day - datetime.timedelta(days=1)).isoformat(),
            **{"sessions-0-day": day.isoformat()},
        )
        assert client.post(new_url(plovdiv), data).status_code == 302
        event = Event.objects.get(title=f"Събитие {month}")
        assert event.starts_at.astimezone(datetime.UTC).hour == utc_hour
        assert event.starts_at.astimezone(SOFIA).hour == 9


def test_a_time_skipped_by_the_clocks_is_refused(staff, plovdiv) -> None:
    # The clocks go forward at 03:00 on the last Sunday of March: 03:30 does not exist.
    year = timezone.now().year + 1
    last_sunday = max(
        datetime.date(year, 3, d) for d in range(25, 32) if datetime.date(year, 3, d).weekday() == 6
    )
    data = event_data(
        starts_on=last_sunday.isoformat(),
        starts_time="03:30",
        ends_on=last_sunday.isoformat(),
        ends_time="18:00",
        registration_closes_on="",
        registration_closes_time="",
        **{"sessions-0-day": last_sunday.isoformat()},
    )
    with override("en"):
        response = signed_in(staff).post(new_url(plovdiv), data)
    assert response.status_code == 200
    assert "does not exist in Sofia" in field_block(response.content.decode(), "starts_time")
    assert not Event.objects.filter(institution=plovdiv).exists()


BAD_INPUT = [
    # (what is typed, the field the message is next to, the message)
    ({"ends_on": "{d20}", "ends_time": "08:00"}, "ends_time", "The end must come after the start."),
    ({"ends_on": "{d19}"}, "ends_on", "The end must come after the start."),
    ({"capacity": "0"}, "capacity", "There must be at least one place"),
    ({"capacity": "-5"}, "capacity", "There must be at least one place"),
    ({"capacity": "двайсет"}, "capacity", "Enter the number of places as a whole number"),
    ({"capacity": "2.5"}, "capacity", "Enter the number of places as a whole number"),
    ({"starts_on": "31.02.2027"}, "starts_on", "Enter a date such as 22.11.2026."),
    ({"starts_on": "утре"}, "starts_on", "Enter a date such as 22.11.2026."),
    ({"starts_time": "25:99"}, "starts_time", "Enter a time such as 14:30."),
    ({"starts_on": ""}, "starts_on", "This field is required."),
    (
        {"registration_closes_on": "{d20}", "registration_closes_time": "10:00"},
        "registration_closes_on",
        "Registration must close by the start of the event.",
    ),
    (
        {"registration_opens_on": "{d19}", "registration_opens_time": "19:00"},
        "registration_closes_on",
        "Registration must close after it opens.",
    ),
    (
        {"registration_closes_on": "", "registration_closes_time": "10:00"},
        "registration_closes_on",
        "Give the date as well as the time.",
    ),
    (
        {"format": Format.ONLINE, "online_url": ""},
        "online_url",
        "Give the link of an online event.",
    ),
    ({"format": Format.HYBRID, "online_url": "", "venue": "Зала"}, "online_url", "Give the link"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a web address"),
    ({"venue": "  "}, "venue", "Give the venue of an event held in person."),
    ({"settlement": "00702"}, "settlement", "is not in the municipality of Пловдив"),
    ({"settlement": "99999"}, "settlement", "Choose a settlement from the list."),
    ({"province": "SOF", "settlement": ""}, "municipality", "is not in the province of"),
    ({"hours": "много"}, "hours", "Enter a number of hours such as 16 or 7,5."),
    ({"title": ""}, "title", "This field is required."),
    ({"sessions-0-day": "{d25}"}, "sessions-0-day", "Choose a day of the event, from"),
    ({"sessions-0-ends": "09:00"}, "sessions-0-ends", "A session must end after it starts."),
    ({"sessions-0-day": "вчера"}, "sessions-0-day", "Enter a date such as 22.11.2026."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_explained_next_to_the_field(staff, plovdiv, changes, field, message) -> None:
    days = {f"{{d{n}}}": in_days(n).isoformat() for n in (19, 20, 25)}
    changes = {k: days.get(str(v), v) for k, v in changes.items()}
    with override("en"):
        response = signed_in(staff).post(new_url(plovdiv), event_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_block(html, field)
    assert 'class="error-summary"' in html
    assert not Event.objects.filter(institution=plovdiv).exists()
    assert not Session.objects.filter(event__institution=plovdiv).exists()
    # What was typed is kept (a settlement outside the list is chosen again from it).
    for name, value in changes.items():
        if str(value).strip() and name != "settlement":
            assert escape(str(value)) in html, value


def test_a_one_day_event_names_its_day_for_sessions(staff, plovdiv) -> None:
    data = event_data(
        ends_on=in_days(20).isoformat(), **{"sessions-0-day": in_days(21).isoformat()}
    )
    with override("en"):
        response = signed_in(staff).post(new_url(plovdiv), data)
    day = in_days(20).strftime("%d.%m.%Y")
    assert f"The event is held on {day} only." in field_block(
        response.content.decode(), "sessions-0-day"
    )


def test_only_the_organisers_programmes_and_consultations_are_offered(staff, plovdiv) -> None:
    own = Programme.objects.create(title="Обучения за НПО", institution=plovdiv)
    strand = Strand.objects.create(programme=own, title="Застъпничество", target_people=20)
    other = Programme.objects.create(title="Чужда програма", organisation=OrganisationFactory())
    other_strand = Strand.objects.create(programme=other, title="Чуждо", target_people=5)
    consultation = ConsultationFactory(institution=plovdiv)
    foreign = ConsultationFactory(institution=generated("ma:PDV01"))
    client = signed_in(staff)
    form = client.get(new_url(plovdiv)).context["form"]
    assert list(form.fields["programme"].queryset) == [own]
    assert list(form.fields["strand"].queryset) == [strand]
    assert list(form.fields["consultation"].queryset) == [consultation]
    for changes, field in (
        ({"programme": str(other.pk)}, "programme"),
        ({"strand": str(other_strand.pk)}, "strand"),
        ({"consultation": str(foreign.pk)}, "consultation"),
    ):
        response = client.post(new_url(plovdiv), event_data(**changes))
        assert response.status_code == 200 and response.context["form"].errors[field], field
    # A strand alone brings its programme.
    data = event_data(strand=str(strand.pk), consultation=str(consultation.pk))
    assert client.post(new_url(plovdiv), data).status_code == 302
    event = Event.objects.get(institution=plovdiv)
    assert (event.programme, event.strand, event.consultation) == (own, strand, consultation)
    # An organisation's form has no consultation to link (they are the institutions').
    rep = UserFactory()
    organisation = OrganisationFactory()
    representative_of(organisation, rep)
    assert "consultation" not in signed_in(rep).get(new_url(organisation)).context["form"].fields


def test_a_strand_of_another_programme_is_refused(staff, plovdiv) -> None:
    first = Programme.objects.create(title="Първа", institution=plovdiv)
    second = Programme.objects.create(title="Втора", institution=plovdiv)
    strand = Strand.objects.create(programme=second, title="Мониторинг", target_people=20)
    data = event_data(programme=str(first.pk), strand=str(strand.pk))
    with override("en"):
        response = signed_in(staff).post(new_url(plovdiv), data)
    assert "Choose a strand of the chosen programme." in field_block(
        response.content.decode(), "strand"
    )


# --- editing ---------------------------------------------------------------------------------

ORGANISER_PAGES = ["events:edit", "events:manage", "events:cancel-event"]


@pytest.mark.parametrize("make", [EventFactory, organisation_event, network_event])
def test_permission_ladder_on_the_organisers_pages(make) -> None:
    event = make()
    people = ladder(event)
    for name in ORGANISER_PAGES:
        url = reverse(name, args=[event.pk])
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        for role, user in people.items():
            expected = 200 if role in ALLOWED else 403
            assert signed_in(user).get(url).status_code == expected, (name, role)


def test_a_draft_does_not_exist_for_those_who_may_not_manage_it() -> None:
    event = draft()
    people = ladder(event)
    for name in [*ORGANISER_PAGES, "events:publish"]:
        url = reverse(name, args=[event.pk])
        for role, user in people.items():
            client = signed_in(user)
            response = client.post(url) if name == "events:publish" else client.get(url)
            if role not in ALLOWED:
                assert response.status_code == 404, (name, role)


def test_an_unknown_event_is_404(staff) -> None:
    for pk in (999999, 2**63):
        assert signed_in(staff).get(reverse("events:edit", args=[pk])).status_code == 404


def test_editing_saves_the_event_and_its_sessions(staff) -> None:
    event = EventFactory()
    first, second = event.sessions.all()
    data = edit_data(
        event,
        title="Обучение: мониторинг на политики",
        capacity="25",
        format=Format.HYBRID,
        online_url="meet.example.org/abc",
        **{
            "sessions-1-DELETE": "on",
            "sessions-0-title": "Въведение",
            "sessions-TOTAL_FORMS": "3",
            "sessions-2-day": first.day.isoformat(),
            "sessions-2-starts": "14:00",
            "sessions-2-title": "Казуси",
        },
    )
    response = signed_in(staff).post(reverse("events:edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Обучение: мониторинг на политики"
    assert event.capacity == 25 and event.version == 2
    assert event.online_url == "https://meet.example.org/abc"
    assert [(s.title, s.starts) for s in event.sessions.all()] == [
        ("Въведение", datetime.time(9, 30)),
        ("Казуси", datetime.time(14, 0)),
    ]
    assert not Session.objects.filter(pk=second.pk).exists()


def test_saving_an_unchanged_form_changes_nothing(staff) -> None:
    event = EventFactory()
    response = signed_in(staff).post(reverse("events:edit", args=[event.pk]), edit_data(event))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.version == 1


def test_a_stale_form_is_refused_with_the_difference(staff) -> None:
    event = EventFactory(title="Старо заглавие")
    url = reverse("events:edit", args=[event.pk])
    client = signed_in(staff)
    stale = edit_data(event, title="Моето заглавие")
    # Someone else saves first.
    other = UserFactory()
    staff_of(event.institution, other)
    theirs = edit_data(event, venue="Голямата зала")
    assert signed_in(other).post(url, theirs).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 200
    conflict = response.context["conflict"]
    labels = {row[0] for row in conflict.rows}
    fields = response.context["form"].fields
    assert {str(fields["venue"].label), str(fields["title"].label)} == labels
    event.refresh_from_db()
    assert (event.title, event.venue, event.version) == ("Старо заглавие", "Голямата зала", 2)
    # What was typed is kept, with the new version: saving again replaces theirs.
    assert "Моето заглавие" in response.content.decode()
    assert response.context["form"]["version"].value() == "2"
    again = {**stale, "version": "2"}
    assert client.post(url, again).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.venue, event.version) == ("Моето заглавие", "Зала „Съединение“", 3)


def test_a_stale_form_of_sessions_is_refused_too(staff) -> None:
    event = EventFactory()
    url = reverse("events:edit", args=[event.pk])
    stale = edit_data(event, **{"sessions-0-title": "Моята сесия"})
    Session.objects.filter(event=event).update(speakers="Друг лектор")
    Event.objects.filter(pk=event.pk).update(version=2)
    response = signed_in(staff).post(url, stale)
    assert response.status_code == 200 and response.context["conflict"].rows
    assert not Session.objects.filter(title="Моята сесия").exists()


def test_places_cannot_go_below_the_confirmed(staff) -> None:
    event = EventFactory(capacity=5)
    register(event, 4)
    url = reverse("events:edit", args=[event.pk])
    with override("en"):
        response = signed_in(staff).post(url, edit_data(event, capacity="3", title="Ново"))
    assert response.status_code == 200
    assert capacity_message(4) in field_block(response.content.decode(), "capacity")
    event.refresh_from_db()
    assert (event.capacity, event.title, event.version) == (5, event.title, 1)
    assert signed_in(staff).post(url, edit_data(event, capacity="4")).status_code == 302


def test_more_places_move_the_waiting_list_up(staff, mailbox) -> None:
    event = EventFactory(capacity=2)
    _first, _second, third, fourth = register(event, 4)
    assert [r.state for r in (third, fourth)] == [WAITING, WAITING]
    mailbox.clear()
    url = reverse("events:edit", args=[event.pk])
    assert signed_in(staff).post(url, edit_data(event, capacity="3")).status_code == 302
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert (third.state, fourth.state) == (CONFIRMED, WAITING)
    assert mailbox.to(third.user.email)
    event.refresh_from_db()
    assert (event.confirmed_count, event.waiting_count) == (3, 1)


def test_a_cancelled_event_is_not_edited(staff) -> None:
    event = EventFactory(state=State.CANCELLED, cancelled_reason="Болест")
    response = signed_in(staff).get(reverse("events:edit", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[event.pk])


def test_the_form_shows_saved_times_in_sofia_time(staff) -> None:
    event = EventFactory()
    form = signed_in(staff).get(reverse("events:edit", args=[event.pk])).context["form"]
    local = event.starts_at.astimezone(SOFIA)
    assert form.initial["starts_on"] == local.date()
    assert form.initial["starts_time"] == datetime.time(9, 30)


# --- publish and cancel ----------------------------------------------------------------------


def test_publishing_a_draft(staff) -> None:
    event = draft()
    url = reverse("events:publish", args=[event.pk])
    assert signed_in(staff).get(url).status_code == 405
    assert Client().post(url).status_code == 302
    response = signed_in(staff).post(url)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == State.PUBLISHED and event.published_at is not None


def test_permission_ladder_on_publishing() -> None:
    event = network_event(state=State.DRAFT, published_at=None)
    for role, user in ladder(event).items():
        event.refresh_from_db()
        Event.objects.filter(pk=event.pk).update(state=State.DRAFT)
        response = signed_in(user).post(reverse("events:publish", args=[event.pk]))
        assert response.status_code == (302 if role in ALLOWED else 404), role
        event.refresh_from_db()
        assert event.state == (State.PUBLISHED if role in ALLOWED else State.DRAFT), role


def test_publishing_what_is_not_a_draft_says_so(staff) -> None:
    event = EventFactory(state=State.CANCELLED)
    client = signed_in(staff)
    with override("en"):
        response = client.post(reverse("events:publish", args=[event.pk]), follow=True)
    assert "Only a draft can be published." in response.content.decode()
    event.refresh_from_db()
    assert event.state == State.CANCELLED


def test_cancelling_needs_a_reason_and_tells_the_registered(staff, mailbox) -> None:
    event = EventFactory()
    registrations = register(event, 2)
    url = reverse("events:cancel-event", args=[event.pk])
    client = signed_in(staff)
    with override("en"):
        response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    expected = gettext("Give the reason: the registered people are told it.")
    assert expected in field_block(response.content.decode(), "reason")
    event.refresh_from_db()
    assert event.state == State.PUBLISHED
    mailbox.clear()
    response = client.post(url, {"reason": "Залата е наводнена."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == State.CANCELLED and event.cancelled_reason == "Залата е наводнена."
    for registration in registrations:
        assert mailbox.to(registration.user.email)
    # Once cancelled, the page sends back to the event.
    assert client.get(url).status_code == 302


def test_permission_ladder_on_cancelling() -> None:
    event = organisation_event()
    for role, user in ladder(event).items():
        response = signed_in(user).post(
            reverse("events:cancel-event", args=[event.pk]), {"reason": "Причина"}
        )
        assert response.status_code == (302 if role in ALLOWED else 403), role
        event.refresh_from_db()
        if role not in ALLOWED:
            assert event.state == State.PUBLISHED, role
        Event.objects.filter(pk=event.pk).update(state=State.PUBLISHED)


# --- the organiser's page --------------------------------------------------------------------


def test_the_page_shows_counts_and_the_waiting_list_in_order(staff) -> None:
    event = EventFactory(capacity=1)
    registrations = register(event, 4)
    url = reverse("events:manage", args=[event.pk])
    response = signed_in(staff).get(url)
    assert response.status_code == 200
    assert response.context["counts"][CONFIRMED] == 1
    assert response.context["state"] == CONFIRMED
    response = signed_in(staff).get(url + "?state=waiting")
    rows = list(response.context["page_obj"].object_list)
    assert [r.pk for r in rows] == [r.pk for r in registrations[1:]]
    html = response.content.decode()
    assert html.index(registrations[1].code) < html.index(registrations[3].code)
    assert reverse("events:decide", args=[registrations[1].code]) in html


def test_the_page_links_to_the_organisers_other_pages(staff) -> None:
    training = EventFactory()
    html = signed_in(staff).get(reverse("events:manage", args=[training.pk])).content.decode()
    for name in ("events:materials", "events:minutes", "events:edit", "events:cancel-event"):
        assert reverse(name, args=[training.pk]) in html, name
    assert reverse("events:invite", args=[training.pk]) not in html
    invited = EventFactory(audience=Audience.INVITATION, kind=Kind.SEMINAR)
    html = signed_in(staff).get(reverse("events:manage", args=[invited.pk])).content.decode()
    assert reverse("events:invite", args=[invited.pk]) in html
    assert reverse("events:publish", args=[invited.pk]) not in html
    a_draft = draft()
    html = signed_in(staff).get(reverse("events:manage", args=[a_draft.pk])).content.decode()
    assert reverse("events:publish", args=[a_draft.pk]) in html


def test_pending_registrations_come_first(staff) -> None:
    event = EventFactory(requires_approval=True)
    pending = register(event, 2)
    assert {r.state for r in pending} == {PENDING}
    response = signed_in(staff).get(reverse("events:manage", args=[event.pk]))
    assert response.context["state"] == PENDING
    assert response.context["decidable"]


@pytest.mark.parametrize("state", ["confirmed", "waiting", "pending"])
def test_the_page_is_paginated(staff, state) -> None:
    event = EventFactory(capacity=None)
    since = timezone.now()
    for _n in range(55):
        RegistrationFactory(event=event, state=state, waiting_since=since)
    response = signed_in(staff).get(
        reverse("events:manage", args=[event.pk]) + f"?state={state}&page=2"
    )
    assert len(response.context["page_obj"].object_list) == 5
    assert response.context["first_position"] == 51


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_keeps_its_queries_flat(staff, n, django_assert_max_num_queries) -> None:
    event = EventFactory(capacity=None)
    for _ in range(n):
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, state=WAITING, waiting_since=timezone.now())
    client = signed_in(staff)
    url = reverse("events:manage", args=[event.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url + "?state=waiting").status_code == 200


# --- deciding on a registration --------------------------------------------------------------


def test_approving_and_declining(staff, mailbox) -> None:
    event = EventFactory(requires_approval=True)
    first, second = register(event, 2)
    mailbox.clear()
    client = signed_in(staff)
    response = client.post(
        reverse("events:decide", args=[first.code]), {"decision": "approve", "state": "pending"}
    )
    assert response["Location"] == reverse("events:manage", args=[event.pk]) + "?state=pending"
    first.refresh_from_db()
    assert first.state == CONFIRMED and mailbox.to(first.user.email)
    response = client.post(
        reverse("events:decide", args=[second.code]),
        {"decision": "decline", "reason": "Само за представители на НПО."},
    )
    second.refresh_from_db()
    assert second.state == RegistrationState.DECLINED
    change = RegistrationChange.objects.filter(registration=second).last()
    assert change.reason == "Само за представители на НПО." and change.by == staff
    assert mailbox.to(second.user.email)


def test_a_decision_that_services_refuse_is_explained(staff) -> None:
    event = EventFactory()
    (confirmed,) = register(event, 1)
    with override("en"):
        response = signed_in(staff).post(
            reverse("events:decide", args=[confirmed.code]), {"decision": "decline"}, follow=True
        )
    assert "can be declined" in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.state == CONFIRMED


def test_a_decision_must_be_one_of_the_two(staff) -> None:
    event = EventFactory(requires_approval=True)
    (pending,) = register(event, 1)
    url = reverse("events:decide", args=[pending.code])
    assert signed_in(staff).get(url).status_code == 405
    signed_in(staff).post(url, {"decision": "maybe"})
    pending.refresh_from_db()
    assert pending.state == PENDING


def test_permission_ladder_on_deciding() -> None:
    event = network_event(requires_approval=True)
    people = ladder(event)
    for role, user in people.items():
        (pending,) = register(event, 1)
        url = reverse("events:decide", args=[pending.code])
        assert Client().post(url, {"decision": "approve"}).status_code == 302
        response = signed_in(user).post(url, {"decision": "approve"})
        # A code is the key of a registration: to those who may not see it, it does not exist.
        expected = 302 if role in ALLOWED else 404
        assert response.status_code == expected, role
        pending.refresh_from_db()
        assert pending.state == (CONFIRMED if role in ALLOWED else PENDING), role
    (own,) = [services.register(event, people["citizen"], services.Answers(name="Аз"))]
    response = signed_in(people["citizen"]).post(
        reverse("events:decide", args=[own.code]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert (
        signed_in(people["organiser"])
        .post(reverse("events:decide", args=["NOSUCHCODE"]), {"decision": "approve"})
        .status_code
        == 404
    )


def test_the_messages_are_translated(staff) -> None:
    # The page is Bulgarian by default; the English source strings are what the PO maps.
    event = EventFactory()
    response = signed_in(staff).get(reverse("events:manage", args=[event.pk]))
    assert response.status_code == 200
    assert gettext("Registrations") in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_the_edit_page_keeps_its_queries_flat(staff, n, django_assert_max_num_queries) -> None:
    event = EventFactory(with_sessions=False)
    programme = Programme.objects.create(title="Обучения", institution=event.institution)
    for i in range(n):
        Session.objects.create(
            event=event, day=event.days[0], starts=datetime.time(9, 0), title=f"Сесия {i}"
        )
        Strand.objects.create(programme=programme, title=f"Тема {i}", target_people=i)
        ConsultationFactory(institution=event.institution)
    client = signed_in(staff)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("events:edit", args=[event.pk]))
    assert response.status_code == 200
    assert len(response.context["sessions"].forms) == n + 3
