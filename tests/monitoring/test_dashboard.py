"""The monitoring's landing page, the responsiveness dashboard (ranking, map, trend), one
institution's or municipality's figures and the methodology page: happy paths, filters,
sorting, bad parameters, the map's accessible names and numbers, and flat query counts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext

from directory.models import Institution
from monitoring import index
from monitoring.enums import RequestStatus
from monitoring.models import Responsiveness, ResponsivenessMonth
from territory.models import Municipality, PortalScope, Province
from tests.factories.directory import generated
from tests.factories.monitoring import InformationRequestFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/monitoring/responsiveness/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard is kept in the cache (in memory in tests, shared by the whole run, and
    not rolled back with each test's rows): each test starts without what another rendered."""
    cache.clear()


@pytest.fixture
def scope(territory):
    """The portal serves the province of Plovdiv and the municipality of Sofia."""
    portal = PortalScope.current()
    portal.name_bg = "Тестов обхват"
    portal.save()
    portal.provinces.set([Province.objects.get(code="PDV")])
    portal.municipalities.set([Municipality.objects.get(code="SOF46")])
    return portal


def stored(institution: Institution | None = None, municipality: str | None = None, **counts):
    """A stored row as monitoring/index.py writes it (score from the counters)."""
    figures = index.Figures(**counts)
    if institution is not None:
        province = institution.province_id
    else:
        province = Municipality.objects.get(code=municipality).province_id
    return Responsiveness.objects.create(
        institution=institution,
        municipality_id=municipality,
        province_id=province,
        **{k: getattr(figures, k) for k in index.COUNTERS},
        median_days=figures.median_days,
        score=figures.score,
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url_of(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- Landing page ----------------------------------------------------------------------------


def test_landing_page_shows_the_scope_figures_from_the_stored_rows(client, scope):
    stored(generated("ma:PDV22"), requests_total=12, requests_due=10, requests_on_time=6,
           requests_overdue=2, signals_total=4, signals_due=4, signals_answered=3,
           signals_on_time=2, commitments_total=7, commitments_due=5,
           commitments_done_on_time=1)  # fmt: skip
    stored(generated("ma:SOF46"), requests_total=3, requests_due=2, requests_on_time=2)
    # Outside the scope (Varna): not counted.
    stored(generated("ma:VAR06"), requests_total=500, requests_due=500)
    # A record without a stored row is not counted either: the page never counts records.
    InformationRequestFactory(requester=None)

    response = client.get("/monitoring/")
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert gettext("Monitoring of the administration") in body
    stats = re.findall(r"<strong>([^<]*)</strong>", body)
    # 15 requests, 8 of 12 due on time = 66,7 %, 2 overdue; 4 signals, 2 of 4 = 50,0 %, 1
    # overdue (4 due, 3 answered); 7 commitments, 5 due, 1 of 5 = 20,0 %.
    assert stats[:9] == ["15", "66,7 %", "2", "4", "50,0 %", "1", "7", "5", "20,0 %"]
    assert reverse("monitoring:responsiveness") in body
    assert reverse("monitoring:methodology") in body
    for name in ("monitoring:request-file", "monitoring:signal-file", "monitoring:requests"):
        if url_of(name):
            assert f'href="{url_of(name)}"' in body
    assert "Тестов обхват" in body


def test_landing_page_when_nothing_is_recorded(client, scope):
    response = client.get("/monitoring/")
    assert response.status_code == 200
    message = "Nothing has been filed or recorded yet. The figures appear as soon as the first request, signal or commitment is."  # noqa: E501
    assert gettext(message) in text(response)


def test_landing_page_score_once_enough_is_due(client, scope):
    stored(generated("ma:PDV22"), requests_total=10, requests_due=10, requests_on_time=6,
           requests_overdue=2)  # fmt: skip
    assert "<strong>65,7</strong>" in text(client.get("/monitoring/"))


# --- Dashboard: ranking ----------------------------------------------------------------------


def ranking_names(response) -> list[str]:
    body = text(response)
    if 'class="stack ranking-table"' not in body:
        return []
    table = body.split('class="stack ranking-table"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a>', table)


@pytest.fixture
def ranked(scope):
    plovdiv, council, sofia = generated("ma:PDV22"), generated("mc:PDV22"), generated("ma:SOF46")
    region, varna = generated("oa:PDV"), generated("ma:VAR06")
    stored(plovdiv, requests_total=20, requests_due=10, requests_on_time=9, requests_overdue=0)
    stored(council, requests_total=6, requests_due=6, requests_on_time=3, requests_overdue=3)
    stored(sofia, requests_total=2, requests_due=2, requests_on_time=2)  # too few: no score
    stored(region, signals_total=8, signals_due=8, signals_on_time=2)
    stored(varna, requests_total=50, requests_due=50, requests_on_time=50)
    stored(municipality="PDV22", requests_total=26, requests_due=16, requests_on_time=12,
           requests_overdue=3)  # fmt: skip
    stored(municipality="SOF46", requests_total=2, requests_due=2, requests_on_time=2)
    stored(municipality="VAR06", requests_total=50, requests_due=50, requests_on_time=50)
    return {"plovdiv": plovdiv, "council": council, "sofia": sofia, "region": region}


def test_ranking_of_the_scope_by_score(client, ranked):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    names = ranking_names(response)
    # Varna is outside the scope; Sofia has no score and comes last.
    assert names == [
        ranked["plovdiv"].name, ranked["council"].name, ranked["region"].name,
        ranked["sofia"].name,
    ]  # fmt: skip
    body = text(response)
    assert body.count("<h1") == 1
    assert 'aria-sort="descending"' in body
    assert gettext("too few records") in body


def test_sorting_by_each_column_with_plain_links(client, ranked):
    by_requests = ranking_names(client.get(DASHBOARD, {"sort": "-requests"}))
    assert by_requests[0] == ranked["plovdiv"].name
    by_name = ranking_names(client.get(DASHBOARD, {"sort": "name"}))
    assert by_name == sorted(by_name, key=lambda n: n.lower())
    on_time = ranking_names(client.get(DASHBOARD, {"sort": "on_time"}))
    # Ascending share on time: council 50 %, Plovdiv 90 %, Sofia 100 %; the region has no
    # requests due (no share) and comes last.
    assert on_time == [
        ranked["council"].name, ranked["plovdiv"].name, ranked["sofia"].name,
        ranked["region"].name,
    ]  # fmt: skip
    for column in index_sorts():
        for value in (column, f"-{column}"):
            assert client.get(DASHBOARD, {"sort": value}).status_code == 200
    # The header of the current column flips the direction and keeps the filters.
    body = text(client.get(DASHBOARD, {"sort": "-requests", "province": "PDV"}))
    assert 'href="?sort=requests&amp;province=PDV#ranking"' in body or (
        'href="?province=PDV&amp;sort=requests#ranking"' in body
    )


def index_sorts():
    from monitoring.views.index import SORTS

    return list(SORTS)


def test_filters_province_kind_minimum_and_municipalities(client, ranked):
    all_bg = ranking_names(client.get(DASHBOARD, {"province": "all"}))
    assert generated("ma:VAR06").name == all_bg[0]
    assert ranking_names(client.get(DASHBOARD, {"province": "BLG"})) == []
    councils = ranking_names(client.get(DASHBOARD, {"kind": "municipal-council"}))
    assert councils == [ranked["council"].name]
    assert ranked["sofia"].name not in ranking_names(client.get(DASHBOARD, {"min": "3"}))
    municipalities = ranking_names(client.get(DASHBOARD, {"of": "municipalities"}))
    assert municipalities == ["Пловдив", "Столична"]
    everywhere = ranking_names(
        client.get(DASHBOARD, {"of": "municipalities", "province": "all", "sort": "-score"})
    )
    assert everywhere[0] == "Варна"


@pytest.mark.parametrize(
    "params",
    [
        {"province": "XXX"},
        {"province": "'; DROP TABLE x; --"},
        {"kind": "nonsense"},
        {"min": "abc"},
        {"min": "-5"},
        {"min": "99999999999999999999"},
        {"of": "everything"},
        {"sort": "bogus"},
        {"sort": "--score"},
        {"sort": "-"},
        {"page": "zzz"},
        {"page": "99999"},
        {"page": "-1"},
    ],
)
def test_bad_parameters_are_ignored_never_a_500(client, ranked, params):
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    assert ranking_names(response) or "page" in params


def test_a_wrong_filter_is_shown_next_to_its_field(client, ranked):
    body = text(client.get(DASHBOARD, {"min": "abc", "province": "XXX"}))
    assert 'class="field field-error"' in body
    assert gettext("Some filters could not be used: see the messages next to them.") in body


def test_empty_state(client, scope):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    message = "No institution of this area has records yet. The ranking fills in as requests, signals and commitments are filed and answered."  # noqa: E501
    assert gettext(message) in text(response)


def test_ranking_is_paginated(client, scope):
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:60])
    for code in codes:
        stored(generated(f"ma:{code}"), requests_total=1, requests_due=1, requests_on_time=1)
    first = client.get(DASHBOARD, {"province": "all"})
    assert len(ranking_names(first)) == 50
    assert 'rel="next" href="?province=all&amp;page=2"' in text(first)
    second = client.get(DASHBOARD, {"province": "all", "page": "2"})
    assert len(ranking_names(second)) == 10


