"""The read API of the territory against the real EKATTE data loaded for the test session."""

import csv
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territory.api import page_url
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    PlanningRegion,
    Province,
    RegionMembership,
    Settlement,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "admin_divisions"


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


def ok(client, path, **params):
    response = get(client, path, **params)
    assert response.status_code == 200, response.content
    return response.json()


def codes(body, key="code"):
    return [item[key] for item in body["items"]]


# --- Counts of the whole country ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/regions", 6),
        ("/provinces", 28),
        ("/municipalities", 265),
        ("/settlements", 5256),
        ("/mayoralties", 3041),
    ],
)
def test_lists_count_the_whole_country(client, path, count):
    body = ok(client, path)
    assert body["count"] == count
    assert len(body["items"]) == min(count, 50)


def test_districts_list_the_districts_of_the_three_cities(client):
    body = ok(client, "/districts", page_size=500)
    assert body["count"] == 35
    assert {item["city"]["ekatte"] for item in body["items"]} == {"68134", "56784", "10135"}


# --- Filters --------------------------------------------------------------------------------


def _pdv_municipalities_in_source() -> set[str]:
    path = SHARED_DATA / "municipalities.csv"
    if not path.exists():  # the checkout without ../shared: the figure checked there once
        return set()
    with path.open(encoding="utf-8") as f:
        return {
            row["municipality_code"] for row in csv.DictReader(f) if row["province_code"] == "PDV"
        }


def test_municipalities_of_plovdiv_province(client):
    body = ok(client, "/municipalities", province="PDV", page_size=500)
    assert body["count"] == 18
    expected = _pdv_municipalities_in_source()
    if expected:
        assert set(codes(body)) == expected
    assert {item["province"] for item in body["items"]} == {"PDV"}


def test_provinces_of_a_region_today(client):
    body = ok(client, "/provinces", region="BG42")
    assert set(codes(body)) == {"PDV", "HKV", "PAZ", "SML", "KRZ"}


def test_settlements_filters_combine(client):
    towns = ok(client, "/settlements", municipality="PDV01", kind="town", page_size=500)
    assert codes(towns, "ekatte") == ["00702"]  # Асеновград
    villages = ok(client, "/settlements", municipality="PDV01", kind="village", page_size=500)
    assert villages["count"] == 28
    in_province = ok(client, "/settlements", province="PDV", page_size=500)
    assert {item["province"] for item in in_province["items"]} == {"PDV"}
    assert in_province["count"] == sum(
        p.settlements_count for p in Province.objects.filter(code="PDV")
    )
    monasteries = ok(client, "/settlements", kind="monastery", page_size=500)
    assert monasteries["count"] > 0
    assert {item["kind"] for item in monasteries["items"]} == {"monastery"}


def test_mayoralties_filter_by_municipality(client):
    body = ok(client, "/mayoralties", municipality="PDV01", page_size=500)
    assert body["count"] == 17
    assert {item["municipality"] for item in body["items"]} == {"PDV01"}
    assert {item["province"] for item in body["items"]} == {"PDV"}


@pytest.mark.parametrize("q", ["plovdiv", "Plovdiv", "ПЛОВДИВ", "пловд", "plov"])
def test_name_filter_finds_plovdiv_in_latin_and_cyrillic(client, q):
    provinces = ok(client, "/provinces", q=q)
    assert "PDV" in codes(provinces)
    municipalities = ok(client, "/municipalities", q=q)
    assert "PDV22" in codes(municipalities)
    settlements = ok(client, "/settlements", q=q)
    assert "56784" in codes(settlements, "ekatte")


def test_name_filter_and_parent_filter_together(client):
    body = ok(client, "/settlements", q="бяла", province="VAR")
    assert body["count"] >= 1
    assert all(item["province"] == "VAR" for item in body["items"])
    assert all(item["name_bg"].startswith("Бяла") for item in body["items"])


def test_unknown_filter_value_gives_an_empty_list(client):
    assert ok(client, "/municipalities", province="XXX") == {"count": 0, "items": []}


# --- Planning regions over time -------------------------------------------------------------


def test_regions_on_2007_12_31_had_stara_zagora_in_south_central(client):
    body = ok(client, "/regions", on="2007-12-31")
    assert body["count"] == 6
    south_central = next(item for item in body["items"] if item["code"] == "BG42")
    assert south_central["nuts2_code"] == "BG22"
    assert len(south_central["provinces"]) == 6
    assert "SZR" in south_central["provinces"]


def test_regions_today_south_central_has_five_provinces(client):
    for body in (ok(client, "/regions"), ok(client, "/regions", on=str(datetime.date.today()))):
        south_central = next(item for item in body["items"] if item["code"] == "BG42")
        assert south_central["nuts2_code"] == "BG42"
        assert sorted(south_central["provinces"]) == ["HKV", "KRZ", "PAZ", "PDV", "SML"]
    south_east = next(item for item in ok(client, "/regions")["items"] if item["code"] == "BG34")
    assert "SZR" in south_east["provinces"]


def test_region_detail_on_a_date(client):
    then = ok(client, "/regions/BG42", on="2007-12-31")
    now = ok(client, "/regions/BG42")
    assert "SZR" in then["provinces"]
    assert "SZR" not in now["provinces"]
    assert now["name_bg"] == "Южен централен"
    assert now["url"] == "/territory/regions/BG42/"


