"""Read API of the directory: /api/v1/institutions, /api/v1/services and their items.

Lists are `{count, items}` (core/pagination.py), ordered by id so pages are stable, and
eager-load what an item shows: a page costs the same few queries at any size.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
import functools
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.pagination import PagePagination
from directory import selectors
from directory.models import Institution, Service, WorkingHours
from territory.api import MunicipalityFilter, ProvinceFilter
from territory.models import Settlement

router = Router(tags=["directory"])

MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error


@functools.cache
def _url_pattern() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("directory:detail", args=[123456789])


def page_url(obj: Institution) -> str:
    """The canonical (Bulgarian) page, whatever the client's Accept-Language."""
    return _url_pattern().replace("123456789", str(obj.pk))


@functools.cache
def _service_url_pattern() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("directory:service", args=[123456789])


def service_page_url(obj: Service) -> str:
    return _service_url_pattern().replace("123456789", str(obj.pk))


def with_services_count(queryset: QuerySet[Institution]) -> QuerySet[Institution]:
    """Each institution's number of services, as a subquery of the same query: no join, so
    the other filters (and their DISTINCT) are not disturbed, and no query per row."""
    count = (
        Service.objects.filter(institution=OuterRef("pk"))
        .order_by()
        .values("institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        services_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    )


class WorkingHoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    opens: datetime.time
    closes: datetime.time
    break_start: datetime.time | None
    break_end: datetime.time | None


class InstitutionOut(Schema):
    id: int
    kind: str = Field(description="Slug of the kind (e.g. municipal-council).")
    name_bg: str
    name_en: str
    short_name: str
    url: str = Field(description="The institution's page on the portal.")
    province: str | None = Field(description="Province code.")
    municipality: str | None = Field(description="Municipality code.")
    mayoralty: str | None = Field(description="Mayoralty code.")
    district: str | None = Field(description="City-district code.")
    parent: int | None = Field(description="Id of the institution it is part of.")
    settlement: str | None = Field(description="EKATTE code of its seat.")
    address: str
    postal_code: str
    phones: list[str]
    email: str
    email_is_free_mail: bool = Field(description="The e-mail is on a free-mail service.")
    website: str
    head_position: str
    eik: str
    verified: bool = Field(description="Whether the contacts were verified with the institution.")
    verified_at: datetime.datetime | None
    source: str = Field(description="Where the contacts come from.")
    source_date: str = Field(description="Date of the source: YYYY, YYYY-MM or YYYY-MM-DD.")
    services_count: int = Field(description="Number of its administrative services.")

    @staticmethod
    def resolve_kind(obj: Institution) -> str:
        return obj.kind.slug

    @staticmethod
    def resolve_url(obj: Institution) -> str:
        return page_url(obj)

    @staticmethod
    def resolve_province(obj: Institution) -> str | None:
        return obj.province_id

    @staticmethod
    def resolve_municipality(obj: Institution) -> str | None:
        return obj.municipality_id

    @staticmethod
    def resolve_mayoralty(obj: Institution) -> str | None:
        return obj.mayoralty_id

    @staticmethod
    def resolve_district(obj: Institution) -> str | None:
        return obj.district_id

    @staticmethod
    def resolve_parent(obj: Institution) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_settlement(obj: Institution) -> str | None:
        return obj.settlement_id

    @staticmethod
    def resolve_phones(obj: Institution) -> list[str]:
        return obj.phone_list

    @staticmethod
    def resolve_verified(obj: Institution) -> bool:
        return obj.is_verified


class InstitutionDetail(InstitutionOut):
    head_name: str
    cs_contact_name: str = Field(description="Contact point for civil society: name.")
    cs_contact_position: str
    cs_contact_email: str
    cs_contact_phone: str
    area_municipalities: list[str] = Field(description="Codes of the municipalities it serves.")
    working_hours: list[WorkingHoursOut]
    services_url: str = Field(description="Its administrative services in this API.")

    @staticmethod
    def resolve_services_url(obj: Institution) -> str:
        return f"{reverse('api:services')}?institution={obj.pk}"

    @staticmethod
    def resolve_area_municipalities(obj: Institution) -> list[str]:
        return sorted(m.code for m in obj.area_municipalities.all())

    @staticmethod
    def resolve_working_hours(obj: Institution) -> list[WorkingHours]:
        return list(obj.hours.all())


def _list_queryset() -> QuerySet[Institution]:
    return with_services_count(Institution.objects.select_related("kind").order_by("pk"))


Code = Annotated[str | None, Query(None, max_length=20)]


@router.get(
    "/institutions",
    response=list[InstitutionOut],
    summary="List institutions",
    description=(
        "The citizens' directory: regional and municipal administrations, municipal councils, "
        "mayoralties, city-district administrations and other units, with their contacts as "
        "far as a source gives them. `settlement` lists those serving that settlement."
    ),
    url_name="institutions",
)
@paginate(PagePagination)
def list_institutions(
    request: Any,
    kind: Annotated[
        str | None,
        Query(None, pattern=r"^[a-z0-9-]{1,50}$", description="Kind slug (municipal-council)."),
    ] = None,
    province: ProvinceFilter = None,
    municipality: MunicipalityFilter = None,
    settlement: Annotated[
        str | None,
        Query(None, pattern=r"^[0-9]{5}$", description="EKATTE code: who serves it."),
    ] = None,
    q: Annotated[
        str | None,
        Query(None, max_length=MAX_QUERY_LENGTH, description="Words of the name, any script."),
    ] = None,
) -> QuerySet[Institution]:
    qs = _list_queryset()
    if kind:
        qs = qs.filter(kind__slug=kind)
    if province:
        qs = qs.filter(province_id=province)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if settlement:
        place = Settlement.objects.select_related("municipality").filter(pk=settlement).first()
        if place is None:
            raise HttpError(404, f"No settlement with code {settlement!r}.")
        qs = qs.filter(selectors.serving_filter(place)).distinct()
    if q and q.strip():
        qs = selectors.matching(qs, q.strip())
    return qs


@router.get(
    "/institutions/{id}",
    response=InstitutionDetail,
    summary="Get an institution",
    description="One directory entry with its working hours and contact point for civil society.",
    url_name="institution",
)
def get_institution(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Institution:
    qs = Institution.objects.select_related("kind").prefetch_related("hours", "area_municipalities")
    obj = with_services_count(qs).filter(pk=id).first()
    if obj is None:
        raise HttpError(404, f"No institution with id {id}.")
    return obj


# --- Services -------------------------------------------------------------------------------


class InstitutionRef(Schema):
    id: int
    name: str = Field(description="The institution's name in Bulgarian.")
    url: str = Field(description="The institution's page on the portal.")

    @staticmethod
    def resolve_name(obj: Institution) -> str:
        return obj.name_bg

    @staticmethod
    def resolve_url(obj: Institution) -> str:
        return page_url(obj)


class ServiceOut(Schema):
    id: int
    name: str
    register_code: str = Field(
        description="Number in the Register of services of the Administrative Register."
    )
    institution: InstitutionRef = Field(description="The institution that provides it.")
    fee_eur: str | None = Field(
        description='Fee in euro as a decimal string ("2.56"); "0.00" = free; null = not stated.'
    )
    deadline: str = Field(description="Deadline as the institution states it.")
    in_person: bool = Field(description="May be applied for in person at the institution.")
    by_post: bool = Field(description="May be applied for by post.")
    online_url: str = Field(description="Where to apply online (empty if not online).")
    url: str = Field(description="The service's page on the portal.")

    @staticmethod
    def resolve_fee_eur(obj: Service) -> str | None:
        return None if obj.fee_eur is None else f"{obj.fee_eur:.2f}"

    @staticmethod
    def resolve_url(obj: Service) -> str:
        return service_page_url(obj)


class ServiceDetail(ServiceOut):
    description: str = Field(description="Plain text; paragraphs separated by blank lines.")
    legal_basis: str
    who_may_apply: str
    documents: list[str] = Field(description="The documents needed, one an item.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_documents(obj: Service) -> list[str]:
        return obj.document_list


@router.get(
    "/services",
    response=list[ServiceOut],
    summary="List administrative services",
    description=(
        "Administrative services of the institutions of the directory, with their fee, "
        "deadline and ways to apply; ordered by id, or with `q` best match first (the exact "
        "name, then the population the institution serves). `institution` lists one "
        "institution's services (404 if there is no such institution), `q` searches the "
        "names, institutions and places in any script."
    ),
    url_name="services",
)
@paginate(PagePagination)
def list_services(
    request: Any,
    institution: Annotated[
        int | None, Query(None, ge=1, le=MAX_ID, description="Id of the institution.")
    ] = None,
    q: Annotated[
        str | None,
        Query(None, max_length=MAX_QUERY_LENGTH, description="Words of the name, any script."),
    ] = None,
) -> QuerySet[Service] | selectors.ServiceSearch:
    if institution is not None and not Institution.objects.filter(pk=institution).exists():
        raise HttpError(404, f"No institution with id {institution}.")
    if q and q.strip():
        filters = selectors.Filters(q=q.strip())
        return selectors.ServiceSearch(selectors.service_entries(filters, institution))
    qs = (
        Service.objects.select_related("institution")
        .only(*selectors.SERVICE_LIST_FIELDS)
        .order_by("pk")
    )
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    return qs


@router.get(
    "/services/{id}",
    response=ServiceDetail,
    summary="Get an administrative service",
    description="One service with its description, legal basis, who may apply and documents.",
    url_name="service",
)
def get_service(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Service:
    obj = Service.objects.select_related("institution").filter(pk=id).first()
    if obj is None:
        raise HttpError(404, f"No service with id {id}.")
    return obj
