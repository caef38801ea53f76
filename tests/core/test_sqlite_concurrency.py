"""SQLite with the portal's settings: concurrent writers queue instead of failing.

Each writer reads a counter and writes it back inside a transaction: the pattern that fails
with "database is locked" under SQLite's default deferred transactions, when two readers try
to upgrade to writers at once. With the settings' IMMEDIATE mode and busy timeout they queue.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite-specific locking behaviour",
)

ALIAS = "parallel"
WRITERS = 8
INCREMENTS = 25


@contextmanager
def database(path: Path, options: dict) -> Iterator[None]:
    """A second database alias on a file, used through Django's own connection handling."""
    config = {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": options, "TEST": {}}
    default = settings.DATABASES["default"]
    connections.settings[ALIAS] = connections.configure_settings(
        {"default": default, ALIAS: config}
    )[ALIAS]
    try:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
            cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
        yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]  # the handler caches the wrapper per thread
        del connections.settings[ALIAS]


def run_writers() -> list[BaseException]:
    """WRITERS threads, each doing INCREMENTS read-modify-write transactions."""
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(INCREMENTS):
                with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                    cursor.execute("SELECT n FROM counter WHERE id = 1")
                    (n,) = cursor.fetchone()
                    cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def counter() -> int:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        return int(cursor.fetchone()[0])


def test_parallel_writers_never_fail_with_database_locked(tmp_path, django_db_blocker):
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    with django_db_blocker.unblock(), database(tmp_path / "parallel.sqlite3", options):
        errors = run_writers()
        assert errors == []
        # No lost update either: every read-modify-write happened in turn.
        assert counter() == WRITERS * INCREMENTS


def test_without_immediate_transactions_the_same_load_fails(tmp_path, django_db_blocker):
    """The control: SQLite's default deferred transactions lose this race."""
    options = {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    with django_db_blocker.unblock(), database(tmp_path / "deferred.sqlite3", options):
        errors = run_writers()
    assert any(isinstance(e, OperationalError) and "locked" in str(e) for e in errors)


def test_wal_mode_and_busy_timeout_are_active(tmp_path, django_db_blocker):
    options = settings.DATABASES["default"]["OPTIONS"]
    with (
        django_db_blocker.unblock(),
        database(tmp_path / "wal.sqlite3", options),
        connections[ALIAS].cursor() as cursor,
    ):
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 30000
