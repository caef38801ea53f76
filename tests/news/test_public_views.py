"""The public pages: the common stream, each publisher's stream and the item."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Topic
from news.enums import Kind, State
from tests.clients import signed_in
from tests.factories.news import NewsImageFactory, NewsItemFactory
from tests.news.helpers import count_queries

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_stream_shows_public_items_newest_first(client, ladder):
    now = timezone.now()
    old = NewsItemFactory(title="Старата новина", publish_at=now - 5 * HOUR)
    new = NewsItemFactory(
        title="Новата новина", publish_at=now - HOUR, institution=ladder.institution
    )
    due = NewsItemFactory(
        title="Насрочена и дошла", state=State.SCHEDULED, publish_at=now - 2 * HOUR
    )
    NewsItemFactory(title="Чернова за никого", state=State.DRAFT, publish_at=None)
    NewsItemFactory(title="Още не е време", state=State.SCHEDULED, publish_at=now + HOUR)
    NewsItemFactory(title="Оттеглена новина", state=State.WITHDRAWN, publish_at=now - HOUR)
    response = client.get(reverse("news:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(new.title) < html.index(due.title) < html.index(old.title)
    for hidden in ("Чернова за никого", "Още не е време", "Оттеглена новина"):
        assert hidden not in html
    assert ladder.institution.name_bg in html
    # The feeds are announced in the head.
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert reverse("news:index-atom") in html


def test_stream_filters_by_kind_of_publisher_topic_and_words(client, ladder):
    topic, _created = Topic.objects.get_or_create(slug="ekologia", defaults={"name_bg": "Екология"})
    portal = NewsItemFactory(title="Порталът има нов вид")
    institution = NewsItemFactory(title="Общината засади дървета", institution=ladder.institution)
    institution.topics.add(topic)
    organisation = NewsItemFactory(
        title="Сдружението търси доброволци", organisation=ladder.organisation
    )
    network = NewsItemFactory(title="Мрежата прие становище", network=ladder.network)

    def titles(**params: str) -> set[str]:
        html = client.get(reverse("news:index"), params).content.decode()
        return {i.title for i in (portal, institution, organisation, network) if i.title in html}

    assert titles(publisher="portal") == {portal.title}
    assert titles(publisher="institution") == {institution.title}
    assert titles(publisher="organisation") == {organisation.title}
    assert titles(publisher="network") == {network.title}
    assert titles(topic="ekologia") == {institution.title}
    assert titles(q="дървета") == {institution.title}
    assert titles(q="darveta") == {institution.title}  # Latin finds Cyrillic
    # An unknown choice is refused next to its field and ignored.
    response = client.get(reverse("news:index"), {"publisher": "bank"})
    assert response.status_code == 200
    assert titles(publisher="bank") == {
        portal.title,
        institution.title,
        organisation.title,
        network.title,
    }


def test_empty_states(client):
    html = client.get(reverse("news:index")).content.decode()
    assert _("Nothing has been published here yet.") in html
    html = client.get(reverse("news:index"), {"q": "несъществуващо"}).content.decode()
    assert _("No item matches these filters.") in html


def test_each_publisher_has_its_own_stream(client, ladder):
    mine = NewsItemFactory(title="Обявление на общината", institution=ladder.institution)
    other = NewsItemFactory(title="Новина на портала")
    org = NewsItemFactory(title="Новина на сдружението", organisation=ladder.organisation)
    net = NewsItemFactory(title="Новина на мрежата", network=ladder.network)
    pages = {
        reverse("news:institution", args=[ladder.institution.pk]): mine,
        reverse("news:portal"): other,
        reverse("news:organisation", args=[ladder.organisation.pk]): org,
        reverse("news:network", args=[ladder.network.pk]): net,
    }
    for url, shown in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert shown.title in html
        for item in (mine, other, org, net):
            if item != shown:
                assert item.title not in html, url
    assert client.get(reverse("news:institution", args=[999_999_999])).status_code == 404
    assert client.get(reverse("news:network", args=[2**63])).status_code == 404


def test_a_hidden_organisation_has_no_stream(client, ladder):
    ladder.organisation.visibility = "hidden"
    ladder.organisation.save(update_fields=["visibility"])
    assert (
        client.get(reverse("news:organisation", args=[ladder.organisation.pk])).status_code == 404
    )


def test_item_page_with_images_publisher_and_follow_button(client, ladder):
    item = NewsItemFactory(institution=ladder.institution, kind=Kind.ANNOUNCEMENT)
    NewsImageFactory(item=item, alt="Новата пързалка", caption="Площадката днес")
    NewsImageFactory(item=item, alt="Люлките", caption="")
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'alt="Новата пързалка"' in html and 'alt="Люлките"' in html
    assert "Площадката днес" in html
    assert "<strong>проект</strong>" in html  # the Markdown body
    assert ladder.institution.get_absolute_url() in html
    assert _("Sign in to follow news about this") in html
    signed = signed_in(ladder.citizen).get(item.get_absolute_url()).content.decode()
    assert 'name="action" value="follow"' in signed


def test_item_page_ladder_before_publication(ladder):
    draft = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    expected = {
        "anonymous": 404, "citizen": 404, "other_staff": 404, "representative": 404,
        "coordinator": 404, "staff": 200, "admin": 200,
    }  # fmt: skip
    for who, user in ladder.people().items():
        status = signed_in(user).get(draft.get_absolute_url()).status_code
        assert status == expected[who], who


def test_withdrawn_item_says_why_without_its_text(client):
    item = NewsItemFactory(state=State.WITHDRAWN, withdrawn_reason="Грешка в датите.")
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Грешка в датите." in html
    assert item.lead not in html


def test_unknown_item_is_404(client):
    assert client.get(reverse("news:detail", args=[999_999])).status_code == 404
    assert client.get(reverse("news:detail", args=[2**63])).status_code == 404


def _make(n: int, ladder) -> None:
    publishers = [{}, {"institution": ladder.institution}, {"organisation": ladder.organisation},
                  {"network": ladder.network}]  # fmt: skip
    for i in range(n):
        item = NewsItemFactory(**publishers[i % 4])
        NewsImageFactory(item=item)


@pytest.mark.parametrize("url_name", ["news:index", "news:portal"])
def test_stream_query_count_is_flat(client, ladder, url_name):
    url = reverse(url_name)
    _make(3, ladder)
    client.get(url)  # warm the content types and the scope's cache
    few = count_queries(lambda: client.get(url))
    assert few <= 8
    _make(27, ladder)
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= few


def test_item_query_count_is_flat(client, ladder):
    item = NewsItemFactory(institution=ladder.institution)
    url = item.get_absolute_url()
    NewsImageFactory(item=item)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    assert few <= 8
    for _i in range(10):
        NewsImageFactory(item=item)
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= few


def test_images_are_served_with_the_items_permission(client, ladder):
    public = NewsImageFactory(item=NewsItemFactory(institution=ladder.institution))
    response = client.get(public.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    draft = NewsImageFactory(
        item=NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    )
    assert client.get(draft.url).status_code == 404
    assert signed_in(ladder.citizen).get(draft.url).status_code == 404
    assert signed_in(ladder.staff).get(draft.url).status_code == 200
    assert signed_in(ladder.staff).get(draft.url)["Cache-Control"] == "private, no-store"
    # Another item's number with this image's is a 404.
    assert client.get(reverse("news:image", args=[draft.item_id, public.pk])).status_code == 404


def test_items_of_a_hidden_organisation_leave_the_common_stream(client, ladder):
    item = NewsItemFactory(title="Новина на скрита организация", organisation=ladder.organisation)
    assert item.title in client.get(reverse("news:index")).content.decode()
    ladder.organisation.visibility = "hidden"
    ladder.organisation.save(update_fields=["visibility"])
    assert item.title not in client.get(reverse("news:index")).content.decode()
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/news/{item.pk}").status_code == 404


def test_the_link_to_ones_news_only_for_those_who_write(ladder):
    manage = reverse("news:manage")
    assert manage not in signed_in(ladder.citizen).get(reverse("news:index")).content.decode()
    for user in (ladder.staff, ladder.representative, ladder.admin):
        assert manage in signed_in(user).get(reverse("news:index")).content.decode()
