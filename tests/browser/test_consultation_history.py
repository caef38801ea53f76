"""The history of strategy.bg and the compliance audit in a real browser.

An administrator (a role that signs in with TOTP) opens the import page, first gives it a file
that is no export (a plain text file: refused next to its field, nothing imported), then
uploads the two sample exports of data/strategy_bg/ (the test settings'
task backend runs the import at once): the run's page shows it done with the sample's 80
consultations and 66 comments. A run still waiting shows its <progress> and refreshes
itself (a meta refresh: no script). The compliance dashboard compares by municipality with a
plain GET form, lists the consultations below the legal minimum, and one of them opens as an
imported consultation with its source and its audit. At 375 px the dashboard does not scroll
sideways. axe on every page, no console error or CSP violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.support import PHONE, BrowserPage, check_a11y, sign_in_with_totp, submit

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "k.dimitrova@eregion.example.org"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "strategy_bg"  # the real sample
CONSULTATIONS = SAMPLE / "ConsultationssCSVExport.csv"
COMMENTS = SAMPLE / "CommentsCSVExport.csv"


def administrator_with_totp() -> tuple[object, str, str]:
    """An administrator with an authenticator app (the role requires two factors): (user,
    password, TOTP secret). Clears the cache first: the rate limits of earlier tests."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache

    from accounts.enums import Role
    from tests.factories.accounts import PASSWORD, RoleAssignmentFactory, UserFactory

    cache.clear()
    user = UserFactory(email=ADMIN_EMAIL, first_name="Калина", last_name="Димитрова")
    RoleAssignmentFactory(user=user, role=Role.ADMINISTRATOR)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, PASSWORD, secret


