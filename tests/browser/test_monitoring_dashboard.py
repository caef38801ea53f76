"""The responsiveness dashboard, its map and the methodology in a real browser, with records of
Община Пловдив (answered on time, one overdue), its council and Столична община (answered
late), refreshed into the stored index as the workflows do (monitoring.index.refresh).

The ranking shows the stored scores; the map's municipalities are links coloured by their
score, each reached with Tab and named for screen readers, and Enter opens its figures; the
methodology renders its tables. The section's landing page works without JavaScript on a
320 px phone: the figures, the links and the dashboard's filter form (a plain GET). axe,
console and CSP on every page.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from playwright.sync_api import Page, expect

from tests.browser.support import (
    SMALL_PHONE,
    BrowserPage,
    assert_no_horizontal_scroll,
    check_a11y,
    submit,
)
from tests.browser.test_monitoring_requests import (
    People,
    people_fixture,  # noqa: F401 - the "people" fixture
)

pytestmark = pytest.mark.browser

MAP = ".responsiveness-map figure.map-figure svg"


def _records() -> dict[str, int]:
    """Records of three institutions, stored and refreshed into the index; their ids."""
    from monitoring import index, legal
    from monitoring.enums import CommitmentStatus, RequestStatus, SignalOutcome, SignalStatus
    from monitoring.services.common import today
    from tests.factories.directory import generated
    from tests.factories.monitoring import (
        CommitmentFactory,
        InformationRequestFactory,
        SignalFactory,
    )

    now = today()
    plovdiv, council, sofia = generated("ma:PDV22"), generated("mc:PDV22"), generated("ma:SOF46")

    def decided(institution, months_ago: int, on_time: bool) -> None:
        registered = now - datetime.timedelta(days=30 * months_ago + 20)
        due = legal.request_due_on(registered)
        decided_on = due - datetime.timedelta(days=3) if on_time else due + datetime.timedelta(5)
        InformationRequestFactory(
            institution=institution,
            filed_on=registered,
            registered_on=registered,
            due_on=due,
            status=RequestStatus.GRANTED,
            decided_on=decided_on,
            answered_on_time=on_time,
            days_to_answer=(decided_on - registered).days,
        )

    for months_ago in range(6):
        decided(plovdiv, months_ago, on_time=True)
        decided(sofia, months_ago, on_time=months_ago == 0)
    decided(council, 1, on_time=True)
    # One of Plovdiv's is overdue now.
    late = now - datetime.timedelta(days=40)
    InformationRequestFactory(
        institution=plovdiv,
        filed_on=late,
        registered_on=late,
        due_on=legal.request_due_on(late),
        is_overdue=True,
    )
    received = now - datetime.timedelta(days=70)
    SignalFactory(
        institution=plovdiv,
        received_on=received,
        registered_on=received,
        due_on=received + datetime.timedelta(days=60),
        status=SignalStatus.ANSWERED,
        outcome=SignalOutcome.ACCEPTED,
        decided_on=received + datetime.timedelta(days=30),
        answered_on_time=True,
    )
    CommitmentFactory(
        institution=council,
        deadline=now - datetime.timedelta(days=10),
        status=CommitmentStatus.DONE,
        progress=100,
        done_on=now - datetime.timedelta(days=20),
        done_on_time=True,
    )
    for institution in (plovdiv, council, sofia):
        index.refresh(institution.pk)
    return {"plovdiv": plovdiv.pk, "council": council.pk, "sofia": sofia.pk}


def _score(value: Decimal | None) -> str:
    assert value is not None
    return number_format(value, 1)


def _focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: tag, whether it is on the map, its link, its name, and the
    stroke of its shape (the focus ring)."""
    return page.evaluate(
        """() => { const el = document.activeElement;
        const shape = el.querySelector && el.querySelector('path');
        return {tag: el.tagName.toLowerCase(), inMap: String(!!el.closest('figure.map-figure svg')),
                href: el.getAttribute('href') || '', label: el.getAttribute('aria-label') || '',
                stroke: shape ? getComputedStyle(shape).strokeWidth : ''}; }"""
    )


