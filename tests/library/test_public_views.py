"""The library's public pages: the list with full-text search (the text of attached PDF and
Word files included, Cyrillic and Latin, Bulgarian word forms) and facets with counts, a
publication's page, its files, the handbook read chapter by chapter and as a PDF, the good
practices; drafts hidden from all but editors; queries that stay flat as the library grows."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.models import Topic
from library import services, textract
from library.enums import PublicationType, State
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.library import (
    ChapterFactory,
    GoodPracticeFactory,
    PublicationFactory,
    library_editor,
)
from tests.library.files import docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

INDEX = reverse("library:index")


def _titles(response) -> list[str]:
    return [row.title for row in response.context["rows"]]


def _attach(publication, name: str, data: bytes) -> None:
    file = upload(name, data)
    kind = textract.file_kind(file)
    text, pages = textract.extract(file, kind)
    services.add_file(publication, file, kind=kind, text=text, pages=pages, title="", by=None)


def test_a_word_only_inside_an_attached_pdf_finds_the_publication():
    hit = PublicationFactory(title="Доклад за добрите практики")
    PublicationFactory(title="Друг доклад")
    _attach(hit, "doklad.pdf", pdf_bytes("В приложението: общинските читалища и гражданите."))
    for q in ("читалища", "читалище", "ЧИТАЛИЩЕТО", "chitalishta", "Chitalisht"):
        assert _titles(Client().get(INDEX, {"q": q})) == [hit.title], q


def test_a_word_only_inside_an_attached_docx_finds_the_publication():
    hit = PublicationFactory(title="Образец на споразумение")
    _attach(hit, "obrazets.docx", docx_bytes("Споразумение за партньорство с фондацията."))
    assert _titles(Client().get(INDEX, {"q": "партньорства"})) == [hit.title]
    assert _titles(Client().get(INDEX, {"q": "partnyorstvo"})) == [hit.title]


def test_drafts_are_not_listed_nor_found():
    PublicationFactory(title="Чернова за бюджета", state=State.DRAFT, published_at=None)
    response = Client().get(INDEX, {"q": "бюджета"})
    assert _titles(response) == []
    assert (
        _("No publication matches.") in response.content.decode() or response.context["rows"] == []
    )


def test_facets_count_each_value_under_the_other_filters():
    topic = Topic.objects.create(slug="prozrachnost", name_bg="Прозрачност")
    a = PublicationFactory(type=PublicationType.HANDBOOK, year=2025, for_ngos=True)
    a.topics.add(topic)
    PublicationFactory(type=PublicationType.HANDBOOK, year=2026, for_councils=True)
    PublicationFactory(type=PublicationType.GUIDE, year=2026, for_citizens=True)
    response = Client().get(INDEX, {"type": "handbook"})
    facets = response.context["facets"]
    assert len(response.context["rows"]) == 2
    # The type facet ignores its own filter, the others apply it.
    assert {v: n for v, _l, n in facets.types} == {"handbook": 2, "guide": 1}
    assert {v: n for v, _l, n in facets.years} == {"2026": 1, "2025": 1}
    assert {v: n for v, _l, n in facets.topics} == {"prozrachnost": 1}
    assert {v: n for v, _l, n in facets.audiences} == {"citizens": 2, "ngos": 1, "councils": 1}
    narrowed = Client().get(
        INDEX, {"type": "handbook", "audience": "ngos", "topic": "prozrachnost"}
    )
    assert [r.pk for r in narrowed.context["rows"]] == [a.pk]
    assert len(Client().get(INDEX, {"year": "2026"}).context["rows"]) == 2


def test_bad_filters_are_shown_and_ignored():
    PublicationFactory()
    response = Client().get(INDEX, {"year": "двайсет", "type": "nonsense"})
    assert response.status_code == 200
    text = response.content.decode()
    assert _("Write the year with four digits, e.g. 2026.") in text
    assert len(response.context["rows"]) == 1


def test_empty_library_says_what_to_do():
    text = Client().get(INDEX).content.decode()
    assert _("The library has no publications yet.") in text


def test_list_queries_stay_flat(django_assert_max_num_queries):
    for _n in range(3):
        PublicationFactory()
    client = Client()
    client.get(INDEX)  # warm the per-process caches (content types, templates)
    with django_assert_max_num_queries(12) as few:
        client.get(INDEX, {"q": "наръчник"})
    for _n in range(27):
        PublicationFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INDEX, {"q": "наръчник"})
    assert len(response.context["rows"]) == 20


def test_detail_shows_metadata_files_editions_and_uses():
    from tests.factories.events import EventFactory

    p = PublicationFactory(title="Наръчник за партньорство", authors="Мария Иванова")
    _attach(p, "full.pdf", pdf_bytes("Пълният текст."))
    event = EventFactory()
    p.uses.create(event=event)
    second = services.new_edition(p, by=None)
    response = Client().get(p.get_absolute_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert "Мария Иванова" in text and "full.pdf" in text and event.title in text
    assert second.get_absolute_url() not in text  # a draft edition is not shown to the public
    services.change_state(second, State.PUBLISHED, by=None)
    text = Client().get(p.get_absolute_url()).content.decode()
    assert second.get_absolute_url() in text
    assert p.get_absolute_url() in Client().get(second.get_absolute_url()).content.decode()


def test_drafts_and_their_files_are_for_editors_only():
    p = PublicationFactory(state=State.DRAFT, published_at=None)
    _attach(p, "draft.pdf", pdf_bytes("Чернова."))
    file_url = reverse("library:file", args=[p.files.get().pk])
    citizen = signed_in(UserFactory())
    assert Client().get(p.get_absolute_url()).status_code == 404
    assert citizen.get(p.get_absolute_url()).status_code == 404
    assert citizen.get(file_url).status_code == 404
    assert signed_in(library_editor()).get(p.get_absolute_url()).status_code == 200
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    response = signed_in(admin).get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Client().get("/library/99999999999999999999/").status_code == 404


def test_detail_queries_stay_flat(django_assert_max_num_queries):
    p = PublicationFactory()
    for _n in range(3):
        ChapterFactory(publication=p)
    client = Client()
    client.get(p.get_absolute_url())
    with django_assert_max_num_queries(20) as few:
        client.get(p.get_absolute_url())
    for _n in range(27):
        ChapterFactory(publication=p)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(p.get_absolute_url())


def test_handbook_reads_chapter_by_chapter_with_previous_and_next():
    p = PublicationFactory()
    one = ChapterFactory(publication=p, title="Първа глава", anchor="parva")
    two = ChapterFactory(
        publication=p,
        title="Втора глава",
        anchor="vtora",
        body="## Раздел\n\nТекст <script>x</script>",
    )
    contents = Client().get(reverse("library:contents", args=[p.pk]))
    assert contents.status_code == 200
    assert one.get_absolute_url() in contents.content.decode()
    first = Client().get(one.get_absolute_url())
    assert first.context["next"].pk == two.pk and first.context["previous"] is None
    second = Client().get(two.get_absolute_url())
    text = second.content.decode()
    assert second.context["previous"].pk == one.pk and second.context["next"] is None
    assert "<script>x" not in text and "<h3>Раздел</h3>" in text
    assert Client().get(reverse("library:chapter", args=[p.pk, "nyama"])).status_code == 404
    empty = PublicationFactory()
    assert Client().get(reverse("library:contents", args=[empty.pk])).status_code == 404


def test_handbook_pdf_has_page_numbers():
    from pypdf import PdfReader

    p = PublicationFactory(title="Наръчник за гражданите")
    for _n in range(3):
        ChapterFactory(publication=p, body="Абзац за участието. " * 200)
    response = Client().get(reverse("library:handbook-pdf", args=[p.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 4  # the cover with the contents, then each chapter on a new page
    first = reader.pages[0].extract_text()
    assert "Наръчник за гражданите" in first
    assert f"стр. 1 от {pages}" in first
    assert f"стр. {pages} от {pages}" in reader.pages[-1].extract_text()


def test_good_practices_filter_by_country_and_year():
    paris = GoodPracticeFactory()
    tallinn = GoodPracticeFactory(
        publication=PublicationFactory(type=PublicationType.GOOD_PRACTICE, is_example=True),
        country="Естония", place="", year=2016,
    )  # fmt: skip
    url = reverse("library:good-practices")
    assert len(Client().get(url).context["cases"]) == 2
    assert [c.pk for c in Client().get(url, {"country": "Естония"}).context["cases"]] == [
        tallinn.pk
    ]
    assert [c.pk for c in Client().get(url, {"year": "2014"}).context["cases"]] == [paris.pk]
    bad = Client().get(url, {"year": "x"})
    assert _("Write the year with four digits, e.g. 2016.") in bad.content.decode()
    detail = Client().get(tallinn.publication.get_absolute_url()).content.decode()
    assert "Естония" in detail and _("example") in detail
    assert (
        "https://example.org/budget"
        in Client().get(paris.publication.get_absolute_url()).content.decode()
    )


def test_the_seam_lists_the_publications_used_in_an_event():
    from django.template import Context, Template

    from tests.factories.events import EventFactory

    event = EventFactory()
    used = PublicationFactory(title="Наръчник за фасилитатори")
    hidden = PublicationFactory(title="Чернова", state=State.DRAFT, published_at=None)
    used.uses.create(event=event)
    hidden.uses.create(event=event)
    template = Template("{% load library_links %}{% used_publications event %}")
    html = template.render(Context({"event": event}))
    assert "Наръчник за фасилитатори" in html and "Чернова" not in html
    assert (
        Template("{% load library_links %}{% used_publications x %}")
        .render(Context({"x": used}))
        .strip()
        == ""
    )


def test_cached_counts_follow_every_change():
    PublicationFactory(type=PublicationType.GUIDE)
    assert Client().get(INDEX).context["page_obj"].paginator.count == 1
    p = PublicationFactory(type=PublicationType.GUIDE)  # saved: the version moves on
    again = Client().get(INDEX)
    assert again.context["page_obj"].paginator.count == 2
    assert {v: n for v, _l, n in again.context["facets"].types} == {"guide": 2}
    assert Client().get(INDEX, {"q": "тротоари"}).context["page_obj"].paginator.count == 0
    _attach(p, "t.pdf", pdf_bytes("Ремонт на тротоарите."))
    assert Client().get(INDEX, {"q": "тротоари"}).context["page_obj"].paginator.count == 1
    services.change_state(p, State.DRAFT, by=None)
    assert Client().get(INDEX, {"q": "тротоари"}).context["page_obj"].paginator.count == 0


def test_good_practices_and_chapters_queries_stay_flat(django_assert_max_num_queries):
    def practice():
        return GoodPracticeFactory(
            publication=PublicationFactory(type=PublicationType.GOOD_PRACTICE)
        )

    for _n in range(3):
        practice()
    handbook = PublicationFactory()
    for _n in range(3):
        ChapterFactory(publication=handbook)
    pages = [
        reverse("library:good-practices"),
        reverse("library:contents", args=[handbook.pk]),
        handbook.chapters.order_by("position").last().get_absolute_url(),
        reverse("library:manage"),
    ]
    client = signed_in(library_editor())
    few = {}
    for url in pages:
        client.get(url)
        with django_assert_max_num_queries(20) as counted:
            assert client.get(url).status_code == 200
        few[url] = len(counted.captured_queries)
    for _n in range(27):
        practice()
        ChapterFactory(publication=handbook)
    for url in pages:
        with django_assert_max_num_queries(few[url]):
            client.get(url)
