"""Buttons that write: a press is kept until the page reads it, and what follows a write is done even when the
run is cut short.

Streamlit reports a press for one run only: the button returns True in the run the press starts. A map that
reported its view (a move, a redraw after the data changed) started a run of its own; arriving while the
press's run was still on its way down the page, it cut that run short, and the run that followed saw the
button unpressed. The planner's comment, sent as the map settled, never arrived (CI, stop 36). The map is now
a fragment (:func:`ui.mapwidget.map_view`), whose runs wait for the page's (a report the whole page must follow,
a click, a pin, a shape drawn, reruns it once the run under way has ended); but the store's watcher
(:mod:`ui.live`) and any widget still start runs of the page, which cut short the run under way just the same.

Where a run can be cut short: at every Streamlit call, and at every read or write of ``st.session_state``
(Streamlit 1.67's ``SafeSessionState`` checks for a waiting rerun on each). Two rules follow:

* A button's callback runs before the page, but what it writes into ``st.session_state`` was lost when the
  map's report was already waiting (the press was kept, and the next run found nothing kept). So the
  callback here touches no Streamlit at all: it is handed this session's own record of presses (a plain dict,
  made at the top of an earlier run) and writes into it.
* After a write is stored, nothing the page does may depend on reaching the next line: the thanks, the box
  emptied, the form's new generation. :meth:`Press.then` notes them in the same plain dict, and the next run
  sets them in ``st.session_state`` before anything is drawn (:func:`begin_run`). A comment stored but its box
  left full would be sent twice.

Both were seen in a browser, under load, before this: 5 comments of 31 sent as the map reported went wrong
(3 the first way, 2 the second); none of 8 since (``tests/app/test_browser_threads.py``).

A kept press is taken once, on the next run that reaches its button about the same thing. A run that goes to the
end of the page without taking it (its button no longer drawn, or about something else now) drops it, as do a
run that stopped on an error (the store down: the user sees why, and presses again once it is back) and going to
another page: it never fires later, by surprise. Runs cut short do not count against it: a planner's
comment sent as the map settled, on a loaded server, was most likely cut short three times running and dropped by
a count of runs that held here before: it never arrived (CI). Even on a quiet machine, one of the 12 presses of
the drawing and thread tests in a browser was cut short once before its button took it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NoReturn

import streamlit as st

#: In :meth:`Press.then`: remove this key from the session. (A value, not an object: a module Streamlit
#: reloads after its file changed must still know it.)
GONE = "\x00gone"
_STATE = "_presses"  # session state: this session's record (see _Record), made once
#: The most runs a kept press waits for its button, whatever happens to them (a run that ends drops it sooner:
#: :func:`end_run`).
WITHIN = 12


#: A session's presses: ``run`` (its runs, counted), ``page`` (what the last run showed), ``kept`` ({button key:
#: (about, the run it was kept in)}) and ``after`` ({session-state key: value} to set at the top of the next
#: run). A plain dict the callbacks and :meth:`Press.then` change in place: no Streamlit.
_Record = dict[str, Any]


def _record() -> _Record:
    rec = st.session_state.get(_STATE)
    if not isinstance(rec, dict):
        rec = {"run": 0, "page": None, "kept": {}, "after": {}}
        st.session_state[_STATE] = rec
    return rec


def begin_run(page: str) -> None:
    """At the top of each run: first what the last write left to do; then count the run; a press kept on
    another page (``page``: the page and who is signed in: a sign-out or sign-in drops them too), or too long
    ago, is dropped.
    """
    rec = _record()
    after: dict[str, Any] = rec["after"]
    for key in list(after):
        if after[key] == GONE:  # cut short here: the rest is done by the next run
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = after[key]
        after.pop(key, None)
    rec["run"] += 1
    kept: dict[str, tuple[Any, int]] = rec["kept"]
    if rec["page"] != page:
        kept.clear()
    rec["page"] = page
    for key in [k for k, (_, at) in kept.items() if rec["run"] - at > WITHIN]:
        del kept[key]


def end_run() -> None:
    """At the end of a run that went down the whole page: a press it did not take is dropped (every button was
    reached, and its own was not drawn, or was about something else).
    """
    _record()["kept"].clear()


def _keep(rec: _Record, key: str, about: Hashable) -> None:
    rec["kept"][key] = (about, rec["run"])  # plain Python: no point where Streamlit can stop it


class Press:
    """What :func:`button` and :func:`submit` return: true once for a press; :meth:`then` after its write.

    The press is taken when the page first asks (``if sent:``), not when its button is drawn: a run cut short
    between the two (another button of the same form drawn after it, a thread's "Trả lời" before "Đóng
    luồng", what the write needs read after :attr:`waiting`) leaves it kept for the next run. Whether the
    button acts in this run: a kept press is taken (once), or dropped if the button is disabled now (its
    confirmation unticked, its file removed since the press: Streamlit skips a disabled button's own callback
    for the same reason).
    """

    def __init__(self, rec: _Record, key: str, about: Hashable, clicked: bool, disabled: bool) -> None:
        self._rec, self._key, self._about, self._clicked, self._disabled = rec, key, about, clicked, disabled
        self._taken: bool | None = None

    def __bool__(self) -> bool:
        if self._taken is None:  # plain Python from here to the write: no point where Streamlit can stop it
            self._taken = self.waiting
            self._rec["kept"].pop(self._key, None)
        return self._taken

    @property
    def waiting(self) -> bool:
        """Whether this run acts on the press, without taking it. What the write needs and Streamlit gives (the
        store's place, the session's values, the selection: a run can be cut short at each) is read after
        ``if pressed.waiting:`` and before ``if pressed:``, which takes the press; from there to the write is
        plain Python and the store. A run cut short while reading leaves the press kept for the next run.
        """
        if self._taken is not None:
            return self._taken
        kept = self._rec["kept"].get(self._key)
        return not self._disabled and (self._clicked or (kept is not None and kept[0] == self._about))

    def note(self, **state: Any) -> None:
        """After the press's write is stored: ``state`` (session-state keys and values, :data:`GONE` to remove
        one: a thanks, a box's new key…) is set at the top of the next run. No step here can be cut short.
        """
        self._rec["after"].update(state)

    def then(self, **state: Any) -> NoReturn:
        """:meth:`note` ``state``, and the next run starts now."""
        self.note(**state)
        st.rerun()


def button(label: str, *, key: str, about: Hashable = (), **kwargs: Any) -> Press:
    """``st.button`` whose press survives a run cut short (``about``: what it acts on, as the page saw it)."""
    rec = _record()
    clicked = st.button(label, key=key, on_click=_keep, args=(rec, key, about), **kwargs)
    return Press(rec, key, about, clicked, bool(kwargs.get("disabled")))


def submit(label: str, *, key: str, about: Hashable = (), **kwargs: Any) -> Press:
    """``st.form_submit_button`` whose press survives a run cut short. The form's fields keep what was sent
    (a form that clears on submit would lose it in the run that takes the press: clear it after the write).
    """
    rec = _record()
    clicked = st.form_submit_button(label, key=key, on_click=_keep, args=(rec, key, about), **kwargs)
    return Press(rec, key, about, clicked, bool(kwargs.get("disabled")))
