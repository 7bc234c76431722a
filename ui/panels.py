"""The indicator panels of the theme pages: figures from ``geo.read.panels``, drawn with Streamlit and Altair.

Every chart whose marks are features selects the feature when clicked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from geo.model.catalog import STYLES, map_style, spec, style_color_by, theme_styles
from geo.model.i18n import Lang, fmt_date, fmt_number, fmt_pct, source_text, t
from geo.model.safe import md_text
from geo.read import panels
from ui import charts, data
from ui.editing import criteria_editor
from ui.selection import select
from ui.theme import PanelData, as_of


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Attributes only: charts and tables get no geometry column."""
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def _metric(label: str, value: str, sub: str | None = None) -> None:
    st.metric(label, value, sub, delta_color="off", delta_arrow="off", border=True)


def _status_scale(layer_id: str, field: str | None, lang: Lang) -> alt.Scale:
    codes = spec(layer_id).codes(field)
    return alt.Scale(domain=[s.label(lang) for s in codes], range=[s.color for s in codes])


def _on_chart_select(page: str, layer_id: str, widget_key: str, param: str, field: str) -> None:
    picked = st.session_state[widget_key].selection.get(param) or []
    if picked and field in picked[0]:
        select(page, layer_id, str(picked[0][field]), zoom=True)


def _names(codes: pd.Series) -> pd.Series:
    names = data.unit_names()
    text = codes.astype(str)
    return text.map(names).fillna(text.replace("", "–"))


# -- Giao thông ----------------------------------------------------------------------------------
def roads_controls(lang: Lang) -> dict[str, Any]:
    """Colour QL4B by site clearance or by construction: the catalog's named styles of the layer."""
    name = st.radio(
        t("roads.color_by", lang),
        [s.id for s in STYLES if s.layer == "ql4b_segments"],
        key="roads_style",
        format_func=lambda n: map_style(n)[0].title(lang),
    )
    styles = (name,)
    return {"color_by": style_color_by(styles), "segment_field": map_style(name)[0].field, "styles": styles}


def _strip_chart(seg: pd.DataFrame, field: str, lang: Lang) -> None:
    s = spec("ql4b_segments")
    df = _plain(seg).assign(
        status=[s.status(v, field).label(lang) if s.status(v, field) else v for v in seg[field]],
        full=100.0,
    )[["seg_id", "km_from", "km_to", "status", "clearance_pct", "full", "package"]]

    def build() -> alt.LayerChart:
        pick = alt.selection_point(fields=["seg_id"], name="seg")
        base = alt.Chart(df).encode(
            x=alt.X("km_from:Q", title="Km", scale=alt.Scale(domain=[18, 80], nice=False)),
            x2="km_to:Q",
            color=alt.Color(
                "status:N",
                scale=_status_scale("ql4b_segments", field, lang),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("seg_id:N", title=s.field("seg_id").label(lang)),
                alt.Tooltip("status:N", title=s.field(field).label(lang)),
                alt.Tooltip("clearance_pct:Q", title=s.field("clearance_pct").label(lang)),
            ],
        )
        back = base.mark_bar(opacity=0.25, stroke="white", strokeWidth=1).encode(
            y=alt.Y("full:Q", title=t("roads.pct_short", lang))
        )
        front = base.mark_bar(stroke="white", strokeWidth=1).encode(
            y=alt.Y("clearance_pct:Q", scale=alt.Scale(domain=[0, 100]))
        )
        return (back + front).add_params(pick).properties(height=190)

    charts.chart(
        build,
        ("roads_strip", field, lang),
        (df,),
        key="roads_strip",
        on_select=lambda: _on_chart_select("giao-thong", "ql4b_segments", "roads_strip", "seg", "seg_id"),
        selection_mode="seg",
        width="stretch",
    )


