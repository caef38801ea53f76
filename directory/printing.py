"""The printable directories (PDF) of provinces and municipalities: status pages and files.

GET /directory/print/province/PDV/ works out the fingerprint of the data in scope
(`pdf.fingerprint`) and shows what there is for it: the file (with its size, pages and date),
the progress while it is being made (a <progress> and a page that refreshes itself, no
JavaScript needed), a failure with a "try again" button, or a button that asks for it.
POST (CSRF-protected, rate-limited) stores a `PrintedDirectory` row and queues the task that
makes the file (directory/tasks.py); the same fingerprint is never made twice. Anyone may
look and download: the directory is public data. The lifecycle is core/documents.py's.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import documents
from core.ratelimit import ratelimit
from directory import pdf
from directory.hours import SOFIA
from directory.models import PrintedDirectory
from directory.tasks import make_printed_directory
from territory.models import Municipality, Province

Status = PrintedDirectory.Status
MAX_ID = documents.MAX_ID
REFRESH_SECONDS = documents.REFRESH_SECONDS
STALE_AFTER = documents.STALE_AFTER
RATE_LIMIT, RATE_PERIOD = documents.RATE_LIMIT, documents.RATE_PERIOD


def request_pdf(unit: pdf.Unit, fingerprint: str) -> tuple[PrintedDirectory, bool]:
    """The unit's row for this fingerprint and whether it was queued now
    (`core.documents.request`)."""
    return documents.request(
        unit.printed(),
        unit.new_row(fingerprint),
        lambda pk: make_printed_directory.enqueue(pk=pk),
    )


def _download_url(row: PrintedDirectory) -> str:
    return reverse("directory:print-download", args=[row.pk])


def _texts() -> documents.StatusTexts:
    return documents.StatusTexts(
        ready=_("The printable directory is ready."),
        waiting=_("The directory is waiting for its turn to be made."),
        running=_("The directory is being made."),
        failed=_(
            "The directory could not be made. The error is on our side: please try again in a "
            "few minutes."
        ),
        not_made=_(
            "The directory for the current data has not been made yet. Making it takes up to a "
            "minute; you can wait on this page."
        ),
    )


def _status(request: HttpRequest, unit: pdf.Unit) -> HttpResponse:
    fingerprint = pdf.fingerprint(unit)
    if request.method == "POST":
        request_pdf(unit, fingerprint)
        return redirect(request.path)
    name = unit.name()
    context: dict[str, Any] = documents.status_context(
        request,
        unit.printed(),
        fingerprint,
        download_url=_download_url,
        status_url=request.path,
    )
    context.update(
        {
            "unit": unit,
            "unit_name": name,
            "title": _("Printable directory: %(name)s") % {"name": name},
            "texts": _texts(),
            "province_code": unit.province_code,
            "breadcrumbs": [
                (_("Directory"), reverse("directory:index")),
                (name, unit.page_url()),
                (_("Printable directory (PDF)"), ""),
            ],
        }
    )
    return render(request, "directory/print/status.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(documents.RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def province(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = pdf.Unit.for_province(code)
    except Province.DoesNotExist:
        raise Http404 from None
    return _status(request, unit)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(documents.RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = pdf.Unit.for_municipality(code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    return _status(request, unit)


def download(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a finished document, as an attachment with an ASCII name
    ("spravochnik-PDV-2026-11-22.pdf")."""
    row = documents.finished_or_404(PrintedDirectory, pk)
    code = row.municipality_id or row.province_id
    made = (row.finished_at or row.requested_at).astimezone(SOFIA)
    return documents.serve(row, f"spravochnik-{code}-{made:%Y-%m-%d}.pdf")
