"""Commit a validated import into the store: one transaction, audited row by row.

On a GeoPackage the new rows are first written by GDAL into a scratch GeoPackage beside the
store; then, in one ``BEGIN IMMEDIATE`` transaction on the store, the layer's
rows are replaced or appended from it (a new overlay layer gets its table,
R-tree and metadata copied). On PostGIS the rows go in with ``COPY`` inside one transaction (a new
overlay layer gets its table and spatial index). Either way one ``audit_log`` row is written per feature
added or removed (the whole row, geometry included, so a rollback restores
it), the column mapping is remembered for the layer, and the layer's
provenance names the file; its rows are real data (demo flag 0) while the demo rows beside them
keep theirs (:data:`geo.catalog.DEMO_COLUMN`). An error anywhere rolls everything back:
the store's bytes are unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import db
from geo.catalog import (
    DEMO_COLUMN,
    IMPORT_MAPPING_TABLE,
    IMPORT_VALUES_TABLE,
    OVERLAY_COLORS,
    OVERLAY_KEY,
    OVERLAY_TABLE,
    valid_overlay_id,
)
from geo.edit import AUDIT_TABLE, GEOM_KEY, EditError, _connect, _ensure_audit, _now, _retrying, file_catalog
from geo.edit import _names as names
from geo.importer import Report

Mode = Literal["replace", "append"]

_MAPPING_DDL = f"""CREATE TABLE IF NOT EXISTS {IMPORT_MAPPING_TABLE} (
    {{pk}}, layer_id TEXT NOT NULL, source_column TEXT NOT NULL, field TEXT NOT NULL)"""
_VALUES_DDL = f"""CREATE TABLE IF NOT EXISTS {IMPORT_VALUES_TABLE} (
    {{pk}}, layer_id TEXT NOT NULL, field TEXT NOT NULL, source_value TEXT NOT NULL,
    code TEXT NOT NULL, source TEXT)"""
_OVERLAY_DDL = f"""CREATE TABLE IF NOT EXISTS {OVERLAY_TABLE} (
    {{pk}}, overlay_id TEXT NOT NULL, title_vi TEXT NOT NULL, title_en TEXT,
    geometry TEXT NOT NULL, fields TEXT NOT NULL, color TEXT NOT NULL, created TEXT NOT NULL,
    created_by TEXT NOT NULL)"""


def remembered_values(path: db.Location, layer_id: str) -> dict[str, dict[str, str]]:
    """The coded values mapped the last times files were imported into ``layer_id``: field → file value → code."""
    out: dict[str, dict[str, str]] = {}
    with _connect(path) as conn:
        if not conn.has_table(IMPORT_VALUES_TABLE):
            return out
        rows = conn.execute(
            f"SELECT field, source_value, code FROM {IMPORT_VALUES_TABLE} WHERE layer_id = ? ORDER BY fid", (layer_id,)
        ).fetchall()
    for field, value, code in rows:
        out.setdefault(str(field), {})[str(value)] = str(code)
    return out


def remembered_mapping(path: db.Location, layer_id: str) -> dict[str, str]:
    """The column mapping used the last time a file was imported into ``layer_id``."""
    with _connect(path) as conn:
        if not conn.has_table(IMPORT_MAPPING_TABLE):
            return {}
        rows = conn.execute(
            f"SELECT source_column, field FROM {IMPORT_MAPPING_TABLE} WHERE layer_id = ? ORDER BY fid", (layer_id,)
        ).fetchall()
    return {str(a): str(b) for a, b in rows}


def _has_table(conn: db.Session, name: str, schema: str = "main") -> bool:
    """Whether the GeoPackage (``schema`` ``main``, or the attached scratch file ``imp``) has ``name``."""
    found = conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


def _columns(conn: db.Session, table: str, schema: str = "main") -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _geometry_kind(frame: gpd.GeoDataFrame) -> str:
    kinds = {g.geom_type.replace("Multi", "") for g in frame.geometry if g is not None}
    return next(iter(kinds)) if len(kinds) == 1 else "Polygon"


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "str"


def commit(
    store: db.Location,
    report: Report,
    user: str,
    layer: str | None = None,
    new_layer: str | None = None,
    title: str | None = None,
    mode: Mode = "replace",
    title_en: str | None = None,
) -> int:
    """Store ``report.frame`` into ``layer`` (replace or append) or as ``new_layer``; returns features written.

    Raises :class:`EditError` if the report has errors, the user is missing, or keys clash.
    """
    if not user:
        raise EditError("edit.no_user")
    if report.exit_code != 0 or report.frame is None:
        raise EditError("import.not_valid")
    target = new_layer or layer
    if not target:
        raise EditError("error.unknown_layer", layer="")
    stamp = _now()
    reason = f"import {report.source}"
    frame = report.frame.copy()
    overlay: dict[str, Any] | None = None
    if new_layer:
        if not valid_overlay_id(new_layer):
            raise EditError("import.bad_layer_id", layer=new_layer[:60])
        labels: dict[str, str] = dict(frame.attrs.get("labels", {}))
        frame.insert(0, OVERLAY_KEY, [str(i + 1) for i in range(len(frame))])
        fields = [(c, labels.get(c, c), _kind(frame[c])) for c in frame.columns if c not in ("geometry", OVERLAY_KEY)]
        overlay = {
            "overlay_id": new_layer,
            "title_vi": title or new_layer,
            "title_en": title_en or title or new_layer,
            "geometry": _geometry_kind(frame),
            "fields": json.dumps(fields, ensure_ascii=False),
            "created": stamp,
            "created_by": user,
        }
    with _connect(store) as conn:
        spec = file_catalog(conn).get(target)  # an overlay imported earlier is the store's own layer
        exists = conn.has_table(target)
        if new_layer and exists:
            raise EditError("import.layer_exists", layer=new_layer)
        if not new_layer and (spec is None or not exists):
            raise EditError("error.unknown_layer", layer=target)
        geom_col = "geom"
        if exists:
            geom_col = str(conn.geometry_column(target))
            cols = [c for c in conn.columns(target) if c not in ("fid", geom_col)]
            for c in cols:
                if c not in frame.columns:  # a planner's file is real data: its rows are not demo
                    frame[c] = 0 if c == DEMO_COLUMN else None
            frame = frame[[*cols, "geometry"]]
        keys = spec.key.split(",") if spec else [OVERLAY_KEY]
        if conn.kind == "postgis":
            return int(
                _retrying(
                    conn,
                    lambda: _write_pg(conn, frame, target, geom_col, keys, mode, overlay, report, user, reason, stamp),
                )
            )
    assert isinstance(store, (str, os.PathLike))
    db.sweep_scratch(Path(store))  # an interrupted import's scratch files go at the next write
    with db.scratch_beside(Path(store)) as scratch:
        frame = frame.set_geometry("geometry").rename_geometry(geom_col) if geom_col != "geometry" else frame
        pyogrio.write_dataframe(frame, scratch, layer=target, driver="GPKG", promote_to_multi=False)
        with _connect(store) as conn:
            conn.execute("ATTACH DATABASE ? AS imp", (str(scratch),))
            try:
                written = _retrying(
                    conn, lambda: _write(conn, target, geom_col, keys, mode, overlay, report, user, reason, stamp)
                )
            finally:
                conn.execute("DETACH DATABASE imp")
        return int(written)


def _write(
    conn: db.Session,
    layer: str,
    geom: str,
    keys: list[str],
    mode: Mode,
    overlay: dict[str, Any] | None,
    report: Report,
    user: str,
    reason: str,
    stamp: str,
) -> int:
    _ensure_audit(conn, stamp)
    if overlay is not None:
        _create_like(conn, layer)
    cols = [c for c in _columns(conn, layer, "imp") if c != "fid"]
    attrs = [c for c in cols if c != geom]
    q = ", ".join(f'"{c}"' for c in cols)
    keysql = " || ',' || ".join(f'CAST("{k}" AS TEXT)' for k in keys)
    if mode == "append" and overlay is None:
        clash = conn.execute(
            f'SELECT {keysql} FROM main."{layer}" WHERE {keysql} IN (SELECT {keysql} FROM imp."{layer}")'
        ).fetchall()
        if clash:
            raise EditError("import.key_exists", n=len(clash), key=str(clash[0][0])[:60])
    audit: list[tuple[str, str | None, str | None]] = []
    if mode == "replace" and overlay is None:
        audit += _removed(conn, layer, geom, keysql)
    conn.execute(f'INSERT INTO main."{layer}" ({q}) SELECT {q} FROM imp."{layer}"')
    for row in conn.execute(f'SELECT {keysql}, {q} FROM imp."{layer}"'):
        new = dict(zip(cols, row[1:], strict=True))
        blob = new.pop(geom)
        new[GEOM_KEY] = bytes(blob).hex() if blob is not None else None
        audit.append((str(row[0]), None, json.dumps(new, ensure_ascii=False)))
    conn.executemany(
        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
        "VALUES (?, ?, ?, ?, '*', ?, ?, ?)",
        [(stamp, user, layer, k, old, new, reason) for k, old, new in audit],
    )
    del attrs
    # the layer's extent and change date, from what it now holds
    ext = conn.execute(
        f'SELECT MIN(ST_MinX("{geom}")), MIN(ST_MinY("{geom}")), MAX(ST_MaxX("{geom}")), MAX(ST_MaxY("{geom}")) '
        f'FROM main."{layer}"'
    ).fetchone()
    conn.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = ? WHERE table_name = ?",
        (*ext, stamp[:23] + "Z", layer),
    )
    if _has_table(conn, "gpkg_ogr_contents"):
        conn.execute(
            f'UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM main."{layer}") WHERE table_name = ?',
            (layer,),
        )
    _remember(conn, layer, cols, overlay, report, user, stamp)
    return int(conn.execute(f'SELECT COUNT(*) FROM imp."{layer}"').fetchone()[0])


def _remember(
    conn: db.Session,
    layer: str,
    cols: list[str],
    overlay: dict[str, Any] | None,
    report: Report,
    user: str,
    stamp: str,
) -> None:
    """Within the import's transaction: its column and value mappings, the overlay's record, the layer's source."""
    if report.mapping:
        conn.attributes_table(IMPORT_MAPPING_TABLE, _MAPPING_DDL, stamp)
        conn.execute(f"DELETE FROM {IMPORT_MAPPING_TABLE} WHERE layer_id = ?", (layer,))
        conn.executemany(
            f"INSERT INTO {IMPORT_MAPPING_TABLE} (layer_id, source_column, field) VALUES (?, ?, ?)",
            [(layer, a, b) for a, b in report.mapping.items()],
        )
    if report.value_mapping:  # the file's wording of each class, for the next file of this layer
        conn.attributes_table(IMPORT_VALUES_TABLE, _VALUES_DDL, stamp)
        for field, pairs in report.value_mapping.items():
            for value, code in pairs.items():
                conn.execute(
                    f"DELETE FROM {IMPORT_VALUES_TABLE} WHERE layer_id = ? AND field = ? AND source_value = ?",
                    (layer, field, value),
                )
                conn.execute(
                    f"INSERT INTO {IMPORT_VALUES_TABLE} (layer_id, field, source_value, code, source) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (layer, field, value, code, report.source),
                )
    if overlay is not None:
        conn.attributes_table(OVERLAY_TABLE, _OVERLAY_DDL, stamp)
        n = conn.execute(f"SELECT COUNT(*) FROM {OVERLAY_TABLE}").fetchone()[0]
        overlay = {**overlay, "color": OVERLAY_COLORS[int(n) % len(OVERLAY_COLORS)]}
        conn.execute(
            f"INSERT INTO {OVERLAY_TABLE} ({', '.join(overlay)}) VALUES ({', '.join('?' for _ in overlay)})",
            list(overlay.values()),
        )
        conn.touch((OVERLAY_TABLE,), stamp)  # every page lists the overlays: a new one reruns them
    if conn.has_table("layer_meta"):  # the layer's source is the file now; demo while demo rows remain
        demo = DEMO_COLUMN in cols and bool(
            conn.execute(f'SELECT 1 FROM "{layer}" WHERE "{DEMO_COLUMN}" != 0 LIMIT 1').fetchone()
        )
        conn.execute("DELETE FROM layer_meta WHERE layer_id = ?", (layer,))
        conn.execute(
            "INSERT INTO layer_meta (layer_id, source, as_of, demo, licence) VALUES (?, ?, ?, ?, ?)",
            (layer, f"{report.source} ({user})", dt.date.today().isoformat(), demo, ""),
        )


