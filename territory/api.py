"""Read API of Bulgaria's territorial units (EKATTE): /api/v1/regions, provinces, ... .

Every list is `{count, items}` (core/pagination.py) and eager-loads what its items show, so a
page costs the same few queries whatever its size. Items carry their official code, both
names, the canonical page URL on the portal and the codes of their parents.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
import functools
import re
from typing import Annotated, Any

from django.conf import settings
from django.db.models import F, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core import search as search_index
from core.pagination import PagePagination
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    PlanningRegion,
    Province,
    RegionMembership,
    Settlement,
    SettlementKind,
)

router = Router(tags=["territory"])

MAX_QUERY_LENGTH = 200

# Query parameters shared by several operations (Annotated keeps the defaults plain values).
NameQuery = Annotated[
    str | None,
    Query(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Search in names, Cyrillic or Latin, any case; every word matches as a "
        "prefix (`plov` finds Пловдив).",
    ),
]
OnDate = Annotated[
    datetime.date | None, Query(None, description="Composition on this date (YYYY-MM-DD).")
]
# Official codes are short runs of letters, digits and hyphens (see CODE_PATTERN); a code
# parameter that is not one is refused with 422 before it reaches the database.
CODE_REGEX = r"^[A-Za-z0-9-]{1,16}$"
ProvinceCode = Annotated[
    str | None, Query(None, pattern=CODE_REGEX, description="Province code (PDV).")
]
# Strict forms of the codes, for the other apps' filters (a malformed one is a 422).
ProvinceFilter = Annotated[
    str | None, Query(None, pattern=r"^[A-Z]{3}$", description="Province code (PDV).")
]
MunicipalityFilter = Annotated[
    str | None,
    Query(None, pattern=r"^[A-Z]{3}[0-9]{2}$", description="Municipality code (PDV22)."),
]
# Words of a title for the site's search index (consultations, events); no control
# characters: PostgreSQL refuses NUL in text.
TitleWords = Annotated[
    str | None,
    Query(
        None,
        max_length=MAX_QUERY_LENGTH,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$",
        description="Words of the title, any script.",
    ),
]


# --- Helpers ------------------------------------------------------------------------------


# The page of each kind of unit, by URL name; the same names as the models' get_absolute_url.
_PAGE_URL_NAMES: dict[type[Model], str] = {
    PlanningRegion: "territory:region",
    Province: "territory:province",
    Municipality: "territory:municipality",
    Mayoralty: "territory:mayoralty",
    Settlement: "territory:settlement",
    CityDistrict: "territory:district",
}
_CODE = "00000CODE00000"


@functools.cache
def _page_url_pattern(url_name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(url_name, args=[_CODE])


def directory_pdf_url(obj: Province | Municipality) -> str:
    """The unit's printable directory (PDF) page. Reversed by name: territory must not
    import the directory app (the layering contract), but may link to its pages."""
    if isinstance(obj, Municipality):
        return _page_url_pattern("directory:print-municipality").replace(_CODE, str(obj.pk))
    return _page_url_pattern("directory:print-province").replace(_CODE, str(obj.pk))


def page_url(obj: Model) -> str:
    """The canonical (Bulgarian, unprefixed) page of a unit, whatever the client's language.

    The API is language-neutral (it gives both names), so its links must not change with
    the Accept-Language header of whoever asked. A reverse() per item took 40% of the time
    of a list, so each kind's pattern is reversed once and the code put into it (codes are
    letters, digits and hyphens: nothing to escape).
    """
    return _page_url_pattern(_PAGE_URL_NAMES[type(obj)]).replace(_CODE, str(obj.pk))


def name_filter(queryset: QuerySet[Any], q: str | None) -> QuerySet[Any]:
    """Narrow a list to the units whose search entry matches `q` (see core/search.py).

    Going through the portal's search index keeps the API consistent with the search page:
    Latin and Cyrillic, any case, word prefixes. A model nobody registered in search falls
    back to a plain case-insensitive match on its names.
    """
    q = (q or "").strip()
    if not q:
        return queryset
    model = queryset.model
    for kind in search_index.kinds():
        if kind.model is model:
            ids = search_index.matching(q, kind=kind.kind).values("object_id")
            return queryset.filter(pk__in=ids)
    return queryset.filter(Q(name_bg__icontains=q) | Q(name_en__icontains=q))


# Official codes are short runs of letters, digits and hyphens (PDV, PDV22-01, 68134-24).
# Anything else cannot exist; refusing it early also keeps bytes such as NUL, which
# PostgreSQL rejects in text, away from the database.
CODE_PATTERN = re.compile(r"[A-Za-z0-9-]{1,16}")


def get_or_404(queryset: QuerySet[Any], label: str, code: str) -> Any:
    if not CODE_PATTERN.fullmatch(code):
        raise HttpError(404, f"No {label} with code {code!r}.")
    try:
        return queryset.get(pk=code)
    except queryset.model.DoesNotExist:
        raise HttpError(404, f"No {label} with code {code!r}.") from None


def _region_today(province_field: str) -> Subquery:
    """The code of today's planning region of the province in `province_field`, as a subquery.

    One correlated subquery on the small membership table instead of prefetching memberships keeps a
    list at two queries (COUNT and rows).
    """
    return Subquery(
        RegionMembership.objects.valid_on(timezone.localdate())
        .filter(province_id=OuterRef(province_field))
        .order_by("-valid_from")
        .values("region_id")[:1]
    )


# --- Schemas ------------------------------------------------------------------------------


class SettlementRef(Schema):
    """A settlement named by another unit (an administrative centre, a district's city)."""

    ekatte: str = Field(description="EKATTE code.")
    name_bg: str
    name_en: str
    url: str = Field(description="The settlement's page on the portal.")

    @staticmethod
    def resolve_url(obj: Settlement) -> str:
        return page_url(obj)


class RegionOut(Schema):
    code: str = Field(description="Today's NUTS-2 code of the region (its stable identifier).")
    nuts2_code: str = Field(description="The NUTS-2 code the region had on the date asked.")
    name_bg: str
    name_en: str
    nuts1: str = Field(description="NUTS-1 code.")
    is_current: bool = Field(description="Whether the region exists today.")
    url: str
    provinces: list[str] = Field(description="Codes of the region's provinces on the date asked.")

    @staticmethod
    def resolve_nuts1(obj: PlanningRegion) -> str:
        return obj.nuts1_id

    @staticmethod
    def resolve_nuts2_code(obj: PlanningRegion) -> str:
        memberships = obj.memberships_then  # type: ignore[attr-defined]
        return memberships[0].nuts2_code if memberships else obj.code

    @staticmethod
    def resolve_provinces(obj: PlanningRegion) -> list[str]:
        return sorted(m.province_id for m in obj.memberships_then)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: PlanningRegion) -> str:
        return page_url(obj)


