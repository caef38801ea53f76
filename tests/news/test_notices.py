"""Followers of a publisher (or the item's topic or place) hear of an item when it is
published — at once or in their digest — and only once (real SMTP)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Frequency
from accounts.models import Follow, PendingNotification
from accounts.notifications import followable_for, get_news_kind, set_frequency
from core.models import Topic
from directory.models import Institution
from news import notices, services
from news.enums import State
from organisations.models import Network, Organisation
from tests.clients import signed_in
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory
from tests.factories.news import NewsItemFactory

pytestmark = pytest.mark.django_db

KIND = "news"


def follower(obj, frequency=Frequency.IMMEDIATE):
    person = UserFactory()
    Follow.objects.create(
        user=person, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
    set_frequency(person, KIND, frequency)
    return person


def draft(**publisher):
    return NewsItemFactory(state=State.DRAFT, publish_at=None, **publisher)


def test_the_kind_and_the_publishers_are_registered():
    assert get_news_kind(KIND)
    for model in (Institution, Organisation, Network):
        assert followable_for(model) is not None


def test_a_follower_of_the_institution_hears_once_by_real_smtp(ladder, mailbox):
    person = follower(ladder.institution)
    stranger = follower(ladder.other_institution)
    item = draft(institution=ladder.institution)
    item.title = "Ремонт на улица „Главна“"
    item.save()
    response = signed_in(ladder.staff).post(reverse("news:publish", args=[item.pk]))
    assert response.status_code == 302
    (message,) = mailbox.to(person.email)
    assert "Ремонт на улица „Главна“" in str(message["Subject"])
    body = Mailbox.body(message)
    assert f"/news/{item.pk}/" in body
    assert message["List-Unsubscribe"]
    assert mailbox.to(stranger.email) == []
    item.refresh_from_db()
    assert item.notified_at is not None
    # Never twice: announcing again (a retry, a second worker) sends nothing.
    assert notices.announce(item) is False
    assert len(mailbox.to(person.email)) == 1


@pytest.mark.parametrize("kind", ["organisation", "network"])
def test_followers_of_an_organisation_or_a_network_hear(ladder, mailbox, kind):
    publisher = getattr(ladder, kind)
    person = follower(publisher)
    services.publish_now(draft(**{kind: publisher}))
    assert len(mailbox.to(person.email)) == 1


def test_followers_of_the_topic_and_place_hear_too(ladder, mailbox):
    topic = Topic.objects.create(slug="news-topic", name_bg="Образование")
    item = draft()
    item.topics.add(topic)
    item.municipality_id = "PDV22"
    item.province_id = "PDV"
    item.save()
    by_topic = follower(topic)
    from territory.models import Municipality

    by_place = follower(Municipality.objects.get(pk="PDV22"))
    services.publish_now(item)
    assert len(mailbox.to(by_topic.email)) == 1
    assert len(mailbox.to(by_place.email)) == 1


def test_digest_followers_get_it_in_the_digest(ladder, mailbox):
    daily = follower(ladder.institution, Frequency.DAILY)
    off = follower(ladder.institution, Frequency.OFF)
    item = draft(institution=ladder.institution)
    services.publish_now(item)
    assert mailbox.messages == []
    assert PendingNotification.objects.filter(user=daily, news_kind=KIND).count() == 1
    assert not PendingNotification.objects.filter(user=off).exists()
    call_command("send_digests", "--frequency", "daily", verbosity=0)
    (message,) = mailbox.to(daily.email)
    assert item.title in Mailbox.body(message)


def test_a_scheduled_item_is_announced_when_the_worker_publishes_it(ladder, mailbox):
    person = follower(ladder.institution)
    at = timezone.now() + datetime.timedelta(hours=1)
    item = services.schedule(draft(institution=ladder.institution), at)
    call_command("publish_news", verbosity=0)
    assert mailbox.messages == []  # not before its time
    services.publish_due(at + datetime.timedelta(minutes=1))
    assert len(mailbox.to(person.email)) == 1
    services.publish_due(at + datetime.timedelta(minutes=2))
    assert len(mailbox.to(person.email)) == 1
    item.refresh_from_db()
    assert item.state == State.PUBLISHED


def test_drafts_and_withdrawals_tell_nobody(ladder, mailbox):
    follower(ladder.institution)
    item = draft(institution=ladder.institution)
    services.schedule(item, timezone.now() + datetime.timedelta(days=1))
    services.withdraw(item, "Отпада.")
    assert mailbox.messages == []
