"""Chỉ tiêu: every indicator of the notice with its target, percentage and citation."""

import streamlit as st

from geo.i18n import t
from ui import state
from ui.figures import indicators

lang = state.lang()
st.title(t("nav.indicators", lang))
for ind in indicators():
    with st.container(border=True):
        st.metric(
            ind.name(lang),
            ind.value_text(lang),
            " · ".join(ind.achievement_text(lang)) or None,
            delta_color="off",
            delta_arrow="off",
        )
        st.caption(f"{ind.period} — {t('figures.source', lang, section=ind.section)}: «{ind.quote}»")
