"""CSV and JSON downloads of the monitoring: read back with the csv and json modules (BOM,
formula-safe cells), the lists' filters, the same privacy as the API, streamed in a fixed
number of queries, rate-limited."""

import csv
import datetime
import io
import itertools
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.enums import CommitmentStatus, RequestStatus, SignalKind, SignalStatus
from monitoring.models import Responsiveness
from monitoring.views.exports import EXPORT_LIMIT
from organisations.enums import Visibility
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    SignalFactory,
)
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

ADDRESS = "ул. „Тайна“ 7731"
HIDDEN_NAME = "Радослава Скритова"
_numbers = itertools.count()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()  # the download counters of one test must not limit the next


def url(name, fmt="csv"):
    return reverse(f"monitoring:export-{name}" + ("" if fmt == "csv" else "-json"))


def body_of(response):
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def rows(client, name, **params):
    """The CSV read back: (header, rows as dicts). Checks the byte-order mark."""
    response = client.get(url(name), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="eregion-')
    text = body_of(response)
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:]))
    return reader.fieldnames, list(reader)


def document(client, name, **params):
    response = client.get(url(name, "json"), params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(body_of(response))


def secret_request(**kwargs):
    email = f"skrita.poshta{next(_numbers)}@example.org"
    fields = {
        "requester_name": HIDDEN_NAME, "correspondence_address": ADDRESS,
        "requester_email": email, "requester": UserFactory(email=email),
    }  # fmt: skip
    return InformationRequestFactory(**{**fields, **kwargs})


def test_requests_csv(client):
    r = secret_request(is_overdue=True, due_on=datetime.date(2026, 11, 16))
    shown = InformationRequestFactory(requester_name="Мария Показана", show_name=True)
    header, read = rows(client, "requests")
    assert header[:4] == ["id", "url", "title", "status"]
    assert {"registered_on", "due_on", "is_overdue", "institution_id", "municipality_code",
            "requester_name"} <= set(header)  # fmt: skip
    by_id = {int(row["id"]): row for row in read}
    assert set(by_id) == {r.pk, shown.pk}
    row = by_id[r.pk]
    assert row["title"] == r.title and row["status"] == "registered" and row["status_label"]
    assert row["due_on"] == "2026-11-16" and row["is_overdue"] == "true"
    assert row["registered_on"] == "2026-11-02"
    assert row["institution_id"] == str(r.institution_id)
    assert row["institution_name"] == r.institution.name_bg
    assert row["municipality_code"] == "PDV22" and row["province_code"] == "PDV"
    assert row["url"].endswith(f"/{r.pk}/")
    assert row["requester_name"] == "" and row["decided_on"] == ""
    assert by_id[shown.pk]["requester_name"] == "Мария Показана"


def test_privacy_in_csv_and_json(client):
    private = secret_request(is_public=False, title="Лична преписка 4455", show_name=True)
    hidden = secret_request(organisation=OrganisationFactory(name="Сдружение „Скрито“"))
    signal = SignalFactory(
        filer_name=HIDDEN_NAME, filer_address=ADDRESS, filer_email="skrit.signal@example.org"
    )
    SignalFactory(is_public=False, title="Лична жалба 8812", filer_name="Показан", show_name=True)
    for name in ("requests", "signals"):
        for fmt in ("csv", "json"):
            text = body_of(client.get(url(name, fmt)))
            for secret in ("4455", "8812", HIDDEN_NAME, "Скритова", "Тайна", "skrit", "Скрито",
                           "Показан", "correspondence_address", "email", "address"):  # fmt: skip
                assert secret not in text, (name, fmt, secret)
    assert [int(r["id"]) for r in rows(client, "requests")[1]] == [hidden.pk]
    assert [int(r["id"]) for r in rows(client, "signals")[1]] == [signal.pk]
    assert private.pk not in [i["id"] for i in document(client, "requests")["items"]]


def test_formula_cells_are_defused(client):
    dangerous = {
        '=HYPERLINK("http://evil.example")': '\'=HYPERLINK("http://evil.example")',
        "+359 32 123": "'+359 32 123",
        "-2+3": "'-2+3",
        "@SUM(A1:A2)": "'@SUM(A1:A2)",
    }
    for title in dangerous:
        InformationRequestFactory(title=title, requester_name="=cmd|' /C calc'!A0", show_name=True)
    _header, read = rows(client, "requests")
    assert {row["title"] for row in read} == set(dangerous.values())
    assert {row["requester_name"] for row in read} == {"'=cmd|' /C calc'!A0"}
    # The JSON keeps the data as it is: no spreadsheet reads it.
    titles = {i["title"] for i in document(client, "requests")["items"]}
    assert titles == set(dangerous)


def test_requests_filters_as_in_the_lists(client):
    sofia = generated("ma:SOF46")
    plovdiv = InformationRequestFactory(title="Договори за зимно почистване")
    granted = InformationRequestFactory(
        institution=sofia, status=RequestStatus.GRANTED, filed_on=datetime.date(2026, 10, 1),
        title="Разходи за осветление",
    )  # fmt: skip
    overdue = InformationRequestFactory(
        is_overdue=True, filed_on=datetime.date(2026, 9, 1), title="Списък на концесиите"
    )

    def found(**params):
        return [int(r["id"]) for r in rows(client, "requests", **params)[1]]

    assert found() == [plovdiv.pk, granted.pk, overdue.pk]  # newest first, as the list
    assert found(institution=sofia.pk) == [granted.pk]
    assert found(municipality="SOF46") == [granted.pk]
    assert found(province="PDV") == [plovdiv.pk, overdue.pk]
    assert found(status="granted") == [granted.pk]
    assert found(overdue="true") == [overdue.pk]
    assert found(overdue="on") == [overdue.pk]  # a checkbox of a list's form
    assert found(q="почистване") == [plovdiv.pk]
    assert found(**{"from": "2026-09-15", "to": "2026-10-15"}) == [granted.pk]
    # A list page's form sends its unused fields empty, and its own parameters too.
    assert found(status="", q=" ", institution="", page="2", sort="new") == [
        plovdiv.pk, granted.pk, overdue.pk,
    ]  # fmt: skip
    meta = document(client, "requests", status="granted", q="")
    assert meta["count"] == 1 and meta["filters"] == {"status": "granted"}
    assert [i["id"] for i in meta["items"]] == [granted.pk]
    assert meta["items"][0]["is_overdue"] is False and meta["items"][0]["requester_name"] == ""
    assert meta["columns"][0] == "id" and meta["title"] and meta["generated_at"]


@pytest.mark.parametrize(
    "name,params",
    [
        ("requests", {"status": "lost"}),
        ("requests", {"institution": "abc"}),
        ("requests", {"from": "2026-13-01"}),
        ("requests", {"from": "2026-12-01", "to": "2026-11-01"}),
        ("requests", {"municipality": "pdv22"}),
        ("signals", {"kind": "complaint"}),
        ("commitments", {"source_kind": "rumour"}),
        ("responsiveness", {"level": "country"}),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, name, params):
    for fmt in ("csv", "json"):
        response = client.get(url(name, fmt), params)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert next(iter(params)) in response.content.decode()


def test_signals_csv(client):
    signal = SignalFactory(kind=SignalKind.SIGNAL, is_overdue=True, title="Незаконно сметище")
    answered = SignalFactory(
        status=SignalStatus.ANSWERED, outcome="accepted", decided_on=datetime.date(2026, 11, 2),
        filer_name="Георги Показан", show_name=True,
    )  # fmt: skip
    _header, read = rows(client, "signals")
    by_id = {int(row["id"]): row for row in read}
    assert by_id[signal.pk]["kind"] == "signal" and by_id[signal.pk]["is_overdue"] == "true"
    assert by_id[signal.pk]["due_on"] == "2026-12-01"
    assert by_id[signal.pk]["registered_on"] == "2026-10-01"
    assert by_id[answered.pk]["filer_name"] == "Георги Показан"
    assert by_id[answered.pk]["outcome"] == "accepted"
    assert [int(r["id"]) for r in rows(client, "signals", kind="signal")[1]] == [signal.pk]
    assert [int(r["id"]) for r in rows(client, "signals", q="сметище")[1]] == [signal.pk]


def test_commitments_csv(client):
    monitor = OrganisationFactory(name="Сдружение „Граждански контрол“")
    pending = OrganisationFactory(name="Сдружение „Неодобрено“", visibility=Visibility.PENDING)
    c = CommitmentFactory(monitor=monitor, ratings_count=3, ratings_sum=11)
    other = CommitmentFactory(
        monitor=pending, status=CommitmentStatus.DONE, deadline=datetime.date(2026, 6, 30)
    )
    _header, read = rows(client, "commitments")
    assert [int(r["id"]) for r in read] == [other.pk, c.pk]  # by deadline
    row = read[1]
    assert row["source_reference"] == c.source_reference and row["deadline"] == "2026-12-31"
    assert row["progress"] == "40" and row["average_rating"] == "3.67"
    assert row["monitor_name"] == monitor.display_name and row["monitor_id"] == str(monitor.pk)
    assert read[0]["monitor_name"] == "" and read[0]["monitor_id"] == ""
    assert [int(r["id"]) for r in rows(client, "commitments", status="done")[1]] == [other.pk]
    assert "Неодобрено" not in body_of(client.get(url("commitments", "json")))


def test_responsiveness_csv(client):
    Responsiveness.objects.create(
        institution=generated("ma:PDV22"), province_id="PDV", requests_total=40,
        requests_on_time=27, median_days=Decimal("9.5"), score=Decimal("88.5"),
    )  # fmt: skip
    Responsiveness.objects.create(
        municipality_id="PDV22", province_id="PDV", requests_total=41, score=Decimal("87.0")
    )
    _header, read = rows(client, "responsiveness")
    assert len(read) == 1
    assert read[0]["level"] == "institution" and read[0]["score"] == "88.5"
    assert read[0]["municipality_code"] == "PDV22" and read[0]["median_days"] == "9.5"
    _header, read = rows(client, "responsiveness", level="municipality")
    assert [(r["id"], r["score"]) for r in read] == [("PDV22", "87.0")]
    items = document(client, "responsiveness", level="municipality")["items"]
    assert items[0]["score"] == 87.0 and items[0]["url"].endswith("PDV22/")


def test_query_count_is_flat(client):
    org = OrganisationFactory()

    def make(n):
        for i in range(n):
            InformationRequestFactory(organisation=org if i % 2 else None, show_name=True)
            SignalFactory()
            CommitmentFactory(monitor=org)

    def count(name, fmt):
        with CaptureQueriesContext(connection) as ctx:
            body_of(client.get(url(name, fmt)))
        return len(ctx)

    make(3)
    few = {
        (n, f): count(n, f) for n in ("requests", "signals", "commitments") for f in ("csv", "json")
    }
    make(27)
    many = {
        (n, f): count(n, f) for n in ("requests", "signals", "commitments") for f in ("csv", "json")
    }
    assert many == few
    assert len(rows(client, "requests")[1]) == 30


def test_exports_are_rate_limited(client):
    for _ in range(EXPORT_LIMIT):
        assert client.get(url("commitments")).status_code == 200
    assert client.get(url("commitments")).status_code == 429
    assert client.get(url("requests", "json")).status_code == 429


def test_only_get(client):
    assert client.post(url("requests")).status_code == 405


def test_the_api_page_lists_the_files_and_feeds(client):
    html = client.get("/api/").content.decode()
    for name in ("requests", "signals", "commitments", "responsiveness"):
        assert f'href="{url(name)}"' in html and f'href="{url(name, "json")}"' in html
    assert f'href="{reverse("monitoring:feed-answers")}"' in html
    assert "/api/v1/information-requests" in html  # the endpoints, from the schema
