"""Read-side queries of the catalogue and the networks, shared by pages, API and rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import CharField, Count, F, IntegerField, Prefetch, QuerySet
from django.db.models.functions import Cast

from accounts.enums import Role
from accounts.models import RoleAssignment
from core import search as search_index
from core.models import SearchEntry
from organisations.enums import Visibility
from organisations.models import Activity, Membership, Network, Organisation
from organisations.search import KIND as SEARCH_KIND
from organisations.search import catalogue_version
from territory.models import Municipality, Settlement


def represented_ids(user: Any) -> set[int]:
    """Ids of the organisations `user` represents (verified), in one query."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ct = ContentType.objects.get_for_model(Organisation)
    return {
        int(pk)
        for pk in RoleAssignment.objects.filter(
            user=user, role=Role.ORGANISATION_REPRESENTATIVE, scope_type=ct
        )
        .active()
        .values_list("scope_id", flat=True)
    }


def represented_member_ids(user: Any, network: Network) -> set[int]:
    """The member organisations of `network` that `user` represents."""
    ids = represented_ids(user)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(
            network=network, organisation_id__in=ids, status=Membership.Status.MEMBER
        ).values_list("organisation_id", flat=True)
    )


# --- networks (appended for the networks' pages) ---------------------------------------------


def applicable_ids(user: Any, network: Network) -> set[int]:
    """The organisations `user` represents that may apply to `network` (or accept its
    invitation): not members, no application pending, as demo as the network is."""
    ids = represented_ids(user)
    if not ids:
        return set()
    taken = set(
        Membership.objects.filter(
            network=network,
            organisation_id__in=ids,
            status__in=[Membership.Status.MEMBER, Membership.Status.APPLIED],
        ).values_list("organisation_id", flat=True)
    )
    return set(
        Organisation.objects.filter(pk__in=ids - taken, is_demo=network.is_demo).values_list(
            "pk", flat=True
        )
    )


# --- The catalogue (issue 4): search, facets with counts, sorting --------------------------


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    NEWEST = "newest"
    FOUNDED = "founded"


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue's form asks for, already checked (the view drops unknown values).

    Within a facet the values are alternatives (OR); facets narrow each other (AND).
    """

    q: str = ""
    fields: tuple[str, ...] = ()  # slugs
    legal_forms: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()  # codes
    municipalities: tuple[str, ...] = ()  # codes
    reaches: tuple[str, ...] = ()
    networks: tuple[int, ...] = ()
    # Municipality codes of the portal's area when the list is limited to it (no territory
    # chosen and not "the whole country"); empty for no such limit.
    scope: frozenset[str] = frozenset()
    sort: Sort = Sort.NAME

    @property
    def territory_given(self) -> bool:
        return bool(self.provinces or self.municipalities)


FACETS = ("field", "legal_form", "province", "municipality", "reach", "network")


def _entries(q: str) -> QuerySet[SearchEntry]:
    """The organisations' public search entries matching `q`, best first (the kind narrows
    inside the full-text index: core.search.matching)."""
    return search_index.matching(q, kind=SEARCH_KIND)


def _matching_ids(q: str) -> QuerySet[Any]:
    return _entries(q).order_by().annotate(oid=Cast("object_id", IntegerField())).values("oid")


def public_organisations() -> QuerySet[Organisation]:
    """Organisation.objects.public(), compared so that SQLite leaves the visibility index
    alone: nearly every entry is public, and walking that index (the plan SQLite picks with
    `=` and no statistics) instead of the seat's made a province's list 5 times slower."""
    return Organisation.objects.filter(visibility__iexact=Visibility.PUBLIC)


def _seated_in(municipalities: Any) -> Any:
    """The settlements of some municipalities, as a subquery (no join on the big table)."""
    return Settlement.objects.filter(municipality_id__in=municipalities).values("ekatte")


def catalogue_queryset(filters: CatalogueFilters, without: str = "") -> QuerySet[Organisation]:
    """The public organisations matching `filters`, unordered; `without` leaves one facet
    out (its own counts are taken over the others, so its alternatives stay visible). The
    province facet also ignores the portal's area: choosing a province is the way out of it."""
    qs = public_organisations()
    if filters.q:
        qs = qs.filter(pk__in=_matching_ids(filters.q))
    if filters.fields and without != "field":
        through = Organisation.fields.through.objects.filter(
            fieldofactivity__slug__in=filters.fields
        )
        qs = qs.filter(pk__in=through.values("organisation_id"))
    if filters.legal_forms and without != "legal_form":
        qs = qs.filter(legal_form__in=filters.legal_forms)
    if without != "province":
        if filters.provinces:
            codes = Municipality.objects.filter(province_id__in=filters.provinces)
            qs = qs.filter(settlement_id__in=_seated_in(codes.values("code")))
        elif filters.scope and not filters.municipalities:
            qs = qs.filter(settlement_id__in=_seated_in(sorted(filters.scope)))
    if filters.municipalities and without not in ("municipality", "province"):
        qs = qs.filter(settlement_id__in=_seated_in(filters.municipalities))
    if filters.reaches and without != "reach":
        qs = qs.filter(reach__in=filters.reaches)
    if filters.networks and without != "network":
        members = Membership.objects.filter(
            network_id__in=filters.networks, status=Membership.Status.MEMBER
        )
        qs = qs.filter(pk__in=members.values("organisation_id"))
    return qs.order_by()


