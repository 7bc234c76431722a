"""The map widget shared by every page: layer toggles, the map, the legend beside it, a record table.

The base map is the same on every rerun (so streamlit-folium never remounts
it and the user's view is kept); layers, legend and badge travel as
``feature_group_to_add``. The map returns its extent and the clicked feature. A
selection made in a table or a chart moves the view to the feature; a
selection made on the map, or a filter change, leaves the view alone.

The map is a fragment of its page: the report of a move reruns the map alone, unless the rest of the page
must follow it (:func:`ui.selection.on_map_change`).

Whoever calls :func:`map_view` hands it a :class:`geo.webmap.mapview.MapData`: the frames drawn, the
catalog that describes them, and the data version they were read at. Nothing here reads a layer
back by id to draw it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.model.catalog import Catalog
from geo.model.i18n import Lang, t
from geo.model.safe import html_text, md_text
from geo.read import history
from geo.read.filters import Filters, narrowed
from geo.read.records import record
from geo.webmap.mapview import Bounds, MapData, MapState, base_map, feature_view, legend_blocks, overlays
from geo.webmap.style import LegendBlock, legend_html
from geo.webmap.tiles import TileQuery, plain_filters, tile_threshold
from ui import data, state
from ui.assets import AppPublisher, asset_base, scripts_url, static_base, worker_url
from ui.auth import current_user
from ui.drawing import draw_spec
from ui.measure import measured_shape
from ui.selection import find_feature, on_map_change, page_follows, page_run, picked, picking, selection
from ui.tileserver import tile_url


def home_bounds(layer_id: str = "district", margin: float = 0.15) -> Bounds:
    """The extent of ``layer_id`` with a margin (a share of its size): a page's home view."""
    w, s, e, n = (float(v) for v in data.layer(layer_id).total_bounds)
    dx, dy = (e - w) * margin, (n - s) * margin
    return (w - dx, s - dy, e + dx, n + dy) if layer_id != "district" else (w, s, e, n)


def stored(
    frames: dict[str, gpd.GeoDataFrame],
    whole: dict[str, gpd.GeoDataFrame] | None = None,
    filters: dict[str, Filters] | None = None,
) -> MapData:
    """``frames`` (filtered features of the store's layers) with the store's catalog and version.

    ``whole``: the layers before the filter (default: as the store holds them); ``filters``: what made
    ``frames`` of them (a layer drawn from vector tiles takes its filters to where its tiles are built).
    """
    s = data.store()
    every = whole if whole is not None else {lid: data.layer(lid) for lid in frames if s.has(lid)}
    day = data.as_of_day()
    return MapData(frames, s.catalog, every, {lid: data.geometry_version(lid, day) for lid in every}, filters)


def tile_urls(drawn: MapData, visible: list[str], state_: MapState) -> dict[str, str]:
    """The signed vector-tile URL of each visible stored layer above :func:`geo.webmap.tiles.tile_threshold`
    features, for this reader (sensitive fields or not), these filters, this colouring and this day.
    """
    if drawn.version is None:  # frames that exist only now (an import's preview): nothing to build tiles from
        return {}
    s, limit, out = data.store(), tile_threshold(), {}
    shown = data.as_of_day() if drawn.day == "session" else dt.date.fromisoformat(drawn.day) if drawn.day else None
    day = shown if shown is not None and shown < data.today() else None
    for lid in visible:
        whole = (drawn.whole or {}).get(lid, drawn.frames.get(lid))
        if whole is None or lid not in drawn.catalog or not drawn.catalog[lid].geometry or not s.has(lid):
            continue
        if len(whole) <= limit:
            continue
        # Only the filters that leave something out travel (a filter panel's defaults are every value, the whole
        # range): the page as it opens asks for the same tiles as every other reader's, kept in the cache and
        # built the fast way (geo.webmap.tiles.gpkg_tile).
        asked = narrowed(drawn.catalog[lid], whole, (drawn.filters or {}).get(lid) or {})
        asked = {k: v for k, v in asked.items() if not (isinstance(v, list | tuple) and len(v) == 0)}
        query = TileQuery(
            lid,
            data.sensitive_ok(),
            plain_filters(asked),
            state_.color_field(lid),
            history.moment(day).isoformat() if day else None,
        )
        out[lid] = tile_url("", query, s.version)
    return out