def test_the_dashboard_map_and_methodology_render_with_data(
    browser_page: BrowserPage, people: People
) -> None:
    from monitoring import index
    from monitoring.models import Responsiveness
    from territory.models import Municipality

    ids = _records()
    plovdiv = Responsiveness.objects.get(institution_id=ids["plovdiv"])
    sofia = Responsiveness.objects.get(institution_id=ids["sofia"])
    municipality = Responsiveness.objects.get(municipality_id="PDV22")
    assert plovdiv.score is not None and sofia.score is not None
    assert plovdiv.score > sofia.score

    # --- The ranking: the stored scores, best first; too few records last, without one. ----
    page = browser_page.visit("/monitoring/responsiveness/")
    rows = page.locator("main table.ranking-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("th a")).to_have_text("Община Пловдив")
    expect(rows.nth(0)).to_contain_text(_score(plovdiv.score))
    expect(rows.nth(1).locator("th a")).to_have_text(sofia.institution.name)
    expect(rows.nth(1)).to_contain_text(_score(sofia.score))
    expect(rows.nth(2).locator("th a")).to_have_text("Общински съвет – Пловдив")
    expect(rows.nth(2)).to_contain_text(_("too few records"))
    # The trend has a line of the months with decisions.
    expect(page.locator("#trend ~ figure.trend-chart polyline.trend-line").first).to_be_attached()

    # --- The map: every municipality a link with a name; Plovdiv coloured by its score. ----
    shapes = page.locator(f"{MAP} a")
    expected = Municipality.objects.exclude(svg_path="").count()
    expect(shapes).to_have_count(expected)
    labels = shapes.evaluate_all("links => links.map(a => a.getAttribute('aria-label') || '')")
    assert all(label.strip() for label in labels), "a map shape without an accessible name"
    plovdiv_shape = page.locator(f"{MAP} a[href$='/monitoring/responsiveness/municipality/PDV22/']")
    expect(plovdiv_shape).to_have_accessible_name(
        re.compile(r"^Пловдив .*" + re.escape(_score(municipality.score)))
    )
    klass = f"score-{index.score_class(municipality.score)}"
    expect(plovdiv_shape.locator("path")).to_have_class(re.compile(rf"\b{klass}\b"))
    no_data = page.locator(f"{MAP} a[href$='/monitoring/responsiveness/municipality/VAR06/'] path")
    expect(no_data).to_have_class(re.compile(r"\bno-data\b"))

    # Reached with the keyboard from the top of the page: Tab until the focus is on the map.
    for _press in range(400):
        page.keyboard.press("Tab")
        if _focused(page)["inMap"] == "true":
            break
    focused = _focused(page)
    assert focused["inMap"] == "true", f"the map is not reached with Tab; stopped at {focused}"
    assert focused["tag"] == "a" and focused["label"].strip(), focused
    assert focused["stroke"] == "3px", f"no visible focus on the map's shape: {focused}"
    page.keyboard.press("Tab")  # the next shape, also a link with a name
    second = _focused(page)
    assert second["inMap"] == "true" and second["label"] and second["href"] != focused["href"]
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(re.escape(second["href"]) + "$"))
    check_a11y(page, "a municipality's figures, opened from the map")

    # Plovdiv's figures, from the map's table.
    page = browser_page.visit("/monitoring/responsiveness/")
    page.locator(".map-table a[href$='/monitoring/responsiveness/municipality/PDV22/']").click()
    page.wait_for_load_state()
    check_a11y(page, "Plovdiv's figures")
    expect(page.locator("main h1")).to_have_text("Пловдив")
    expect(page.locator("main .score-value strong")).to_have_text(_score(municipality.score))

    # --- The methodology. --------------------------------------------------------------------
    page = browser_page.visit("/monitoring/responsiveness/methodology/")
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("main table.rules-table tbody tr").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("ЗДОИ")

    browser_page.assert_clean_console()

    # --- The landing page and the dashboard without JavaScript, on a 320 px phone. ----------
    # axe cannot run where scripts are off (its timers never fire), so each page is checked
    # with axe in a 320 px browser with JavaScript as well: the markup is the same.
    checker = people.open(SMALL_PHONE)
    nojs = people.open(SMALL_PHONE, javascript=False)
    p = nojs.goto("/monitoring/")
    assert_no_horizontal_scroll(p, "the monitoring landing page at 320 px without JavaScript")
    expect(p.locator("main h1")).to_have_count(1)
    requests_total = 6 + 6 + 1 + 1  # Plovdiv, Sofia, the council, the overdue one
    expect(p.locator("#part-requests").locator("..").locator(".stats")).to_contain_text(
        str(requests_total)
    )
    checker.visit("/monitoring/")
    p.locator("main a[href$='/monitoring/responsiveness/']").first.click()
    p.wait_for_load_state()
    expect(p).to_have_url(re.compile(r"/monitoring/responsiveness/$"))
    expect(p.locator("main table.ranking-table tbody tr")).to_have_count(3)
    assert_no_horizontal_scroll(p, "the dashboard at 320 px without JavaScript")
    checker.visit("/monitoring/responsiveness/")
    # Its filter form is a plain GET: rank the municipalities.
    p.locator("main select[name=of]").select_option("municipalities")
    submit(p, "main form.filter-form [type=submit]")
    expect(p).to_have_url(re.compile(r"of=municipalities"))
    rows = p.locator("main table.ranking-table tbody tr")
    expect(rows).to_have_count(2)  # Plovdiv (administration and council together), Sofia
    expect(rows.first.locator("th a")).to_have_text("Пловдив")
    assert_no_horizontal_scroll(p, "the municipalities' ranking at 320 px without JavaScript")
    checker.visit("/monitoring/responsiveness/?of=municipalities")
    people.assert_clean()
