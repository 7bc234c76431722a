"""What one reader may read of a store: the one read path of the app, the meeting pack and the command line.

A layer is read, given its derived fields (a commune's criteria met, computed from the
criteria table), and, for a reader who may not see them, stripped of its sensitive fields
(dispute parties, household figures). Nothing else in the project applies either rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd

from geo.catalog import Catalog, LayerId, LayerSpec
from geo.panels import units_with_criteria
from geo.store import LayerMeta, Store

Frame: TypeAlias = gpd.GeoDataFrame | pd.DataFrame


def with_derived(store: Store, layer_id: LayerId, frame: Frame) -> Frame:
    """``frame`` with the catalog's derived fields of ``layer_id`` computed from the store."""
    if layer_id == "units" and store.has("ntm_commune"):
        return units_with_criteria(frame, store.read("ntm_commune"))
    return frame


def for_reader(frame: Frame, spec: LayerSpec | None, sensitive: bool) -> Frame:
    """``frame`` as a reader sees it: whole if they may see sensitive fields, else without them."""
    if sensitive or spec is None or not spec.sensitive:
        return frame
    return frame.drop(columns=[c for c in spec.sensitive if c in frame.columns])


def read_layer(store: Store, layer_id: LayerId, sensitive: bool) -> Frame:
    """A layer or table with its derived fields, as a reader with or without ``sensitive`` rights sees it."""
    return for_reader(with_derived(store, layer_id, store.read(layer_id)), store.catalog.get(layer_id), sensitive)


class Reader:
    """A store as one reader sees it: what :func:`read_layer` gives, behind the store's own read interface.

    Parameters
    ----------
    store
        The open store.
    sensitive
        Whether this reader may see sensitive fields (planners and admins may, viewers may not).

    """

    def __init__(self, store: Store, sensitive: bool) -> None:
        self.store = store
        self.sensitive = sensitive

    @property
    def path(self) -> Path:
        """The store's file."""
        return self.store.path

    @property
    def catalog(self) -> Catalog:
        """The store's catalog."""
        return self.store.catalog

    def has(self, layer_id: LayerId) -> bool:
        """Whether the store holds ``layer_id``."""
        return self.store.has(layer_id)

    def meta(self) -> dict[LayerId, LayerMeta]:
        """Provenance of every layer."""
        return self.store.meta()

    def read(self, layer_id: LayerId) -> Any:
        """The layer as this reader sees it."""
        return read_layer(self.store, layer_id, self.sensitive)
