"""Documents made in the background (printable PDFs): one way to ask for, make, show and serve
them, whatever they hold.

A document type is a subclass of `core.models.GeneratedDocument` with its scope's fields (a
province, a filter) and a unique constraint on (scope, fingerprint), plus a `DocumentType`
that says how to make its file. The lifecycle:

1. The status page works out the fingerprint of the data in scope and shows what there is for
   it (`status_context`): the file, the progress while it is being made (the page refreshes
   itself, no JavaScript needed, and can be told to stop), a failure, or a button.
2. POST (CSRF-protected, rate-limited by the app) calls `request`: one row per (scope,
   fingerprint), the database's unique constraint deciding between two requests at once;
   the row's id is queued to the app's django-tasks task.
3. The task calls `build`: only the call that moves the row from "pending" to "running"
   works; progress is stored as it goes; the file is saved, then `remove_outdated` deletes the
   scope's older documents.
4. `serve` hands a finished file out as an attachment.

Also here, for any WeasyPrint document: `template_digest`, `page_counter_css` (the "стр. 3
от 120" footer) and `render_pdf`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import GeneratedDocument

logger = logging.getLogger(__name__)

D = TypeVar("D", bound=GeneratedDocument)
Status = GeneratedDocument.Status
Progress = Callable[[int], None]
# (row id, value, [last value stored]) -> None: stores the progress (see `set_progress`).
ProgressSetter = Callable[[int, int, list[int]], None]

MAX_ID = 2**63 - 1
REFRESH_SECONDS = 3
# A request still waiting or running after this long has lost its worker: it may be asked again.
STALE_AFTER = datetime.timedelta(minutes=15)
# A request left waiting for a day will never be made: its worker is gone.
ABANDONED_AFTER = datetime.timedelta(days=1)
# Making a file costs the worker seconds; asking again for one that exists costs nothing, but
# every POST counts, so that nobody can keep the worker busy. One budget for every printable
# document: the worker is shared.
RATE_SCOPE, RATE_LIMIT, RATE_PERIOD = "print-pdf", 6, 600


@dataclass(frozen=True)
class DocumentType(Generic[D]):
    """How one kind of document is made.

    `make(row, progress)` returns (file bytes, pages) and reports 0–100 to `progress`;
    `file_name(row)` is the stored file's name (the model's `upload_to` adds the folder);
    `same_scope(row)` is the rows of the row's scope, whatever their fingerprint;
    `label` names the kind in the log."""

    model: type[D]
    make: Callable[[D, Progress], tuple[bytes, int]]
    file_name: Callable[[D], str]
    same_scope: Callable[[D], QuerySet[D]]
    label: str


@dataclass(frozen=True)
class StatusTexts:
    """The sentences of the status page that name the document ("The printable directory is
    ready."), already translated."""

    ready: str
    waiting: str
    running: str
    failed: str
    not_made: str


# --- Asking for a document -------------------------------------------------------------------


def request(
    scope_rows: QuerySet[D], new_row: D, enqueue: Callable[[int], object]
) -> tuple[D, bool]:
    """The scope's row for `new_row.fingerprint` and whether it was queued now: a new row is
    queued; a failed one, or one waiting for longer than STALE_AFTER, is queued again; one
    that is done or under way is left alone. Two requests at once make one row: the
    database's unique constraint decides and the loser takes the winner's row.

    `scope_rows` are the scope's rows (any fingerprint); `enqueue(pk)` queues the task."""
    row = new_row
    try:
        with transaction.atomic():
            row.save()
        queued = True
    except IntegrityError:
        row = scope_rows.get(fingerprint=new_row.fingerprint)
        stale = timezone.now() - STALE_AFTER
        again = scope_rows.filter(pk=row.pk).filter(
            Q(status=Status.FAILED)
            | Q(status__in=[Status.PENDING, Status.RUNNING], requested_at__lt=stale)
        )
        queued = bool(
            again.update(status=Status.PENDING, progress=0, error="", requested_at=timezone.now())
        )
    if queued:
        enqueue(row.pk)
        row.refresh_from_db()
    return row, queued


# --- Making it (in the worker) ---------------------------------------------------------------


def set_progress(model: type[GeneratedDocument], pk: int, value: int, last: list[int]) -> None:
    """Store the progress when it moved (one small UPDATE, never a lost status); 1–99 until
    the file is done."""
    value = max(1, min(99, value))
    if value != last[0]:
        last[0] = value
        model._default_manager.filter(pk=pk, status=Status.RUNNING).update(progress=value)


def build(kind: DocumentType[D], pk: int, progress: ProgressSetter | None = None) -> bool:
    """Make the file of the row `pk`; True when it is done. Safe to call twice: only the
    call that moves the row from "pending" to "running" does the work. `progress` stores the
    progress (default: `set_progress` on the kind's model)."""
    model = kind.model
    claimed = model._default_manager.filter(pk=pk, status=Status.PENDING).update(
        status=Status.RUNNING, progress=1, error=""
    )
    if not claimed:
        return False
    row = model._default_manager.get(pk=pk)
    store = progress or functools.partial(set_progress, model)
    last = [1]
    try:
        data, pages = kind.make(row, lambda value: store(pk, value, last))
        row.file.save(kind.file_name(row), ContentFile(data), save=False)
        row.pages = pages
        row.status = Status.DONE
        row.progress = 100
        row.finished_at = timezone.now()
        row.save(update_fields=["file", "pages", "status", "progress", "finished_at"])
    except Exception as exc:
        # The error names a code path, never a person: documents hold only public data.
        logger.exception("The %s %s could not be made", kind.label, pk)
        model._default_manager.filter(pk=pk).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    remove_outdated(row, kind.same_scope(row))
    logger.info("The %s %s: %s pages, %s bytes", kind.label, pk, pages, len(data))
    return True


def remove_outdated(row: D, scope_rows: QuerySet[D]) -> None:
    """Delete (file and row) the scope's documents of other fingerprints asked for before
    `row`, unless one is being made now; if a newer document is already done, `row` goes."""
    others = scope_rows.exclude(fingerprint=row.fingerprint)
    newer_done = others.filter(status=Status.DONE, requested_at__gt=row.requested_at)
    doomed: Sequence[GeneratedDocument]
    if newer_done.exists():
        doomed = [row]
    else:
        doomed = list(
            others.filter(requested_at__lte=row.requested_at).filter(
                Q(status__in=[Status.DONE, Status.FAILED])
                | Q(requested_at__lt=timezone.now() - ABANDONED_AFTER)
            )
        )
    for old in doomed:
        if old.file:
            old.file.delete(save=False)
        old.delete()


# --- Showing and serving it ------------------------------------------------------------------


def file_size(row: GeneratedDocument) -> int | None:
    """The stored file's size, or None when it is gone."""
    try:
        return int(row.file.size)
    except (FileNotFoundError, ValueError):
        return None


def status_context(
    request: HttpRequest,
    scope_rows: QuerySet[D],
    fingerprint: str,
    *,
    download_url: Callable[[D], str],
    status_url: str,
    offer_previous: bool = True,
) -> dict[str, Any]:
    """What the status page (templates/includes/generated_document.html) shows for the scope's
    document of `fingerprint`: `row` (or None), its `size`, whether it is `under_way`, whether
    the page should `refresh`, and the latest finished document of older data (`previous`)
    when `offer_previous`. A finished row whose file is gone is deleted, to be made anew.

    `status_url` is the page's own address (with its query, without `refresh`)."""
    row = scope_rows.filter(fingerprint=fingerprint).first()
    size = None
    if row is not None and row.status == Status.DONE:
        size = file_size(row)
        if size is None:  # the file is gone (e.g. the media folder was emptied): make it anew
            row.delete()
            row = None
    previous = None
    if offer_previous and (row is None or row.status != Status.DONE):
        previous = (
            scope_rows.filter(status=Status.DONE)
            .exclude(fingerprint=fingerprint)
            .order_by("-finished_at")
            .first()
        )
    under_way = row is not None and row.status in (Status.PENDING, Status.RUNNING)
    stop_refresh = status_url + ("&" if "?" in status_url else "?") + "refresh=off"
    if stop_refresh.startswith(request.path):
        stop_refresh = stop_refresh[len(request.path) :]  # "?refresh=off": the same page
    return {
        "row": row,
        "size": size,
        "download_url": download_url(row) if row is not None else "",
        "previous": previous,
        "previous_size": file_size(previous) if previous else None,
        "previous_url": download_url(previous) if previous else "",
        "under_way": under_way,
        "refresh": under_way and request.GET.get("refresh") != "off",
        "refresh_seconds": REFRESH_SECONDS,
        "status_url": status_url,
        "stop_refresh_url": stop_refresh,
    }


def finished_or_404(model: type[D], pk: int) -> D:
    """A finished document with a file, or 404 (an id too large for the database too)."""
    if pk > MAX_ID:
        raise Http404
    row = model._default_manager.filter(pk=pk, status=Status.DONE).first()
    if row is None or not row.file.name:
        raise Http404
    return row


def serve(row: GeneratedDocument, filename: str) -> FileResponse:
    """The file of a finished document as an attachment named `filename` (ASCII)."""
    try:
        handle = row.file.storage.open(row.file.name or "", "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    # A row's file never changes (new data makes a new row), so caches may keep it a while.
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- WeasyPrint documents --------------------------------------------------------------------


def template_digest(version: str, names: Sequence[str]) -> str:
    """A digest of the templates' source and a version: editing a template makes every
    document anew. Cache it per process, like the templates themselves in production."""
    h = hashlib.sha256(version.encode())
    for name in names:
        template: Any = get_template(name)
        source = getattr(getattr(template, "template", None), "source", "")
        h.update(name.encode() + b"\0" + str(source).encode() + b"\0")
    return h.hexdigest()


def css_string(text: str) -> str:
    """`text` as a CSS string literal (safe inside <style>: no quote, backslash or "<")."""
    escaped = "".join(c if c.isalnum() or c in " .,:;–-()№" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The footer's content in the current language, "стр. 3 от 120", as a CSS `content`
    value."""
    text = _("page %(page)s of %(pages)s")
    out = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece == "%(page)s":
            out.append("counter(page)")
        elif piece == "%(pages)s":
            out.append("counter(pages)")
        elif piece:
            out.append(css_string(piece))
    return " ".join(out)


def render_pdf(html: str, progress: Progress | None = None) -> tuple[bytes, int]:
    """(PDF bytes, number of pages). Nothing is fetched: the HTML carries its own CSS and the
    fonts come from the system (fontconfig). `progress` gets 100 once the layout is done."""
    # Imported here: WeasyPrint loads Pango at import, which the web pages never need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    rendered = HTML(string=html, url_fetcher=fetcher).render()
    if progress:
        progress(100)
    return rendered.write_pdf(), len(rendered.pages)
