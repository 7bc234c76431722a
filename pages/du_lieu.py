"""Dữ liệu: what the store holds and where it comes from; planners import files, admins roll back."""

import pandas as pd
import streamlit as st

from geo.model.i18n import Lang, fmt_date, fmt_number, source_text, t
from geo.store.reads import LayerMeta
from ui import data, live, state
from ui.auth import signin_panel
from ui.field import field_panel
from ui.importing import flash, import_panel, rollback_panel
from ui.threads import viewers_setting

lang = state.lang()
st.title(t("nav.data", lang))
flash()
st.caption(t("data.intro", lang))
meta = data.meta()


def demo_text(m: LayerMeta | None, lang: Lang) -> str:
    """ "Có", "Không", or "12/15" when real and demo features sit side by side in a layer."""
    if m is not None and m.share.partial:
        return f"{fmt_number(m.share.demo, lang)}/{fmt_number(m.share.total, lang)}"
    return t("yes" if m and m.demo else "no", lang)


rows = []
for info in data.store().info():
    m = meta.get(info.id)
    rows.append(
        {
            "id": info.id,
            t("map.layers", lang): info.title_vi if lang == "vi" else info.title_en,
            t("layer.features", lang, n="").strip() or "n": fmt_number(info.features, lang),
            "CRS": info.crs or "—",
            t("layer.as_of", lang): fmt_date(info.as_of, lang) if info.as_of else "—",
            t("layer.demo", lang): demo_text(m, lang),
            t("layer.source", lang): source_text(m.source, lang) if m else "—",
            t("layer.licence", lang): m.licence if m else "—",
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if data.store().has("unit_crosswalk"):
    with st.expander(t("units.crosswalk", lang), icon=":material/account_tree:", key="crosswalk_panel"):
        walk, names = data.layer("unit_crosswalk"), data.unit_names()
        spec = data.catalog()["unit_crosswalk"]
        st.dataframe(
            pd.DataFrame(
                {
                    spec.field("old_code").label(lang): [f"{names.get('2024:' + c, c)} ({c})" for c in walk.old_code],
                    spec.field("new_code").label(lang): [f"{names.get('2025:' + c, c)} ({c})" for c in walk.new_code],
                    spec.field("share").label(lang): [fmt_number(v * 100, lang, 1) + "%" for v in walk.share],
                    spec.field("basis").label(lang): walk.basis,
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(source_text(data.meta()["unit_crosswalk"].source, lang))
age = live.writer_age(str(data.store().location))
if age is not None:  # replicas: how fresh what this process tells open pages is
    st.caption(t("data.versions_age", lang, s=fmt_number(round(age, 1), lang)))
import_panel()
field_panel()
rollback_panel()
signin_panel()
viewers_setting()