def _declared_geometry(frame: gpd.GeoDataFrame) -> str:
    """The geometry type GDAL declares for a new GeoPackage layer of ``frame``: one kind, or GEOMETRY if mixed."""
    kinds = {str(k).upper() for k in frame.geometry.geom_type.dropna().unique()}
    return kinds.pop() if len(kinds) == 1 else "GEOMETRY"


_PG_KINDS = {"int": "bigint", "float": "double precision", "bool": "boolean"}


def _natives(series: pd.Series) -> list[Any]:
    """A column's values as Python values, missing ones ``None`` (what the database driver takes)."""
    values = series.astype(object).tolist()
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]


def _write_pg(
    conn: db.Session,
    frame: gpd.GeoDataFrame,
    layer: str,
    geom: str,
    keys: list[str],
    mode: Mode,
    overlay: dict[str, Any] | None,
    report: Report,
    user: str,
    reason: str,
    stamp: str,
) -> int:
    """The PostGIS import: one ``COPY`` of the rows and one of their change-log rows, in the caller's transaction."""
    _ensure_audit(conn, stamp)
    cols = [c for c in frame.columns if c != frame.geometry.name]
    if overlay is not None:
        kinds = {c: _PG_KINDS.get(_kind(frame[c]), "text") for c in cols}
        body = ", ".join([conn.pk, *(f'"{c}" {kinds[c]}' for c in cols), f'"{geom}" geometry(Geometry, {db.SRID})'])
        conn.execute(f'CREATE TABLE "{layer}" ({body})')
        conn.execute(f'CREATE INDEX "{layer}_{geom}_idx" ON "{layer}" USING GIST ("{geom}")')
        conn.execute(
            f"INSERT INTO {db.CONTENTS} (table_name, data_type, identifier, geometry_type, geometry_column, ord, "
            f"last_change) SELECT ?, 'features', ?, ?, ?, COALESCE(MAX(ord), 0) + 1, ? FROM {db.CONTENTS}",
            (layer, overlay["title_vi"], _declared_geometry(frame), geom, stamp),
        )
    values = [_natives(frame[c]) for c in cols]
    rows = list(zip(*values, strict=True)) if cols else [() for _ in range(len(frame))]
    key_at = [cols.index(k) for k in keys]
    new_keys = [",".join(str(r[i]) for i in key_at) for r in rows]
    keysql = " || ',' || ".join(f'CAST("{k}" AS TEXT)' for k in keys)
    if mode == "append" and overlay is None:
        clash = conn.execute(f'SELECT {keysql} FROM "{layer}" WHERE {keysql} = ANY(?)', (new_keys,)).fetchall()
        if clash:
            raise EditError("import.key_exists", n=len(clash), key=str(clash[0][0])[:60])
    audit: list[tuple[str, str | None, str | None]] = []
    if mode == "replace" and overlay is None:
        audit += _removed(conn, layer, geom, keysql)
    wkb = shapely.to_wkb(frame.geometry.to_crs(db.SRID).values, byte_order=1)
    hexes = shapely.to_wkb(
        shapely.set_srid(frame.geometry.to_crs(db.SRID).values, db.SRID), hex=True, include_srid=True
    )
    pg = getattr(conn, "conn")  # noqa: B009 - COPY is psycopg's own API
    with pg.cursor() as cur, cur.copy(f'COPY "{layer}" ({names([*cols, geom])}) FROM STDIN') as copy:
        for row, shape in zip(rows, hexes, strict=True):
            copy.write_row((*row, shape))
    for k, row, shape in zip(new_keys, rows, wkb, strict=True):
        added: dict[str, Any] = dict(zip(cols, row, strict=True))
        blob = db.blob_from_wkb(shape)
        added[GEOM_KEY] = blob.hex() if blob is not None else None
        audit.append((k, None, json.dumps(added, ensure_ascii=False, default=str)))
    audit_cols = names(["ts", "user", "layer", "feature", "field", "old", "new", "reason"])
    with pg.cursor() as cur, cur.copy(f"COPY {AUDIT_TABLE} ({audit_cols}) FROM STDIN") as copy:
        for k, before, after in audit:
            copy.write_row((stamp, user, layer, k, "*", before, after, reason))
    conn.touch((layer, AUDIT_TABLE), stamp)
    _remember(conn, layer, cols, overlay, report, user, stamp)
    return len(frame)


