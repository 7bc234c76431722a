"""The field round trip: a commune's package for QField/QGIS out, a three-way merge back in.

* :func:`pack` writes one zip that QField opens as it is: a GeoPackage of the chosen features (with their
  keys, a photo field and an edit-time field on every editable layer) and read-only context layers, a QGIS
  project styled from the catalog, a ``DCIM/`` folder for photos, a short README in Vietnamese, and a hidden
  record of the base (every packed feature's values and geometry, the store's identity and version) in two
  tables the GeoPackage does not list.
* :func:`merge` compares, for every packed feature, field and geometry, the base with what the team returned
  and with what the store holds now. A change made only in the field is applied through the audited edit path
  (:mod:`geo.store.edit`) as the field user, at the moment the package recorded for it; a change on both sides to
  different values is held as a conflict (:func:`conflicts`, :func:`resolve`); features added in the field
  are added, those deleted there are deleted unless the office changed them. One transaction: a refused
  package (not a package, a truncated zip, another store's, a schema that cannot be mapped) changes nothing.
* Returned photos are kept in the store (:func:`photos`): a GeoPackage's or the PostGIS database's table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import sqlite3
import tempfile
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.field.qgis import (
    EDITED_FIELD,
    PHOTO_FIELD,
    ProjectLayer,
    catalog_columns,
    layer_qml,
    project_qgz,
    write_gpkg_styles,
)
from geo.model.catalog import CATALOG, DEMO_COLUMN, LayerSpec
from geo.model.i18n import UserError, fmt_datetime
from geo.read import history
from geo.store import changelog, db, edit
from geo.store.reads import Store

STATE_TABLE = "field_state"  # the store's identity (made at its first package)
MERGES_TABLE = "field_merges"  # every package merged: its id, content digest, who, when, what it did
CONFLICTS_TABLE = "field_conflicts"  # changes held for a planner's decision
PHOTOS_TABLE = "field_photos"  # photos returned from the field, with the feature they show
PACKAGE_TABLE = "dinhlap_package"  # in a package's GeoPackage, not listed: the package's identity
BASE_TABLE = "dinhlap_base"  # in a package's GeoPackage, not listed: every packed feature as it was
PACKAGE_NAME = "dinhlap_thucdia"
CONTEXT_LAYERS = ("units", "communes_2025", "ql4b_segments", "rural_roads")
GEOM = "geom"
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_PHOTO = 20 * 1024 * 1024

_STATE_DDL = f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} ({{pk}}, name TEXT NOT NULL UNIQUE, value TEXT NOT NULL)"
_MERGES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {MERGES_TABLE} ({{pk}}, package TEXT NOT NULL, digest TEXT NOT NULL, "
    'ts TEXT NOT NULL, "user" TEXT NOT NULL, applied INTEGER, added INTEGER, deleted INTEGER, conflicts INTEGER)'
)
_CONFLICTS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CONFLICTS_TABLE} ({{pk}}, package TEXT NOT NULL, layer TEXT NOT NULL, "
    "feature TEXT NOT NULL, attribute TEXT NOT NULL, base TEXT, office TEXT, incoming TEXT, "
    "by_user TEXT NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL, decided_by TEXT, decided_at TEXT)"
)
_PHOTOS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PHOTOS_TABLE} ({{pk}}, layer TEXT NOT NULL, feature TEXT NOT NULL, "
    "name TEXT NOT NULL, mime TEXT NOT NULL, sha256 TEXT NOT NULL, data {blob} NOT NULL, "
    "by_user TEXT NOT NULL, at TEXT NOT NULL, package TEXT NOT NULL)"
)


class FieldError(UserError):
    """A package that cannot be made or merged; nothing was written. The message is for a user."""


def packable(catalog: Mapping[str, LayerSpec] = CATALOG) -> list[str]:
    """The layers a field team can take: spatial layers with fields the app lets a planner edit."""
    return [lid for lid, s in catalog.items() if s.is_spatial and s.editable and lid in CATALOG]


def _now() -> str:
    return history.stamp(dt.datetime.now(dt.UTC))


def _ensure_tables(conn: db.Session, stamp: str) -> None:
    blob = "bytea" if conn.kind == "postgis" else "BLOB"
    for name, ddl in (
        (STATE_TABLE, _STATE_DDL),
        (MERGES_TABLE, _MERGES_DDL),
        (CONFLICTS_TABLE, _CONFLICTS_DDL),
        (PHOTOS_TABLE, _PHOTOS_DDL.replace("{blob}", blob)),
    ):
        if not conn.has_table(name):
            conn.attributes_table(name, ddl, stamp)


def _store_id(conn: db.Session) -> str | None:
    if not conn.has_table(STATE_TABLE):
        return None
    row = conn.execute(f"SELECT value FROM {STATE_TABLE} WHERE name = 'store_id'").fetchone()
    return str(row[0]) if row else None


def store_identity(location: db.Location) -> str:
    """The store's identity, written at its first package (a package names the store it came from)."""
    with db.connect(location) as conn:
        found = _store_id(conn)
        if found:
            return found

        def run() -> str:
            _ensure_tables(conn, _now())
            again = _store_id(conn)
            if again:
                return again
            new = uuid.uuid4().hex
            conn.execute(f"INSERT INTO {STATE_TABLE} (name, value) VALUES ('store_id', ?)", (new,))
            return new

        return str(conn.write(run))


