"""The printable catalogue (PDF) of any filter of the catalogue: status page and file.

GET /organisations/print/?province=PDV&field=youth takes the catalogue's filters (checked as
the catalogue checks them, with the same messages: `pdf.CatalogueScope`), works out the
fingerprint of the data in scope (`pdf.version`) and shows what there is for it: the file,
the progress while it is being made (the page refreshes itself, no JavaScript needed, and can
be told to stop), a failure with "try again", or a button that asks for it. POST to the same
address (CSRF-protected, rate-limited with the directory's PDFs: one worker makes both)
stores a `PrintedCatalogue` row and queues `tasks.make_printed_catalogue`; the same filter
and fingerprint are never made twice. Over `pdf.MAX_ORGANISATIONS` organisations the page
asks to narrow the filter and offers the open-data exports instead.

Anyone may look and download: the document holds only public entries. A file is served only
while it is current: an older one could list an organisation hidden since.
The lifecycle is core/documents.py's.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import documents
from core.ratelimit import ratelimit
from organisations import pdf
from organisations.models import PrintedCatalogue
from organisations.tasks import make_printed_catalogue

Status = PrintedCatalogue.Status
RATE_LIMIT, RATE_PERIOD = documents.RATE_LIMIT, documents.RATE_PERIOD


def request_pdf(scope: pdf.CatalogueScope, fingerprint: str) -> tuple[PrintedCatalogue, bool]:
    """The filter's row for this fingerprint and whether it was queued now
    (`core.documents.request`)."""
    return documents.request(
        PrintedCatalogue.objects.filter(filter_key=scope.key),
        PrintedCatalogue(query=scope.query, filter_key=scope.key, fingerprint=fingerprint),
        lambda pk: make_printed_catalogue.enqueue(pk=pk),
    )


def _download_url(row: PrintedCatalogue) -> str:
    return reverse("organisations:print-download", args=[row.pk])


def _texts() -> documents.StatusTexts:
    return documents.StatusTexts(
        ready=_("The printable catalogue is ready."),
        waiting=_("The catalogue is waiting for its turn to be made."),
        running=_("The catalogue is being made."),
        failed=_(
            "The catalogue could not be made. The error is on our side: please try again in a "
            "few minutes."
        ),
        not_made=_(
            "The catalogue for these filters and the current data has not been made yet. "
            "Making it takes up to a few minutes for a long list; you can wait on this page."
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(documents.RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def status(request: HttpRequest) -> HttpResponse:
    """The printable catalogue of the filters in the query string (see the module)."""
    scope = pdf.CatalogueScope.from_query(request.GET)
    current = pdf.version(scope)
    status_url = scope.status_url()
    printable = 0 < current.count <= pdf.MAX_ORGANISATIONS
    if request.method == "POST":
        if printable:
            request_pdf(scope, current.fingerprint)
        return redirect(status_url)
    context: dict[str, Any] = {"refresh": False, "status_url": status_url}
    if printable:
        context = documents.status_context(
            request,
            PrintedCatalogue.objects.filter(filter_key=scope.key),
            current.fingerprint,
            download_url=_download_url,
            status_url=status_url,
            # An earlier file could list an organisation hidden since: only the current one.
            offer_previous=False,
        )
    context.update(
        {
            "scope": scope,
            "count": current.count,
            "printable": printable,
            "too_many": current.count > pdf.MAX_ORGANISATIONS,
            "max_organisations": pdf.MAX_ORGANISATIONS,
            "texts": _texts(),
            "title": _("Printable catalogue of organisations (PDF)"),
            "breadcrumbs": [
                (_("Organisations"), reverse("organisations:index")),
                (_("Printable catalogue (PDF)"), ""),
            ],
        }
    )
    return render(request, "organisations/print/status.html", context)


def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file of a finished, current document, as an attachment with an ASCII name
    ("katalog-organizatsii-2026-11-22.pdf"); the status page when its data changed since."""
    row = documents.finished_or_404(PrintedCatalogue, pk)
    scope = pdf.CatalogueScope.from_string(row.query)
    if pdf.version(scope).fingerprint != row.fingerprint:
        return redirect(scope.status_url())
    made = timezone.localtime(row.finished_at or row.requested_at)
    return documents.serve(row, f"katalog-organizatsii-{made:%Y-%m-%d}.pdf")


urlpatterns = [
    path("print/", status, name="print"),
    path("print/<int:pk>/download/", download, name="print-download"),
]
