"""Load data/territory/ into the territory models: validated first, then written in one go.

Every file is parsed and checked (columns, codes, numbers, parents) before anything touches
the database, and the writes run in a single transaction, so a bad file leaves the database
exactly as it was. A checksum of the folder in core.models.DataLoad makes a repeated load of
unchanged files a no-op.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import search
from core.models import DataLoad, SearchEntry
from territory import maps
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    Nuts1Region,
    PlanningRegion,
    Province,
    RegionMembership,
    Settlement,
    SettlementKind,
)

DATA_LOAD_NAME = "territory"
# Bump when the loader's output changes for the same files (e.g. a new map tolerance).
LOADER_VERSION = "1"

EXPECTED = {
    "nuts1.csv": 2,
    "planning_regions.csv": 6,
    "provinces.csv": 28,
    "municipalities.csv": 265,
    "mayoralties.csv": 3041,
    "settlements.csv": 5256,
    "city_districts.csv": 35,
}
FILES = [*EXPECTED, "planning_region_memberships.csv"]
GEOJSON = ["planning_regions.geojson", "provinces.geojson", "municipalities.geojson"]
# Each search kind and the models its documents are built from (titles, subtitles, boosts).
SEARCH_KINDS = {
    "territory.region": {"PlanningRegion"},
    "territory.province": {"Province", "PlanningRegion", "RegionMembership"},
    "territory.municipality": {"Municipality", "Province"},
    "territory.mayoralty": {"Mayoralty", "Municipality", "Province", "Settlement"},
    "territory.settlement": {"Settlement", "Municipality", "Province"},
    "territory.district": {"CityDistrict", "Settlement"},
}

KIND_MODEL = {
    "territory.region": "PlanningRegion",
    "territory.province": "Province",
    "territory.municipality": "Municipality",
    "territory.mayoralty": "Mayoralty",
    "territory.settlement": "Settlement",
    "territory.district": "CityDistrict",
}

NUTS1_RE = re.compile(r"^BG\d$")
NUTS2_RE = re.compile(r"^BG\d\d$")
PROVINCE_RE = re.compile(r"^[A-Z]{3}$")
MUNICIPALITY_RE = re.compile(r"^[A-Z]{3}\d\d$")
MAYORALTY_RE = re.compile(r"^[A-Z]{3}\d\d-\d\d$")
EKATTE_RE = re.compile(r"^\d{5}$")
DISTRICT_RE = re.compile(r"^\d{5}-\d\d$")


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "territory"


class DataError(Exception):
    """A problem in one line of one file; the message names both."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass
class Rows:
    """The parsed lines of one CSV file, each with its line number for error messages."""

    file: str
    rows: list[tuple[int, dict[str, str]]]

    def error(self, line: int, message: str) -> DataError:
        return DataError(self.file, line, message)


def read_csv(path: Path, columns: list[str]) -> Rows:
    name = path.name
    if not path.exists():
        raise DataError(name, None, "file is missing")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(name, 1, "the file is empty") from None
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(name, 1, f"missing column(s): {', '.join(missing)}")
        rows = []
        for values in reader:
            line = reader.line_num
            if not values:
                continue
            if len(values) != len(header):
                raise DataError(name, line, f"expected {len(header)} fields, found {len(values)}")
            rows.append((line, dict(zip(header, (v.strip() for v in values), strict=True))))
    return Rows(name, rows)


def _code(rows: Rows, line: int, row: dict[str, str], column: str, pattern: re.Pattern[str]) -> str:
    value = row[column]
    if not pattern.match(value):
        raise rows.error(line, f"bad {column} {value!r}")
    return value


def _int(rows: Rows, line: int, row: dict[str, str], column: str) -> int | None:
    value = row[column]
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise rows.error(line, f"bad number in {column}: {value!r}") from None
    if number < 0:
        raise rows.error(line, f"negative number in {column}: {value!r}")
    return number


def _date(rows: Rows, line: int, row: dict[str, str], column: str) -> datetime.date | None:
    value = row[column]
    if value == "":
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise rows.error(line, f"bad date in {column}: {value!r}") from None


def _parent(rows: Rows, line: int, value: str, known: Iterable[str], what: str) -> str:
    if value not in known:
        raise rows.error(line, f"unknown {what} {value!r}")
    return value


def _flag(rows: Rows, line: int, row: dict[str, str], column: str) -> bool:
    value = row[column]
    if value not in {"0", "1"}:
        raise rows.error(line, f"{column} must be 0 or 1, not {value!r}")
    return value == "1"


def _unique(rows: Rows, line: int, seen: set[str], key: str) -> None:
    if key in seen:
        raise rows.error(line, f"duplicate code {key!r}")
    seen.add(key)


def _name(rows: Rows, line: int, row: dict[str, str]) -> str:
    if not row["name_bg"]:
        raise rows.error(line, "empty name_bg")
    return row["name_bg"]


