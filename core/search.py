"""The one search mechanism of the portal.

Apps register each kind of content once (in their AppConfig.ready) with a function that turns
an object into a `SearchDoc`; `reindex(kind)` rebuilds a kind in bulk (loaders call it) and a
`post_save`/`post_delete` hook keeps single objects current. Queries go through `search()`,
which works on SQLite (FTS5) and PostgreSQL (full text over the 'simple' configuration):
both index the same normalised Latin terms, so Cyrillic and Latin queries meet, and every
query word matches as a prefix ("Хаск" finds Хасково).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, F, Func, IntegerField, Value, When
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


def index_new(kind_name: str, objects: Iterable[models.Model]) -> None:
    """Index objects that have no entry yet (just made with `bulk_create`, which sends no
    signal) in one insert instead of a look-up and a write each."""
    kind = _registry[kind_name]
    ct = ContentType.objects.get_for_model(kind.model)
    SearchEntry.objects.bulk_create(
        [_entry(kind, ct, kind.to_doc(obj)) for obj in objects], batch_size=500
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
    optimize()
    return count


def optimize() -> None:
    """Merge the SQLite full-text index's segments into one. A bulk rebuild leaves many, and
    a query reads every segment's list of a word: on the bench's 470,000 entries the search
    page took 729 ms before and 129 ms after (one user). A second or two; PostgreSQL's GIN
    index needs nothing of the kind."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES('optimize')"
            )


# --- Queries --------------------------------------------------------------------------------


def query_terms(q: str) -> list[set[str]]:
    """For each query word, the Latin prefixes any of which it may match.

    Function words ("за", "на", "в" …) are left out unless the query has nothing else: a name
    need not contain them, and as prefixes they would match almost anything anyway.
    """
    return [translit.term_variants(w) for w in translit.content_words(q)[:MAX_QUERY_WORDS]]


# On SQLite a query's prefixes are replaced, where they are few, by the words of the index
# that start with them (see `_Match`); a prefix with more words than this stays a prefix.
MAX_PREFIX_WORDS = 16

# Beyond this many matches of one kind the search page and the API say "more than 1,000":
# counting every match exactly costs time in proportion to the matches (50,000 events share
# the words of places), and nobody pages through a thousand results.
COUNT_CAP = 1000

_INDEX_WORD = re.compile(r"[0-9a-z]+")


def _sqlite_expand(terms: list[set[str]]) -> list[list[str]] | None:
    """For each query word, the index's words that start with any of its prefixes.

    FTS5 reads a prefix query ("plovdiv"*) by merging the whole lists of every word with that
    prefix before it returns a first row: 100,000 matches cost ~7 ms in every statement, however
    small its LIMIT. A query of whole words ("plovdiv" OR "plovdivski") is read lazily, so a
    LIMIT bounds it. The words come from an fts5vocab table over the index (a TEMP table, made
    on this connection when first needed), one seek per word, in one query whose cost does not
    depend on how many entries hold them. None when a prefix has more than MAX_PREFIX_WORDS
    words; a word with no match gives an empty list.
    """
    prefixes = sorted({t for g in terms for t in g})
    # Each prefix's words in order: the first at or after the prefix, then the first after the
    # one before (|| char(1) seeks past a word without reading its occurrences).
    seeds = " UNION ALL ".join(["SELECT %s, %s"] * len(prefixes))
    # Only the number of prefixes varies the SQL; the prefixes travel as bound parameters.
    sql = (
        f"WITH RECURSIVE p(prefix, below) AS ({seeds}), "  # noqa: S608
        "w(prefix, below, word, n) AS ("
        " SELECT prefix, below, (SELECT term FROM temp.core_searchentry_vocab"
        "  WHERE term >= prefix AND term < below LIMIT 1), 1 FROM p"
        " UNION ALL"
        " SELECT prefix, below, (SELECT term FROM temp.core_searchentry_vocab"
        "  WHERE term >= w.word || char(1) AND term < w.below LIMIT 1), n + 1"
        " FROM w WHERE w.word IS NOT NULL AND n <= %s) "
        "SELECT prefix, word FROM w WHERE word IS NOT NULL"
    )
    params: list[Any] = []
    for prefix in prefixes:
        # Above every word that starts with the prefix (terms compare as UTF-8 bytes).
        params += [prefix, prefix + "\U0010ffff"]
    params.append(MAX_PREFIX_WORDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.core_searchentry_vocab "
            "USING fts5vocab(main, core_searchentry_fts, instance)"
        )
        cursor.execute(sql, params)
        found: dict[str, list[str]] = {}
        for prefix, word in cursor.fetchall():
            found.setdefault(prefix, []).append(word)
    if any(len(words) > MAX_PREFIX_WORDS for words in found.values()):
        return None
    groups = []
    for g in terms:
        words = {w for t in g for w in found.get(t, [])}
        if not all(_INDEX_WORD.fullmatch(w) for w in words):
            return None  # not a word a query can name safely: keep the prefixes
        groups.append(sorted(words))
    return groups


