"""Drawing under the map, for planners: add a point, line or polygon to a layer, reshape, split, merge or
remove a feature, by drawing on the map or by typing coordinates or pasting WKT/GeoJSON (the keyboard path).

The map's tools (``geo/webmap/static/draw.js``) report the shape being drawn; it lands in this panel's text box,
where the planner may also type or paste one. Everything is saved through :mod:`geo.store.geometry_edit`:
the rules, the measuring and one audited transaction per save.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
import streamlit as st
from shapely.geometry import mapping, shape

from geo.model.catalog import Catalog, LayerSpec
from geo.model.i18n import Lang, fmt_number, t
from geo.model.safe import md_quote
from geo.read.records import format_value
from geo.store.changelog import EditError
from geo.store.geometry_edit import (
    add_shape,
    delete_shape,
    drawable,
    measure,
    merge,
    parse_shape,
    reshape,
    split,
)
from geo.webmap.mapview import DrawSpec
from ui import data, notice, press, state
from ui.auth import current_user
from ui.press import GONE
from ui.selection import find_feature, flashed, selecting, selection

ACTIONS = ("add", "reshape", "split", "merge", "delete")
CRS_CHOICES = ("auto", "EPSG:9215", "EPSG:4326")


def drawable_layers(visible: list[str], catalog: Catalog) -> list[str]:
    """The visible layers a planner draws into."""
    return [lid for lid in visible if lid in catalog and drawable(catalog[lid]) and data.store().has(lid)]


def _can_draw(visible: list[str], catalog: Catalog) -> bool:
    user = current_user()
    return bool(user and user.can_edit) and data.as_of_day() is None and bool(drawable_layers(visible, catalog))


def _layer(page: str, visible: list[str], catalog: Catalog) -> str:
    layers = drawable_layers(visible, catalog)
    chosen = st.session_state.get(f"draw_layer_{page}")
    return chosen if chosen in layers else layers[0]


def _actions(spec: LayerSpec) -> tuple[str, ...]:
    return ACTIONS if spec.geometry == "Polygon" else ("add", "reshape", "delete")


def draw_spec(page: str, visible: list[str], catalog: Catalog, editing: bool) -> DrawSpec:
    """The map's tools on ``page``: measuring for everyone; drawing for a planner whose drawing panel is on."""
    if not (editing and _can_draw(visible, catalog) and st.session_state.get(f"draw_on_{page}")):
        return DrawSpec()
    lid = _layer(page, visible, catalog)
    action = st.session_state.get(f"draw_action_{page}", "add")
    if action not in _actions(catalog[lid]):
        action = "add"
    kind = catalog[lid].geometry
    return DrawSpec(kind, action, st.session_state.get(f"draw_work_{page}"))


def _take_report(page: str) -> None:
    """What the map's tools reported last (a shape drawn, edited, moved, cut or undone) into the text box."""
    value = st.session_state.get(f"map_{page}") or {}
    drawing = (value.get("last_active_drawing") or {}) if isinstance(value, dict) else {}
    seq = (drawing.get("properties") or {}).get("_draw")
    if not seq or seq == st.session_state.get(f"draw_seen_{page}"):
        return
    st.session_state[f"draw_seen_{page}"] = seq
    try:
        geom = shape(drawing.get("geometry"))
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        return
    st.session_state[f"draw_text_{page}"] = shapely.to_wkt(geom, rounding_precision=8, trim=True)
    st.session_state[f"draw_crs_{page}"] = "auto"


def _show_on_map(page: str, kind: str | None) -> None:
    """The typed shape, on the map to edit further."""
    try:
        geom = parse_shape(st.session_state.get(f"draw_text_{page}", ""), kind, _crs(page))
    except EditError as exc:
        st.session_state[f"draw_error_{page}"] = exc
        return
    st.session_state[f"draw_work_{page}"] = json.dumps(mapping(geom))


def _crs(page: str) -> str | None:
    chosen = st.session_state.get(f"draw_crs_{page}", "auto")
    return None if chosen == "auto" else str(chosen)


