"""The responsiveness dashboard kept in the cache (monitoring/views/index.py): a record that
changes shows at once (the index's version moves on when the refresh commits), as does a
renamed institution or another scope; what is kept is per language, query and day; odd
queries are not kept; taken from the cache the page costs one query and no rendering of the
ranking or the map."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from monitoring import index
from monitoring.enums import RequestStatus
from monitoring.models import ResponsivenessMonth
from monitoring.views import index as views
from territory.models import Municipality, PortalScope, Province
from tests.factories.directory import generated
from tests.factories.monitoring import InformationRequestFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/monitoring/responsiveness/"
DASHBOARD_PARTS = "monitoring/index/_dashboard.html"
AREA_PARTS = "monitoring/index/_area.html"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache (in memory in tests) outlives each test's rolled-back rows."""
    cache.clear()


@pytest.fixture
def scope(territory):
    portal = PortalScope.current()
    portal.name_bg = "Тестов обхват"
    portal.save()
    portal.provinces.set([Province.objects.get(code="PDV")])
    portal.municipalities.clear()
    return portal


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def main(response) -> str:
    """The page's content (the head has a nonce of its own at every request)."""
    return text(response).split("<main")[1].split("</main>")[0]


def ranking(response) -> str:
    body = text(response)
    return body.split('class="stack ranking-table"')[1].split("</table>")[0]


def decided(institution, n: int, on_time: int) -> None:
    """`n` requests of `institution` granted, the first `on_time` of them on time."""
    for k in range(n):
        InformationRequestFactory(
            institution=institution,
            requester=None,
            status=RequestStatus.GRANTED,
            answered_on_time=k < on_time,
            days_to_answer=10,
            decided_on=date(2026, 11, 2),
        )


def refreshed(institution, django_capture_on_commit_callbacks) -> None:
    """index.refresh as the workflows call it, its transaction committed (the test's own
    transaction never commits: the callbacks run as they would then)."""
    with django_capture_on_commit_callbacks(execute=True):
        index.refresh(institution.pk)


def rendered(response) -> set[str]:
    return {t.name for t in response.templates}


# --- A change shows at once -------------------------------------------------------------------


def test_a_refreshed_record_shows_at_once(client, scope, django_capture_on_commit_callbacks):
    plovdiv = generated("ma:PDV22")
    decided(plovdiv, 6, on_time=6)
    refreshed(plovdiv, django_capture_on_commit_callbacks)
    first = client.get(DASHBOARD)
    assert "<strong>100,0</strong>" in ranking(first)
    assert DASHBOARD_PARTS in rendered(first)
    again = client.get(DASHBOARD)
    assert DASHBOARD_PARTS not in rendered(again)  # from the cache
    assert main(again) == main(first)

    # Two more decided late: 50 × 6/8 + 20 × 8/8 over 70 = 82,1
    decided(plovdiv, 2, on_time=0)
    refreshed(plovdiv, django_capture_on_commit_callbacks)
    after = client.get(DASHBOARD)
    assert DASHBOARD_PARTS in rendered(after) and AREA_PARTS in rendered(after)
    assert "<strong>82,1</strong>" in ranking(after)
    assert "<strong>100,0</strong>" not in ranking(after)
    # The map of the municipality and its numbers too.
    assert re.search(r"Пловдив</a></th>\s*<td[^>]*>82,1</td>", text(after))


def test_the_version_moves_only_once_the_refresh_commits(scope, django_capture_on_commit_callbacks):
    """Not before: a page made meanwhile from the rows as they were would be kept under the
    new version. Not at all when the change is rolled back."""
    plovdiv = generated("ma:PDV22")
    before = index.version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        index.refresh(plovdiv.pk)
    assert index.version() == before
    assert len(callbacks) == 1
    callbacks[0]()
    assert index.version() > before

    moved = index.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        index.refresh(plovdiv.pk)
        raise RuntimeError("the change fails")
    with django_capture_on_commit_callbacks(execute=True):
        pass
    assert index.version() == moved


def test_rebuild_all_moves_the_version(scope, django_capture_on_commit_callbacks):
    before = index.version()
    with django_capture_on_commit_callbacks(execute=True):
        index.rebuild_all()
    assert index.version() > before


def test_a_lost_version_starts_again_from_the_clock(client, scope):
    first = index.version()
    cache.delete(index.VERSION_KEY)
    assert index.version() > first
    # What was kept under the old one is not used.
    client.get(DASHBOARD)
    cache.delete(index.VERSION_KEY)
    assert DASHBOARD_PARTS in rendered(client.get(DASHBOARD))


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_at_once(client, territory, settings):
    """The real thing: the refresh's own transaction commits and moves the version on."""
    plovdiv = generated("ma:PDV22")
    decided(plovdiv, 6, on_time=6)
    index.refresh(plovdiv.pk)
    assert "<strong>100,0</strong>" in ranking(client.get(DASHBOARD))
    decided(plovdiv, 2, on_time=0)
    with transaction.atomic():  # as a workflow: its change and the refresh in one
        index.refresh(plovdiv.pk)
    assert "<strong>82,1</strong>" in ranking(client.get(DASHBOARD))


