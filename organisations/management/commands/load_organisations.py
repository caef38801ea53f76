"""Load the real register entries of the catalogue (see organisations/loader.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.loader import LoadError, load


class Command(BaseCommand):
    help = "Load the community centres' register into the catalogue (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir", help="folder with the register files (data/organisations)"
        )
        parser.add_argument("--force", action="store_true", help="reload even if unchanged")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"]) if options.get("data_dir") else None
        verbose = options["verbosity"] > 0
        try:
            report = load(
                data_dir, force=options["force"], progress=self.stdout.write if verbose else None
            )
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        if report.skipped:
            self.stdout.write("Organisations unchanged since the last load: skipped.")
            return
        for note, count in sorted(report.notes.items()):
            self.stdout.write(f"  {note}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Organisations loaded in {report.seconds:.1f} s "
                f"(new: {report.created}, changed: {report.updated})."
            )
        )
