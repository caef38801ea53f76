"""A capacity assessment's published report in a real browser, and a coordinator's progress page.

A published campaign with three answers from Plovdiv and one from Asenovgrad, shown only in
groups of at least three: the report page has the index tables, the bar chart and the map,
Asenovgrad's row says "fewer than 3 answers" and shows no number; Plovdiv's page has its
indices; the PDF link answers with a PDF and the CSV link with the indices of Plovdiv only. The
report fits a 375 px phone. A second test: the coordinator (TOTP) opens the manage page of an
open campaign and sees its progress. axe, console and CSP on every page.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.support import (
    PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    sign_in_with_totp,
)
from tests.browser.test_assessments_builder import COORDINATOR_EMAIL, coordinator_with_totp
from tests.browser.test_monitoring_requests import (
    People,
    people_fixture,  # noqa: F401 - the "people" fixture
)

pytestmark = pytest.mark.browser

MINIMUM = 3


def _published_campaign():
    """The helpers' questionnaire in a campaign whose results are published: Plovdiv (PDV22)
    three answers, Asenovgrad (PDV01) one, in groups of at least MINIMUM."""
    from django.core.cache import cache

    from assessments import services
    from assessments.enums import CampaignState
    from assessments.models import Campaign
    from tests.assessments.helpers import make_campaign, make_form, submitted

    cache.clear()  # results are cached by primary key, which the live server's DB reuses
    form = make_form()
    campaign = make_campaign(form, minimum=MINIMUM)
    yes, no = form.option(form.publishes, 0), form.option(form.publishes, 1)
    rows = [str(o.pk) for o in form.matrix.options.order_by("position", "pk")]
    for scale in (5, 4, 2):
        submitted(
            campaign,
            form,
            {form.publishes.pk: yes, form.scale.pk: scale, form.matrix.pk: dict.fromkeys(rows, 2)},
            "PDV22",
        )
    submitted(
        campaign,
        form,
        {
            form.publishes.pk: no,
            form.scale.pk: 1,
            form.matrix.pk: dict.fromkeys(rows, 1),
            form.comment.pk: "Нямаме звено за контакт.",
        },
        "PDV01",
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    services.bump_results(campaign)
    return form, campaign


def test_the_published_report_shows_enough_answers_only_and_downloads(
    browser_page: BrowserPage, people: People
) -> None:
    _form, campaign = _published_campaign()
    path = f"/assessments/{campaign.pk}/"
    page = browser_page.visit("/assessments/")
    page.locator(f"main a[href$='{path}']").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"{path}$"))
    check_a11y(page, "the published report")
    expect(page.locator("main h1")).to_have_text(campaign.title)
    expect(page.locator("main")).to_contain_text(_("Submitted answers: %(n)s.") % {"n": 4})

    # The index tables: by respondent type, and by municipality.
    tables = page.locator("main table.index-table")
    expect(tables).to_have_count(2)
    expect(tables.nth(0).locator("caption")).to_have_text(_("Indices by respondent type, 0–100"))
    by_place = tables.nth(1)
    expect(by_place.locator("caption")).to_have_text(_("Indices by municipality, 0–100"))
    expect(by_place.locator("thead th")).to_have_text(
        [_("Municipality"), "Прозрачност", "Консултиране", _("Overall index")]
    )
    plovdiv = by_place.locator("tbody tr").filter(has_text="Пловдив")
    asenovgrad = by_place.locator("tbody tr").filter(has_text="Асеновград")
    # Plovdiv: transparency (100 + 100) / 2, (100 + 75) / 2, (100 + 25) / 2 → 83.3; the
    # matrix rated 2 everywhere → consultation 25; overall, the mean of 62.5, 56.25 and 43.75.
    expect(plovdiv.locator("td")).to_have_text(["83,3", "25,0", "54,2"])
    expect(plovdiv.locator(f"th a[href$='{path}municipalities/PDV22/']")).to_have_text("Пловдив")
    # Asenovgrad: one answer, so no number at all and no link to its page.
    expect(asenovgrad.locator("td")).to_have_text(
        [_("fewer than %(n)s answers: not shown") % {"n": MINIMUM}]
    )
    expect(asenovgrad.locator("a")).to_have_count(0)
    expect(asenovgrad.locator("td.num")).to_have_count(0)
    expect(asenovgrad).not_to_contain_text("0,0")  # its only answer scores 0 everywhere

    # The bar chart (with its table) and the map, both of the overall index.
    chart = page.locator("main figure.bar-chart")
    expect(chart.locator("figcaption")).to_have_text(_("Overall index by municipality (0–100)"))
    expect(chart.locator("svg rect.bar")).to_have_count(1)  # Plovdiv only
    expect(chart.locator("table tbody td")).to_have_text(["Пловдив", "54"])
    score_map = page.locator("main figure.score-map")
    expect(score_map.locator("svg title").first).to_have_text(
        _("Overall index of the municipalities")
    )
    expect(score_map.locator("svg a path.score-3")).to_have_count(1)  # Plovdiv, 40–60
    expect(score_map.locator("svg a path.no-data")).to_have_count(1)  # Asenovgrad
    expect(score_map.locator(f"svg a[href$='{path}municipalities/PDV22/']")).to_have_count(1)

    # The open answers of the lone respondent are not on the page.
    expect(page.locator("main")).not_to_contain_text("Нямаме звено за контакт.")

    # --- Plovdiv's page. --------------------------------------------------------------------
    plovdiv.locator("th a").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"{path}municipalities/PDV22/$"))
    check_a11y(page, "Plovdiv's report")
    expect(page.locator("main h1")).to_contain_text("Пловдив")
    rows = page.locator("main table.index-table tbody tr")
    expect(rows.first.locator("td")).to_have_text(["83,3", "25,0", "54,2"])
    # Its profile: a bar for each dimension and the overall index.
    profile = page.locator("main figure.bar-chart").first
    expect(profile.locator("table tbody td")).to_have_text(
        ["Прозрачност", "83", "Консултиране", "25", _("Overall index"), "54"]
    )
    expect(profile.locator("svg rect.bar")).to_have_count(3)
    # Asenovgrad's own page shows no numbers either.
    page = browser_page.visit(f"{path}municipalities/PDV01/")
    expect(page.locator("main table.index-table tbody")).to_contain_text(
        _("fewer than %(n)s answers: not shown") % {"n": MINIMUM}
    )
    expect(page.locator("main table.index-table tbody td.num")).to_have_count(0)
    expect(page.locator("main figure.bar-chart svg")).to_have_count(0)

    # --- The downloads. ---------------------------------------------------------------------
    page = browser_page.visit(path)
    downloads = page.locator("#downloads + ul")
    pdf_href = downloads.locator("a").filter(has_text=_("The report (PDF)")).get_attribute("href")
    assert pdf_href is not None and pdf_href.endswith(f"{path}report.pdf")
    pdf = page.request.get(browser_page.base_url + pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    csv_href = downloads.locator("a").filter(has_text=_("Indices (CSV)")).get_attribute("href")
    assert csv_href is not None and csv_href.endswith(f"{path}indices.csv")
    data = page.request.get(browser_page.base_url + csv_href)
    assert data.ok and data.headers["content-type"].startswith("text/csv")
    assert "attachment" in data.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(data.body().decode("utf-8-sig"))))
    codes = {row[1] for row in table[1:]}
    assert "PDV22" in codes and "PDV01" not in codes, codes

    # --- On a phone. ------------------------------------------------------------------------
    phone = people.open(PHONE)
    small = phone.visit(path)
    assert_no_horizontal_scroll(small, "the report at 375 px")
    expect(small.locator("main figure.score-map svg")).to_be_visible()
    small = phone.visit(f"{path}municipalities/PDV22/")
    assert_no_horizontal_scroll(small, "Plovdiv's report at 375 px")

    browser_page.assert_clean_console()
    people.assert_clean()


def test_the_coordinator_follows_an_open_campaign_s_progress(
    browser_page: BrowserPage, site: str
) -> None:
    from assessments import services
    from tests.assessments.helpers import invitation, make_campaign, make_form, submitted

    user, password, secret = coordinator_with_totp()
    form = make_form()
    campaign = make_campaign(form, minimum=MINIMUM, by=user)
    yes = form.option(form.publishes, 0)
    submitted(campaign, form, {form.publishes.pk: yes, form.scale.pk: 4}, "PDV22")
    services.response_for_invitation(invitation(campaign, "PDV22"))  # started
    invitation(campaign, "PDV22")  # invited only
    invitation(campaign, "PDV01")

    page = browser_page.page
    sign_in_with_totp(page, site, COORDINATOR_EMAIL, password, secret)
    browser_page.visit("/assessments/")
    page.locator("main a[href$='/assessments/manage/']").click()
    page.wait_for_load_state()
    check_a11y(page, "the coordinator's campaigns")
    page.locator(f"main a[href$='/assessments/manage/{campaign.pk}/']").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/assessments/manage/{campaign.pk}/$"))
    check_a11y(page, "the campaign's manage page")
    expect(page.locator("main h1")).to_have_text(campaign.title)
    expect(page.locator("main")).to_contain_text(
        _("Invited: %(i)s; started: %(s)s; submitted: %(d)s.") % {"i": 4, "s": 1, "d": 1}
    )
    progress = page.locator("main table tbody tr")
    expect(progress).to_have_count(2)
    # Municipality, respondents, then invited, started, submitted.
    plovdiv = progress.filter(has_text="Пловдив")
    expect(plovdiv.locator("td.num")).to_have_text(["3", "1", "1"])
    expect(progress.filter(has_text="Асеновград").locator("td.num")).to_have_text(["1", "0", "0"])
    # An open campaign: invitations and reminders can be sent, and it can be closed.
    expect(page.locator("main button[name=what][value=reminders]")).to_have_count(1)
    expect(page.locator("main button[name=to][value=closed]")).to_have_count(1)
    browser_page.assert_clean_console()
