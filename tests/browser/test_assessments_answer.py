"""Answering a capacity assessment on a phone, in a real browser.

A respondent opens the invitation's link (no account, no sign-in) on a 375 px phone and answers
the first section: the question asked only after "Да" (same section) is hidden by the script
until "Да" is chosen. They save and close the browser; on another device (a new browser
context, 320 px) the same link shows the saved answers; they go on to the second section and to
the review, which lists the required question still unanswered with a link to it; they answer
it and submit; the thank-you page follows and the database holds the submitted response with
its scores. A second test answers without JavaScript: the conditional question shows with its
written condition, and the form still saves (the server ignores the conditional answer when
its condition is not met). axe, console and CSP on every page (axe in a browser with scripts:
it cannot run without them).
"""

from __future__ import annotations

import re

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.support import (
    PHONE,
    SMALL_PHONE,
    assert_no_horizontal_scroll,
    check_a11y,
    submit,
)
from tests.browser.test_monitoring_requests import (
    People,
    people_fixture,  # noqa: F401 - the "people" fixture
)

pytestmark = pytest.mark.browser


def _setup():
    """The helpers' questionnaire (A1 yes / no, A2 scale, A3 after "Да" to A1; B1 matrix,
    B2 optional text) in an open campaign, and one invitation to Plovdiv's administration."""
    from django.core.cache import cache

    from tests.assessments.helpers import invitation, make_campaign, make_form

    cache.clear()  # structures are cached by primary key, which the live server's DB reuses
    form = make_form()
    campaign = make_campaign(form, minimum=2)
    return form, campaign, invitation(campaign, "PDV22")


def _radio(question_pk: int, value: int) -> str:
    return f"input[name='q{question_pk}'][value='{value}']"


SAVED = "Saved. You can close this page and continue later from the same link."


