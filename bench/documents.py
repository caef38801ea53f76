"""`python bench/documents.py`: time the printable directories, in DATABASE_URL's database.

Prints `DOCUMENTS_JSON {...}`: for Plovdiv province (the issue's goal: under 10 s), the province
with the most entries, and one municipality, the seconds (wall and CPU), pages, size and
queries of one PDF each (directory.pdf.time_pdf; nothing is stored).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

GOAL_SECONDS = 10
UNITS = ("PDV", "KRZ", "PDV22")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from directory.pdf import time_pdf

    print("DOCUMENTS_JSON " + json.dumps({code: time_pdf(code) for code in UNITS}))


if __name__ == "__main__":
    main()
