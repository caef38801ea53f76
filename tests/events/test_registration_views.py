"""Registering through the pages, one's own registration, cancelling by the code in the e-mail
and "my registrations": the form asks only what the event asks, refusals from events.services
appear as form errors with what was typed kept, nothing is half-saved, the waiting list and
approval are said in the message, the registration page is its owner's, the organiser's or an
administrator's (a 404 to others), and the code is the key of the cancel link."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from events import services
from events.enums import Audience, RegistrationState, State
from events.models import Attendance, Certificate, Event, Invitation, Registration
from tests.clients import signed_in
from tests.events.test_public import LADDER, make_people
from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def html(response) -> str:
    return response.content.decode()


def register_url(event: Event, **query: str) -> str:
    url = reverse("events:register", args=[event.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def join(event: Event, user=None) -> Registration:
    user = user or UserFactory()
    return services.register(event, user, services.Answers(name=f"Човек {user.pk}"))


# --- the form --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_back():
    event = EventFactory()
    response = Client().get(register_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={reverse('events:register', args=[event.pk])}" in response["Location"]
    assert Client().post(register_url(event), {"name": "X"}).status_code == 302
    assert not Registration.objects.exists()


def test_the_form_asks_only_the_questions_the_event_asks():
    user = UserFactory(first_name="Мария", last_name="Колева")
    plain = EventFactory(ask_organisation=False, ask_position=False, ask_accessibility=False)
    form = signed_in(user).get(register_url(plain)).context["form"]
    assert set(form.fields) == {"name", "website"}
    assert form.initial["name"] == "Мария Колева"

    full = EventFactory(ask_position=True, free_question="Какъв опит имате?")
    page = html(signed_in(user).get(register_url(full)))
    form = signed_in(user).get(register_url(full)).context["form"]
    assert set(form.fields) == {
        "name",
        "organisation_name",
        "position",
        "accessibility_needs",
        "answer",
        "website",
    }
    assert "Какъв опит имате?" in page
    # The honeypot is hidden from people and screen readers.
    assert 'class="hp-field" aria-hidden="true"' in page


def test_register_confirms_sends_the_email_and_shows_the_registration(mailbox):
    user = UserFactory()
    event = EventFactory(ask_position=True, free_question="Какво очаквате?")
    client = signed_in(user)
    response = client.post(
        register_url(event),
        {
            "name": "  Мария   Колева ",
            "organisation_name": "Читалище „Светлина“",
            "position": "секретар",
            "accessibility_needs": "Достъп без стъпала",
            "answer": "Практически примери",
        },
    )
    registration = Registration.objects.get(event=event, user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:registration", args=[registration.code])
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.name == "Мария Колева"
    assert registration.organisation_name == "Читалище „Светлина“"
    assert registration.position == "секретар"
    assert registration.accessibility_needs == "Достъп без стъпала"
    assert registration.answer == "Практически примери"
    assert len(mailbox.to(user.email)) == 1
    with override("en"):
        page = html(client.get(response["Location"]))
    assert (
        _(
            "You are registered. We have sent a confirmation with your registration code to "
            "your e-mail."
        )
        in page
    )
    assert registration.code in page


def test_register_when_full_joins_the_waiting_list_with_its_position():
    event = EventFactory(capacity=1)
    join(event)
    join(event)
    user = UserFactory()
    client = signed_in(user)
    with override("en"):
        response = client.post(register_url(event), {"name": "Трети човек"}, follow=True)
    registration = Registration.objects.get(event=event, user=user)
    assert registration.state == RegistrationState.WAITING
    page = html(response)
    assert "number 2 on the waiting list" in page
    assert response.context["position"] == 2


def test_register_awaiting_approval_says_so():
    event = EventFactory(requires_approval=True)
    user = UserFactory()
    with override("en"):
        response = signed_in(user).post(register_url(event), {"name": "Иван"}, follow=True)
    assert Registration.objects.get(event=event, user=user).state == RegistrationState.PENDING
    assert "awaits the organiser&#x27;s approval" in html(response)


def test_register_for_ones_organisation():
    user = UserFactory()
    ngo = OrganisationFactory(name="Сдружение „Зелен град“")
    representative_of(ngo, user)
    event = EventFactory()
    form = signed_in(user).get(register_url(event)).context["form"]
    assert dict(form.fields["register_for"].choices).keys() == {"self", str(ngo.pk)}
    signed_in(user).post(register_url(event), {"name": "Стоян", "register_for": str(ngo.pk)})
    registration = Registration.objects.get(event=event, user=user)
    assert registration.organisation == ngo
    assert registration.organisation_name == ngo.display_name


def test_register_for_someone_elses_organisation_is_refused_and_nothing_saved():
    user = UserFactory()
    mine = OrganisationFactory()
    representative_of(mine, user)
    other = OrganisationFactory()
    event = EventFactory()
    response = signed_in(user).post(
        register_url(event), {"name": "Стоян Колев", "register_for": str(other.pk)}
    )
    assert response.status_code == 200
    assert "register_for" in response.context["form"].errors
    assert 'value="Стоян Колев"' in html(response)
    assert not Registration.objects.exists()


def test_missing_name_is_shown_next_to_the_field_and_the_rest_kept():
    user = UserFactory(first_name="", last_name="")
    event = EventFactory()
    response = signed_in(user).post(
        register_url(event), {"name": "   ", "organisation_name": "Читалище „Светлина“"}
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    page = html(response)
    assert 'class="error-summary"' in page
    assert 'value="Читалище „Светлина“"' in page
    assert not Registration.objects.exists()


def test_too_long_answers_are_refused_next_to_the_field():
    event = EventFactory()
    response = signed_in(UserFactory()).post(
        register_url(event), {"name": "Иван", "accessibility_needs": "x" * 2001}
    )
    assert "accessibility_needs" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_honeypot_filled_is_refused_and_nothing_saved():
    event = EventFactory()
    response = signed_in(UserFactory()).post(
        register_url(event), {"name": "Бот", "website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Registration.objects.exists()


def test_refusal_from_the_services_is_a_form_error_and_what_was_typed_is_kept():
    event = EventFactory(audience=Audience.REPRESENTATIVES)
    user = UserFactory()
    response = signed_in(user).post(
        register_url(event), {"name": "Иван Петров", "organisation_name": "Фирма"}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert (
        _("Only verified representatives of organisations may register for this event.") in errors
    )
    page = html(response)
    assert 'value="Иван Петров"' in page and 'value="Фирма"' in page
    assert not Registration.objects.exists()


def test_window_closed_between_opening_the_form_and_sending_it():
    event = EventFactory()
    user = UserFactory()
    client = signed_in(user)
    assert client.get(register_url(event)).context["refusal"] == ""
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.post(register_url(event), {"name": "Закъснял"})
    assert (
        _("Registration for this event has closed.") in response.context["form"].non_field_errors()
    )
    assert 'value="Закъснял"' in html(response)
    assert not Registration.objects.exists()


def test_get_with_a_refusal_shows_the_reason_not_the_form():
    event = EventFactory(registration_opens_at=timezone.now() + datetime.timedelta(days=2))
    response = signed_in(UserFactory()).get(register_url(event))
    assert response.context["refusal"].startswith(_("Registration opens on %(date)s")[:10])
    assert 'method="post"' not in html(response).split("<main", 1)[1]


def test_registering_twice_leads_to_the_existing_registration():
    event = EventFactory()
    user = UserFactory()
    first = join(event, user)
    client = signed_in(user)
    response = client.get(register_url(event))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:registration", args=[first.code])
    client.post(register_url(event), {"name": "Пак аз"})
    assert Registration.objects.filter(event=event, user=user).count() == 1


def test_invitation_only_event_with_the_invitation_link():
    event = EventFactory(audience=Audience.INVITATION)
    invited = UserFactory(email="invited@example.org")
    Invitation.objects.create(event=event, email="invited@example.org", code="INVITECODE123")
    stranger = UserFactory()
    assert signed_in(stranger).get(register_url(event)).context["refusal"]
    client = signed_in(invited)
    url = register_url(event, invitation="INVITECODE123")
    assert client.get(url).context["refusal"] == ""
    response = client.post(url, {"name": "Поканен гост"})
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, user=invited)
    assert Invitation.objects.get(code="INVITECODE123").used_by == registration
    # Without the code the form is refused by the services, the typed name kept.
    response = signed_in(stranger).post(register_url(event), {"name": "Непоканен"})
    assert response.context["form"].non_field_errors()
    assert not Registration.objects.filter(user=stranger).exists()


def test_draft_cannot_be_registered_for():
    event = EventFactory(state=State.DRAFT, published_at=None)
    assert signed_in(UserFactory()).get(register_url(event)).status_code == 404


def test_register_is_rate_limited():
    event = EventFactory(audience=Audience.OFFICIALS)
    client = signed_in(UserFactory())
    codes = [client.post(register_url(event), {"name": "Иван"}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429


# --- one's registration ----------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_registration_page_ladder(role):
    event = EventFactory()
    people = make_people(event)
    registration = Registration.objects.get(event=event, user=people.users["registrant"])
    response = people.client(role).get(reverse("events:registration", args=[registration.code]))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role in {"registrant", "organiser", "administrator"}:
        assert response.status_code == 200
        assert registration.code in html(response)
    else:
        assert response.status_code == 404


def test_registration_page_shows_state_position_history_and_cancel():
    event = EventFactory(capacity=1)
    join(event)
    user = UserFactory()
    waiting = join(event, user)
    with override("en"):
        response = signed_in(user).get(reverse("events:registration", args=[waiting.code]))
    page = html(response)
    assert response.context["position"] == 1
    assert "number 1 on the waiting list" in page
    assert "History of the registration" in page
    assert "on the waiting list" in page
    assert reverse("events:cancel-registration", args=[waiting.code]) in page
    assert reverse("events:event-ics", args=[event.pk]) in page


def test_registration_page_online_link_only_when_confirmed():
    event = EventFactory(format="online", online_url="https://meet.example.org/room", capacity=1)
    confirmed = join(event)
    waiting = join(event)
    assert "meet.example.org/room" in html(
        signed_in(confirmed.user).get(reverse("events:registration", args=[confirmed.code]))
    )
    assert "meet.example.org/room" not in html(
        signed_in(waiting.user).get(reverse("events:registration", args=[waiting.code]))
    )


def test_registration_page_links_feedback_and_certificate_when_they_apply():
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    url = reverse("events:registration", args=[registration.code])
    client = signed_in(registration.user)
    page = html(client.get(url))
    assert reverse("events:feedback", args=[registration.code]) not in page
    assert reverse("events:certificate-pdf", args=[registration.code]) not in page
    # After the event, having attended: feedback; with a certificate: the PDF.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=1),
    )
    Attendance.objects.create(registration=registration, day=event.days[0])
    Certificate.objects.create(
        registration=registration,
        code="CERTCODE01",
        name=registration.name,
        event_title=event.title,
        first_day=event.days[0],
        last_day=event.days[-1],
        organiser_name="Община Пловдив",
    )
    page = html(client.get(url))
    assert reverse("events:feedback", args=[registration.code]) in page
    assert reverse("events:certificate-pdf", args=[registration.code]) in page
    # An ended event is no longer cancelled from here.
    assert reverse("events:cancel-registration", args=[registration.code]) not in page


def test_unknown_or_malformed_code_is_404():
    client = signed_in(UserFactory())
    for code in ("ZZZZZZZZ", "abc", "x" * 40, "<script>"):
        assert client.get(f"/events/registrations/{code}/").status_code == 404
        assert Client().get(f"/events/registrations/{code}/cancel/").status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_registration_page_query_count_is_flat(rows, django_assert_max_num_queries):
    event = EventFactory(capacity=1, requires_approval=False)
    join(event)
    user = UserFactory()
    registration = join(event, user)
    for _n in range(rows):
        join(event)
    client = signed_in(user)
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("events:registration", args=[registration.code])).status_code == 200
        )


# --- cancelling by the code ------------------------------------------------------------------


def test_cancel_link_works_without_signing_in_and_promotes_the_first_waiting(mailbox):
    event = EventFactory(capacity=1)
    leaving = join(event)
    first_waiting = join(event)
    url = reverse("events:cancel-registration", args=[leaving.code])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert leaving.name in html(page)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    leaving.refresh_from_db()
    first_waiting.refresh_from_db()
    assert leaving.state == RegistrationState.CANCELLED
    assert first_waiting.state == RegistrationState.CONFIRMED
    assert mailbox.to(first_waiting.user.email)
    # A second click changes nothing and says so.
    assert _("This registration has already been cancelled.") in html(client.get(url))
    assert client.post(url).status_code == 200


def test_owner_cancelling_goes_back_to_the_registration():
    event = EventFactory()
    registration = join(event)
    response = signed_in(registration.user).post(
        reverse("events:cancel-registration", args=[registration.code])
    )
    assert response["Location"] == reverse("events:registration", args=[registration.code])
    registration.refresh_from_db()
    assert registration.state == RegistrationState.CANCELLED
    assert registration.changes.last().by == registration.user


def test_declined_registration_cannot_be_cancelled():
    event = EventFactory(requires_approval=True)
    registration = RegistrationFactory(event=event, state=RegistrationState.DECLINED)
    url = reverse("events:cancel-registration", args=[registration.code])
    response = Client().post(url)
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.state == RegistrationState.DECLINED


def test_cancel_by_code_is_rate_limited():
    event = EventFactory()
    registration = join(event)
    url = reverse("events:cancel-registration", args=[registration.code])
    client = Client()
    codes = [client.get(url).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429


# --- my registrations ------------------------------------------------------------------------


def test_mine_lists_coming_and_earlier_registrations():
    user = UserFactory()
    coming = join(EventFactory(title="Предстоящо обучение"), user)
    past_event = EventFactory(title="Минало обучение")
    Event.objects.filter(pk=past_event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=2),
    )
    RegistrationFactory(event=past_event, user=user)
    cancelled = join(EventFactory(title="Отказано"), user)
    services.cancel_registration(cancelled, by=user)
    RegistrationFactory(event=EventFactory(title="Чужда регистрация"))

    response = signed_in(user).get(reverse("events:mine"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["coming"]] == [coming.pk]
    assert {r.event.title for r in response.context["earlier"]} == {
        "Минало обучение",
        "Отказано",
    }
    page = html(response)
    assert "Чужда регистрация" not in page
    assert "/events/feed/personal/" in page


def test_mine_requires_signing_in():
    response = Client().get(reverse("events:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_mine_query_count_is_flat(rows, django_assert_max_num_queries):
    user = UserFactory()
    for _n in range(rows):
        RegistrationFactory(event=EventFactory(with_sessions=False), user=user)
    client = signed_in(user)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("events:mine"))
    assert len(response.context["coming"]) == rows
