"""Giao thông: QL4B Km18–Km80 by chainage, resettlement, rural roads, accidents."""

from geo.model.catalog import THEME_LAYERS
from ui.panels import roads_controls, roads_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="giao-thong",
        nav_key="nav.roads",
        layers=THEME_LAYERS["roads"],
        tables=("ql4b_segments", "resettlement_sites", "rural_roads", "accidents"),
        panel=roads_panel,
        controls=roads_controls,
    )
)
