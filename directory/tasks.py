"""Background tasks of the directory: making a printable directory (PDF).

The request only stores a `PrintedDirectory` row (status "pending") and queues
`make_printed_directory` with its id; the worker (`manage.py db_worker`, started by `make run`)
makes the file, reporting `progress` as it goes. Task arguments are plain JSON (the id).
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from directory import pdf
from directory.models import PrintedDirectory

logger = logging.getLogger(__name__)

Status = PrintedDirectory.Status


def _set_progress(pk: int, value: int, last: list[int]) -> None:
    """Store the progress when it moved (one small UPDATE, never a lost status)."""
    value = max(1, min(99, value))
    if value != last[0]:
        last[0] = value
        PrintedDirectory.objects.filter(pk=pk, status=Status.RUNNING).update(progress=value)


def build(pk: int) -> bool:
    """Make the file of the row `pk`; True when it is done. Safe to call twice: only the
    call that moves the row from "pending" to "running" does the work."""
    claimed = PrintedDirectory.objects.filter(pk=pk, status=Status.PENDING).update(
        status=Status.RUNNING, progress=1, error=""
    )
    if not claimed:
        return False
    row = PrintedDirectory.objects.get(pk=pk)
    code = row.municipality_id or row.province_id or ""
    last = [1]
    try:
        unit = pdf.Unit.of(row)
        data, pages = pdf.make(unit, lambda value: _set_progress(pk, value, last))
        name = f"spravochnik-{code}-{row.fingerprint[:12]}.pdf"
        row.file.save(name, ContentFile(data), save=False)
        row.pages = pages
        row.status = Status.DONE
        row.progress = 100
        row.finished_at = timezone.now()
        row.save(update_fields=["file", "pages", "status", "progress", "finished_at"])
    except Exception as exc:
        # The error names a code path, never a person: the document holds only public data.
        logger.exception("The printable directory %s (%s) could not be made", pk, code)
        PrintedDirectory.objects.filter(pk=pk).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    remove_outdated(row)
    logger.info("Printable directory %s (%s): %s pages, %s bytes", pk, code, pages, len(data))
    return True


def remove_outdated(row: PrintedDirectory) -> None:
    """Delete (file and row) the unit's documents of other fingerprints asked for before this
    one, unless one is being made now; if a newer document is already done, this one goes."""
    same_unit = (
        PrintedDirectory.objects.filter(municipality_id=row.municipality_id)
        if row.municipality_id
        else PrintedDirectory.objects.filter(province_id=row.province_id)
    ).exclude(fingerprint=row.fingerprint)
    newer_done = same_unit.filter(status=Status.DONE, requested_at__gt=row.requested_at)
    if newer_done.exists():
        doomed = [row]
    else:
        doomed = list(
            same_unit.filter(requested_at__lte=row.requested_at).filter(
                Q(status__in=[Status.DONE, Status.FAILED])
                # A request left waiting for a day will never be made: its worker is gone.
                | Q(requested_at__lt=timezone.now() - datetime.timedelta(days=1))
            )
        )
    for old in doomed:
        if old.file:
            old.file.delete(save=False)
        old.delete()


@task()
def make_printed_directory(pk: int) -> bool:
    """Make the PDF of one `PrintedDirectory` row (see `build`)."""
    return build(pk)
