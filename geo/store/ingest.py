"""Commit a validated import into the store: one transaction, audited row by row.

On a GeoPackage the new rows are first written by GDAL into a scratch GeoPackage beside the
store; then, in one ``BEGIN IMMEDIATE`` transaction on the store, the layer's
rows are replaced or appended from it (a new overlay layer gets its table,
R-tree and metadata copied). On PostGIS the rows go in with ``COPY`` inside one transaction (a new
overlay layer gets its table and spatial index). Either way one ``audit_log`` row is written per feature
added or removed (the whole row, geometry included, so a rollback restores
it), the column mapping is remembered for the layer, and the layer's
provenance names the file; its rows are real data (demo flag 0) while the demo rows beside them
keep theirs (:data:`geo.model.catalog.DEMO_COLUMN`). An error anywhere rolls everything back:
the store's bytes are unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.importer import Report
from geo.importer.codes import value_key
from geo.importer.safety import CHUNK_FEATURES, Progress
from geo.model.catalog import (
    DEMO_COLUMN,
    IMPORT_MAPPING_TABLE,
    IMPORT_VALUES_TABLE,
    OVERLAY_COLORS,
    OVERLAY_KEY,
    OVERLAY_STYLES,
    OVERLAY_TABLE,
    LayerSpec,
    valid_overlay_id,
)
from geo.model.i18n import Lang, fmt_number, t
from geo.store import db
from geo.store.changelog import AUDIT_TABLE, GEOM_KEY, EditError
from geo.store.changelog import ensure_audit as _ensure_audit
from geo.store.changelog import now as _now
from geo.store.changelog import retrying as _retrying
from geo.store.changelog import session as _connect
from geo.store.edit import file_catalog

Mode = Literal["replace", "append", "update"]

_MAPPING_DDL = f"""CREATE TABLE IF NOT EXISTS {IMPORT_MAPPING_TABLE} (
    {{pk}}, layer_id TEXT NOT NULL, source_column TEXT NOT NULL, field TEXT NOT NULL)"""
_VALUES_DDL = f"""CREATE TABLE IF NOT EXISTS {IMPORT_VALUES_TABLE} (
    {{pk}}, layer_id TEXT NOT NULL, field TEXT NOT NULL, source_value TEXT NOT NULL,
    code TEXT NOT NULL, source TEXT)"""
_OVERLAY_DDL = f"""CREATE TABLE IF NOT EXISTS {OVERLAY_TABLE} (
    {{pk}}, overlay_id TEXT NOT NULL, title_vi TEXT NOT NULL, title_en TEXT,
    geometry TEXT NOT NULL, fields TEXT NOT NULL, color TEXT NOT NULL, created TEXT NOT NULL,
    created_by TEXT NOT NULL)"""


MAX_TITLE = 120  # the longest title or column label of a planner's new layer (the form's limit too)


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
    return [str(r[1]) for r in conn.execute(f"PRAGMA {schema}.table_info({conn.ident(table)})")]


def _geometry_kind(frame: gpd.GeoDataFrame) -> str:
    kinds = {g.geom_type.replace("Multi", "") for g in frame.geometry if g is not None}
    return next(iter(kinds)) if len(kinds) == 1 else "Polygon"


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "str"


@dataclass(frozen=True)
class Outcome:
    """What an import did (or, as a preview, would do) to a layer, counted as a planner reads it."""

    layer: str
    how: str  # "new", "append", "replace", "update"
    added: int = 0
    removed: int = 0
    changed: tuple[tuple[str, int], ...] = ()  # field → features whose value of it changed, in field order
    changed_features: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        """Features the file wrote: added, and (by an update) changed."""
        return self.added + self.changed_features

    def message(self, lang: Lang, spec: LayerSpec | None = None, title: str | None = None) -> str:
        """What happened, in words: "Đã tạo lớp mới … với 11 đối tượng", "… thêm 2, sửa 3 (Tình trạng: 3), xóa 0"."""
        title = spec.title(lang) if spec is not None else title or self.layer
        n = fmt_number(self.added, lang)
        if self.how == "new":
            return t("import.done_new", lang, layer=title, n=n)
        if self.how == "append":
            return t("import.done_append", lang, layer=title, n=n)
        if self.how == "replace":
            return t("import.done_replace", lang, layer=title, n=n, removed=fmt_number(self.removed, lang))
        return t(
            "import.done_update",
            lang,
            layer=title,
            added=n,
            changed=fmt_number(self.changed_features, lang),
            by_field=self.by_field(lang, spec) or "–",
            removed=fmt_number(self.removed, lang),
            same=fmt_number(self.unchanged, lang),
        )

    def by_field(self, lang: Lang, spec: LayerSpec | None = None) -> str:
        """The changed fields with their counts, by their labels: "Tình trạng: 3, Hình dạng: 1"."""
        out = []
        for name, k in self.changed:
            label = t("import.field_geometry", lang) if name == GEOM_KEY else name
            if spec is not None and name != GEOM_KEY:
                try:
                    label = spec.field(name).label(lang)
                except KeyError:
                    label = t("demo.badge", lang) if name == DEMO_COLUMN else name
            out.append(f"{label}: {fmt_number(k, lang)}")
        return ", ".join(out)


def commit(
    store: db.Location,
    report: Report,
    user: str,
    layer: str | None = None,
    new_layer: str | None = None,
    title: str | None = None,
    mode: Mode = "replace",
    title_en: str | None = None,
    delete_missing: bool = False,
    style: str = "outline",
) -> int:
    """Store ``report.frame`` into ``layer`` or as ``new_layer``; returns the features written (see :func:`apply`)."""
    return apply(store, report, user, layer, new_layer, title, mode, title_en, delete_missing, style).written


def apply(
    store: db.Location,
    report: Report,
    user: str,
    layer: str | None = None,
    new_layer: str | None = None,
    title: str | None = None,
    mode: Mode = "replace",
    title_en: str | None = None,
    delete_missing: bool = False,
    style: str = "outline",
    chunk: int = CHUNK_FEATURES,
    progress: Progress | None = None,
) -> Outcome:
    """Store ``report.frame`` into ``layer`` (replace, append or update by its key) or as ``new_layer``.

    ``update`` matches the file's features to the layer's on its key: changed fields are written (one audit
    row each), new keys added, absent keys left alone unless ``delete_missing``. A new layer is a planner's:
    its key is the column they chose (``report.key``), else its features are numbered as they are stored;
    it is not published (off for other users) until :func:`publish`. Every write is one transaction,
    serialised with every other writer of the store; raises :class:`EditError` if the report has errors,
    the user is missing, or keys clash.

    A big file is written ``chunk`` features at a time (into the scratch GeoPackage, then with its change-log
    rows; on PostGIS, each chunk's ``COPY``), ``progress`` told after each: still one transaction, so an
    import interrupted mid-way leaves the store as it was.
    """
    if not user:
        raise EditError("edit.no_user")
    if report.exit_code != 0 or report.frame is None:
        raise EditError("import.not_valid")
    target = new_layer or layer
    if not target:
        raise EditError("error.unknown_layer", layer="")
    if style not in OVERLAY_STYLES:
        raise EditError("import.bad_style", style=style[:20], allowed=", ".join(OVERLAY_STYLES))
    stamp = _now()
    reason = f"import {report.source}"
    frame = report.frame.copy()
    overlay: dict[str, Any] | None = None
    if new_layer:
        if not valid_overlay_id(new_layer):
            raise EditError("import.bad_layer_id", layer=new_layer[:60])
        for text in (title, title_en, *report.labels.values()):
            if text and len(text) > MAX_TITLE:
                raise EditError("import.title_too_long", n=len(text), limit=MAX_TITLE)
        mode = "append"
        labels = dict(report.labels)
        units = dict(report.field_units)
        key = report.key or ""
        if not key:  # numbered as stored, under the store's lock
            frame.insert(0, OVERLAY_KEY, [str(i + 1) for i in range(len(frame))])
        fields = [
            (c, labels.get(c, c), _kind(frame[c]), units.get(c, ""))
            for c in frame.columns
            if c not in ("geometry", OVERLAY_KEY)
        ]
        overlay = {
            "overlay_id": new_layer,
            "title_vi": title or new_layer,
            "title_en": title_en or title or new_layer,
            "geometry": _geometry_kind(frame),
            "fields": json.dumps(fields, ensure_ascii=False),
            "created": stamp,
            "created_by": user,
            "key_field": key,
            "published": 0,
            "style": style,
        }
    with _connect(store) as conn:
        spec = file_catalog(conn).get(target)  # an overlay imported earlier is the store's own layer
        exists = conn.has_table(target)
        if new_layer and exists:
            raise EditError("import.layer_exists", layer=new_layer)
        if not new_layer and (spec is None or not exists):
            raise EditError("error.unknown_layer", layer=target)
        geom_col = "geom"
        absent: list[str] = []
        if exists:
            geom_col = str(conn.geometry_column(target))
            cols = [c for c in conn.columns(target) if c not in ("fid", geom_col)]
            absent = _absent(report, cols)
            for c in cols:
                if c not in frame.columns:  # a planner's file is real data: its rows are not demo
                    frame[c] = 0 if c == DEMO_COLUMN else None
            frame = frame[[*cols, "geometry"]]
        keys = spec.key.split(",") if spec else [report.key or OVERLAY_KEY]
        numbered = keys == [OVERLAY_KEY]  # a planner's layer without a key of its own: the store numbers it
        if numbered and exists:
            frame[OVERLAY_KEY] = [""] * len(frame)  # the numbers are given under the store's lock
        if mode == "update" and numbered:
            raise EditError("import.update_needs_key", layer=target)
        if mode == "update":
            return cast(
                Outcome,
                _retrying(
                    conn,
                    lambda: _update(
                        conn, frame, target, geom_col, keys, delete_missing, user, reason, stamp, report, absent=absent
                    ),
                ),
            )
        how = "new" if overlay is not None else mode
        if conn.kind == "postgis":
            written, removed = _retrying(
                conn,
                lambda: _write_pg(
                    conn, frame, target, geom_col, keys, mode, overlay, report, user, reason, stamp, chunk, progress
                ),
            )
            return Outcome(target, how, added=int(written), removed=int(removed))
    assert isinstance(store, (str, os.PathLike))
    db.sweep_scratch(Path(store))  # an interrupted import's scratch files go at the next write
    with db.scratch_beside(Path(store)) as scratch:
        frame = frame.set_geometry("geometry").rename_geometry(geom_col) if geom_col != "geometry" else frame
        n = len(frame)
        for start in range(0, max(n, 1), chunk):  # the scratch file, a chunk at a time
            part = frame.iloc[start : start + chunk]
            pyogrio.write_dataframe(
                part, scratch, layer=target, driver="GPKG", promote_to_multi=False, append=start > 0
            )
            if progress is not None and n > chunk:
                progress("prepare", start + len(part), n)
        with _connect(store) as conn:
            conn.execute("ATTACH DATABASE ? AS imp", (str(scratch),))
            try:
                written, removed = _retrying(
                    conn,
                    lambda: _write(
                        conn, target, geom_col, keys, mode, overlay, report, user, reason, stamp, chunk, progress
                    ),
                )
            finally:
                conn.execute("DETACH DATABASE imp")
        return Outcome(target, how, added=int(written), removed=int(removed))


def preview(
    store: db.Location, report: Report, layer: str, mode: Mode = "update", delete_missing: bool = False
) -> Outcome:
    """What importing ``report`` into ``layer`` would do, counted, without writing: n added, n changed by
    field, n removed (what the app shows before the planner confirms).
    """
    if report.frame is None:
        return Outcome(layer, mode)
    with _connect(store) as conn:
        spec = file_catalog(conn).get(layer)
        if spec is None or not conn.has_table(layer):
            raise EditError("error.unknown_layer", layer=layer)
        existing = int(conn.execute(f"SELECT COUNT(*) FROM {conn.ident(layer)}").fetchone()[0])
        if mode == "append":
            return Outcome(layer, mode, added=len(report.frame))
        if mode == "replace":
            return Outcome(layer, mode, added=len(report.frame), removed=existing)
        if spec.key == OVERLAY_KEY:
            raise EditError("import.update_needs_key", layer=layer)
        geom = str(conn.geometry_column(layer))
        frame = report.frame.copy()
        cols = [c for c in conn.columns(layer) if c not in ("fid", geom)]
        absent = _absent(report, cols)
        for c in cols:
            if c not in frame.columns:
                frame[c] = 0 if c == DEMO_COLUMN else None
        frame = frame[[*cols, "geometry"]]
        return _update(
            conn, frame, layer, geom, spec.key.split(","), delete_missing, "", "", "", report, dry=True, absent=absent
        )


def publish(store: db.Location, layer: str, user: str, published: bool = True) -> bool:
    """Show a planner's layer to everyone by default (or stop: ``published=False``); audited, and undone by a
    rollback like any change. Returns whether anything changed.
    """
    if not user:
        raise EditError("edit.no_user")
    stamp = _now()
    with _connect(store) as conn:
        if not conn.has_table(OVERLAY_TABLE):
            raise EditError("error.unknown_layer", layer=layer)

        def run() -> bool:
            _ensure_audit(conn, stamp)
            _overlay_columns(conn)
            row = conn.execute(f"SELECT published FROM {OVERLAY_TABLE} WHERE overlay_id = ?", (layer,)).fetchone()
            if row is None:
                raise EditError("error.unknown_layer", layer=layer)
            before = 1 if row[0] is None else int(row[0])
            after = int(published)
            if before == after:
                return False
            conn.execute(f"UPDATE {OVERLAY_TABLE} SET published = ? WHERE overlay_id = ?", (after, layer))
            conn.execute(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, 'published', ?, ?, ?)",
                (
                    stamp,
                    user,
                    OVERLAY_TABLE,
                    layer,
                    json.dumps(before),
                    json.dumps(after),
                    "publish" if after else "unpublish",
                ),
            )
            conn.touch((OVERLAY_TABLE, AUDIT_TABLE), stamp)
            return True

        return bool(_retrying(conn, run))


def _same(old: Any, new: Any) -> bool:
    """Whether a stored value and a file's are the same ('' and NULL are both empty; 3 is 3.0)."""
    empty = (None, "")
    if isinstance(old, float) and math.isnan(old):
        old = None
    if isinstance(new, float) and math.isnan(new):
        new = None
    if old in empty or new in empty:
        return old in empty and new in empty
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=1e-12)
    return str(old) == str(new)


