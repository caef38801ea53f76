"""The library's models and services: states with their history, the optimistic lock, new
editions, files with their text, chapters and their order, reading the text of files."""

from __future__ import annotations

import io

import pytest

from core.search import matching
from library import services, textract
from library.enums import PublicationType, State
from library.models import Chapter, Publication, PublicationChange
from library.search import KIND
from tests.factories.accounts import UserFactory
from tests.factories.library import ChapterFactory, GoodPracticeFactory, PublicationFactory
from tests.library.files import docx_bytes, odt_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _found(q: str) -> set[int]:
    return {int(e.object_id) for e in matching(q, kind=KIND)}


def test_publishing_and_unpublishing_leave_a_history_and_move_the_search():
    editor = UserFactory()
    p = PublicationFactory(state=State.DRAFT, published_at=None, title="Правилник за читалищата")
    assert p.pk not in _found("правилник")
    services.change_state(p, State.PUBLISHED, by=editor, note="готов")
    p.refresh_from_db()
    assert p.state == State.PUBLISHED and p.published_at is not None
    assert p.pk in _found("правилник")
    services.change_state(p, State.DRAFT, by=editor)
    assert p.pk not in _found("правилник")
    rows = list(
        PublicationChange.objects.filter(publication=p).values_list(
            "from_state", "to_state", "by", "note"
        )
    )
    assert rows == [
        (State.DRAFT, State.PUBLISHED, editor.pk, "готов"),
        (State.PUBLISHED, State.DRAFT, editor.pk, ""),
    ]
    with pytest.raises(services.TransitionError):
        services.change_state(p, State.DRAFT, by=editor)


def test_a_stale_revision_is_refused():
    p = PublicationFactory()
    seen = p.revision
    p.title = "Ново заглавие"
    services.save_publication(p, seen_revision=seen, by=None)
    other = Publication.objects.get(pk=p.pk)
    other.title = "Чуждо заглавие"
    with pytest.raises(services.Conflict):
        services.save_publication(other, seen_revision=seen, by=None)
    assert Publication.objects.get(pk=p.pk).title == "Ново заглавие"


def test_a_new_edition_copies_the_text_and_keeps_the_first():
    case = GoodPracticeFactory()
    first = case.publication
    ChapterFactory(publication=first, title="Увод", anchor="uvod")
    second = services.new_edition(first, by=None)
    assert second.edition == 2 and second.state == State.DRAFT
    assert second.previous_edition_id == first.pk and second.first_edition_id == first.pk
    assert list(second.chapters.values_list("anchor", flat=True)) == ["uvod"]
    assert second.good_practice.country == "Франция"
    first.refresh_from_db()
    assert first.state == State.PUBLISHED  # the first stays readable
    services.change_state(second, State.PUBLISHED, by=None)
    third = services.new_edition(second, by=None)
    assert third.first_edition_id == first.pk and third.edition == 3
    with pytest.raises(services.TransitionError):
        services.new_edition(first, by=None)  # already has a next edition


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", pdf_bytes("Общината прилага партиципативно бюджетиране."), "pdf"),
        ("a.docx", docx_bytes("Общината прилага партиципативно бюджетиране."), "docx"),
        ("a.odt", odt_bytes("Общината прилага партиципативно бюджетиране."), "odt"),
    ],
)
def test_text_is_read_from_pdf_docx_and_odt(name, data, kind):
    file = upload(name, data)
    assert textract.file_kind(file) == kind
    text, _pages = textract.extract(file, kind)
    assert "партиципативно" in text


def test_other_files_are_not_documents():
    assert textract.file_kind(upload("a.txt", b"plain text")) == ""
    assert textract.file_kind(upload("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)) == ""
    with pytest.raises(textract.Unreadable):
        textract.extract(io.BytesIO(b"%PDF-1.4 broken"), "pdf")


def test_a_file_makes_its_words_searchable_and_goes_with_them():
    p = PublicationFactory(title="Анализ на капацитета")
    data = pdf_bytes("Рядка дума: киберсигурност.")
    file = upload("analiz.pdf", data)
    text, pages = textract.extract(file, "pdf")
    row = services.add_file(p, file, kind="pdf", text=text, pages=pages, title="", by=None)
    assert row.size == len(data) and row.pages == 1
    assert row.file.name.startswith(f"library/{p.pk}/")
    assert p.pk in _found("киберсигурност")
    services.remove_file(row)
    assert p.pk not in _found("киберсигурност")


def test_chapters_are_searchable_and_reordered():
    p = PublicationFactory(type=PublicationType.HANDBOOK)
    a = services.save_chapter(Chapter(publication=p, title="Първа", anchor="a", body="Текст."))
    b = services.save_chapter(Chapter(publication=p, title="Втора", anchor="b", body="Хидрант."))
    assert (a.position, b.position) == (1, 2)
    assert p.pk in _found("хидрант")
    revision = Publication.objects.get(pk=p.pk).revision
    assert services.move_chapter(b, -1)
    assert list(p.chapters.values_list("anchor", flat=True)) == ["b", "a"]
    assert Publication.objects.get(pk=p.pk).revision > revision
    assert not services.move_chapter(Chapter.objects.get(pk=b.pk), -1)  # already first
    services.delete_chapter(b)
    assert p.pk not in _found("хидрант")


def test_followers_of_a_topic_hear_once_of_a_new_publication(django_capture_on_commit_callbacks):
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import PendingNotification
    from core.models import Topic
    from library.following import PUBLISHED
    from tests.factories.accounts import FollowFactory

    topic = Topic.objects.create(slug="uchastie", name_bg="Участие")
    follower = FollowFactory(
        content_type=ContentType.objects.get_for_model(Topic), object_id=str(topic.pk)
    ).user
    p = PublicationFactory(state=State.DRAFT, published_at=None, title="Наръчник за младежта")
    p.topics.add(topic)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_state(p, State.PUBLISHED, by=None)
    items = list(PendingNotification.objects.filter(user=follower, news_kind=PUBLISHED))
    assert [i.title for i in items] == ["Наръчник за младежта"]
    assert items[0].url.endswith(p.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.change_state(p, State.DRAFT, by=None)
        services.change_state(p, State.PUBLISHED, by=None)
    assert PendingNotification.objects.filter(user=follower, news_kind=PUBLISHED).count() == 1
