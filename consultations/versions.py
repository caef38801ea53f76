"""Storing a draft's text as a version: the units the draft reader finds become `Article`
rows (one bulk insert per level of the tree), in document order.

People comment on the units (articles, §§, headings of a strategy, the whole text when no
structure was found) and on an article's paragraphs (ал.), which the law's notation names on
their own ("Чл. 5, ал. 2").
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from consultations import drafts
from consultations.models import Article, Consultation, DraftVersion

COMMENTABLE_KINDS = frozenset({*drafts.UNIT_KINDS, drafts.Kind.ALINEA})


@transaction.atomic
def save_version(
    consultation: Consultation,
    draft: drafts.Draft,
    *,
    source_text: str = "",
    source_name: str = "",
    kind: str = "",
    by: Any = None,
) -> DraftVersion:
    """A new version of `consultation` (numbered after the last one) holding `draft`."""
    last = consultation.versions.order_by("-number").values_list("number", flat=True).first()
    version = DraftVersion(
        consultation=consultation,
        number=(last or 0) + 1,
        source_text=source_text,
        source_name=source_name,
        warnings=[
            {"code": w.code, "message": str(w.message), "label": w.label, "line": w.line}
            for w in draft.warnings
        ],
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if kind:
        version.kind = kind
    version.save()
    level: list[tuple[drafts.Node, Article | None]] = [(node, None) for node in draft.nodes]
    depth = 0
    while level:
        rows = [
            Article(
                version=version,
                parent=parent,
                index=node.index,
                kind=str(node.kind),
                number=(node.number or "")[:40],
                label=node.label[:200],
                anchor=node.anchor[:200],
                title=(node.title or "")[:500],
                text=node.text or "",
                depth=depth,
                commentable=node.kind in COMMENTABLE_KINDS,
            )
            for node, parent in level
        ]
        Article.objects.bulk_create(rows)  # ids are set on SQLite and PostgreSQL alike
        level = [
            (child, row)
            for (node, _), row in zip(level, rows, strict=True)
            for child in node.children
        ]
        depth += 1
    return version
