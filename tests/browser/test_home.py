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


# --- The blocks of what is happening now (config/home.py) -----------------------------------


@pytest.fixture
def blocks(site: str, settings) -> dict[str, str]:
    """Something in each of four blocks, in Plovdiv (the whole country is the scope); the
    blocks are built afresh for every request."""
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from tests.factories.consultations import ConsultationFactory
    from tests.factories.events import EventFactory
    from tests.factories.monitoring import CommitmentFactory
    from tests.factories.organisations import NetworkFactory

    settings.HOME_BLOCKS_CACHE_SECONDS = 0
    cache.clear()
    today = timezone.localdate()
    consultation = ConsultationFactory(
        title="Проект на Наредба за зелените площи в община Пловдив",
        closes_on=today + datetime.timedelta(days=6),
        with_draft=False,
    )
    event = EventFactory(title="Обществено обсъждане на бюджета", with_sessions=False)
    commitment = CommitmentFactory(
        title="Ремонт на читалището в кв. „Тракия“",
        deadline=today - datetime.timedelta(days=12),
        is_overdue=True,
    )
    network = NetworkFactory(name="Мрежа „Граждански Пловдив“")
    return {
        "consultation": consultation.get_absolute_url(),
        "event": event.get_absolute_url(),
        "commitment": commitment.get_absolute_url(),
        "network": network.get_absolute_url(),
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_home_page_blocks_fit_and_are_accessible(
    browser_page: BrowserPage, blocks: dict[str, str], viewport: dict
) -> None:
    page = browser_page.page
    page.set_viewport_size(viewport)
    browser_page.visit("/")  # with the axe check
    cards = page.locator("main .home-block")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 4
    for key in ("consultations", "events", "commitments", "organisations"):
        card = page.locator(f"#block-{key}")
        expect(card.get_by_role("heading", level=2)).to_be_visible()
        expect(card.locator(".home-more a").first).to_be_visible()
    expect(page.locator(f"#block-consultations a[href='{blocks['consultation']}']")).to_be_visible()
    expect(page.locator("#block-consultations .tag")).to_contain_text(
        re.compile(r"\d\d\.\d\d\.\d{4}")
    )
    expect(page.locator(f"#block-commitments a[href='{blocks['commitment']}']")).to_be_visible()
    assert_no_horizontal_scroll(page, f"/ with blocks at {viewport['width']}px")
    browser_page.assert_clean_console()


def test_keyboard_reaches_the_search_and_a_block_link(
    browser_page: BrowserPage, blocks: dict[str, str]
) -> None:
    page = browser_page.visit("/")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _n in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("main input[type=search]")
    page.keyboard.type("Пловдив")
    tab_to(f"main .home-block a[href='{blocks['consultation']}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(blocks["consultation"]) + "$"))
    browser_page.assert_clean_console()


def test_home_page_blocks_work_without_javascript(
    chromium: Browser, site: str, blocks: dict[str, str]
) -> None:
    context = chromium.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        page.goto(site + "/")
        expect(page.locator("#block-events")).to_be_visible()
        page.locator(f"#block-events a[href='{blocks['event']}']").click()
        expect(page).to_have_url(re.compile(re.escape(blocks["event"]) + "$"))
        page.goto(site + "/")
        assert_no_horizontal_scroll(page, "/ with blocks at 320px without JavaScript")
    finally:
        context.close()


# --- The open-data page, linked from every page's footer ------------------------------------


@pytest.mark.parametrize("viewport", [SMALL_PHONE, DESKTOP], ids=["320px", "1280px"])
def test_open_data_page_from_the_footer(browser_page: BrowserPage, viewport: dict) -> None:
    page = browser_page.page
    page.set_viewport_size(viewport)
    browser_page.goto("/")
    page.locator("footer").get_by_role("link", name="Отворени данни и API").click()
    expect(page).to_have_url(re.compile(r"/api/$"))
    check_a11y(page, f"/api/ at {viewport['width']}px")
    expect(page.locator("#licence a[rel=license]")).to_contain_text("CC BY 4.0")
    expect(page.locator("#dataset-institutions a.open-data-file").first).to_be_visible()
    assert_no_horizontal_scroll(page, f"/api/ at {viewport['width']}px")
    browser_page.assert_clean_console()


def test_home_page_with_a_scope_and_blocks(
    browser_page: BrowserPage, blocks: dict[str, str]
) -> None:
    """The demo's scope (Plovdiv is in it): the blocks, then the compact map with the lists of
    provinces and municipalities in a disclosure, opened by keyboard."""
    from territory.demo import apply_demo_scope

    apply_demo_scope()
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.visit("/")
    expect(page.locator(f"#block-consultations a[href='{blocks['consultation']}']")).to_be_visible()
    lists = page.locator("details.home-scope-lists")
    expect(lists.locator("table").first).to_be_hidden()
    lists.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(lists.locator("table").first).to_be_visible()
    check_a11y(page, "/ with the scope's lists open at 375px")
    assert_no_horizontal_scroll(page, "/ with the scope's lists open at 375px")
    browser_page.assert_clean_console()
