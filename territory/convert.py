"""Convert the shared reference data (NSI EKATTE and NIK-GEO boundaries) into data/territory/.

The repository must be self-contained, so the loader reads only data/territory/. This module
keeps the conversion re-runnable: `manage.py convert_territory_data --source ../shared/data`.
Only the columns the portal uses are kept; boundaries are repaired (make_valid), simplified
and rounded so that the four GeoJSON files together stay a few hundred kilobytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

# Degrees. 0.002° is ~200 m: invisible on a province map, and it cuts the files about fivefold.
SIMPLIFY_TOLERANCE = {
    "country": 0.004,
    "regions": 0.003,
    "provinces": 0.002,
    "municipalities": 0.0012,
}
COORD_DECIMALS = 4  # ~10 m

Row = dict[str, str]


def _read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: Iterable[list[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _clean_quotes(text: str, bulgarian: bool = True) -> str:
    # The NSI NUTS-1 file has a stray doubled quote at the end of BG4's name (data/README.md).
    text = text.replace('""', '"')
    if text.count('"') % 2:
        text = text.rstrip('"')
    if not bulgarian or '"' not in text:
        return text
    return text.replace('"', "„", 1).replace('"', "“", 1)


def _yes(value: str) -> str:
    return "1" if value.strip().lower() in {"yes", "true", "1"} else "0"


def convert_tables(source: Path, target: Path) -> dict[str, int]:
    admin = source / "admin_divisions"
    counts: dict[str, int] = {}

    counts["nuts1.csv"] = _write(
        target / "nuts1.csv",
        ["code", "name_bg", "name_en"],
        (
            [
                r["nuts1_code"],
                _clean_quotes(r["name_bg"]),
                _clean_quotes(r["name_en_translit"], bulgarian=False),
            ]
            for r in _read(admin / "nuts1_regions.csv")
        ),
    )
    counts["planning_regions.csv"] = _write(
        target / "planning_regions.csv",
        ["code", "nuts1_code", "name_bg", "name_en"],
        (
            [r["nuts2_code"], r["nuts1_code"], r["name_bg"], r["name_en_translit"]]
            for r in _read(admin / "planning_regions_nuts2.csv")
        ),
    )
    counts["provinces.csv"] = _write(
        target / "provinces.csv",
        ["code", "iso_code", "nuts3_code", "name_bg", "name_en", "admin_centre_ekatte",
         "population_2017"],
        (
            [r["province_code"], r["iso_3166_2"], r["nuts3_code"], r["name_bg"],
             r["name_en_translit"], r["admin_centre_ekatte"], r["population_2017_nsi"]]
            for r in _read(admin / "provinces.csv")
        ),
    )  # fmt: skip
    counts["municipalities.csv"] = _write(
        target / "municipalities.csv",
        ["code", "province_code", "name_bg", "name_en", "admin_centre_ekatte", "category",
         "population_2017"],
        (
            [r["municipality_code"], r["province_code"], r["name_bg"], r["name_en_translit"],
             r["admin_centre_ekatte"], r["municipality_category_nsi"], r["population_2017_nsi"]]
            for r in _read(admin / "municipalities.csv")
        ),
    )  # fmt: skip
    counts["mayoralties.csv"] = _write(
        target / "mayoralties.csv",
        ["code", "municipality_code", "name_bg", "name_en", "centre_ekatte", "category"],
        (
            [r["kmetstvo_code"], r["municipality_code"], r["name_bg"], r["name_en_translit"],
             r["centre_ekatte"], r["category_nsi"]]
            for r in _read(admin / "kmetstva.csv")
        ),
    )  # fmt: skip
    counts["settlements.csv"] = _write(
        target / "settlements.csv",
        ["ekatte", "type_abbr", "kind", "name_bg", "name_en", "municipality_code",
         "kmetstvo_code", "is_municipal_centre", "is_province_centre", "category",
         "altitude_band", "population_2017"],
        (
            [r["ekatte"], r["type_abbr_bg"], r["kind"], r["name_bg"], r["name_en_translit"],
             r["municipality_code"], r["kmetstvo_code"], _yes(r["is_municipal_centre"]),
             _yes(r["is_province_centre"]), r["category_nsi"], r["altitude_band_m"],
             r["population_2017_nsi"]]
            for r in _read(admin / "settlements.csv")
        ),
    )  # fmt: skip
    counts["city_districts.csv"] = _write(
        target / "city_districts.csv",
        ["code", "city_ekatte", "name_bg", "name_en"],
        (
            [r["raion_code"], r["city_ekatte"], r["name_bg"], r["name_en_translit"]]
            for r in _read(admin / "city_districts_raioni.csv")
        ),
    )
    return counts


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(o) for o in obj]
    return obj


def _polygonal(geom: Any) -> Any:
    """make_valid may return a collection with stray lines; keep only the polygons."""
    if geom.geom_type in {"Polygon", "MultiPolygon"}:
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in {"Polygon", "MultiPolygon"}]
    return shapely.unary_union(polys)


def convert_boundary(
    src: Path, dst: Path, tolerance: float, props: Callable[[dict[str, Any]], dict[str, Any]]
) -> int:
    data = json.loads(src.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        geom = _polygonal(shapely.make_valid(shape(feature["geometry"])))
        geom = _polygonal(shapely.make_valid(geom.simplify(tolerance, preserve_topology=True)))
        features.append(
            {
                "type": "Feature",
                "properties": props(feature["properties"]),
                "geometry": _round_coords(mapping(geom)),
            }
        )
    out = {"type": "FeatureCollection", "features": features}
    dst.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(features)


def convert_boundaries(source: Path, target: Path) -> dict[str, int]:
    src = source / "boundaries"
    jobs: list[tuple[str, str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
        ("country.geojson", "country.geojson", "country", lambda p: {"code": "BG"}),
        (
            "planning_regions_nuts2.geojson",
            "planning_regions.geojson",
            "regions",
            lambda p: {"code": p["NUTS_2_CODE"]},
        ),
        (
            "provinces.geojson",
            "provinces.geojson",
            "provinces",
            lambda p: {"code": p["PROVINCE_CODE"]},
        ),
        (
            "municipalities.geojson",
            "municipalities.geojson",
            "municipalities",
            lambda p: {"code": p["LAU_CODE"], "province": p["PROVINCE_CODE"]},
        ),
    ]
    return {
        dst: convert_boundary(src / name, target / dst, SIMPLIFY_TOLERANCE[key], props)
        for name, dst, key, props in jobs
    }


def convert(source: Path, target: Path) -> dict[str, int]:
    """Write every converted file into `target`; the hand-written memberships file is kept."""
    target.mkdir(parents=True, exist_ok=True)
    return convert_tables(source, target) | convert_boundaries(source, target)