# --- Dashboard: map and trend ----------------------------------------------------------------


def test_map_colours_municipalities_with_accessible_names_and_a_table(client, ranked):
    body = text(client.get(DASHBOARD))
    svg = body.split('<figure class="map-figure">')[1].split("</figure>")[0]
    # PDV22: 12 of 16 on time, 13 of 16 not overdue: (50 × 0,75 + 20 × 0,8125) / 70 = 76,8
    score = number_format(Decimal("76.8"), 1)
    plovdiv = gettext("score %(score)s") % {"score": score}
    assert f'aria-label="Пловдив ({plovdiv})"' in svg
    detail = reverse("monitoring:responsiveness-detail", args=["municipality", "PDV22"])
    assert f'<a href="{detail}" aria-label="Пловдив' in svg
    # 76,8 is in the 4th class; Sofia (too few) and municipalities without rows are hatched.
    assert re.search(
        r'aria-label="Пловдив[^"]*"><title>[^<]*</title><path class="map-shape score-4"', svg
    )
    assert f'aria-label="Столична ({gettext("no data")})"' in svg
    assert re.search(
        r'aria-label="Асеновград[^"]*"><title>[^<]*</title><path class="map-shape no-data"', svg
    )
    assert 'id="scope-hatch"' in svg
    # The scope: the 18 municipalities of Plovdiv's province and Sofia; not Varna.
    assert svg.count("<path ") == 19
    assert "Варна" not in svg
    # The same numbers in a table beside the map, and the legend with its counts.
    table = body.split(gettext("The map's numbers"))[1].split("</table>")[0]
    assert re.search(r"Пловдив</a></th>\s*<td[^>]*>76,8</td>", table)
    assert table.count('<th scope="row"') == 19
    legend = body.split('class="legend"')[1].split("</ul>")[0]
    assert f"{gettext('no data (hatched)')} (18)" in legend


