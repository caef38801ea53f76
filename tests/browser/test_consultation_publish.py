"""An official of Община Пловдив publishes an ordinance consultation in a real browser (with
2FA): the package, a .docx draft read into its structure, a 20-day period refused until a
reason is given, publication; axe on each page, and the forms at 375 px."""

from __future__ import annotations

import datetime
import io
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

EMAIL = "i.dimitrova@plovdiv.example.org"
TITLE = "Проект на Наредба за изменение на Наредбата за обществения ред"


def _staff_with_totp() -> tuple[int, str, str]:
    """Staff of Община Пловдив with an authenticator app: (institution id, password, secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.directory import generated, staff_of

    cache.clear()  # rate-limit counters of earlier tests
    institution = generated("ma:PDV22")
    user = UserFactory(email=EMAIL, first_name="Ивана", last_name="Димитрова")
    staff_of(institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return institution.pk, PASSWORD, secret


def _draft_docx(path: Path) -> Path:
    """An ordinance as a drafter writes it in Word: headings in Heading styles, articles."""
    import docx

    document = docx.Document()
    document.add_paragraph("НАРЕДБА за изменение на Наредбата за обществения ред")
    document.add_heading("Глава първа", level=1)
    document.add_paragraph("Общи разпоредби")
    document.add_paragraph("Чл. 1. (1) Наредбата урежда обществения ред в община Пловдив.")
    document.add_paragraph("(2) Тя се прилага на цялата територия на общината.")
    document.add_paragraph("Чл. 2. Кметът организира изпълнението.")
    document.add_heading("Глава втора", level=1)
    document.add_paragraph("Тишина")
    document.add_paragraph("Чл. 3. Забранява се шумът от 22:00 до 08:00 часа.")
    buffer = io.BytesIO()
    document.save(buffer)
    target = path / "Проект на наредба.docx"
    target.write_bytes(buffer.getvalue())
    return target


def test_an_official_publishes_an_ordinance_consultation(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    from consultations.enums import State
    from consultations.models import Consultation
    from core.legal_calendar import SOFIA

    institution_pk, password, secret = _staff_with_totp()
    page = browser_page.page
    sign_in_with_totp(page, browser_page.base_url, EMAIL, password, secret)

    # The dashboard: no consultations yet, a way to start one.
    browser_page.visit("/consultations/manage/")
    page.locator(f"main a[href$='/consultations/new/?institution={institution_pk}']").click()
    expect(page).to_have_url(re.compile(r"/consultations/new/"))
    check_a11y(page, "new consultation form")

    # The package, with a 20-day period and no reason: refused next to the reason.
    today = datetime.datetime.now(SOFIA).date()
    opens = today + datetime.timedelta(days=1)
    last = opens + datetime.timedelta(days=20)
    page.locator("select[name=kind]").select_option("ordinance")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=summary]").fill("Промени в часовете за **тишина**.")
    page.locator("input[name=opens_at]").fill(f"{opens.isoformat()}T09:00")
    page.locator("input[name=closes_on]").fill(last.isoformat())
    page.locator("textarea[name=motives]").fill("Причини: честите оплаквания от шум през нощта.")
    page.locator("input[name=contact_name]").fill("Ивана Димитрова")
    page.locator("input[name=contact_email]").fill(EMAIL)
    submit(page)
    summary = page.locator("main .error-summary")
    expect(summary).to_be_visible()
    reason_field = page.locator(
        ".field-error", has=page.locator("textarea[name=short_period_reason]")
    )
    expect(reason_field.locator(".error-message")).to_contain_text("ЗНА чл. 26, ал. 4")
    expect(page.locator("input[name=title]")).to_have_value(TITLE)  # what was typed is kept
    check_a11y(page, "form with the period refused")
    assert not Consultation.objects.filter(title=TITLE).exists()

    page.locator("textarea[name=short_period_reason]").fill(
        "Спешно привеждане в съответствие с изменението на Закона за защита от шума."
    )
    submit(page)
    expect(page).to_have_url(re.compile(r"/consultations/\d+/draft/$"))
    consultation = Consultation.objects.get(title=TITLE)
    assert consultation.state == State.DRAFT
    check_a11y(page, "draft text page")

    # The draft as a .docx: saved as version 1, its structure shown with the labels.
    page.locator("input[name=file]").set_input_files(str(_draft_docx(tmp_path)))
    submit(page, "main form button[name=save]")
    expect(page).to_have_url(re.compile(r"/consultations/\d+/draft/$"))
    toc = page.locator("main .draft-toc").first
    expect(toc).to_contain_text("Глава първа")
    expect(toc).to_contain_text("Чл. 1")
    expect(toc).to_contain_text("Чл. 3")
    check_a11y(page, "draft text with its structure")

    # On a phone the forms fit the screen.
    page.set_viewport_size(PHONE)
    for path in (
        f"/consultations/{consultation.pk}/edit/",
        f"/consultations/{consultation.pk}/draft/",
    ):
        browser_page.visit(path)
        assert_no_horizontal_scroll(page, f"{path} at 375 px")
    shots = Path(os.environ.get("EREGION_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "consultation-edit-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Publish now from the consultation's staff page.
    browser_page.visit(f"/consultations/{consultation.pk}/manage/")
    submit(page, f"main form[action$='/consultations/{consultation.pk}/state/publish/'] button")
    expect(page).to_have_url(re.compile(rf"/consultations/{consultation.pk}/manage/$"))
    expect(page.get_by_role("status")).to_be_visible()
    check_a11y(page, "published consultation, staff page")
    consultation.refresh_from_db()
    assert consultation.state == State.OPEN
    assert consultation.state_changes.get().to_state == State.OPEN
    # The dashboard lists it as open with its last day.
    browser_page.visit("/consultations/manage/")
    expect(page.locator("main")).to_contain_text(last.strftime("%d.%m.%Y"))
    assert_no_horizontal_scroll(page, "dashboard")
    browser_page.assert_clean_console()


def test_the_difference_view_is_accessible(browser_page: BrowserPage) -> None:
    """The public versions page: insertions and deletions readable by axe's rules and on a
    phone."""
    from consultations import drafts
    from consultations.enums import State, VersionKind
    from consultations.versions import save_version
    from tests.factories.consultations import ORDINANCE, ConsultationFactory

    c = ConsultationFactory(state=State.ADOPTED)
    adopted = ORDINANCE.replace("от 23:00 до 07:00 часа", "от 22:00 до 08:00 часа")
    save_version(c, drafts.parse_text(adopted), kind=VersionKind.ADOPTED)
    page = browser_page.visit(f"/consultations/{c.pk}/versions/")
    expect(page.locator("main ins").first).to_contain_text("22:00")
    expect(page.locator("main del").first).to_contain_text("23:00")
    page.set_viewport_size(PHONE)
    browser_page.visit(f"/consultations/{c.pk}/versions/")
    assert_no_horizontal_scroll(page, "versions at 375 px")
    browser_page.assert_clean_console()