@dataclass(frozen=True)
class _Match:
    """The full-text query of a search, for this engine.

    `exact`, on SQLite only: the query words as lists of whole index words instead of prefixes
    (see `_sqlite_expand`); the same entries match, but FTS5 reads them lazily.
    """

    terms: list[set[str]]
    exact: list[list[str]] | None = None

    @classmethod
    def of(cls, q: str, expand: bool = False) -> _Match:
        terms = query_terms(q)
        if expand and terms and connection.vendor == "sqlite":
            return cls(terms, _sqlite_expand(terms))
        return cls(terms)

    @property
    def empty(self) -> bool:
        """Nothing can match: no words, or a word that starts no word of the index."""
        return not self.terms or (self.exact is not None and not all(self.exact))

    @property
    def bounded(self) -> bool:
        """Whether a LIMIT bounds the work of a query (FTS5 over whole words)."""
        return self.exact is not None

    def expr(self, kind: str | None = None) -> str:
        """The full-text expression (on SQLite narrowed to `kind` inside the index)."""
        # Terms are [0-9a-z] only (translit.words keeps letters and digits; index words are
        # checked in _sqlite_expand), and kinds are registered names (checked by the
        # callers), so nothing can break out of the syntax.
        if connection.vendor == "postgresql":
            return " & ".join(
                "(" + " | ".join(f"{t}:*" for t in sorted(g)) + ")" for g in self.terms
            )
        if self.exact is not None:
            alternatives = [[f'"{w}"' for w in g] for g in self.exact]
        else:
            alternatives = [[f'"{t}"*' for t in sorted(g)] for g in self.terms]
        words = " AND ".join("(" + " OR ".join(a) + ")" for a in alternatives)
        expr = f"document : ({words})"
        if kind:
            # Narrowed inside the full-text index (migration 0003): the kind's words as a
            # phrase, e.g. "directory institution", not every match of every kind.
            expr += ' AND kind : "' + kind.replace(".", " ").replace("_", " ") + '"'
        return expr


def matching(q: str, kind: str | None = None) -> models.QuerySet[SearchEntry]:
    """Public entries matching every word of `q`, best first (title starts with it, boost)."""
    return _matching(q, _Match.of(q), kind)


def _matching(q: str, match: _Match, kind: str | None) -> models.QuerySet[SearchEntry]:
    if match.empty or (kind is not None and kind not in _registry):
        return SearchEntry.objects.none()
    # The SQL is a constant per engine; the user's words travel as a bound parameter.
    if connection.vendor == "postgresql":
        # A condition on the row itself (the GIN index ANDed with the kind's btree index), not
        # `id IN (all matches)`, which hashed every match of every kind for each kind's page.
        # The column goes through F() so that the condition also holds where the query is a
        # subquery of another, whose table Django aliases (U0): a written-out table name fails.
        found = Func(
            F("document"),
            Value(match.expr()),
            template="to_tsvector('simple', %(expressions)s)",
            arg_joiner=") @@ to_tsquery('simple', ",
            output_field=models.BooleanField(),
        )
        qs = SearchEntry.objects.filter(found, public=True)
        if kind:
            qs = qs.filter(kind=kind)
    else:
        sql = "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s"
        ids = RawSQL(sql, [match.expr(kind)])  # noqa: S611
        qs = SearchEntry.objects.filter(public=True, id__in=ids)
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
    count: int  # the matches of this kind, at most the cap
    entries: list[SearchEntry]
    capped: bool = False  # there are more matches than `count`


def _fetch(sql: str, params: list[Any]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {kind: int(n) for kind, n in cursor.fetchall()}


def _first_matches_by_kind(match: _Match, only: str | None, limit: int) -> dict[str, int]:
    """Kinds of the first `limit` matches (of kind `only`, if given): exact counts if fewer."""
    # Constant SQL, with or without the kind: the words and the kind are bound parameters.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT kind, COUNT(*) FROM (SELECT kind FROM core_searchentry WHERE public"  # noqa: S608
            + (" AND kind = %s" if only else "")
            + " AND to_tsvector('simple', document) @@ to_tsquery('simple', %s) LIMIT %s) AS m"
            " GROUP BY kind"
        )
        return _fetch(sql, [*([only] if only else []), match.expr(), limit])
    # CROSS JOIN keeps the full-text index the outer loop: SQLite would otherwise walk the kind's
    # btree index and run the MATCH once per entry of the kind.
    sql = (
        "SELECT kind, COUNT(*) FROM (SELECT e.kind AS kind FROM core_searchentry_fts"  # noqa: S608
        " CROSS JOIN core_searchentry e ON e.id = core_searchentry_fts.rowid"
        " WHERE core_searchentry_fts MATCH %s AND e.public"
        + (" AND e.kind = %s" if only else "")
        + " LIMIT %s) GROUP BY kind"
    )
    return _fetch(sql, [match.expr(only), *([only] if only else []), limit])


