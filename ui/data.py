"""Cached reads of the store, keyed by file and version so an edit invalidates them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import edit
from geo.catalog import redact
from geo.edit import AuditRow
from geo.panels import units_with_criteria
from geo.store import LayerMeta, Store


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(path: str, version: str) -> Store:
    del version  # reopened when the file changes: an import may add a layer
    return Store(path)


def store() -> Store:
    """The store of this app (``$DINHLAP_STORE`` or the demo store)."""
    from geo.store import store_path

    path = store_path()
    try:
        st_ = path.stat()
        version = f"{st_.st_mtime_ns}-{st_.st_size}"
    except OSError:
        version = ""
    return _open(str(path), version)


def sensitive_ok() -> bool:
    """Whether the signed-in user may see sensitive fields (planners and admins; viewers may not)."""
    user = st.session_state.get("user")
    return isinstance(user, dict) and user.get("role") in ("planner", "admin")


# A resource, not data: one shared frame, never pickled per call (a 50,000-parcel layer took
# 20 ms to unpickle, a dozen times a rerun). Callers get a shallow copy: with pandas'
# copy-on-write nothing they do reaches the shared frame.
@st.cache_resource(show_spinner=False, max_entries=64)
def _read(path: str, version: str, layer_id: str) -> gpd.GeoDataFrame | pd.DataFrame:
    store = _open(path, version)
    frame = store.read(layer_id)
    if layer_id == "units" and store.has("ntm_commune"):  # the catalog's derived fields
        frame = units_with_criteria(frame, store.read("ntm_commune"))
    return frame


def layer(layer_id: str) -> gpd.GeoDataFrame | pd.DataFrame:
    """A layer or table of the store (cached until the file changes), without the fields this user may not see."""
    s = store()
    frame = _read(str(s.path), s.version, layer_id).copy(deep=False)
    return frame if sensitive_ok() else redact(frame, layer_id)


@st.cache_data(show_spinner=False)
def _demo_ids(path: str, version: str) -> frozenset[str]:
    return frozenset(lid for lid, m in _meta(path, version).items() if m.demo)


def demo_layers() -> frozenset[str]:
    """Ids of the layers flagged as demo data."""
    s = store()
    return _demo_ids(str(s.path), s.version)


def unit_names() -> dict[str, str]:
    """Unit code → name, for showing a commune by name wherever a code is stored."""
    units = layer("units")
    return dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))


@st.cache_data(show_spinner=False)
def _meta(path: str, version: str) -> dict[str, LayerMeta]:
    return _open(path, version).meta()


def meta() -> dict[str, LayerMeta]:
    """Provenance of every layer (cached until the file changes)."""
    s = store()
    return _meta(str(s.path), s.version)


@st.cache_data(show_spinner=False, max_entries=16)
def _last_changes(path: str, version: str, layer_id: str) -> dict[str, AuditRow]:
    del version  # the cache key: an edit changes the file
    return edit.last_changes(Path(path), layer_id)


def last_changes(layer_id: str) -> dict[str, AuditRow]:
    """The latest change of each feature of ``layer_id`` (read once per store version, not every rerun)."""
    s = store()
    return _last_changes(str(s.path), s.version, layer_id)
