"""The printable directory and the exports by real clicks: province page → printable
directory → make it → download the PDF; the progress page; the export page; print styles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from directory import pdf
from directory.models import PrintedDirectory
from tests.browser.support import BrowserPage, assert_no_horizontal_scroll, check_a11y

pytestmark = pytest.mark.browser

# Making the Plovdiv PDF takes seconds, more on a busy machine.
MAKE_TIMEOUT = 120_000


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


def test_make_and_download_the_plovdiv_directory(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/territory/provinces/PDV/")
    page.locator("main a[href='/directory/print/province/PDV/']").click()
    expect(page).to_have_url(re.compile(r"/directory/print/province/PDV/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Пловдив")
    check_a11y(page, "print status, nothing made yet")

    # The task runs inside the request in the tests; the page comes back when it is done.
    page.locator("main form button[type=submit]").click(timeout=MAKE_TIMEOUT)
    download_link = page.locator("main a[href$='.pdf']")
    expect(download_link).to_be_visible(timeout=MAKE_TIMEOUT)
    expect(page.locator("main [role=status]")).to_be_visible()
    check_a11y(page, "print status, ready")
    assert_no_horizontal_scroll(page, "print status, ready")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"spravochnik-PDV-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    row = PrintedDirectory.objects.get(province_id="PDV")
    assert row.status == PrintedDirectory.Status.DONE and row.pages
    browser_page.assert_clean_console()


def test_progress_page_while_the_file_is_made(browser_page: BrowserPage) -> None:
    unit = pdf.Unit.for_province("SML")
    PrintedDirectory.objects.create(
        province_id="SML",
        fingerprint=pdf.fingerprint(unit),
        status=PrintedDirectory.Status.RUNNING,
        progress=47,
    )
    page = browser_page.goto("/directory/print/province/SML/")
    assert page.locator("meta[http-equiv=refresh]").count() == 1
    progress = page.locator("main progress")
    expect(progress).to_have_attribute("value", "47")
    expect(page.locator("main")).to_contain_text("47 %")
    # The way to stop the refreshing (WCAG 2.2.1) leads to the same page without it, which
    # is the one checked with axe (axe reports any timed refresh, whatever the way out).
    page.locator("main a[href='?refresh=off']").click()
    expect(page).to_have_url(re.compile(r"\?refresh=off$"))
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    expect(page.locator("main progress")).to_have_attribute("value", "47")
    check_a11y(page, "print status, being made")
    browser_page.assert_clean_console()


def test_export_page_and_a_csv_download(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/directory/export/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page, "export page")
    with page.expect_download() as info:
        page.locator("main a[href='/directory/export/PDV.csv']").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,kind,name_bg")
    assert "Пловдив".encode() in data
    browser_page.assert_clean_console()


def test_directory_index_links_to_the_printable_directory(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/directory/?province=PDV")
    page.locator("main a[href='/directory/print/province/PDV/']").click()
    expect(page).to_have_url(re.compile(r"/directory/print/province/PDV/$"))


def test_print_stylesheet_hides_navigation_and_forms(browser_page: BrowserPage) -> None:
    page = browser_page.goto("/directory/print/province/PDV/")
    expect(page.locator(".main-nav")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".main-nav")).to_be_hidden()
    expect(page.locator(".lang-switch")).to_be_hidden()
    expect(page.locator("main form button")).to_be_hidden()
    expect(page.locator("nav.breadcrumbs")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
