"""Error reports in a real browser: someone reports an error, a moderator answers it."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, BrowserPage, assert_no_horizontal_scroll, check_a11y
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser

CYRILLIC = re.compile(r"[А-Яа-я]{3,}")
TEXT = "Работното време в петък е до 16:00 ч., а не до 17:00 ч. (виж табелата на входа)."
ANSWER = "Благодарим! Поправихме работното време."
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _submit(page: Page) -> None:
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()


def _wait_for_mail(mailbox: Mailbox, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = mailbox.to(address)
        if messages:
            return Mailbox.body(messages[-1])
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout}s")


def _assert_clean_console(browser_page: BrowserPage) -> None:
    # A form with errors is answered with 400, which Chromium logs as a failed resource.
    browser_page.errors[:] = [e for e in browser_page.errors if "status of 400" not in e]
    browser_page.assert_clean_console()


def _people():
    from accounts.enums import Role
    from directory.models import Institution
    from tests.factories.accounts import PASSWORD, RoleAssignmentFactory, UserFactory

    entry = Institution.objects.get(generated_key="ma:PDV22")
    moderator = RoleAssignmentFactory(
        role=Role.MODERATOR, user=UserFactory(email="moderator.maria@example.org")
    ).user
    return entry, moderator, PASSWORD


def test_someone_reports_an_error_and_a_moderator_answers_it(
    browser_page: BrowserPage, mailbox: Mailbox
) -> None:
    entry, moderator, password = _people()
    page = browser_page.visit(entry.get_absolute_url())
    page.locator(f"main a[href$='/institutions/{entry.pk}/report/']").click()
    expect(page).to_have_url(re.compile(rf"/institutions/{entry.pk}/report/$"))
    check_a11y(page, "report form")

    # Nothing chosen or written: Bulgarian messages at the fields, the e-mail kept.
    page.locator("#id_email").fill("ivana@example.org")
    _submit(page)
    summary = page.locator("main .error-summary")
    expect(summary).to_be_visible()
    assert CYRILLIC.search(summary.inner_text()), summary.inner_text()
    expect(page.locator("#id_part_error")).to_be_visible()
    expect(page.locator("#id_text_error")).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("ivana@example.org")
    check_a11y(page, "report form with errors")

    page.locator("input[name=part][value=hours]").check()
    page.locator("#id_text").fill(TEXT)
    _submit(page)
    expect(page).to_have_url(re.compile(r"/report/\?sent=1&answer=1$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(entry.name_bg)
    check_a11y(page, "thank-you page")

    # The moderator is told (without the reporter's address) and follows the link.
    body = _wait_for_mail(mailbox, moderator.email)
    assert TEXT in body and "ivana@example.org" not in body
    match = re.search(r"https?://\S+/directory/reports/(\d+)/", body)
    assert match, body
    handle_path = urlsplit(match.group(0)).path

    page.goto(browser_page.base_url + handle_path)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # signed out: sign in first
    page.locator("input[name=login]").fill(moderator.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(re.escape(handle_path) + "$"))
    main = page.locator("main")
    expect(main).to_contain_text(TEXT)
    expect(main).to_contain_text("ivana@example.org")  # only here, for those who handle it
    check_a11y(page, "handle page")

    # Rejecting needs a reason.
    page.locator("input[name=status][value=rejected]").check()
    _submit(page)
    expect(page.locator("#id_answer_error")).to_be_visible()
    assert CYRILLIC.search(page.locator("#id_answer_error").inner_text())
    check_a11y(page, "handle page with an error")

    page.locator("input[name=status][value=accepted]").check()
    page.locator("#id_answer").fill(ANSWER)
    _submit(page)
    expect(page).to_have_url(re.compile(re.escape(handle_path) + "$"))
    expect(page.locator(".banner-success")).to_be_visible()
    expect(main).to_contain_text(ANSWER)
    answer_mail = _wait_for_mail(mailbox, "ivana@example.org")
    assert ANSWER in answer_mail and TEXT in answer_mail

    # The queue: nothing new is left; the accepted one is under its filter.
    browser_page.visit("/directory/reports/")
    expect(page.locator("main table")).to_have_count(0)
    browser_page.visit("/directory/reports/?status=accepted")
    expect(page.locator(f"main a[href='{handle_path}']")).to_be_visible()

    # The public page counts it, with nothing about who sent it.
    browser_page.visit(entry.get_absolute_url())
    panel = page.locator("main .panel").last
    expect(panel).to_contain_text("1")
    assert "ivana@example.org" not in page.content()
    _assert_clean_console(browser_page)


def test_report_form_on_a_phone(browser_page: BrowserPage) -> None:
    from directory.models import Institution

    entry = Institution.objects.get(generated_key="ma:PDV22")
    page = browser_page.page
    page.set_viewport_size(PHONE)
    path = f"/directory/institutions/{entry.pk}/report/"
    browser_page.visit(path)
    _submit(page)  # with its error messages, the longest version of the page
    check_a11y(page, "report form with errors at 375px")
    assert_no_horizontal_scroll(page, f"{path} at 375px")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "directory-report-form-375.png"), full_page=True)
    _assert_clean_console(browser_page)