def _capped_counts(match: _Match, kind_names: list[str], cap: int) -> dict[str, int]:
    """SQLite, whole words: each kind's matches up to cap + 1, a UNION ALL of limited queries.

    Each subquery narrows to its kind inside the FTS5 index (as `matching(q, kind)` does),
    reads the whole words' lists lazily and joins at most cap + 1 entries for `public`.
    """
    part = (
        "SELECT %s, COUNT(*) FROM (SELECT 1 FROM core_searchentry_fts"
        " CROSS JOIN core_searchentry e ON e.id = core_searchentry_fts.rowid"
        " WHERE core_searchentry_fts MATCH %s AND e.kind = %s AND e.public LIMIT %s)"
    )
    params: list[Any] = []
    for name in kind_names:
        params += [name, match.expr(name), name, cap + 1]
    # The SQL is a constant per number of kinds; words and kinds are bound parameters.
    return _fetch(" UNION ALL ".join([part] * len(kind_names)), params)


def _all_counts(match: _Match) -> dict[str, int]:
    """Every match counted, by kind, in one pass over the matches."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT kind, COUNT(*) FROM core_searchentry WHERE public"
            " AND to_tsvector('simple', document) @@ to_tsquery('simple', %s) GROUP BY kind"
        )
    else:
        sql = (
            "SELECT e.kind, COUNT(*) FROM core_searchentry_fts"
            " CROSS JOIN core_searchentry e ON e.id = core_searchentry_fts.rowid"
            " WHERE core_searchentry_fts MATCH %s AND e.public GROUP BY e.kind"
        )
    return _fetch(sql, [match.expr()])


def _count_by_kind(
    q: str, kind_names: list[str], cap: int, match: _Match | None = None
) -> dict[str, int]:
    """Matches of `q` of each kind, each counted up to cap + 1 (more than `cap`) only.

    First the kinds of the first cap + 1 matches: when there are no more, these are the exact
    counts (most searches), and for one kind they are its capped count. Otherwise, on SQLite,
    each kind's first cap + 1 matches in one query (`_capped_counts`), whose work past the
    full-text index stops at the cap. Where the index cannot stop early, every match is
    counted in one pass: on PostgreSQL, whose GIN index gives all the matches of a query at
    once (a limited query per kind would read them all again for each kind: 1.6-2x slower
    than one pass on 100,000 matches), and on SQLite for a prefix of more than
    MAX_PREFIX_WORDS words (e.g. "п"), which FTS5 also reads whole.
    """
    match = match or _Match.of(q, expand=True)
    if match.empty or not kind_names:
        return {}
    only = kind_names[0] if len(kind_names) == 1 else None
    counts = _first_matches_by_kind(match, only, cap + 1)
    if sum(counts.values()) > cap and not only:
        counts = _capped_counts(match, kind_names, cap) if match.bounded else _all_counts(match)
    return {k: min(counts[k], cap + 1) for k in kind_names if counts.get(k)}


def grouped(
    q: str, per_kind: int = 10, only: str | None = None, cap: int | None = None
) -> list[ResultGroup]:
    """Results of `q` grouped by kind, in registry order.

    Each kind's count stops at `cap` (COUNT_CAP by default): a group with more matches has
    `capped` set and `count` equal to the cap. Queries: on SQLite two to look up the words of
    the query's prefixes, then one or two to count (see `_count_by_kind`), then one per kind
    with matches for its best entries.
    """
    cap = COUNT_CAP if cap is None else cap
    selected = [k for k in kinds() if only is None or k.kind == only]
    match = _Match.of(q, expand=True)
    if match.empty or not selected:
        return []
    counts = _count_by_kind(q, [k.kind for k in selected], cap, match)
    groups = []
    for kind in selected:
        n = counts.get(kind.kind, 0)
        if n:
            # Each kind's page through the full-text index's kind column, not by sorting every
            # match of every kind (64,000 organisations share words with places).
            entries = list(_matching(q, match, kind.kind)[:per_kind])
            groups.append(ResultGroup(kind, min(n, cap), entries, capped=n > cap))
    return groups


def iter_kind_labels() -> Iterator[tuple[str, Any]]:
    for kind in kinds():
        yield kind.kind, kind.label
