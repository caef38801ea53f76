"""The pages of information the administrator edits, their first texts, the footer's links and
the co-funding notice."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Page
from core.pages import TITLES, load_pages
from tests.clients import signed_in
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_the_first_texts_are_loaded_once_and_edits_are_kept():
    assert load_pages() == len(TITLES) == 5
    about = Page.objects.get(slug="about")
    about.body_bg = "Нов текст от администратора."
    about.save()
    assert load_pages() == 0
    assert Page.objects.get(slug="about").body_bg == "Нов текст от администратора."


@pytest.mark.parametrize("slug", list(TITLES))
def test_each_page_reads_with_its_title_and_text(slug):
    load_pages()
    response = Client().get(reverse("page", args=[slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert TITLES[slug][0].replace("„", "&bdquo;")[:10] in page or TITLES[slug][0][:10] in page


def test_the_model_page_describes_the_three_sides():
    load_pages()
    page = Client().get(reverse("page", args=["interaction-model"])).content.decode()
    for side in ("органите на местното самоуправление", "местната администрация", "гражданите"):
        assert side in page.lower() or side in page


def test_markdown_is_sanitised_and_english_is_shown_on_english_pages():
    Page.objects.create(
        slug="terms",
        title_bg="Условия",
        title_en="Terms",
        body_bg="**Важно** <script>alert(1)</script>",
        body_en="**Important**",
    )
    page = Client().get(reverse("page", args=["terms"])).content.decode()
    assert "<strong>Важно</strong>" in page and "<script>alert" not in page
    english = Client().get("/en" + reverse("page", args=["terms"])).content.decode()
    assert "<strong>Important</strong>" in english and "<h1>Terms</h1>" in english


def test_unknown_pages_are_404_and_the_accessibility_statement_has_its_own_address():
    load_pages()
    assert Client().get(reverse("page", args=["nothing"])).status_code == 404
    Page.objects.create(slug="accessibility", title_bg="Декларация", body_bg="Текстът на общината.")
    assert Client().get(reverse("page", args=["accessibility"])).status_code == 404
    assert "Текстът на общината." in Client().get(reverse("accessibility")).content.decode()


def test_without_an_edited_statement_the_portals_own_is_shown():
    response = Client().get(reverse("accessibility"))
    assert response.status_code == 200 and response.templates[0].name == "core/accessibility.html"


def test_only_those_who_may_edit_see_the_edit_link():
    load_pages()
    url = reverse("page", args=["about"])
    assert _("Edit this page") not in Client().get(url).content.decode()
    assert _("Edit this page") not in signed_in(UserFactory()).get(url).content.decode()
    admin = UserFactory(is_staff=True, is_superuser=True)
    page = signed_in(admin).get(url).content.decode()
    assert reverse("admin:core_page_change", args=[Page.objects.get(slug="about").pk]) in page


def test_the_footer_links_the_pages_and_shows_the_funding_notice():
    load_pages()
    page = Client().get(reverse("home")).content.decode()
    for slug in ("about", "interaction-model", "how-to-take-part", "privacy", "terms"):
        assert reverse("page", args=[slug]) in page
    assert "Европейския социален фонд" in page and 'class="eu-emblem"' in page
    with override_settings(FUNDING_NOTICE="", FUNDING_NOTICE_EN=""):
        page = Client().get(reverse("page", args=["about"])).content.decode()
    assert "Европейския социален фонд" not in page and "eu-emblem" not in page
    with override_settings(FUNDING_EU_EMBLEM=False):
        page = Client().get(reverse("page", args=["about"])).content.decode()
    assert "Европейския социален фонд" in page and "eu-emblem" not in page


def test_a_page_costs_one_query_of_its_own():
    load_pages()
    client = Client()
    client.get(reverse("page", args=["about"]))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("page", args=["privacy"])).status_code == 200
    assert [q["sql"] for q in ctx.captured_queries if "core_page" in q["sql"]] != []
    assert sum("core_page" in q["sql"] for q in ctx.captured_queries) == 1
