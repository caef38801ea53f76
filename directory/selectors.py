"""Read-side queries of the directory, shared by the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from core import search as search_index
from core.models import SearchEntry
from directory import enums
from directory.models import Institution
from directory.search import KIND as SEARCH_KIND
from territory.models import Municipality, PortalScope, Settlement


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


def in_scope(queryset: QuerySet[Institution], scope: PortalScope) -> QuerySet[Institution]:
    """Institutions of the portal's municipalities, and province-wide ones of their provinces."""
    codes = scope.municipality_codes()
    if not codes:
        return queryset
    provinces = Municipality.objects.filter(code__in=codes).values("province_id")
    return queryset.filter(
        Q(municipality_id__in=codes)
        | Q(municipality__isnull=True, province_id__in=provinces)
        | Q(area_municipalities__in=codes)
    ).distinct()


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
    show_all: bool = False

    @property
    def given(self) -> bool:
        return bool(self.q or self.kind or self.province or self.show_all)
