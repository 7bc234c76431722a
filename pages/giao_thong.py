"""Giao thông: QL4B Km18–Km80 by chainage, resettlement, rural roads, accidents."""

from ui.panels import roads_controls, roads_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="giao-thong",
        nav_key="nav.roads",
        layers=(
            "district",
            "units",
            "ql4b_route",
            "ql4b_segments",
            "ql4b_stations",
            "resettlement_sites",
            "rural_roads",
            "accidents",
        ),
        tables=("ql4b_segments", "resettlement_sites", "rural_roads", "accidents"),
        panel=roads_panel,
        controls=roads_controls,
    )
)
