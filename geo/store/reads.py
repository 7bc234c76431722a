"""The store: where it is, what it holds, reading layers and tables.

By default one GeoPackage file that opens in QGIS; on a province's server a PostGIS database
(``postgresql://USER@HOST:PORT/DB``, see :mod:`geo.store.db`) with the same tables. Spatial layers are
stored in WGS 84 (EPSG:4326); attribute tables (indicators, criteria, metadata) are GeoPackage
``attributes`` tables, or plain tables. GeoPackage reads go through pyogrio, PostGIS reads through
psycopg. :func:`write_layers` builds a new GeoPackage (the demo store).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.model.catalog import CATALOG, DEMO_COLUMN, OVERLAY_TABLE, Catalog, LayerId, LayerSpec, overlay_specs
from geo.model.i18n import Lang, UserError, fmt_number, t
from geo.store import db

Bounds = tuple[float, float, float, float]  # west, south, east, north (WGS 84 degrees)

DEFAULT_STORE = Path(__file__).resolve().parents[2] / "data" / "dinhlap.gpkg"
ENV_STORE = "DINHLAP_STORE"
ARROW_FROM_BYTES = 32 * 1024 * 1024  # a GeoPackage this big or bigger is read through Arrow (see Store.read)


class StoreError(UserError):
    """A store that is missing or unreadable; the message is for a user."""


def read_only_uri(path: Path) -> str:
    """SQLite's URI opening ``path`` read-only (quoted: a folder name may hold ``?`` or ``#``)."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def store_path(path: db.Location | None = None) -> Path | str:
    """The store to use: ``path`` if given, else ``$DINHLAP_STORE``, else the demo store; a GeoPackage's
    :class:`~pathlib.Path`, or a ``postgresql://`` address as given.
    """
    chosen = str(path) if path else os.environ.get(ENV_STORE)
    if not chosen:
        return DEFAULT_STORE
    return chosen if db.is_postgis(chosen) else Path(chosen)


@dataclass(frozen=True)
class DemoShare:
    """How many of the features shown are demo data (``demo``) out of how many (``total``)."""

    demo: int = 0
    total: int = 0

    def __add__(self, other: DemoShare) -> DemoShare:
        return DemoShare(self.demo + other.demo, self.total + other.total)

    @property
    def any(self) -> bool:
        """Whether any feature shown is demo data."""
        return self.demo > 0

    @property
    def partial(self) -> bool:
        """Whether real and demo features are shown together."""
        return 0 < self.demo < self.total

    def label(self, lang: Lang) -> str:
        """The badge: "Dữ liệu minh họa", or "Dữ liệu minh họa một phần (n/m đối tượng)"; '' if none is demo."""
        if not self.any:
            return ""
        if not self.partial:
            return t("demo.badge", lang)
        return t("demo.partly", lang, n=fmt_number(self.demo, lang), m=fmt_number(self.total, lang))


def demo_share(frame: pd.DataFrame, flagged: bool) -> DemoShare:
    """The demo share of ``frame``: its rows' own flags (:data:`DEMO_COLUMN`) where it has them, else all or
    none of its rows as its layer's provenance says (``flagged``).
    """
    n = len(frame)
    if DEMO_COLUMN in frame.columns:
        flags = pd.to_numeric(frame[DEMO_COLUMN], errors="coerce").fillna(0)
        return DemoShare(int((flags != 0).sum()), n)
    return DemoShare(n if flagged else 0, n)


def shown_share(frames: Mapping[str, pd.DataFrame], layers: Iterable[str], flagged: Iterable[str]) -> DemoShare:
    """Demo features out of all the features of ``layers`` in ``frames``; a layer without row flags counts whole
    if its provenance flags it (``flagged``).
    """
    marked = set(flagged)
    share = DemoShare()
    for lid in layers:
        if lid in frames:
            share += demo_share(frames[lid], lid in marked)
    return share


def stored_share(meta: Mapping[LayerId, LayerMeta], layers: Iterable[LayerId]) -> DemoShare:
    """Demo features out of all in ``layers`` as the store holds them; a layer without row flags that its
    provenance calls demo counts as one demo unit (all of it, never "partly").
    """
    out = DemoShare()
    for lid in layers:
        m = meta.get(lid)
        if m is not None and m.share.total:
            out += m.share
        elif m is not None and m.demo:
            out += DemoShare(1, 1)
    return out


