"""Fill the Bulgarian catalogue from JSON files of translations, then compile it.

    .venv/bin/python scripts/translate.py locale/fragments/*.json

Each file maps an English msgid to its Bulgarian msgstr ({"Monitoring": "Мониторинг"}); a
plural entry maps to a list of the two forms, and a string with a context is written
"context\u0004msgid". Run `make messages` first so the catalogue holds every string of the
code; this sets the translations given (also over fuzzy guesses, whose flag it removes),
reports the strings still untranslated or fuzzy, and compiles the .mo. Other entries are
left as they are.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale" / "bg" / "LC_MESSAGES" / "django.po"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _parse(block: list[str]) -> dict[str, str]:
    """The keyword fields of one entry (msgctxt, msgid, msgid_plural, msgstr, msgstr[0]...)."""
    fields: dict[str, str] = {}
    key = None
    for line in block:
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is not None:
                fields[key] += _unquote(line)
            continue
        key = line.split(" ", 1)[0]
        fields[key] = _unquote(line)
    return fields


def _render(block: list[str], fields: dict[str, str], translation: str | list[str]) -> list[str]:
    comments = [line for line in block if line.startswith("#")]
    flags = [c for c in comments if c.startswith("#,")]
    # "#|" lines hold the msgid a fuzzy guess came from: gone with the guess.
    others = [c for c in comments if not c.startswith(("#,", "#|"))]
    kept_flags = []
    for flag_line in flags:
        names = [f.strip() for f in flag_line[2:].split(",") if f.strip() != "fuzzy"]
        names = [n for n in names if n]
        if names:
            kept_flags.append("#, " + ", ".join(names))
    out = others + kept_flags
    if "msgctxt" in fields:
        out.append("msgctxt " + _quote(fields["msgctxt"]))
    out.append("msgid " + _quote(fields["msgid"]))
    if "msgid_plural" in fields:
        out.append("msgid_plural " + _quote(fields["msgid_plural"]))
        forms = translation if isinstance(translation, list) else [translation, translation]
        out += [f"msgstr[{i}] " + _quote(form) for i, form in enumerate(forms)]
    else:
        if isinstance(translation, list):
            raise SystemExit(f"{fields['msgid']!r} is not a plural entry")
        out.append("msgstr " + _quote(translation))
    return out


def main(paths: list[str]) -> int:
    translations: dict[str, str | list[str]] = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    text = PO.read_text(encoding="utf-8")
    blocks = [b.splitlines() for b in text.split("\n\n")]
    used = set()
    for i, block in enumerate(blocks):
        fields = _parse(block)
        if not fields.get("msgid"):
            continue
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = fields["msgctxt"] + "\u0004" + key
        if key in translations:
            blocks[i] = _render(block, fields, translations[key])
            used.add(key)
    PO.write_text("\n\n".join("\n".join(b) for b in blocks), encoding="utf-8")
    unused = sorted(set(translations) - used)
    if unused:
        print(f"{len(unused)} translations matched no string of the catalogue (moved or gone):")
        for key in unused[:20]:
            print("   ", key)
    report = (
        subprocess.run(
            ["msgattrib", "--untranslated", "--no-wrap", str(PO)], capture_output=True, text=True
        ).stdout
        + subprocess.run(
            ["msgattrib", "--only-fuzzy", "--no-wrap", str(PO)], capture_output=True, text=True
        ).stdout
    )
    missing = [
        line for line in report.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
    ]
    for line in missing:
        print("still to translate:", line[6:])
    subprocess.run(["msgfmt", "--check", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
