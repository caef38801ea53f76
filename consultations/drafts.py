"""Reads the text of a draft into its structure: a normative act (наредба, правилник) into
parts, chapters, sections, articles, alineas, points and letters; a strategy or a plan into
its headings.

Pure Python, no models: `parse_text()` and `parse_docx()` return a `Draft` of plain dataclasses.
The official numbering is kept as written ("Чл. 12а", "Глава втора", "§ 3") and every node gets
a label in the legal notation ("Чл. 5, ал. 2, т. 3") and an anchor safe for URLs and HTML ids
("chl-5-al-2-t-3"). Labels are data in the document's language: "Чл.", "ал.", "т." and "§" are
legal notation and are never translated. Problems a drafter should fix (numbering gaps,
duplicates) are reported as warnings; odd input never raises, except a file that is not a .docx
or a text over `MAX_CHARS`.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from django.utils.translation import gettext as _

MAX_CHARS = 2_000_000
# A .docx is a zip: refuse XML parts that would expand into hundreds of megabytes (zip bombs).
MAX_XML_PART_BYTES = 64 * 1024 * 1024
# An opening „ suppresses the structure after it (amending acts quote whole new articles);
# a quotation mark nobody closes must not swallow the rest of the act.
MAX_QUOTED_LINES = 200


class DraftError(ValueError):
    """The input cannot be read at all (not a .docx, too long)."""


class Kind(StrEnum):
    PART = "part"
    CHAPTER = "chapter"
    SECTION = "section"
    ARTICLE = "article"
    FINAL_PROVISIONS = "final_provisions"
    PARAGRAPH_SIGN = "paragraph_sign"  # § 1 of the final provisions or of an amending act
    HEADING = "heading"  # a heading of a strategy or plan; an annex (Приложение) of an act
    ALINEA = "alinea"  # ал.
    POINT = "point"  # т.
    LETTER = "letter"  # буква
    TEXT = "text"  # the whole draft as one unit, when no structure was recognised


UNIT_KINDS = frozenset({Kind.ARTICLE, Kind.PARAGRAPH_SIGN, Kind.HEADING, Kind.TEXT})
CONTAINER_KINDS = frozenset({Kind.PART, Kind.CHAPTER, Kind.SECTION, Kind.FINAL_PROVISIONS})


class DraftKind(StrEnum):
    ACT = "act"  # articles (Чл.) or paragraphs (§)
    DOCUMENT = "document"  # headings only: a strategy, a plan, an analysis
    PLAIN = "plain"  # nothing recognised: one unit


@dataclass
class Node:
    kind: Kind
    number: str = ""  # as written: "5", "12а", "II", "първа"; "" for unnumbered headings
    title: str = ""
    text: str = ""  # the node's own text, without its children
    children: list[Node] = field(default_factory=list)
    marker: str = ""  # the numbering exactly as in the source: "Чл. 12а.", "(2)", "Глава II."
    label: str = ""  # "Чл. 5, ал. 2, т. 3", "§ 1", "Глава втора"
    anchor: str = ""  # unique in the draft: "chl-5-al-2-t-3", "par-1", "glava-2", "h-3"
    index: int = 0  # position in document order over all nodes, from 0
    level: int = 0  # depth for headings (1 = top); 0 for the rest
    line: int = 0  # line (text) or paragraph (.docx) where the node starts, from 1

    @property
    def is_unit(self) -> bool:
        """A unit people comment on as a whole: an article, a §, a heading section."""
        return self.kind in UNIT_KINDS

    @property
    def heading(self) -> str:
        return " ".join(p for p in (self.marker, self.title) if p)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def full_text(self) -> str:
        """Marker, title, text and children as one text (for search and for comparing versions)."""
        parts = [self.heading, self.text, *(c.full_text() for c in self.children)]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class DraftWarning:
    code: str  # empty, unrecognised, duplicate, gap, order, start, no_text, unclosed_quote
    message: str  # translated when the draft was parsed
    label: str = ""
    line: int = 0


@dataclass
class Draft:
    kind: DraftKind
    title: str = ""  # the first line of the preamble, e.g. "НАРЕДБА за обществения ред ..."
    preamble: str = ""  # text before the first unit
    nodes: list[Node] = field(default_factory=list)
    warnings: list[DraftWarning] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        """Every node in document order."""
        for node in self.nodes:
            yield from node.walk()

    def articles(self) -> Iterator[Node]:
        """The commentable units in order: articles, §§, headings (or the one text unit)."""
        return (n for n in self.walk() if n.is_unit)

    def find(self, anchor: str) -> Node | None:
        return next((n for n in self.walk() if n.anchor == anchor), None)

    def full_text(self) -> str:
        return "\n".join(p for p in [self.preamble, *(n.full_text() for n in self.nodes)] if p)


# --- Numbers ------------------------------------------------------------------------------------

_ORDINAL_STEMS = {
    "първ": 1, "втор": 2, "трет": 3, "четвърт": 4, "пет": 5, "шест": 6, "седм": 7, "осм": 8,
    "девет": 9, "десет": 10, "единадесет": 11, "единайсет": 11, "дванадесет": 12,
    "дванайсет": 12, "тринадесет": 13, "тринайсет": 13, "четиринадесет": 14,
    "четиринайсет": 14, "петнадесет": 15, "петнайсет": 15, "шестнадесет": 16,
    "шестнайсет": 16, "седемнадесет": 17, "седемнайсет": 17, "осемнадесет": 18,
    "осемнайсет": 18, "деветнадесет": 19, "деветнайсет": 19, "двадесет": 20, "двайсет": 20,
    "тридесет": 30, "трийсет": 30, "четиридесет": 40, "четирийсет": 40,
}  # fmt: skip
_TENS = {"двадесет": 20, "двайсет": 20, "тридесет": 30, "трийсет": 30, "четиридесет": 40}
# Typists often write Roman numerals with the Cyrillic look-alikes І, Х, С.
_ROMAN_LOOKALIKES = str.maketrans({"І": "I", "Х": "X", "С": "C"})
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# The letters used for points "а)", "б)": the alphabet without й, ъ, ь.
LETTERS = "абвгдежзиклмнопрстуфхцчшщюя"


def _roman_value(token: str) -> int | None:
    token = token.translate(_ROMAN_LOOKALIKES)
    if not token or not _ROMAN.match(token):
        return None
    values = [_ROMAN_VALUES[c] for c in token]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _ordinal_value(words: str) -> int | None:
    parts = words.lower().split()
    if len(parts) == 3 and parts[1] == "и" and parts[0] in _TENS:
        unit = _ordinal_value(parts[2])
        return _TENS[parts[0]] + unit if unit is not None and unit < 10 else None
    if len(parts) != 1 or len(parts[0]) < 3 or parts[0][-1] not in "аиоя":
        return None
    return _ORDINAL_STEMS.get(parts[0][:-1])


def number_value(number: str) -> int | None:
    """The integer behind "5", "12а", "II", "ХІІ", "първа", "двадесет и първа"; None if none."""
    number = number.strip()
    if m := re.match(r"^([0-9]+)", number):
        return int(m.group(1))
    return _roman_value(number) or _ordinal_value(number)


def _sort_key(number: str) -> tuple[int, str] | None:
    value = number_value(number)
    if value is None:
        return None
    suffix = re.sub(r"^[0-9]+", "", number) if number[:1].isdigit() else ""
    return (value, suffix)


_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
}  # fmt: skip


def slugify_bg(value: str, limit: int = 60) -> str:
    """ASCII slug by the official Bulgarian transliteration: "Глава 12а" -> "glava-12a"."""
    ascii_text = "".join(_TRANSLIT.get(c, c) for c in value.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:limit].strip("-")


# --- Lines --------------------------------------------------------------------------------------


@dataclass
class _Line:
    raw: str  # the line as written, stripped: what goes into the text
    no: int
    heading: int = 0  # explicit heading level: Markdown #, .docx Heading style
    probe: str = ""  # the raw line without heading markup and wrapping emphasis
    emphasis: bool = False  # the whole line is bold
    table: bool = False  # a table row: always plain text


_MD_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SPACE = r"[ \t\u00a0]"


def _unwrap(text: str) -> tuple[str, bool]:
    """Strip Markdown emphasis wrapping the whole line: "**Глава първа**" -> "Глава първа"."""
    text = text.strip()
    bold = False
    changed = True
    while changed:
        changed = False
        for wrapper in ("**", "__", "*", "_"):
            n = len(wrapper)
            if len(text) > 2 * n and text.startswith(wrapper) and text.endswith(wrapper):
                text = text[n:-n].strip()
                bold = bold or n == 2
                changed = True
    return text, bold


def _make_line(raw: str, no: int, heading: int = 0, emphasis: bool = False) -> _Line:
    raw = raw.replace("\x00", "").strip()
    probe = raw.lstrip("\ufeff").replace("\u00a0", " ").strip()
    if not heading and (m := _MD_HEADING.match(probe)):
        heading, probe = len(m.group(1)), m.group(2) or ""
    probe, bold = _unwrap(probe)
    return _Line(raw=raw, no=no, heading=heading, probe=probe, emphasis=emphasis or bold)


# --- Patterns -----------------------------------------------------------------------------------

_ARTICLE = re.compile(
    rf"^[*_]*(?P<marker>(?:Чл\.|ЧЛ\.|Член|ЧЛЕН){_SPACE}*(?P<num>[0-9]{{1,4}}[а-я]{{0,2}})(?P<dot>\.)?)"
    r"[*_]*(?P<rest>.*)$"
)
_SIGN = re.compile(
    rf"^[*_]*(?P<marker>§{_SPACE}*(?P<num>[0-9]{{1,4}}[а-я]{{0,2}})(?P<dot>\.)?)[*_]*(?P<rest>.*)$"
)
_CONTAINER = re.compile(
    rf"^[*_]*(?P<kw>(?i:част|глава|раздел)){_SPACE}+"
    r"(?P<num>[0-9]{1,3}|[IVXLCІХС]{1,8}|[а-яА-Я]+(?:\s+[иИ]\s+[а-яА-Я]+)?)"
    r"(?P<sep>[ \t]*[.:\-–—]?)(?=\s|$)[*_]*(?P<rest>.*)$"
)
_FINAL = re.compile(
    r"^(?i:(?:допълнителн|преходн|заключителн)[а-я]*"
    r"(?:\s*(?:,|\s+и)\s*(?:допълнителн|преходн|заключителн)[а-я]*)*\s+разпоредб[аи])\s*[.:]?$"
)
_ANNEX = re.compile(
    r"^(?P<marker>(?i:приложение)(?:\s*№?\s*(?P<num>[0-9]{1,3}[а-я]?))?)(?P<rest>(?:[\s.:,–—-].*)?)$"
)
_ALINEA = re.compile(r"^(?P<marker>\((?P<num>[0-9]{1,3}[а-я]?)\))(?P<rest>.*)$")
_POINT = re.compile(r"^(?P<marker>(?P<num>[0-9]{1,3}[а-я]?)[.)])(?:\s+(?P<rest>.*))?$")
_LETTER = re.compile(r"^(?P<marker>(?P<num>[а-я])\))(?:\s+(?P<rest>.*))?$")
_NUMBERED_HEADING = re.compile(
    r"^(?P<marker>(?P<num>[0-9]{1,2}(?:\.[0-9]{1,2}){0,5})\.?)\s+(?P<rest>\S.*)$"
)
_ROMAN_HEADING = re.compile(r"^(?P<marker>(?P<num>[IVXLCІХ]{1,6})\.)\s+(?P<rest>\S.*)$")

_CONTAINER_KINDS = {"част": Kind.PART, "глава": Kind.CHAPTER, "раздел": Kind.SECTION}
_CONTAINER_WORDS = {Kind.PART: "Част", Kind.CHAPTER: "Глава", Kind.SECTION: "Раздел"}


def _unit_match(probe: str) -> tuple[Kind, re.Match[str]] | None:
    for kind, pattern in ((Kind.ARTICLE, _ARTICLE), (Kind.PARAGRAPH_SIGN, _SIGN)):
        m = pattern.match(probe)
        # "Чл. 5 от закона" at the start of a wrapped line is a reference, not an article.
        if m and (
            m.group("dot") or not m.group("rest").strip() or m.group("rest").lstrip()[:1] == "("
        ):
            return kind, m
    return None


def _container_match(probe: str) -> tuple[Kind, str, str, str] | None:
    """(kind, number, marker, title on the same line) of "Глава втора. Общи разпоредби"."""
    m = _CONTAINER.match(probe)
    if not m or len(probe) > 200:
        return None
    number, rest = m.group("num"), m.group("rest")
    marker_end = m.end("sep")
    if number_value(number) is None and " " in number:  # "Глава първа и ..." is not a compound
        number = number.split()[0]
        marker_end = m.start("num") + len(number)
        rest = probe[marker_end:]
    if number[:1].isalpha() and number.isupper() and _roman_value(number) is not None:
        number = number.translate(_ROMAN_LOOKALIKES)
    elif number_value(number) is None:
        return None
    elif number[:1].isalpha():
        number = number.lower()
    kind = _CONTAINER_KINDS.get(m.group("kw").lower())
    if kind is None:  # matched only through Unicode case folding
        return None
    marker = probe[m.start("kw") : marker_end].strip()
    return kind, number, marker, rest.strip().strip("*_").strip()


def _is_structural(probe: str) -> bool:
    return bool(
        _unit_match(probe) or _container_match(probe) or _FINAL.match(probe)
        or _ALINEA.match(probe) or _POINT.match(probe) or _LETTER.match(probe)
    )  # fmt: skip


def _title_like(line: _Line) -> bool:
    """Can this line be the title printed under "Глава първа"?"""
    probe = line.probe
    if not probe or line.table or len(probe) > 200 or _is_structural(probe):
        return False
    if (
        line.heading
        or line.emphasis
        or (probe.upper() == probe and any(c.isalpha() for c in probe))
    ):
        return True
    return not probe.endswith((".", ";", ",", ":"))


def _quote_balance(text: str) -> int:
    return text.count("„") + text.count("«") - text.count("“") - text.count("»")


# --- The parser ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.roots: list[Node] = []
        self.preamble: list[str] = []
        self.buffers: dict[int, list[str]] = {}
        self.unclosed_quotes: list[Node] = []  # warned about once labels exist

    def buffer(self, node: Node | None) -> list[str]:
        if node is None:
            return self.preamble
        return self.buffers.setdefault(id(node), [])

    def add(self, node: Node, parent: Node | None) -> Node:
        (parent.children if parent else self.roots).append(node)
        return node

    def finish(self) -> None:
        for node in (n for root in self.roots for n in root.walk()):
            node.text = _join(self.buffers.get(id(node), []))


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Which containers may hold which kinds: a chapter in a part, an article in a section, ...
_ACCEPTS = {
    Kind.PART: {Kind.CHAPTER, Kind.SECTION, Kind.ARTICLE, Kind.PARAGRAPH_SIGN},
    Kind.CHAPTER: {Kind.SECTION, Kind.ARTICLE, Kind.PARAGRAPH_SIGN},
    Kind.SECTION: {Kind.ARTICLE, Kind.PARAGRAPH_SIGN},
    Kind.FINAL_PROVISIONS: {Kind.ARTICLE, Kind.PARAGRAPH_SIGN},
}


class _ActParser:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.b = _Builder()
        self.stack: list[Node] = []  # open containers
        self.unit: Node | None = None  # the current article, §, or annex
        self.alinea: Node | None = None
        self.point: Node | None = None
        self.letter: Node | None = None
        self.pending_title: Node | None = None
        self.quote_depth = 0
        self.quoted_lines = 0
        self.seen_final = False

    def target(self) -> Node | None:
        return (
            self.letter
            or self.point
            or self.alinea
            or self.unit
            or (self.stack[-1] if self.stack else None)
        )

    def close_unit(self) -> None:
        if self.unit is not None and self.quote_depth > 0:
            self.b.unclosed_quotes.append(self.unit)
        self.unit = self.alinea = self.point = self.letter = None
        self.quote_depth = self.quoted_lines = 0

    def open_container(self, node: Node) -> None:
        self.close_unit()
        while self.stack and node.kind not in _ACCEPTS.get(self.stack[-1].kind, set()):
            self.stack.pop()
        self.b.add(node, self.stack[-1] if self.stack else None)
        self.stack.append(node)

    def open_unit(self, node: Node) -> None:
        self.close_unit()
        if node.kind == Kind.HEADING:  # an annex stands on its own after the act
            self.stack.clear()
        while self.stack and node.kind not in _ACCEPTS.get(self.stack[-1].kind, set()):
            self.stack.pop()
        self.b.add(node, self.stack[-1] if self.stack else None)
        self.unit = node

    def parse(self) -> _Builder:
        for line in self.lines:
            self.feed(line)
        self.close_unit()
        self.b.finish()
        return self.b

    def feed(self, line: _Line) -> None:
        probe = line.probe
        if not probe and not line.raw:
            self.b.buffer(self.target()).append("")
            return
        if self.pending_title is not None:
            node, self.pending_title = self.pending_title, None
            if _title_like(line):
                node.title = probe
                return
        if line.table or self.in_quote():
            self.text(line.raw)
            return
        if container := _container_match(probe):
            kind, number, marker, title = container
            node = Node(kind=kind, number=number, marker=marker, title=title, line=line.no)
            self.open_container(node)
            if not title:
                self.pending_title = node
            return
        if _FINAL.match(probe):
            self.seen_final = True
            self.stack.clear()
            self.open_container(Node(kind=Kind.FINAL_PROVISIONS, title=probe, line=line.no))
            return
        if (self.seen_final or line.heading) and (m := _ANNEX.match(probe)):
            marker, rest = m.group("marker"), m.group("rest").strip()
            node = Node(Kind.HEADING, number=m.group("num") or "", marker=marker, title=rest)
            node.line = line.no
            self.open_unit(node)
            return
        if unit := _unit_match(probe):
            kind, m = unit
            self.open_unit(
                Node(kind, number=m.group("num"), marker=m.group("marker"), line=line.no)
            )
            self.sub_line(m.group("rest").strip(), line.no)
            return
        self.sub_line(probe if line.heading or line.emphasis else line.raw, line.no)

    def in_quote(self) -> bool:
        if self.quote_depth <= 0:
            return False
        self.quoted_lines += 1
        if self.quoted_lines > MAX_QUOTED_LINES:
            if self.unit is not None:
                self.b.unclosed_quotes.append(self.unit)
            self.quote_depth = 0
            return False
        return True

    def sub_line(self, text: str, no: int) -> None:
        """A line inside an article or §: a new alinea, point, letter, or continuing text."""
        if self.unit is None or self.unit.kind == Kind.HEADING or not text:
            self.text(text)
            return
        if m := _ALINEA.match(text):
            self.alinea = self.b.add(self.node(Kind.ALINEA, m, no), self.unit)
            self.point = self.letter = None
        elif m := _POINT.match(text):
            self.point = self.b.add(self.node(Kind.POINT, m, no), self.alinea or self.unit)
            self.letter = None
        elif m := _LETTER.match(text):
            parent = self.point or self.alinea or self.unit
            self.letter = self.b.add(self.node(Kind.LETTER, m, no), parent)
        else:
            self.text(text)
            return
        self.text((m.group("rest") or "").strip())

    def node(self, kind: Kind, m: re.Match[str], no: int) -> Node:
        return Node(kind, number=m.group("num"), marker=m.group("marker"), line=no)

    def text(self, text: str) -> None:
        if not text:
            return
        self.b.buffer(self.target()).append(text)
        if self.unit is not None:
            before = self.quote_depth
            self.quote_depth = max(0, self.quote_depth + _quote_balance(text))
            if before == 0 and self.quote_depth > 0:
                self.quoted_lines = 0


def _heading_style(line: _Line, explicit: bool) -> tuple[tuple[int, int], str, str, str] | None:
    """(rank key, number, marker, title) if the line is a heading of a strategy or plan."""
    probe = line.probe
    if not probe or line.table:
        return None
    if line.heading:
        for pattern in (_ROMAN_HEADING, _NUMBERED_HEADING):
            if (m := pattern.match(probe)) and number_value(m.group("num")):
                return (0, line.heading), m.group("num"), m.group("marker"), m.group("rest")
        if container := _container_match(probe):
            return (0, line.heading), container[1], container[2], container[3]
        return (0, line.heading), "", "", probe
    if container := _container_match(probe):
        kind, number, marker, title = container
        rank = {Kind.PART: 1, Kind.CHAPTER: 2, Kind.SECTION: 3}[kind]
        return (1, rank), number, marker, title
    if explicit or len(probe) > 150 or probe.endswith((".", ";", ",", ":")):
        return None
    if (m := _ROMAN_HEADING.match(probe)) and _roman_value(m.group("num")):
        return (2, 0), m.group("num"), m.group("marker"), m.group("rest")
    if line.emphasis and not _is_structural(probe):
        return (3, 0), "", "", probe
    if (m := _NUMBERED_HEADING.match(probe)) and m.group("rest")[:1].isupper():
        number = m.group("num")
        if "." in number or m.group("marker").endswith("."):
            return (4, number.count(".") + 1), number, m.group("marker"), m.group("rest")
    return None


def _parse_document(lines: list[_Line]) -> _Builder | None:
    explicit = any(line.heading and line.probe for line in lines)
    styles = [_heading_style(line, explicit) for line in lines]
    ranks = sorted({s[0] for s in styles if s})
    if not ranks:
        return None
    b = _Builder()
    stack: list[Node] = []
    for line, style in zip(lines, styles, strict=True):
        if style is None:
            b.buffer(stack[-1] if stack else None).append(line.raw)
            continue
        key, number, marker, title = style
        level = ranks.index(key) + 1
        node = Node(Kind.HEADING, number=number, marker=marker, title=title, level=level)
        node.line = line.no
        while stack and stack[-1].level >= level:
            stack.pop()
        b.add(node, stack[-1] if stack else None)
        stack.append(node)
    b.finish()
    return b


# --- Labels, anchors, checks --------------------------------------------------------------------


def _label_and_anchor(
    node: Node, parent: Node | None, chapter: Node | None, seq: list[int]
) -> None:
    value = number_value(node.number)
    slug = str(value) if value is not None and not node.number[:1].isdigit() else node.number
    slug = slugify_bg(slug) or "x"
    if node.kind in _CONTAINER_WORDS:
        node.label = f"{_CONTAINER_WORDS[node.kind]} {node.number}"
        node.anchor = f"{slugify_bg(_CONTAINER_WORDS[node.kind])}-{slug}"
        if node.kind == Kind.SECTION and chapter is not None:
            node.label = f"{chapter.label}, раздел {node.number}"
            node.anchor = f"{chapter.anchor}-{node.anchor}"
    elif node.kind == Kind.FINAL_PROVISIONS:
        node.label = node.title.rstrip(".:").strip().capitalize()
        node.anchor = slugify_bg(node.label) or "razporedbi"
    elif node.kind == Kind.ARTICLE:
        node.label, node.anchor = f"Чл. {node.number}", f"chl-{slug}"
    elif node.kind == Kind.PARAGRAPH_SIGN:
        node.label, node.anchor = f"§ {node.number}", f"par-{slug}"
    elif node.kind == Kind.HEADING:
        seq[0] += 1
        if node.marker.lower().startswith("приложение"):
            node.label = re.sub(r"\s+", " ", node.marker)
            node.anchor = slugify_bg(node.label.replace("№", "")) or "prilozhenie"
        else:
            node.label = re.sub(r"\s+", " ", node.heading)[:120].strip() or f"#{seq[0]}"
            node.anchor = f"h-{seq[0]}"
    elif node.kind == Kind.TEXT:
        node.label, node.anchor = "Целият текст", "text"
    else:
        word, short = {Kind.ALINEA: ("ал.", "al"), Kind.POINT: ("т.", "t")}.get(
            node.kind, ("буква", "b")
        )
        number = f"„{node.number}“" if node.kind == Kind.LETTER else node.number
        prefix = parent.label if parent else ""
        node.label = f"{prefix}, {word} {number}" if prefix else f"{word} {number}"
        node.anchor = f"{parent.anchor}-{short}-{slug}" if parent else f"{short}-{slug}"


def _finalise(roots: list[Node]) -> None:
    used: set[str] = set()
    seq = [0]
    index = 0

    def visit(node: Node, parent: Node | None, chapter: Node | None) -> None:
        nonlocal index
        _label_and_anchor(node, parent, chapter, seq)
        anchor, n = node.anchor, 2
        while node.anchor in used:
            node.anchor, n = f"{anchor}-{n}", n + 1
        used.add(node.anchor)
        node.index, index = index, index + 1
        inner = node if node.kind == Kind.CHAPTER else chapter
        for child in node.children:
            visit(
                child,
                node if node.kind in (Kind.ALINEA, Kind.POINT) or node.is_unit else None,
                inner,
            )

    for root in roots:
        visit(root, None, None)


def _warning(code: str, node: Node, previous: Node | None = None) -> DraftWarning:
    label = node.label or node.marker
    params = {"label": label, "previous": previous.label if previous else ""}
    messages = {
        "duplicate": _("%(label)s appears more than once."),
        "gap": _("%(label)s follows %(previous)s: a number is skipped."),
        "order": _("%(label)s follows %(previous)s: the numbering goes backwards."),
        "start": _("The numbering starts at %(label)s instead of 1."),
        "no_text": _("%(label)s has no text."),
        "unclosed_quote": _("A quotation mark opened in %(label)s is not closed."),
    }
    return DraftWarning(code, messages[code] % params, label, node.line)


def _check_sequence(nodes: list[Node], warnings: list[DraftWarning]) -> None:
    """Duplicates, gaps and backward steps in one numbered sequence of siblings or articles."""
    seen: set[tuple[int, str]] = set()
    previous: Node | None = None
    previous_key: tuple[int, str] | None = None
    for node in nodes:
        if node.kind == Kind.LETTER:
            key = (LETTERS.index(node.number), "") if node.number in LETTERS else None
        else:
            key = _sort_key(node.number)
        if key is None:
            continue
        if key in seen:
            warnings.append(_warning("duplicate", node))
        elif previous is not None and previous_key is not None and key < previous_key:
            warnings.append(_warning("order", node, previous))
        elif previous is not None and previous_key is not None and key[0] > previous_key[0] + 1:
            warnings.append(_warning("gap", node, previous))
        elif previous is None and key[0] != (0 if node.kind == Kind.LETTER else 1):
            warnings.append(_warning("start", node))
        seen.add(key)
        # Compare with the highest number so far: one step back must not also read as a gap.
        if previous_key is None or key > previous_key:
            previous, previous_key = node, key


def _check(draft: Draft) -> None:
    nodes = list(draft.walk())
    warnings: list[DraftWarning] = []
    for kind in (Kind.PART, Kind.CHAPTER, Kind.ARTICLE, Kind.PARAGRAPH_SIGN):
        _check_sequence([n for n in nodes if n.kind == kind], warnings)
    _check_sequence([n for n in draft.nodes if n.kind == Kind.SECTION], warnings)
    for node in nodes:
        for kind in (Kind.SECTION, Kind.ALINEA, Kind.POINT, Kind.LETTER):
            _check_sequence([c for c in node.children if c.kind == kind], warnings)
        empty = not (node.text or node.title or node.children)
        if node.kind in (Kind.ARTICLE, Kind.PARAGRAPH_SIGN) and empty:
            warnings.append(_warning("no_text", node))
    draft.warnings.extend(warnings)


# --- Entry points -------------------------------------------------------------------------------


def _too_long(length: int) -> DraftError:
    return DraftError(
        _("The text is too long (%(length)s characters; the limit is %(limit)s).")
        % {"length": length, "limit": MAX_CHARS}
    )


def _build(lines: list[_Line]) -> Draft:
    if not any(line.probe for line in lines):
        node = Node(Kind.TEXT, text=_join([line.raw for line in lines]), line=1)
        draft = Draft(DraftKind.PLAIN, nodes=[node])
        draft.warnings.append(DraftWarning("empty", _("The text is empty."), line=1))
        _finalise(draft.nodes)
        return draft
    is_act = any(_unit_match(line.probe) for line in lines if not line.table)
    builder = _ActParser(lines).parse() if is_act else _parse_document(lines)
    if builder is None:
        node = Node(Kind.TEXT, text=_join([line.raw for line in lines]), line=1)
        draft = Draft(DraftKind.PLAIN, nodes=[node])
        message = _("No articles or headings were recognised; the whole text is one unit.")
        draft.warnings.append(DraftWarning("unrecognised", message, line=1))
    else:
        draft = Draft(DraftKind.ACT if is_act else DraftKind.DOCUMENT, nodes=builder.roots)
        draft.preamble = _join(builder.preamble)
    heads = [_make_line(ln, 0).probe for ln in draft.preamble.splitlines() if ln.strip()][:2]
    # "НАРЕДБА" on a line of its own, then "за обществения ред ..." on the next
    draft.title = " ".join(heads if len(heads) == 2 and " " not in heads[0] else heads[:1])
    if not draft.title and draft.kind == DraftKind.DOCUMENT:
        draft.title = draft.nodes[0].title
    _finalise(draft.nodes)
    if builder is not None:
        draft.warnings.extend(_warning("unclosed_quote", n) for n in builder.unclosed_quotes)
    if is_act:
        _check(draft)
    draft.warnings.sort(key=lambda w: w.line)
    return draft


def parse_text(text: str) -> Draft:
    """Parse Markdown or plain text. Raises DraftError only for a text over MAX_CHARS."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text or ""
    if len(text) > MAX_CHARS:
        raise _too_long(len(text))
    return _build([_make_line(raw, no) for no, raw in enumerate(text.splitlines(), 1)])


