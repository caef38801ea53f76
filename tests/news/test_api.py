"""GET /api/v1/news and /api/v1/news/{id}: published items only, the publisher and q filters,
`{count, items}` pages, a flat number of queries; news in /api/v1/search and the site search."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core import search as search_index
from news.enums import State
from tests.factories.news import NewsImageFactory, NewsItemFactory
from tests.news.helpers import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/news"
HOUR = datetime.timedelta(hours=1)


def ok(client, url=URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(body):
    return [item["title"] for item in body["items"]]


@pytest.fixture
def items(ladder):
    now = timezone.now()
    return {
        "portal": NewsItemFactory(title="Порталът обнови справочника", publish_at=now - 5 * HOUR),
        "institution": NewsItemFactory(
            title="Общината ремонтира училище", institution=ladder.institution,
            publish_at=now - 4 * HOUR,
        ),
        "organisation": NewsItemFactory(
            title="Сдружението събра дарения", organisation=ladder.organisation,
            publish_at=now - 3 * HOUR,
        ),
        "network": NewsItemFactory(
            title="Мрежата прие становище", network=ladder.network, publish_at=now - 2 * HOUR
        ),
        "due": NewsItemFactory(
            title="Насрочена и вече видима", state=State.SCHEDULED, publish_at=now - HOUR
        ),
        "draft": NewsItemFactory(title="Чернова", state=State.DRAFT, publish_at=None),
        "future": NewsItemFactory(title="Утре", state=State.SCHEDULED, publish_at=now + HOUR),
        "withdrawn": NewsItemFactory(title="Оттеглена", state=State.WITHDRAWN),
    }  # fmt: skip


def test_list_has_public_items_newest_first(client, items):
    body = ok(client)
    assert set(body) == {"count", "items"}
    assert body["count"] == 5
    assert titles(body) == [
        "Насрочена и вече видима", "Мрежата прие становище", "Сдружението събра дарения",
        "Общината ремонтира училище", "Порталът обнови справочника",
    ]  # fmt: skip
    institution = next(i for i in body["items"] if i["id"] == items["institution"].pk)
    assert institution["publisher"]["kind"] == "institution"
    assert institution["publisher"]["id"] == items["institution"].institution_id
    assert institution["url"].endswith(f"/news/{items['institution'].pk}/")
    assert institution["published_at"].endswith(("+02:00", "+03:00"))


def test_publisher_filter_by_kind_and_by_one(client, ladder, items):
    assert titles(ok(client, publisher="portal")) == [
        "Насрочена и вече видима", "Порталът обнови справочника",
    ]  # fmt: skip
    assert titles(ok(client, publisher="institution")) == ["Общината ремонтира училище"]
    assert titles(ok(client, publisher="organisation")) == ["Сдружението събра дарения"]
    assert titles(ok(client, publisher="network")) == ["Мрежата прие становище"]
    one = ok(client, publisher=f"institution-{ladder.institution.pk}")
    assert titles(one) == ["Общината ремонтира училище"]
    assert ok(client, publisher=f"institution-{ladder.other_institution.pk}")["count"] == 0
    for bad in ("bank", "institution-", "institution-0", "institution-x", "portal-1"):
        assert client.get(URL, {"publisher": bad}).status_code == 422, bad


def test_q_searches_title_lead_and_text_in_both_scripts(client, items):
    assert titles(ok(client, q="училище")) == ["Общината ремонтира училище"]
    assert titles(ok(client, q="uchilishte")) == ["Общината ремонтира училище"]
    assert titles(ok(client, q="чернова")) == []  # a draft is never found
    both = ok(client, q="становище", publisher="network")
    assert titles(both) == ["Мрежата прие становище"]


def test_pagination(client, items):
    body = ok(client, page=2, page_size=2)
    assert body["count"] == 5 and len(body["items"]) == 2
    assert client.get(URL, {"page_size": 501}).status_code == 422


def test_one_item_and_404_for_unpublished(client, items):
    item = items["institution"]
    NewsImageFactory(item=item, alt="Новата класна стая", caption="")
    body = ok(client, f"{URL}/{item.pk}")
    assert body["title"] == item.title
    assert "<strong>проект</strong>" in body["body_html"]
    assert body["body"] == item.body
    (image,) = body["images"]
    assert image["alt"] == "Новата класна стая" and image["url"].startswith("http")
    for hidden in ("draft", "future", "withdrawn"):
        assert client.get(f"{URL}/{items[hidden].pk}").status_code == 404, hidden
    assert client.get(f"{URL}/{items['due'].pk}").status_code == 200
    assert client.get(f"{URL}/999999999").status_code == 404
    assert client.get(f"{URL}/{2**63}").status_code == 422


def test_list_query_count_is_flat(client, ladder):
    publishers = [{}, {"institution": ladder.institution}, {"organisation": ladder.organisation},
                  {"network": ladder.network}]  # fmt: skip
    for i in range(3):
        NewsItemFactory(**publishers[i % 4])
    client.get(URL)
    few = count_queries(lambda: client.get(URL))
    for i in range(27):
        NewsItemFactory(**publishers[i % 4])
    assert count_queries(lambda: client.get(URL)) <= few


def test_news_is_in_the_search_api_and_the_site_search(client, items):
    assert search_index.get_kind("news") is not None
    body = ok(client, "/api/v1/search", q="дарения")
    (group,) = [g for g in body["groups"] if g["type"] == "news"]
    assert [i["title"] for i in group["items"]] == ["Сдружението събра дарения"]
    # Unpublished items are indexed but not public.
    body = ok(client, "/api/v1/search", q="чернова", type="news")
    assert body["groups"] == []
    html = client.get(reverse("search"), {"q": "дарения"}).content.decode()
    assert "Сдружението събра дарения" in html


def test_a_scheduled_item_enters_search_when_the_worker_publishes_it(client):
    from news import services

    item = NewsItemFactory(title="Фестивал на читалищата", state=State.DRAFT, publish_at=None)
    at = timezone.now() + HOUR
    services.schedule(item, at)
    assert ok(client, "/api/v1/search", q="фестивал")["groups"] == []
    # Time passes: the item is due (and, from then on, shown even before the worker runs).
    type(item).objects.filter(pk=item.pk).update(publish_at=timezone.now() - HOUR)
    assert services.publish_due() == 1
    assert ok(client, "/api/v1/search", q="фестивал")["groups"][0]["type"] == "news"


def test_schemas_are_named_apart_in_the_openapi_document(client):
    schema = ok(client, "/api/v1/openapi.json")
    assert "/api/v1/news" in schema["paths"] and "/api/v1/news/{id}" in schema["paths"]
    names = set(schema["components"]["schemas"])
    assert {"NewsItemOut", "NewsItemDetailOut", "NewsPublisherOut", "NewsImageOut"} <= names
