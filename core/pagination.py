"""The one pagination of the read API: `{count, items}` with a 1-based `page` and `page_size`.

Every list endpoint uses `@paginate(PagePagination)`. It lives in core, not in the api app,
because each app's own `api.py` router uses it and apps may not import the api app (the
layering of DESIGN.md §4, checked by import-linter). Out-of-range values are rejected with a
422 (and a readable message, see api/api.py) rather than silently clamped, so a client that
asks for 1,000 rows learns that the limit is 500 instead of quietly getting fewer.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Far beyond any real list; it keeps the SQL OFFSET inside a 64-bit integer, so an absurd
# page number is a 422 and never a database error.
MAX_PAGE = 1_000_000


class PagePagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, starting at 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page (1–{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}).",
        )

    class Output(Schema):
        count: int = Field(description="Number of items in the whole list, on all pages.")
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        return page_of(queryset, pagination.page, pagination.page_size)


def page_of(queryset: QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of a queryset as `{count, items}`: a COUNT query plus one for the rows."""
    offset = (page - 1) * page_size
    return {"count": queryset.count(), "items": list(queryset[offset : offset + page_size])}
