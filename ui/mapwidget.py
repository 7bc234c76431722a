"""The map widget shared by every page: layer toggles, the map, the selected record.

The base map is the same on every rerun (so streamlit-folium never remounts
it and the user's view is kept); layers, legend and badge travel as
``feature_group_to_add``. The map returns only the clicked feature. A
selection made in a table or a chart moves the view to the feature; a
selection made on the map, or a filter change, leaves the view alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.catalog import CATALOG
from geo.i18n import Lang, t
from geo.mapview import Bounds, MapState, base_map, feature_view, legend_blocks, overlays
from geo.records import record
from geo.safe import html_text
from geo.style import LegendBlock, legend_html
from ui import data, state
from ui.assets import AppPublisher, asset_base
from ui.auth import current_user

Selection = dict[str, Any]  # {"layer": id, "key": feature key, "zoom": bool, "n": counter}


def home_bounds(layer_id: str = "district", margin: float = 0.15) -> Bounds:
    """The extent of ``layer_id`` with a margin (a share of its size): a page's home view."""
    w, s, e, n = (float(v) for v in data.layer(layer_id).total_bounds)
    dx, dy = (e - w) * margin, (n - s) * margin
    return (w - dx, s - dy, e + dx, n + dy) if layer_id != "district" else (w, s, e, n)


# -- selection ------------------------------------------------------------------------
def selection(page: str) -> Selection | None:
    """The feature selected on ``page``, if any."""
    return st.session_state.get(f"sel_{page}")


def select(page: str, layer_id: str, key: str, zoom: bool) -> None:
    """Select a feature on ``page``; ``zoom`` moves the map to it (table and chart clicks do)."""
    previous = selection(page) or {}
    st.session_state[f"sel_{page}"] = {"layer": layer_id, "key": key, "zoom": zoom, "n": previous.get("n", 0) + 1}


def flash(page: str, text: str) -> None:
    """Confirm a planner's change above the record of the feature it was made to (select it first)."""
    sel = selection(page)
    if sel:
        st.session_state[f"edit_flash_{page}"] = {"text": text, "on": (sel["layer"], sel["key"])}


def clear_selection(page: str) -> None:
    """Forget the page's selection."""
    st.session_state.pop(f"sel_{page}", None)


def selection_from_link(page: str) -> None:
    """Take ``?sel=layer:key`` from the URL (links from the overview), once."""
    value = st.query_params.get("sel")
    if value and ":" in value:
        lid, key = value.split(":", 1)
        if lid in CATALOG:
            select(page, lid, key, zoom=True)
    if "sel" in st.query_params:
        del st.query_params["sel"]


def _on_map_change(page: str, key: str, picking: bool) -> None:
    value: Any = st.session_state.get(key) or {}
    if not isinstance(value, dict):
        return
    b = value.get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if _finite(sw.get("lng"), sw.get("lat"), ne.get("lng"), ne.get("lat")):
        st.session_state[f"view_{page}"] = (sw["lng"], sw["lat"], ne["lng"], ne["lat"])
    props = (value.get("last_active_drawing") or {}).get("properties") or {}
    clicked = (props.get("_l"), props.get("_k"))
    # The component reports its last click again with every pan: only a new click selects.
    if clicked[0] in CATALOG and clicked[1] is not None and st.session_state.get(f"seen_{page}") != clicked:
        st.session_state[f"seen_{page}"] = clicked
        if not picking:  # while picking a position, a click on a feature places the pin, it does not select
            select(page, str(clicked[0]), str(clicked[1]), zoom=False)
    at = value.get("last_clicked") or {}
    if picking and isinstance(at, dict) and _finite(at.get("lng"), at.get("lat")):
        st.session_state[f"pin_{page}"] = (round(float(at["lng"]), 7), round(float(at["lat"]), 7))


