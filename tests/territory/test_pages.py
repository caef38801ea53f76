"""Territory pages: content, breadcrumbs, maps, English names, 404s and query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from territory.models import Settlement

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
# Fixed bounds: anything that grows with the data (a query per row) would break them.
MAX_QUERIES = 8


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def breadcrumb_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert nav, "breadcrumbs missing"
    return [
        re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li.*?</li>", nav.group(0), re.S)
    ]


def map_links(html: str) -> list[tuple[str, str, str]]:
    """(href, aria-label, title) of every linked shape of the page's map."""
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg, "map missing"
    return re.findall(
        r'<a href="([^"]+)" aria-label="([^"]+)"><title>([^<]+)</title><path class="map-shape',
        svg.group(0),
    )


def test_index_lists_regions_and_maps_all_provinces(client) -> None:
    html = get(client, reverse("territory:index"))
    assert "Южен централен" in html and "Северозападен" in html
    links = map_links(html)
    assert len(links) == 28
    assert all(label.startswith(title) for _href, label, title in links)
    assert "/territory/provinces/PDV/" in {href for href, _l, _t in links}
    assert 'role="group"' in html and "<desc" in html
    assert 'class="stack"' in html and 'data-label="' in html


def test_region_page_has_provinces_map_and_composition_over_time(client) -> None:
    html = get(client, reverse("territory:region", args=["BG42"]))
    provinces_on_map = {title for _h, _l, title in map_links(html)}
    assert provinces_on_map == {"Пловдив", "Хасково", "Пазарджик", "Смолян", "Кърджали"}
    composition = html.split('id="composition"', 1)[1]
    assert "BG22" in composition and "BG42" in composition
    assert "31.12.2007" in composition and "01.01.2008" in composition
    # The pre-2008 version lists six provinces, Stara Zagora among them.
    old_row = next(row for row in composition.split("<tr>") if "BG22" in row)
    assert "Стара Загора" in old_row
    crumbs = breadcrumb_labels(html)
    assert len(crumbs) == 3  # home › territory › region
    assert crumbs[-1].startswith("Южен централен")


def test_province_page(client) -> None:
    html = get(client, reverse("territory:province", args=["PDV"]))
    assert "Пловдив" in html
    assert f"669{NBSP}796" in html  # population 2017, Bulgarian thousands
    crumbs = breadcrumb_labels(html)
    assert crumbs[-1] == "Пловдив" and crumbs[-2].startswith("Южен централен")
    links = map_links(html)
    assert len(links) == 18
    assert any(href == "/territory/municipalities/PDV22/" for href, _l, _t in links)
    assert "/accounts/login/?next=" in html  # the follow invitation for visitors
    # The table beside the map has the same numbers.
    assert f"345{NBSP}213" in html


def test_municipality_page_lists_settlements_mayoralties_and_districts(client) -> None:
    html = get(client, reverse("territory:municipality", args=["PDV22"]))
    assert f"345{NBSP}213" in html
    assert "/territory/districts/56784-01/" in html
    assert "/accounts/login/?next=" in html  # the follow invitation for visitors
    crumbs = breadcrumb_labels(html)
    assert len(crumbs) == 5  # home › territory › region › province › municipality
    # A province and its municipality often share a name; the trail tells them apart.
    assert crumbs[-2:] == ["Област Пловдив", "Пловдив"]
    # The location map marks this municipality among the province's others.
    assert re.search(
        r'aria-label="Пловдив"><title>Пловдив</title><path class="map-shape current"', html
    )

    html = get(client, reverse("territory:municipality", args=["BLG52"]))
    assert "Абланица" in html and "/territory/mayoralties/BLG52-01/" in html
    assert "с." not in breadcrumb_labels(html)[-1]


def test_settlement_page(client) -> None:
    html = get(client, reverse("territory:settlement", args=["56784"]))
    assert "гр. Пловдив" in html
    population = Settlement.objects.get(ekatte="56784").population_2017
    assert population > 300_000
    assert f"{population:,}".replace(",", NBSP) in html
    assert breadcrumb_labels(html)[-1] == "гр. Пловдив"
    assert "/territory/districts/56784-01/" in html  # the city's districts


