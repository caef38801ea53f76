"""GET /api/v1/organisations, /organisations/{id}, /networks and /networks/{id}."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.enums import LegalForm, Visibility
from organisations.models import Activity, FieldOfActivity, Membership, Organisation, Task
from tests.factories.accounts import UserFactory
from tests.factories.organisations import (
    JointAreaFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    TaskFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"


def ok(client, url=URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def test_list_of_the_register(client):
    body = ok(client, legal_form="community-centre", page_size=2)
    assert (
        body["count"] == Organisation.objects.filter(legal_form=LegalForm.COMMUNITY_CENTRE).count()
    )
    item = body["items"][0]
    assert set(item) == {
        "id", "name", "display_name", "legal_form", "eik", "benefit", "settlement",
        "municipality", "province", "fields", "reach", "website", "year_founded",
        "register_status", "source", "url",
    }  # fmt: skip
    assert item["url"] == f"/organisations/{item['id']}/"
    assert set(item["settlement"]) == {"ekatte", "name"}


def test_filters(client):
    edu = FieldOfActivity.objects.get(slug="education")
    org = OrganisationFactory()
    org.fields.set([edu])
    network = NetworkFactory()
    MembershipFactory(network=network, organisation=org)
    assert [i["id"] for i in ok(client, field="education")["items"]] == [org.pk]
    assert ok(client, network=network.pk)["count"] == 1
    pdv = ok(client, province="PDV", page_size=1)["count"]
    assert (
        pdv
        == Organisation.objects.public().filter(settlement__municipality__province="PDV").count()
    )
    body = ok(client, municipality="PDV22", legal_form="association")
    # The network's coordinator (a factory organisation) is in Plovdiv too.
    assert [i["id"] for i in body["items"]] == sorted([org.pk, network.coordinator_id])
    assert body["items"][0]["fields"] == ["education"]
    latin = ok(client, q="chitalishte plovdiv", page_size=1)["count"]
    assert latin == ok(client, q="читалище Пловдив", page_size=1)["count"] > 100
    assert ok(client, field="no-such-field")["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"province": "pdv"},
        {"municipality": "PDV"},
        {"network": "abc"},
        {"network": "0"},
        {"field": "Bad Slug!"},
        {"q": "x" * 201},
        {"page": "0"},
        {"page_size": "501"},
    ],
)
def test_malformed_parameters_are_422(client, params):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert "message" in response.json()


def test_detail_with_activities_and_networks_but_no_people(client):
    person = UserFactory(email="private.person@example.org", first_name="Тайна")
    org = OrganisationFactory(
        registered_by=person,
        phone="032 123 456",
        social_links="https://facebook.com/ngo",
        description="**Markdown** source",
    )
    representative_of(org, UserFactory(email="rep.person@example.org", last_name="Скритов"))
    partner = OrganisationFactory()
    a = Activity.objects.create(
        organisation=org, title="Проект", is_project=True, budget_eur=Decimal("12500")
    )
    a.partners.set([partner])
    network = NetworkFactory()
    MembershipFactory(network=network, organisation=org)
    body = ok(client, f"{URL}/{org.pk}")
    assert body["email"] == org.email and body["phone"] == "032 123 456"
    assert body["description"] == "**Markdown** source"
    assert body["social_links"] == ["https://facebook.com/ngo"]
    assert body["activities"][0]["budget_eur"] == "12500.00"
    assert body["activities"][0]["partners"][0]["id"] == partner.pk
    assert [n["id"] for n in body["networks"]] == [network.pk]
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("private.person", "rep.person", "Тайна", "Скритов", "registered_by"):
        assert secret not in text


@pytest.mark.parametrize("visibility", [Visibility.PENDING, Visibility.HIDDEN])
def test_entries_not_public_are_404_and_not_listed(client, visibility):
    org = OrganisationFactory(visibility=visibility)
    assert client.get(f"{URL}/{org.pk}").status_code == 404
    assert org.pk not in [i["id"] for i in ok(client, municipality="PDV22", page_size=500)["items"]]


def test_unknown_and_malformed_ids(client):
    assert client.get(f"{URL}/999999999").status_code == 404
    assert client.get(f"{URL}/abc").status_code == 422
    assert client.get(f"{URL}/99999999999999999999999").status_code == 422
    assert client.get("/api/v1/networks/999999999").status_code == 404


def test_networks(client):
    network = NetworkFactory()
    members = [MembershipFactory(network=network).organisation for _ in range(2)]
    MembershipFactory(network=network, status=Membership.Status.APPLIED)
    hidden = OrganisationFactory(visibility=Visibility.HIDDEN)
    MembershipFactory(network=network, organisation=hidden)
    area = JointAreaFactory(network=network, name="Прозрачност на бюджета")
    today = datetime.date.today()
    late = TaskFactory(
        network=network, area=area, responsible=members[0], due_on=today - datetime.timedelta(3)
    )
    done = TaskFactory(
        network=network, due_on=today - datetime.timedelta(3), status=Task.Status.DONE,
        progress=100,
    )  # fmt: skip
    later = TaskFactory(network=network, due_on=today + datetime.timedelta(30))
    body = ok(client, "/api/v1/networks")
    assert network.pk in [n["id"] for n in body["items"]]
    body = ok(client, f"/api/v1/networks/{network.pk}")
    assert body["coordinator"]["id"] == network.coordinator_id
    assert sorted(m["organisation"]["id"] for m in body["members"]) == sorted(o.pk for o in members)
    assert body["areas"] == [{"id": area.pk, "name": area.name, "description": ""}]
    tasks = {t["id"]: t for t in body["tasks"]}
    assert tasks[late.pk]["overdue"] is True
    assert tasks[late.pk]["area"] == area.name
    assert tasks[late.pk]["responsible"]["id"] == members[0].pk
    assert tasks[done.pk]["overdue"] is False and tasks[done.pk]["progress"] == 100
    assert tasks[later.pk]["overdue"] is False
    assert set(tasks[late.pk]) >= {"title", "starts_on", "due_on", "status", "progress"}


def test_a_network_of_a_hidden_coordinator_is_404(client):
    network = NetworkFactory(coordinator=OrganisationFactory(visibility=Visibility.HIDDEN))
    assert client.get(f"/api/v1/networks/{network.pk}").status_code == 404


def test_query_counts_stay_flat(client):
    edu = FieldOfActivity.objects.get(slug="education")
    network = NetworkFactory()
    org = OrganisationFactory()

    def grow():
        for o in OrganisationFactory.create_batch(30):
            o.fields.set([edu])
            MembershipFactory(network=network, organisation=o)
            TaskFactory(network=network, responsible=o)
        a = Activity.objects.create(organisation=org, title="Още")
        a.partners.set(OrganisationFactory.create_batch(2))
        MembershipFactory(organisation=org)

    grow()
    urls = [
        (URL, {"municipality": "PDV22", "page_size": 100}),
        (URL, {"q": "Пловдив"}),
        (f"{URL}/{org.pk}", {}),
        ("/api/v1/networks", {}),
        (f"/api/v1/networks/{network.pk}", {}),
    ]
    before = [queries(client, url, **params) for url, params in urls]
    grow()
    assert [queries(client, url, **params) for url, params in urls] == before
