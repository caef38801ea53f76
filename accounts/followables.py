"""What can be followed from the start, and the first kinds of news.

accounts sits above territory and core in the layering, so it registers their models here;
later apps register their own (institutions, organisations, consultations) in their ready().
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from accounts.notifications import ParentRef, register_followable, register_news_kind


def _municipality_parents(municipality: object) -> Iterable[ParentRef]:
    from territory.models import Province

    return [(Province, getattr(municipality, "province_id", None))]


def _settlement_parents(settlement: object) -> Iterable[ParentRef]:
    from territory.models import Municipality, Province

    municipality = getattr(settlement, "municipality", None)
    return [
        (Municipality, getattr(settlement, "municipality_id", None)),
        (Province, getattr(municipality, "province_id", None)),
    ]


def register() -> None:
    from core.models import Topic
    from territory.models import Municipality, Province, Settlement

    register_followable(Province)
    register_followable(Municipality, _municipality_parents)
    register_followable(Settlement, _settlement_parents, label=lambda s: s.full_name)
    register_followable(Topic)

    register_news_kind("territory.news", _("News about the places you follow"))
    register_news_kind("topics.news", _("News on the topics you follow"))
