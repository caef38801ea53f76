"""RSS and Atom feeds of the common stream and of each publisher's, parsed as XML."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from news.enums import State
from tests.factories.news import NewsItemFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [i.findtext("title") for i in root.iter("item")], root


def atom_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")], root


@pytest.fixture
def items(ladder):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    return {
        "portal": NewsItemFactory(title="Порталът", publish_at=now - 4 * hour),
        "institution": NewsItemFactory(
            title="Общината", institution=ladder.institution, publish_at=now - 3 * hour
        ),
        "organisation": NewsItemFactory(
            title="Сдружението", organisation=ladder.organisation, publish_at=now - 2 * hour
        ),
        "network": NewsItemFactory(title="Мрежата", network=ladder.network, publish_at=now - hour),
        "draft": NewsItemFactory(title="Чернова", state=State.DRAFT, publish_at=None),
        "future": NewsItemFactory(title="Утре", state=State.SCHEDULED, publish_at=now + 24 * hour),
    }


def test_common_feeds_have_every_public_item_newest_first(client, items):
    titles, root = rss_titles(client, reverse("news:index-rss"))
    assert titles == ["Мрежата", "Сдружението", "Общината", "Порталът"]
    first = next(root.iter("item"))
    assert first.findtext("link").endswith(items["network"].get_absolute_url())
    assert first.findtext("description") == items["network"].lead
    titles, root = atom_titles(client, reverse("news:index-atom"))
    assert titles == ["Мрежата", "Сдружението", "Общината", "Порталът"]


def test_each_publishers_feed_has_its_items_only(client, ladder, items):
    urls = {
        "portal": ("news:portal", []),
        "institution": ("news:institution", [ladder.institution.pk]),
        "organisation": ("news:organisation", [ladder.organisation.pk]),
        "network": ("news:network", [ladder.network.pk]),
    }
    for kind, (name, args) in urls.items():
        titles, _root = rss_titles(client, reverse(f"{name}-rss", args=args))
        assert titles == [items[kind].title], kind
        titles, root = atom_titles(client, reverse(f"{name}-atom", args=args))
        assert titles == [items[kind].title], kind
        author = next(root.iter(f"{ATOM}entry")).find(f"{ATOM}author")
        assert author is not None and author.findtext(f"{ATOM}name")


def test_feeds_are_linked_from_the_pages(client, ladder, items):
    html = client.get(reverse("news:institution", args=[ladder.institution.pk])).content.decode()
    assert reverse("news:institution-rss", args=[ladder.institution.pk]) in html
    assert reverse("news:institution-atom", args=[ladder.institution.pk]) in html
    html = client.get(items["network"].get_absolute_url()).content.decode()
    assert f'href="{reverse("news:network-rss", args=[ladder.network.pk])}"' in html


def test_unknown_publisher_feed_is_404_and_writes_are_refused(client):
    assert client.get(reverse("news:institution-rss", args=[999_999_999])).status_code == 404
    assert client.post(reverse("news:index-rss")).status_code == 405


def test_feed_query_count_is_flat(client, ladder):
    from tests.news.helpers import count_queries

    url = reverse("news:index-atom")
    for i in range(3):
        NewsItemFactory(**({"institution": ladder.institution} if i % 2 else {}))
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for i in range(27):
        NewsItemFactory(**({"organisation": ladder.organisation} if i % 2 else {}))
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= few
