"""Edits to the store: atomic, validated against the catalog, and audited in the same transaction.

A GeoPackage is an SQLite database, so an edit is one SQLite transaction
(``BEGIN IMMEDIATE`` … ``COMMIT``) that updates the feature and appends one
``audit_log`` row per changed field: an interrupted write leaves the store as
it was, and no change exists without its audit row. Writers are serialised
by SQLite's lock, with retries; an edit made against a value someone else has
changed since (``expected``) is refused as a conflict, never silently
overwritten. The log allows a feature's history and a rollback to a moment.

Moving a point rewrites its GeoPackage geometry blob; GDAL's R-tree triggers
then update the spatial index (we provide the SQL functions they call).
Imports (:mod:`geo.ingest`) write whole rows the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
import struct
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely

from geo.catalog import CATALOG, OVERLAY_TABLE, Catalog, LayerSpec, overlay_specs
from geo.i18n import Lang, t
from geo.values import MAX_TEXT, BadValue, check

AUDIT_TABLE = "audit_log"
_AUDIT_DDL = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    layer TEXT NOT NULL,
    feature TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT,
    reason TEXT NOT NULL DEFAULT ''
)"""
# What the meeting and a feature's history ask of the log: whole-feature batches since a date (counted
# from the index alone), field changes since a date, one feature's changes. Without them, reading what
# changed after an import of 50,000 features took 0.3 s on every rerun of the Giao ban page.
_AUDIT_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_batches ON {AUDIT_TABLE} "
    "(field, ts, user, layer, reason, new IS NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_fields ON {AUDIT_TABLE} (ts) WHERE field != '*'",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_feature ON {AUDIT_TABLE} (layer, feature)",
    # A layer as of a date (geo.history) reads that layer's changes after it.
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_layer_ts ON {AUDIT_TABLE} (layer, ts)",
)


class EditError(Exception):
    """An edit that cannot be made; the message is for a user (Vietnamese, English)."""

    def __init__(self, message_key: str, /, **kwargs: object) -> None:
        self.message_key = message_key
        self.kwargs = kwargs
        super().__init__(t(message_key, "en", **kwargs))

    def message(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return t(self.message_key, lang, **self.kwargs)


class ConflictError(EditError):
    """The value changed since the user read it: shown to the user, not overwritten."""


@dataclass(frozen=True)
class AuditRow:
    """One changed field of one feature."""

    fid: int
    ts: str
    user: str
    layer: str
    feature: str
    field: str
    old: Any
    new: Any
    reason: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


# -- the GeoPackage functions its R-tree triggers call --------------------------------------
# SQLite compiles a table's triggers on any UPDATE of it, and GDAL's R-tree triggers call
# ST_IsEmpty and ST_Min/MaxX/Y (provided by GDAL or SpatiaLite, not by sqlite3). We provide
# them from the GeoPackage geometry header (envelope and empty flag), or the WKB after it.
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _gpkg_header(blob: bytes) -> tuple[int, bool, tuple[float, ...] | None]:
    import struct

    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    n = _ENVELOPE_DOUBLES.get((flags >> 1) & 7, 0)
    env = struct.unpack(order + "d" * n, blob[8 : 8 + 8 * n]) if n else None
    return 8 + 8 * n, bool(flags & 0x10), env


def _bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    import shapely

    start, empty, env = _gpkg_header(blob)
    if empty:
        return None
    if env:
        return env[0], env[2], env[1], env[3]  # the envelope is minx, maxx, miny, maxy
    geom = shapely.from_wkb(bytes(blob[start:]))
    return None if geom.is_empty else tuple(geom.bounds)


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(_bounds(blob) is None)


def _st_bound(index: int) -> Any:
    def fn(blob: bytes | None) -> float | None:
        b = _bounds(blob) if blob is not None else None
        return None if b is None else b[index]

    return fn


def _register_gpkg_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for name, index in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        conn.create_function(name, 1, _st_bound(index), deterministic=True)


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    if not Path(path).is_file():
        raise EditError("error.store_missing", path=str(path))
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        _register_gpkg_functions(conn)
        yield conn
    finally:
        conn.close()


def _ensure_audit(conn: sqlite3.Connection, timestamp: str) -> None:
    """Within a write: the audit table if it is missing, and its indexes (a store made by an earlier
    version gets them at its first write).
    """
    if _missing_audit(conn):
        conn.execute(_AUDIT_DDL)
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
            "VALUES (?, 'attributes', ?, ?)",
            (AUDIT_TABLE, AUDIT_TABLE, timestamp[:23] + "Z" if "T" in timestamp else timestamp),
        )
    for ddl in _AUDIT_INDEXES:
        conn.execute(ddl)


