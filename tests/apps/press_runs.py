"""A page with one button that writes, for tests/app/test_press.py: ``cut`` (session state) runs are cut short
before the button is reached, as a map's report cuts a run short, and ``cut_after`` runs after it is drawn but
before its write, and ``cut_reading`` runs while the page reads what the write needs (after ``sent.waiting``, before
``if sent:``); ``show`` False leaves the button out."""

import streamlit as st

from ui import press

press.begin_run("press")
if st.session_state.get("cut", 0) > 0:
    st.session_state["cut"] -= 1
    st.stop()  # this run ends here, never reaching the button nor the end of the page
if st.session_state.get("show", True):
    sent = press.button("Gửi", key="send", about="LN-97")
    if st.session_state.get("cut_after", 0) > 0:  # cut short after the button was drawn, before its write
        st.session_state["cut_after"] -= 1
        st.stop()
    if sent.waiting:
        st.session_state["read"] = st.session_state.get("read", 0) + 1  # what the write needs: Streamlit calls
        if st.session_state.get("cut_reading", 0) > 0:
            st.session_state["cut_reading"] -= 1
            st.stop()
    if sent:
        st.session_state["sent"] = st.session_state.get("sent", 0) + 1
st.write(f"sent {st.session_state.get('sent', 0)}")
press.end_run()
