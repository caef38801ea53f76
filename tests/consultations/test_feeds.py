"""RSS and Atom feeds of open consultations and the calendar of closing dates."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.enums import State
from directory.models import Institution
from tests.factories.consultations import ConsultationFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_titles(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [item.findtext("title") for item in root.iter("item")]


def atom_titles(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def consultations():
    sofia = Institution.objects.filter(municipality_id="SOF46").first()
    return {
        "plovdiv": ConsultationFactory(title="Наредба за тишината в Пловдив"),
        "sofia": ConsultationFactory(
            title="Наредба за паркирането в София",
            institution=sofia,
            municipality_id="SOF46",
            province_id="SOF",
        ),
        "closed": ConsultationFactory(title="Затворено обсъждане", state=State.CLOSED),
        "draft": ConsultationFactory(title="Чернова", state=State.DRAFT),
    }


def test_portal_rss_lists_open_consultations_only(client, consultations):
    response = client.get("/consultations/feeds/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    titles = rss_titles(response)
    assert "Наредба за тишината в Пловдив" in titles and "Наредба за паркирането в София" in titles
    assert "Затворено обсъждане" not in titles and "Чернова" not in titles
    body = response.content.decode()
    assert f"/consultations/{consultations['plovdiv'].pk}/" in body
    assert "обществения ред" in body  # the summary, rendered from Markdown


def test_institution_feeds(client, consultations):
    pk = consultations["plovdiv"].institution_id
    assert rss_titles(client.get(f"/consultations/feeds/institution/{pk}/rss/")) == [
        "Наредба за тишината в Пловдив"
    ]
    atom = client.get(f"/consultations/feeds/institution/{pk}/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert atom_titles(atom) == ["Наредба за тишината в Пловдив"]


def test_municipality_feeds(client, consultations):
    assert rss_titles(client.get("/consultations/feeds/municipality/SOF46/rss/")) == [
        "Наредба за паркирането в София"
    ]
    assert atom_titles(client.get("/consultations/feeds/municipality/PDV22/atom/")) == [
        "Наредба за тишината в Пловдив"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/feeds/institution/999999999/rss/",
        "/consultations/feeds/municipality/XXX99/atom/",
        "/consultations/feeds/municipality/pdv22/rss/",
        "/consultations/feeds/municipality/%00/rss/",
        "/consultations/feeds/institution/999999999/calendar.ics",
        "/consultations/feeds/municipality/ZZZ00/calendar.ics",
    ],
)
def test_unknown_scopes_are_404(client, path):
    assert client.get(path).status_code == 404


def test_feeds_are_read_only(client):
    assert client.post("/consultations/feeds/rss/").status_code == 405
    assert client.post("/consultations/feeds/calendar.ics").status_code == 405


def test_calendar_of_closing_dates(client, consultations):
    response = client.get("/consultations/feeds/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    plovdiv = consultations["plovdiv"]
    assert f"UID:consultation-{plovdiv.pk}-closes@" in body
    assert f"DTSTART;VALUE=DATE:{plovdiv.closes_on:%Y%m%d}" in body
    unfolded = body.replace("\r\n ", "")
    assert "Наредба за тишината в Пловдив" in unfolded
    assert "Затворено обсъждане" in unfolded  # recently closed: kept in the calendar
    assert "Чернова" not in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_scoped_calendars(client, consultations):
    sofia = client.get("/consultations/feeds/municipality/SOF46/calendar.ics").content.decode()
    assert "паркирането" in sofia.replace("\r\n ", "") and "тишината" not in sofia
    pk = consultations["plovdiv"].institution_id
    own = client.get(f"/consultations/feeds/institution/{pk}/calendar.ics").content.decode()
    assert "паркирането" not in own.replace("\r\n ", "")


def test_an_old_closing_date_leaves_the_calendar(client):
    old = ConsultationFactory(
        title="Старо обсъждане", state=State.CLOSED, closes_on=datetime.date(2020, 1, 1)
    )
    body = client.get("/consultations/feeds/calendar.ics").content.decode()
    assert f"consultation-{old.pk}-closes" not in body


@pytest.mark.parametrize("path", ["/consultations/feeds/rss/", "/consultations/feeds/calendar.ics"])
def test_query_count_is_flat(client, path):
    for _ in range(3):
        ConsultationFactory(with_draft=False)
    client.get(path)  # caches filled once (content types, translations)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for _ in range(27):
        ConsultationFactory(with_draft=False)
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many) == len(few)