def test_map_of_a_chosen_province_and_of_all_bulgaria(client, ranked):
    body = text(client.get(DASHBOARD, {"province": "VAR"}))
    svg = body.split('<figure class="map-figure">')[1].split("</figure>")[0]
    assert "Варна (" in svg and "Пловдив" not in svg
    body = text(client.get(DASHBOARD, {"province": "all"}))
    svg = body.split('<figure class="map-figure">')[1].split("</figure>")[0]
    assert svg.count("<path ") == Municipality.objects.exclude(svg_path="").count() == 265


def test_trend_of_the_last_24_months_with_a_text_alternative(client, ranked):
    """The area's trend sums its municipalities' months and those of its province-wide
    institutions (the municipal administration's own months are already in its municipality's)."""
    month = ResponsivenessMonth.objects.create
    month(municipality_id="PDV22", month=date(2026, 11, 1), requests_decided=3, requests_on_time=2)
    month(municipality_id="PDV22", month=date(2025, 1, 1), requests_decided=2, requests_on_time=2)
    month(institution=ranked["region"], month=date(2026, 11, 1), requests_decided=1,
          requests_on_time=1, signals_answered=2, signals_on_time=1)  # fmt: skip
    # Counted through its municipality already: not again.
    month(institution=ranked["plovdiv"], month=date(2026, 11, 1), requests_decided=3)
    # Too old for the chart (more than 24 months back), and outside the scope: left out.
    month(municipality_id="PDV22", month=date(2024, 12, 1), requests_decided=9)
    month(municipality_id="VAR06", month=date(2026, 11, 1), requests_decided=7)
    month(institution=generated("oa:VAR"), month=date(2026, 11, 1), requests_decided=7)

    body = text(client.get(DASHBOARD))
    chart = body.split('<figure class="trend-chart">')[1].split("</figure>")[0]
    assert 'role="img"' in chart and "<desc" in chart
    assert chart.count('class="trend-point"') == 2
    assert chart.count("<tr>") == 1 + 24
    cells = r"\s*<td[^>]*>".join(["4</td>", "3</td>", "75,0</td>", "2</td>", "1</td>"])
    assert re.search(r">11\.2026</th>\s*<td[^>]*>" + cells, chart)
    assert ">01.2025<" in chart and ">12.2024<" not in chart
    # 6 decided, 5 on time over the period.
    assert "83,3" in chart

    # A chosen province: its own municipalities and province-wide institutions only.
    body = text(client.get(DASHBOARD, {"province": "VAR"}))
    chart = body.split('<figure class="trend-chart">')[1].split("</figure>")[0]
    assert re.search(r">11\.2026</th>\s*<td[^>]*>14</td>", chart)
    assert chart.count('class="trend-point"') == 1