class ProvinceOut(Schema):
    code: str = Field(description="NSI three-letter code (e.g. PDV).")
    iso_code: str = Field(description="ISO 3166-2 code (e.g. BG-16).")
    nuts3_code: str = Field(description="NUTS-3 code (e.g. BG421).")
    name_bg: str
    name_en: str
    url: str
    region: str | None = Field(description="Code of today's planning region.")
    admin_centre: SettlementRef | None
    population_2017: int | None = Field(description="Population (NSI, 2017).")
    municipalities_count: int
    settlements_count: int
    directory_pdf: str = Field(
        description="The page of the province's printable directory of institutions (PDF)."
    )

    @staticmethod
    def resolve_region(obj: Province) -> str | None:
        return obj.region_today  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Province) -> str:
        return page_url(obj)

    @staticmethod
    def resolve_directory_pdf(obj: Province) -> str:
        return directory_pdf_url(obj)


class ProvinceDetail(ProvinceOut):
    municipalities: list[str] = Field(description="Codes of the province's municipalities.")

    @staticmethod
    def resolve_municipalities(obj: Province) -> list[str]:
        return list(obj.municipalities.order_by("code").values_list("code", flat=True))


class MunicipalityOut(Schema):
    code: str = Field(description="EKATTE municipality code (e.g. PDV22).")
    name_bg: str
    name_en: str
    url: str
    province: str = Field(description="Province code.")
    region: str | None = Field(description="Code of today's planning region.")
    admin_centre: SettlementRef | None
    category: int | None = Field(description="NSI category (1 = largest).")
    population_2017: int | None
    settlements_count: int
    mayoralties_count: int
    directory_pdf: str = Field(
        description="The page of the municipality's printable directory of institutions (PDF)."
    )

    @staticmethod
    def resolve_province(obj: Municipality) -> str:
        return obj.province_id

    @staticmethod
    def resolve_directory_pdf(obj: Municipality) -> str:
        return directory_pdf_url(obj)

    @staticmethod
    def resolve_region(obj: Municipality) -> str | None:
        return obj.region_today  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Municipality) -> str:
        return page_url(obj)


