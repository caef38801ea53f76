from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from core import search as search_index

MAX_QUERY_LENGTH = 200


def healthz(request: HttpRequest) -> HttpResponse:
    """The bare 'hello' view: a load balancer's health check and the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


def search(request: HttpRequest) -> HttpResponse:
    """Global search over everything registered in core.search, grouped by kind."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    only = request.GET.get("type", "")
    kind = search_index.get_kind(only) if only else None
    context: dict[str, object] = {
        "q": q,
        "kinds": search_index.kinds(),
        "selected_kind": kind,
        "breadcrumbs": [(_("Search"), "")],
    }
    if q and kind:
        paginator = Paginator(search_index.matching(q, kind=kind.kind), 25)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
    elif q:
        context["groups"] = search_index.grouped(q, per_kind=10)
    return render(request, "core/search.html", context)


@cache_control(max_age=3600, public=True)
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility.html",
        {
            "breadcrumbs": [(_("Accessibility statement"), "")],
            "contact": settings.DEFAULT_FROM_EMAIL,
        },
    )


def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about_data.html", {"breadcrumbs": [(_("Data sources"), "")]})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
