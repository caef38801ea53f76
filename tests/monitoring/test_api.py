"""/api/v1/information-requests, /signals, /commitments, /responsiveness: filters, 422s,
404s, stable order, flat query counts, and the privacy ladder (a private record is never
served to anyone; a hidden name, an address or an e-mail never appears)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import api as monitoring_api
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    CommitmentUpdateKind,
    RequestEventKind,
    RequestStatus,
    SignalEventKind,
    SignalKind,
    SignalStatus,
)
from monitoring.models import (
    CommitmentUpdate,
    Document,
    RequestEvent,
    Responsiveness,
    ResponsivenessMonth,
    SignalEvent,
)
from organisations.enums import Visibility
from tests.clients import signed_in
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    MonitoringReportFactory,
    SignalFactory,
)
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/information-requests"
SIGNALS = "/api/v1/signals"
COMMITMENTS = "/api/v1/commitments"
RESPONSIVENESS = "/api/v1/responsiveness"
SITE = django_settings.SITE_URL

# What a requester or filer gives the institution and the public must never see.
ADDRESS = "ул. „Тайна“ 7731"
EMAIL = "skrita.poshta"  # the start of every hidden address
HIDDEN_NAME = "Радослава Скритова"
_numbers = itertools.count()


def secret_email():
    return f"skrita.poshta{next(_numbers)}@example.org"


def ok(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(body):
    return [item["id"] for item in body["items"]]


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def secret_request(**kwargs):
    """A request whose requester chose not to be shown (the default)."""
    fields = {
        "requester_name": HIDDEN_NAME,
        "correspondence_address": ADDRESS,
        "requester_email": (email := secret_email()),
        "requester": UserFactory(email=email),
    }
    return InformationRequestFactory(**{**fields, **kwargs})


def secret_signal(**kwargs):
    fields = {
        "filer_name": HIDDEN_NAME,
        "filer_address": ADDRESS,
        "filer_email": (email := secret_email()),
        "filer": UserFactory(email=email),
    }
    return SignalFactory(**{**fields, **kwargs})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf(name="reshenie.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


# --- Information requests ----------------------------------------------------------------------


def test_request_list_item(client):
    r = secret_request(due_on=datetime.date(2026, 11, 16), is_overdue=True)
    body = ok(client, REQUESTS)
    assert set(body) == {"count", "count_capped", "items"}
    assert body["count"] == 1 and body["count_capped"] is False
    item = body["items"][0]
    assert item["id"] == r.pk
    assert item["url"].startswith(SITE) and item["url"].endswith(f"/{r.pk}/")
    assert item["status"] == "registered" and item["status_label"]
    assert item["institution"]["id"] == r.institution_id
    assert item["institution"]["name"] == r.institution.name_bg
    assert item["institution"]["url"] == f"{SITE}/directory/institutions/{r.institution_id}/"
    assert item["municipality"] == "PDV22" and item["province"] == "PDV"
    assert item["registered_on"] == "2026-11-02"
    assert item["due_on"] == "2026-11-16" and item["is_overdue"] is True
    assert item["requester_name"] is None


def test_name_only_when_shown_and_never_address_or_email(client):
    hidden = secret_request()
    shown = InformationRequestFactory(requester_name="Мария Показана", show_name=True)
    org = OrganisationFactory(name="Сдружение „Прозрачност днес“")
    by_org = InformationRequestFactory(organisation=org, show_name=True)
    by_org_hidden = secret_request(organisation=OrganisationFactory(name="Сдружение „Скрито“"))
    names = {i["id"]: i["requester_name"] for i in ok(client, REQUESTS)["items"]}
    assert names == {
        hidden.pk: None,
        shown.pk: "Мария Показана",
        by_org.pk: "Сдружение „Прозрачност днес“",
        by_org_hidden.pk: None,
    }
    for url in (REQUESTS, f"{REQUESTS}/{hidden.pk}", f"{REQUESTS}/{by_org_hidden.pk}"):
        raw = client.get(url).content.decode()
        for secret in (HIDDEN_NAME, "Скритова", ADDRESS, "Тайна", EMAIL, "skrita", "Скрито"):
            assert secret not in raw, (url, secret)
        for key in ("correspondence_address", "requester_email", "requester", "address"):
            assert f'"{key}"' not in raw


@pytest.mark.parametrize("who", ["anonymous", "requester", "staff", "superuser", "other"])
def test_a_private_request_is_never_served(client, who):
    owner = UserFactory()
    private = secret_request(is_public=False, requester=owner, title="Лична преписка 4455")
    public = InformationRequestFactory()
    user = {
        "anonymous": None,
        "requester": owner,
        "staff": UserFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "other": UserFactory(),
    }[who]
    if who == "staff":
        staff_of(private.institution, user)
    c = signed_in(user)
    body = ok(c, REQUESTS)
    assert ids(body) == [public.pk] and body["count"] == 1
    assert "4455" not in c.get(REQUESTS, {"q": "преписка"}).content.decode()
    response = c.get(f"{REQUESTS}/{private.pk}")
    assert response.status_code == 404 and response.json()["detail"]


def test_request_filters(client):
    sofia = generated("ma:SOF46")
    plovdiv = InformationRequestFactory(title="Договори за зимно почистване на улиците")
    in_sofia = InformationRequestFactory(
        institution=sofia, title="Разходи за осветление", filed_on=datetime.date(2026, 10, 1),
        status=RequestStatus.GRANTED, is_overdue=False,
    )  # fmt: skip
    overdue = InformationRequestFactory(
        title="Списък на концесиите", is_overdue=True, filed_on=datetime.date(2026, 9, 1)
    )
    assert ids(ok(client, REQUESTS, institution=sofia.pk)) == [in_sofia.pk]
    assert ids(ok(client, REQUESTS, municipality="SOF46")) == [in_sofia.pk]
    assert ids(ok(client, REQUESTS, province="SOF")) == [in_sofia.pk]
    assert ids(ok(client, REQUESTS, province="PDV")) == [plovdiv.pk, overdue.pk]
    assert ids(ok(client, REQUESTS, status="granted")) == [in_sofia.pk]
    assert ids(ok(client, REQUESTS, overdue="true")) == [overdue.pk]
    assert ids(ok(client, REQUESTS, overdue="false")) == [plovdiv.pk, in_sofia.pk]
    assert ids(ok(client, REQUESTS, q="почистване")) == [plovdiv.pk]
    assert ids(ok(client, REQUESTS, q="pochistvane ulitsi")) == [plovdiv.pk]  # Latin, forms
    assert ids(ok(client, REQUESTS, q="концесии")) == [overdue.pk]
    assert ids(ok(client, REQUESTS, **{"from": "2026-10-01"})) == [plovdiv.pk, in_sofia.pk]
    assert ids(ok(client, REQUESTS, to="2026-10-01")) == [in_sofia.pk, overdue.pk]
    assert ids(ok(client, REQUESTS, **{"from": "2026-09-02", "to": "2026-10-31"})) == [in_sofia.pk]
    assert ids(ok(client, REQUESTS, province="PDV", overdue="false")) == [plovdiv.pk]
    assert ok(client, REQUESTS, municipality="VAR01")["count"] == 0


def test_request_order_is_newest_first_and_stable_across_pages(client):
    made = [
        InformationRequestFactory(filed_on=datetime.date(2026, 11, day % 3 + 1)) for day in range(7)
    ]
    expected = [r.pk for r in sorted(made, key=lambda r: (r.filed_on, r.pk), reverse=True)]
    pages = [ids(ok(client, REQUESTS, page=n, page_size=3)) for n in (1, 2, 3)]
    assert pages[0] + pages[1] + pages[2] == expected
    assert ok(client, REQUESTS, page=4, page_size=3)["items"] == []


def test_count_is_capped(client, monkeypatch):
    monkeypatch.setattr(monitoring_api, "COUNT_CAP", 2)
    for _ in range(3):
        InformationRequestFactory()
    body = ok(client, REQUESTS, page_size=10)
    assert body["count"] == 2 and body["count_capped"] is True
    assert len(body["items"]) == 3  # the rows themselves are not capped
    body = ok(client, REQUESTS, overdue="true")
    assert body["count"] == 0 and body["count_capped"] is False


def test_request_detail_shows_only_the_public_timeline_and_documents(client, media):
    r = secret_request(
        status=RequestStatus.GRANTED, decided_on=datetime.date(2026, 11, 10),
        answer="Предоставяме договорите.", answered_on_time=True, days_to_answer=8,
    )  # fmt: skip
    RequestEvent.objects.create(
        request=r, kind=RequestEventKind.REGISTERED, on=datetime.date(2026, 11, 2),
        from_status=RequestStatus.SUBMITTED, to_status=RequestStatus.REGISTERED,
        note="Регистрирано под № ЗДОИ-1.",
    )  # fmt: skip
    RequestEvent.objects.create(
        request=r, kind=RequestEventKind.NOTE, on=datetime.date(2026, 11, 3),
        note="Вътрешно: да се звънне на заявителката", is_public=False,
    )  # fmt: skip
    decision = Document.objects.create(request=r, title="Решение", kind="decision", file=pdf())
    Document.objects.create(
        request=r, title="Неизчистен файл", file=pdf("chernova.pdf"), is_public=False
    )
    redacted = Document.objects.create(
        request=r, title="Договори (заличени лични данни)", kind="released",
        file=pdf("zalicheni.pdf"), original=pdf("original-s-egn.pdf"),
    )  # fmt: skip
    published = MonitoringReportFactory(
        published_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    )
    draft = MonitoringReportFactory(title="Чернова на доклад")
    published.requests.add(r)
    draft.requests.add(r)
    response = client.get(f"{REQUESTS}/{r.pk}")
    raw = response.content.decode()
    body = response.json()
    assert body["answer"] == "Предоставяме договорите." and body["decided_on"] == "2026-11-10"
    assert [e["kind"] for e in body["timeline"]] == ["registered"]
    assert body["timeline"][0]["note"] == "Регистрирано под № ЗДОИ-1."
    assert "Вътрешно" not in raw
    assert [d["title"] for d in body["documents"]] == ["Решение", redacted.title]
    assert body["documents"][0]["url"].startswith(SITE)
    assert str(decision.pk) in body["documents"][0]["url"]
    assert "chernova" not in raw and "Неизчистен" not in raw and "original" not in raw
    assert [rep["id"] for rep in body["reports"]] == [published.pk]
    assert "Чернова на доклад" not in raw
    assert body["forwarded_to"] is None


def test_request_detail_query_count_is_flat(client, media):
    r = InformationRequestFactory()
    few = queries(client, f"{REQUESTS}/{r.pk}")
    for n in range(10):
        RequestEvent.objects.create(request=r, kind=RequestEventKind.NOTE, on=r.filed_on)
        Document.objects.create(request=r, title=f"Файл {n}", file=pdf())
        MonitoringReportFactory(published_at=datetime.datetime.now(datetime.UTC)).requests.add(r)
    assert queries(client, f"{REQUESTS}/{r.pk}") == few <= 5


def test_request_list_query_count_is_flat(client):
    org = OrganisationFactory()

    def make(n):
        for i in range(n):
            InformationRequestFactory(organisation=org if i % 2 else None, show_name=bool(i % 3))

    make(3)
    few = queries(client, REQUESTS, page_size=100)
    make(27)
    assert queries(client, REQUESTS, page_size=100) == few <= 3
    assert ok(client, REQUESTS, page_size=100)["count"] == 30


BAD_REQUEST_PARAMS = [
    {"institution": "0"},
    {"institution": "abc"},
    {"institution": str(2**64)},
    {"municipality": "pdv22"},
    {"municipality": "PDV2"},
    {"province": "PDVX"},
    {"status": "lost"},
    {"overdue": "maybe"},
    {"from": "2026-13-01"},
    {"to": "yesterday"},
    {"from": "0001-01-01"},
    {"from": "2026-12-01", "to": "2026-11-01"},
    {"q": "x" * 201},
    {"q": "a\x00b"},
    {"page": "0"},
    {"page_size": "501"},
]


@pytest.mark.parametrize("params", BAD_REQUEST_PARAMS)
def test_bad_request_parameters_are_422_with_a_message(client, params):
    response = client.get(REQUESTS, params)
    assert response.status_code == 422
    assert response.json()["message"].startswith("Invalid request parameters.")


@pytest.mark.parametrize("url", [REQUESTS, SIGNALS, COMMITMENTS])
@pytest.mark.parametrize("bad", ["0", "-1", "x", str(2**64)])
def test_bad_ids_are_422_and_unknown_ids_404(client, url, bad):
    assert client.get(f"{url}/{bad}").status_code in {404, 422}
    assert client.get(f"{url}/987654321").status_code == 404


# --- Signals -----------------------------------------------------------------------------------


def test_signal_list_item_and_privacy(client):
    s = secret_signal(kind=SignalKind.SIGNAL, is_overdue=True)
    shown = SignalFactory(filer_name="Георги Показан", show_name=True)
    private = secret_signal(is_public=False, title="Лична жалба 8812")
    anonymous = SignalFactory(
        filer=None, filer_name="", filer_address="", is_anonymous=True, due_on=None,
        status=SignalStatus.NO_PROCEEDINGS,
    )  # fmt: skip
    body = ok(client, SIGNALS)
    assert set(ids(body)) == {s.pk, shown.pk, anonymous.pk}
    item = next(i for i in body["items"] if i["id"] == s.pk)
    assert item["kind"] == "signal" and item["status"] == "registered" and item["status_label"]
    assert item["registered_on"] == "2026-10-01" and item["due_on"] == "2026-12-01"
    assert item["is_overdue"] is True and item["filer_name"] is None
    assert item["institution"]["id"] == s.institution_id and item["municipality"] == "PDV22"
    assert item["url"].startswith(SITE) and item["url"].endswith(f"/{s.pk}/")
    names = {i["id"]: i["filer_name"] for i in body["items"]}
    assert names[shown.pk] == "Георги Показан"
    anon = next(i for i in body["items"] if i["id"] == anonymous.pk)
    assert anon["is_anonymous"] is True and anon["due_on"] is None
    for url in (SIGNALS, f"{SIGNALS}/{s.pk}"):
        raw = client.get(url).content.decode()
        for secret in (HIDDEN_NAME, ADDRESS, "Тайна", EMAIL, "8812"):
            assert secret not in raw, (url, secret)
    owner = signed_in(private.filer)
    assert owner.get(f"{SIGNALS}/{private.pk}").status_code == 404
    assert private.pk not in ids(ok(owner, SIGNALS))


def test_signal_filters(client):
    sofia = generated("ma:SOF46")
    proposal = SignalFactory(title="Повече пейки в Цар Симеоновата градина")
    signal = SignalFactory(
        kind=SignalKind.SIGNAL, title="Незаконно сметище край реката", is_overdue=True,
        received_on=datetime.date(2026, 8, 1),
    )  # fmt: skip
    answered = SignalFactory(
        institution=sofia, status=SignalStatus.ANSWERED, title="Ремонт на тротоар",
        received_on=datetime.date(2026, 9, 15),
    )  # fmt: skip
    assert ids(ok(client, SIGNALS, kind="signal")) == [signal.pk]
    assert ids(ok(client, SIGNALS, kind="proposal")) == [proposal.pk, answered.pk]
    assert ids(ok(client, SIGNALS, status="answered")) == [answered.pk]
    assert ids(ok(client, SIGNALS, institution=sofia.pk)) == [answered.pk]
    assert ids(ok(client, SIGNALS, municipality="SOF46")) == [answered.pk]
    assert ids(ok(client, SIGNALS, province="PDV")) == [proposal.pk, signal.pk]
    assert ids(ok(client, SIGNALS, overdue="true")) == [signal.pk]
    assert ids(ok(client, SIGNALS, q="сметище")) == [signal.pk]
    assert ids(ok(client, SIGNALS, q="peyki")) == [proposal.pk]
    assert ids(ok(client, SIGNALS, **{"from": "2026-09-01", "to": "2026-09-30"})) == [answered.pk]


@pytest.mark.parametrize(
    "params",
    [{"kind": "complaint"}, {"status": "granted"}, {"overdue": "2"}, {"municipality": "X"},
     {"from": "2026-02-30"}],
)  # fmt: skip
def test_bad_signal_parameters_are_422(client, params):
    response = client.get(SIGNALS, params)
    assert response.status_code == 422 and response.json()["message"]


def test_signal_detail(client, media):
    s = SignalFactory(
        status=SignalStatus.ANSWERED, outcome="accepted", decided_on=datetime.date(2026, 11, 2),
        answer="Ще поставим 20 пейки.", description="Предлагам повече пейки.",
    )  # fmt: skip
    SignalEvent.objects.create(
        signal=s, kind=SignalEventKind.ANSWERED, on=datetime.date(2026, 11, 2),
        from_status=SignalStatus.REGISTERED, to_status=SignalStatus.ANSWERED,
    )  # fmt: skip
    SignalEvent.objects.create(
        signal=s, kind=SignalEventKind.NOTE, on=datetime.date(2026, 11, 3),
        note="Само за служители 5521", is_public=False,
    )  # fmt: skip
    Document.objects.create(signal=s, title="Отговор", kind="decision", file=pdf())
    body = ok(client, f"{SIGNALS}/{s.pk}")
    assert body["outcome"] == "accepted" and body["answer"] == "Ще поставим 20 пейки."
    assert body["description"] == "Предлагам повече пейки."
    assert [e["kind"] for e in body["timeline"]] == ["answered"]
    assert [d["title"] for d in body["documents"]] == ["Отговор"]
    assert "5521" not in client.get(f"{SIGNALS}/{s.pk}").content.decode()


def test_signal_list_query_count_is_flat(client):
    SignalFactory.create_batch(3)
    few = queries(client, SIGNALS, page_size=100)
    SignalFactory.create_batch(27, organisation=OrganisationFactory(), show_name=True)
    assert queries(client, SIGNALS, page_size=100) == few <= 3


# --- Commitments -------------------------------------------------------------------------------


def test_commitment_list_and_filters(client):
    sofia = generated("ma:SOF46")
    playground = CommitmentFactory(title="Ремонт на детска площадка в Кючук Париж")
    done = CommitmentFactory(
        institution=sofia, status=CommitmentStatus.DONE, progress=100,
        source_kind=CommitmentSource.PROGRAMME_MEASURE, deadline=datetime.date(2026, 6, 30),
        done_on=datetime.date(2026, 6, 1), done_on_time=True, title="Нови кошчета",
    )  # fmt: skip
    late = CommitmentFactory(
        status=CommitmentStatus.OVERDUE, is_overdue=True, deadline=datetime.date(2026, 9, 1),
        title="Велоалея по бул. Марица",
    )  # fmt: skip
    body = ok(client, COMMITMENTS)
    assert set(body) == {"count", "items"}
    assert ids(body) == [done.pk, late.pk, playground.pk]  # by deadline
    item = body["items"][2]
    assert item["source_reference"] == "Решение № 123 на Общинския съвет от 25.03.2026 г."
    assert item["deadline"] == "2026-12-31" and item["progress"] == 40
    assert item["status"] == "in_progress" and item["status_label"]
    assert item["average_rating"] is None and item["monitor"] is None
    assert ids(ok(client, COMMITMENTS, status="done")) == [done.pk]
    assert ids(ok(client, COMMITMENTS, source_kind="programme_measure")) == [done.pk]
    assert ids(ok(client, COMMITMENTS, overdue="true")) == [late.pk]
    assert ids(ok(client, COMMITMENTS, institution=sofia.pk)) == [done.pk]
    assert ids(ok(client, COMMITMENTS, municipality="PDV22")) == [late.pk, playground.pk]
    assert ids(ok(client, COMMITMENTS, province="SOF")) == [done.pk]
    assert ids(ok(client, COMMITMENTS, q="площадка")) == [playground.pk]
    assert ids(ok(client, COMMITMENTS, q="veloaleya")) == [late.pk]
    for params in ({"status": "late"}, {"source_kind": "rumour"}, {"overdue": "x"}):
        response = client.get(COMMITMENTS, params)
        assert response.status_code == 422 and response.json()["message"]


def test_commitment_detail_with_updates_and_rating(client, media):
    monitor = OrganisationFactory(name="Сдружение „Граждански контрол“")
    hidden_org = OrganisationFactory(name="Сдружение „Неодобрено“", visibility=Visibility.PENDING)
    c = CommitmentFactory(monitor=monitor, ratings_count=3, ratings_sum=11)
    CommitmentUpdate.objects.create(
        commitment=c, kind=CommitmentUpdateKind.PROGRESS, progress=40,
        from_status=CommitmentStatus.NOT_STARTED, to_status=CommitmentStatus.IN_PROGRESS,
        text="Избран е изпълнител.", evidence_url="https://example.org/dogovor",
        by=UserFactory(email="sluzhitel.tainik@example.org"),
    )  # fmt: skip
    CommitmentUpdate.objects.create(
        commitment=c, kind=CommitmentUpdateKind.COMMENT, text="Следим.", organisation=hidden_org
    )
    Document.objects.create(commitment=c, title="Протокол", file=pdf())
    body = ok(client, f"{COMMITMENTS}/{c.pk}")
    assert body["average_rating"] == 3.67 and body["ratings_count"] == 3
    assert body["monitor"]["name"] == monitor.display_name
    assert [u["kind"] for u in body["updates"]] == ["progress", "comment"]
    assert body["updates"][0]["progress"] == 40 and body["updates"][0]["label"]
    assert body["updates"][1]["organisation"] is None  # not public in the catalogue
    assert [d["title"] for d in body["documents"]] == ["Протокол"]
    raw = client.get(f"{COMMITMENTS}/{c.pk}").content.decode()
    assert "sluzhitel" not in raw and "Неодобрено" not in raw


def test_commitment_list_query_count_is_flat(client):
    monitor = OrganisationFactory()
    CommitmentFactory.create_batch(3, monitor=monitor)
    few = queries(client, COMMITMENTS, page_size=100)
    CommitmentFactory.create_batch(27, monitor=OrganisationFactory())
    assert queries(client, COMMITMENTS, page_size=100) == few <= 3


# --- Responsiveness ----------------------------------------------------------------------------


@pytest.fixture
def figures():
    plovdiv, sofia = generated("ma:PDV22"), generated("ma:SOF46")
    council = generated("mc:PDV22")
    rows = {
        "plovdiv": Responsiveness.objects.create(
            institution=plovdiv, province_id="PDV", requests_total=40, requests_due=30,
            requests_on_time=27, requests_overdue=2, median_days=Decimal("9.5"),
            score=Decimal("88.5"),
        ),
        "sofia": Responsiveness.objects.create(
            institution=sofia, province_id="SOF", requests_total=80, requests_due=70,
            requests_on_time=35, requests_overdue=20, median_days=Decimal("15.0"),
            score=Decimal("51.0"),
        ),
        "council": Responsiveness.objects.create(
            institution=council, province_id="PDV", requests_total=1
        ),
        "pdv22": Responsiveness.objects.create(
            municipality_id="PDV22", province_id="PDV", requests_total=41, score=Decimal("87.0")
        ),
        "sof46": Responsiveness.objects.create(
            municipality_id="SOF46", province_id="SOF", requests_total=80, score=Decimal("51.0")
        ),
    }  # fmt: skip
    ResponsivenessMonth.objects.create(
        institution=plovdiv, month=datetime.date(2026, 10, 1), requests_decided=5,
        requests_on_time=4,
    )  # fmt: skip
    ResponsivenessMonth.objects.create(
        institution=plovdiv, month=datetime.date(2026, 11, 1), requests_decided=6,
        requests_on_time=6,
    )  # fmt: skip
    return rows


def test_responsiveness_list(client, figures):
    body = ok(client, RESPONSIVENESS)
    plovdiv, sofia, council = figures["plovdiv"], figures["sofia"], figures["council"]
    # The most responsive first; the one too small to judge last.
    assert [i["id"] for i in body["items"]] == [
        str(plovdiv.institution_id),
        str(sofia.institution_id),
        str(council.institution_id),
    ]
    item = body["items"][0]
    assert item["level"] == "institution" and item["score"] == 88.5
    assert item["median_days"] == 9.5 and item["requests_on_time"] == 27
    assert item["institution"]["id"] == plovdiv.institution_id
    assert item["municipality"] == "PDV22" and item["province"] == "PDV"
    assert item["url"].startswith(SITE)
    worst_first = ok(client, RESPONSIVENESS, sort="score")
    assert [i["id"] for i in worst_first["items"]][:2] == [
        str(sofia.institution_id),
        str(plovdiv.institution_id),
    ]
    assert worst_first["items"][2]["score"] is None
    by_requests = ok(client, RESPONSIVENESS, sort="-requests_total")
    assert by_requests["items"][0]["id"] == str(sofia.institution_id)
    assert ok(client, RESPONSIVENESS, province="SOF")["count"] == 1
    municipalities = ok(client, RESPONSIVENESS, level="municipality", sort="name")
    assert [i["id"] for i in municipalities["items"]] == ["PDV22", "SOF46"]  # Пловдив, Столична
    assert municipalities["items"][0]["institution"] is None
    assert municipalities["items"][0]["name"]


@pytest.mark.parametrize(
    "params", [{"level": "province"}, {"sort": "random"}, {"sort": "--score"}, {"province": "x"}]
)
def test_bad_responsiveness_parameters_are_422(client, params):
    response = client.get(RESPONSIVENESS, params)
    assert response.status_code == 422 and response.json()["message"]


def test_responsiveness_detail(client, figures):
    plovdiv = figures["plovdiv"]
    body = ok(client, f"{RESPONSIVENESS}/institution/{plovdiv.institution_id}")
    assert body["score"] == 88.5
    assert [m["month"] for m in body["months"]] == ["2026-10-01", "2026-11-01"]
    assert body["months"][0]["requests_decided"] == 5
    body = ok(client, f"{RESPONSIVENESS}/municipality/PDV22")
    assert body["level"] == "municipality" and body["score"] == 87.0 and body["months"] == []
    assert client.get(f"{RESPONSIVENESS}/municipality/VAR01").status_code == 404
    assert client.get(f"{RESPONSIVENESS}/institution/987654321").status_code == 404
    for bad in ("institution/PDV22", "institution/0", "municipality/12", "province/PDV"):
        response = client.get(f"{RESPONSIVENESS}/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["message"]


def test_responsiveness_list_query_count_is_flat(client, figures):
    few = queries(client, RESPONSIVENESS, page_size=100)
    for key in ("mc:SOF46", "ma:VAR01", "mc:VAR01", "ma:BLG03"):
        Responsiveness.objects.create(institution=generated(key), requests_total=3)
    assert queries(client, RESPONSIVENESS, page_size=100) == few <= 2


# --- The schema --------------------------------------------------------------------------------


def test_openapi_schema_lists_the_monitoring_endpoints(client):
    schema = ok(client, "/api/v1/openapi.json")
    paths = schema["paths"]
    for path in (
        "/api/v1/information-requests", "/api/v1/information-requests/{id}",
        "/api/v1/signals", "/api/v1/signals/{id}", "/api/v1/commitments",
        "/api/v1/commitments/{id}", "/api/v1/responsiveness",
        "/api/v1/responsiveness/{level}/{id}",
    ):  # fmt: skip
        assert path in paths, path
        assert paths[path]["get"]["summary"]
    names = {p["name"] for p in paths["/api/v1/information-requests"]["get"]["parameters"]}
    assert {"institution", "municipality", "province", "status", "overdue", "q", "from", "to",
            "page", "page_size"} <= names  # fmt: skip
    # Nothing personal in the schemas either.
    for schema_name, definition in schema["components"]["schemas"].items():
        for field in definition.get("properties", {}):
            assert field not in {"correspondence_address", "requester_email", "filer_address",
                                 "filer_email"}, schema_name  # fmt: skip
