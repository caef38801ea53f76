"""Atom and RSS feeds of the answers: public requests and signals that were decided, for all
and per institution, parsed as XML, with no personal data at all."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.enums import RequestStatus, SignalKind, SignalStatus
from monitoring.search import page_path
from tests.factories.directory import generated
from tests.factories.monitoring import InformationRequestFactory, SignalFactory
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def recent(days_ago):
    return datetime.date.today() - datetime.timedelta(days=days_ago)


def decided_request(**kwargs):
    fields = {
        "status": RequestStatus.GRANTED,
        "filed_on": recent(20),
        "registered_on": recent(20),
        "decided_on": recent(10),
        "due_on": recent(6),
        "answered_on_time": True,
        "answer": "Уважаема госпожо Скритова, предоставяме договорите.",
        "requester_name": "Радослава Скритова",
        "correspondence_address": "ул. „Тайна“ 7731",
    }
    return InformationRequestFactory(**{**fields, **kwargs})


def answered_signal(**kwargs):
    fields = {
        "kind": SignalKind.SIGNAL,
        "status": SignalStatus.ANSWERED,
        "outcome": "accepted",
        "received_on": recent(40),
        "registered_on": recent(40),
        "decided_on": recent(5),
        "answer": "Проверката потвърди сигнала 7723, г-н Скритов.",
        "filer_name": "Борис Скритов",
        "filer_address": "ул. „Тайна“ 7731",
    }
    return SignalFactory(**{**fields, **kwargs})


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content.decode(), ET.fromstring(response.content)  # noqa: S314 - our own feed


def entries(root):
    return [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href"))
        for e in root.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def answers():
    sofia = generated("ma:SOF46")
    return {
        "granted": decided_request(title="Договори за почистване", decided_on=recent(10)),
        "refused": decided_request(
            title="Заплати на съветниците",
            status=RequestStatus.REFUSED,
            refusal_ground="secret",
            decided_on=recent(3),
            answered_on_time=False,
        ),
        "signal": answered_signal(title="Незаконно сметище", decided_on=recent(5)),
        "sofia": decided_request(title="Осветление", institution=sofia, decided_on=recent(1)),
        # Not in the feeds: private, still waiting, shown name aside.
        "private": decided_request(title="Лична преписка 4455", is_public=False),
        "private_signal": answered_signal(title="Лична жалба 8812", is_public=False),
        "pending": InformationRequestFactory(title="Чакащо 6611"),
        "registered_signal": SignalFactory(title="Разглежда се 6612"),
        "shown": decided_request(
            title="Показано име",
            requester_name="Мария Показана",
            show_name=True,
            organisation=OrganisationFactory(name="Сдружение „Показано“"),
            decided_on=recent(20),
        ),
    }


def test_atom_feed_of_all_answers(client, answers):
    raw, root = atom(client, reverse("monitoring:feed-answers"))
    found = entries(root)
    titles = [title for title, _link in found]
    assert len(titles) == 5
    # Newest decision first.
    assert [t.split(": ", 1)[1] for t in titles] == [
        "Осветление", "Заплати на съветниците", "Незаконно сметище", "Договори за почистване",
        "Показано име",
    ]  # fmt: skip
    links = dict(found)
    granted = answers["granted"]
    site = django_settings.SITE_URL
    assert site + page_path("monitoring:request", granted.pk) in links.values()
    assert all(link.startswith(site) for link in links.values())
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == site + reverse(
        "monitoring:feed-answers"
    )
    for secret in ("4455", "8812", "6611", "6612", "Скрит", "Тайна", "Показана", "Сдружение",
                   "предоставяме", "7723", "@example.org"):  # fmt: skip
        assert secret not in raw, secret
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == answers["sofia"].institution.name_bg
    assert entry.find(f"{ATOM}id").text.startswith(f"request-{answers['sofia'].pk}-answer@")


def test_feed_of_one_institution(client, answers):
    plovdiv = answers["granted"].institution
    _raw, root = atom(client, reverse("monitoring:feed-answers-institution", args=[plovdiv.pk]))
    titles = [t for t, _ in entries(root)]
    assert len(titles) == 4 and not any("Осветление" in t for t in titles)
    assert plovdiv.name_bg in root.find(f"{ATOM}title").text
    sofia = answers["sofia"].institution
    _raw, root = atom(client, reverse("monitoring:feed-answers-institution", args=[sofia.pk]))
    assert [t.split(": ", 1)[1] for t, _ in entries(root)] == ["Осветление"]
    assert client.get("/monitoring/feeds/institutions/987654321/answers.atom").status_code == 404


def test_rss_feeds(client, answers):
    for url in (
        reverse("monitoring:feed-answers-rss"),
        reverse(
            "monitoring:feed-answers-institution-rss", args=[answers["granted"].institution_id]
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/rss+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed
        items = root.findall("channel/item")
        site = django_settings.SITE_URL
        assert items and all(i.find("link").text.startswith(site) for i in items)
        assert "4455" not in response.content.decode()
        assert "Скрит" not in response.content.decode()


def test_old_filings_and_empty_feeds(client):
    # Beyond the window of a year of filings: not read at all.
    decided_request(filed_on=recent(400), registered_on=recent(400), decided_on=recent(380))
    _raw, root = atom(client, reverse("monitoring:feed-answers"))
    assert entries(root) == []


def test_feeds_are_read_only(client):
    assert client.post(reverse("monitoring:feed-answers")).status_code == 405


def test_query_count_is_flat(client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            atom(client, reverse("monitoring:feed-answers"))
        return len(ctx)

    count()  # the site (django.contrib.sites) is read once and cached

    for n in range(3):
        decided_request(decided_on=recent(n + 1))
        answered_signal(decided_on=recent(n + 1))
    few = count()
    for n in range(27):
        decided_request(decided_on=recent(n + 1), institution=generated("ma:SOF46"))
        answered_signal(decided_on=recent(n + 1))
    assert count() == few <= 2