# --- .docx --------------------------------------------------------------------------------------

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"^(?:heading|заглавие)\s*([1-9])$", re.I)


def _read_bytes(file: str | os.PathLike[str] | IO[bytes]) -> bytes:
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return handle.read()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if not isinstance(data, bytes):
        raise DraftError(_("The file is not a .docx document."))
    return data


def _style_heading_level(style: Any) -> int:
    for _depth in range(5):  # a custom style based on "Heading 2" is a heading too
        if style is None:
            return 0
        if m := _HEADING_STYLE.match(str(style.name or "").strip()):
            return int(m.group(1))
        style = style.base_style
    return 0


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xpath(element: Any, path: str) -> Any:
    """XPath with the w: prefix on any element (python-docx binds it only on its own classes)."""
    from lxml import etree

    return etree._Element.xpath(element, path, namespaces={"w": _W})


class _Numbering:
    """Word's automatic numbering ("1.", "(2)", "а)") is not in the text: rebuild the prefix."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            self._read(document.part.numbering_part.element)
        except Exception:  # no numbering part, or one we cannot read: no prefixes then
            self.levels.clear()

    def _read(self, root: Any) -> None:
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in _xpath(root, "./w:abstractNum"):
            levels = abstract.setdefault(_xpath(node, "string(@w:abstractNumId)"), {})
            for lvl in _xpath(node, "./w:lvl"):
                ilvl = int(_xpath(lvl, "string(@w:ilvl)") or 0)
                fmt = _xpath(lvl, "string(./w:numFmt/@w:val)") or "decimal"
                start = int(_xpath(lvl, "string(./w:start/@w:val)") or 1)
                levels[ilvl] = (fmt, _xpath(lvl, "string(./w:lvlText/@w:val)"), start)
        for num in _xpath(root, "./w:num"):
            num_id = _xpath(num, "string(@w:numId)")
            for ilvl, spec in abstract.get(
                _xpath(num, "string(./w:abstractNumId/@w:val)"), {}
            ).items():
                self.levels[num_id, ilvl] = spec
            for override in _xpath(num, "./w:lvlOverride"):
                ilvl = int(_xpath(override, "string(@w:ilvl)") or 0)
                start_override = _xpath(override, "string(./w:startOverride/@w:val)")
                if start_override and (num_id, ilvl) in self.levels:
                    fmt, text, _start = self.levels[num_id, ilvl]
                    self.levels[num_id, ilvl] = (fmt, text, int(start_override))

    @staticmethod
    def _num_pr(paragraph: Any) -> tuple[str, int]:
        """The paragraph's list and level, directly or through its style ("List Number")."""
        elements = [paragraph._p]
        style = paragraph.style
        for _depth in range(5):
            if style is None:
                break
            elements.append(style.element)
            style = style.base_style
        for element in elements:
            if num_id := _xpath(element, "string(./w:pPr/w:numPr/w:numId/@w:val)"):
                return num_id, int(_xpath(element, "string(./w:pPr/w:numPr/w:ilvl/@w:val)") or 0)
        return "", 0

    def prefix(self, paragraph: Any) -> str:
        try:
            num_id, ilvl = self._num_pr(paragraph)
        except Exception:  # a broken style chain or a non-numeric level
            return ""
        if not num_id or num_id == "0" or (num_id, ilvl) not in self.levels or not 0 <= ilvl < 9:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        fmt, text, start = self.levels[num_id, ilvl]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt in ("bullet", "none") or not text:
            return ""

        def render(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            spec = self.levels.get((num_id, level), ("decimal", "", 1))
            return _format_number(counters[level] or spec[2], spec[0])

        return re.sub(r"%([1-9])", render, text)


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(value - 1) % 26]
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("russianLower", "russianUpper"):
        letter = LETTERS[(value - 1) % len(LETTERS)]
        return letter.upper() if fmt == "russianUpper" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = ""
        for symbol, amount in (
            ("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90),
            ("L", 50), ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1),
        ):  # fmt: skip
            count, value = divmod(value, amount)
            roman += symbol * count
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(value)