def checksum(data_dir: Path) -> str:
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for name in [*FILES, *GEOJSON]:
        path = data_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


@dataclass
class Parsed:
    """Model instances built from the files, not yet saved."""

    nuts1: list[Nuts1Region] = field(default_factory=list)
    regions: list[PlanningRegion] = field(default_factory=list)
    provinces: list[Province] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    mayoralties: list[Mayoralty] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)
    districts: list[CityDistrict] = field(default_factory=list)
    memberships: list[RegionMembership] = field(default_factory=list)


def parse(data_dir: Path) -> Parsed:
    p = Parsed()

    rows = read_csv(data_dir / "nuts1.csv", ["code", "name_bg", "name_en"])
    seen: set[str] = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", NUTS1_RE)
        _unique(rows, line, seen, code)
        p.nuts1.append(Nuts1Region(code=code, name_bg=_name(rows, line, r), name_en=r["name_en"]))
    nuts1 = seen

    rows = read_csv(data_dir / "planning_regions.csv", ["code", "nuts1_code", "name_bg", "name_en"])
    seen = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", NUTS2_RE)
        _unique(rows, line, seen, code)
        p.regions.append(
            PlanningRegion(
                code=code,
                nuts1_id=_parent(rows, line, r["nuts1_code"], nuts1, "NUTS-1 region"),
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
                is_current=True,
            )
        )
    regions = seen

    # Settlements are parsed before the units whose centres they are, so centres can be checked.
    rows = read_csv(
        data_dir / "settlements.csv",
        ["ekatte", "type_abbr", "kind", "name_bg", "name_en", "municipality_code",
         "kmetstvo_code", "is_municipal_centre", "is_province_centre", "category",
         "altitude_band", "population_2017"],
    )  # fmt: skip
    settlement_rows = rows
    kinds = set(SettlementKind.values)
    seen = set()
    for line, r in rows.rows:
        ekatte = _code(rows, line, r, "ekatte", EKATTE_RE)
        _unique(rows, line, seen, ekatte)
        _code(rows, line, r, "municipality_code", MUNICIPALITY_RE)
        kmetstvo = r["kmetstvo_code"]
        if kmetstvo:
            _code(rows, line, r, "kmetstvo_code", MAYORALTY_RE)
        if r["kind"] not in kinds:
            raise rows.error(line, f"bad kind {r['kind']!r}")
        p.settlements.append(
            Settlement(
                ekatte=ekatte,
                kind=r["kind"],
                type_abbr=r["type_abbr"],
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
                municipality_id=r["municipality_code"],
                # A code ending in -00 means the municipality runs the settlement directly.
                mayoralty_id=kmetstvo if kmetstvo and not kmetstvo.endswith("-00") else None,
                is_municipal_centre=_flag(rows, line, r, "is_municipal_centre"),
                is_province_centre=_flag(rows, line, r, "is_province_centre"),
                category=_int(rows, line, r, "category"),
                altitude_band=r["altitude_band"],
                population_2017=_int(rows, line, r, "population_2017"),
            )
        )
    settlements = seen

    rows = read_csv(
        data_dir / "provinces.csv",
        ["code", "iso_code", "nuts3_code", "name_bg", "name_en", "admin_centre_ekatte",
         "population_2017"],
    )  # fmt: skip
    seen = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", PROVINCE_RE)
        _unique(rows, line, seen, code)
        centre = r["admin_centre_ekatte"]
        p.provinces.append(
            Province(
                code=code,
                iso_code=r["iso_code"],
                nuts3_code=r["nuts3_code"],
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
                admin_centre_id=_parent(rows, line, centre, settlements, "settlement")
                if centre
                else None,
                population_2017=_int(rows, line, r, "population_2017"),
            )
        )
    provinces = seen

    rows = read_csv(
        data_dir / "municipalities.csv",
        ["code", "province_code", "name_bg", "name_en", "admin_centre_ekatte", "category",
         "population_2017"],
    )  # fmt: skip
    seen = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", MUNICIPALITY_RE)
        _unique(rows, line, seen, code)
        centre = r["admin_centre_ekatte"]
        p.municipalities.append(
            Municipality(
                code=code,
                province_id=_parent(rows, line, r["province_code"], provinces, "province"),
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
                admin_centre_id=_parent(rows, line, centre, settlements, "settlement")
                if centre
                else None,
                category=_int(rows, line, r, "category"),
                population_2017=_int(rows, line, r, "population_2017"),
            )
        )
    municipalities = seen

    rows = read_csv(
        data_dir / "mayoralties.csv",
        ["code", "municipality_code", "name_bg", "name_en", "centre_ekatte", "category"],
    )
    seen = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", MAYORALTY_RE)
        _unique(rows, line, seen, code)
        centre = r["centre_ekatte"]
        p.mayoralties.append(
            Mayoralty(
                code=code,
                municipality_id=_parent(
                    rows, line, r["municipality_code"], municipalities, "municipality"
                ),
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
                centre_id=_parent(rows, line, centre, settlements, "settlement")
                if centre
                else None,
                category=_int(rows, line, r, "category"),
            )
        )
    mayoralties = seen

    # Now that municipalities and mayoralties are known, check the settlements' parents.
    for (line, _r), s in zip(settlement_rows.rows, p.settlements, strict=True):
        _parent(settlement_rows, line, s.municipality_id, municipalities, "municipality")
        if s.mayoralty_id:
            _parent(settlement_rows, line, s.mayoralty_id, mayoralties, "mayoralty")

    settlement_muni = {s.ekatte: s.municipality_id for s in p.settlements}
    rows = read_csv(data_dir / "city_districts.csv", ["code", "city_ekatte", "name_bg", "name_en"])
    seen = set()
    for line, r in rows.rows:
        code = _code(rows, line, r, "code", DISTRICT_RE)
        _unique(rows, line, seen, code)
        city = _parent(rows, line, r["city_ekatte"], settlements, "settlement")
        p.districts.append(
            CityDistrict(
                code=code,
                city_id=city,
                municipality_id=settlement_muni[city],
                name_bg=_name(rows, line, r),
                name_en=r["name_en"],
            )
        )

    rows = read_csv(
        data_dir / "planning_region_memberships.csv",
        ["region_code", "province_code", "valid_from", "valid_to", "nuts2_code", "source"],
    )
    seen = set()
    for line, r in rows.rows:
        valid_from = _date(rows, line, r, "valid_from")
        valid_to = _date(rows, line, r, "valid_to")
        if valid_from is None:
            raise rows.error(line, "valid_from is required")
        if valid_to and valid_to < valid_from:
            raise rows.error(line, "valid_to is before valid_from")
        province = _parent(rows, line, r["province_code"], provinces, "province")
        _unique(rows, line, seen, f"{province}@{valid_from}")
        p.memberships.append(
            RegionMembership(
                region_id=_parent(rows, line, r["region_code"], regions, "planning region"),
                province_id=province,
                valid_from=valid_from,
                valid_to=valid_to,
                nuts2_code=_code(rows, line, r, "nuts2_code", NUTS2_RE),
                source=r["source"],
            )
        )

    _count_children(p)
    _check_counts(p)
    _attach_shapes(data_dir, p)
    return p


