"""The demo events: the programme of seed 004, the discussions of seed 000, a public hearing;
believable, consistent counters, only fictional people and organisations, idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import RoleAssignment, User
from consultations.models import Comment, Consultation
from core.legal_calendar import is_working_day
from events.enums import Kind, RegistrationState, State
from events.models import (
    Attendance,
    Certificate,
    Event,
    Feedback,
    Programme,
    Registration,
    RegistrationChange,
    Session,
    Strand,
)
from organisations.demo import DEMO_SOURCE
from organisations.models import Network, Organisation
from territory.models import PortalScope
from tests.factories.monitoring import index_rows_kept

pytestmark = pytest.mark.django_db

DEMO_DOMAIN = "@demo.eregion.bg"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module (it takes a few seconds), removed afterwards."""
    with django_db_blocker.unblock(), index_rows_kept():
        scope = PortalScope.current()
        provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
        had_users = set(
            User.objects.filter(email__endswith=DEMO_DOMAIN).values_list("pk", flat=True)
        )
        call_command("load_demo", verbosity=0)
        call_command("load_demo_organisations", verbosity=0)
        call_command("load_demo_consultations", verbosity=0)
        call_command("load_demo_events", verbosity=0)
        yield
        # What protects what: certificates their registrations, events their organisers.
        Certificate.objects.filter(registration__event__is_demo=True).delete()
        Event.objects.filter(is_demo=True).delete()
        Programme.objects.filter(is_demo=True).delete()
        Comment.objects.filter(consultation__is_demo=True).delete()
        Consultation.objects.filter(is_demo=True).delete()
        Network.objects.filter(is_demo=True).delete()
        Organisation.objects.filter(source=DEMO_SOURCE).delete()
        User.objects.filter(email__endswith=DEMO_DOMAIN).exclude(pk__in=had_users).delete()
        scope.provinces.set(provinces)
        scope.municipalities.set(municipalities)


@pytest.fixture
def events(demo):
    return list(Event.objects.filter(is_demo=True).order_by("starts_at", "pk"))


def trainings():
    return list(Event.objects.filter(is_demo=True, kind=Kind.TRAINING).order_by("starts_at"))


def snapshot():
    return tuple(
        model.objects.count()
        for model in (
            Event, Session, Programme, Strand, Registration, RegistrationChange, Attendance,
            Certificate, Feedback, User, RoleAssignment,
        )
    )  # fmt: skip


def test_loading_twice_changes_nothing(events, capsys):
    before = snapshot()
    counters = list(
        Event.objects.filter(is_demo=True)
        .order_by("pk")
        .values_list("pk", "confirmed_count", "waiting_count", "starts_at", "updated_at")
    )
    call_command("load_demo_events")
    out = capsys.readouterr().out
    assert "0 created, 15 already there" in out
    assert snapshot() == before
    assert counters == list(
        Event.objects.filter(is_demo=True)
        .order_by("pk")
        .values_list("pk", "confirmed_count", "waiting_count", "starts_at", "updated_at")
    )


def test_the_programme_of_seed_004(events):
    programme = Programme.objects.get(is_demo=True, title="Обучения за НПО")
    assert programme.network is not None and programme.network.is_demo
    strands = list(programme.strands.order_by("position"))
    assert [s.target_people for s in strands] == [20, 20, 20]
    assert "Партньорства" in strands[0].title and "Застъпнически" in strands[1].title
    assert "политики" in strands[2].title and "мониторинг" in strands[2].title
    finished, open_, scheduled = trainings()
    assert [e.strand for e in (finished, open_, scheduled)] == strands
    now = timezone.now()
    for event in (finished, open_, scheduled):
        assert event.programme == programme and event.capacity == 20
        assert event.state == State.PUBLISHED and len(event.days) == 2
        assert event.sessions.count() == 6
    # One finished, one open with a waiting list, one whose registration opens later.
    assert finished.ends_at < now
    assert finished.confirmed_count == 20 and finished.waiting_count == 0
    assert open_.registration_opens_at < now < open_.registration_closes_at < open_.starts_at
    assert open_.confirmed_count == 20 and open_.waiting_count == 5
    waiting = list(open_.registrations.waiting_in_order())
    assert len(waiting) == 5
    assert [r.waiting_since for r in waiting] == sorted(r.waiting_since for r in waiting)
    assert scheduled.registration_opens_at > now
    assert not scheduled.registrations.exists()


