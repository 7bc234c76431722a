"""Serve Leaflet from the installed ``xstatic-leaflet`` package, through the app itself.

Streamlit serves the folder of every declared component at
``/component/<name>/``; declaring the package folder as a component makes the
app serve Leaflet with nothing copied and no CDN. The component is never
rendered; only its files are used.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from geo.mapview import leaflet_dir

_LEAFLET = components.declare_component("leaflet", path=leaflet_dir())


def asset_base() -> str:
    """URL prefix (ending in ``/``) under which ``leaflet.js`` and ``leaflet.css`` are served."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{_LEAFLET.name}/"
