"""Session state: initialised in one place; only plain parameters and selections."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.i18n import Lang

DEFAULTS: dict[str, Any] = {"lang": "vi", "basemap": "none", "projector": False}


def init() -> None:
    """Give every shared key its default once per session; a link may choose the language (``?lang=en``)."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    chosen = st.query_params.get("lang")
    if chosen in ("vi", "en"):
        st.session_state["lang"] = chosen
    if "lang" in st.query_params:
        del st.query_params["lang"]
    layout = st.query_params.get("layout")  # ?layout=projector: the meeting room's big map
    if layout in ("projector", "normal"):
        st.session_state["projector"] = layout == "projector"
    if "layout" in st.query_params:
        del st.query_params["layout"]


def projector() -> bool:
    """The meeting-room layout: the map big and first, large labels, the legend open."""
    return bool(st.session_state.get("projector", False))


def map_height(normal: int) -> int:
    """A page's map height: ``normal``, or most of a 1080-pixel projector screen."""
    return max(normal, 820) if projector() else normal


def lang() -> Lang:
    """The user's language."""
    value = st.session_state.get("lang", "vi")
    return "en" if value == "en" else "vi"