def _key_text(values: Any) -> str:
    return ",".join(value_key(v) for v in values)


def _absent(report: Report, cols: list[str]) -> list[str]:
    """The layer's columns that no column of the file fills (the report's mapping names those that do)."""
    if not report.mapping:
        return []
    filled = set(report.mapping.values())
    return [c for c in cols if c not in filled and c != DEMO_COLUMN]


def _update(
    conn: db.Session,
    frame: gpd.GeoDataFrame,
    layer: str,
    geom: str,
    keys: list[str],
    delete_missing: bool,
    user: str,
    reason: str,
    stamp: str,
    report: Report,
    dry: bool = False,
    absent: list[str] | tuple[str, ...] = (),
) -> Outcome:
    """Within the write (or, ``dry``, only read): match ``frame`` to ``layer`` on ``keys``; write each changed
    field with its audit row (old and new), add the new keys' rows, remove the absent ones if asked. A column
    the file does not have (``absent``: an office sent fewer columns, a Shapefile cut a name) is left as
    stored on matched features, never emptied.
    """
    cols = [c for c in frame.columns if c != "geometry"]
    picked = ", ".join([*(conn.ident(c) for c in cols), conn.geom_out(geom)])
    stored: dict[str, tuple[dict[str, Any], Any]] = {}
    for row in conn.execute(f"SELECT {picked} FROM {conn.ident(layer)} ORDER BY fid"):
        values = dict(zip(cols, row[:-1], strict=True))
        stored[_key_text(values[k] for k in keys)] = (values, row[-1])
    where = " AND ".join(f"{conn.ident(k)} = ?" for k in keys)
    counts: dict[str, int] = {}
    changed_features = added = unchanged = 0
    audit: list[tuple[str, str, str | None, str | None]] = []
    seen: set[str] = set()
    if not dry:
        _ensure_audit(conn, stamp)
    shapes = frame.geometry.values
    for i, rec in enumerate(_natives_rows(frame, cols)):
        new = dict(zip(cols, rec, strict=True))
        k = _key_text(new[c] for c in keys)
        seen.add(k)
        shape = shapes[i]
        blob = db.blob_from_wkb(shapely.to_wkb(shape)) if shape is not None else None
        if k not in stored:
            added += 1
            if not dry:
                marks = ", ".join(["?"] * len(cols))
                conn.execute(
                    f"INSERT INTO {conn.ident(layer)} ({conn.idents([*cols, geom])}) VALUES ({marks}, {conn.geom_in})",
                    [*conn.typed(layer, new), conn.geom_param(blob.hex() if blob else None)],
                )
                whole = {**new, GEOM_KEY: blob.hex() if blob else None}
                audit.append((k, "*", None, json.dumps(whole, ensure_ascii=False, default=str)))
            continue
        old, old_geom = stored[k]
        diff = [c for c in cols if c not in keys and c not in absent and not _same(old[c], new[c])]
        if DEMO_COLUMN in diff and len(diff) == 1:
            diff = []  # a file that confirms a demo row as it stands changes nothing a planner sees
        old_blob = conn.geom_blob(old_geom)
        moved = _moved(old_blob, shape)
        if not diff and not moved:
            unchanged += 1
            continue
        changed_features += 1
        for c in diff:
            counts[c] = counts.get(c, 0) + 1
        if moved:
            counts[GEOM_KEY] = counts.get(GEOM_KEY, 0) + 1
        if dry:
            continue
        params = [old[c] for c in keys]
        for c in diff:
            conn.execute(
                f"UPDATE {conn.ident(layer)} SET {conn.ident(c)} = ? WHERE {where}",
                [*conn.typed(layer, {c: new[c]}), *params],
            )
            audit.append(
                (
                    k,
                    c,
                    json.dumps(old[c], ensure_ascii=False, default=str),
                    json.dumps(new[c], ensure_ascii=False, default=str),
                )
            )
        if moved:
            conn.execute(
                f"UPDATE {conn.ident(layer)} SET {conn.ident(geom)} = {conn.geom_in} WHERE {where}",
                [conn.geom_param(blob.hex() if blob else None), *params],
            )
            audit.append(  # as WKT, as a moved point's is: what "what changed" shows and a rollback restores
                (
                    k,
                    geom,
                    json.dumps(shapely.from_wkb(db.wkb_of_blob(old_blob)).wkt if old_blob else None),
                    json.dumps(shape.wkt if shape is not None else None),
                )
            )
    removed = 0
    for k, (old, old_geom) in stored.items():
        if k in seen or not delete_missing:
            continue
        removed += 1
        if dry:
            continue
        ob = conn.geom_blob(old_geom)
        conn.execute(f"DELETE FROM {conn.ident(layer)} WHERE {where}", [old[c] for c in keys])
        audit.append(
            (k, "*", json.dumps({**old, GEOM_KEY: ob.hex() if ob else None}, ensure_ascii=False, default=str), None)
        )
    order = [c for c in [*cols, GEOM_KEY] if c in counts]
    outcome = Outcome(
        layer,
        "update",
        added=added,
        removed=removed,
        changed=tuple((c, counts[c]) for c in order),
        changed_features=changed_features,
        unchanged=unchanged,
    )
    if dry:
        return outcome
    conn.executemany(
        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(stamp, user, layer, k, f, old, new, reason) for k, f, old, new in audit],
    )
    if conn.kind == "gpkg":
        _gpkg_contents(conn, layer, geom, stamp)
    conn.touch((layer, AUDIT_TABLE), stamp)
    _remember(conn, layer, [*cols, geom], None, report, user, stamp)
    return outcome


