"""manage.py load_library: the library's seed content (data/library/), idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from library import seed


class Command(BaseCommand):
    help = "Load the portal's handbook and the good-practice examples into the library."

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        found = seed.load(progress=self.stdout.write if verbose else (lambda _m: None))
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Library: {found.created} created, {found.updated} updated, "
                    f"{found.unchanged} unchanged."
                )
            )
