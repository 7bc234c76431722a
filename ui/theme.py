"""The frame every thematic page shares: filters, map, record panel, indicators, table.

Filters come from the catalog and apply at once to the map, the table and the
indicator panel (all three read the same filtered frames). Clicking a feature,
a table row or a chart bar selects it everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geo.model.catalog import LayerSpec
from geo.model.i18n import Lang, fmt_number, fmt_pct, t
from geo.model.safe import md_text
from geo.read.filters import (
    Filters,
    apply_filters,
    choices,
    count_text,
    date_range,
    filter_fields,
    narrowed,
    range_step,
    value_range,
)
from geo.read.panels import DERIVED, MEASURES, contributions
from geo.read.records import format_value
from geo.webmap.mapview import feature_keys
from ui import data, state
from ui.compare import compare_maps
from ui.drawing import drawing_panel
from ui.editing import add_point_box
from ui.export import export_panel
from ui.layout import record_panel
from ui.mapwidget import layer_toggles, map_view, side_legend, stored
from ui.measure import measure_panel
from ui.search import search_box
from ui.selection import select, selection_from_link
from ui.views import save_view_box, view_banner

Frames = dict[str, Any]


@dataclass(frozen=True)
class PanelData:
    """What an indicator panel works from: the filtered frames, the unfiltered ones, the page's controls."""

    shown: Frames
    all: Frames
    opts: dict[str, Any]


@dataclass
class ThemePage:
    """What a thematic page declares; :func:`render` does the rest."""

    page: str  # url path, also the key prefix of the page's widgets
    nav_key: str
    layers: tuple[str, ...]
    tables: tuple[str, ...]  # layers whose attribute table the page offers, first = default
    panel: Callable[[PanelData, Lang], None] | None = None  # the indicator panel
    controls: Callable[[Lang], dict[str, Any]] | None = None  # page controls above the filters
    frames_hook: Callable[[Frames, dict[str, Any]], Frames] | None = None  # derive columns (e.g. criteria met)
    intro_key: str | None = None
    home: str = "district"  # the layer whose extent the map opens on
    keep_units: bool = False  # figures per 2024 unit (criteria): by the 2025 communes, keep the units, outlined


# -- filters ------------------------------------------------------------------------------
def _keep_whole(key: str, whole: Any) -> None:
    """A filter the user left whole (every value, the full range) stays whole when the data change: a
    point added or a file imported is shown, not hidden by the bounds the filter had before. A choice
    the user narrowed is kept, within what the data now hold.

    The value is set through session state, the one way the browser's copy of the widget follows.
    """
    seen = st.session_state.get(f"{key}__whole")
    st.session_state[f"{key}__whole"] = whole
    if key not in st.session_state or seen is None or seen == whole:
        return
    value = st.session_state[key]
    if isinstance(whole, list):  # pills: every option ticked was "all"
        kept = [v for v in value or [] if v in whole]
        st.session_state[key] = whole if sorted(value or []) == sorted(seen) or not kept else kept
    elif len(value) == 2 and tuple(value) != tuple(seen):
        lo, hi = max(value[0], whole[0]), min(value[1], whole[1])
        st.session_state[key] = (lo, hi) if lo <= hi else whole
    else:
        st.session_state[key] = whole


