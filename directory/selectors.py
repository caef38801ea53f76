"""Read-side queries of the directory, shared by the pages and the API."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from accounts.enums import STAFF_ROLES
from core import search as search_index
from core.models import SearchEntry
from directory import enums
from directory.models import Institution, Service
from directory.search import KIND as SEARCH_KIND
from directory.search import SERVICE_KIND
from territory.models import Municipality, PortalScope, Settlement


def staff_institution_ids(user: Any) -> list[int]:
    """The institutions `user` works for (staff or councillor), from the cached role keys."""
    if not getattr(user, "is_authenticated", False):
        return []
    ct = ContentType.objects.get_for_model(Institution).pk
    return sorted(
        {
            int(scope_id)
            for role, scope_type, scope_id in user.active_role_keys()
            if role in STAFF_ROLES and scope_type == ct and scope_id.isdigit()
        }
    )


def matching(queryset: QuerySet[Institution], q: str) -> QuerySet[Institution]:
    """Narrow to the institutions whose search entry matches `q` (Cyrillic or Latin)."""
    ids = (
        search_index.matching(q, kind=SEARCH_KIND)
        .order_by()
        .annotate(iid=Cast("object_id", IntegerField()))
        .values("iid")
    )
    return queryset.filter(pk__in=ids)


def by_relevance(queryset: QuerySet[Institution]) -> QuerySet[Institution]:
    """Biggest population served first, as on the search page: "общински съвет пловдив"
    lists Plovdiv's council before those of the province's smaller municipalities."""
    # Content type first: it leads the (content_type, object_id) unique index, which turns
    # this per-row subquery into an index lookup (by `kind` alone it scans every entry).
    boost = SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Institution),
        object_id=Cast(OuterRef("pk"), CharField()),
    ).values("boost")[:1]
    return queryset.annotate(search_boost=Subquery(boost)).order_by(
        "-search_boost", "kind__order", "name_bg", "pk"
    )


# What a row of the directory's list shows (see Institution.get_absolute_url and `name`).
LIST_FIELDS = (
    "pk", "name_bg", "name_en", "kind__name_bg", "kind__name_en", "kind__order", "kind__slug",
    "province__name_bg", "province__name_en", "municipality__name_bg", "municipality__name_en",
)  # fmt: skip


def in_municipality(queryset: QuerySet[Institution], code: str) -> QuerySet[Institution]:
    """Institutions of a municipality (its administration, council, mayoralties, districts)
    and the units whose area covers it; no join, so no duplicates and no DISTINCT."""
    area = Institution.area_municipalities.through.objects.filter(municipality_id=code)
    return queryset.filter(Q(municipality_id=code) | Q(pk__in=area.values("institution_id")))


def in_scope(queryset: QuerySet[Institution], scope: PortalScope) -> QuerySet[Institution]:
    """Institutions of the portal's municipalities, and province-wide ones of their provinces."""
    codes = scope.municipality_codes()
    if not codes:
        return queryset
    provinces = Municipality.objects.filter(code__in=codes).values("province_id")
    # The area as a subquery, not a join: no duplicate rows, so no DISTINCT over every column.
    area = Institution.area_municipalities.through.objects.filter(municipality_id__in=codes)
    return queryset.filter(
        Q(municipality_id__in=codes)
        | Q(municipality__isnull=True, province_id__in=provinces)
        | Q(pk__in=area.values("institution_id"))
    )


# The order in which "who serves my settlement" lists what it finds.
_SERVES_ORDER = {
    enums.MAYORALTY: 0,
    enums.DISTRICT_ADMINISTRATION: 1,
    enums.MUNICIPAL_ADMINISTRATION: 2,
    enums.MUNICIPAL_COUNCIL: 3,
    enums.REGIONAL_ADMINISTRATION: 4,
}


def serving_filter(settlement: Settlement) -> Q:
    """Everything that serves a settlement, as one condition (one query, whatever it finds)."""
    municipal = [enums.MUNICIPAL_ADMINISTRATION, enums.MUNICIPAL_COUNCIL]
    province = settlement.municipality.province_id
    cond = (
        Q(municipality_id=settlement.municipality_id, kind__slug__in=municipal)
        | Q(province_id=province, kind__slug=enums.REGIONAL_ADMINISTRATION)
        | Q(area_municipalities=settlement.municipality_id)
        # A city with districts is served by the district of the person's address.
        | Q(district__city_id=settlement.ekatte)
    )
    if settlement.mayoralty_id:
        cond |= Q(mayoralty_id=settlement.mayoralty_id, kind__slug=enums.MAYORALTY)
    return cond


def serving(settlement: Settlement) -> list[Institution]:
    """Its mayoralty, municipal administration and council, regional administration, then
    the units whose area covers it (territorial units of state bodies)."""
    found = list(
        Institution.objects.filter(serving_filter(settlement))
        .select_related("kind")
        .distinct()
        .order_by("kind__order", "name_bg", "pk")
    )
    return sorted(found, key=lambda i: (_SERVES_ORDER.get(i.kind.slug, 9), i.kind.order))


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str = ""
    province: str = ""
    municipality: str = ""
    show_all: bool = False

    @property
    def given(self) -> bool:
        return bool(self.q or self.kind or self.province or self.municipality or self.show_all)


