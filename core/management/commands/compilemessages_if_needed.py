"""Compile translations only where a .po file is newer than its .mo (keeps `make run` quick).

The compiled .mo files are committed too, so a machine without GNU gettext still runs the
portal in Bulgarian; tests/core/test_translations.py keeps them in step with the .po files.
"""

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po files whose .mo is missing or older."

    def handle(self, *args: Any, **options: Any) -> None:
        stale = []
        for locale_dir in settings.LOCALE_PATHS:
            for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo = po.with_suffix(".mo")
                if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                    stale.append(po.parent.parent.name)
        if stale and shutil.which("msgfmt") is None:
            self.stderr.write(
                "GNU gettext (msgfmt) is not installed: using the committed compiled "
                "translations. Install gettext to compile changed .po files."
            )
            return
        if stale:
            # Without `ignore`, compilemessages walks the whole tree, the virtualenv included.
            call_command(
                "compilemessages",
                locale=sorted(set(stale)),
                ignore_patterns=[".venv", "var", "node_modules", "bench"],
                verbosity=0,
            )
            self.stdout.write(f"Compiled translations: {', '.join(sorted(set(stale)))}")
