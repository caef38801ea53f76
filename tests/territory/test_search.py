"""Territorial units in the portal search: Cyrillic and Latin, any case, prefixes, ranking."""

from __future__ import annotations

import pytest

from core import search

pytestmark = pytest.mark.django_db


def kinds_found(q: str, title: str) -> set[str]:
    return {e.kind for e in search.matching(q) if e.title_bg in {title, f"гр. {title}"}}


@pytest.mark.parametrize("q", ["Plovdiv", "plovdiv", "Пловдив", "пловдив", "PLOVDIV"])
def test_plovdiv_is_found_as_province_municipality_and_town(q: str) -> None:
    assert kinds_found(q, "Пловдив") >= {
        "territory.province",
        "territory.municipality",
        "territory.settlement",
    }


def test_city_ranks_before_villages_by_population() -> None:
    first = search.matching("Пловдив", kind="territory.settlement").first()
    assert first.title_bg == "гр. Пловдив"
    assert first.subtitle_bg == "общ. Пловдив, обл. Пловдив"
    assert first.title_en == "Plovdiv"
    assert first.url == "/territory/settlements/56784/"


def test_two_latin_words_find_stara_zagora() -> None:
    titles = {(e.kind, e.title_bg) for e in search.matching("Stara Zagora")}
    assert ("territory.province", "Стара Загора") in titles
    assert ("territory.settlement", "гр. Стара Загора") in titles


def test_prefix_finds_haskovo() -> None:
    titles = {e.title_bg for e in search.matching("Хаск")}
    assert {"Хасково", "гр. Хасково"} <= titles


def test_grouped_results_come_in_registry_order() -> None:
    groups = search.grouped("Пловдив")
    kinds = [g.kind.kind for g in groups]
    assert kinds.index("territory.province") < kinds.index("territory.settlement")
    province_group = next(g for g in groups if g.kind.kind == "territory.province")
    assert province_group.entries[0].title_bg == "Пловдив"
    assert str(province_group.kind.label)  # a translatable plural label


def test_districts_and_mayoralties_are_searchable() -> None:
    assert search.matching("Одесос", kind="territory.district").exists()
    assert search.matching("Абланица", kind="territory.mayoralty").exists()
    assert search.matching("Южен централен", kind="territory.region").exists()
