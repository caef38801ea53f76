from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from news.services import publish_due


class Command(BaseCommand):
    help = (
        "Publish the scheduled news whose time has come and tell their followers (run every "
        "few minutes; the public sees such items from their time even before)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        published = publish_due()
        if options["verbosity"]:
            self.stdout.write(f"News published: {published}")
