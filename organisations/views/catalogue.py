"""The catalogue: search with facets, an organisation's page (placeholder)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def index(request: HttpRequest) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
]
