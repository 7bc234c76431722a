"""Cụm công nghiệp: the Đình Lập industrial cluster, its plots, investors and the pine-resin plant."""

from ui.panels import industry_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="cum-cong-nghiep",
        nav_key="nav.industry",
        layers=("district", "units", "ql4b_segments", "cluster_boundary", "cluster_plots"),
        tables=("cluster_plots",),
        panel=industry_panel,
        home="cluster_boundary",
    )
)