def roads_panel(d: PanelData, lang: Lang) -> None:
    """QL4B clearance by chainage, package and commune; cement programme; accidents."""
    seg = d.shown.get("ql4b_segments")
    if seg is not None and len(seg):
        st.header(t("roads.ql4b", lang))
        total = panels.clearance_totals(seg).iloc[0]
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            _metric(
                t("roads.km_cleared", lang),
                f"{fmt_number(total.km_cleared, lang, 1)} / {fmt_number(total.km, lang, 1)} km",
                fmt_pct(total.pct_cleared, lang, 1),
            )
        with c2:
            if "households_affected" in seg.columns:  # hidden from viewers
                _metric(
                    t("roads.households", lang),
                    f"{fmt_number(total.households_compensated, lang)} / {fmt_number(total.households_affected, lang)}",
                    fmt_pct(total.pct_compensated, lang, 1),
                )
        with c3:
            n_blocked = int((seg.clearance_status == "blocked").sum())
            _metric(t("roads.blocked", lang), fmt_number(n_blocked, lang), t("roads.segments", lang))
        with c4:
            _metric(t("roads.segments_shown", lang), fmt_number(len(seg), lang), t("roads.of_route", lang))
        _strip_chart(seg, d.opts.get("segment_field", "clearance_status"), lang)
        by_pkg, by_unit = st.columns(2)
        for col, by, title in ((by_pkg, "package", "roads.by_package"), (by_unit, "unit_code", "roads.by_commune")):
            with col:
                st.markdown(f"**{t(title, lang)}**")
                st.dataframe(
                    _totals_table(panels.clearance_totals(seg[seg[by] != ""], by), by, lang),
                    hide_index=True,
                    width="stretch",
                )
    roads = d.shown.get("rural_roads")
    if roads is not None and len(roads):
        st.header(t("roads.cement", lang))
        cem = panels.cement_by_commune(roads)
        late = _names(cem[cem.late].unit_code).tolist()
        if late:
            st.warning(
                t("roads.late_communes", lang, names=", ".join(md_text(n) for n in late)), icon=":material/schedule:"
            )
        long = cem.assign(commune=_names(cem.unit_code)).melt(
            id_vars=["commune", "late"],
            value_vars=["cement_planned_t", "cement_delivered_t"],
            var_name="kind",
            value_name="tonnes",
        )
        long["kind"] = long["kind"].map(lambda k: spec("rural_roads").field(k).label(lang))
        charts.chart(
            lambda: (
                alt.Chart(long)
                .mark_bar()
                .encode(
                    x=alt.X("commune:N", sort=None, title=None),
                    xOffset="kind:N",
                    y=alt.Y("tonnes:Q", title=t("unit.tonnes", lang)),
                    color=alt.Color("kind:N", legend=alt.Legend(orient="bottom", title=None)),
                    opacity=alt.condition("datum.late", alt.value(1.0), alt.value(0.55)),
                )
                .properties(height=220)
            ),
            ("roads_cement", lang),
            (long,),
            width="stretch",
        )
    # The comparison is always on the page; while the layer is shown, its filters apply.
    acc = d.shown.get("accidents")
    acc = data.layer("accidents") if acc is None else acc
    if len(acc):
        st.header(t("roads.accidents", lang))
        default = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))  # the notice's period, Q1/2024
        period = st.date_input(
            t("roads.period", lang), default, key="acc_period", format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
        )
        # While a user is picking, the widget holds one date: keep the default until both are chosen.
        start, end = period if isinstance(period, (tuple, list)) and len(period) == 2 else default
        cmp = panels.accidents_compare(acc, start, end)
        _metric(
            t("roads.accidents_period", lang, start=fmt_date(start, lang), end=fmt_date(end, lang)),
            fmt_number(cmp.current, lang),
            t(
                "roads.vs_last_year",
                lang,
                previous=fmt_number(cmp.previous, lang),
                change=("+" if cmp.change > 0 else "") + fmt_number(cmp.change, lang),
            ),
        )


def _totals_table(df: pd.DataFrame, by: str, lang: Lang) -> pd.DataFrame:
    s = spec("ql4b_segments")
    first = _names(df[by]) if by == "unit_code" else df[by]

    def num(col: pd.Series, decimals: int | None = None) -> list[str]:
        return [fmt_number(v, lang, decimals) for v in col]

    table = pd.DataFrame(
        {
            s.field(by).label(lang): first,
            t("roads.segments", lang): num(df.segments),
            "km": num(df.km, 1),
            t("roads.km_cleared_short", lang): num(df.km_cleared, 1),
            t("roads.pct_short", lang): num(df.pct_cleared, 1),
        }
    )
    if df.households_affected.notna().any():  # hidden from viewers
        table[s.field("households_affected").label(lang)] = num(df.households_affected)
        table[s.field("households_compensated").label(lang)] = num(df.households_compensated)
    return table