@dataclass(frozen=True)
class LayerMeta:
    """Provenance of one layer; ``demo`` is true while any of its features is demo data, ``share`` says how many."""

    source: str
    as_of: str
    demo: bool
    licence: str
    share: DemoShare = DemoShare()


@dataclass(frozen=True)
class LayerInfo:
    """What ``python -m geo layers`` prints for one layer."""

    id: LayerId
    title_vi: str
    title_en: str
    theme: str
    geometry: str | None
    features: int
    crs: str | None
    as_of: str | None
    demo: bool | None


class Store:
    """Read access to a store.

    Parameters
    ----------
    path
        The ``.gpkg`` file or the ``postgresql://`` address; see :func:`store_path` for the default.

    """

    def __init__(self, path: db.Location | None = None) -> None:
        found = store_path(path)
        #: Where the store is: what every function of :mod:`geo.store.edit`, :mod:`geo.store.ingest` and
        # :mod:`geo.read.history` takes.
        self.location: Path | str = found
        #: The GeoPackage file, or ``None`` for a PostGIS store.
        self.path: Path | None = found if isinstance(found, Path) else None
        #: What a user may see of the location (never a password).
        self.label = db.label(found)
        self._versions: dict[str, str] | None = None  # each table's, read once: this object is one version
        self._meta: tuple[str, dict[LayerId, LayerMeta]] | None = None  # (the store's version, its provenance)
        self._layers: dict[str, str | None]
        if self.path is None:
            try:
                address = db.parse_address(found)
                with db.connect(found) as conn:
                    self._layers = conn.tables()
            except db.BadAddress as bad:
                raise StoreError(
                    "error.store_address", path=bad.label, reason_vi=bad.reason["vi"], reason_en=bad.reason["en"]
                ) from None
            except db.StoreLoginRefused:
                raise StoreError("error.store_login", path=self.label) from None
            except db.StoreDown as down:
                raise StoreError("error.store_down", reason=str(down)[:200]) from None
            except Exception as exc:  # psycopg's own errors: no store tables in that database
                reason = address.scrub(str(exc))[:200]
                raise StoreError("error.store_unreadable", path=self.label, reason=reason) from None
        else:
            if not self.path.is_file():
                raise StoreError("error.store_missing", path=db.shown(self.path))
            db.sweep_scratch(self.path)  # an interrupted import's scratch files go when the store is next opened
            try:
                listed = pyogrio.list_layers(self.path)
            except Exception as exc:  # pyogrio raises several DataSourceError kinds
                raise StoreError("error.store_unreadable", path=str(self.path), reason=str(exc)) from exc
            # QGIS's styles table (geo.field.qgis) is listed in the file for QGIS, not a layer of the app's
            self._layers = {str(name): geom for name, geom in listed if name != "layer_styles"}
        specs = self._overlay_specs()
        #: The layers this store holds described once: the built-in records and its own overlays.
        self.catalog: Catalog = CATALOG.with_layers(*specs)
        #: The layers planners imported as overlays, in import order.
        self.overlays: tuple[LayerId, ...] = tuple(s.id for s in specs)

    def _overlay_specs(self) -> list[LayerSpec]:
        if OVERLAY_TABLE not in self._layers:
            return []
        rows = self.read(OVERLAY_TABLE).to_dict("records")
        return overlay_specs(rows, self._layers)

    @property
    def version(self) -> str:
        """Changes whenever the store changes (the file, or the database's own counter): a cache key for
        everything read from it, the same in every app process.
        """
        return version(self.location)

    def table_version(self, layer_id: LayerId) -> str:
        """The version of one layer or table: it moves when that table changes (on PostGIS; on a GeoPackage,
        when the file does). A cache of what was read from ``layer_id`` keys on it, so an edit of another
        layer leaves it warm.
        """
        if self._versions is None:
            try:
                with db.connect(self.location) as conn:
                    self._versions = conn.table_versions()
            except (OSError, db.StoreDown):
                return self.version
        return self._versions.get(layer_id, self.version)

    def layer_ids(self) -> list[LayerId]:
        """The layers and tables the file holds, in file order."""
        return list(self._layers)

    def has(self, layer_id: LayerId) -> bool:
        """Whether the store holds ``layer_id``."""
        return layer_id in self._layers

    def read(
        self, layer_id: LayerId, bbox: Bounds | None = None, keys: Collection[str] | None = None
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read a layer (a GeoDataFrame in EPSG:4326) or a table (a DataFrame).

        ``bbox`` (WGS 84: west, south, east, north) reads only the features that meet it, found through the
        store's spatial index (the GeoPackage's R-tree, PostGIS's GiST index): what a printed view of a
        province's cadastre needs, not the province. A table ignores it.

        ``keys`` reads only the rows whose business key (the catalog's ``key``, its fields' values as text
        joined by ``,``: what a map or an atlas names a feature by) is one of them, chosen by the database:
        the 20 pages of an atlas read 20 parcels, not the province's cadastre. A key whose fields are not
        text may be spelt otherwise by the database than by Python (``3`` / ``3.0``): a caller that must
        find every key it asked for checks what came back.
        """
        if layer_id not in self._layers:
            raise StoreError("error.unknown_layer", layer=layer_id)
        geom = self._layers[layer_id]
        if keys is not None:
            return self._read_keys(layer_id, geom, bbox, keys)
        if self.path is None:
            return _read_pg(self.location, layer_id, bbox if geom else None)
        if geom is None:
            return pyogrio.read_dataframe(self.path, layer=layer_id, read_geometry=False)
        if bbox is not None and not _in_wgs84(self.path, layer_id):  # the store's layers are; a foreign file may not be
            gdf = pyogrio.read_dataframe(self.path, layer=layer_id).to_crs(4326)
            return gdf.cx[bbox[0] : bbox[2], bbox[1] : bbox[3]]
        # A big store through Arrow: the same frame (the store's layers, checked by tests/store) in less than
        # half the time (500,000 parcels: 2.6 s against 5.9 s); a small one without (Arrow adds ~3 ms a read).
        arrow = self.path.stat().st_size >= ARROW_FROM_BYTES
        gdf = pyogrio.read_dataframe(
            self.path, layer=layer_id, bbox=bbox, fid_as_index=bbox is not None, use_arrow=arrow
        )
        if bbox is not None:  # the R-tree gives its own order: the file's is the one every reader sees
            gdf = gdf.sort_index().reset_index(drop=True)
        return gdf if gdf.crs is None or gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)

    def _read_keys(
        self, layer_id: LayerId, geom: str | None, bbox: Bounds | None, keys: Collection[str]
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        spec = self.catalog.get(layer_id)
        if spec is None or not spec.key:
            raise StoreError("error.unknown_layer", layer=layer_id)
        wanted = sorted(set(keys))
        with db.connect(self.location) as conn:
            keysql = " || ',' || ".join(f"CAST({conn.ident(k)} AS TEXT)" for k in spec.key.split(","))
            where = f"{keysql} IN ({', '.join('?' for _ in wanted)})" if wanted else "1 = 0"
            if self.path is None:
                return _read_pg(self.location, layer_id, bbox if geom else None, (where, wanted))
            fids = [int(r[0]) for r in conn.execute(f"SELECT fid FROM {conn.ident(layer_id)} WHERE {where}", wanted)]
        frame = pyogrio.read_dataframe(
            self.path, layer=layer_id, fids=sorted(fids), fid_as_index=True, read_geometry=geom is not None
        )
        frame = frame.sort_index().reset_index(drop=True)  # the file's order, as a whole read gives
        if geom is None:
            return frame
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        if bbox is not None:
            frame = frame[frame.intersects(shapely.box(*bbox)).to_numpy()].reset_index(drop=True)
        return frame

    def keys_where(self, layer_id: LayerId, where: Mapping[str, Collection[str]]) -> list[str]:
        """The business keys (as :meth:`read`'s ``keys`` spells them) of the rows of ``layer_id`` whose text
        column is one of its values in ``where`` (column → accepted values; a missing value is ``""``), for
        every column of ``where``, in the layer's order: chosen by the database, so that an atlas of one
        commune's parcels of a province's cadastre finds them without reading the province.
        """
        spec = self.catalog.get(layer_id)
        if layer_id not in self._layers or spec is None or not spec.key:
            raise StoreError("error.unknown_layer", layer=layer_id)
        with db.connect(self.location) as conn:
            keysql = " || ',' || ".join(f"CAST({conn.ident(k)} AS TEXT)" for k in spec.key.split(","))
            clauses, params = [], []
            for column, values in where.items():
                wanted = sorted({str(v) for v in values})
                marks = ", ".join("?" for _ in wanted)
                clauses.append(f"COALESCE(CAST({conn.ident(column)} AS TEXT), '') IN ({marks})" if wanted else "1 = 0")
                params.extend(wanted)
            sql = f"SELECT {keysql} FROM {conn.ident(layer_id)}"
            if clauses:
                sql += f" WHERE {' AND '.join(clauses)}"
            return [str(r[0]) for r in conn.execute(sql + " ORDER BY fid", params).fetchall()]

    def sums(self, layer_id: LayerId, columns: Sequence[str]) -> dict[str, float]:
        """The total of each of ``columns`` over the whole of ``layer_id``, added up by the database (a
        province's cadastre is not read to print its area); a missing value counts as nothing.
        """
        if layer_id not in self._layers:
            raise StoreError("error.unknown_layer", layer=layer_id)
        if not columns:
            return {}
        with db.connect(self.location) as conn:
            picked = ", ".join(f"COALESCE(SUM({conn.ident(c)}), 0)" for c in columns)
            row = conn.execute(f"SELECT {picked} FROM {conn.ident(layer_id)}").fetchone()
        return {c: float(v) for c, v in zip(columns, row, strict=True)}

    def meta(self) -> dict[LayerId, LayerMeta]:
        """Provenance of every layer that has a row in ``layer_meta``: read again only when the store has
        changed (its demo shares count every feature: a province's cadastre is counted once per version, not
        once per page that asks).
        """
        if "layer_meta" not in self._layers:
            return {}
        stamp = self.version
        if self._meta is None or self._meta[0] != stamp or not stamp:
            self._meta = (stamp, self._read_meta())
        return dict(self._meta[1])

    def _read_meta(self) -> dict[LayerId, LayerMeta]:
        df = self.read("layer_meta")
        shares = self.demo_shares()
        out = {}
        for r in df.itertuples(index=False):
            share = shares.get(r.layer_id)
            demo = share.any if share is not None else bool(r.demo)
            out[r.layer_id] = LayerMeta(str(r.source), str(r.as_of), demo, str(r.licence), share or DemoShare())
        return out

    def demo_shares(self) -> dict[LayerId, DemoShare]:
        """Demo features out of all, for every layer whose rows carry their own flag (:data:`DEMO_COLUMN`)."""
        out: dict[LayerId, DemoShare] = {}
        with db.connect(self.location) as conn:
            for lid, geom in self._layers.items():
                if geom is None:
                    continue
                if DEMO_COLUMN in conn.columns(lid):
                    flagged = f"CASE WHEN {conn.ident(DEMO_COLUMN)} != 0 THEN 1 ELSE 0 END"
                    n, total = conn.execute(
                        f"SELECT COALESCE(SUM({flagged}), 0), COUNT(*) FROM {conn.ident(lid)}"
                    ).fetchone()
                    out[lid] = DemoShare(int(n), int(total))
        return out

    def info(self) -> list[LayerInfo]:
        """One :class:`LayerInfo` per layer in the file."""
        meta = self.meta()
        out = []
        for lid, geom in self._layers.items():
            info = pyogrio.read_info(self.path, layer=lid) if self.path is not None else _info_pg(self.location, lid)
            spec = self.catalog.get(lid)
            m = meta.get(lid)
            out.append(
                LayerInfo(
                    id=lid,
                    title_vi=spec.vi if spec else lid,
                    title_en=spec.en if spec else lid,
                    theme=spec.theme if spec else "",
                    geometry=geom,
                    features=int(info["features"]),
                    crs=info["crs"],
                    as_of=m.as_of if m else None,
                    demo=m.demo if m else None,
                )
            )
        return out


def version(location: db.Location, tables: Sequence[str] | None = None) -> str:
    """The version of the store at ``location`` (see :attr:`Store.version`), or of ``tables`` in it where the
    store keeps them apart (PostGIS); ``''`` if it cannot be read.
    """
    if not db.is_postgis(location):  # the file's own stamp: no need to open it
        try:
            st = Path(location).stat()
        except OSError:
            return ""
        return f"{st.st_mtime_ns}-{st.st_size}"
    try:
        with db.connect(location) as conn:
            return conn.version(tables)
    except (OSError, db.StoreDown):
        return ""


def versions_document(location: db.Location) -> dict[str, Any]:
    """What an open page compares with what it drew (``ui/static/watch/watch.js``): the store's version and
    each table's, as numbers; ``{}`` while the store does not answer. A GeoPackage has one number for
    every table (its file's stamp moves with any write).
    """
    try:
        with db.connect(location) as conn:
            store, tables = conn.version(), conn.table_versions()
    except (OSError, db.StoreDown):
        return {}
    return {"store": version_number(store), "tables": {t: version_number(v) for t, v in tables.items()}}


def version_number(stamp: str) -> int:
    """A version as a number that grows: the database's counter, or a file's modification time (ns)."""
    return int(stamp[3:]) if stamp.startswith("pg-") else int(stamp.split("-", 1)[0] or 0)


def _info_pg(location: db.Location, layer_id: str) -> dict[str, Any]:
    with db.connect(location) as conn:
        n = conn.execute(f"SELECT COUNT(*) FROM {conn.ident(layer_id)}").fetchone()[0]
        geom = conn.geometry_column(layer_id)
    return {"features": int(n), "crs": f"EPSG:{db.SRID}" if geom else None}


def _column(values: list[object], kind: str) -> object:
    """One column read from PostGIS with the dtype pyogrio gives the same GeoPackage column."""
    nulls = any(v is None for v in values)
    if kind in ("bigint", "integer"):
        return (
            np.array([np.nan if v is None else v for v in values], dtype=float) if nulls else np.array(values, "int64")
        )
    if kind == "double precision":
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind == "boolean" and not nulls:
        return np.array(values, dtype=bool)
    if not values:
        return np.array([], dtype=object)  # an empty text column, as pyogrio reads it
    return pd.array(values, dtype="str") if kind == "text" and not nulls else values


def _in_wgs84(path: Path, layer_id: str) -> bool:
    """Whether a GeoPackage layer's coordinates are WGS 84 degrees (the store's own layers are)."""
    crs = pyogrio.read_info(path, layer=layer_id).get("crs")
    return crs in (None, "EPSG:4326")


def _read_pg(
    location: db.Location,
    layer_id: str,
    bbox: Bounds | None = None,
    rows_where: tuple[str, Sequence[object]] | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    with db.connect(location) as conn:
        geom = conn.geometry_column(layer_id)
        kinds = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?",
                (layer_id,),
            ).fetchall()
        )
        cols = [c for c in conn.columns(layer_id) if c not in ("fid", geom)]
        picked = [conn.ident(c) for c in cols] + ([conn.geom_out(geom)] if geom else [])
        assert isinstance(conn, db.PgSession)
        clauses: list[str] = []
        params: list[object] = []
        if bbox is not None and geom:  # through the GiST index, then the shapes: as GDAL filters a GeoPackage
            w, so, e, n = (float(v) for v in bbox)
            clauses.append(
                f"ST_Intersects({conn.ident(geom)}, ST_MakeEnvelope({w!r}, {so!r}, {e!r}, {n!r}, {db.SRID}))"
            )
        if rows_where is not None:  # the caller's condition, its values as parameters
            clauses.append(rows_where[0])
            params.extend(rows_where[1])
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = conn.fetch_binary(f"SELECT {', '.join(picked)} FROM {conn.ident(layer_id)}{where} ORDER BY fid", params)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in picked]
    frame = pd.DataFrame({c: _column(list(v), kinds[c]) for c, v in zip(cols, values, strict=False)})
    if not cols:
        frame = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    if geom is None:
        return frame
    shapes = shapely.from_wkb(np.array(values[-1], dtype=object)) if rows else np.array([], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=db.SRID), crs=db.SRID)


def write_layers(path: Path, layers: dict[LayerId, pd.DataFrame], timestamp: str | None = None) -> None:
    """Write ``layers`` into a new GeoPackage at ``path`` (which must not exist).

    ``timestamp`` fixes GeoPackage's last-change dates so that a rebuild is byte-identical.
    """
    if path.exists():
        raise FileExistsError(path)
    options = {"OGR_CURRENT_DATE": timestamp} if timestamp else {}
    pyogrio.set_gdal_config_options(options)
    try:
        for lid, df in layers.items():
            pyogrio.write_dataframe(df, path, layer=lid, driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(options))
