"""The demo content of monitoring: the promised numbers, only fictional people and demo
organisations, deadlines as monitoring.legal computes them, coherent timelines, the index
filled, idempotent, never in production."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from consultations.demo import participants
from core.legal_calendar import LegalCalendar
from monitoring import legal
from monitoring.demo import REQUEST_PLAN, SIGNAL_PLAN
from monitoring.demo_commitments import COMMITMENT_PLAN
from monitoring.enums import (
    REQUEST_PENDING,
    SIGNAL_PENDING,
    CommitmentStatus,
    RequestEventKind,
    RequestStatus,
    SignalKind,
    SignalStatus,
)
from monitoring.models import (
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
    InformationRequest,
    MonitoringReport,
    RequestEvent,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
    SignalEvent,
)
from monitoring.services.common import today
from organisations.demo import COORDINATOR_NAME, DEMO_REPRESENTATIVE, DEMO_SOURCE
from organisations.models import Organisation
from territory.models import PortalScope
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

DEMO_DOMAIN = "@demo.eregion.bg"
MODELS = (
    InformationRequest, RequestEvent, Signal, SignalEvent, Commitment, CommitmentUpdate,
    CommitmentRating, MonitoringReport,
)  # fmt: skip


def _remove_demo(had_users, had_index):
    MonitoringReport.objects.filter(is_demo=True).delete()
    Commitment.objects.filter(is_demo=True).delete()
    Signal.objects.filter(is_demo=True).delete()
    InformationRequest.objects.filter(is_demo=True).delete()
    Responsiveness.objects.exclude(pk__in=had_index[0]).delete()
    ResponsivenessMonth.objects.exclude(pk__in=had_index[1]).delete()
    Organisation.objects.filter(source=DEMO_SOURCE).delete()
    User.objects.filter(email__endswith=DEMO_DOMAIN).exclude(pk__in=had_users).delete()


def _demo_organisations():
    """A few organisations as organisations/demo.py makes them (its whole load of 300 takes
    most of 20 s): its network's coordinator, represented by the demo account ngo@, and
    others named for civic monitoring, one with a fictional representative."""
    names = [
        f"Сдружение „{COORDINATOR_NAME}“",
        "Сдружение „Прозрачно управление – Пловдив“",
        "Сдружение „Граждански мониторинг – Хасково“",
        "Фондация „Общност и доверие“",
    ]
    orgs = [
        OrganisationFactory(
            name=name, source=DEMO_SOURCE, source_key=f"demo-{n:03d}",
            email=f"demo-{n:03d}{DEMO_DOMAIN}",
        )
        for n, name in enumerate(names, start=1)
    ]  # fmt: skip
    representative_of(orgs[0], User.objects.get(email=DEMO_REPRESENTATIVE))
    representative_of(orgs[1], participants()[-1])


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module (a few seconds), removed afterwards."""
    with django_db_blocker.unblock():
        scope = PortalScope.current()
        provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
        had_users = set(
            User.objects.filter(email__endswith=DEMO_DOMAIN).values_list("pk", flat=True)
        )
        had_index = (
            set(Responsiveness.objects.values_list("pk", flat=True)),
            set(ResponsivenessMonth.objects.values_list("pk", flat=True)),
        )
        real = set(Organisation.objects.exclude(source=DEMO_SOURCE).values_list("pk", flat=True))
        try:
            call_command("load_demo", verbosity=0)
            _demo_organisations()
            call_command("load_demo_monitoring", verbosity=0)
            yield real
        finally:
            _remove_demo(had_users, had_index)
            scope.provinces.set(provinces)
            scope.municipalities.set(municipalities)


def snapshot():
    return tuple(model.objects.count() for model in MODELS)


