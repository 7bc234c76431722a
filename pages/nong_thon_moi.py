"""Nông thôn mới: criteria met per commune (of 19) and the district's 9 criteria."""

import streamlit as st

from geo.catalog import spec
from geo.i18n import t
from geo.indicators import criteria_met
from ui import data, state
from ui.mapwidget import theme_page

lang = state.lang()
theme_page("ntm", "nav.ntm")
units = data.layer("units")[["code", "name"]].copy()
units[t("ntm.criteria_met", lang)] = units.code.map(criteria_met(data.layer("ntm_commune"))).fillna(0).astype(int)
st.dataframe(
    units.rename(
        columns={"code": spec("units").field("code").label(lang), "name": spec("units").field("name").label(lang)}
    ),
    hide_index=True,
    use_container_width=False,
)
dist = data.layer("ntm_district")
st.dataframe(dist[["criterion", "name_vi" if lang == "vi" else "name_en", "met", "source"]], hide_index=True)
