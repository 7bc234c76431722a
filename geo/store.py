"""The GeoPackage store: where it is, what it holds, reading layers and tables.

One file that opens in QGIS. Spatial layers are stored in WGS 84
(EPSG:4326); attribute tables (indicators, criteria, metadata) are GeoPackage
``attributes`` tables. Reads go through pyogrio. Writes replace the whole
file atomically (write a temporary file, then rename).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.catalog import CATALOG, DEMO_COLUMN, OVERLAY_TABLE, Catalog, LayerId, LayerSpec, overlay_specs
from geo.i18n import Lang, fmt_number, t

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "dinhlap.gpkg"
ENV_STORE = "DINHLAP_STORE"


class StoreError(Exception):
    """A store that is missing or unreadable; the message is for a user."""

    def __init__(self, key: str, **kwargs: object) -> None:
        self.key = key
        self.kwargs = kwargs
        super().__init__(t(key, "en", **kwargs))

    def message(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.kwargs)


def read_only_uri(path: Path) -> str:
    """SQLite's URI opening ``path`` read-only (quoted: a folder name may hold ``?`` or ``#``)."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: ``path`` if given, else ``$DINHLAP_STORE``, else the demo store."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_STORE)
    return Path(env) if env else DEFAULT_STORE


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
    """Read access to a GeoPackage store.

    Parameters
    ----------
    path
        The ``.gpkg`` file; see :func:`store_path` for the default.

    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = store_path(path)
        if not self.path.is_file():
            raise StoreError("error.store_missing", path=str(self.path))
        try:
            listed = pyogrio.list_layers(self.path)
        except Exception as exc:  # pyogrio raises several DataSourceError kinds
            raise StoreError("error.store_unreadable", path=str(self.path), reason=str(exc)) from exc
        self._layers: dict[str, str | None] = {str(name): geom for name, geom in listed}
        specs = self._overlay_specs()
        #: The layers this store holds described once: the built-in records and its own overlays.
        self.catalog: Catalog = CATALOG.with_layers(*specs)
        #: The layers planners imported as overlays, in import order.
        self.overlays: tuple[LayerId, ...] = tuple(s.id for s in specs)

    def _overlay_specs(self) -> list[LayerSpec]:
        if OVERLAY_TABLE not in self._layers:
            return []
        rows = pyogrio.read_dataframe(self.path, layer=OVERLAY_TABLE, read_geometry=False).to_dict("records")
        return overlay_specs(rows, self._layers)

    @property
    def version(self) -> str:
        """Changes whenever the file changes: a cache key for everything read from it."""
        st = self.path.stat()
        return f"{st.st_mtime_ns}-{st.st_size}"

    def layer_ids(self) -> list[LayerId]:
        """The layers and tables the file holds, in file order."""
        return list(self._layers)

    def has(self, layer_id: LayerId) -> bool:
        """Whether the store holds ``layer_id``."""
        return layer_id in self._layers

    def read(self, layer_id: LayerId) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read a layer (a GeoDataFrame in EPSG:4326) or a table (a DataFrame)."""
        if layer_id not in self._layers:
            raise StoreError("error.unknown_layer", layer=layer_id)
        if self._layers[layer_id] is None:
            return pyogrio.read_dataframe(self.path, layer=layer_id, read_geometry=False)
        gdf = pyogrio.read_dataframe(self.path, layer=layer_id)
        return gdf if gdf.crs is None or gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)

    def meta(self) -> dict[LayerId, LayerMeta]:
        """Provenance of every layer that has a row in ``layer_meta``."""
        if "layer_meta" not in self._layers:
            return {}
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
        with contextlib.closing(sqlite3.connect(read_only_uri(self.path), uri=True)) as conn:
            for lid, geom in self._layers.items():
                if geom is None:
                    continue
                cols = {str(r[1]) for r in conn.execute(f'PRAGMA table_info("{lid}")')}
                if DEMO_COLUMN in cols:
                    n, total = conn.execute(
                        f'SELECT COALESCE(SUM("{DEMO_COLUMN}" != 0), 0), COUNT(*) FROM "{lid}"'
                    ).fetchone()
                    out[lid] = DemoShare(int(n), int(total))
        return out

    def info(self) -> list[LayerInfo]:
        """One :class:`LayerInfo` per layer in the file."""
        meta = self.meta()
        out = []
        for lid, geom in self._layers.items():
            info = pyogrio.read_info(self.path, layer=lid)
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