def test_the_promised_numbers(demo):
    requests = InformationRequest.objects.filter(is_demo=True)
    assert requests.count() == sum(REQUEST_PLAN.values()) == 400
    statuses = Counter(requests.values_list("status", flat=True))
    assert statuses[RequestStatus.GRANTED] > 200  # most granted ...
    assert requests.filter(status=RequestStatus.GRANTED, answered_on_time=True).count() > 180
    assert statuses[RequestStatus.PARTIAL] >= REQUEST_PLAN["partial"]
    assert statuses[RequestStatus.REFUSED] == REQUEST_PLAN["refused"]
    assert statuses[RequestStatus.NOT_EXISTS] == REQUEST_PLAN["not_exists"]
    assert statuses[RequestStatus.FORWARDED] == REQUEST_PLAN["forwarded"]
    assert statuses[RequestStatus.WITHDRAWN] == REQUEST_PLAN["withdrawn"]
    assert statuses[RequestStatus.NO_CONSIDERATION] == REQUEST_PLAN["lapsed"]
    assert statuses[RequestStatus.CLARIFICATION] == REQUEST_PLAN["awaiting_clarification"]
    assert requests.filter(is_overdue=True).count() == REQUEST_PLAN["overdue"]
    waiting = requests.filter(status__in=REQUEST_PENDING, is_overdue=False)
    assert waiting.count() == REQUEST_PLAN["pending"] + REQUEST_PLAN["submitted"]
    assert requests.filter(extension_days__gt=0).count() >= REQUEST_PLAN["extended"]
    assert requests.filter(clarified_on__isnull=False).count() == REQUEST_PLAN["clarified"]
    # Refusals state their legal ground; extensions their reason.
    assert not requests.filter(status=RequestStatus.REFUSED, refusal_ground="").exists()
    assert not requests.filter(status=RequestStatus.PARTIAL, refusal_ground="").exists()
    assert not requests.filter(extension_days__gt=0, extension_reason="").exists()
    filed = requests.order_by("filed_on").values_list("filed_on", flat=True)
    assert today() - filed[0] <= datetime.timedelta(days=731)  # over the last two years
    assert today() - filed[0] > datetime.timedelta(days=600)

    signals = Signal.objects.filter(is_demo=True)
    assert signals.count() == sum(SIGNAL_PLAN.values()) == 100
    assert {SignalKind.PROPOSAL, SignalKind.SIGNAL} == set(signals.values_list("kind", flat=True))
    assert signals.filter(is_anonymous=True).count() == SIGNAL_PLAN["anonymous"]
    assert signals.filter(is_overdue=True).count() == SIGNAL_PLAN["overdue"]
    assert signals.filter(answered_on_time=False).count() == SIGNAL_PLAN["late"]
    assert signals.filter(answered_on_time=True).count() >= SIGNAL_PLAN["answered"]
    assert signals.filter(is_public=False).count() > 10  # private by the filer's choice

    commitments = Commitment.objects.filter(is_demo=True)
    assert commitments.count() == sum(COMMITMENT_PLAN.values()) == 60
    assert commitments.filter(status=CommitmentStatus.OVERDUE).count() == COMMITMENT_PLAN["overdue"]
    assert commitments.filter(done_on_time=False).count() == COMMITMENT_PLAN["done_late"]
    assert all(c.source_reference.startswith("Решение № ") for c in commitments)
    assert commitments.filter(ratings_count__gt=0).count() >= 10
    opinions = CommitmentUpdate.objects.filter(commitment__is_demo=True, organisation__isnull=False)
    assert {"recorded", "comment", "rating"} <= set(opinions.values_list("kind", flat=True))

    reports = list(MonitoringReport.objects.filter(is_demo=True).published())
    assert len(reports) == 2
    assert reports[0].organisation != reports[1].organisation
    assert sum(r.commitments.count() for r in reports) >= 10
    assert sum(r.requests.count() for r in reports) >= 10
    for report in reports:
        assert report.body.startswith("## ") and "Демонстрационно съдържание" in report.body


def test_only_fictional_people_and_demo_organisations(demo):
    real = demo
    for model, field, email in (
        (InformationRequest, "requester", "requester_email"),
        (Signal, "filer", "filer_email"),
    ):
        rows = model.objects.filter(is_demo=True)
        assert not rows.filter(is_demo=False).exists()
        users = User.objects.filter(pk__in=rows.values(field))
        assert users.exists()
        assert all(u.email.endswith(DEMO_DOMAIN) for u in users)
        emails = {e for e in rows.values_list(email, flat=True) if e}
        assert all(e.endswith(DEMO_DOMAIN) for e in emails)
        orgs = Organisation.objects.filter(pk__in=rows.values("organisation"))
        assert orgs.exists() and all(o.is_demo and o.source == DEMO_SOURCE for o in orgs)
    used = (
        set(InformationRequest.objects.values_list("organisation", flat=True))
        | set(Signal.objects.values_list("organisation", flat=True))
        | set(Commitment.objects.values_list("monitor", flat=True))
        | set(CommitmentRating.objects.values_list("organisation", flat=True))
        | set(CommitmentUpdate.objects.values_list("organisation", flat=True))
        | set(MonitoringReport.objects.values_list("organisation", flat=True))
    ) - {None}
    assert used and not used & real  # never a real register entry
    people = set(RequestEvent.objects.values_list("by__email", flat=True)) | set(
        CommitmentUpdate.objects.values_list("by__email", flat=True)
    )
    assert all(e.endswith(DEMO_DOMAIN) for e in people - {None})
    # Names are mostly hidden, as people choose on the portal.
    requests = InformationRequest.objects.filter(is_demo=True)
    assert requests.filter(show_name=True).count() < requests.count() * 0.3
    assert requests.filter(is_public=False).exists()
    # The demo citizen has requests of their own, the demo official's institution an inbox.
    citizen = requests.filter(requester__email="grazhdanin" + DEMO_DOMAIN)
    assert citizen.filter(is_overdue=True).exists() and citizen.count() == 6
    home = requests.filter(institution__generated_key="ma:PDV22")
    assert home.filter(status__in=REQUEST_PENDING).count() >= 9


