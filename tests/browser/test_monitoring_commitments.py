"""Commitments and monitoring reports in a real browser: the official of Община Пловдив (with
TOTP) records a commitment from a council decision and reports progress with evidence; an
organisation's representative comments and rates it; the official answers; the
representative writes a monitoring report that assesses it and publishes it; the commitment's
page shows the timeline, the rating, the conversation and links to the report, which links
back. axe, console and CSP on every page; the commitment's page at 375 px.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

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
    pdf_file,
    people_fixture,  # noqa: F401 - the "people" fixture
    staff_with_totp,
)

pytestmark = pytest.mark.browser

MONITOR_EMAIL = "d.angelova@ngo.example.org"
TITLE = "Ремонт на детската площадка в парк „Лаута“"
SOURCE = "Решение № 245, взето с Протокол № 12 от 24.07.2026 г. на Общински съвет – Пловдив"
REPORT_TITLE = "Изпълнява ли Община Пловдив обещанията за детските площадки?"


def test_a_commitment_is_recorded_updated_rated_and_assessed_in_a_report(
    browser_page: BrowserPage, people: People, site: str, tmp_path: Path
) -> None:
    from monitoring.enums import CommitmentSource, CommitmentStatus, CommitmentUpdateKind
    from monitoring.models import Commitment, MonitoringReport
    from monitoring.services.common import today
    from tests.factories.accounts import UserFactory
    from tests.factories.organisations import OrganisationFactory, representative_of

    institution_pk, password, secret = staff_with_totp()
    monitor = UserFactory(email=MONITOR_EMAIL, first_name="Десислава", last_name="Ангелова")
    organisation = OrganisationFactory(name="Сдружение „Пловдив наблюдава“")
    representative_of(organisation, monitor)
    now = today()
    source_date = datetime.date(2026, 7, 24)
    deadline = now + datetime.timedelta(days=150)

    # --- The official records the commitment. ----------------------------------------------
    official = browser_page
    staff = official.page
    sign_in_with_totp(staff, site, STAFF_EMAIL, password, secret)
    official.visit("/monitoring/commitments/new/")
    staff.locator(
        f"main a[href$='/monitoring/commitments/new/?institution={institution_pk}']"
    ).click()
    staff.wait_for_load_state()
    check_a11y(staff, "the commitment form")
    staff.locator("input[name=title]").fill(TITLE)
    staff.locator("textarea[name=description]").fill(
        "Подмяна на **съоръженията** и настилката, ограда и осветление."
    )
    staff.locator("select[name=source_kind]").select_option(CommitmentSource.COUNCIL_DECISION)
    staff.locator("input[name=source_reference]").fill(SOURCE)
    staff.locator("input[name=source_date]").fill(source_date.isoformat())
    staff.locator("input[name=source_url]").fill("https://obs.plovdiv.bg/resheniya/245-2026")
    staff.locator("input[name=deadline]").fill(deadline.isoformat())
    staff.locator("textarea[name=indicator]").fill("Площадката е приета с протокол и отворена.")
    submit(staff)
    expect(staff).to_have_url(re.compile(r"/monitoring/commitments/\d+/$"))
    commitment = Commitment.objects.get(title=TITLE)
    assert commitment.institution_id == institution_pk and commitment.monitor is None
    assert commitment.source_kind == CommitmentSource.COUNCIL_DECISION
    assert commitment.deadline == deadline and commitment.source_date == source_date
    page_path = f"/monitoring/commitments/{commitment.pk}/"
    check_a11y(staff, "the new commitment, official's view")

    # --- Progress with evidence, on the same page. ------------------------------------------
    progress = staff.locator("#progress form")
    progress.locator(f"input[name=status][value={CommitmentStatus.IN_PROGRESS}]").check()
    progress.locator("input[name=progress]").fill("40")
    progress.locator("textarea[name=text]").fill("Демонтирани са старите съоръжения.")
    progress.locator("input[name=evidence_url]").fill("https://www.plovdiv.bg/lauta-snimki")
    progress.locator("input[name=evidence_file]").set_input_files(
        str(pdf_file(tmp_path, "Констативен протокол.pdf"))
    )
    progress.locator("input[name=evidence_title]").fill("Констативен протокол от 01.12.2026 г.")
    progress.locator("[type=submit]").click()
    staff.wait_for_load_state()
    expect(staff).to_have_url(re.compile(rf"{page_path}$"))
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_PROGRESS and commitment.progress == 40
    check_a11y(staff, "the commitment after the progress update")

    # --- The organisation's representative comments and rates. ------------------------------
    representative = people.open()
    rep = representative.page
    sign_in(rep, site, MONITOR_EMAIL)
    representative.visit(page_path)
    expect(rep.locator("#progress")).to_have_count(0)  # not theirs to update
    comment = rep.locator(f"form[action$='{page_path}comment/']")
    comment.locator("textarea[name='comment-text']").fill(
        "Проверихме на място: работите вървят, но **оградата** още липсва."
    )
    comment.locator("[type=submit]").click()
    rep.wait_for_load_state()
    expect(rep).to_have_url(re.compile(rf"{page_path}#conversation$"))
    rating = rep.locator(f"form[action$='{page_path}rate/']")
    rating.locator("input[name='rating-rating'][value='4']").check()
    rating.locator("[type=submit]").click()
    rep.wait_for_load_state()
    expect(rep).to_have_url(re.compile(rf"{page_path}#ratings$"))
    check_a11y(rep, "the commitment after the rating")
    commitment.refresh_from_db()
    assert commitment.ratings_count == 1

    # --- The official answers the comment. --------------------------------------------------
    official.visit(page_path)
    answer = staff.locator(f"form[action$='{page_path}answer/']")
    answer.locator("textarea[name='answer-text']").fill(
        "Оградата е доставена и ще бъде монтирана до 20.12.2026 г."
    )
    answer.locator("[type=submit]").click()
    staff.wait_for_load_state()
    expect(staff).to_have_url(re.compile(rf"{page_path}#conversation$"))

    # --- The representative writes the report from the commitment's page and publishes it. --
    representative.visit(page_path)
    rep.locator(f"main a[href$='/monitoring/reports/new/?commitment={commitment.pk}']").click()
    rep.wait_for_load_state()
    # One organisation represented: the form is for it, with the commitment proposed.
    expect(rep).to_have_url(re.compile(rf"organisation={organisation.pk}"))
    check_a11y(rep, "the report form")
    expect(rep.locator("input[name=commitments]")).to_have_value(str(commitment.pk))
    rep.locator("input[name=title]").fill(REPORT_TITLE)
    rep.locator("textarea[name=summary]").fill("Проследихме ремонта на площадката в „Лаута“.")
    rep.locator("textarea[name=body]").fill(
        "## Констатации\n\nРемонтът е започнал в срок. **Оградата** закъснява.\n\n"
        "* демонтаж: изпълнен\n* нови съоръжения: предстои"
    )
    submit(rep)
    expect(rep).to_have_url(re.compile(r"/monitoring/reports/\d+/$"))
    report = MonitoringReport.objects.get(title=REPORT_TITLE)
    assert report.published_at is None and list(report.commitments.all()) == [commitment]
    report_path = f"/monitoring/reports/{report.pk}/"
    check_a11y(rep, "the draft report")
    # A draft is not public, and the commitment does not link to it yet.
    anonymous = people.open()
    response = anonymous.page.goto(site + report_path)
    assert response is not None and response.status == 404
    anonymous.console.clear()  # the 404 itself was logged as a failed load
    anonymous.errors.clear()
    submit(rep, f"main form[action$='{report_path}publish/'] [type=submit]")
    expect(rep).to_have_url(re.compile(rf"{report_path}$"))
    report.refresh_from_db()
    assert report.published_at is not None
    expect(rep.locator(f"main .report-items a[href$='{page_path}']")).to_have_text(TITLE)
    check_a11y(rep, "the published report")

    # --- Anyone: the report links to the commitment and back; the timeline and the rating. --
    reader = people.open(PHONE)
    p = reader.visit(report_path)
    assert_no_horizontal_scroll(p, "the report at 375 px")
    expect(p.locator("main .prose h3")).to_have_text("Констатации")
    expect(p.locator("main")).to_contain_text(organisation.name)
    p.locator(f"main .report-items a[href$='{page_path}']").click()
    p.wait_for_load_state()
    expect(p).to_have_url(re.compile(rf"{page_path}$"))
    check_a11y(p, "the commitment at 375 px")
    assert_no_horizontal_scroll(p, "the commitment at 375 px")

    summary = p.locator("main .summary-list").first
    expect(summary).to_contain_text(str(CommitmentStatus.IN_PROGRESS.label))
    expect(summary).to_contain_text(SOURCE)
    expect(summary).to_contain_text(source_date.strftime("%d.%m.%Y"))
    expect(summary).to_contain_text(deadline.strftime("%d.%m.%Y"))
    expect(summary.locator("progress")).to_have_attribute("value", "40")
    timeline = p.locator("#timeline + .step-list")
    titles = [t.strip() for t in timeline.locator(".step-title strong").all_inner_texts()]
    assert titles == [
        str(CommitmentUpdateKind.RECORDED.label),
        str(CommitmentUpdateKind.PROGRESS.label),
        str(CommitmentUpdateKind.RATING.label),
    ], titles
    expect(timeline).to_contain_text("Демонтирани са старите съоръжения.")
    expect(timeline.locator("a[href='https://www.plovdiv.bg/lauta-snimki']")).to_have_count(1)
    # The evidence file downloads.
    evidence = p.locator("#evidence + ul a")
    expect(evidence).to_have_text("Констативен протокол от 01.12.2026 г.")
    with p.expect_download() as info:
        evidence.click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    # The rating: the average and the organisation's own.
    ratings = p.locator("#ratings")
    expect(ratings.locator("tbody tr")).to_have_count(1)
    expect(ratings.locator("tbody tr")).to_contain_text(organisation.name)
    expect(ratings.locator("tbody tr")).to_contain_text(_("%(n)s of 5") % {"n": 4})
    # The conversation: the comment, then the institution's answer.
    conversation = p.locator("#conversation article.comment")
    expect(conversation).to_have_count(2)
    expect(conversation.nth(0)).to_contain_text(organisation.name)
    expect(conversation.nth(0).locator("strong").last).to_have_text("оградата")
    expect(conversation.nth(1)).to_contain_text("Оградата е доставена")
    # And back to the report.
    covering = p.locator("#covering-reports").locator("..")
    expect(covering.locator(f"a[href$='{report_path}']")).to_have_text(REPORT_TITLE)

    browser_page.assert_clean_console()
    people.assert_clean()
