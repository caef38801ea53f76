"""Read API of assessments: /api/v1/assessments, the published campaigns with their indices
(each group of respondents: the whole campaign, each respondent type, each municipality), and
one campaign. Only published campaigns exist here; a group under the campaign's anonymity
threshold is left out, as on the pages and in the exports (assessments/exports.py)."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from typing import Annotated, Any

from django.conf import settings
from django.urls import reverse
from ninja import Path, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from assessments.exports import index_document
from assessments.models import Campaign
from core.pagination import PagePagination

router = Router(tags=["assessments"])
MAX_ID = 2**63 - 1


class AssessmentDimensionOut(Schema):
    slug: str
    name: str
    name_en: str
    weight: float


class AssessmentMunicipalityOut(Schema):
    code: str
    name: str


class AssessmentSpreadOut(Schema):
    sd: float | None
    q1: float | None
    median: float | None
    q3: float | None


class AssessmentGroupOut(Schema):
    respondent_type: str
    municipality: AssessmentMunicipalityOut | None
    answers: int
    indices: dict[str, float]
    spread: AssessmentSpreadOut


class AssessmentOut(Schema):
    id: int
    title: str
    url: str
    api_url: str
    opens_on: str
    closes_on: str
    anonymity: str
    minimum_group_size: int
    previous_round: int | None
    dimensions: list[AssessmentDimensionOut]
    groups: list[AssessmentGroupOut]


def _document(campaign: Campaign, municipalities: bool = True) -> dict[str, Any]:
    """The campaign's indices; without `municipalities`, only those of the whole campaign and
    of each respondent type (the list's items; one campaign has a group per municipality)."""
    data = index_document(campaign)
    groups = data["groups"]
    if not municipalities:
        groups = [g for g in groups if g["municipality"] is None]
    return {
        **data,
        "groups": groups,
        "url": settings.SITE_URL + campaign.get_absolute_url(),
        "api_url": settings.SITE_URL + reverse("api:assessment", args=[campaign.pk]),
        "opens_on": data["period"]["from"],
        "closes_on": data["period"]["to"],
    }


class _Documents:
    """The published campaigns as the paginator reads a queryset (count, slice), each made
    into its document only for the page asked for."""

    def __init__(self) -> None:
        self.campaigns = Campaign.objects.published().order_by("-opens_on", "-pk")

    def count(self) -> int:
        return self.campaigns.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_document(c, municipalities=False) for c in self.campaigns[page]]


@router.get(
    "/assessments",
    response=list[AssessmentOut],
    summary="List published assessments with their indices",
    description=(
        "Published capacity-assessment campaigns, newest first, each with its indices 0–100 "
        "per dimension and overall of all respondents and of each respondent type "
        "(administration, council, organisation); `api_url` gives one campaign with the "
        "indices of every municipality too. Groups with fewer answers than "
        "`minimum_group_size` are left out."
    ),
    url_name="assessments",
)
@paginate(PagePagination)
def list_assessments(request: Any) -> Any:
    return _Documents()


@router.get(
    "/assessments/{id}",
    response=AssessmentOut,
    summary="Get a published assessment with its indices",
    description=(
        "One published campaign with the indices of every group shown: all respondents, each "
        "respondent type, each municipality (all types and each type)."
    ),
    url_name="assessment",
)
def get_assessment(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Any:
    found = Campaign.objects.published().filter(pk=id).first()
    if found is None:
        raise HttpError(404, f"No published assessment with id {id}.")
    return _document(found)
