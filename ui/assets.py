"""Serve Leaflet from the installed ``xstatic-leaflet`` package, through the app itself.

Streamlit serves the folder of every declared component at
``/component/<name>/``; declaring the package folder as a component makes the
app serve Leaflet with nothing copied and no CDN. The component is never
rendered; only its files are used.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from geo.catalog import LayerSpec
from geo.mapview import leaflet_dir

_LEAFLET = components.declare_component("leaflet", path=leaflet_dir())


def _served_at(component_name: str) -> str:
    """URL prefix (ending in ``/``) under which the app serves a declared component's folder."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{component_name}/"


def asset_base() -> str:
    """URL prefix (ending in ``/``) under which ``leaflet.js`` and ``leaflet.css`` are served."""
    return _served_at(_LEAFLET.name)


# Large layers' compact files (see geo.compact), served the same way from a folder of this
# server process: named by content hash, so a browser may keep them and a rerun never rewrites them.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="dinhlap-mapdata-"))
atexit.register(shutil.rmtree, _DATA_DIR, True)
_DATA = components.declare_component("mapdata", path=str(_DATA_DIR))


def _publish(blob: bytes) -> dict[str, str]:
    from geo.compact import digest, gz

    blob = gz(blob)  # compressed once here, not on every request
    name = f"{digest(blob)}.bin.gz"  # served as application/gzip, which the server's own gzip leaves alone
    target = _DATA_DIR / name
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(target)  # a reader never sees half a file
    return {"url": _served_at(_DATA.name) + name}


@st.cache_resource(show_spinner=False, max_entries=16)
def _geometry(path: str, version: str, layer_id: str) -> tuple[dict[str, str], pd.Index]:
    from geo.catalog import CATALOG
    from geo.mapview import clean_geometries, geometry_file
    from ui import data

    del path, version  # the cache key: a new store version publishes a new file
    gdf = clean_geometries(data.layer(layer_id))
    return _publish(geometry_file(CATALOG[layer_id], gdf)), gdf.index


class AppPublisher:
    """Large layers served by this app: the geometry once per store version, a style per filter."""

    def geometry(self, spec: LayerSpec) -> tuple[dict[str, str], pd.Index]:
        """The layer's geometry file (written once per store version)."""
        from ui import data

        s = data.store()
        return _geometry(str(s.path), s.version, spec.id)

    def put(self, blob: bytes) -> dict[str, str]:
        """A style file."""
        return _publish(blob)

    def size(self, spec: LayerSpec) -> int:
        """The whole layer's size."""
        from ui import data

        return len(data.layer(spec.id))
