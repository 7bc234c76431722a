"""The overview's "what needs attention" list: each item a link to its page with the feature selected."""

from __future__ import annotations

import streamlit as st

from geo.model.i18n import fmt_number, t
from geo.model.safe import md_text
from geo.read import board
from geo.read.panels import attention
from ui import data, state
from ui.nav import PAGE_FILES
from ui.theme import as_of


def alerts_box() -> None:
    """What the data say needs looking at: overdue tasks, indicators behind plan, layers not kept up to date."""
    lang = state.lang()
    found = board.store_alerts(data.reader(), data.shown_day(), lang)
    tasks, stale = board.folded(found, lang)  # overdue and stalled tasks first; old layers in one line
    label = f"{t('alert.title', lang)} ({len(tasks) + (1 if stale else 0)})"
    with st.expander(label, expanded=bool(tasks), icon=":material/warning:"):
        if not found:
            st.caption(t("alert.none", lang))
        for a in tasks:
            if a.kind in ("task", "stalled"):
                st.page_link(
                    PAGE_FILES["giao-ban"],
                    label=md_text(a.text),
                    query_params={"task": a.key},
                    icon=":material/flag:" if a.kind == "task" else ":material/hourglass_empty:",
                )
            else:
                st.markdown(f"- {md_text(a.text)}")
        if stale:
            names = [a.text.split("“", 1)[-1].split("”", 1)[0] for a in found if a.kind == "layer"]
            st.markdown(f"- {md_text(stale.text)}")
            st.caption("; ".join(md_text(n) for n in names))


def attention_list() -> None:
    """Three columns: segments behind, disputes open longest, communes furthest from the standard."""
    lang = state.lang()
    items = attention(
        data.layer("ql4b_segments"), data.layer("land_disputes"), data.layer("ntm_commune"), as_of("land_disputes")
    )
    names = data.unit_names()
    st.markdown(f"**{t('attention.title', lang)}**")
    cols = dict(zip(("segment", "dispute", "commune"), st.columns(3), strict=True))
    for kind, col in cols.items():
        col.caption(t(f"attention.{kind}", lang))
    for item in items:
        figure = fmt_number(item.figure, lang)
        label = {
            "segment": t("attention.segment_item", lang, item=md_text(item.key), pct=figure),
            "dispute": t("attention.dispute_item", lang, item=md_text(item.key), days=figure),
            "commune": t("attention.commune_item", lang, name=md_text(names.get(item.key, item.key)), met=figure),
        }[item.kind]
        with cols[item.kind]:
            st.page_link(
                PAGE_FILES[item.page],
                label=label,
                query_params={"sel": f"{item.layer}:{item.key}"},
                icon=":material/arrow_forward:",
            )
