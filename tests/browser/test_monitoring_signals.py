"""Proposals and signals (АПК гл. 8) in a real browser: a citizen files a proposal to Община
Пловдив, choosing the municipality and then the institution; the municipality's official
(with TOTP) registers it and records the decision; the citizen is told by e-mail and reads
the answer on the page. A filing without name and address is kept as feedback: marked so,
with no legal deadline. axe, console and CSP on every page; the form at 375 px.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.support import (
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
    sign_in_with_totp,
    submit,
)
from tests.browser.test_monitoring_requests import (
    STAFF_EMAIL,
    People,
    day,
    mail_to,
    path_of,
    people_fixture,  # noqa: F401 - the "people" fixture
    staff_with_totp,
    step_titles,
)

pytestmark = pytest.mark.browser

CITIZEN_EMAIL = "stoyan.marinov@example.org"
TITLE = "Пешеходна пътека пред ОУ „Христо Ботев“"
DESCRIPTION = (
    "Предлагам да се обозначи пешеходна пътека и да се постави светофар на кръстовището "
    "пред училището: децата пресичат на натоварено място без обозначение."
)
ANSWER = (
    "Предложението е **прието**. Пътеката ще бъде обозначена до края на месеца, а "
    "светофарът е включен в плана за 2027 г."
)
FEEDBACK_TITLE = "Неработещо улично осветление на бул. „Марица“"


def test_a_proposal_is_registered_and_answered_and_an_anonymous_one_is_feedback(
    browser_page: BrowserPage, people: People, site: str, mailbox
) -> None:
    from monitoring.enums import SignalEventKind, SignalKind, SignalOutcome, SignalStatus
    from monitoring.models import Signal
    from monitoring.services.common import today
    from tests.factories.accounts import UserFactory

    institution_pk, password, secret = staff_with_totp()
    UserFactory(email=CITIZEN_EMAIL, first_name="Стоян", last_name="Маринов")
    now = today()

    # --- The citizen: the municipality, then its institution, then the form. ---------------
    citizen = browser_page
    page = citizen.page
    sign_in(page, site, CITIZEN_EMAIL)
    citizen.visit("/monitoring/signals/new/")
    page.locator("main select[name=municipality]").select_option("PDV22")
    submit(page)
    check_a11y(page, "choosing the institution of Plovdiv")
    page.locator("main select[name=institution]").select_option(str(institution_pk))
    submit(page)
    expect(page).to_have_url(
        re.compile(rf"/monitoring/signals/new/\?.*institution={institution_pk}")
    )
    expect(page.locator("main .summary-list")).to_contain_text("Община Пловдив")
    check_a11y(page, "the filing form")
    expect(page.locator("input[name=filer_email]")).to_have_value(CITIZEN_EMAIL)

    page.locator(f"input[name=kind][value={SignalKind.PROPOSAL}]").check()
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=description]").fill(DESCRIPTION)
    page.locator("input[name=filer_name]").fill("Стоян Петров Маринов")
    page.locator("textarea[name=filer_address]").fill("гр. Пловдив 4002, ул. „Любен Каравелов“ 7")
    page.locator("input[name=is_public]").check()
    page.locator("input[name=show_name]").check()
    submit(page, "main form.signal-form [type=submit]")
    expect(page).to_have_url(re.compile(r"/monitoring/signals/\d+/$"))
    signal = Signal.objects.get(title=TITLE)
    assert signal.kind == SignalKind.PROPOSAL and signal.status == SignalStatus.SUBMITTED
    assert not signal.is_anonymous and signal.due_on is not None and signal.due_on > now
    record = f"/monitoring/signals/{signal.pk}/"
    # Told the legal deadline at once, on the page and in the receipt.
    expect(page.get_by_role("status").first).to_contain_text(day(signal.due_on))
    expect(page.locator("main .summary-list").first).to_contain_text(day(signal.due_on))
    check_a11y(page, "the proposal's page")
    assert day(signal.due_on) in mailbox.body(mail_to(mailbox, CITIZEN_EMAIL, 1)[0])

    # --- The official: from the inbox, register, then record the decision. -----------------
    official = people.open()
    staff = official.page
    sign_in_with_totp(staff, site, STAFF_EMAIL, password, secret)
    official.visit("/monitoring/inbox/")
    staff.locator(f"main table.inbox-table a[href$='{record}']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "the proposal, institution's view")
    expect(staff.locator("main")).to_contain_text("Любен Каравелов")  # the address, for staff

    staff.locator(f"main .signal-actions a[href$='{record}register/']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "registering the proposal")
    staff.locator("input[name=number]").fill("ПП-94-17")
    staff.locator("input[name=registered_on]").fill(now.isoformat())
    submit(staff, "main form[method=post] [type=submit]")
    expect(staff).to_have_url(re.compile(rf"{record}$"))
    signal.refresh_from_db()
    assert signal.status == SignalStatus.REGISTERED and signal.registration_number == "ПП-94-17"

    staff.locator(f"main .signal-actions a[href$='{record}answer/']").click()
    staff.wait_for_load_state()
    check_a11y(staff, "the decision on the proposal")
    staff.locator(f"input[name=outcome][value={SignalOutcome.ACCEPTED}]").check()
    staff.locator("input[name=decided_on]").fill(now.isoformat())
    staff.locator("textarea[name=answer]").fill(ANSWER)
    submit(staff, "main form[method=post] [type=submit]")
    expect(staff).to_have_url(re.compile(rf"{record}$"))
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ANSWERED and signal.answered_on_time is True

    # --- The citizen: the e-mails, then the answer on the page. ----------------------------
    messages = mail_to(mailbox, CITIZEN_EMAIL, 3)
    answered = mailbox.body(messages[-1])
    assert "прието" in answered, answered
    link = re.search(r"https?://\S+/monitoring/signals/\d+/", answered)
    assert link and path_of(link.group(0)) == record, answered
    citizen.visit(record)
    decision = page.locator("#decision").locator("..")
    expect(decision).to_contain_text(str(SignalOutcome.ACCEPTED.label))
    expect(decision.locator(".tag-green")).to_have_text(_("On time"))
    expect(page.locator("main .signal-answer strong")).to_have_text("прието")
    assert step_titles(page) == [
        str(SignalEventKind.FILED.label),
        str(SignalEventKind.REGISTERED.label),
        str(SignalEventKind.ANSWERED.label),
    ]
    # The public sees the filer's name (chosen), never the address or e-mail.
    public = people.open()
    public.visit(record)
    expect(public.page.locator("main")).to_contain_text("Стоян Петров Маринов")
    expect(public.page.locator("main")).not_to_contain_text("Любен Каравелов")
    expect(public.page.locator("main")).not_to_contain_text(CITIZEN_EMAIL)

    # --- Anonymous: no name, no address. Kept as feedback; no deadline. --------------------
    page.set_viewport_size(PHONE)
    citizen.visit(f"/monitoring/signals/new/?institution={institution_pk}")
    assert_no_horizontal_scroll(page, "the filing form at 375 px")
    page.locator(f"input[name=kind][value={SignalKind.SIGNAL}]").check()
    page.locator("input[name=title]").fill(FEEDBACK_TITLE)
    page.locator("textarea[name=description]").fill(
        "От седмица уличното осветление между № 20 и № 40 не работи."
    )
    page.locator("input[name=event_on]").fill((now - datetime.timedelta(days=7)).isoformat())
    page.locator("input[name=is_public]").check()
    submit(page, "main form.signal-form [type=submit]")
    expect(page).to_have_url(re.compile(r"/monitoring/signals/\d+/$"))
    feedback = Signal.objects.get(title=FEEDBACK_TITLE)
    assert feedback.is_anonymous and feedback.due_on is None and not feedback.starts_legal_deadline
    expect(page.get_by_role("status").first).to_contain_text(
        _(
            "Received. It is kept as feedback: no proceedings are opened and no legal deadline "
            "runs. Follow it on this page."
        )
    )
    expect(page.locator("main .banner-important").first).to_contain_text(
        _("Accepted as feedback, no legal deadline.")
    )
    expect(page.locator("main .summary-list").first).to_contain_text(
        _("No statutory deadline runs")
    )
    check_a11y(page, "the anonymous signal at 375 px")
    assert_no_horizontal_scroll(page, "the anonymous signal at 375 px")

    # In the public list it is there, and never overdue.
    listing = people.open().visit(f"/monitoring/signals/?institution={institution_pk}")
    expect(listing.locator("main")).to_contain_text(FEEDBACK_TITLE)
    expect(listing.locator("main")).to_contain_text(TITLE)

    browser_page.assert_clean_console()
    people.assert_clean()
