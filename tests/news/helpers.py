"""Counting the queries of one request, for the guards that they stay flat as data grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


def count_queries(call: Callable[[], Any]) -> int:
    # The connection's log is a bounded deque: emptied first, so that a long test cannot
    # fill it and make the count read zero.
    reset_queries()
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)