def ensure_audit_table(path: Path, timestamp: str | None = None) -> None:
    """Create the ``audit_log`` table (a GeoPackage attributes table, so QGIS lists it) if it is missing."""
    with _connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        _ensure_audit(conn, timestamp or _now())
        conn.execute("COMMIT")


def _check_value(spec: LayerSpec, name: str, value: Any) -> Any:
    """``value`` as stored, or :class:`EditError` if the catalog does not allow it (:func:`geo.values.check`)."""
    try:
        f = spec.field(name)
    except KeyError:
        raise EditError("edit.unknown_field", field=name, layer=spec.id) from None
    if f.derived or name in spec.key.split(","):
        raise EditError("edit.read_only", field=name)
    try:
        return check(spec, name, value)
    except BadValue as bad:
        label, shown = f.label("vi"), str(value)[:80]
        if bad.rule == "code":
            allowed = ", ".join(s.value for s in spec.codes(name))
            raise EditError("edit.bad_code", field=label, value=shown, allowed=allowed) from None
        if bad.rule == "too_long":
            raise EditError("edit.too_long", field=label, limit=MAX_TEXT) from None
        if bad.rule == "required":
            raise EditError("edit.required", field=label) from None
        raise EditError(f"edit.bad_{bad.rule}", field=label, value=shown) from None


def _where(spec: LayerSpec, key: str) -> tuple[str, list[str]]:
    names = spec.key.split(",")
    values = key.split(",")
    if len(values) != len(names):
        raise EditError("edit.not_found", layer=spec.id, key=key)
    return " AND ".join(f'"{n}" = ?' for n in names), values


def _retrying(conn: sqlite3.Connection, fn: Any) -> Any:
    """Run ``fn`` in one immediate transaction, retrying while another writer holds the lock."""
    for attempt in range(50):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(min(0.05 * (attempt + 1), 0.5))
            continue
        try:
            result = fn()
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
    raise EditError("edit.busy")


def edit(
    path: Path,
    layer_id: str,
    key: str,
    changes: Mapping[str, Any],
    user: str,
    reason: str = "",
    expected: Mapping[str, Any] | None = None,
    ts: str | None = None,
) -> list[AuditRow]:
    """Change fields of one feature; return the audit rows written (unchanged values write none).

    ``expected`` holds the values the user saw: if any differs from the stored
    one, :class:`ConflictError` is raised and nothing is written.
    """
    return edit_many(path, layer_id, [(key, changes, expected)], user, reason, ts)


Change = tuple[str, Mapping[str, Any], Mapping[str, Any] | None]  # (feature key, new values, values the user saw)


def edit_many(
    path: Path, layer_id: str, changes: list[Change], user: str, reason: str = "", ts: str | None = None
) -> list[AuditRow]:
    """Change several features of one layer in one transaction (an edited table saved at once):
    every change is validated and checked for conflicts first, then all are written, or none.
    """
    if layer_id not in CATALOG:
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    spec = CATALOG[layer_id]
    plan = [(key, {n: _check_value(spec, n, v) for n, v in new.items()}, seen or {}) for key, new, seen in changes]
    stamp = ts or _now()

    with _connect(path) as conn:

        def apply(key: str, clean: dict[str, Any], expected: Mapping[str, Any]) -> list[AuditRow]:
            where, params = _where(spec, key)
            cols = list(clean) + [n for n in expected if n not in clean]
            cur = conn.execute(
                f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)} FROM "{layer_id}" WHERE {where}', params
            )
            found = cur.fetchall()
            if len(found) != 1:
                raise EditError("edit.not_found", layer=layer_id, key=key)
            current = dict(zip(cols, found[0], strict=True))
            for name, seen in expected.items():
                seen_stored = _check_value(spec, name, seen) if seen not in (None, "") else None
                if current[name] != seen_stored:
                    raise ConflictError(
                        "edit.conflict", field=spec.field(name).label("vi"), current=str(current[name]), seen=str(seen)
                    )
            rows = []
            for name, value in clean.items():
                if current[name] == value:
                    continue
                conn.execute(f'UPDATE "{layer_id}" SET "{name}" = ? WHERE {where}', [value, *params])
                cur = conn.execute(
                    f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stamp, user, layer_id, key, name, json.dumps(current[name]), json.dumps(value), reason),
                )
                rows.append(
                    AuditRow(int(cur.lastrowid or 0), stamp, user, layer_id, key, name, current[name], value, reason)
                )
            return rows

        def run() -> list[AuditRow]:
            _ensure_audit(conn, stamp)
            rows = [r for key, clean, seen in plan for r in apply(key, clean, seen)]
            if rows:
                conn.execute(
                    "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                    (stamp[:23] + "Z", layer_id, AUDIT_TABLE),
                )
            return rows

        return list(_retrying(conn, run))


