"""The e-mails of events, as received by a real SMTP server: who gets which message, the
registration code, absolute links, the .ics attachment (parsed with the icalendar library,
times in UTC), and the online link only for confirmed participants.

The messages are rendered in Bulgarian; the tests compare against gettext() of the source
strings (English until the catalogue is compiled) or against data, never against a
translation written by hand."""

from __future__ import annotations

import datetime
import re
from email.message import EmailMessage

import icalendar
import pytest
from django.conf import settings
from django.utils.translation import gettext, override

from accounts.models import User
from events import notices, services
from events.enums import Format, Kind, RegistrationState
from events.models import Invitation, Registration
from events.services import Answers
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory, sofia

pytestmark = pytest.mark.django_db

ONLINE = "https://meet.example.org/eregion-secret-room"


@pytest.fixture
def organiser(territory) -> User:
    user = UserFactory()
    staff_of(generated(), user)
    return user


def join(event, user: User | None = None, **kw) -> Registration:
    user = user or UserFactory()
    return services.register(event, user, Answers(name=f"Участник {user.pk}"), **kw)


def only(mailbox: Mailbox, address: str) -> EmailMessage:
    (message,) = mailbox.to(address)
    return message


def ics_of(message: EmailMessage) -> icalendar.Calendar | None:
    for part in message.iter_attachments():
        if part.get_filename() == "event.ics":
            assert part.get_content_type() == "text/calendar"
            assert part.get_param("method") == "PUBLISH"
            data = part.get_payload(decode=True)
            return icalendar.Calendar.from_ical(data)
    return None


