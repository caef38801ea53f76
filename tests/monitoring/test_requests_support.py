"""Shared set-up of the tests of information requests, the inbox and documents: a frozen
"today" (statutory dates must not depend on the day the suite runs), the people of the
permission ladder, and small files of each type. No tests here."""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from core.legal_calendar import SOFIA
from directory.models import Institution
from organisations.models import Organisation
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

D = datetime.date.fromisoformat
TODAY = D("2026-12-06")

LADDER = [
    "anonymous",
    "requester",
    "citizen",
    "representative",
    "staff",
    "other staff",
    "moderator",
    "administrator",
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "reshenie.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def docx(name: str = "otgovor.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe(name: str = "virus.pdf") -> SimpleUploadedFile:
    # Named .pdf, claimed to be a PDF: the content says otherwise.
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/pdf")


class Clock:
    """Today in Sofia, settable: `clock.today = D("2026-12-10")`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
        self.today = day
        monkeypatch.setattr(timezone, "now", self.now)

    def now(self) -> datetime.datetime:
        return datetime.datetime.combine(self.today, datetime.time(10, 0), tzinfo=SOFIA)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, TODAY)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@dataclass
class People:
    users: dict[str, User | None]
    plovdiv: Institution
    sofia: Institution
    organisation: Organisation

    def __getitem__(self, role: str) -> User:
        user = self.users[role]
        assert user is not None
        return user

    def client(self, role: str) -> Client:
        return signed_in(self.users[role])


def make_people() -> People:
    """One person for each rung: the staff work for Plovdiv's municipal administration (the
    factories' institution), the other staff for Sofia's; the representative represents an
    organisation that is not the requester's."""
    plovdiv, sofia = generated("ma:PDV22"), generated("ma:SOF46")
    staff = UserFactory(first_name="Елена", last_name="Димова", email="elena.staff@example.org")
    staff_of(plovdiv, staff)
    other_staff = UserFactory(first_name="Петър", last_name="Стоянов")
    staff_of(sofia, other_staff)
    representative = UserFactory(first_name="Весела", last_name="Начева")
    organisation = OrganisationFactory()
    representative_of(organisation, representative)
    return People(
        users={
            "anonymous": None,
            "requester": UserFactory(
                first_name="Мария", last_name="Петрова", email="maria.requester@example.org"
            ),
            "citizen": UserFactory(first_name="Иван", last_name="Колев"),
            "representative": representative,
            "staff": staff,
            "other staff": other_staff,
            "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
            "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
        },
        plovdiv=plovdiv,
        sofia=sofia,
        organisation=organisation,
    )


@pytest.fixture
def people(clock: Clock, fresh_cache: None) -> People:
    return make_people()


def statutory_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": "Договори за зимно почистване 2025",
        "description": "Моля, предоставете копия на договорите за зимно почистване за 2025 г.",
        "access_form": "electronic",
        "requester_name": "Мария Иванова Петрова",
        "correspondence_address": "гр. Пловдив, ул. „Тестова“ 1",
        "requester_email": "maria.requester@example.org",
        "show_name": False,
        "is_public": True,
    }
    fields.update(changes)
    return fields
