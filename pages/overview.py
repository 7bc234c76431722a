"""Tổng quan: the notice's headline figures, what needs attention, every theme on one map."""

import streamlit as st

from geo.catalog import OVERVIEW_LAYERS
from geo.i18n import t
from ui import data, state
from ui.attention import attention_list
from ui.figures import headline_strip
from ui.layout import map_with_record
from ui.views import view_banner

lang = state.lang()
st.title(t("app.title", lang))
st.caption(t("app.subtitle", lang))
view_banner("overview")
headline_strip()
attention_list()
map_with_record((*OVERVIEW_LAYERS, *data.store().overlays), page="overview", height=680)  # and imported overlays
