"""The printable directories (PDF) of provinces and municipalities: status pages and files.

GET /directory/print/province/PDV/ works out the fingerprint of the data in scope
(`pdf.fingerprint`) and shows what there is for it: the file (with its size, pages and date),
the progress while it is being made (a <progress> and a page that refreshes itself, no
JavaScript needed), a failure with a "try again" button, or a button that asks for it.
POST (CSRF-protected, rate-limited) stores a `PrintedDirectory` row and queues the task that
makes the file (directory/tasks.py); the same fingerprint is never made twice. Anyone may
look and download: the directory is public data.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.ratelimit import ratelimit
from directory import pdf
from directory.hours import SOFIA
from directory.models import PrintedDirectory
from directory.tasks import make_printed_directory
from territory.models import Municipality, Province

Status = PrintedDirectory.Status
MAX_ID = 2**63 - 1
REFRESH_SECONDS = 3
# A request still waiting or running after this long has lost its worker: it may be asked again.
STALE_AFTER = datetime.timedelta(minutes=15)
# Making a file costs the worker seconds; asking again for one that exists costs nothing, but
# every POST counts, so that nobody can keep the worker busy.
RATE_LIMIT, RATE_PERIOD = 6, 600


def request_pdf(unit: pdf.Unit, fingerprint: str) -> tuple[PrintedDirectory, bool]:
    """The unit's row for this fingerprint and whether it was queued now: a new row is
    queued; a failed one, or one waiting for longer than STALE_AFTER, is queued again; one
    that is done or under way is left alone. Two requests at once make one row: the
    database's unique constraint decides and the loser takes the winner's row."""
    try:
        with transaction.atomic():
            row = unit.new_row(fingerprint)
            row.save()
        queued = True
    except IntegrityError:
        row = unit.printed().get(fingerprint=fingerprint)
        stale = timezone.now() - STALE_AFTER
        again = (
            unit.printed()
            .filter(pk=row.pk)
            .filter(
                Q(status=Status.FAILED)
                | Q(status__in=[Status.PENDING, Status.RUNNING], requested_at__lt=stale)
            )
        )
        queued = bool(
            again.update(status=Status.PENDING, progress=0, error="", requested_at=timezone.now())
        )
    if queued:
        make_printed_directory.enqueue(pk=row.pk)
        row.refresh_from_db()
    return row, queued


def _file_size(row: PrintedDirectory) -> int | None:
    try:
        return int(row.file.size)
    except (FileNotFoundError, ValueError):
        return None


def _status(request: HttpRequest, unit: pdf.Unit) -> HttpResponse:
    fingerprint = pdf.fingerprint(unit)
    if request.method == "POST":
        request_pdf(unit, fingerprint)
        return redirect(request.path)
    row = unit.printed().filter(fingerprint=fingerprint).first()
    size = None
    if row is not None and row.status == Status.DONE:
        size = _file_size(row)
        if size is None:  # the file is gone (e.g. the media folder was emptied): make it anew
            row.delete()
            row = None
    previous = None
    if row is None or row.status != Status.DONE:
        previous = (
            unit.printed()
            .filter(status=Status.DONE)
            .exclude(fingerprint=fingerprint)
            .order_by("-finished_at")
            .first()
        )
    under_way = row is not None and row.status in (Status.PENDING, Status.RUNNING)
    name = unit.name()
    context: dict[str, Any] = {
        "unit": unit,
        "unit_name": name,
        "title": _("Printable directory: %(name)s") % {"name": name},
        "row": row,
        "size": size,
        "previous": previous,
        "previous_size": _file_size(previous) if previous else None,
        "under_way": under_way,
        "refresh": under_way and request.GET.get("refresh") != "off",
        "refresh_seconds": REFRESH_SECONDS,
        "province_code": unit.province_code,
        "breadcrumbs": [
            (_("Directory"), reverse("directory:index")),
            (name, unit.page_url()),
            (_("Printable directory (PDF)"), ""),
        ],
    }
    return render(request, "directory/print/status.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("print-pdf", limit=RATE_LIMIT, period=RATE_PERIOD)
def province(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = pdf.Unit.for_province(code)
    except Province.DoesNotExist:
        raise Http404 from None
    return _status(request, unit)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("print-pdf", limit=RATE_LIMIT, period=RATE_PERIOD)
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = pdf.Unit.for_municipality(code)
    except Municipality.DoesNotExist:
        raise Http404 from None
    return _status(request, unit)


def download(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a finished document, as an attachment with an ASCII name
    ("spravochnik-PDV-2026-11-22.pdf")."""
    if pk > MAX_ID:
        raise Http404
    row = get_object_or_404(PrintedDirectory, pk=pk, status=Status.DONE)
    if not row.file.name:
        raise Http404
    try:
        handle = row.file.storage.open(row.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    code = row.municipality_id or row.province_id
    made = (row.finished_at or row.requested_at).astimezone(SOFIA)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"spravochnik-{code}-{made:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    # A row's file never changes (new data makes a new row), so caches may keep it a while.
    response["Cache-Control"] = "public, max-age=3600"
    return response
