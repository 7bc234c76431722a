"""The "Xuất bản đồ" panel: the current view as PNG, PDF, HTML or data; the meeting pack.

Files are made when the user clicks download, on a thread of their own
(``st.download_button`` with a callable), so the page never waits for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, cast

import streamlit as st

from geo.model import crs
from geo.model.i18n import fmt_number, t
from geo.printing.atlas import MAX_PAGES, atlas
from geo.printing.export import (
    DATA_FORMATS,
    MAP_FORMATS,
    MIME,
    STANDARD_SCALES,
    MapRequest,
    export_bytes,
    sheets_needed,
)
from geo.printing.pack import meeting_pack
from geo.printing.printkit import Paper, Provenance
from geo.printing.tables import TableRequest, suffix
from geo.read.filters import Filters, describe
from geo.webmap.mapview import feature_keys
from ui import data, state
from ui.data import default_since
from ui.selection import current_view, live_view, selection, shows_view


def export_panel(
    page: str,
    visible: list[str],
    frames: dict[str, Any],
    default_title: str,
    color_by: tuple[tuple[str, str], ...] = (),
    filters: dict[str, Filters] | None = None,
) -> None:
    """Export what the page's map shows: its extent, layers, filters and selection (``filters``: each layer's,
    stated in the data's provenance).
    """
    lang = state.lang()
    with st.expander(t("export.panel", lang), icon=":material/download:", key=f"exp_panel_{page}"):
        title = st.text_input(t("export.map_title", lang), default_title, key=f"exp_title_{page}")
        subtitle = st.text_input(t("export.subtitle", lang), "", key=f"exp_sub_{page}")
        c1, c2, c3, c4 = st.columns(4)
        fmt = c1.selectbox(
            t("export.format", lang),
            [*MAP_FORMATS, *DATA_FORMATS],
            key=f"exp_fmt_{page}",
            format_func=lambda f: t(f"export.fmt.{f}", lang),
        )
        paper = cast(Paper, c2.radio(t("export.paper", lang), ["A4", "A3"], horizontal=True, key=f"exp_paper_{page}"))
        orient = c3.radio(
            t("export.orientation", lang),
            ["auto", "landscape", "portrait"],
            key=f"exp_orient_{page}",
            format_func=lambda o: t(f"export.orientation.{o}", lang),
        )
        landscape = {"auto": None, "landscape": True, "portrait": False}[orient]
        dpi = c4.radio("DPI", [200, 300], horizontal=True, key=f"exp_dpi_{page}")
        ref = st.radio(
            t("export.crs", lang),
            [crs.VN2000_LANGSON, crs.WGS84],
            horizontal=True,
            key=f"exp_crs_{page}",
            format_func=lambda c: crs.CRS_LABELS[c][lang],
        )
        sel = selection(page)
        # Two dates side by side: each map has its extent, and everything shown is exported.
        comparing = data.compare_day() is not None
        req = MapRequest(
            layers=tuple(visible),
            title=title,
            subtitle=subtitle,
            bbox=None if comparing else current_view(page),
            lang=lang,
            paper=paper,
            landscape=landscape,
            dpi=int(dpi),
            crs=ref,
            selected=(sel["layer"], sel["key"]) if sel else None,
            color_by=color_by,
        )
        shown = {lid: frames[lid] for lid in visible if lid in frames}
        tile = False
        if fmt in ("png", "pdf"):  # a stated scale: the sheet centred on the view, or the view on several sheets
            c5, c6 = st.columns(2, vertical_alignment="bottom")
            scale = c5.selectbox(
                t("export.scale", lang),
                [0, *STANDARD_SCALES],
                key=f"exp_scale_{page}",
                format_func=lambda n: f"1:{fmt_number(n, lang)}" if n else t("export.scale_fit", lang),
            )
            grid = c6.toggle(t("export.grid", lang), key=f"exp_grid_{page}", disabled=not scale)
            if scale and not comparing:  # the sheets counted follow the map's moves
                shows_view(page)
            if scale and shown:
                req = replace(req, scale=int(scale), grid=grid)
                cols, rows = sheets_needed(req, shown)
                if cols * rows > 1:
                    st.caption(t("export.sheets_app", lang, n=cols * rows, cols=cols, rows=rows, paper=paper))
                    tile = fmt == "pdf" and st.toggle(t("export.tile", lang), key=f"exp_tile_{page}")
        prov = Provenance(data.meta(), data.today(), data.as_of_day())
        demo = set(data.demo_layers())
        table, ext = None, fmt
        if fmt in DATA_FORMATS:
            codes = st.toggle(t("export.codes", lang), key=f"exp_codes_{page}", help=t("export.codes_help", lang))
            names, catalog = data.unit_names(), data.catalog()
            said = {lid: describe(catalog[lid], (filters or {}).get(lid), lang, names) for lid in shown}
            table = TableRequest(lang, codes, prov.meta, prov.today, prov.at, said, names)
            ext = suffix(fmt, len(shown))
        # The page's map reports its extent as soon as it is drawn.
        st.caption(t("export.what_all" if comparing else "export.what", lang))
        # A move of the map reruns the map alone: the extent (and a sheet's centre) is read when the file is made.
        view = (lambda: None) if comparing else live_view(page)
        st.download_button(
            t("export.download", lang, fmt=ext.upper()),
            data=lambda: export_bytes(fmt, in_view_now(req, view(), shown, tile), shown, prov, demo, table, tile=tile),
            file_name=f"dinh-lap-{page or 'tong-quan'}-{data.as_of_day() or data.today():%Y%m%d}.{ext}",
            mime=MIME[ext],
            on_click="ignore",
            key=f"exp_dl_{page}",
            icon=":material/download:",
        )
        atlas_box(page, visible, frames, sel)


def in_view_now(req: MapRequest, bbox: Any, shown: dict[str, Any], tile: bool) -> MapRequest:
    """``req`` over the extent in view now (``bbox``; None: every feature shown); at a stated scale on one sheet,
    that sheet centred on it.
    """
    req = replace(req, bbox=tuple(bbox) if bbox else None)
    if req.scale and not tile and shown:
        boxes = [req.bbox] if req.bbox else [tuple(f.total_bounds) for f in shown.values() if len(f)]
        if boxes:
            w, s_ = min(b[0] for b in boxes), min(b[1] for b in boxes)
            e, n = max(b[2] for b in boxes), max(b[3] for b in boxes)
            req = replace(req, center=((w + e) / 2, (s_ + n) / 2))
    return req


def atlas_box(page: str, visible: list[str], frames: dict[str, Any], sel: dict[str, Any] | None) -> None:
    """An atlas of what the filters leave on the map (or of the selected feature): one PDF page each."""
    lang = state.lang()
    catalog = data.catalog()
    layers = [
        lid for lid in visible if lid in frames and lid in catalog and catalog[lid].is_spatial and lid != "district"
    ]
    if not layers:
        return
    st.divider()
    default = layers.index(sel["layer"]) if sel and sel["layer"] in layers else len(layers) - 1
    lid = st.selectbox(
        t("atlas.layer", lang),
        layers,
        index=default,
        key=f"atlas_layer_{page}",
        placeholder=t("choose", lang),
        format_func=lambda i: f"{catalog[i].title(lang)} ({len(frames[i])})",
    )
    keys = feature_keys(catalog[lid], frames[lid])
    only = bool(sel and sel["layer"] == lid) and st.toggle(t("atlas.only_selected", lang), key=f"atlas_one_{page}")
    if only and sel:
        keys = [sel["key"]]
    if not keys:
        st.caption(t("atlas.empty", lang))
        return
    if len(keys) > MAX_PAGES:
        st.caption(t("atlas.too_many", lang, n=len(keys), max=MAX_PAGES))
        return
    store, day, sensitive, units = data.store(), data.as_of_day(), data.sensitive_ok(), data.units()
    st.download_button(
        t("atlas.button", lang) + f" — {len(keys)}",
        data=lambda: atlas(store, lid, None, lang, sensitive, day, keys, data.today(), units=units),
        file_name=f"tap-ban-do-{lid}-{day or data.today():%Y%m%d}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key=f"atlas_dl_{page}",
        icon=":material/menu_book:",
    )


def pack_panel() -> None:
    """The meeting pack: cover, a page per theme, optionally what changed and one page per commune."""
    lang = state.lang()
    with st.container(border=True):
        st.markdown(f"**{t('pack.title', lang)}**")
        atlas = st.toggle(t("pack.with_atlas", lang), key="pack_atlas")
        with_changes = st.toggle(t("pack.with_changes", lang), key="pack_changes")
        since = (st.session_state.get("changes_since") or default_since()) if with_changes else None
        store = data.store()
        at = data.as_of_day()
        units = data.units()  # the units the app shows: those of the day, or the user's choice
        st.download_button(
            t("export.download", lang, fmt="PDF"),
            data=lambda: meeting_pack(
                store,
                lang,
                atlas=atlas,
                since=since,
                sensitive=data.sensitive_ok(),
                as_of=at,
                today=data.today(),
                units=units,
            ),
            file_name=f"giao-ban-dinh-lap-{dt.date.today():%Y%m%d}.pdf",
            mime="application/pdf",
            on_click="ignore",
            key="pack_dl",
            icon=":material/picture_as_pdf:",
        )
