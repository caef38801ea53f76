"""The consultations in the site's full-text search (core.search): registered at start-up.

An entry holds the title, the summary, the institution's name, the municipality and province
and the kind (in Bulgarian and English), so "наредба пловдив" and the Latin "naredba plovdiv"
both find an ordinance of Plovdiv. Open consultations get a boost, so that among equally good
matches the ones people can still comment on come first. Drafts and scheduled consultations
are indexed but not public (they stay out of results until they open). Every state change goes
through `Consultation.save` (consultations.services), whose post_save hook updates the entry.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consultations.enums import Kind, State
from consultations.models import Consultation
from core.search import SearchDoc, register

KIND = "consultations.consultation"

# Well above any other boost of the kind (all others are 0): open ones first.
OPEN_BOOST = 1_000


def _queryset() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("institution", "municipality", "province")


def consultation_doc(c: Consultation) -> SearchDoc:
    # The index is the same whatever the language of the request that saved the consultation.
    with translation.override("bg"):
        kind_bg = str(Kind(c.kind).label) if c.kind in Kind.values else ""
    with translation.override("en"):
        kind_en = str(Kind(c.kind).label) if c.kind in Kind.values else ""
    texts = [kind_bg, kind_en, c.summary, c.institution.name_bg, c.institution.name_en]
    for unit in (c.municipality, c.province):
        if unit is not None:
            texts += [unit.name_bg, unit.name_en]
    with translation.override("bg"):
        url = c.get_absolute_url()
    return SearchDoc(
        object_id=str(c.pk),
        title_bg=c.title,
        subtitle_bg=", ".join(p for p in (kind_bg, c.institution.name_bg) if p),
        subtitle_en=", ".join(p for p in (kind_en, c.institution.name_en) if p),
        url=url,
        texts=tuple(t for t in texts if t),
        boost=OPEN_BOOST if c.state == State.OPEN else 0,
        public=c.is_public,
    )


register(KIND, _("Public consultations"), Consultation, consultation_doc, _queryset, order=40)