class MunicipalityDetail(MunicipalityOut):
    mayoralties: list[str] = Field(description="Codes of the municipality's mayoralties.")
    districts: list[str] = Field(description="Codes of its city districts (Sofia, Plovdiv, Varna).")

    @staticmethod
    def resolve_mayoralties(obj: Municipality) -> list[str]:
        return list(obj.mayoralties.order_by("code").values_list("code", flat=True))

    @staticmethod
    def resolve_districts(obj: Municipality) -> list[str]:
        return list(obj.districts.order_by("code").values_list("code", flat=True))


class MayoraltyOut(Schema):
    code: str = Field(description="Mayoralty code (e.g. PDV01-05).")
    name_bg: str
    name_en: str
    url: str
    municipality: str = Field(description="Municipality code.")
    province: str = Field(description="Province code.")
    centre: SettlementRef | None
    category: int | None
    settlements_count: int

    @staticmethod
    def resolve_municipality(obj: Mayoralty) -> str:
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: Mayoralty) -> str:
        return obj.province_code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Mayoralty) -> str:
        return page_url(obj)


class MayoraltyDetail(MayoraltyOut):
    settlements: list[str] = Field(description="EKATTE codes of the mayoralty's settlements.")

    @staticmethod
    def resolve_settlements(obj: Mayoralty) -> list[str]:
        return list(obj.settlements.order_by("ekatte").values_list("ekatte", flat=True))


class SettlementOut(Schema):
    ekatte: str = Field(description="EKATTE code (e.g. 56784).")
    kind: SettlementKind
    type_abbr: str = Field(description="гр. (town), с. (village) or ман. (monastery).")
    name_bg: str
    name_en: str
    url: str
    municipality: str = Field(description="Municipality code.")
    province: str = Field(description="Province code.")
    mayoralty: str | None = Field(description="Mayoralty code, if it has one.")
    is_municipal_centre: bool
    is_province_centre: bool
    category: int | None
    altitude_band: str
    population_2017: int | None

    @staticmethod
    def resolve_municipality(obj: Settlement) -> str:
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: Settlement) -> str:
        return obj.province_code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_mayoralty(obj: Settlement) -> str | None:
        return obj.mayoralty_id

    @staticmethod
    def resolve_url(obj: Settlement) -> str:
        return page_url(obj)


class SettlementDetail(SettlementOut):
    districts: list[str] = Field(description="Codes of the city's districts, if it has any.")

    @staticmethod
    def resolve_districts(obj: Settlement) -> list[str]:
        return list(obj.districts.order_by("code").values_list("code", flat=True))


class DistrictOut(Schema):
    code: str = Field(description="District code (e.g. 56784-01).")
    name_bg: str
    name_en: str
    url: str
    city: SettlementRef
    municipality: str = Field(description="Municipality code.")
    province: str = Field(description="Province code.")

    @staticmethod
    def resolve_municipality(obj: CityDistrict) -> str:
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: CityDistrict) -> str:
        return obj.province_code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: CityDistrict) -> str:
        return page_url(obj)