def test_deadlines_follow_the_law(demo):
    calendar, now = LegalCalendar(), today()
    for r in InformationRequest.objects.filter(is_demo=True):
        if r.clarification_asked_on and not r.clarified_on:
            assert r.due_on is None
            assert r.clarification_due_on == legal.clarification_due_on(r.clarification_asked_on)
        elif r.registered_on:
            start = r.clarified_on or r.registered_on
            assert r.due_on == legal.request_due_on(start, r.extension_days, calendar), r.pk
            assert r.registered_on >= r.filed_on
        else:
            assert r.status == RequestStatus.SUBMITTED
            assert r.due_on == legal.request_due_on(r.filed_on, calendar=calendar)
        if r.is_overdue:
            assert r.status in REQUEST_PENDING and r.due_on < now
            assert r.overdue_since == r.due_on + datetime.timedelta(days=1)
        elif r.status in REQUEST_PENDING:
            assert r.due_on >= now  # pending within the deadline
        if r.decided_on:
            assert r.answered_on_time == (r.decided_on <= r.due_on)
            assert r.decided_on <= now and r.days_to_answer >= 0
        if r.extension_days:
            assert r.extension_days == legal.extension_days(r.extension_reason)

    for s in Signal.objects.filter(is_demo=True):
        if s.is_anonymous or s.is_stale:
            assert s.due_on is None and s.status == SignalStatus.NO_PROCEEDINGS
            continue
        expected = legal.signal_due_on(s.kind, s.received_on, s.extended_months, calendar)
        assert s.due_on == expected, s.pk
        assert s.is_overdue == (s.status in SIGNAL_PENDING and s.due_on < now)
        if s.status == SignalStatus.FORWARDED:
            # Forwarding is the body's answer: in time within the days to forward.
            in_time = s.decided_on <= legal.forward_due_on(s.received_on, calendar)
            assert s.answered_on_time == in_time
        elif s.decided_on:
            assert s.answered_on_time == (s.decided_on <= s.due_on)
            assert s.decided_on <= s.communicated_on <= legal.communication_due_on(s.decided_on)

    for c in Commitment.objects.filter(is_demo=True):
        assert c.is_overdue == (c.status == CommitmentStatus.OVERDUE)
        if c.status == CommitmentStatus.OVERDUE:
            assert c.deadline < now and c.progress < 100
        if c.status == CommitmentStatus.DONE:
            assert c.progress == 100 and c.done_on_time == (c.done_on <= c.deadline)
        if c.status in (CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS):
            assert c.deadline >= now
        assert c.source_date < c.deadline


def _chain(rows, status):
    """Each step that changes the status starts from where the last one left it."""
    current = ""
    for row in rows:
        if row.to_status and row.to_status != current:
            assert row.from_status == current, (row, current)
            current = row.to_status
    assert current == status


def test_timelines_are_coherent(demo):
    now = today()
    for model, event_model, owner, first_day in (
        (InformationRequest, RequestEvent, "request", "filed_on"),
        (Signal, SignalEvent, "signal", "received_on"),
    ):
        events = event_model.objects.filter(**{f"{owner}__is_demo": True})
        by_owner = {}
        for event in events.order_by("at", "pk"):
            by_owner.setdefault(getattr(event, f"{owner}_id"), []).append(event)
        for obj in model.objects.filter(is_demo=True):
            steps = by_owner[obj.pk]  # at least one event each
            days = [e.on for e in steps]
            assert days == sorted(days) and days[0] == getattr(obj, first_day) and days[-1] <= now
            _chain(steps, obj.status)
            if getattr(obj, "is_overdue", False):
                assert steps[-1].kind == RequestEventKind.OVERDUE
            assert obj.created_at.date() <= obj.updated_at.date()
    for c in Commitment.objects.filter(is_demo=True).prefetch_related("updates"):
        updates = list(c.updates.all())
        assert updates[0].kind == "recorded"
        _chain(updates, c.status)
    ratings = Counter()
    for rating in CommitmentRating.objects.filter(commitment__is_demo=True):
        ratings[rating.commitment_id] += rating.rating
        # Its timeline entry carries it, as the workflow writes it.
        assert CommitmentUpdate.objects.filter(
            commitment=rating.commitment_id, kind="rating", organisation=rating.organisation_id,
            details__rating=rating.rating,
        ).exists()  # fmt: skip
    for c in Commitment.objects.filter(ratings_count__gt=0):
        assert c.ratings_sum == ratings[c.pk]


def test_the_dashboard_has_figures(demo):
    plovdiv = Responsiveness.objects.get(institution__generated_key="ma:PDV22")
    assert (
        plovdiv.requests_total
        == InformationRequest.objects.filter(institution__generated_key="ma:PDV22").count()
    )
    assert Responsiveness.objects.filter(municipality_id="PDV22").exists()
    assert Responsiveness.objects.filter(score__isnull=False).count() >= 10


def test_loading_twice_creates_nothing(demo, capsys):
    before = snapshot()
    dates = list(InformationRequest.objects.order_by("pk").values_list("pk", "due_on", "status"))
    call_command("load_demo_monitoring")
    out = capsys.readouterr().out
    assert "nothing new" in out and "Done in" in out
    assert snapshot() == before
    assert dates == list(
        InformationRequest.objects.order_by("pk").values_list("pk", "due_on", "status")
    )


def test_refuses_production(demo, settings):
    settings.PRODUCTION = True
    before = snapshot()
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_monitoring")
    assert snapshot() == before
