"""Read API of news (api/api.py mounts it under /api/v1/): `GET /api/v1/news` and
`GET /api/v1/news/{id}`.

Only items the public sees exist here: published ones and scheduled ones whose time has come.
Drafts, withdrawn items and those still to come are a 404 like an id never used. The text is
given as Markdown (`body`) and as the sanitised HTML the portal shows (`body_html`); images
with their required alternative text. Links are absolute on the portal's own address
(SITE_URL). Lists are `{count, items}` (core/pagination.py), newest first, and load what
their items show in a fixed number of queries.

The `publisher` filter takes a kind — `portal`, `institution`, `organisation`, `network` — or
one publisher: `institution-12`, `organisation-5`, `network-3` (the numbers are those of the
directory's and the catalogue's pages and APIs), as the events API's `organiser` does.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.ical import absolute
from core.legal_calendar import SOFIA
from core.models import Topic
from core.pagination import PagePagination
from news import publishers, selectors
from news.models import NewsImage, NewsItem
from territory.api import TitleWords

router = Router(tags=["news"])

MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error
_KINDS = "institution|organisation|network"
PUBLISHER_PATTERN = rf"^(portal|{_KINDS}|({_KINDS})-[1-9][0-9]{{0,17}})$"


def _absolute(path: str) -> str:
    return absolute(path)


class NewsPublisherOut(Schema):
    kind: str = Field(description="portal, institution, organisation or network.")
    id: int | None = Field(description="The institution's, organisation's or network's id.")
    name: str
    url: str = Field(description="The publisher's stream of news on the portal.")


class NewsImageOut(Schema):
    url: str
    alt: str = Field(description="Alternative text: what the image shows.")
    caption: str

    @staticmethod
    def resolve_url(obj: NewsImage) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return _absolute(obj.url)


class NewsItemOut(Schema):
    id: int
    kind: str = Field(description="news or announcement.")
    title: str
    lead: str
    url: str = Field(description="The item's page on the portal.")
    published_at: datetime.datetime = Field(description="Sofia time.")
    publisher: NewsPublisherOut
    topics: list[str] = Field(description="Slugs of the topics.")
    municipality: str | None = Field(description="Code of the municipality it concerns.")
    province: str | None = Field(description="Code of the province it concerns.")
    is_demo: bool

    @staticmethod
    def resolve_url(obj: NewsItem) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return _absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_published_at(obj: NewsItem) -> datetime.datetime:
        assert obj.publish_at is not None  # noqa: S101 - public items have one
        return obj.publish_at.astimezone(SOFIA)

    @staticmethod
    def resolve_publisher(obj: NewsItem) -> dict[str, Any]:
        publisher = obj.publisher
        with translation.override(settings.LANGUAGE_CODE):
            return {
                "kind": publisher.kind,
                "id": publisher.pk,
                "name": publisher.name,
                "url": _absolute(publisher.stream_url),
            }

    @staticmethod
    def resolve_topics(obj: NewsItem) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_municipality(obj: NewsItem) -> str | None:
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: NewsItem) -> str | None:
        return obj.province_id


class NewsItemDetailOut(NewsItemOut):
    body: str = Field(description="The text, in Markdown.")
    body_html: str = Field(description="The text as the portal shows it (sanitised HTML).")
    images: list[NewsImageOut]

    @staticmethod
    def resolve_images(obj: NewsItem) -> list[NewsImage]:
        return list(obj.images.all())


def public_items() -> QuerySet[NewsItem]:
    return (
        NewsItem.objects.public()
        .for_list()
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk", "slug")))
        .newest_first()
    )


@router.get(
    "/news",
    response=list[NewsItemOut],
    summary="List news and announcements",
    description=(
        "Published news and announcements of the portal, institutions, organisations and "
        "networks, newest first. `publisher` is a kind (portal, institution, organisation, "
        "network) or one publisher (institution-12, organisation-5, network-3); `q` searches "
        "the title, lead and text (Cyrillic or Latin, word beginnings). Filters combine (AND)."
    ),
    url_name="news",
)
@paginate(PagePagination)
def list_news(
    request: Any,
    publisher: Annotated[
        str | None,
        Query(
            None,
            pattern=PUBLISHER_PATTERN,
            description=(
                "portal, institution, organisation, network, or one publisher: "
                "institution-12, organisation-5, network-3."
            ),
        ),
    ] = None,
    q: TitleWords = None,
) -> QuerySet[NewsItem]:
    qs = public_items()
    if publisher:
        if publisher in selectors.PUBLISHER_KIND_FILTERS:
            qs = qs.filter(selectors.PUBLISHER_KIND_FILTERS[publisher])
        else:
            kind, pk = publishers.parse_key(publisher)
            qs = qs.filter(**{f"{kind}_id": pk})
    if q and q.strip():
        qs = selectors.matching(qs, q.strip())
    return qs


@router.get(
    "/news/{id}",
    response=NewsItemDetailOut,
    summary="Get a news item",
    description="One published item with its text and images.",
    url_name="news-item",
)
def get_news_item(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> NewsItem:
    found = public_items().prefetch_related("images").filter(pk=id).first()
    if found is None:
        raise HttpError(404, f"No published news item with id {id}.")
    return found
