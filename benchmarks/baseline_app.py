"""Baseline for benchmarks/run.py: the overview as plain folium + streamlit-folium would do it.

The same layers as folium.GeoJson with GeoJsonTooltip and a style function, the whole map
rebuilt and passed to st_folium on every rerun. Leaflet is served locally (as in our app) so
that the baseline can draw at all on a machine without internet; everything else is plain.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.model.catalog import CATALOG, OVERVIEW_LAYERS
from geo.store.reads import Store
from geo.webmap.mapview import OfflineMap
from geo.webmap.style import feature_color
from ui.assets import asset_base

st.set_page_config(layout="wide")
st.toggle("Hiện nguyên văn Thông báo", key="show_quotes")
store = Store()
m = OfflineMap(asset_base(), location=[21.54, 107.12], zoom_start=11)
for lid in OVERVIEW_LAYERS:
    spec = CATALOG[lid]
    if not spec.default_visible:
        continue
    gdf = store.read(lid)
    fields = [f for f in spec.tooltip if f in gdf.columns]

    def style(feature, spec=spec):
        value = feature["properties"].get(spec.status_field) if spec.status_field else None
        return {"color": spec.paint.color, "fillColor": feature_color(spec, value), "weight": spec.paint.weight}

    folium.GeoJson(gdf, name=spec.vi, style_function=style, tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
st_folium(m, height=680, use_container_width=True)
