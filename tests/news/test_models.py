"""The item's rules kept by the database and the queryset: one publisher at most, what the
public sees, state changes with their history, scheduled publication."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from news import publishers, services
from news.enums import State
from news.models import NewsImage, NewsItem, StateChange
from tests.factories.news import NewsItemFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_at_most_one_publisher_is_enforced_by_the_database(ladder):
    NewsItemFactory(institution=ladder.institution)  # one: fine
    NewsItemFactory()  # none: the portal
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsItemFactory(institution=ladder.institution, organisation=ladder.organisation)


def test_a_live_item_needs_its_time_of_publication():
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsItemFactory(state=State.PUBLISHED, publish_at=None)
    NewsItemFactory(state=State.DRAFT, publish_at=None)


def test_an_image_needs_its_alternative_text():
    item = NewsItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsImage.objects.create(item=item, file="news/x.png", alt="")


def test_publisher_of_each_kind(ladder):
    assert NewsItemFactory().publisher == publishers.PORTAL
    item = NewsItemFactory(network=ladder.network)
    assert item.publisher.kind == "network"
    assert item.publisher.key == f"network-{ladder.network.pk}"
    assert item.publisher.stream_url == f"/news/networks/{ladder.network.pk}/"
    assert publishers.parse_key(f"institution-{ladder.institution.pk}") == (
        "institution",
        ladder.institution.pk,
    )
    for bad in ("", "institution-", "institution-0", "bank-3", "network-x", "network-" + "9" * 30):
        with pytest.raises(ValueError):
            publishers.parse_key(bad)


def test_public_means_published_or_scheduled_and_due():
    now = timezone.now()
    published = NewsItemFactory()
    due = NewsItemFactory(state=State.SCHEDULED, publish_at=now - HOUR)
    NewsItemFactory(state=State.SCHEDULED, publish_at=now + HOUR)
    NewsItemFactory(state=State.DRAFT, publish_at=None)
    NewsItemFactory(state=State.WITHDRAWN, publish_at=now - HOUR)
    assert set(NewsItem.objects.public()) == {published, due}
    assert due.is_public() and published.is_public()


def test_transitions_write_history_and_refuse_what_is_not_allowed(ladder):
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    item = services.publish_now(item, by=ladder.staff)
    assert item.state == State.PUBLISHED and item.publish_at is not None
    item = services.withdraw(item, "Грешна дата в обявлението.", by=ladder.staff)
    assert item.state == State.WITHDRAWN
    assert item.withdrawn_reason == "Грешна дата в обявлението."
    changes = list(StateChange.objects.filter(item=item).order_by("pk"))
    assert [(c.from_state, c.to_state, c.by) for c in changes] == [
        (State.DRAFT, State.PUBLISHED, ladder.staff),
        (State.PUBLISHED, State.WITHDRAWN, ladder.staff),
    ]
    assert changes[1].note == "Грешна дата в обявлението."
    with pytest.raises(services.TransitionError):
        services.publish_now(item, by=ladder.staff)


def test_schedule_and_change_the_time_and_cancel():
    item = NewsItemFactory(state=State.DRAFT, publish_at=None)
    at = timezone.now() + 2 * HOUR
    item = services.schedule(item, at)
    assert item.state == State.SCHEDULED and item.publish_at == at
    later = at + HOUR
    item = services.schedule(item, later)
    assert item.publish_at == later
    item = services.unschedule(item)
    assert item.state == State.DRAFT and item.publish_at is None
    assert [c.to_state for c in item.changes.order_by("pk")] == [
        State.SCHEDULED, State.DRAFT, State.SCHEDULED, State.DRAFT,
    ]  # fmt: skip


def test_due_items_are_published_by_the_command_and_not_before():
    now = timezone.now()
    due = NewsItemFactory(state=State.SCHEDULED, publish_at=now - HOUR)
    later = NewsItemFactory(state=State.SCHEDULED, publish_at=now + HOUR)
    call_command("publish_news", verbosity=0)
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == State.PUBLISHED
    assert due.publish_at == now - HOUR  # keeps the time the public has seen it since
    assert later.state == State.SCHEDULED
    assert due.changes.get().by is None  # the platform moved it
    # An hour later, the second is due too; a second run publishes nothing more.
    assert services.publish_due(now + 2 * HOUR) == 1
    assert services.publish_due(now + 2 * HOUR) == 0
    later.refresh_from_db()
    assert later.state == State.PUBLISHED


def test_publishing_a_due_scheduled_item_keeps_its_time():
    at = timezone.now() - HOUR
    item = services.publish_now(NewsItemFactory(state=State.SCHEDULED, publish_at=at))
    assert item.publish_at == at


def test_body_is_sanitised_markdown():
    item = NewsItemFactory(body="**Важно** <script>alert(1)</script> [връзка](javascript:alert(1))")
    assert "<strong>Важно</strong>" in item.body_html
    assert "<script>" not in item.body_html
    assert 'href="javascript' not in item.body_html