# --- One institution or municipality ---------------------------------------------------------


def test_institution_detail(client, ranked):
    plovdiv = ranked["plovdiv"]
    response = client.get(
        reverse("monitoring:responsiveness-detail", args=["institution", plovdiv.pk])
    )
    assert response.status_code == 200
    body = text(response)
    assert f"<h1>{plovdiv.name}</h1>" in body
    # 50 × 9/10 + 20 × 10/10 over 70 = 92,9
    assert "<strong>92,9</strong>" in body
    assert plovdiv.get_absolute_url() in body
    for name in ("monitoring:requests", "monitoring:signals", "monitoring:commitments"):
        if url_of(name):
            assert f"{url_of(name)}?institution={plovdiv.pk}" in body
    assert gettext("nothing due: left out, the others re-weighted") in body


def test_municipality_detail_lists_its_institutions(client, ranked):
    response = client.get(
        reverse("monitoring:responsiveness-detail", args=["municipality", "PDV22"])
    )
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Пловдив</h1>" in body
    assert ranked["plovdiv"].name in body and ranked["council"].name in body
    assert ranked["region"].name not in body
    if url_of("monitoring:requests"):
        assert f"{url_of('monitoring:requests')}?municipality=PDV22" in body


def test_detail_without_records(client, scope):
    response = client.get(
        reverse("monitoring:responsiveness-detail", args=["municipality", "SLV20"])
    )
    assert response.status_code == 200
    assert gettext(
        "No records yet: nothing has been filed to or recorded for it on this portal."
    ) in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/monitoring/responsiveness/province/PDV/",
        "/monitoring/responsiveness/institution/abc/",
        "/monitoring/responsiveness/institution/99999999/",
        "/monitoring/responsiveness/institution/99999999999999999999999/",
        "/monitoring/responsiveness/institution/%D9%A1/",
        "/monitoring/responsiveness/municipality/pdv22/",
        "/monitoring/responsiveness/municipality/XYZ99/",
        "/monitoring/responsiveness/municipality/PDV22%0A/",
    ],
)
def test_detail_of_something_unknown_is_a_404(client, scope, path):
    assert client.get(path).status_code == 404


# --- Methodology -----------------------------------------------------------------------------


def test_methodology_lists_formulas_minimum_and_the_settings(client, territory, settings):
    settings.MONITORING_APK_SIGNAL_MONTHS = 3
    response = client.get(reverse("monitoring:methodology"))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    for setting in (
        "MONITORING_ZDOI_VOLUME_EXTENSION_DAYS",
        "MONITORING_ZDOI_THIRD_PARTY_EXTENSION_DAYS",
        "MONITORING_APK_SIGNAL_MONTHS",
        "MONITORING_APK_FORWARD_DAYS",
    ):
        assert f"<code>{setting}</code>" in body
    rows = body.split('class="stack rules-table"')[1].split("</tbody>")[0]
    assert rows.count('class="unconfirmed"') == 4
    assert "ЗДОИ чл. 28, ал. 1" in rows and "АПК чл. 121" in rows
    # The setting's current value is what is printed.
    signal_row = rows.split("АПК чл. 121")[0].rsplit("<tr", 1)[1]
    assert gettext("%(n)s months") % {"n": 3} in signal_row
    assert "<strong>65,7</strong>" in body  # the worked example
    assert f" {index.MIN_RECORDS} " in body
    for weight in index.WEIGHTS.values():
        assert f'<td class="num">{weight}</td>' in body
    assert "ГПК" in body and "КТ" in body


