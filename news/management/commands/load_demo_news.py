from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from news.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo news (fictional, marked is_demo); idempotent. Run after load_demo and "
        "load_demo_organisations."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo_news refuses to run with production settings: demo content must "
                "never appear on a live portal."
            )
        result = load()
        if options["verbosity"]:
            self.stdout.write(
                f"Demo news: {len(result.created)} created, {len(result.skipped)} already there."
            )
