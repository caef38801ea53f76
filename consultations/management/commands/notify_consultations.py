from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consultations.notices import send_due_notices


class Command(BaseCommand):
    help = (
        "Tell followers of a place, an institution or a topic that a consultation opened or "
        "closes in three days (each notice once; run by cron every few minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_notices()
        if options["verbosity"]:
            self.stdout.write(f"Opened notices: {sent.opened}, closing notices: {sent.closing}")
