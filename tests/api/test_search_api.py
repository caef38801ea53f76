"""GET /api/v1/search and the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_plovdiv_groups_by_type(client):
    response = client.get("/api/v1/search", {"q": "plovdiv"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "plovdiv"
    groups = {group["type"]: group for group in body["groups"]}
    assert {"territory.province", "territory.municipality", "territory.settlement"} <= set(groups)
    for group in groups.values():
        assert group["label"]
        assert group["count"] >= len(group["items"]) > 0
        assert group["count_capped"] is False  # fewer than 1,000 of each kind here
        for item in group["items"]:
            assert set(item) == {"title", "subtitle", "url", "id"}
            assert item["url"].startswith("/")
    assert groups["territory.province"]["items"][0]["title"] == "Пловдив"
    assert groups["territory.province"]["items"][0]["id"] == "PDV"
    assert groups["territory.settlement"]["items"][0]["id"] == "56784"


def test_search_only_one_type_with_a_limit(client):
    body = client.get(
        "/api/v1/search", {"q": "plov", "type": "territory.settlement", "limit": 2}
    ).json()
    assert [group["type"] for group in body["groups"]] == ["territory.settlement"]
    assert len(body["groups"][0]["items"]) <= 2


def test_search_without_matches_has_no_groups(client):
    body = client.get("/api/v1/search", {"q": "qqqqxqqq"}).json()
    assert body["groups"] == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "a" * 201},
        {"q": "plov", "type": "nope"},
        {"q": "a", "limit": "0"},
    ],
)
def test_search_bad_input_is_422_with_a_message(client, params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 422
    assert response.json()["message"].startswith("Invalid request parameters.")


def test_search_query_count_is_flat(client, django_assert_max_num_queries):
    # core.search.grouped: two to look up the words of the query's prefixes (SQLite), one or
    # two to count the matches by kind (capped), and one per kind with matches.
    groups = client.get("/api/v1/search", {"q": "plovdiv"}).json()["groups"]
    with django_assert_max_num_queries(4 + len(groups)):
        client.get("/api/v1/search", {"q": "plovdiv"})


def test_openapi_schema_lists_every_operation_with_a_summary(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/provinces",
        "/api/v1/provinces/{code}",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{code}",
        "/api/v1/settlements",
        "/api/v1/settlements/{ekatte}",
        "/api/v1/mayoralties",
        "/api/v1/mayoralties/{code}",
        "/api/v1/districts",
        "/api/v1/districts/{code}",
        "/api/v1/search",
    ]:
        assert "get" in paths[path], path
        operation = paths[path]["get"]
        assert operation["summary"]
        assert operation["description"]
        assert "200" in operation["responses"]
    kind = schema["components"]["schemas"]["SettlementKind"]
    assert set(kind["enum"]) == {"town", "village", "monastery"}


def test_public_endpoints_feed_the_api_page():
    from api.api import api

    rows = api.public_endpoints()
    assert {"method": "GET", "path": "/api/v1/search", "summary": "Search everything"} in rows
    assert all(row["summary"] for row in rows)
