"""Function words ("за", "на", "в" …) in a query are skipped: a name need not contain them."""

import pytest

from core import search, translit
from core.models import SearchEntry, Topic

pytestmark = pytest.mark.django_db

KIND = "test.stopwords"


@pytest.mark.parametrize("word", ["за", "на", "в", "и", "от", "по", "с", "до", "към", "при"])
def test_common_function_words_in_both_scripts(word):
    assert translit.is_stop_word(word)
    assert translit.is_stop_word(translit.transliterate(word))


def test_content_words_drop_function_words_but_never_everything():
    assert translit.content_words("Услуги за социално подпомагане") == [
        "услуги",
        "социално",
        "подпомагане",
    ]
    assert translit.content_words("uslugi za sotsialno") == ["uslugi", "sotsialno"]
    assert translit.content_words("на") == ["на"]  # nothing else: keep what was typed
    assert translit.content_words("") == []


def test_query_terms_skip_function_words():
    assert search.query_terms("община в пловдив") == search.query_terms("община пловдив")
    assert len(search.query_terms("за")) == 1


def test_the_word_limit_counts_content_words_only():
    q = " ".join(["за"] * 20 + ["пловдив"])
    assert search.query_terms(q) == search.query_terms("пловдив")


@pytest.fixture
def indexed():
    search.register(
        KIND,
        "Topics",
        Topic,
        lambda t: search.SearchDoc(object_id=str(t.pk), title_bg=t.name_bg, url="/t/"),
    )
    yield
    search.unregister(KIND)


def test_a_name_without_the_function_word_is_found(indexed):
    Topic.objects.create(slug="sp", name_bg="Социално подпомагане")
    found = search.matching("помощи за социално подпомагане", kind=KIND)
    assert not found.exists()  # every content word must still match: "помощи" does not
    found = search.matching("за социално подпомагане", kind=KIND)
    assert [e.title_bg for e in found] == ["Социално подпомагане"]


def test_documents_keep_function_words(indexed):
    Topic.objects.create(slug="za", name_bg="За")
    assert [e.title_bg for e in search.matching("за", kind=KIND)] == ["За"]
    assert SearchEntry.objects.filter(kind=KIND, document__contains="za").exists()