# -- packing -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackResult:
    """What a package holds: its id, features per layer, context layers."""

    package: str
    features: dict[str, int]
    context: tuple[str, ...]
    size: int


def _stored_columns(spec: LayerSpec, frame: pd.DataFrame) -> list[str]:
    cols = [f.name for f in spec.fields if not f.derived and f.name in frame.columns]
    return [*cols, *([DEMO_COLUMN] if DEMO_COLUMN in frame.columns else [])]


def _select(
    frame: gpd.GeoDataFrame,
    spec: LayerSpec,
    where: Mapping[str, str],
    unit: str | None,
    bbox: tuple[float, float, float, float] | None,
) -> gpd.GeoDataFrame:
    out = frame
    for name, value in where.items():
        if name not in out.columns:
            raise FieldError("field.bad_where", field=name, layer=spec.id)
        out = out[out[name].astype(str) == str(value)]
    if unit:
        cols = [c for c in ("unit_code", "commune_2025") if c in out.columns]
        if not cols:
            raise FieldError("field.bad_where", field="unit_code", layer=spec.id)
        mask = pd.Series(False, index=out.index)
        for c in cols:
            mask |= out[c].astype(str) == unit
        out = out[mask]
    if bbox:
        w, s, e, n = bbox
        out = out[out.intersects(shapely.box(w, s, e, n))]
    return out


def _json_value(v: Any) -> Any:
    if v is None or (not isinstance(v, (str, bytes, list, dict)) and bool(pd.isna(v))):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        return str(v)[:10]
    return v


