r"""Compact binary encoding of large layers, for maps of tens of thousands of features.

A cadastral or forest-land layer of a district runs to 50,000 parcels and
about two million vertices. As GeoJSON inside the page (what folium does) that
is tens of megabytes, parsed and rebuilt on every rerun. Here a large layer
travels as two small files that the map fetches by URL:

* the **geometry** of the whole layer, once per store version: coordinates in
  Web Mercator (what the map draws in, so the browser does no trigonometry)
  quantised to :data:`QUANTUM` metres (under a pixel at the map's highest
  zoom), delta-encoded as zigzag varints, the feature keys after them;
* the **style** of what is shown, once per filter and colouring: one byte per
  feature, its colour class, or :data:`HIDDEN` when a filter leaves it out.

A filter change therefore fetches a few kilobytes, not the geometry again. Both travel
gzip-compressed (:func:`gz`), compressed once when written; the map inflates and decodes
the geometry in a worker.
:func:`decode_geometry` is the reference decoder (the browser's is in
:mod:`geo.webmap.mapview`); tests hold the two to the same format.

Format (little-endian)::

    b"DLG1" | u32 n | u8 kind (1 point, 2 line, 3 polygon) | 3 pad
    | f64 x0 | f64 y0 | f64 quantum | u32 rings | u32 vertices | u32 nbytes | varints[nbytes]
    | u32 keybytes | utf-8 keys "\n"-joined

The varints are, per feature, the number of rings (or line parts; 1 for a
point), then per ring its vertex count, then its vertices as (dx, dy) steps
from the previous vertex (the first from ``(x0, y0)``), in EPSG:3857 metres.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely

QUANTUM = 0.5  # Web Mercator metres: 0.47 m on the ground here, under a pixel (0.55 m) at zoom 18, the map's highest
HIDDEN = 255  # style byte of a feature a filter leaves out
MAGIC = b"DLG1"
KINDS = {"Point": 1, "LineString": 2, "Polygon": 3}
_HEAD = struct.Struct("<4sIB3xdddIII")
_TO_MERCATOR = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
_TO_WGS84 = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)


def _quantised(coords: np.ndarray) -> np.ndarray:
    """WGS 84 lon/lat → Web Mercator metres on the :data:`QUANTUM` grid (integers)."""
    if not len(coords):
        return np.zeros((0, 2), dtype=np.int64)
    x, y = _TO_MERCATOR.transform(coords[:, 0], coords[:, 1])
    return np.rint(np.column_stack([x, y]) / QUANTUM).astype(np.int64)


def _varints(values: np.ndarray) -> bytes:
    """Unsigned LEB128 of each value, vectorised."""
    v = values.astype(np.uint64)
    nbytes = np.ones(len(v), dtype=np.int64)
    for k in range(1, 10):
        nbytes += v >= np.uint64(1) << np.uint64(7 * k)
    starts = np.concatenate(([0], np.cumsum(nbytes)[:-1]))
    out = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    for k in range(int(nbytes.max()) if len(v) else 0):
        m = nbytes > k
        byte = (v[m] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (nbytes[m] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[m] + k] = (byte | more).astype(np.uint8)
    return out.tobytes()


def _zigzag(d: np.ndarray) -> np.ndarray:
    d = d.astype(np.int64)
    return ((d << 1) ^ (d >> 63)).astype(np.uint64)


def _rings(geoms: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rings per feature, vertices per ring, coordinates)`` of ``geoms`` in feature order."""
    n = len(geoms)
    if kind == "Point":
        coords = shapely.get_coordinates(geoms)
        return np.ones(n, dtype=np.int64), np.ones(n, dtype=np.int64), coords
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    if kind == "Polygon":
        rings, ring_of_part = shapely.get_rings(parts, return_index=True)
        ring_owner = part_of[ring_of_part]
    else:
        rings, ring_owner = parts, part_of
    counts = shapely.get_num_coordinates(rings).astype(np.int64)
    per_feature = np.bincount(ring_owner, minlength=n).astype(np.int64)
    return per_feature, counts, shapely.get_coordinates(rings)


def _interleave(per_feature: np.ndarray, counts: np.ndarray, zz: np.ndarray) -> np.ndarray:
    """Per feature: its ring count, then per ring its vertex count and its steps; all positions computed at once."""
    n, nrings = len(per_feature), len(counts)
    block = 1 + 2 * counts  # a ring's slots: its count and its steps
    owner = np.repeat(np.arange(n), per_feature)
    before_ring = np.concatenate(([0], np.cumsum(block)[:-1])) if nrings else np.zeros(0, dtype=np.int64)
    ring_pos = before_ring + owner + 1  # every feature up to and including the owner adds a header slot
    first_ring = np.concatenate(([0], np.cumsum(per_feature)[:-1]))
    blocks_before = np.concatenate(([0], np.cumsum(block)))[first_ring]
    feature_pos = blocks_before + np.arange(n)
    total = n + int(block.sum())
    out = np.zeros(total, dtype=np.uint64)
    out[feature_pos] = per_feature
    out[ring_pos] = counts
    step_ring = np.repeat(np.arange(nrings), 2 * counts)
    vert_start = np.concatenate(([0], np.cumsum(counts)[:-1])) if nrings else np.zeros(0, dtype=np.int64)
    offset = np.arange(len(zz)) - 2 * vert_start[step_ring]
    out[ring_pos[step_ring] + 1 + offset] = zz
    return out