# -- Cụm công nghiệp -------------------------------------------------------------------------------
def industry_panel(d: PanelData, lang: Lang) -> None:
    """Areas by status, occupancy, clearance progress, investors."""
    plots = d.shown.get("cluster_plots")
    if plots is None or not len(plots):
        return
    s = panels.cluster_summary(plots)
    cluster = d.all.get("cluster_boundary")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        area = float(cluster.area_ha.sum()) if cluster is not None and len(cluster) else None
        _metric(
            t("industry.cluster_area", lang),
            f"{fmt_number(area, lang)} ha",
            t("industry.plots_area", lang, area=fmt_number(s.total_ha, lang, 1)),
        )
    with c2:
        _metric(
            t("industry.occupancy", lang), fmt_pct(s.occupancy_pct, lang, 1), f"{fmt_number(s.occupied_ha, lang, 1)} ha"
        )
    with c3:
        _metric(
            t("industry.cleared", lang),
            fmt_pct(s.cleared_pct, lang, 1),
            f"{fmt_number(s.total_ha - s.by_status_ha.get('vacant', 0.0), lang, 1)} ha",
        )
    with c4:
        resin = plots[plots.resin_plant]
        _metric(
            t("industry.resin", lang),
            f"{fmt_number(float(resin.area_ha.sum()), lang, 1)} ha",
            ", ".join(spec("cluster_plots").status(v).label(lang) for v in resin.status.unique()) or "–",
        )
    left, right = st.columns(2)
    with left:
        codes = spec("cluster_plots").statuses
        df = pd.DataFrame(
            {"status": [c.label(lang) for c in codes], "ha": [s.by_status_ha.get(c.value, 0.0) for c in codes]}
        )
        charts.chart(
            lambda: (
                alt.Chart(df)
                .mark_bar()
                .encode(
                    y=alt.Y("status:N", sort=None, title=None),
                    x=alt.X("ha:Q", title="ha"),
                    color=alt.Color("status:N", scale=_status_scale("cluster_plots", None, lang), legend=None),
                )
                .properties(height=170)
            ),
            ("cluster_status", lang),
            (df,),
            width="stretch",
        )
    with right:
        inv = (
            _plain(plots)[plots.investor.notna() & (plots.investor != "")]
            .groupby("investor")
            .agg(plots=("plot_id", "count"), ha=("area_ha", "sum"), industry=("industry", "first"))
            .reset_index()
        )
        sp = spec("cluster_plots")
        st.dataframe(
            inv.rename(
                columns={
                    "investor": sp.field("investor").label(lang),
                    "plots": t("industry.n_plots", lang),
                    "ha": sp.field("area_ha").label(lang),
                    "industry": sp.field("industry").label(lang),
                }
            ),
            hide_index=True,
            width="stretch",
        )


# -- Đất lâm nghiệp ---------------------------------------------------------------------------------
CHART_FEATURES = 2000  # above this a chart sums by class instead of drawing a segment per feature


