"""The sidebar shared by every page: language, basemap, store and data honesty note."""

from __future__ import annotations

import streamlit as st

from geo.model.i18n import t
from ui import data, state
from ui.auth import sign_in_box
from ui.threads import my_threads
from ui.timeline import date_control
from ui.views import views_list

STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
/* WCAG 2.1 AA: captions and small print at 4.5:1 or more on white and on the sidebar's beige */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #4f5863 !important; opacity: 1 !important; }
/* the skip link (ui/static/page.js): hidden until the keyboard reaches it */
.dl-skip { position: fixed; left: 8px; top: -80px; z-index: 1000100; background: #fff; color: #1f2d3d;
  padding: 8px 12px; border: 2px solid #005fcc; border-radius: 4px; font-weight: 700; }
.dl-skip:focus { top: 8px; }
/* the meeting room (projector mode, 1920×1080): the map takes the screen, the page's chrome shrinks */
.dl-projector [data-testid="stMainBlockContainer"] { padding: 2.4rem 1.2rem 1rem; max-width: 100%; }
.dl-projector [data-testid="stMain"] h1 { font-size: 1.9rem; padding: 0 0 .2rem; }
.dl-projector .dl-side-legend { font-size: 1rem; }
/* section headings are h2 under the page's h1 (no level skipped), at the size of a sub-heading */
[data-testid="stHeading"] h2 { font-size: 1.5rem; padding-top: .6rem; }
.dl-record th { text-align: left; padding-right: .8em; font-weight: 600; color: #444; vertical-align: top; width: 45%; }
.dl-record { font-size: .92rem; border-collapse: collapse; }
.dl-record td, .dl-record th { border: 0; border-bottom: 1px solid #eee; padding: .15em .3em; }
.dl-cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .2rem 0 .8rem; }
/* the search's live region (ui/search.py) while it has nothing to say: still in the accessibility tree, but
   taking no room between the search box and the map (32 px more map in a laptop's first screen) */
[data-testid="stElementContainer"]:has(.dl-search-status:empty) { position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip-path: inset(50%); }
/* a laptop or larger (1366×768 up): the overview's cards fold into one compact strip that scrolls sideways,
   the page's chrome shrinks, so at least half the first screen is map */
@media (min-width: 900px) {
  .dl-strip { flex-wrap: nowrap; overflow-x: auto; gap: .45rem; margin: 0 0 .3rem; padding-bottom: .25rem; }
  .dl-strip .dl-card { flex: 0 0 15.5rem; padding: .3rem .55rem; }
  .dl-strip .dl-card-name { min-height: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
    font-size: .8rem; }
  .dl-strip .dl-card-value { font-size: 1.2rem; line-height: 1.25; }
  .dl-strip .dl-card-sub { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: .74rem; }
  .dl-strip .dl-card-sub ~ .dl-card-sub { display: none; }
  .dl-strip .dl-card-src { margin-top: .1rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .dl-strip:focus-visible { outline: 2px solid #005fcc; outline-offset: 2px; }
}
@media (min-width: 900px) and (max-height: 1000px) {
  html:not(.dl-projector) [data-testid="stMain"] h1 { font-size: 2rem; padding: 0 0 .1rem; }
}
.dl-card { flex: 1 1 14rem; border: 1px solid #ddd6c6; border-radius: .5rem; padding: .5rem .75rem;
  background: #fbfaf6; }
.dl-card-name { font-size: .85rem; color: #444; line-height: 1.25; min-height: 2.1em; }
.dl-card-value { font-size: 1.55rem; font-weight: 700; color: #1f2d3d; line-height: 1.3; white-space: nowrap; }
.dl-card-sub { font-size: .8rem; color: #555; line-height: 1.3; }
.dl-card-src { font-size: .72rem; color: #6b5f45; margin-top: .25rem; }
.dl-changes { width: 100%; border-collapse: collapse; font-size: 1rem; margin-bottom: 1rem; }
.dl-changes th { text-align: left; background: #f3f1ea; padding: .35em .5em; }
.dl-changes td { border-bottom: 1px solid #e6e1d3; padding: .3em .5em; vertical-align: top; }
.dl-side-legend { font-size: .85rem; line-height: 1.35; margin-top: .6rem; }
.dl-side-legend .dl-legend-head { font-weight: 700; font-size: 1rem; margin-bottom: .2rem; }
.dl-side-legend .dl-legend-title { font-weight: 600; margin-top: .45rem; }
.dl-side-legend .dl-legend-row { display: flex; align-items: center; gap: .45rem; }
.dl-side-legend .dl-sw { display: inline-block; width: 16px; height: 12px; flex: none; box-sizing: border-box; }
.dl-side-legend .dl-sw-line { height: 5px; width: 30px; }
.dl-side-legend .dl-sw-point { width: 12px; border-radius: 50%; }
.dl-side-legend .dl-legend-n { color: #595959; margin-left: auto; }
.dl-card-quote { font-size: .75rem; color: #5a4a2a; font-style: italic; margin-top: .3rem; }
/* phones: compact headline cards two to a row, layer pills in one row that scrolls sideways, the map
   at 62% of the screen (a one-finger swipe scrolls the page: dlmap.js), touch targets of 44 px */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.2rem .8rem 2rem; }
  [data-testid="stMain"] h1 { font-size: 1.7rem; }
  .dl-cards { gap: .4rem; }
  .dl-card { flex: 1 1 40%; padding: .35rem .5rem; }
  .dl-card-name { font-size: .78rem; min-height: 0; }
  .dl-card-value { font-size: 1.15rem; white-space: normal; }
  .dl-card-sub { font-size: .74rem; }
  .dl-card-src { font-size: .68rem; }
  [data-testid="stPills"] > div, [data-testid="stButtonGroup"] > div { flex-wrap: nowrap !important;
    overflow-x: auto; padding-bottom: 4px; }
  [data-testid="stPills"] button, [data-testid="stButtonGroup"] button { flex: none; white-space: nowrap; }
  iframe[title="streamlit_folium.st_folium"] { height: 62vh !important; }
  button, [data-testid="stPageLink"] a, [data-testid="stExpander"] summary { min-height: 44px !important; }
  [data-testid="stRadio"] label, [data-testid="stCheckbox"] label { min-height: 44px; align-items: center; }
}
</style>"""


def sidebar() -> None:
    """Render the shared sidebar (called once, from ``app.py``)."""
    lang = state.lang()
    with st.sidebar:
        st.radio(
            t("sidebar.lang", lang),
            ["vi", "en"],
            key="lang",
            horizontal=True,
            format_func=lambda v: "Tiếng Việt" if v == "vi" else "English",
        )
        lang = state.lang()
        st.selectbox(
            t("sidebar.basemap", lang),
            ["none", "osm", "satellite"],
            key="basemap",
            format_func=lambda v: t(f"basemap.{v}", lang),
        )
        st.toggle(t("sidebar.projector", lang), key="projector", help=t("sidebar.projector_help", lang))
        date_control()
        share = data.demo_share()
        if share.any:
            st.warning(f"**{share.label(lang)}** — {t('demo.note', lang)}", icon=":material/info:")
        st.caption(f"{t('sidebar.store', lang)}: `{data.store().label}`")
        views_list()
        sign_in_box(data.store())
        my_threads()
