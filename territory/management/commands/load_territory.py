"""Load Bulgaria's territorial structure from data/territory/ (idempotent; see loader.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from territory.loader import DataError, load


class Command(BaseCommand):
    help = "Load provinces, municipalities, settlements, mayoralties and maps from data/territory/."
    # Progress is shown in the portal's default language (Bulgarian), with its number format.
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir", help="folder with the converted files (default: data/territory)"
        )
        parser.add_argument("--force", action="store_true", help="reload even if nothing changed")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"]) if options.get("data_dir") else None
        verbose = options["verbosity"] > 0
        with translation.override(settings.LANGUAGE_CODE):
            try:
                report = load(
                    data_dir,
                    force=options["force"],
                    progress=self.stdout.write if verbose else None,
                )
            except DataError as exc:
                raise CommandError(str(exc)) from exc
            if not verbose:
                return
            if report.skipped:
                self.stdout.write(_("Territory unchanged since the last load: skipped."))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Territory loaded in %(seconds).1f s.") % {"seconds": report.seconds}
                    )
                )
