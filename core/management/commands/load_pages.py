"""manage.py load_pages: the pages of information that are missing (never overwrites edits)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.pages import load_pages


class Command(BaseCommand):
    help = "Create the missing pages of information from data/pages/."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_pages()
        if options["verbosity"]:
            self.stdout.write(f"Pages of information: {created} created.")
