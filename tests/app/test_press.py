"""A press on a button that writes (ui/press.py) acts once, however many runs are cut short before its button is
reached, and never later, by surprise, once a run went down the whole page without it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[1] / "apps" / "press_runs.py"


def _page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.run()
    return at


def test_a_press_whose_runs_are_cut_short_many_times_still_acts_once() -> None:
    at = _page()
    at.session_state["cut"] = 6  # a loaded server: the map reports six times before the page gets that far
    at.button(key="send").click().run()
    for _ in range(6):
        assert "sent" not in at.session_state  # not yet: no run has reached the button
        at.run()
    assert at.markdown[0].value == "sent 1"
    at.run()
    at.run()
    assert at.markdown[0].value == "sent 1"  # once


def test_a_press_a_whole_run_went_past_never_fires_later() -> None:
    at = _page()
    at.session_state["show"] = False  # the button went away in the run the press started (another record shown)
    at.button(key="send").click().run()
    assert at.markdown[0].value == "sent 0"
    at.session_state["show"] = True  # it comes back: the old press does not act
    at.run()
    at.run()
    assert at.markdown[0].value == "sent 0"


def test_a_press_cut_short_between_its_button_and_its_write_acts_on_the_next_run() -> None:
    """Another button of the same form drawn after it, a Streamlit call before the write: a run cut short
    there does not lose the press."""
    at = _page()
    at.session_state["cut_after"] = 1
    at.button(key="send").click().run()
    assert "sent" not in at.session_state
    at.run()
    assert at.markdown[0].value == "sent 1"


def test_a_press_cut_short_while_the_page_reads_what_its_write_needs_acts_once_on_the_next_run() -> None:
    """The store's place, the selection, the form's values: read after ``waiting`` and before the press is
    taken, so a run cut short there keeps it; and ``waiting`` never takes it itself."""
    at = _page()
    at.session_state["cut_reading"] = 2
    at.button(key="send").click().run()
    assert "sent" not in at.session_state and at.session_state["read"] == 1
    at.run()
    assert "sent" not in at.session_state and at.session_state["read"] == 2
    at.run()
    assert at.markdown[0].value == "sent 1" and at.session_state["read"] == 3
    at.run()
    assert at.markdown[0].value == "sent 1" and at.session_state["read"] == 3  # taken: not waiting any more
