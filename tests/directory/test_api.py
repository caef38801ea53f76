"""GET /api/v1/institutions and /institutions/{id}."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Institution

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions"


def ok(client, url=URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    "kind, count",
    [
        ("regional-administration", 28),
        ("municipal-administration", 265),
        ("municipal-council", 265),
        ("mayoralty", 3041),
        ("district-administration", 35),
    ],
)
def test_counts_per_kind(client, kind, count):
    assert ok(client, kind=kind, page_size=1)["count"] == count


def test_filters(client):
    body = ok(client, province="PDV", kind="municipal-council")
    assert body["count"] == 18
    assert {i["province"] for i in body["items"]} == {"PDV"}
    body = ok(client, municipality="BLG52", kind="mayoralty")
    assert body["count"] == Institution.objects.filter(mayoralty__municipality="BLG52").count()
    body = ok(client, q="obshtinski savet plovdiv")
    assert "Общински съвет – Пловдив" in [i["name_bg"] for i in body["items"]]


def test_settlement_means_who_serves_it(client):
    body = ok(client, settlement="40939")
    assert sorted(i["kind"] for i in body["items"]) == sorted(
        ["mayoralty", "municipal-administration", "municipal-council", "regional-administration"]
    )
    assert client.get(URL, {"settlement": "99999"}).status_code == 404


def test_item_shape(client):
    vratsa = Institution.objects.get(generated_key="oa:VRC")
    item = ok(client, province="VRC", kind="regional-administration")["items"][0]
    assert item["id"] == vratsa.pk
    assert item["url"] == f"/directory/institutions/{vratsa.pk}/"
    assert item["email"] == "obl-vr@vratsa.government.bg"
    assert item["phones"] == ["092 66 14 29"] and item["verified"] is False
    detail = ok(client, f"{URL}/{vratsa.pk}")
    assert detail["working_hours"] == [] and detail["area_municipalities"] == []
    assert detail["name_bg"] == "Областна администрация – Враца"


@pytest.mark.parametrize(
    "params",
    [{"province": "pdv"}, {"municipality": "PDV"}, {"settlement": "123"}, {"kind": "Bad Kind"},
     {"page_size": "501"}, {"page": "0"}, {"q": "x" * 201}],
)  # fmt: skip
def test_bad_parameters_are_422(client, params):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert "message" in response.json()


def test_unknown_and_bad_ids(client):
    assert client.get(f"{URL}/999999999").status_code == 404
    assert client.get(f"{URL}/abc").status_code == 422
    assert client.get(f"{URL}/99999999999999999999").status_code == 422


def test_list_queries_do_not_grow_with_page_size(client):
    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            ok(client, page_size=size)
        return len(ctx)

    assert count(5) == count(500) <= 4
