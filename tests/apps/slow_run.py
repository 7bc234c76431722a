"""A page whose run takes as long as ``?ms=`` says: the harness's own test drives it."""

from __future__ import annotations

import time

import streamlit as st

ms = int(st.query_params.get("ms", "200"))
if "runs" not in st.session_state:
    st.session_state.runs = 0
if st.button("Chạy lại"):
    time.sleep(ms / 1000)
    st.session_state.runs += 1
# A component value (as the map sends its view) starts a run too.
st.text(f"runs {st.session_state.runs}")
