"""News in a real browser: an institution's official (with a second factor) writes an item,
adds an image with its alternative text and publishes it; a visitor on a 375 px phone reads
it in the common stream and on its page, and finds the stream's feed announced in the head.
axe on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.support import (
    PHONE,
    SMALL_PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in_with_totp,
    submit,
)

pytestmark = pytest.mark.browser

EMAIL = "p.dimitrova@plovdiv.example.org"
TITLE = "Започва ремонтът на бул. „Руски“"
LEAD = "От понеделник движението по булеварда се пренасочва по временна схема за два месеца."
ALT = "Строителна техника на булеварда пред общината"


def _official() -> tuple[int, str, str]:
    """Staff of Община Пловдив with an authenticator app: (institution id, password, secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of

    cache.clear()  # rate-limit counters of earlier tests
    institution = generated("ma:PDV22")
    user = UserFactory(email=EMAIL, first_name="Петя", last_name="Димитрова")
    staff_of(institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return institution.pk, PASSWORD, secret


def test_official_publishes_with_an_image_and_a_visitor_reads_it_on_a_phone(
    browser_page: BrowserPage, chromium: Browser, site: str, tmp_path: Path, settings
) -> None:
    from tests.factories.news import png_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    institution_id, password, secret = _official()
    page = browser_page.page
    sign_in_with_totp(page, site, EMAIL, password, secret)

    # The official's list: one publisher to write for.
    browser_page.visit("/news/manage/")
    page.locator(f'main a[href*="publisher=institution-{institution_id}"]').first.click()
    page.wait_for_load_state()
    check_a11y(page, "new item form")
    # Saving without a title shows the message next to the field and keeps the rest.
    page.locator("input[name=title]").fill("")
    page.locator("textarea[name=lead]").fill(LEAD)
    submit(page, "main form [type=submit]")
    expect(page.locator("#id_title_error")).to_be_visible()
    expect(page.locator("textarea[name=lead]")).to_have_value(LEAD)
    check_a11y(page, "new item form with an error")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=body]").fill("Подробности за **обходните маршрути** ще има тук.")
    submit(page, "main form [type=submit]")
    expect(page).to_have_url(re.compile(r"/news/\d+/manage/$"))
    manage_url = page.url
    check_a11y(page, "item's actions")

    # An image: first without alternative text (refused), then with it.
    page.locator('main a[href$="/images/"]').first.click()
    page.wait_for_load_state()
    check_a11y(page, "images")
    picture = tmp_path / "remont.png"
    picture.write_bytes(png_bytes((320, 200)))
    page.locator("input[name=file]").set_input_files(str(picture))
    submit(page, "main form[enctype] [type=submit]")
    expect(page.locator("#id_alt_error")).to_be_visible()
    check_a11y(page, "image without alt text")
    page.locator("input[name=file]").set_input_files(str(picture))
    page.locator("input[name=alt]").fill(ALT)
    page.locator("input[name=caption]").fill("Снимка: Община Пловдив")
    submit(page, "main form[enctype] [type=submit]")
    expect(page.locator(f'main img[alt="{ALT}"]')).to_be_visible()

    # Publish now: to the item's public page.
    page.goto(manage_url)
    submit(page, 'main form[action$="/publish/"] [type=submit]')
    expect(page).to_have_url(re.compile(r"/news/\d+/$"))
    item_path = page.url.removeprefix(site)
    check_a11y(page, "published item")
    browser_page.assert_clean_console()

    # A visitor on a phone, signed out.
    context = chromium.new_context(viewport=PHONE, locale="bg-BG")
    try:
        phone = context.new_page()
        phone.goto(site + "/news/")
        check_a11y(phone, "stream on a phone")
        assert_no_horizontal_scroll(phone, "stream on a phone")
        link = phone.locator("main .news-list a", has_text=TITLE)
        expect(link).to_be_visible()
        rss = phone.locator('head link[rel=alternate][type="application/rss+xml"]')
        expect(rss).to_have_count(1)
        feed = phone.request.get(site + str(rss.get_attribute("href")))
        assert feed.ok and TITLE in feed.text()
        link.click()
        phone.wait_for_load_state()
        assert phone.url.endswith(item_path)
        check_a11y(phone, "item on a phone")
        assert_no_horizontal_scroll(phone, "item on a phone")
        image = phone.locator(f'main img[alt="{ALT}"]')
        expect(image).to_be_visible()
        assert phone.evaluate("(img) => img.naturalWidth", image.element_handle()) == 320
        expect(
            phone.locator('head link[rel=alternate][type="application/atom+xml"]')
        ).to_have_count(1)
        # The publisher's own stream, with its follow prompt.
        phone.locator(f'main a[href="/news/institutions/{institution_id}/"]').first.click()
        phone.wait_for_load_state()
        check_a11y(phone, "institution's stream on a phone")
        assert_no_horizontal_scroll(phone, "institution's stream on a phone")
        expect(phone.locator("main .news-list a", has_text=TITLE)).to_be_visible()
    finally:
        context.close()


def test_stream_filters_and_item_without_javascript_at_320_px(
    browser_page: BrowserPage, chromium: Browser, site: str
) -> None:
    from tests.factories.directory import generated
    from tests.factories.news import NewsItemFactory

    NewsItemFactory(title="Новина на портала за всички")
    item = NewsItemFactory(
        title="Обявление за изслушване по бюджета на общината", institution=generated("ma:PDV22")
    )
    context = chromium.new_context(viewport=SMALL_PHONE, locale="bg-BG", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/news/")
        titles = page.locator("main .news-list li > a").all_inner_texts()
        assert sorted(titles) == sorted([item.title, "Новина на портала за всички"])
        assert_no_horizontal_scroll(page, "stream at 320 px")
        page.locator("main form.filter-form select[name=publisher]").select_option("institution")
        submit(page, "main form.filter-form button[type=submit]")
        expect(page).to_have_url(re.compile(r"/news/\?.*publisher=institution"))
        assert page.locator("main .news-list li > a").all_inner_texts() == [item.title]
        page.locator("main .news-list li > a").first.click()
        page.wait_for_load_state()
        expect(page.locator("main h1")).to_have_text(item.title)
        assert_no_horizontal_scroll(page, "item at 320 px")
    finally:
        context.close()
    # The same pages with JavaScript (axe is a script), at the same width.
    browser_page.page.set_viewport_size(SMALL_PHONE)
    browser_page.visit("/news/?publisher=institution")
    assert_no_horizontal_scroll(browser_page.page, "filtered stream at 320 px")
    browser_page.visit(item.get_absolute_url())
