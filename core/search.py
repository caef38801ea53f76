"""The one search mechanism of the portal.

Apps register each kind of content once (in their AppConfig.ready) with a function that turns
an object into a `SearchDoc`; `reindex(kind)` rebuilds a kind in bulk (loaders call it) and a
`post_save`/`post_delete` hook keeps single objects current. Queries go through `search()`,
which works on SQLite (FTS5) and PostgreSQL (full text over the 'simple' configuration):
both index the same normalised Latin terms, so Cyrillic and Latin queries meet, and every
query word matches as a prefix ("Хаск" finds Хасково).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

from core import translit
from core.models import SearchEntry

MAX_QUERY_WORDS = 8


@dataclass(frozen=True)
class SearchDoc:
    object_id: str
    title_bg: str
    url: str
    texts: tuple[str, ...] = ()
    title_en: str = ""
    subtitle_bg: str = ""
    subtitle_en: str = ""
    boost: int = 0
    public: bool = True


@dataclass
class SearchKind:
    kind: str
    label: Any  # a lazy translated plural, e.g. _("Municipalities")
    model: type[models.Model]
    to_doc: Callable[[Any], SearchDoc]
    queryset: Callable[[], models.QuerySet[Any]]
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_registry: dict[str, SearchKind] = {}


def register(
    kind: str,
    label: Any,
    model: type[models.Model],
    to_doc: Callable[[Any], SearchDoc],
    queryset: Callable[[], models.QuerySet[Any]] | None = None,
    order: int = 100,
) -> None:
    """Register a kind of content; saving or deleting one of its objects updates the index."""
    _registry[kind] = SearchKind(
        kind, label, model, to_doc, queryset or (lambda: model._default_manager.all()), order
    )

    def _saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        index_objects(kind, [instance])

    def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        ct = ContentType.objects.get_for_model(sender)
        SearchEntry.objects.filter(content_type=ct, object_id=str(instance.pk)).delete()

    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=f"search-save-{kind}")
    post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=f"search-del-{kind}")


def unregister(kind: str) -> None:
    """Forget a kind and stop following its model's saves (used by tests)."""
    registered = _registry.pop(kind, None)
    if registered:
        post_save.disconnect(sender=registered.model, dispatch_uid=f"search-save-{kind}")
        post_delete.disconnect(sender=registered.model, dispatch_uid=f"search-del-{kind}")


def kinds() -> list[SearchKind]:
    return sorted(_registry.values(), key=lambda k: (k.order, k.kind))


def get_kind(kind: str) -> SearchKind | None:
    return _registry.get(kind)


def _entry(kind: SearchKind, ct: ContentType, doc: SearchDoc) -> SearchEntry:
    return SearchEntry(
        content_type=ct,
        object_id=doc.object_id,
        kind=kind.kind,
        title_bg=doc.title_bg[:500],
        title_en=doc.title_en[:500],
        subtitle_bg=doc.subtitle_bg[:500],
        subtitle_en=doc.subtitle_en[:500],
        url=doc.url,
        title_key=translit.sort_key(doc.title_bg)[:500],
        document=translit.document(doc.title_bg, doc.title_en, *doc.texts),
        boost=doc.boost,
        public=doc.public,
    )


def index_objects(kind_name: str, objects: Iterable[models.Model]) -> None:
    kind = _registry[kind_name]
    ct = ContentType.objects.get_for_model(kind.model)
    for obj in objects:
        entry = _entry(kind, ct, kind.to_doc(obj))
        fields = {
            f.attname: getattr(entry, f.attname)
            for f in SearchEntry._meta.concrete_fields
            if f.attname not in {"id", "content_type_id", "object_id"}
        }
        SearchEntry.objects.update_or_create(
            content_type=ct, object_id=entry.object_id, defaults=fields
        )


def reindex(kind_name: str, batch_size: int = 2000) -> int:
    """Rebuild the index of one kind from its queryset, in one transaction."""
    kind = _registry[kind_name]
    ct = ContentType.objects.get_for_model(kind.model)
    count = 0
    with transaction.atomic():
        SearchEntry.objects.filter(content_type=ct).delete()
        batch: list[SearchEntry] = []
        for obj in kind.queryset().iterator(chunk_size=batch_size):
            batch.append(_entry(kind, ct, kind.to_doc(obj)))
            if len(batch) >= batch_size:
                SearchEntry.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        count += len(batch)
    return count


# --- Queries --------------------------------------------------------------------------------


def query_terms(q: str) -> list[set[str]]:
    """For each query word, the Latin prefixes any of which it may match.

    Function words ("за", "на", "в" …) are left out unless the query has nothing else: a name
    need not contain them, and as prefixes they would match almost anything anyway.
    """
    return [translit.term_variants(w) for w in translit.content_words(q)[:MAX_QUERY_WORDS]]


def _match_sql(terms: list[set[str]], kind: str | None) -> tuple[str, list[str]]:
    # Terms are [0-9a-z] only (translit.words keeps letters and digits), and kinds are
    # registered names (checked by `matching`), so nothing can break out of the syntax.
    if connection.vendor == "postgresql":
        expr = " & ".join("(" + " | ".join(f"{t}:*" for t in sorted(g)) + ")" for g in terms)
        sql = (
            "SELECT id FROM core_searchentry "
            "WHERE to_tsvector('simple', document) @@ to_tsquery('simple', %s)"
        )
    else:
        words = " AND ".join("(" + " OR ".join(f'"{t}"*' for t in sorted(g)) + ")" for g in terms)
        expr = f"document : ({words})"
        if kind:
            # Narrowed inside the full-text index (migration 0003): the kind's words as a
            # phrase, e.g. "directory institution", not every match of every kind.
            expr += ' AND kind : "' + kind.replace(".", " ").replace("_", " ") + '"'
        sql = "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s"
    return sql, [expr]


def matching(q: str, kind: str | None = None) -> models.QuerySet[SearchEntry]:
    """Public entries matching every word of `q`, best first (title starts with it, boost)."""
    terms = query_terms(q)
    if not terms or (kind is not None and kind not in _registry):
        return SearchEntry.objects.none()
    sql, params = _match_sql(terms, kind)
    # The SQL is a constant per engine; the user's words travel as a bound parameter.
    qs = SearchEntry.objects.filter(public=True, id__in=RawSQL(sql, params))  # noqa: S611
    if kind and connection.vendor == "postgresql":
        qs = qs.filter(kind=kind)
    key = translit.sort_key(q)
    return qs.annotate(
        exact=Case(
            When(title_key=key, then=Value(0)),
            When(title_key__startswith=key, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("exact", "-boost", "title_key", "id")


@dataclass
class ResultGroup:
    kind: SearchKind
    count: int
    entries: list[SearchEntry]


def grouped(q: str, per_kind: int = 10, only: str | None = None) -> list[ResultGroup]:
    """Results of `q` grouped by kind, in registry order: one count query plus one per kind."""
    base = matching(q)
    if only:
        base = base.filter(kind=only)
    counts = dict(
        base.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    groups = []
    for kind in kinds():
        n = counts.get(kind.kind, 0)
        if n:
            # Each kind's page through the full-text index's kind column, not by sorting every
            # match of every kind (64,000 organisations share words with places).
            groups.append(ResultGroup(kind, n, list(matching(q, kind=kind.kind)[:per_kind])))
    return groups


def iter_kind_labels() -> Iterator[tuple[str, Any]]:
    for kind in kinds():
        yield kind.kind, kind.label
