"""Tổng quan: every theme on one map, with the notice's headline figures."""

import streamlit as st

from geo.catalog import OVERVIEW_LAYERS
from geo.i18n import t
from ui import state
from ui.figures import headline_strip
from ui.mapwidget import map_with_record

lang = state.lang()
st.title(t("app.title", lang))
st.caption(t("app.subtitle", lang))
headline_strip()
map_with_record(OVERVIEW_LAYERS, key="map_overview", height=680)