def _missing_audit(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (AUDIT_TABLE,)).fetchone()
    return found is None


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[AuditRow]:
    if _missing_audit(conn):
        return []
    out = []
    for r in conn.execute(sql, params):
        out.append(
            AuditRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                json.loads(r[6]) if r[6] is not None else None,
                json.loads(r[7]) if r[7] is not None else None,
                r[8],
            )
        )
    return out


_SELECT = f"SELECT fid, ts, user, layer, feature, field, old, new, reason FROM {AUDIT_TABLE}"


def redact_rows(rows: list[AuditRow]) -> list[AuditRow]:
    """The change log as a viewer may see it: no change of a sensitive field, no sensitive value in a whole row."""
    out = []
    for r in rows:
        spec = CATALOG.get(r.layer)
        hidden = spec.sensitive if spec else ()
        if r.field in hidden:
            continue
        if r.field == "*" and hidden:
            r = AuditRow(
                r.fid, r.ts, r.user, r.layer, r.feature, r.field,
                {k: v for k, v in r.old.items() if k not in hidden} if isinstance(r.old, dict) else r.old,
                {k: v for k, v in r.new.items() if k not in hidden} if isinstance(r.new, dict) else r.new,
                r.reason,
            )  # fmt: skip
        out.append(r)
    return out


def last_changes(path: Path, layer_id: str) -> dict[str, AuditRow]:
    """The latest change of each feature of ``layer_id`` that has one (what an indicator card cites)."""
    return {r.feature: r for r in changes_since(path, "", layer=layer_id)}


def history(path: Path, layer_id: str, key: str) -> list[AuditRow]:
    """Every change of one feature, oldest first."""
    with _connect(path) as conn:
        return _rows(conn, f"{_SELECT} WHERE layer = ? AND feature = ? ORDER BY fid", (layer_id, key))


def changes_since(path: Path, since: str, layer: str | None = None, whole_features: bool = True) -> list[AuditRow]:
    """Every change made after ``since`` (an ISO timestamp or date), oldest first.

    ``layer`` keeps one layer's; ``whole_features=False`` leaves out features added or removed
    whole (an import's thousands of rows: see :func:`whole_feature_batches`).
    """
    where, params = "ts > ?", [since]
    if layer is not None:
        where, params = where + " AND layer = ?", [*params, layer]
    if not whole_features:
        where += " AND field != '*'"
    with _connect(path) as conn:  # "+fid": sort what the indexes find rather than walk the table in fid order
        return _rows(conn, f"{_SELECT} WHERE {where} ORDER BY +fid", tuple(params))


def changes_after(path: Path, since: str, layer: str) -> list[AuditRow]:
    """Every change of ``layer`` made after ``since`` (a log time), newest first: what rewinding undoes."""
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        return _rows(conn, f"{_SELECT} WHERE layer = ? AND ts > ? ORDER BY fid DESC", (layer, since))


def changes_between(path: Path, after: str, until: str, layers: list[str]) -> list[AuditRow]:
    """Every change of ``layers`` made after log time ``after`` and up to ``until``, oldest first."""
    if not layers:
        return []
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        marks = ", ".join("?" for _ in layers)
        sql = f"{_SELECT} WHERE layer IN ({marks}) AND ts > ? AND ts <= ? ORDER BY fid"
        return _rows(conn, sql, (*layers, after, until))


def shape_changes_after(path: Path, since: str, layer: str) -> int:
    """How many changes after ``since`` touched ``layer``'s geometry or its set of features: none means the
    layer as of ``since`` has the geometry it has now (its attributes may differ).
    """
    with _connect(path) as conn:
        if _missing_audit(conn):
            return 0
        geom = _geometry_column(conn, layer) or "*"
        row = conn.execute(
            f"SELECT COUNT(*) FROM {AUDIT_TABLE} WHERE layer = ? AND ts > ? AND field IN ('*', ?)",
            (layer, since, geom),
        ).fetchone()
        return int(row[0])


