"""Queries behind the library's pages and API: the filtered list with its facet counts, the
editions of a publication, the good-practice collection, and the newest publications for
the home page (`latest_for_home`).

Every function runs a fixed number of queries, whatever the number of publications: the
list's facets are four aggregate queries (each applies every filter but its own, so the
other values of a facet stay visible with their counts), its rows one query with what they
show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet
from django.db.models.functions import Cast

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


def facets(filters: Filters) -> Facets:
    """Counts of each facet's values among the publications the other filters leave: four
    queries. Values with no publication are left out, except the one chosen."""
    found = Facets()
    by_type = dict(filtered(filters, "type").order_by().values_list("type").annotate(n=Count("pk")))
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
    qs = Publication.objects.filter(Q(pk=root) | Q(first_edition_id=root))
    if not user_may_edit:
        qs = qs.filter(state=State.PUBLISHED)
    return list(qs.only("pk", "title", "edition", "year", "state").order_by("edition", "pk"))


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
