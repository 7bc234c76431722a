"""Đất lâm nghiệp: forest-company land handed to the communes, and land disputes."""

from geo.model.catalog import THEME_LAYERS
from ui.panels import forest_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="dat-lam-nghiep",
        nav_key="nav.forest",
        layers=THEME_LAYERS["forest"],
        tables=("forest_parcels", "land_disputes"),
        panel=forest_panel,
    )
)
