"""Shapes drawn or typed by planners: read, checked, measured, split and merged, then saved audited.

A shape reaches the engine as WKT, GeoJSON or typed coordinates (VN-2000 / TM-3 107°15′ or lon/lat,
:func:`parse_shape`), is checked against the rules of :func:`check_shape` (an empty shape, a
self-intersecting outline, a sliver, a part outside the district: each refused with what and where),
and is measured on the national grid (:func:`measure`: hectares and kilometres in EPSG:9215). An area or
length field left empty is filled with the measured value. Every save is one audited transaction of
:func:`geo.store.edit.write_shapes`: the time machine reads it back and a rollback undoes it.

Split cuts a polygon along a line into parts keyed from the parent's (``LN-07`` → ``LN-07-1``,
``LN-07-2``), the attributes carried and the areas measured again; merge joins adjacent polygons of one
layer into the first. Each is one transaction.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape as geojson_shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import split as shapely_split

from geo.model.catalog import LayerSpec
from geo.model.crs import VN2000_LANGSON, WGS84, transformer
from geo.store import db
from geo.store.changelog import GEOM_KEY, AuditRow, EditError
from geo.store.edit import ShapeChange, layer_spec, read_feature, write_shapes

#: A polygon part smaller than this (m², on the national grid) is a sliver.
SLIVER_M2 = 5.0
#: A polygon part thinner than this on average (2 × area / perimeter, metres) is a sliver.
SLIVER_WIDTH_M = 0.5
#: How far a shape may stray past the district's outline (metres) before it is refused.
OUTSIDE_TOLERANCE_M = 1.0
#: How far apart (degrees, about 10 cm) two edges may be drawn and still merge as one.
SNAP_DEGREES = 1e-6
#: The district's outline, read from this layer of the store.
DISTRICT_LAYER = "district"
#: Fields the store fills with the measured value when a planner leaves them empty: name → (measure, factor).
MEASURED_FIELDS = {
    "area_ha": ("area_m2", 1e-4),
    "area_m2": ("area_m2", 1.0),
    "length_km": ("length_m", 1e-3),
    "length_m": ("length_m", 1.0),
}

_KINDS = {
    "Point": ("Point",),
    "LineString": ("LineString", "MultiLineString"),
    "Polygon": ("Polygon", "MultiPolygon"),
}


class ShapeError(EditError):
    """A shape refused by a rule; the message says what is wrong and where."""


# -- measuring ---------------------------------------------------------------------------------------
def to_grid(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` (WGS 84) on the national grid: VN-2000 / TM-3 107°15′ (EPSG:9215), metres."""
    tr = transformer(WGS84, VN2000_LANGSON)
    return shapely.transform(geom, lambda xy: _stack(tr.transform(xy[:, 0], xy[:, 1])))


def from_grid(geom: BaseGeometry, crs: str = VN2000_LANGSON) -> BaseGeometry:
    """``geom`` in ``crs`` (metres) as WGS 84."""
    tr = transformer(crs, WGS84)
    return shapely.transform(geom, lambda xy: _stack(tr.transform(xy[:, 0], xy[:, 1])))


def _stack(xy: tuple[Any, Any]) -> Any:
    import numpy as np

    return np.column_stack(xy)


@dataclass(frozen=True)
class Measure:
    """A shape's size on the national grid."""

    area_m2: float
    length_m: float  # a line's length, a polygon's perimeter

    @property
    def area_ha(self) -> float:
        """Hectares."""
        return self.area_m2 / 1e4

    @property
    def length_km(self) -> float:
        """Kilometres."""
        return self.length_m / 1e3

    def as_dict(self) -> dict[str, float]:
        """Rounded as a form shows them: hectares to 4 places, kilometres to 3, metres and m² to 2."""
        return {
            "area_m2": round(self.area_m2, 2),
            "area_ha": round(self.area_ha, 4),
            "length_m": round(self.length_m, 2),
            "length_km": round(self.length_km, 3),
        }


def measure(geom: BaseGeometry) -> Measure:
    """Area and length of ``geom`` (WGS 84) measured in EPSG:9215."""
    grid = to_grid(geom)
    return Measure(float(grid.area), float(grid.length))


