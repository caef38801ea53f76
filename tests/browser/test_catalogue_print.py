"""The printable catalogue by real clicks: the catalogue with a facet chosen → "Printable
catalogue (PDF) of this list" → make it → download the PDF; the progress page and its way to
stop refreshing. The task runs inside the request in the tests (ImmediateBackend)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from organisations import pdf
from organisations.enums import LegalForm
from organisations.models import FieldOfActivity, PrintedCatalogue
from territory.models import Settlement
from tests.browser.support import BrowserPage, assert_no_horizontal_scroll, check_a11y
from tests.factories.organisations import OrganisationFactory

pytestmark = pytest.mark.browser

MAKE_TIMEOUT = 120_000


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def foundations(site: str) -> list[str]:
    """Three foundations in the Plovdiv province working with young people."""
    youth = FieldOfActivity.objects.get_or_create(
        slug="youth", defaults={"name_bg": "Младежи", "name_en": "Youth"}
    )[0]
    names = []
    for n, code in enumerate(("PDV22", "PDV01", "PDV39")):
        settlement = Settlement.objects.filter(municipality_id=code).order_by("ekatte").first()
        o = OrganisationFactory(
            name=f"Фондация „Млади хора {n}“", legal_form=LegalForm.FOUNDATION,
            settlement=settlement,
        )  # fmt: skip
        o.fields.set([youth])
        names.append(o.name)
    return names


def test_print_the_list_of_a_facet(browser_page: BrowserPage, foundations: list[str]) -> None:
    page = browser_page.visit("/organisations/?province=PDV&legal_form=foundation")
    link = page.locator("main a[href^='/organisations/print/?']")
    expect(link).to_have_attribute(
        "href", "/organisations/print/?province=PDV&legal_form=foundation"
    )
    link.click()
    expect(page).to_have_url(
        re.compile(r"/organisations/print/\?province=PDV&legal_form=foundation$")
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main .summary-list")).to_contain_text("Пловдив")
    check_a11y(page, "printable catalogue, nothing made yet")

    page.locator("main form button[type=submit]").click(timeout=MAKE_TIMEOUT)
    expect(page).to_have_url(
        re.compile(r"/organisations/print/\?legal_form=foundation&province=PDV$"),
        timeout=MAKE_TIMEOUT,
    )
    download_link = page.locator("main a[href$='/download/']")
    expect(download_link).to_be_visible(timeout=MAKE_TIMEOUT)
    expect(page.locator("main [role=status]").first).to_be_visible()
    check_a11y(page, "printable catalogue, ready")
    assert_no_horizontal_scroll(page, "printable catalogue, ready")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"katalog-organizatsii-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    row = PrintedCatalogue.objects.get()
    assert row.status == PrintedCatalogue.Status.DONE and row.pages
    browser_page.assert_clean_console()


def test_progress_page_keeps_the_filters(browser_page: BrowserPage, foundations: list[str]) -> None:
    query = "legal_form=foundation&province=PDV"
    scope = pdf.CatalogueScope.from_string(query)
    PrintedCatalogue.objects.create(
        query=scope.query,
        filter_key=scope.key,
        fingerprint=pdf.version(scope).fingerprint,
        status=PrintedCatalogue.Status.RUNNING,
        progress=47,
    )
    page = browser_page.goto(f"/organisations/print/?{query}")
    assert page.locator("meta[http-equiv=refresh]").count() == 1
    expect(page.locator("main progress")).to_have_attribute("value", "47")
    page.locator("main a[href$='refresh=off']").click()
    expect(page).to_have_url(re.compile(rf"\?{query}&refresh=off$"))
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    expect(page.locator("main progress")).to_have_attribute("value", "47")
    check_a11y(page, "printable catalogue, being made")
    browser_page.assert_clean_console()