def _moved(old_blob: bytes | None, shape: Any) -> bool:
    """Whether a feature's geometry differs from the stored one (beyond a micrometre's rounding)."""
    wkb = db.wkb_of_blob(old_blob)
    if wkb is None or shape is None:
        return (wkb is None) != (shape is None)
    old = shapely.from_wkb(wkb)
    return not (shapely.equals_exact(old, shape, 1e-9) or old.equals(shape))


def _natives_rows(frame: gpd.GeoDataFrame, cols: list[str]) -> list[tuple[Any, ...]]:
    values = [_natives(frame[c]) for c in cols]
    return list(zip(*values, strict=True)) if cols else [() for _ in range(len(frame))]


def _gpkg_contents(conn: db.Session, layer: str, geom: str, stamp: str) -> None:
    """A GeoPackage layer's extent, change date and feature count, from what it now holds."""
    g, table = conn.ident(geom), f"main.{conn.ident(layer)}"
    ext = conn.execute(
        f"SELECT MIN(ST_MinX({g})), MIN(ST_MinY({g})), MAX(ST_MaxX({g})), MAX(ST_MaxY({g})) FROM {table}"
    ).fetchone()
    conn.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = ? WHERE table_name = ?",
        (*ext, stamp[:23] + "Z", layer),
    )
    if _has_table(conn, "gpkg_ogr_contents"):
        conn.execute(
            f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM {table}) WHERE table_name = ?",
            (layer,),
        )


