"""Taking part in a consultation in a real browser: a citizen proposes a new wording of Чл. 3,
a representative comments for their organisation, replies and supports the proposal, and a
moderator hides one comment with a public reason. axe on every page; 375 px without horizontal
scrolling; comments full of XSS payloads open no dialog; and the whole flow of commenting and
replying works with JavaScript switched off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.enums import Role
from consultations import comments as workflows
from consultations.models import Comment, Consultation
from tests.browser.support import DESKTOP, PHONE, assert_no_horizontal_scroll, check_a11y, sign_in
from tests.consultations.test_comments import XSS_PAYLOADS
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import ConsultationFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.browser


class Person:
    """A browser context of its own for one person, with the dialogs it saw."""

    def __init__(self, browser: Browser, base_url: str, *, javascript: bool = True) -> None:
        self.context: BrowserContext = browser.new_context(
            viewport=DESKTOP, locale="bg-BG", java_script_enabled=javascript
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.javascript = javascript
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str, label: str = "") -> Page:
        """Open a page; check it with axe (which runs as JavaScript in the page, so only when
        the context has JavaScript: the same pages are checked in the other tests)."""
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, path
        if self.javascript:
            check_a11y(self.page, label or path)
        return self.page

    def submit(self, form_selector: str = "form.comment-form") -> None:
        self.page.locator(form_selector).locator("button[type=submit]").click()
        self.page.wait_for_load_state()


@pytest.fixture
def cast(site: str):
    consultation = ConsultationFactory(title="Проект на Наредба за обществения ред в Пловдив")
    citizen = UserFactory(first_name="Иван", last_name="Петров")
    rep = UserFactory(first_name="Стоян", last_name="Колев")
    organisation = OrganisationFactory(name="Сдружение „Тих Пловдив“")
    representative_of(organisation, rep)
    moderator = RoleAssignmentFactory(role=Role.MODERATOR, user__first_name="Мила").user
    return {
        "consultation": consultation,
        "citizen": citizen,
        "rep": rep,
        "organisation": organisation,
        "moderator": moderator,
    }


@pytest.fixture
def people(chromium: Browser, site: str) -> Iterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        assert not person.errors, person.errors
        person.context.close()


def test_comment_propose_reply_support_and_moderate(chromium, site, cast, people):
    c: Consultation = cast["consultation"]
    base = site

    # A citizen reads the draft and proposes a new wording of Чл. 3.
    citizen = Person(chromium, base)
    people.append(citizen)
    sign_in(citizen.page, base, cast["citizen"].email)
    page = citizen.visit(c.get_absolute_url(), "consultation")
    expect(page.locator("h1")).to_have_text(c.title)
    page.locator("#chl-3").get_by_role("link").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/consultations/{c.pk}/units/chl-3/$"))
    check_a11y(page, "unit Чл. 3")
    page.locator("#id_text").fill("Тишината след 22:00 е по-разумна за жилищните квартали.")
    page.locator("#id_is_proposal").check()
    page.locator("#id_proposed_wording").fill("Чл. 3. Забранява се шумът от 22:00 до 07:00 часа.")
    citizen.submit()
    expect(page).to_have_url(re.compile(rf"/consultations/{c.pk}/comments/\d+/$"))
    check_a11y(page, "the citizen's comment")
    proposal = Comment.objects.get(article__anchor="chl-3", author=cast["citizen"])
    assert proposal.is_proposal and proposal.display_name == "Иван Петров"
    expect(page.locator(f"#comment-{proposal.pk}")).to_contain_text("22:00 до 07:00")
    expect(page.get_by_role("link", name=_("Edit"), exact=True)).to_be_visible()

    # A representative comments for the organisation, replies and supports the proposal.
    rep = Person(chromium, base)
    people.append(rep)
    sign_in(rep.page, base, cast["rep"].email)
    page = rep.visit(f"/consultations/{c.pk}/units/chl-3/", "unit for the representative")
    page.locator("#id_voice").select_option(f"org:{cast['organisation'].pk}")
    page.locator("#id_text").fill("Сдружението подкрепя по-ранния час.")
    rep.submit()
    org_comment = Comment.objects.get(organisation=cast["organisation"])
    assert org_comment.display_name == "Сдружение „Тих Пловдив“"
    page = rep.visit(f"/consultations/{c.pk}/comments/{proposal.pk}/", "thread")
    page.locator("#id_text").fill("Съгласни сме с предложението.")
    rep.submit()
    assert Comment.objects.filter(parent=proposal).count() == 1
    page = rep.visit(f"/consultations/{c.pk}/comments/{proposal.pk}/", "thread with a reply")
    expect(page.locator(".comment-thread")).to_contain_text("Съгласни сме с предложението.")
    page.locator(f"#comment-{proposal.pk} form.inline-form button").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.supports_count == 1
    check_a11y(page, "after supporting")

    # The citizen reports the organisation's comment; a moderator hides it with a reason.
    page = citizen.visit(f"/consultations/{c.pk}/comments/{org_comment.pk}/report/", "report")
    page.locator("#id_reason").fill("Рекламно съдържание.")
    citizen.submit("main form[method=post]")
    moderator = Person(chromium, base)
    people.append(moderator)
    sign_in(moderator.page, base, cast["moderator"].email)
    page = moderator.visit("/consultations/moderation/", "moderation queue")
    expect(page.locator("main")).to_contain_text("Рекламно съдържание.")
    page.locator("main").get_by_role("link", name=re.compile("Сдружение")).first.click()
    page.wait_for_load_state()
    check_a11y(page, "comment for the moderator")
    page.locator("#moderation input[value=hide]").check()
    page.locator("#id_reason").fill("Реклама")
    page.locator("#moderation button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#moderation")).to_contain_text("Реклама")
    org_comment.refresh_from_db()
    assert org_comment.is_hidden

    page = citizen.visit(f"/consultations/{c.pk}/units/chl-3/", "unit with a hidden comment")
    hidden = page.locator(f"#comment-{org_comment.pk}")
    expect(hidden).to_contain_text("Реклама")
    expect(hidden).not_to_contain_text("Сдружението подкрепя по-ранния час.")

    # Phones: no horizontal scrolling on the pages of taking part.
    citizen.page.set_viewport_size(PHONE)
    for path in (
        c.get_absolute_url(),
        f"/consultations/{c.pk}/units/chl-3/",
        f"/consultations/{c.pk}/comments/{proposal.pk}/",
        "/consultations/",
    ):
        citizen.visit(path)
        assert_no_horizontal_scroll(citizen.page, path)
    assert not citizen.dialogs and not rep.dialogs and not moderator.dialogs


def test_xss_comments_open_no_dialog(chromium, site, cast, people):
    c: Consultation = cast["consultation"]
    art = c.current_version.articles.get(anchor="chl-3")
    for i, payload in enumerate(XSS_PAYLOADS):
        workflows.add_comment(
            c, UserFactory(), text=payload, article=art if i % 2 else None, is_proposal=True,
            proposed_wording=payload,
        )  # fmt: skip
    reader = Person(chromium, site)
    people.append(reader)
    for path in (
        c.get_absolute_url(),
        f"{c.get_absolute_url()}?page=2",
        f"/consultations/{c.pk}/units/chl-3/",
    ):
        reader.page.goto(site + path)
        reader.page.wait_for_load_state("load")
        reader.page.wait_for_timeout(300)  # time for any onload or autofocus handler to fire
    assert reader.dialogs == []


def test_without_javascript_commenting_and_replying_work(chromium, site, cast, people):
    c: Consultation = cast["consultation"]
    citizen = Person(chromium, site, javascript=False)
    people.append(citizen)
    sign_in(citizen.page, site, cast["citizen"].email)
    page = citizen.visit(c.get_absolute_url(), "consultation without JavaScript")
    # A bad submission first: the message is next to the field.
    citizen.submit()
    expect(page.locator("#id_text_error")).to_be_visible()
    page.locator("#id_text").fill("Проектът е добър като цяло.")
    page.locator("#id_shown_as_1").check()
    citizen.submit()
    expect(page).to_have_url(re.compile(rf"/consultations/{c.pk}/comments/\d+/$"))
    made = Comment.objects.get(author=cast["citizen"])
    assert made.display_name == "И. П." and made.article is None
    page.locator("#id_text").fill("И още нещо по темата.")
    citizen.submit()
    assert Comment.objects.filter(parent=made).count() == 1
    # Editing within the window, still without JavaScript.
    citizen.visit(f"/consultations/{c.pk}/comments/{made.pk}/edit/", "edit")
    page.locator("#id_text").fill("Проектът е добър като цяло, с малки забележки.")
    citizen.submit("main form[method=post]")
    made.refresh_from_db()
    assert made.text == "Проектът е добър като цяло, с малки забележки."
