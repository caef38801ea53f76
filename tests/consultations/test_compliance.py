"""The compliance audit: the figures every consultation stores, the dashboard and its
methodology, the API's audit fields and filters, /api/v1/compliance, an imported
consultation's page, and the responsiveness index's consultations part."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from consultations import compliance, history
from consultations.audit import audit
from consultations.enums import Kind, Source, State
from consultations.models import TEST_ENTRY_FLAG, Consultation
from core.legal_calendar import SOFIA
from monitoring import index
from monitoring.models import Responsiveness
from tests.clients import signed_in
from tests.consultations.test_history_import import TODAY, import_sample
from tests.consultations.test_strategy_bg import CONSULTATION_COLUMNS, consultation_row, export
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import ConsultationFactory
from tests.factories.directory import generated, staff_of

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def opened(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=SOFIA)


# --- The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "opens", "closes", "reason", "expected"),
    [
        # Before 04.11.2016: 14 days (old чл. 26, ал. 2).
        (Kind.ORDINANCE, D(2015, 3, 1), D(2015, 3, 15), False, (14, 14, True, False)),
        (Kind.ORDINANCE, D(2015, 3, 1), D(2015, 3, 14), False, (13, 14, False, True)),
        # Since: 30 days, 14 with a stated reason.
        (Kind.ORDINANCE, D(2016, 11, 4), D(2016, 12, 4), False, (30, 30, True, False)),
        (Kind.ORDINANCE, D(2017, 3, 1), D(2017, 3, 30), False, (29, 30, False, True)),
        (Kind.ORDINANCE, D(2017, 3, 1), D(2017, 3, 21), True, (20, 14, True, False)),
        (Kind.ORDINANCE, D(2017, 3, 1), D(2017, 3, 14), True, (13, 14, False, False)),
        (Kind.STRATEGY, D(2020, 1, 10), D(2020, 2, 9), False, (30, 30, True, False)),
        # A budget: 7 days' notice (ЗПФ чл. 84, ал. 6).
        (Kind.BUDGET, D(2026, 1, 10), D(2026, 1, 17), False, (7, 7, True, False)),
    ],
)
def test_the_rule_in_force_on_the_opening_day(kind, opens, closes, reason, expected):
    figures = audit(kind, opens, closes, reason)
    got = (
        figures.period_days,
        figures.legal_minimum_days,
        figures.meets_minimum,
        figures.short_without_reason,
    )
    assert got == expected


def test_without_dates_nothing_is_judged():
    assert audit(Kind.ORDINANCE, None, D(2020, 1, 1), False).meets_minimum is None


def test_a_consultation_stores_its_audit_on_every_save():
    c = ConsultationFactory(
        state=State.CLOSED, opens_at=opened(D(2026, 3, 1)), closes_on=D(2026, 3, 21)
    )
    assert (c.opened_on, c.period_days, c.legal_minimum_days) == (D(2026, 3, 1), 20, 30)
    assert c.meets_minimum is False and c.short_without_reason
    c.short_period_reason = "Спешна промяна в закона"
    c.save(update_fields=["short_period_reason"])
    c.refresh_from_db()
    assert (c.legal_minimum_days, c.meets_minimum, c.short_without_reason) == (14, True, False)
    # A test entry's reason is no stated reason.
    c.import_flags = [TEST_ENTRY_FLAG]
    c.save()
    c.refresh_from_db()
    assert c.meets_minimum is False


# --- The dashboard --------------------------------------------------------------------------


def test_the_dashboard_shows_the_figures_of_the_imported_history():
    import_sample()
    platform = ConsultationFactory(
        title="Наредба за зелената система",
        state=State.CLOSED,
        opens_at=opened(D(2026, 3, 1)),
        closes_on=D(2026, 3, 11),
    )
    response = Client().get(reverse("consultations:compliance"))
    assert response.status_code == 200
    page = response.content.decode()
    total = compliance.overall(compliance.Filters())
    assert total.consultations == 79  # 78 imported and published, 1 of the platform
    assert f"{total.meeting_share}".replace(".", ",") in page
    assert "Държавна администрация — Околна среда" in page
    # The trend's numbers once: the year table with every figure, not the chart's own too.
    assert _("Figures by the year the consultations opened") in page
    assert 'class="chart-table"' not in page and 'id="chart-compliance-trend-desc"' in page
    # The consultations below the minimum link to their pages.
    assert reverse("consultations:detail", args=[platform.pk]) in page
    # Only the imported history.
    page = (
        Client()
        .get(reverse("consultations:compliance"), {"source": "strategy.bg"})
        .content.decode()
    )
    assert reverse("consultations:detail", args=[platform.pk]) not in page


@pytest.mark.parametrize("by", ["institution", "municipality", "policy_area"])
def test_the_dashboard_compares_by_each_grouping(by):
    import_sample()
    response = Client().get(reverse("consultations:compliance"), {"by": by})
    assert response.status_code == 200
    groups = compliance.by_group(compliance.Filters(), by)
    assert groups and sum(g.consultations for g in groups) == 78
    assert groups[0].label in response.content.decode()


def test_a_group_is_opened_from_its_row():
    import_sample()
    kardzhali = generated("ma:KRZ16")
    response = Client().get(reverse("consultations:compliance"), {"institution": kardzhali.pk})
    page = response.content.decode()
    assert response.context["total"].consultations == 10
    assert _("Show all") in page


def test_a_year_and_a_period_narrow_the_figures():
    import_sample()
    response = Client().get(reverse("consultations:compliance"), {"year": "2018"})
    assert {f.year for f in response.context["trend"]} == {2018}
    response = Client().get(
        reverse("consultations:compliance"),
        {"opened_from": "2017-01-01", "opened_to": "2017-12-31"},
    )
    assert {f.year for f in response.context["trend"]} == {2017}


def test_bad_filters_are_explained_next_to_their_field_and_kept():
    response = Client().get(
        reverse("consultations:compliance"),
        {"opened_from": "2019-05-01", "opened_to": "2018-01-01", "by": "municipality"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["opened_to"] == [_("The end of the period is before its start.")]
    assert 'value="2019-05-01"' in response.content.decode()
    response = Client().get(
        reverse("consultations:compliance"), {"opened_from": "вчера", "year": "1800"}
    )
    assert response.status_code == 200
    assert "opened_from" in response.context["form"].errors
    assert "year" in response.context["form"].errors


def test_the_dashboard_queries_stay_flat_as_consultations_grow():
    def queries(n: int) -> int:
        rows = [
            consultation_row(
                Id=str(10_000 * n + i),
                CategoryId=str(100 + i % 7),
                CategoryName=[
                    "Пловдив",
                    "Карлово",
                    "Асеновград",
                    "Сопот",
                    "Раковски",
                    "Марица",
                    "Перущица",
                ][i % 7],
                OpenningDate=f"1.{1 + i % 12}.{2014 + i % 6} г. 0:00:00",
                ClosingDate=f"20.{1 + i % 12}.{2014 + i % 6} г. 0:00:00",
            )
            for i in range(n)
        ]
        history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
        with CaptureQueriesContext(connection) as ctx:
            assert (
                Client()
                .get(reverse("consultations:compliance"), {"by": "municipality"})
                .status_code
                == 200
            )
        return len(ctx.captured_queries)

    assert queries(5) == queries(60)


def test_the_methodology_states_each_rule_with_its_basis_and_date():
    response = Client().get(reverse("consultations:compliance-methodology"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "04.11.2016" in page
    assert _("ЗНА Art. 26(4), first sentence (State Gazette No 34/2016)") in page
    assert _("Public Finance Act (ЗПФ) Art. 84(6)") in page


# --- An imported consultation's page --------------------------------------------------------


def test_an_imported_consultation_shows_its_source_audit_and_comments():
    import_sample()
    c = Consultation.objects.get(source_id=2940)
    response = Client().get(reverse("consultations:detail", args=[c.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "https://strategy.bg/bg/public-consultations/2940" in page
    assert "Срок на социалната оценка" in page
    assert _("meets the legal minimum") in page
    assert _("not considered") in page
    assert response.context["form"] is None  # nobody comments here


def test_nobody_manages_or_comments_on_an_imported_consultation():
    import_sample()
    c = Consultation.objects.get(source_id=3610)  # Kardzhali's administration
    staff = UserFactory()
    staff_of(c.institution, staff)
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    for user in (staff, admin):
        assert not user.has_perm("consultations.manage_consultation", c)
        assert not user.has_perm("consultations.change_consultation", c)
    citizen = UserFactory()
    assert not citizen.has_perm("consultations.add_comment", c)
    response = signed_in(citizen).post(
        reverse("consultations:detail", args=[c.pk]), {"text": "Коментар"}
    )
    assert response.status_code == 302
    assert not c.comments.exists()
    assert signed_in(staff).get(reverse("consultations:staff", args=[c.pk])).status_code == 403


def test_a_test_entry_is_not_public():
    import_sample()
    c = Consultation.objects.get(source_id=3649)
    assert Client().get(reverse("consultations:detail", args=[c.pk])).status_code == 404


# --- The API --------------------------------------------------------------------------------


def test_the_list_carries_the_audit_fields_and_filters_by_them():
    import_sample()
    ConsultationFactory(state=State.CLOSED, opens_at=opened(D(2026, 3, 1)), closes_on=D(2026, 4, 1))
    client = Client()
    items = client.get("/api/v1/consultations", {"page_size": 500}).json()["items"]
    assert len(items) == 79
    item = next(i for i in items if i["source_id"] == 2940)
    assert item["source"] == "strategy.bg"
    assert item["source_url"] == "https://strategy.bg/bg/public-consultations/2940"
    assert (item["opened_on"], item["closes_on"], item["period_days"]) == (
        "2017-08-25",
        "2017-09-24",
        30,
    )
    assert (item["legal_minimum_days"], item["meets_minimum"]) == (30, True)
    assert item["document_types"] == ["ПМС"] and item["policy_area"] == "Бизнес среда"
    platform = client.get("/api/v1/consultations", {"source": "platform"}).json()
    assert platform["count"] == 1 and platform["items"][0]["source_url"] is None
    below = client.get("/api/v1/consultations", {"meets_minimum": "false", "page_size": 500}).json()
    assert below["count"] == Consultation.objects.public().filter(meets_minimum=False).count() > 0
    assert {i["meets_minimum"] for i in below["items"]} == {False}
    span = client.get(
        "/api/v1/consultations",
        {"opened_from": "2018-01-01", "opened_to": "2018-12-31", "page_size": 500},
    ).json()
    assert span["count"] > 0 and all(i["opened_on"].startswith("2018") for i in span["items"])


@pytest.mark.parametrize(
    "params",
    [{"source": "elsewhere"}, {"opened_from": "31.12.2018"}, {"meets_minimum": "maybe"}],
)
def test_bad_api_filters_are_a_readable_422(params):
    response = Client().get("/api/v1/consultations", params)
    assert response.status_code == 422 and "message" in response.json()


def test_the_compliance_endpoint_gives_the_dashboards_aggregates():
    import_sample()
    data = Client().get("/api/v1/compliance", {"by": "policy_area", "source": "strategy.bg"}).json()
    total = compliance.overall(compliance.Filters(source=Source.STRATEGY_BG))
    assert data["overall"]["consultations"] == total.consultations == 78
    assert data["overall"]["meeting_minimum"] == total.meeting
    assert sum(g["consultations"] for g in data["groups"]) == 78
    assert [y["year"] for y in data["by_year"]] == sorted(y["year"] for y in data["by_year"])
    assert data["methodology"].endswith(reverse("consultations:compliance-methodology"))
    assert Client().get("/api/v1/compliance", {"by": "colour"}).status_code == 422


# --- The responsiveness index ---------------------------------------------------------------


def test_the_index_counts_the_consultations_as_a_part_of_its_own():
    import_sample()
    index.rebuild_all()
    kardzhali = generated("ma:KRZ16")
    row = Responsiveness.objects.get(institution=kardzhali)
    due, meeting = compliance.figures_of({"i": compliance.Q(institution_id=kardzhali.pk)})["i"]
    assert (
        (row.consultations_due, row.consultations_meeting)
        == (due, meeting)
        == (10, row.consultations_meeting)
    )
    figures = index.Figures.of(row)
    part = next(p for p in figures.parts() if p.key == "consultations_meeting_minimum")
    assert part.counts and part.denominator == 10
    # Only consultations: the score is the share meeting the minimum.
    assert figures.score == figures.consultations_meeting_share
    # The municipality's row too, and refresh agrees with the rebuild.
    assert Responsiveness.objects.get(municipality_id="KRZ16").consultations_due == 10
    index.refresh(kardzhali.pk)
    assert Responsiveness.objects.get(institution=kardzhali).consultations_due == 10


def test_the_list_of_consultations_filters_by_where_they_were_held_and_links_the_audit():
    import_sample()
    platform = ConsultationFactory(
        title="Наредба за зелената система",
        state=State.CLOSED,
        opens_at=opened(D(2026, 3, 1)),
        closes_on=D(2026, 4, 1),
    )
    response = Client().get(reverse("consultations:index"), {"source": "strategy.bg"})
    assert response.context["page_obj"].paginator.count == 78
    assert platform.title not in response.content.decode()
    page = Client().get(reverse("consultations:index"), {"source": "platform"}).content.decode()
    assert platform.title in page
    assert reverse("consultations:compliance") in page
    assert reverse("consultations:history-imports") not in page
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    assert (
        reverse("consultations:history-imports")
        in signed_in(admin).get(reverse("consultations:index")).content.decode()
    )


@pytest.mark.parametrize(
    ("periods", "median"),
    [
        ({30: 1}, "30.0"),
        ({14: 1, 30: 1}, "22.0"),
        ({14: 2, 30: 1}, "14.0"),
        ({7: 1, 14: 2, 45: 3}, "29.5"),
        ({}, None),
    ],
)
def test_the_median_period_from_the_counts_per_period(periods, median):
    got = compliance.Figures(periods=periods).median_period
    assert (str(got) if got is not None else None) == median


def test_the_dashboard_follows_a_new_consultation_at_once():
    client = Client()
    before = client.get(reverse("consultations:compliance")).context["total"].consultations
    ConsultationFactory(
        state=State.CLOSED, opens_at=opened(D(2026, 3, 1)), closes_on=D(2026, 3, 11)
    )
    assert (
        client.get(reverse("consultations:compliance")).context["total"].consultations == before + 1
    )


def test_a_long_comparison_shows_the_first_groups_and_offers_all(monkeypatch):
    from consultations.views import compliance as views

    import_sample()
    monkeypatch.setattr(views, "GROUPS_SHOWN", 3)
    response = Client().get(reverse("consultations:compliance"))
    assert len(response.context["groups"]) == 3
    assert response.context["groups_count"] > 3
    assert "all=1" in response.context["all_groups_url"]
    everything = Client().get(reverse("consultations:compliance"), {"all": "1"})
    assert len(everything.context["groups"]) == everything.context["groups_count"]
    assert everything.context["all_groups_url"] == ""
