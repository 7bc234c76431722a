"""Buttons that write: a press is kept until the page reads it, even when the run it came with is cut short.

Streamlit reports a press for one run only: the button returns True in the run the press starts. A map that
reports its view (a move, a redraw after the data changed) starts a run of its own; arriving while the
press's run is still on its way down the page, it cuts that run short, and the run that follows sees the
button unpressed. The planner's comment, sent as the map settled, never arrived (CI, stop 36).

A button's callback is different: Streamlit runs it before the page, so it is never cut short. Here it only
keeps the press, with what the form was about (the layer and feature, the thread…); the button returns True
on the next run that reaches it about the same thing, once. A press not taken within a few runs, or left
behind when the user goes to another page, is dropped: it never fires later, by surprise.

Not solved here: a press and a map's report that reach the server together make one run, and that run may
read a form's boxes as the report carried them (empty), not as the press sent them (README, "A press and
the map").
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import streamlit as st

_KEPT = "_kept_presses"  # {button key: (about, the run it was kept in)}
_RUN = "_press_run"  # this session's runs, counted
_PAGE = "_press_page"  # the page the last run showed
#: The runs a kept press waits for its button: its own, and two cut short before reaching it.
WITHIN = 3


def begin_run(page: str) -> None:
    """At the top of each run: count it; a press kept on another page (``page``: the page and who is signed
    in: a sign-out or sign-in drops them too), or too long ago, is dropped.
    """
    run = st.session_state.get(_RUN, 0) + 1
    st.session_state[_RUN] = run
    kept: dict[str, tuple[Any, int]] = st.session_state.get(_KEPT, {})
    if st.session_state.get(_PAGE) != page:
        kept.clear()
    st.session_state[_PAGE] = page
    for key in [k for k, (_, at) in kept.items() if run - at > WITHIN]:
        del kept[key]


def _keep(key: str, about: Hashable) -> None:
    st.session_state.setdefault(_KEPT, {})[key] = (about, st.session_state.get(_RUN, 0))


def _taken(key: str, about: Hashable, clicked: bool, disabled: bool) -> bool:
    """Whether the button acts in this run; a kept press is taken (once), or dropped if the button is disabled
    now (its confirmation unticked, its file removed since the press: Streamlit skips a disabled button's own
    callback for the same reason).
    """
    kept = st.session_state.get(_KEPT, {}).pop(key, None)
    return not disabled and (clicked or (kept is not None and kept[0] == about))


def button(label: str, *, key: str, about: Hashable = (), **kwargs: Any) -> bool:
    """``st.button`` whose press survives a run cut short (``about``: what it acts on, as the page saw it)."""
    clicked = st.button(label, key=key, on_click=_keep, args=(key, about), **kwargs)
    return _taken(key, about, clicked, bool(kwargs.get("disabled")))


def submit(label: str, *, key: str, about: Hashable = (), **kwargs: Any) -> bool:
    """``st.form_submit_button`` whose press survives a run cut short. The form's fields keep what was sent
    (a form that clears on submit would lose it in the run that takes the press: clear it after the write).
    """
    clicked = st.form_submit_button(label, key=key, on_click=_keep, args=(key, about), **kwargs)
    return _taken(key, about, clicked, bool(kwargs.get("disabled")))
