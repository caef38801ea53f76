"""Followers of a place, an institution or a topic hear of consultations: when one opens and
three days before it closes, at once or in their digest, each notice once (real SMTP)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from accounts.enums import Frequency
from accounts.models import Follow, PendingNotification
from accounts.notifications import get_news_kind, set_frequency
from consultations.enums import State
from consultations.models import Notice
from consultations.notices import send_due_notices
from core.legal_calendar import SOFIA
from core.models import Topic
from directory.models import Institution
from territory.models import Municipality, Province
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory
from tests.factories.consultations import ConsultationFactory

pytestmark = pytest.mark.django_db

OPENED = "consultations.opened"
CLOSING = "consultations.closing"


def follow(person, obj):
    Follow.objects.create(
        user=person, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def follower(obj, frequency=Frequency.IMMEDIATE):
    person = UserFactory()
    follow(person, obj)
    set_frequency(person, OPENED, frequency)
    set_frequency(person, CLOSING, frequency)
    return person


def today():
    return timezone.now().astimezone(SOFIA).date()


def run():
    call_command("notify_consultations", verbosity=0)


def test_news_kinds_are_registered():
    assert get_news_kind(OPENED) and get_news_kind(CLOSING)


def test_followers_of_every_kind_hear_once_when_it_opens(mailbox):
    topic = Topic.objects.create(slug="notice-topic", name_bg="Обществен ред")
    c = ConsultationFactory(title="Наредба за шума")
    c.topics.add(topic)
    people = [
        follower(Municipality.objects.get(pk="PDV22")),
        follower(Province.objects.get(pk="PDV")),
        follower(c.institution),
        follower(topic),
    ]
    both = follower(topic)
    follow(both, Municipality.objects.get(pk="PDV22"))
    stranger = follower(Municipality.objects.get(pk="SOF46"))
    run()
    for person in [*people, both]:
        (msg,) = mailbox.to(person.email)
        assert "Наредба за шума" in str(msg["Subject"])
        body = Mailbox.body(msg)
        assert f"/consultations/{c.pk}/" in body
        assert c.institution.name_bg in body
        assert msg["List-Unsubscribe"]
    assert mailbox.to(stranger.email) == []
    assert Notice.objects.filter(consultation=c, kind=Notice.Kind.OPENED).count() == 1
    # Idempotent: a second run sends nothing.
    count = len(mailbox.messages)
    run()
    assert len(mailbox.messages) == count


def test_digest_followers_get_it_in_their_digest(mailbox):
    c = ConsultationFactory(title="Наредба за зелените площи")
    daily = follower(c.institution, Frequency.DAILY)
    off = follower(c.institution, Frequency.OFF)
    run()
    assert mailbox.messages == []
    assert PendingNotification.objects.filter(user=daily, news_kind=OPENED).count() == 1
    assert not PendingNotification.objects.filter(user=off).exists()
    call_command("send_digests", "--frequency", "daily", verbosity=0)
    (msg,) = mailbox.to(daily.email)
    assert "Наредба за зелените площи" in Mailbox.body(msg)
    assert mailbox.to(off.email) == []


@pytest.mark.parametrize("state", [State.DRAFT, State.SCHEDULED, State.CLOSED])
def test_nothing_for_consultations_that_are_not_open(mailbox, state):
    c = ConsultationFactory(state=state, closes_on=today() + datetime.timedelta(days=2))
    follower(c.institution)
    run()
    assert mailbox.messages == []
    assert not Notice.objects.filter(consultation=c).exists()


def test_closing_notice_three_days_before_the_last_day(mailbox):
    c = ConsultationFactory(
        title="Наредба за търговията", closes_on=today() + datetime.timedelta(days=10)
    )
    person = follower(Municipality.objects.get(pk="PDV22"))
    run()
    assert len(mailbox.to(person.email)) == 1  # opened
    mailbox.clear()
    # Four days before: not yet.
    c.closes_on = today() + datetime.timedelta(days=4)
    c.save()
    run()
    assert mailbox.messages == []
    c.closes_on = today() + datetime.timedelta(days=3)
    c.save()
    sent = send_due_notices()
    assert (sent.opened, sent.closing) == (0, 1)
    (msg,) = mailbox.to(person.email)
    assert "Наредба за търговията" in str(msg["Subject"])
    run()
    assert len(mailbox.messages) == 1
    assert Notice.objects.filter(consultation=c).count() == 2


def test_a_closing_date_in_the_past_sends_no_closing_notice(mailbox):
    c = ConsultationFactory(closes_on=today() - datetime.timedelta(days=1))
    Notice.objects.create(consultation=c, kind=Notice.Kind.OPENED)
    follower(c.institution)
    run()
    assert mailbox.messages == []


def test_the_command_reports_what_it_sent(capsys):
    ConsultationFactory()
    call_command("notify_consultations")
    assert "Opened notices: 1" in capsys.readouterr().out


def test_queries_do_not_grow_with_followers(mailbox, django_assert_max_num_queries):
    c = ConsultationFactory()
    plovdiv = Municipality.objects.get(pk="PDV22")
    for _ in range(30):
        follower(plovdiv)
    with django_assert_max_num_queries(40):
        run()
    assert len(mailbox.messages) == 30
    assert Institution.objects.filter(pk=c.institution_id).exists()
