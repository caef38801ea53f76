"""The shared search index, exercised with a kind registered only for these tests."""

import pytest
from django.db import connection

from core import search
from core.models import SearchEntry, Topic

pytestmark = pytest.mark.django_db

KIND = "test.topic"


@pytest.fixture
def topics_indexed():
    search.register(
        KIND,
        "Topics",
        Topic,
        lambda t: search.SearchDoc(
            object_id=str(t.pk),
            title_bg=t.name_bg,
            title_en=t.name_en,
            url=f"/topics/{t.slug}/",
            texts=(t.slug,),
            boost=len(t.name_bg),
        ),
    )
    yield
    search.unregister(KIND)


def make(slug, bg, en=""):
    return Topic.objects.create(slug=slug, name_bg=bg, name_en=en)


def titles(qs):
    return [e.title_bg for e in qs]


def test_saving_indexes_and_deleting_unindexes(topics_indexed):
    topic = make("obrazovanie", "Образование", "Education")
    assert titles(search.matching("образование", kind=KIND)) == ["Образование"]
    topic.name_bg = "Образование и наука"
    topic.save()
    assert titles(search.matching("наука", kind=KIND)) == ["Образование и наука"]
    topic.delete()
    assert titles(search.matching("образование", kind=KIND)) == []


@pytest.mark.parametrize("query", ["Гражданско", "гражданско", "grazhdansko", "GRAZHD", "граж"])
def test_cyrillic_latin_any_case_and_prefixes_match(topics_indexed, query):
    make("civic", "Гражданско участие", "Civic participation")
    make("env", "Околна среда", "Environment")
    assert titles(search.matching(query, kind=KIND)) == ["Гражданско участие"]


def test_english_names_are_searchable_too(topics_indexed):
    make("env", "Околна среда", "Environment")
    assert titles(search.matching("environ", kind=KIND)) == ["Околна среда"]


def test_every_word_must_match(topics_indexed):
    make("a", "Младежки дейности")
    make("b", "Младежка политика")
    assert titles(search.matching("младеж политика", kind=KIND)) == ["Младежка политика"]


def test_inflected_query_finds_the_base_form(topics_indexed):
    make("mun", "Община")
    assert titles(search.matching("общините", kind=KIND)) == ["Община"]


def test_exact_title_ranks_before_longer_titles_then_boost(topics_indexed):
    make("long", "Пловдивски регион за развитие")
    make("exact", "Пловдив")
    make("other", "Пловдивска")
    assert titles(search.matching("Пловдив", kind=KIND))[0] == "Пловдив"


@pytest.mark.parametrize("query", ['"', "*", "OR", "NEAR(", "a:*", "')--", "   ", ""])
def test_full_text_syntax_in_queries_is_harmless(topics_indexed, query):
    make("civic", "Гражданско участие")
    # Nothing in these strings reaches the full-text syntax: no error, and nothing matches.
    assert list(search.matching(query, kind=KIND)) == []


def test_non_public_entries_are_not_found(topics_indexed):
    make("civic", "Гражданско участие")
    SearchEntry.objects.filter(kind=KIND).update(public=False)
    assert titles(search.matching("гражданско", kind=KIND)) == []


def test_reindex_rebuilds_a_kind_in_bulk(topics_indexed):
    make("a", "Култура")
    make("b", "Спорт")
    SearchEntry.objects.filter(kind=KIND).delete()
    assert search.reindex(KIND) == 2
    assert titles(search.matching("спорт", kind=KIND)) == ["Спорт"]


def test_grouped_counts_all_and_shows_a_page_per_kind(topics_indexed):
    for i in range(15):
        make(f"t{i}", f"Тема {i}")
    groups = search.grouped("тема", per_kind=10)
    mine = [g for g in groups if g.kind.kind == KIND]
    assert mine[0].count == 15
    assert len(mine[0].entries) == 10


def test_search_page_query_count_does_not_grow_with_results(
    topics_indexed, client, django_assert_max_num_queries
):
    make("a", "Тема едно")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/search/", {"q": "тема"}).status_code == 200
    for i in range(40):
        make(f"t{i}", f"Тема {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/search/", {"q": "тема"})
    assert response.status_code == 200
    assert len(many) == len(few)


def test_search_page_shows_grouped_results_and_empty_state(topics_indexed, client):
    make("civic", "Гражданско участие")
    page = client.get("/search/", {"q": "grazhd"}).content.decode()
    assert "Гражданско участие" in page
    empty = client.get("/search/", {"q": "няма-такова-нещо"}).content.decode()
    assert "няма-такова-нещо" in empty
    assert "Гражданско участие" not in empty


def test_search_page_for_one_kind_paginates(topics_indexed, client):
    for i in range(30):
        make(f"t{i}", f"Тема {i}")
    first = client.get("/search/", {"q": "тема", "type": KIND})
    assert first.context["page_obj"].paginator.count == 30
    assert len(first.context["page_obj"]) == 25
    second = client.get("/search/", {"q": "тема", "type": KIND, "page": 2})
    assert len(second.context["page_obj"]) == 5


def test_a_search_within_a_kind_finds_only_that_kind():
    # "пловдив" matches the province, the municipality, settlements, institutions…
    everything = {e.kind for e in search.matching("пловдив")}
    assert {"territory.province", "directory.institution"} <= everything
    only = search.matching("пловдив", kind="directory.institution")
    assert only.exists()
    assert {e.kind for e in only} == {"directory.institution"}
    # The kind's words are matched as a phrase in the kind column, never in the text.
    assert not search.matching("directory institution", kind="territory.province").exists()


def test_an_unknown_kind_finds_nothing_and_cannot_inject_syntax():
    assert not search.matching("пловдив", kind='x" OR kind : "directory').exists()
    assert not search.matching("пловдив", kind="no.such.kind").exists()


def test_the_reindex_command_rebuilds_named_kinds_and_refuses_unknown_ones():
    from io import StringIO

    from django.core.management import CommandError, call_command

    SearchEntry.objects.filter(kind="territory.province").delete()
    out = StringIO()
    call_command("reindex_search", "territory.province", stdout=out)
    assert "territory.province: 28 entries" in out.getvalue()
    assert SearchEntry.objects.filter(kind="territory.province").count() == 28
    with pytest.raises(CommandError, match="Unknown kinds: nope"):
        call_command("reindex_search", "nope")
