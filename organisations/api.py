"""Read API of the catalogue: /api/v1/organisations, /api/v1/networks and one of each.

Only public entries are listed or shown (an entry awaiting verification or hidden is a 404).
Nothing about people: no representative, no user; an organisation's e-mail and phone are its
own published contacts and appear only on the single organisation. Lists are `{count, items}`
(core/pagination.py) ordered by id, with what an item shows eager-loaded, so a page costs the
same few queries at any size.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
import functools
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.pagination import PagePagination
from organisations import selectors
from organisations.enums import Visibility
from organisations.models import (
    Activity,
    JointArea,
    Membership,
    Network,
    Organisation,
    Task,
)
from territory.api import MunicipalityFilter, ProvinceFilter

router = Router(tags=["organisations"])

MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error


@functools.cache
def _url_pattern(name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=[123456789])


def page_url(name: str, pk: int) -> str:
    """The canonical (Bulgarian) page, whatever the client's Accept-Language."""
    return _url_pattern(name).replace("123456789", str(pk))


def _sofia_today() -> datetime.date:
    return timezone.localdate()


# --- Schemas --------------------------------------------------------------------------------


class SettlementRef(Schema):
    ekatte: str
    name: str = Field(description="Name in Bulgarian with its abbreviation (гр. Пловдив).")


class OrganisationRef(Schema):
    id: int
    name: str
    url: str

    @staticmethod
    def resolve_name(obj: Organisation) -> str:
        return obj.display_name

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return page_url("organisations:detail", obj.pk)


class OrganisationOut(Schema):
    id: int
    name: str = Field(description="Name as in the register.")
    display_name: str = Field(description="Name as the catalogue shows it.")
    legal_form: str
    eik: str | None = Field(description="EIK/BULSTAT, when known.")
    benefit: str = Field(description="public, private or empty (not stated).")
    settlement: SettlementRef | None = Field(description="The seat.")
    municipality: str | None = Field(description="Municipality code of the seat.")
    province: str | None = Field(description="Province code of the seat.")
    fields: list[str] = Field(description="Slugs of the fields of activity.")
    reach: str
    website: str
    year_founded: int | None
    register_status: str = Field(description="active, inactive, closed or empty (not stated).")
    source: str = Field(description="The register the entry comes from; empty if registered here.")
    url: str = Field(description="The organisation's page on the portal.")

    @staticmethod
    def resolve_settlement(obj: Organisation) -> dict[str, str] | None:
        s = obj.settlement
        return {"ekatte": s.ekatte, "name": f"{s.type_abbr} {s.name_bg}"} if s else None

    @staticmethod
    def resolve_municipality(obj: Organisation) -> str | None:
        return obj.settlement.municipality_id if obj.settlement else None

    @staticmethod
    def resolve_province(obj: Organisation) -> str | None:
        return obj.settlement.municipality.province_id if obj.settlement else None

    @staticmethod
    def resolve_fields(obj: Organisation) -> list[str]:
        return [f.slug for f in obj.fields.all()]

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return page_url("organisations:detail", obj.pk)


class ActivityOut(Schema):
    id: int
    title: str
    is_project: bool
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    funding_programme: str
    budget_eur: str | None = Field(description="Decimal amount in euro, as a string.")
    partners: list[OrganisationRef] = Field(description="Partner organisations in the catalogue.")
    other_partners: list[str]
    description: str = Field(description="Markdown source.")
    results: str = Field(description="Markdown source.")

    @staticmethod
    def resolve_budget_eur(obj: Activity) -> str | None:
        return None if obj.budget_eur is None else f"{obj.budget_eur:.2f}"

    @staticmethod
    def resolve_partners(obj: Activity) -> list[Organisation]:
        return [p for p in obj.partners.all() if p.visibility == Visibility.PUBLIC]

    @staticmethod
    def resolve_other_partners(obj: Activity) -> list[str]:
        return [p.strip() for p in obj.other_partners.splitlines() if p.strip()]


class NetworkRef(Schema):
    id: int
    name: str
    url: str

    @staticmethod
    def resolve_url(obj: Network) -> str:
        return page_url("organisations:network", obj.pk)


class OrganisationDetail(OrganisationOut):
    name_en: str
    address: str
    postal_code: str
    email: str = Field(description="The organisation's published e-mail.")
    phone: str = Field(description="The organisation's published phone.")
    social_links: list[str]
    target_groups: list[str] = Field(description="Slugs of the target groups.")
    description: str = Field(description="Markdown source.")
    reach_provinces: list[str]
    reach_municipalities: list[str]
    reach_settlements: list[str]
    register_number: str
    source_url: str
    source_date: str = Field(description="Date of the source: YYYY, YYYY-MM or YYYY-MM-DD.")
    activities: list[ActivityOut]
    networks: list[NetworkRef] = Field(description="Networks it is a member of.")

    @staticmethod
    def resolve_social_links(obj: Organisation) -> list[str]:
        return obj.social_link_list

    @staticmethod
    def resolve_target_groups(obj: Organisation) -> list[str]:
        return [g.slug for g in obj.target_groups.all()]

    @staticmethod
    def resolve_reach_provinces(obj: Organisation) -> list[str]:
        return sorted(p.code for p in obj.reach_provinces.all())

    @staticmethod
    def resolve_reach_municipalities(obj: Organisation) -> list[str]:
        return sorted(m.code for m in obj.reach_municipalities.all())

    @staticmethod
    def resolve_reach_settlements(obj: Organisation) -> list[str]:
        return sorted(s.ekatte for s in obj.reach_settlements.all())

    @staticmethod
    def resolve_activities(obj: Organisation) -> list[Activity]:
        return list(obj.activities.all())

    @staticmethod
    def resolve_networks(obj: Organisation) -> list[Network]:
        return [m.network for m in obj.memberships.all()]


