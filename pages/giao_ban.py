"""Giao ban: the briefing view (presentation mode comes with its issue)."""

import streamlit as st

from geo.catalog import OVERVIEW_LAYERS
from geo.i18n import t
from ui import state
from ui.export import pack_panel
from ui.figures import headline_strip
from ui.mapwidget import layer_toggles, map_view

lang = state.lang()
st.title(t("nav.meeting", lang))
st.caption(t("meeting.intro", lang))
headline_strip()
pack_panel()
map_view("giao-ban", layer_toggles(OVERVIEW_LAYERS, "map_giao-ban"), height=760)