def change_days(path: Path) -> list[str]:
    """The distinct hours (log times cut to ``YYYY-MM-DDTHH``) at which the store changed, oldest first."""
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        return [str(r[0]) for r in conn.execute(f"SELECT DISTINCT substr(ts, 1, 13) FROM {AUDIT_TABLE} ORDER BY 1")]


@dataclass(frozen=True)
class Batch:
    """Features added or removed whole in one go (an import, a rollback): counted, not read back."""

    ts: str
    user: str
    layer: str
    reason: str
    count: int
    added: int
    features: tuple[str, ...]  # their keys, when there are few enough to list


def changes_for_meeting(
    path: Path, since: str, sensitive_ok: bool = True, list_up_to: int = 300
) -> tuple[list[AuditRow], list[Batch]]:
    """What changed since ``since``, as a meeting reads it: field changes one by one (without the
    sensitive ones unless ``sensitive_ok``), and features added or removed whole counted in batches.
    """
    rows = changes_since(path, since, whole_features=False)
    return (rows if sensitive_ok else redact_rows(rows)), whole_feature_batches(path, since, list_up_to)


def whole_feature_batches(path: Path, since: str, list_up_to: int = 300) -> list[Batch]:
    """The whole-feature changes made after ``since``, one per (moment, user, layer, reason), oldest first."""
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        groups = conn.execute(
            f"SELECT ts, user, layer, reason, COUNT(*), SUM(new IS NOT NULL) FROM {AUDIT_TABLE} "
            "WHERE ts > ? AND field = '*' GROUP BY ts, user, layer, reason ORDER BY MIN(fid)",
            (since,),
        ).fetchall()
        out = []
        for ts, user, layer, reason, count, added in groups:
            keys: tuple[str, ...] = ()
            if count <= list_up_to:
                keys = tuple(
                    str(k)
                    for (k,) in conn.execute(
                        f"SELECT feature FROM {AUDIT_TABLE} WHERE ts = ? AND user = ? AND layer = ? AND reason = ? "
                        "AND field = '*' ORDER BY fid",
                        (ts, user, layer, reason),
                    )
                )
            out.append(Batch(ts, user, layer, reason, int(count), int(added or 0), keys))
        return out


def rollback_to(path: Path, moment: str, user: str) -> int:
    """Undo every change made after ``moment``, newest first, in one transaction; each undo is audited.

    Returns the number of fields restored.
    """
    if not user:
        raise EditError("edit.no_user")
    stamp = _now()
    with _connect(path) as conn:
        if _missing_audit(conn):
            return 0

        catalog = file_catalog(conn)  # the file's own: an imported overlay's rows are undone by its key

        def run() -> int:
            later = _rows(conn, f"{_SELECT} WHERE ts > ? AND ts <= ? ORDER BY fid DESC", (moment, stamp))
            for r in later:
                _undo(conn, r, catalog[r.layer])
                conn.execute(
                    f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        stamp,
                        user,
                        r.layer,
                        r.feature,
                        r.field,
                        json.dumps(r.new),
                        json.dumps(r.old),
                        f"rollback to {moment}",
                    ),
                )
            return len(later)

        return int(_retrying(conn, run))


def _geometry_column(conn: sqlite3.Connection, layer_id: str) -> str | None:
    row = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer_id,)).fetchone()
    return str(row[0]) if row else None


def gpkg_blob(wkt_or_hex: str | None, srs_id: int = 4326) -> bytes | None:
    """A GeoPackage geometry blob from WKT (or the hex of a blob, as the audit keeps whole rows)."""
    if wkt_or_hex is None:
        return None
    if re.fullmatch(r"[0-9a-fA-F]+", wkt_or_hex) and wkt_or_hex[:4].lower() == "4750":
        return bytes.fromhex(wkt_or_hex)
    geom = shapely.from_wkt(wkt_or_hex)
    if geom.is_empty:
        return b"GP" + bytes([0, 0x11]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1)
    w, s, e, n = geom.bounds
    return b"GP" + bytes([0, 0x03]) + struct.pack("<i4d", srs_id, w, e, s, n) + shapely.to_wkb(geom, byte_order=1)


def geometry_wkt(blob: bytes | None) -> str | None:
    """WKT of a GeoPackage geometry blob."""
    if blob is None:
        return None
    flags = blob[3]
    envelope = (flags >> 1) & 0x07
    return str(shapely.from_wkb(bytes(blob[8 + 8 * _ENVELOPE_DOUBLES.get(envelope, 0) :])).wkt)


