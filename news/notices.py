"""Telling followers about a news item once it is published.

Who hears of it: everyone following the publisher (the institution, organisation or network),
the item's topics or its municipality or province (news/following.py), each at once or in
their daily or weekly digest as they chose (accounts.notifications). Each item is announced
once: `NewsItem.notified_at` is taken with a conditional update in the same transaction as the
notices are queued, so a second call (or two at once) sends nothing again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.notifications import notify
from news.following import NEWS_KIND
from news.models import NewsItem


def announce(item: NewsItem) -> bool:
    """Tell the followers of `item` once; False when they had already been told."""
    with transaction.atomic():
        taken = NewsItem.objects.filter(pk=item.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not taken:
            return False
        fresh = (
            NewsItem.objects.select_related("institution", "organisation", "network")
            .prefetch_related("topics")
            .get(pk=item.pk)
        )
        with override(settings.LANGUAGE_CODE):
            title = _("%(publisher)s: %(title)s") % {
                "publisher": fresh.publisher.name,
                "title": fresh.title,
            }
            notify(fresh, NEWS_KIND, title, fresh.get_absolute_url(), fresh.lead)
    return True
