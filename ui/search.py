"""The search box above every map: type a name, a code or "tờ 12 thửa 101", choose a result, and the map
goes to the feature with its record open, exactly as after a table-row click (:func:`ui.selection.select`).

The engine is :mod:`geo.read.search`; it reads the layers through :func:`ui.data.layer`, so it sees the day
shown and only the fields this user may see. The box is a text field (Enter searches), the results are
buttons in the tab order, and a status line (``role="status"``, always on the page) announces how many were
found and which one was chosen.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.model.catalog import Catalog
from geo.model.i18n import fmt_number, t
from geo.model.safe import html_text, md_text
from geo.read.search import Hit, search
from ui import data, state
from ui.selection import select

SHOWN = 8  # results listed under the box; more means: type more


class _Shown:
    """The store as this page shows it (the day, the units, this user's fields), cached: what a search reads."""

    @property
    def catalog(self) -> Catalog:
        return data.catalog()

    def has(self, layer_id: str) -> bool:
        return data.store().has(layer_id)

    def read(self, layer_id: str) -> Any:
        return data.layer(layer_id)


def searched_layers(offered: tuple[str, ...]) -> list[str]:
    """The page's map layers a search looks in (with the 2025 communes where the page has the 2024 units)."""
    out = list(offered)
    if "units" in out and data.store().has("communes_2025"):
        out.append("communes_2025")
    return out


def show_feature(page: str, layer_id: str, key: str, offered: tuple[str, ...]) -> None:
    """Select a feature on ``page`` and move its map there, its layer switched on if the page offers it (a
    callback: it runs before the page draws its layer pills).
    """
    pills = f"map_{page}_layers"
    catalog = data.catalog()
    if layer_id in offered:
        current = st.session_state.get(pills)
        if current is None:  # the page's defaults until the user touched the pills
            current = [lid for lid in offered if lid in catalog and catalog[lid].default_visible]
        if layer_id not in current:
            st.session_state[pills] = [*current, layer_id]
    select(page, layer_id, key, zoom=True)


def _choose(page: str, hit: Hit, offered: tuple[str, ...], said: str, query: str) -> None:
    """A result chosen: its feature selected and shown; the choice announced for as long as the box holds the
    words it was found by (the box keeps them, as a map's search box does, so the other results stay at hand).

    The box is not emptied from here: a value set by the server reaches the browser only once this run has
    drawn, and a rerun the browser asks before that (the map reporting the view it just moved to) would still
    carry the old words and search them again, as if the choice had never been made.
    """
    show_feature(page, hit.layer, hit.key, offered)
    st.session_state[f"found_{page}"] = (query, said)


def search_box(page: str, offered: tuple[str, ...]) -> None:
    """The search box of ``page`` over the layers it ``offered`` (its layer pills' options): one block, whatever
    it finds, so the map below keeps its place on the page (Streamlit knows the map's fragment by its place:
    ui.mapwidget).
    """
    with st.container():
        _search_box(page, offered)


def _search_box(page: str, offered: tuple[str, ...]) -> None:
    lang = state.lang()
    # One line over the map: the label is the field's accessible name and its placeholder says it on screen.
    query = st.text_input(
        t("search.label", lang),
        key=f"find_{page}",
        help=t("search.help", lang),
        placeholder=t("search.label", lang),
        label_visibility="collapsed",
        width=560,
    )
    found = st.session_state.get(f"found_{page}")  # (the words, what was chosen among their results)
    if found is not None and found[0] != query:
        st.session_state.pop(f"found_{page}", None)  # new words: a new search
        found = None
    status = ""
    hits: list[Hit] = []
    if query.strip():
        hits = search(_Shown(), query, searched_layers(offered), limit=SHOWN + 1)
        q = query.strip()[:60]
        status = (
            t("search.results", lang, n=fmt_number(min(len(hits), SHOWN), lang), q=q)
            if hits
            else t("search.none", lang, q=q)
        )
    if found is not None:
        status = found[1]
    # Always on the page, so that a screen reader hears each change of it.
    st.html(f'<p class="dl-search-status" role="status" aria-live="polite">{html_text(status)}</p>')
    if not hits:
        return
    catalog = data.catalog()
    with st.container(key=f"find_results_{page}"):
        for i, hit in enumerate(hits[:SHOWN]):
            title = catalog[hit.layer].title(lang) if hit.layer in catalog else hit.layer
            said = t("search.chosen", lang, label=hit.label, layer=title)
            st.button(
                md_text(f"{hit.label} — {title}"),
                key=f"find_{page}_{i}",
                on_click=_choose,
                args=(page, hit, offered, said, query),
                type="tertiary",
            )
    if len(hits) > SHOWN:
        st.caption(t("search.more", lang, n=SHOWN))