def vevent(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = calendar.walk("VEVENT")
    return event


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def assert_links_absolute(text: str) -> None:
    found = links(text)
    assert found
    assert all(url.startswith(settings.SITE_URL) for url in found if "meet.example" not in url)


def in_bulgarian(msgid: str, **values: object) -> str:
    with override("bg"):
        return gettext(msgid) % values if values else gettext(msgid)


@pytest.fixture
def hybrid(territory):
    return EventFactory(capacity=1, format=Format.HYBRID, online_url=ONLINE)


def test_confirmation_has_the_code_links_and_the_ics(hybrid, mailbox):
    user = UserFactory()
    registration = join(hybrid, user)
    message = only(mailbox, user.email)
    body = Mailbox.body(message)
    assert hybrid.title in message["Subject"]
    assert registration.code in body
    assert f"{settings.SITE_URL}/events/registrations/{registration.code}/cancel/" in body
    assert f"{settings.SITE_URL}/events/registrations/{registration.code}/" in body
    assert_links_absolute(body)
    assert ONLINE in body  # confirmed: the online link is theirs
    assert "Зала „Съединение“" in body
    start = hybrid.starts_at.astimezone(sofia(2026, 1, 1).tzinfo)
    assert f"{start:%d.%m.%Y}" in body and f"{start:%H:%M}" in body

    calendar = ics_of(message)
    assert calendar is not None
    item = vevent(calendar)
    assert item["DTSTART"].dt == hybrid.starts_at
    assert item["DTSTART"].dt.utcoffset() == datetime.timedelta(0)  # written in UTC
    assert item["DTEND"].dt == hybrid.ends_at
    assert str(item["SUMMARY"]) == hybrid.title
    assert str(item["STATUS"]) == "CONFIRMED"
    assert str(item["UID"]).startswith(f"event-{hybrid.pk}@")
    assert ONLINE in str(item["DESCRIPTION"])


def test_the_public_ics_keeps_the_online_link_to_participants(hybrid):
    text = notices.event_ics(hybrid)
    item = vevent(icalendar.Calendar.from_ical(text))
    assert ONLINE not in text
    assert str(item["URL"]) == f"{settings.SITE_URL}/events/{hybrid.pk}/"
    assert "Зала „Съединение“" in str(item["LOCATION"])


def test_waiting_list_notice_with_the_place_and_without_the_online_link(hybrid, mailbox):
    join(hybrid)
    first_waiting = join(hybrid)
    user = UserFactory()
    second_waiting = join(hybrid, user)
    assert second_waiting.state == RegistrationState.WAITING
    body = Mailbox.body(only(mailbox, user.email))
    assert in_bulgarian("Your place on the list: %(position)s.", position=2) in body
    assert second_waiting.code in body
    assert ONLINE not in body
    assert ics_of(only(mailbox, user.email)) is None
    assert_links_absolute(body)
    assert first_waiting.code not in body


def test_promotion_is_told_with_the_ics_and_the_online_link(hybrid, mailbox):
    first = join(hybrid)
    user = UserFactory()
    waiting = join(hybrid, user)
    mailbox.clear()
    services.cancel_registration(first, by=first.user)
    message = only(mailbox, user.email)
    body = Mailbox.body(message)
    assert waiting.code in body and ONLINE in body
    assert ics_of(message) is not None
    # The one who cancelled gets the confirmation of it, with no calendar.
    cancelled = only(mailbox, first.user.email)
    assert first.code in Mailbox.body(cancelled)
    assert ics_of(cancelled) is None


def test_approval_emails(territory, organiser, mailbox):
    event = EventFactory(requires_approval=True, capacity=1)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    ra, rb, rc = join(event, a), join(event, b), join(event, c)
    for user, registration in ((a, ra), (b, rb), (c, rc)):
        received = only(mailbox, user.email)
        assert registration.code in Mailbox.body(received)
        assert ics_of(received) is None
    mailbox.clear()
    services.approve(ra, by=organiser)
    services.approve(rb, by=organiser)
    services.decline(rc, by=organiser, reason="Залата побира само 1 човек.")
    approved = only(mailbox, a.email)
    assert ics_of(approved) is not None
    on_list = only(mailbox, b.email)
    assert ics_of(on_list) is None
    assert in_bulgarian("Your place on the list: %(position)s.", position=1) in Mailbox.body(
        on_list
    )
    declined = Mailbox.body(only(mailbox, c.email))
    assert "Залата побира само 1 човек." in declined


def test_invitation_email_has_the_link_with_the_code(territory, organiser, mailbox):
    event = EventFactory(audience="invitation")
    services.invite(event, ["Guest@Example.org"], by=organiser)
    invitation = Invitation.objects.get(event=event)
    message = only(mailbox, "guest@example.org")
    body = Mailbox.body(message)
    assert event.title in message["Subject"]
    assert f"{settings.SITE_URL}/events/{event.pk}/register/?invitation={invitation.code}" in body
    assert str(event.organiser) in body
    assert_links_absolute(body)


def test_cancelled_event_sends_a_cancelled_ics_to_every_active_registrant(
    hybrid, organiser, mailbox
):
    confirmed, waiting = UserFactory(), UserFactory()
    join(hybrid, confirmed), join(hybrid, waiting)
    mailbox.clear()
    services.cancel_event(hybrid, by=organiser, reason="Залата е наводнена.")
    assert {str(m["To"]) for m in mailbox.messages} == {confirmed.email, waiting.email}
    for user in (confirmed, waiting):
        message = only(mailbox, user.email)
        assert "Залата е наводнена." in Mailbox.body(message)
        calendar = ics_of(message)
        assert calendar is not None
        item = vevent(calendar)
        assert str(item["STATUS"]) == "CANCELLED"
        assert item["SEQUENCE"] > 0  # calendars replace the event they hold
        assert str(item["UID"]).startswith(f"event-{hybrid.pk}@")
        assert ONLINE not in Mailbox.body(message)


def test_certificate_email(territory, organiser, mailbox):
    event = EventFactory(
        kind=Kind.TRAINING, starts_at=sofia(2025, 6, 2, 9), ends_at=sofia(2025, 6, 2, 17)
    )
    registration = RegistrationFactory(event=event)
    services.check_in(registration, event.days[0], by=organiser)
    (certificate,) = services.issue_certificates(event, by=organiser)
    body = Mailbox.body(only(mailbox, registration.user.email))
    assert certificate.code in body
    assert f"{settings.SITE_URL}/events/certificates/{certificate.code}/" in body
    assert f"/events/registrations/{registration.code}/certificate.pdf" in body
    assert_links_absolute(body)


def test_no_mail_to_an_erased_account(territory, mailbox):
    event = EventFactory()
    user = UserFactory()
    registration = join(event, user)
    mailbox.clear()
    User.objects.filter(pk=user.pk).update(is_active=False)
    registration.refresh_from_db()
    services.cancel_registration(registration)
    assert mailbox.messages == []


def test_bulgarian_even_when_the_page_was_in_english(territory, mailbox):
    """People have no language setting: the portal writes to them in Bulgarian. Checked on a
    string the catalogue already has (the state names of a registration are in it only after
    the merge, so compare with what gettext gives in each language)."""
    event = EventFactory()
    user = UserFactory()
    with override("en"):
        join(event, user)
    body = Mailbox.body(only(mailbox, user.email))
    assert in_bulgarian("Your registration code:") in body
