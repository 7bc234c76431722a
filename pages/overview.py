"""Tổng quan: the notice's headline figures, what needs attention, every theme on one map."""

import streamlit as st

from geo.model.catalog import OVERVIEW_LAYERS
from geo.model.i18n import t
from ui import data, state
from ui.attention import alerts_box, attention_list
from ui.figures import headline_strip
from ui.layout import map_with_record
from ui.views import view_banner

lang = state.lang()
st.title(t("app.title", lang))
view_banner("overview")
layers = (*OVERVIEW_LAYERS, *data.store().overlays)  # and imported overlays
if state.projector():  # the meeting room: the map first, as big as the screen allows; the figures below it
    map_with_record(layers, page="overview", height=680)
    headline_strip()
else:  # the headline figures in a strip, then the map: half a laptop's first screen or more is map
    st.caption(t("app.subtitle", lang))
    headline_strip()
    map_with_record(layers, page="overview", height=680, fold_layers=True)
attention_list()
alerts_box()