def _removed(conn: db.Session, layer: str, geom: str, keysql: str) -> list[tuple[str, str | None, str | None]]:
    """Within a replacing import, on either store: every row of ``layer`` removed, as its change-log record
    (key, the whole old row with its geometry as a GeoPackage blob's hex, nothing new).
    """
    stored = [c for c in conn.columns(layer) if c not in ("fid", geom)]
    picked = ", ".join([*(f'"{c}"' for c in stored), conn.geom_out(geom)])
    out: list[tuple[str, str | None, str | None]] = []
    for row in conn.execute(f'SELECT {keysql}, {picked} FROM "{layer}" ORDER BY fid'):  # main's, not imp's
        old = dict(zip(stored, row[1:-1], strict=True))
        blob = conn.geom_blob(row[-1])
        old[GEOM_KEY] = blob.hex() if blob is not None else None
        out.append((str(row[0]), json.dumps(old, ensure_ascii=False), None))
    conn.execute(f'DELETE FROM "{layer}"')
    return out


def _create_like(conn: db.Session, layer: str) -> None:
    """Create ``layer`` in the store as GDAL created it in the scratch file: table, R-tree, triggers, metadata."""
    rtree = f"rtree_{layer}_"
    objects = conn.execute(
        "SELECT type, name, sql FROM imp.sqlite_master WHERE sql IS NOT NULL AND (tbl_name = ? OR name LIKE ?) "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END",
        (layer, rtree + "%"),
    ).fetchall()
    for kind, name, sql in objects:
        if kind == "table" and name.startswith(rtree) and name.endswith(("_node", "_parent", "_rowid")):
            continue  # made by the R-tree's own CREATE VIRTUAL TABLE
        conn.execute(sql)
    for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents"):
        if _has_table(conn, table, "imp") and _has_table(conn, table):
            cols = ", ".join(f'"{c}"' for c in _columns(conn, table, "imp"))
            conn.execute(
                f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM imp.{table} WHERE table_name = ?", (layer,)
            )
