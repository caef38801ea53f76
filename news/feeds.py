"""RSS 2.0 and Atom feeds of news: the common stream and each publisher's (the portal, an
institution, an organisation, a network), with Django's syndication framework.

Feeds are public and read-only (GET and HEAD only); they hold what the streams show (items
whose time has come), newest first, with links on the portal's own address (SITE_URL).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import ical
from news import publishers, selectors
from news.models import NewsItem
from news.publishers import Publisher

FEED_ITEMS = 50


class NewsFeed(Feed):
    """RSS 2.0 of a stream; `kind` says whose (None: the common stream)."""

    feed_type: type[Rss201rev2Feed] | type[Atom1Feed] = Rss201rev2Feed
    fmt = "rss"
    kind: str | None = None

    def __init__(self, kind: str | None = None) -> None:
        super().__init__()
        self.kind = kind

    def get_object(self, request: HttpRequest, pk: int | None = None) -> Publisher | None:
        if self.kind is None:
            return None
        publisher = publishers.load(self.kind, pk)
        if publisher is None:
            raise Http404
        return publisher

    def title(self, obj: Publisher | None) -> str:
        name = _("News and announcements") if obj is None else publishers.stream_title(obj)
        return _("%(scope)s · %(portal)s") % {"scope": name, "portal": settings.PORTAL_NAME}

    def link(self, obj: Publisher | None) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return ical.absolute(obj.stream_url if obj is not None else "/news/")

    def feed_url(self, obj: Publisher | None) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            if obj is None:
                return ical.absolute(reverse(f"news:index-{self.fmt}"))
            return ical.absolute(obj.feed_url(self.fmt))

    def description(self, obj: Publisher | None) -> str:
        return _("News and announcements published on the portal, newest first.")

    def items(self, obj: Publisher | None) -> list[NewsItem]:
        return list(selectors.stream(obj)[:FEED_ITEMS])

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return item.lead

    def item_link(self, item: NewsItem) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return ical.absolute(item.get_absolute_url())

    def item_guid(self, item: NewsItem) -> str:
        return f"news-{item.pk}@{ical.host()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: NewsItem) -> datetime.datetime | None:
        return item.publish_at

    def item_updateddate(self, item: NewsItem) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: NewsItem) -> str:
        return item.publisher.name

    def item_categories(self, item: NewsItem) -> list[str]:
        return [str(item.get_kind_display())]


class NewsAtom(NewsFeed):
    feed_type = Atom1Feed
    fmt = "atom"

    def subtitle(self, obj: Publisher | None) -> str:
        return self.description(obj)


def view(kind: str | None, fmt: str) -> Any:
    feed = NewsAtom(kind) if fmt == "atom" else NewsFeed(kind)
    return require_http_methods(["GET", "HEAD"])(feed)
