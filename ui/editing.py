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

from geo.catalog import CATALOG, LayerSpec
from geo.edit import EditError, edit, history, redact_rows
from geo.i18n import Lang, fmt_number, t
from geo.records import format_value
from ui import data, state
from ui.auth import current_user


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
    if f.kind == "int":
        return int(st.number_input(label, value=int(current or 0), step=1, key=key))
    if f.kind == "float":
        return float(st.number_input(label, value=float(current or 0.0), key=key, format="%.2f"))
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
    spec = CATALOG[layer_id]
    fkey = ",".join(str(row[k]) for k in spec.key.split(","))
    path = data.store().path
    flash = st.session_state.pop(f"edit_flash_{page}", None)
    if flash:
        st.success(flash)
    user = current_user()
    if user and user.can_edit and spec.editable:
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
                        st.error(exc.message(lang))
                        st.caption(exc.message("en" if lang == "vi" else "vi"))
                    else:
                        st.session_state[f"edit_flash_{page}"] = t("edit.saved", lang, n=fmt_number(len(rows), lang))
                        st.rerun()
    past = history(path, layer_id, fkey)
    if not data.sensitive_ok():
        past = redact_rows(past)
    log = CATALOG["audit_log"]  # the change log's own labels
    if past:
        with st.expander(
            t("edit.history", lang), icon=":material/history:", key=f"hist_panel_{page}_{layer_id}_{fkey}"
        ):
            st.dataframe(
                pd.DataFrame(
                    {
                        log.field("ts").label(lang): [r.ts[:19].replace("T", " ") for r in past],
                        log.field("user").label(lang): [r.user for r in past],
                        log.field("field").label(lang): [spec.field(r.field).label(lang) for r in past],
                        log.field("old").label(lang): [format_value(spec, r.field, r.old, lang) for r in past],
                        log.field("new").label(lang): [format_value(spec, r.field, r.new, lang) for r in past],
                        log.field("reason").label(lang): [r.reason for r in past],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
