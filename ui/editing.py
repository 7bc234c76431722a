"""The planner's edit form and a feature's change history, under its record.

Only a signed-in planner or admin sees the form. Every save goes through
:func:`geo.edit.edit`: validated against the catalog, written with its audit
rows in one transaction, and refused if someone changed a value meanwhile.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from geo.catalog import LayerSpec
from geo.edit import EditError, edit, edit_many, history, insert, move_point, redact_rows
from geo.i18n import Lang, fmt_datetime, fmt_number, t
from geo.records import change_text, format_value
from ui import data, state
from ui.auth import current_user
from ui.selection import current_view, flash, picked, select, stop_picking


def editable_fields(spec: LayerSpec) -> list[str]:
    """The fields a planner updates, as the catalog declares them."""
    return list(spec.editable)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _widget(spec: LayerSpec, name: str, current: Any, key: str, lang: Lang) -> Any:
    f = spec.field(name)
    codes = spec.codes(name)
    label = f.label(lang)
    if codes:
        options = [s.value for s in codes]
        index = options.index(current) if current in options else 0
        return st.selectbox(
            label, options, index=index, key=key, format_func=lambda v: format_value(spec, name, v, lang)
        )
    if f.kind == "bool":
        return st.checkbox(label, value=bool(current), key=key)
    if f.kind in ("int", "float"):  # an empty figure stays empty unless the planner types one
        number = st.number_input(
            label,
            value=None if current is None else (int(current) if f.kind == "int" else float(current)),
            step=1 if f.kind == "int" else None,
            format=None if f.kind == "int" else "%.2f",
            key=key,
        )
        return None if number is None else (int(number) if f.kind == "int" else float(number))
    return (
        st.text_input(
            label,
            value="" if current is None else str(current)[: 10 if f.kind == "date" else None],
            key=key,
            help="YYYY-MM-DD" if f.kind == "date" else None,
        )
        or None
    )


def edit_form(page: str, layer_id: str, row: Any) -> None:
    """The form under a selected feature's record, for planners; its history for everyone."""
    lang = state.lang()
    spec = data.catalog()[layer_id]
    fkey = ",".join(str(row[k]) for k in spec.key.split(","))
    path = data.store().location
    user = current_user()
    if user and user.can_edit and spec.editable and data.as_of_day() is not None:
        st.caption(t("edit.past", lang))
    elif user and user.can_edit and spec.editable:
        with st.expander(t("edit.title", lang), icon=":material/edit:", key=f"edit_panel_{page}_{layer_id}_{fkey}"):
            current = {n: _plain(row.get(n)) for n in editable_fields(spec)}
            with st.form(f"edit_{page}_{layer_id}_{fkey}"):
                values = {n: _widget(spec, n, v, f"ed_{page}_{layer_id}_{fkey}_{n}", lang) for n, v in current.items()}
                reason = st.text_input(t("edit.reason", lang), key=f"ed_reason_{page}_{fkey}")
                submitted = st.form_submit_button(t("edit.save", lang))
            if submitted:
                changes = {n: v for n, v in values.items() if v != current[n]}
                if not changes:
                    st.info(t("edit.nothing", lang))
                else:
                    try:
                        rows = edit(path, layer_id, fkey, changes, user.name, reason, {n: current[n] for n in changes})
                    except EditError as exc:
                        _error(exc, lang)
                    else:
                        flash(page, t("edit.saved", lang, n=fmt_number(len(rows), lang)))
                        st.rerun()
            if spec.geometry == "Point" and row.geometry is not None and not row.geometry.is_empty:
                _move_form(page, layer_id, fkey, row, user.name, lang)
    past = history(path, layer_id, fkey)
    if not data.sensitive_ok():
        past = redact_rows(past)
    log = data.catalog()["audit_log"]  # the change log's own labels
    texts = [change_text(spec, r.field, r.old, r.new, lang) for r in past]
    if past:
        with st.expander(
            t("edit.history", lang), icon=":material/history:", key=f"hist_panel_{page}_{layer_id}_{fkey}"
        ):
            st.dataframe(
                pd.DataFrame(
                    {
                        log.field("ts").label(lang): [fmt_datetime(r.ts, lang) for r in past],
                        log.field("user").label(lang): [r.user for r in past],
                        log.field("field").label(lang): [what for what, _, _ in texts],
                        log.field("old").label(lang): [old for _, old, _ in texts],
                        log.field("new").label(lang): [new for _, _, new in texts],
                        log.field("reason").label(lang): [r.reason for r in past],
                    }
                ),
                hide_index=True,
                width="stretch",
            )


def _error(exc: EditError, lang: Lang) -> None:
    """An edit's refusal in the page's language, the other one under it."""
    st.error(exc.message(lang))
    st.caption(exc.message("en" if lang == "vi" else "vi"))


def _move_form(page: str, layer_id: str, fkey: str, row: Any, user: str, lang: Lang) -> None:
    """Move a point to measured coordinates, or to where the planner clicked on the map while picking;
    refused if someone moved it meanwhile.
    """
    lon0, lat0 = picked(page) or (row.geometry.x, row.geometry.y)
    with st.form(f"move_{page}_{layer_id}_{fkey}"):
        st.markdown(f"**{t('edit.position', lang)}**")
        c1, c2 = st.columns(2)
        lon = c1.number_input(t("edit.lon", lang), value=float(lon0), format="%.6f", step=0.0001)
        lat = c2.number_input(t("edit.lat", lang), value=float(lat0), format="%.6f", step=0.0001)
        reason = st.text_input(t("edit.reason", lang), key=f"mv_reason_{page}_{fkey}")
        if not st.form_submit_button(t("edit.move", lang)):
            return
    try:
        move_point(data.store().location, layer_id, fkey, lon, lat, user, reason, expected_wkt=row.geometry.wkt)
    except EditError as exc:
        _error(exc, lang)
    else:
        flash(page, t("edit.moved", lang, lon=f"{lon:.6f}", lat=f"{lat:.6f}"))
        stop_picking(page)
        st.rerun()


