"""Bulgarian text normalisation for search: official transliteration and stemming.

Transliteration follows the Streamlined System of the Transliteration Act (ДВ бр. 19/2009),
the one used for the Latin names in EKATTE, so "Plovdiv" typed by a person and "Пловдив"
in the data meet in one Latin form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bulstem.stem import BulStemmer

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    # Letters of neighbouring alphabets that appear in names and in typed queries.
    "ё": "yo", "ы": "y", "э": "e", "і": "i", "ї": "yi", "є": "ye", "ѝ": "i",
}  # fmt: skip
_TOKEN = re.compile(r"[0-9a-zа-яѐ-џ]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яѐ-џ]")


def transliterate(text: str) -> str:
    """Lower-case Latin form of `text` (Cyrillic transliterated, diacritics dropped)."""
    lowered = text.lower()
    out = "".join(_CYR_TO_LAT.get(ch, ch) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", out)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _stemmer() -> BulStemmer:
    return BulStemmer.from_file("stem-context-1", min_freq=2, left_context=1)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Bulgarian stem of a lower-case Cyrillic word; other words come back unchanged."""
    if not _CYRILLIC.search(word):
        return word
    return str(_stemmer().stem(word))


def words(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(text or "")]


# Function words (prepositions, conjunctions, particles) that a query may hold but a name
# need not: "услуги за социално подпомагане" must find "Социално подпомагане" without a "за".
# Queries drop them (core.search.query_terms); documents keep them, so a query made only of
# such words still finds something. Their Latin forms count too: "uslugi za ..." alike.
STOP_WORDS_BG = frozenset(
    {
        "а", "без", "в", "във", "да", "до", "за", "и", "или", "из", "към", "ли", "между", "на",
        "над", "не", "но", "о", "об", "от", "по", "под", "пред", "при", "през", "с", "се",
        "след", "със", "у", "че",
    }
)  # fmt: skip
STOP_WORDS = STOP_WORDS_BG | {transliterate(w) for w in STOP_WORDS_BG}


def is_stop_word(word: str) -> bool:
    """Whether a lower-case word (Cyrillic or Latin) is a function word a query may skip."""
    return word in STOP_WORDS


def content_words(text: str) -> list[str]:
    """The words of a query without its function words (all of them if nothing else is left)."""
    found = words(text)
    return [w for w in found if not is_stop_word(w)] or found


def term_variants(word: str) -> set[str]:
    """The Latin forms one word is indexed and searched under: as written and as stemmed."""
    variants = {transliterate(word)}
    stemmed = stem(word)
    if stemmed and stemmed != word:
        variants.add(transliterate(stemmed))
    return {v for v in variants if v}


def document(*texts: str) -> str:
    """Space-separated index terms for the given texts."""
    terms: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            for variant in sorted(term_variants(word)):
                terms.setdefault(variant, None)
    return " ".join(terms)


def sort_key(text: str) -> str:
    """A Latin key for ordering and for 'title starts with the query' ranking."""
    return " ".join(transliterate(w) for w in words(text))
