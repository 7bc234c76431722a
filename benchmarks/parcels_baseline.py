"""Baseline for benchmarks/scale.py: a parcel layer the plain folium + streamlit-folium way.

The layer as folium.GeoJson with a GeoJsonTooltip and a style function, the whole map
rebuilt and handed to st_folium on every rerun, and a widget that has nothing to do with
the map. Leaflet is served locally (as in our app) so that the baseline can draw at all on
a machine without internet; everything else is plain. The store is $DINHLAP_STORE.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.model.catalog import CATALOG
from geo.store.reads import Store
from geo.webmap.style import feature_color
from ui.assets import asset_base


def parcel_map(gdf, base: str) -> folium.Map:
    """The plain folium map of ``gdf`` (forest parcels): also what the benchmark sizes as HTML."""
    spec = CATALOG["forest_parcels"]
    m = folium.Map(location=[21.54, 107.12], zoom_start=11, tiles=None)
    # Leaflet from the app, as OfflineMap serves it, and nothing else (folium's defaults come from CDNs)
    m.default_js = [("leaflet", base + "leaflet.js")]
    m.default_css = [("leaflet_css", base + "leaflet.css")]

    def style(feature):
        value = feature["properties"].get("status")
        return {"color": spec.paint.color, "fillColor": feature_color(spec, value), "weight": spec.paint.weight}

    fields = [f for f in spec.tooltip if f in gdf.columns]
    folium.GeoJson(gdf, style_function=style, tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
    return m


if __name__ == "__main__":
    st.set_page_config(layout="wide")
    st.toggle("Hiện bảng", key="unrelated")
    st_folium(parcel_map(Store().read("forest_parcels"), asset_base()), height=620, use_container_width=True)
