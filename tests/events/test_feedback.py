"""Feedback after an event: the participant's form (who, when, once, bad input, the rate limit)
and the organiser's results (counts, averages, the charts with their tables, comments without
names, a fixed number of queries)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.enums import Role
from core.legal_calendar import SOFIA
from events import feedback
from events.enums import RegistrationState, State
from events.models import Attendance, Feedback
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


def today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA)


def ended_event(**changes):
    """A two-day training that ended last week."""
    first = today() - datetime.timedelta(days=8)
    values = {
        "starts_at": at(first, 9, 30),
        "ends_at": at(first + datetime.timedelta(days=1), 17),
        "registration_opens_at": at(first - datetime.timedelta(days=30), 9),
        "registration_closes_at": at(first - datetime.timedelta(days=1), 9),
    }
    values.update(changes)
    return EventFactory(**values)


def attended(registration, days=None):
    for day in days or registration.event.days[:1]:
        Attendance.objects.create(registration=registration, day=day)
    return registration


@pytest.fixture
def event():
    return ended_event()


@pytest.fixture
def registration(event):
    return attended(RegistrationFactory(event=event, name="Петя Стоянова"))


def form_url(registration) -> str:
    return reverse("events:feedback", args=[registration.code])


def results_url(event) -> str:
    return reverse("events:feedback-results", args=[event.pk])


GOOD = {"rating": "4", "usefulness": "5", "comments": "Много полезни упражнения."}


# --- the participant's form ------------------------------------------------------------------


def test_participant_answers_once(registration):
    client = signed_in(registration.user)
    page = client.get(form_url(registration))
    assert page.status_code == 200
    html = page.content.decode()
    # Two radio groups, each a fieldset with a legend, five options each.
    assert html.count("<fieldset") == 2 and html.count("<legend>") == 2
    assert len(re.findall(r'type="radio" name="rating"', html)) == 5
    assert len(re.findall(r'type="radio" name="usefulness"', html)) == 5
    assert "style=" not in html

    response = client.post(form_url(registration), GOOD)
    assert response.status_code == 302 and response["Location"] == form_url(registration)
    given = Feedback.objects.get(registration=registration)
    assert (given.rating, given.usefulness, given.comments) == (4, 5, GOOD["comments"])

    # A second visit shows the answers, read-only.
    again = client.get(form_url(registration)).content.decode()
    assert 'name="rating"' not in again and '<form method="post" action="/events' not in again
    assert GOOD["comments"] in again
    assert str(feedback.rating_label(4)) in again

    # Posting again changes nothing.
    response = client.post(form_url(registration), {"rating": "1", "usefulness": "1"})
    assert response.status_code == 200
    given.refresh_from_db()
    assert (given.rating, given.usefulness) == (4, 5)
    assert Feedback.objects.count() == 1


def test_the_form_opens_on_the_last_day():
    day = today()
    event = EventFactory(
        starts_at=at(day - datetime.timedelta(days=1), 9, 30),
        ends_at=at(day, 23, 59),
        registration_opens_at=at(day - datetime.timedelta(days=20), 9),
        registration_closes_at=at(day - datetime.timedelta(days=2), 9),
    )
    registration = attended(RegistrationFactory(event=event))
    assert feedback.is_open(event)
    client = signed_in(registration.user)
    assert client.get(form_url(registration)).status_code == 200
    assert client.post(form_url(registration), GOOD).status_code == 302


def test_not_before_the_last_day():
    event = EventFactory()  # starts in ten days
    registration = RegistrationFactory(event=event)
    Attendance.objects.create(registration=registration, day=event.days[0])
    client = signed_in(registration.user)
    page = client.get(form_url(registration))
    assert page.status_code == 403
    assert event.days[-1].strftime("%d.%m.%Y") in page.content.decode()
    assert client.post(form_url(registration), GOOD).status_code == 403
    assert not Feedback.objects.exists()


def test_only_after_attending(event):
    registration = RegistrationFactory(event=event)  # confirmed, never checked in
    client = signed_in(registration.user)
    assert client.get(form_url(registration)).status_code == 403
    assert client.post(form_url(registration), GOOD).status_code == 403
    assert not Feedback.objects.exists()


def test_a_cancelled_registration_that_attended_may_still_answer(event):
    registration = attended(RegistrationFactory(event=event, state=RegistrationState.CANCELLED))
    assert signed_in(registration.user).post(form_url(registration), GOOD).status_code == 302


def test_permission_ladder(registration):
    url = form_url(registration)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    organiser = UserFactory()
    staff_of(generated("ma:PDV22"), organiser)
    other_staff = UserFactory()
    staff_of(generated("ma:PDV01"), other_staff)
    other_participant = attended(RegistrationFactory(event=registration.event)).user
    expected = {
        "citizen": (UserFactory(), 404),
        "another participant": (other_participant, 404),
        "staff of another institution": (other_staff, 404),
        "moderator": (RoleAssignmentFactory(role=Role.MODERATOR).user, 404),
        # They may see the registration, but the answers are the participant's own.
        "organiser": (organiser, 403),
        "administrator": (RoleAssignmentFactory(role=Role.ADMINISTRATOR).user, 403),
        "owner": (registration.user, 200),
    }
    for who, (user, status) in expected.items():
        client = signed_in(user)
        assert client.get(url).status_code == status, who
        if status != 200:
            assert client.post(url, GOOD).status_code == status, who
    assert not Feedback.objects.exists()
    assert (
        signed_in(registration.user).get("/events/registrations/NOSUCHCODE/feedback/").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"usefulness": "3", "comments": "Кратко."}, "rating"),
        ({"rating": "7", "usefulness": "3", "comments": "Кратко."}, "rating"),
        ({"rating": "abc", "usefulness": "3", "comments": "Кратко."}, "rating"),
        ({"rating": "0", "usefulness": "3", "comments": "Кратко."}, "rating"),
        ({"rating": "3", "usefulness": "", "comments": "Кратко."}, "usefulness"),
        ({"rating": "3", "usefulness": "3", "comments": "д" * 5001}, "comments"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_kept(registration, data, field):
    with translation.override("en"):
        response = signed_in(registration.user).post(form_url(registration), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not Feedback.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == [field]
    # The message is next to the field (the field's own error block) and in the summary.
    assert f'id="id_{field}_error"' in html
    assert 'class="error-summary"' in html
    # What was typed is kept.
    if field != "comments":
        assert "Кратко." in html
    for name in ("rating", "usefulness"):
        value = data.get(name, "")
        if value in {"1", "2", "3", "4", "5"}:
            assert re.search(rf'name="{name}" value="{value}"[^>]*checked', html), name


def test_the_error_messages_say_what_is_expected(registration):
    with translation.override("en"):
        response = signed_in(registration.user).post(
            form_url(registration), {"rating": "7", "usefulness": "abc"}
        )
        html = response.content.decode()
        assert gettext("Choose a rating from 1 to 5.") in html
        assert gettext("Choose a value from 1 to 5.") in html


def test_rate_limited(registration):
    client = signed_in(registration.user)
    for _ in range(20):
        assert client.post(form_url(registration), {"rating": "9"}).status_code == 200
    assert client.post(form_url(registration), GOOD).status_code == 429
    assert not Feedback.objects.exists()


def test_saving_twice_keeps_the_first(registration):
    first, created = feedback.save(registration, {"rating": 5, "usefulness": 4, "comments": " "})
    assert created and first.comments == ""
    second, created = feedback.save(registration, {"rating": 1, "usefulness": 1})
    assert not created and second.pk == first.pk and second.rating == 5


# --- the organiser's results -----------------------------------------------------------------


def answer(event, rating: int, usefulness: int, comments: str = "", name: str = ""):
    registration = attended(RegistrationFactory(event=event, **({"name": name} if name else {})))
    return Feedback.objects.create(
        registration=registration, rating=rating, usefulness=usefulness, comments=comments
    )


def organiser_of(event):
    user = UserFactory()
    staff_of(event.institution, user)
    return user


def test_results(event):
    answer(event, 5, 4, "Отлично водене.", name="Калина Маринова")
    answer(event, 4, 4, "Повече примери, моля.")
    answer(event, 4, 2)
    attended(RegistrationFactory(event=event))  # attended, did not answer
    RegistrationFactory(event=event)  # did not come
    result = feedback.results(event)
    assert (result.attended, result.answers, result.share) == (4, 3, 75)
    assert result.average_rating == pytest.approx(13 / 3)
    assert result.average_usefulness == pytest.approx(10 / 3)
    rating, usefulness = result.charts
    assert [b.value for b in rating.bars] == [0, 0, 0, 2, 1]
    assert [b.value for b in usefulness.bars] == [0, 1, 0, 2, 0]

    response = signed_in(organiser_of(event)).get(results_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 2 and html.count('role="img"') == 2
    # The numbers are in a table next to each chart.
    tables = re.findall(r'<table class="chart-table">.*?</table>', html, re.S)
    assert len(tables) == 2
    cells = [re.findall(r'<td class="num">(\d+)</td>', t) for t in tables]
    assert cells == [["0", "0", "0", "2", "1"], ["0", "1", "0", "2", "0"]]
    # Comments without names.
    assert "Отлично водене." in html and "Повече примери, моля." in html
    assert "Калина Маринова" not in html
    assert "style=" not in html


def test_results_without_answers(event):
    response = signed_in(organiser_of(event)).get(results_url(event))
    assert response.status_code == 200
    assert response.context["results"].answers == 0
    assert "<svg" not in response.content.decode()


def test_results_permission_ladder(event):
    url = results_url(event)
    assert Client().get(url).status_code == 302
    other_staff = UserFactory()
    staff_of(generated("ma:PDV01"), other_staff)
    participant = attended(RegistrationFactory(event=event)).user
    expected = {
        "citizen": (UserFactory(), 403),
        "participant": (participant, 403),
        "staff of another institution": (other_staff, 403),
        "moderator": (RoleAssignmentFactory(role=Role.MODERATOR).user, 403),
        "organiser": (organiser_of(event), 200),
        "administrator": (RoleAssignmentFactory(role=Role.ADMINISTRATOR).user, 200),
    }
    for who, (user, status) in expected.items():
        assert signed_in(user).get(url).status_code == status, who
    # A draft is not even there for those who may not manage it.
    draft = ended_event(state=State.DRAFT, published_at=None)
    assert signed_in(UserFactory()).get(results_url(draft)).status_code == 404
    assert signed_in(organiser_of(draft)).get(results_url(draft)).status_code == 200
    assert signed_in(UserFactory()).get("/events/99999999999999999999/feedback/").status_code == 404


def test_results_for_organisations_and_networks():
    org = OrganisationFactory()
    rep = UserFactory()
    representative_of(org, rep)
    by_org = ended_event(institution=None, organisation=org)
    assert signed_in(rep).get(results_url(by_org)).status_code == 200
    network = NetworkFactory()
    coordinator = UserFactory()
    representative_of(network.coordinator, coordinator)
    by_network = ended_event(institution=None, network=network)
    assert signed_in(coordinator).get(results_url(by_network)).status_code == 200
    assert signed_in(rep).get(results_url(by_network)).status_code == 403


def test_results_run_a_fixed_number_of_queries(event, django_assert_max_num_queries):
    organiser = organiser_of(event)
    client = signed_in(organiser)

    def queries_for(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        have = Feedback.objects.filter(registration__event=event).count()
        for n in range(have, count):
            answer(event, 1 + n % 5, 1 + (n * 3) % 5, f"Коментар {n}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(results_url(event)).status_code == 200
        return len(queries)

    few = queries_for(3)
    many = queries_for(30)
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(results_url(event))


def test_comments_are_paginated(event):
    for n in range(55):
        answer(event, 3, 3, f"Бележка номер {n}")
    client = signed_in(organiser_of(event))
    first = client.get(results_url(event)).content.decode()
    second = client.get(results_url(event) + "?page=2").content.decode()
    assert "Бележка номер 0<" in first and "Бележка номер 54<" not in first
    assert "Бележка номер 54<" in second