def test_village_without_mayoralty_says_so(client) -> None:
    village = Settlement.objects.filter(mayoralty__isnull=True, kind="village").first()
    html = get(client, reverse("territory:settlement", args=[village.ekatte]))
    assert village.name_bg in html
    assert "/territory/mayoralties/" not in html


def test_mayoralty_page(client) -> None:
    html = get(client, reverse("territory:mayoralty", args=["BLG52-01"]))
    assert "Абланица" in html
    assert "/territory/municipalities/BLG52/" in html
    assert breadcrumb_labels(html)[-2:] == ["Община Хаджидимово", "Абланица"]


def test_district_page(client) -> None:
    html = get(client, reverse("territory:district", args=["68134-24"]))
    assert "/territory/settlements/68134/" in html
    assert "/territory/municipalities/SOF46/" in html
    # The other Sofia districts (the language switch carries this page's own path too).
    assert html.count('href="/territory/districts/68134-') == 23


@pytest.mark.parametrize(
    "url",
    [
        "/territory/regions/BG99/",
        "/territory/provinces/XXX/",
        "/territory/municipalities/PDV99/",
        "/territory/settlements/99999/",
        "/territory/mayoralties/PDV22-99/",
        "/territory/districts/56784-99/",
    ],
)
def test_unknown_codes_give_bulgarian_404(client, url: str) -> None:
    html = get(client, url, status=404)
    assert 'lang="bg"' in html
    # The Bulgarian catalogue's text (the English msgid until the catalogue is compiled).
    assert f"<h1>{gettext('Page not found')}</h1>" in html


def test_english_pages_show_latin_names(client) -> None:
    html = get(client, "/en/territory/provinces/PDV/")
    assert "Plovdiv" in html
    assert 'lang="en"' in html
    titles = {title for _h, _l, title in map_links(html)}
    assert "Asenovgrad" in titles and "Асеновград" not in titles
    html = get(client, "/en/territory/settlements/56784/")
    assert "<h1>Plovdiv</h1>" in html
    assert f"{Settlement.objects.get(ekatte='56784').population_2017:,}" in html


@pytest.mark.parametrize(
    ("small", "large"),
    [
        (("territory:region", "BG33"), ("territory:region", "BG41")),
        (("territory:province", "SOF"), ("territory:province", "PDV")),
        (("territory:municipality", "PDV22"), ("territory:municipality", "GAB05")),
        (("territory:municipality", "DOB28"), ("territory:municipality", "SOF46")),
        (("territory:mayoralty", "BLG52-01"), ("territory:mayoralty", "GAB05-04")),
        (("territory:settlement", "00014"), ("territory:settlement", "68134")),
        (("territory:district", "56784-01"), ("territory:district", "68134-01")),
    ],
)
def test_query_count_does_not_grow_with_the_unit(client, small, large) -> None:
    small_url = reverse(small[0], args=[small[1]])
    large_url = reverse(large[0], args=[large[1]])
    get(client, small_url)  # warm caches (content types, translations)
    n_small = query_count(client, small_url)
    n_large = query_count(client, large_url)
    assert n_small == n_large
    assert n_large <= MAX_QUERIES


def test_index_query_count_is_small(client, django_assert_max_num_queries) -> None:
    get(client, reverse("territory:index"))
    with django_assert_max_num_queries(MAX_QUERIES):
        get(client, reverse("territory:index"))


@pytest.mark.parametrize("code", ["%00", "PDV%00", "a%20b", "x" * 17, "PD%2FV"])
def test_malformed_codes_are_404_before_any_query(client, code, django_assert_num_queries):
    # The one query is the 404 page's header (the portal scope's name), never a lookup.
    with django_assert_num_queries(1):
        response = client.get(f"/territory/provinces/{code}/")
    assert response.status_code == 404
