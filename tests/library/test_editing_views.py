"""Writing the library: the permission ladder of every editing page (anonymous, a signed-in
citizen, a library editor, an administrator), bad input with messages next to the fields and
the typed text kept, uploads refused by type and size, the optimistic lock, publishing with
its history, new editions, chapters and their order, the good practice's record, the links
to where a publication is used, and the rate limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.uploads import MAX_UPLOAD_BYTES
from library.enums import PublicationType, State
from library.models import Chapter, GoodPractice, Publication, PublicationChange, PublicationUse
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.library import ChapterFactory, PublicationFactory, library_editor
from tests.library.files import docx_bytes, odt_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return signed_in(library_editor())


def _admin():
    return signed_in(RoleAssignmentFactory(role=Role.ADMINISTRATOR).user)


def _pages(p, chapter, use) -> list[str]:
    return [
        reverse("library:manage"),
        reverse("library:new"),
        reverse("library:edit", args=[p.pk]),
        reverse("library:files", args=[p.pk]),
        reverse("library:chapters", args=[p.pk]),
        reverse("library:chapter-new", args=[p.pk]),
        reverse("library:chapter-edit", args=[p.pk, chapter.pk]),
        reverse("library:state", args=[p.pk]),
        reverse("library:new-edition", args=[p.pk]),
        reverse("library:uses", args=[p.pk]),
    ]


def test_permission_ladder_of_every_editing_page():
    p = PublicationFactory(type=PublicationType.GOOD_PRACTICE)
    chapter = ChapterFactory(publication=p)
    pages = [*_pages(p, chapter, None), reverse("library:case", args=[p.pk])]
    for url in pages:
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
        assert signed_in(UserFactory()).get(url).status_code == 403, url
        assert signed_in(library_editor()).get(url).status_code == 200, url
        assert _admin().get(url).status_code == 200, url
    # Writes too: a citizen changes nothing.
    citizen = signed_in(UserFactory())
    assert citizen.post(reverse("library:state", args=[p.pk])).status_code == 403
    assert (
        citizen.post(reverse("library:chapter-delete", args=[p.pk, chapter.pk])).status_code == 403
    )
    assert Chapter.objects.filter(pk=chapter.pk).exists()
    assert Publication.objects.get(pk=p.pk).state == State.PUBLISHED


def test_the_library_links_to_editing_only_for_editors(editor):
    PublicationFactory()
    assert reverse("library:new") not in Client().get(reverse("library:index")).content.decode()
    assert reverse("library:new") in editor.get(reverse("library:index")).content.decode()


def _publication_data(**changes):
    data = {
        "type": "handbook",
        "title": "Наръчник за младежките съвети",
        "summary": "Как се създава младежки съвет.",
        "body": "## Стъпки\n\n1. Решение на съвета.",
        "authors": "Петър Петров",
        "year": "2026",
        "language": "bg",
        "licence": "cc-by-4.0",
        "audience": ["citizens", "councils"],
    }
    data.update(changes)
    return data


def test_an_editor_creates_a_draft_then_publishes_it(editor):
    response = editor.post(reverse("library:new"), _publication_data())
    p = Publication.objects.get(title="Наръчник за младежките съвети")
    assert response.status_code == 302 and response["Location"] == reverse(
        "library:files", args=[p.pk]
    )
    assert p.state == State.DRAFT and p.for_councils and p.for_citizens and not p.for_ngos
    assert Client().get(p.get_absolute_url()).status_code == 404
    published = editor.post(reverse("library:state", args=[p.pk]), {"note": "първо издание"})
    assert published.status_code == 302
    p.refresh_from_db()
    assert p.state == State.PUBLISHED
    history = PublicationChange.objects.filter(publication=p).order_by("at", "pk")
    assert [(h.from_state, h.to_state, h.note) for h in history] == [
        ("", State.DRAFT, ""),
        (State.DRAFT, State.PUBLISHED, "първо издание"),
    ]
    assert Client().get(p.get_absolute_url()).status_code == 200
    editor.post(reverse("library:state", args=[p.pk]))
    assert Publication.objects.get(pk=p.pk).state == State.DRAFT


def test_bad_input_is_shown_next_to_the_field_and_kept(editor):
    response = editor.post(
        reverse("library:new"),
        _publication_data(title="", year="двехиляди", summary="Резюме, което остава", type=""),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert _("Give the publication a title.") in text
    assert _("Write the year with four digits, e.g. 2026.") in text
    assert _("Choose the type of the publication.") in text
    assert "Резюме, което остава" in text and "двехиляди" in text
    assert 'class="error-summary"' in text
    assert not Publication.objects.exists()
    far = editor.post(reverse("library:new"), _publication_data(year="1800"))
    assert (
        _("The year must be %(limit_value)s or later.") % {"limit_value": 1900}
        in far.content.decode()
    )
    mismatch = editor.post(
        reverse("library:new"), _publication_data(province="PDV", municipality="SOF46")
    )
    assert _("The municipality is not in the chosen province.") in mismatch.content.decode()
    links = editor.post(
        reverse("library:new"), _publication_data(organisation_pages="https://example.org/x")
    )
    assert "is not the address of such a page" in links.content.decode() or links.status_code == 200
    assert not Publication.objects.exists()


def test_authors_are_named_by_the_addresses_of_their_pages(editor):
    from tests.factories.directory import generated

    institution = generated("ma:PDV22")
    response = editor.post(
        reverse("library:new"),
        _publication_data(
            institution_pages=f"https://portal.example/en{institution.get_absolute_url()}"
        ),
    )
    assert response.status_code == 302
    p = Publication.objects.get()
    assert list(p.institutions.all()) == [institution]
    assert (
        institution.name_bg
        in signed_in(library_editor()).get(p.get_absolute_url()).content.decode()
    )


def test_a_stale_edit_is_refused_and_keeps_the_text(editor):
    p = PublicationFactory()
    url = reverse("library:edit", args=[p.pk])
    stale = p.revision
    editor.post(url, _publication_data(title="Първа промяна", revision=stale))
    response = editor.post(url, _publication_data(title="Втора промяна", revision=stale))
    assert response.status_code == 200
    text = response.content.decode()
    assert ("Втора промяна" in text and "Someone else saved" in text) or _(
        "Someone else saved this publication after you opened the page. Nothing has been "
        "saved: copy what you typed, reload the page and make your change again."
    ) in text
    assert Publication.objects.get(pk=p.pk).title == "Първа промяна"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("doklad.pdf", pdf_bytes("Дума от файла: хербаризация.")),
        ("doklad.docx", docx_bytes("Дума от файла: хербаризация.")),
        ("doklad.odt", odt_bytes("Дума от файла: хербаризация.")),
    ],
)
def test_an_upload_is_stored_with_its_text(editor, name, data):
    p = PublicationFactory()
    response = editor.post(
        reverse("library:files", args=[p.pk]), {"title": "Пълен текст", "file": upload(name, data)}
    )
    assert response.status_code == 302
    row = p.files.get()
    assert "хербаризация" in row.text and row.title == "Пълен текст" and row.size == len(data)
    found = Client().get(reverse("library:index"), {"q": "хербаризация"})
    assert [r.pk for r in found.context["rows"]] == [p.pk]
    editor.post(reverse("library:file-delete", args=[p.pk, row.pk]))
    assert not p.files.exists()


def test_uploads_are_refused_by_content_and_size(editor, settings):
    p = PublicationFactory()
    url = reverse("library:files", args=[p.pk])
    fake = editor.post(
        url, {"file": upload("report.pdf", b"<html>not a pdf</html>", "application/pdf")}
    )
    assert (
        _("Upload a PDF, a Word (.docx) or an OpenDocument (.odt) file.") in fake.content.decode()
    )
    broken = editor.post(url, {"file": upload("broken.pdf", b"%PDF-1.4\nnonsense")})
    unreadable = _("The file's text could not be read: it may be damaged or password-protected.")
    assert escape(unreadable) in broken.content.decode()
    big = editor.post(
        url, {"file": upload("big.pdf", b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_BYTES + 1))}
    )
    assert "10" in big.content.decode() and big.status_code == 200
    assert (
        _("The file is too large (%(size)s); the limit is %(limit)s.").split("(")[0]
        in big.content.decode()
    )
    missing = editor.post(url, {"title": "Без файл"})
    assert (
        _("Choose a file.") in missing.content.decode() and "Без файл" in missing.content.decode()
    )
    assert not p.files.exists()


def test_chapters_are_added_edited_moved_and_removed(editor):
    p = PublicationFactory()
    new = reverse("library:chapter-new", args=[p.pk])
    editor.post(new, {"title": "Как да коментираме", "body": "Текст.", "revision": p.revision})
    p.refresh_from_db()
    editor.post(new, {"title": "Как да коментираме", "body": "Друг.", "revision": p.revision})
    chapters = list(p.chapters.order_by("position"))
    assert [c.anchor for c in chapters] == ["kak-da-komentirame", "kak-da-komentirame-2"]
    p.refresh_from_db()
    taken = editor.post(
        new, {"title": "Х", "anchor": "kak-da-komentirame", "body": "Т.", "revision": p.revision}
    )
    assert _("Another chapter has this address. Choose another.") in taken.content.decode()
    wrong = editor.post(
        new, {"title": "Х", "anchor": "Глава 1", "body": "", "revision": p.revision}
    )
    text = wrong.content.decode()
    assert escape(_("Write the chapter's text.")) in text and "Глава 1" in text
    editor.post(reverse("library:chapter-move", args=[p.pk, chapters[1].pk]), {"direction": "up"})
    assert list(p.chapters.order_by("position").values_list("pk", flat=True)) == [
        chapters[1].pk,
        chapters[0].pk,
    ]
    p.refresh_from_db()
    edit = reverse("library:chapter-edit", args=[p.pk, chapters[0].pk])
    editor.post(
        edit, {"title": "Нова", "anchor": "nova", "body": "Нов текст.", "revision": p.revision}
    )
    assert Chapter.objects.get(pk=chapters[0].pk).anchor == "nova"
    stale = editor.post(edit, {"title": "Стара", "anchor": "nova", "body": "Х.", "revision": 1})
    assert stale.status_code == 200 and Chapter.objects.get(pk=chapters[0].pk).title == "Нова"
    editor.post(reverse("library:chapter-delete", args=[p.pk, chapters[0].pk]))
    assert p.chapters.count() == 1


def test_the_good_practice_record(editor):
    p = PublicationFactory(type=PublicationType.GOOD_PRACTICE)
    url = reverse("library:case", args=[p.pk])
    bad = editor.post(
        url, {"country": "", "what_was_done": "", "year": "abc", "revision": p.revision}
    )
    text = bad.content.decode()
    assert _("Name the country.") in text and _("Describe what was done.") in text
    ok = editor.post(
        url,
        {
            "country": "Полша", "place": "Гданск", "year": "2016",
            "what_was_done": "Граждански панел.", "results": "", "contacts": "",
            "sources": "https://www.gdansk.pl", "revision": p.revision,
        },
    )  # fmt: skip
    assert ok.status_code == 302
    assert GoodPractice.objects.get(publication=p).place == "Гданск"
    handbook = PublicationFactory()
    assert editor.get(reverse("library:case", args=[handbook.pk])).status_code == 404


def test_a_new_edition_from_the_page(editor):
    p = PublicationFactory()
    response = editor.post(reverse("library:new-edition", args=[p.pk]))
    second = Publication.objects.get(previous_edition=p)
    assert response["Location"] == reverse("library:edit", args=[second.pk])
    again = editor.post(reverse("library:new-edition", args=[p.pk]))
    assert again.status_code == 200
    assert Publication.objects.filter(previous_edition=p).count() == 1


def test_links_to_where_it_is_used(editor):
    from tests.factories.events import EventFactory

    p = PublicationFactory()
    event = EventFactory()
    url = reverse("library:uses", args=[p.pk])
    editor.post(
        url, {"address": f"http://testserver{event.get_absolute_url()}", "note": "раздаден"}
    )
    use = PublicationUse.objects.get(publication=p)
    assert use.event_id == event.pk
    twice = editor.post(url, {"address": event.get_absolute_url()})
    assert _("The publication is already linked to this page.") in twice.content.decode()
    wrong = editor.post(url, {"address": "/directory/"})
    assert (
        _("This is not the address of a consultation, an event or an assessment here.")
        in wrong.content.decode()
    )
    draft = EventFactory(state="draft")
    hidden = editor.post(url, {"address": draft.get_absolute_url()})
    assert _("There is no public page at this address.") in hidden.content.decode()
    assert event.title in Client().get(p.get_absolute_url()).content.decode()
    editor.post(reverse("library:use-delete", args=[p.pk, use.pk]))
    assert not PublicationUse.objects.exists()


def test_writes_are_rate_limited(settings):
    client = signed_in(library_editor())
    p = PublicationFactory()
    url = reverse("library:state", args=[p.pk])
    from core.ratelimit import client_key, hit  # noqa: F401

    statuses = {client.post(url).status_code for _n in range(305)}
    assert 429 in statuses