def forest_panel(d: PanelData, lang: Lang) -> None:
    """Area per commune by status; disputes by status and age."""
    parcels = d.shown.get("forest_parcels")
    if parcels is not None and len(parcels):
        st.header(t("forest.by_commune", lang))
        fs = spec("forest_parcels")
        labels = {st_.value: st_.label(lang) for st_ in fs.statuses}
        long = _plain(parcels[["parcel_id", "unit_code", "status", "area_ha"]])
        per_parcel = len(long) <= CHART_FEATURES  # a bar segment per parcel, so a click finds it
        if not per_parcel:  # a cadastral layer: one segment per commune and status, summed before naming
            long = long.groupby(["unit_code", "status"], as_index=False, dropna=False)["area_ha"].sum()
        long = long.assign(commune=_names(long.unit_code), status_label=long.status.map(labels).fillna(long.status))

        def build() -> alt.Chart:
            chart = (
                alt.Chart(long)
                .mark_bar(stroke="white" if per_parcel else None)
                .encode(
                    y=alt.Y("commune:N", sort="-x", title=None),
                    x=alt.X("sum(area_ha):Q", title="ha"),
                    color=alt.Color(
                        "status_label:N",
                        scale=_status_scale("forest_parcels", None, lang),
                        legend=alt.Legend(orient="bottom", title=None),
                    ),
                    **(
                        {"detail": "parcel_id:N", "tooltip": ["parcel_id:N", "status_label:N", "area_ha:Q"]}
                        if per_parcel
                        else {"tooltip": ["commune:N", "status_label:N", alt.Tooltip("area_ha:Q", format=",.1f")]}
                    ),
                )
                .properties(height=260)
            )
            return chart.add_params(alt.selection_point(fields=["parcel_id"], name="parcel")) if per_parcel else chart

        if per_parcel:
            charts.chart(
                build,
                ("forest_chart", lang, per_parcel),
                (long,),
                key="forest_chart",
                on_select=lambda: _on_chart_select(
                    "dat-lam-nghiep", "forest_parcels", "forest_chart", "parcel", "parcel_id"
                ),
                selection_mode="parcel",
                width="stretch",
            )
        else:
            charts.chart(build, ("forest_chart", lang, per_parcel), (long,), key="forest_chart_sum", width="stretch")
    disputes = d.shown.get("land_disputes")
    if disputes is not None and len(disputes):
        st.header(t("forest.disputes", lang))
        day = as_of("land_disputes")
        counts = panels.dispute_counts(disputes)
        c1, c2, c3 = st.columns(3)
        aged = panels.dispute_ages(disputes, day)
        open_ = aged[aged.status != "resolved"]
        with c1:
            _metric(t("forest.open", lang), fmt_number(counts["open"], lang))
        with c2:
            _metric(t("forest.resolved", lang), fmt_number(counts["resolved"], lang))
        with c3:
            oldest = open_.dropna(subset=["days_open"]).sort_values("days_open", ascending=False).head(1)
            _metric(
                t("forest.oldest", lang, day=fmt_date(day, lang)),
                t("forest.days", lang, n=fmt_number(int(oldest.days_open.iloc[0]), lang)) if len(oldest) else "–",
                str(oldest.dispute_id.iloc[0]) if len(oldest) else None,
            )
        sp = spec("land_disputes")
        table = (
            _plain(aged)
            .assign(done=aged.status == "resolved")
            .sort_values(["done", "days_open"], ascending=[True, False])
        )
        st.dataframe(
            pd.DataFrame(
                {
                    sp.field("dispute_id").label(lang): table.dispute_id,
                    sp.field("unit_code").label(lang): _names(table.unit_code),
                    sp.field("status").label(lang): [sp.status(v).label(lang) for v in table.status],
                    sp.field("opened").label(lang): [fmt_date(v, lang) for v in table.opened],
                    t("forest.days_open", lang): table.days_open,
                }
            ),
            hide_index=True,
            width="stretch",
        )


# -- Nông thôn mới ---------------------------------------------------------------------------------------
def _criteria_names(lang: Lang, level: str = "commune") -> dict[int, str]:
    df = data.layer("ntm_criteria")
    df = df[df.level == level]
    return dict(zip(df.criterion.astype(int), df["name_vi" if lang == "vi" else "name_en"], strict=True))


def ntm_controls(lang: Lang) -> dict[str, Any]:
    """Colour the communes by criteria met, or by one criterion."""
    names = _criteria_names(lang)
    crit = st.selectbox(
        t("ntm.color_by", lang),
        [0, *names],
        key="ntm_criterion",
        format_func=lambda c: t("ntm.criteria_met", lang) if c == 0 else f"{c}. {names[c]}",
    )
    styles = (f"criterion:{crit}",) if crit else theme_styles("ntm")  # the catalog's named styles
    return {"criterion": crit or None, "color_by": style_color_by(styles), "styles": styles}


