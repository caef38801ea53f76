"""The words of an uploaded file, for the full-text search, and its type read from its
content: PDF (pypdf), Word .docx (python-docx) and OpenDocument .odt (its content.xml).

The type comes from the bytes (core.uploads.sniff, plus the OpenDocument check below), never
from the name or the browser's claim. A file whose text cannot be read is refused with a
message (`Unreadable`): a damaged or password-protected document would be found by nobody.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO, Any
from xml.etree import ElementTree

from core.uploads import sniff
from library.enums import FileKind
from library.models import MAX_FILE_TEXT

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A PDF of more pages is read only this far: the index would gain little, the upload seconds.
MAX_PDF_PAGES = 2_000
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class Unreadable(Exception):
    """The file's text cannot be read (damaged, encrypted, not what it claims)."""


def file_kind(upload: Any) -> str:
    """pdf, docx, odt or "" for anything else."""
    kind = sniff(upload)
    if kind in (FileKind.PDF, FileKind.DOCX):
        return kind
    if kind == "" and _is_odt(upload):
        return FileKind.ODT
    return ""


def _is_odt(upload: Any) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            return (
                "mimetype" in names
                and archive.read("mimetype").strip() == ODT_MIMETYPE
                and "content.xml" in names
            )
    except (zipfile.BadZipFile, KeyError):
        return False
    finally:
        upload.seek(0)


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\x00", ""))
    return _BLANK_LINES.sub("\n\n", text).strip()[:MAX_FILE_TEXT]


def extract(upload: IO[bytes], kind: str) -> tuple[str, int | None]:
    """(the text, the number of pages where the format has pages)."""
    upload.seek(0)
    try:
        if kind == FileKind.PDF:
            return _pdf(upload)
        if kind == FileKind.DOCX:
            return _docx(upload), None
        if kind == FileKind.ODT:
            return _odt(upload), None
    except Unreadable:
        raise
    except Exception as exc:  # the parsers raise many kinds for a damaged file
        raise Unreadable(str(exc)) from exc
    finally:
        upload.seek(0)
    raise Unreadable(kind)


def _pdf(upload: IO[bytes]) -> tuple[str, int]:
    # Imported here: only uploads need it.
    from pypdf import PdfReader

    reader = PdfReader(upload)
    if reader.is_encrypted:
        raise Unreadable("encrypted")
    parts: list[str] = []
    size = 0
    for n, page in enumerate(reader.pages):
        if n >= MAX_PDF_PAGES or size > MAX_FILE_TEXT:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return _tidy("\n\n".join(parts)), len(reader.pages)


def _docx(upload: IO[bytes]) -> str:
    import docx

    document = docx.Document(upload)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return _tidy("\n".join(parts))


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_BLOCKS = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}


def _odt(upload: IO[bytes]) -> str:
    with zipfile.ZipFile(upload) as archive:
        content = archive.read("content.xml")
    # content.xml comes from the person's file: ElementTree expands no external entities
    # and Python's expat refuses the "billion laughs" expansion.
    root = ElementTree.fromstring(content)  # noqa: S314
    parts = ["".join(el.itertext()) for el in root.iter() if el.tag in _BLOCKS]
    return _tidy("\n".join(parts))
