"""The library as the public sees it: the list with full-text search and facets, a
publication's page, its files, a handbook read chapter by chapter and as one PDF, and the
collection of good practices.

A draft is a 404 for everyone but the editors (rules.py: view_publication). Pages run a fixed
number of queries however many publications there are (library/selectors.py).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import documents
from library import selectors
from library.enums import CONTENT_TYPES, Language, Licence, PublicationType, State
from library.forms import FilterForm, PracticeFilterForm
from library.models import Chapter, Publication, PublicationFile

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
PAGE_SIZE = 20
PDF_CACHE_SECONDS = 24 * 3600


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def load(request: HttpRequest, pk: int) -> Publication:
    """The publication, or a 404 for a draft to anyone but the editors."""
    publication = (
        Publication.objects.select_related(
            "province", "municipality", "previous_edition", "good_practice"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if publication is None or not request.user.has_perm("library.view_publication", publication):
        raise Http404
    return publication


def crumbs(*rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Library"), reverse("library:index")), *rest]


# --- The list ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors.Filters()
    facets = selectors.facets(filters)
    paginator = Paginator(selectors.listed(filters), PAGE_SIZE)
    paginator.count = facets.total  # counted with the facets: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    types = dict(PublicationType.choices)
    for row in rows:
        row.type_text = str(types.get(row.type, row.type))  # type: ignore[attr-defined]
    return render(
        request,
        "library/index.html",
        {
            "form": form,
            "filters": filters,
            "facets": facets,
            "page_obj": page,
            "rows": rows,
            "may_edit": request.user.has_perm("library.edit"),
            "breadcrumbs": [(_("Library"), "")],
        },
    )


# --- A publication -----------------------------------------------------------------------------


def _authors(publication: Publication) -> list[tuple[str, str]]:
    """(name, page) of every author: people (no page), organisations and institutions."""
    found: list[tuple[str, str]] = [
        (name.strip(), "") for name in publication.authors.split(",") if name.strip()
    ]
    found += [(o.display_name, o.get_absolute_url()) for o in publication.organisations.all()]
    found += [(i.name, i.get_absolute_url()) for i in publication.institutions.all()]
    return found


def _uses(publication: Publication) -> list[tuple[str, str, str]]:
    """(what, title, page) of each public consultation, event or campaign it is used in."""
    out = []
    rows = publication.uses.select_related("consultation", "event", "campaign")
    for use in rows:
        if use.consultation is not None and use.consultation.is_public:
            out.append(
                (_("Consultation"), use.consultation.title, use.consultation.get_absolute_url())
            )
        elif use.event is not None and use.event.state != "draft":
            out.append((_("Event"), use.event.title, use.event.get_absolute_url()))
        elif use.campaign is not None and use.campaign.state != "draft":
            out.append((_("Assessment"), use.campaign.title, use.campaign.get_absolute_url()))
    return out


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = load(request, pk)
    may_edit = request.user.has_perm("library.edit_publication", publication)
    place = publication.municipality or publication.province
    rows: list[tuple[str, Any]] = [
        (_("Type"), publication.get_type_display()),
        (_("Year"), publication.year),
        (_("Edition"), publication.edition),
        (_("Language"), Language(publication.language).label),
        (_("For whom"), ", ".join(publication.audience_labels()) or "—"),
        (_("Topics"), ", ".join(t.name for t in publication.topics.all()) or "—"),
        (_("Licence"), Licence(publication.licence).label),
    ]
    if place is not None:
        rows.insert(4, (_("Territory"), place.name))
    if publication.published_at:
        rows.append((_("Published"), f"{timezone.localtime(publication.published_at):%d.%m.%Y}"))
    files = list(publication.files.defer("text"))  # the extracted text is for the search
    chapters = list(publication.chapters.only("pk", "title", "anchor", "position", "publication"))
    return render(
        request,
        "library/detail.html",
        {
            "publication": publication,
            "rows": rows,
            "authors": _authors(publication),
            "files": files,
            "chapters": chapters,
            "editions": selectors.editions(publication, may_edit),
            "uses": _uses(publication),
            "case": getattr(publication, "good_practice", None),
            "may_edit": may_edit,
            "history": list(publication.changes.select_related("by")) if may_edit else [],
            "is_draft": publication.state == State.DRAFT,
            "breadcrumbs": crumbs((publication.title, "")),
        },
    )


@require_http_methods(["GET", "HEAD"])
def file(request: HttpRequest, pk: int) -> FileResponse:
    row = get_object_or_404(PublicationFile.objects.select_related("publication"), pk=_pk(pk))
    if not request.user.has_perm("library.view_publication", row.publication):
        raise Http404
    try:
        handle = row.file.storage.open(row.file.name or "", "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=os.path.basename(row.file.name or f"file.{row.kind}"),
        content_type=CONTENT_TYPES.get(row.kind, "application/octet-stream"),
    )
    # Short: an editor may unpublish the publication; drafts are never cached by others.
    response["Cache-Control"] = (
        "public, max-age=300" if row.publication.is_public else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- A handbook read as web pages and as a PDF -------------------------------------------------


def _chapters(publication: Publication) -> list[Chapter]:
    chapters = list(publication.chapters.only("pk", "title", "anchor", "position", "publication"))
    if not chapters:
        raise Http404
    return chapters


@require_http_methods(["GET", "HEAD"])
def contents(request: HttpRequest, pk: int) -> HttpResponse:
    publication = load(request, pk)
    chapters = _chapters(publication)
    return render(
        request,
        "library/contents.html",
        {
            "publication": publication,
            "chapters": chapters,
            "breadcrumbs": crumbs(
                (publication.title, publication.get_absolute_url()), (_("Contents"), "")
            ),
        },
    )


@require_http_methods(["GET", "HEAD"])
def chapter(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    publication = load(request, pk)
    chapters = _chapters(publication)
    at = next((n for n, c in enumerate(chapters) if c.anchor == anchor), None)
    if at is None:
        raise Http404
    current = Chapter.objects.get(pk=chapters[at].pk)
    return render(
        request,
        "library/chapter.html",
        {
            "publication": publication,
            "chapter": current,
            "number": at + 1,
            "count": len(chapters),
            "previous": chapters[at - 1] if at > 0 else None,
            "next": chapters[at + 1] if at + 1 < len(chapters) else None,
            "breadcrumbs": crumbs(
                (publication.title, publication.get_absolute_url()),
                (_("Contents"), reverse("library:contents", args=[publication.pk])),
                (current.title, ""),
            ),
        },
    )


def _print_css() -> SafeString:
    """The stylesheet with the "стр. 3 от 12" footer; page_counter_css escapes every character
    that could end a string or the <style> element."""
    css = render_to_string(
        "library/print/handbook.css",
        {"page_counter": mark_safe(documents.page_counter_css())},  # noqa: S308
    )
    return mark_safe(css)  # noqa: S308 - our template, values escaped as CSS strings


def render_handbook(publication: Publication) -> tuple[bytes, int]:
    """The whole handbook as a PDF (A4, table of contents, page numbers), in Bulgarian."""
    with translation.override("bg"):
        html = render_to_string(
            "library/print/handbook.html",
            {
                "publication": publication,
                "chapters": list(publication.chapters.all()),
                "authors": ", ".join(name for name, _url in _authors(publication)),
                "css": _print_css(),
            },
        )
    return documents.render_pdf(html)


@require_http_methods(["GET", "HEAD"])
def handbook_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Made once per revision of the publication (any change of it, its chapters or files
    moves the revision on) and kept in the cache."""
    publication = load(request, pk)
    _chapters(publication)
    key = f"library:pdf:{publication.pk}:{publication.revision}"
    data = cache.get(key)
    if data is None:
        data, _pages = render_handbook(publication)
        cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="publication-{publication.pk}.pdf"'
    if not publication.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


# --- Good practices ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def good_practices(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors.PracticeFilters()
    page = Paginator(selectors.good_practices(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "library/good_practices.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "cases": list(page.object_list),
            "countries": selectors.practice_countries(),
            "years": selectors.practice_years(),
            "breadcrumbs": crumbs((_("Good practices"), "")),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("good-practices/", good_practices, name="good-practices"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/contents/", contents, name="contents"),
    path("<int:pk>/contents/<slug:anchor>/", chapter, name="chapter"),
    path("<int:pk>/handbook.pdf", handbook_pdf, name="handbook-pdf"),
    path("files/<int:pk>/", file, name="file"),
]