# --- Querysets: what each list eager-loads ----------------------------------------------------
# Lists are ordered by official code: stable for clients paging through, and served by the
# primary-key index, whereas ordering 5,256 settlements by name sorted them all on every page.
# The map shapes (SVG paths, tens of kilobytes per unit) are never part of an item: deferred.
# A parent's parent comes as an annotated code (province_code) rather than a joined object.
SHAPE_FIELDS = ("svg_path", "bbox")


def regions_on(day: datetime.date | None) -> QuerySet[PlanningRegion]:
    """Regions with their provinces on `day`; without a day, today's regions as they are now."""
    memberships = RegionMembership.objects.valid_on(day or timezone.localdate())
    qs = (
        PlanningRegion.objects.defer(*SHAPE_FIELDS)
        .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="memberships_then"))
        .order_by("code")
    )
    if day is None:
        return qs.filter(is_current=True)
    return qs.filter(code__in=memberships.values("region_id"))


def provinces() -> QuerySet[Province]:
    return (
        Province.objects.defer(*SHAPE_FIELDS)
        .select_related("admin_centre")
        .annotate(region_today=_region_today("pk"))
        .order_by("code")
    )


def municipalities() -> QuerySet[Municipality]:
    return (
        Municipality.objects.defer(*SHAPE_FIELDS)
        .select_related("admin_centre")
        .annotate(region_today=_region_today("province_id"))
        .order_by("code")
    )


def mayoralties() -> QuerySet[Mayoralty]:
    return (
        Mayoralty.objects.select_related("centre")
        .annotate(province_code=F("municipality__province_id"))
        .order_by("code")
    )


def settlements() -> QuerySet[Settlement]:
    return Settlement.objects.annotate(province_code=F("municipality__province_id")).order_by(
        "ekatte"
    )


def districts() -> QuerySet[CityDistrict]:
    return (
        CityDistrict.objects.select_related("city")
        .annotate(province_code=F("municipality__province_id"))
        .order_by("code")
    )


# --- Operations -------------------------------------------------------------------------------


@router.get(
    "/regions",
    response=list[RegionOut],
    summary="List planning regions",
    description=(
        "The planning regions (NUTS-2) with the codes of their provinces. Without `on`, "
        "today's regions; with `on=YYYY-MM-DD`, the regions and their composition on that "
        "date (e.g. `2007-12-31`: South Central still had Stara Zagora)."
    ),
    url_name="regions",
)
@paginate(PagePagination)
def list_regions(
    request: Any,
    on: OnDate = None,
) -> QuerySet[PlanningRegion]:
    return regions_on(on)


@router.get(
    "/regions/{code}",
    response=RegionOut,
    summary="Get a planning region",
    description="One planning region with its provinces today, or on the date `on`.",
    url_name="region",
)
def get_region(
    request: Any,
    code: str,
    on: OnDate = None,
) -> PlanningRegion:
    memberships = RegionMembership.objects.valid_on(on or timezone.localdate())
    qs = PlanningRegion.objects.defer(*SHAPE_FIELDS).prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="memberships_then")
    )
    return get_or_404(qs, "planning region", code)


@router.get(
    "/provinces",
    response=list[ProvinceOut],
    summary="List provinces",
    description="The 28 provinces (области), filtered by planning region or by name.",
    url_name="provinces",
)
@paginate(PagePagination)
def list_provinces(
    request: Any,
    region: Annotated[
        str | None,
        Query(None, pattern=CODE_REGEX, description="Code of today's planning region (BG42)."),
    ] = None,
    q: NameQuery = None,
) -> QuerySet[Province]:
    qs = provinces()
    if region:
        in_region = RegionMembership.objects.valid_on(timezone.localdate()).filter(region_id=region)
        qs = qs.filter(code__in=in_region.values("province_id"))
    return name_filter(qs, q)


@router.get(
    "/provinces/{code}",
    response=ProvinceDetail,
    summary="Get a province",
    description="One province with its region, ISO and NUTS codes, centre, population, "
    "counts and the codes of its municipalities.",
    url_name="province",
)
def get_province(request: Any, code: str) -> Province:
    return get_or_404(provinces(), "province", code)


