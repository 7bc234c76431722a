"""Streamlit glue shared by the pages: state, sidebar, cached store reads, the map widget.

Pages compose these; the engine they call is ``geo`` (which never imports Streamlit).
"""
