"""The institution page maps the territory it serves: its municipality, its area, or its
province, marked on the map of the province(s), with a link per municipality."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Institution
from territory.models import Municipality

pytestmark = pytest.mark.django_db


def marked(html: str) -> set[str]:
    """Names of the shapes marked as served ("current") in the page's map."""
    return set(
        re.findall(
            r'<a href="[^"]+" aria-label="([^"]+)"><title>[^<]*</title>'
            r'<path class="map-shape current"',
            html,
        )
    )


def shapes(html: str) -> int:
    return html.count('class="map-shape')


def page(client, key: str) -> str:
    response = client.get(Institution.objects.get(generated_key=key).get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_council_marks_its_municipality_among_the_provinces(client):
    html = page(client, "mc:PDV22")
    assert 'aria-labelledby="institution-map-title"' in html
    assert marked(html) == {"Пловдив"}
    assert shapes(html) == Municipality.objects.filter(province_id="PDV").count()  # 18


def test_a_mayoralty_marks_the_municipality_it_is_in(client):
    mayoralty = Institution.objects.filter(generated_key__startswith="km:PDV26").first()
    assert marked(page(client, mayoralty.generated_key)) == {mayoralty.municipality.name_bg}


def test_a_regional_administration_marks_the_whole_province(client):
    assert len(marked(page(client, "oa:PDV"))) == 18


def test_an_inspectorate_across_provinces_marks_its_whole_area(client):
    html = page(client, "riosv:SZR")
    area = Municipality.objects.filter(province_id__in=["SZR", "SLV", "JAM"])
    assert len(marked(html)) == area.count() == shapes(html)


def test_the_map_costs_one_query(client):
    url = Institution.objects.get(generated_key="oa:PDV").get_absolute_url()
    with CaptureQueriesContext(connection) as with_map:
        client.get(url)
    maps = [
        q for q in with_map.captured_queries
        if 'FROM "territory_municipality" WHERE "territory_municipality"."province_id" IN'
        in q["sql"]
    ]  # fmt: skip
    assert len(maps) == 1
