"""Institutions are found in Cyrillic and Latin, on the search page and in the API."""

import pytest

from core import search
from tests.factories.directory import InstitutionFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["общински съвет пловдив", "obshtinski savet plovdiv"])
def test_council_of_plovdiv_comes_first(q):
    results = list(search.matching(q, kind="directory.institution")[:5])
    assert results[0].title_bg == "Общински съвет – Пловдив"


def test_grouped_search_has_institutions(client):
    html = client.get("/search/", {"q": "областна администрация хасково"}).content.decode()
    assert "Институции" in html
    assert "Областна администрация – Хасково" in html


# --- Services, word forms and function words -------------------------------------------------


def titles(q, kind):
    return [e.title_bg for e in search.matching(q, kind=kind)]


@pytest.mark.parametrize(
    "q", ["общински съвет", "общинския съвет", "obshtinski savet", "Общински съвет на"]
)
def test_word_forms_meet(q):
    InstitutionFactory(name_bg="Общинският съвет на Тестово")
    assert "Общинският съвет на Тестово" in titles(q + " тестово", "directory.institution")


def test_services_are_found_by_their_words_with_or_without_function_words():
    ServiceFactory(name="Отпускане на еднократна помощ – социално подпомагане")
    ServiceFactory(name="Разрешение за строеж")
    for q in ("услуги за социално подпомагане", "uslugi za sotsialno podpomagane",
              "социалното подпомагане", "помощ по социално подпомагане"):  # fmt: skip
        assert titles(q, "directory.service") == [
            "Отпускане на еднократна помощ – социално подпомагане"
        ], q


def test_services_are_found_by_institution_place_and_register_code():
    ServiceFactory(name="Издаване на скица", register_code="2065")
    assert titles("скица община пловдив", "directory.service") == ["Издаване на скица"]
    assert titles("skitsa plovdiv", "directory.service") == ["Издаване на скица"]
    assert titles("2065", "directory.service") == ["Издаване на скица"]
    assert titles("административни услуги скица", "directory.service") == ["Издаване на скица"]


def test_grouped_search_has_services(client):
    ServiceFactory(name="Издаване на удостоверение за наследници")
    html = client.get("/search/", {"q": "удостоверение наследници"}).content.decode()
    assert "Административни услуги" in html
    assert "Издаване на удостоверение за наследници" in html