def test_an_administrator_imports_the_history_and_reads_the_compliance_dashboard(
    browser_page: BrowserPage, site: str, tmp_path: Path
) -> None:
    from consultations.enums import ImportState, Source
    from consultations.models import Consultation, ImportRun

    _user, password, secret = administrator_with_totp()
    page = browser_page.page
    sign_in_with_totp(page, site, ADMIN_EMAIL, password, secret)
    imported = Consultation.objects.filter(source=Source.STRATEGY_BG)

    # --- The upload page; a file that is no export is refused next to its field. ------------
    browser_page.visit("/consultations/history/")
    expect(page.locator("h1")).to_have_text(_("Import the history of strategy.bg"))
    expect(page.locator("main")).to_contain_text(
        _(
            "Nothing imported yet. Download the exports from strategy.bg's open data "
            "(data.egov.bg) and upload them above."
        )
    )
    wrong = tmp_path / "notes.txt"
    wrong.write_text("Бележки от срещата\nбез никакви табулации\n", encoding="utf-8")
    page.locator("input[name=consultations]").set_input_files(str(wrong))
    submit(page, "main form[enctype] [type=submit]")
    expect(page).to_have_url(re.compile(r"/consultations/history/$"))
    expect(page.locator("#id_consultations_error")).to_contain_text(
        _("The file is not tab-separated as strategy.bg's exports are (no tab in line 1).")
    )
    expect(page.locator("#id_consultations")).to_have_attribute(
        "aria-describedby", re.compile(r"id_consultations_error")
    )
    check_a11y(page, "the upload page with the error")
    assert not ImportRun.objects.exists() and not imported.exists()

    # --- The sample exports: imported at once (the tests' task backend), the report. --------
    page.locator("input[name=consultations]").set_input_files(str(CONSULTATIONS))
    page.locator("input[name=comments]").set_input_files(str(COMMENTS))
    submit(page, "main form[enctype] [type=submit]")
    run = ImportRun.objects.get()
    expect(page).to_have_url(re.compile(rf"/consultations/history/{run.pk}/$"))
    assert run.state == ImportState.DONE and run.consultations_name == CONSULTATIONS.name
    expect(page.locator("#import-state")).to_have_text(str(ImportState.DONE.label))
    expect(page.locator("progress")).to_have_count(0)
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    report = page.locator("main table").first
    expect(report.locator("caption")).to_have_text(_("What the import did"))
    consultations_row = report.locator("tbody tr").nth(0)
    expect(consultations_row.locator("th")).to_have_text(_("Consultations"))
    expect(consultations_row.locator("td").first).to_have_text("80")
    comments_row = report.locator("tbody tr").nth(1)
    expect(comments_row.locator("th")).to_have_text(_("Comments"))
    expect(comments_row.locator("td").first).to_have_text("66")
    expect(page.locator("main")).to_contain_text(_("None: every line was read."))
    check_a11y(page, "the run's report")
    assert imported.count() == 80

    # --- A run still waiting: its progress, and the page refreshes itself. ------------------
    waiting = ImportRun.objects.create(
        consultations_name="ConsultationssCSVExport.csv",
        consultations_file="private/consultations/imports/waiting.csv",
        progress=40,
    )
    browser_page.goto(f"/consultations/history/{waiting.pk}/")
    expect(page.locator("#import-state")).to_have_text(str(ImportState.QUEUED.label))
    expect(page.locator("progress#import-progress")).to_have_attribute("value", "40")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "2")
    # The same page without refreshing, so that axe reads it before it reloads.
    page.locator("main a[href='?refresh=off']").click()
    page.wait_for_load_state()
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    expect(page.locator("progress#import-progress")).to_be_visible()
    check_a11y(page, "a waiting run")

    # --- The dashboard, compared by municipality without a script. ---------------------------
    page.goto(site + "/consultations/history/")
    page.locator("main a[href$='/consultations/compliance/']").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/consultations/compliance/$"))
    check_a11y(page, "the compliance dashboard")
    expect(page.locator("h1")).to_have_text(_("Compliance of consultations with the law"))
    filters = page.locator("main form.filter-form")
    filters.locator("select[name=by]").select_option("municipality")
    filters.locator("select[name=source]").select_option(Source.STRATEGY_BG.value)
    submit(page, "main form.filter-form [type=submit]")
    expect(page).to_have_url(re.compile(r"[?&]by=municipality"))
    expect(filters.locator("select[name=by]")).to_have_value("municipality")
    by = _("Figures by %(by)s, the most consultations first") % {"by": _("municipality")}
    groups = page.locator("main table", has=page.locator("caption", has_text=by))
    expect(groups).to_have_count(1)
    expect(groups.locator("tbody th", has_text="Кърджали")).to_have_count(1)
    check_a11y(page, "the dashboard by municipality")

    expect(page.locator("h2#below")).to_have_text(_("Consultations shorter than the legal minimum"))
    below = page.locator("h2#below + .table-wrap table")
    expect(below.locator("thead th").last).to_have_text(_("Minimum"))
    first = below.locator("tbody tr").first.locator("a").first
    title = (first.text_content() or "").strip()
    assert title
    first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/$"))
    consultation = Consultation.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert consultation.source == Source.STRATEGY_BG and consultation.meets_minimum is False
    main = page.locator("main")
    expect(main).to_contain_text(
        _("strategy.bg, consultation No %(id)s") % {"id": consultation.source_id}
    )
    expect(main.locator("a[href^='https://strategy.bg/']")).to_have_attribute(
        "href", consultation.source_url
    )
    expect(
        main.locator(".tag.tag-red", has_text=_("shorter than the legal minimum"))
    ).to_have_count(1)
    check_a11y(page, "an imported consultation")

    browser_page.visit("/consultations/compliance/methodology/")

    # --- A phone: the dashboard does not scroll sideways. -----------------------------------
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    browser_page.goto("/consultations/compliance/?by=municipality&source=strategy.bg")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard scrolls sideways at 375 px ({width} px)"
    check_a11y(page, "the dashboard on a phone")
    browser_page.assert_clean_console()
