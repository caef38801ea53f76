"""Search from the home page in Latin and Cyrillic, full words and beginnings of words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import BrowserPage, check_a11y

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Plovdiv", "Пловдив"),
        ("пловдив", "Пловдив"),
        ("Stara Zagora", "Стара Загора"),
        ("Хаск", "Хасково"),
    ],
)
def test_search_finds_places(browser_page: BrowserPage, query: str, expected: str) -> None:
    page = browser_page.visit("/")
    box = page.locator("main").get_by_role("searchbox").first
    box.fill(query)
    box.press("Enter")

    page.wait_for_url("**/search/?*")
    results = page.locator("main")
    expect(results.get_by_role("link", name=expected, exact=True).first).to_be_visible()
    # The query stays in the box, as typed.
    expect(results.get_by_role("searchbox").first).to_have_value(query)
    check_a11y(page, f"search {query!r}")
    browser_page.assert_clean_console()
