"""The whole cycle of a training in a real browser: an official of Община Пловдив (signed in
with TOTP) creates a two-day training for 2 people, adds a session and publishes it; three
citizens register in turn (two confirmed, the third on the waiting list); the confirmation
e-mail arrives in the SMTP mailbox with an .ics file; the first cancels through the link in
the e-mail and the third is promoted; the organiser checks people in on a phone, issues the
certificates; a participant downloads theirs and anyone verifies its code. axe on each page.
"""

from __future__ import annotations

import datetime
import io
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.support import (
    DESKTOP,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in,
    sign_in_with_totp,
    submit,
)

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "n.georgieva@plovdiv.example.org"
TITLE = "Обучение: застъпнически кампании за НПО"
PHONE_TALL = {"width": 375, "height": 812}
CITIZENS = [
    ("maria.petrova@example.org", "Мария", "Петрова"),
    ("georgi.ivanov@example.org", "Георги", "Иванов"),
    ("elena.stoyanova@example.org", "Елена", "Стоянова"),
]


class Person:
    """A browser context of one person (their own cookies), failing on page errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context: BrowserContext = browser.new_context(viewport=DESKTOP, locale="bg-BG")
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def visit(self, path: str, label: str = "") -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, path
        check_a11y(self.page, label or path)
        return self.page


@pytest.fixture
def people(chromium: Browser, site: str) -> Iterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        person.context.close()
    for person in made:
        assert not person.errors, person.errors


def _organiser_with_totp() -> tuple[int, str, str]:
    """Staff of Община Пловдив with an authenticator app: (institution id, password, secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of

    cache.clear()  # rate-limit counters of earlier tests
    institution = generated("ma:PDV22")
    user = UserFactory(email=ORGANISER_EMAIL, first_name="Невена", last_name="Георгиева")
    staff_of(institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return institution.pk, PASSWORD, secret


def _mail_to(mailbox, address: str, count: int) -> list[EmailMessage]:
    """The messages to `address`, once `count` have arrived (delivery is a task that runs as
    the request commits; the SMTP server takes it in its own thread)."""
    deadline = time.monotonic() + 10
    while len(mailbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    found = mailbox.to(address)
    assert len(found) >= count, [str(m["Subject"]) for m in found]
    return found


def _ics_of(message: EmailMessage):
    import icalendar

    files = [p for p in message.iter_attachments() if p.get_filename() == "event.ics"]
    assert len(files) == 1, [p.get_filename() for p in message.iter_attachments()]
    assert files[0].get_content_type() == "text/calendar"
    return icalendar.Calendar.from_ical(files[0].get_payload(decode=True))


def _path_of(url: str) -> str:
    """An address from an e-mail (built on settings.SITE_URL) as a path of the live server."""
    return re.sub(r"^https?://[^/]+", "", url)


def test_training_cycle_from_publishing_to_a_verified_certificate(
    browser_page: BrowserPage, chromium: Browser, site: str, people: list[Person], mailbox
) -> None:
    from core.legal_calendar import SOFIA
    from events.enums import RegistrationState, State
    from events.models import Attendance, Certificate, Event, Registration, Session
    from tests.factories.accounts import UserFactory

    institution_pk, password, secret = _organiser_with_totp()
    users = [UserFactory(email=e, first_name=f, last_name=last) for e, f, last in CITIZENS]
    page = browser_page.page
    sign_in_with_totp(page, site, ORGANISER_EMAIL, password, secret)

    # --- The organiser creates the training: two days in ten days' time, 2 places. ---------
    today = datetime.datetime.now(SOFIA).date()
    first_day = today + datetime.timedelta(days=10)
    second_day = first_day + datetime.timedelta(days=1)
    browser_page.visit(f"/events/new/?organiser=institution-{institution_pk}")
    page.locator("select[name=kind]").select_option("training")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=description]").fill(
        "Двудневно обучение за **представители на НПО**."
    )
    page.locator("input[name=starts_on]").fill(first_day.isoformat())
    page.locator("input[name=starts_time]").fill("09:30")
    page.locator("input[name=ends_on]").fill(second_day.isoformat())
    page.locator("input[name=ends_time]").fill("17:00")
    page.locator("input[name=format][value=in_person]").check()
    page.locator("input[name=venue]").fill("Зала „Съединение“")
    page.locator("input[name=address]").fill("пл. „Стефан Стамболов“ 1")
    page.locator("input[name=capacity]").fill("2")
    page.locator("input[name=registration_opens_on]").fill(today.isoformat())
    page.locator("input[name=registration_closes_on]").fill(
        (first_day - datetime.timedelta(days=1)).isoformat()
    )
    page.locator("input[name=hours]").fill("16")
    page.locator("input[name='sessions-0-day']").fill(first_day.isoformat())
    page.locator("input[name='sessions-0-starts']").fill("09:30")
    page.locator("input[name='sessions-0-ends']").fill("17:00")
    page.locator("input[name='sessions-0-title']").fill("Какво е застъпничество")
    page.locator("input[name='sessions-0-speakers']").fill("Мария Иванова")
    submit(page)
    expect(page).to_have_url(re.compile(r"/events/\d+/manage/$"))
    event = Event.objects.get(title=TITLE)
    assert event.state == State.DRAFT and event.capacity == 2
    assert event.starts_at == datetime.datetime(
        first_day.year, first_day.month, first_day.day, 9, 30, tzinfo=SOFIA
    )
    check_a11y(page, "the draft's management page")

    # Adds the second day's session on the edit form (the first empty group of the formset).
    page.locator(f"main a[href$='/events/{event.pk}/edit/']").click()
    page.wait_for_load_state()
    check_a11y(page, "edit form")
    page.locator("input[name='sessions-1-day']").fill(second_day.isoformat())
    page.locator("input[name='sessions-1-starts']").fill("09:30")
    page.locator("input[name='sessions-1-ends']").fill("17:00")
    page.locator("input[name='sessions-1-title']").fill("Планиране на кампания")
    page.locator("input[name='sessions-1-speakers']").fill("Петър Колев")
    submit(page)
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/manage/$"))
    assert list(Session.objects.filter(event=event).values_list("day", flat=True)) == [
        first_day,
        second_day,
    ]

    # Publishes it.
    submit(page, f"main form[action$='/events/{event.pk}/publish/'] button")
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/manage/$"))
    check_a11y(page, "published event, management page")
    event.refresh_from_db()
    assert event.state == State.PUBLISHED

    # --- Three citizens register in turn, each in a browser of their own. ------------------
    codes: list[str] = []
    for n, user in enumerate(users):
        person = Person(chromium, site)
        people.append(person)
        sign_in(person.page, site, user.email)
        p = person.visit(f"/events/{event.pk}/", f"event page for citizen {n + 1}")
        if n == 0:  # the programme as the public sees it
            expect(p.locator("main table.event-programme")).to_have_count(2)
            expect(p.locator("main")).to_contain_text("Планиране на кампания")
        p.locator(f"main a[href$='/events/{event.pk}/register/']").first.click()
        p.wait_for_load_state()
        check_a11y(p, f"registration form for citizen {n + 1}")
        expect(p.locator("input[name=name]")).to_have_value(user.get_full_name())
        p.locator("input[name=organisation_name]").fill("Сдружение „Граждани за Пловдив“")
        submit(p, "main form.registration-form button[type=submit]")
        expect(p).to_have_url(re.compile(r"/events/registrations/[A-Z0-9]+/$"))
        check_a11y(p, f"registration page of citizen {n + 1}")
        codes.append(p.url.rstrip("/").rsplit("/", 1)[1])
    states = {r.code: r.state for r in Registration.objects.filter(event=event)}
    assert [states[c] for c in codes] == [
        RegistrationState.CONFIRMED,
        RegistrationState.CONFIRMED,
        RegistrationState.WAITING,
    ]
    # The third is told the place on the list (the page is in the language the server uses).
    third = people[2].page
    expect(third.locator("main .summary-list")).to_contain_text(
        _("number %(n)s on the waiting list") % {"n": 1}
    )

    # --- The confirmation e-mail with the calendar file. -----------------------------------
    confirmation = _mail_to(mailbox, users[0].email, 1)[0]
    body = mailbox.body(confirmation)
    assert codes[0] in body
    calendar = _ics_of(confirmation)
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == TITLE
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert "Съединение" in str(vevent["LOCATION"])
    # The waiting one got the waiting-list notice, without a calendar file.
    waiting_notice = _mail_to(mailbox, users[2].email, 1)[0]
    assert not [p for p in waiting_notice.iter_attachments() if p.get_filename() == "event.ics"]

    # --- The first cancels through the link in the e-mail (no need to be signed in). -------
    cancel_url = re.search(r"https?://\S+/events/registrations/[A-Z0-9]+/cancel/", body)
    assert cancel_url, body
    anonymous = Person(chromium, site)
    people.append(anonymous)
    p = anonymous.visit(_path_of(cancel_url.group(0)), "cancel confirmation page")
    expect(p.locator("main")).to_contain_text(codes[0])
    submit(p, f"main form[action$='/events/registrations/{codes[0]}/cancel/'] button")
    expect(p).to_have_url(re.compile(rf"/events/{event.pk}/$"))
    check_a11y(p, "event page after cancelling by the link")

    # The third is promoted: their page says confirmed, and they were told by e-mail.
    third_page = people[2].visit(f"/events/registrations/{codes[2]}/", "promoted registration")
    expect(third_page.locator("main .summary-list strong").first).to_have_text(
        str(RegistrationState.CONFIRMED.label)
    )
    states = {r.code: r.state for r in Registration.objects.filter(event=event)}
    assert states == {
        codes[0]: RegistrationState.CANCELLED,
        codes[1]: RegistrationState.CONFIRMED,
        codes[2]: RegistrationState.CONFIRMED,
    }
    promoted = _mail_to(mailbox, users[2].email, 2)[-1]
    assert codes[2] in mailbox.body(promoted)
    assert str(_ics_of(promoted).walk("VEVENT")[0]["SUMMARY"]) == TITLE

    # --- The training takes place. ---------------------------------------------------------
    # Certificates are issued only once a training has ended (services.issue_certificates),
    # while registering needs the window open before the start and the cancel link works
    # only until the end. Nothing in the app moves an event to the past, so the test moves
    # it here, with the ORM, after the registrations: the same two days three days ago,
    # sessions included. Check-in comes after the move, so attendance is taken on the
    # event's real days, as it would be at the door.
    shift = first_day - (today - datetime.timedelta(days=3))
    day1, day2 = first_day - shift, second_day - shift
    at = lambda day, h, m: datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=SOFIA)  # noqa: E731
    Event.objects.filter(pk=event.pk).update(
        starts_at=at(day1, 9, 30),
        ends_at=at(day2, 17, 0),
        registration_opens_at=at(today - shift, 0, 0),
        registration_closes_at=at(day1 - datetime.timedelta(days=1), 23, 59),
    )
    for session in Session.objects.filter(event=event):
        session.day -= shift
        session.save(update_fields=["day"])

    # The organiser checks people in from a phone: search by name, a button per person.
    page.set_viewport_size(PHONE_TALL)
    attendance = f"/events/{event.pk}/attendance/"
    browser_page.visit(f"{attendance}?day={day1.isoformat()}")
    assert_no_horizontal_scroll(page, "attendance list at 375 px")
    expect(page.locator("main .attendance-person")).to_have_count(2)
    page.locator("main form.search-form input[name=q]").fill("Стоянова")
    submit(page, "main form.search-form button[type=submit]")
    expect(page.locator("main .attendance-person")).to_have_count(1)
    check_a11y(page, "attendance list, searched")
    submit(page, f"#p-{codes[2]} form button[type=submit]")
    expect(page.locator(f"#p-{codes[2]} input[name=undo]")).to_have_count(1)
    check_a11y(page, "attendance list after a check-in")
    assert_no_horizontal_scroll(page, "attendance list after a check-in")
    for day in (day1, day2):
        browser_page.visit(f"{attendance}?day={day.isoformat()}")
        for code in codes[1:]:
            if page.locator(f"#p-{code} input[name=undo]").count():
                continue  # checked in above
            submit(page, f"#p-{code} form button[type=submit]")
            expect(page.locator(f"#p-{code} input[name=undo]")).to_have_count(1)
    check_a11y(page, "attendance list, everyone present")
    present = set(Attendance.objects.values_list("registration__code", "day"))
    assert present == {(c, d) for c in codes[1:] for d in (day1, day2)}

    # --- Certificates: issued by the organiser, downloaded by a participant. ---------------
    page.set_viewport_size(DESKTOP)
    browser_page.visit(f"/events/{event.pk}/certificates/")
    submit(page, f"main form[action$='/events/{event.pk}/certificates/'] button")
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/certificates/$"))
    check_a11y(page, "certificates issued")
    certificates = {
        c.registration.code: c for c in Certificate.objects.select_related("registration")
    }
    assert set(certificates) == set(codes[1:])
    browser_page.assert_clean_console()

    georgi = people[1]
    p = georgi.visit(f"/events/registrations/{codes[1]}/", "registration with a certificate")
    with p.expect_download() as info:
        p.locator(f"main a[href$='/events/registrations/{codes[1]}/certificate.pdf']").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = " ".join(
        "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(data)).pages).split()
    )
    assert "Георги Иванов" in text
    assert certificates[codes[1]].code in text

    # --- Anyone verifies the code; a wrong one is refused next to the field. ---------------
    code = certificates[codes[1]].code
    p = anonymous.visit("/events/certificates/", "certificate check form")
    p.locator("input[name=code]").fill(code.lower())
    submit(p, "main form button[type=submit]")
    expect(p).to_have_url(re.compile(rf"/events/certificates/{code}/$"))
    expect(p.locator("main .summary-list")).to_contain_text("Георги Иванов")
    expect(p.locator("main .summary-list")).to_contain_text(TITLE)
    check_a11y(p, "certificate verified")
    p = anonymous.visit("/events/certificates/", "certificate check form again")
    p.locator("input[name=code]").fill("ABCD2345WXYZ")
    submit(p, "main form button[type=submit]")
    field = p.locator(".field-error", has=p.locator("input[name=code]"))
    expect(field.locator(".error-message")).to_contain_text(
        _("No certificate has this code. Check that you typed it as it is printed.")
    )
    expect(p.locator("input[name=code]")).to_have_value("ABCD2345WXYZ")
    check_a11y(p, "certificate check, wrong code")
