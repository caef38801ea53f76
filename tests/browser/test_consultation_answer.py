"""An official answers a closed consultation in a real browser (with 2FA): groups the
proposals, answers each group, publishes the report, downloads the PDF and the .docx; the
commenter's e-mail links to the report and to the row answering their proposal."""

from __future__ import annotations

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

EMAIL = "official.answers@plovdiv.example.org"
COMMENTER = "commenter.answers@example.org"
CAMPAIGN = "Настояваме забраната за шум да важи от 22:00 до 08:00 часа във всички дни."


def _closed_consultation_and_official() -> tuple[int, str, str]:
    """A closed consultation of Plovdiv with five comments (three of one campaign, one with a
    typo of the campaign's text in capitals, one of an organisation) and its official with
    an authenticator app: (consultation id, password, TOTP secret)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from consultations.enums import State
    from consultations.models import Article
    from tests.factories.accounts import PASSWORD, UserFactory
    from tests.factories.consultations import CommentFactory, ConsultationFactory
    from tests.factories.directory import staff_of
    from tests.factories.organisations import OrganisationFactory

    cache.clear()
    consultation = ConsultationFactory(state=State.CLOSED, title="Наредба за обществения ред")
    art3 = Article.objects.get(version__consultation=consultation, anchor="chl-3")
    art4 = Article.objects.get(version__consultation=consultation, anchor="chl-4")
    commenter = UserFactory(email=COMMENTER, first_name="Мария", last_name="Иванова")
    CommentFactory(consultation=consultation, article=art3, author=commenter,
                   display_name="Мария Иванова", text=CAMPAIGN)  # fmt: skip
    CommentFactory(consultation=consultation, article=art3, display_name="И. П.", text=CAMPAIGN)
    CommentFactory(consultation=consultation, article=art3, display_name="Г. Г.",
                   text=CAMPAIGN.upper())  # fmt: skip
    CommentFactory(consultation=consultation, article=art4,
                   organisation=OrganisationFactory(name="Сдружение „Тишина“"),
                   display_name="Петър Петров",
                   text="Контролът да се възложи на общинската полиция.")  # fmt: skip
    user = UserFactory(email=EMAIL, first_name="Мария", last_name="Георгиева")
    staff_of(consultation.institution, user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return consultation.pk, PASSWORD, secret


def test_official_answers_publishes_and_the_commenter_is_told(
    browser_page: BrowserPage, mailbox, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path
    pk, password, secret = _closed_consultation_and_official()
    page = browser_page.page
    sign_in_with_totp(page, browser_page.base_url, EMAIL, password, secret)

    answers = f"/consultations/{pk}/answers/"
    browser_page.visit(answers)
    submit(page, "main form[action$='/answers/group/'] [type=submit]")
    expect(page.locator("main section.answer-group")).to_have_count(2)
    check_a11y(page, "answers, grouped")
    expect(page.locator("main section.answer-group").first).to_contain_text("3")

    # Reasons are required for "not accepted": refused next to the field, what was typed stays.
    group = page.locator("main section.answer-group").first
    group.locator("input[value=not_accepted]").check()
    group.locator("textarea[name$=summary]").fill("Забрана на шума от 22:00 ч.")
    group.locator("[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main .field-error .error-message")).to_be_visible()
    expect(page.locator("textarea[name$=summary]")).to_have_value("Забрана на шума от 22:00 ч.")
    check_a11y(page, "group with errors")
    page.locator("textarea[name$=reasons]").fill("Законът за защита от шума вече урежда това.")
    submit(page)  # the answer form comes first on the group's page

    # The other group: accepted, from the list.
    expect(page.locator("main section.answer-group")).to_have_count(1)
    last = page.locator("main section.answer-group").first
    last.locator("input[value=accepted]").check()
    last.locator("[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main section.answer-group")).to_have_count(0)

    submit(page, "main form[action$='/answers/publish/'] [type=submit]")
    expect(page).to_have_url(re.compile(rf"/consultations/{pk}/report/$"))
    check_a11y(page, "report")
    main = page.locator("main")
    expect(main).to_contain_text("Мария Иванова")
    expect(main).to_contain_text("Сдружение „Тишина“")
    expect(main).to_contain_text("Законът за защита от шума вече урежда това.")
    expect(main.locator("svg[role=img]").first).to_be_visible()
    assert "@" not in main.inner_text()

    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        page.locator(f"main a[href$='/report/{fmt}/']").click()
        page.wait_for_load_state()
        check_a11y(page, f"{fmt} status")
        submit(page)  # made at once by the test's task backend
        with page.expect_download() as info:
            page.locator("main a[download]").click()
        path = tmp_path / f"report.{fmt}"
        info.value.save_as(path)
        assert path.read_bytes()[:4].startswith(magic)
        assert info.value.suggested_filename == f"spravka-{pk}.{fmt}"
        browser_page.visit(f"/consultations/{pk}/report/")

    # The commenter's e-mail: one, with the report's link and the anchor of their row.
    messages = mailbox.to(COMMENTER)
    assert len(messages) == 1
    body = mailbox.body(messages[0])
    link = re.search(r"https?://\S+#c-\d+", body)
    assert link, body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    # As the commenter opens it: signed out (a fragment-only move would not load the page).
    page.context.clear_cookies()
    page.goto("about:blank")
    browser_page.visit(path)
    anchor = path.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_contain_text("Мария Иванова")

    page.set_viewport_size(PHONE)
    browser_page.visit(f"/consultations/{pk}/report/")
    assert_no_horizontal_scroll(page, "report at 375 px")
    browser_page.assert_clean_console()
