"""The directory in a real browser: search in Cyrillic and Latin over institutions and
services, the filters (a GET form, no JavaScript needed), a service's page, and "who serves
my settlement?" from the name of a village to the ordered list of offices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.support import PHONE, BrowserPage, assert_no_horizontal_scroll, check_a11y
from tests.factories.directory import ServiceFactory, generated

pytestmark = pytest.mark.browser


@pytest.fixture
def services(site: str) -> list:
    plovdiv, karlovo = generated("ma:PDV22"), generated("ma:PDV13")
    return [
        ServiceFactory(
            institution=plovdiv,
            name="Издаване на удостоверение за наследници",
            register_code="2065",
            online_url="https://example.org/uslugi/2065",
        ),
        ServiceFactory(
            institution=karlovo, name="Издаване на удостоверение за наследници", fee_eur=None
        ),
        ServiceFactory(
            institution=plovdiv,
            name="Отпускане на еднократна помощ – социално подпомагане",
            fee_eur=Decimal("0"),
        ),
    ]


def search(page, query: str) -> None:
    page.locator("#dir-q").fill(query)
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_load_state()


def test_search_in_cyrillic_and_latin_then_open_a_service(
    browser_page: BrowserPage, services: list
) -> None:
    page = browser_page.visit("/directory/")
    for query in ("удостоверение за наследници", "udostoverenie za naslednitsi"):
        search(page, query)
        page.wait_for_url("**/directory/?*")
        found = page.locator("#services").get_by_role(
            "link", name="Издаване на удостоверение за наследници"
        )
        expect(found).to_have_count(2)
        expect(page.locator("#dir-q")).to_have_value(query)  # the query stays as typed
        check_a11y(page, f"directory search {query!r}")

    # Function words ("за") do not stop a search: the service's name has no "услуги за".
    search(page, "услуги за социално подпомагане")
    expect(
        page.locator("#services").get_by_role(
            "link", name="Отпускане на еднократна помощ – социално подпомагане"
        )
    ).to_be_visible()

    search(page, "obshtinski savet plovdiv")
    first = page.locator("#institutions tbody tr").first.get_by_role("link")
    expect(first).to_have_text("Общински съвет – Пловдив")
    check_a11y(page, "directory search for an institution in Latin")

    search(page, "удостоверение за наследници")
    page.locator("#services").get_by_role("link").first.click()
    page.wait_for_url("**/directory/services/*/")
    expect(page.locator("h1")).to_have_text("Издаване на удостоверение за наследници")
    expect(page.locator("main")).to_contain_text("2,56 €")
    expect(page.locator("main a[href='https://example.org/uslugi/2065']")).to_be_visible()
    check_a11y(page, "service page")

    page.locator("main").get_by_role("link", name="Община Пловдив").first.click()
    page.wait_for_url("**/directory/institutions/*/")
    expect(page.locator("#services")).to_be_visible()
    check_a11y(page, "institution page with services")
    browser_page.assert_clean_console()


def test_filter_by_province_then_municipality_without_javascript(
    browser_page: BrowserPage, services: list
) -> None:
    page = browser_page.visit("/directory/")
    expect(page.locator("#dir-municipality")).to_have_count(0)  # until a province is chosen
    page.locator("#dir-province").select_option("PDV")
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_url("**province=PDV*")
    municipality = page.locator("#dir-municipality")
    expect(municipality.locator("option[value='PDV13']")).to_have_count(1)
    expect(municipality.locator("option[value='SML31']")).to_have_count(0)
    check_a11y(page, "directory filtered by province")

    municipality.select_option("PDV13")
    page.locator("#dir-q").fill("удостоверение")
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_url("**municipality=PDV13*")
    expect(page.locator("#dir-municipality")).to_have_value("PDV13")
    links = page.locator("#services").get_by_role("link")
    expect(links).to_have_count(1)
    expect(page.locator("#services")).to_contain_text("Община Карлово")
    check_a11y(page, "directory filtered by municipality")

    # Another province chosen, the old municipality still in the form: left out, and said so.
    page.locator("#dir-province").select_option("SML")
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_url("**province=SML*")
    expect(page.locator(".banner[role=status]")).to_contain_text("Карлово")
    expect(page.locator("#dir-municipality")).to_have_value("")
    check_a11y(page, "directory with a municipality of another province")
    browser_page.assert_clean_console()


def test_service_page_and_results_fit_a_phone(browser_page: BrowserPage, services: list) -> None:
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.visit("/directory/?q=udostoverenie")
    assert_no_horizontal_scroll(page, "directory search on a phone")
    browser_page.visit(services[0].get_absolute_url())
    assert_no_horizontal_scroll(page, "service page on a phone")
    browser_page.visit(services[0].institution.get_absolute_url())
    assert_no_horizontal_scroll(page, "institution page on a phone")
    browser_page.assert_clean_console()


def test_who_serves_my_settlement_from_its_name(browser_page: BrowserPage) -> None:
    page = browser_page.visit("/directory/")
    page.locator("main a[href='/directory/who-serves/']").click()
    page.wait_for_url("**/directory/who-serves/")
    check_a11y(page, "who serves: empty")
    page.locator("#ws-q").fill("Кърнаре")
    page.locator("form.search-form button[type=submit]").click()
    page.wait_for_url("**/who-serves/?q=*")
    check_a11y(page, "who serves: candidates")
    page.locator("main a[href='?settlement=40939']").click()
    page.wait_for_url("**/who-serves/?settlement=40939")
    names = page.locator("main ol.results > li > a").all_inner_texts()
    assert names[:4] == [
        "Кметство Кърнаре",
        "Община Карлово",
        "Общински съвет – Карлово",
        "Областна администрация – Пловдив",
    ]
    check_a11y(page, "who serves Кърнаре")
    browser_page.assert_clean_console()
