"""The catalogue's order is kept in the cache like its facets (organisations.selectors.
ordered_ids, under the catalogue's version): the next page, or the same list again, slices the
kept ids instead of sorting the matches, and a saved or deleted organisation shows at once."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from organisations import selectors
from organisations.views.catalogue import PAGE_SIZE
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

INDEX = "/organisations/"
ROW = re.compile(r'<li>\s*<a href="/organisations/(\d+)/">([^<]+)</a>')


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The test database is rolled back after each test, the in-memory cache is not."""
    cache.clear()


def listed(client, **params) -> list[int]:
    response = client.get(INDEX, {"all": "1", **params})
    assert response.status_code == 200
    return [int(pk) for pk, _name in ROW.findall(response.content.decode())]


def test_a_renamed_new_or_deleted_organisation_shows_in_the_order_at_once(client):
    b = OrganisationFactory(name="Сдружение „Б Орхидея“")
    c = OrganisationFactory(name="Сдружение „В Орхидея“")
    assert listed(client, q="орхидея", sort="name") == [b.pk, c.pk]
    b.name = "Сдружение „Г Орхидея“"
    b.save()
    assert listed(client, q="орхидея", sort="name") == [c.pk, b.pk]
    a = OrganisationFactory(name="Сдружение „А Орхидея“")
    assert listed(client, q="орхидея", sort="name") == [a.pk, c.pk, b.pk]
    assert listed(client, q="орхидея", sort="newest") == [a.pk, c.pk, b.pk]
    a.delete()
    assert listed(client, q="орхидея", sort="name") == [c.pk, b.pk]
    assert listed(client, q="орхидея", sort="newest") == [c.pk, b.pk]


def test_the_same_list_again_is_not_sorted_again(client, monkeypatch):
    made = [OrganisationFactory(name=f"Сдружение „Орхидея {n:02d}“") for n in range(30)]
    by_relevance = listed(client, q="орхидея")
    by_name = listed(client, q="орхидея", sort="name")
    assert by_name == [o.pk for o in made[:PAGE_SIZE]]

    def not_again(*args, **kwargs):
        raise AssertionError("sorted again")

    monkeypatch.setattr(selectors, "catalogue_entries", not_again)
    monkeypatch.setattr(selectors, "catalogue_list", not_again)
    assert listed(client, q="орхидея") == by_relevance
    assert listed(client, q="орхидея", sort="name") == by_name
    # The second page is a slice of the same kept order.
    assert listed(client, q="орхидея", sort="name", page="2") == [o.pk for o in made[PAGE_SIZE:]]


def test_each_order_and_each_filter_is_kept_apart(client):
    old = OrganisationFactory(name="Сдружение „А Орхидея“", year_founded=1990)
    new = OrganisationFactory(name="Сдружение „Б Орхидея“", year_founded=2020)
    assert listed(client, q="орхидея", sort="name") == [old.pk, new.pk]
    assert listed(client, q="орхидея", sort="founded") == [old.pk, new.pk]
    assert listed(client, q="орхидея", sort="newest") == [new.pk, old.pk]
    assert listed(client, q="орхидея", sort="name", legal_form="foundation") == []
