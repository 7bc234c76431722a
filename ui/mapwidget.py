"""The map widget shared by every page: layer toggles, the map, the selected record.

The base map is the same on every rerun (so streamlit-folium never remounts
it and the user's view is kept); layers, legend and badge travel as
``feature_group_to_add``. The map returns only the clicked feature.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.catalog import CATALOG
from geo.i18n import t
from geo.mapview import Bounds, MapState, base_map, overlays
from geo.records import record
from geo.safe import html_text
from ui import data, state
from ui.assets import asset_base


def district_bounds() -> Bounds:
    """The district's extent, the map's home view."""
    w, s, e, n = (float(v) for v in data.layer("district").total_bounds)
    return (w, s, e, n)


def _clicked(key: str) -> tuple[str, str] | None:
    value: Any = st.session_state.get(key) or {}
    drawing = value.get("last_active_drawing") if isinstance(value, dict) else None
    props = (drawing or {}).get("properties") or {}
    lid, fkey = props.get("_l"), props.get("_k")
    return (str(lid), str(fkey)) if lid in CATALOG and fkey is not None else None


def layer_toggles(layer_ids: tuple[str, ...], key: str) -> list[str]:
    """Multi-select pills of the page's layers; returns the visible ones."""
    lang = state.lang()
    available = [lid for lid in layer_ids if data.store().has(lid)]
    default = [lid for lid in available if CATALOG[lid].default_visible]
    chosen = st.pills(
        t("map.layers", lang),
        available,
        selection_mode="multi",
        default=default,
        format_func=lambda lid: CATALOG[lid].title(lang),
        key=f"{key}_layers",
        width="stretch",
        wrap=True,
    )
    return [lid for lid in available if lid in (chosen or [])]


def map_view(layer_ids: tuple[str, ...], key: str, height: int = 640) -> tuple[str, str] | None:
    """Draw the map of ``layer_ids`` with toggles; return the selected (layer, feature key)."""
    lang = state.lang()
    visible = layer_toggles(layer_ids, key)
    selected = _clicked(key)
    frames = {lid: data.layer(lid) for lid in visible}
    groups = overlays(
        frames,
        MapState(tuple(visible), lang, st.session_state.get("basemap", "none"), selected),
        set(data.demo_layers()),
    )
    st_folium(
        base_map(district_bounds(), asset_base()),
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        feature_group_to_add=groups,
    )
    if not visible:
        st.caption(t("map.no_layers", lang))
    return selected


def record_panel(selected: tuple[str, str] | None) -> None:
    """The full record of the selected feature, in readable labels."""
    lang = state.lang()
    st.subheader(t("map.selected", lang))
    if selected is None:
        st.caption(t("map.click_hint", lang))
        return
    lid, fkey = selected
    spec = CATALOG[lid]
    frame = data.layer(lid)
    keys = spec.key.split(",")
    match = frame
    for k, v in zip(keys, fkey.split(","), strict=False):
        match = match[match[k].astype(str) == v]
    if match.empty:
        st.caption(t("map.click_hint", lang))
        return
    row = match.iloc[0]
    rows = "".join(
        f"<tr><th>{html_text(label)}</th><td>{html_text(text)}</td></tr>"
        for label, text in record(spec, row, None, lang, data.unit_names())
    )
    st.markdown(f"**{html_text(spec.title(lang))}**")
    st.markdown(f'<table class="dl-record">{rows}</table>', unsafe_allow_html=True)


def map_with_record(layer_ids: tuple[str, ...], key: str, height: int = 640) -> tuple[str, str] | None:
    """The usual page body: the map on the left, the selected record on the right."""
    left, right = st.columns([3, 1])
    with left:
        selected = map_view(layer_ids, key=key, height=height)
    with right:
        record_panel(selected)
    return selected


def theme_page(theme: str, nav_key: str) -> None:
    """A theme page that, for now, shows the theme's layers on the map."""
    from geo.catalog import THEME_LAYERS

    lang = state.lang()
    st.title(t(nav_key, lang))
    st.caption(t("page.todo_theme", lang))
    map_with_record(THEME_LAYERS[theme], key=f"map_{theme}")  # type: ignore[index]
