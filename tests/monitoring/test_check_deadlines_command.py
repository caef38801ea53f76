"""`manage.py check_monitoring_deadlines`: the daily check runs the three workflows' checks for
the day (today in Sofia, or --date), prints what each marked, is idempotent, and keeps going
when one part fails. What the checks did is read back from the database."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitoring.enums import CommitmentStatus, RequestStatus, SignalStatus
from monitoring.models import (
    Commitment,
    CommitmentUpdate,
    InformationRequest,
    RequestEvent,
    Responsiveness,
    Signal,
    SignalEvent,
)
from monitoring.services import signals as signal_service
from tests.factories.directory import generated
from tests.factories.monitoring import CommitmentFactory, InformationRequestFactory, SignalFactory

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture
def late(territory):
    """A request, a signal and a commitment of Plovdiv's administration past their deadline
    by 6.12.2026, and one of each still in time."""
    return {
        "request": InformationRequestFactory(due_on=D("2026-11-16")),
        "request_in_time": InformationRequestFactory(due_on=D("2026-12-20")),
        "signal": SignalFactory(status=SignalStatus.REGISTERED, due_on=D("2026-12-01")),
        "signal_in_time": SignalFactory(status=SignalStatus.REGISTERED, due_on=D("2027-01-10")),
        "commitment": CommitmentFactory(
            status=CommitmentStatus.IN_PROGRESS, deadline=D("2026-11-30")
        ),
        "commitment_in_time": CommitmentFactory(deadline=D("2026-12-31")),
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("check_monitoring_deadlines", *args, stdout=out)
    return out.getvalue()


def counts_of(output: str) -> list[int]:
    return [int(line.rsplit(":", 1)[1]) for line in output.strip().splitlines()]


def test_marks_what_is_past_its_deadline_and_refreshes_the_index(late, mailbox):
    output = run("--date", "2026-12-06")
    assert counts_of(output) == [1, 1, 1]
    assert "2026-12-06" in output

    request = InformationRequest.objects.get(pk=late["request"].pk)
    assert request.is_overdue and request.status == RequestStatus.REGISTERED
    assert RequestEvent.objects.filter(request=request, kind="overdue").count() == 1
    assert not InformationRequest.objects.get(pk=late["request_in_time"].pk).is_overdue
    assert Signal.objects.get(pk=late["signal"].pk).is_overdue
    assert not Signal.objects.get(pk=late["signal_in_time"].pk).is_overdue
    assert Commitment.objects.get(pk=late["commitment"].pk).status == CommitmentStatus.OVERDUE
    assert Commitment.objects.get(pk=late["commitment_in_time"].pk).status == (
        CommitmentStatus.IN_PROGRESS
    )
    # The checks refreshed the index of the institution and its municipality.
    row = Responsiveness.objects.get(institution=generated("ma:PDV22"))
    assert (row.requests_overdue, row.requests_due, row.score) == (1, 1, None)
    assert (row.signals_due, row.commitments_due) == (1, 1)
    assert Responsiveness.objects.get(municipality_id="PDV22").requests_overdue == 1


def test_a_second_run_marks_and_sends_nothing_new(late, mailbox):
    run("--date", "2026-12-06")
    sent = len(mailbox.messages)
    events = (
        RequestEvent.objects.count(),
        SignalEvent.objects.count(),
        CommitmentUpdate.objects.count(),
    )
    assert counts_of(run("--date", "2026-12-06")) == [0, 0, 0]
    assert counts_of(run("--date", "2026-12-07")) == [0, 0, 0]
    assert len(mailbox.messages) == sent
    assert (
        RequestEvent.objects.count(),
        SignalEvent.objects.count(),
        CommitmentUpdate.objects.count(),
    ) == events


def test_the_date_decides_what_is_late(late):
    # On the last day of the request's term nothing is late yet; the day after, it is.
    assert counts_of(run("--date", "2026-11-16")) == [0, 0, 0]
    assert counts_of(run("--date", "2026-11-17")) == [1, 0, 0]
    assert counts_of(run("--date", "2026-12-02")) == [0, 1, 1]


def test_without_a_date_it_checks_today_in_sofia(late):
    # Today is 6.12.2026 (the brief's date): everything late by then is marked.
    from monitoring.services.common import today

    assert today() >= D("2026-12-06")
    assert counts_of(run()) == [1, 1, 1]


@pytest.mark.parametrize("value", ["2026-13-01", "06.12.2026", "tomorrow", ""])
def test_a_bad_date_is_refused(territory, value):
    with pytest.raises(CommandError):
        run("--date", value)


def test_one_failing_part_does_not_stop_the_others(late, monkeypatch):
    def broken(today):
        raise RuntimeError("boom")

    monkeypatch.setattr(signal_service, "check_deadlines", broken)
    with pytest.raises(CommandError, match="Proposals and signals"):
        run("--date", "2026-12-06")
    assert InformationRequest.objects.get(pk=late["request"].pk).is_overdue
    assert Commitment.objects.get(pk=late["commitment"].pk).status == CommitmentStatus.OVERDUE
    assert not Signal.objects.get(pk=late["signal"].pk).is_overdue


def test_quiet_with_verbosity_zero(late):
    out = StringIO()
    call_command("check_monitoring_deadlines", "--date", "2026-12-06", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert InformationRequest.objects.get(pk=late["request"].pk).is_overdue
