"""Page bodies built from the widgets: the selected record with its edit form, and the simple map page.

Layout only: it composes the search box, the map widget, the record with its threads, the editing forms,
the exports and the saved-view box, which read their state from :mod:`ui.selection`; none of them imports this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from geo.model.i18n import t
from geo.model.safe import md_text
from geo.read import comments
from ui import data, state
from ui.drawing import drawing_panel
from ui.editing import edit_form
from ui.export import export_panel
from ui.field import photo_strip
from ui.mapwidget import layer_toggles, map_view, record_table, side_legend, stored
from ui.measure import measure_panel
from ui.search import search_box
from ui.selection import clear_selection, find_feature, selection
from ui.threads import thread_panel
from ui.views import save_view_box


def record_panel(
    page: str, frames: dict[str, Any] | None = None, extra: Callable[[str, Any], None] | None = None
) -> None:
    """The selected feature's record (and, through ``extra``, what it contributes)."""
    lang = state.lang()
    st.header(t("map.selected", lang))
    sel = selection(page)
    flash = st.session_state.get(f"edit_flash_{page}")  # what the planner just saved, moved or added
    if flash and sel and flash["on"] == (sel["layer"], sel["key"]):
        st.success(md_text(flash["text"]))  # until another feature is selected: a rerun of the map does not hide it
    else:
        st.session_state.pop(f"edit_flash_{page}", None)
    catalog = data.catalog()
    row = None
    if sel and sel["layer"] in catalog and catalog[sel["layer"]].theme != "meta":  # never the change log's rows
        frame = (frames or {}).get(sel["layer"])
        if frame is None and data.store().has(sel["layer"]):
            frame = data.layer(sel["layer"])
        row = find_feature(frame, catalog[sel["layer"]].key, sel["key"]) if frame is not None else None
        if row is None and frames is not None and data.store().has(sel["layer"]):  # found, but filtered out
            row = find_feature(data.layer(sel["layer"]), catalog[sel["layer"]].key, sel["key"])
    if sel is None or row is None:
        st.caption(t("map.click_hint", lang))
        return
    record_table(sel["layer"], row, lang)
    photo_strip(sel["layer"], sel["key"])
    if extra is not None:
        extra(sel["layer"], row)
    edit_form(page, sel["layer"], row)
    st.button(t("map.clear", lang), key=f"clear_{page}", on_click=clear_selection, args=(page,))
    thread_panel(f"{page}_feature", comments.feature(sel["layer"], sel["key"]))


def map_with_record(
    layer_ids: tuple[str, ...], page: str, height: int = 640, title: str | None = None, fold_layers: bool = False
) -> None:
    """The simple page body: toggles, the map on the left, the selected record on the right (``fold_layers``:
    the layer toggles in a folded box, so that the map starts higher on the screen).
    """
    left, right = st.columns([3, 1])
    with left:
        if fold_layers:  # one row over the map: the search box, and the layers folded beside it
            find, layers_box = st.columns([3, 2], vertical_alignment="top")
            with find:
                search_box(page, layer_ids)
            with (
                layers_box,
                st.expander(t("map.layers", state.lang()), icon=":material/layers:", key=f"layers_box_{page}"),
            ):
                visible = layer_toggles(layer_ids, f"map_{page}")
        else:
            if not state.projector():  # in the meeting room the map comes first: the box goes under it
                search_box(page, layer_ids)
            visible = layer_toggles(layer_ids, f"map_{page}")
        frames = {lid: data.layer(lid) for lid in visible}
        if data.compare_day() is not None:  # two dates side by side, each with its own legend under its map
            from ui.compare import compare_maps

            compare_maps(page, visible, frames, frames, {}, {}, None, "district", state.lang())
            blocks = []
        else:
            blocks = map_view(page, visible, stored(frames), height=height, editing=True)
        if state.projector():
            search_box(page, layer_ids)
        export_panel(page, visible, frames, title or t("app.title", state.lang()))
        save_view_box("" if page == "overview" else page, visible)
        measure_panel(page)
        drawing_panel(page, visible)
    with right:
        record_panel(page)
        side_legend(blocks)
