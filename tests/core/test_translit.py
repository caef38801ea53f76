import pytest

from core import translit


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Пловдив", "plovdiv"),
        ("Стара Загора", "stara zagora"),
        ("Търговище", "targovishte"),
        ("Кърджали", "kardzhali"),
        ("Смолян", "smolyan"),
        ("Щъркелово", "shtarkelovo"),
        ("Юнаците", "yunatsite"),
        ("Хасково", "haskovo"),
    ],
)
def test_transliteration_follows_the_streamlined_system(cyrillic, latin):
    assert translit.transliterate(cyrillic) == latin


def test_latin_text_is_only_lower_cased_and_stripped_of_diacritics():
    assert translit.transliterate("Plovdiv") == "plovdiv"
    assert translit.transliterate("Škoda Čelebić") == "skoda celebic"


def test_inflected_forms_share_a_stem():
    # "общините" (the municipalities) and "общини" (municipalities) meet at one stem.
    assert translit.stem("общините") == translit.stem("общини")
    assert translit.stem("plovdiv") == "plovdiv"


def test_document_holds_each_word_as_written_and_as_stemmed():
    terms = translit.document("Общините в областта").split()
    assert "obshtinite" in terms
    assert translit.transliterate(translit.stem("общините")) in terms
    assert "oblastta" in terms and "oblast" in terms
    assert len(terms) == len(set(terms))


def test_words_keep_letters_and_digits_only():
    assert translit.words('Чл. 5, ал. 2 "OR" *') == ["чл", "5", "ал", "2", "or"]


def test_sort_key_is_latin_and_space_separated():
    assert translit.sort_key("Стара  Загора!") == "stara zagora"