# Without words, the facets count over most of the catalogue (60,000 rows at national scale,
# ~300 ms on SQLite): they are kept for a while, under the catalogue's version, which every
# save of an organisation, its fields or a membership raises (organisations.search). Bulk
# loads raise no signal: their counts catch up within FACET_CACHE_SECONDS.
FACET_CACHE_SECONDS = 120


def facet_counts(filters: CatalogueFilters) -> dict[str, dict[Any, int]]:
    """For each facet, value → number of organisations (see `count_facets`); cached when
    there are no words to search for."""
    if filters.q:
        return count_facets(filters)
    spec = json.dumps(
        [filters.fields, filters.legal_forms, filters.provinces, filters.municipalities,
         filters.reaches, filters.networks, sorted(filters.scope)], sort_keys=True,
    )  # fmt: skip
    digest = hashlib.sha256(spec.encode()).hexdigest()[:32]
    key = f"organisations:facets:{catalogue_version()}:{digest}"
    counts: dict[str, dict[Any, int]] | None = cache.get(key)
    if counts is None:
        counts = count_facets(filters)
        cache.set(key, counts, FACET_CACHE_SECONDS)
    return counts


def count_facets(filters: CatalogueFilters) -> dict[str, dict[Any, int]]:
    """For each facet, value → number of organisations: at most one GROUP BY query a facet,
    whatever the number of values (the municipality facet only once a province is chosen)."""

    def grouped(qs: QuerySet[Any], key: str) -> dict[Any, int]:
        return {
            k: n
            for k, n in qs.order_by().values_list(key).annotate(n=Count("*")).values_list(key, "n")
            if k is not None
        }

    counts: dict[str, dict[Any, int]] = {}
    ids = catalogue_queryset(filters, without="field").values("pk")
    counts["field"] = grouped(
        Organisation.fields.through.objects.filter(organisation_id__in=ids), "fieldofactivity_id"
    )
    # The facets of the organisation's own columns whose values are all unticked count over
    # the same rows: one GROUP BY over all of them, summed up here, instead of one each.
    own = {"legal_form": "legal_form", "reach": "reach", "province": "settlement__municipality_id"}
    free = [
        facet for facet, chosen in
        (("legal_form", filters.legal_forms), ("reach", filters.reaches),
         ("province", filters.provinces or filters.municipalities or filters.scope))
        if not chosen
    ]  # fmt: skip
    by_municipality: dict[Any, int] = {}
    if free:
        keys = [own[f] for f in free]
        rows = (
            catalogue_queryset(filters)
            .values_list(*keys)
            .annotate(n=Count("*"))
            .values_list(*keys, "n")
        )
        for facet in free:
            counts[facet] = {}
        for row in rows:
            for facet, value in zip(free, row[:-1], strict=True):
                if value is not None:
                    target = by_municipality if facet == "province" else counts[facet]
                    target[value] = target.get(value, 0) + row[-1]
    for facet in ("legal_form", "reach"):
        if facet not in free:
            counts[facet] = grouped(catalogue_queryset(filters, facet), own[facet])
    if "province" not in free:
        # By municipality (one join less than by province), summed up to the provinces here.
        by_municipality = grouped(
            catalogue_queryset(filters, "province"), "settlement__municipality_id"
        )
    province_of = dict(Municipality.objects.values_list("code", "province_id"))
    counts["province"] = {}
    for code, n in by_municipality.items():
        province = province_of.get(code)
        if province:
            counts["province"][province] = counts["province"].get(province, 0) + n
    counts["municipality"] = {}
    if filters.provinces:
        in_provinces = catalogue_queryset(filters, "municipality").filter(
            settlement__municipality__province_id__in=filters.provinces
        )
        counts["municipality"] = grouped(in_provinces, "settlement__municipality_id")
    ids = catalogue_queryset(filters, without="network").values("pk")
    counts["network"] = grouped(
        Membership.objects.filter(status=Membership.Status.MEMBER, organisation_id__in=ids),
        "network_id",
    )
    return counts


