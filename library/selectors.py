"""Queries behind the library's pages and API: the filtered list with its facet counts, the
editions of a publication, the good-practice collection, and the newest publications for
the home page (`latest_for_home`).

Every function runs a fixed number of queries, whatever the number of publications: the
list's facets are four aggregate queries (each applies every filter but its own, so the
other values of a facet stay visible with their counts), its rows one query with what they
show.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import get_language

from core import search as search_index
from core.models import Topic
from library.enums import AUDIENCE_FIELDS, Audience, PublicationType, State
from library.models import GoodPractice, Publication

# Matches library.search.KIND (not imported: the search module imports this one).
SEARCH_KIND = "library.publication"
FACETS = ("type", "topic", "audience", "year")

# What a list row shows, and nothing more (a text can be long).
ROW_FIELDS = (
    "pk",
    "type",
    "title",
    "summary",
    "year",
    "edition",
    "authors",
    "is_example",
    "state",
    "published_at",
    "language",
)


@dataclass
class Filters:
    q: str = ""
    type: str = ""
    topic: str = ""
    audience: str = ""
    year: int | None = None

    def chosen(self) -> bool:
        return bool(self.q or self.type or self.topic or self.audience or self.year)


def search_ids(q: str) -> QuerySet[Any]:
    """The ids of the publications whose index entry matches `q` (public entries only)."""
    return (
        search_index.matching(q, kind=SEARCH_KIND)
        .order_by()
        .annotate(pid=Cast("object_id", IntegerField()))
        .values("pid")
    )


def filtered(
    filters: Filters, without: str = "", qs: QuerySet[Publication] | None = None
) -> QuerySet[Publication]:
    """Published publications matching the filters, unordered; `without` leaves one facet's
    filter out (for that facet's counts)."""
    qs = Publication.objects.published() if qs is None else qs
    if filters.type and without != "type":
        qs = qs.filter(type=filters.type)
    if filters.topic and without != "topic":
        through = Publication.topics.through.objects.filter(topic__slug=filters.topic)
        qs = qs.filter(pk__in=through.values("publication_id"))
    if filters.audience and without != "audience":
        qs = qs.filter(**{AUDIENCE_FIELDS[filters.audience]: True})
    if filters.year and without != "year":
        qs = qs.filter(year=filters.year)
    if filters.q:
        qs = qs.filter(pk__in=search_ids(filters.q))
    return qs


def listed(filters: Filters) -> QuerySet[Publication]:
    """The list, newest first."""
    return filtered(filters).only(*ROW_FIELDS).order_by("-published_at", "-pk")


@dataclass
class Facets:
    types: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count
    topics: list[tuple[str, str, int]] = field(default_factory=list)
    audiences: list[tuple[str, str, int]] = field(default_factory=list)
    years: list[tuple[str, str, int]] = field(default_factory=list)
    total: int = 0  # publications matching every filter (the list's count)


# The facets of a list change only when a publication, its files or chapters change (the
# services and the post_save / post_delete hooks of library.apps move the version on);
# counting them reads every matching publication, so the list keeps them a while. Bulk loads
# raise no signal: they show within the timeout.
VERSION_KEY = "library:version"
FACETS_CACHE_SECONDS = 600


def version() -> int:
    """The library's version; when lost (evicted, expired) it starts again from the clock,
    never at a number whose facets may still be in the cache."""
    return cast(int, cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None))


def forget(**kwargs: Any) -> None:
    """Something in the library changed: every cached facet count is counted again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (yet, or any more): see version()
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def facets(filters: Filters) -> Facets:
    """`count_facets`, kept for FACETS_CACHE_SECONDS under the library's version."""
    spec = json.dumps([version(), get_language() or "bg", asdict(filters)], sort_keys=True)
    key = "library:facets:" + hashlib.sha256(spec.encode()).hexdigest()[:32]
    found: Facets | None = cache.get(key)
    if found is None:
        found = count_facets(filters)
        cache.set(key, found, FACETS_CACHE_SECONDS)
    return found


def count_facets(filters: Filters) -> Facets:
    """Counts of each facet's values among the publications the other filters leave: four
    queries. Values with no publication are left out, except the one chosen. The total comes
    from the type facet: no COUNT of its own."""
    found = Facets()
    by_type = dict(filtered(filters, "type").order_by().values_list("type").annotate(n=Count("pk")))
    found.total = by_type.get(filters.type, 0) if filters.type else sum(by_type.values())
    found.types = [
        (str(value), str(label), by_type.get(value, 0))
        for value, label in PublicationType.choices
        if by_type.get(value) or value == filters.type
    ]
    topic_rows = (
        Topic.objects.filter(publications__in=filtered(filters, "topic").order_by().values("pk"))
        .annotate(n=Count("publications"))
        .order_by("name_bg")
    )
    found.topics = [(t.slug, t.name, int(t.n)) for t in topic_rows]  # type: ignore[attr-defined]
    audience_counts = filtered(filters, "audience").aggregate(
        **{value: Count("pk", filter=Q(**{name: True})) for value, name in AUDIENCE_FIELDS.items()}
    )
    found.audiences = [
        (str(value), str(label), int(audience_counts[value] or 0))
        for value, label in Audience.choices
        if audience_counts[value] or value == filters.audience
    ]
    years = filtered(filters, "year").order_by().values_list("year").annotate(n=Count("pk"))
    found.years = [(str(y), str(y), n) for y, n in sorted(years, reverse=True)]
    return found


def editions(publication: Publication, user_may_edit: bool = False) -> list[Publication]:
    """Every edition of the publication's line, first to last (drafts only for editors)."""
    root = publication.line_root_id
    fields = ("pk", "title", "edition", "year", "state")
    # Two indexed lookups: an OR of the two columns made SQLite read every publication.
    line = [
        *Publication.objects.filter(pk=root).only(*fields),
        *Publication.objects.filter(first_edition_id=root).only(*fields),
    ]
    found = sorted(line, key=lambda p: (p.edition, p.pk))
    return [p for p in found if user_may_edit or p.state == State.PUBLISHED]


@dataclass
class PracticeFilters:
    country: str = ""
    year: int | None = None


def good_practices(filters: PracticeFilters) -> QuerySet[GoodPractice]:
    qs = GoodPractice.objects.filter(publication__state=State.PUBLISHED)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.year:
        qs = qs.filter(year=filters.year)
    return qs.select_related("publication").order_by("country", "place", "-year", "pk")


def practice_countries() -> list[tuple[str, int]]:
    rows = (
        GoodPractice.objects.filter(publication__state=State.PUBLISHED)
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk"))
    )
    return sorted(((c, n) for c, n in rows), key=lambda item: item[0])


def practice_years() -> list[int]:
    rows = (
        GoodPractice.objects.filter(publication__state=State.PUBLISHED, year__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [int(y) for y in rows if y is not None]


def latest_for_home(limit: int = 5) -> list[Publication]:
    """The newest published publications (for the home page): one query."""
    return list(
        Publication.objects.published().only(*ROW_FIELDS).order_by("-published_at", "-pk")[:limit]
    )
