"""The GeoPackage store: where it is, what it holds, reading layers and tables.

One file that opens in QGIS. Spatial layers are stored in WGS 84
(EPSG:4326); attribute tables (indicators, criteria, metadata) are GeoPackage
``attributes`` tables. Reads go through pyogrio. Writes replace the whole
file atomically (write a temporary file, then rename).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.catalog import CATALOG, OVERLAY_TABLE, Catalog, LayerId, LayerSpec, overlay_specs
from geo.i18n import Lang, t

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


def store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: ``path`` if given, else ``$DINHLAP_STORE``, else the demo store."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_STORE)
    return Path(env) if env else DEFAULT_STORE


@dataclass(frozen=True)
class LayerMeta:
    """Provenance of one layer."""

    source: str
    as_of: str
    demo: bool
    licence: str


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
        return {
            r.layer_id: LayerMeta(str(r.source), str(r.as_of), bool(r.demo), str(r.licence))
            for r in df.itertuples(index=False)
        }

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
