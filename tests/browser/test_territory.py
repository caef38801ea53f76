"""Territory navigation by real clicks: home → province → municipality → settlement."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import BrowserPage, assert_no_horizontal_scroll, check_a11y

pytestmark = pytest.mark.browser


def _link(page: Page, name: str | re.Pattern[str]) -> Locator:
    """The first link in the page's main content with this accessible name."""
    exact = isinstance(name, str)
    return page.locator("main").get_by_role("link", name=name, exact=exact).first


def _breadcrumbs(page: Page) -> Locator:
    crumbs = page.locator("nav.breadcrumbs")
    expect(crumbs).to_be_visible()
    return crumbs


def test_navigate_from_home_to_a_settlement(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/")

    # When the portal's scope lists Plovdiv province, the home page links to it; otherwise
    # the home page leads to the whole country first.
    province_link = _link(page, "Пловдив")
    if not province_link.count():
        _link(page, re.compile("Bulgaria|България")).click()
        expect(page).to_have_url(re.compile(r"/territory/$"))
        check_a11y(page, "territory index")
        province_link = _link(page, "Пловдив")
    province_link.click()
    expect(page).to_have_url(re.compile(r"/territory/provinces/PDV/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Пловдив")
    expect(_breadcrumbs(page)).to_contain_text("Пловдив")
    check_a11y(page, "province PDV")
    assert_no_horizontal_scroll(page, "province PDV")

    _link(page, "Асеновград").click()
    expect(page).to_have_url(re.compile(r"/territory/municipalities/PDV01/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Асеновград")
    crumbs = _breadcrumbs(page)
    expect(crumbs.get_by_role("link", name="Пловдив")).to_be_visible()
    expect(crumbs).to_contain_text("Асеновград")
    check_a11y(page, "municipality PDV01")
    assert_no_horizontal_scroll(page, "municipality PDV01")

    # The village, not its mayoralty of the same name.
    page.locator("main a[href*='/territory/settlements/']", has_text="Бачково").first.click()
    expect(page).to_have_url(re.compile(r"/territory/settlements/\d{5}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Бачково")
    crumbs = _breadcrumbs(page)
    expect(crumbs.get_by_role("link", name="Пловдив")).to_be_visible()
    expect(crumbs.get_by_role("link", name="Асеновград")).to_be_visible()
    check_a11y(page, "settlement Бачково")
    assert_no_horizontal_scroll(page, "settlement Бачково")

    # Back up through the breadcrumbs.
    crumbs.get_by_role("link", name="Асеновград").click()
    expect(page).to_have_url(re.compile(r"/territory/municipalities/PDV01/$"))
    browser_page.assert_clean_console()


def test_map_shapes_are_keyboard_links(browser_page: BrowserPage) -> None:
    """A municipality's shape on the province map is a link one reaches with Tab."""
    page = browser_page.visit("/territory/provinces/PDV/")
    shapes = page.locator("main svg a[href]")
    assert shapes.count() >= 2, "the province map has no linked shapes"

    page.locator("body").focus()
    reached = None
    for _ in range(400):
        page.keyboard.press("Tab")
        reached = page.evaluate(
            """() => { const a = document.activeElement;
                return a && a.closest('svg') && a.closest('a') ?
                    a.closest('a').getAttribute('href') : null; }"""
        )
        if reached:
            break
    assert reached, "Tab never reached a link of the map"
    assert "/territory/municipalities/" in reached, reached

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reached) + "$"))
    browser_page.assert_clean_console()
