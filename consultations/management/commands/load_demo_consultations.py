from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consultations.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo consultations (fictional, marked is_demo) in the portal's scope; "
        "idempotent. Run after load_demo and load_demo_organisations."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_consultations refuses to run with production settings: demo content "
                "must never appear on a live portal."
            )
        try:
            result = load()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(
                f"Demo consultations: {len(result.created)} created, "
                f"{len(result.skipped)} already there."
            )
