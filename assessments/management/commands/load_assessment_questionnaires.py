"""Load the seeded dimensions and questionnaires of the assessments (assessments/seed.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.seed import SeedError, load_questionnaires


class Command(BaseCommand):
    help = (
        "Load the assessment dimensions and the first version of each seeded questionnaire "
        "(data/assessments/questionnaires.json); idempotent, never changes a questionnaire "
        "that exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help="another questionnaires file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="apply the file's dimensions even if the file is unchanged since the last load",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]) if options.get("path") else None
        try:
            result = load_questionnaires(path, force=options["force"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if not options["verbosity"]:
            return
        if result.skipped:
            self.stdout.write("Assessment questionnaires unchanged since the last load: skipped.")
            return
        dims = (
            f"dimensions: {len(result.dimensions_created)} created"
            + (f" ({', '.join(result.dimensions_created)})" if result.dimensions_created else "")
            + f", {len(result.dimensions_updated)} updated"
            + (f" ({', '.join(result.dimensions_updated)})" if result.dimensions_updated else "")
        )
        made = ", ".join(
            f"{family} ({count} questions)"
            for family, count in result.questionnaires_created.items()
        )
        kept = ", ".join(result.questionnaires_kept)
        self.stdout.write(f"Assessment questionnaires: {dims}.")
        self.stdout.write(f"  created as version 1, ready for use: {made or 'none'}")
        if kept:
            self.stdout.write(f"  already there, left unchanged: {kept}")
