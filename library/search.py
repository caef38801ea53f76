"""Publications in the site's full-text search (core.search), registered at start-up.

An entry holds the title, the summary, the text, the authors (people, organisations and
institutions), the type and the topics (in Bulgarian and English), every chapter and the
text extracted from every attached file (PDF, DOCX, ODT), and a good practice's country,
place, what was done and its results: a word that appears only inside an attached PDF finds
the publication. core.translit stems Bulgarian word forms and transliterates both alphabets
to one Latin form, so "наръчник" and "naruchnik" meet. Drafts are indexed but not public.

Saving a publication updates its entry (the post_save hook of core.search.register); the
services re-index it after a change of its chapters, files or case record
(`index_publication`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, index_objects, register
from library.enums import PublicationType
from library.models import Publication
from library.selectors import SEARCH_KIND, forget

KIND = SEARCH_KIND


def _queryset() -> QuerySet[Publication]:
    return Publication.objects.select_related("good_practice").prefetch_related(
        "chapters", "files", "topics", "organisations", "institutions"
    )


def _label(value: str, language: str) -> str:
    with translation.override(language):
        return str(PublicationType(value).label) if value in PublicationType.values else ""


def publication_doc(p: Publication) -> SearchDoc:
    # The same entry whatever the language of the request that saved the publication.
    type_bg, type_en = _label(p.type, "bg"), _label(p.type, "en")
    texts = [type_bg, type_en, p.summary, p.body, p.authors]
    texts += [t for topic in p.topics.all() for t in (topic.name_bg, topic.name_en)]
    texts += [o.name for o in p.organisations.all()]
    texts += [t for i in p.institutions.all() for t in (i.name_bg, i.name_en)]
    for chapter in p.chapters.all():
        texts += [chapter.title, chapter.body]
    texts += [f.title for f in p.files.all()] + [f.text for f in p.files.all()]
    case = getattr(p, "good_practice", None)
    if case is not None:
        texts += [case.country, case.place, case.what_was_done, case.results]
    with translation.override("bg"):
        url = p.get_absolute_url()
    return SearchDoc(
        object_id=str(p.pk),
        title_bg=p.title,
        subtitle_bg=", ".join(x for x in (type_bg, str(p.year)) if x),
        subtitle_en=", ".join(x for x in (type_en, str(p.year)) if x),
        url=url,
        texts=tuple(t for t in texts if t),
        public=p.is_public,
    )


def index_publication(publication: Publication) -> None:
    """Write the publication's entry again (after its chapters, files or case changed)."""
    fresh = _queryset().filter(pk=publication.pk).first()
    if fresh is not None:
        index_objects(KIND, [fresh])
    forget()  # its words changed: so may the counts of a search's facets


register(KIND, _("Publications"), Publication, publication_doc, _queryset, order=55)
