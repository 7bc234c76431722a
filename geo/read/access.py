"""What one reader may read of a store: the one read path of the app, the meeting pack and the command line.

A layer is read, given its derived fields (a commune's criteria met, computed from the
criteria table), and, for a reader who may not see them, stripped of its sensitive fields
(dispute parties, household figures). Nothing else in the project applies either rule.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.model.catalog import LAND_USE_GROUP, Catalog, LayerId, LayerSpec
from geo.read import history, reform
from geo.read.panels import units_with_criteria
from geo.store.reads import Bounds, LayerMeta, Store

#: Columns the reform's regrouping writes as it reads (:func:`by_units`): the store holds other values there.
REGROUPED = frozenset({"unit_code", "unit_code_2024", "commune_2025"})

Frame: TypeAlias = gpd.GeoDataFrame | pd.DataFrame


def at(
    store: Store,
    layer_id: LayerId,
    when: dt.datetime | None,
    bbox: Bounds | None = None,
    keys: Collection[str] | None = None,
) -> Frame:
    """A layer or table as the store holds it now (``when`` None) or as it stood at ``when``; with ``bbox``
    (WGS 84), only the features whose bounding box meets it; with ``keys``, only the features of those keys.
    """
    if when is None or layer_id not in store.catalog:
        return store.read(layer_id, bbox) if keys is None else store.read(layer_id, bbox, keys=keys)
    # The past is the present with the change log undone: undone on the whole layer (a feature may have
    # moved into or out of the box, or taken another key, since), then clipped.
    frame = history.as_of(store.location, layer_id, store.catalog[layer_id], store.read(layer_id), when)
    return pick(clip(frame, bbox), store.catalog[layer_id], keys)


def pick(frame: Frame, spec: LayerSpec, keys: Collection[str] | None) -> Frame:
    """The rows of ``frame`` whose business key (its fields' values as text, joined by ``,``) is one of
    ``keys``; ``frame`` whole if ``keys`` is None.
    """
    if keys is None:
        return frame
    wanted = set(keys)
    cols = spec.key.split(",")
    named = [",".join(str(v) for v in row) for row in frame[cols].itertuples(index=False)]
    return frame[[k in wanted for k in named]]


def clip(frame: Frame, bbox: Bounds | None) -> Frame:
    """The features of ``frame`` that meet ``bbox`` (as the store's read with a box gives them); a table whole."""
    if bbox is None or not isinstance(frame, gpd.GeoDataFrame) or not len(frame):
        return frame
    area = shapely.box(*bbox)
    if frame.has_sindex:  # a frame drawn page after page (an atlas) keeps its index: a query per page
        return frame.iloc[np.sort(frame.sindex.query(area, predicate="intersects"))]
    return frame[frame.intersects(area).to_numpy()]


def with_derived(store: Store, layer_id: LayerId, frame: Frame, when: dt.datetime | None = None) -> Frame:
    """``frame`` with the catalog's derived fields of ``layer_id`` computed from the store (as of ``when``)."""
    if layer_id == "units" and store.has("ntm_commune"):
        return units_with_criteria(frame, at(store, "ntm_commune", when))
    if layer_id == "cadastral_parcels":
        return with_land_groups(frame)
    return frame


def with_land_groups(frame: Frame) -> Frame:
    """Cadastral parcels with their area in hectares and their land-use group (from the national code)."""
    if "land_use" not in frame.columns:
        return frame
    area = pd.to_numeric(frame["area_m2"], errors="coerce") if "area_m2" in frame.columns else None
    return frame.assign(
        area_ha=None if area is None else (area / 10_000).round(4),
        use_group=frame["land_use"].map(LAND_USE_GROUP),
    )


def for_reader(frame: Frame, spec: LayerSpec | None, sensitive: bool) -> Frame:
    """``frame`` as a reader sees it: whole if they may see sensitive fields, else without them."""
    if sensitive or spec is None or not spec.sensitive:
        return frame
    return frame.drop(columns=[c for c in spec.sensitive if c in frame.columns])


def by_units(store: Store, layer_id: LayerId, frame: Frame, units: reform.Units) -> Frame:
    """``frame`` grouped by the 2024 units or by the communes of 1/7/2025, keeping the other code beside."""
    if "unit_code" not in frame.columns or not store.has("unit_crosswalk"):
        return frame
    crosswalk, communes = unit_tables(store)
    return reform.regroup(frame, layer_id, crosswalk, communes, units)


_UNIT_TABLES: weakref.WeakKeyDictionary[Store, tuple[tuple[str, str], pd.DataFrame, gpd.GeoDataFrame | None]] = (
    weakref.WeakKeyDictionary()
)


def unit_tables(store: Store) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
    """The reform's crosswalk and the communes of 1/7/2025 (``None`` if the store has none), read once per
    store handle and their versions: a meeting pack or an export regroups a dozen layers by them.
    Shared frames: callers read them, never write them.
    """
    versions = (store.table_version("unit_crosswalk"), store.table_version("communes_2025"))
    held = _UNIT_TABLES.get(store)
    if held is None or held[0] != versions:
        communes = store.read("communes_2025") if store.has("communes_2025") else None
        held = (versions, store.read("unit_crosswalk"), communes)
        _UNIT_TABLES[store] = held
    return held[1], held[2]


def read_layer(
    store: Store,
    layer_id: LayerId,
    sensitive: bool,
    as_of: dt.datetime | None = None,
    units: reform.Units = "2024",
    bbox: Bounds | None = None,
    keys: Collection[str] | None = None,
) -> Frame:
    """A layer or table with its derived fields, as a reader with or without ``sensitive`` rights sees it,
    now or as it stood at ``as_of`` (see :mod:`geo.read.history`), grouped by ``units`` (see :mod:`geo.read.reform`);
    with ``bbox`` (WGS 84: west, south, east, north), only the features whose bounding box meets it, read
    through the store's spatial index (a printed view of a province's cadastre reads the view, not the
    province); with ``keys``, only the features of those business keys, found by the store.
    """
    frame = with_derived(store, layer_id, at(store, layer_id, as_of, bbox, keys), as_of)
    frame = by_units(store, layer_id, frame, units)
    return for_reader(frame, store.catalog.get(layer_id), sensitive)


class Reader:
    """A store as one reader sees it: what :func:`read_layer` gives, behind the store's own read interface.

    Parameters
    ----------
    store
        The open store.
    sensitive
        Whether this reader may see sensitive fields (planners and admins may, viewers may not).
    as_of
        The moment read (``None``: now).
    units
        Group per-unit figures by the 2024 units or by the communes of 1/7/2025.

    """

    def __init__(
        self, store: Store, sensitive: bool, as_of: dt.datetime | None = None, units: reform.Units = "2024"
    ) -> None:
        self.store = store
        self.sensitive = sensitive
        self.as_of = as_of
        self.units = units

    @property
    def location(self) -> Path | str:
        """Where the store is (a GeoPackage file or a PostGIS address)."""
        return self.store.location

    @property
    def catalog(self) -> Catalog:
        """The store's catalog."""
        return self.store.catalog

    def has(self, layer_id: LayerId) -> bool:
        """Whether the store holds ``layer_id``."""
        return self.store.has(layer_id)

    def meta(self) -> dict[LayerId, LayerMeta]:
        """Provenance of every layer, as it stood on the day read."""
        meta = self.store.meta()
        return meta if self.as_of is None else history.meta_as_of(self.store.location, meta, self.as_of)

    def today(self) -> dt.date:
        """The day this reader looks at (Vietnam time): the day read, else today."""
        return (self.as_of or dt.datetime.now(history.VIETNAM)).astimezone(history.VIETNAM).date()

    def read(self, layer_id: LayerId, bbox: Bounds | None = None) -> Any:
        """The layer as this reader sees it; with ``bbox`` (WGS 84), only what meets it."""
        return read_layer(self.store, layer_id, self.sensitive, self.as_of, self.units, bbox)

    def features(self, layer_id: LayerId, keys: Collection[str]) -> Any:
        """The features of ``layer_id`` whose business key is one of ``keys``, as this reader sees them (on
        its day, by its units, for its role), in the layer's order; found by the store on the present day.
        """
        return read_layer(self.store, layer_id, self.sensitive, self.as_of, self.units, keys=keys)

    def keys_where(self, layer_id: LayerId, where: Mapping[str, Collection[object]]) -> list[str] | None:
        """The keys of the features of ``layer_id`` that may pass ``where`` (field → accepted values, as
        :func:`geo.read.filters.apply_filters` takes them), found by the store without reading the layer; or
        ``None`` when the store cannot tell. It answers for the fields it holds as this reader sees them: text
        stored as read, today, that the reader may see (not a unit regrouped by the reform, not a derived or,
        for a viewer, sensitive field). The others are left to the filter applied to what it found: every
        feature that passes ``where`` is among the keys, which the caller filters as before.
        """
        spec = self.catalog.get(layer_id)
        if self.as_of is not None or spec is None or not spec.key or not self.has(layer_id):
            return None
        fields = {f.name: f for f in spec.fields}
        pushed = {
            name: [str(v) for v in values]
            for name, values in where.items()
            if name in fields
            and fields[name].kind == "str"
            and not fields[name].derived
            and name not in REGROUPED
            and (self.sensitive or name not in spec.sensitive)
            and len(values) > 0  # an empty choice is no filter at all
            and all(isinstance(v, str) for v in values)
        }
        return self.store.keys_where(layer_id, pushed) if pushed else None

    def totals(self, layer_id: LayerId, columns: Sequence[str]) -> dict[str, float]:
        """The total of each of ``columns`` over the whole layer as this reader sees it (a missing value
        counts as nothing): added up by the store on the present day, else from the layer as read.
        """
        spec = self.catalog.get(layer_id)
        hidden = set() if self.sensitive or spec is None else set(spec.sensitive)
        derived = layer_id in ("units", "cadastral_parcels")  # see with_derived: their extra fields are computed
        if self.as_of is None and not derived and not hidden & set(columns):
            return self.store.sums(layer_id, columns)
        frame = self.read(layer_id)
        return {c: float(pd.to_numeric(frame[c], errors="coerce").sum()) for c in columns}
