"""The staff inbox: who may open it, what each sees (their institutions' pending requests and
signals; administrators all), the order (overdue first, then the nearest deadline), the
counts, the filter by institution, the pages and a query count that stays flat."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring.enums import RequestStatus, SignalStatus
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import InformationRequestFactory, SignalFactory
from tests.monitoring import test_requests_support as support
from tests.monitoring.test_requests_support import D

pytestmark = pytest.mark.django_db

# The shared fixtures (a module of their own: tests/conftest.py is not this part's).
clock = support.clock
fresh_cache = support.fresh_cache
people = support.people

INBOX = reverse("monitoring:inbox")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("requester", 403),
        ("citizen", 403),
        ("representative", 403),
        ("staff", 200),
        ("other staff", 200),
        ("moderator", 403),
        ("administrator", 200),
    ],
)
def test_who_may_open_the_inbox(people, role, status):
    assert people.client(role).get(INBOX).status_code == status


def test_staff_see_the_pending_items_of_their_institution_only(people):
    mine = InformationRequestFactory(title="Заявка до Пловдив", is_public=False)
    SignalFactory(title="Сигнал до Пловдив")
    InformationRequestFactory(title="Заявка до София", institution=people.sofia)
    InformationRequestFactory(title="Решена заявка", status=RequestStatus.GRANTED)
    SignalFactory(title="Отговорен сигнал", status=SignalStatus.ANSWERED)
    html = people.client("staff").get(INBOX).content.decode()
    assert "Заявка до Пловдив" in html and "Сигнал до Пловдив" in html
    assert "Заявка до София" not in html
    assert "Решена заявка" not in html and "Отговорен сигнал" not in html
    assert mine.get_absolute_url() in html
    admin = people.client("administrator").get(INBOX).content.decode()
    assert "Заявка до Пловдив" in admin and "Заявка до София" in admin


def test_overdue_first_then_the_nearest_deadline(people):
    InformationRequestFactory(title="Краен срок 20.12", due_on=D("2026-12-20"))
    SignalFactory(title="Сигнал 10.12", due_on=D("2026-12-10"))
    InformationRequestFactory(title="Просрочена", due_on=D("2026-11-16"), is_overdue=True)
    InformationRequestFactory(title="Краен срок 08.12", due_on=D("2026-12-08"))
    SignalFactory(title="Анонимен сигнал", due_on=None, is_anonymous=True)
    html = people.client("staff").get(INBOX).content.decode()
    order = ["Просрочена", "Краен срок 08.12", "Сигнал 10.12", "Краен срок 20.12", "Анонимен"]
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)


def test_counts_per_status_and_the_filter_by_institution(people):
    council = generated("mc:PDV22")
    staff_of(council, people["staff"])
    InformationRequestFactory(title="До общината", status=RequestStatus.SUBMITTED)
    InformationRequestFactory(title="До общината 2", is_overdue=True)
    InformationRequestFactory(title="До съвета", institution=council)
    html = people.client("staff").get(INBOX).content.decode()
    assert "До съвета" in html and "До общината" in html
    assert "<strong>1</strong>" in html and "<strong>2</strong>" in html
    filtered = people.client("staff").get(INBOX, {"institution": council.pk}).content.decode()
    assert "До съвета" in filtered and "До общината" not in filtered
    # Not one of theirs: the filter refuses it and shows all of theirs.
    other = people.client("staff").get(INBOX, {"institution": people.sofia.pk}).content.decode()
    assert "До общината" in other


def test_the_inbox_pages(people):
    for i in range(20):
        InformationRequestFactory(title=f"Заявка {i:02d}", due_on=D("2026-12-10"))
    for i in range(10):
        SignalFactory(title=f"Сигнал {i:02d}", due_on=D("2026-12-20"))
    client = people.client("staff")
    first = client.get(INBOX).content.decode()
    assert "Заявка 19" in first and "Сигнал 04" in first and "Сигнал 05" not in first
    assert 'rel="next"' in first
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert "Сигнал 05" in second and "Сигнал 09" in second and "Заявка 00" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_an_empty_inbox_says_so(people):
    from django.utils.translation import gettext as _

    html = people.client("staff").get(INBOX).content.decode()
    assert _("Nothing waits for your institution now.") in html


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("role", ["staff", "administrator"])
def test_the_inbox_runs_a_fixed_number_of_queries(people, django_assert_max_num_queries, n, role):
    for _i in range(n):
        InformationRequestFactory()
        SignalFactory()
        InformationRequestFactory(institution=people.sofia)
    client = people.client(role)
    client.get(INBOX)
    with django_assert_max_num_queries(14):
        assert client.get(INBOX).status_code == 200
