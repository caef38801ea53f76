"""Access-to-public-information requests (ЗДОИ) in a real browser.

A citizen files a request to Община Пловдив through the pages (a personal number in the
description is refused first, next to the field, with the text kept); the municipality's
official (signed in with TOTP) finds it in the inbox, registers it, extends the term for a
large volume and records partial access with a refusal ground, a Markdown answer and a PDF;
the citizen gets each step by e-mail, follows the link to the tracking page and sees the
timeline, the answer, the document (downloaded) and the appeal route with its last day; the
pages fit a 375 px phone. A second test: a request past its deadline, after the daily check,
shows "overdue" and the appeal against silence. axe, console and CSP on every page.

The helpers here (a person's own browser, the official with TOTP, the mailbox, a PDF) are
shared with the other monitoring browser tests.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect

from tests.browser.support import (
    DESKTOP,
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
    sign_in_with_totp,
    submit,
)

pytestmark = pytest.mark.browser

STAFF_EMAIL = "m.koleva@plovdiv.example.org"
CITIZEN_EMAIL = "petya.ilieva@example.org"
TITLE = "Договори за зимно поддържане на пътищата през 2026 г."
DESCRIPTION = (
    "Моля за копия на договорите за зимно поддържане на общинските пътища за сезона "
    "2025/2026 г., с приложенията и протоколите за приемане на извършената работа."
)
PERSONAL_NUMBER = "7523169263"  # a valid ЕГН: the form must refuse it
ANSWER = (
    "## Предоставена информация\n\n"
    "Прилагаме **договора** с изпълнителя.\n\n"
    "- Договор № 15/2025\n"
    "- Протокол за приемане\n\n"
    "Приложенията с търговска тайна не се предоставят."
)


# --- shared helpers ----------------------------------------------------------------------


class People:
    """Browsers of their own (cookies, viewport, JavaScript) for the people of a test, each
    watched for console errors and Content Security Policy violations like `browser_page`."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list[tuple[BrowserPage, BrowserContext]] = []

    def open(
        self, viewport: dict[str, int] | None = None, *, javascript: bool = True
    ) -> BrowserPage:
        context = self.browser.new_context(
            viewport=viewport or DESKTOP, locale="bg-BG", java_script_enabled=javascript
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        watched = BrowserPage(page=page, base_url=self.base_url)

        def on_console(msg: ConsoleMessage) -> None:
            text = f"[{msg.type}] {msg.text} ({msg.location.get('url', '')})"
            watched.console.append(text)
            if msg.type == "error":
                watched.errors.append(text)

        def on_page_error(exc: Error) -> None:
            watched.errors.append(f"[pageerror] {exc}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        self.opened.append((watched, context))
        return watched

    def assert_clean(self) -> None:
        for watched, _context in self.opened:
            watched.assert_clean_console()

    def close(self) -> None:
        for _watched, context in self.opened:
            context.close()


@pytest.fixture(name="people")
def people_fixture(chromium: Browser, site: str) -> Iterator[People]:
    """People of a test, each in a browser of their own; imported by the other monitoring
    browser tests (the name stays "people" wherever it is imported)."""
    made = People(chromium, site)
    yield made
    made.close()


def staff_with_totp(key: str = "ma:PDV22", email: str = STAFF_EMAIL) -> tuple[int, str, str]:
    """An official of the institution `key` with an authenticator app (institution staff
    must sign in with two factors): (institution id, password, TOTP secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of

    cache.clear()  # rate-limit counters of earlier tests
    institution = generated(key)
    user = UserFactory(email=email, first_name="Мария", last_name="Колева")
    staff_of(institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return institution.pk, PASSWORD, secret


def mail_to(mailbox, address: str, count: int) -> list[EmailMessage]:
    """The messages to `address`, once at least `count` have arrived (they are sent by a task
    as the change commits; the SMTP server takes them in its own thread)."""
    deadline = time.monotonic() + 10
    while len(mailbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    found = mailbox.to(address)
    assert len(found) >= count, [str(m["Subject"]) for m in found]
    return found


def path_of(url: str) -> str:
    """An address from an e-mail (built on settings.SITE_URL) as a path of the live server."""
    return re.sub(r"^https?://[^/]+", "", url)


def pdf_file(folder: Path, name: str) -> Path:
    """A real one-page PDF."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    target = folder / name
    target.write_bytes(buffer.getvalue())
    return target


def day(value: datetime.date) -> str:
    return value.strftime("%d.%m.%Y")


def legal_help() -> str:
    """The page on pitay.government.bg that explains how to appeal."""
    from monitoring.services.requests import PITAY_APPEAL_HELP

    return PITAY_APPEAL_HELP


def step_titles(page: Page) -> list[str]:
    """The kinds of the timeline's steps, in order."""
    return [t.strip() for t in page.locator("main .step-list .step-title strong").all_inner_texts()]


# --- the whole cycle -----------------------------------------------------------------------


def test_a_request_from_filing_to_partial_access_and_the_appeal_route(
    browser_page: BrowserPage, people: People, site: str, mailbox, tmp_path: Path
) -> None:
    from monitoring import legal
    from monitoring.enums import (
        AccessForm,
        DocumentKind,
        ExtensionReason,
        RefusalGround,
        RequestEventKind,
        RequestStatus,
    )
    from monitoring.models import InformationRequest
    from monitoring.services.common import today
    from tests.factories.accounts import UserFactory

    institution_pk, password, secret = staff_with_totp()
    UserFactory(email=CITIZEN_EMAIL, first_name="Петя", last_name="Илиева")
    now = today()

    # --- The citizen chooses the institution the way the form offers: the municipality. ----
    citizen = browser_page
    page = citizen.page
    sign_in(page, site, CITIZEN_EMAIL)
    citizen.visit("/monitoring/requests/")
    page.locator("main a[href$='/monitoring/requests/new/']").first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/monitoring/requests/new/$"))
    check_a11y(page, "choosing the institution")
    page.locator("main select[name=municipality]").select_option("PDV22")
    submit(page, "main form.filter-form [type=submit]")
    check_a11y(page, "the institutions of Plovdiv")
    choice = page.locator(f"main ul.results a[href$='?institution={institution_pk}']")
    expect(choice).to_have_text("Община Пловдив")
    choice.click()
    page.wait_for_load_state()
    expect(page).to_have_url(
        re.compile(rf"/monitoring/requests/new/\?institution={institution_pk}$")
    )
    check_a11y(page, "the request form")
    # The statutory deadline counted from today is announced before filing.
    expect(page.locator("main .summary-list")).to_contain_text(day(legal.request_due_on(now)))
    # Prefilled from the account.
    expect(page.locator("input[name=requester_name]")).to_have_value("Петя Илиева")
    expect(page.locator("input[name=requester_email]")).to_have_value(CITIZEN_EMAIL)

    # --- Bad input once: a personal number in the description. -----------------------------
    with_number = f"{DESCRIPTION} Моето ЕГН е {PERSONAL_NUMBER}."
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=description]").fill(with_number)
    page.locator("textarea[name=correspondence_address]").fill(
        "гр. Пловдив 4000, ул. „Райко Даскалов“ 12"
    )
    page.locator("input[name=show_name]").check()
    submit(page, "main form.request-form [type=submit]")
    expect(page.locator("main .error-summary")).to_be_visible()
    field = page.locator(".field-error", has=page.locator("textarea[name=description]"))
    expect(field.locator(".error-message")).to_contain_text(
        _(
            "This text contains what looks like a personal number (ЕГН or ЛНЧ). The portal "
            "never needs it: remove it, please."
        )
    )
    # Only the description is refused, and everything typed is still there.
    expect(page.locator("main .field-error")).to_have_count(1)
    expect(page.locator("textarea[name=description]")).to_have_value(with_number)
    expect(page.locator("input[name=title]")).to_have_value(TITLE)
    expect(page.locator("input[name=show_name]")).to_be_checked()
    check_a11y(page, "the request form with the personal number refused")
    assert not InformationRequest.objects.exists()

    page.locator("textarea[name=description]").fill(DESCRIPTION)
    submit(page, "main form.request-form [type=submit]")
    expect(page).to_have_url(re.compile(r"/monitoring/requests/\d+/$"))
    req = InformationRequest.objects.get()
    assert req.institution_id == institution_pk and req.status == RequestStatus.SUBMITTED
    assert req.access_form == AccessForm.ELECTRONIC and req.is_public and req.show_name
    assert PERSONAL_NUMBER not in req.description
    tracking = f"/monitoring/requests/{req.pk}/"
    expect(page.get_by_role("status").first).to_contain_text("Община Пловдив")  # sent to it
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator("main .request-state")).to_contain_text(str(RequestStatus.SUBMITTED.label))
    check_a11y(page, "the new request's tracking page")

    # The institution got the request with its four statutory fields; the citizen a receipt.
    to_institution = mail_to(mailbox, req.institution.email, 1)[0]
    text = mailbox.body(to_institution)
    assert DESCRIPTION in text and "Петя Илиева" in text and "Райко Даскалов" in text
    assert tracking in text
    mail_to(mailbox, CITIZEN_EMAIL, 1)

    # --- The official: the inbox, then register, extend and decide. ------------------------
    # On a phone: every page the official uses fits it.
    official = people.open(PHONE)
    staff = official.page
    sign_in_with_totp(staff, site, STAFF_EMAIL, password, secret)
    official.visit("/monitoring/inbox/")
    assert_no_horizontal_scroll(staff, "the inbox at 375 px")
    row = staff.locator("main table.inbox-table tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(day(legal.request_due_on(now)))
    row.locator(f"a[href$='{tracking}']").click()
    staff.wait_for_load_state()
    expect(staff).to_have_url(re.compile(rf"{tracking}$"))
    check_a11y(staff, "the request as its institution sees it")
    assert_no_horizontal_scroll(staff, "the request as its institution sees it at 375 px")
    # The requester's address is shown to the institution (never to the public).
    expect(staff.locator("#requester-details").locator("..")).to_contain_text("Райко Даскалов")

    staff.locator(f"main .request-actions a[href$='{tracking}register/']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "registering the request")
    assert_no_horizontal_scroll(staff, "registering the request at 375 px")
    expect(staff.locator("input[name=registered_on]")).to_have_value(now.isoformat())
    staff.locator("input[name=number]").fill("94-00-1234")
    submit(staff, "main form [type=submit]")
    expect(staff).to_have_url(re.compile(rf"{tracking}$"))
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED and req.registration_number == "94-00-1234"
    assert req.due_on == legal.request_due_on(now)
    expect(staff.locator("main .summary-list").first).to_contain_text("94-00-1234")

    staff.locator(f"main .request-actions a[href$='{tracking}extend/']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "extending the term")
    assert_no_horizontal_scroll(staff, "extending the term at 375 px")
    staff.locator(f"input[name=reason][value={ExtensionReason.LARGE_VOLUME}]").check()
    staff.locator("input[name=days]").fill("10")
    staff.locator("textarea[name=note]").fill(
        "Исканите договори и протоколи са над 400 страници и се копират от архива."
    )
    submit(staff, "main form [type=submit]")
    expect(staff).to_have_url(re.compile(rf"{tracking}$"))
    extended_due = legal.request_due_on(now, 10)
    req.refresh_from_db()
    assert req.extension_reason == ExtensionReason.LARGE_VOLUME and req.due_on == extended_due
    summary = staff.locator("main .summary-list").first
    expect(summary).to_contain_text(str(ExtensionReason.LARGE_VOLUME.label))
    expect(summary).to_contain_text(extended_due.strftime("%d.%m.%Y"))
    # Extended once: the step is no longer offered.
    expect(staff.locator(f"main .request-actions a[href$='{tracking}extend/']")).to_have_count(0)

    staff.locator(f"main .request-actions a[href$='{tracking}decide/']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "the decision form")
    assert_no_horizontal_scroll(staff, "the decision form at 375 px")
    staff.locator(f"input[name=outcome][value={RequestStatus.PARTIAL}]").check()
    staff.locator(f"input[name=refusal_ground][value={RefusalGround.THIRD_PARTY}]").check()
    expect(staff.locator("input[name=decided_on]")).to_have_value(now.isoformat())
    staff.locator("textarea[name=answer]").fill(ANSWER)
    staff.locator("input[name=document]").set_input_files(
        str(pdf_file(tmp_path, "Решение за частичен достъп.pdf"))
    )
    staff.locator("input[name=document_title]").fill("Решение № 12 за частичен достъп")
    submit(staff, "main form [type=submit]")
    expect(staff).to_have_url(re.compile(rf"{tracking}$"))
    check_a11y(staff, "the decided request, institution's view")
    assert_no_horizontal_scroll(staff, "the decided request, institution's view at 375 px")
    req.refresh_from_db()
    assert req.status == RequestStatus.PARTIAL and req.refusal_ground == RefusalGround.THIRD_PARTY
    assert req.decided_on == now and req.answered_on_time is True
    document = req.documents.get()
    assert document.kind == DocumentKind.DECISION and document.is_public

    # --- The citizen: the e-mails, the link, the page with every step. ----------------------
    messages = mail_to(mailbox, CITIZEN_EMAIL, 3)
    subjects = [str(m["Subject"]) for m in messages]
    assert len(messages) == 3, subjects
    assert all(TITLE in s for s in subjects), subjects
    extended_text = mailbox.body(messages[1])
    assert day(extended_due) in extended_text
    decided_text = mailbox.body(messages[2])
    appeal_by = legal.appeal_due_on(now)
    assert str(RequestStatus.PARTIAL.label) in decided_text
    assert str(RefusalGround.THIRD_PARTY.label) in decided_text
    assert day(appeal_by) in decided_text
    link = re.search(r"https?://\S+/monitoring/requests/\d+/", decided_text)
    assert link, decided_text
    assert path_of(link.group(0)) == tracking

    page.set_viewport_size(PHONE)
    citizen.visit(path_of(link.group(0)))
    assert_no_horizontal_scroll(page, "the decided request at 375 px")
    expect(page.locator("main .request-state")).to_contain_text(str(RequestStatus.PARTIAL.label))
    assert step_titles(page) == [
        str(RequestEventKind.FILED.label),
        str(RequestEventKind.SENT.label),
        str(RequestEventKind.REGISTERED.label),
        str(RequestEventKind.EXTENDED.label),
        str(RequestEventKind.DECIDED.label),
    ]
    timeline = page.locator("main .step-list")
    expect(timeline).to_contain_text("над 400 страници")  # the extension's notice
    expect(timeline.locator("time").first).to_have_attribute("datetime", now.isoformat())
    # The answer is rendered from Markdown (sanitised): a heading (under the section's h2), bold,
    # a list.
    answer = page.locator("main .answer")
    expect(answer.locator("h3")).to_have_text("Предоставена информация")
    expect(answer.locator("strong")).to_have_text("договора")
    expect(answer.locator("li")).to_have_count(2)
    expect(page.locator("#decision").locator("..")).to_contain_text(
        str(RefusalGround.THIRD_PARTY.label)
    )
    # The appeal route with its last day.
    appeal = page.locator("main .appeal-route")
    expect(appeal).to_contain_text(day(appeal_by))
    expect(appeal.locator(f"a[href='{legal_help()}']")).to_have_count(1)

    # The document downloads as the PDF that was uploaded.
    link_to_document = page.locator(f"main a[href$='/monitoring/documents/{document.pk}/']")
    expect(link_to_document).to_have_text("Решение № 12 за частичен достъп")
    with page.expect_download() as info:
        link_to_document.click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    assert info.value.suggested_filename.endswith(".pdf")

    # The form fits the phone too.
    citizen.visit(f"/monitoring/requests/new/?institution={institution_pk}")
    assert_no_horizontal_scroll(page, "the request form at 375 px")

    # The public sees the request and the answer, never the address.
    public = people.open(PHONE)
    public.visit(tracking)
    expect(public.page.locator("main")).to_contain_text("Петя Илиева")  # show_name was ticked
    expect(public.page.locator("main")).not_to_contain_text("Райко Даскалов")
    expect(public.page.locator("main")).not_to_contain_text(CITIZEN_EMAIL)
    assert_no_horizontal_scroll(public.page, "the public request page at 375 px")

    browser_page.assert_clean_console()
    people.assert_clean()


# --- an overdue request --------------------------------------------------------------------


def test_an_overdue_request_shows_the_appeal_against_silence(
    browser_page: BrowserPage, mailbox
) -> None:
    from django.core.management import call_command

    from monitoring import legal
    from monitoring.enums import RequestEventKind, RequestStatus
    from monitoring.services.common import today
    from tests.factories.monitoring import InformationRequestFactory

    registered = today() - datetime.timedelta(days=40)
    due = legal.request_due_on(registered)
    assert due < today()
    req = InformationRequestFactory(
        title="Разходи за осветление на Гребната база",
        filed_on=registered,
        registered_on=registered,
        status=RequestStatus.REGISTERED,
        due_on=due,
    )
    InformationRequestFactory(status=RequestStatus.REGISTERED, due_on=today())  # not yet overdue

    call_command("check_monitoring_deadlines", verbosity=0)
    req.refresh_from_db()
    assert req.is_overdue

    # The requester is told, with the appeal route against the silence.
    appeal_by = legal.tacit_refusal_appeal_due_on(due)
    notice = mail_to(mailbox, req.requester_email, 1)[0]
    assert day(appeal_by) in mailbox.body(notice)

    # The list, filtered to the overdue ones, has it and only it.
    page = browser_page.visit("/monitoring/requests/?overdue=on")
    expect(page.locator("main ul.request-list > li")).to_have_count(1)
    expect(page.locator("main ul.request-list")).to_contain_text(req.title)

    # Its page, as anyone sees it: "overdue", the missed deadline, the appeal against silence.
    page = browser_page.visit(f"/monitoring/requests/{req.pk}/")
    state = page.locator("main .request-state")
    expect(state).to_contain_text(str(RequestStatus.REGISTERED.label))
    expect(state.locator(".tag-red")).to_contain_text(day(due))
    appeal = page.locator("main .appeal-route")
    expect(appeal).to_contain_text(day(due))
    expect(appeal).to_contain_text(day(appeal_by))
    assert step_titles(page)[-1] == str(RequestEventKind.OVERDUE.label)
    expect(page.locator("main .step-list .step-alert")).to_have_count(1)

    page.set_viewport_size(PHONE)
    browser_page.visit(f"/monitoring/requests/{req.pk}/")
    assert_no_horizontal_scroll(page, "the overdue request at 375 px")
    browser_page.assert_clean_console()
