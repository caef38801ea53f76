"""Serving the documents of requests, signals, commitments and reports: a public file of a
visible owner for everyone; files not yet public and the originals of redacted files only
for those who handle the owner; a 404 for the rest; attachments with the type read from the
content."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.enums import DocumentKind
from monitoring.services.common import save_document
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    MonitoringReportFactory,
    SignalFactory,
)
from tests.monitoring import test_requests_support as support
from tests.monitoring.test_requests_support import (
    LADDER,
    PDF,
    docx,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db

# The shared fixtures (a module of their own: tests/conftest.py is not this part's).
clock = support.clock
fresh_cache = support.fresh_cache
media = support.media
people = support.people

HANDLERS = {"staff", "administrator"}


def url(document, original: bool = False) -> str:
    return reverse("monitoring:document-original" if original else "monitoring:document",
                   args=[document.pk])  # fmt: skip


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_public_file_is_an_attachment_with_its_real_type(people, media):
    req = InformationRequestFactory()
    document = save_document(
        req, pdf("Решение № 5.pdf"), title="Решение", kind=DocumentKind.DECISION, by=None
    )
    response = people.client("anonymous").get(url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert body(response) == PDF
    image = save_document(req, png("scan.pdf"), title="Скан", kind=DocumentKind.OTHER, by=None)
    assert people.client("anonymous").get(url(image))["Content-Type"] == "image/png"
    word = save_document(req, docx(), title="Отговор", kind=DocumentKind.OTHER, by=None)
    assert "wordprocessingml" in people.client("anonymous").get(url(word))["Content-Type"]


@pytest.mark.parametrize("role", LADDER)
def test_the_files_of_a_private_request(people, media, role):
    req = InformationRequestFactory(requester=people["requester"], is_public=False)
    document = save_document(req, pdf(), title="Решение", kind=DocumentKind.DECISION, by=None)
    allowed = role in ("requester", "staff", "moderator", "administrator")
    assert people.client(role).get(url(document)).status_code == (200 if allowed else 404)


@pytest.mark.parametrize("role", LADDER)
def test_a_file_not_yet_public_and_a_redacted_original(people, media, role):
    req = InformationRequestFactory(requester=people["requester"])
    waiting = save_document(
        req, pdf(), title="Чака заличаване", kind=DocumentKind.RELEASED, by=None, is_public=False
    )
    redacted = save_document(
        req, pdf("original.pdf"), title="Договор", kind=DocumentKind.RELEASED, by=None,
        redacted=pdf("redacted.pdf", b"%PDF-1.4 redacted"),
    )  # fmt: skip
    client = people.client(role)
    assert client.get(url(waiting)).status_code == (200 if role in HANDLERS else 404)
    public = client.get(url(redacted))
    assert public.status_code == 200 and body(public) == b"%PDF-1.4 redacted"
    original = client.get(url(redacted, original=True))
    if role == "anonymous":
        assert original.status_code == 302
    elif role in HANDLERS:
        assert original.status_code == 200 and body(original) == PDF
        assert original["Cache-Control"] == "private, no-store"
    else:
        assert original.status_code == 404


def test_the_uploader_sees_their_own_file_not_yet_public(people, media):
    req = InformationRequestFactory(requester=people["requester"])
    mine = save_document(
        req, pdf(), title="Моето", kind=DocumentKind.OTHER, by=people["requester"],
        is_public=False,
    )  # fmt: skip
    assert people.client("requester").get(url(mine)).status_code == 200
    assert people.client("citizen").get(url(mine)).status_code == 404


def test_an_original_that_does_not_exist_is_a_404(people, media):
    document = save_document(
        InformationRequestFactory(), pdf(), title="x", kind=DocumentKind.OTHER, by=None
    )
    assert people.client("staff").get(url(document, original=True)).status_code == 404
    assert (
        people.client("anonymous").get(reverse("monitoring:document", args=[10**9])).status_code
        == 404
    )


@pytest.mark.parametrize("role", LADDER)
def test_the_files_of_a_private_signal(people, media, role):
    signal = SignalFactory(filer=people["requester"], is_public=False)
    document = save_document(signal, pdf(), title="Снимка", kind=DocumentKind.OTHER, by=None)
    allowed = role in ("requester", "staff", "moderator", "administrator")
    assert people.client(role).get(url(document)).status_code == (200 if allowed else 404)


def test_the_evidence_of_a_commitment(people, media):
    commitment = CommitmentFactory()
    public = save_document(commitment, pdf(), title="Протокол", kind=DocumentKind.OTHER, by=None)
    hidden = save_document(
        commitment, pdf(), title="Чернова", kind=DocumentKind.OTHER, by=None, is_public=False
    )
    assert people.client("anonymous").get(url(public)).status_code == 200
    assert people.client("citizen").get(url(hidden)).status_code == 404
    assert people.client("staff").get(url(hidden)).status_code == 200
    assert people.client("other staff").get(url(hidden)).status_code == 404


def test_the_files_of_a_report_follow_its_publication(people, media):
    report = MonitoringReportFactory(organisation=people.organisation)
    document = save_document(report, pdf(), title="Приложение", kind=DocumentKind.OTHER, by=None)
    assert people.client("anonymous").get(url(document)).status_code == 404
    assert people.client("representative").get(url(document)).status_code == 200
    report.published_at = timezone.now()
    report.save()
    response = people.client("anonymous").get(url(document))
    assert response.status_code == 200 and "public" in response["Cache-Control"]


def test_a_report_writer_sees_the_original(people, media):
    report = MonitoringReportFactory(organisation=people.organisation, published_at=timezone.now())
    document = save_document(
        report, pdf(), title="Анкета", kind=DocumentKind.OTHER, by=None, redacted=pdf("r.pdf")
    )
    assert people.client("representative").get(url(document, original=True)).status_code == 200
    assert people.client("staff").get(url(document, original=True)).status_code == 404
