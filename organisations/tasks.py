"""Background tasks of the catalogue: making a printable catalogue (PDF).

The request only stores a `PrintedCatalogue` row (status "pending") and queues
`make_printed_catalogue` with its id; the worker (`manage.py db_worker`) makes the file,
reporting `progress` as it goes (core/documents.py). Task arguments are plain JSON (the id).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_tasks import task

from core import documents
from organisations import pdf
from organisations.models import PrintedCatalogue


def _same_filter(row: PrintedCatalogue) -> QuerySet[PrintedCatalogue]:
    return PrintedCatalogue.objects.filter(filter_key=row.filter_key)


def _make(row: PrintedCatalogue, progress: documents.Progress) -> tuple[bytes, int]:
    return pdf.make(row.query, progress)


def _file_name(row: PrintedCatalogue) -> str:
    return f"katalog-{row.filter_key[:8]}-{row.fingerprint[:12]}.pdf"


DOCUMENT = documents.DocumentType(
    model=PrintedCatalogue,
    make=_make,
    file_name=_file_name,
    same_scope=_same_filter,
    label="printable catalogue",
)


def build(pk: int) -> bool:
    """Make the file of the row `pk`; True when it is done (`core.documents.build`)."""
    return documents.build(DOCUMENT, pk)


@task()
def make_printed_catalogue(pk: int) -> bool:
    """Make the PDF of one `PrintedCatalogue` row (see `build`)."""
    return build(pk)
