"""The library in the notifications (accounts.notifications): registered at start-up.

A publication is a followable whose "parents" are what people follow to hear of it: its
topics, the municipality and province it concerns, and the institutions and organisations
that wrote it. When a publication is published for the first time (library.services),
`notify()` reaches, once each, everyone who follows any of them, at once or in their digest
as they chose.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from accounts.notifications import ParentRef, register_followable, register_news_kind

PUBLISHED = "library.published"


def publication_parents(publication: object) -> Iterable[ParentRef]:
    from core.models import Topic
    from directory.models import Institution
    from organisations.models import Organisation
    from territory.models import Municipality, Province

    parents: list[ParentRef] = [
        (Municipality, getattr(publication, "municipality_id", None)),
        (Province, getattr(publication, "province_id", None)),
    ]
    parents += [(Topic, pk) for pk in publication.topics.values_list("pk", flat=True)]  # type: ignore[attr-defined]
    parents += [
        (Institution, pk)
        for pk in publication.institutions.values_list("pk", flat=True)  # type: ignore[attr-defined]
    ]
    parents += [
        (Organisation, pk)
        for pk in publication.organisations.values_list("pk", flat=True)  # type: ignore[attr-defined]
    ]
    return parents


def register() -> None:
    from library.models import Publication

    register_followable(Publication, publication_parents, label=lambda p: p.title)
    register_news_kind(PUBLISHED, _("New publications in the library"))


register()