def _can_place_points(visible: list[str], catalog: Catalog) -> bool:
    user = current_user()
    return (
        bool(user and user.can_edit)
        and data.as_of_day() is None
        and any(catalog[lid].geometry == "Point" and catalog[lid].editable for lid in visible if lid in catalog)
    )


# -- the map --------------------------------------------------------------------------
def units_layers(visible: list[str], keep_units: bool = False) -> list[str]:
    """The visible layers with the administrative base of the units chosen: by the communes of 1/7/2025,
    "units" is drawn as those communes (``keep_units``: a page coloured by 2024 unit keeps them, outlined
    by the new communes).
    """
    if data.units() == "2024" or "units" not in visible or not data.store().has("communes_2025"):
        return visible
    at = visible.index("units")
    swapped = ["units", "communes_2025"] if keep_units else ["communes_2025"]
    return [*visible[:at], *swapped, *visible[at + 1 :]]


def layer_toggles(layer_ids: tuple[str, ...], key: str, keep_units: bool = False) -> list[str]:
    """Multi-select pills of the page's layers; returns the visible ones (see :func:`units_layers`)."""
    lang = state.lang()
    catalog = data.catalog()
    available = [lid for lid in layer_ids if data.store().has(lid) and lid in catalog]
    me = current_user()
    # A planner's layer is on by default for everyone once published; before that, only for its importer.
    default = [
        lid
        for lid in available
        if catalog[lid].default_visible or (me is not None and catalog[lid].owner and catalog[lid].owner == me.name)
    ]
    new_units = data.units() == "2025" and not keep_units and data.store().has("communes_2025")

    def title(lid: str) -> str:
        return catalog["communes_2025" if lid == "units" and new_units else lid].title(lang)

    chosen = st.pills(
        t("map.layers", lang),
        available,  # the same options by either units: the choice survives the switch
        selection_mode="multi",
        default=state.widget_default(f"{key}_layers", available, default),
        format_func=title,
        key=f"{key}_layers",
        width="stretch",
        wrap=True,
    )
    return units_layers([lid for lid in available if lid in (chosen or [])], keep_units)


