"""Networks of organisations (placeholder)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def network(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("networks/<int:pk>/", network, name="network"),
]
