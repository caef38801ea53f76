"""The daily check of the monitoring's deadlines: information requests and proposals or signals
still waiting for the institution after their statutory deadline, and commitments whose
deadline passed unfinished, are marked overdue; the people concerned hear of it once; the
responsiveness index of each institution touched is refreshed (each workflow's
`check_deadlines(today)` does its part and says how many records it marked).

Run once a day (cron, README "Production"; `make run` runs it once a minute). Idempotent: a
record is marked once, so a second run the same day marks and sends nothing. `--date`
checks as of another day (catching up after an outage, or tests); by default today in Sofia.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.services import commitments, common, requests, signals

logger = logging.getLogger(__name__)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: not a date in the form YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = "Mark overdue information requests, proposals, signals and commitments (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=_date,
            default=None,
            help="Check as of this day (YYYY-MM-DD); by default today in Sofia.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: datetime.date = options["date"] or common.today()
        checks = (
            ("Information requests", requests.check_deadlines),
            ("Proposals and signals", signals.check_deadlines),
            ("Commitments", commitments.check_deadlines),
        )
        failed = []
        for label, check in checks:
            # One part failing must not keep the others from their daily check; the command
            # still fails at the end, so cron reports it.
            try:
                marked = check(day)
            except Exception:
                logger.exception("check_monitoring_deadlines: %s failed", label)
                failed.append(label)
                continue
            if options["verbosity"]:
                self.stdout.write(f"{label} marked overdue on {day:%Y-%m-%d}: {marked}")
        if failed:
            raise CommandError(f"The check failed for: {', '.join(failed)} (see the log).")
