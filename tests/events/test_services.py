"""events/services.py: who may register (the whole ladder of refusals), places, the waiting list
and its promotion, approval, invitations, cancelling an event, check-in and certificates. Each
workflow is checked on stored state: the registrations, their history rows and the event's
counters (which must always equal a fresh count)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from events import selectors, services
from events.enums import Audience, Kind, RegistrationState, State
from events.models import (
    Attendance,
    Certificate,
    Event,
    Invitation,
    Registration,
    RegistrationChange,
)
from events.services import Answers, RegistrationError
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory, sofia
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

CONFIRMED = RegistrationState.CONFIRMED
WAITING = RegistrationState.WAITING
PENDING = RegistrationState.PENDING
CANCELLED = RegistrationState.CANCELLED
DECLINED = RegistrationState.DECLINED


def answers(user: User, **kw) -> Answers:
    return Answers(name=f"{user.first_name} {user.last_name} {user.pk}", **kw)


def join(event: Event, user: User | None = None, **kw) -> Registration:
    user = user or UserFactory()
    code = kw.pop("invitation_code", "")
    return services.register(event, user, answers(user, **kw), invitation_code=code)


def assert_counters_true(event: Event) -> None:
    """The stored counters equal a fresh count of the rows."""
    event.refresh_from_db()
    fresh = Registration.objects.filter(event=event).aggregate(
        c=Count("pk", filter=Q(state=CONFIRMED)),
        w=Count("pk", filter=Q(state=WAITING)),
        p=Count("pk", filter=Q(state=PENDING)),
    )
    assert (event.confirmed_count, event.waiting_count, event.pending_count) == (
        fresh["c"],
        fresh["w"],
        fresh["p"],
    )


def history(registration: Registration) -> list[tuple[str, str]]:
    return list(registration.changes.order_by("at", "pk").values_list("from_state", "to_state"))


@pytest.fixture
def event(territory) -> Event:
    return EventFactory(capacity=2)


@pytest.fixture
def organiser(territory) -> User:
    user = UserFactory()
    staff_of(generated(), user)
    return user


# --- The ladder of refusals -----------------------------------------------------------------------


def refusal(event: Event, user: User | None = None, **kw) -> str:
    with override("en"):
        return services.registration_refusal(event, user or UserFactory(), **kw)


def test_a_published_open_event_with_places_takes_a_citizen(event):
    assert refusal(event) == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": State.DRAFT}, "This event is not published."),
        ({"state": State.CANCELLED}, "This event has been cancelled."),
        (
            {"registration_closes_at": timezone.now() - datetime.timedelta(minutes=1)},
            "Registration for this event has closed.",
        ),
    ],
)
def test_refused_when_not_published_or_closed(territory, change, message):
    event = EventFactory(**change)
    assert refusal(event) == message
    with pytest.raises(RegistrationError), override("en"):
        join(event)
    assert not Registration.objects.filter(event=event).exists()


def test_refused_before_the_window_opens_with_the_date(territory):
    opens = sofia(2099, 3, 2, 10, 15)
    event = EventFactory(
        registration_opens_at=opens,
        starts_at=sofia(2099, 4, 1),
        ends_at=sofia(2099, 4, 1, 17),
        registration_closes_at=None,
    )
    assert refusal(event) == "Registration opens on 02.03.2099 г., 10:15 ч."


def test_without_a_closing_time_registration_closes_when_the_event_starts(territory):
    start = timezone.now() - datetime.timedelta(hours=1)
    event = EventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_closes_at=None,
        registration_opens_at=None,
    )
    assert refusal(event) == "Registration for this event has closed."
    # The same event an hour earlier was open.
    assert refusal(event, now=start - datetime.timedelta(hours=1)) == ""


def test_anonymous_is_asked_to_sign_in(event):
    from django.contrib.auth.models import AnonymousUser

    with override("en"):
        assert services.registration_refusal(event, AnonymousUser()) == "Sign in to register."


def test_refused_twice_but_welcome_again_after_cancelling(event):
    user = UserFactory()
    first = join(event, user)
    assert refusal(event, user) == "You are already registered for this event."
    with pytest.raises(RegistrationError) as refused, override("en"):
        join(event, user)
    assert str(refused.value) == "You are already registered for this event."
    services.cancel_registration(first, by=user)
    again = join(event, user)
    assert again.pk != first.pk and again.state == CONFIRMED
    assert Registration.objects.filter(event=event, user=user).count() == 2
    assert_counters_true(event)


def test_a_duplicate_that_slips_past_the_check_is_caught_by_the_constraint(event, monkeypatch):
    """The partial unique index is the last word: a race that passed the check gets the same
    message, and nothing is half-written (no second row, no history, counters right)."""
    user = UserFactory()
    join(event, user)
    monkeypatch.setattr(services, "registration_refusal", lambda *a, **kw: "")
    with pytest.raises(RegistrationError) as refused, override("en"):
        join(event, user)
    assert str(refused.value) == "You are already registered for this event."
    assert Registration.objects.filter(event=event, user=user).count() == 1
    assert RegistrationChange.objects.filter(registration__event=event).count() == 1
    assert_counters_true(event)
    assert event.confirmed_count == 1


def test_representatives_only(territory):
    event = EventFactory(audience=Audience.REPRESENTATIVES)
    citizen = UserFactory()
    assert refusal(event, citizen) == (
        "Only verified representatives of organisations may register for this event."
    )
    representative = UserFactory()
    organisation = OrganisationFactory()
    representative_of(organisation, representative)
    assert refusal(event, representative) == ""
    registration = join(event, representative, organisation=organisation)
    assert registration.organisation == organisation
    # The organisation's name is copied when the person did not type one.
    assert registration.organisation_name == organisation.display_name


def test_a_revoked_representation_no_longer_counts(territory):
    event = EventFactory(audience=Audience.REPRESENTATIVES)
    user = UserFactory()
    representative_of(OrganisationFactory(), user).revoke()
    user = User.objects.get(pk=user.pk)
    assert refusal(event, user) != ""


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (None, False),
        (Role.ORGANISATION_REPRESENTATIVE, False),
        (Role.MODERATOR, False),
        (Role.INSTITUTION_STAFF, True),
        (Role.COUNCILLOR, True),
    ],
)
def test_officials_only(territory, role, allowed):
    event = EventFactory(audience=Audience.OFFICIALS)
    user = UserFactory()
    if role:
        RoleAssignment.objects.create(user=user, role=role, scope=generated("mc:PDV22"))
    expected = (
        ""
        if allowed
        else "Only staff of institutions and municipal councillors may register for this event."
    )
    assert refusal(event, user) == expected


def test_registering_for_an_organisation_needs_its_representation(event):
    user = UserFactory()
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    representative_of(mine, user)
    with pytest.raises(RegistrationError) as refused, override("en"):
        join(event, user, organisation=theirs)
    assert "verified representative" in str(refused.value)
    assert not Registration.objects.filter(event=event).exists()
    assert join(event, user, organisation=mine, organisation_name="Моето").organisation == mine


# --- Invitations ----------------------------------------------------------------------------------


@pytest.fixture
def invitation_event(territory) -> Event:
    return EventFactory(audience=Audience.INVITATION, capacity=5)


INVITATION_ONLY = (
    "This event is by invitation only. Open the link in your invitation while signed in with "
    "the e-mail address it was sent to."
)


def test_invitation_ladder(invitation_event, organiser, mailbox):
    guest = UserFactory(email="Guest.Person@Example.org")
    other = UserFactory()
    (invitation,) = services.invite(invitation_event, ["guest.person@example.ORG"], by=organiser)
    assert invitation.email == "guest.person@example.org"
    assert invitation.invited_by == organiser
    # No code, a wrong code, somebody else's address: refused.
    assert refusal(invitation_event, guest) == INVITATION_ONLY
    assert refusal(invitation_event, guest, invitation_code="NOPE") == INVITATION_ONLY
    assert refusal(invitation_event, other, invitation_code=invitation.code) == INVITATION_ONLY
    # The invited address (in any case) with its code: welcome.
    assert refusal(invitation_event, guest, invitation_code=invitation.code) == ""
    registration = join(invitation_event, guest, invitation_code=invitation.code)
    assert registration.state == CONFIRMED
    invitation.refresh_from_db()
    assert invitation.used_by == registration
    # Used: a second account with the same code gets nowhere, the holder is registered.
    assert refusal(invitation_event, other, invitation_code=invitation.code) == INVITATION_ONLY
    # After cancelling, the same invitation lets its holder back in.
    services.cancel_registration(registration, by=guest)
    assert refusal(invitation_event, guest, invitation_code=invitation.code) == ""


def test_an_invitation_of_another_event_does_not_open_this_one(invitation_event, organiser):
    guest = UserFactory()
    elsewhere = EventFactory(audience=Audience.INVITATION)
    (invitation,) = services.invite(elsewhere, [guest.email], by=organiser)
    assert refusal(invitation_event, guest, invitation_code=invitation.code) == INVITATION_ONLY


def test_invite_skips_addresses_already_invited_and_sends_each_a_link(
    invitation_event, organiser, mailbox
):
    first = services.invite(invitation_event, ["a@example.org", "b@example.org"], by=organiser)
    assert len(first) == 2
    again = services.invite(
        invitation_event, ["A@example.org", "c@example.org", "c@example.org", " "], by=organiser
    )
    assert [i.email for i in again] == ["c@example.org"]
    assert Invitation.objects.filter(event=invitation_event).count() == 3
    assert len(mailbox.to("a@example.org")) == 1
    (message,) = mailbox.to("c@example.org")
    (code,) = Invitation.objects.filter(email="c@example.org").values_list("code", flat=True)
    assert f"/events/{invitation_event.pk}/register/?invitation={code}" in mailbox.body(message)


def test_invite_refuses_bad_addresses_and_writes_nothing(invitation_event, organiser, mailbox):
    with pytest.raises(RegistrationError) as refused, override("en"):
        services.invite(invitation_event, ["good@example.org", "not-an-address"], by=organiser)
    assert "not-an-address" in str(refused.value)
    assert not Invitation.objects.exists()
    assert mailbox.messages == []


def test_no_invitations_to_a_draft_a_cancelled_or_an_ended_event(invitation_event, organiser):
    draft = EventFactory(audience=Audience.INVITATION, state=State.DRAFT)
    ended = EventFactory(
        audience=Audience.INVITATION, starts_at=sofia(2025, 1, 5), ends_at=sofia(2025, 1, 5, 17)
    )
    services.cancel_event(invitation_event, by=organiser, reason="Болест")
    for event in (draft, ended, invitation_event):
        with pytest.raises(RegistrationError):
            services.invite(event, ["a@example.org"], by=organiser)
    assert not Invitation.objects.exists()


# --- Places, counters, history --------------------------------------------------------------------


def test_places_then_waiting_list_with_counters_and_history(event):
    people = [join(event) for _ in range(4)]
    assert [r.state for r in people] == [CONFIRMED, CONFIRMED, WAITING, WAITING]
    assert people[2].waiting_since <= people[3].waiting_since
    event.refresh_from_db()
    assert (event.confirmed_count, event.waiting_count, event.pending_count) == (2, 2, 0)
    assert event.places_left == 0
    assert_counters_true(event)
    for registration in people:
        change = registration.changes.get()
        assert (change.from_state, change.to_state) == ("", registration.state)
        assert change.by == registration.user
    assert [selectors.waiting_position(r) for r in people] == [None, None, 1, 2]


def test_the_callers_event_sees_the_new_counters(event):
    join(event)
    assert event.confirmed_count == 1


def test_unlimited_capacity_confirms_everybody(territory):
    event = EventFactory(capacity=None)
    states = {join(event).state for _ in range(6)}
    assert states == {CONFIRMED}
    event.refresh_from_db()
    assert event.confirmed_count == 6 and event.places_left is None


def test_stale_counters_are_recounted_under_the_lock(event):
    """Rows written by hand (a fixture, an import) leave the counters at 0: the next change
    recounts them, so the places already taken are not given again."""
    RegistrationFactory.create_batch(2, event=event)
    assert Event.objects.get(pk=event.pk).confirmed_count == 0
    assert join(event).state == WAITING
    assert_counters_true(event)


def test_answers_are_stored(event):
    user = UserFactory()
    registration = services.register(
        event,
        user,
        Answers(
            name="  Мария Георгиева  ",
            organisation_name="Читалище „Светлина“",
            position="секретар",
            accessibility_needs="Достъп с инвалидна количка",
            answer="Интересуват ме застъпническите кампании.",
        ),
    )
    registration.refresh_from_db()
    assert registration.name == "Мария Георгиева"
    assert registration.organisation_name == "Читалище „Светлина“"
    assert registration.position == "секретар"
    assert registration.accessibility_needs == "Достъп с инвалидна количка"
    assert registration.answer.startswith("Интересуват")
    assert len(registration.code) == 8


def test_an_empty_name_falls_back_to_the_account(event):
    user = UserFactory(first_name="Петя", last_name="Дубарова")
    registration = services.register(event, user, Answers(name="  "))
    assert registration.name == "Петя Дубарова"


# --- Cancelling and the waiting list --------------------------------------------------------------


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(event, mailbox):
    a, b, c, d = (join(event) for _ in range(4))
    mailbox.clear()
    services.cancel_registration(b, by=b.user)
    b.refresh_from_db()
    c.refresh_from_db()
    d.refresh_from_db()
    assert (b.state, c.state, d.state) == (CANCELLED, CONFIRMED, WAITING)
    assert history(b) == [("", CONFIRMED), (CONFIRMED, CANCELLED)]
    assert history(c) == [("", WAITING), (WAITING, CONFIRMED)]
    promotion = c.changes.last()
    assert promotion.by is None and promotion.reason
    assert selectors.waiting_position(d) == 1
    event.refresh_from_db()
    assert (event.confirmed_count, event.waiting_count) == (2, 1)
    assert_counters_true(event)
    # The cancelled one and the promoted one each get their e-mail; nobody else.
    assert len(mailbox.to(b.user.email)) == 1
    assert len(mailbox.to(c.user.email)) == 1
    assert mailbox.to(a.user.email) == mailbox.to(d.user.email) == []


def test_the_waiting_list_is_served_in_order_of_joining(event):
    join(event), join(event)
    waiting = [join(event) for _ in range(3)]
    # Joined in the order of waiting_since, then pk: make the last one the earliest.
    Registration.objects.filter(pk=waiting[2].pk).update(
        waiting_since=waiting[0].waiting_since - datetime.timedelta(minutes=5)
    )
    first_confirmed = Registration.objects.filter(event=event, state=CONFIRMED).first()
    services.cancel_registration(first_confirmed)
    assert Registration.objects.get(pk=waiting[2].pk).state == CONFIRMED
    assert Registration.objects.get(pk=waiting[0].pk).state == WAITING


def test_cancelling_a_waiting_or_pending_one_promotes_nobody(event):
    join(event), join(event)
    waiting, behind = join(event), join(event)
    services.cancel_registration(waiting, by=waiting.user)
    assert Registration.objects.get(pk=behind.pk).state == WAITING
    assert_counters_true(event)
    event.refresh_from_db()
    assert (event.confirmed_count, event.waiting_count) == (2, 1)


def test_no_promotion_once_the_event_has_started(territory):
    start = timezone.now() - datetime.timedelta(hours=1)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=8), capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, state=WAITING, waiting_since=timezone.now())
    services.cancel_registration(confirmed, by=confirmed.user)
    assert Registration.objects.get(pk=waiting.pk).state == WAITING
    assert_counters_true(event)


def test_cancelling_twice_is_harmless_and_declined_is_final(event, organiser, mailbox):
    registration = join(event)
    services.cancel_registration(registration)
    again = services.cancel_registration(registration)
    assert again.state == CANCELLED
    assert registration.changes.count() == 2
    approval = EventFactory(requires_approval=True)
    pending = join(approval)
    services.decline(pending, by=organiser)
    with pytest.raises(RegistrationError):
        services.cancel_registration(pending)


def test_cancelled_by_the_organiser_is_recorded_as_such(event, organiser):
    registration = join(event)
    services.cancel_registration(registration, by=organiser)
    change = registration.changes.last()
    assert change.by == organiser and change.to_state == CANCELLED
    assert change.reason == _("Cancelled by the organiser.")


def test_raising_the_capacity_gives_the_places_to_the_waiting_list_first(event, mailbox):
    join(event), join(event)
    waiting = [join(event) for _ in range(3)]
    Event.objects.filter(pk=event.pk).update(capacity=4)
    event.refresh_from_db()
    promoted = services.fill_places(event)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert Registration.objects.get(pk=waiting[2].pk).state == WAITING
    assert len(mailbox.to(waiting[0].user.email)) == 2  # waiting, then promoted
    assert_counters_true(event)


def test_a_newcomer_does_not_jump_the_queue_when_places_appear(event):
    join(event), join(event)
    waiting = join(event)
    Event.objects.filter(pk=event.pk).update(capacity=3)
    newcomer = join(event)
    assert Registration.objects.get(pk=waiting.pk).state == CONFIRMED
    assert newcomer.state == WAITING
    assert_counters_true(event)


# --- Approval -------------------------------------------------------------------------------------


@pytest.fixture
def approval_event(territory) -> Event:
    return EventFactory(requires_approval=True, capacity=1)


def test_approval_flow(approval_event, organiser, mailbox):
    first, second, third = (join(approval_event) for _ in range(3))
    assert {first.state, second.state, third.state} == {PENDING}
    approval_event.refresh_from_db()
    assert approval_event.pending_count == 3 and approval_event.confirmed_count == 0

    services.approve(first, by=organiser)
    services.approve(second, by=organiser)  # the only place is taken: waiting
    services.decline(third, by=organiser, reason="Само за представители на читалища.")
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.state, second.state, third.state) == (CONFIRMED, WAITING, DECLINED)
    assert history(second) == [("", PENDING), (PENDING, WAITING)]
    assert second.changes.last().by == organiser
    decline_row = third.changes.last()
    assert decline_row.reason == "Само за представители на читалища."
    approval_event.refresh_from_db()
    assert (
        approval_event.confirmed_count,
        approval_event.waiting_count,
        approval_event.pending_count,
    ) == (1, 1, 0)
    assert_counters_true(approval_event)
    # Each got: received, then the decision.
    for registration in (first, second, third):
        assert len(mailbox.to(registration.user.email)) == 2

    # The confirmed one cancels: the approved waiting one moves up.
    services.cancel_registration(first, by=first.user)
    assert Registration.objects.get(pk=second.pk).state == CONFIRMED


def test_decisions_that_are_not_allowed(approval_event, organiser):
    registration = join(approval_event)
    services.approve(registration, by=organiser)
    with pytest.raises(RegistrationError):
        services.decline(registration, by=organiser)  # confirmed: only cancelling
    with pytest.raises(RegistrationError):
        services.approve(registration, by=organiser)
    declined = join(approval_event)
    services.decline(declined, by=organiser)
    with pytest.raises(RegistrationError):
        services.approve(declined, by=organiser)
    assert history(declined) == [("", PENDING), (PENDING, DECLINED)]
    assert_counters_true(approval_event)


def test_approving_a_waiting_one_without_a_place_keeps_it_waiting(approval_event, organiser):
    first, second = join(approval_event), join(approval_event)
    services.approve(first, by=organiser)
    services.approve(second, by=organiser)
    with pytest.raises(RegistrationError):
        services.approve(second, by=organiser)
    assert Registration.objects.get(pk=second.pk).state == WAITING


def test_the_registration_checked_is_the_stored_one_not_a_stale_copy(event, organiser):
    registration = join(event)
    stale = Registration.objects.get(pk=registration.pk)
    services.cancel_registration(registration)
    with pytest.raises(RegistrationError):
        services.decline(stale, by=organiser)  # it is cancelled by now
    assert Registration.objects.get(pk=registration.pk).state == CANCELLED


# --- Publishing and cancelling the event ----------------------------------------------------------


def test_publish_a_draft(territory, organiser):
    event = EventFactory(state=State.DRAFT, published_at=None)
    assert refusal(event) != ""
    services.publish(event, by=organiser)
    assert event.state == State.PUBLISHED and event.published_at is not None
    stored = Event.objects.get(pk=event.pk)
    assert stored.state == State.PUBLISHED and stored.published_at == event.published_at
    published_at = stored.published_at
    services.publish(stored, by=organiser)  # again: nothing changes
    assert Event.objects.get(pk=event.pk).published_at == published_at
    assert refusal(stored) == ""


def test_a_cancelled_event_is_not_published_again(event, organiser):
    services.cancel_event(event, by=organiser, reason="Няма зала")
    with pytest.raises(RegistrationError):
        services.publish(event, by=organiser)
    assert Event.objects.get(pk=event.pk).state == State.CANCELLED


def test_cancel_event_tells_every_active_registrant_and_keeps_their_states(
    event, organiser, mailbox
):
    confirmed = [join(event) for _ in range(2)]
    waiting = join(event)
    gone = join(event)
    services.cancel_registration(gone, by=gone.user)
    mailbox.clear()
    services.cancel_event(event, by=organiser, reason="Залата е наводнена.")
    stored = Event.objects.get(pk=event.pk)
    assert stored.state == State.CANCELLED
    assert stored.cancelled_reason == "Залата е наводнена."
    for registration in (*confirmed, waiting):
        assert len(mailbox.to(registration.user.email)) == 1
        assert Registration.objects.get(pk=registration.pk).state == registration.state
    assert mailbox.to(gone.user.email) == []
    assert_counters_true(event)
    # No more registrations, no promotions, no check-in.
    assert refusal(stored) == "This event has been cancelled."
    services.cancel_registration(confirmed[0])
    assert Registration.objects.get(pk=waiting.pk).state == WAITING
    with pytest.raises(RegistrationError):
        fresh = Registration.objects.select_related("event").get(pk=confirmed[1].pk)
        services.check_in(fresh, stored.days[0], by=organiser)


def test_cancel_event_needs_a_reason_and_is_idempotent(event, organiser, mailbox):
    join(event)
    with pytest.raises(RegistrationError):
        services.cancel_event(event, by=organiser, reason="  ")
    assert Event.objects.get(pk=event.pk).state == State.PUBLISHED
    services.cancel_event(event, by=organiser, reason="Болест")
    mailbox.clear()
    services.cancel_event(event, by=organiser, reason="Пак")
    assert mailbox.messages == []
    assert Event.objects.get(pk=event.pk).cancelled_reason == "Болест"


def test_an_event_that_has_ended_cannot_be_cancelled(territory, organiser):
    past = EventFactory(starts_at=sofia(2024, 5, 6), ends_at=sofia(2024, 5, 6, 17))
    with pytest.raises(RegistrationError):
        services.cancel_event(past, by=organiser, reason="късно")


# --- Check-in -------------------------------------------------------------------------------------


def test_check_in_confirmed_on_a_day_of_the_event_idempotent(event, organiser):
    registration = join(event)
    first_day, second_day = event.days
    attendance = services.check_in(registration, first_day, by=organiser)
    assert attendance.checked_in_by == organiser and attendance.day == first_day
    again = services.check_in(registration, first_day, by=organiser)
    assert again.pk == attendance.pk
    services.check_in(registration, second_day, by=organiser)
    assert Attendance.objects.filter(registration=registration).count() == 2
    services.undo_check_in(registration, first_day)
    services.undo_check_in(registration, first_day)  # nothing left: no error
    assert list(registration.attendances.values_list("day", flat=True)) == [second_day]


def test_check_in_refuses_other_days_and_other_states(event, organiser):
    confirmed = join(event)
    join(event)
    waiting = join(event)
    with pytest.raises(RegistrationError):
        services.check_in(confirmed, event.days[0] - datetime.timedelta(days=1), by=organiser)
    with pytest.raises(RegistrationError):
        services.check_in(waiting, event.days[0], by=organiser)
    cancelled = join(EventFactory())
    services.cancel_registration(cancelled)
    cancelled.refresh_from_db()
    with pytest.raises(RegistrationError):
        services.check_in(cancelled, cancelled.event.days[0], by=organiser)
    assert not Attendance.objects.exists()


# --- Certificates ---------------------------------------------------------------------------------


@pytest.fixture
def finished_training(territory) -> Event:
    """A two-day training held in May 2025 (ended)."""
    return EventFactory(
        kind=Kind.TRAINING,
        starts_at=sofia(2025, 5, 20, 9, 30),
        ends_at=sofia(2025, 5, 21, 16, 30),
        registration_opens_at=sofia(2025, 5, 1),
        registration_closes_at=sofia(2025, 5, 19),
        hours=16,
    )


def test_certificates_only_for_full_attendance(finished_training, organiser, mailbox):
    day1, day2 = finished_training.days
    both = RegistrationFactory(event=finished_training, name="Анна Стоянова")
    one_day = RegistrationFactory(event=finished_training)
    never = RegistrationFactory(event=finished_training)
    cancelled_late = RegistrationFactory(event=finished_training)
    for day in (day1, day2):
        services.check_in(both, day, by=organiser)
        services.check_in(cancelled_late, day, by=organiser)
    services.check_in(one_day, day1, by=organiser)
    Registration.objects.filter(pk=cancelled_late.pk).update(state=CANCELLED)

    issued = services.issue_certificates(finished_training, by=organiser)
    assert [c.registration_id for c in issued] == [both.pk]
    certificate = Certificate.objects.get()
    assert certificate.name == "Анна Стоянова"
    assert certificate.event_title == finished_training.title
    assert (certificate.first_day, certificate.last_day) == (
        datetime.date(2025, 5, 20),
        datetime.date(2025, 5, 21),
    )
    assert certificate.hours == 16
    assert certificate.organiser_name == str(finished_training.organiser)
    assert len(certificate.code) == 12
    assert len(mailbox.to(both.user.email)) == 1
    assert mailbox.to(one_day.user.email) == mailbox.to(never.user.email) == []

    # Idempotent: nothing new, no second e-mail; the one who comes back for day 2 later
    # (attendance entered from the paper sheet) gets hers on the next run.
    assert services.issue_certificates(finished_training, by=organiser) == []
    services.check_in(one_day, day2, by=organiser)
    (late,) = services.issue_certificates(finished_training, by=organiser)
    assert late.registration_id == one_day.pk
    assert Certificate.objects.count() == 2
    assert len(mailbox.to(both.user.email)) == 1


def test_no_certificates_before_the_end_or_for_other_kinds(territory, organiser, finished_training):
    with pytest.raises(RegistrationError):
        services.issue_certificates(EventFactory(kind=Kind.TRAINING), by=organiser)
    seminar = EventFactory(
        kind=Kind.SEMINAR, starts_at=finished_training.starts_at, ends_at=finished_training.ends_at
    )
    with pytest.raises(RegistrationError):
        services.issue_certificates(seminar, by=organiser)
    assert not Certificate.objects.exists()


def test_attendance_outside_the_event_days_does_not_count(finished_training, organiser):
    registration = RegistrationFactory(event=finished_training)
    services.check_in(registration, finished_training.days[0], by=organiser)
    # A stray row for another day (written by hand) must not make up for the missing one.
    Attendance.objects.create(registration=registration, day=datetime.date(2025, 5, 22))
    assert services.issue_certificates(finished_training) == []
