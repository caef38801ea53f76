"""Load the demo events (events/demo.py). Never in production."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo events (fictional, marked is_demo): the programme of trainings for NGOs, "
        "the discussions of the model in Sofia, Pleven and Sliven and a public hearing; "
        "idempotent. Run after load_demo, load_demo_organisations and load_demo_consultations."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_events refuses to run with production settings: demo content must "
                "never appear on a live portal."
            )
        started = time.monotonic()
        result = load()
        for note in result.notes:
            self.stderr.write(note)
        if not options["verbosity"]:
            return
        for title in result.created:
            self.stdout.write(f"  demo event: {title}")
        self.stdout.write(
            f"Demo events: {len(result.created)} created, {len(result.skipped)} already there; "
            f"{result.registrations} registrations, {result.attendances} check-ins, "
            f"{result.certificates} certificates, {result.feedback} feedback forms."
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
