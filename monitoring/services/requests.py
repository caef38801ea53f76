"""Workflows of the monitoring app: requests (being built)."""

from __future__ import annotations

from datetime import date


def check_deadlines(today: date) -> int:
    """The daily check (manage.py check_monitoring_deadlines): mark what became overdue on
    `today`, tell the people concerned once, refresh the index; the number of records marked."""
    return 0
