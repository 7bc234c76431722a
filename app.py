"""Bản đồ điều hành huyện Đình Lập — entry point.

Registers the pages with ``st.navigation`` and owns the shared sidebar.
Run with ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import streamlit as st

from geo.model.i18n import t
from geo.store.db import StoreDown, StoreLoginRefused
from geo.store.reads import StoreError
from ui import data, live, press, state
from ui.assets import page_behaviour
from ui.auth import current_user
from ui.nav import PAGES
from ui.sidebar import STYLE, sidebar
from ui.timeline import banner, from_link
from ui.views import open_view_from_link

st.set_page_config(
    page_title="Bản đồ điều hành Đình Lập",
    page_icon="🗺️",  # an emoji favicon is a data URL; a :material: one is fetched from Google
    layout="wide",
)
state.init()
lang = state.lang()

nav = st.navigation(
    [
        st.Page(path, title=t(key, lang), icon=icon, url_path=url or None, default=default)
        for path, key, icon, url, default in PAGES
    ]
)
press.begin_run(f"{nav.url_path}|{getattr(current_user(), 'name', '')}")
st.html(STYLE)
page_behaviour(lang, t("page.skip", lang), state.projector())
try:
    data.begin_run()
    open_view_from_link()
    from_link()
    sidebar()
    banner()
    nav.run()
except StoreError as exc:
    st.error(exc.message(lang))
    st.caption(exc.message("en"))
except StoreLoginRefused:  # the server answered and refused the store's own sign-in (its password changed)
    st.error(t("error.store_login", lang, path=""))
    st.caption(t("error.store_login", "en", path=""))
except StoreDown as down:  # the database went away mid-run: say so; the next run reconnects
    st.error(t("error.store_down", lang, reason=str(down)[:200]))
    st.caption(t("error.store_down", "en", reason=str(down)[:200]))
except Exception:  # an error the page did not expect: a press it kept must not act later, by surprise
    press.end_run()
    raise
live.watch()  # last: it watches the tables this run showed (replicas on PostGIS; off on a GeoPackage)
press.end_run()  # the page was drawn to its end (or said its store's error): a press no button took is dropped
