"""Moves between states (services.transition) and the automatic opening and closing
(services.open_and_close_due, `manage.py advance_consultations`)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from consultations.enums import TRANSITIONS, State
from consultations.models import Consultation, StateChange
from consultations.services import TransitionError, open_and_close_due, transition
from core.legal_calendar import SOFIA, deadline_end
from tests.factories.accounts import UserFactory
from tests.factories.consultations import ConsultationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def make(state: str, **fields) -> Consultation:
    return ConsultationFactory(state=state, with_draft=False, **fields)


# --- transition ------------------------------------------------------------------------------


def test_an_allowed_move_is_recorded_with_who_and_why() -> None:
    official = UserFactory()
    c = make(State.DRAFT)
    moved = transition(c, State.SCHEDULED, by=official, note="Готово за публикуване")
    assert moved.state == State.SCHEDULED
    c.refresh_from_db()
    assert c.state == State.SCHEDULED
    change = StateChange.objects.get(consultation=c)
    assert (change.from_state, change.to_state) == (State.DRAFT, State.SCHEDULED)
    assert change.by == official
    assert change.note == "Готово за публикуване"
    assert abs((timezone.now() - change.at).total_seconds()) < 60


def test_fields_are_set_with_the_move() -> None:
    c = make(State.OPEN)
    transition(c, State.WITHDRAWN, by=UserFactory(), note="x", withdrawn_reason="Отпадна нуждата")
    c.refresh_from_db()
    assert (c.state, c.withdrawn_reason) == (State.WITHDRAWN, "Отпадна нуждата")


def test_an_anonymous_or_missing_actor_is_recorded_as_automatic() -> None:
    c = make(State.DRAFT)
    transition(c, State.OPEN, by=AnonymousUser())
    assert StateChange.objects.get(consultation=c).by is None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (State.DRAFT, State.CLOSED),
        (State.DRAFT, State.ADOPTED),
        (State.OPEN, State.DRAFT),
        (State.OPEN, State.SCHEDULED),
        (State.CLOSED, State.OPEN),
        (State.REPORT_PUBLISHED, State.OPEN),
        (State.ADOPTED, State.WITHDRAWN),
        (State.WITHDRAWN, State.OPEN),
        # Never published: it goes back to draft, it is not withdrawn in public.
        (State.DRAFT, State.WITHDRAWN),
        (State.SCHEDULED, State.WITHDRAWN),
    ],
)
def test_refused_moves_change_nothing(start: str, target: str) -> None:
    c = make(start)
    with pytest.raises(TransitionError) as error:
        transition(c, target, by=UserFactory())
    assert "cannot become" in str(error.value) or "не може" in str(error.value)
    c.refresh_from_db()
    assert c.state == start
    assert not StateChange.objects.filter(consultation=c).exists()


def test_every_allowed_move_works() -> None:
    for start, targets in TRANSITIONS.items():
        for target in targets:
            c = make(start)
            assert transition(c, target).state == target


def test_the_state_is_read_again_so_a_stale_object_cannot_move_twice() -> None:
    c = make(State.SCHEDULED)
    stale = Consultation.objects.get(pk=c.pk)
    transition(c, State.OPEN, note="first")
    with pytest.raises(TransitionError):
        transition(stale, State.DRAFT)  # the object in memory still says "scheduled"
    assert StateChange.objects.filter(consultation=c).count() == 1


# --- automatic opening and closing -----------------------------------------------------------


def sofia(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SOFIA)


def test_scheduled_ones_open_when_their_time_comes() -> None:
    now = sofia(2026, 11, 23, 9, 0)
    due = make(State.SCHEDULED, opens_at=now - datetime.timedelta(minutes=1))
    exact = make(State.SCHEDULED, opens_at=now)
    later = make(State.SCHEDULED, opens_at=now + datetime.timedelta(minutes=1))
    draft = make(State.DRAFT, opens_at=now - datetime.timedelta(days=1))
    assert open_and_close_due(now) == (2, 0)
    states = dict(Consultation.objects.values_list("pk", "state"))
    assert states[due.pk] == states[exact.pk] == State.OPEN
    assert states[later.pk] == State.SCHEDULED
    assert states[draft.pk] == State.DRAFT
    change = StateChange.objects.get(consultation=due)
    assert change.by is None and change.from_state == State.SCHEDULED and change.note


def test_open_ones_stay_open_until_the_end_of_their_last_day_in_sofia() -> None:
    last_day = datetime.date(2026, 12, 23)
    c = make(State.OPEN, closes_on=last_day)
    # The whole last day, to its last second in Sofia (ГПК чл. 62, ал. 1), it stays open.
    assert open_and_close_due(sofia(2026, 12, 23, 0, 0)) == (0, 0)
    assert open_and_close_due(deadline_end(last_day)) == (0, 0)
    # 22:00:01 UTC on the last day is already the next day in Sofia (+02:00): it closes.
    assert open_and_close_due(datetime.datetime(2026, 12, 23, 22, 0, 1, tzinfo=UTC)) == (0, 1)
    c.refresh_from_db()
    assert c.state == State.CLOSED
    change = StateChange.objects.get(consultation=c)
    assert (change.from_state, change.to_state, change.by) == (State.OPEN, State.CLOSED, None)


def test_summer_time_last_day() -> None:
    c = make(State.OPEN, closes_on=datetime.date(2026, 7, 10))
    # 20:59 UTC = 23:59 Sofia (+03:00): still open; 21:00 UTC = 00:00 on the 11th: closed.
    assert open_and_close_due(datetime.datetime(2026, 7, 10, 20, 59, tzinfo=UTC)) == (0, 0)
    assert open_and_close_due(datetime.datetime(2026, 7, 10, 21, 0, tzinfo=UTC)) == (0, 1)
    c.refresh_from_db()
    assert c.state == State.CLOSED


def test_a_consultation_whose_last_day_is_today_is_still_open() -> None:
    today = timezone.now().astimezone(SOFIA).date()
    open_today = make(State.OPEN, closes_on=today)
    ended = make(State.OPEN, closes_on=today - datetime.timedelta(days=1))
    assert open_and_close_due() == (0, 1)
    assert Consultation.objects.get(pk=open_today.pk).state == State.OPEN
    assert Consultation.objects.get(pk=ended.pk).state == State.CLOSED


def test_running_again_does_nothing_more() -> None:
    now = sofia(2026, 11, 23, 9, 0)
    make(State.SCHEDULED, opens_at=now - datetime.timedelta(hours=1))
    make(State.OPEN, closes_on=datetime.date(2026, 11, 22))
    assert open_and_close_due(now) == (1, 1)
    assert open_and_close_due(now) == (0, 0)
    assert StateChange.objects.count() == 2


def test_other_states_are_left_alone() -> None:
    past = datetime.date(2020, 1, 1)
    for state in (State.CLOSED, State.REPORT_PUBLISHED, State.ADOPTED, State.WITHDRAWN):
        make(state, closes_on=past, opens_at=sofia(2019, 12, 1, 9, 0))
    assert open_and_close_due() == (0, 0)
    assert not StateChange.objects.exists()


def test_the_command_opens_and_closes() -> None:
    today = timezone.now().astimezone(SOFIA).date()
    scheduled = make(State.SCHEDULED, opens_at=timezone.now() - datetime.timedelta(minutes=5))
    ended = make(State.OPEN, closes_on=today - datetime.timedelta(days=1))
    still_open = make(State.OPEN, closes_on=today)
    out = io.StringIO()
    call_command("advance_consultations", stdout=out)
    assert "Opened: 1, closed: 1" in out.getvalue()
    states = dict(Consultation.objects.values_list("pk", "state"))
    assert states[scheduled.pk] == State.OPEN
    assert states[ended.pk] == State.CLOSED
    assert states[still_open.pk] == State.OPEN
    out = io.StringIO()
    call_command("advance_consultations", stdout=out)
    assert "Opened: 0, closed: 0" in out.getvalue()