def _error(exc: EditError, lang: Lang) -> None:
    notice.error(exc, lang)


def _field(spec: LayerSpec, name: str, key: str, lang: Lang) -> Any:
    f = spec.field(name)
    label = f.label(lang) + (f" ({f.unit})" if f.unit else "")
    codes = spec.codes(name)
    if name == "unit_code":
        names = data.unit_names()
        return st.selectbox(label, list(names), key=key, format_func=names.get)
    if codes:
        options = [s.value for s in codes]
        return st.selectbox(label, options, key=key, format_func=lambda v: format_value(spec, name, v, lang))
    if f.kind == "bool":
        return st.checkbox(label, key=key)
    if f.kind in ("int", "float"):
        number = st.number_input(
            label, value=None, step=1 if f.kind == "int" else None, format=None if f.kind == "int" else "%.4f", key=key
        )
        return None if number is None else (int(number) if f.kind == "int" else float(number))
    return st.text_input(label, key=key, help="YYYY-MM-DD" if f.kind == "date" else None) or None


def drawing_panel(page: str, visible: list[str]) -> None:
    """Under the map, for planners: draw or type a shape into a layer, then save it (audited)."""
    catalog = data.catalog()
    if not _can_draw(visible, catalog):
        return
    lang = state.lang()
    user = current_user()
    assert user is not None
    on = bool(st.session_state.get(f"draw_on_{page}"))
    with st.expander(t("draw.title", lang), icon=":material/draw:", expanded=on, key=f"draw_panel_{page}"):
        done = st.session_state.pop(f"draw_done_{page}", None)
        if done:
            notice.success(done)
        st.toggle(t("draw.on", lang), key=f"draw_on_{page}", help=t("draw.on_help", lang))
        layers = drawable_layers(visible, catalog)
        lid = st.selectbox(
            t("edit.add_layer", lang),
            layers,
            index=layers.index(_layer(page, visible, catalog)),
            key=f"draw_layer_{page}",
            placeholder=t("choose", lang),
            format_func=lambda i: catalog[i].title(lang),
        )
        spec = catalog[lid]
        action = st.radio(
            t("draw.action", lang),
            _actions(spec),
            key=f"draw_action_{page}",
            horizontal=True,
            format_func=lambda a: t(f"draw.action.{a}", lang),
        )
        sel = selection(page)
        key = sel["key"] if sel and sel["layer"] == lid else None
        row = find_feature(data.layer(lid), spec.key, key) if key is not None else None
        if action != "add" and row is None:
            st.info(t("draw.select_first", lang, layer=md_quote(spec.title(lang))))
            return
        target = (lid, key, action)
        if st.session_state.get(f"draw_for_{page}") != target:  # a new task: the shape it starts from
            st.session_state[f"draw_for_{page}"] = target
            start = row.geometry if action == "reshape" and row is not None else None
            st.session_state[f"draw_work_{page}"] = json.dumps(mapping(start)) if start is not None else None
            st.session_state[f"draw_text_{page}"] = start.wkt if start is not None else ""
        _take_report(page)
        if action in ("add", "reshape", "split"):
            kind = "LineString" if action == "split" else spec.geometry
            st.caption(t(f"draw.how.{action}", lang))
            st.text_area(t("draw.shape", lang), key=f"draw_text_{page}", height=110, help=t("draw.shape_help", lang))
            c1, c2 = st.columns([2, 1])
            c1.selectbox(
                t("draw.crs", lang),
                CRS_CHOICES,
                key=f"draw_crs_{page}",
                format_func=lambda c: t(f"draw.crs.{c.replace(':', '_').lower()}", lang),
            )
            c2.button(
                t("draw.show", lang),
                key=f"draw_show_{page}",
                on_click=_show_on_map,
                args=(page, kind),
                help=t("draw.show_help", lang),
            )
            problem = st.session_state.pop(f"draw_error_{page}", None)
            if problem is not None:
                _error(problem, lang)
            _measured(page, kind, lang)
        _save_form(page, spec, action, key, row, lang, user.name)