def _count_children(p: Parsed) -> None:
    """Stored counters, so pages never count rows (DESIGN.md §7)."""
    per_muni = Counter(s.municipality_id for s in p.settlements)
    per_mayoralty = Counter(s.mayoralty_id for s in p.settlements if s.mayoralty_id)
    mayoralties_per_muni = Counter(m.municipality_id for m in p.mayoralties)
    muni_province = {m.code: m.province_id for m in p.municipalities}
    munis_per_province = Counter(muni_province.values())
    settlements_per_province = Counter(muni_province[s.municipality_id] for s in p.settlements)
    for m in p.municipalities:
        m.settlements_count = per_muni[m.code]
        m.mayoralties_count = mayoralties_per_muni[m.code]
    for k in p.mayoralties:
        k.settlements_count = per_mayoralty[k.code]
    for pr in p.provinces:
        pr.municipalities_count = munis_per_province[pr.code]
        pr.settlements_count = settlements_per_province[pr.code]


def _check_counts(p: Parsed) -> None:
    actual = {
        "nuts1.csv": len(p.nuts1),
        "planning_regions.csv": len(p.regions),
        "provinces.csv": len(p.provinces),
        "municipalities.csv": len(p.municipalities),
        "mayoralties.csv": len(p.mayoralties),
        "settlements.csv": len(p.settlements),
        "city_districts.csv": len(p.districts),
    }
    for name, expected in EXPECTED.items():
        if actual[name] != expected:
            raise DataError(name, None, f"expected {expected} rows, found {actual[name]}")


def _attach_shapes(data_dir: Path, p: Parsed) -> None:
    jobs: list[tuple[str, list[Any], float]] = [
        ("planning_regions.geojson", p.regions, maps.TOLERANCE["region"]),
        ("provinces.geojson", p.provinces, maps.TOLERANCE["province"]),
        ("municipalities.geojson", p.municipalities, maps.TOLERANCE["municipality"]),
    ]
    for name, objects, tolerance in jobs:
        path = data_dir / name
        if not path.exists():
            raise DataError(name, None, "file is missing")
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
        except (ValueError, KeyError) as exc:
            raise DataError(name, None, f"not a GeoJSON feature collection ({exc})") from None
        by_code = {o.pk: o for o in objects}
        for number, feature in enumerate(features, start=1):
            code = feature.get("properties", {}).get("code", "")
            obj = by_code.get(code)
            if obj is None:
                raise DataError(name, None, f"feature {number}: unknown code {code!r}")
            try:
                drawn = maps.draw(feature["geometry"], tolerance)
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(name, None, f"feature {number} ({code}): {exc}") from None
            obj.svg_path = drawn.path
            obj.bbox = drawn.bbox


