"""The open-data page (/api/): every export and feed of the platform, each with its formats,
licence and last update, and the API; every link works for an anonymous visitor."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from assessments.enums import CampaignState
from assessments.models import Campaign
from config.views import LICENCE_URL, open_data_sections
from core.legal_calendar import SOFIA
from tests.factories.consultations import ConsultationFactory
from tests.factories.events import EventFactory
from tests.factories.monitoring import CommitmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings) -> None:
    settings.OPEN_DATA_CACHE_SECONDS = 0
    cache.clear()  # the exports' rate-limit counters too


def bg(msgid: str) -> str:
    with override("bg"):
        return gettext(msgid)


def page(client: Client) -> str:
    response = client.get(reverse("api-page"))
    assert response.status_code == 200
    return response.content.decode()


def file_links(html: str) -> list[str]:
    return re.findall(r'<a class="open-data-file" href="([^"]+)"', html)


def row(html: str, key: str) -> str:
    found = re.search(rf'<tr id="dataset-{key}">.*?</tr>', html, re.DOTALL)
    assert found, key
    return found.group(0)


def published_campaign() -> Campaign:
    today = timezone.now().astimezone(SOFIA).date()
    return Campaign.objects.create(
        title="Оценка на капацитета 2026",
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=30),
        state=CampaignState.PUBLISHED,
        published_at=timezone.now(),
    )


def test_every_listed_file_resolves_and_answers_an_anonymous_visitor(client: Client) -> None:
    ConsultationFactory(with_draft=False)
    EventFactory(with_sessions=False)
    campaign = published_campaign()
    html = page(client)
    links = file_links(html)
    expected = {
        reverse("directory:export-download", args=["bg", "csv"]),
        reverse("organisations:export", args=["bg", "json"]),
        reverse("consultations:feed-rss"),
        reverse("consultations:calendar"),
        reverse("events:feed"),
        reverse("monitoring:export-requests"),
        reverse("monitoring:export-responsiveness-json"),
        reverse("monitoring:feed-answers"),
        reverse("assessments:indices-csv", args=[campaign.pk]),
        reverse("assessments:indices-json", args=[campaign.pk]),
    }
    assert expected <= set(links), expected - set(links)
    assert len(links) == len(set(links))
    anonymous = Client()
    for link in links:
        resolve(link.split("?")[0])  # a real address of the portal
        response = anonymous.get(link)
        assert response.status_code == 200, link
        # Streamed files are read to the end: a failure half-way would show here.
        if response.streaming:
            b"".join(response.streaming_content)


def test_the_pages_of_each_part_are_linked(client: Client) -> None:
    html = page(client)
    for name in ("directory:export", "organisations:exports"):
        assert f'href="{reverse(name)}"' in html
        assert Client().get(reverse(name)).status_code == 200


def test_licence_is_shown_and_linked(client: Client) -> None:
    html = page(client)
    assert f'href="{LICENCE_URL}" rel="license"' in html
    assert "CC BY 4.0" in html
    # Every dataset names its licence.
    datasets = re.findall(r'<tr id="dataset-', html)
    assert html.count(f'<a href="{LICENCE_URL}" rel="license">CC BY 4.0</a>') == len(datasets)


def test_last_update_follows_a_new_record_and_is_a_dash_when_empty(client: Client) -> None:
    html = page(client)
    assert "<td" in row(html, "commitments") and "—</td>" in row(html, "commitments")
    CommitmentFactory()
    today = f"{timezone.now().astimezone(SOFIA):%d.%m.%Y} г."
    assert today in row(page(client), "commitments")


def test_last_updates_are_cached(client: Client, settings) -> None:
    settings.OPEN_DATA_CACHE_SECONDS = 600
    page(client)
    CommitmentFactory()
    # Within the cache's time the figure stays; a fresh cache shows the new record.
    assert "—</td>" in row(page(client), "commitments")
    cache.clear()
    assert "—</td>" not in row(page(client), "commitments")


def test_the_api_endpoints_and_schema_are_listed(client: Client) -> None:
    html = page(client)
    assert 'href="/api/v1/openapi.json"' in html
    assert "/api/v1/consultations" in html
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_in_english(client: Client) -> None:
    response = client.get("/en/api/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Last update" in html and "Directory of institutions" in html


def test_one_aggregate_per_dataset(client: Client) -> None:
    sections = open_data_sections()
    datasets = [d for s in sections for d in s.datasets]
    with CaptureQueriesContext(connection) as queries:
        for d in datasets:
            d.last_update()
    # The answers' feed reads requests and signals; the campaigns' dates come with their list.
    assert len(queries) <= len(datasets) + 1


def test_query_count_does_not_grow_with_the_data(client: Client) -> None:
    page(client)
    with CaptureQueriesContext(connection) as few:
        page(client)
    for _ in range(10):
        ConsultationFactory(with_draft=False)
        CommitmentFactory()
    with CaptureQueriesContext(connection) as many:
        page(client)
    assert len(many) == len(few)
