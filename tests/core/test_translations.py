"""Every user-facing string has its Bulgarian translation (Bulgarian is the default language)."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "bg" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs GNU gettext")


def _entries(*flags: str, path: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", *flags, "--no-wrap", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def test_catalogue_covers_every_string_in_the_code_and_translates_it(tmp_path):
    """Re-extract the strings from the source and compare: nothing missing, nothing untranslated."""
    backup = tmp_path / "django.po"
    shutil.copy2(PO, backup)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "bg", "--no-location",
             "--no-obsolete", "-i", ".venv/*", "-i", "var/*", "-i", "bench/*", "-i", "tests/*",
             "-i", "scripts/*", "-i", "data/*"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        extracted = tmp_path / "extracted.po"
        shutil.copy2(PO, extracted)
    finally:
        shutil.copy2(backup, PO)
    assert _entries("--untranslated", path=extracted) == []
    assert _entries("--only-fuzzy", path=extracted) == []


def test_formats_of_the_translations_match_their_originals():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_committed_compiled_catalogue_matches_the_po_file(tmp_path):
    """The .mo in the repository (used where gettext is not installed) is up to date."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    with fresh.open("rb") as a, PO.with_suffix(".mo").open("rb") as b:
        expected = gettext.GNUTranslations(a)._catalog  # type: ignore[attr-defined]
        committed = gettext.GNUTranslations(b)._catalog  # type: ignore[attr-defined]
    assert committed == expected, "run `make messages` and commit locale/bg/LC_MESSAGES/django.mo"
