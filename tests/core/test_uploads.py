"""Uploads: type from the content, size limit, safe names."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import (
    MAX_UPLOAD_BYTES,
    safe_name,
    sniff,
    validate_document,
    validate_image,
    validate_pdf,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_type_is_read_from_the_content_not_the_name():
    assert sniff(upload(PDF, "scan.jpg", "image/jpeg")) == "pdf"
    assert sniff(upload(PNG, "report.pdf")) == "png"
    assert sniff(upload(b"MZ\x90\x00 windows program", "report.pdf")) == ""


def test_a_program_named_pdf_is_refused_with_a_bulgarian_message():
    with pytest.raises(ValidationError) as err:
        validate_pdf(upload(b"MZ\x90\x00", "report.pdf"))
    assert err.value.code == "wrong_type"
    validate_pdf(upload(PDF))
    validate_image(upload(PNG, "logo.png", "image/png"))
    validate_document(upload(PNG, "scan.png", "image/png"))
    with pytest.raises(ValidationError):
        validate_image(upload(PDF))


def test_a_file_over_ten_megabytes_is_refused():
    big = upload(PDF + b"0" * MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError) as err:
        validate_pdf(big)
    assert err.value.code == "too_large"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Отчет 2025 (final).PDF", "otchet-2025-final.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\\\Users\\\\Иван\\\\док.pdf", "dok.pdf"),
        ("скан.jpeg", "skan.jpeg"),
        (".pdf", "file.pdf"),
        ("a" * 200 + ".pdf", "a" * 76 + ".pdf"),
    ],
)
def test_safe_names(name, expected):
    assert safe_name(name) == expected