def encode_geometry(geoms: Sequence[object] | np.ndarray, keys: Sequence[str], kind: str) -> bytes:
    """The gzip-compressed geometry file of a layer (WGS 84 geometries, one key per feature).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> g = decode_geometry(encode_geometry([Point(107.1, 21.5)], ["a"], "Point"))
    >>> g.keys, g.rings[0][0].round(5).tolist()
    (['a'], [[107.1, 21.5]])

    """
    arr = np.asarray(geoms, dtype=object)
    per_feature, counts, coords = _rings(arr, kind)
    q = _quantised(coords)
    origin = q.min(axis=0) if len(q) else np.zeros(2, dtype=np.int64)
    steps = np.diff(q, axis=0, prepend=origin[None, :]) if len(q) else np.zeros((0, 2), dtype=np.int64)
    body = _varints(_interleave(per_feature, counts, _zigzag(steps.reshape(-1))))
    key_bytes = "\n".join(str(k).replace("\n", " ") for k in keys).encode("utf-8")
    head = _HEAD.pack(
        MAGIC, len(arr), KINDS[kind], origin[0] * QUANTUM, origin[1] * QUANTUM, QUANTUM, len(counts), len(q), len(body)
    )
    return head + body + struct.pack("<I", len(key_bytes)) + key_bytes


def gz(blob: bytes) -> bytes:
    """``blob`` gzip-compressed, reproducibly (what an HTML export inlines)."""
    return gzip.compress(blob, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Decoded:
    """A decoded geometry file: per feature, its rings as ``(k, 2)`` arrays of lon/lat (WGS 84); the keys."""

    kind: int
    rings: list[list[np.ndarray]]
    keys: list[str]


def _read_varints(buf: bytes) -> np.ndarray:
    out, value, shift = [], 0, 0
    for b in buf:
        value |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
        else:
            out.append(value)
            value, shift = 0, 0
    return np.array(out, dtype=np.int64)


def decode_geometry(blob: bytes) -> Decoded:
    """Read a file made by :func:`encode_geometry` (the reference for the browser's decoder)."""
    raw = blob
    magic, n, kind, x0, y0, quantum, _, _, nbytes = _HEAD.unpack_from(raw)
    if magic != MAGIC:
        raise ValueError("not a compact geometry file")
    pos = _HEAD.size
    ints = _read_varints(raw[pos : pos + nbytes])
    pos += nbytes
    (klen,) = struct.unpack_from("<I", raw, pos)
    keys = raw[pos + 4 : pos + 4 + klen].decode("utf-8").split("\n") if n else []
    x, y = round(x0 / quantum), round(y0 / quantum)
    i, rings = 0, []
    for _ in range(n):
        nr = int(ints[i])
        i += 1
        feature = []
        for _ in range(nr):
            nv = int(ints[i])
            i += 1
            zz = ints[i : i + 2 * nv]
            i += 2 * nv
            d = (zz >> 1) ^ -(zz & 1)
            xs, ys = x + np.cumsum(d[0::2]), y + np.cumsum(d[1::2])
            x, y = int(xs[-1]), int(ys[-1])
            lon, lat = _TO_WGS84.transform(xs * quantum, ys * quantum)
            feature.append(np.column_stack([lon, lat]))
        rings.append(feature)
    return Decoded(kind, rings, keys)


def encode_style(n: int, positions: np.ndarray, classes: np.ndarray) -> bytes:
    """The style file: ``classes[j]`` for feature ``positions[j]`` of the geometry file, the rest hidden."""
    style = np.full(n, HIDDEN, dtype=np.uint8)
    style[positions] = classes.astype(np.uint8)
    return style.tobytes()


def decode_style(blob: bytes) -> np.ndarray:
    """The style bytes of a file made by :func:`encode_style`."""
    return np.frombuffer(blob, dtype=np.uint8)


def classes(values: pd.Series, codes: Sequence[str]) -> np.ndarray:
    """Each value's index in ``codes`` (the palette); values not in it get ``len(codes)``, the default colour."""
    lookup = {c: i for i, c in enumerate(codes)}
    return values.map(lookup).fillna(len(codes)).to_numpy(np.uint8)


def floor_bytes(geoms: Sequence[object] | np.ndarray, kind: str) -> int:
    """The compact floor: the geometry alone (no keys, no structure), quantised and delta-encoded
    like :func:`encode_geometry`, gzip-compressed. What the benchmark compares the bytes sent with.
    """
    _, _, coords = _rings(np.asarray(geoms, dtype=object), kind)
    q = _quantised(coords)
    steps = np.diff(q, axis=0, prepend=q[:1]) if len(q) else q
    return len(gz(_varints(_zigzag(steps.reshape(-1)))))


def digest(blob: bytes) -> str:
    """A short content hash, for file names the browser may cache forever."""
    return hashlib.sha256(blob).hexdigest()[:20]
