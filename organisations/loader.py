"""load_organisations: the real register entries that start the catalogue.

For now the only public register the project holds is the Ministry of Culture's register of
community centres (народни читалища), copied in data/organisations/ (provenance in
data/README.md). Entries come in unclaimed and unverified, keyed by (source, register number),
so a repeated load updates instead of duplicating, and is skipped altogether when neither the
file nor the territory changed (core.DataLoad checksum). One transaction: a bad file leaves
the catalogue as it was. The taxonomies (fields of activity, target groups) are seeded too.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core import search
from core.eik import is_valid_eik
from core.models import DataLoad
from organisations.enums import SEED_FIELDS, SEED_TARGET_GROUPS, LegalForm, RegisterStatus
from organisations.models import FieldOfActivity, Organisation, TargetGroup
from territory.models import Settlement

DATA_LOAD_NAME = "organisations"
LOADER_VERSION = "1"
CC_FILE = "community_centres.csv"
CC_SOURCE = "Регистър на народните читалища (Министерство на културата)"
CC_COLUMNS = {
    "reg_no", "eik", "eik_valid", "eik_duplicate", "name", "status", "municipality_code",
    "settlement_ekatte", "address", "postal_code", "website", "year_in_name", "register_url",
    "record_source",
}  # fmt: skip
# The snapshot each record_source stands for (data/README.md).
SOURCE_DATES = {
    "register-2023-05": "2023-05",
    "register-2023-10": "2023-10",
    "map-2026-01": "2026-01",
}
# Fields the loader owns; once someone represents the entry, its contacts are theirs.
REGISTER_FIELDS = ["name", "legal_form", "register_status", "source", "source_url", "source_date"]
CONTACT_FIELDS = ["eik", "settlement_id", "address", "postal_code", "website", "year_founded"]


class LoadError(Exception):
    """A file that cannot be loaded, with the place of the problem."""


@dataclass
class Report:
    skipped: bool = False
    created: int = 0
    updated: int = 0
    total: int = 0
    seconds: float = 0.0
    notes: Counter[str] = field(default_factory=Counter)


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "organisations"


def checksum(data_dir: Path) -> str:
    digest = hashlib.sha256(LOADER_VERSION.encode())
    digest.update((data_dir / CC_FILE).read_bytes())
    territory = DataLoad.objects.filter(name="territory").values_list("checksum", flat=True).first()
    digest.update((territory or "").encode())
    return digest.hexdigest()


def seed_taxonomies() -> None:
    """Create the seeded fields and target groups that are missing; never rename edited ones."""
    have = set(FieldOfActivity.objects.values_list("slug", flat=True))
    FieldOfActivity.objects.bulk_create(
        FieldOfActivity(slug=slug, name_bg=bg, name_en=en, order=order)
        for slug, bg, en, order in SEED_FIELDS
        if slug not in have
    )
    have = set(TargetGroup.objects.values_list("slug", flat=True))
    TargetGroup.objects.bulk_create(
        TargetGroup(slug=slug, name_bg=bg, name_en=en, order=order)
        for slug, bg, en, order in SEED_TARGET_GROUPS
        if slug not in have
    )


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = CC_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise LoadError(f"{path.name}: missing columns: {', '.join(sorted(missing))}")
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    for line, row in enumerate(rows, start=2):
        if not row["name"].strip():
            raise LoadError(f"{path.name}, line {line}: no name")
    return rows


def source_key(row: dict[str, str]) -> str:
    """The register number; a digest of name and seat for an entry listed without one."""
    number = row["reg_no"].strip()
    if number:
        return number
    seed = f"{row['name'].strip()}|{row['settlement_ekatte'].strip()}".encode()
    return "no-number:" + hashlib.sha256(seed).hexdigest()[:16]


def eik_holders(rows: list[dict[str, str]]) -> dict[str, str]:
    """For each EIK the register lists under several numbers, the number that keeps it: the
    active entry, else the lowest number (the others are usually closed duplicates)."""
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["eik_duplicate"] == "true" and row["eik"].strip():
            groups.setdefault(row["eik"].strip(), []).append(row)
    return {
        eik: min(group, key=lambda r: (r["status"] != "active", int(r["reg_no"] or 0)))["reg_no"]
        for eik, group in groups.items()
    }


def _values(
    row: dict[str, str], settlements: set[str], holders: dict[str, str], notes: Counter[str]
) -> dict[str, object]:
    eik = row["eik"].strip()
    # Wrong check digits (probable typos in the register) are left out, and an EIK listed
    # under several numbers stays on one entry: the catalogue's EIK is unique and must be right.
    if eik and (row["eik_valid"] != "true" or not is_valid_eik(eik)):
        notes["EIK with wrong check digits left out"] += 1
        eik = ""
    if eik in holders and holders[eik] != row["reg_no"]:
        notes["EIK listed under another number left out"] += 1
        eik = ""
    address = row["address"].strip()
    # A seat that names an apartment is most likely someone's home: not shown (data/README.md).
    if "ап." in address:
        notes["address naming an apartment left out"] += 1
        address = ""
    ekatte = row["settlement_ekatte"].strip()
    if ekatte and ekatte not in settlements:
        raise LoadError(f"unknown EKATTE {ekatte} (register number {row['reg_no']})")
    year = row["year_in_name"].strip()
    return {
        "name": row["name"].strip()[:300],
        "legal_form": LegalForm.COMMUNITY_CENTRE,
        "register_status": row["status"].strip()
        if row["status"].strip() in RegisterStatus.values
        else "",
        "source": CC_SOURCE,
        "source_url": row["register_url"].strip()[:500],
        "source_date": SOURCE_DATES.get(row["record_source"].strip(), ""),
        "eik": eik or None,
        "settlement_id": ekatte or None,
        "address": address[:300],
        "postal_code": row["postal_code"].strip()[:4],
        "website": row["website"].strip()[:200],
        "year_founded": int(year) if year.isdigit() and 1800 <= int(year) <= 2100 else None,
    }


def load(
    data_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Report:
    started = time.monotonic()
    data_dir = data_dir or default_data_dir()
    say = progress or (lambda _msg: None)
    digest = checksum(data_dir)
    existing_count = Organisation.objects.filter(source=CC_SOURCE).count()
    if not force:
        done = DataLoad.objects.filter(name=DATA_LOAD_NAME, checksum=digest).first()
        if done and existing_count == done.summary.get("register_entries"):
            return Report(skipped=True, seconds=time.monotonic() - started)
    rows = _read(data_dir / CC_FILE)
    report = Report(total=len(rows))
    settlements = set(Settlement.objects.values_list("ekatte", flat=True))
    holders = eik_holders(rows)
    with transaction.atomic():
        seed_taxonomies()
        existing = {o.source_key: o for o in Organisation.objects.filter(source=CC_SOURCE)}
        new: list[Organisation] = []
        changed: list[Organisation] = []
        for row in rows:
            values = _values(row, settlements, holders, report.notes)
            key = source_key(row)
            obj = existing.pop(key, None)
            if obj is None:
                new.append(
                    Organisation(source_key=key, register_number=row["reg_no"].strip(), **values)
                )
                continue
            owned = REGISTER_FIELDS + ([] if obj.is_claimed else CONTACT_FIELDS)
            if any(getattr(obj, f) != values[f] for f in owned):
                for f in owned:
                    setattr(obj, f, values[f])
                changed.append(obj)
        Organisation.objects.bulk_create(new, batch_size=500)
        fields = [
            f.removesuffix("_id") if f == "settlement_id" else f
            for f in REGISTER_FIELDS + CONTACT_FIELDS
        ]
        Organisation.objects.bulk_update(changed, fields, batch_size=500)
        report.created, report.updated = len(new), len(changed)
        say(f"Community centres: {len(rows)} rows, {len(new)} new, {len(changed)} changed")
        indexed = search.reindex("organisations.organisation")
        say(f"Search index: {indexed} organisations")
        DataLoad.objects.update_or_create(
            name=DATA_LOAD_NAME,
            defaults={"checksum": digest, "summary": {"register_entries": len(rows)}},
        )
    report.seconds = time.monotonic() - started
    return report
