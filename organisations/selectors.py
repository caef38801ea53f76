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
from django.db.models import CharField, F, FilteredRelation, IntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from accounts.enums import Role
from accounts.models import RoleAssignment
from core import search as search_index
from core.models import SearchEntry
from organisations.enums import Visibility
from organisations.models import Activity, FieldOfActivity, Membership, Network, Organisation
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


# Facets are kept for a while, under the catalogue's version, which every save of an
# organisation, its fields or a membership raises (organisations.search): without words they
# count over most of the catalogue (60,000 rows at national scale), and a common word
# ("сдружение") matches two thirds of it; the next page, another order or the way back to the
# list then reuse them. Bulk loads raise no signal: their counts catch up within
# FACET_CACHE_SECONDS.
FACET_CACHE_SECONDS = 120
# When at most this many organisations match, the page's list is selected by their ids
# (found by the facet pass), not by running the full-text search again.
ID_LIST_LIMIT = 1000


@dataclass(frozen=True)
class Facets:
    """What one pass over the candidates found: for each facet, value → number of
    organisations (see `count_facets`); how many match every filter; and, when they are few
    (ID_LIST_LIMIT), their ids."""

    counts: dict[str, dict[Any, int]]
    total: int
    ids: frozenset[int] | None


def _digest(filters: CatalogueFilters) -> str:
    """The filters (not the order) as a short key."""
    spec = json.dumps(
        [filters.q, filters.fields, filters.legal_forms, filters.provinces, filters.municipalities,
         filters.reaches, filters.networks, sorted(filters.scope)], sort_keys=True,
    )  # fmt: skip
    return hashlib.sha256(spec.encode()).hexdigest()[:32]


def facets(filters: CatalogueFilters) -> Facets:
    """`count_facets`, kept for FACET_CACHE_SECONDS (the order of the list does not matter)."""
    key = f"organisations:facets:{catalogue_version()}:{_digest(filters)}"
    found: Facets | None = cache.get(key)
    if found is None:
        found = count_facets(filters)
        cache.set(key, found, FACET_CACHE_SECONDS)
    return found


def count_facets(filters: CatalogueFilters) -> Facets:
    """Every facet's counts in one pass over the candidates (the public organisations
    matching the words): one query for their columns, fields and memberships, then counted
    here. A facet's counts apply every filter but its own, so its other values stay
    visible; the province facet also ignores the municipalities and the portal's area
    (choosing a province is the way out of it).

    One pass instead of a GROUP BY a facet: each of those ran the full-text search again.
    """
    candidates = public_organisations()
    if filters.q:
        candidates = candidates.filter(pk__in=_matching_ids(filters.q))
    # One row per (organisation, field, network): both are few per organisation.
    rows = (
        candidates.order_by()
        .annotate(
            member_of=FilteredRelation(
                "memberships", condition=Q(memberships__status=Membership.Status.MEMBER)
            )
        )
        .values_list(
            "pk", "legal_form", "reach", "settlement__municipality_id", "fields",
            "member_of__network_id",
        )
    )  # fmt: skip
    own: dict[int, tuple[str, str, str | None]] = {}
    fields_of: dict[int, set[int]] = {}
    networks_of: dict[int, set[int]] = {}
    for pk, form, scope, seat, field_id, network_id in rows:
        own[pk] = (form, scope, seat)
        if field_id is not None:
            fields_of.setdefault(pk, set()).add(field_id)
        if network_id is not None:
            networks_of.setdefault(pk, set()).add(network_id)

    province_of = dict(Municipality.objects.values_list("code", "province_id"))
    chosen_fields = set(
        FieldOfActivity.objects.filter(slug__in=filters.fields).values_list("pk", flat=True)
    )
    legal_forms, reaches = set(filters.legal_forms), set(filters.reaches)
    provinces, municipalities = set(filters.provinces), set(filters.municipalities)
    networks = set(filters.networks)
    counts: dict[str, dict[Any, int]] = {facet: {} for facet in FACETS}

    def add(facet: str, value: Any) -> None:
        if value is not None:
            counts[facet][value] = counts[facet].get(value, 0) + 1

    matching: list[int] = []
    for pk, (legal_form, reach, municipality) in own.items():
        fields = fields_of.get(pk, ())
        nets = networks_of.get(pk, ())
        province = province_of.get(municipality) if municipality else None
        # Whether it passes each facet's filter (True where nothing is chosen).
        field_ok = not chosen_fields or not chosen_fields.isdisjoint(fields)
        form_ok = not legal_forms or legal_form in legal_forms
        reach_ok = not reaches or reach in reaches
        if provinces:
            area_ok = province in provinces
        else:
            area_ok = not filters.scope or bool(municipalities) or municipality in filters.scope
        municipality_ok = not municipalities or municipality in municipalities
        network_ok = not networks or not networks.isdisjoint(nets)
        rest = form_ok and reach_ok and network_ok
        territory_ok = area_ok and municipality_ok
        if rest and territory_ok:
            for field_id in fields:
                add("field", field_id)
        if field_ok and reach_ok and network_ok and territory_ok:
            add("legal_form", legal_form)
        if field_ok and form_ok and network_ok and territory_ok:
            add("reach", reach)
        if field_ok and rest:
            add("province", province)
            if area_ok and provinces and province in provinces:
                add("municipality", municipality)
        if field_ok and form_ok and reach_ok and territory_ok:
            for network in nets:
                add("network", network)
            if network_ok:
                matching.append(pk)
    few = frozenset(matching) if len(matching) <= ID_LIST_LIMIT else None
    return Facets(counts=counts, total=len(matching), ids=few)


