"""The directory's search results are kept in the cache under the directory's version
(directory.selectors.CachedResults): the same search again runs no full-text query, and a
saved or deleted institution, service or kind, or a changed area, shows at once."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import selectors
from directory.models import InstitutionKind
from tests.factories.directory import InstitutionFactory, ServiceFactory

pytestmark = pytest.mark.django_db

INDEX = "/directory/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The test database is rolled back after each test, the in-memory cache is not."""
    cache.clear()


def search(client, **params) -> tuple[str, int]:
    """The page's HTML and how many of its queries read the search index."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(INDEX, params)
    assert response.status_code == 200
    return response.content.decode(), sum("core_searchentry" in q["sql"] for q in ctx)


def results(html: str) -> str:
    """Both sections with their counts, links and pages (the page around them carries the
    CSRF token of the language switcher, new each time)."""
    return html[html.index('<section id="institutions">') : html.rindex("</section>")]


def services(html: str) -> list[str]:
    part = re.search(r'<section id="services">(.*?)</section>', html, re.S).group(1)
    return re.findall(r'<a href="/directory/services/\d+/">([^<]+)</a>', part)


def institutions(html: str) -> list[str]:
    part = re.search(r'<section id="institutions">(.*?)</section>', html, re.S).group(1)
    return re.findall(r'<a href="/directory/institutions/\d+/">([^<]+)</a>', part)


def test_the_same_search_again_reads_no_index(client):
    ServiceFactory(name="Заверка на подпис")
    InstitutionFactory(name_bg="Инспекция по заверките")
    first, read = search(client, q="заверка")
    assert read > 0
    assert services(first) == ["Заверка на подпис"]
    assert institutions(first) == ["Инспекция по заверките"]
    again, read = search(client, q="заверка")
    assert read == 0
    assert results(again) == results(first)
    # Another filter or other words are other entries.
    assert search(client, q="заверка", province="PDV")[1] > 0
    assert search(client, q="заверки")[1] > 0


def test_each_page_is_kept_apart(client):
    ServiceFactory.create_batch(30, name="Заверка на документ")
    first = services(search(client, q="заверка")[0])
    second, read = search(client, q="заверка", spage="2")
    assert read > 0  # the count is kept, the second page is read once
    assert len(first) == 25 and len(services(second)) == 5
    again, read = search(client, q="заверка", spage="2")
    assert read == 0 and results(again) == results(second)


def test_a_new_renamed_or_deleted_service_shows_at_once(client):
    signature = ServiceFactory(name="Заверка на подпис")
    assert services(search(client, q="заверка")[0]) == ["Заверка на подпис"]
    copy = ServiceFactory(name="Заверка на препис")
    html = search(client, q="заверка")[0]
    assert sorted(services(html)) == ["Заверка на подпис", "Заверка на препис"]
    assert "2 административни услуги" in html
    signature.name = "Легализация на подпис"
    signature.save()
    assert services(search(client, q="заверка")[0]) == ["Заверка на препис"]
    copy.delete()
    html = search(client, q="заверка")[0]
    assert services(html) == [] and "0 административни услуги" in html


def test_a_renamed_or_deleted_institution_shows_at_once(client):
    unit = InstitutionFactory(name_bg="Инспекция Заверки")
    assert institutions(search(client, q="заверки")[0]) == ["Инспекция Заверки"]
    unit.name_bg = "Инспекция Преписи"
    unit.save()
    assert institutions(search(client, q="заверки")[0]) == []
    assert institutions(search(client, q="преписи")[0]) == ["Инспекция Преписи"]
    unit.delete()
    assert institutions(search(client, q="преписи")[0]) == []


def test_a_changed_area_or_kind_shows_at_once(client):
    unit = InstitutionFactory(name_bg="Бюро Заверки – Карлово")
    params = {"q": "заверки", "municipality": "PDV13"}
    assert institutions(search(client, **params)[0]) == []
    unit.area_municipalities.set(["PDV13"])
    assert institutions(search(client, **params)[0]) == ["Бюро Заверки – Карлово"]
    assert institutions(search(client, q="заверки", kind="rzi")[0]) == ["Бюро Заверки – Карлово"]
    kind = InstitutionKind.objects.get(slug="rzi")
    kind.slug = "rzi-renamed"
    kind.save()
    assert institutions(search(client, q="заверки", kind="rzi-renamed")[0]) == [
        "Бюро Заверки – Карлово"
    ]


def test_the_version_moves_now_and_again_when_the_change_commits(
    django_capture_on_commit_callbacks,
):
    before = selectors.directory_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        selectors.directory_changed()
    assert selectors.directory_version() == before + 1
    for callback in callbacks:
        callback()
    assert selectors.directory_version() == before + 2


def test_a_lost_version_starts_again_above_every_earlier_one():
    first = selectors.directory_version()
    selectors.directory_changed()
    cache.delete(selectors.VERSION_KEY)  # expired or evicted
    assert selectors.directory_version() > first + 1
    raised = selectors.directory_version()
    cache.delete(selectors.VERSION_KEY)
    selectors.directory_changed()
    assert selectors.directory_version() > raised