def _filter_widgets(page: str, spec: LayerSpec, frame: pd.DataFrame, lang: Lang) -> Filters:
    filters: Filters = {}
    names = data.unit_names()
    for ff in filter_fields(spec):
        key = f"flt_{page}_{spec.id}_{ff.name}"
        if ff.kind == "choice":
            options = choices(spec, frame, ff.name)
            if not options:
                continue
            label = ff.label(lang)
            empty = t("filters.outside" if ff.name == "unit_code" else "filters.empty", lang)
            fmt = lambda v, n=ff.name, e=empty: e if v == "" else format_value(spec, n, v, lang, names)  # noqa: E731
            pill = lambda v, f=fmt: md_text(f(v))  # noqa: E731  (pill labels are markdown)
            if len(options) <= 5:
                _keep_whole(key, list(options))
                filters[ff.name] = st.pills(
                    label,
                    options,
                    selection_mode="multi",
                    default=state.widget_default(key, options, list(options)),
                    key=key,
                    format_func=pill,
                    width="stretch",
                )
            else:  # a long list: nothing picked means every value, as the placeholder says
                filters[ff.name] = st.multiselect(
                    label, options, key=key, format_func=fmt, placeholder=t("filters.all", lang)
                )
        elif ff.kind == "range":
            rng = value_range(frame, ff.name)
            if rng is None or rng[0] == rng[1]:
                continue
            step = range_step(*rng)
            lo = round(math.floor(rng[0] / step + 1e-9) * step, 10)  # the range's ends on the slider's steps
            hi = round(math.ceil(rng[1] / step - 1e-9) * step, 10)
            if spec.field(ff.name).kind == "int":  # whole numbers stay whole
                step, lo, hi = max(1, round(step)), math.floor(rng[0]), math.ceil(rng[1])
            _keep_whole(key, (lo, hi))
            filters[ff.name] = st.slider(ff.label(lang), lo, hi, (lo, hi), step=step, key=key)
        else:
            dates = date_range(frame, ff.name)
            if dates is None or dates[0] == dates[1]:
                continue
            _keep_whole(key, tuple(dates))
            picked = st.date_input(
                ff.label(lang),
                dates,
                min_value=dates[0],
                max_value=dates[1],
                key=key,
                format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD",
            )
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                filters[ff.name] = (picked[0], picked[1])
    return filters


def filter_panel(
    page: str, visible: list[str], frames: Frames, lang: Lang, used: dict[str, Filters] | None = None
) -> Frames:
    """One expander of filters per visible layer that has filters; returns the filtered frames
    (and puts each layer's filters in ``used``, for the same filters at another date).
    """
    out = dict(frames)
    st.markdown(f"**{t('filters.title', lang)}**")
    for lid in visible:
        spec = data.catalog()[lid]
        if not spec.filters:
            continue
        with st.expander(spec.title(lang), expanded=lid == visible[-1] or len(visible) <= 3):
            filters = _filter_widgets(page, spec, frames[lid], lang)
            if used is not None:
                used[lid] = filters
            out[lid] = apply_filters(spec, frames[lid], filters)
            st.caption(t("filters.count", lang, text=count_text(spec, len(out[lid]), len(frames[lid]), lang)))
    return out


# -- side panel: what the selected feature contributes -----------------------------------
def contributions_panel(frames: Frames, layer_id: str, row: Any) -> None:
    """The figures the selected feature contributes to, over what is shown."""
    lang = state.lang()
    spec = data.catalog()[layer_id]
    frame = frames.get(layer_id)
    if frame is None or layer_id not in MEASURES or not MEASURES[layer_id][0]:
        return
    names = data.unit_names()
    lines = []
    for c in contributions(spec, row, frame):
        label = t(DERIVED[c.measure], lang) if c.measure in DERIVED else spec.field(c.measure).label(lang)
        if c.scope_field is None:
            scope = t("contrib.all_shown", lang)
        else:
            value = (
                t("filters.outside", lang)
                if c.scope_field == "unit_code" and c.scope_value == ""
                else format_value(spec, c.scope_field, c.scope_value, lang, names)
            )
            scope = f"{spec.field(c.scope_field).label(lang)}: {md_text(value)}"
        share = fmt_pct(c.share_pct, lang, 1) if c.share_pct is not None else "–"
        lines.append(f"- {label} — {scope}: **{fmt_number(c.value, lang)}** / {fmt_number(c.total, lang)} ({share})")
    if not lines:  # a viewer: the layer's figures are all sensitive
        return
    st.markdown(f"**{t('contrib.title', lang)}**")
    st.markdown("\n".join(lines))


