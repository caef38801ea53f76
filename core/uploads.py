"""Checks on uploaded files: PDF, images and Word (.docx) documents, at most 10 MB, the type
read from the content (never from the name or the browser's claim), and a safe file name.

Used as form-field validators (`validate_document`, `validate_image`, `validate_pdf`,
`validate_pdf_or_docx`) and by `safe_name` in `upload_to` functions.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core import translit

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Leading bytes of the accepted types.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}
IMAGE_TYPES = ("png", "jpeg", "gif", "webp")


def sniff(upload: UploadedFile) -> str:
    """The file's type from its content: pdf, png, jpeg, gif, webp, docx, or ""."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for kind, signatures in _SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    if head.startswith(b"PK\x03\x04") and _is_docx(upload):
        return "docx"
    return ""


def _is_docx(upload: UploadedFile) -> bool:
    """A zip holding a Word document part (an .odt or any other zip is not one)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def check_size(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )


def _check(upload: UploadedFile, allowed: tuple[str, ...], message: str) -> str:
    check_size(upload)
    kind = sniff(upload)
    if kind not in allowed:
        raise ValidationError(message, code="wrong_type")
    return kind


def validate_pdf(upload: UploadedFile) -> None:
    _check(upload, ("pdf",), str(_("Upload a PDF file.")))


def validate_image(upload: UploadedFile) -> None:
    _check(upload, IMAGE_TYPES, str(_("Upload an image: PNG, JPEG, GIF or WebP.")))


def validate_pdf_or_docx(upload: UploadedFile) -> None:
    """Documents of a consultation: a PDF or a Word .docx."""
    _check(upload, ("pdf", "docx"), str(_("Upload a PDF or a Word (.docx) file.")))


def validate_document(upload: UploadedFile) -> None:
    """A PDF or an image (scans of documents, e.g. evidence of representation)."""
    _check(upload, ("pdf", *IMAGE_TYPES), str(_("Upload a PDF file or an image.")))


def safe_name(filename: str, max_length: int = 80) -> str:
    """A file name safe on any disk and in any URL: Latin letters (Bulgarian transliterated),
    digits, dashes; the extension kept in lower case. "Отчет 2025 (final).PDF" →
    "otchet-2025-final.pdf"."""
    filename = re.split(r"[/\\]", filename)[-1]  # never a path, whatever the browser sent
    stem, dot, ext = filename.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = filename, ""
    latin = translit.transliterate(stem)
    ascii_stem = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_stem).strip("-").lower() or "file"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext).lower()[:8]
    cleaned = cleaned[: max_length - len(ext) - 1]
    return f"{cleaned}.{ext}" if ext else cleaned
