"""The daily mail of events: a reminder the day before (Sofia) to every confirmed participant,
and the feedback form's link to those who attended an event that ended in the last two weeks.

Run once a day, e.g. in the morning (cron or the task worker's schedule). Idempotent: each
registration is reminded once (`Registration.reminded_at`) and asked for feedback once
(`Registration.feedback_requested_at`), so a second run sends nothing new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from events.services import request_feedback, send_reminders


class Command(BaseCommand):
    help = "Send reminders the day before events and feedback requests after them."

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = send_reminders()
        requests = request_feedback()
        if options["verbosity"]:
            self.stdout.write(f"Reminders sent: {reminders}")
            self.stdout.write(f"Feedback requests sent: {requests}")
