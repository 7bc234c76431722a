"""The web map: the folium map builder, the compact codec of large layers, styles, and its browser code."""
