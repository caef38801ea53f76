"""The read API (django-ninja): /api/v1/, schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from api.search import router as search_router
from assessments.api import router as assessments_router
from consultations.api import router as consultations_router
from directory.api import router as directory_router
from events.api import router as events_router
from library.api import router as library_router
from monitoring.api import router as monitoring_router
from news.api import router as news_router
from organisations.api import router as organisations_router
from territory.api import router as territory_router


class PortalAPI(NinjaAPI):
    def public_endpoints(self) -> list[dict[str, Any]]:
        """(method, path, summary) of every operation, for the human-readable API page."""
        schema = self.get_openapi_schema()
        rows = []
        for path, operations in schema["paths"].items():
            for method, op in operations.items():
                rows.append(
                    {"method": method.upper(), "path": path, "summary": op.get("summary", "")}
                )
        return rows


api = PortalAPI(
    title="Електронен регион API",
    version="1",
    description=(
        "Open data of the Electronic Region portal: Bulgaria's territorial units (EKATTE) and "
        "everything public on the portal. Lists are `{count, items}` objects paginated with "
        "`page` and `page_size` (at most 500), ordered by official code. Bad parameters give "
        "422 with a readable `message`; unknown codes give 404 with a `detail`."
    ),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with a sentence a person can read, beside the machine-readable details."""
    messages = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", [])[1:]) or "request"
        messages.append(f"{where}: {error.get('msg', 'invalid value')}")
    return api.create_response(
        request,
        {"message": "Invalid request parameters. " + "; ".join(messages), "detail": exc.errors},
        status=422,
    )


api.add_router("/", territory_router)
api.add_router("/", directory_router)
api.add_router("/", organisations_router)
api.add_router("/", consultations_router)
api.add_router("/", events_router)
api.add_router("/", monitoring_router)
api.add_router("/", assessments_router)
api.add_router("/", library_router)
api.add_router("/", news_router)
api.add_router("/", search_router)
