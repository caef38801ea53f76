"""The library's workflows: saving a publication under its optimistic lock, publishing and
unpublishing with a history row, new editions, files (text extracted for the search),
chapters and their order, the good-practice record and the links to where a publication is
used. Each runs in one transaction and re-indexes the publication for the search.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from core.uploads import safe_name
from library.enums import TRANSITIONS, State
from library.following import PUBLISHED
from library.models import Chapter, GoodPractice, Publication, PublicationChange, PublicationFile
from library.search import index_publication


class Conflict(Exception):
    """Someone else saved the publication since the page was shown."""


class TransitionError(Exception):
    pass


def _locked(publication: Publication) -> Publication:
    return Publication.objects.select_for_update().get(pk=publication.pk)


def bump(publication: Publication) -> None:
    """Move the revision on (a chapter or a file changed): the lock and the cached PDF."""
    Publication.objects.filter(pk=publication.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    publication.refresh_from_db(fields=["revision", "updated_at"])


@transaction.atomic
def save_publication(
    publication: Publication, *, seen_revision: int | None, by: User | None,
    m2m: dict[str, Any] | None = None,
) -> Publication:  # fmt: skip
    """Save a new or edited publication; an edit must carry the revision its page showed."""
    if publication.pk:
        current = _locked(publication)
        if seen_revision != current.revision:
            raise Conflict
        publication.revision = current.revision + 1
        publication.state = current.state  # changed only through `change_state`
        publication.published_at = current.published_at
    else:
        publication.created_by = by
    created = publication.pk is None
    publication.save()
    if created:
        PublicationChange.objects.create(
            publication=publication, from_state="", to_state=publication.state, by=by
        )
    for name, values in (m2m or {}).items():
        getattr(publication, name).set(values)
    index_publication(publication)
    return publication


@transaction.atomic
def change_state(publication: Publication, to: str, *, by: User | None, note: str = "") -> None:
    current = _locked(publication)
    if to not in TRANSITIONS.get(current.state, frozenset()):
        raise TransitionError(
            _("A publication cannot go from “%(from)s” to “%(to)s”.")
            % {"from": State(current.state).label, "to": State(to).label}
        )
    PublicationChange.objects.create(
        publication=current, from_state=current.state, to_state=to, by=by, note=note[:500]
    )
    current.state = to
    first_time = to == State.PUBLISHED and current.published_at is None
    if first_time:
        current.published_at = timezone.now()
        # Once, after the commit: unpublishing and publishing again tells nobody twice.
        transaction.on_commit(lambda: announce(current))
    current.revision += 1
    current.save(update_fields=["state", "published_at", "revision", "updated_at"])
    publication.state, publication.published_at = current.state, current.published_at
    publication.revision = current.revision
    index_publication(current)


def announce(publication: Publication) -> dict[str, int]:
    """Tell the followers of the publication's topics, places and authors that it is out."""
    with translation.override(settings.LANGUAGE_CODE):
        url = publication.get_absolute_url()
    return notify(publication, PUBLISHED, publication.title, url, publication.summary)


@transaction.atomic
def new_edition(publication: Publication, *, by: User | None) -> Publication:
    """A draft copy of the publication as its next edition: text, authors, topics, chapters
    and case record; files stay with the edition they belong to. The old one stays as it is."""
    old = _locked(publication)
    if hasattr(old, "next_edition"):
        raise TransitionError(_("This publication already has a next edition."))
    topics = list(old.topics.all())
    organisations = list(old.organisations.all())
    institutions = list(old.institutions.all())
    chapters = list(old.chapters.all())
    case = GoodPractice.objects.filter(publication=old).first()
    new = Publication.objects.get(pk=old.pk)
    new.pk = None
    new.id = None
    new._state.adding = True
    new.state = State.DRAFT
    new.published_at = None
    new.edition = old.edition + 1
    new.previous_edition = old
    new.first_edition_id = old.line_root_id
    new.year = max(old.year, timezone.localdate().year)
    new.revision = 1
    new.created_by = by
    new.seed_key = ""
    new.is_example = old.is_example
    new.save()
    new.topics.set(topics)
    new.organisations.set(organisations)
    new.institutions.set(institutions)
    Chapter.objects.bulk_create(
        Chapter(publication=new, position=c.position, title=c.title, anchor=c.anchor, body=c.body)
        for c in chapters
    )
    if case is not None:
        case.pk = None
        case.publication = new
        case.save()
    note = _("Edition %(n)d, made from edition %(old)d.") % {"n": new.edition, "old": old.edition}
    PublicationChange.objects.create(
        publication=new, from_state="", to_state=State.DRAFT, by=by, note=note
    )
    index_publication(new)
    return new


@transaction.atomic
def add_file(
    publication: Publication, upload: UploadedFile, *, kind: str, text: str,
    pages: int | None, title: str, by: User | None,
) -> PublicationFile:  # fmt: skip
    """Attach a checked file (type and text read by the form, see library/textract.py)."""
    _locked(publication)
    last = publication.files.aggregate(m=Max("position"))["m"] or 0
    upload.name = safe_name(upload.name or f"file.{kind}")
    row = PublicationFile.objects.create(
        publication=publication, file=upload, kind=kind, size=upload.size or 0, text=text,
        pages=pages, title=title, position=last + 1, added_by=by,
    )  # fmt: skip
    bump(publication)
    index_publication(publication)
    return row


@transaction.atomic
def remove_file(row: PublicationFile) -> None:
    publication = _locked(row.publication)
    stored, storage = row.file.name or "", row.file.storage
    row.delete()
    if stored:  # the file goes once the row is gone for good
        transaction.on_commit(lambda: storage.delete(stored))
    bump(publication)
    index_publication(publication)


@transaction.atomic
def save_chapter(chapter: Chapter) -> Chapter:
    publication = _locked(chapter.publication)
    if not chapter.pk:
        last = publication.chapters.aggregate(m=Max("position"))["m"] or 0
        chapter.position = last + 1
    chapter.save()
    bump(publication)
    index_publication(publication)
    return chapter


@transaction.atomic
def delete_chapter(chapter: Chapter) -> None:
    publication = _locked(chapter.publication)
    chapter.delete()
    bump(publication)
    index_publication(publication)


@transaction.atomic
def move_chapter(chapter: Chapter, step: int) -> bool:
    """Swap the chapter with its neighbour above (-1) or below (+1); False at either end."""
    publication = _locked(chapter.publication)
    chapters = list(publication.chapters.order_by("position", "pk"))
    at = next((n for n, c in enumerate(chapters) if c.pk == chapter.pk), None)
    if at is None or not 0 <= at + step < len(chapters):
        return False
    chapters[at], chapters[at + step] = chapters[at + step], chapters[at]
    for n, c in enumerate(chapters, start=1):
        c.position = n
    Chapter.objects.bulk_update(chapters, ["position"])
    bump(publication)
    return True


@transaction.atomic
def save_good_practice(case: GoodPractice) -> GoodPractice:
    _locked(case.publication)
    case.save()
    bump(case.publication)
    index_publication(case.publication)
    return case
