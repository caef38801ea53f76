"""Server-drawn maps: boundaries projected once at load time into compact SVG paths.

The projection is an equal-area-ish plate carrée for Bulgaria's latitude: x = lon·cos(42.7°),
y = −lat, scaled so one map unit is about 100 m. That keeps integer coordinates precise
enough for a province map while the paths stay short (relative moves of a few digits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, shape

SCALE = 1000.0  # map units per degree of latitude
_COS = math.cos(math.radians(42.7))

# Tolerances in map units (≈100 m each). A province map is ~800 px wide for ~1,000 units,
# so 1.5 units is under two pixels; the country map is ~4,600 units wide, so 4 is < 1 px.
TOLERANCE = {"region": 4.0, "province": 3.0, "municipality": 1.5}

BBox = list[float]


def project(lon: float, lat: float) -> tuple[float, float]:
    return lon * _COS * SCALE, -lat * SCALE


def _ring_path(coords: Sequence[tuple[float, float]]) -> str:
    points = [(round(x), round(y)) for x, y in coords]
    # Drop consecutive duplicates that rounding produces; a ring needs at least 3 points.
    deduped = [points[0]]
    for p in points[1:]:
        if p != deduped[-1]:
            deduped.append(p)
    if len(deduped) > 1 and deduped[-1] == deduped[0]:
        deduped.pop()
    if len(deduped) < 3:
        return ""
    x0, y0 = deduped[0]
    parts = [f"M{x0} {y0}l"]
    moves = []
    px, py = x0, y0
    for x, y in deduped[1:]:
        moves.append(f"{x - px} {y - py}")
        px, py = x, y
    parts.append(" ".join(moves).replace(" -", "-"))
    parts.append("z")
    return "".join(parts)


def _polygons(geom: Any) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]


@dataclass
class Drawn:
    path: str
    bbox: BBox


def draw(geometry: dict[str, Any], tolerance: float) -> Drawn:
    """An SVG path (even-odd rings) and bounding box for a GeoJSON polygon geometry."""
    projected = _project_geometry(geometry)
    geom = shape(projected).simplify(tolerance, preserve_topology=True)
    rings: list[str] = []
    for poly in _polygons(geom):
        # Islets smaller than a pixel on a province map are noise, not information.
        if poly.area < tolerance * tolerance * 4:
            continue
        rings.append(_ring_path(list(poly.exterior.coords)))
        rings.extend(_ring_path(list(r.coords)) for r in poly.interiors)
    minx, miny, maxx, maxy = geom.bounds
    return Drawn(
        "".join(r for r in rings if r), [round(minx), round(miny), round(maxx), round(maxy)]
    )


def _project_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    def ring(coords: list[list[float]]) -> list[tuple[float, float]]:
        return [project(c[0], c[1]) for c in coords]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]],
        }
    raise ValueError(f"not a polygon: {geometry['type']}")


def union_bbox(boxes: Iterable[BBox | None], margin: float = 0.02) -> BBox:
    """The box around all `boxes`, with a small margin so strokes at the edge show."""
    valid = [b for b in boxes if b]
    if not valid:
        return [0, 0, 1, 1]
    minx = min(b[0] for b in valid)
    miny = min(b[1] for b in valid)
    maxx = max(b[2] for b in valid)
    maxy = max(b[3] for b in valid)
    pad = max(maxx - minx, maxy - miny) * margin
    return [minx - pad, miny - pad, maxx + pad, maxy + pad]


def view_box(bbox: BBox) -> str:
    minx, miny, maxx, maxy = bbox
    return f"{round(minx)} {round(miny)} {round(maxx - minx)} {round(maxy - miny)}"


@dataclass
class MapShape:
    """One linked shape of a drawn map (see templates/territory/includes/map.html)."""

    code: str
    label: str
    path: str
    url: str
    css: str = ""
    note: str = ""


@dataclass
class MapData:
    title: str
    description: str
    view_box: str
    shapes: list[MapShape]


def make_map(
    title: str,
    description: str,
    items: Iterable[Any],
    css: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
    bbox: BBox | None = None,
) -> MapData:
    """A map of territorial units that have `code`, `name`, `svg_path`, `bbox` and a URL."""
    css = css or {}
    notes = notes or {}
    items = [i for i in items if i.svg_path]
    shapes = [
        MapShape(
            code=i.pk,
            label=i.name,
            path=i.svg_path,
            url=i.get_absolute_url(),
            css=css.get(i.pk, ""),
            note=notes.get(i.pk, ""),
        )
        for i in items
    ]
    box = bbox or union_bbox(i.bbox for i in items)
    return MapData(title, description, view_box(box), shapes)
