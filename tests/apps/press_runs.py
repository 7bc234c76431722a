"""A page with one button that writes, for tests/app/test_press.py: ``cut`` (session state) runs are cut short
before the button is reached, as a map's report cuts a run short; ``show`` False leaves the button out."""

import streamlit as st

from ui import press

press.begin_run("press")
if st.session_state.get("cut", 0) > 0:
    st.session_state["cut"] -= 1
    st.stop()  # this run ends here, never reaching the button nor the end of the page
if st.session_state.get("show", True):
    sent = press.button("Gửi", key="send", about="LN-97")
    if sent:
        st.session_state["sent"] = st.session_state.get("sent", 0) + 1
st.write(f"sent {st.session_state.get('sent', 0)}")
press.end_run()
