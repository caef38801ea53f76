"""generate_directory: one entry per official structure of the territory, with real contacts.

The structures themselves follow from the law and EKATTE (every province has a regional
administration, every municipality an administration and a council, every mayoralty and
city district its administration) and, for the territorial units of state bodies (РЗИ, РУО,
РИОСВ), from the lists in domain-rules §6.4. Contacts come only from the copied sources in
data/directory/ (see data/README.md); nothing else is filled in. The run is idempotent
(entries are keyed by `generated_key`), happens in one transaction, and is skipped when
neither the sources nor the territory changed since the last run (core.DataLoad checksum).
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import search
from core.models import DataLoad
from directory import enums
from directory.models import Institution, InstitutionKind
from directory.search import KIND as SEARCH_KIND
from directory.search import SERVICE_KIND as SERVICE_SEARCH_KIND
from territory.models import CityDistrict, Mayoralty, Municipality, Province

DATA_LOAD_NAME = "directory"
# Bump when the generation rules change, so the next run regenerates even with equal files.
GENERATOR_VERSION = "2"
EKATTE_SOURCE = "Структура по ЕКАТТЕ (НСИ), генерирана на 15.04.2026; контакти: няма данни"
EKATTE_DATE = "2026-04-15"
IISDA_SOURCE = "Административен регистър (iisda.government.bg), страница {id}"
IISDA_DATE = "2026-05-28"
# Known errors of the mayors' e-mail file (data/README.md): the register operator's own address,
# and an e-mail matched to the wrong Бяла. Both are treated as unknown.
IGNORED_EMAILS = {"ras@government.bg"}
IGNORED_MUNICIPALITIES = {"VAR05"}

# Territorial units of state bodies (domain-rules §6.4). No contact dataset exists for them
# (data/README.md, "Not found"): the entries carry the structure and the basis for it only.
RZI_SOURCE = (
    "Регионалните здравни инспекции (РЗИ) – по една във всяка област, напр. "
    "https://www.rzi-vt.bg ; https://rzi-dobrich.egov.bg ; https://rzi-shumen.egov.bg ; "
    "https://www.rzibl.org ; контакти: няма данни"
)
RUO_SOURCE = (
    "Регионалните управления на образованието (РУО) – по едно във всяка област: "
    "https://www.riobg.com/category/oblasti-bulgaria/ ; контакти: няма данни"
)
RIOSV_SOURCE = (
    "Списък на 16-те РИОСВ на МОСВ: http://moew.government.bg/?page_id=39656 ; "
    "https://data.egov.bg/organisation/profile/c2281d91-8b51-48ef-8d66-39146cc3ab41 ; "
    "контакти: няма данни"
)
# Notes are in English, like the quality notes of the regional file.
PER_PROVINCE_NOTE = (
    "one per province is the pattern found in the sources, not confirmed for all 28; "
    "the area is taken to be the whole province; no contacts yet (the Administrative "
    "Register, iisda.government.bg, publishes them)"
)
RIOSV_NOTE = (
    "the seat is from the ministry's list; the area shown is only the seat's province: "
    "the provinces this inspectorate covers are not verified; no contacts yet"
)
RIOSV_STATED_NOTE = (
    "the seat and the area (the provinces {provinces}) are from the ministry's list; "
    "no contacts yet"
)
# The 16 РИОСВ by the province of their seat, with the other provinces they cover where a
# source states it (domain-rules §6.4: "РИОСВ Стара Загора covers Стара Загора, Сливен and
# Ямбол"). "София" is the inspectorate seated in the capital.
RIOSV_SEATS: dict[str, tuple[str, ...]] = {
    "BLG": (), "BGS": (), "VAR": (), "VTR": (), "VRC": (), "MON": (), "PAZ": (), "PER": (),
    "PVN": (), "PDV": (), "RSE": (), "SML": (), "SOF": (), "SZR": ("SLV", "JAM"), "HKV": (),
    "SHU": (),
}  # fmt: skip

# Fields the generator owns and rewrites on every run.
STRUCTURE_FIELDS = [
    "kind", "name_bg", "name_en", "province", "municipality", "mayoralty", "district",
    "settlement", "parent", "head_position",
]  # fmt: skip
# Contact fields come from the sources; once someone verified an entry they are theirs.
CONTACT_FIELDS = [
    "address", "postal_code", "phones", "email", "email_is_free_mail", "website", "source",
    "source_date", "data_note",
]  # fmt: skip


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "directory"


def checksum(data_dir: Path) -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for path in sorted(data_dir.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    territory = DataLoad.objects.filter(name="territory").values_list("checksum", flat=True).first()
    digest.update((territory or "").encode())
    return digest.hexdigest()


def _read(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row[next(iter(row))]: row for row in csv.DictReader(f)}


def _website(value: str) -> str:
    # One source row gives "www.ruse.bg" without a scheme; a link needs one.
    value = value.strip()
    if value and "://" not in value:
        return "http://" + value
    return value


def _phones(value: str) -> str:
    return "\n".join(p.strip() for p in value.split(";") if p.strip())


def regional_contacts(row: dict[str, str] | None) -> dict[str, Any]:
    if not row or not (row.get("source") or "").strip():
        return {}
    return {
        "address": row["address"].strip(),
        "postal_code": row["postal_code"].strip(),
        "phones": _phones(row["phone"]),
        "email": row["email"].strip(),
        "website": _website(row["website"]),
        "source": row["source"].strip(),
        "source_date": row["source_date"].strip(),
        "data_note": row["quality_note"].strip(),
    }


def municipal_contacts(row: dict[str, str] | None) -> dict[str, Any]:
    if not row or row["municipality_code"] in IGNORED_MUNICIPALITIES:
        return {}
    email = row["mayor_email"].strip()
    if not email or email in IGNORED_EMAILS:
        return {}
    return {
        "email": email,
        "email_is_free_mail": row["email_domain_kind"] == "free-mail",
        "source": IISDA_SOURCE.format(id=row["iisda_id"]),
        "source_date": IISDA_DATE,
        # Notes are in English, like the quality notes of the regional file.
        "data_note": "the mayor's e-mail address in the Administrative Register"
        + (" (a free-mail address)" if row["email_domain_kind"] == "free-mail" else ""),
    }


@dataclass
class Report:
    skipped: bool
    created: int = 0
    updated: int = 0
    total: int = 0
    indexed: int = 0
    seconds: float = 0.0


def expected_total() -> int:
    provinces = Province.objects.count()
    return (
        # A regional administration, a РЗИ and a РУО per province.
        3 * provinces
        + 2 * Municipality.objects.count()
        + Mayoralty.objects.count()
        + CityDistrict.objects.count()
        + (len(RIOSV_SEATS) if provinces else 0)
    )


def ensure_kinds() -> dict[str, InstitutionKind]:
    """The kinds by slug, re-creating seeded ones that are missing (never changing edited ones)."""
    kinds = {k.slug: k for k in InstitutionKind.objects.all()}
    missing = [
        InstitutionKind(slug=slug, name_bg=bg, name_en=en, order=order, level=level)
        for slug, bg, en, order, level in enums.SEED_KINDS
        if slug not in kinds
    ]
    for kind in InstitutionKind.objects.bulk_create(missing):
        kinds[kind.slug] = kind
    return kinds


class _Writer:
    """Upserts entries by generated_key, writing only rows whose owned fields changed."""

    def __init__(self) -> None:
        self.existing = {
            i.generated_key: i for i in Institution.objects.filter(generated_key__isnull=False)
        }
        self.new_keys: set[str] = set()
        self.changed_keys: set[str] = set()
        self.now = timezone.now()

    @property
    def created(self) -> int:
        return len(self.new_keys)

    @property
    def updated(self) -> int:
        return len(self.changed_keys - self.new_keys)

    def write(self, desired: dict[str, dict[str, Any]]) -> dict[str, int]:
        new: list[Institution] = []
        changed: list[Institution] = []
        for key, values in desired.items():
            old = self.existing.get(key)
            if old is None:
                new.append(Institution(generated_key=key, **values))
                continue
            fields = STRUCTURE_FIELDS + ([] if old.verified_at else CONTACT_FIELDS)
            dirty = False
            for name in fields:
                value = values.get(name, _DEFAULTS.get(name, ""))
                attname = f"{name}_id" if name in _FK_FIELDS else name
                if name in _FK_FIELDS:
                    value = value.pk if value is not None else None
                if getattr(old, attname) != value:
                    setattr(old, attname, value)
                    dirty = True
            if dirty:
                old.updated_at = self.now  # bulk_update does not touch auto_now fields
                changed.append(old)
        Institution.objects.bulk_create(new, batch_size=500)
        if changed:
            Institution.objects.bulk_update(
                changed, STRUCTURE_FIELDS + CONTACT_FIELDS + ["updated_at"], batch_size=500
            )
        self.new_keys.update(obj.generated_key or "" for obj in new)
        self.changed_keys.update(obj.generated_key or "" for obj in changed)
        for obj in new:
            self.existing[obj.generated_key or ""] = obj
        return {k: self.existing[k].pk for k in desired}

    def write_areas(self, areas: dict[str, set[str]]) -> None:
        """Make the municipalities served by these entries (by key) exactly the given codes.

        A few queries whatever the number of pairs: one read, one delete, bulk inserts.
        """
        through = Institution.area_municipalities.through
        wanted = {self.existing[key].pk: (key, codes) for key, codes in areas.items()}
        current: dict[int, set[str]] = defaultdict(set)
        stale: list[int] = []
        changed: set[str] = set()
        rows = through.objects.filter(institution_id__in=list(wanted)).values_list(
            "pk", "institution_id", "municipality_id"
        )
        for pk, institution_id, code in rows:
            key, codes = wanted[institution_id]
            if code in codes:
                current[institution_id].add(code)
            else:
                stale.append(pk)
                changed.add(key)
        missing = []
        for institution_id, (key, codes) in wanted.items():
            for code in sorted(codes - current[institution_id]):
                missing.append(through(institution_id=institution_id, municipality_id=code))
                changed.add(key)
        if stale:
            through.objects.filter(pk__in=stale).delete()
        through.objects.bulk_create(missing, batch_size=500)
        # An entry whose only change is its area still records when it changed.
        area_only = changed - self.changed_keys - self.new_keys
        if area_only:
            Institution.objects.filter(generated_key__in=area_only).update(updated_at=self.now)
        self.changed_keys |= changed


_FK_FIELDS = {"kind", "province", "municipality", "mayoralty", "district", "settlement", "parent"}
_DEFAULTS: dict[str, Any] = {**dict.fromkeys(_FK_FIELDS), "email_is_free_mail": False}


def _generate(data_dir: Path, say: Callable[[str], None]) -> tuple[int, int, int]:
    kinds = ensure_kinds()
    regional = _read(data_dir / "regional_administrations.csv")
    mayors = _read(data_dir / "municipal_mayor_emails.csv")
    writer = _Writer()

    def empty() -> dict[str, Any]:
        return {"source": EKATTE_SOURCE, "source_date": EKATTE_DATE}

    def step(label: str, desired: dict[str, dict[str, Any]]) -> dict[str, int]:
        ids = writer.write(desired)
        count = number_format(len(ids), force_grouping=True)
        say(_("%(label)s: %(count)s") % {"label": label, "count": count})
        return ids

    provinces = list(Province.objects.select_related("admin_centre").order_by("code"))
    step(
        _("Regional administrations"),
        {
            f"oa:{p.code}": {
                "kind": kinds[enums.REGIONAL_ADMINISTRATION],
                "name_bg": f"Областна администрация – {p.name_bg}",
                "name_en": f"Regional Administration of {p.name_en or p.name_bg}",
                "province": p,
                "settlement": p.admin_centre,
                "head_position": "Областен управител",
                **(regional_contacts(regional.get(p.code)) or empty()),
            }
            for p in provinces
        },
    )
    munis = list(Municipality.objects.select_related("province", "admin_centre").order_by("code"))
    admin_ids = step(
        _("Municipal administrations"),
        {
            f"ma:{m.code}": {
                "kind": kinds[enums.MUNICIPAL_ADMINISTRATION],
                "name_bg": f"Община {m.name_bg}",
                "name_en": f"{m.name_en or m.name_bg} Municipality",
                "province": m.province,
                "municipality": m,
                "settlement": m.admin_centre,
                "head_position": "Кмет на общината",
                **(municipal_contacts(mayors.get(m.code)) or empty()),
            }
            for m in munis
        },
    )
    admins = {code.removeprefix("ma:"): writer.existing[code] for code in admin_ids}
    step(
        _("Municipal councils"),
        {
            f"mc:{m.code}": {
                "kind": kinds[enums.MUNICIPAL_COUNCIL],
                "name_bg": f"Общински съвет – {m.name_bg}",
                "name_en": f"{m.name_en or m.name_bg} Municipal Council",
                "province": m.province,
                "municipality": m,
                "settlement": m.admin_centre,
                "parent": admins[m.code],
                "head_position": "Председател на общинския съвет",
                **empty(),
            }
            for m in munis
        },
    )
    muni_by_code = {m.code: m for m in munis}
    step(
        _("Mayoralties"),
        {
            f"km:{k.code}": {
                "kind": kinds[enums.MAYORALTY],
                "name_bg": f"Кметство {k.name_bg}",
                "name_en": f"{k.name_en or k.name_bg} Mayoralty",
                "province": muni_by_code[k.municipality_id].province,
                "municipality": muni_by_code[k.municipality_id],
                "mayoralty": k,
                "settlement": k.centre,
                "parent": admins[k.municipality_id],
                "head_position": "Кмет на кметството",
                **empty(),
            }
            for k in Mayoralty.objects.select_related("centre").order_by("code")
        },
    )
    step(
        _("City-district administrations"),
        {
            f"rd:{d.code}": {
                "kind": kinds[enums.DISTRICT_ADMINISTRATION],
                "name_bg": f"Район „{d.name_bg}“",
                "name_en": f"{d.name_en or d.name_bg} District",
                "province": muni_by_code[d.municipality_id].province,
                "municipality": muni_by_code[d.municipality_id],
                "district": d,
                "settlement": d.city,
                "parent": admins[d.municipality_id],
                "head_position": "Кмет на района",
                **empty(),
            }
            for d in CityDistrict.objects.select_related("city").order_by("code")
        },
    )
    _state_units(kinds, provinces, munis, step, writer)
    return writer.created, writer.updated, len(writer.existing)


def _state_units(
    kinds: dict[str, InstitutionKind],
    provinces: list[Province],
    munis: list[Municipality],
    step: Callable[[str, dict[str, dict[str, Any]]], dict[str, int]],
    writer: _Writer,
) -> None:
    """РЗИ and РУО in every province, the 16 РИОСВ at their seats; the municipalities each
    serves. Structure only: no source gives their contacts (data/README.md, "Not found")."""
    by_code = {p.code: p for p in provinces}
    province_munis: dict[str, set[str]] = defaultdict(set)
    for m in munis:
        province_munis[m.province_id].add(m.code)

    def unit(kind: str, p: Province, name_bg: str, name_en: str) -> dict[str, Any]:
        return {
            "kind": kinds[kind],
            "name_bg": f"{name_bg} – {p.name_bg}",
            "name_en": f"{name_en} – {p.name_en or p.name_bg}",
            "province": p,
            # Their seat is the province's centre, as their name says.
            "settlement": p.admin_centre,
        }

    areas: dict[str, set[str]] = {}
    per_province = [
        ("rzi", "Регионална здравна инспекция", "Regional Health Inspectorate", RZI_SOURCE),
        (
            "ruo",
            "Регионално управление на образованието",
            "Regional Department of Education",
            RUO_SOURCE,
        ),
    ]
    for kind, name_bg, name_en, source in per_province:
        desired = {
            f"{kind}:{p.code}": {
                **unit(kind, p, name_bg, name_en),
                "source": source,
                "data_note": PER_PROVINCE_NOTE,
            }
            for p in provinces
        }
        step(kinds[kind].name, desired)
        areas.update({f"{kind}:{p.code}": province_munis[p.code] for p in provinces})

    riosv: dict[str, dict[str, Any]] = {}
    for seat, others in RIOSV_SEATS.items():
        p = by_code.get(seat)
        if p is None:
            continue
        covered = [by_code[c] for c in others if c in by_code]
        names = ", ".join(q.name_en or q.name_bg for q in [p, *covered])
        key = f"riosv:{seat}"
        riosv[key] = {
            **unit(
                "riosv",
                p,
                "Регионална инспекция по околната среда и водите",
                "Regional Inspectorate of Environment and Water",
            ),
            "source": RIOSV_SOURCE,
            "data_note": RIOSV_STATED_NOTE.format(provinces=names) if covered else RIOSV_NOTE,
        }
        areas[key] = set().union(*(province_munis[q.code] for q in [p, *covered]))
    step(kinds["riosv"].name, riosv)
    writer.write_areas(areas)


def generate(
    data_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Report:
    started = time.monotonic()
    data_dir = data_dir or default_data_dir()
    say = progress or (lambda _msg: None)
    digest = checksum(data_dir)
    generated = Institution.objects.filter(generated_key__isnull=False)
    if not force:
        done = DataLoad.objects.filter(name=DATA_LOAD_NAME, checksum=digest).exists()
        # A flushed test database keeps no entries, whatever DataLoad said before the flush.
        if done and generated.count() == expected_total():
            return Report(True, seconds=time.monotonic() - started)
    with transaction.atomic():
        created, updated, total = _generate(data_dir, say)
        indexed = search.reindex(SEARCH_KIND)
        # Services carry their institution's name and place: renamed entries reach them too.
        search.reindex(SERVICE_SEARCH_KIND)
        say(
            _("Search index: %(count)s entries")
            % {"count": number_format(indexed, force_grouping=True)}
        )
        DataLoad.objects.update_or_create(
            name=DATA_LOAD_NAME,
            defaults={"checksum": digest, "summary": {"institutions": total}},
        )
    return Report(False, created, updated, total, indexed, time.monotonic() - started)
