"""The home page: name, search, language switch, clean console, narrow screens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.support import (
    DESKTOP,
    PHONE,
    SMALL_PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
)

pytestmark = pytest.mark.browser

PORTAL_NAME = "Електронен регион"


def test_home_page_shows_portal_name_and_search(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/")
    assert browser_page.response is not None
    # The page is tested under its real, strict policy (axe needs no bypass, see support.py).
    csp = browser_page.response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, csp

    expect(page).to_have_title(re.compile(PORTAL_NAME))
    expect(page.locator("html")).to_have_attribute("lang", "bg")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PORTAL_NAME)
    search = page.locator("main").get_by_role("searchbox")
    expect(search.first).to_be_visible()
    assert page.locator("main form[role=search] [type=submit]").count() >= 1
    assert_no_horizontal_scroll(page, "/ at 1280px")
    browser_page.assert_clean_console()


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["375px", "320px"])
def test_home_page_fits_narrow_screens(browser_page: BrowserPage, viewport: dict) -> None:
    page = browser_page.page
    page.set_viewport_size(viewport)
    browser_page.visit("/")

    expect(page.get_by_role("heading", level=1)).to_contain_text(PORTAL_NAME)
    expect(page.locator("main").get_by_role("searchbox").first).to_be_visible()
    assert_no_horizontal_scroll(page, f"/ at {viewport['width']}px")
    browser_page.assert_clean_console()


def test_language_switch_works_without_javascript(chromium: Browser, site: str) -> None:
    """The switch is a plain POST form: it must work with JavaScript off, and come back."""
    context = chromium.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(site + "/")
        expect(page.locator("html")).to_have_attribute("lang", "bg")

        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert page.url.rstrip("/").endswith("/en"), page.url
        expect(page.get_by_role("heading", level=1)).to_contain_text("Electronic Region")

        page.get_by_role("button", name="Български").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "bg")
        assert page.url == site + "/", page.url
        expect(page.get_by_role("heading", level=1)).to_contain_text(PORTAL_NAME)
    finally:
        context.close()


def test_language_switch_keeps_the_page(browser_page: BrowserPage) -> None:
    """Switching language on an inner page stays on that page, in both directions."""
    page = browser_page.visit("/territory/provinces/PDV/")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == browser_page.base_url + "/en/territory/provinces/PDV/", page.url
    check_a11y(page, "/en/territory/provinces/PDV/")

    page.get_by_role("button", name="Български").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "bg")
    assert page.url == browser_page.base_url + "/territory/provinces/PDV/", page.url
    browser_page.assert_clean_console()
