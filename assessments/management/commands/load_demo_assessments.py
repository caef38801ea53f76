"""Load the demo content of the assessments (assessments/demo.py). Never in production."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo content of the assessments (fictional answers, marked is_demo) in the "
        "portal's scope: a published first round with ~250 responses and its recommendations, "
        "and an open second round; idempotent. Run after load_demo and "
        "load_assessment_questionnaires."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_assessments refuses to run with production settings "
                "(ENVIRONMENT=production): demo content must never appear on a live portal."
            )
        started = time.monotonic()
        try:
            result = load()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["verbosity"]:
            return
        made = (
            f"{len(result.campaigns)} campaigns, {result.submitted} submitted and "
            f"{result.started} started responses, {result.invitations} invitations, "
            f"{result.recommendations} recommendations"
        )
        if not result.campaigns:
            made = "nothing new"
        already = f"; already there: {len(result.skipped)} campaigns" if result.skipped else ""
        self.stdout.write(
            f"Demo assessments: {made}{already}. Done in {time.monotonic() - started:.1f} s."
        )
