"""GET /api/v1/institutions, /institutions/{id}, /services and /services/{id}."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Institution
from tests.factories.directory import ServiceFactory, generated

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
        [
            "mayoralty",
            "municipal-administration",
            "municipal-council",
            "regional-administration",
            "rzi",
            "ruo",
            "riosv",
        ]
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


# --- Services -------------------------------------------------------------------------------

SERVICES = "/api/v1/services"


def test_institutions_carry_their_services_count(client):
    plovdiv = generated("ma:PDV22")
    ServiceFactory.create_batch(3, institution=plovdiv)
    items = ok(client, municipality="PDV22", kind="municipal-administration")["items"]
    assert items[0]["services_count"] == 3
    council = ok(client, municipality="PDV22", kind="municipal-council")["items"][0]
    assert council["services_count"] == 0
    detail = ok(client, f"{URL}/{plovdiv.pk}")
    assert detail["services_count"] == 3
    assert detail["services_url"] == f"/api/v1/services?institution={plovdiv.pk}"
    assert ok(client, detail["services_url"])["count"] == 3


def test_services_count_does_not_disturb_the_settlement_filter(client):
    ServiceFactory.create_batch(2, institution=generated("ma:PDV13"))
    items = ok(client, settlement="40939")["items"]
    assert len(items) == len({i["id"] for i in items})
    assert {i["services_count"] for i in items if i["kind"] == "municipal-administration"} == {2}


def test_service_list_and_item_shape(client):

    plovdiv = generated("ma:PDV22")
    paid = ServiceFactory(institution=plovdiv, register_code="2065", online_url="https://e.bg/x")
    free = ServiceFactory(institution=plovdiv, fee_eur=Decimal("0"))
    unknown = ServiceFactory(institution=generated("ma:SML31"), fee_eur=None)
    body = ok(client, SERVICES, institution=plovdiv.pk)
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [paid.pk, free.pk]  # by id
    item = body["items"][0]
    assert item == {
        "id": paid.pk,
        "name": paid.name,
        "register_code": "2065",
        "institution": {
            "id": plovdiv.pk,
            "name": "Община Пловдив",
            "url": f"/directory/institutions/{plovdiv.pk}/",
        },
        "fee_eur": "2.56",
        "deadline": "3 работни дни",
        "in_person": True,
        "by_post": True,
        "online_url": "https://e.bg/x",
        "url": f"/directory/services/{paid.pk}/",
    }
    assert body["items"][1]["fee_eur"] == "0.00"
    detail = ok(client, f"{SERVICES}/{unknown.pk}")
    assert detail["fee_eur"] is None
    assert detail["documents"] == ["Заявление по образец", "Акт за смърт"]
    assert detail["legal_basis"] == "Закон за гражданската регистрация, чл. 24"
    assert detail["who_may_apply"] and detail["description"] and detail["updated_at"]


def test_service_search_in_any_script(client):
    wanted = ServiceFactory(name="Издаване на удостоверение за наследници")
    ServiceFactory(name="Разрешение за строеж")
    for q in ("удостоверение за наследници", "udostoverenie naslednitsi", "услуги наследници"):
        assert [i["id"] for i in ok(client, SERVICES, q=q)["items"]] == [wanted.pk], q


def test_english_clients_get_the_same_urls(client):
    s = ServiceFactory()
    response = client.get(f"{SERVICES}/{s.pk}", headers={"accept-language": "en"})
    assert response.json()["url"] == f"/directory/services/{s.pk}/"


@pytest.mark.parametrize(
    "params",
    [{"institution": "abc"}, {"institution": "0"}, {"institution": "99999999999999999999"},
     {"q": "x" * 201}, {"page_size": "501"}, {"page": "0"}],
)  # fmt: skip
def test_bad_service_parameters_are_422(client, params):
    response = client.get(SERVICES, params)
    assert response.status_code == 422
    assert "message" in response.json()


def test_unknown_services_and_institutions_are_404(client):
    assert client.get(SERVICES, {"institution": "999999999"}).status_code == 404
    assert client.get(f"{SERVICES}/999999999").status_code == 404
    assert client.get(f"{SERVICES}/abc").status_code == 422
    assert client.get(f"{SERVICES}/99999999999999999999").status_code == 422


def test_service_list_queries_do_not_grow(client):
    plovdiv = generated("ma:PDV22")
    ServiceFactory.create_batch(3, institution=plovdiv)

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            ok(client, SERVICES, **params)
        return len(ctx)

    few = (count(page_size=5), count(institution=plovdiv.pk), count(q="наследници"))
    ServiceFactory.create_batch(40, institution=plovdiv)
    assert (count(page_size=500), count(institution=plovdiv.pk), count(q="наследници")) == few
    assert max(few) <= 3


def test_institution_list_queries_stay_flat_with_services(client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            ok(client, page_size=100)
        return len(ctx)

    before = count()
    ServiceFactory.create_batch(20)
    assert count() == before
