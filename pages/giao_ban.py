"""Giao ban: the briefing — presentation of views or tasks, what changed, the meeting pack."""

import streamlit as st

from geo.model.i18n import t
from ui import state
from ui.export import pack_panel
from ui.presentation import briefing

lang = state.lang()
st.title(t("nav.meeting", lang))
st.caption(t("meeting.intro", lang))
briefing()
st.divider()
pack_panel()