def _next_numbers(conn: db.Session, layer: str, n: int) -> list[str]:
    """Within the write: the numbers the next ``n`` features of a numbered planner's layer take."""
    top = 0
    for (v,) in conn.execute(f"SELECT {conn.ident(OVERLAY_KEY)} FROM {conn.ident(layer)}"):
        with contextlib.suppress(TypeError, ValueError):
            top = max(top, int(str(v)))
    return [str(top + i + 1) for i in range(n)]


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
    chunk: int = CHUNK_FEATURES,
    progress: Progress | None = None,
) -> tuple[int, int]:
    _ensure_audit(conn, stamp)
    if overlay is not None:
        _create_like(conn, layer)
    cols = [c for c in _columns(conn, layer, "imp") if c != "fid"]
    q = ", ".join(conn.ident(c) for c in cols)
    if keys == [OVERLAY_KEY]:  # numbered after the features the layer holds, now that this writer holds it
        fids = [int(r[0]) for r in conn.execute(f"SELECT fid FROM imp.{conn.ident(layer)} ORDER BY fid")]
        numbers = _next_numbers(conn, layer, len(fids)) if overlay is None else [str(i + 1) for i in range(len(fids))]
        conn.executemany(
            f"UPDATE imp.{conn.ident(layer)} SET {conn.ident(OVERLAY_KEY)} = ? WHERE fid = ?",
            list(zip(numbers, fids, strict=True)),
        )
    keysql = " || ',' || ".join(f"CAST({conn.ident(k)} AS TEXT)" for k in keys)
    if mode == "append" and overlay is None:
        clash = conn.execute(
            f"SELECT {keysql} FROM main.{conn.ident(layer)} WHERE {keysql} IN "
            f"(SELECT {keysql} FROM imp.{conn.ident(layer)})"
        ).fetchall()
        if clash:
            raise EditError("import.key_exists", n=len(clash), key=str(clash[0][0])[:60])
    logged = (
        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
        "VALUES (?, ?, ?, ?, '*', ?, ?, ?)"
    )
    removed = 0
    if mode == "replace" and overlay is None:
        removed = _removed(
            conn,
            layer,
            geom,
            keysql,
            lambda rows: conn.executemany(logged, [(stamp, user, layer, k, old, new, reason) for k, old, new in rows]),
            chunk,
        )
    conn.execute(f"INSERT INTO main.{conn.ident(layer)} ({q}) SELECT {q} FROM imp.{conn.ident(layer)}")
    total = int(conn.execute(f"SELECT COUNT(*) FROM imp.{conn.ident(layer)}").fetchone()[0])
    last, done = -1, 0
    while True:  # the added rows' change-log records, a chunk at a time (a province's cadastre is gigabytes)
        rows = conn.execute(
            f"SELECT fid, {keysql}, {q} FROM imp.{conn.ident(layer)} WHERE fid > ? ORDER BY fid LIMIT ?", (last, chunk)
        ).fetchall()
        if not rows:
            break
        added = []
        for row in rows:
            new = dict(zip(cols, row[2:], strict=True))
            blob = new.pop(geom)
            new[GEOM_KEY] = bytes(blob).hex() if blob is not None else None
            added.append((stamp, user, layer, str(row[1]), None, json.dumps(new, ensure_ascii=False), reason))
        conn.executemany(logged, added)
        last, done = int(rows[-1][0]), done + len(rows)
        if progress is not None and total > chunk:
            progress("write", done, total)
    _gpkg_contents(conn, layer, geom, stamp)
    _remember(conn, layer, cols, overlay, report, user, stamp)
    return total, removed


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
        _overlay_columns(conn)
        n = conn.execute(f"SELECT COUNT(*) FROM {OVERLAY_TABLE}").fetchone()[0]
        overlay = {**overlay, "color": OVERLAY_COLORS[int(n) % len(OVERLAY_COLORS)]}
        conn.execute(
            f"INSERT INTO {OVERLAY_TABLE} ({', '.join(overlay)}) VALUES ({', '.join('?' for _ in overlay)})",
            list(overlay.values()),
        )
        conn.touch((OVERLAY_TABLE,), stamp)  # every page lists the overlays: a new one reruns them
    if conn.has_table("layer_meta"):  # the layer's source is the file now; demo while demo rows remain
        demo = DEMO_COLUMN in cols and bool(
            conn.execute(f"SELECT 1 FROM {conn.ident(layer)} WHERE {conn.ident(DEMO_COLUMN)} != 0 LIMIT 1").fetchone()
        )
        conn.execute("DELETE FROM layer_meta WHERE layer_id = ?", (layer,))
        conn.execute(
            "INSERT INTO layer_meta (layer_id, source, as_of, demo, licence) VALUES (?, ?, ?, ?, ?)",
            (layer, f"{report.source} ({user})", dt.date.today().isoformat(), demo, ""),
        )


