"""The demo scope (taken from the 2007 memberships) and the home page that shows it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territory.demo import apply_demo_scope
from territory.models import PortalScope, Province

pytestmark = pytest.mark.django_db


def test_demo_scope_uses_the_2007_south_central_region() -> None:
    assert apply_demo_scope() is True
    scope = PortalScope.current()
    assert set(scope.provinces.values_list("code", flat=True)) == {
        "PDV", "SZR", "HKV", "PAZ", "SML", "KRZ",
    }  # fmt: skip
    assert set(scope.municipalities.values_list("code", flat=True)) == {"SOF46", "PVN24", "SLV20"}
    assert scope.name_bg.startswith("Южен централен район")
    assert scope.name_en
    assert apply_demo_scope() is False  # an existing scope is never overwritten


def test_demo_scope_keeps_an_administrators_choice() -> None:
    scope = PortalScope.current()
    scope.provinces.set([Province.objects.get(code="VAR")])
    assert apply_demo_scope() is False
    assert list(scope.provinces.values_list("code", flat=True)) == ["VAR"]


def test_home_without_scope_links_to_all_of_bulgaria(client) -> None:
    html = client.get("/").content.decode()
    assert "/territory/" in html
    assert 'role="search"' in html
    assert "<svg" not in html


def test_home_shows_scope_map_legend_and_lists(client) -> None:
    apply_demo_scope()
    html = client.get("/").content.decode()
    assert "Южен централен район и общините Столична, Плевен и Сливен" in html
    shapes = re.findall(
        r'<a href="(/territory/provinces/[A-Z]{3}/)"[^>]*><title>[^<]+</title>'
        r'<path class="map-shape ?([a-z -]*)"',
        html,
    )
    assert len(shapes) == 28
    classes = {href.split("/")[3]: css for href, css in shapes}
    assert classes["SZR"] == "in-scope"
    assert classes["PVN"] == "partial" and classes["SLV"] == "partial"
    assert classes["VAR"] == ""
    assert 'id="scope-hatch"' in html  # the hatch pattern: not colour alone
    assert 'class="legend"' in html
    assert "/territory/municipalities/SOF46/" in html
    assert "1\xa0325\xa0429" in html  # Столична's population in the list


def test_home_query_count_is_constant(client) -> None:
    client.get("/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/")
    apply_demo_scope()
    client.get("/")
    with CaptureQueriesContext(connection) as full:
        client.get("/")
    assert len(full) == len(empty) <= 8