def _is_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)


def _docx_lines(document: Any) -> list[_Line]:
    from docx.table import Table

    numbering = _Numbering(document)
    lines: list[_Line] = []
    total = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in _xpath(block._tbl, "./w:tr"):
                cells = [
                    " ".join("".join(_xpath(cell, ".//w:t/text()")).split())
                    for cell in _xpath(row, "./w:tc")
                ]
                text = " | ".join(c for c in cells if c)
                if text:
                    total += len(text)
                    lines.append(_Line(raw=text, no=len(lines) + 1, probe=text, table=True))
        else:
            total += _paragraph_lines(block, numbering, lines)
        if total > MAX_CHARS:
            raise _too_long(total)
    return lines


def _paragraph_lines(block: Any, numbering: _Numbering, lines: list[_Line]) -> int:
    try:
        level = _style_heading_level(block.style)
        bold = _is_bold(block)
    except Exception:  # a broken style reference
        level, bold = 0, False
    prefix = numbering.prefix(block)
    parts = block.text.split("\n")
    if prefix:
        parts[0] = f"{prefix} {parts[0]}"
    for i, part in enumerate(parts):
        lines.append(_make_line(part, len(lines) + 1, level if i == 0 else 0, bold))
    return sum(len(part) for part in parts)


def parse_docx(file: str | os.PathLike[str] | IO[bytes]) -> Draft:
    """Parse a .docx given as a path or a binary file object.

    Raises DraftError if the file is not a .docx document or its text is over MAX_CHARS.
    """
    import docx

    data = _read_bytes(file)
    if data.startswith(_OLE_SIGNATURE):
        raise DraftError(_("The file is an old Word .doc document; save it as .docx first."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DraftError(_("The file is not a .docx document."))
            if any(
                info.file_size > MAX_XML_PART_BYTES
                for info in archive.infolist()
                if info.filename.endswith(".xml")
            ):
                raise DraftError(_("The document is too large to be read."))
        document = docx.Document(io.BytesIO(data))
        lines = _docx_lines(document)
    except DraftError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx raise many kinds of errors
        raise DraftError(_("The file is not a .docx document.")) from exc
    return _build(lines)
