"""The public pages of events in a real browser: the list and the month calendar filtered
without JavaScript on a 375 px phone; an event's page with its programme, without the online
link for an anonymous visitor, and as printed; the registration form by keyboard alone; the
attendance sheet PDF for the organiser. axe on each page (in a context with JavaScript: axe
is itself a script)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

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

ONLINE_URL = "https://meet.example.org/room-7f3k2"
TRAINING = "Обучение: партньорства и работа в мрежа"
SEMINAR = "Семинар за прилагане на модела за взаимодействие"


def _events():
    """A training in Plovdiv and a hybrid seminar in Sofia, on the same day in ten days."""
    from django.core.cache import cache

    from events.enums import Format, Kind
    from tests.factories.directory import generated
    from tests.factories.events import EventFactory

    cache.clear()  # rate-limit counters of earlier tests
    training = EventFactory(title=TRAINING, kind=Kind.TRAINING)
    seminar = EventFactory(
        title=SEMINAR,
        kind=Kind.SEMINAR,
        institution=generated("ma:SOF46"),
        province_id="SOF",
        municipality_id="SOF46",
        format=Format.HYBRID,
        online_url=ONLINE_URL,
        starts_at=training.starts_at,
        ends_at=training.ends_at,
    )
    return training, seminar


def _month(event) -> str:
    from core.legal_calendar import SOFIA

    return f"{event.starts_at.astimezone(SOFIA):%Y-%m}"


def _fits(page: Page, label: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label}: scrollWidth {width} at {PHONE['width']} px"


def _titles(page: Page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def _calendar_titles(page: Page) -> set[str]:
    """The events in the month's grid (the first day's entry starts with the time)."""
    texts = _titles(page, "main table.month-calendar td .day-events a")
    return {re.sub(r"^\d\d:\d\d ", "", t) for t in texts}


def test_list_and_calendar_filters_without_javascript_on_a_phone(
    chromium: Browser, site: str, browser_page: BrowserPage
) -> None:
    training, _seminar = _events()
    month = _month(training)
    context = chromium.new_context(viewport=PHONE, locale="bg-BG", java_script_enabled=False)
    try:
        page = context.new_page()
        # The list, filtered by kind with the filter panel's own submit button.
        page.goto(site + "/events/")
        assert sorted(_titles(page, "main .event-row a.event-title")) == sorted([TRAINING, SEMINAR])
        _fits(page, "event list")
        page.locator("main form.event-filters select[name=kind]").select_option("seminar")
        submit(page, "main form.event-filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"/events/\?.*kind=seminar"))
        assert _titles(page, "main .event-row a.event-title") == [SEMINAR]
        _fits(page, "filtered event list")
        # And by municipality: Plovdiv's only.
        page.locator("main form.event-filters select[name=kind]").select_option("")
        page.locator("main form.event-filters select[name=municipality]").select_option("PDV22")
        submit(page, "main form.event-filters button[type=submit]")
        assert _titles(page, "main .event-row a.event-title") == [TRAINING]

        # The month calendar of the events' month, filtered by kind.
        page.goto(f"{site}/events/calendar/?month={month}")
        assert _calendar_titles(page) == {TRAINING, SEMINAR}
        _fits(page, "calendar")
        page.locator("main form.event-filters select[name=kind]").select_option("training")
        submit(page, "main form.event-filters button[type=submit]")
        expect(page).to_have_url(re.compile(rf"/events/calendar/\?.*month={month}.*kind=training"))
        assert _calendar_titles(page) == {TRAINING}
        assert _titles(page, "main #month-list ~ .event-list a.event-title") == [TRAINING]
        _fits(page, "filtered calendar")
        # The next month (a plain link) keeps the filter.
        page.locator("main .month-nav a[rel=next]").click()
        page.wait_for_load_state()
        assert "kind=training" in page.url and f"month={month}" not in page.url
        _fits(page, "next month")
    finally:
        context.close()

    # The same pages with JavaScript, for axe, at the same width.
    page = browser_page.page
    page.set_viewport_size(PHONE)
    for path in (
        "/events/",
        "/events/?kind=seminar",
        f"/events/calendar/?month={month}",
        f"/events/calendar/?month={month}&kind=training",
    ):
        browser_page.visit(path)
        assert_no_horizontal_scroll(page, path)
    browser_page.assert_clean_console()


def test_event_page_programme_online_link_and_print(browser_page: BrowserPage) -> None:
    _training, seminar = _events()
    page = browser_page.visit(f"/events/{seminar.pk}/")
    expect(page.locator("main h1")).to_have_text(SEMINAR)
    # The programme: a table per day, with the sessions the factory wrote.
    tables = page.locator("main table.event-programme")
    expect(tables).to_have_count(2)
    expect(tables.first).to_contain_text("Ден 1: упражнения")
    expect(tables.nth(1)).to_contain_text("Ден 2: упражнения")
    expect(tables.first).to_contain_text("Мария Иванова")
    # An anonymous visitor does not get the online link, anywhere on the page.
    assert "meet.example.org" not in page.content()

    # Printed (static/css/print.css): content only, no navigation, forms or buttons.
    page.emulate_media(media="print")
    for hidden in (".main-nav", ".skip-link", ".breadcrumbs", "main a.button"):
        found = page.locator(hidden)
        assert found.count(), hidden
        for n in range(found.count()):
            expect(found.nth(n)).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(tables.first).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator(".main-nav")).to_be_visible()
    browser_page.assert_clean_console()


def test_register_by_keyboard_then_the_organiser_prints_the_attendance_sheet(
    browser_page: BrowserPage, chromium: Browser, site: str
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from pypdf import PdfReader

    from events.enums import RegistrationState
    from events.models import Registration
    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of
    from tests.factories.events import RegistrationFactory

    training, _seminar = _events()
    RegistrationFactory(event=training, name="Анна Димова")
    user = UserFactory(first_name="Стефан", last_name="Николов")
    page = browser_page.page
    sign_in(page, site, user.email)
    browser_page.visit(f"/events/{training.pk}/")

    def tab_to(selector: str, limit: int = 80) -> None:
        """Press Tab until the element matching `selector` has the focus."""
        for _n in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def active(attribute: str) -> str:
        return str(page.evaluate(f"() => document.activeElement.{attribute}"))

    # --- A citizen registers with the keyboard alone. --------------------------------------
    # The skip link first, then into the page to the event's one action.
    page.keyboard.press("Tab")
    assert "skip-link" in active("className")
    page.keyboard.press("Enter")
    tab_to(f"main a[href$='/events/{training.pk}/register/']")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/events/{training.pk}/register/$"))
    check_a11y(page, "registration form")

    tab_to("main input[name=name]")
    page.keyboard.press("Control+A")
    page.keyboard.type("Стефан Г. Николов")
    page.keyboard.press("Tab")
    assert active("name") == "organisation_name"
    page.keyboard.type("Читалище „Светлина“")
    page.keyboard.press("Tab")
    assert active("name") == "accessibility_needs"
    page.keyboard.type("Достъп без стъпала.")
    # The honeypot is out of the tab order: the next stop is the submit button.
    page.keyboard.press("Tab")
    assert active("type") == "submit" and active("tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/events/registrations/[A-Z0-9]+/$"))
    check_a11y(page, "registration page")
    registration = Registration.objects.get(event=training, user=user)
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.name == "Стефан Г. Николов"
    assert registration.organisation_name == "Читалище „Светлина“"
    assert registration.accessibility_needs == "Достъп без стъпала."
    browser_page.assert_clean_console()

    # --- The organiser downloads the attendance sheet of the second day. -------------------
    organiser = UserFactory(email="organiser@plovdiv.example.org")
    staff_of(generated("ma:PDV22"), organiser)
    secret = generate_totp_secret()
    TOTP.activate(organiser, secret)
    context = chromium.new_context(viewport=DESKTOP, locale="bg-BG")
    try:
        desk = BrowserPage(page=context.new_page(), base_url=site)
        desk.page.on("pageerror", lambda exc: desk.errors.append(str(exc)))
        sign_in_with_totp(desk.page, site, organiser.email, PASSWORD, secret)
        day = training.days[1]
        desk.visit(f"/events/{training.pk}/attendance/?day={day.isoformat()}")
        sheet = f"/events/{training.pk}/attendance-sheet.pdf?day={day.isoformat()}"
        with desk.page.expect_download() as info:
            desk.page.locator(f"main a[href$='{sheet}']").click()
        download = info.value
        assert download.suggested_filename == f"event-{training.pk}-attendance-{day}.pdf"
        data = Path(download.path()).read_bytes()
        assert desk.errors == []
    finally:
        context.close()
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Стефан Г. Николов" in text and "Анна Димова" in text
    assert f"{day:%d.%m.%Y}" in text