def catalogue_list(
    filters: CatalogueFilters, ids: frozenset[int] | None = None
) -> QuerySet[Organisation]:
    """The catalogue's rows in the chosen order (by relevance: see `catalogue_entries`);
    `ids`, when the facet pass found them, stand for the filters."""
    qs = catalogue_queryset(filters) if ids is None else public_organisations().filter(pk__in=ids)
    if filters.sort == Sort.NEWEST:
        return qs.order_by("-created_at", "-pk")
    if filters.sort == Sort.FOUNDED:
        return qs.order_by(F("year_founded").asc(nulls_last=True), "name", "pk")
    return qs.order_by("name", "pk")


def catalogue_entries(
    filters: CatalogueFilters, ids: frozenset[int] | None = None
) -> QuerySet[SearchEntry]:
    """By relevance: the search entries of the matching organisations, best first (the words
    at the start of the name, then the seat's population). Ordered in the index alone, with
    the matching ids (when the facet pass found them) or one uncorrelated subquery for the
    filters: no per-row lookup however many match."""
    # Only what the rows need: sorting whole entries (with their documents) costs more.
    entries = _entries(filters.q).only("id", "object_id")
    if ids is not None:
        return entries.filter(object_id__in=[str(pk) for pk in sorted(ids)])
    if replace(filters, q="", sort=Sort.NAME) == CatalogueFilters():
        return entries  # an entry is public exactly when its organisation is
    # With the words again inside: the subquery is then the few matching organisations, not
    # every one of the portal's area.
    ids_query = catalogue_queryset(filters).annotate(sid=Cast("pk", CharField())).values("sid")
    return entries.filter(object_id__in=ids_query)


def ordered_ids(filters: CatalogueFilters, ids: frozenset[int]) -> list[int]:
    """The ids the facet pass found (at most ID_LIST_LIMIT), in the list's order
    (`catalogue_entries` by relevance, else `catalogue_list`), kept like the facets under the
    catalogue's version for FACET_CACHE_SECONDS: every page of the list, and the list again,
    then slices them instead of sorting the matches (by relevance running the full-text search
    once more)."""
    key = f"organisations:order:{catalogue_version()}:{filters.sort}:{_digest(filters)}"
    found: list[int] | None = cache.get(key)
    if found is None:
        if filters.sort == Sort.RELEVANCE:
            found = [
                int(pk)
                for pk in catalogue_entries(filters, ids).values_list("object_id", flat=True)
            ]
        else:
            found = list(catalogue_list(filters, ids).values_list("pk", flat=True))
        cache.set(key, found, FACET_CACHE_SECONDS)
    return found


# What a list row shows (organisations/views/catalogue.py `_row` and the list template).
ROW_FIELDS = (
    "pk", "name", "name_en", "legal_form", "register_status", "representatives_count",
    "is_demo", "settlement__ekatte", "settlement__name_bg", "settlement__name_en",
    "settlement__type_abbr", "settlement__municipality__code",
    "settlement__municipality__name_bg", "settlement__municipality__name_en",
)  # fmt: skip


def _row_id(o: Any) -> int:
    if isinstance(o, int):
        return o
    return int(o.object_id) if isinstance(o, SearchEntry) else int(o.pk)


def rows_for(organisations: Iterable[Any]) -> list[dict[str, Any]]:
    """A page of organisations (or of their search entries, or their ids) as list rows, in
    the given order: the ROW_FIELDS and `field_ids` (unordered), in two queries of plain values
    (no model instances: a page of them cost a third of the list's time)."""
    ids = [_row_id(o) for o in organisations]
    found = {v["pk"]: v for v in Organisation.objects.filter(pk__in=ids).values(*ROW_FIELDS)}
    for v in found.values():
        v["field_ids"] = []
    through = Organisation.fields.through.objects.filter(organisation_id__in=ids)
    for organisation_id, field_id in through.values_list("organisation_id", "fieldofactivity_id"):
        found[organisation_id]["field_ids"].append(field_id)
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
