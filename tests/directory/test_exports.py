"""Open-data exports of the directory: CSV (UTF-8 with BOM) and JSON, per province and for
the whole country, streamed with a constant number of queries."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.eik import is_valid_eik
from directory import exports
from directory.models import Institution
from tests.factories.directory import InstitutionFactory, generated

pytestmark = pytest.mark.django_db

VALID_EIK = "000000000"  # check digit 0 of a zero sum
INVALID_EIK = "123456789"


def body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(client, scope: str) -> list[dict[str, str]]:
    response = client.get(f"/directory/export/{scope}.csv")
    data = body(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == exports.COLUMNS
    return list(reader)


def json_body(client, scope: str) -> dict:
    response = client.get(f"/directory/export/{scope}.json")
    data = json.loads(body(response))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return data


def test_province_csv(client):
    rows = csv_rows(client, "PDV")
    assert len(rows) == Institution.objects.filter(province_id="PDV").count() > 150
    by_id = {int(r["id"]): r for r in rows}
    council = by_id[generated("mc:PDV22").pk]
    assert council["kind"] == "municipal-council"
    assert council["name_bg"] == "Общински съвет – Пловдив"
    assert council["province_code"] == "PDV"
    assert council["municipality_code"] == "PDV22"
    assert council["settlement_ekatte"] == "56784"
    assert council["url"] == f"http://testserver/directory/institutions/{council['id']}/"
    mayoralty = next(r for r in rows if r["kind"] == "mayoralty")
    assert mayoralty["mayoralty_code"].startswith(mayoralty["municipality_code"] + "-")
    assert {r["province_code"] for r in rows} == {"PDV"}
    assert [int(r["id"]) for r in rows] == sorted(by_id)


def test_country_json(client):
    data = json_body(client, "bg")
    assert list(data) == ["generated_at", "source", "scope", "count", "items"]
    assert data["scope"] == "bg"
    assert data["count"] == len(data["items"]) == Institution.objects.count()
    item = next(i for i in data["items"] if i["id"] == generated("ma:PDV22").pk)
    assert list(item) == exports.COLUMNS
    assert item["municipality_code"] == "PDV22"
    assert item["mayoralty_code"] is None
    assert isinstance(item["phones"], list)
    assert item["url"].startswith("http://testserver/directory/institutions/")
    assert {i["province_code"] for i in data["items"]} >= {"PDV", "SOF", "VAR"}


def test_english_request_gets_the_same_canonical_urls(client):
    data = client.get("/en/directory/export/PDV.json", HTTP_ACCEPT_LANGUAGE="en")
    items = json.loads(body(data))["items"]
    assert all("/en/" not in i["url"] for i in items)


def test_phones_verified_and_eik(client):
    council = generated("mc:PDV22")
    Institution.objects.filter(pk=council.pk).update(
        phones="032 656 400\n+359 32 656 401", eik=VALID_EIK
    )
    administration = generated("ma:PDV22")
    Institution.objects.filter(pk=administration.pk).update(eik=INVALID_EIK)
    assert is_valid_eik(VALID_EIK) and not is_valid_eik(INVALID_EIK)

    rows = {int(r["id"]): r for r in csv_rows(client, "PDV")}
    assert rows[council.pk]["phones"] == "032 656 400; +359 32 656 401"
    assert rows[council.pk]["eik"] == VALID_EIK
    assert rows[administration.pk]["eik"] == ""  # an invalid EIK is left out

    items = {i["id"]: i for i in json_body(client, "PDV")["items"]}
    assert items[council.pk]["phones"] == ["032 656 400", "+359 32 656 401"]
    assert items[council.pk]["eik"] == VALID_EIK
    assert items[administration.pk]["eik"] == ""
    assert items[council.pk]["verified_at"] is None


def test_csv_cells_cannot_become_formulas(client):
    bad = InstitutionFactory(name_bg='=HYPERLINK("http://example.org")', head_name="@SUM(1)")
    rows = {int(r["id"]): r for r in csv_rows(client, "PDV")}
    assert rows[bad.pk]["name_bg"] == '\'=HYPERLINK("http://example.org")'
    assert rows[bad.pk]["head_name"] == "'@SUM(1)"
    # JSON is for programs: it keeps the value as it is.
    items = {i["id"]: i for i in json_body(client, "PDV")["items"]}
    assert items[bad.pk]["name_bg"] == '=HYPERLINK("http://example.org")'


@pytest.mark.parametrize(
    "path",
    [
        "XXX.csv",
        "pdv.csv",
        "BG.json",
        "PDV22.csv",
        "PDV.xml",
        "PDV.CSV",
        "bg.",
        "PDV.csv.json",
        "%00.csv",
        "PDV%00.json",
        "A" * 300 + ".csv",
    ],
)
def test_bad_scope_or_format_is_404(client, path):
    assert client.get(f"/directory/export/{path}").status_code == 404


def test_download_headers(client):
    response = client.get("/directory/export/PDV.csv")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="eregion-directory-PDV-'
    )
    assert response["Content-Disposition"].endswith('.csv"')
    body(response)


def test_queries_do_not_grow_with_the_scope(client):
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            body(client.get(path))
        return len(ctx)

    # A province: its code checked, then the rows (and their count for JSON); the country
    # needs no check. Whatever the number of rows.
    assert count("/directory/export/GAB.csv") == count("/directory/export/PDV.csv") == 2
    assert count("/directory/export/bg.csv") == 1
    assert count("/directory/export/GAB.json") == count("/directory/export/PDV.json") == 3
    assert count("/directory/export/bg.json") == 2


def test_country_export_is_read_in_chunks(client, monkeypatch):
    """The rows are never all in memory: the query is iterated in chunks."""
    seen = []
    original = exports.QuerySet.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(exports.QuerySet, "iterator", spy)
    body(client.get("/directory/export/bg.csv"))
    assert seen == [exports.CHUNK_SIZE]


def test_index_lists_every_province_and_the_country(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/directory/export/")
    assert response.status_code == 200
    assert len(ctx) <= 4
    html = response.content.decode()
    assert 'href="/directory/export/bg.csv"' in html
    assert 'href="/directory/export/bg.json"' in html
    for code in ("PDV", "SOF", "KRZ", "JAM"):
        assert f'href="/directory/export/{code}.csv"' in html
        assert f'href="/directory/export/{code}.json"' in html
        assert f'href="/directory/print/province/{code}/"' in html
    assert html.count("/directory/export/") >= 2 * 29
    for column in exports.COLUMNS:
        assert f"<code>{column}</code>" in html
