"""The difference between two versions of a draft, unit by unit (the consulted draft against
the adopted text): units are matched by anchor ("chl-5"), else by label ("Чл. 5"); a changed
unit's text is compared word by word.

Pure data for the template: the template marks insertions and deletions with <ins>/<del>
and a text label each (colour alone and the strike-through are not read by screen readers).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from consultations.models import Article, DraftVersion
from consultations.versions import COMMENTABLE_KINDS

# The units compared as a whole: articles, §§, headings, the single text unit (not their
# paragraphs, which belong to the article's text).
_UNIT_KINDS = frozenset(COMMENTABLE_KINDS) - {"alinea"}
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Unit:
    label: str
    anchor: str
    text: str


@dataclass
class Segment:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class UnitDiff:
    label: str
    anchor: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class VersionDiff:
    changed: list[UnitDiff] = field(default_factory=list)
    unchanged: list[Unit] = field(default_factory=list)
    added: list[Unit] = field(default_factory=list)
    removed: list[Unit] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def units(version: DraftVersion) -> list[Unit]:
    """The version's units in order, each with the text of its paragraphs and points (one
    query for the whole version)."""
    rows = list(
        Article.objects.filter(version=version)
        .order_by("index")
        .only("pk", "parent_id", "kind", "label", "anchor", "title", "text", "index")
    )
    children: dict[int | None, list[Article]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)

    def text_of(row: Article) -> str:
        parts = [row.title, row.text, *(text_of(child) for child in children[row.pk])]
        return "\n".join(p for p in parts if p)

    return [
        Unit(label=row.label, anchor=row.anchor, text=text_of(row))
        for row in rows
        if row.kind in _UNIT_KINDS
    ]


def words(old: str, new: str) -> list[Segment]:
    """Word-level difference of two texts (whitespace kept, so the text reads as written)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[Segment] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def compare(old: DraftVersion, new: DraftVersion) -> VersionDiff:
    before, after = units(old), units(new)
    by_anchor = {u.anchor: u for u in before}
    by_label = {u.label: u for u in before}
    matched: set[str] = set()
    result = VersionDiff()
    for unit in after:
        previous = by_anchor.get(unit.anchor) or by_label.get(unit.label)
        if previous is None or previous.anchor in matched:
            result.added.append(unit)
            continue
        matched.add(previous.anchor)
        if previous.text == unit.text:
            result.unchanged.append(unit)
        else:
            result.changed.append(
                UnitDiff(unit.label, unit.anchor, words(previous.text, unit.text))
            )
    result.removed = [u for u in before if u.anchor not in matched]
    return result
