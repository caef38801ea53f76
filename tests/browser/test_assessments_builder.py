"""The questionnaire builder in a real browser.

An assessment coordinator (a role that signs in with TOTP) makes a questionnaire: its details,
a section, a single-choice question with scored options counted in a dimension, a second
question shown only after one option of the first; previews it as a respondent sees it and
makes it ready for use. The published questionnaire then refuses edits (the 403 page that
offers a new version) and "Make a new version" makes a draft copy. axe on every page, no
console error or CSP violation.

`coordinator_with_totp` is shared with the other assessments browser tests.
"""

from __future__ import annotations

import re

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.support import BrowserPage, check_a11y, sign_in_with_totp, submit

pytestmark = pytest.mark.browser

COORDINATOR_EMAIL = "r.petrova@ngo-centre.example.org"
TITLE = "Капацитет за гражданско участие 2027"
SECTION = "Публичност на решенията"
FIRST = "Публикува ли общината проектите на решения преди заседанията?"
SECOND = "Къде ги публикува?"


def coordinator_with_totp(email: str = COORDINATOR_EMAIL):
    """An assessment coordinator with an authenticator app (the role requires two factors):
    (user, password, TOTP secret). Clears the cache first: the rate limits of earlier tests,
    and the questionnaire structures and results it keys by primary key."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from accounts.enums import Role
    from tests.factories.accounts import PASSWORD, RoleAssignmentFactory, UserFactory

    cache.clear()
    user = UserFactory(email=email, first_name="Радослава", last_name="Петрова")
    RoleAssignmentFactory(user=user, role=Role.ASSESSMENT_COORDINATOR)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, PASSWORD, secret


def test_a_coordinator_builds_previews_publishes_and_versions_a_questionnaire(
    browser_page: BrowserPage, site: str
) -> None:
    from assessments.enums import QuestionnaireState, QuestionType, RespondentType
    from assessments.models import Question, Questionnaire
    from tests.factories.assessments import DimensionFactory

    transparency = DimensionFactory(slug="transparency", name_bg="Прозрачност", position=1)
    DimensionFactory(slug="consultation", name_bg="Консултиране", position=2)
    _user, password, secret = coordinator_with_totp()
    page = browser_page.page
    sign_in_with_totp(page, site, COORDINATOR_EMAIL, password, secret)

    # --- From the assessments' page to a new questionnaire. ----------------------------------
    browser_page.visit("/assessments/")
    page.locator("main a[href$='/assessments/questionnaires/']").first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/assessments/questionnaires/$"))
    check_a11y(page, "the questionnaires")
    expect(page.locator("main")).to_contain_text(_("There are no questionnaires yet."))
    page.locator("main a[href$='/assessments/questionnaires/new/']").click()
    page.wait_for_load_state()
    check_a11y(page, "the new questionnaire's form")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=description]").fill(
        "Въпросник за **общинската администрация**: как се информират гражданите."
    )
    page.locator("select[name=respondent_type]").select_option(RespondentType.ADMINISTRATION)
    submit(page)
    expect(page).to_have_url(re.compile(r"/assessments/questionnaires/\d+/$"))
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.title == TITLE and questionnaire.state == QuestionnaireState.DRAFT
    assert questionnaire.version == 1
    path = f"/assessments/questionnaires/{questionnaire.pk}/"
    check_a11y(page, "the new draft")
    expect(page.get_by_role("status").first).to_contain_text(
        _("The questionnaire is saved as a draft. Add its sections next.")
    )
    expect(page.locator("#problems")).to_contain_text(_("It has no questions yet."))
    expect(page.locator("main .prose strong")).to_have_text("общинската администрация")

    # --- A section. --------------------------------------------------------------------------
    page.locator(f"main a[href$='{path}sections/new/']").click()
    page.wait_for_load_state()
    check_a11y(page, "the new section's form")
    page.locator("input[name=title]").fill(SECTION)
    page.locator("textarea[name=description]").fill("Как общината оповестява решенията си.")
    submit(page)
    section = questionnaire.sections.get()
    expect(page).to_have_url(re.compile(rf"{path}#section-{section.pk}$"))
    expect(page.locator(f"#section-{section.pk}-title")).to_have_text(f"1. {SECTION}")
    expect(page.locator("#problems")).to_contain_text(
        _("The section “%(title)s” has no questions: add some, or delete it.") % {"title": SECTION}
    )
    check_a11y(page, "the draft with its section")

    # --- A single-choice question with scored options, in a dimension. -----------------------
    page.locator(f"#section-{section.pk} a[href$='questions/new/?section={section.pk}']").click()
    page.wait_for_load_state()
    check_a11y(page, "the new question's form")
    form = page.locator("form[data-question-form]")
    scale_ends = form.locator("fieldset[data-types='scale matrix']")
    options = form.locator("fieldset#options")
    form.locator("select[name=type]").select_option(QuestionType.SCALE)
    # The builder's script shows only the groups of fields of the chosen type.
    expect(scale_ends).to_be_visible()
    expect(options).to_be_hidden()
    form.locator("select[name=type]").select_option(QuestionType.SINGLE)
    expect(scale_ends).to_be_hidden()
    expect(options).to_be_visible()
    form.locator("input[name=code]").fill("A1")
    form.locator("textarea[name=text]").fill(FIRST)
    form.locator("textarea[name=help_text]").fill("Например на сайта или на таблото за обяви.")
    form.locator("select[name=dimension]").select_option(str(transparency.pk))
    for n, (label, score) in enumerate((("Да, винаги", 100), ("Понякога", 50), ("Не", 0))):
        form.locator(f"input[name='options-{n}-label']").fill(label)
        form.locator(f"input[name='options-{n}-score']").fill(str(score))
    submit(page, "form[data-question-form] [type=submit]")
    first = Question.objects.get(code="A1")
    expect(page).to_have_url(re.compile(rf"{path}#question-{first.pk}$"))
    assert first.type == QuestionType.SINGLE and first.dimension == transparency
    assert [(o.label, o.score) for o in first.options.all()] == [
        ("Да, винаги", 100),
        ("Понякога", 50),
        ("Не", 0),
    ]
    check_a11y(page, "the draft with its first question")
    shown = page.locator(f"#question-{first.pk}")
    expect(shown.locator("legend")).to_have_text(f"A1. {FIRST}")
    expect(shown).to_contain_text(_("score %(n)s") % {"n": 100})
    expect(shown).to_contain_text(
        _("counts in “%(dimension)s” with weight %(weight)s")
        % {"dimension": "Прозрачност", "weight": "1"}
    )

    # --- A second question, asked only after "Да, винаги". -----------------------------------
    always = first.options.get(label="Да, винаги")
    page.locator(f"#section-{section.pk} a[href$='questions/new/?section={section.pk}']").click()
    page.wait_for_load_state()
    check_a11y(page, "the second question's form, with the conditions to choose from")
    form = page.locator("form[data-question-form]")
    expect(form.locator(f"select[name=show_if] option[value='{always.pk}']")).to_have_text(
        "A1: Да, винаги"
    )
    form.locator("input[name=code]").fill("A2")
    form.locator("textarea[name=text]").fill(SECOND)
    form.locator("select[name=type]").select_option(QuestionType.SHORT_TEXT)
    expect(form.locator("fieldset#options")).to_be_hidden()
    form.locator("select[name=show_if]").select_option(str(always.pk))
    submit(page, "form[data-question-form] [type=submit]")
    second = Question.objects.get(code="A2")
    expect(page).to_have_url(re.compile(rf"{path}#question-{second.pk}$"))
    assert second.show_if == always and second.dimension is None and second.required
    condition = _("Shown only if the answer to %(code)s is “%(answer)s”.") % {
        "code": "A1",
        "answer": "Да, винаги",
    }
    expect(page.locator(f"#question-{second.pk}")).to_contain_text(condition)
    expect(page.locator("#problems summary")).to_have_text(_("Make it ready for use"))
    check_a11y(page, "the draft with both questions")

    # --- The preview: as a respondent sees it, without the scores. ---------------------------
    page.locator("main a[href='?as=respondent']").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"{path}\?as=respondent$"))
    check_a11y(page, "the preview as a respondent")
    expect(page.locator(f"#question-{first.pk} legend")).to_have_text(f"A1. {FIRST}")
    expect(page.locator(f"#question-{first.pk} input[type=radio]")).to_have_count(3)
    expect(page.locator(f"#question-{first.pk} input[type=radio]").first).to_be_disabled()
    expect(page.locator(f"#question-{second.pk}")).to_contain_text(condition)
    expect(page.locator("main")).not_to_contain_text(_("score %(n)s") % {"n": 100})
    expect(page.locator(f"main a[href$='{path}edit/']")).to_have_count(0)

    # --- Ready for use. ----------------------------------------------------------------------
    browser_page.visit(path)
    page.locator("#problems summary").click()
    submit(page, "#problems form [type=submit]")
    expect(page).to_have_url(re.compile(rf"{path}$"))
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.PUBLISHED
    assert questionnaire.published_at is not None
    check_a11y(page, "the questionnaire ready for use")
    expect(page.locator("main h1 + p .tag")).to_have_text(str(QuestionnaireState.PUBLISHED.label))
    # No more edits offered: a new version instead.
    expect(page.locator(f"main a[href$='{path}edit/']")).to_have_count(0)
    expect(page.locator(f"main a[href$='{path}sections/new/']")).to_have_count(0)
    expect(page.locator(f"main form[action$='{path}new-version/']")).to_have_count(1)

    # --- An edit is refused (403) with the offer of a new version. ---------------------------
    response = page.goto(f"{site}{path}edit/")
    assert response is not None and response.status == 403
    # Chromium logs the 403 of the page itself as a failed load: not an error of the page.
    browser_page.errors[:] = [e for e in browser_page.errors if "status of 403" not in e]
    check_a11y(page, "the refused edit")
    expect(page.locator("main h1")).to_have_text(_("This questionnaire is no longer changed"))
    submit(page, f"main form[action$='{path}new-version/'] [type=submit]")
    expect(page).to_have_url(re.compile(r"/assessments/questionnaires/\d+/$"))
    draft = Questionnaire.objects.get(family=questionnaire.family, version=2)
    assert page.url.endswith(f"/assessments/questionnaires/{draft.pk}/")
    assert draft.state == QuestionnaireState.DRAFT and draft.based_on == questionnaire
    check_a11y(page, "the new version")
    expect(page.get_by_role("status").first).to_contain_text(
        _(
            "Version %(version)s is made as a draft, a copy of version %(source)s. Change it, "
            "then make it ready for use."
        )
        % {"version": 2, "source": 1}
    )
    # A copy: the same questions, the condition pointing at the copy's own option.
    copied = {q.code: q for q in draft.questions.select_related("show_if")}
    assert set(copied) == {"A1", "A2"}
    assert copied["A2"].show_if is not None
    assert copied["A2"].show_if.question_id == copied["A1"].pk
    assert copied["A2"].show_if.label == "Да, винаги"
    # The draft is editable again; the versions link to each other.
    expect(page.locator(f"main a[href$='/questionnaires/{draft.pk}/edit/']")).to_have_count(1)
    panel = page.locator("main .panel")
    expect(panel.locator(f"a[href$='{path}']")).to_have_text(_("Version %(n)s") % {"n": 1})
    expect(panel.locator("[aria-current=page]")).to_have_text(_("Version %(n)s") % {"n": 2})
    # The published version is unchanged.
    assert questionnaire.questions.count() == 2
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.PUBLISHED

    browser_page.assert_clean_console()
