"""Read API of the library: /api/v1/publications (filters type, topic, audience, year and the
full-text `q`, which reads the attached files too) and one publication with its files,
chapters, editions and good-practice record.

Only published publications exist here: a draft is a 404 like an id never used. Links are
absolute on the portal's own address (SITE_URL). Lists are `{count, items}`
(core/pagination.py) and load what their items show in a fixed number of queries. Schema
names start with `Library`: they share the OpenAPI schema with every other app's.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.ical import absolute
from core.pagination import PagePagination
from library import selectors
from library.enums import AUDIENCE_FIELDS, Audience, PublicationType
from library.models import MAX_YEAR, MIN_YEAR, Publication, PublicationFile

router = Router(tags=["library"])

MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1


def _url(name: str, *args: Any) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(reverse(name, args=args))


class LibraryFileOut(Schema):
    title: str
    kind: str = Field(description="pdf, docx or odt.")
    size: int = Field(description="Bytes.")
    pages: int | None
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url("library:file", obj.pk)


class LibraryChapterOut(Schema):
    title: str
    anchor: str
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url("library:chapter", obj.publication_id, obj.anchor)


class LibraryEditionOut(Schema):
    id: int
    edition: int
    year: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url("library:detail", obj.pk)


class LibraryGoodPracticeOut(Schema):
    country: str
    place: str
    year: int | None
    what_was_done: str = Field(description="Markdown.")
    results: str = Field(description="Markdown.")
    contacts: str
    sources: list[str]

    @staticmethod
    def resolve_sources(obj: Any) -> list[str]:
        return list(obj.source_list)


class LibraryPublicationOut(Schema):
    id: int
    type: str = Field(description="One of: " + ", ".join(PublicationType.values) + ".")
    title: str
    summary: str
    year: int
    language: str
    edition: int
    audience: list[str] = Field(description="Some of: " + ", ".join(Audience.values) + ".")
    topics: list[str] = Field(description="Topic identifiers (slugs).")
    authors: str = Field(description="People who wrote it, as written by the editor.")
    is_example: bool = Field(description="Seed content written as an example.")
    licence: str
    published_at: datetime.datetime | None
    url: str

    @staticmethod
    def resolve_audience(obj: Any) -> list[str]:
        return list(obj.audiences)

    @staticmethod
    def resolve_topics(obj: Any) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url("library:detail", obj.pk)


class LibraryPublicationDetailOut(LibraryPublicationOut):
    body: str = Field(description="Markdown.")
    organisations: list[str] = Field(description="Names of the authoring organisations.")
    institutions: list[str] = Field(description="Names of the authoring institutions.")
    files: list[LibraryFileOut]
    chapters: list[LibraryChapterOut]
    editions: list[LibraryEditionOut] = Field(description="Published editions, first to last.")
    good_practice: LibraryGoodPracticeOut | None
    pdf_url: str | None = Field(description="The whole text as a PDF, when it has chapters.")

    @staticmethod
    def resolve_organisations(obj: Any) -> list[str]:
        return [o.name for o in obj.organisations.all()]

    @staticmethod
    def resolve_institutions(obj: Any) -> list[str]:
        return [i.name_bg for i in obj.institutions.all()]

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())

    @staticmethod
    def resolve_chapters(obj: Any) -> list[Any]:
        return list(obj.chapters.all())

    @staticmethod
    def resolve_editions(obj: Any) -> list[Any]:
        return selectors.editions(obj)

    @staticmethod
    def resolve_good_practice(obj: Any) -> Any:
        return getattr(obj, "good_practice", None)

    @staticmethod
    def resolve_pdf_url(obj: Any) -> str | None:
        return _url("library:handbook-pdf", obj.pk) if list(obj.chapters.all()) else None


@router.get(
    "/publications",
    response=list[LibraryPublicationOut],
    summary="Publications of the library",
    description=(
        "Published handbooks, analyses, good practices, guides, templates and laws, newest "
        "first. `q` searches the title, text, chapters and the text of attached files, in "
        "Cyrillic or Latin."
    ),
    url_name="library-publications",
)
@paginate(PagePagination)
def publications(
    request: Any,
    type: Annotated[
        str | None,
        Query(None, description="One of: " + ", ".join(PublicationType.values) + "."),
    ] = None,
    topic: Annotated[
        str | None,
        Query(
            None,
            max_length=60,
            pattern=r"^[-a-zA-Z0-9_]+$",
            description="A topic's identifier (slug).",
        ),
    ] = None,
    audience: Annotated[
        str | None,
        Query(None, description="One of: " + ", ".join(Audience.values) + "."),
    ] = None,
    year: Annotated[int | None, Query(None, ge=MIN_YEAR, le=MAX_YEAR)] = None,
    q: Annotated[str | None, Query(None, max_length=MAX_QUERY_LENGTH)] = None,
) -> QuerySet[Publication]:
    if type and type not in PublicationType.values:
        raise HttpError(422, f"unknown type {type!r}; known: {', '.join(PublicationType.values)}")
    if audience and audience not in AUDIENCE_FIELDS:
        raise HttpError(422, f"unknown audience {audience!r}; known: {', '.join(Audience.values)}")
    filters = selectors.Filters(
        q=(q or "").strip(), type=type or "", topic=topic or "", audience=audience or "",
        year=year,
    )  # fmt: skip
    return selectors.filtered(filters).prefetch_related("topics").order_by("-published_at", "-pk")


@router.get(
    "/publications/{pk}",
    response=LibraryPublicationDetailOut,
    summary="One publication",
    url_name="library-publication",
)
def publication(request: Any, pk: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Publication:
    found = (
        Publication.objects.published()
        .select_related("good_practice")
        .prefetch_related(
            "topics",
            "organisations",
            "institutions",
            # The extracted text (up to a megabyte a file) is for the search only.
            Prefetch("files", queryset=PublicationFile.objects.defer("text")),
            "chapters",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise HttpError(404, f"No published publication with id {pk}.")
    return found