class NetworkOut(Schema):
    id: int
    name: str
    coordinator: OrganisationRef
    members_count: int = Field(description="Member organisations.")
    provinces: list[str] = Field(description="Codes of the provinces it works in.")
    municipalities: list[str] = Field(description="Codes of the municipalities it works in.")
    url: str

    @staticmethod
    def resolve_provinces(obj: Network) -> list[str]:
        return sorted(p.code for p in obj.provinces.all())

    @staticmethod
    def resolve_municipalities(obj: Network) -> list[str]:
        return sorted(m.code for m in obj.municipalities.all())

    @staticmethod
    def resolve_url(obj: Network) -> str:
        return page_url("organisations:network", obj.pk)


class MemberOut(Schema):
    organisation: OrganisationRef
    joined_on: datetime.date | None


class AreaOut(Schema):
    id: int
    name: str
    description: str


class TaskOut(Schema):
    id: int
    title: str
    area: str | None = Field(description="Name of the area of joint work.")
    responsible: OrganisationRef | None = Field(description="The responsible organisation.")
    starts_on: datetime.date | None
    due_on: datetime.date
    status: str = Field(description="planned, in-progress, done or cancelled.")
    progress: int = Field(description="Per cent done.")
    overdue: bool = Field(description="Not done nor cancelled, and past its due date.")

    @staticmethod
    def resolve_area(obj: Task) -> str | None:
        return obj.area.name if obj.area else None

    @staticmethod
    def resolve_responsible(obj: Task) -> Organisation | None:
        r = obj.responsible
        return r if r is not None and r.visibility == Visibility.PUBLIC else None

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue(_sofia_today())


class NetworkDetail(NetworkOut):
    purpose: str = Field(description="Markdown source.")
    members: list[MemberOut]
    areas: list[AreaOut]
    tasks: list[TaskOut] = Field(description="The work plan, by due date.")

    @staticmethod
    def resolve_members(obj: Network) -> list[Membership]:
        return list(obj.memberships.all())

    @staticmethod
    def resolve_areas(obj: Network) -> list[JointArea]:
        return list(obj.areas.all())

    @staticmethod
    def resolve_tasks(obj: Network) -> list[Task]:
        return list(obj.tasks.all())


# --- Organisations --------------------------------------------------------------------------


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    summary="List organisations",
    description=(
        "The catalogue of civil-society organisations: associations, foundations and community "
        "centres (many as unclaimed entries of a public register). Filters combine (AND)."
    ),
    url_name="organisations",
)
@paginate(PagePagination)
def list_organisations(
    request: Any,
    field: Annotated[
        str | None,
        Query(None, pattern=r"^[a-z0-9-]{1,50}$", description="Field of activity (education)."),
    ] = None,
    legal_form: Annotated[
        str | None,
        Query(None, pattern=r"^[a-z-]{1,20}$", description="Legal form (community-centre)."),
    ] = None,
    province: ProvinceFilter = None,
    municipality: MunicipalityFilter = None,
    network: Annotated[
        int | None, Query(None, ge=1, le=MAX_ID, description="Id of a network: its members.")
    ] = None,
    q: Annotated[
        str | None,
        Query(None, max_length=MAX_QUERY_LENGTH, description="Words of the name, any script."),
    ] = None,
) -> QuerySet[Organisation]:
    filters = selectors.CatalogueFilters(
        q=(q or "").strip(),
        fields=(field,) if field else (),
        legal_forms=(legal_form,) if legal_form else (),
        provinces=(province,) if province else (),
        municipalities=(municipality,) if municipality else (),
        networks=(network,) if network else (),
    )
    return (
        selectors.catalogue_queryset(filters)
        .select_related("settlement__municipality")
        .prefetch_related("fields")
        .order_by("pk")
    )


@router.get(
    "/organisations/{id}",
    response=OrganisationDetail,
    summary="Get an organisation",
    description="One public organisation with its profile, activities and projects, networks.",
    url_name="organisation",
)
def get_organisation(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Organisation:
    obj = selectors.organisation_page(id)
    if obj is None or obj.visibility != Visibility.PUBLIC:
        raise HttpError(404, f"No organisation with id {id}.")
    return obj


# --- Networks -------------------------------------------------------------------------------


def _network_queryset() -> QuerySet[Network]:
    return (
        selectors.public_networks()
        .select_related("coordinator")
        .prefetch_related("provinces", "municipalities")
        .order_by("pk")
    )


@router.get(
    "/networks",
    response=list[NetworkOut],
    summary="List networks of organisations",
    description='Networks ("families") of organisations with their coordinators.',
    url_name="networks",
)
@paginate(PagePagination)
def list_networks(request: Any) -> QuerySet[Network]:
    return _network_queryset()


@router.get(
    "/networks/{id}",
    response=NetworkDetail,
    summary="Get a network",
    description=(
        "One network: its member organisations, areas of joint work and the tasks of its work "
        "plan with status, progress and due dates."
    ),
    url_name="network",
)
def get_network(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Network:
    members = Membership.objects.filter(
        status=Membership.Status.MEMBER, organisation__visibility=Visibility.PUBLIC
    ).select_related("organisation")
    tasks = Task.objects.select_related("area", "responsible").order_by("due_on", "pk")
    obj = (
        _network_queryset()
        .prefetch_related(
            Prefetch("memberships", queryset=members.order_by("organisation__name", "pk")),
            "areas",
            Prefetch("tasks", queryset=tasks),
        )
        .filter(pk=id)
        .first()
    )
    if obj is None:
        raise HttpError(404, f"No network with id {id}.")
    return obj
