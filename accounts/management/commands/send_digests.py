from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.enums import Frequency
from accounts.notifications import send_digests


class Command(BaseCommand):
    help = "Send the daily or weekly digest e-mail to everyone with pending notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency", required=True, choices=[Frequency.DAILY, Frequency.WEEKLY]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people, items = send_digests(options["frequency"])
        if options["verbosity"]:
            self.stdout.write(f"Digests queued: {people} people, {items} items.")
