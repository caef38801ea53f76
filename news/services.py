"""Workflows of a news item: its moves between states, and publishing the due ones.

Every move is checked against enums.TRANSITIONS and recorded as a `StateChange` (who — none
when the platform moves it by itself —, when, from, to, why) in the same transaction, with the
item's row locked so that two moves at once cannot both happen. An item that becomes
published tells its followers once (news/notices.py), in the same transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from news import notices
from news.enums import TRANSITIONS, State
from news.models import NewsItem, StateChange


class TransitionError(Exception):
    """A move the state machine does not allow; the message is for people."""


@transaction.atomic
def transition(item: NewsItem, to: str, by: Any = None, note: str = "", **fields: Any) -> NewsItem:
    """Move `item` to state `to`, setting `fields` on it too; returns the fresh row.
    Raises TransitionError if the move is not allowed from the state it is in now."""
    row = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if to not in TRANSITIONS.get(row.state, frozenset()):
        raise TransitionError(
            _("An item that is “%(current)s” cannot become “%(target)s”.")
            % {"current": State(row.state).label, "target": State(to).label}
        )
    StateChange.objects.create(
        item=row,
        from_state=row.state,
        to_state=to,
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    row.state = to
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["state", "updated_at", *fields])
    if to == State.PUBLISHED:
        notices.announce(row)
    return row


def publish_now(item: NewsItem, by: Any = None) -> NewsItem:
    """Publish at once. A scheduled item whose time has already come keeps its time (the
    public has seen it since then)."""
    now = timezone.now()
    keep = item.state == State.SCHEDULED and item.publish_at and item.publish_at <= now
    return transition(item, State.PUBLISHED, by=by, publish_at=item.publish_at if keep else now)


def schedule(item: NewsItem, at: datetime.datetime, by: Any = None) -> NewsItem:
    """Plan the publication; a scheduled item gets a new time through draft and back."""
    with transaction.atomic():
        # The state as it is now (the caller's copy may be older), locked until the end.
        item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        if item.state == State.SCHEDULED:
            item = transition(item, State.DRAFT, by=by, note=_("Time of publication changed."))
        note = _("To be published on %(when)s.") % {
            "when": timezone.localtime(at).strftime("%d.%m.%Y %H:%M")
        }
        return transition(item, State.SCHEDULED, by=by, note=note, publish_at=at)


def unschedule(item: NewsItem, by: Any = None) -> NewsItem:
    return transition(item, State.DRAFT, by=by, publish_at=None)


def withdraw(item: NewsItem, reason: str, by: Any = None) -> NewsItem:
    return transition(item, State.WITHDRAWN, by=by, note=reason, withdrawn_reason=reason)


def publish_due(now: datetime.datetime | None = None) -> int:
    """Mark published the scheduled items whose time has come, keeping their time, and tell
    their followers (run every few minutes: `manage.py publish_news`). Returns how many."""
    published = 0
    for item in NewsItem.objects.due(now).order_by("publish_at", "pk"):
        try:
            transition(item, State.PUBLISHED, note=_("Published at the scheduled time."))
            published += 1
        except TransitionError:
            pass  # moved by someone else in the meantime
    return published
