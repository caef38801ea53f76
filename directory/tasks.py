"""Background tasks of the directory: making a printable directory (PDF).

The request only stores a `PrintedDirectory` row (status "pending") and queues
`make_printed_directory` with its id; the worker (`manage.py db_worker`, started by `make run`)
makes the file, reporting `progress` as it goes. Task arguments are plain JSON (the id).
Claiming, progress, failures and clean-up are core/documents.py's.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_tasks import task

from core import documents
from directory import pdf
from directory.models import PrintedDirectory

Status = PrintedDirectory.Status


def _same_unit(row: PrintedDirectory) -> QuerySet[PrintedDirectory]:
    if row.municipality_id:
        return PrintedDirectory.objects.filter(municipality_id=row.municipality_id)
    return PrintedDirectory.objects.filter(province_id=row.province_id)


def _make(row: PrintedDirectory, progress: documents.Progress) -> tuple[bytes, int]:
    return pdf.make(pdf.Unit.of(row), progress)


def _file_name(row: PrintedDirectory) -> str:
    return f"spravochnik-{row.municipality_id or row.province_id}-{row.fingerprint[:12]}.pdf"


DOCUMENT = documents.DocumentType(
    model=PrintedDirectory,
    make=_make,
    file_name=_file_name,
    same_scope=_same_unit,
    label="printable directory",
)


def _set_progress(pk: int, value: int, last: list[int]) -> None:
    """Store the progress when it moved (`core.documents.set_progress`)."""
    documents.set_progress(PrintedDirectory, pk, value, last)


def build(pk: int) -> bool:
    """Make the file of the row `pk`; True when it is done (`core.documents.build`)."""
    return documents.build(DOCUMENT, pk, _set_progress)


def remove_outdated(row: PrintedDirectory) -> None:
    """Delete the unit's older documents (`core.documents.remove_outdated`)."""
    documents.remove_outdated(row, _same_unit(row))


@task()
def make_printed_directory(pk: int) -> bool:
    """Make the PDF of one `PrintedDirectory` row (see `build`)."""
    return build(pk)