# --- Writing --------------------------------------------------------------------------------


@dataclass
class StepResult:
    model: str
    label: str
    total: int
    created: int
    updated: int


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    return getattr(obj, f.attname)


def upsert(
    model: type[models.Model],
    objects: list[Any],
    key: Callable[[Any], Any] | None = None,
) -> tuple[int, int]:
    """Insert new rows and update changed ones; unchanged rows are not written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    key = key or (lambda o: o.pk)
    existing = {key(o): o for o in model._default_manager.all()}
    new, changed = [], []
    for obj in objects:
        old = existing.get(key(obj))
        if old is None:
            new.append(obj)
            continue
        obj.pk = old.pk
        if any(_value(obj, f) != _value(old, f) for f in fields):
            changed.append(obj)
    model._default_manager.bulk_create(new, batch_size=1000)
    if changed:
        model._default_manager.bulk_update(changed, [f.name for f in fields], batch_size=500)
    return len(new), len(changed)


def write(p: Parsed) -> list[StepResult]:
    steps: list[tuple[str, type[models.Model], list[Any], Callable[[Any], Any] | None]] = [
        (_("NUTS-1 regions"), Nuts1Region, p.nuts1, None),
        (_("Planning regions"), PlanningRegion, p.regions, None),
        (_("Provinces"), Province, p.provinces, None),
        (_("Municipalities"), Municipality, p.municipalities, None),
        (_("Mayoralties"), Mayoralty, p.mayoralties, None),
        (_("Settlements"), Settlement, p.settlements, None),
        (_("City districts"), CityDistrict, p.districts, None),
        (
            _("Planning-region memberships"),
            RegionMembership,
            p.memberships,
            lambda m: (m.province_id, m.valid_from),
        ),
    ]
    results = []
    for label, model, objects, key in steps:
        created, updated = upsert(model, objects, key)
        results.append(StepResult(model.__name__, label, len(objects), created, updated))
    return results


def kinds_to_reindex(steps: list[StepResult], force: bool) -> list[str]:
    """Reindexing is most of a load's time, so only kinds whose sources changed are rebuilt.

    A kind is also rebuilt when its index is incomplete (a fresh or flushed database), and
    all are rebuilt on --force (e.g. after a change to the search normalisation).
    """
    if force:
        return list(SEARCH_KINDS)
    changed = {s.model for s in steps if s.created or s.updated}
    indexed = dict(
        SearchEntry.objects.filter(kind__in=list(SEARCH_KINDS))
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    totals = {s.model: s.total for s in steps}
    kinds = []
    for kind, deps in SEARCH_KINDS.items():
        main = KIND_MODEL[kind]
        if deps & changed or indexed.get(kind, 0) != totals.get(main, -1):
            kinds.append(kind)
    return kinds


@dataclass
class LoadReport:
    skipped: bool
    steps: list[StepResult]
    indexed: int = 0
    seconds: float = 0.0


def load(
    data_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load the territory; raise DataError (file and line) without touching the database."""
    started = time.monotonic()
    data_dir = data_dir or default_data_dir()
    say = progress or (lambda _msg: None)
    digest = checksum(data_dir)
    if not force:
        done = DataLoad.objects.filter(name=DATA_LOAD_NAME, checksum=digest).exists()
        # The checksum alone is not enough: a flushed test database keeps no territory.
        if done and Settlement.objects.count() == EXPECTED["settlements.csv"]:
            return LoadReport(True, [], seconds=time.monotonic() - started)

    parsed = parse(data_dir)
    with transaction.atomic():
        steps = write(parsed)
        for step in steps:
            say(
                _("%(label)s: %(total)s (new: %(created)s, changed: %(updated)s)")
                % {
                    "label": step.label,
                    "total": number_format(step.total, force_grouping=True),
                    "created": number_format(step.created, force_grouping=True),
                    "updated": number_format(step.updated, force_grouping=True),
                }
            )
        indexed = 0
        for kind in kinds_to_reindex(steps, force):
            indexed += search.reindex(kind)
        say(
            _("Search index: %(count)s entries")
            % {"count": number_format(indexed, force_grouping=True)}
        )
        DataLoad.objects.update_or_create(
            name=DATA_LOAD_NAME,
            defaults={
                "checksum": digest,
                "summary": {s.model: s.total for s in steps},
            },
        )
    return LoadReport(False, steps, indexed, time.monotonic() - started)
