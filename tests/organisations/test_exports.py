"""Open-data exports of the catalogue: CSV and JSON, the country or a province, streamed."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from organisations.enums import Visibility
from organisations.models import FieldOfActivity, Organisation
from organisations.views import catalogue
from tests.factories.accounts import UserFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert isinstance(response, StreamingHttpResponse)  # never built whole in memory
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.fixture
def private_bits():
    """An organisation with a representative and contacts that must not be exported."""
    person = UserFactory(email="someone.private@example.org", last_name="Неизвестнов")
    org = OrganisationFactory(
        email="chair.home@example.org", phone="0888 123 456", registered_by=person
    )
    org.fields.set([FieldOfActivity.objects.get(slug="youth")])
    representative_of(org, person)
    OrganisationFactory(name="Скрита организация", visibility=Visibility.HIDDEN)
    return org


def test_the_export_page_lists_every_province_with_counts(client):
    html = client.get("/organisations/export/").content.decode()
    assert html.count(".csv") == 29 and html.count(".json") == 29
    assert "/organisations/export/bg.csv" in html and "/organisations/export/PDV.json" in html


def test_csv_of_a_province(client, private_bits):
    body = download(client, "/organisations/export/PDV.csv")
    assert body.startswith("\ufeff".encode())  # Excel reads the UTF-8 then
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = Organisation.objects.public().filter(settlement__municipality__province="PDV")
    assert len(rows) == expected.count()
    assert list(rows[0]) == catalogue.EXPORT_COLUMNS
    assert {r["province"] for r in rows} == {"PDV"}
    mine = next(r for r in rows if r["id"] == str(private_bits.pk))
    assert mine["fields"] == "youth"
    assert mine["url"].endswith(f"/organisations/{private_bits.pk}/")
    text = body.decode("utf-8-sig")
    for secret in ("someone.private", "Неизвестнов", "chair.home", "0888 123 456", "Скрита"):
        assert secret not in text


def test_json_of_the_country(client, private_bits):
    body = json.loads(download(client, "/organisations/export/bg.json"))
    assert set(body) == {"generated_at", "source", "scope", "count", "items"}
    assert body["count"] == len(body["items"]) == Organisation.objects.public().count()
    item = next(i for i in body["items"] if i["id"] == private_bits.pk)
    assert item["fields"] == ["youth"]
    assert set(item) == set(catalogue.EXPORT_COLUMNS)
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("someone.private", "Неизвестнов", "chair.home", "0888 123 456", "Скрита"):
        assert secret not in text


def test_streams_in_chunks(client, monkeypatch):
    monkeypatch.setattr(catalogue, "EXPORT_CHUNK", 100)
    response = client.get("/organisations/export/bg.csv")
    chunks = list(response.streaming_content)
    assert len(chunks) == Organisation.objects.public().count() + 1  # a line at a time


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/export/XXX.csv",
        "/organisations/export/PDV.xml",
        "/organisations/export/pdv.csv",
        "/organisations/export/bg.exe",
    ],
)
def test_unknown_scopes_and_formats_are_404(client, url):
    assert client.get(url).status_code == 404