def _measured(page: str, kind: str | None, lang: Lang) -> None:
    """The shape's size as the engine measures it (VN-2000 / TM-3 107°15′), under the text box."""
    text = st.session_state.get(f"draw_text_{page}") or ""
    if not text.strip():
        return
    try:
        m = measure(parse_shape(text, kind, _crs(page)))
    except EditError:
        return
    parts = []
    if m.area_m2 > 0:
        parts.append(t("draw.area", lang) + ": " + fmt_number(m.area_ha, lang, 4) + " ha")
    if m.length_m > 0:
        parts.append(
            t("draw.perimeter" if kind == "Polygon" else "draw.length", lang)
            + ": "
            + fmt_number(m.length_km, lang, 3)
            + " km"
        )
    st.caption(" · ".join(parts) + " — " + t("draw.measured_on", lang))


def _save_form(page: str, spec: LayerSpec, action: str, key: str | None, row: Any, lang: Lang, user: str) -> None:
    lid = spec.id
    with st.form(f"draw_form_{page}_{lid}_{action}"):
        values: dict[str, Any] = {}
        others: list[str] = []
        if action == "add":
            for f in spec.fields:
                if not f.derived:
                    values[f.name] = _field(spec, f.name, f"draw_f_{page}_{lid}_{f.name}", lang)
            st.caption(t("draw.filled", lang))
        elif action == "merge":
            keys = [k for k in data.layer(lid)[spec.key].astype(str) if k != key]
            others = st.multiselect(
                t("draw.merge_with", lang, key=md_quote(key)),
                keys,
                key=f"draw_merge_{page}",
                placeholder=t("draw.merge_choose", lang),
            )
        elif action == "delete":
            st.checkbox(t("draw.delete_confirm", lang, key=md_quote(key)), key=f"draw_delete_ok_{page}")
        reason = st.text_input(t("edit.reason", lang), key=f"draw_reason_{page}")
        submitted = press.submit(
            t(f"draw.save.{action}", lang), key=f"draw_go_{page}_{lid}_{action}", about=key, type="primary"
        )
    if not submitted.waiting:
        return
    # What the write needs, read before the press is taken (ui.press): a run cut short here keeps it.
    path, chosen, crs = data.store().location, selecting(page), _crs(page)
    text = st.session_state.get(f"draw_text_{page}") or ""
    confirmed = bool(st.session_state.get(f"draw_delete_ok_{page}"))
    if not submitted:
        return
    try:
        if action == "add":
            geom = parse_shape(text, spec.geometry, crs)
            done = add_shape(path, lid, values, geom, user, reason)
            message = t("edit.added", lang, key=done)
        elif action == "reshape":
            assert key is not None
            geom = parse_shape(text, spec.geometry, crs)
            rows = reshape(path, lid, key, geom, user, reason, expected_wkt=row.geometry.wkt)
            done, message = key, t("edit.saved", lang, n=fmt_number(len(rows), lang))
        elif action == "split":
            assert key is not None
            parts = split(path, lid, key, parse_shape(text, "LineString", crs), user, reason, row.geometry.wkt)
            done, message = parts[0], t("geom.cli_split", lang, key=key, parts=", ".join(parts))
        elif action == "merge":
            assert key is not None
            done = merge(path, lid, [key, *others], user, reason)
            message = t("geom.cli_merged", lang, key=done, others=", ".join(others))
        else:
            assert key is not None
            if not confirmed:
                st.warning(t("draw.delete_confirm", lang, key=md_quote(key)))
                return
            delete_shape(path, lid, key, user, reason)
            done, message = "", t("geom.cli_deleted", lang, key=key, layer=spec.title(lang))
    except EditError as exc:
        _error(exc, lang)
        return
    # Stored: the shape box emptied, the result selected and confirmed, by the next run (ui.press): a run cut
    # short from here must not leave the shape ready to be saved twice.
    after: dict[str, Any] = {f"{name}_{page}": GONE for name in ("draw_work", "draw_for", "draw_text")}
    if done:
        after |= chosen(lid, done, True) | flashed(page, lid, done, message)
    else:
        after[f"draw_done_{page}"] = message
    submitted.then(**after)
