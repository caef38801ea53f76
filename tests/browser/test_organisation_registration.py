"""Registering an organisation in a real browser: the form (checked at 375 px too), a mistake
and its message, the code from the e-mail (through the real SMTP server), the entry made
public, an edit of its description and the history that shows it; axe on every page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from organisations.enums import Visibility
from organisations.models import Organisation, ProfileChange, RepresentationClaim
from tests.browser.support import (
    DESKTOP,
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
)
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.browser

EMAIL = "petya.ivanova@example.org"
ORG_EMAIL = "office@zelena-maritsa.example.org"
EIK = "201968703"


def _submit(page: Page, form_action: str) -> None:
    page.locator(f"main form[action='{form_action}'] button[type=submit]").first.click()
    page.wait_for_load_state()


def _wait_for_code(mailbox: Mailbox, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = mailbox.to(address)
        if messages:
            match = re.search(r"\b(\d{6})\b", Mailbox.body(messages[-1]))
            assert match, Mailbox.body(messages[-1])
            return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout}s")


def test_register_verify_by_code_and_edit(
    browser_page: BrowserPage, mailbox: Mailbox, tmp_path: Path, settings
) -> None:
    from organisations.loader import seed_taxonomies

    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_taxonomies()
    UserFactory(email=EMAIL, first_name="Петя", last_name="Иванова")
    page = browser_page.page
    sign_in(page, browser_page.base_url, EMAIL)

    # The form on a phone: it fits, and a screenshot is kept to look at.
    page.set_viewport_size(PHONE)
    browser_page.visit("/organisations/register/")
    assert_no_horizontal_scroll(page, "register form at 375 px")
    shots = Path(os.environ.get("EREGION_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "organisation-register-375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    main = page.locator("main")
    main.locator("input[name=name]").fill("Сдружение „Зелена Марица“")
    main.locator("select[name=legal_form]").select_option("association")
    main.locator("input[name=eik]").fill("7501010010")  # a personal number: refused
    main.locator("select[name=benefit]").select_option("public")
    main.locator("input[name=seat]").fill("Пловдив")
    main.locator("input[name=address]").fill("бул. „Марица“ 10")
    main.locator("input[name=email]").fill(ORG_EMAIL)
    main.locator("input[name=phone]").fill("032 600 600")
    main.get_by_label("Околна среда").check()
    main.locator("textarea[name=description]").fill("Чистим бреговете на Марица.")
    main.locator("input[name=method][value=email-code]").check()
    _submit(page, "/organisations/register/")

    # The mistake is summarised and marked; the personal number is not shown back.
    expect(page.locator("main .error-summary")).to_be_visible()
    expect(main.locator("input[name=eik]")).to_have_value("")
    expect(main.locator("input[name=name]")).to_have_value("Сдружение „Зелена Марица“")
    check_a11y(page, "register form with an error")
    assert not Organisation.objects.filter(name="Сдружение „Зелена Марица“").exists()

    main.locator("input[name=eik]").fill(EIK)
    _submit(page, "/organisations/register/")
    expect(page).to_have_url(re.compile(r"/organisations/claims/\d+/$"))
    check_a11y(page, "claim status, waiting for the code")
    org = Organisation.objects.get(eik=EIK)
    assert org.visibility == Visibility.PENDING

    code = _wait_for_code(mailbox, ORG_EMAIL)
    page.locator("main input[name=code]").fill(code)
    page.locator("main form").filter(has=page.locator("input[name=code]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    expect(page.locator(".banner-success").first).to_be_visible()
    check_a11y(page, "claim status, verified")
    org.refresh_from_db()
    assert org.visibility == Visibility.PUBLIC and org.representatives_count == 1
    assert RepresentationClaim.objects.get(organisation=org).status == "verified"

    # Edit the description.
    page.locator(f"main a[href$='/organisations/{org.pk}/edit/']").first.click()
    page.wait_for_load_state()
    check_a11y(page, "edit profile")
    page.locator("main textarea[name=description]").fill("Чистим бреговете на Марица всяка пролет.")
    page.locator("main input[name=reason]").fill("По-точно описание")
    _submit(page, f"/organisations/{org.pk}/edit/")
    expect(page).to_have_url(re.compile(rf"/organisations/{org.pk}/$"))
    expect(page.locator("main nav.panel a.button").first).to_be_visible()  # the actions
    check_a11y(page, "organisation page with the representative's actions")
    org.refresh_from_db()
    assert org.description == "Чистим бреговете на Марица всяка пролет."
    assert ProfileChange.objects.filter(organisation=org).count() == 1

    browser_page.visit(f"/organisations/{org.pk}/history/")
    history = page.locator("main")
    expect(history).to_contain_text("Чистим бреговете на Марица всяка пролет.")
    expect(history).to_contain_text("По-точно описание")
    expect(history).to_contain_text("Петя Иванова")  # she represents it, so she sees names

    browser_page.visit(f"/organisations/{org.pk}/representatives/")
    expect(page.locator("main")).to_contain_text("Петя Иванова")

    # The edit form and the history fit a phone too.
    page.set_viewport_size(PHONE)
    for path in (f"/organisations/{org.pk}/edit/", f"/organisations/{org.pk}/history/"):
        browser_page.visit(path)
        assert_no_horizontal_scroll(page, f"{path} at 375 px")
    page.screenshot(path=str(shots / "organisation-history-375.png"), full_page=True)
    browser_page.assert_clean_console()
