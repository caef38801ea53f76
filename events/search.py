"""Events in the site's full-text search (core.search), as consultations/search.py does for
consultations.

An entry holds the title, the description, the kind (in Bulgarian and English), the
organiser's name and the place (venue, settlement, municipality, province), so "обученията в
Пловдив" and the Latin "obuchenie plovdiv" both find a training in Plovdiv (core.translit
stems Bulgarian word forms and transliterates both alphabets to one Latin form). Drafts are
indexed but not public: they stay out of results until they are published. Saving an event
(`Event.save`, which publishing and cancelling go through) updates its entry through the
post_save hook core.search.register connects; events still to come rank first.

Imported at start-up (events.apps) and by events.views.public, so the hook is connected
before the first event is saved.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.legal_calendar import SOFIA
from core.search import SearchDoc, register
from events.enums import Kind
from events.models import Event
from events.selectors import SEARCH_KIND

KIND = SEARCH_KIND

# Among equally good matches, events one can still attend come first (other kinds use 0).
UPCOMING_BOOST = 1_000


def _queryset() -> QuerySet[Event]:
    return Event.objects.select_related(
        "institution", "organisation", "network", "settlement", "municipality", "province"
    )


def _label(kind: str, language: str) -> str:
    with translation.override(language):
        return str(Kind(kind).label) if kind in Kind.values else ""


def event_doc(e: Event) -> SearchDoc:
    # The same entry whatever the language of the request that saved the event.
    kind_bg, kind_en = _label(e.kind, "bg"), _label(e.kind, "en")
    if e.institution_id:
        names = [e.institution.name_bg, e.institution.name_en]  # type: ignore[union-attr]
    elif e.organisation_id:
        names = [e.organisation.name, e.organisation.name_en]  # type: ignore[union-attr]
    else:
        names = [str(e.organiser), ""]
    texts = [kind_bg, kind_en, e.description, e.venue, e.address, *names]
    for unit in (e.settlement, e.municipality, e.province):
        if unit is not None:
            texts += [unit.name_bg, unit.name_en]
    with translation.override("bg"):
        url = e.get_absolute_url()
    day = f"{e.starts_at.astimezone(SOFIA):%d.%m.%Y}"
    return SearchDoc(
        object_id=str(e.pk),
        title_bg=e.title,
        subtitle_bg=", ".join(p for p in (kind_bg, names[0], day) if p),
        subtitle_en=", ".join(p for p in (kind_en, names[1] or names[0], day) if p),
        url=url,
        texts=tuple(t for t in texts if t),
        boost=UPCOMING_BOOST if e.ends_at >= timezone.now() else 0,
        public=e.is_public,
    )


register(KIND, _("Events"), Event, event_doc, _queryset, order=45)