def add_point_box(page: str, layer_ids: list[str]) -> None:
    """For planners: add a point (a dispute, an accident, a resettlement site) to a visible point layer."""
    user = current_user()
    catalog = data.catalog()
    points = [lid for lid in layer_ids if catalog[lid].geometry == "Point" and catalog[lid].editable]
    if not (user and user.can_edit and points) or data.as_of_day() is not None:
        return
    lang = state.lang()
    with st.expander(t("edit.add_point", lang), icon=":material/add_location:", key=f"add_pt_panel_{page}"):
        lid = st.selectbox(
            t("edit.add_layer", lang), points, key=f"add_pt_layer_{page}", format_func=lambda i: catalog[i].title(lang)
        )
        spec = catalog[lid]
        w, s_, e, n = current_view(page) or data.layer("district").total_bounds
        lon0, lat0 = picked(page) or ((w + e) / 2, (s_ + n) / 2)
        st.caption(t("edit.add_where", lang))
        names = data.unit_names()
        with st.form(f"add_pt_{page}_{lid}"):
            values: dict[str, Any] = {}
            for f in spec.fields:
                key = f"add_{page}_{lid}_{f.name}"
                if f.derived:
                    continue
                if f.name == "unit_code":
                    values[f.name] = st.selectbox(f.label(lang), list(names), key=key, format_func=names.get)
                else:
                    values[f.name] = _widget(spec, f.name, None, key, lang)
            c1, c2 = st.columns(2)
            lon = c1.number_input(t("edit.lon", lang), value=float(lon0), format="%.6f", step=0.0001)
            lat = c2.number_input(t("edit.lat", lang), value=float(lat0), format="%.6f", step=0.0001)
            reason = st.text_input(t("edit.reason", lang), key=f"add_reason_{page}_{lid}")
            submitted = st.form_submit_button(t("edit.add", lang))
        if not submitted:
            return
        try:
            key = insert(data.store().location, lid, values, user.name, reason, point=(lon, lat))
        except EditError as exc:
            _error(exc, lang)
        else:
            stop_picking(page)
            select(page, lid, key, zoom=True)  # the new point, selected and in view
            flash(page, t("edit.added", lang, key=key))
            st.rerun()


def criteria_editor(unit_code: str, unit_name: str, criteria_names: dict[int, str]) -> None:
    """For planners: a commune's 19 criteria as an editable table, saved in one audited transaction."""
    user = current_user()
    if not (user and user.can_edit) or data.as_of_day() is not None:
        return
    lang = state.lang()
    spec = data.catalog()["ntm_commune"]
    rows = data.layer("ntm_commune")
    rows = rows[rows.unit_code == unit_code].sort_values("criterion")
    flash = st.session_state.pop("ntm_edit_flash", None)
    if flash:
        st.success(flash)
    with st.expander(t("ntm.edit", lang, unit=unit_name), icon=":material/edit:", key=f"ntm_edit_{unit_code}"):
        seen = pd.DataFrame(
            {
                "criterion": rows.criterion.astype(int).to_numpy(),
                "name": [criteria_names.get(int(c), str(c)) for c in rows.criterion],
                "met": rows.met.astype(bool).to_numpy(),
                "year_met": rows.year_met.astype("Int64").to_numpy(),
                "target_year": rows.target_year.astype("Int64").to_numpy(),
            }
        )
        with st.form(f"ntm_edit_form_{unit_code}"):
            edited = st.data_editor(
                seen,
                hide_index=True,
                width="stretch",
                disabled=["criterion", "name"],
                key=f"ntm_editor_{unit_code}",
                column_config={
                    "criterion": st.column_config.NumberColumn("#", width="small"),
                    "name": st.column_config.TextColumn(spec.field("criterion").label(lang)),
                    "met": st.column_config.CheckboxColumn(spec.field("met").label(lang)),
                    "year_met": st.column_config.NumberColumn(spec.field("year_met").label(lang), format="%d"),
                    "target_year": st.column_config.NumberColumn(spec.field("target_year").label(lang), format="%d"),
                },
            )
            reason = st.text_input(t("edit.reason", lang), key=f"ntm_reason_{unit_code}")
            submitted = st.form_submit_button(t("edit.save", lang))
        if not submitted:
            return
        changes = []
        fields = ("met", "year_met", "target_year")
        for (_, old), (_, new) in zip(seen.iterrows(), edited.iterrows(), strict=True):
            diff = {f: _plain(new[f]) for f in fields if _plain(new[f]) != _plain(old[f])}
            if diff:
                changes.append((f"{unit_code},{int(old.criterion)}", diff, {f: _plain(old[f]) for f in diff}))
        if not changes:
            st.info(t("edit.nothing", lang))
            return
        try:
            written = edit_many(data.store().location, "ntm_commune", changes, user.name, reason)
        except EditError as exc:
            _error(exc, lang)
        else:
            st.session_state["ntm_edit_flash"] = t("edit.saved", lang, n=fmt_number(len(written), lang))
            st.rerun()