def _finite(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def picking(page: str) -> bool:
    """Whether a planner is picking a point's position on ``page``'s map (the toggle under it)."""
    return bool(st.session_state.get(f"pick_{page}"))


def picked(page: str) -> tuple[float, float] | None:
    """The (lon, lat) the planner clicked on ``page``'s map while picking, if any."""
    pin = st.session_state.get(f"pin_{page}")
    return tuple(pin) if pin and picking(page) else None


def stop_picking(page: str) -> None:
    """After a point was placed: the toggle goes off on the next run, the pin goes away."""
    st.session_state[f"pick_off_{page}"] = True
    st.session_state.pop(f"pin_{page}", None)


def _can_place_points(visible: list[str]) -> bool:
    user = current_user()
    return bool(user and user.can_edit) and any(
        CATALOG[lid].geometry == "Point" and CATALOG[lid].editable for lid in visible if lid in CATALOG
    )


def current_view(page: str) -> Bounds | None:
    """The extent the user is looking at on ``page`` (west, south, east, north), once the map has reported it."""
    view = st.session_state.get(f"view_{page}")
    return tuple(view) if view else None


def find_feature(frame: Any, layer_id: str, fkey: str) -> Any:
    """The row of ``frame`` whose business key is ``fkey`` (``None`` if it is not there)."""
    match = frame
    for k, v in zip(CATALOG[layer_id].key.split(","), fkey.split(","), strict=False):
        match = match[match[k].astype(str) == v]
    return None if match.empty else match.iloc[0]


# -- the map --------------------------------------------------------------------------
def layer_toggles(layer_ids: tuple[str, ...], key: str) -> list[str]:
    """Multi-select pills of the page's layers; returns the visible ones."""
    lang = state.lang()
    available = [lid for lid in layer_ids if data.store().has(lid)]
    default = [lid for lid in available if CATALOG[lid].default_visible]
    chosen = st.pills(
        t("map.layers", lang),
        available,
        selection_mode="multi",
        default=None if f"{key}_layers" in st.session_state else default,  # a view may have set it
        format_func=lambda lid: CATALOG[lid].title(lang),
        key=f"{key}_layers",
        width="stretch",
        wrap=True,
    )
    return [lid for lid in available if lid in (chosen or [])]


def map_view(
    page: str,
    visible: list[str],
    frames: dict[str, gpd.GeoDataFrame] | None = None,
    height: int = 640,
    color_by: tuple[tuple[str, str], ...] = (),
    opacity: float = 1.0,
    home: str = "district",
    highlight: tuple[tuple[str, str], ...] = (),
    editing: bool = False,
) -> list[LegendBlock]:
    """Draw the map of the ``visible`` layers (``frames``: their filtered features).

    ``home`` is the layer whose extent the map opens on (the district, or e.g. the cluster).
    ``editing``: a map where planners add and move points (not a slide, not an import's preview),
    which offers them to pick a position on it.
    Returns the legend of what is drawn, for :func:`side_legend`.
    """
    lang = state.lang()
    key = f"map_{page}"
    frames = frames if frames is not None else {lid: data.layer(lid) for lid in visible}
    sel = selection(page)
    selected = (sel["layer"], sel["key"]) if sel else None
    center, zoom = None, None
    if sel and sel.get("zoom") and sel["layer"] in frames:
        row = find_feature(frames[sel["layer"]], sel["layer"], sel["key"])
        if row is not None and row.geometry is not None and not row.geometry.is_empty:
            center, zoom = feature_view(row.geometry, 700, height)
            # A tiny nudge per selection, so that choosing the same feature again moves the map back to it.
            center = [center[0] + sel["n"] % 7 * 1e-9, center[1]]
    can_pick = editing and _can_place_points(visible)
    if (st.session_state.pop(f"pick_off_{page}", False) or not can_pick) and picking(page):
        st.session_state[f"pick_{page}"] = False  # before the toggle exists in this run
    pick = picking(page)
    if not pick:
        st.session_state.pop(f"pin_{page}", None)
    state_ = MapState(
        tuple(visible),
        lang,
        st.session_state.get("basemap", "none"),
        selected,
        color_by,
        opacity,
        highlight,
        pick,
        picked(page),
    )
    st_folium(
        base_map(st.session_state.get(f"home_{page}") or home_bounds(home), asset_base()),
        key=key,
        height=height,
        use_container_width=True,  # streamlit-folium's own argument
        # Clicks on the map come back only while a planner picks a position (geo.mapview.PickMode).
        returned_objects=["last_active_drawing", "bounds"],
        feature_group_to_add=overlays(frames, state_, set(data.demo_layers()), AppPublisher()),
        center=center,
        zoom=zoom,
        on_change=lambda: _on_map_change(page, key, pick),
    )
    if not visible:
        st.caption(t("map.no_layers", lang))
    if can_pick:
        st.toggle(t("edit.pick", lang), key=f"pick_{page}", help=t("edit.pick_help", lang))
        if pick:
            pin = picked(page)
            st.caption(
                t("edit.picked", lang, lon=f"{pin[0]:.6f}", lat=f"{pin[1]:.6f}") if pin else t("edit.pick_first", lang)
            )
    return legend_blocks(frames, state_)


def side_legend(blocks: list[LegendBlock]) -> None:
    """The legend beside the map (the in-map one starts folded, so it never hides features)."""
    if blocks:
        st.html(legend_html(blocks, t("map.legend", state.lang())))


def record_table(layer_id: str, row: Any, lang: Lang) -> None:
    """A feature's full record, every value escaped."""
    spec = CATALOG[layer_id]
    rows = "".join(
        f"<tr><th>{html_text(label)}</th><td>{html_text(text)}</td></tr>"
        for label, text in record(spec, row, None, lang, data.unit_names())
    )
    st.markdown(f"**{html_text(spec.title(lang))}**")
    st.markdown(f'<table class="dl-record">{rows}</table>', unsafe_allow_html=True)


def record_panel(
    page: str, frames: dict[str, Any] | None = None, extra: Callable[[str, Any], None] | None = None
) -> None:
    """The selected feature's record (and, through ``extra``, what it contributes)."""
    lang = state.lang()
    st.subheader(t("map.selected", lang))
    sel = selection(page)
    flash = st.session_state.get(f"edit_flash_{page}")  # what the planner just saved, moved or added
    if flash and sel and flash["on"] == (sel["layer"], sel["key"]):
        st.success(flash["text"])  # until another feature is selected: a rerun of the map does not hide it
    else:
        st.session_state.pop(f"edit_flash_{page}", None)
    frame = None
    if sel:
        frame = (frames or {}).get(sel["layer"])
        frame = frame if frame is not None else data.layer(sel["layer"])
    row = find_feature(frame, sel["layer"], sel["key"]) if sel and frame is not None else None
    if row is None:
        st.caption(t("map.click_hint", lang))
        return
    record_table(sel["layer"], row, lang)  # type: ignore[index]
    if extra is not None:
        extra(sel["layer"], row)  # type: ignore[index]
    from ui.editing import edit_form

    edit_form(page, sel["layer"], row)  # type: ignore[index]
    st.button(t("map.clear", lang), key=f"clear_{page}", on_click=clear_selection, args=(page,))


def map_with_record(layer_ids: tuple[str, ...], page: str, height: int = 640, title: str | None = None) -> None:
    """The simple page body: toggles, the map on the left, the selected record on the right."""
    from ui.export import export_panel

    left, right = st.columns([3, 1])
    with left:
        visible = layer_toggles(layer_ids, f"map_{page}")
        frames = {lid: data.layer(lid) for lid in visible}
        blocks = map_view(page, visible, frames, height=height, editing=True)
        export_panel(page, visible, frames, title or t("app.title", state.lang()))
        from ui.views import save_view_box

        save_view_box("" if page == "overview" else page, visible)
    with right:
        record_panel(page)
        side_legend(blocks)