def test_every_province_is_in_exactly_one_region_today(client):
    body = ok(client, "/regions")
    listed = [code for item in body["items"] for code in item["provinces"]]
    assert sorted(listed) == sorted(Province.objects.values_list("code", flat=True))
    assert RegionMembership.objects.valid_on().count() == 28


# --- Details ---------------------------------------------------------------------------------


def test_province_detail(client):
    body = ok(client, "/provinces/PDV")
    assert body["name_bg"] == "Пловдив"
    assert body["name_en"] == "Plovdiv"
    assert body["iso_code"] == "BG-16"
    assert body["nuts3_code"] == "BG421"
    assert body["region"] == "BG42"
    assert body["admin_centre"]["ekatte"] == "56784"
    assert body["admin_centre"]["url"] == "/territory/settlements/56784/"
    assert body["url"] == "/territory/provinces/PDV/"
    assert body["municipalities_count"] == 18
    assert len(body["municipalities"]) == 18
    assert body["population_2017"] > 600_000


def test_municipality_detail(client):
    body = ok(client, "/municipalities/PDV22")
    assert body["name_bg"] == "Пловдив"
    assert body["province"] == "PDV"
    assert body["region"] == "BG42"
    assert body["admin_centre"]["ekatte"] == "56784"
    assert body["url"] == "/territory/municipalities/PDV22/"
    assert len(body["districts"]) == 6


def test_settlement_detail(client):
    body = ok(client, "/settlements/56784")
    assert body["name_bg"] == "Пловдив"
    assert body["kind"] == "town"
    assert body["type_abbr"] == "гр."
    assert body["municipality"] == "PDV22"
    assert body["province"] == "PDV"
    assert body["is_province_centre"] is True
    assert body["url"] == "/territory/settlements/56784/"


def test_mayoralty_detail(client):
    first = ok(client, "/mayoralties", municipality="PDV01")["items"][0]
    body = ok(client, f"/mayoralties/{first['code']}")
    assert body["municipality"] == "PDV01"
    assert body["province"] == "PDV"
    assert body["url"] == f"/territory/mayoralties/{first['code']}/"
    assert len(body["settlements"]) == body["settlements_count"]


def test_district_detail(client):
    first = ok(client, "/districts", city="56784")["items"][0]
    body = ok(client, f"/districts/{first['code']}")
    assert body["city"]["ekatte"] == "56784"
    assert body["municipality"] == "PDV22"
    assert body["province"] == "PDV"


def test_urls_are_canonical_whatever_the_language_asked(client):
    body = client.get(f"{API}/provinces/PDV", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["url"] == "/territory/provinces/PDV/"


@pytest.mark.parametrize(
    "path",
    [
        "/regions/BG99",
        "/provinces/XXX",
        "/municipalities/XXX99",
        "/settlements/99999",
        "/mayoralties/XXX99-99",
        "/districts/99999-99",
    ],
)
def test_unknown_code_is_a_json_404(client, path):
    response = get(client, path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert path.rsplit("/", 1)[1] in response.json()["detail"]


# --- Bad input: 422 with a readable message --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/provinces", {"page_size": "0"}, "page_size"),
        ("/provinces", {"page_size": "-5"}, "page_size"),
        ("/provinces", {"page_size": "501"}, "page_size"),
        ("/provinces", {"page_size": "ten"}, "page_size"),
        ("/settlements", {"page": "0"}, "page"),
        ("/settlements", {"page": "-1"}, "page"),
        ("/settlements", {"page": "x"}, "page"),
        ("/settlements", {"page": str(10**30)}, "page"),
        ("/settlements", {"kind": "city"}, "kind"),
        ("/regions", {"on": "2007-13-45"}, "on"),
        ("/regions", {"on": "yesterday"}, "on"),
        ("/regions/BG42", {"on": "31.12.2007"}, "on"),
        ("/municipalities", {"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_422_with_a_message(client, path, params, field):
    response = get(client, path, **params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message"].startswith("Invalid request parameters.")
    assert f"{field}:" in body["message"]
    assert body["detail"]


def test_page_beyond_the_end_is_empty_not_an_error(client):
    body = ok(client, "/provinces", page=2, page_size=50)
    assert body == {"count": 28, "items": []}


def test_pages_partition_the_list(client):
    seen = []
    for page in range(1, 4):
        seen += codes(ok(client, "/provinces", page=page, page_size=10))
    assert len(seen) == len(set(seen)) == 28


# --- Query counts do not grow with the page ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/regions", "/provinces", "/municipalities", "/settlements", "/mayoralties", "/districts"],
)
def test_query_count_does_not_grow_with_page_size(client, path):
    def queries(page_size):
        with CaptureQueriesContext(connection) as ctx:
            ok(client, path, page_size=page_size)
        return len(ctx.captured_queries)

    small, large = queries(2), queries(500)
    assert small == large
    assert large <= 3  # COUNT, the rows, and for regions their provinces


def test_filtered_list_query_count(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        ok(client, "/settlements", q="plovdiv", province="PDV", kind="town", page_size=500)


def test_page_urls_are_the_models_own():
    for model in [PlanningRegion, Province, Municipality, Mayoralty, Settlement, CityDistrict]:
        obj = model.objects.order_by("pk").first()
        assert page_url(obj) == obj.get_absolute_url()


def test_lists_are_ordered_by_code(client):
    body = ok(client, "/settlements", page_size=100)
    assert codes(body, "ekatte") == sorted(codes(body, "ekatte"))
    assert codes(ok(client, "/provinces")) == sorted(codes(ok(client, "/provinces")))
