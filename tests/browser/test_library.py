"""The library in a real browser: a library editor adds a publication, uploads a PDF and
publishes it; a visitor finds it by a word that appears only inside the PDF (in another word
form) and opens it; the seeded handbook read chapter by chapter on a 375 px phone; axe on
every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.support import (
    PHONE,
    SMALL_PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
    submit,
)

pytestmark = pytest.mark.browser

TITLE = "Анализ на водните услуги в общините"


def test_an_editor_publishes_a_pdf_and_a_visitor_finds_it_by_its_content(
    browser_page: BrowserPage, chromium: Browser, site: str, tmp_path, settings
) -> None:
    from django.core.cache import cache

    from tests.factories.library import library_editor
    from tests.library.files import pdf_bytes

    cache.clear()  # rate-limit counters of earlier tests
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = tmp_path / "analiz.pdf"
    pdf.write_bytes(pdf_bytes("Приложение: тарифите за водоснабдяване в малките общини."))
    editor = library_editor()
    page = browser_page.page
    sign_in(page, site, editor.email)

    # A new publication, first with a mistake: the message is next to the field, the text kept.
    browser_page.visit("/library/new/")
    page.locator("input[name=type][value=analysis]").check()
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=summary]").fill("Цени и качество на водните услуги.")
    page.locator("input[name=year]").fill("20x6")
    submit(page, "main form button[type=submit]")
    expect(page.locator("main .error-summary")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_value(TITLE)
    check_a11y(page, "publication form with an error")
    page.locator("input[name=year]").fill("2026")
    page.locator("input[name=audience][value=administrations]").check()
    submit(page, "main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/library/\d+/files/$"))
    check_a11y(page, "files page")

    # The PDF, then publishing.
    page.locator("input[name=title]").fill("Пълен текст")
    page.locator("input[name=file]").set_input_files(str(pdf))
    submit(page, "main form[enctype] button[type=submit]")
    expect(page.locator("main table")).to_contain_text("Пълен текст")
    pk = re.search(r"/library/(\d+)/files/", page.url).group(1)  # type: ignore[union-attr]
    browser_page.visit(f"/library/{pk}/state/")
    page.locator("input[name=note]").fill("първа версия")
    submit(page, "main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/library/{pk}/$"))
    check_a11y(page, "the published publication, as its editor sees it")
    browser_page.assert_clean_console()

    # A visitor, signed out, finds it by a word form that is only inside the PDF.
    context = chromium.new_context(viewport=PHONE, locale="bg-BG")
    try:
        visitor = BrowserPage(page=context.new_page(), base_url=site)
        visitor.visit("/library/")
        visitor.page.locator("input[name=q]").fill("водоснабдяването")
        submit(visitor.page, "main form[role=search] .search-form button[type=submit]")
        results = visitor.page.locator("main ul.results > li > a")
        expect(results).to_have_count(1)
        expect(results.first).to_have_text(TITLE)
        check_a11y(visitor.page, "search results")
        assert_no_horizontal_scroll(visitor.page, "search results at 375 px")
        results.first.click()
        visitor.page.wait_for_load_state()
        expect(visitor.page.locator("main h1")).to_have_text(TITLE)
        file_link = visitor.page.locator("main a[href*='/library/files/']")
        expect(file_link).to_contain_text("Пълен текст")
        check_a11y(visitor.page, "publication page")
        assert_no_horizontal_scroll(visitor.page, "publication page at 375 px")
        response = visitor.page.request.get(site + str(file_link.get_attribute("href")))
        assert response.ok and response.headers["content-type"] == "application/pdf"
        visitor.assert_clean_console()
    finally:
        context.close()


def test_the_handbook_on_a_phone(browser_page: BrowserPage, site: str) -> None:
    from django.core.management import call_command

    from library.models import Publication

    call_command("load_library", verbosity=0)
    handbook = Publication.objects.get(seed_key="platform-handbook")
    chapters = list(handbook.chapters.order_by("position"))
    page = browser_page.page
    page.set_viewport_size(PHONE)

    browser_page.visit(f"/library/{handbook.pk}/")
    assert_no_horizontal_scroll(page, "handbook page")
    browser_page.visit(f"/library/{handbook.pk}/contents/")
    assert_no_horizontal_scroll(page, "contents")
    expect(page.locator("main nav ol li")).to_have_count(len(chapters))
    page.locator("main a.button").click()
    page.wait_for_load_state()
    expect(page.locator("main h1")).to_have_text(chapters[0].title)
    check_a11y(page, "first chapter")
    assert_no_horizontal_scroll(page, "first chapter")
    # Next, next, then back.
    page.locator("main nav.pagination a[rel=next]").click()
    page.wait_for_load_state()
    expect(page.locator("main h1")).to_have_text(chapters[1].title)
    check_a11y(page, "second chapter")
    page.locator("main nav.pagination a[rel=prev]").click()
    page.wait_for_load_state()
    expect(page.locator("main h1")).to_have_text(chapters[0].title)
    for chapter in chapters[2:]:
        browser_page.visit(chapter.get_absolute_url())
        assert_no_horizontal_scroll(page, chapter.anchor)
    expect(page.locator("main nav.pagination a[rel=next]")).to_have_count(0)  # the last one
    pdf = page.request.get(f"{site}/library/{handbook.pk}/handbook.pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"

    browser_page.visit("/library/good-practices/")
    assert_no_horizontal_scroll(page, "good practices")
    expect(page.locator("main ul.results > li")).to_have_count(5)
    browser_page.visit("/library/?type=good_practice")
    assert_no_horizontal_scroll(page, "library filtered")
    page.set_viewport_size(SMALL_PHONE)
    for path in ("/library/", chapters[0].get_absolute_url(), f"/library/{handbook.pk}/"):
        browser_page.goto(path)
        assert_no_horizontal_scroll(page, f"{path} at 320 px")
    browser_page.assert_clean_console()