def catalogue_list(filters: CatalogueFilters) -> QuerySet[Organisation]:
    """The catalogue's rows in the chosen order (by relevance: see `catalogue_entries`)."""
    qs = catalogue_queryset(filters)
    if filters.sort == Sort.NEWEST:
        return qs.order_by("-created_at", "-pk")
    if filters.sort == Sort.FOUNDED:
        return qs.order_by(F("year_founded").asc(nulls_last=True), "name", "pk")
    return qs.order_by("name", "pk")


def catalogue_entries(filters: CatalogueFilters) -> QuerySet[SearchEntry]:
    """By relevance: the search entries of the matching organisations, best first (the words
    at the start of the name, then the seat's population). Ordered in the index alone, with
    one uncorrelated subquery for the filters: no per-row lookup however many match."""
    entries = _entries(filters.q)
    if replace(filters, q="", sort=Sort.NAME) == CatalogueFilters():
        return entries  # an entry is public exactly when its organisation is
    # With the words again inside: the subquery is then the few matching organisations, not
    # every one of the portal's area.
    ids = catalogue_queryset(filters).annotate(sid=Cast("pk", CharField())).values("sid")
    return entries.filter(object_id__in=ids)


def rows_for(organisations: Iterable[Any]) -> list[Organisation]:
    """A page of organisations (or of their search entries) as list rows: seat and fields
    eager-loaded, in the given order, in two queries."""
    ids = [int(o.object_id) if isinstance(o, SearchEntry) else o.pk for o in organisations]
    found = (
        Organisation.objects.filter(pk__in=ids)
        .select_related("settlement__municipality__province")
        .prefetch_related("fields")
        .in_bulk()
    )
    return [found[i] for i in ids if i in found]


# --- An organisation's page and the API ----------------------------------------------------


def organisation_page(pk: int) -> Organisation | None:
    """One organisation with everything its page shows, in a fixed number of queries
    (visibility is checked by the caller)."""
    partners = Organisation.objects.only("pk", "name", "name_en", "legal_form", "visibility")
    activities = Activity.objects.prefetch_related(
        Prefetch("partners", queryset=partners.order_by("name", "pk"))
    )
    memberships = (
        Membership.objects.filter(status=Membership.Status.MEMBER)
        .select_related("network")
        .order_by("network__name", "pk")
    )
    return (
        Organisation.objects.filter(pk=pk)
        .select_related("settlement__municipality__province")
        .prefetch_related(
            "fields",
            "target_groups",
            "reach_settlements",
            "reach_municipalities",
            "reach_provinces",
            Prefetch("activities", queryset=activities),
            "annual_reports",
            Prefetch("memberships", queryset=memberships),
            Prefetch("coordinated_networks", queryset=Network.objects.order_by("name", "pk")),
        )
        .first()
    )


def public_networks() -> QuerySet[Network]:
    """Networks whose coordinating organisation is public."""
    return Network.objects.filter(coordinator__visibility=Visibility.PUBLIC)


def network_members(network: Network) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            network=network,
            status=Membership.Status.MEMBER,
            organisation__visibility=Visibility.PUBLIC,
        )
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
