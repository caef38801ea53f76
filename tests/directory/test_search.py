"""Institutions are found in Cyrillic and Latin, on the search page and in the API."""

import pytest

from core import search

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["общински съвет пловдив", "obshtinski savet plovdiv"])
def test_council_of_plovdiv_comes_first(q):
    results = list(search.matching(q, kind="directory.institution")[:5])
    assert results[0].title_bg == "Общински съвет – Пловдив"


def test_grouped_search_has_institutions(client):
    html = client.get("/search/", {"q": "областна администрация хасково"}).content.decode()
    assert "Институции" in html
    assert "Областна администрация – Хасково" in html