def file_catalog(conn: sqlite3.Connection) -> Catalog:
    """The catalog of the open file: the built-in layers and the overlays it lists."""
    tables = {str(r[0]) for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    if OVERLAY_TABLE not in tables:
        return CATALOG
    cur = conn.execute(f"SELECT overlay_id, title_vi, title_en, geometry, fields, color FROM {OVERLAY_TABLE}")
    names = [d[0] for d in cur.description]
    return CATALOG.with_layers(*overlay_specs([dict(zip(names, r, strict=True)) for r in cur], tables))


def _undo(conn: sqlite3.Connection, r: AuditRow, spec: LayerSpec) -> None:
    """Write back what audit row ``r`` of ``spec``'s layer changed (a field, a geometry, a whole row)."""
    where, params = _where(spec, r.feature)
    geom = _geometry_column(conn, r.layer)
    if r.field == "*":
        if r.old is None:  # the row was added: remove it
            conn.execute(f'DELETE FROM "{r.layer}" WHERE {where}', params)
        else:  # the row was removed: put it back
            row = dict(r.old if isinstance(r.old, dict) else json.loads(r.old))
            blob = gpkg_blob(row.pop(GEOM_KEY, None)) if geom else None
            cols = [*row, *([geom] if geom else [])]
            conn.execute(
                f'INSERT INTO "{r.layer}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                f"VALUES ({', '.join('?' for _ in cols)})",
                [*row.values(), *([blob] if geom else [])],
            )
        return
    value = gpkg_blob(r.old) if geom and r.field == geom else r.old
    conn.execute(f'UPDATE "{r.layer}" SET "{r.field}" = ? WHERE {where}', [value, *params])


GEOM_KEY = "__geometry__"


def move_point(
    path: Path,
    layer_id: str,
    key: str,
    lon: float,
    lat: float,
    user: str,
    reason: str = "",
    expected_wkt: str | None = None,
    ts: str | None = None,
) -> AuditRow:
    """Move a point feature to ``lon``, ``lat`` (WGS 84), audited like an edit; refuses places outside Vietnam."""
    if layer_id not in CATALOG or CATALOG[layer_id].geometry != "Point":
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    _check_position(lon, lat)
    spec = CATALOG[layer_id]
    where, params = _where(spec, key)
    stamp = ts or _now()
    new_wkt = f"POINT ({lon:.8f} {lat:.8f})"
    with _connect(path) as conn:
        geom = _geometry_column(conn, layer_id)

        def run() -> AuditRow:
            _ensure_audit(conn, stamp)
            found = conn.execute(f'SELECT "{geom}" FROM "{layer_id}" WHERE {where}', params).fetchall()
            if len(found) != 1:
                raise EditError("edit.not_found", layer=layer_id, key=key)
            old_wkt = geometry_wkt(found[0][0])
            moved = (
                expected_wkt is not None
                and old_wkt is not None
                and not shapely.equals_exact(shapely.from_wkt(old_wkt), shapely.from_wkt(expected_wkt), 1e-9)
            )
            if moved:
                raise ConflictError("edit.conflict", field="vị trí", current=str(old_wkt), seen=str(expected_wkt))
            conn.execute(f'UPDATE "{layer_id}" SET "{geom}" = ? WHERE {where}', [gpkg_blob(new_wkt), *params])
            cur = conn.execute(
                f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, user, layer_id, key, geom, json.dumps(old_wkt), json.dumps(new_wkt), reason),
            )
            conn.execute(
                "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                (stamp[:23] + "Z", layer_id, AUDIT_TABLE),
            )
            return AuditRow(int(cur.lastrowid or 0), stamp, user, layer_id, key, str(geom), old_wkt, new_wkt, reason)

        result: AuditRow = _retrying(conn, run)
        return result


def _check_position(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and 102 <= lon <= 110 and 8 <= lat <= 24):
        raise EditError("edit.bad_position", lon=str(lon)[:20], lat=str(lat)[:20])


