"""Load the demo organisations and networks (organisations/demo.py). Never in production."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations.demo import load


class Command(BaseCommand):
    help = (
        "Create ~300 fictional demo organisations in the portal's scope and three demo "
        "networks with work plans (idempotent; development and demos only)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_organisations refuses to run with production settings: demo content "
                "must never mix with a live portal's catalogue."
            )
        verbose = options["verbosity"] > 0
        started = time.monotonic()
        report = load(self.stdout.write if verbose else None)
        for note in report.notes:
            self.stderr.write(note)
        if not verbose:
            return
        self.stdout.write(
            f"Demo organisations: {report.organisations_created} new, "
            f"{report.organisations_updated} changed."
        )
        for name in report.networks:
            self.stdout.write(f"  demo network: {name}")
        self.stdout.write(f"Demo tasks added: {report.tasks_created}")
        if report.representative:
            self.stdout.write(
                f"{report.representative} represents the coordinator of the main network."
            )
        else:
            self.stdout.write("No demo account ngo@demo.eregion.bg (run load_demo first).")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
