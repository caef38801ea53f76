"""Load the demo content of monitoring (monitoring/demo.py). Never in production."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo content of monitoring (fictional, marked is_demo) in the portal's scope: "
        "~400 information requests, ~100 proposals and signals, ~60 commitments of councils and "
        "two monitoring reports; idempotent. Run after load_demo, load_demo_organisations and "
        "load_demo_consultations."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_monitoring refuses to run with production settings "
                "(ENVIRONMENT=production): demo content must never appear on a live portal."
            )
        started = time.monotonic()
        try:
            result = load()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for note in result.notes:
            self.stderr.write(note)
        if not options["verbosity"]:
            return
        made = (
            f"{result.requests} information requests ({result.request_events} timeline entries), "
            f"{result.signals} proposals and signals ({result.signal_events}), "
            f"{result.commitments} commitments ({result.commitment_updates} updates, "
            f"{result.ratings} ratings), {result.reports} reports"
        )
        if not (result.requests or result.signals or result.commitments or result.reports):
            made = "nothing new"
        already = f"; already there: {', '.join(result.skipped)}" if result.skipped else ""
        self.stdout.write(
            f"Demo monitoring: {made}{already}. Done in {time.monotonic() - started:.1f} s."
        )