def insert(
    path: Path,
    layer_id: str,
    values: Mapping[str, Any],
    user: str,
    reason: str = "",
    ts: str | None = None,
    point: tuple[float, float] | None = None,
) -> str:
    """Add one row to an attribute table (a saved view, say), or a point (``point``: lon, lat in WGS 84)
    to a point layer (a dispute, an accident), audited like an edit; returns its key.

    Every field is validated against the catalog; the key must be new; a point must lie in Vietnam.
    """
    spec_ = CATALOG.get(layer_id)
    if spec_ is None or (spec_.is_spatial and (spec_.geometry != "Point" or point is None)):
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    if point is not None:
        _check_position(*point)
    spec = spec_
    key, row = _new_row(spec, values)
    stamp = ts or _now()
    where, params = _where(spec, key)
    with _connect(path) as conn:

        def run() -> str:
            _ensure_audit(conn, stamp)
            if conn.execute(f'SELECT 1 FROM "{layer_id}" WHERE {where}', params).fetchone():
                raise EditError("edit.duplicate", key=key)
            cols, vals = list(row), [row[c] for c in row]
            logged = dict(row)
            if point is not None:
                geom = _geometry_column(conn, layer_id)
                wkt = f"POINT ({point[0]:.8f} {point[1]:.8f})"
                cols, vals = [*cols, str(geom)], [*vals, gpkg_blob(wkt)]
                logged[GEOM_KEY] = wkt
            conn.execute(
                f'INSERT INTO "{layer_id}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                f"VALUES ({', '.join('?' for _ in cols)})",
                vals,
            )
            conn.execute(
                f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                (stamp, user, layer_id, key, json.dumps(logged, ensure_ascii=False), reason),
            )
            conn.execute(
                "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                (stamp[:23] + "Z", layer_id, AUDIT_TABLE),
            )
            return key

        return str(_retrying(conn, run))


def upsert_many(
    path: Path, layer_id: str, rows: Sequence[Mapping[str, Any]], user: str, reason: str = "", ts: str | None = None
) -> tuple[int, int]:
    """Add the rows of an attribute table that are new and update those whose key exists, in one audited
    transaction (a planner's file of figures): every row is checked first, then all are written, or none.

    Returns ``(added, updated)``; a row equal to what is stored writes nothing.
    """
    spec = CATALOG.get(layer_id)
    if spec is None or spec.is_spatial:
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    keys = spec.key.split(",")
    plan = [_new_row(spec, values) for values in rows]
    stamp = ts or _now()
    with _connect(path) as conn:

        def run() -> tuple[int, int]:
            _ensure_audit(conn, stamp)
            added = updated = 0
            for key, row in plan:
                where, params = _where(spec, key)
                cols = list(row)
                found = conn.execute(
                    f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{layer_id}" WHERE {where}', params
                ).fetchone()
                if found is None:
                    conn.execute(
                        f'INSERT INTO "{layer_id}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                        f"VALUES ({', '.join('?' for _ in cols)})",
                        [row[c] for c in cols],
                    )
                    conn.execute(
                        f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                        "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                        (stamp, user, layer_id, key, json.dumps(row, ensure_ascii=False), reason),
                    )
                    added += 1
                    continue
                old = dict(zip(cols, found, strict=True))
                changed = [c for c in cols if c not in keys and old[c] != row[c]]
                for c in changed:
                    conn.execute(f'UPDATE "{layer_id}" SET "{c}" = ? WHERE {where}', [row[c], *params])
                    conn.execute(
                        f"INSERT INTO {AUDIT_TABLE} (ts, user, layer, feature, field, old, new, reason) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (stamp, user, layer_id, key, c, json.dumps(old[c]), json.dumps(row[c]), reason),
                    )
                updated += bool(changed)
            conn.execute(
                "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                (stamp[:23] + "Z", layer_id, AUDIT_TABLE),
            )
            return added, updated

        result: tuple[int, int] = _retrying(conn, run)
        return result


def _new_row(spec: LayerSpec, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A new row of ``spec``'s layer from ``values``, every field checked: its key and its stored values."""
    keys = spec.key.split(",")
    row: dict[str, Any] = {}
    for f in spec.fields:
        if f.derived:
            continue
        if f.name in keys:
            value = str(values.get(f.name) or "").strip()
            if not value or len(value) > 80:
                raise EditError("edit.required", field=f.label("vi"))
            row[f.name] = value
        else:
            row[f.name] = _check_value_for_insert(spec, f.name, values.get(f.name))
    return ",".join(str(row[k]) for k in keys), row


def _check_value_for_insert(spec: LayerSpec, name: str, value: Any) -> Any:
    """Like an edit's check, for a non-key field of a new row (the caller checks the key)."""
    f = spec.field(name)
    if value is None or value == "":
        if f.required:
            raise EditError("edit.required", field=f.label("vi"))
        return "" if f.kind == "str" else None
    return _check_value(spec, name, value)