def measured_values(spec: LayerSpec, geom: BaseGeometry, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The layer's area/length fields that ``values`` leaves empty, filled with the measured value
    (``values=None``: every such field, measured again).
    """
    names = {f.name for f in spec.fields if not f.derived and f.kind == "float"}
    m = measure(geom).as_dict()
    out: dict[str, Any] = {}
    for name, (what, factor) in MEASURED_FIELDS.items():
        if name not in names:
            continue
        if what == "area_m2" and spec.geometry != "Polygon":
            continue
        if what == "length_m" and spec.geometry != "LineString":
            continue
        if values is not None and values.get(name) not in (None, ""):
            continue
        base = m["area_m2"] if what == "area_m2" else m["length_m"]
        out[name] = round(base * factor, 4 if factor < 1 else 2)
    return out


# -- reading what a planner typed or pasted ---------------------------------------------------------------
_NUMBER = r"-?\d+(?:[.,]\d+)?"


def parse_shape(text: str, kind: str | None = None, crs: str | None = None) -> BaseGeometry:
    """A shape from WKT, GeoJSON (a geometry, a Feature, or a collection of one) or typed coordinates.

    Typed coordinates are one point a line (``x y``, ``x, y``, ``x;y``; a leading point number is
    ignored): one point is a point, more a line, or a polygon's ring when ``kind`` is ``"Polygon"``.
    A coordinate pair in VN-2000 may be written easting northing or as surveyors write it, X (northing)
    first: the larger number is the northing. Lon/lat may be written lat lon. ``crs`` names the system
    (``EPSG:9215``, ``EPSG:4326``, …); without it, degrees are WGS 84 and metres VN-2000 / TM-3 107°15′.
    Returns WGS 84. Raises :class:`ShapeError` for text that is none of these.
    """
    text = (text or "").strip()
    if not text:
        raise ShapeError("geom.empty")
    if text[0] in "{[":
        geom = _from_geojson(text)
    elif re.match(r"^(SRID=\d+;)?\s*(MULTI)?(POINT|LINESTRING|POLYGON)\b", text, re.IGNORECASE):
        try:
            geom = shapely.from_wkt(re.sub(r"^SRID=\d+;", "", text, flags=re.IGNORECASE))
        except shapely.errors.GEOSException:
            raise ShapeError("geom.unreadable", what=text[:60]) from None
    else:
        geom = _from_coordinates(text, kind)
    if geom is None or geom.is_empty:
        raise ShapeError("geom.empty")
    if geom.has_z:
        geom = shapely.force_2d(geom)
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.ravel()):
        raise ShapeError("geom.unreadable", what=text[:60])
    source = crs or (WGS84 if (abs(coords) <= 180).all() else VN2000_LANGSON)
    if source == WGS84:
        return geom
    try:
        return from_grid(geom, source)
    except Exception:  # pyproj: an unknown system
        raise ShapeError("geom.bad_crs", crs=str(source)[:40]) from None


def _from_geojson(text: str) -> BaseGeometry:
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            feats = data.get("features") or []
            if len(feats) != 1:
                raise ShapeError("geom.one_shape", n=len(feats))
            data = feats[0]
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if not isinstance(data, dict):
            raise ValueError
        return geojson_shape(data)
    except ShapeError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise ShapeError("geom.unreadable", what=text[:60]) from None


def _from_coordinates(text: str, kind: str | None) -> BaseGeometry:
    pairs = []
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        numbers = _numbers(line)
        if len(numbers) == 3 and float(numbers[0]).is_integer() and abs(numbers[0]) < 1e5:
            numbers = numbers[1:]  # a surveyor's point number first
        if len(numbers) != 2:
            raise ShapeError("geom.bad_line", line=line[:60])
        pairs.append(_ordered(*numbers))
    if not pairs:
        raise ShapeError("geom.empty")
    if len(pairs) == 1:
        return shapely.Point(pairs[0])
    if kind == "Polygon":
        if pairs[0] != pairs[-1]:
            pairs.append(pairs[0])
        if len(pairs) < 4:
            raise ShapeError("geom.too_few", n=len(pairs) - 1, need=3)
        return shapely.Polygon(pairs)
    return shapely.LineString(pairs)


def _numbers(line: str) -> list[float]:
    """The numbers of one typed line: separated by tabs, semicolons, spaces or a comma; a comma between
    digits is a decimal comma when the numbers are separated otherwise.
    """
    if "\t" in line or ";" in line:
        parts = re.split(r"[\t;]+", line)
    elif re.search(r"\s", line.strip()):
        parts = re.split(r"[\s]+", line.replace(", ", " ").replace(" ,", " "))
    else:
        parts = line.split(",")
    out = []
    for p in parts:
        p = p.strip().rstrip(",")
        if not p:
            continue
        if not re.fullmatch(_NUMBER, p):
            raise ShapeError("geom.bad_line", line=line[:60])
        out.append(float(p.replace(",", ".")))
    return out


def _ordered(a: float, b: float) -> tuple[float, float]:
    """(x, y) from a typed pair: lat lon and northing easting (X first, as surveyors write) are turned round."""
    if abs(a) <= 180 and abs(b) <= 180:
        return (b, a) if 8 <= a <= 24 and 102 <= b <= 110 else (a, b)
    return (b, a) if a > b else (a, b)


# -- the rules -------------------------------------------------------------------------------------------
def _where(point: BaseGeometry) -> dict[str, str]:
    """A place as a message names it: lon/lat and VN-2000 easting/northing."""
    x, y = point.x, point.y
    e, n = transformer(WGS84, VN2000_LANGSON).transform(x, y)
    return {"lon": f"{x:.6f}", "lat": f"{y:.6f}", "e": f"{e:.1f}", "n": f"{n:.1f}"}


def check_shape(geom: BaseGeometry | None, kind: str, district: BaseGeometry | None = None) -> BaseGeometry:
    """``geom`` (WGS 84) if the rules allow it on a layer of ``kind`` (``Point``, ``LineString``,
    ``Polygon``), else :class:`ShapeError` saying what and where: an empty shape, the wrong kind, a
    self-intersecting outline, a sliver (a part under :data:`SLIVER_M2` m² or thinner than
    :data:`SLIVER_WIDTH_M` m), a part outside ``district`` (more than :data:`OUTSIDE_TOLERANCE_M` m).
    """
    if geom is None or geom.is_empty:
        raise ShapeError("geom.empty")
    if geom.geom_type not in _KINDS.get(kind, ()):
        raise ShapeError("geom.wrong_kind", got=geom.geom_type, want=kind)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        reason = shapely.is_valid_reason(geom)
        if reason != "Valid Geometry":
            m = re.search(r"\[(" + _NUMBER + r") (" + _NUMBER + r")\]", reason)
            at = shapely.Point(float(m.group(1)), float(m.group(2))) if m else geom.representative_point()
            raise ShapeError("geom.self_intersection", **_where(at))
        for part in getattr(geom, "geoms", [geom]):
            grid = to_grid(part)
            width = 2 * grid.area / grid.length if grid.length else 0.0
            if grid.area < SLIVER_M2 or width < SLIVER_WIDTH_M:
                raise ShapeError(
                    "geom.sliver",
                    area=f"{grid.area:.2f}",
                    width=f"{width:.2f}",
                    min_area=f"{SLIVER_M2:g}",
                    min_width=f"{SLIVER_WIDTH_M:g}",
                    **_where(part.representative_point()),
                )
    elif geom.geom_type in ("LineString", "MultiLineString"):
        for part in getattr(geom, "geoms", [geom]):
            if len(set(part.coords)) < 2 or to_grid(part).length < SLIVER_WIDTH_M:
                raise ShapeError("geom.empty")
    if district is not None and not district.is_empty:
        outside = to_grid(geom).difference(to_grid(district).buffer(OUTSIDE_TOLERANCE_M))
        if not outside.is_empty:
            size = (
                f"{outside.area / 1e4:.4f} ha"
                if outside.area > 0
                else (f"{outside.length:.1f} m" if outside.length > 0 else "")
            )
            raise ShapeError("geom.outside", size=size, **_where(from_grid(outside.representative_point())))
    return geom


def district_outline(path: db.Location) -> BaseGeometry | None:
    """The district's outline as the store holds it (WGS 84), or ``None`` if it holds none."""
    from geo.store.reads import Store

    store = Store(path)
    if not store.has(DISTRICT_LAYER):
        return None
    frame = store.read(DISTRICT_LAYER)
    return shapely.union_all(frame.geometry.values) if len(frame) else None


def drawable(spec: LayerSpec | None) -> bool:
    """Whether planners draw into ``spec``'s layer: a spatial layer with fields they edit, or their own overlay."""
    return bool(spec is not None and spec.is_spatial and (spec.editable or spec.theme == "overlay"))


def _spec(path: db.Location, layer_id: str) -> LayerSpec:
    spec = layer_spec(path, layer_id)
    if not drawable(spec):
        raise EditError("geom.not_drawable", layer=layer_id)
    assert spec is not None
    return spec


def _checked(path: db.Location, spec: LayerSpec, geom: BaseGeometry) -> BaseGeometry:
    district = None if "in_district" in {f.name for f in spec.fields} else district_outline(path)
    return check_shape(geom, spec.geometry or "Polygon", district)


def _editable(spec: LayerSpec, values: Mapping[str, Any]) -> None:
    for name in values:
        if spec.theme == "overlay" and name in {f.name for f in spec.fields} and name != spec.key:
            continue
        if name not in spec.editable:
            raise EditError("edit.read_only", field=name)


# -- saving ------------------------------------------------------------------------------------------------
def add_shape(
    path: db.Location,
    layer_id: str,
    values: Mapping[str, Any],
    geom: BaseGeometry,
    user: str,
    reason: str = "",
    ts: str | None = None,
) -> str:
    """Add a drawn or typed feature (every field of the layer in ``values``, its key among them); area and
    length fields left empty are filled with the measured values. Returns its key.
    """
    spec = _spec(path, layer_id)
    names = {f.name for f in spec.fields}
    for name in values:
        if name not in names:
            raise EditError("edit.unknown_field", field=name, layer=layer_id)
    geom = _checked(path, spec, geom)
    full = {**dict(values), **measured_values(spec, geom, values)}
    rows = write_shapes(path, layer_id, [ShapeChange("add", values=full, wkt=geom.wkt)], user, reason, ts)
    return rows[0].feature


def reshape(
    path: db.Location,
    layer_id: str,
    key: str,
    geom: BaseGeometry | None,
    user: str,
    reason: str = "",
    values: Mapping[str, Any] | None = None,
    expected: Mapping[str, Any] | None = None,
    expected_wkt: str | None = None,
    ts: str | None = None,
) -> list[AuditRow]:
    """Give a feature a new shape (vertices edited, moved, a hole cut) and/or change its editable fields;
    its area and length fields are measured again with a new shape. ``expected``/``expected_wkt``: what the
    planner saw; a feature changed since is a conflict and nothing is written.
    """
    spec = _spec(path, layer_id)
    values = dict(values or {})
    _editable(spec, values)
    fill: dict[str, Any] = {}
    wkt = None
    if geom is not None:
        geom = _checked(path, spec, geom)
        wkt = geom.wkt
        fill = {k: v for k, v in measured_values(spec, geom).items() if k not in values}
    change = ShapeChange("update", key, values, wkt, expected, expected_wkt, fill)
    return write_shapes(path, layer_id, [change], user, reason, ts)


def delete_shape(
    path: db.Location,
    layer_id: str,
    key: str,
    user: str,
    reason: str = "",
    expected: Mapping[str, Any] | None = None,
    ts: str | None = None,
) -> list[AuditRow]:
    """Remove a feature (audited: a rollback puts it back whole)."""
    _spec(path, layer_id)
    return write_shapes(path, layer_id, [ShapeChange("delete", key, expected=expected)], user, reason, ts)


def split(
    path: db.Location,
    layer_id: str,
    key: str,
    line: BaseGeometry,
    user: str,
    reason: str = "",
    expected_wkt: str | None = None,
    ts: str | None = None,
) -> list[str]:
    """Split polygon ``key`` along ``line`` (WGS 84) into parts keyed ``key-1``, ``key-2``, … (numbered on
    after any such key that exists), north to south then west to east; each carries the parent's
    attributes with its area measured again. One transaction: the parent removed, the parts added.
    """
    spec = _spec(path, layer_id)
    if spec.geometry != "Polygon":
        raise ShapeError("geom.split_polygon_only")
    if "," in spec.key:
        raise ShapeError("geom.split_polygon_only")
    if line is None or line.is_empty or line.geom_type not in ("LineString", "MultiLineString"):
        raise ShapeError("geom.split_needs_line")
    parent = read_feature(path, layer_id, key)
    if parent is None or not parent.get(GEOM_KEY):
        raise EditError("edit.not_found", layer=layer_id, key=key)
    shape = shapely.from_wkt(parent[GEOM_KEY])
    parts = [g for g in shapely_split(shape, line).geoms if g.area > 0]
    if len(parts) < 2:
        raise ShapeError("geom.split_miss", key=key)
    parts.sort(key=lambda g: (-round(g.representative_point().y, 6), round(g.representative_point().x, 6)))
    for part in parts:
        check_shape(part, "Polygon")  # slivers and such; the parent's own place was checked when it was drawn
    start = 1
    while read_feature(path, layer_id, f"{key}-{start}") is not None:
        start += 1
    carried = {c: v for c, v in parent.items() if c != GEOM_KEY and c in {f.name for f in spec.fields}}
    changes = [ShapeChange("delete", key, expected_wkt=expected_wkt)]
    keys = []
    for i, part in enumerate(parts):
        child = f"{key}-{start + i}"
        keys.append(child)
        row = {**carried, spec.key: child, **measured_values(spec, part)}
        changes.append(ShapeChange("add", values=row, wkt=part.wkt))
    write_shapes(path, layer_id, changes, user, reason, ts)
    return keys


def merge(
    path: db.Location,
    layer_id: str,
    keys: Sequence[str],
    user: str,
    reason: str = "",
    ts: str | None = None,
) -> str:
    """Merge adjacent polygons ``keys`` of one layer into the first (its key and attributes kept, its area
    measured again); the others are removed. One transaction. Polygons that do not share an edge are refused.
    """
    spec = _spec(path, layer_id)
    if spec.geometry != "Polygon":
        raise ShapeError("geom.merge_polygon_only")
    keys = list(dict.fromkeys(keys))
    if len(keys) < 2:
        raise ShapeError("geom.merge_two")
    rows = []
    for k in keys:
        row = read_feature(path, layer_id, k)
        if row is None or not row.get(GEOM_KEY):
            raise EditError("edit.not_found", layer=layer_id, key=k)
        rows.append(row)
    shapes = [shapely.from_wkt(r[GEOM_KEY]) for r in rows]
    merged = shapely.union_all(shapes)
    if merged.geom_type != "Polygon":  # edges drawn apart by a hair (a few centimetres): snapped together
        merged = shapely.union_all([shapes[0], *(shapely.snap(s, shapes[0], SNAP_DEGREES) for s in shapes[1:])])
    if merged.geom_type != "Polygon":
        apart = next((k for k, s in zip(keys[1:], shapes[1:], strict=True) if shapes[0].distance(s) > 0), keys[1])
        raise ShapeError("geom.not_adjacent", key=apart, first=keys[0])
    check_shape(merged, "Polygon")
    changes = [
        ShapeChange(
            "update", keys[0], {}, merged.wkt, expected_wkt=rows[0][GEOM_KEY], fill=measured_values(spec, merged)
        )
    ]
    changes += [ShapeChange("delete", k, expected_wkt=r[GEOM_KEY]) for k, r in zip(keys[1:], rows[1:], strict=True)]
    write_shapes(path, layer_id, changes, user, reason, ts)
    return keys[0]


def typed_value(spec: LayerSpec, name: str, text: str) -> Any:
    """A value typed as text (``--set FIELD=VALUE``) as the field's kind: numbers with a decimal point or
    comma, yes/no for a flag; empty text is empty. Text that is no such value is returned as typed, for the
    store's own check to refuse with its message.
    """
    try:
        f = spec.field(name)
    except KeyError:
        return text
    text = text.strip()
    if text == "":
        return None
    if f.kind in ("int", "float"):
        try:
            number = float(text.replace(" ", "").replace(",", "."))
        except ValueError:
            return text
        return int(number) if f.kind == "int" and number.is_integer() else number
    if f.kind == "bool":
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "có", "co"):
            return True
        if lowered in ("0", "false", "no", "không", "khong"):
            return False
    return text


#: Messages of text that is not a shape at all: a script's bad argument (exit 2), not a refused shape (exit 1).
UNREADABLE = frozenset({"geom.unreadable", "geom.bad_line", "geom.bad_crs", "geom.one_shape"})
