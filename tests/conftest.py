"""Shared fixtures: a real SMTP server, the real territory of Bulgaria in the test database."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class Mailbox:
    """Messages received by the test SMTP server, parsed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    def add(self, raw: bytes) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self._messages.append(msg)  # type: ignore[arg-type]

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def body(msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part else ""


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.mailbox.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(_free_port())
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def mailbox(smtp_server: Mailbox, settings) -> Iterator[Mailbox]:
    """Every test sends its e-mail to the real SMTP server and starts with an empty mailbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    smtp_server.clear()
    yield smtp_server


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """Load the real territory once per test session (tests run in transactions on top)."""
    with django_db_blocker.unblock():
        call_command("load_territory", verbosity=0)
        call_command("generate_directory", verbosity=0)
        call_command("load_organisations", verbosity=0)


@pytest.fixture
def territory(django_db_blocker) -> None:
    """Make sure the territory is present (transactional tests flush the database after them)."""
    from territory.models import Province

    with django_db_blocker.unblock():
        if not Province.objects.exists():
            call_command("load_territory", verbosity=0)
        # Quick when nothing changed (a checksum and two counts).
        call_command("generate_directory", verbosity=0)


@pytest.fixture
def community_centres(territory: None, django_db_blocker) -> None:
    """The real community-centre register (for transactional and browser tests that need it;
    the others have it from the session set-up). Separate because it costs ~2 s a test."""
    with django_db_blocker.unblock():
        call_command("load_organisations", verbosity=0)


@pytest.fixture(autouse=True)
def bulgarian_by_default() -> Iterator[None]:
    """Each test starts in Bulgarian: a request to /en/ must not leak English into the next."""
    from django.utils import translation

    translation.activate("bg")
    yield
    translation.activate("bg")
