from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import search as search_index
from core.models import Page

MAX_QUERY_LENGTH = 200


def healthz(request: HttpRequest) -> HttpResponse:
    """The bare 'hello' view: a load balancer's health check and the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, resolving `next` in the language of its own address.

    With unprefixed Bulgarian URLs the switch request itself runs in Bulgarian, so Django
    alone cannot resolve "/en/..." to translate it back; activating the address's language
    first lets translate_url() map each page to the same page in the other language.
    """
    next_url = request.POST.get("next", "")
    with translation.override(translation.get_language_from_path(next_url) or "bg"):
        return django_set_language(request)


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
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """A page of information (core.models.Page), as the administrator last edited it."""
    found = get_object_or_404(Page.objects.exclude(slug=Page.Slug.ACCESSIBILITY), slug=slug)
    return _page(request, found)


def _page(request: HttpRequest, found: Page) -> HttpResponse:
    return render(
        request,
        "core/page.html",
        {
            "page": found,
            "breadcrumbs": [(found.title, "")],
            "admin_url": reverse("admin:core_page_change", args=[found.pk])
            if request.user.is_staff and request.user.has_perm("core.change_page")
            else "",
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    # The administrator's own statement, once written in the admin; until then the portal's.
    edited = Page.objects.filter(slug=Page.Slug.ACCESSIBILITY).first()
    if edited is not None:
        return _page(request, edited)
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
