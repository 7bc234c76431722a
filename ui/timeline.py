"""The date the whole app shows: a slider over the days the data changed, a date picker, a banner.

One value in session state (``ui.data.AS_OF_KEY``, an ISO date; absent means today) that every read
of the store goes through (:func:`ui.data.layer`): layers, panels, filters, tables, records and
exports all show that day. A link may carry it (``?as_of=2025-03-26``).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.model.i18n import fmt_date, t
from geo.model.safe import md_quote
from ui import data, state
from ui.data import AS_OF_KEY, COMPARE_KEY, UNITS_KEY

NOTICE_DAY = dt.date(2024, 4, 24)  # the inspection the product follows up
EARLIEST = dt.date(2015, 1, 1)  # the first day the controls offer: the data start after it
_SLIDER, _PICKER = "as_of_slider", "as_of_picker"


def _set(day: dt.date | None) -> None:
    st.session_state.pop("as_of_bad", None)  # a date chosen: the bad link's warning has done its work
    st.session_state.pop("as_of_clamped", None)
    st.session_state.pop(UNITS_KEY, None)  # and the units follow the day again (before 1/7/2025: those of 2024)
    if day is None or day >= data.today():
        st.session_state.pop(AS_OF_KEY, None)
    else:
        st.session_state[AS_OF_KEY] = day.isoformat()


def _from_slider() -> None:
    _set(st.session_state.get(_SLIDER))


def _from_picker() -> None:
    _set(st.session_state.get(_PICKER))


def stops() -> list[dt.date]:
    """The slider's days: the notice's, each day the data changed, and today."""
    today = data.today()
    return sorted({NOTICE_DAY, *(d for d in data.periods() if d < today), today})


def from_link() -> None:
    """Take ``?as_of=YYYY-MM-DD`` and ``?units=2024|2025`` from the URL, once."""
    units = st.query_params.get("units")
    if units in ("2024", "2025"):
        st.session_state[UNITS_KEY] = units
    if "units" in st.query_params:
        del st.query_params["units"]
    value = st.query_params.get("as_of")
    if value:
        try:
            day = dt.date.fromisoformat(value)
            _set(max(day, EARLIEST))
            if day < EARLIEST:  # before the data start: the first day there is, and said so
                st.session_state["as_of_clamped"] = day.isoformat()
            if units in ("2024", "2025"):
                st.session_state[UNITS_KEY] = units  # a link's own choice outlives its date's default
        except ValueError:
            _set(None)
            st.session_state["as_of_bad"] = value[:200]  # said above the page, in the user's language
        del st.query_params["as_of"]


def date_control() -> None:
    """In the sidebar: which day the maps and figures show."""
    lang = state.lang()
    day = min(max(data.as_of_day() or data.today(), EARLIEST), data.today())  # within what the picker offers
    days = stops()
    near = max((d for d in days if d <= day), default=days[0])
    st.session_state[_SLIDER] = near  # follow the value, whichever control set it
    st.session_state[_PICKER] = day
    st.markdown(f"**{t('time.title', lang)}**")
    st.select_slider(
        t("time.slider", lang),
        days,
        key=_SLIDER,
        on_change=_from_slider,
        format_func=lambda d: fmt_date(d, lang),
        help=t("time.slider_help", lang),
    )
    st.date_input(
        t("time.picker", lang),
        min_value=EARLIEST,
        max_value=data.today(),
        key=_PICKER,
        on_change=_from_picker,
        format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD",
    )
    if data.as_of_day():
        st.button(t("time.today", lang), key="as_of_today", on_click=_set, args=(None,), icon=":material/today:")
    compare_control()
    units_control()


def _compare_toggled() -> None:
    if st.session_state.get("compare_on"):
        st.session_state[COMPARE_KEY] = NOTICE_DAY.isoformat()  # the meeting the product follows up, to start
    else:
        st.session_state.pop(COMPARE_KEY, None)


def _compare_picked() -> None:
    day = st.session_state.get("compare_pick")
    if day:
        st.session_state[COMPARE_KEY] = day.isoformat()


def compare_control() -> None:
    """Compare the day shown (A) with another (B): two maps side by side on the theme pages."""
    lang = state.lang()
    b = data.compare_day()
    st.session_state["compare_on"] = b is not None
    st.toggle(t("compare.on", lang), key="compare_on", on_change=_compare_toggled)
    if b is not None:
        st.session_state["compare_pick"] = min(max(b, EARLIEST), data.today())
        st.date_input(
            t("compare.b", lang),
            min_value=EARLIEST,
            max_value=data.today(),
            key="compare_pick",
            on_change=_compare_picked,
            format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD",
        )


def _units_changed() -> None:
    value = st.session_state.get("units_pick")
    st.session_state[UNITS_KEY] = value if value in ("2024", "2025") else None


def units_control() -> None:
    """Which administrative units figures are grouped by: those of 2024, or the communes from 1/7/2025.

    It follows the day shown (before 1/7/2025 the 2024 units) until the user chooses.
    """
    lang = state.lang()
    st.session_state["units_pick"] = data.units()
    st.radio(
        t("units.title", lang),
        ["2024", "2025"],
        key="units_pick",
        horizontal=True,
        on_change=_units_changed,
        format_func=lambda v: t(f"units.{v}", lang),
        help=t("units.help", lang),
    )


def banner() -> None:
    """Above every page, while the app shows a past day: say so, and offer the way back.

    Always one container, empty on today: an element that came and went above the page would shift
    everything below it, and the browser would build the map again from nothing on each date change.
    """
    lang = state.lang()
    slot = st.container()
    bad = st.session_state.get("as_of_bad")  # until the user picks a day: a rerun must not hide it
    if bad:
        slot.warning(t("time.bad_link", lang, value=md_quote(bad, 60)), icon=":material/link_off:")
    clamped = st.session_state.get("as_of_clamped")
    if clamped:
        slot.warning(
            t("time.clamped", lang, value=md_quote(clamped, 20), day=fmt_date(EARLIEST, lang)),
            icon=":material/link_off:",
        )
    day = data.as_of_day()
    if day is None:
        return
    c1, c2 = slot.columns([5, 1])
    c1.info(t("time.banner", lang, day=fmt_date(day, lang)), icon=":material/history:")
    c2.button(t("time.today", lang), key="as_of_today_main", on_click=_set, args=(None,))
