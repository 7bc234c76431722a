"""Cụm công nghiệp: the Đình Lập industrial cluster, its plots, investors and the pine-resin plant."""

from geo.model.catalog import THEME_LAYERS, view_home
from ui.panels import industry_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="cum-cong-nghiep",
        nav_key="nav.industry",
        layers=THEME_LAYERS["industry"],
        tables=("cluster_plots",),
        panel=industry_panel,
        home=view_home("industry"),
    )
)
