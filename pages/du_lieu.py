"""Dữ liệu: what the store holds and where it comes from; planners import files, admins roll back."""

import pandas as pd
import streamlit as st

from geo.i18n import fmt_number, t
from ui import data, state
from ui.importing import flash, import_panel, rollback_panel

lang = state.lang()
st.title(t("nav.data", lang))
flash()
st.caption(t("data.intro", lang))
meta = data.meta()
rows = []
for info in data.store().info():
    m = meta.get(info.id)
    rows.append(
        {
            "id": info.id,
            t("map.layers", lang): info.title_vi if lang == "vi" else info.title_en,
            t("layer.features", lang, n="").strip() or "n": fmt_number(info.features, lang),
            "CRS": info.crs or "—",
            t("layer.as_of", lang): info.as_of or "—",
            t("layer.demo", lang): t("yes" if m and m.demo else "no", lang),
            t("layer.source", lang): m.source if m else "—",
            t("layer.licence", lang): m.licence if m else "—",
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
import_panel()
rollback_panel()