def test_the_finished_training_certifies_full_attendance_only(events):
    finished = trainings()[0]
    days = finished.days
    confirmed = list(finished.registrations.confirmed().prefetch_related("attendances"))
    assert len(confirmed) == 20
    full = 0
    for registration in confirmed:
        present = sorted(a.day for a in registration.attendances.all())
        has_certificate = Certificate.objects.filter(registration=registration).exists()
        assert has_certificate == (present == days), registration.name
        full += present == days
    assert 15 <= full < 20  # most attended both days; not everyone
    certificates = Certificate.objects.filter(registration__event=finished)
    assert certificates.count() == full
    for c in certificates.select_related("registration"):
        assert c.name == c.registration.name and c.event_title == finished.title
        assert (c.first_day, c.last_day) == (days[0], days[-1]) and c.hours == 16
        assert c.revoked_at is None
    assert len({c.code for c in certificates}) == full
    # Somebody cancelled; the first on the waiting list took the place, with the history.
    cancelled = finished.registrations.get(state=RegistrationState.CANCELLED)
    assert not Certificate.objects.filter(registration=cancelled).exists()
    promoted = RegistrationChange.objects.get(
        registration__event=finished, from_state=RegistrationState.WAITING
    )
    assert promoted.to_state == RegistrationState.CONFIRMED
    feedback = Feedback.objects.filter(registration__event=finished)
    assert 8 <= feedback.count() <= 20
    assert not feedback.filter(registration__attendances__isnull=True).exists()


def test_the_discussions_of_seed_000(events):
    discussions = [e for e in events if e.kind == Kind.PUBLIC_DISCUSSION]
    assert sorted(len(e.days) for e in discussions) == [1] * 3 + [2] * 8
    assert {e.municipality_id for e in discussions} == {"SOF46", "PVN24", "SLV20"}
    for e in discussions:
        assert e.institution.generated_key == f"ma:{e.municipality_id}"
        assert e.settlement is not None and e.address
        assert all(is_working_day(d) for d in e.days), e.title
    now = timezone.now()
    past = [e for e in discussions if e.ends_at < now]
    coming = [e for e in discussions if e.starts_at > now]
    assert past and coming
    for e in past:
        assert e.minutes and e.minutes_published_at
        assert Attendance.objects.filter(registration__event=e).exists()
    assert any(e.confirmed_count for e in coming)


def test_the_public_hearing_belongs_to_a_demo_consultation(events):
    (hearing,) = [e for e in events if e.kind == Kind.PUBLIC_HEARING]
    consultation = hearing.consultation
    assert consultation is not None and consultation.is_demo
    assert hearing.institution == consultation.institution
    assert hearing.starts_at == consultation.hearings.first().starts_at
    assert hearing.confirmed_count > 0


def test_counters_agree_with_the_rows(events):
    for e in Event.objects.filter(is_demo=True).annotate(n=Count("registrations")):
        active = e.registrations
        assert e.confirmed_count == active.filter(state=RegistrationState.CONFIRMED).count()
        assert e.waiting_count == active.filter(state=RegistrationState.WAITING).count()
        assert e.pending_count == active.filter(state=RegistrationState.PENDING).count()
        assert e.capacity is None or e.confirmed_count <= e.capacity
    for r in Registration.objects.filter(event__is_demo=True):
        # Every registration's history ends in its state.
        assert r.changes.order_by("at", "pk").last().to_state == r.state


def test_only_fictional_people_and_organisations(events):
    registrations = Registration.objects.filter(event__is_demo=True)
    assert registrations.count() > 200
    assert not registrations.exclude(user__email__endswith=DEMO_DOMAIN).exists()
    assert not registrations.filter(
        organisation__isnull=False, organisation__is_demo=False
    ).exists()
    assert registrations.filter(organisation__isnull=False).exists()
    for e in events:
        assert e.is_demo and "Демонстрационно" in e.description
        assert e.organisation is None or e.organisation.is_demo
        assert e.network is None or e.network.is_demo


def test_the_demo_ngo_account_organises_the_trainings(events):
    ngo = User.objects.get(email="ngo@demo.eregion.bg")
    assert all(ngo.has_perm("events.manage_event", e) for e in trainings())
    # The trainees speak for organisations they represent.
    for r in trainings()[0].registrations.select_related("organisation"):
        assert r.organisation is not None
        assert RoleAssignment.objects.for_scope(r.organisation).filter(user=r.user).exists()


def test_the_api_lists_them(client, events):
    body = client.get("/api/v1/events", {"page_size": 500}).json()
    assert {e.pk for e in events} <= {i["id"] for i in body["items"]}
    raw = client.get("/api/v1/events", {"page_size": 500}).content.decode()
    assert "uchastnik" not in raw and "@" not in raw
