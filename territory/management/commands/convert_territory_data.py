"""Re-create data/territory/ from the shared reference data (see data/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from territory.convert import convert


class Command(BaseCommand):
    help = "Convert NSI EKATTE tables and NIK-GEO boundaries into data/territory/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="the shared data folder")
        parser.add_argument("--target", default=str(Path(settings.BASE_DIR) / "data" / "territory"))

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        if not (source / "admin_divisions").is_dir() or not (source / "boundaries").is_dir():
            raise CommandError(f"{source} has no admin_divisions/ and boundaries/ folders.")
        for name, count in convert(source, Path(options["target"])).items():
            self.stdout.write(f"{name}: {count}")