def map_view(
    page: str,
    visible: list[str],
    drawn: MapData | None = None,
    height: int = 640,
    color_by: tuple[tuple[str, str], ...] = (),
    opacity: float = 1.0,
    home: str = "district",
    highlight: tuple[tuple[str, str], ...] = (),
    editing: bool = False,
    sync: str | None = None,
    changed: tuple[tuple[str, str], ...] = (),
    legend_beside: bool = True,
    alone: bool = True,
) -> list[LegendBlock]:
    """Draw the map of the ``visible`` layers (``drawn``: their features; default the store's, unfiltered).

    ``home`` is the layer whose extent the map opens on (the district, or e.g. the cluster).
    ``editing``: a map where planners add and move points (not a slide, not an import's preview),
    which offers them to pick a position on it. ``sync``: maps of one group pan and zoom together.
    Returns the legend of what is drawn, for :func:`side_legend`. ``legend_beside``: the page shows that
    legend beside the map, so the in-map one starts folded (else, on a slide, it starts open).
    ``alone``: a move of the map reruns the map alone (:func:`_drawn_map`). Not for a map whose place on the
    page changes from run to run (an import's preview, under its report; a slide): Streamlit knows a fragment by
    its place, and the late report of a map drawn at another place than in the last run names a fragment gone
    (what the page had drawn was seen to vanish after such a report: the import's report, the slides' style).
    """
    lang = state.lang()
    key = f"map_{page}"
    drawn = drawn if drawn is not None else stored({lid: data.layer(lid) for lid in visible})
    frames, catalog = drawn.frames, drawn.catalog
    sel = selection(page)
    selected = (sel["layer"], sel["key"]) if sel else None
    center, zoom = None, None
    if sel and sel.get("zoom") and sel["layer"] in frames and sel["layer"] in catalog:
        row = find_feature(frames[sel["layer"]], catalog[sel["layer"]].key, sel["key"])
        if row is not None and row.geometry is not None and not row.geometry.is_empty:
            center, zoom = feature_view(row.geometry, 700, height)
            # A tiny nudge per selection, so that choosing the same feature again moves the map back to it.
            center = [center[0] + sel["n"] % 7 * 1e-9, center[1]]
    can_pick = editing and _can_place_points(visible, catalog)
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
        changed,
        state.projector(),
        legend_open=not legend_beside,
        # the tools, and the shape typed under the map to measure (ui.measure), drawn with its figures
        draw=replace(draw_spec(page, visible, catalog, editing), measured=measured_shape(page)),
    )
    blocks = legend_blocks(frames, state_, catalog)  # once per rerun: for the map and beside it
    tiles = tile_urls(drawn, visible, state_)
    page_run(page)
    home_view = st.session_state.get(f"home_{page}") or home_bounds(home)
    demo, unit_names = set(data.demo_layers()), data.unit_names() if tiles else None
    projector, sensitive = state.projector(), data.sensitive_ok()

    def made() -> tuple[Any, Any]:  # made anew for each run of the map: streamlit-folium renames what it is given
        base = base_map(home_view, asset_base(), static_base(), sync, lang, projector, scripts_url())
        layers = overlays(
            frames,
            state_,
            demo,
            AppPublisher(),
            catalog=catalog,
            whole=drawn.whole,
            version=drawn.version,
            blocks=blocks,
            worker=worker_url(),
            tiles=tiles,
            sensitive=sensitive,
            unit_names=unit_names,
        )
        return base, layers

    (_drawn_map if alone else _map_body)(
        page, made, state.map_height(height), center, zoom, lambda: on_map_change(page, key, pick, catalog)
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
    return blocks


def _map_body(
    page: str, made: Callable[[], tuple[Any, Any]], height: int, center: Any, zoom: Any, reported: Callable[[], None]
) -> None:
    """The map itself. As :data:`_drawn_map`, a fragment of its page: when it reports a move, the map alone
    reruns (the same map, so the component keeps its view, at a fraction of the page's cost), and a press
    elsewhere on the page is never cut short by it (Streamlit lets a fragment's run wait for the page's).
    What the rest of the page must follow (a feature clicked, a pin, a shape drawn, the view while a panel
    shows it) reruns the page (:func:`ui.selection.on_map_change`).
    """
    if page_follows(page):
        st.rerun()
    base, layers = made()
    st_folium(
        base,
        key=f"map_{page}",
        height=height,
        use_container_width=True,  # streamlit-folium's own argument
        # Clicks on the map come back only while a planner picks a position (geo.webmap.mapview.PickMode).
        returned_objects=["last_active_drawing", "bounds"],
        feature_group_to_add=layers,
        center=center,
        zoom=zoom,
        on_change=reported,
    )


_drawn_map = st.fragment(_map_body)


def side_legend(blocks: list[LegendBlock]) -> None:
    """The legend beside the map (the in-map one starts folded, so it never hides features)."""
    if blocks:
        st.html(legend_html(blocks, t("map.legend", state.lang())))


def record_table(layer_id: str, row: Any, lang: Lang) -> None:
    """A feature's full record, every value escaped."""
    spec = data.catalog()[layer_id]
    rows = "".join(
        f"<tr><th>{html_text(label)}</th><td>{html_text(text)}</td></tr>"
        for label, text in record(spec, row, None, lang, data.unit_names())
    )
    st.markdown(f"**{md_text(spec.title(lang))}**")
    st.markdown(f'<table class="dl-record">{rows}</table>', unsafe_allow_html=True)
