"""What people follow to hear of news (accounts.notifications): registered at start-up.

A news item is a followable whose "parents" are everything people follow to hear of it: its
publisher (institution, organisation or network), the municipality and province it concerns
and its topics. Institutions, organisations and networks are registered as followable here if
their own apps have not done so (then theirs is kept), so that their pages' follow buttons work.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from accounts.notifications import (
    ParentRef,
    followable_for,
    register_followable,
    register_news_kind,
)

NEWS_KIND = "news"


def item_parents(item: object) -> Iterable[ParentRef]:
    from core.models import Topic
    from directory.models import Institution
    from organisations.models import Network, Organisation
    from territory.models import Municipality, Province

    parents: list[ParentRef] = [
        (Institution, getattr(item, "institution_id", None)),
        (Organisation, getattr(item, "organisation_id", None)),
        (Network, getattr(item, "network_id", None)),
        (Municipality, getattr(item, "municipality_id", None)),
        (Province, getattr(item, "province_id", None)),
    ]
    topics = item.topics.all()  # type: ignore[attr-defined]  # prefetched by news/notices.py
    parents += [(Topic, topic.pk) for topic in topics]
    return parents


def register() -> None:
    from directory.models import Institution
    from news.models import NewsItem
    from organisations.models import Network, Organisation

    register_followable(NewsItem, item_parents, label=lambda i: i.title)
    if followable_for(Institution) is None:
        register_followable(Institution, label=lambda i: i.name_bg)
    if followable_for(Organisation) is None:
        register_followable(Organisation, label=lambda o: o.display_name)
    if followable_for(Network) is None:
        register_followable(Network, label=lambda n: n.name)
    register_news_kind(NEWS_KIND, _("News and announcements"))
