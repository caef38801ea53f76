"""The responsiveness index (monitoring/index.py) against figures worked out by hand: what is
due, on time and overdue, medians of odd and even counts, the score's weights and their
re-weighting, the minimum number of records, the months, and a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import index
from monitoring.enums import CommitmentStatus, RequestStatus, SignalKind, SignalStatus
from monitoring.models import Responsiveness, ResponsivenessMonth
from tests.factories.directory import generated
from tests.factories.monitoring import CommitmentFactory, InformationRequestFactory, SignalFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)
D = date.fromisoformat


def decided(status, on_time, days, on, **kw):
    return InformationRequestFactory(
        status=status,
        answered_on_time=on_time,
        days_to_answer=days,
        decided_on=D(on),
        requester=None,
        **kw,
    )


def pending(due, status=RequestStatus.REGISTERED, **kw):
    return InformationRequestFactory(
        status=status, due_on=D(due) if due else None, requester=None, **kw
    )


def signal(status, due="2026-12-01", on_time=None, on=None, **kw):
    return SignalFactory(
        status=status,
        due_on=D(due) if due else None,
        answered_on_time=on_time,
        decided_on=D(on) if on else None,
        filer=None,
        **kw,
    )


def the_requests(**kw):
    """Eight requests: 4 decided (3 on time), 1 overdue, 3 not judged."""
    return [
        decided(RequestStatus.GRANTED, True, 10, "2026-11-10", **kw),
        decided(RequestStatus.REFUSED, True, 14, "2026-11-20", **kw),
        decided(RequestStatus.PARTIAL, False, 20, "2026-12-01", **kw),
        decided(RequestStatus.FORWARDED, True, 5, "2026-12-02", **kw),
        pending("2026-11-16", **kw),  # past its deadline: overdue
        pending("2026-12-20", **kw),  # still in time
        pending(None, status=RequestStatus.WITHDRAWN, **kw),
        pending(None, status=RequestStatus.CLARIFICATION, **kw),
    ]


def row_of(institution) -> Responsiveness:
    return Responsiveness.objects.get(institution=institution)


def test_requests_on_time_overdue_and_even_median(territory):
    plovdiv = generated("ma:PDV22")
    the_requests()
    index.refresh(plovdiv.pk, today=TODAY)
    row = row_of(plovdiv)
    assert (row.requests_total, row.requests_due, row.requests_on_time, row.requests_overdue) == (
        8, 5, 3, 1,
    )  # fmt: skip
    assert row.median_days == Decimal("12.0")  # 5, 10 | 14, 20
    # Only requests: 50 × 3/5 + 20 × 4/5 over 70.
    assert row.score == Decimal("65.7")
    assert row.province_id == "PDV"


def test_a_request_marked_overdue_by_the_daily_check_counts_even_before_its_day(territory):
    plovdiv = generated("ma:PDV22")
    for _ in range(4):
        decided(RequestStatus.GRANTED, True, 3, "2026-11-10")
    pending("2026-12-20", is_overdue=True)
    index.refresh(plovdiv.pk, today=TODAY)
    row = row_of(plovdiv)
    assert (row.requests_due, row.requests_overdue) == (5, 1)
    assert row.median_days == Decimal("3")


def test_odd_median(territory):
    plovdiv = generated("ma:PDV22")
    for days in (30, 3, 7):
        decided(RequestStatus.GRANTED, True, days, "2026-11-10")
    index.refresh(plovdiv.pk, today=TODAY)
    assert row_of(plovdiv).median_days == Decimal("7")


def test_signals_and_commitments_and_the_full_score(territory):
    plovdiv = generated("ma:PDV22")
    the_requests()
    signal(SignalStatus.ANSWERED, on_time=True, on="2026-11-15")
    signal(SignalStatus.ANSWERED, on_time=False, on="2026-10-20", kind=SignalKind.SIGNAL)
    signal(SignalStatus.REGISTERED, due="2026-12-01")  # overdue
    signal(SignalStatus.REGISTERED, due="2027-01-10")  # in time
    signal(SignalStatus.SUBMITTED, due=None, is_anonymous=True)  # feedback: not counted
    signal(SignalStatus.NO_PROCEEDINGS, due=None, is_stale=True)  # too old: not counted
    CommitmentFactory(status=CommitmentStatus.DONE, deadline=D("2026-10-01"), done_on_time=True)
    CommitmentFactory(status=CommitmentStatus.IN_PROGRESS, deadline=D("2026-11-30"))
    CommitmentFactory(status=CommitmentStatus.IN_PROGRESS, deadline=D("2026-12-31"))
    CommitmentFactory(status=CommitmentStatus.DONE, deadline=D("2026-09-01"), done_on_time=False)
    CommitmentFactory(status=CommitmentStatus.OVERDUE, deadline=D("2026-11-01"))
    CommitmentFactory(status=CommitmentStatus.DROPPED, deadline=D("2027-03-01"))

    index.refresh(plovdiv.pk, today=TODAY)
    row = row_of(plovdiv)
    assert (row.signals_total, row.signals_due, row.signals_answered, row.signals_on_time) == (
        4, 3, 2, 1,
    )  # fmt: skip
    assert (row.commitments_total, row.commitments_due, row.commitments_done_on_time) == (6, 4, 1)
    # 50 × 3/5 + 20 × 4/5 + 15 × 1/3 + 15 × 1/4 = 30 + 16 + 5 + 3.75 = 54.75 → 54.8
    assert row.score == Decimal("54.8")


def test_reweighting_over_the_parts_with_data(territory):
    plovdiv = generated("ma:PDV22")
    for n in range(5):
        CommitmentFactory(
            status=CommitmentStatus.DONE, deadline=D("2026-10-01"), done_on_time=n < 2
        )
    index.refresh(plovdiv.pk, today=TODAY)
    row = row_of(plovdiv)
    assert row.requests_total == row.signals_total == 0
    assert row.median_days is None
    assert row.score == Decimal("40.0")  # commitments alone: 2 of 5


@pytest.mark.parametrize(("due", "score"), [(4, None), (5, Decimal("100.0"))])
def test_minimum_number_of_records_due(territory, due, score):
    plovdiv = generated("ma:PDV22")
    for _ in range(due):
        decided(RequestStatus.GRANTED, True, 2, "2026-11-10")
    pending("2026-12-20")  # not due: does not count towards the minimum
    pending("2026-12-21")
    index.refresh(plovdiv.pk, today=TODAY)
    row = row_of(plovdiv)
    assert row.requests_due == due
    assert index.MIN_RECORDS == 5
    assert row.score == score


def test_score_formula_without_the_database():
    figures = index.Figures(requests_due=10, requests_on_time=5, requests_overdue=5)
    # 50 × 0.5 + 20 × 0.5 over 70 = 50
    assert index.compute_score(figures) == Decimal("50.0")
    assert [p.key for p in figures.parts() if p.counts] == [
        "requests_on_time",
        "requests_not_overdue",
    ]
    assert index.compute_score(index.Figures(signals_due=4, signals_on_time=4)) is None
    assert index.compute_score(index.Figures(signals_due=6, signals_on_time=3)) == Decimal("50.0")
    assert [index.score_class(Decimal(v)) for v in ("0", "19.9", "20", "59.9", "80", "100")] == [
        1, 1, 2, 3, 5, 5,
    ]  # fmt: skip
    assert index.score_class(None) is None
    assert index.median([]) is None
    assert index.median([4, 1]) == Decimal("2.5")


def test_the_municipality_counts_every_institution_of_it_and_no_other(territory):
    plovdiv, council, region = generated("ma:PDV22"), generated("mc:PDV22"), generated("oa:PDV")
    the_requests()
    decided(RequestStatus.GRANTED, True, 3, "2026-11-03", institution=council)
    decided(RequestStatus.GRANTED, False, 4, "2026-11-04", institution=council)
    decided(RequestStatus.GRANTED, True, 1, "2026-11-04", institution=region)
    index.refresh(plovdiv.pk, today=TODAY)
    index.refresh(council.pk, today=TODAY)
    index.refresh(region.pk, today=TODAY)

    municipal = Responsiveness.objects.get(municipality_id="PDV22")
    assert (municipal.requests_total, municipal.requests_due, municipal.requests_on_time) == (
        10, 7, 4,
    )  # fmt: skip
    assert municipal.median_days == Decimal("7.5")  # 3, 4, 5 | 10, 14, 20
    assert municipal.province_id == "PDV"
    assert row_of(council).requests_total == 2
    # The regional administration has no municipality: its own row only.
    assert row_of(region).requests_total == 1
    assert Responsiveness.objects.filter(municipality__isnull=False).count() == 1


def test_months_of_the_institution_and_the_municipality(territory):
    plovdiv = generated("ma:PDV22")
    requests = the_requests()
    signal(SignalStatus.ANSWERED, on_time=True, on="2026-11-15")
    signal(SignalStatus.ANSWERED, on_time=False, on="2026-10-20")
    index.refresh(plovdiv.pk, today=TODAY)

    def months(**kw):
        return {
            (m.month, m.requests_decided, m.requests_on_time, m.signals_answered, m.signals_on_time)
            for m in ResponsivenessMonth.objects.filter(**kw)
        }

    expected = {
        (D("2026-10-01"), 0, 0, 1, 0),
        (D("2026-11-01"), 2, 2, 1, 1),
        (D("2026-12-01"), 2, 1, 0, 0),
    }
    assert months(institution=plovdiv) == expected
    assert months(municipality_id="PDV22") == expected

    # A correction removes November's requests and October's signal: the months follow.
    for r in requests[:2]:
        r.delete()
    plovdiv.signals.filter(decided_on=D("2026-10-20")).delete()
    index.refresh(plovdiv.pk, today=TODAY)
    assert months(institution=plovdiv) == {
        (D("2026-11-01"), 0, 0, 1, 1),
        (D("2026-12-01"), 2, 1, 0, 0),
    }
    assert months(municipality_id="PDV22") == months(institution=plovdiv)
    assert row_of(plovdiv).requests_total == 6


def test_refresh_costs_the_same_queries_whatever_the_numbers(territory):
    plovdiv = generated("ma:PDV22")

    def cost(n: int) -> int:
        for k in range(n):
            decided(RequestStatus.GRANTED, k % 2 == 0, k, f"2026-{1 + k % 11:02d}-10")
            signal(SignalStatus.ANSWERED, on_time=True, on=f"2025-{1 + k % 12:02d}-10")
            CommitmentFactory(status=CommitmentStatus.DONE, done_on_time=True)
        pending("2026-11-16")
        with CaptureQueriesContext(connection) as queries:
            index.refresh(plovdiv.pk, today=TODAY)
        return len(queries)

    small = cost(3)
    large = cost(30)
    assert small == large
    assert small <= 17  # 16, and one for the consultations' audit
    assert row_of(plovdiv).requests_total == 35


def test_unknown_institution_is_ignored(territory):
    index.refresh(2**31, today=TODAY)
    assert not Responsiveness.objects.exists()


def test_rebuild_all_gives_what_refresh_gives(territory):
    plovdiv, council, region = generated("ma:PDV22"), generated("mc:PDV22"), generated("oa:PDV")
    sofia = generated("ma:SOF46")
    the_requests()
    signal(SignalStatus.ANSWERED, on_time=True, on="2026-11-15")
    decided(RequestStatus.GRANTED, True, 3, "2026-11-03", institution=council)
    decided(RequestStatus.GRANTED, True, 1, "2026-11-04", institution=region)
    decided(RequestStatus.REFUSED, False, 40, "2025-02-04", institution=sofia)
    CommitmentFactory(institution=sofia, status=CommitmentStatus.OVERDUE, deadline=D("2026-01-01"))

    def snapshot():
        rows = {
            (
                r.institution_id,
                r.municipality_id,
                r.province_id,
                r.median_days,
                r.score,
                *(getattr(r, k) for k in index.COUNTERS),
            )
            for r in Responsiveness.objects.all()
        }
        months = set(
            ResponsivenessMonth.objects.values_list(
                "institution_id", "municipality_id", "month", *index.MONTH_COUNTERS
            )
        )
        return rows, months

    for institution in (plovdiv, council, region, sofia):
        index.refresh(institution.pk, today=TODAY)
    by_refresh = snapshot()
    Responsiveness.objects.all().delete()
    # A left-over row is replaced, not kept.
    Responsiveness.objects.create(institution=generated("ma:SLV20"), requests_total=99)

    with CaptureQueriesContext(connection) as queries:
        written = index.rebuild_all(today=TODAY)
    assert snapshot() == by_refresh
    assert written == len(by_refresh[0]) + len(by_refresh[1])
    assert len(queries) <= 20
