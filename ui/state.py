"""Session state: initialised in one place; only plain parameters and selections."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.model.i18n import Lang

DEFAULTS: dict[str, Any] = {"lang": "vi", "basemap": "none", "projector": False}


LANG_COOKIE = "dl_lang"  # the language last shown in this browser (written by ui/static/page.js)


def init() -> None:
    """Give every shared key its default once per session; the language is the one this browser last used
    (its cookie: across reloads and new tabs), unless a link chooses it (``?lang=en`` wins).
    """
    if "lang" not in st.session_state:
        remembered = _cookie(LANG_COOKIE)
        if remembered in ("vi", "en"):
            st.session_state["lang"] = remembered
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


def _cookie(name: str) -> str | None:
    try:
        return st.context.cookies.get(name)
    except Exception:  # no browser behind this run (a test's AppTest): no cookie
        return None


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


def widget_default(key: str, options: list[Any], first: list[Any]) -> list[Any]:
    """The ``default`` to give the multi-select pills keyed ``key``: ``first`` on their first run, then what
    they hold (within ``options``).

    Streamlit uses the held value either way; the default matters to the browser, which falls back to it
    when the selection it holds no longer matches the options it is sent (the labels changed with the
    language or the units). Were the default empty after the first run, as ``None`` makes it, that fallback
    would switch every layer off and send the empty choice back with the next run.
    """
    if key not in st.session_state:
        return first
    held = st.session_state[key] or []
    return [o for o in options if o in held]
