"""Cụm công nghiệp: the Đình Lập industrial cluster and its plots."""

from ui.mapwidget import theme_page

theme_page("industry", "nav.industry")