def _overlay_columns(conn: db.Session) -> None:
    """Within a write: the columns of the overlays table a store made before planners chose keys, labels
    and publication gains (its layers read as numbered, published and outlined: see :func:`overlay_specs`).
    """
    have = set(conn.columns(OVERLAY_TABLE))
    for name, ddl in (("key_field", "TEXT"), ("published", "INTEGER"), ("style", "TEXT")):
        if name not in have:
            conn.execute(f"ALTER TABLE {OVERLAY_TABLE} ADD COLUMN {conn.ident(name)} {ddl}")


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
    chunk: int = CHUNK_FEATURES,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """The PostGIS import: a ``COPY`` of the rows and one of their change-log rows per chunk of ``chunk``
    features, in the caller's transaction.
    """
    _ensure_audit(conn, stamp)
    cols = [c for c in frame.columns if c != frame.geometry.name]
    if overlay is not None:
        kinds = {c: _PG_KINDS.get(_kind(frame[c]), "text") for c in cols}
        body = ", ".join(
            [
                conn.pk,
                *(f"{conn.ident(c)} {kinds[c]}" for c in cols),
                f"{conn.ident(geom)} geometry(Geometry, {db.SRID})",
            ]
        )
        conn.execute(f"CREATE TABLE {conn.ident(layer)} ({body})")
        index = conn.ident(f"{layer}_{geom}_idx")
        conn.execute(f"CREATE INDEX {index} ON {conn.ident(layer)} USING GIST ({conn.ident(geom)})")
        conn.execute(
            f"INSERT INTO {db.CONTENTS} (table_name, data_type, identifier, geometry_type, geometry_column, ord, "
            f"last_change) SELECT ?, 'features', ?, ?, ?, COALESCE(MAX(ord), 0) + 1, ? FROM {db.CONTENTS}",
            (layer, overlay["title_vi"], _declared_geometry(frame), geom, stamp),
        )

    # Each value as its column's type takes it: a number a sheet read as 3.0 goes into a bigint column as 3
    # (COPY takes text, and "3.0" is no bigint: such a file's rows were refused whole).
    def typed(part: gpd.GeoDataFrame, names: list[str]) -> list[tuple[Any, ...]]:
        return [tuple(conn.typed(layer, dict(zip(names, r, strict=True)))) for r in _natives_rows(part, names)]

    numbers: list[str] | None = None
    if keys == [OVERLAY_KEY]:  # numbered after the features the layer holds, now that this writer holds it
        numbers = _next_numbers(conn, layer, len(frame)) if overlay is None else [str(i + 1) for i in range(len(frame))]
        new_keys = list(numbers)
    else:
        new_keys = [",".join(str(v) for v in r) for r in typed(frame, keys)]
    keysql = " || ',' || ".join(f"CAST({conn.ident(k)} AS TEXT)" for k in keys)
    if mode == "append" and overlay is None:
        clash = conn.execute(
            f"SELECT {keysql} FROM {conn.ident(layer)} WHERE {keysql} = ANY(?)", (new_keys,)
        ).fetchall()
        if clash:
            raise EditError("import.key_exists", n=len(clash), key=str(clash[0][0])[:60])
    pg = getattr(conn, "conn")  # noqa: B009 - COPY is psycopg's own API
    audit_cols = conn.idents(["ts", "user", "layer", "feature", "field", "old", "new", "reason"])

    def log(audit: list[tuple[str, str | None, str | None]]) -> None:
        with pg.cursor() as cur, cur.copy(f"COPY {AUDIT_TABLE} ({audit_cols}) FROM STDIN") as copy:
            for k, before, after in audit:
                copy.write_row((stamp, user, layer, k, "*", before, after, reason))

    removed = 0
    if mode == "replace" and overlay is None:
        removed = _removed(conn, layer, geom, keysql, log, chunk)
    n = len(frame)
    for start in range(0, n, chunk):  # a chunk at a time: a province's cadastre is gigabytes as Python rows
        part = frame.iloc[start : start + chunk]
        rows = typed(part, cols)
        if numbers is not None:
            at = cols.index(OVERLAY_KEY)
            rows = [(*r[:at], k, *r[at + 1 :]) for r, k in zip(rows, numbers[start : start + chunk], strict=True)]
        shapes = part.geometry.to_crs(db.SRID).values
        wkb = shapely.to_wkb(shapes, byte_order=1)
        hexes = shapely.to_wkb(shapely.set_srid(shapes, db.SRID), hex=True, include_srid=True)
        with (
            pg.cursor() as cur,
            cur.copy(f"COPY {conn.ident(layer)} ({conn.idents([*cols, geom])}) FROM STDIN") as copy,
        ):
            for row, shape in zip(rows, hexes, strict=True):
                copy.write_row((*row, shape))
        with pg.cursor() as cur, cur.copy(f"COPY {AUDIT_TABLE} ({audit_cols}) FROM STDIN") as copy:
            for k, row, shape in zip(new_keys[start : start + chunk], rows, wkb, strict=True):
                added: dict[str, Any] = dict(zip(cols, row, strict=True))
                blob = db.blob_from_wkb(shape)
                added[GEOM_KEY] = blob.hex() if blob is not None else None
                copy.write_row(
                    (stamp, user, layer, k, "*", None, json.dumps(added, ensure_ascii=False, default=str), reason)
                )
        if progress is not None and n > chunk:
            progress("write", start + len(part), n)
    conn.touch((layer, AUDIT_TABLE), stamp)
    _remember(conn, layer, cols, overlay, report, user, stamp)
    return len(frame), removed