@router.get(
    "/municipalities",
    response=list[MunicipalityOut],
    summary="List municipalities",
    description="The 265 municipalities (общини), filtered by province or by name.",
    url_name="municipalities",
)
@paginate(PagePagination)
def list_municipalities(
    request: Any,
    province: ProvinceCode = None,
    q: NameQuery = None,
) -> QuerySet[Municipality]:
    qs = municipalities()
    if province:
        qs = qs.filter(province_id=province)
    return name_filter(qs, q)


@router.get(
    "/municipalities/{code}",
    response=MunicipalityDetail,
    summary="Get a municipality",
    description="One municipality with its centre, counts and the codes of its mayoralties "
    "and city districts.",
    url_name="municipality",
)
def get_municipality(request: Any, code: str) -> Municipality:
    return get_or_404(municipalities(), "municipality", code)


@router.get(
    "/settlements",
    response=list[SettlementOut],
    summary="List settlements",
    description="The 5,256 settlements (населени места) of EKATTE, filtered by municipality, "
    "province, kind or name.",
    url_name="settlements",
)
@paginate(PagePagination)
def list_settlements(
    request: Any,
    municipality: Annotated[
        str | None, Query(None, pattern=CODE_REGEX, description="Municipality code (PDV22).")
    ] = None,
    province: ProvinceCode = None,
    kind: Annotated[
        SettlementKind | None, Query(None, description="town, village or monastery.")
    ] = None,
    q: NameQuery = None,
) -> QuerySet[Settlement]:
    qs = settlements()
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if province:
        qs = qs.filter(municipality__province_id=province)
    if kind:
        qs = qs.filter(kind=kind)
    return name_filter(qs, q)


@router.get(
    "/settlements/{ekatte}",
    response=SettlementDetail,
    summary="Get a settlement",
    description="One settlement by its EKATTE code, with its parents and city districts.",
    url_name="settlement",
)
def get_settlement(request: Any, ekatte: str) -> Settlement:
    return get_or_404(settlements(), "settlement", ekatte)


@router.get(
    "/mayoralties",
    response=list[MayoraltyOut],
    summary="List mayoralties",
    description="The 3,041 mayoralties (кметства), filtered by municipality, province or name.",
    url_name="mayoralties",
)
@paginate(PagePagination)
def list_mayoralties(
    request: Any,
    municipality: Annotated[
        str | None, Query(None, pattern=CODE_REGEX, description="Municipality code (PDV01).")
    ] = None,
    province: ProvinceCode = None,
    q: NameQuery = None,
) -> QuerySet[Mayoralty]:
    qs = mayoralties()
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if province:
        qs = qs.filter(municipality__province_id=province)
    return name_filter(qs, q)


@router.get(
    "/mayoralties/{code}",
    response=MayoraltyDetail,
    summary="Get a mayoralty",
    description="One mayoralty with its centre and the EKATTE codes of its settlements.",
    url_name="mayoralty",
)
def get_mayoralty(request: Any, code: str) -> Mayoralty:
    return get_or_404(mayoralties(), "mayoralty", code)


@router.get(
    "/districts",
    response=list[DistrictOut],
    summary="List city districts",
    description="The districts (райони) of Sofia, Plovdiv and Varna.",
    url_name="districts",
)
@paginate(PagePagination)
def list_districts(
    request: Any,
    city: Annotated[
        str | None,
        Query(None, pattern=CODE_REGEX, description="EKATTE code of the city (68134 = Sofia)."),
    ] = None,
    municipality: Annotated[
        str | None, Query(None, pattern=CODE_REGEX, description="Municipality code.")
    ] = None,
    q: NameQuery = None,
) -> QuerySet[CityDistrict]:
    qs = districts()
    if city:
        qs = qs.filter(city_id=city)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    return name_filter(qs, q)


@router.get(
    "/districts/{code}",
    response=DistrictOut,
    summary="Get a city district",
    description="One city district with its city and municipality.",
    url_name="district",
)
def get_district(request: Any, code: str) -> CityDistrict:
    return get_or_404(districts(), "city district", code)
