"""The catalogue in a real browser: search, a facet, an organisation; desktop and phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    DESKTOP,
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
)

pytestmark = pytest.mark.browser

# Screenshots for a person to look at (set SCREENSHOTS=folder); none by default.
SHOTS = os.environ.get("SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_search_tick_a_facet_and_open_an_organisation(
    browser_page: BrowserPage, community_centres: None
) -> None:
    page = browser_page.visit("/organisations/")
    shot(page, "catalogue-desktop")
    box = page.locator("#org-q")
    box.fill("chitalishte")
    box.press("Enter")
    page.wait_for_url("**/organisations/?*q=chitalishte*")
    expect(page.locator(".results li").first).to_contain_text(re.compile("читалище", re.I))
    before = page.locator("#results-title").inner_text()

    panel = page.locator("details.filter-panel")
    panel.locator("summary").click()
    plovdiv = panel.locator('#facet-province input[value="PDV"]')
    expect(plovdiv).to_be_visible()
    plovdiv.check()
    panel.locator("button[type=submit]").click()
    page.wait_for_url("**province=PDV*")
    expect(page.locator('#facet-province input[value="PDV"]')).to_be_checked()
    assert page.locator("#results-title").inner_text() != before
    # The province's municipalities appear as a facet of their own.
    expect(page.locator('#facet-municipality input[value="PDV22"]')).to_be_attached()
    check_a11y(page, "catalogue: chitalishte in Plovdiv province")
    shot(page, "catalogue-search-desktop")

    first = page.locator(".results li a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/organisations/*/")
    expect(page.locator("h1")).to_have_text(name)
    check_a11y(page, "an organisation")
    shot(page, "organisation-desktop")
    browser_page.assert_clean_console()


def test_facets_are_usable_on_a_phone(browser_page: BrowserPage, community_centres: None) -> None:
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.visit("/organisations/?q=читалище")
    assert_no_horizontal_scroll(page, "catalogue at 375 px")
    panel = page.locator("details.filter-panel")
    # Closed at first: the results come right after the search box.
    expect(panel.locator("#facet-legal_form input").first).to_be_hidden()
    shot(page, "catalogue-phone")
    panel.locator("summary").click()
    checkbox = panel.locator('#facet-province input[value="SML"]')
    expect(checkbox).to_be_visible()
    checkbox.check()
    panel.locator("button[type=submit]").click()
    page.wait_for_url("**province=SML*")
    assert_no_horizontal_scroll(page, "catalogue with a facet at 375 px")
    check_a11y(page, "catalogue at 375 px")
    shot(page, "catalogue-phone-filtered")
    page.locator(".results li a").first.click()
    page.wait_for_url("**/organisations/*/")
    assert_no_horizontal_scroll(page, "organisation at 375 px")
    shot(page, "organisation-phone")
    page.set_viewport_size(DESKTOP)
    browser_page.assert_clean_console()
