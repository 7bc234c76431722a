"""A message the engine wrote for a user, shown as text: a name, key or value in it never turns into markdown.

The engine's messages (``EditError``, ``FieldError``, ``Refused`` …) carry what a person typed or a file
held (a feature's key, a layer's title, a column's name); Streamlit reads what it shows as markdown, so
each is escaped here, at the one place it meets the page.
"""

from __future__ import annotations

import streamlit as st

from geo.model.i18n import Lang, UserError
from geo.model.safe import md_text


def error(exc: UserError, lang: Lang, *, both: bool = True) -> None:
    """``exc``'s message in the page's language, the other one under it (``both``), shown exactly as written."""
    st.error(md_text(exc.message(lang)))
    if both:
        st.caption(md_text(exc.message("en" if lang == "vi" else "vi")))


def warning(exc: UserError, lang: Lang) -> None:
    """``exc``'s message as a warning (the planner may go on), shown exactly as written."""
    st.warning(md_text(exc.message(lang)))


def success(text: str) -> None:
    """A confirmation the app wrote (it may name a feature's key or a layer's title), shown exactly as written."""
    st.success(md_text(text), icon=":material/check_circle:")
