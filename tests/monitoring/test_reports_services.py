"""The workflow of monitoring reports (monitoring/services/commitments.py): a draft written by
an organisation's representatives covering only public items, attachments, publishing with
no way back, corrections as edits with optimistic locking."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.models import Document, MonitoringReport
from monitoring.services import commitments as services
from monitoring.services.common import MonitoringError, StaleVersion
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    SignalFactory,
)
from tests.monitoring.test_commitments_services import make_people

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(**changes) -> dict:
    values = {
        "title": "Изпълнението на ангажиментите на Община Пловдив през 2026 г.",
        "summary": "Общината изпълнява половината от ангажиментите си в срок.",
        "body": "## Констатации\n\nПоловината от ангажиментите са изпълнени.",
    }
    values.update(changes)
    return values


def test_a_representative_writes_a_draft_covering_public_items():
    people = make_people()
    commitment = CommitmentFactory()
    request = InformationRequestFactory()
    signal = SignalFactory()
    report = services.create_report(
        people.monitor,
        by=people.monitor_rep,
        commitments=[commitment],
        requests=[request],
        signals=[signal],
        attachments=[("Приложение 1", SimpleUploadedFile("prilozhenie.pdf", PDF))],
        **text(),
    )
    assert report.published_at is None
    assert report.created_by == people.monitor_rep
    assert list(report.commitments.all()) == [commitment]
    assert list(report.requests.all()) == [request]
    assert list(report.signals.all()) == [signal]
    document = Document.objects.get(report=report)
    assert document.title == "Приложение 1"
    assert document.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("citizen", False),
        ("monitor rep", True),
        ("other rep", False),
        ("staff", False),
        ("other staff", False),
        ("moderator", False),
        ("administrator", True),
    ],
)
def test_who_may_write_for_the_organisation(role, allowed):
    people = make_people()
    if allowed:
        services.create_report(people.monitor, by=people[role], **text())
        assert MonitoringReport.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.create_report(people.monitor, by=people[role], **text())
        assert not MonitoringReport.objects.exists()


def test_a_private_request_or_signal_cannot_be_covered():
    people = make_people()
    private_request = InformationRequestFactory(is_public=False)
    private_signal = SignalFactory(is_public=False)
    for items in ({"requests": [private_request]}, {"signals": [private_signal]}):
        with pytest.raises(MonitoringError):
            services.create_report(people.monitor, by=people.monitor_rep, **items, **text())
    assert not MonitoringReport.objects.exists()


@pytest.mark.parametrize("bad", [{"title": " "}, {"body": ""}, {"title": "я" * 301}])
def test_a_report_needs_a_title_and_a_text(bad):
    people = make_people()
    with pytest.raises(MonitoringError):
        services.create_report(people.monitor, by=people.monitor_rep, **text(**bad))
    assert not MonitoringReport.objects.exists()


def test_publish_once_then_corrections_are_edits():
    people = make_people()
    report = services.create_report(
        people.monitor,
        by=people.monitor_rep,
        attachments=[("Приложение", SimpleUploadedFile("a.pdf", PDF))],
        **text(),
    )
    report = services.edit_report(
        report, version=1, by=people.monitor_rep, **text(title="Ново заглавие")
    )
    assert (report.title, report.version) == ("Ново заглавие", 2)
    with pytest.raises(StaleVersion):
        services.edit_report(report, version=1, by=people.monitor_rep, **text())
    published = services.publish_report(report, by=people.monitor_rep, version=2)
    assert published.published_at is not None
    assert published.version == 3
    # Publishing again changes nothing; there is no way back.
    again = services.publish_report(published, by=people.monitor_rep)
    assert (again.published_at, again.version) == (published.published_at, 3)
    corrected = services.edit_report(
        again, version=3, by=people.monitor_rep, **text(body="Поправен текст.")
    )
    assert corrected.published_at == published.published_at
    assert (corrected.body, corrected.version) == ("Поправен текст.", 4)
    # What readers could download stays.
    document = Document.objects.get(report=report)
    with pytest.raises(MonitoringError):
        services.edit_report(
            corrected, version=4, by=people.monitor_rep, remove=[document.pk], **text()
        )
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_draft_may_lose_an_attachment():
    people = make_people()
    report = services.create_report(
        people.monitor,
        by=people.monitor_rep,
        attachments=[("Приложение", SimpleUploadedFile("a.pdf", PDF))],
        **text(),
    )
    document = Document.objects.get(report=report)
    services.edit_report(report, version=1, by=people.monitor_rep, remove=[document.pk], **text())
    assert not Document.objects.filter(report=report).exists()


@pytest.mark.parametrize("role", ["citizen", "other rep", "staff", "moderator"])
def test_only_writers_publish_or_edit(role):
    people = make_people()
    report = services.create_report(people.monitor, by=people.monitor_rep, **text())
    with pytest.raises(PermissionDenied):
        services.publish_report(report, by=people[role])
    with pytest.raises(PermissionDenied):
        services.edit_report(report, version=1, by=people[role], **text(title="Чуждо"))
    report.refresh_from_db()
    assert report.published_at is None and report.title != "Чуждо"
