"""Counts per kind stop at a cap (core.search.COUNT_CAP): below, at and above it, on the page and
in the API, with a flat number of queries, and the same results as an uncapped search."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from core import search, translit
from core.models import SearchEntry, Topic
from core.templatetags.core import number

pytestmark = pytest.mark.django_db

ONE = "test.one"
TWO = "test.two"
# A word no territorial unit or other fixture holds, with words of the index that start with it.
WORD = "zyxkvorn"


@pytest.fixture
def two_kinds():
    def to_doc(t):
        return search.SearchDoc(object_id=str(t.pk), title_bg=t.name_bg, url="/")

    search.register(ONE, "Ones", Topic, to_doc, order=1)
    search.register(TWO, "Twos", Topic, to_doc, order=2)
    yield
    search.unregister(ONE)
    search.unregister(TWO)


def add(kind, n, title=WORD, public=True, start=0):
    """n entries of `kind` whose titles start with `title` (two kinds, one model)."""
    ct = ContentType.objects.get_for_model(Topic)
    entries = []
    for i in range(start, start + n):
        name = f"{title} {kind} {i}"
        entries.append(
            SearchEntry(
                content_type=ct,
                object_id=f"{kind}-{i}",
                kind=kind,
                title_bg=name,
                url=f"/{kind}/{i}/",
                title_key=translit.sort_key(name),
                document=translit.document(name),
                boost=i % 7,
                public=public,
            )
        )
    SearchEntry.objects.bulk_create(entries)


def counts(q, cap, only=None):
    return {g.kind.kind: (g.count, g.capped) for g in search.grouped(q, only=only, cap=cap)}


def test_counts_below_at_and_above_the_cap(two_kinds):
    add(ONE, 4)
    add(TWO, 5)
    # 9 matches in all, above a cap of 5: each kind is counted up to the cap on its own.
    assert counts(WORD, cap=5) == {ONE: (4, False), TWO: (5, False)}
    add(TWO, 1, start=5)
    assert counts(WORD, cap=5) == {ONE: (4, False), TWO: (5, True)}
    add(TWO, 20, start=6)
    assert counts(WORD, cap=5) == {ONE: (4, False), TWO: (5, True)}
    # Within the cap, every count is exact.
    assert counts(WORD, cap=26) == {ONE: (4, False), TWO: (26, False)}
    assert counts(WORD, cap=25) == {ONE: (4, False), TWO: (25, True)}


def test_all_matches_within_the_cap_are_counted_exactly(two_kinds):
    add(ONE, 2)
    add(TWO, 3)
    assert counts(WORD, cap=5) == {ONE: (2, False), TWO: (3, False)}
    assert counts(WORD, cap=1000) == {ONE: (2, False), TWO: (3, False)}


def test_the_count_of_one_kind_is_capped_too(two_kinds):
    add(ONE, 5)
    add(TWO, 9)
    assert counts(WORD, cap=5, only=TWO) == {TWO: (5, True)}
    assert counts(WORD, cap=5, only=ONE) == {ONE: (5, False)}


def test_entries_that_are_not_public_do_not_count(two_kinds):
    add(ONE, 3)
    add(ONE, 10, public=False, start=3)
    add(TWO, 6)
    assert counts(WORD, cap=5) == {ONE: (3, False), TWO: (5, True)}


def test_the_default_cap_is_a_thousand(two_kinds):
    add(ONE, search.COUNT_CAP + 1)
    add(TWO, search.COUNT_CAP)
    assert counts(WORD, cap=None) == {ONE: (1000, True), TWO: (1000, False)}


@pytest.mark.parametrize("max_words", [16, 1])
def test_prefixes_of_many_words_count_the_same(two_kinds, monkeypatch, max_words):
    # The query's prefix stands for several words of the index ("zyxkvorn", "zyxkvornab"…);
    # with fewer allowed than that, SQLite keeps the prefix and counts in one pass instead.
    monkeypatch.setattr(search, "MAX_PREFIX_WORDS", max_words)
    for suffix, n in [("", 2), ("ab", 3), ("abc", 4)]:
        add(ONE, n, title=WORD + suffix, start=len(suffix) * 10)
    add(TWO, 7, title=WORD + "z")
    assert counts(WORD[:6], cap=5) == {ONE: (5, True), TWO: (5, True)}
    assert counts(WORD[:6], cap=9) == {ONE: (9, False), TWO: (7, False)}
    assert counts(WORD + "a", cap=5) == {ONE: (5, True)}
    match = search._Match.of(WORD[:6], expand=True)
    if connection.vendor == "sqlite":
        assert match.bounded == (max_words == 16)
    if match.bounded:
        assert match.exact == [[WORD, WORD + "ab", WORD + "abc", WORD + "z"]]


def test_a_word_the_index_lacks_finds_nothing_in_few_queries(two_kinds):
    add(ONE, 3)
    with CaptureQueriesContext(connection) as queries:
        assert search.grouped(WORD + " qqqxw") == []
    assert len(queries) <= 3


def test_results_and_order_are_those_of_the_uncapped_search(two_kinds):
    add(ONE, 14)
    add(TWO, 3)
    add(TWO, 2, title="друго " + WORD, start=10)
    for q in [WORD, WORD[:4], f"{WORD} 1", "one zyx"]:
        groups = search.grouped(q, per_kind=10)
        expected = [
            (kind, [e.id for e in search.matching(q, kind)[:10]], search.matching(q, kind).count())
            for kind in (ONE, TWO)
            if search.matching(q, kind).exists()
        ]
        assert [(g.kind.kind, [e.id for e in g.entries], g.count) for g in groups] == expected


def test_real_data_groups_are_unchanged():
    # "пловдив" over the real territory and directory of the test database: counts below the
    # cap are exact and each group's entries are those of its kind's ranked list.
    groups = search.grouped("пловдив", per_kind=5)
    assert groups
    for group in groups:
        kind = group.kind.kind
        assert group.count == search.matching("пловдив", kind).count()
        assert not group.capped
        assert [e.id for e in group.entries] == [e.id for e in search.matching("пловдив", kind)[:5]]


def test_query_count_stays_flat_above_the_cap(two_kinds):
    add(ONE, 2)
    add(TWO, 2)
    with CaptureQueriesContext(connection) as few:
        search.grouped(WORD, cap=5)
    add(ONE, 300, start=2)
    add(TWO, 300, start=2)
    with CaptureQueriesContext(connection) as many:
        assert counts(WORD, cap=5) == {ONE: (5, True), TWO: (5, True)}
    # At most: two to look up the words of the prefixes (SQLite), two to count, one per group.
    assert len(many) <= len(few) + 1
    assert len(many) <= 4 + 2


def _page(client, language="bg"):
    path = "/search/" if language == "bg" else f"/{language}/search/"
    response = client.get(path, {"q": WORD})
    assert response.status_code == 200
    return response.content.decode()


def test_search_page_says_more_than_the_cap(two_kinds, client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    add(ONE, 3)
    add(TWO, 12)
    page = _page(client)
    five = number(5)
    with override("bg"):
        assert "(" + gettext("more than %(n)s") % {"n": five} + ")" in page
        link = gettext("More than %(n)s results in “%(label)s”") % {"n": five, "label": "Twos"}
    assert link in page
    assert "(3)" in page
    english = _page(client, "en")
    assert "(more than 5)" in english
    assert "More than 5 results in “Twos”" in english


def test_search_page_counts_exactly_at_the_cap(two_kinds, client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 12)
    add(TWO, 12)
    english = _page(client, "en")
    assert "(12)" in english
    assert "All 12 results in “Twos”" in english
    assert "more than" not in english.lower()


def test_search_page_with_the_real_cap_in_bulgarian(two_kinds, client):
    add(TWO, search.COUNT_CAP + 1)
    page = _page(client)
    with override("bg"):
        thousand = number(1000)
        assert gettext("more than %(n)s") % {"n": thousand} in page
        # The catalogue reads "над 1 000" once it holds the string (var/translations/search.json).
        if gettext("more than %(n)s") != "more than %(n)s":
            assert f"(над {thousand})" in page
            assert f"Над {thousand} резултата в „Twos“" in page


def test_api_reports_the_capped_count_honestly(two_kinds, client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    add(ONE, 5)
    add(TWO, 6)
    body = client.get("/api/v1/search", {"q": WORD, "limit": 2}).json()
    groups = {g["type"]: g for g in body["groups"]}
    assert (groups[ONE]["count"], groups[ONE]["count_capped"]) == (5, False)
    assert (groups[TWO]["count"], groups[TWO]["count_capped"]) == (5, True)
    assert len(groups[TWO]["items"]) == 2
    only = client.get("/api/v1/search", {"q": WORD, "type": TWO}).json()
    assert [(g["count"], g["count_capped"]) for g in only["groups"]] == [(5, True)]


def test_api_schema_documents_the_cap(client):
    schema = client.get("/api/v1/openapi.json").json()
    group = schema["components"]["schemas"]["SearchGroup"]
    assert group["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in group["required"]
    assert "1000" in group["properties"]["count"]["description"]


def test_matching_works_as_a_subquery_of_another_query():
    """Another app filters its rows by the search's matches (id IN matching(...)): the
    condition must name the aliased table of the subquery, on PostgreSQL too."""
    from core.models import SearchEntry
    from core.search import matching

    inner = matching("пловдив").values("id")
    found = SearchEntry.objects.filter(id__in=inner)
    assert found.count() == matching("пловдив").count() > 0
