"""Registrations really in parallel: threads released together by a barrier, each with its own
database connection, against a committed database (transactional tests).

On SQLite the test database is in memory with a shared cache, where a second connection's
write fails at once ("database table is locked") instead of waiting for the lock: not what
the portal runs on. The tests therefore copy it to a file with SQLite's backup API and point
every connection (this thread's and the workers') at the file, with the portal's own options
(WAL, IMMEDIATE transactions, busy timeout): the same locking as in production.

On PostgreSQL the workers hold at most PG_CONNECTIONS connections at once (as a server with a
bounded pool would), so that the test stays under `max_connections` while other test runs
share the server; the 100 requests still race for the same event row.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.models import Count, Q

from accounts.models import User
from events import services
from events.enums import ACTIVE_REGISTRATION_STATES, RegistrationState
from events.models import Event, Registration, RegistrationChange
from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRMED = RegistrationState.CONFIRMED
WAITING = RegistrationState.WAITING
PG_CONNECTIONS = 40


@contextmanager
def file_database(tmp_path: Path) -> Iterator[None]:
    """On in-memory SQLite: move this test onto a file copy of the test database."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "parallel.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    original_settings = connections.settings["default"]
    original_connection = connections["default"]
    # A new dict: the in-memory connection keeps its own (closing it would lose the database).
    connections.settings["default"] = {**original_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original_settings
        connections["default"] = original_connection


def in_parallel(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run each job in its own thread, all released at once; each thread uses (and closes) its
    own connection."""
    barrier = threading.Barrier(len(jobs))
    bounded = connections["default"].vendor == "postgresql"
    pool = threading.BoundedSemaphore(PG_CONNECTIONS) if bounded else None
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            with pool or nullcontext():
                try:
                    outcome = job()
                finally:
                    connections["default"].close()
            with lock:
                results.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results, errors


def registering(event_pk: int, user: User) -> Callable[[], Registration]:
    def job() -> Registration:
        event = Event.objects.get(pk=event_pk)
        return services.register(event, user, services.Answers(name=f"Участник {user.pk}"))

    return job


def cancelling(registration_pk: int) -> Callable[[], Registration]:
    def job() -> Registration:
        registration = Registration.objects.get(pk=registration_pk)
        return services.cancel_registration(registration, by=registration.user)

    return job


def assert_invariants(event: Event) -> None:
    """Counters equal the rows; no place is free while someone waits; one active registration
    a person; each registration's history is an unbroken chain ending in its state."""
    event.refresh_from_db()
    fresh = Registration.objects.filter(event=event).aggregate(
        c=Count("pk", filter=Q(state=CONFIRMED)),
        w=Count("pk", filter=Q(state=WAITING)),
        p=Count("pk", filter=Q(state=RegistrationState.PENDING)),
    )
    assert (event.confirmed_count, event.waiting_count, event.pending_count) == (
        fresh["c"],
        fresh["w"],
        fresh["p"],
    )
    assert event.capacity is not None
    assert event.confirmed_count <= event.capacity
    if event.waiting_count:
        assert event.confirmed_count == event.capacity
    active = (
        Registration.objects.filter(event=event, state__in=ACTIVE_REGISTRATION_STATES)
        .values("user")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not active.exists()
    changes: dict[int, list[RegistrationChange]] = {}
    for change in RegistrationChange.objects.filter(registration__event=event).order_by("at", "pk"):
        changes.setdefault(change.registration_id, []).append(change)
    for registration in Registration.objects.filter(event=event):
        chain = changes[registration.pk]
        assert chain[0].from_state == ""
        for before, after in itertools.pairwise(chain):
            assert after.from_state == before.to_state
        assert chain[-1].to_state == registration.state


def test_100_people_at_once_for_20_places(territory, tmp_path, mailbox):
    with file_database(tmp_path):
        event = EventFactory(capacity=20)
        users = UserFactory.create_batch(100)
        results, errors = in_parallel([registering(event.pk, user) for user in users])

        assert errors == []
        assert len(results) == 100
        registrations = Registration.objects.filter(event=event)
        assert registrations.count() == 100
        assert registrations.values("user").distinct().count() == 100
        assert registrations.filter(state=CONFIRMED).count() == 20
        assert registrations.filter(state=WAITING).count() == 80
        event.refresh_from_db()
        assert (event.confirmed_count, event.waiting_count, event.pending_count) == (20, 80, 0)
        assert RegistrationChange.objects.filter(registration__event=event).count() == 100
        # The waiting list has one clear order: no two people share a place in it.
        order = list(registrations.waiting_in_order().values_list("pk", flat=True))
        assert len(order) == len(set(order)) == 80
        assert_invariants(event)
        assert len(mailbox.messages) == 100
        assert {str(m["To"]) for m in mailbox.messages} == {u.email for u in users}


def test_cancels_and_registrations_mixed_keep_the_invariants(territory, tmp_path, mailbox):
    with file_database(tmp_path):
        event = EventFactory(capacity=10)
        first = [
            services.register(event, user, services.Answers(name=f"Първи {user.pk}"))
            for user in UserFactory.create_batch(20)
        ]
        assert event.confirmed_count == 10 and event.waiting_count == 10
        chooser = random.Random(6)  # fixed: a failure can be replayed
        leaving = chooser.sample(first, 15)
        newcomers = UserFactory.create_batch(15)
        jobs = [cancelling(r.pk) for r in leaving] + [registering(event.pk, u) for u in newcomers]
        chooser.shuffle(jobs)
        mailbox.clear()
        results, errors = in_parallel(jobs)

        assert errors == []
        assert len(results) == 30
        assert Registration.objects.filter(event=event).count() == 35
        assert (
            Registration.objects.filter(pk__in=[r.pk for r in leaving])
            .exclude(state=RegistrationState.CANCELLED)
            .count()
            == 0
        )
        # 20 - 15 stayed, 15 came: 20 people want 10 places.
        event.refresh_from_db()
        assert (event.confirmed_count, event.waiting_count) == (10, 10)
        assert_invariants(event)
        # Everyone promoted from the waiting list was told.
        promoted = Registration.objects.filter(
            event=event, changes__from_state=WAITING, changes__to_state=CONFIRMED
        ).select_related("user")
        for registration in promoted:
            assert registration.user.email in {str(m["To"]) for m in mailbox.messages}


def test_the_same_person_submitting_ten_times_at_once_is_registered_once(territory, tmp_path):
    with file_database(tmp_path):
        event = EventFactory(capacity=5)
        user = UserFactory()
        results, errors = in_parallel([registering(event.pk, user) for _ in range(10)])

        assert len(results) == 1
        assert len(errors) == 9
        assert all(isinstance(e, services.RegistrationError) for e in errors)
        assert Registration.objects.filter(event=event).count() == 1
        event.refresh_from_db()
        assert event.confirmed_count == 1
        assert_invariants(event)