def ntm_frames(frames: dict[str, Any], opts: dict[str, Any]) -> dict[str, Any]:
    """Add the chosen criterion's met / not met to the units layer."""
    if "units" in frames:
        frames = {
            **frames,
            "units": panels.units_with_criteria(frames["units"], data.layer("ntm_commune"), opts.get("criterion")),
        }
    return frames


def _on_matrix_select(widget_key: str, codes: list[str], crit_cols: dict[str, int]) -> None:
    sel = st.session_state[widget_key].selection
    if sel.rows:
        select("nong-thon-moi", "units", codes[sel.rows[0]], zoom=True)
    if sel.columns and sel.columns[0] in crit_cols:
        st.session_state["ntm_criterion"] = crit_cols[sel.columns[0]]


def ntm_panel(d: PanelData, lang: Lang) -> None:
    """The 10 × 19 scorecard (towns are not assessed), the selected commune's card, the district's 9 criteria."""
    ntm = data.layer("ntm_commune")
    names = _criteria_names(lang)
    matrix = panels.criteria_matrix(ntm)
    units = data.layer("units").set_index("code")
    codes = [c for c in units.index if c in matrix.index]
    st.header(t("ntm.scorecard", lang))
    st.caption(t("ntm.scorecard_hint", lang))
    towns = [str(units.loc[c, "name"]) for c in units.index if units.loc[c, "unit_type"] == "town"]
    if towns:
        st.caption(t("ntm.towns_not_assessed", lang, towns=", ".join(towns)))
    table = pd.DataFrame(
        {
            t("ntm.unit", lang): [units.loc[c, "short_name"] for c in codes],
            t("ntm.criteria_met", lang): [int(matrix.loc[c].sum()) for c in codes],
        }
    )
    if data.units() == "2025" and "commune_2025" in ntm.columns:  # grouped by the new communes: say which
        succ = ntm.drop_duplicates("unit_code").set_index("unit_code")["commune_2025"]
        names_ = data.unit_names()
        table.insert(1, t("units.commune", lang), [names_.get(f"2025:{succ.get(c)}", "–") for c in codes])
    crit_cols = {}
    for c in matrix.columns:
        col = f"{int(c)}"
        crit_cols[col] = int(c)
        table[col] = ["✓" if matrix.loc[u, c] else "✗" for u in codes]
    st.dataframe(
        table,
        key="ntm_matrix",
        hide_index=True,
        width="stretch",
        on_select=lambda: _on_matrix_select("ntm_matrix", codes, crit_cols),
        selection_mode=["single-row", "single-column"],
        column_config={
            col: st.column_config.TextColumn(col, help=names[n], width="small") for col, n in crit_cols.items()
        },
    )
    sel = st.session_state.get("sel_nong-thon-moi")
    card_code = sel["key"] if sel and sel["layer"] == "units" and sel["key"] in codes else "06643"
    left, right = st.columns(2)
    with left:
        card = panels.unit_card(ntm, card_code)
        st.markdown(
            f"**{md_text(units.loc[card_code, 'name'])}** — "
            f"{t('ntm.of', lang, met=len(card.met), total=panels.COMMUNE_CRITERIA)}"
        )
        if card.target_year:
            st.caption(t("ntm.target_year", lang, year=card.target_year))
        recognition = str(units.loc[card_code].get("ntm_recognition") or "")
        if recognition:
            st.success(md_text(recognition), icon=":material/verified:")
        st.markdown(
            t("ntm.missing", lang) + ": " + ("; ".join(f"{c}. {md_text(names[c])}" for c in card.missing) or "–")
        )
        if card_code == "06643":
            st.info(t("ntm.dong_thang_notice", lang), icon=":material/gavel:")

        criteria_editor(card_code, str(units.loc[card_code, "name"]), names)
    with right:
        dist = data.layer("ntm_district")
        st.markdown(f"**{t('ntm.district', lang)}**")
        st.dataframe(
            pd.DataFrame(
                {
                    "#": dist.criterion,
                    t("ntm.criterion", lang): dist["name_vi" if lang == "vi" else "name_en"],
                    t("ntm.met", lang): ["✓" if m else "✗" for m in dist.met],
                    spec("ntm_district").field("source").label(lang): [source_text(s, lang) for s in dist.source],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("ntm.district_notice", lang))
