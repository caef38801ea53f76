"""Invitations to an invitation-only event: the organiser types the addresses, one a line;
each bad line is named; each new address gets an e-mail with its own registration link."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from events.enums import Audience, State
from events.models import Invitation
from tests.clients import signed_in
from tests.events.organiser_support import (
    ALLOWED,
    draft,
    field_block,
    ladder,
    network_event,
    organisation_event,
    organiser_of,
)
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def invitation_only(make=EventFactory, **kwargs):
    return make(audience=Audience.INVITATION, **kwargs)


@pytest.mark.parametrize("make", [EventFactory, organisation_event, network_event])
def test_permission_ladder(make) -> None:
    event = invitation_only(make)
    url = reverse("events:invite", args=[event.pk])
    assert Client().get(url).status_code == 302
    for role, user in ladder(event).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, {"emails": f"{role.replace(' ', '.')}@example.org"})
        assert response.status_code == (302 if role in ALLOWED else 403), role
    assert Invitation.objects.filter(event=event).count() == 2


def test_inviting_sends_each_address_its_link(mailbox) -> None:
    event = invitation_only()
    organiser = organiser_of(event)
    text = "ana@example.org\n\n  boris@example.org  \nANA@example.org\n"
    response = signed_in(organiser).post(
        reverse("events:invite", args=[event.pk]), {"emails": text}
    )
    assert response.status_code == 302
    invitations = {i.email: i for i in Invitation.objects.filter(event=event)}
    assert set(invitations) == {"ana@example.org", "boris@example.org"}
    assert invitations["ana@example.org"].invited_by == organiser
    for address, invitation in invitations.items():
        (message,) = mailbox.to(address)
        assert invitation.code in mailbox.body(message)
    # Inviting again skips those already invited.
    mailbox.clear()
    with override("en"):
        response = signed_in(organiser).post(
            reverse("events:invite", args=[event.pk]),
            {"emails": "ana@example.org\nvera@example.org"},
            follow=True,
        )
    assert "1 invitation is sent. 1 address was already invited." in response.content.decode()
    assert [str(m["To"]) for m in mailbox.messages] == ["vera@example.org"]


def test_each_bad_line_is_named_and_nothing_is_sent(mailbox) -> None:
    event = invitation_only()
    text = "ana@example.org\nне е адрес\nboris@example\n"
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:invite", args=[event.pk]), {"emails": text}
        )
    assert response.status_code == 200
    html = response.content.decode()
    block = field_block(html, "emails")
    assert "Line 2: “не е адрес” is not an e-mail address." in block
    assert "Line 3: “boris@example” is not an e-mail address." in block
    assert "ana@example.org\nне е адрес\nboris@example" in html  # what was typed is kept
    assert not Invitation.objects.exists() and not mailbox.messages


def test_an_empty_list_is_refused() -> None:
    event = invitation_only()
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:invite", args=[event.pk]), {"emails": " \n \n"}
        )
    assert "Type at least one e-mail address." in field_block(response.content.decode(), "emails")


def test_too_many_addresses_are_refused() -> None:
    event = invitation_only()
    text = "\n".join(f"person{n}@example.org" for n in range(501))
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:invite", args=[event.pk]), {"emails": text}
        )
    assert "At most 500 addresses at a time." in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_an_invitation_only_event_has_invitations() -> None:
    event = EventFactory(audience=Audience.EVERYONE)
    client = signed_in(organiser_of(event))
    url = reverse("events:invite", args=[event.pk])
    for response in (client.get(url), client.post(url, {"emails": "ana@example.org"})):
        assert response.status_code == 302
        assert response["Location"] == reverse("events:manage", args=[event.pk])
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [(State.DRAFT, "Publish the event first"), (State.CANCELLED, "The event is cancelled.")],
)
def test_a_draft_or_cancelled_event_sends_none(state, message, mailbox) -> None:
    event = (
        draft(audience=Audience.INVITATION)
        if state == State.DRAFT
        else invitation_only(state=state)
    )
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:invite", args=[event.pk]), {"emails": "ana@example.org"}
        )
    assert response.status_code == 200
    assert message in field_block(response.content.decode(), "emails")
    assert not Invitation.objects.exists() and not mailbox.messages


def test_an_event_that_has_ended_sends_none(mailbox) -> None:
    start = timezone.now() - datetime.timedelta(days=3)
    event = invitation_only(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        registration_opens_at=start - datetime.timedelta(days=10),
        registration_closes_at=start - datetime.timedelta(days=1),
        with_sessions=False,
    )
    with override("en"):
        response = signed_in(organiser_of(event)).post(
            reverse("events:invite", args=[event.pk]), {"emails": "ana@example.org"}
        )
    assert response.status_code == 200
    assert "This event has ended." in field_block(response.content.decode(), "emails")
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_keeps_its_queries_flat(n, django_assert_max_num_queries) -> None:
    event = invitation_only()
    Invitation.objects.bulk_create(
        Invitation(event=event, email=f"person{i}@example.org", code=f"CODE{i:08d}")
        for i in range(n)
    )
    client = signed_in(organiser_of(event))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("events:invite", args=[event.pk]))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == n