# --- Query counts ----------------------------------------------------------------------------


def _fill(n: int) -> None:
    """n institutions of the scope with stored rows and months, and their municipalities."""
    codes = list(
        Municipality.objects.filter(province_id="PDV")
        .order_by("code")
        .values_list("code", flat=True)
    )
    keys = [f"{p}:{c}" for c in codes for p in ("ma", "mc")][:n]
    for key in keys:
        institution = generated(key)
        if Responsiveness.objects.filter(institution=institution).exists():
            continue
        stored(institution, requests_total=9, requests_due=8, requests_on_time=5, signals_total=2,
               signals_due=1, commitments_total=1)  # fmt: skip
        ResponsivenessMonth.objects.create(
            institution=institution, month=date(2026, 10, 1), requests_decided=3
        )
        if not Responsiveness.objects.filter(municipality=institution.municipality_id).exists():
            stored(municipality=institution.municipality_id, requests_total=9, requests_due=8)


def _queries(client, url: str, params=None) -> int:
    """The queries of the page as it is made (the dashboard not taken from the cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/monitoring/", None),
        (DASHBOARD, None),
        (DASHBOARD, {"of": "municipalities"}),
        (DASHBOARD, {"province": "all", "sort": "-on_time"}),
        (DASHBOARD, {"province": "PDV", "kind": "municipal-council", "min": "2"}),
        ("/monitoring/responsiveness/municipality/PDV22/", None),
        ("/monitoring/responsiveness/methodology/", None),
    ],
)
def test_pages_cost_the_same_queries_at_3_and_30_institutions(client, scope, url, params):
    _fill(3)
    _queries(client, url, params)  # warm the caches (content types, sessions)
    small = _queries(client, url, params)
    _fill(30)
    large = _queries(client, url, params)
    assert small == large
    assert large <= 12


def test_all_265_municipalities_cost_no_more_than_the_scope(client, scope):
    _fill(30)
    for code in Municipality.objects.values_list("code", flat=True):
        if not Responsiveness.objects.filter(municipality_id=code).exists():
            stored(municipality=code, requests_total=5, requests_due=5, requests_on_time=4)
    _queries(client, DASHBOARD)
    assert _queries(client, DASHBOARD, {"province": "all", "of": "municipalities"}) == _queries(
        client, DASHBOARD
    )


# --- From records to the pages ---------------------------------------------------------------


def test_records_refreshed_by_the_index_reach_the_dashboard(client, scope):
    plovdiv = generated("ma:PDV22")
    for n in range(6):
        InformationRequestFactory(
            requester=None,
            status=RequestStatus.GRANTED,
            answered_on_time=n < 3,
            days_to_answer=10 + n,
            decided_on=date(2026, 11, 2 + n),
        )
    index.refresh(plovdiv.pk)
    body = text(client.get(DASHBOARD))
    assert ranking_names(client.get(DASHBOARD)) == [plovdiv.name]
    # 50 × 3/6 + 20 × 6/6 over 70 = 64,3; median of 10..15 = 12,5
    assert "<strong>64,3</strong>" in body
    assert ">12,5<" in body


def test_pages_in_english_link_to_english_pages(client, ranked):
    for path in (
        "/en/monitoring/",
        "/en/monitoring/responsiveness/",
        "/en/monitoring/responsiveness/?of=municipalities",
        "/en/monitoring/responsiveness/methodology/",
        "/en/monitoring/responsiveness/municipality/PDV22/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    body = text(client.get("/en/monitoring/responsiveness/"))
    assert 'href="/en/monitoring/responsiveness/municipality/PDV22/" aria-label="Plovdiv' in body
    # The Bulgarian addresses are not reused from a cache filled in English.
    body = text(client.get(DASHBOARD))
    assert 'href="/monitoring/responsiveness/municipality/PDV22/" aria-label="Пловдив' in body