def institutions(filters: Filters) -> QuerySet[Institution]:
    """The directory list for valid filters (the view checks them first), with only what its
    rows show: not the territory's boundaries nor the contacts."""
    qs: QuerySet[Institution] = Institution.objects.for_list().only(*LIST_FIELDS)
    if filters.kind:
        qs = qs.filter(kind__slug=filters.kind)
    if filters.province:
        qs = qs.filter(province_id=filters.province)
    if filters.municipality:
        qs = in_municipality(qs, filters.municipality)
    if filters.q:
        qs = by_relevance(matching(qs, filters.q))
    return qs


# --- Services -------------------------------------------------------------------------------


def services_of(institution: Institution) -> QuerySet[Service]:
    """An institution's services as its page lists them (no long texts)."""
    return (
        Service.objects.filter(institution=institution)
        .only("pk", "name", "fee_eur", "deadline", "in_person", "by_post", "online_url")
        .order_by("name", "pk")
    )


def service_page(pk: int) -> QuerySet[Service]:
    """One service with what its page shows of the institution, in one query."""
    return Service.objects.filter(pk=pk).select_related(
        "institution__kind", "institution__settlement", "institution__parent"
    )


def service_entries(filters: Filters, institution: int | None = None) -> QuerySet[SearchEntry]:
    """Search entries of the services matching `filters.q`, best first (title, then boost).

    The order and the page come from the index alone (no per-row subquery); the filters by
    the institution (its id, kind or territory) narrow it with one uncorrelated subquery.
    """
    if not filters.q:
        return SearchEntry.objects.none()
    # Only the ids travel through the sort: not every match's whole document.
    entries = search_index.matching(filters.q, kind=SERVICE_KIND).only("id", "object_id")
    if filters.kind or filters.province or filters.municipality or institution is not None:
        services = Service.objects.all()
        if institution is not None:
            services = services.filter(institution_id=institution)
        if filters.kind:
            services = services.filter(institution__kind__slug=filters.kind)
        if filters.province:
            services = services.filter(institution__province_id=filters.province)
        if filters.municipality:
            area = Institution.area_municipalities.through.objects.filter(
                municipality_id=filters.municipality
            )
            services = services.filter(
                Q(institution__municipality_id=filters.municipality)
                | Q(institution_id__in=area.values("institution_id"))
            )
        ids = services.order_by().annotate(sid=Cast("pk", CharField())).values("sid")
        entries = entries.filter(object_id__in=ids)
    return entries


# What a service's row in a list (and the API's list) shows.
SERVICE_LIST_FIELDS = (
    "pk", "name", "institution", "register_code", "fee_eur", "deadline", "in_person", "by_post",
    "online_url", "institution__name_bg", "institution__name_en",
)  # fmt: skip


def services_for(entries: list[SearchEntry]) -> list[Service]:
    """The services of a page of search entries, in the entries' order (one query)."""
    ids = [int(e.object_id) for e in entries]
    found = Service.objects.select_related("institution").only(*SERVICE_LIST_FIELDS).in_bulk(ids)
    return [found[i] for i in ids if i in found]


class ServiceSearch:
    """Services matching a search, best first, as pagination takes them (`count()` and slices):
    the count and the order come from the search index alone, then one query fetches the
    services of the page. Scanning the services' own table for the matches (a join on the
    entries' text ids) would read every service row, long texts and all."""

    def __init__(self, entries: QuerySet[SearchEntry]) -> None:
        self.entries = entries

    def count(self) -> int:
        return self.entries.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Service]:
        return services_for(list(self.entries[index]))


# --- Search results kept in the cache ------------------------------------------------------

# A search's counts and pages are kept for a while under the directory's version, which every
# save or deletion of an institution, a service or a kind of institution, and every change of
# an institution's area, moves on (the search index follows the same saves): the full-text
# queries of a broad word ("пловдив": hundreds of institutions and services) are most of the
# list's time, and the next page, the way back or the next person asking reuse them. Bulk
# loads raise no signal: their results show within SEARCH_CACHE_SECONDS.
SEARCH_CACHE_SECONDS = 120
VERSION_KEY = "directory:search-version"


def directory_version() -> int:
    """The directory's version. When it is lost (evicted; or expired: the database cache
    gives a raised version its default timeout) it starts again from the clock, never at a
    number whose results may still be in the cache."""
    return cast(int, cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None))


def _move_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache: see directory_version
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def directory_changed(*args: Any, **kwargs: Any) -> None:
    """An institution, a service, a kind or an area changed: cached results are stale. Moved
    on now (this transaction's own reads) and again once it commits (a page cached from the
    old rows by another request meanwhile)."""
    _move_version()
    transaction.on_commit(_move_version)


class CachedResults:
    """The results of a search (a queryset, or service entries), as pagination takes them —
    `count()` and one slice — with both kept in the cache under the directory's version and
    the filters (see SEARCH_CACHE_SECONDS)."""

    def __init__(self, results: Any, name: str, filters: Filters, version: int) -> None:
        """`version`: directory_version(), read once for the page's lists."""
        self.results = results
        spec = json.dumps(
            [filters.q, filters.kind, filters.province, filters.municipality, filters.show_all]
        )
        digest = hashlib.sha256(spec.encode()).hexdigest()[:32]
        self.key = f"directory:{name}:{version}:{digest}"

    def count(self) -> int:
        key = f"{self.key}:count"
        found: int | None = cache.get(key)
        if found is None:
            found = self.results.count()
            cache.set(key, found, SEARCH_CACHE_SECONDS)
        return found

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if index.start == index.stop:  # the empty first page of no results
            return []
        key = f"{self.key}:{index.start}:{index.stop}"
        found: list[Any] | None = cache.get(key)
        if found is None:
            found = list(self.results[index])
            cache.set(key, found, SEARCH_CACHE_SECONDS)
        return found
