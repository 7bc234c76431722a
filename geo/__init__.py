"""The Đình Lập operations-map engine: catalog, store, map builder, indicators.

Nothing in this package imports Streamlit; the pages in ``pages/`` compose it.
"""
