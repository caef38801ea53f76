"""Background tasks of consultations: making the report's files (PDF and .docx).

The request only stores a `ReportFile` row (status "pending") and queues `make_report_file`
with its id; the worker (`manage.py db_worker`) makes the file, reporting `progress` as it
goes (core/documents.py). Task arguments are plain JSON (the id).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_tasks import task

from consultations import report
from consultations.enums import ReportFormat
from consultations.models import ReportFile
from core import documents


def _same_scope(row: ReportFile) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(consultation_id=row.consultation_id, format=row.format)


def _make(row: ReportFile, progress: documents.Progress) -> tuple[bytes, int]:
    if row.format == ReportFormat.DOCX:
        return report.make_docx(row.consultation, progress)
    return report.make_pdf(row.consultation, progress)


def _file_name(row: ReportFile) -> str:
    return f"spravka-{row.consultation_id}-{row.fingerprint[:12]}.{row.format}"


DOCUMENT = documents.DocumentType(
    model=ReportFile,
    make=_make,
    file_name=_file_name,
    same_scope=_same_scope,
    label="consultation report",
)


def build(pk: int) -> bool:
    """Make the file of the row `pk`; True when it is done (`core.documents.build`)."""
    return documents.build(DOCUMENT, pk)


@task()
def make_report_file(pk: int) -> bool:
    """Make the PDF or .docx of one `ReportFile` row (see `build`)."""
    return build(pk)


@task()
def import_history(run_id: int) -> str:
    """Import the files of one `ImportRun` (consultations.history.run_import)."""
    from consultations.history import run_import

    return run_import(run_id)
