"""Versions of the draft (versions.save_version) and the public page comparing the consulted
draft with the adopted text, unit by unit and word by word (consultations/diff.py)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import diff, drafts
from consultations.enums import State, VersionKind
from consultations.models import Article, Consultation, DraftVersion
from consultations.versions import save_version
from tests.clients import signed_in
from tests.factories.accounts import UserFactory
from tests.factories.consultations import ORDINANCE, ConsultationFactory, add_version
from tests.factories.directory import generated, staff_of

pytestmark = pytest.mark.django_db

ADOPTED = (
    ORDINANCE.replace("от 23:00 до 07:00 часа", "от 22:00 до 08:00 часа")
    .replace("Чл. 2. Кметът на общината организира изпълнението на наредбата.\n", "")
    .replace(
        "§ 1. Наредбата",
        "Чл. 5. Нарушенията се наказват с глоба.\n\n§ 1. Наредбата",
    )
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def adopted_consultation() -> Consultation:
    c = ConsultationFactory(state=State.ADOPTED)
    save_version(c, drafts.parse_text(ADOPTED), source_text=ADOPTED, kind=VersionKind.ADOPTED)
    return c


# --- save_version ----------------------------------------------------------------------------


def test_each_save_is_a_new_numbered_version() -> None:
    c = ConsultationFactory(state=State.DRAFT, with_draft=False)
    official = UserFactory()
    first = save_version(c, drafts.parse_text(ORDINANCE), source_text=ORDINANCE, by=official)
    second = add_version(c, ORDINANCE.replace("23:00", "22:00"))
    assert (first.number, second.number) == (1, 2)
    assert first.kind == second.kind == VersionKind.CONSULTED
    assert first.created_by == official and second.created_by is None
    assert c.current_version == second
    # Each version has its own units; the first is kept unchanged.
    assert Article.objects.filter(version=first, text__contains="23:00").exists()
    assert Article.objects.filter(version=second, text__contains="22:00").exists()


def test_units_keep_the_tree_labels_and_anchors() -> None:
    c = ConsultationFactory(state=State.DRAFT, with_draft=False)
    version = add_version(c, ORDINANCE)
    rows = {a.anchor: a for a in version.articles.all()}
    assert rows["chl-4-al-2"].label == "Чл. 4, ал. 2"
    assert rows["chl-4-al-2"].parent == rows["chl-4"]
    assert rows["chl-4"].commentable and rows["chl-4-al-2"].commentable
    assert not rows["glava-1"].commentable
    assert rows["chl-4"].depth == rows["chl-4-al-2"].depth - 1
    assert rows["par-1"].label == "§ 1"
    indexes = list(version.articles.order_by("index").values_list("index", flat=True))
    assert indexes == sorted(set(indexes))


def test_warnings_are_stored() -> None:
    c = ConsultationFactory(state=State.DRAFT, with_draft=False)
    version = add_version(c, "Чл. 1. Първи.\n\nЧл. 3. Трети.")
    assert [w["code"] for w in version.warnings] == ["gap"]
    assert "Чл. 3" in version.warnings[0]["message"]


def test_the_adopted_version_is_apart_from_the_consulted() -> None:
    c = adopted_consultation()
    assert list(c.versions.values_list("number", "kind")) == [
        (1, VersionKind.CONSULTED),
        (2, VersionKind.ADOPTED),
    ]
    assert c.current_version.number == 1  # the consulted text stays what people commented on


# --- the comparison --------------------------------------------------------------------------


def test_word_level_difference() -> None:
    segments = diff.words("от 23:00 до 07:00 часа", "от 22:00 до 08:00 часа")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "от "),
        ("delete", "23:00"),
        ("insert", "22:00"),
        ("equal", " до "),
        ("delete", "07:00"),
        ("insert", "08:00"),
        ("equal", " часа"),
    ]
    assert diff.words("same text", "same text") == [diff.Segment("equal", "same text")]


def test_units_are_matched_by_anchor() -> None:
    c = adopted_consultation()
    consulted, adopted = c.versions.order_by("number")
    result = diff.compare(consulted, adopted)
    assert [u.label for u in result.changed] == ["Чл. 3"]
    assert [u.label for u in result.added] == ["Чл. 5"]
    assert [u.label for u in result.removed] == ["Чл. 2"]
    assert {u.label for u in result.unchanged} == {"Чл. 1", "Чл. 4", "§ 1"}
    assert result.has_changes


def test_a_changed_paragraph_changes_its_article() -> None:
    c = ConsultationFactory(state=State.DRAFT, with_draft=False)
    a = add_version(c, ORDINANCE)
    b = add_version(c, ORDINANCE.replace("кметовете на кметства", "кмета на общината"))
    result = diff.compare(a, b)
    assert [u.label for u in result.changed] == ["Чл. 4"]
    ops = {s.op for s in result.changed[0].segments}
    assert ops == {"equal", "insert", "delete"}


# --- the public page -------------------------------------------------------------------------


def test_the_versions_page_marks_insertions_and_deletions() -> None:
    c = adopted_consultation()
    response = Client().get(reverse("consultations:versions", args=[c.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<del><span class=\"visually-hidden\">\[[^:]+: </span>23:00", html)
    assert re.search(r"<ins><span class=\"visually-hidden\">\[[^:]+: </span>22:00", html)
    assert "Чл. 5" in html and "Нарушенията се наказват с глоба." in html  # added
    assert "Кметът на общината организира" in html  # removed, listed


def test_before_adoption_the_page_lists_the_consulted_version_only() -> None:
    c = ConsultationFactory()  # open
    add_version(c, ORDINANCE.replace("23:00", "22:00"))
    response = Client().get(reverse("consultations:versions", args=[c.pk]))
    assert response.status_code == 200
    assert response.context["comparison"] is None
    # The public sees the last consulted version, not the drafts before it.
    assert [v.number for v in response.context["versions"]] == [2]


def test_versions_of_an_unpublished_draft_are_for_its_managers() -> None:
    c = ConsultationFactory(state=State.DRAFT)
    add_version(c, ORDINANCE)
    url = reverse("consultations:versions", args=[c.pk])
    assert Client().get(url).status_code == 403
    assert signed_in(UserFactory()).get(url).status_code == 403
    official = UserFactory()
    staff_of(generated("ma:PDV22"), official)
    response = signed_in(official).get(url)
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [1, 2]
    assert Client().get(reverse("consultations:versions", args=[2**63])).status_code == 404


def test_staff_publish_the_adopted_text() -> None:
    c = ConsultationFactory(state=State.ADOPTED)
    official = UserFactory()
    staff_of(generated("ma:PDV22"), official)
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    url = reverse("consultations:adopted-text", args=[c.pk])
    assert signed_in(other).post(url, {"text": ADOPTED}).status_code == 403
    client = signed_in(official)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": ADOPTED}).status_code == 302
    version = DraftVersion.objects.get(consultation=c, kind=VersionKind.ADOPTED)
    assert (version.number, version.created_by) == (2, official)
    page = Client().get(reverse("consultations:versions", args=[c.pk])).content.decode()
    assert "<ins>" in page and "<del>" in page


def test_the_adopted_text_only_after_adoption() -> None:
    c = ConsultationFactory(state=State.REPORT_PUBLISHED)
    official = UserFactory()
    staff_of(generated("ma:PDV22"), official)
    url = reverse("consultations:adopted-text", args=[c.pk])
    assert signed_in(official).post(url, {"text": ADOPTED}).status_code == 403
    assert not c.versions.filter(kind=VersionKind.ADOPTED).exists()


def test_the_versions_page_query_count_stays_flat() -> None:
    def count(articles: int) -> int:
        text = "\n\n".join(f"Чл. {i}. (1) Текст {i}.\n(2) Още {i}." for i in range(1, articles + 1))
        changed = text.replace("Още", "Друго")
        c = ConsultationFactory(state=State.ADOPTED, with_draft=text)
        save_version(c, drafts.parse_text(changed), kind=VersionKind.ADOPTED)
        url = reverse("consultations:versions", args=[c.pk])
        client = Client()
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)