# -- the attribute table ---------------------------------------------------------------------
def table_frame(spec: LayerSpec, frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """What the attribute table shows: the popup fields under their labels, codes as words."""
    names = data.unit_names()
    cols = {}
    for name in spec.popup or tuple(f.name for f in spec.fields):
        if name not in frame.columns:  # a sensitive field this user may not see
            continue
        f = spec.field(name)
        if spec.codes(name) or name == "unit_code" or f.kind in ("bool", "date", "str"):
            cols[f.label(lang)] = [format_value(spec, name, v, lang, names) for v in frame[name]]
        elif f.kind in ("int", "float"):  # vi-VN digits; the unit is in the column's label
            cols[f.label(lang)] = [fmt_number(v, lang) if pd.notna(v) else "–" for v in frame[name]]
        else:
            cols[f.label(lang)] = frame[name].to_numpy()
    return pd.DataFrame(cols)


def _on_table_select(page: str, layer_id: str, keys: list[str], widget_key: str) -> None:
    rows = st.session_state[widget_key].selection.rows
    if rows:
        select(page, layer_id, keys[rows[0]], zoom=True)
        st.session_state["_table_selected"] = True  # the map and the record must follow: the whole page reruns


TABLE_ROWS = 1000  # rows the attribute table shows; filters narrow, the data export has them all


@st.fragment
def attribute_table(page: str, tables: tuple[str, ...], frames: Frames, lang: Lang) -> None:
    """The table of what is shown; clicking a row selects the feature and moves the map to it.

    A fragment: choosing which layer's table to read reruns the table alone, never the map.
    """
    if st.session_state.pop("_table_selected", False):
        st.rerun()  # a row was picked: the selection belongs to the whole page
    available = [lid for lid in tables if lid in frames]
    if not available:
        return
    lid = available[0]
    if len(available) > 1:
        lid = (
            st.segmented_control(
                t("table.layer", lang),
                available,
                default=available[0],
                key=f"tblsel_{page}",
                format_func=lambda i: data.catalog()[i].title(lang),
            )
            or available[0]
        )
    spec = data.catalog()[lid]
    frame = frames[lid]
    if len(frame) > TABLE_ROWS:  # a cadastral layer: nobody reads 50,000 rows, and sending them stalls the page
        st.caption(t("table.first_rows", lang, n=fmt_number(TABLE_ROWS, lang), total=fmt_number(len(frame), lang)))
        frame = frame.iloc[:TABLE_ROWS]
    keys = feature_keys(spec, frame)
    widget_key = f"tbl_{page}_{lid}"
    st.dataframe(
        table_frame(spec, frame, lang),
        key=widget_key,
        on_select=lambda: _on_table_select(page, lid, keys, widget_key),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
    )


# -- the page ------------------------------------------------------------------------------------
def render(tp: ThemePage) -> None:
    """Lay out a thematic page."""
    lang = state.lang()
    st.title(t(tp.nav_key, lang))
    if tp.intro_key:
        st.caption(t(tp.intro_key, lang))
    selection_from_link(tp.page, data.catalog(), tp.layers)
    view_banner(tp.page)
    search_box(tp.page, tp.layers)
    visible = layer_toggles(tp.layers, f"map_{tp.page}", tp.keep_units)
    comparing = data.compare_day() is not None
    top = st.container()  # two dates side by side, above the page's own row, once its filters are known
    left, middle, right = st.columns([1, 3.4, 1.25])
    with left:
        opts = tp.controls(lang) if tp.controls else {}
        opacity = st.slider(t("map.opacity", lang), 0.1, 1.0, 1.0, 0.1, key=f"opacity_{tp.page}")
        raw = {lid: data.layer(lid) for lid in visible}
        if tp.frames_hook:
            raw = tp.frames_hook(raw, opts)
        used: dict[str, Filters] = {}
        frames = filter_panel(tp.page, visible, raw, lang, used)
    if comparing:
        with top:
            blocks = compare_maps(tp.page, visible, frames, raw, used, opts, tp.frames_hook, tp.home, lang)
    with middle:
        blocks = (
            blocks
            if comparing
            else map_view(
                tp.page,
                visible,
                stored(frames, raw, used),
                height=620,
                color_by=tuple(opts.get("color_by", ())),
                opacity=opacity,
                home=tp.home,
                editing=True,
            )
        )
        narrowing = {lid: narrowed(data.catalog()[lid], raw[lid], f) for lid, f in used.items() if lid in raw}
        export_panel(tp.page, visible, frames, t(tp.nav_key, lang), tuple(opts.get("color_by", ())), narrowing)
        save_view_box(tp.page, visible, tuple(opts.get("styles", ())))
        add_point_box(tp.page, visible)
        measure_panel(tp.page)
        drawing_panel(tp.page, visible)
    with right:
        record_panel(tp.page, frames, extra=lambda lid, row: contributions_panel(frames, lid, row))
        side_legend(blocks)
    if tp.panel:
        st.divider()
        tp.panel(PanelData(frames, raw, opts), lang)
    st.divider()
    attribute_table(tp.page, tp.tables, frames, lang)


def as_of(layer_id: str) -> dt.date:
    """The layer's as-of date (the reference day for ages such as days open)."""
    meta = data.meta().get(layer_id)
    return dt.date.fromisoformat(meta.as_of) if meta and meta.as_of else dt.date.today()
