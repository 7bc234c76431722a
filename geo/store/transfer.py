"""Moving a whole store between a GeoPackage and PostGIS, both ways, losslessly.

``python -m geo copy-store SRC DST`` copies every table the store lists (the layers, the change log,
saved views, tasks, indicator series, the overlays planners imported and their records, the import
mappings, provenance) with their row ids, column types and geometry: a round trip compares equal, and
the change log still rewinds every layer. The source is read as one moment (one read transaction); the
destination is written in one transaction (PostGIS) or as a new file renamed into place (GeoPackage),
so a reader never sees half a copy. A meeting-room laptop takes a GeoPackage snapshot of the province's
server this way; a server is seeded from the demo GeoPackage the same way.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.field.qgis import STYLES_TABLE, write_styles
from geo.store import db
from geo.store.changelog import AUDIT_INDEXES as _AUDIT_INDEXES
from geo.store.changelog import AUDIT_TABLE
from geo.store.changelog import PG_AUDIT_INDEXES as _PG_AUDIT_INDEXES

GEOMETRY_TYPES = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRY": "Unknown",
}


class TransferError(Exception):
    """A copy that cannot be made; the message says why (nothing was written)."""


@dataclass
class Table:
    """One table as read from a store: its columns (``fid`` first, geometry as WKB) and their types."""

    name: str
    geometry_type: str | None  # POLYGON, POINT …; None for an attribute table
    geometry_column: str | None
    identifier: str
    columns: list[str]  # without fid and geometry
    types: list[str]  # GeoPackage's declared types: INTEGER, REAL, TEXT, BOOLEAN
    fids: list[int]
    rows: list[tuple[Any, ...]]
    shapes: list[bytes | None]


# -- reading -------------------------------------------------------------------------------------------------
@contextmanager
def _snapshot(location: db.Location) -> Iterator[db.Session]:
    """A session reading one moment of the store."""
    with db.connect(location) as conn:
        if conn.kind == "postgis":
            pg = getattr(conn, "conn")  # noqa: B009
            with pg.transaction():
                pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield conn
        else:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")


def _declared(conn: db.Session, table: str) -> dict[str, str]:
    if conn.kind == "postgis":
        rows = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ).fetchall()
        return {str(c): db.GPKG_TYPES.get(str(t), "TEXT") for c, t in rows}
    return {str(r[1]): str(r[2]).upper() for r in conn.execute(f"PRAGMA table_info({conn.ident(table)})")}


def _identifiers(conn: db.Session) -> dict[str, str]:
    sql = f"SELECT table_name, identifier FROM {db.CONTENTS if conn.kind == 'postgis' else 'gpkg_contents'}"
    return {str(a): str(b or a) for a, b in conn.execute(sql).fetchall()}


def read_tables(location: db.Location) -> list[Table]:
    """Every table the store lists, in its order, as one moment."""
    out = []
    with _snapshot(location) as conn:
        names = _identifiers(conn)
        for name, geom_type in conn.tables().items():
            if name == STYLES_TABLE:  # QGIS's styles: written afresh for the copy (geo.field.qgis.write_styles)
                continue
            geom = conn.geometry_column(name)
            declared = _declared(conn, name)
            cols = [c for c in conn.columns(name) if c not in ("fid", geom)]
            picked = ["fid", *(conn.ident(c) for c in cols), *([conn.geom_out(geom)] if geom else [])]
            rows = conn.execute(f"SELECT {', '.join(picked)} FROM {conn.ident(name)} ORDER BY fid").fetchall()
            shapes = [db.wkb_of_blob(conn.geom_blob(r[-1])) for r in rows] if geom else []
            body = [tuple(r[1 : 1 + len(cols)]) for r in rows]
            out.append(
                Table(
                    name,
                    str(geom_type).upper() if geom_type else None,
                    geom,
                    names.get(name, name),
                    cols,
                    [declared.get(c, "TEXT") for c in cols],
                    [int(r[0]) for r in rows],
                    body,
                    shapes,
                )
            )
    return out


# -- writing a GeoPackage --------------------------------------------------------------------------------------
_DTYPES = {"INTEGER": "Int64", "REAL": "float64", "BOOLEAN": "boolean"}


def _frame(table: Table) -> pd.DataFrame:
    data: dict[str, Any] = {"fid": np.array(table.fids, dtype="int64")}
    for i, (c, kind) in enumerate(zip(table.columns, table.types, strict=True)):
        values = [r[i] for r in table.rows]
        if kind == "BOOLEAN":
            values = [None if v is None else bool(v) for v in values]
        data[c] = pd.array(values, dtype=_DTYPES[kind]) if kind in _DTYPES else pd.array(values, dtype=object)
    frame = pd.DataFrame(data)
    if table.geometry_column is None:
        return frame
    shapes = shapely.from_wkb(np.array(table.shapes, dtype=object)) if table.shapes else np.array([], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=db.SRID), crs=db.SRID)


def _write_gpkg(tables: list[Table], dst: Path) -> None:
    for table in tables:
        frame = _frame(table)
        options: dict[str, Any] = {"layer_options": {"IDENTIFIER": table.identifier}}
        if table.geometry_column is not None:
            options["layer_options"]["GEOMETRY_NAME"] = table.geometry_column
            options["geometry_type"] = GEOMETRY_TYPES.get(table.geometry_type or "GEOMETRY", "Unknown")
        pyogrio.write_dataframe(frame, dst, layer=table.name, driver="GPKG", promote_to_multi=False, **options)
    if any(t.name == AUDIT_TABLE for t in tables):
        with db.connect(dst) as conn:
            for ddl in _AUDIT_INDEXES:
                conn.execute(ddl)


# -- writing PostGIS -------------------------------------------------------------------------------------------
_STATE_DDL = f"CREATE TABLE IF NOT EXISTS {db.STATE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, changed timestamptz NOT NULL DEFAULT now())"  # noqa: E501
_CONTENTS_DDL = f"""CREATE TABLE IF NOT EXISTS {db.CONTENTS} (
    table_name text PRIMARY KEY, data_type text NOT NULL, identifier text, geometry_type text,
    geometry_column text, ord integer NOT NULL, last_change text, changed_in bigint NOT NULL DEFAULT 0)"""


def _prepare_pg(conn: db.Session, replace: bool) -> int:
    """Within the copy's transaction: PostGIS, the bookkeeping tables, and no store tables yet; the version to
    continue from (a replaced store's, so every replica's cache sees the change).
    """
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    existing = conn.has_table(db.CONTENTS)
    version = 0
    if existing:
        if not replace:
            raise TransferError(f"{db.label(_location(conn))} already holds a store: add --replace to replace it")
        version = int(conn.execute(f"SELECT version FROM {db.STATE}").fetchone()[0]) if conn.has_table(db.STATE) else 0
        for name in conn.tables():
            conn.execute(f"DROP TABLE IF EXISTS {conn.ident(name)}")
        conn.execute(f"DROP TABLE {db.CONTENTS}")
        conn.execute(f"DROP TABLE IF EXISTS {db.STATE}")
    conn.execute(_STATE_DDL)
    conn.execute(_CONTENTS_DDL)
    return version


def _location(conn: db.Session) -> str:
    pg = getattr(conn, "conn")  # noqa: B009
    info = pg.info
    return f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"


def _write_pg(conn: db.Session, tables: list[Table], replace: bool) -> None:
    from psycopg import sql as pgsql

    pg = getattr(conn, "conn")  # noqa: B009 - COPY is psycopg's own API
    version = _prepare_pg(conn, replace)
    for order, table in enumerate(tables, start=1):
        cols = [
            f"{conn.ident(c)} {db.PG_TYPES.get(k, 'text')}" for c, k in zip(table.columns, table.types, strict=True)
        ]
        geom = table.geometry_column
        if geom:
            cols.append(f"{conn.ident(geom)} geometry(Geometry, {db.SRID})")
        conn.execute(f"CREATE TABLE {conn.ident(table.name)} ({', '.join([db.PgSession.pk, *cols])})")
        names = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in ["fid", *table.columns, *([geom] if geom else [])])
        copying = pgsql.SQL("COPY {} ({}) FROM STDIN").format(pgsql.Identifier(table.name), names)
        with pg.cursor() as cur, cur.copy(copying) as copy:
            for i, (fid, row) in enumerate(zip(table.fids, table.rows, strict=True)):
                values = [_value(v, k) for v, k in zip(row, table.types, strict=True)]
                shape = table.shapes[i] if geom else None
                copy.write_row((fid, *values, *([_ewkb(shape)] if geom else [])))
        if table.fids:
            quoted = pgsql.Identifier(table.name).as_string(pg)  # the name as pg_get_serial_sequence reads it
            conn.execute("SELECT setval(pg_get_serial_sequence(?, 'fid'), ?)", (quoted, max(table.fids)))
        if geom:
            index = conn.ident(f"{table.name}_{geom}_idx")
            conn.execute(f"CREATE INDEX {index} ON {conn.ident(table.name)} USING GIST ({conn.ident(geom)})")
        if table.name == AUDIT_TABLE:
            for idx in _PG_AUDIT_INDEXES:
                conn.execute(idx)
        conn.execute(
            f"INSERT INTO {db.CONTENTS} (table_name, data_type, identifier, geometry_type, geometry_column, ord, "
            "changed_in) VALUES (?, ?, ?, ?, ?, ?, ?)",  # a replaced store: every table changed
            (
                table.name,
                "features" if geom else "attributes",
                table.identifier,
                table.geometry_type,
                geom,
                order,
                version + 1,
            ),
        )
    conn.execute(f"INSERT INTO {db.STATE} (id, version) VALUES (1, ?)", (version,))
    conn.execute("ANALYZE")


def _value(v: Any, kind: str) -> Any:
    return bool(v) if kind == "BOOLEAN" and v is not None else v


def _ewkb(wkb: bytes | None) -> str | None:
    if wkb is None:
        return None
    return str(shapely.to_wkb(shapely.set_srid(shapely.from_wkb(wkb), db.SRID), hex=True, include_srid=True))


# -- the command -------------------------------------------------------------------------------------------------
def copy_store(src: db.Location, dst: db.Location, replace: bool = False) -> dict[str, int]:
    """Copy every table of the store at ``src`` to ``dst`` (GeoPackage ↔ PostGIS, or either to its own kind);
    returns the rows copied per table.

    A GeoPackage ``dst`` must not exist unless ``replace``; a PostGIS ``dst`` must hold no store unless
    ``replace``. Either is written whole or not at all.
    """
    if not db.is_postgis(src) and not Path(src).is_file():
        raise TransferError(f"{db.shown(src)}: no such store")
    tables = read_tables(src)
    if db.is_postgis(dst):
        with db.connect(dst) as conn:
            conn.write(lambda: _write_pg(conn, tables, replace))
        write_styles(dst)
    else:
        target = Path(dst)
        if target.exists() and not replace:
            raise TransferError(f"{target} exists: add --replace to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".copy-", suffix=".gpkg", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()
        try:
            _write_gpkg(tables, tmp)
            write_styles(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return {t.name: len(t.rows) for t in tables}