def pack(
    location: db.Location,
    out: Path,
    layers: Sequence[str],
    where: Mapping[str, str] | None = None,
    unit: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    title: str = "",
) -> PackResult:
    """Write a field package of ``layers`` (features matching ``where``/``unit``/``bbox``) to ``out``."""
    allowed = packable()
    if not layers:
        raise FieldError("field.no_layers", allowed=", ".join(allowed))
    for lid in layers:
        if lid not in allowed:
            raise FieldError("field.bad_layer", layer=lid, allowed=", ".join(allowed))
    store = Store(location)
    store_id = store_identity(location)
    version = store.version
    package_id = uuid.uuid4().hex
    created = _now()
    counts: dict[str, int] = {}
    frames: dict[str, gpd.GeoDataFrame] = {}
    for lid in layers:
        if not store.has(lid):
            raise FieldError("field.bad_layer", layer=lid, allowed=", ".join(allowed))
        frame = _select(store.read(lid), CATALOG[lid], where or {}, unit, bbox)
        frames[lid] = frame
        counts[lid] = len(frame)
    if not any(counts.values()):
        raise FieldError("field.nothing")
    shown = pd.concat([f.geometry for f in frames.values() if len(f)])
    w, s, e, n = shown.total_bounds
    pad = max(e - w, n - s) * 0.1 + 0.002
    extent = (w - pad, s - pad, e + pad, n + pad)
    gpkg_name, qgz_name = f"{PACKAGE_NAME}.gpkg", f"{PACKAGE_NAME}.qgz"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / gpkg_name
        base_rows: list[tuple[str, int, str, str, str]] = []
        project: list[ProjectLayer] = []
        styles: list[tuple[str, str, str]] = []
        for lid, frame in frames.items():
            spec = CATALOG[lid]
            cols = _stored_columns(spec, frame)
            packed = gpd.GeoDataFrame(frame[cols].copy(), geometry=frame.geometry.values, crs="EPSG:4326")
            packed[PHOTO_FIELD] = ""
            packed[EDITED_FIELD] = ""
            packed = packed.reset_index(drop=True)
            pyogrio.write_dataframe(
                packed,
                path,
                layer=lid,
                driver="GPKG",
                promote_to_multi=False,
                layer_options={"GEOMETRY_NAME": GEOM, "IDENTIFIER": spec.vi, "FID": "fid"},
            )
            key = spec.key
            wkb = shapely.to_wkb(packed.geometry.values, hex=True)
            records = packed[cols].to_dict("records")
            for i, rec in enumerate(records):
                vals = {c: _json_value(v) for c, v in rec.items()}
                base_rows.append((lid, i + 1, str(vals[key]), json.dumps(vals, ensure_ascii=False), str(wkb[i])))
            qml = layer_qml(spec, catalog_columns(spec, "vi", field_package=True), "vi")
            styles.append((lid, GEOM, qml))
            project.append(ProjectLayer(lid, spec.vi, str(spec.geometry), qml, False))
        context = []
        for lid in CONTEXT_LAYERS:
            if lid in frames or not store.has(lid):
                continue
            spec = CATALOG[lid]
            frame = store.read(lid)
            frame = frame[frame.intersects(shapely.box(*extent))]
            if frame.empty:
                continue
            cols = _stored_columns(spec, frame)
            ctx = gpd.GeoDataFrame(frame[cols].copy(), geometry=frame.geometry.values, crs="EPSG:4326")
            pyogrio.write_dataframe(
                ctx.reset_index(drop=True),
                path,
                layer=lid,
                driver="GPKG",
                promote_to_multi=False,
                layer_options={"GEOMETRY_NAME": GEOM, "IDENTIFIER": spec.vi, "FID": "fid"},
            )
            qml = layer_qml(spec, catalog_columns(spec, "vi"), "vi", read_only=True)
            styles.append((lid, GEOM, qml))
            project.append(ProjectLayer(lid, spec.vi, str(spec.geometry), qml, True))
            context.append(lid)
        meta = {
            "package": package_id,
            "store_id": store_id,
            "store_version": version,
            "store": db.label(location),
            "created": created,
            "layers": json.dumps(list(frames), ensure_ascii=False),
            "where": json.dumps(dict(where or {}), ensure_ascii=False),
            "unit": unit or "",
            "bbox": json.dumps(list(bbox) if bbox else None),
        }
        with sqlite3.connect(path) as con:
            con.execute(f"CREATE TABLE {PACKAGE_TABLE} (name TEXT PRIMARY KEY, value TEXT)")
            con.executemany(f"INSERT INTO {PACKAGE_TABLE} VALUES (?, ?)", list(meta.items()))
            con.execute(
                f"CREATE TABLE {BASE_TABLE} (layer TEXT, fid INTEGER, feature TEXT, vals TEXT, geom TEXT, "
                "PRIMARY KEY (layer, fid))"
            )
            con.executemany(f"INSERT INTO {BASE_TABLE} VALUES (?, ?, ?, ?, ?)", base_rows)
            write_gpkg_styles(con, styles, created[:23] + "Z")
        heading = title or "Gói công tác thực địa"
        qgz = project_qgz(gpkg_name, project, heading, extent, f"{PACKAGE_NAME}.qgs")
        readme = _readme(frames, context, created, db.label(location), package_id)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            made = dt.datetime.fromisoformat(created).astimezone(history.VIETNAM).timetuple()[:6]
            for name, body in ((qgz_name, qgz), (gpkg_name, path.read_bytes()), ("DOC_TRUOC.txt", readme.encode())):
                info = zipfile.ZipInfo(name, date_time=made)
                info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
                zf.writestr(info, body)  # readable by whoever unpacks it (a phone's app, a colleague)
            folder = zipfile.ZipInfo("DCIM/", date_time=made)
            folder.external_attr = (0o40755 << 16) | 0x10
            zf.writestr(folder, b"")
        payload = buf.getvalue()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(f".{out.name}.part")
    tmp_out.write_bytes(payload)
    tmp_out.replace(out)
    return PackResult(package_id, counts, tuple(context), len(payload))


