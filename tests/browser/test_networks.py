"""A network in a real browser: the coordinator adds a task and marks one done, the history
shows it; a member's representative co-signs a joint position; axe on every page; the plan
with its timeline photographed at desktop and phone widths."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from organisations import networks as services
from tests.browser.support import (
    DESKTOP,
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
)
from tests.factories.organisations import TaskFactory

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("EREGION_SCREENSHOTS") or Path(tempfile.gettempdir()) / "eregion-shots")


def _save(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture
def family(site: str):
    from tests.organisations.test_networks import make_family

    fam = make_family(members=4)
    today = services.today()
    TaskFactory(
        network=fam.network,
        title="Анализ на проектобюджета на община Смолян",
        starts_on=today - datetime.timedelta(days=40),
        due_on=today - datetime.timedelta(days=3),
        status="in-progress",
        progress=50,
        responsible=fam.member_org,
    )
    TaskFactory(
        network=fam.network,
        title="Кръгла маса за социалните услуги",
        starts_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=20),
    )
    services.publish_position(
        user=fam.people["coordinator"],
        network=fam.network,
        title="Позиция за прозрачни общински бюджети",
        body="Призоваваме общините да публикуват **проектобюджетите** 30 дни преди приемането.",
    )
    return fam


def test_coordinator_plans_and_a_member_co_signs(browser_page: BrowserPage, family, chromium):
    page = browser_page.page
    network = family.network
    sign_in(page, browser_page.base_url, family.people["coordinator"].email)

    browser_page.visit(network.get_absolute_url())
    expect(page.locator("h1")).to_have_text(network.name)

    # Add a task; first with a bad date, which is marked at the field and keeps the text.
    browser_page.visit(f"/organisations/networks/{network.pk}/tasks/new/")
    page.locator("#id_title").fill("Обучение „Работа в мрежа“ в Кърджали")
    page.locator("#id_area").select_option(label="Прозрачност на местния бюджет")
    page.locator("#id_responsible").select_option(label="Фондация „Родопски хоризонти“")
    page.locator("#id_starts_on").fill("2027-03-10")
    page.locator("#id_due_on").fill("2027-03-01")
    page.locator("#id_notes").fill("20 представители на НПО")
    _save(page)
    expect(page.locator("#id_due_on_error")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("Обучение „Работа в мрежа“ в Кърджали")
    check_a11y(page, "task form with an error")
    page.locator("#id_due_on").fill("2027-03-12")
    _save(page)
    expect(page).to_have_url(re.compile(rf"/networks/{network.pk}/plan/$"))
    expect(page.locator("main table")).to_contain_text("Обучение „Работа в мрежа“ в Кърджали")

    # Mark the overdue task done.
    row = page.locator("tr", has_text="Анализ на проектобюджета на община Смолян")
    expect(row.locator(".tag-red")).to_be_visible()
    row.get_by_role("link").first.click()
    page.wait_for_load_state()
    check_a11y(page, "edit task")
    page.locator("#id_status").select_option("done")
    _save(page)
    row = page.locator("tr", has_text="Анализ на проектобюджета на община Смолян")
    expect(row).to_contain_text("100 %")
    expect(row.locator(".tag-red")).to_have_count(0)

    # The public history shows both changes, with the person and the new status.
    browser_page.visit(f"/organisations/networks/{network.pk}/history/")
    history = page.locator("main")
    expect(history).to_contain_text("Обучение „Работа в мрежа“ в Кърджали")
    expect(history).to_contain_text("Мария Примерова")
    entry = page.locator("section.history-entry", has_text="Анализ на проектобюджета")
    expect(entry.locator("table")).to_contain_text("100 %")

    # The coordinator's other pages pass axe too: members (with a search to invite) and
    # the announcement form.
    browser_page.visit(f"/organisations/networks/{network.pk}/members/?q=Зелени")
    expect(page.locator("main")).to_contain_text("Сдружение „Зелени Балкани – Смолян“")
    browser_page.visit(f"/organisations/networks/{network.pk}/announce/")

    # The plan with its timeline: checked and photographed at both widths.
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.visit(f"/organisations/networks/{network.pk}/plan/")
    expect(page.locator("svg#plan")).to_be_visible()
    page.screenshot(path=str(SHOTS / "network-plan-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    browser_page.visit(f"/organisations/networks/{network.pk}/plan/")
    assert_no_horizontal_scroll(page, "plan at 375 px")
    page.screenshot(path=str(SHOTS / "network-plan-375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    browser_page.assert_clean_console()

    # A member organisation's representative co-signs the position (a fresh browser context).
    context = chromium.new_context(viewport=DESKTOP, locale="bg-BG")
    member_page = context.new_page()
    try:
        sign_in(member_page, browser_page.base_url, family.people["member representative"].email)
        position = network.positions.get()
        member_page.goto(browser_page.base_url + f"/organisations/positions/{position.pk}/")
        check_a11y(member_page, "position with the sign form")
        expect(member_page.locator("#signatories + p")).to_be_visible()  # no signatories yet
        member_page.get_by_role("button", name=re.compile("^(Co-sign|Подпиши)$")).click()
        member_page.wait_for_load_state()
        signatories = member_page.locator("#signatories + ol")
        expect(signatories).to_contain_text("Фондация „Родопски хоризонти“")
        check_a11y(member_page, "position after signing")
    finally:
        context.close()

    # Anyone sees the signatory.
    anonymous = chromium.new_context(viewport=DESKTOP, locale="bg-BG")
    try:
        visitor = anonymous.new_page()
        visitor.goto(browser_page.base_url + f"/organisations/positions/{position.pk}/")
        expect(visitor.locator("#signatories + ol")).to_contain_text(
            "Фондация „Родопски хоризонти“"
        )
        expect(visitor.locator("form[action$='/sign/']")).to_have_count(0)
    finally:
        anonymous.close()
