"""Generate the directory's entries from the territory and data/directory/ (see services.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from directory.services import generate


class Command(BaseCommand):
    help = "Create or update the directory entries of every official structure (idempotent)."
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", help="folder with the contact files (data/directory)")
        parser.add_argument("--force", action="store_true", help="regenerate even if unchanged")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"]) if options.get("data_dir") else None
        verbose = options["verbosity"] > 0
        with translation.override(settings.LANGUAGE_CODE):
            report = generate(
                data_dir, force=options["force"], progress=self.stdout.write if verbose else None
            )
            if not verbose:
                return
            if report.skipped:
                self.stdout.write(_("Directory unchanged since the last run: skipped."))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        _(
                            "Directory generated in %(seconds).1f s "
                            "(new: %(created)s, changed: %(updated)s)."
                        )
                        % {
                            "seconds": report.seconds,
                            "created": report.created,
                            "updated": report.updated,
                        }
                    )
                )