def _readme(frames: Mapping[str, pd.DataFrame], context: Sequence[str], created: str, store: str, pid: str) -> str:
    when = dt.datetime.fromisoformat(created).astimezone(history.VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
    lines = [
        "GÓI CÔNG TÁC THỰC ĐỊA — Bản đồ điều hành Đình Lập",
        "",
        f"Lập lúc {when} từ kho {store}. Mã gói: {pid}.",
        "",
        "Gói gồm:",
        *(f"  - {CATALOG[lid].vi}: {len(f)} đối tượng (được sửa)" for lid, f in frames.items()),
        *(f"  - {CATALOG[lid].vi} (chỉ xem)" for lid in context),
        "",
        "Cách dùng:",
        "  1. Chép cả thư mục (hoặc tệp zip) này vào điện thoại, mở tệp dinhlap_thucdia.qgz bằng QField",
        "     (hoặc bằng QGIS trên máy tính).",
        "  2. Chỉ sửa các trường được phép (tình trạng, số liệu…); mã đối tượng và các lớp nền không sửa được.",
        "     Có thể dời điểm, sửa ranh, thêm đối tượng mới hoặc xóa đối tượng.",
        "  3. Chụp ảnh hiện trường ở trường 'Ảnh chụp thực địa': ảnh được lưu trong thư mục DCIM bên cạnh.",
        "  4. Khi về, nén lại cả thư mục (giữ nguyên tên tệp) và gửi cho bộ phận quản lý dữ liệu.",
        "     Không đổi tên, không xóa tệp dinhlap_thucdia.gpkg: trong đó có bản ghi gốc để đối chiếu.",
        "",
        "Khi nhập lại, những gì chỉ đội thực địa sửa được cập nhật và ghi nhật ký theo tên đội;",
        "chỗ văn phòng cũng đã sửa khác đi được giữ lại để lãnh đạo quyết định, không giá trị nào bị mất.",
        "",
    ]
    return "\n".join(lines)


# -- reading a returned package --------------------------------------------------------------------------------------
@dataclass
class Returned:
    """A returned package, read: its identity, base, what the team holds now, and its photos."""

    meta: dict[str, str]
    base: dict[str, dict[int, tuple[str, dict[str, Any], str]]]  # layer → fid → (key, values, geometry hex)
    rows: dict[str, dict[int, tuple[dict[str, Any], bytes | None]]]  # layer → fid → (values, GeoPackage blob)
    files: dict[str, bytes]  # DCIM/… → bytes
    digest: str


def _open_package(data: bytes) -> Returned:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
        bad = zf.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise FieldError("field.not_zip") from None
    if bad is not None:
        raise FieldError("field.truncated", name=bad[:120])
    gpkgs = [n for n in names if n.lower().endswith(".gpkg") and not n.startswith("__MACOSX")]
    if len(gpkgs) != 1:
        raise FieldError("field.not_package")
    prefix = gpkgs[0][: -len(gpkgs[0].rsplit("/", 1)[-1])]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.gpkg"
        try:
            path.write_bytes(zf.read(gpkgs[0]))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
            raise FieldError("field.truncated", name=gpkgs[0][:120]) from None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            meta = dict(con.execute(f"SELECT name, value FROM {PACKAGE_TABLE}").fetchall())
            base: dict[str, dict[int, tuple[str, dict[str, Any], str]]] = {}
            for layer, fid, feature, vals, geom in con.execute(
                f"SELECT layer, fid, feature, vals, geom FROM {BASE_TABLE}"
            ):
                base.setdefault(str(layer), {})[int(fid)] = (str(feature), json.loads(vals), str(geom))
            rows: dict[str, dict[int, tuple[dict[str, Any], bytes | None]]] = {}
            for lid in json.loads(meta.get("layers", "[]")):
                spec = CATALOG.get(lid)
                if spec is None:
                    raise FieldError("field.schema", layer=str(lid)[:40], missing="?")
                have = [str(r[1]) for r in con.execute(f"PRAGMA table_info({db.quote_ident(lid)})")]
                need = [spec.key, GEOM, "fid", *spec.editable]
                missing = [c for c in need if c not in have]
                if missing:
                    raise FieldError("field.schema", layer=spec.vi, missing=", ".join(missing))
                cols = [c for c in have if c not in ("fid", GEOM)]
                sel = ", ".join(db.quote_ident(c) for c in ["fid", *cols, GEOM])
                rows[lid] = {
                    int(r[0]): (dict(zip(cols, r[1:-1], strict=True)), None if r[-1] is None else bytes(r[-1]))
                    for r in con.execute(f"SELECT {sel} FROM {db.quote_ident(lid)}")
                }
            con.close()
        except sqlite3.DatabaseError:
            raise FieldError("field.not_package") from None
    if "package" not in meta or "store_id" not in meta:
        raise FieldError("field.not_package")
    files = {}
    for n in names:
        rel = n[len(prefix) :] if n.startswith(prefix) else n
        if rel.startswith("DCIM/") and not n.endswith("/"):
            info = zf.getinfo(n)
            if info.file_size <= MAX_PHOTO:
                files[rel] = zf.read(n)
    return Returned(meta, base, rows, files, digest)


# -- comparing -------------------------------------------------------------------------------------------------------
def _norm(spec: LayerSpec, name: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.strip() == "":
        return None
    try:
        kind = spec.field(name).kind
    except KeyError:
        kind = "str"
    try:
        if kind == "bool":
            return int(bool(value)) if not isinstance(value, str) else int(value.lower() in ("1", "true", "có"))
        if kind == "int":
            return int(float(value))
        if kind == "float":
            return round(float(value), 9)
        if kind == "date":
            return str(value)[:10]
    except (TypeError, ValueError):
        return str(value)
    return str(value)


def _shape(value: Any) -> Any:
    """A geometry from WKT, the hex of WKB, a GeoPackage blob or the hex of one."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        blob = bytes(value)
        return shapely.from_wkb(db.wkb_of_blob(blob) if blob[:2] == b"GP" else blob)
    text = str(value)
    if text[:4].lower() == "4750":
        return shapely.from_wkb(db.wkb_of_blob(bytes.fromhex(text)))
    if all(c in "0123456789abcdefABCDEF" for c in text[:16]):
        return shapely.from_wkb(bytes.fromhex(text))
    return shapely.from_wkt(text)


def _same_shape(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.equals_exact(a, b, 1e-9))


@dataclass
class MergeResult:
    """What a merge did: single field changes applied, features added and deleted, single changes held."""

    applied: int = 0
    added: int = 0
    deleted: int = 0
    conflicts: int = 0
    photos: int = 0
    already: bool = False
    package: str = ""

    def counts(self) -> dict[str, int]:
        """The four figures ``--json`` prints."""
        return {"applied": self.applied, "added": self.added, "deleted": self.deleted, "conflicts": self.conflicts}


def _edited_at(value: Any, low: str, high: str) -> str:
    """The audit time of a field change: the moment the package recorded (Vietnam time on the device), kept
    between the package's making and the merge; the merge's time when it recorded none.
    """
    if value:
        try:
            when = history.stamp(history.moment(str(value)))
        except ValueError:
            return high
        return min(max(when, low), high)
    return high


def _photo_mime(data: bytes) -> str | None:
    for magic, mime in PHOTO_TYPES.items():
        if data.startswith(magic):
            return mime
    return None


def merge(location: db.Location, package: Path | bytes, user: str, now: str | None = None) -> MergeResult:
    """Merge a returned field package into the store (see the module's description); one transaction."""
    if not user or not user.strip():
        raise FieldError("field.no_user")
    user = user.strip()[:80]
    data = package if isinstance(package, bytes) else Path(package).read_bytes()
    ret = _open_package(data)
    pid = ret.meta["package"]
    low = ret.meta.get("created", "")
    merged_at = now or _now()
    reason = f"Gói thực địa {pid[:8]} / field package"
    at_feature = ["", ""]  # the layer and feature being merged, for a message

    def run(conn: db.Session) -> MergeResult:
        if _store_id(conn) != ret.meta["store_id"]:
            raise FieldError("field.other_store", store=ret.meta.get("store", "?")[:80])
        _ensure_tables(conn, merged_at)
        if conn.execute(f"SELECT 1 FROM {MERGES_TABLE} WHERE package = ? AND digest = ?", (pid, ret.digest)).fetchone():
            return MergeResult(already=True, package=pid)
        held = {
            (str(a), str(b), str(c))
            for a, b, c in conn.execute(
                f"SELECT layer, feature, attribute FROM {CONFLICTS_TABLE} WHERE package = ?", (pid,)
            ).fetchall()
        }
        res = MergeResult(package=pid)

        def hold(spec: LayerSpec, key: str, attr: str, base: Any, office: Any, incoming: Any, at: str) -> None:
            if (spec.id, key, attr) in held:
                return
            held.add((spec.id, key, attr))
            conn.execute(
                f"INSERT INTO {CONFLICTS_TABLE} (package, layer, feature, attribute, base, office, incoming, by_user, "
                "at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'held')",
                (
                    pid,
                    spec.id,
                    key,
                    attr,
                    *(json.dumps(v, ensure_ascii=False) for v in (base, office, incoming)),
                    user,
                    at,
                ),
            )
            res.conflicts += 1

        def keep_photo(spec: LayerSpec, key: str, values: Mapping[str, Any], at: str) -> None:
            path = str(values.get(PHOTO_FIELD) or "").replace("\\", "/").lstrip("./")
            if not path:
                return
            for rel in (path, f"DCIM/{path.rsplit('/', 1)[-1]}"):
                blob = ret.files.get(rel)
                if blob is None:
                    continue
                mime = _photo_mime(blob)
                if mime is None:
                    return
                sha = hashlib.sha256(blob).hexdigest()
                if conn.execute(
                    f"SELECT 1 FROM {PHOTOS_TABLE} WHERE layer = ? AND feature = ? AND sha256 = ?", (spec.id, key, sha)
                ).fetchone():
                    return
                conn.execute(
                    f"INSERT INTO {PHOTOS_TABLE} (layer, feature, name, mime, sha256, data, by_user, at, package) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (spec.id, key, rel.rsplit("/", 1)[-1][:120], mime, sha, blob, user, at, pid),
                )
                res.photos += 1
                return

        for lid, base in ret.base.items():
            spec = CATALOG[lid]
            returned = ret.rows.get(lid, {})
            geom_col = str(conn.geometry_column(lid) or GEOM)
            stored = edit.layer_rows(conn, spec)  # the office's features now, read once
            for fid, (key, bvals, bgeom) in base.items():
                at_feature[:] = [spec.vi, key]
                office_fid, office = stored.get(key, (None, None))
                here = returned.get(fid)
                if here is None:  # deleted in the field
                    if office is None:
                        continue
                    untouched = all(
                        _norm(spec, n, office.get(n)) == _norm(spec, n, bvals.get(n)) for n in spec.editable
                    ) and _same_shape(_shape(office.get(changelog.GEOM_KEY)), _shape(bgeom))
                    if untouched:
                        edit.remove_in(conn, spec, key, user, reason, merged_at)
                        res.deleted += 1
                    else:
                        hold(spec, key, "*", _public(bvals, bgeom), _public(office), None, merged_at)
                    continue
                values, blob = here
                at = _edited_at(values.get(EDITED_FIELD), low, merged_at)
                fgeom = _shape(blob)
                if office is None:  # the office deleted it meanwhile
                    changed = any(
                        _norm(spec, n, values.get(n)) != _norm(spec, n, bvals.get(n)) for n in spec.editable
                    ) or not _same_shape(fgeom, _shape(bgeom))
                    if changed:
                        hold(spec, key, "*", _public(bvals, bgeom), None, _public(values, fgeom), at)
                    continue
                changes: dict[str, Any] = {}
                for name in spec.editable:
                    b, f, o = (_norm(spec, name, v.get(name)) for v in (bvals, values, office))
                    if f in (b, o):
                        continue
                    if o == b:
                        changes[name] = values.get(name)
                    else:
                        hold(spec, key, name, bvals.get(name), office.get(name), values.get(name), at)
                if changes:
                    done = edit.update_in(conn, spec, key, changes, user, reason, at, office, office_fid)
                    res.applied += len(done)
                bshape, oshape = _shape(bgeom), _shape(office.get(changelog.GEOM_KEY))
                if fgeom is not None and not _same_shape(fgeom, bshape) and not _same_shape(fgeom, oshape):
                    if _same_shape(oshape, bshape):
                        current = office.get(changelog.GEOM_KEY)
                        if edit.set_geometry_in(conn, spec, key, fgeom.wkt, user, reason, at, current, office_fid):
                            res.applied += 1
                    else:
                        hold(spec, key, geom_col, bshape.wkt, oshape.wkt if oshape else None, fgeom.wkt, at)
                keep_photo(spec, key, values, at)
            for fid, (values, blob) in returned.items():  # added in the field
                if fid in base:
                    continue
                at = _edited_at(values.get(EDITED_FIELD), low, merged_at)
                fields = {f.name: values.get(f.name) for f in spec.fields if not f.derived}
                if not str(fields.get(spec.key) or "").strip():
                    fields[spec.key] = f"{lid[:3].upper()}-TT-{pid[:4]}-{fid}"
                key = str(fields[spec.key]).strip()
                at_feature[:] = [spec.vi, key]
                if key in stored:
                    continue  # added by an earlier merge of this package
                shape = _shape(blob)
                if shape is None or shape.is_empty:
                    continue
                fields[DEMO_COLUMN] = 0
                edit.add_in(conn, spec, fields, shape.wkt, user, reason, at)
                res.added += 1
                keep_photo(spec, key, values, at)
        conn.execute(
            f'INSERT INTO {MERGES_TABLE} (package, digest, ts, "user", applied, added, deleted, conflicts) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, ret.digest, merged_at, user, res.applied, res.added, res.deleted, res.conflicts),
        )
        conn.touch((MERGES_TABLE, CONFLICTS_TABLE, PHOTOS_TABLE), merged_at)
        return res

    try:
        result: MergeResult = edit.write_together(location, run, merged_at)
    except changelog.EditError as exc:
        if exc.key.startswith("error."):  # the store missing, down or refusing: said as such, not as a bad value
            raise
        layer, key = at_feature
        raise FieldError(
            "field.bad_value", layer=layer, feature=key, reason=exc.message("vi"), reason_en=exc.message("en")
        ) from None
    return result


def _public(values: Mapping[str, Any], geom: Any = None) -> dict[str, Any]:
    """A feature's values as a conflict shows them (its geometry as WKT)."""
    out = {k: v for k, v in values.items() if k not in (changelog.GEOM_KEY, EDITED_FIELD, PHOTO_FIELD)}
    shape = _shape(geom if geom is not None else values.get(changelog.GEOM_KEY))
    if shape is not None and not isinstance(shape, str):
        out[changelog.GEOM_KEY] = shape.wkt
    return {k: _json_value(v) if not isinstance(v, (str, int, float)) else v for k, v in out.items()}


# -- conflicts ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    """One held change: the base, the office's and the field's values, who returned it and when."""

    id: int
    layer: str
    feature: str
    attribute: str
    base: Any
    office: Any
    incoming: Any
    by: str
    at: str
    status: str = "held"
    package: str = ""
    decided_by: str | None = None
    decided_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields ``field conflicts --json`` prints."""
        d = asdict(self)
        return {k: d[k] for k in ("id", "layer", "feature", "attribute", "base", "office", "incoming", "by", "at")}


_SELECT = (
    f"SELECT fid, layer, feature, attribute, base, office, incoming, by_user, at, status, package, decided_by, "
    f"decided_at FROM {CONFLICTS_TABLE}"
)


def _conflict(r: Sequence[Any]) -> Conflict:
    base, office, incoming = (json.loads(v) if v is not None else None for v in r[4:7])
    return Conflict(
        int(r[0]), str(r[1]), str(r[2]), str(r[3]), base, office, incoming,
        str(r[7]), str(r[8]), str(r[9]), str(r[10]), r[11], r[12],
    )  # fmt: skip


def conflicts(location: db.Location, held_only: bool = True) -> list[Conflict]:
    """The conflicts waiting for a decision (``held_only=False``: every one, decided too), oldest first."""
    with db.connect(location) as conn:
        if not conn.has_table(CONFLICTS_TABLE):
            return []
        where = " WHERE status = 'held'" if held_only else ""
        return [_conflict(r) for r in conn.execute(f"{_SELECT}{where} ORDER BY fid").fetchall()]


def held_count(location: db.Location) -> int:
    """How many conflicts wait for a decision (0 for a store that never merged a package)."""
    try:
        with db.connect(location) as conn:
            if not conn.has_table(CONFLICTS_TABLE):
                return 0
            return int(conn.execute(f"SELECT COUNT(*) FROM {CONFLICTS_TABLE} WHERE status = 'held'").fetchone()[0])
    except (OSError, db.StoreDown):
        return 0


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 200 else text[:199] + "…"


def resolve(location: db.Location, conflict_id: int, keep: str, user: str) -> Conflict:
    """Settle one held conflict: keep the office's value or the field's (``incoming``); audited either way,
    and the value not kept is written in the decision's log entry.
    """
    if keep not in ("office", "incoming"):
        raise FieldError("field.bad_keep")
    if not user or not user.strip():
        raise FieldError("field.no_user")
    user = user.strip()[:80]
    stamp = _now()

    def run(conn: db.Session) -> Conflict:
        if not conn.has_table(CONFLICTS_TABLE):
            raise FieldError("field.no_conflict", id=conflict_id)
        row = conn.execute(f"{_SELECT} WHERE fid = ?", (conflict_id,)).fetchone()
        if row is None:
            raise FieldError("field.no_conflict", id=conflict_id)
        c = _conflict(row)
        if c.status != "held":
            raise FieldError("field.decided", id=conflict_id, by=c.decided_by or "?")
        spec = CATALOG[c.layer]
        geom_col = conn.geometry_column(c.layer) or GEOM
        kept, dropped = (c.incoming, c.office) if keep == "incoming" else (c.office, c.incoming)
        who = f"{c.by}, {fmt_datetime(c.at, 'vi')}"  # the reason is Vietnamese: Vietnam time
        if keep == "incoming":
            why = f"Xung đột thực địa #{c.id}: giữ giá trị thực địa ({who}); giá trị văn phòng không giữ: "
        else:
            why = f"Xung đột thực địa #{c.id}: giữ giá trị văn phòng; giá trị thực địa ({who}) không giữ: "
        why += _shown(dropped)
        office_row = edit.feature_row(conn, spec, c.feature)
        if keep == "office":
            name = spec.key if c.attribute == "*" else c.attribute
            current = None if office_row is None else office_row.get(changelog.GEOM_KEY if name == geom_col else name)
            edit.note_in(conn, c.layer, c.feature, name, current, user, why, stamp)
        elif c.attribute == "*":
            if c.incoming is None and office_row is not None:
                edit.remove_in(conn, spec, c.feature, user, why, stamp)
            elif c.incoming is not None and office_row is None:
                values = dict(c.incoming)
                wkt = values.pop(changelog.GEOM_KEY, None)
                edit.add_in(conn, spec, values, wkt, user, why, stamp)
            elif c.incoming is not None and office_row is not None:
                edit.update_in(conn, spec, c.feature, {n: c.incoming.get(n) for n in spec.editable}, user, why, stamp)
                if c.incoming.get(changelog.GEOM_KEY):
                    edit.set_geometry_in(conn, spec, c.feature, str(c.incoming[changelog.GEOM_KEY]), user, why, stamp)
        elif c.attribute == geom_col:
            if office_row is None:
                raise FieldError("field.gone", feature=c.feature)
            edit.set_geometry_in(conn, spec, c.feature, str(kept), user, why, stamp)
        else:
            if office_row is None:
                raise FieldError("field.gone", feature=c.feature)
            if not edit.update_in(conn, spec, c.feature, {c.attribute: kept}, user, why, stamp):
                edit.note_in(conn, c.layer, c.feature, c.attribute, office_row.get(c.attribute), user, why, stamp)
        conn.execute(
            f"UPDATE {CONFLICTS_TABLE} SET status = ?, decided_by = ?, decided_at = ? WHERE fid = ?",
            (keep, user, stamp, conflict_id),
        )
        conn.touch((CONFLICTS_TABLE,), stamp)
        return Conflict(**{**asdict(c), "status": keep, "decided_by": user, "decided_at": stamp})

    try:
        result: Conflict = edit.write_together(location, run, stamp)
    except changelog.EditError as exc:
        if exc.key.startswith("error."):  # the store missing, down or refusing: said as such, not as a bad value
            raise
        raise FieldError(
            "field.bad_value",
            layer="#",
            feature=conflict_id,
            reason=exc.message("vi"),
            reason_en=exc.message("en"),
        ) from None
    return result


# -- photos ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    """A photo returned from the field for one feature."""

    name: str
    mime: str
    data: bytes = field(repr=False)
    by: str = ""
    at: str = ""


def photos(location: db.Location, layer: str, key: str) -> list[Photo]:
    """The field photos of one feature, oldest first (none for a store that never merged a package)."""
    try:
        with db.connect(location) as conn:
            if not conn.has_table(PHOTOS_TABLE):
                return []
            rows = conn.execute(
                f"SELECT name, mime, data, by_user, at FROM {PHOTOS_TABLE} "
                "WHERE layer = ? AND feature = ? ORDER BY fid",
                (layer, key),
            ).fetchall()
    except (OSError, db.StoreDown):
        return []
    return [Photo(str(n), str(m), bytes(d), str(b), str(a)) for n, m, d, b, a in rows]