def test_a_renamed_institution_shows_at_once(client, scope, django_capture_on_commit_callbacks):
    plovdiv = generated("ma:PDV22")
    decided(plovdiv, 6, on_time=6)
    refreshed(plovdiv, django_capture_on_commit_callbacks)
    assert plovdiv.name in ranking(client.get(DASHBOARD))
    plovdiv.name_bg = "Община Пловдив (преименувана)"
    plovdiv.save()  # the directory's version moves on (directory.apps)
    assert "Община Пловдив (преименувана)" in ranking(client.get(DASHBOARD))


def test_another_scope_shows_at_once(client, scope):
    body = text(client.get(DASHBOARD))
    assert "Тестов обхват" in body and "Асеновград" in body
    scope.provinces.set([Province.objects.get(code="VAR")])
    body = text(client.get(DASHBOARD))
    assert "Асеновград" not in body and "Аврен" in body
    scope.provinces.clear()
    body = text(client.get(DASHBOARD))
    assert gettext("all of Bulgaria") in body
    assert body.count('class="map-shape') == Municipality.objects.exclude(svg_path="").count()


# --- What is kept, under which key ------------------------------------------------------------


def test_each_language_and_query_is_kept_apart(client, scope, django_capture_on_commit_callbacks):
    plovdiv = generated("ma:PDV22")
    decided(plovdiv, 6, on_time=6)
    refreshed(plovdiv, django_capture_on_commit_callbacks)
    client.get(DASHBOARD)
    english = client.get("/en" + DASHBOARD)
    assert DASHBOARD_PARTS in rendered(english)
    assert 'href="/en/monitoring/responsiveness/municipality/PDV22/"' in text(english)
    assert "<strong>100.0</strong>" in ranking(english)
    by_name = client.get(DASHBOARD, {"sort": "name"})
    # Another sort: the ranking is made again, the area's map and trend come from the cache.
    assert DASHBOARD_PARTS in rendered(by_name) and AREA_PARTS not in rendered(by_name)
    assert 'aria-sort="ascending"' in text(by_name)
    # The same query in another order is the same page.
    client.get(DASHBOARD, {"sort": "-requests", "of": "municipalities"})
    same = client.get(DASHBOARD + "?of=municipalities&sort=-requests")
    assert DASHBOARD_PARTS not in rendered(same)


def test_the_day_is_part_of_the_key(client, scope, monkeypatch):
    ResponsivenessMonth.objects.create(
        municipality_id="PDV22", month=date(2026, 11, 1), requests_decided=3, requests_on_time=2
    )
    client.get(DASHBOARD)
    assert DASHBOARD_PARTS not in rendered(client.get(DASHBOARD))
    monkeypatch.setattr(views, "_today", lambda: date(2027, 1, 4))
    later = client.get(DASHBOARD)
    assert DASHBOARD_PARTS in rendered(later)
    # The trend's last month follows the day.
    assert ">01.2027<" in text(later)


@pytest.mark.parametrize(
    "query",
    [
        "?min=abc",  # a wrong filter: shown with its message, not kept
        "?province=XXX",
        "?utm_source=feed",  # not the dashboard's own
        "?sort=name&sort=-score",  # repeated
        "?page=123456",  # longer than the page's links write
        "?kind=" + "a" * 61,
    ],
)
def test_odd_queries_are_answered_but_not_kept(client, scope, query):
    assert client.get(DASHBOARD + query).status_code == 200
    again = client.get(DASHBOARD + query)
    assert again.status_code == 200
    assert DASHBOARD_PARTS in rendered(again)


def test_what_another_version_kept_is_not_shown(client, scope):
    """A value of another shape under the key (an older release) is a miss, never a 500."""
    client.get(DASHBOARD)
    keys = [k for k in cache._cache if "monitoring:dashboard:" in k]  # type: ignore[attr-defined]
    assert keys
    for key in keys:
        cache.set(key.split(":", 2)[2], "<p>left over</p>")
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "left over" not in text(response)


# --- Cost -------------------------------------------------------------------------------------


def test_from_the_cache_two_queries_whatever_the_numbers(
    client, scope, django_capture_on_commit_callbacks
):
    """The scope, and the one every page's layout reads (the cache is in memory in tests; the
    database cache adds one read)."""
    codes = list(
        Municipality.objects.filter(province_id="PDV")
        .order_by("code")
        .values_list("code", flat=True)
    )

    def cached_queries(n: int) -> int:
        for code in codes[:n]:
            decided(generated(f"ma:{code}"), 5, on_time=4)
            refreshed(generated(f"ma:{code}"), django_capture_on_commit_callbacks)
        assert DASHBOARD_PARTS in rendered(client.get(DASHBOARD))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert DASHBOARD_PARTS not in rendered(response)
        assert ranking(response).count('<th scope="row"') == n
        return len(queries)

    assert cached_queries(3) == 2
    assert cached_queries(len(codes)) == 2
