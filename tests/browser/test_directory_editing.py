"""An institution's staff member keeps the entry current in a real browser (with 2FA)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in_with_totp,
    submit,
)

pytestmark = pytest.mark.browser

EMAIL = "m.georgieva@plovdiv.example.org"


def _staff_with_totp() -> tuple[int, str, str]:
    """Staff of Община Пловдив with an authenticator app: (entry id, password, TOTP secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of

    cache.clear()  # rate-limit counters of earlier tests
    institution = generated("ma:PDV22")
    user = UserFactory(email=EMAIL, first_name="Мария", last_name="Георгиева")
    staff_of(institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return institution.pk, PASSWORD, secret


def test_staff_edits_phone_and_hours_and_sees_the_history(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    pk, password, secret = _staff_with_totp()
    page = browser_page.page
    sign_in_with_totp(page, browser_page.base_url, EMAIL, password, secret)

    # From the entry's page to its edit form.
    browser_page.visit(f"/directory/institutions/{pk}/")
    expect(page.locator("main")).to_contain_text("Последна промяна")
    page.get_by_role("link", name="Редактиране на записа").click()
    expect(page).to_have_url(re.compile(rf"/directory/institutions/{pk}/edit/$"))
    check_a11y(page, "edit form")

    # A mistake first: refused next to the field, what was typed stays.
    page.get_by_label("Телефони").fill("032 656 711\n12-34")
    monday = page.get_by_role("group", name="Понеделник")
    monday.get_by_label("Не работи").uncheck()
    monday.get_by_label("Отваря").fill("09:00")
    monday.get_by_label("Затваря").fill("17:30")
    monday.get_by_label("Почивка от").fill("12:00")
    monday.get_by_label("Почивка до").fill("13:00")
    page.get_by_label("Причина за промяната").fill("Нов телефон на деловодството")
    submit(page)
    summary = page.locator("main .error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Ред 2")
    expect(page.locator("main .field-error .error-message").first).to_contain_text("„12-34“")
    expect(page.get_by_label("Телефони")).to_have_value("032 656 711\n12-34")
    expect(page.get_by_role("group", name="Понеделник").get_by_label("Отваря")).to_have_value(
        "09:00"
    )
    check_a11y(page, "edit form with errors")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Телефони")).to_be_focused()

    page.get_by_label("Телефони").fill("032 656 711\n+359 32 656 712")
    submit(page)
    expect(page).to_have_url(re.compile(rf"/directory/institutions/{pk}/$"))
    main = page.locator("main")
    expect(page.get_by_role("status")).to_contain_text("Записано")
    expect(main.get_by_role("link", name="032 656 711")).to_be_visible()
    expect(main).to_contain_text("09:00–17:30")
    expect(main).to_contain_text("Проверено на")  # saved by its own staff: verified

    main.get_by_role("link", name="История на промените").click()
    expect(page).to_have_url(re.compile(rf"/directory/institutions/{pk}/history/$"))
    history = page.locator("main")
    expect(history).to_contain_text("Мария Георгиева")
    expect(history).to_contain_text("Понеделник 09:00–17:30, почивка 12:00–13:00")
    expect(history).to_contain_text("+359 32 656 712")
    expect(history).to_contain_text("Нов телефон на деловодството")
    check_a11y(page, "history")

    # On a phone: the form fits the screen.
    page.set_viewport_size(PHONE)
    browser_page.visit(f"/directory/institutions/{pk}/edit/")
    assert_no_horizontal_scroll(page, "edit form at 375 px")
    shots = Path(os.environ.get("EREGION_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "directory-edit-375.png"), full_page=True)
    browser_page.assert_clean_console()


def test_service_form_in_the_browser(browser_page: BrowserPage) -> None:
    pk, password, secret = _staff_with_totp()
    page = browser_page.page
    sign_in_with_totp(page, browser_page.base_url, EMAIL, password, secret)
    browser_page.visit(f"/directory/institutions/{pk}/services/new/")
    page.get_by_label("Наименование").fill("Издаване на удостоверение за наследници")
    page.get_by_label("Такса (евро)").fill("2,50")
    page.get_by_label("Лично").uncheck()
    submit(page)
    expect(page.locator("#how-to-apply .error-message")).to_contain_text("поне един начин")
    check_a11y(page, "service form with errors")
    page.get_by_label("По пощата").check()
    submit(page)
    expect(page).to_have_url(re.compile(rf"/directory/institutions/{pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Услугата е добавена")
    browser_page.assert_clean_console()
