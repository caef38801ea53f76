"""manage.py import_strategy_bg CONSULTATIONS_FILE [COMMENTS_FILE]: strategy.bg's history."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.history import import_export
from consultations.strategy_bg import ExportError


class Command(BaseCommand):
    help = (
        "Import the consultations (and comments) of strategy.bg's open-data exports; a second "
        "run with the same files changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("consultations", help="ConsultationssCSVExport.csv")
        parser.add_argument("comments", nargs="?", help="CommentsCSVExport.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        last = [-1]

        def progress(percent: int) -> None:
            if percent // 10 != last[0] and options["verbosity"] > 0:
                last[0] = percent // 10
                sys.stderr.write(f"{percent}%\n")

        try:
            with open(options["consultations"], "rb") as consultations:
                if options["comments"]:
                    with open(options["comments"], "rb") as comments:
                        report = import_export(consultations, comments, progress)
                else:
                    report = import_export(consultations, None, progress)
        except OSError as e:
            raise CommandError(str(e)) from e
        except ExportError as e:
            raise CommandError(f"{e} Nothing was imported.") from e
        out = self.stdout.write
        out(
            f"Consultations: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.held} waiting for a municipality to be "
            f"chosen, {len(report.test_entries)} test entries kept unpublished."
        )
        out(
            f"Comments: {report.comments_created} new, {report.comments_updated} updated, "
            f"{report.comments_unchanged} unchanged, {report.comments_held} waiting."
        )
        for category in report.categories_to_resolve:
            out(f"To resolve: „{category['name']}“ ({category['id']}): {category['problem']}")
        for item in report.skipped:
            out(f"Skipped: {item['file']}, line {item['line']}: {item['reason']}")
        out(f"Done in {time.monotonic() - started:.1f} s.")
