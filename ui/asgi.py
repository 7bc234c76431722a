"""The app as Streamlit's ASGI application (``st.App``), with the app's own routes beside it.

``python -m ui.serve`` runs this file with ``streamlit run``; Streamlit finds ``app`` here and serves
``app.py`` as usual, plus the routes of :mod:`ui.tileserver` (vector tiles of big layers).
"""

from pathlib import Path

import streamlit as st

from ui.tileserver import routes

app = st.App(Path(__file__).resolve().parent.parent / "app.py", routes=routes())
