"""GET /api/v1/search: the portal's search (core.search) as JSON, grouped by type."""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

from typing import Annotated, Any

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from core import search as search_index

router = Router(tags=["search"])

MAX_QUERY_LENGTH = 200
MAX_PER_TYPE = 50


class SearchItem(Schema):
    title: str = Field(description="Title in the language of the request (Accept-Language).")
    subtitle: str
    url: str = Field(description="The page on the portal.")
    id: str = Field(description="The object's code or id, as used by its own API endpoint.")

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.object_id


class SearchGroup(Schema):
    type: str = Field(description="Type of the results (e.g. municipality).")
    label: str = Field(description="Human name of the type.")
    count: int = Field(
        description=(
            "Matches of this type, counted up to "
            f"{search_index.COUNT_CAP}; `items` holds the best of them."
        )
    )
    count_capped: bool = Field(
        description=(
            f"True when there are more than {search_index.COUNT_CAP} matches of this type: "
            "`count` is then the cap, not the number of matches."
        )
    )
    items: list[SearchItem]


class SearchOut(Schema):
    query: str
    groups: list[SearchGroup]


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ("query", field), "msg": message, "type": "value_error"}])


@router.get(
    "/search",
    response=SearchOut,
    summary="Search everything",
    description=(
        "Search every public thing on the portal (territorial units and all that apps "
        "register), grouped by type. Cyrillic or Latin, any case; every word matches as a "
        "prefix, so `plovdiv` and `Плов` both find Пловдив."
    ),
    url_name="search",
)
def search(
    request: Any,
    q: Annotated[
        str, Query(..., max_length=MAX_QUERY_LENGTH, description="The words to look for.")
    ],
    type: Annotated[str | None, Query(None, description="Only results of this type.")] = None,
    limit: Annotated[
        int, Query(10, ge=1, le=MAX_PER_TYPE, description="Items per group (1–50).")
    ] = 10,
) -> dict[str, Any]:
    q = q.strip()
    if not q:
        raise _invalid("q", "must not be empty")
    if type and search_index.get_kind(type) is None:
        known = ", ".join(k.kind for k in search_index.kinds())
        raise _invalid("type", f"unknown type {type!r}; known types: {known}")
    groups = search_index.grouped(q, per_kind=limit, only=type or None)
    return {
        "query": q,
        "groups": [
            {
                "type": group.kind.kind,
                "label": str(group.kind.label),
                "count": group.count,
                "count_capped": group.capped,
                "items": group.entries,
            }
            for group in groups
        ],
    }