def test_a_respondent_answers_on_a_phone_saves_continues_elsewhere_and_submits(
    people: People,
) -> None:
    from assessments.enums import ResponseState
    from assessments.models import Invitation, Response
    from assessments.services import today

    form, _campaign, invited = _setup()
    link = invited.get_answer_url()
    yes, no = form.option(form.publishes, 0), form.option(form.publishes, 1)
    on_site = form.option(form.follow, 0)
    rows = [o.pk for o in form.matrix.options.order_by("position", "pk")]

    # --- On the phone: section 1, the conditional question appears after "Да". -------------
    phone = people.open(PHONE)
    page = phone.visit(link)
    expect(page.locator("main h1")).to_have_text(form.questionnaire.title)
    expect(page.locator("main [aria-current=step]")).to_have_text("Информиране")
    expect(page.locator("main .anonymity-note")).to_be_visible()
    follow = page.locator(f"#question-{form.follow.pk}")
    expect(follow).to_be_hidden()
    page.locator(_radio(form.publishes.pk, no)).check()
    expect(follow).to_be_hidden()
    page.locator(_radio(form.publishes.pk, yes)).check()
    expect(follow).to_be_visible()
    check_a11y(page, "section 1 with the conditional question shown")
    page.locator(_radio(form.follow.pk, on_site)).check()
    # A2 (the scale, required) is left for later.
    submit(page, "main form.answer-form button[name=go][value=stay]")
    expect(page).to_have_url(re.compile(r"\?section=1&saved=1$"))
    expect(page.get_by_role("status").filter(has_text=_(SAVED))).to_be_visible()
    check_a11y(page, "section 1 saved")
    response = Response.objects.get(invitation=invited)
    assert response.state == ResponseState.DRAFT
    assert response.answers == {str(form.publishes.pk): yes, str(form.follow.pk): on_site}
    phone.assert_clean_console()
    phone.page.context.close()

    # --- Another device, a smaller phone: the same link, the saved answers. -----------------
    other = people.open(SMALL_PHONE)
    page = other.visit(link)
    assert_no_horizontal_scroll(page, "section 1 at 320 px")
    expect(page.locator(_radio(form.publishes.pk, yes))).to_be_checked()
    expect(page.locator(f"#question-{form.follow.pk}")).to_be_visible()
    expect(page.locator(_radio(form.follow.pk, on_site))).to_be_checked()
    expect(page.locator(f"input[name='q{form.scale.pk}']:checked")).to_have_count(0)
    submit(page, "main form.answer-form button[name=go][value=next]")
    expect(page).to_have_url(re.compile(r"\?section=2$"))
    check_a11y(page, "section 2 at 320 px")
    assert_no_horizontal_scroll(page, "section 2 (the matrix) at 320 px")
    expect(page.locator("main [aria-current=step]")).to_have_text("Консултации")
    page.locator(f"input[name='q{form.matrix.pk}_r{rows[0]}'][value='5']").check()
    page.locator(f"input[name='q{form.matrix.pk}_r{rows[1]}'][value='3']").check()
    page.locator(f"textarea[name='q{form.comment.pk}']").fill("Повече срещи с гражданите.")
    submit(page, "main form.answer-form button[name=go][value=next]")

    # --- The review: the required scale is missing, linked to its question. ----------------
    expect(page).to_have_url(re.compile(r"\?section=review$"))
    check_a11y(page, "the review with a missing answer")
    assert_no_horizontal_scroll(page, "the review at 320 px")
    expect(page.locator("main h1")).to_have_text(_("Check and submit"))
    missing = page.locator("main .error-summary")
    expect(missing.locator("h2")).to_have_text(_("Required questions without an answer"))
    expect(missing.locator("li")).to_have_count(1)
    to_scale = missing.locator(f"a[href$='?section=1#question-{form.scale.pk}']")
    expect(to_scale).to_have_text(f"A2. {form.scale.text}")
    expect(page.locator("main form button[type=submit]")).to_have_count(0)
    to_scale.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"\?section=1#question-{form.scale.pk}$"))
    page.locator(_radio(form.scale.pk, 4)).check()
    submit(page, "main form.answer-form button[name=go][value=next]")
    expect(page).to_have_url(re.compile(r"\?section=2$"))
    # The step list leads to the review.
    page.locator("main nav.section-steps a[href$='?section=review']").click()
    page.wait_for_load_state()
    check_a11y(page, "the review, complete")
    expect(page.locator("main .error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(
        _("You have answered %(answered)s of %(total)s questions.") % {"answered": 5, "total": 5}
    )
    submit(page, "main form[action$='?section=review'] [type=submit]")

    # --- Thank you; the response is submitted with its scores. ------------------------------
    expect(page.locator("main h1")).to_have_text(_("Thank you: your answers are submitted"))
    check_a11y(page, "the thank-you page")
    assert_no_horizontal_scroll(page, "the thank-you page at 320 px")
    response.refresh_from_db()
    assert response.state == ResponseState.SUBMITTED
    assert response.submitted_on == today()
    assert response.answers == {
        str(form.publishes.pk): yes,
        str(form.scale.pk): 4,
        str(form.follow.pk): on_site,
        str(form.matrix.pk): {str(rows[0]): 5, str(rows[1]): 3},
        str(form.comment.pk): "Повече срещи с гражданите.",
    }
    # Transparency: Да 100, scale 4 → 75, "На сайта" 100; consultation: rows 5 and 3 → 75.
    assert response.scores == {"transparency": 91.67, "consultation": 75.0, "overall": 83.33}
    assert Invitation.objects.get(pk=invited.pk).submitted_at is not None
    # The link now only thanks.
    page = other.visit(link)
    expect(page.locator("main h1")).to_have_text(_("Thank you: your answers are submitted"))
    expect(page.locator("main form")).to_have_count(0)
    people.assert_clean()


def test_without_javascript_the_condition_is_written_and_the_form_still_saves(
    people: People,
) -> None:
    from assessments.models import Response

    form, _campaign, invited = _setup()
    link = invited.get_answer_url()
    yes, no = form.option(form.publishes, 0), form.option(form.publishes, 1)
    on_site = form.option(form.follow, 0)

    # axe cannot run where scripts are off (its timers never fire): the pages are checked in
    # a browser with JavaScript as well (the same markup; the first test checks them all).
    respondent = people.open(PHONE, javascript=False)
    checker = people.open(PHONE)
    page = respondent.goto(link)
    assert_no_horizontal_scroll(page, "section 1 without JavaScript")
    follow = page.locator(f"#question-{form.follow.pk}")
    expect(follow).to_be_visible()
    expect(follow.locator(".condition")).to_have_text(
        _("Answer only if you chose „%(option)s“ in question %(code)s.")
        % {"option": "Да", "code": "A1"}
    )
    page.locator(_radio(form.publishes.pk, yes)).check()
    page.locator(_radio(form.scale.pk, 2)).check()
    page.locator(_radio(form.follow.pk, on_site)).check()
    submit(page, "main form.answer-form button[name=go][value=stay]")
    expect(page).to_have_url(re.compile(r"\?section=1&saved=1$"))
    expect(page.get_by_role("status").filter(has_text=_(SAVED))).to_be_visible()
    checker.visit(f"{link}?section=1&saved=1")
    response = Response.objects.get(invitation=invited)
    assert response.answers == {
        str(form.publishes.pk): yes,
        str(form.scale.pk): 2,
        str(form.follow.pk): on_site,
    }
    expect(page.locator(_radio(form.follow.pk, on_site))).to_be_checked()

    # "Не" to A1: the answer to A3 no longer applies and is not kept, though it was sent.
    page.locator(_radio(form.publishes.pk, no)).check()
    expect(page.locator(_radio(form.follow.pk, on_site))).to_be_checked()
    submit(page, "main form.answer-form button[name=go][value=next]")
    expect(page).to_have_url(re.compile(r"\?section=2$"))
    assert_no_horizontal_scroll(page, "section 2 without JavaScript")
    response.refresh_from_db()
    assert response.answers == {str(form.publishes.pk): no, str(form.scale.pk): 2}
    people.assert_clean()
