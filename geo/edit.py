"""Edits to the store: atomic, validated against the catalog, and audited in the same transaction.

An edit is one transaction of the store (:meth:`geo.db.Session.write`: SQLite's ``BEGIN IMMEDIATE``
on a GeoPackage, an advisory-locked transaction on PostGIS) that updates the feature and appends one
``audit_log`` row per changed field: an interrupted write leaves the store as it was, and no change
exists without its audit row. Writers are serialised, with retries; an edit made against a value
someone else has changed since (``expected``) is refused as a conflict, never silently overwritten.
The log allows a feature's history and a rollback to a moment.

Moving a point rewrites its geometry (on a GeoPackage, GDAL's R-tree triggers then update the spatial
index; :mod:`geo.db` provides the SQL functions they call). Imports (:mod:`geo.ingest`) write whole
rows the same way. ``path`` below is a store's location: a ``.gpkg`` path or a ``postgresql://`` address.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import shapely

from geo import db
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
# PostgreSQL: "user" is a reserved word, and the key is an identity column.
_PG_AUDIT_DDL = _AUDIT_DDL.replace("fid INTEGER PRIMARY KEY AUTOINCREMENT", "{pk}").replace("user TEXT", '"user" TEXT')
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
_PG_AUDIT_INDEXES = tuple(
    ddl.replace(" user,", ' "user",').replace("new IS NOT NULL)", "(new IS NOT NULL))") for ddl in _AUDIT_INDEXES
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


@contextmanager
def _connect(path: db.Location) -> Iterator[db.Session]:
    try:
        with db.connect(path) as conn:
            yield conn
    except FileNotFoundError:
        raise EditError("error.store_missing", path=str(path)) from None
    except db.StoreLoginRefused:
        raise EditError("error.store_login", path=db.label(path)) from None
    except db.StoreDown as down:
        raise EditError("error.store_down", reason=str(down)[:200]) from None


def _ensure_audit(conn: db.Session, timestamp: str) -> None:
    """Within a write: the audit table if it is missing, and its indexes (a store made by an earlier
    version gets them at its first write).
    """
    pg = conn.kind == "postgis"
    if _missing_audit(conn):
        conn.attributes_table(AUDIT_TABLE, _PG_AUDIT_DDL if pg else _AUDIT_DDL, timestamp)
    elif pg:
        return  # made with its indexes when the table was (a PostGIS store has no earlier versions)
    for ddl in _PG_AUDIT_INDEXES if pg else _AUDIT_INDEXES:
        conn.execute(ddl)


def ensure_audit_table(path: db.Location, timestamp: str | None = None) -> None:
    """Create the ``audit_log`` table (a GeoPackage attributes table, so QGIS lists it) if it is missing."""
    with _connect(path) as conn:
        _retrying(conn, lambda: _ensure_audit(conn, timestamp or _now()))


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


def _retrying(conn: db.Session, fn: Any) -> Any:
    """Run ``fn`` in one write transaction of the store, waiting while another writer holds it."""
    try:
        return conn.write(fn)
    except TimeoutError:
        raise EditError("edit.busy") from None


def edit(
    path: db.Location,
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
    path: db.Location, layer_id: str, changes: list[Change], user: str, reason: str = "", ts: str | None = None
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
                conn.execute(
                    f'UPDATE "{layer_id}" SET "{name}" = ? WHERE {where}',
                    [*conn.typed(layer_id, {name: value}), *params],
                )
                fid = conn.insert_fid(
                    f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stamp, user, layer_id, key, name, json.dumps(current[name]), json.dumps(value), reason),
                )
                rows.append(AuditRow(fid, stamp, user, layer_id, key, name, current[name], value, reason))
            return rows

        def run() -> list[AuditRow]:
            _ensure_audit(conn, stamp)
            rows = [r for key, clean, seen in plan for r in apply(key, clean, seen)]
            if rows:
                conn.touch((layer_id, AUDIT_TABLE), stamp)
            return rows

        return list(_retrying(conn, run))


def _missing_audit(conn: db.Session) -> bool:
    return not conn.has_table(AUDIT_TABLE)


def _rows(conn: db.Session, sql: str, params: tuple[Any, ...]) -> list[AuditRow]:
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


_SELECT = f'SELECT fid, ts, "user", layer, feature, field, old, new, reason FROM {AUDIT_TABLE}'


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


def last_changes(path: db.Location, layer_id: str) -> dict[str, AuditRow]:
    """The latest change of each feature of ``layer_id`` that has one (what an indicator card cites)."""
    return {r.feature: r for r in changes_since(path, "", layer=layer_id)}


def last_save_by(path: db.Location, user: str) -> AuditRow | None:
    """``user``'s latest change in the change log, if any: after a lost connection, whether their last save
    was kept (it is there) or not (the latest is an earlier one).
    """
    with _connect(path) as conn:
        rows = _rows(conn, f'{_SELECT} WHERE "user" = ? ORDER BY fid DESC LIMIT 1', (user,))
    return rows[0] if rows else None


def history(path: db.Location, layer_id: str, key: str) -> list[AuditRow]:
    """Every change of one feature, oldest first."""
    with _connect(path) as conn:
        return _rows(conn, f"{_SELECT} WHERE layer = ? AND feature = ? ORDER BY fid", (layer_id, key))


def changes_since(
    path: db.Location, since: str, layer: str | None = None, whole_features: bool = True
) -> list[AuditRow]:
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


def changes_after(path: db.Location, since: str, layer: str) -> list[AuditRow]:
    """Every change of ``layer`` made after ``since`` (a log time), newest first: what rewinding undoes."""
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        return _rows(conn, f"{_SELECT} WHERE layer = ? AND ts > ? ORDER BY fid DESC", (layer, since))


def changes_between(path: db.Location, after: str, until: str, layers: list[str]) -> list[AuditRow]:
    """Every change of ``layers`` made after log time ``after`` and up to ``until``, oldest first."""
    if not layers:
        return []
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        marks = ", ".join("?" for _ in layers)
        sql = f"{_SELECT} WHERE layer IN ({marks}) AND ts > ? AND ts <= ? ORDER BY fid"
        return _rows(conn, sql, (*layers, after, until))


def shape_changes_after(path: db.Location, since: str, layer: str) -> int:
    """How many changes after ``since`` touched ``layer``'s geometry or its set of features: none means the
    layer as of ``since`` has the geometry it has now (its attributes may differ).
    """
    with _connect(path) as conn:
        if _missing_audit(conn):
            return 0
        geom = conn.geometry_column(layer) or "*"
        row = conn.execute(
            f"SELECT COUNT(*) FROM {AUDIT_TABLE} WHERE layer = ? AND ts > ? AND field IN ('*', ?)",
            (layer, since, geom),
        ).fetchone()
        return int(row[0])


def change_days(path: db.Location) -> list[str]:
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
    path: db.Location, since: str, sensitive_ok: bool = True, list_up_to: int = 300
) -> tuple[list[AuditRow], list[Batch]]:
    """What changed since ``since``, as a meeting reads it: field changes one by one (without the
    sensitive ones unless ``sensitive_ok``), and features added or removed whole counted in batches.
    """
    rows = changes_since(path, since, whole_features=False)
    return (rows if sensitive_ok else redact_rows(rows)), whole_feature_batches(path, since, list_up_to)


def whole_feature_batches(path: db.Location, since: str, list_up_to: int = 300) -> list[Batch]:
    """The whole-feature changes made after ``since``, one per (moment, user, layer, reason), oldest first."""
    with _connect(path) as conn:
        if _missing_audit(conn):
            return []
        # counted from the GeoPackage's index alone (it holds "new IS NOT NULL", not "new")
        added = "COUNT(new)" if conn.kind == "postgis" else "SUM(new IS NOT NULL)"
        groups = conn.execute(
            f'SELECT ts, "user", layer, reason, COUNT(*), {added} '
            f"FROM {AUDIT_TABLE} WHERE ts > ? AND field = '*' GROUP BY ts, \"user\", layer, reason ORDER BY MIN(fid)",
            (since,),
        ).fetchall()
        out = []
        for ts, user, layer, reason, count, added in groups:
            keys: tuple[str, ...] = ()
            if count <= list_up_to:
                keys = tuple(
                    str(k)
                    for (k,) in conn.execute(
                        f'SELECT feature FROM {AUDIT_TABLE} WHERE ts = ? AND "user" = ? AND layer = ? AND reason = ? '
                        "AND field = '*' ORDER BY fid",
                        (ts, user, layer, reason),
                    )
                )
            out.append(Batch(ts, user, layer, reason, int(count), int(added or 0), keys))
        return out


def rollback_to(path: db.Location, moment: str, user: str) -> int:
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
                    f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
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
            if later:
                conn.touch(sorted({r.layer for r in later} | {AUDIT_TABLE}), stamp)
            return len(later)

        return int(_retrying(conn, run))


def gpkg_blob(wkt_or_hex: str | None) -> bytes | None:
    """A GeoPackage geometry blob from WKT (or the hex of a blob, as the audit keeps whole rows)."""
    return db.blob_of(wkt_or_hex)


def geometry_wkt(blob: bytes | None) -> str | None:
    """WKT of a GeoPackage geometry blob."""
    wkb = db.wkb_of_blob(blob)
    return None if wkb is None else str(shapely.from_wkb(wkb).wkt)


def file_catalog(conn: db.Session) -> Catalog:
    """The catalog of the open file: the built-in layers and the overlays it lists."""
    tables = set(conn.tables())
    if OVERLAY_TABLE not in tables:
        return CATALOG
    cur = conn.execute(f"SELECT overlay_id, title_vi, title_en, geometry, fields, color FROM {OVERLAY_TABLE}")
    names = [d[0] for d in cur.description]
    return CATALOG.with_layers(*overlay_specs([dict(zip(names, r, strict=True)) for r in cur], tables))


def _undo(conn: db.Session, r: AuditRow, spec: LayerSpec) -> None:
    """Write back what audit row ``r`` of ``spec``'s layer changed (a field, a geometry, a whole row)."""
    where, params = _where(spec, r.feature)
    geom = conn.geometry_column(r.layer)
    if r.field == "*":
        if r.old is None:  # the row was added: remove it
            conn.execute(f'DELETE FROM "{r.layer}" WHERE {where}', params)
        else:  # the row was removed: put it back
            row = dict(r.old if isinstance(r.old, dict) else json.loads(r.old))
            shape = row.pop(GEOM_KEY, None)
            cols = [*row, *([geom] if geom else [])]
            marks = ["?"] * len(row) + ([conn.geom_in] if geom else [])
            conn.execute(
                f'INSERT INTO "{r.layer}" ({_names(cols)}) VALUES ({", ".join(marks)})',
                [*conn.typed(r.layer, row), *([conn.geom_param(shape)] if geom else [])],
            )
        return
    if geom and r.field == geom:
        conn.execute(
            f'UPDATE "{r.layer}" SET "{geom}" = {conn.geom_in} WHERE {where}', [conn.geom_param(r.old), *params]
        )
        return
    conn.execute(
        f'UPDATE "{r.layer}" SET "{r.field}" = ? WHERE {where}', [*conn.typed(r.layer, {r.field: r.old}), *params]
    )


