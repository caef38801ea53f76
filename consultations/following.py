"""What people follow to hear of consultations (accounts.notifications): registered at start-up.

A consultation is a followable whose "parents" are everything people follow to hear of it: the
owning institution, the municipality and province it concerns and its topics. `notify()` on a
consultation therefore reaches, once each, everyone who follows any of them (or the
consultation itself), at once or in their digest as they chose (consultations/notices.py).
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

OPENED = "consultations.opened"
CLOSING = "consultations.closing"


def consultation_parents(consultation: object) -> Iterable[ParentRef]:
    from core.models import Topic
    from directory.models import Institution
    from territory.models import Municipality, Province

    parents: list[ParentRef] = [
        (Institution, getattr(consultation, "institution_id", None)),
        (Municipality, getattr(consultation, "municipality_id", None)),
        (Province, getattr(consultation, "province_id", None)),
    ]
    topics = consultation.topics.all()  # type: ignore[attr-defined]  # prefetched when listed
    parents += [(Topic, topic.pk) for topic in topics]
    return parents


def register() -> None:
    from consultations.models import Consultation
    from directory.models import Institution

    register_followable(Consultation, consultation_parents, label=lambda c: c.title)
    # People follow an institution to hear of its consultations; the directory may register
    # it first (with its own parents), which is then kept.
    if followable_for(Institution) is None:
        register_followable(Institution, label=lambda i: i.name_bg)
    register_news_kind(OPENED, _("Public consultations opened"))
    register_news_kind(CLOSING, _("Public consultations closing in three days"))


register()
