"""`directory_pdf` on the API's provinces and municipalities: the page of their printable
directory (PDF), site-relative and canonical (Bulgarian, unprefixed) like `url`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ok(client, path, **params):
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_province_detail_and_list(client):
    body = ok(client, "/provinces/PDV")
    with translation.override("bg"):
        expected = reverse("directory:print-province", args=["PDV"])
    assert body["directory_pdf"] == expected == "/directory/print/province/PDV/"
    items = ok(client, "/provinces")["items"]
    assert len(items) == 28
    assert all(i["directory_pdf"] == f"/directory/print/province/{i['code']}/" for i in items)


def test_municipality_detail_and_list(client):
    body = ok(client, "/municipalities/PDV22")
    assert body["directory_pdf"] == "/directory/print/municipality/PDV22/"
    items = ok(client, "/municipalities", province="PDV")["items"]
    assert len(items) == 18
    assert all(i["directory_pdf"] == f"/directory/print/municipality/{i['code']}/" for i in items)


def test_the_links_lead_to_the_printable_directory(client):
    for path in (
        ok(client, "/provinces/SOF")["directory_pdf"],
        ok(client, "/municipalities/SOF46")["directory_pdf"],
    ):
        assert client.get(path).status_code == 200


def test_language_of_the_client_does_not_change_the_link(client):
    response = client.get(f"{API}/provinces/PDV", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["directory_pdf"] == "/directory/print/province/PDV/"


def test_in_the_schema(client):
    schemas = ok(client, "/openapi.json")["components"]["schemas"]
    for name in ("ProvinceOut", "ProvinceDetail", "MunicipalityOut", "MunicipalityDetail"):
        assert "directory_pdf" in schemas[name]["required"], name


def test_no_extra_queries(client):
    def count(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            ok(client, "/municipalities", page_size=500, **params)
        return len(ctx)

    assert count() == count(province="GAB") <= 3
