"""Đất lâm nghiệp: forest-company land handed to the communes, and disputes."""

from ui.mapwidget import theme_page

theme_page("forest", "nav.forest")
