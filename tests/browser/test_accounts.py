"""Accounts in a real browser: sign-up with the e-mail link, sign-in, an official's 2FA."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import BrowserPage, check_a11y
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser

PASSWORD = "Trakiya-Maritsa-2026"
CYRILLIC = re.compile(r"[А-Яа-я]{3,}")


def _submit(page: Page, field: str = "") -> None:
    """Click the first submit button of the form holding `field` (or of the last form)."""
    forms = page.locator("main form")
    form = forms.filter(has=page.locator(field)) if field else forms.last
    form.first.locator("[type=submit]").first.click()
    page.wait_for_load_state()


def _wait_for_mail(mailbox: Mailbox, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = mailbox.to(address)
        if messages:
            return Mailbox.body(messages[-1])
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout}s")


def _sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    check_a11y(page, "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    _submit(page, "input[name=password]")


def test_sign_up_verify_by_email_and_sign_in(browser_page: BrowserPage, mailbox: Mailbox) -> None:
    page = browser_page.visit("/accounts/signup/")
    email = "maria.petrova@example.org"
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    _submit(page, "input[name=password2]")
    check_a11y(page, "after sign-up (verification sent)")

    body = _wait_for_mail(mailbox, email)
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert match, f"no confirmation link in the e-mail:\n{body}"
    link = urlsplit(match.group(0))
    browser_page.visit(link.path)  # the live server's host, whatever SITE_URL says
    _submit(page)  # confirming is a POST (ACCOUNT_CONFIRM_EMAIL_ON_GET is off)

    # A wrong password: a Bulgarian message at the form, and the e-mail is still typed in.
    _sign_in(page, browser_page.base_url, email, "not-the-password-1")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.locator("main .error-summary, main [role=alert], main .error-message").first
    expect(error).to_be_visible()
    assert CYRILLIC.search(error.inner_text()), error.inner_text()
    expect(page.locator("input[name=login]")).to_have_value(email)
    check_a11y(page, "login with an error")

    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page, "input[name=password]")
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.locator("main")).to_contain_text(email)
    check_a11y(page, "profile")
    browser_page.assert_clean_console()


def _make_official(email: str) -> tuple[str, str]:
    """An institution's staff member (verified e-mail, TOTP authenticator): password, secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.enums import Role
    from tests.factories.accounts import PASSWORD as FACTORY_PASSWORD
    from tests.factories.accounts import RoleAssignmentFactory, UserFactory

    user = UserFactory(email=email)
    RoleAssignmentFactory(user=user, role=Role.INSTITUTION_STAFF)
    assert user.needs_two_factor
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return FACTORY_PASSWORD, secret


def _current_codes(secret: str) -> set[str]:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return {format_hotp_value(hotp_value(secret, c)) for c in yield_hotp_counters_from_time()}


def test_official_signs_in_with_a_second_factor(browser_page: BrowserPage) -> None:
    email = "ivan.official@example.org"
    password, secret = _make_official(email)
    page = browser_page.page

    _sign_in(page, browser_page.base_url, email, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code_input = page.locator("input[name=code]")
    expect(code_input).to_be_visible()
    check_a11y(page, "2FA code form")

    wrong = next(
        c for c in ("000000", "123456", "999999", "424242") if c not in _current_codes(secret)
    )
    code_input.fill(wrong)
    _submit(page, "input[name=code]")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.locator("main .error-summary, main .error-message").first).to_be_visible()
    check_a11y(page, "2FA code form with an error")

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:  # don't type a code that expires on the way
        time.sleep(period - time.time() % period + 0.2)
    now = format_hotp_value(hotp_value(secret, int(time.time()) // period))
    page.locator("input[name=code]").fill(now)
    _submit(page, "input[name=code]")
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.locator("main")).to_contain_text(email)
    browser_page.assert_clean_console()
