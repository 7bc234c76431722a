"""Chỉ tiêu: every indicator of the notice as a card, charts of achievement, links to the map."""

import streamlit as st

from geo.model.i18n import t
from ui import state
from ui.figures import achievement_chart, indicator_cards, series_charts

lang = state.lang()
st.title(t("nav.indicators", lang))
st.caption(t("indicators.intro", lang))
achievement_chart()
st.header(t("series.title", lang))
series_charts()
indicator_cards()
