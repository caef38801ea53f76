"""E-mail the coordinators of each network about tasks of its work plan that became overdue.

Run once a day (cron or the task worker's schedule). Each task is reported once
(`Task.overdue_notified_at`); moving its deadline makes it eligible again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from organisations.networks import notify_overdue


class Command(BaseCommand):
    help = "Tell network coordinators by e-mail about work-plan tasks that became overdue."

    def handle(self, *args: Any, **options: Any) -> None:
        count = notify_overdue()
        if options["verbosity"]:
            self.stdout.write(f"Overdue tasks reported to coordinators: {count}")
