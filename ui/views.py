"""Opening saved views: by link (``/?view=ID``, ``/<page>?view=ID``) or from the sidebar's list.

Opening a view sets the target page's widgets (layer toggles, filters), its
selection and its map extent, then shows that page with the view's title.
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from geo.views import View, views_from_frame
from ui import data, state

PAGE_FILES = {
    "": "pages/overview.py",
    "giao-thong": "pages/giao_thong.py",
    "cum-cong-nghiep": "pages/cum_cong_nghiep.py",
    "dat-lam-nghiep": "pages/dat_lam_nghiep.py",
    "nong-thon-moi": "pages/nong_thon_moi.py",
    "chi-tieu": "pages/chi_tieu.py",
    "giao-ban": "pages/giao_ban.py",
    "du-lieu": "pages/du_lieu.py",
}


def page_key(url_path: str) -> str:
    """The key prefix of a page's widgets and state (the overview's url path is empty)."""
    return url_path or "overview"


def all_views() -> list[View]:
    """The store's saved views (none if the store has no views table)."""
    return views_from_frame(data.layer("views")) if data.store().has("views") else []


def apply_view(view: View) -> None:
    """Put the view's layers, filters, selection and extent into the session state of its page."""
    page = page_key(view.page)
    if view.layers:
        st.session_state[f"map_{page}_layers"] = list(view.layers)
    for lid, flt in view.filters.items():
        for name, values in flt.items():
            st.session_state[f"flt_{page}_{lid}_{name}"] = values
    if view.selected:
        st.session_state[f"sel_{page}"] = {"layer": view.selected[0], "key": view.selected[1], "zoom": False, "n": 0}
    else:
        st.session_state.pop(f"sel_{page}", None)
    st.session_state[f"home_{page}"] = view.bbox
    st.session_state[f"view_banner_{page}"] = view.id


def open_view_from_link() -> None:
    """Apply ``?view=ID`` once, then show the view's page."""
    view_id = st.query_params.get("view")
    if not view_id:
        return
    del st.query_params["view"]
    view = next((v for v in all_views() if v.id == view_id), None)
    if view is None:
        st.session_state["view_missing"] = view_id
        return
    apply_view(view)
    st.switch_page(PAGE_FILES[view.page])


def view_banner(page: str) -> None:
    """The open view's title and note above the page's map."""
    lang = state.lang()
    missing = st.session_state.pop("view_missing", None)
    if missing:
        st.warning(t("views.missing", lang, view=missing))
    view_id = st.session_state.get(f"view_banner_{page}")
    view = next((v for v in all_views() if v.id == view_id), None) if view_id else None
    if view:
        st.info(f"**{t('views.open', lang)}: {view.title(lang)}** — {view.note(lang)}", icon=":material/bookmark:")


def views_list() -> None:
    """Every saved view as a link, in the sidebar."""
    lang = state.lang()
    views = all_views()
    if not views:
        return
    with st.expander(t("views.title", lang), icon=":material/bookmarks:"):
        for v in views:
            st.page_link(PAGE_FILES[v.page], label=v.title(lang), query_params={"view": v.id})
