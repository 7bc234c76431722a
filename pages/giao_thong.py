"""Giao thông: QL4B Km18–Km80, resettlement, rural roads, accidents."""

from ui.mapwidget import theme_page

theme_page("roads", "nav.roads")