def _removed(
    conn: db.Session,
    layer: str,
    geom: str,
    keysql: str,
    log: Callable[[list[tuple[str, str | None, str | None]]], object],
    chunk: int = CHUNK_FEATURES,
) -> int:
    """Within a replacing import, on either store: every row of ``layer`` removed, each handed to ``log`` as
    its change-log record (key, the whole old row with its geometry as a GeoPackage blob's hex, nothing new),
    ``chunk`` rows at a time (a province's cadastre replaced is gigabytes of records). Returns how many.
    """
    stored = [c for c in conn.columns(layer) if c not in ("fid", geom)]
    picked = ", ".join([*(conn.ident(c) for c in stored), conn.geom_out(geom)])
    last, n = -1, 0
    while True:
        rows = conn.execute(
            f"SELECT fid, {keysql}, {picked} FROM {conn.ident(layer)} WHERE fid > ? ORDER BY fid LIMIT ?", (last, chunk)
        ).fetchall()  # main's, not imp's
        if not rows:
            break
        out: list[tuple[str, str | None, str | None]] = []
        for row in rows:
            old = dict(zip(stored, row[2:-1], strict=True))
            blob = conn.geom_blob(row[-1])
            old[GEOM_KEY] = blob.hex() if blob is not None else None
            out.append((str(row[1]), json.dumps(old, ensure_ascii=False), None))
        log(out)
        last, n = int(rows[-1][0]), n + len(rows)
    conn.execute(f"DELETE FROM {conn.ident(layer)}")
    return n


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
            cols = ", ".join(conn.ident(c) for c in _columns(conn, table, "imp"))
            conn.execute(
                f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM imp.{table} WHERE table_name = ?", (layer,)
            )
