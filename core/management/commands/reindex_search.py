"""Rebuild the search index, of every kind or of the kinds named: after an upgrade that changes
what a kind's entries hold (loaders skip unchanged data, so they would not)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import search


class Command(BaseCommand):
    help = "Rebuild the search index (all kinds, or those named, e.g. directory.service)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kinds", nargs="*", help="kinds to rebuild (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        known = {k.kind for k in search.kinds()}
        wanted = options["kinds"] or sorted(known)
        unknown = [k for k in wanted if k not in known]
        if unknown:
            raise CommandError(
                f"Unknown kinds: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        for kind in wanted:
            count = search.reindex(kind)
            if options["verbosity"] > 0:
                self.stdout.write(f"{kind}: {count} entries")