GEOM_KEY = "__geometry__"


def _names(cols: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def move_point(
    path: db.Location,
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
        geom = str(conn.geometry_column(layer_id))

        def run() -> AuditRow:
            _ensure_audit(conn, stamp)
            found = conn.execute(f'SELECT {conn.geom_out(geom)} FROM "{layer_id}" WHERE {where}', params).fetchall()
            if len(found) != 1:
                raise EditError("edit.not_found", layer=layer_id, key=key)
            old_wkt = geometry_wkt(conn.geom_blob(found[0][0]))
            moved = (
                expected_wkt is not None
                and old_wkt is not None
                and not shapely.equals_exact(shapely.from_wkt(old_wkt), shapely.from_wkt(expected_wkt), 1e-9)
            )
            if moved:
                raise ConflictError("edit.conflict", field="vị trí", current=str(old_wkt), seen=str(expected_wkt))
            conn.execute(
                f'UPDATE "{layer_id}" SET "{geom}" = {conn.geom_in} WHERE {where}', [conn.geom_param(new_wkt), *params]
            )
            fid = conn.insert_fid(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, user, layer_id, key, geom, json.dumps(old_wkt), json.dumps(new_wkt), reason),
            )
            conn.touch((layer_id, AUDIT_TABLE), stamp)
            return AuditRow(fid, stamp, user, layer_id, key, geom, old_wkt, new_wkt, reason)

        result: AuditRow = _retrying(conn, run)
        return result


def _check_position(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and 102 <= lon <= 110 and 8 <= lat <= 24):
        raise EditError("edit.bad_position", lon=str(lon)[:20], lat=str(lat)[:20])


def insert(
    path: db.Location,
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
            cols, vals = list(row), conn.typed(layer_id, row)
            marks = ["?"] * len(cols)
            logged = dict(row)
            if point is not None:
                geom = conn.geometry_column(layer_id)
                wkt = f"POINT ({point[0]:.8f} {point[1]:.8f})"
                cols, vals, marks = [*cols, str(geom)], [*vals, conn.geom_param(wkt)], [*marks, conn.geom_in]
                logged[GEOM_KEY] = wkt
            conn.execute(
                f'INSERT INTO "{layer_id}" ({_names(cols)}) VALUES ({", ".join(marks)})',
                vals,
            )
            conn.execute(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                (stamp, user, layer_id, key, json.dumps(logged, ensure_ascii=False), reason),
            )
            conn.touch((layer_id, AUDIT_TABLE), stamp)
            return key

        return str(_retrying(conn, run))


def upsert_many(
    path: db.Location,
    layer_id: str,
    rows: Sequence[Mapping[str, Any]],
    user: str,
    reason: str = "",
    ts: str | None = None,
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
                        conn.typed(layer_id, row),
                    )
                    conn.execute(
                        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                        "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                        (stamp, user, layer_id, key, json.dumps(row, ensure_ascii=False), reason),
                    )
                    added += 1
                    continue
                old = dict(zip(cols, found, strict=True))
                changed = [c for c in cols if c not in keys and old[c] != row[c]]
                for c in changed:
                    conn.execute(
                        f'UPDATE "{layer_id}" SET "{c}" = ? WHERE {where}',
                        [*conn.typed(layer_id, {c: row[c]}), *params],
                    )
                    conn.execute(
                        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (stamp, user, layer_id, key, c, json.dumps(old[c]), json.dumps(row[c]), reason),
                    )
                updated += bool(changed)
            conn.touch((layer_id, AUDIT_TABLE), stamp)
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
