"""News in the site's full-text search (core.search), kind "news".

An entry holds the title, the lead, the text, the kind and the publisher's name. Only items
the public sees are public entries: drafts, withdrawn items and scheduled ones are indexed but
kept out of results. A scheduled item's entry becomes public when the worker publishes it
(`manage.py publish_news`, every few minutes): its save updates the entry through the
post_save hook core.search.register connects. Newer items rank first among equal matches.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, register
from news.enums import Kind
from news.models import NewsItem

KIND = "news"


def _queryset() -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("institution", "organisation", "network")


def _label(kind: str, language: str) -> str:
    with translation.override(language):
        return str(Kind(kind).label) if kind in Kind.values else ""


def item_doc(item: NewsItem) -> SearchDoc:
    kind_bg, kind_en = _label(item.kind, "bg"), _label(item.kind, "en")
    with translation.override("bg"):
        publisher = item.publisher.name
        url = item.get_absolute_url()
    day = f"{item.publish_at.astimezone():%d.%m.%Y}" if item.publish_at else ""
    return SearchDoc(
        object_id=str(item.pk),
        title_bg=item.title,
        subtitle_bg=", ".join(p for p in (kind_bg, publisher, day) if p),
        subtitle_en=", ".join(p for p in (kind_en, publisher, day) if p),
        url=url,
        texts=tuple(t for t in (item.lead, item.body, kind_bg, kind_en, publisher) if t),
        # Newer first among equal matches: days since 2020 (a small, growing number).
        boost=(item.publish_at.toordinal() - 737425) if item.publish_at else 0,
        public=item.is_public(),
    )


register(KIND, _("News"), NewsItem, item_doc, _queryset, order=60)
