"""Bản đồ điều hành huyện Đình Lập — entry point.

Registers the pages with ``st.navigation`` and owns the shared sidebar.
Run with ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from geo.store import StoreError
from ui import state
from ui.sidebar import STYLE, sidebar
from ui.views import open_view_from_link

st.set_page_config(
    page_title="Bản đồ điều hành Đình Lập",
    page_icon="🗺️",  # an emoji favicon is a data URL; a :material: one is fetched from Google
    layout="wide",
)
state.init()
lang = state.lang()

PAGES = [
    ("pages/overview.py", "nav.overview", ":material/dashboard:", "", True),
    ("pages/giao_thong.py", "nav.roads", ":material/add_road:", "giao-thong", False),
    ("pages/cum_cong_nghiep.py", "nav.industry", ":material/factory:", "cum-cong-nghiep", False),
    ("pages/dat_lam_nghiep.py", "nav.forest", ":material/forest:", "dat-lam-nghiep", False),
    ("pages/nong_thon_moi.py", "nav.ntm", ":material/holiday_village:", "nong-thon-moi", False),
    ("pages/chi_tieu.py", "nav.indicators", ":material/monitoring:", "chi-tieu", False),
    ("pages/giao_ban.py", "nav.meeting", ":material/co_present:", "giao-ban", False),
    ("pages/du_lieu.py", "nav.data", ":material/database:", "du-lieu", False),
]
nav = st.navigation(
    [
        st.Page(path, title=t(key, lang), icon=icon, url_path=url or None, default=default)
        for path, key, icon, url, default in PAGES
    ]
)
st.html(STYLE)
try:
    open_view_from_link()
    sidebar()
    nav.run()
except StoreError as exc:
    st.error(exc.message(lang))
    st.caption(exc.message("en"))
