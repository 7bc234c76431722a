r"""Vector tiles (Mapbox Vector Tiles, MVT 2.1) of big layers, built on request from the store.

A layer above :func:`tile_threshold` features (a province's 500,000 cadastral parcels) is not sent to
the browser whole: the map asks for the 256-pixel tiles it shows, and each is built from the store
when first asked for, then kept in a cache keyed by the store's version (an edit changes the version,
so no tile outlives the data it was built from).

* **PostGIS** builds the tile itself: ``ST_AsMVT`` over ``ST_AsMVTGeom`` of the rows whose bounding box
  meets ``ST_TileEnvelope`` (the table's GiST index); filters, the colour class and the derived fields
  are SQL expressions, so nothing but the finished tile leaves the database.
* **GeoPackage**: the rows of the tile come from the layer's own R-tree index (``rtree_<table>_<geom>``,
  plain SQL), are clipped and snapped to the tile grid with shapely, and encoded here
  (:func:`encode_tile`). Measured on 500,000 parcels (``make bench-province``) a tile takes a few tens of
  milliseconds at zoom 14–15 and a few at 16 and beyond; the tiles of the zooms a page opens at are built
  ahead into a file beside the store (:class:`TileFile`), by the import and after each write.
* **As of a past day** (the time machine), on either backend: the layer as it stood then is read once
  through :mod:`geo.read.access` and kept per (store version, day); its tiles are cut from it in memory.

Below :data:`MIN_SIZE_PX` of a pixel a feature is left out of a tile (a parcel at a district's zoom), as
tippecanoe drops the smallest features: zoomed out, the big layer thins; zoomed in, every feature is there.

Tiles carry only what the reader may see: the features' key, their colour class (``c``, an index into the
catalog palette the page holds) and the layer's tooltip and popup fields, stripped of the sensitive ones for
a reader without the right (:func:`geo.read.access.for_reader`, the one rule): a click shows the parcel's
card from them at once, and the full record follows on the page, through the page's own reader.

The encoder writes the protobuf wire format directly (the format is small: see :func:`encode_tile`);
:func:`decode_tile` reads it back, and reads what PostGIS writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import logging
import math
import os
import sqlite3
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.model.catalog import LAND_USE_GROUP, LayerSpec
from geo.read import access
from geo.read.filters import Filters, apply_filters, filter_fields
from geo.store import db
from geo.store.reads import Store
from geo.webmap.compact import classes

EXTENT = 4096  # tile coordinates per side (the MVT default)
BUFFER = 64  # tile units drawn beyond each edge, so a stroke on the edge is not cut
MIN_SIZE_PX = 0.5  # a feature whose bounding box (width + height) is under this many pixels is left out
# An outline's bends smaller than this many pixels are not drawn: a tile's shapes are simplified (Douglas-Peucker)
# to half a pixel of its zoom, as tippecanoe and the usual PostGIS tile queries do. On 500,000 parcels a zoom-14
# tile then holds half the vertices, and the browser paints it in half the time; what is left out is invisible.
SIMPLIFY_PX = 0.5
CARD_ZOOM = 15  # from this zoom on a tile carries the record card's fields (popup), below only the tooltip's
MAX_FEATURES = 3000  # at most this many features in a tile, the largest first (a province zoomed out)
LAYER = "features"  # the one layer name inside every tile
E = 20037508.342789244  # half the Web Mercator world, metres
THRESHOLD_ENV = "DINHLAP_TILE_LAYER"
_LOG = logging.getLogger("dinhlap.tiles")
DEFAULT_THRESHOLD = 20_000
_TO_MERCATOR = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
_TO_WGS84 = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)


def tile_threshold() -> int:
    """Features above which a layer is drawn from vector tiles: ``$DINHLAP_TILE_LAYER`` (default 20,000)."""
    try:
        return max(1, int(os.environ.get(THRESHOLD_ENV, "") or DEFAULT_THRESHOLD))
    except ValueError:
        return DEFAULT_THRESHOLD


# -- what a tile holds -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TileQuery:
    """What one map layer's tiles show: the layer, for whom, filtered how, coloured by what, on which day.

    It travels in the tile URL, signed by the app (see :mod:`ui.tileserver`), so a reader cannot widen
    what they may see by editing it.
    """

    layer: str
    sensitive: bool = False
    filters: Filters = field(default_factory=dict)
    color_field: str | None = None
    as_of: str | None = None  # ISO 8601 moment, or None: now

    def to_json(self) -> dict[str, Any]:
        """The query as plain JSON data."""
        return {"l": self.layer, "s": self.sensitive, "f": self.filters, "c": self.color_field, "a": self.as_of}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TileQuery:
        """The query :meth:`to_json` wrote."""
        filters = {
            str(k): (list(v) if isinstance(v, list | tuple) else v) for k, v in dict(data.get("f") or {}).items()
        }
        return cls(str(data["l"]), bool(data.get("s")), filters, data.get("c"), data.get("a"))

    @property
    def moment(self) -> dt.datetime | None:
        """The moment read, parsed (``None``: now)."""
        return dt.datetime.fromisoformat(self.as_of) if self.as_of else None


def plain_filters(filters: Filters) -> Filters:
    """``filters`` as plain JSON data (numbers, text, ISO dates; pairs as lists), for a tile URL."""

    def plain(v: Any) -> Any:
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, dt.date | pd.Timestamp):
            return v.isoformat()
        if isinstance(v, list | tuple | set | np.ndarray | pd.Index):
            return [plain(x) for x in v]
        return v

    return {str(k): plain(v) for k, v in filters.items() if v is not None}


def tile_fields(spec: LayerSpec, sensitive: bool, z: int | None = None) -> list[str]:
    """The attribute fields a tile of ``spec`` carries for a reader: the tooltip's and, from zoom
    :data:`CARD_ZOOM` on (``z``; ``None``: any), the record card's (the layer's popup fields, shown at once on a
    click); never a sensitive one for a reader without the right. Zoomed out, where a parcel is a few pixels,
    the tile stays light: there its card shows the tooltip's fields, and the full record follows as always.
    """
    hidden = set() if sensitive else set(spec.sensitive)
    names = (*spec.tooltip, *spec.popup) if z is None or z >= CARD_ZOOM else spec.tooltip
    return [f for f in dict.fromkeys(names) if f not in hidden]


def palette_codes(spec: LayerSpec, color_field: str | None) -> tuple[str | None, list[str]]:
    """The field the colour class is read from and its codes (a class is the code's index; others: ``len``)."""
    sf = color_field or spec.status_field
    return sf, [s.value for s in spec.codes(sf)] if sf else []


# -- tile geometry -----------------------------------------------------------------------------------
def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` of tile ``z/x/y`` in Web Mercator metres."""
    size = 2 * E / 2**z
    return -E + x * size, E - (y + 1) * size, -E + (x + 1) * size, E - y * size


def tile_lonlat(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of tile ``z/x/y`` in degrees, widened by ``margin`` of its size."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    pad = (maxx - minx) * margin
    w, s = _TO_WGS84.transform(minx - pad, miny - pad)
    e, n = _TO_WGS84.transform(maxx + pad, maxy + pad)
    return float(w), float(s), float(e), float(n)


def min_size_degrees(z: int, lat: float) -> float:
    """:data:`MIN_SIZE_PX` pixels of zoom ``z`` in degrees of longitude (at latitude ``lat``; for the bbox test)."""
    del lat  # a degree of longitude is the same number of pixels at every latitude in Web Mercator
    return MIN_SIZE_PX * 360 / (256 * 2**z)


def simplify_metres(z: int) -> float:
    """:data:`SIMPLIFY_PX` pixels of zoom ``z`` in Web Mercator metres (PostGIS simplifies before cutting the tile)."""
    return SIMPLIFY_PX * 2 * E / (256 * 2**z)


def _to_tile(geoms: np.ndarray, z: int, x: int, y: int) -> np.ndarray:
    """WGS 84 geometries → integer tile coordinates (y down), clipped to the tile and its buffer, valid."""
    minx, _, maxx, maxy = tile_bounds(z, x, y)
    scale = EXTENT / (maxx - minx)

    def project(c: np.ndarray) -> np.ndarray:
        mx, my = _TO_MERCATOR.transform(c[:, 0], c[:, 1])
        return np.column_stack([(np.asarray(mx) - minx) * scale, (maxy - np.asarray(my)) * scale])

    local = shapely.transform(geoms, project)
    clipped = shapely.clip_by_rect(local, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    # Simplified (plain Douglas-Peucker: a quarter of the time of the topology-keeping kind); an outline it
    # collapsed is drawn as it is, so a parcel the size filter let in is never lost.
    simple = shapely.simplify(clipped, SIMPLIFY_PX * EXTENT / 256, preserve_topology=False)
    collapsed = shapely.is_empty(simple) & ~shapely.is_empty(clipped)
    simple[collapsed] = clipped[collapsed]
    # On the integer grid: each point rounded (fast), and only the shapes that simplifying or rounding made
    # invalid snapped again the robust way, from the outline as it was (valid; a sliver collapses to empty):
    # the robust way for every shape took most of a tile's time.
    local = shapely.set_precision(simple, 1.0, mode="pointwise")
    bad = ~shapely.is_valid(local) & ~shapely.is_missing(local)
    if bad.any():
        local[bad] = shapely.set_precision(clipped[bad], 1.0)
    return shapely.orient_polygons(local, exterior_cw=False)  # MVT: the outer ring's area positive in y-down


# -- the MVT wire format -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 16)
def _varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num: int, wire: int) -> bytes:
    return _varint((num << 3) | wire)


def _bytes(num: int, payload: bytes) -> bytes:
    return _field(num, 2) + _varint(len(payload)) + payload


def _packed(num: int, values: Iterable[int]) -> bytes:
    return _bytes(num, b"".join(_varint(v) for v in values))


def _zz(v: int) -> int:
    return (v << 1) ^ (v >> 63)


def _value(v: Any) -> bytes:
    if isinstance(v, bool | np.bool_):
        return _field(7, 0) + _varint(int(bool(v)))
    if isinstance(v, int | np.integer):
        return _field(6, 0) + _varint(_zz(int(v)) & 0xFFFFFFFFFFFFFFFF)
    if isinstance(v, float | np.floating):
        return _field(3, 1) + struct.pack("<d", float(v))
    return _bytes(1, str(v).encode("utf-8"))


def _ring_commands(coords: np.ndarray, closed: bool, cursor: list[int]) -> list[int]:
    pts = np.asarray(coords, dtype=np.int64)
    if closed:
        pts = pts[:-1]
    if len(pts) > 1:  # drop repeated points (snapping may make them)
        keep = np.concatenate(([True], np.any(pts[1:] != pts[:-1], axis=1)))
        pts = pts[keep]
    if len(pts) < (3 if closed else 2):
        return []
    out = [(1 & 7) | (1 << 3)]  # MoveTo 1
    dx, dy = int(pts[0, 0]) - cursor[0], int(pts[0, 1]) - cursor[1]
    out += [_zz(dx), _zz(dy)]
    out.append((2 & 7) | ((len(pts) - 1) << 3))  # LineTo n-1
    d = np.diff(pts, axis=0)
    out += [int(v) for v in ((d << 1) ^ (d >> 63)).reshape(-1)]
    cursor[0], cursor[1] = int(pts[-1, 0]), int(pts[-1, 1])
    if closed:
        out.append((7 & 7) | (1 << 3))  # ClosePath
    return out


def _geometry(geom: Any) -> tuple[int, list[int]]:
    """``(MVT geometry type, commands)`` of a geometry in integer tile coordinates."""
    cursor = [0, 0]
    kind = shapely.get_type_id(geom)
    if kind in (0, 4):  # Point, MultiPoint
        pts = shapely.get_coordinates(geom).astype(np.int64)
        out = [(1 & 7) | (len(pts) << 3)]
        for px, py in pts:
            out += [_zz(int(px) - cursor[0]), _zz(int(py) - cursor[1])]
            cursor = [int(px), int(py)]
        return 1, out
    if kind in (1, 5):  # LineString, MultiLineString
        out = []
        for part in shapely.get_parts(geom):
            out += _ring_commands(shapely.get_coordinates(part), False, cursor)
        return 2, out
    out = []
    for part in shapely.get_parts(geom):
        if shapely.get_type_id(part) != 3:
            continue
        for ring in [part.exterior, *part.interiors]:
            out += _ring_commands(shapely.get_coordinates(ring), True, cursor)
    return 3, out


def _varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Unsigned LEB128 of each value, vectorised; and each value's end offset in the bytes."""
    v = values.astype(np.uint64)
    nbytes = np.ones(len(v), dtype=np.int64)
    for k in range(1, 10):
        nbytes += v >= np.uint64(1) << np.uint64(7 * k)
    ends = np.cumsum(nbytes)
    starts = ends - nbytes
    out = np.zeros(int(ends[-1]) if len(v) else 0, dtype=np.uint8)
    for k in range(int(nbytes.max()) if len(v) else 0):
        m = nbytes > k
        byte = (v[m] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (nbytes[m] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[m] + k] = (byte | more).astype(np.uint8)
    return out.tobytes(), ends


def _polygon_commands(geoms: np.ndarray) -> list[bytes | None]:
    """Each polygon feature's geometry commands as packed varints (``None``: nothing left of it), all
    features at once: the rings' points (closing point dropped) become MoveTo, LineTo, ClosePath with
    zigzag steps from the previous ring's last point of the same feature.
    """
    n = len(geoms)
    out: list[bytes | None] = [None] * n
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == 3
    parts, part_of = parts[keep], part_of[keep]
    if not len(parts):
        return out
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    owner = part_of[ring_part]
    counts = shapely.get_num_coordinates(rings).astype(np.int64) - 1  # the closing point dropped
    ok = counts >= 3
    rings, owner, counts = rings[ok], owner[ok], counts[ok]
    if not len(rings):
        return out
    coords = shapely.get_coordinates(rings).astype(np.int64)
    full = counts + 1
    ring_start_full = np.concatenate(([0], np.cumsum(full)[:-1]))
    keep_pt = np.ones(len(coords), dtype=bool)
    keep_pt[ring_start_full + counts] = False  # each ring's closing point
    pts = coords[keep_pt]
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    first_of_feature = np.concatenate(([True], owner[1:] != owner[:-1]))
    prev_end = np.zeros((len(rings), 2), dtype=np.int64)
    prev_end[1:] = pts[start[1:] - 1]  # the previous ring's last point
    prev_end[first_of_feature] = 0
    steps = np.diff(pts, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    steps[start] = pts[start] - prev_end
    zz = ((steps << 1) ^ (steps >> 63)).astype(np.int64)  # zigzag
    slots = 2 * counts + 3  # MoveTo, its x y, LineTo, the other points' x y, ClosePath
    ring_slot = np.concatenate(([0], np.cumsum(slots)[:-1]))
    total = int(slots.sum())
    cmds = np.zeros(total, dtype=np.int64)
    cmds[ring_slot] = 9  # MoveTo, one point
    cmds[ring_slot + 3] = 2 | ((counts - 1) << 3)  # LineTo, the rest
    cmds[ring_slot + slots - 1] = 15  # ClosePath
    ring_of_pt = np.repeat(np.arange(len(rings)), counts)
    k = np.arange(len(pts)) - start[ring_of_pt]  # the point's place in its ring
    pos = ring_slot[ring_of_pt] + 1 + 2 * k + (k > 0)  # after MoveTo; after LineTo for the rest
    cmds[pos] = zz[:, 0]
    cmds[pos + 1] = zz[:, 1]
    blob, ends = _varints(cmds)
    feature_first = np.flatnonzero(first_of_feature)
    feature_last = np.concatenate((feature_first[1:], [len(rings)])) - 1
    slot_end = ring_slot + slots
    for f0, f1 in zip(feature_first, feature_last, strict=True):
        a = int(ends[ring_slot[f0] - 1]) if ring_slot[f0] else 0
        b = int(ends[slot_end[f1] - 1])
        out[int(owner[f0])] = blob[a:b]
    return out


def encode_tile(geoms: Sequence[Any] | np.ndarray, properties: Sequence[dict[str, Any]], name: str = LAYER) -> bytes:
    """One MVT layer ``name`` of ``geoms`` (in integer tile coordinates) with their ``properties``.

    Features whose geometry vanished (clipped away, a sliver below a unit) are left out; ``None`` values too.
    Polygons are encoded all at once (:func:`_polygon_commands`); points and lines one by one.
    """
    keys: dict[str, int] = {}
    values: dict[tuple[str, Any], int] = {}
    feats = []
    arr = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(arr)
    polygonal = np.isin(types, (3, 6))
    packed = _polygon_commands(arr[polygonal]) if polygonal.any() else []
    packed_of = dict(zip(np.flatnonzero(polygonal).tolist(), packed, strict=True))
    for i, (g, props) in enumerate(zip(arr, properties, strict=True)):
        if g is None or shapely.is_empty(g):
            continue
        if i in packed_of:
            gtype, raw = 3, packed_of[i]
            if not raw:
                continue
            geom = _bytes(4, raw)
        else:
            gtype, cmds = _geometry(g)
            if not cmds:
                continue
            geom = _packed(4, cmds)
        tags = []
        for k, v in props.items():
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, np.generic):
                v = v.item()
            ki = keys.setdefault(k, len(keys))
            vi = values.setdefault((type(v).__name__, v), len(values))
            tags += [ki, vi]
        feats.append(_field(1, 0) + _varint(i + 1) + _packed(2, tags) + _field(3, 0) + _varint(gtype) + geom)
    body = _field(15, 0) + _varint(2) + _bytes(1, name.encode())
    body += b"".join(_bytes(2, f) for f in feats)
    body += b"".join(_bytes(3, k.encode("utf-8")) for k in keys)
    body += b"".join(_bytes(4, _value(v)) for (_, v) in values)
    body += _field(5, 0) + _varint(EXTENT)
    return _bytes(3, body) if feats else b""


# -- reading a tile (tests; PostGIS's tiles read the same way) ------------------------------------------
def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _messages(buf: bytes) -> Iterable[tuple[int, int, Any]]:
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        num, wire = key >> 3, key & 7
        v: Any
        if wire == 0:
            v, pos = _read_varint(buf, pos)
        elif wire == 1:
            v, pos = buf[pos : pos + 8], pos + 8
        elif wire == 5:
            v, pos = buf[pos : pos + 4], pos + 4
        else:
            n, pos = _read_varint(buf, pos)
            v, pos = buf[pos : pos + n], pos + n
        yield num, wire, v


def _unpacked(v: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(v):
        n, pos = _read_varint(v, pos)
        out.append(n)
    return out


def _unzz(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _decode_geometry(gtype: int, cmds: list[int]) -> Any:
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    while i < len(cmds):
        cid, count = cmds[i] & 7, cmds[i] >> 3
        i += 1
        if cid == 7:
            parts[-1].append(parts[-1][0])
            continue
        for _ in range(count):
            x += _unzz(cmds[i])
            y += _unzz(cmds[i + 1])
            i += 2
            if cid == 1:
                parts.append([(x, y)])
            else:
                parts[-1].append((x, y))
    if gtype == 1:
        return shapely.MultiPoint([p[0] for p in parts])
    if gtype == 2:
        return shapely.MultiLineString(parts)
    polys: list[list[list[tuple[int, int]]]] = []
    for ring in parts:  # an outer ring (area > 0 in y-down) starts a polygon; the holes follow it
        if shapely.Polygon(ring).exterior.is_ccw or not polys:
            polys.append([ring])
        else:
            polys[-1].append(ring)
    return shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in polys])


def decode_tile(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    """The features of each layer of an MVT tile: ``{"geometry": shapely (tile units), "properties", "id"}``."""
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    out: dict[str, list[dict[str, Any]]] = {}
    for num, _, layer in _messages(blob):
        if num != 3:
            continue
        name, keys, values, raw = "", [], [], []
        for n, _w, v in _messages(layer):
            if n == 1:
                name = v.decode()
            elif n == 2:
                raw.append(v)
            elif n == 3:
                keys.append(v.decode("utf-8"))
            elif n == 4:
                for vn, _vw, vv in _messages(v):
                    values.append(
                        vv.decode("utf-8")
                        if vn == 1
                        else struct.unpack("<f", vv)[0]
                        if vn == 2
                        else struct.unpack("<d", vv)[0]
                        if vn == 3
                        else _unzz(vv)
                        if vn == 6
                        else bool(vv)
                        if vn == 7
                        else (vv - (1 << 64) if vv >= 1 << 63 else vv)
                        if vn == 4
                        else vv
                    )
        feats = []
        for f in raw:
            fid, tags, gtype, cmds = None, [], 0, []
            for n, _w, v in _messages(f):
                if n == 1:
                    fid = v
                elif n == 2:
                    tags = _unpacked(v)
                elif n == 3:
                    gtype = v
                elif n == 4:
                    cmds = _unpacked(v)
            props = {keys[tags[j]]: values[tags[j + 1]] for j in range(0, len(tags), 2)}
            feats.append({"id": fid, "properties": props, "geometry": _decode_geometry(gtype, cmds)})
        out[name] = feats
    return out


# -- building a tile ---------------------------------------------------------------------------------
def _key_of(spec: LayerSpec, frame: pd.DataFrame) -> list[str]:
    cols = spec.key.split(",")
    return [",".join(str(v) for v in row) for row in frame[cols].itertuples(index=False)]


def _derived(store: Store, spec: LayerSpec, frame: pd.DataFrame) -> pd.DataFrame:
    return access.with_derived(store, spec.id, frame)


def frame_tile(spec: LayerSpec, frame: gpd.GeoDataFrame, query: TileQuery, z: int, x: int, y: int) -> bytes:
    """The tile of ``frame`` (the layer as the reader sees it, derived fields computed, WGS 84), unfiltered yet."""
    frame = apply_filters(spec, frame, query.filters)
    if frame.empty:
        return b""
    if len(frame) > MAX_FEATURES:  # the largest first, as a map zoomed out shows them
        b = frame.geometry.bounds
        frame = frame.iloc[
            np.argsort(-((b.maxx - b.minx) + (b.maxy - b.miny)).to_numpy(), kind="stable")[:MAX_FEATURES]
        ]
    sf, codes = palette_codes(spec, query.color_field)
    cls = classes(frame[sf], codes) if sf and sf in frame.columns else np.full(len(frame), len(codes), np.uint8)
    fields = [f for f in tile_fields(spec, query.sensitive, z) if f in frame.columns]
    keys = _key_of(spec, frame)
    local = _to_tile(np.asarray(frame.geometry.values, dtype=object), z, x, y)
    cols = {f: frame[f].tolist() for f in fields}
    props = [{"key": keys[i], "c": int(cls[i]), **{f: _plain(cols[f][i]) for f in fields}} for i in range(len(frame))]
    return encode_tile(local, props)


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp | dt.date):
        return v.isoformat()
    return v


def _gpkg_geoms(blobs: Sequence[bytes | None]) -> np.ndarray:
    """GeoPackage geometry blobs → shapely (the header's envelope skipped, as its flags say)."""
    wkbs: list[bytes | None] = []
    for b in blobs:
        if b is None:
            wkbs.append(None)
            continue
        env = (b[3] >> 1) & 7
        wkbs.append(bytes(b[8 + (0, 32, 48, 48, 64)[env] :]))
    return shapely.from_wkb(np.asarray(wkbs, dtype=object))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Reader:
    """A read connection to a GeoPackage per thread of the tile server, kept across tiles while the store's
    version holds (a write, or the file replaced whole, moves the version: the next tile opens it afresh).

    Opening the file and reading its schema took about 16 ms a tile, more than building a small tile.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, path: Path, version: str, layer: str | None = None) -> tuple[Any, str, list[str]]:
        """``(connection, geometry column, columns)`` of ``layer`` in the GeoPackage at ``path`` (no layer: the
        connection alone).
        """
        held = getattr(self._local, "held", None)
        if held is None or held[0] != (str(path), version):
            if held is not None:
                held[1].close()
            if not path.is_file():
                raise FileNotFoundError(path)
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only = 1")
            tables: dict[str, tuple[str, list[str]]] = {}
            held = ((str(path), version), conn, tables)
            self._local.held = held
        conn, schema = held[1], held[2]
        if layer is None:
            return conn, "", []
        if layer not in schema:
            sql = "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?"
            row = conn.execute(sql, (layer,)).fetchone()
            cols = [str(r[1]) for r in conn.execute(f"PRAGMA table_info({_q(layer)})")]
            schema[layer] = (str(row[0]) if row else "geom", cols)
        gcol, cols = schema[layer]
        return conn, gcol, cols


_READER = _Reader()


def gpkg_tile(store: Store, spec: LayerSpec, query: TileQuery, z: int, x: int, y: int) -> bytes:
    """A tile built from a GeoPackage through the layer's R-tree index.

    Without filters (the page as it opens, and every pan) the rows go straight from SQLite to the encoder
    (:func:`_plain_tile`); with filters, through the frame the filters apply to (:func:`frame_tile`).
    """
    assert store.path is not None
    w, s, e, n = tile_lonlat(z, x, y, BUFFER / EXTENT)
    conn, gcol, stored = _READER.get(store.path, store.version, spec.id)
    rtree = f"rtree_{spec.id}_{gcol}"
    cols = [c for c in stored if c not in (gcol, "fid")]
    where = "r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? AND (r.maxx - r.minx) + (r.maxy - r.miny) >= ?"
    sql = (
        f"SELECT {', '.join('t.' + _q(c) for c in cols)}, t.{_q(gcol)} FROM {_q(spec.id)} t "
        f"JOIN {_q(rtree)} r ON t.fid = r.id WHERE {where}"
    )
    args = (w, e, s, n, min_size_degrees(z, (s + n) / 2))
    (count,) = conn.execute(f"SELECT count(*) FROM {_q(rtree)} r WHERE {where}", args).fetchone()
    if count > MAX_FEATURES:  # the largest first, as a map zoomed out shows them
        sql += f" ORDER BY (r.maxx - r.minx) + (r.maxy - r.miny) DESC LIMIT {MAX_FEATURES}"
    rows = conn.execute(sql, args).fetchall() if count else []
    if not rows:
        return b""
    if not query.filters and spec.id != "units":  # units' derived fields come from another table
        return _plain_tile(spec, query, cols, rows, z, x, y)
    frame = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    gdf = gpd.GeoDataFrame(frame, geometry=_gpkg_geoms([r[-1] for r in rows]), crs=4326)
    gdf = access.for_reader(_derived(store, spec, gdf), spec, query.sensitive)
    return frame_tile(spec, gdf, query, z, x, y)


def _plain_tile(
    spec: LayerSpec, query: TileQuery, cols: list[str], rows: list[tuple[Any, ...]], z: int, x: int, y: int
) -> bytes:
    """The tile of ``rows`` (``cols`` and the geometry blob last, at most :data:`MAX_FEATURES`), without a
    frame: what :func:`frame_tile` gives for an unfiltered query, the same bytes (tests/webmap/test_tiles.py).
    """
    columns = zip(*(r[:-1] for r in rows), strict=True)
    data: dict[str, list[Any]] = {c: list(v) for c, v in zip(cols, columns, strict=True)}
    if spec.id == "cadastral_parcels" and "land_use" in data:  # access.with_land_groups, on columns
        if "area_m2" in data:
            area = np.array([v if isinstance(v, int | float) else np.nan for v in data["area_m2"]], dtype=float)
            data["area_ha"] = np.round(area / 10_000, 4).tolist()
        data["use_group"] = [LAND_USE_GROUP.get(v) for v in data["land_use"]]
    if not query.sensitive:  # access.for_reader: the sensitive fields never leave the store for this reader
        for c in spec.sensitive:
            data.pop(c, None)
    sf, codes = palette_codes(spec, query.color_field)
    lookup = {c: i for i, c in enumerate(codes)}
    cls = [lookup.get(v, len(codes)) for v in data[sf]] if sf and sf in data else [len(codes)] * len(rows)
    fields = [f for f in tile_fields(spec, query.sensitive, z) if f in data]
    key_cols = [data[k] for k in spec.key.split(",")]
    keys = [",".join(str(v) for v in vs) for vs in zip(*key_cols, strict=True)]
    local = _to_tile(_gpkg_geoms([r[-1] for r in rows]), z, x, y)
    cols_f = [(f, data[f]) for f in fields]
    props = [{"key": keys[i], "c": cls[i], **{f: _plain(col[i]) for f, col in cols_f}} for i in range(len(rows))]
    return encode_tile(local, props)


def _pg_expr(spec: LayerSpec, name: str, stored: set[str]) -> str | None:
    """A SQL expression of field ``name`` of ``spec`` on PostGIS (the derived fields the app computes), or
    ``None`` when it cannot be said in SQL.
    """
    if name in stored:
        return _q(name)
    if spec.id == "cadastral_parcels" and name == "use_group" and "land_use" in stored:
        cases = " ".join(
            f"WHEN '{code}' THEN '{group}'" for code, group in LAND_USE_GROUP.items() if "'" not in code + group
        )
        return f'(CASE "land_use" {cases} END)'
    if spec.id == "cadastral_parcels" and name == "area_ha" and "area_m2" in stored:
        return 'round(("area_m2" / 10000.0)::numeric, 4)::float8'
    return None


_PG_SCHEMA: dict[tuple[str, str, str], tuple[str, set[str]]] = {}


def pg_tile(store: Store, spec: LayerSpec, query: TileQuery, z: int, x: int, y: int) -> bytes | None:
    """A tile PostGIS builds itself (``ST_AsMVT``), or ``None`` when a filter or field cannot be said in SQL."""
    with db.connect(store.location) as conn:
        schema_key = (location_key(store.location), store.version, spec.id)
        schema = _PG_SCHEMA.get(schema_key)
        if schema is None:  # asked of the catalog once per store version, not once a tile
            schema = _PG_SCHEMA[schema_key] = (conn.geometry_column(spec.id) or "geom", set(conn.columns(spec.id)))
            while len(_PG_SCHEMA) > 16:
                _PG_SCHEMA.pop(next(iter(_PG_SCHEMA)))
        gcol, stored = schema
        sf, codes = palette_codes(spec, query.color_field)
        fields = tile_fields(spec, query.sensitive, z)
        kinds = {f.name: f for f in filter_fields(spec)}
        params: list[Any] = []
        select = []
        key_cols = spec.key.split(",")
        if not all(k in stored for k in key_cols):
            return None
        select.append(("concat_ws(',', " + ", ".join(f"{_q(k)}::text" for k in key_cols) + ")") + ' AS "key"')
        if sf:
            expr = _pg_expr(spec, sf, stored)
            if expr is None:
                return None
            whens = " ".join(f"WHEN ?::text THEN {i}" for i in range(len(codes)))
            params += codes
            select.append(
                f'(CASE ({expr})::text {whens} ELSE {len(codes)} END)::int AS "c"' if codes else f'{len(codes)} AS "c"'
            )
        else:
            select.append('0 AS "c"')
        for f in fields:
            expr = _pg_expr(spec, f, stored)
            if expr is not None:
                select.append(f"{expr} AS {_q(f)}")
        where: list[str] = []
        wparams: list[Any] = []
        for name, value in (query.filters or {}).items():
            if name not in kinds or value is None:
                continue
            expr = _pg_expr(spec, name, stored)
            if expr is None:
                return None
            kind, fkind = kinds[name].kind, kinds[name].field.kind
            if kind == "choice":
                if len(value) == 0:
                    continue
                if fkind in ("int", "float"):
                    where.append(f"({expr})::float8 = ANY(?::float8[])")
                    wparams.append([float(v) for v in value])
                else:
                    where.append(f"COALESCE(({expr})::text, '') = ANY(?::text[])")
                    wparams.append([str(v) for v in value])
            elif kind == "range":
                where.append(f"({expr})::float8 BETWEEN ? AND ?")
                wparams += [float(value[0]), float(value[1])]
            else:
                where.append(f"({expr})::date BETWEEN ?::date AND ?::date")
                wparams += [str(value[0])[:10], str(value[1])[:10]]
        g = _q(gcol)
        sql = (
            f"SELECT ST_AsMVT(q, '{LAYER}', {EXTENT}, 'mvt') FROM (SELECT "
            f"ST_AsMVTGeom(ST_Simplify(ST_Transform({g}, 3857), ?, true), ST_TileEnvelope(?, ?, ?), {EXTENT}, "
            f"{BUFFER}, true) AS mvt, "
            + ", ".join(select)
            + f" FROM {_q(spec.id)} WHERE {g} && ST_Transform(ST_TileEnvelope(?, ?, ?, margin => ?), {db.SRID}) "
            f"AND (ST_XMax({g}) - ST_XMin({g})) + (ST_YMax({g}) - ST_YMin({g})) >= ?"
            + "".join(f" AND {w}" for w in where)
            + f" ORDER BY (ST_XMax({g}) - ST_XMin({g})) + (ST_YMax({g}) - ST_YMin({g})) DESC LIMIT {MAX_FEATURES}"
            + ") q WHERE q.mvt IS NOT NULL"
        )
        args = [simplify_metres(z), z, x, y, *params, z, x, y, BUFFER / EXTENT, min_size_degrees(z, 0), *wparams]
        row = conn.execute(sql, args).fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


# -- the cache ---------------------------------------------------------------------------------------
class TileCache:
    """Finished tiles (gzip-compressed) by (store, version, query, z, x, y), least recently used out first,
    up to ``max_bytes``; and the as-of frames the time machine cuts its tiles from.
    """

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._size = 0
        self._frames: OrderedDict[tuple[Any, ...], gpd.GeoDataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many tiles are kept."""
        with self._lock:
            return len(self._tiles)

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        """A tile kept under ``key``."""
        with self._lock:
            hit = self._tiles.get(key)
            if hit is not None:
                self._tiles.move_to_end(key)
            return hit

    def put(self, key: tuple[Any, ...], blob: bytes) -> None:
        """Keep ``blob`` under ``key``; the least used go past the budget."""
        with self._lock:
            if key in self._tiles:
                return
            self._tiles[key] = blob
            self._size += len(blob)
            while self._size > self.max_bytes and self._tiles:
                _, old = self._tiles.popitem(last=False)
                self._size -= len(old)

    def frame(self, key: tuple[Any, ...], read: Any) -> gpd.GeoDataFrame:
        """The as-of frame under ``key`` (read by ``read()`` the first time); two are kept."""
        with self._lock:
            hit = self._frames.get(key)
        if hit is not None:
            return hit
        frame = read()
        with self._lock:
            self._frames[key] = frame
            while len(self._frames) > 2:
                self._frames.popitem(last=False)
        return frame


# What a tile holds depends on this module's code and on the catalog's (fields, palettes, sensitive fields), as
# well as on the query and the store: a tile file made by another release of the app is emptied when opened.
_CODE = hashlib.sha256(
    b"".join(
        p.read_bytes()
        for p in [Path(__file__), *sorted((Path(__file__).parent.parent / "model" / "catalog").glob("*.py"))]
    )
).hexdigest()[:16]

TILE_FILE_SUFFIX = ".tiles"


def tile_file(path: Path) -> Path:
    """The tile file of the GeoPackage at ``path``: ``NAME.gpkg.tiles`` beside it."""
    return path.with_name(path.name + TILE_FILE_SUFFIX)


class TileFile:
    """Finished tiles of a GeoPackage's big layers in a file beside it (an SQLite database, ``NAME.gpkg.tiles``):
    the tiles every reader asks for (unfiltered, today's) of the zooms built ahead (:func:`warm_zooms`),
    gzip-compressed, by store version, query and address. Built at import and after each write (:func:`warm`),
    read by every process that serves the store, and still there after a restart. A tile of another version of
    the store, or built by other code or from another catalog record (:func:`file_query`), is never returned;
    :meth:`purge` removes the other versions'.

    It is a cache, never the store: a folder that cannot be written, a busy or damaged file, and the tile is
    built as it was without one. A damaged file is left as it is, with a line in the log (delete it: it is made
    again); a file this process may only read is read.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._warned: set[Path] = set()

    def _open(self, path: Path, mode: int) -> tuple[sqlite3.Connection, bool]:
        """A connection to the tile file at ``path`` (made if missing, with the store's ``mode``) and whether it
        may write. Raises ``sqlite3.Error`` or ``OSError``.
        """
        new = not path.exists()
        try:
            conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
            if conn.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('tiles', 'meta')").fetchone()[0] < 2:
                if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # a purge gives the space back
                conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS tiles (version TEXT NOT NULL, query TEXT NOT NULL, z INTEGER NOT NULL,"
                    " x INTEGER NOT NULL, y INTEGER NOT NULL, body BLOB NOT NULL,"
                    " PRIMARY KEY (version, query, z, x, y)) WITHOUT ROWID"
                )
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if new:  # no wider to read than the store it comes from (a planner's tiles are in it)
                    os.chmod(path, mode & 0o666)
            conn.execute("PRAGMA synchronous = NORMAL")
            made_by = conn.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
            if made_by is None or made_by[0] != _CODE:  # tiles of another release: none of them is read again
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM tiles")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (_CODE,))
                conn.execute("COMMIT")  # the space comes back at the next purge (:meth:`purge`)
            return conn, True
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).replace(" ", "") and "read-only" not in str(exc):
                raise
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.5, isolation_level=None)
        conn.execute("SELECT 1 FROM tiles LIMIT 1")
        return conn, False

    def _conn(self, store_path: Path) -> sqlite3.Connection | None:
        """The calling thread's connection to the tile file of ``store_path``: reopened when the file was replaced or
        removed; ``None`` (this time) when it cannot be had.
        """
        held: dict[Path, tuple[sqlite3.Connection, int, bool]] = getattr(self._local, "held", None) or {}
        self._local.held = held
        path = tile_file(store_path)
        try:
            inode = path.stat().st_ino
        except OSError:
            inode = -1
        if store_path in held:
            conn, known, _ = held[store_path]
            if known == inode:
                return conn
            conn.close()
            del held[store_path]
        try:
            conn, writable = self._open(path, store_path.stat().st_mode)
        except (sqlite3.Error, OSError) as exc:
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
            if damaged and path not in self._warned:
                self._warned.add(path)
                _LOG.warning("tile file %s is damaged (%s): tiles are built without it; delete it", path, exc)
            return None  # busy or not there yet: tried again at the next tile
        try:
            held[store_path] = (conn, path.stat().st_ino, writable)
        except OSError:  # removed the moment it was made: this tile without it
            conn.close()
            return None
        return conn

    def _drop(self, store_path: Path) -> None:
        """Forget this thread's connection after an error: the next tile opens the file afresh."""
        held = getattr(self._local, "held", None) or {}
        if store_path in held:
            held.pop(store_path)[0].close()

    def _one(self, store_path: Path, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        conn = self._conn(store_path)
        if conn is None:
            return None
        try:
            row = conn.execute(sql, args).fetchone()
        except sqlite3.OperationalError:  # busy
            return None
        except sqlite3.Error:
            self._drop(store_path)
            return None
        return tuple(row) if row else None

    def get(self, store_path: Path, key: tuple[str, str, int, int, int]) -> bytes | None:
        """The tile kept under ``key`` (version, file query, z, x, y), or ``None``."""
        row = self._one(
            store_path, "SELECT body FROM tiles WHERE version = ? AND query = ? AND z = ? AND x = ? AND y = ?", key
        )
        return bytes(row[0]) if row else None

    def has(self, store_path: Path, key: tuple[str, str, int, int, int]) -> bool:
        """Whether a tile is kept under ``key``."""
        sql = "SELECT 1 FROM tiles WHERE version = ? AND query = ? AND z = ? AND x = ? AND y = ?"
        return self._one(store_path, sql, key) is not None

    def addresses(self, store_path: Path, version: str, query: str) -> set[tuple[int, int, int]]:
        """The ``(z, x, y)`` of the tiles kept for ``version`` and file query ``query``."""
        conn = self._conn(store_path)
        if conn is None:
            return set()
        try:
            sql = "SELECT z, x, y FROM tiles WHERE version = ? AND query = ?"
            rows = conn.execute(sql, (version, query)).fetchall()
        except sqlite3.OperationalError:  # busy: each tile is asked for on its own
            return set()
        except sqlite3.Error:
            self._drop(store_path)
            return set()
        return {(int(z), int(x), int(y)) for z, x, y in rows}

    def put(self, store_path: Path, key: tuple[str, str, int, int, int], body: bytes) -> bool:
        """Keep ``body`` under ``key``; whether it was written (a busy or read-only file: not this time)."""
        conn = self._conn(store_path)
        if conn is None or not self._local.held[store_path][2]:
            return False
        try:
            conn.execute("INSERT OR IGNORE INTO tiles VALUES (?, ?, ?, ?, ?, ?)", (*key, body))
        except sqlite3.OperationalError:
            return False
        except sqlite3.Error:
            self._drop(store_path)
            return False
        return True

    def purge(self, store_path: Path, version: str) -> int:
        """Remove the tiles of every other version of the store, and give their space back; how many went."""
        conn = self._conn(store_path)
        if conn is None or not self._local.held[store_path][2]:
            return 0
        try:
            gone = conn.execute("DELETE FROM tiles WHERE version != ?", (version,)).rowcount
            if conn.execute("PRAGMA freelist_count").fetchone()[0]:
                # run to its end (``execute`` would free one page: the pragma's rows have no columns)
                conn.executescript("PRAGMA incremental_vacuum;")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            return 0
        return int(gone)

    def close(self) -> None:
        """Close this thread's connections (a test, before it removes the folder)."""
        for conn, _, _ in (getattr(self._local, "held", None) or {}).values():
            conn.close()
        self._local.held = {}


FILES = TileFile()


CACHE = TileCache()

WARM_ENV = "DINHLAP_TILE_WARM"
DEFAULT_WARM = "11-15"  # the zooms a parcel page opens at and the first ones a reader zooms into, kept in the
# tile file (500,000 parcels in a district: 1,640 tiles, about 70 s on one core, for each kind of reader); from
# 16 on a tile takes a few milliseconds (about 10 ms at 500,000): built on request


def warm_zooms() -> range:
    """The zooms whose tiles are built ahead, in the background: ``$DINHLAP_TILE_WARM`` (``11-15`` by default;
    ``off`` for none).
    """
    text = os.environ.get(WARM_ENV, DEFAULT_WARM).strip().lower()
    if text in ("", "0", "off", "no", "none"):
        return range(0)
    try:
        lo, _, hi = text.partition("-")
        return range(max(0, int(lo)), min(22, int(hi or lo)) + 1)
    except ValueError:
        return warm_zooms_default()


def warm_zooms_default() -> range:
    """The zooms of :data:`DEFAULT_WARM`."""
    lo, _, hi = DEFAULT_WARM.partition("-")
    return range(int(lo), int(hi) + 1)


def big_layers(store: Store) -> dict[str, tuple[float, float, float, float]]:
    """The layers of a GeoPackage above :func:`tile_threshold` features, with their extent (from the layers'
    R-tree indexes: no feature is read). A PostGIS store builds each tile itself: ``{}``.
    """
    if store.path is None:
        return {}
    out: dict[str, tuple[float, float, float, float]] = {}
    conn, _, _ = _READER.get(store.path, store.version)
    for lid, spec in store.catalog.items():
        if not spec.geometry or not store.has(lid):
            continue
        gcol = _READER.get(store.path, store.version, lid)[1]
        try:
            row = conn.execute(
                f"SELECT count(*), min(minx), min(miny), max(maxx), max(maxy) FROM {_q(f'rtree_{lid}_{gcol}')}"
            ).fetchone()
        except sqlite3.Error:  # no index (a table the app did not write): not drawn from tiles ahead
            continue
        if row and row[0] > tile_threshold() and row[1] is not None:
            out[lid] = (float(row[1]), float(row[2]), float(row[3]), float(row[4]))
    return out


def warm(
    store: Store,
    queries: Sequence[TileQuery],
    zooms: Iterable[int],
    extents: dict[str, tuple[float, float, float, float]],
    cache: TileCache = CACHE,
    stop: Any = None,
    pause: float = 0.5,
    files: TileFile | None = FILES,
    progress: Any = None,
) -> int:
    """Build ahead the tiles of each query over its layer's extent (``extents``) at ``zooms``, the lowest zoom
    first, into the tile file beside a GeoPackage (``files``; where there is none, into ``cache``); how many
    tiles it built (those the file has already are passed over). The file first loses the tiles of
    the store's older versions.

    It ends when the store's version moves (a write: the next warming starts from it) or ``stop()`` is true
    (the server stops); after each tile it rests ``pause`` times as long as the tile took, leaving the server's
    requests their turn (at 0.5, two thirds of a core at most). ``progress(step, done, total)``: told now and
    then (``step`` is ``"tiles"``), as an import's steps are.
    """
    start = store.version
    kept: list[set[tuple[int, int, int]]] = [set() for _ in queries]
    if files is not None and store.path is not None:
        files.purge(store.path, start)
        if cache is not None:  # the tiles the file has already, asked once per query rather than once a tile
            for i, q in enumerate(queries):
                if q.layer in store.catalog and not q.filters and not q.as_of:
                    kept[i] = files.addresses(store.path, start, file_query(store.catalog[q.layer], q))
    plan = []
    for z in zooms:
        for i, q in enumerate(queries):
            if q.layer not in extents:
                continue
            w, s, e, n = extents[q.layer]
            x0, y0 = lonlat_tile(w, n, z)
            x1, y1 = lonlat_tile(e, s, z)
            plan += [(q, z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1) if (z, x, y) not in kept[i]]
    every = max(1, len(plan) // 20)
    done = 0
    for q, z, x, y in plan:
        if (stop is not None and stop()) or store.version != start:
            return done
        t0 = time.perf_counter()
        _tile(store, q, z, x, y, cache, files, ahead=True)
        done += 1
        if progress is not None and (done % every == 0 or done == len(plan)):
            progress("tiles", done, len(plan))
        if pause:
            time.sleep(pause * (time.perf_counter() - t0))
    return done


def build_ahead(store: Store, layers: Sequence[str] | None = None, progress: Any = None) -> int:
    """At the end of an import into a GeoPackage: the tiles of the zooms a page opens at (:func:`warm_zooms`) of
    ``layers`` (all) that are big, for a viewer and for a planner, built into the tile file at full speed; how
    many. Nothing on PostGIS (the database builds each tile itself) or for a layer under the threshold.
    """
    if store.path is None:
        return 0
    extents = {lid: box for lid, box in big_layers(store).items() if layers is None or lid in layers}
    queries = [TileQuery(lid, sensitive) for sensitive in (False, True) for lid in extents]
    return warm(store, queries, warm_zooms(), extents, pause=0, progress=progress) if queries else 0


@dataclass(frozen=True)
class Tile:
    """A finished tile: its gzip-compressed bytes and its entity tag (store version, query, address)."""

    body: bytes
    etag: str


# A tile built in Python (from a GeoPackage, or an as-of frame) holds the interpreter's lock for most of its time:
# several built at once by the server's request threads took longer, each and all together, than the same
# tiles built one after the other (35 tiles of a view at zoom 15 of 500,000 parcels: 1.41 s on six threads,
# 1.06 s on one). PostGIS builds its tiles in the database, several at once.
_BUILDING = threading.Lock()
_ASKED = [0]  # readers' tiles waiting for or being built: a tile built ahead waits for them
_ASKED_LOCK = threading.Lock()


def query_digest(query: TileQuery) -> str:
    """A short digest of a query (a cache key, a part of the entity tag)."""
    import json

    return hashlib.sha256(json.dumps(query.to_json(), sort_keys=True, default=str).encode()).hexdigest()[:20]


_FILE_QUERIES: dict[tuple[int, str], tuple[LayerSpec, str]] = {}


def file_query(spec: LayerSpec, query: TileQuery) -> str:
    """The query of a tile in the tile file: the query's digest, its layer's catalog record (fields, palette,
    sensitive fields) and the code that builds tiles, so that a tile built from another record, or by another
    release, is never read back. Kept per record object (the record's text took most of a tile read from the
    file).
    """
    qd = query_digest(query)
    hit = _FILE_QUERIES.get((id(spec), qd))
    if hit is not None and hit[0] is spec:
        return hit[1]
    out = hashlib.sha256(f"{qd}|{spec!r}|{_CODE}".encode()).hexdigest()[:24]
    if len(_FILE_QUERIES) > 256:
        _FILE_QUERIES.clear()
    _FILE_QUERIES[(id(spec), qd)] = (spec, out)
    return out


def build_tile(
    store: Store,
    query: TileQuery,
    z: int,
    x: int,
    y: int,
    cache: TileCache | None = CACHE,
    files: TileFile | None = FILES,
) -> Tile:
    """Tile ``z/x/y`` of ``query`` from ``store``, gzip-compressed; from ``cache``, or from the tile file beside a
    GeoPackage (``files``: the unfiltered tiles of today at the zooms built ahead, :func:`warm_zooms`), when built
    before at this store version. ``cache=None``: built afresh and kept nowhere.
    """
    tile = _tile(store, query, z, x, y, cache, files, ahead=False)
    assert tile is not None
    return tile


def _tile(
    store: Store,
    query: TileQuery,
    z: int,
    x: int,
    y: int,
    cache: TileCache | None,
    files: TileFile | None,
    ahead: bool,
) -> Tile | None:
    """:func:`build_tile`; ``ahead``: a tile built before anyone asks (:func:`warm`), which waits while a reader's
    tile is being built and goes to the tile file only (not to this process's memory); ``None`` when the file
    has it already.
    """
    if query.layer not in store.catalog or not store.has(query.layer):
        raise KeyError(query.layer)
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise ValueError("tile out of range")
    version = store.version
    qd = query_digest(query)
    key = (str(store.location), version, qd, z, x, y)
    etag = '"' + hashlib.sha256(repr(key[1:]).encode()).hexdigest()[:32] + '"'
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        return Tile(hit, etag)
    path = store.path
    filed = cache is not None and path is not None and not query.filters and not query.as_of and z in warm_zooms()
    kept = files if filed else None
    fkey = (version, file_query(store.catalog[query.layer], query), z, x, y) if kept is not None else ("", "", z, x, y)
    if kept is not None and path is not None:
        if ahead:
            if kept.has(path, fkey):
                return None
        elif (body := kept.get(path, fkey)) is not None:
            cache.put(key, body)  # type: ignore[union-attr]
            return Tile(body, etag)
    if path is None and not query.as_of:  # the database builds it: several at once use its cores
        body = gzip.compress(_build(store, query, z, x, y, cache), compresslevel=6, mtime=0)
    else:  # built here, in Python: one at a time (see _BUILDING); another request may have built it meanwhile
        if query.as_of and cache is not None:  # the day's layer read first, outside the lock: seconds at 500,000
            _as_of_frame(store, query, cache)
        if ahead:
            while _ASKED[0]:  # a reader's tile first
                time.sleep(0.01)
        else:
            with _ASKED_LOCK:
                _ASKED[0] += 1
        try:
            with _BUILDING:
                hit = cache.get(key) if cache is not None else None
                if hit is not None:
                    return Tile(hit, etag)
                body = gzip.compress(_build(store, query, z, x, y, cache), compresslevel=6, mtime=0)
                written = kept is not None and path is not None and kept.put(path, fkey, body)
                if cache is not None and not (ahead and written):
                    cache.put(key, body)
                return Tile(body, etag)
        finally:
            if not ahead:
                with _ASKED_LOCK:
                    _ASKED[0] -= 1
    if cache is not None:
        cache.put(key, body)
    return Tile(body, etag)


def _as_of_frame(store: Store, query: TileQuery, cache: TileCache | None) -> gpd.GeoDataFrame:
    """The layer as it stood at the query's moment, as this reader sees it: read once per store version and day."""
    return (cache if cache is not None else TileCache()).frame(
        (str(store.location), store.version, query.layer, query.sensitive, query.as_of),
        lambda: access.read_layer(store, query.layer, query.sensitive, query.moment),
    )


def _build(store: Store, query: TileQuery, z: int, x: int, y: int, cache: TileCache | None) -> bytes:
    """The raw (uncompressed) tile ``z/x/y`` of ``query``: from the as-of frame, the database, or the GeoPackage."""
    version = store.version
    spec = store.catalog[query.layer]
    raw: bytes | None
    if query.as_of:
        frame = _as_of_frame(store, query, cache)
        w, s, e, n = tile_lonlat(z, x, y, BUFFER / EXTENT)
        b = frame.geometry.bounds
        size = (b.maxx - b.minx) + (b.maxy - b.miny)
        hits = frame.sindex.query(shapely.box(w, s, e, n))
        part = frame.iloc[np.sort(hits)]
        raw = frame_tile(spec, part[size.iloc[np.sort(hits)].to_numpy() >= min_size_degrees(z, 0)], query, z, x, y)
    elif store.path is None:
        raw = pg_tile(store, spec, query, z, x, y)
        if raw is None:  # a filter the database cannot say: cut from the layer read through geo.read.access
            frame = (cache if cache is not None else TileCache()).frame(
                (str(store.location), version, query.layer, query.sensitive, None),
                lambda: access.read_layer(store, query.layer, query.sensitive),
            )
            hits = np.sort(frame.sindex.query(shapely.box(*tile_lonlat(z, x, y, BUFFER / EXTENT))))
            raw = frame_tile(spec, frame.iloc[hits], query, z, x, y)
    else:
        raw = gpkg_tile(store, spec, query, z, x, y)
    return raw if raw is not None else b""


def lonlat_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The ``(x, y)`` of the tile of zoom ``z`` holding ``lon, lat``."""
    mx, my = _TO_MERCATOR.transform(lon, lat)
    size = 2 * E / 2**z
    return int((mx + E) // size), int((E - my) // size)


def location_key(location: Path | str) -> str:
    """What names a store in a cache key (never a password: a digest of the address)."""
    return hashlib.sha256(str(location).encode()).hexdigest()[:16]
