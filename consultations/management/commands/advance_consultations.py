from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consultations.services import open_and_close_due


class Command(BaseCommand):
    help = "Open scheduled consultations whose time has come; close those whose period ended."

    def handle(self, *args: Any, **options: Any) -> None:
        opened, closed = open_and_close_due()
        self.stdout.write(f"Opened: {opened}, closed: {closed}")
