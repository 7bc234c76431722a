"""The strip of the notice's headline figures and the indicator cards."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.model.i18n import Lang, fmt_date, fmt_number, source_text, t
from geo.model.safe import html_text, md_text
from geo.read import comments
from geo.read.indicators import (
    LINKS,
    Indicator,
    Point,
    from_frame,
    period_end,
    period_label,
    period_text,
    series,
    trend,
)
from geo.store.changelog import AuditRow, EditError
from geo.store.edit import check_range, read_number, upsert_many
from ui import charts, data, notice, press, state
from ui.editing import edit_form
from ui.nav import NAV_KEYS, PAGE_FILES
from ui.threads import folded_panel, open_counts


def indicators() -> list[Indicator]:
    """Every indicator of the store, in the notice's order."""
    return from_frame(data.layer("indicators"))


def updates() -> dict[str, AuditRow]:
    """The latest planner's update of each indicator that has one."""
    return data.last_changes("indicators")


def card_html(ind: Indicator, lang: str, quote: bool = False, updated: AuditRow | None = None) -> str:
    """One indicator card; every text escaped. The notice's own words show on hover, or under the card.

    An indicator a planner has updated cites the update (who, when), not the notice.
    """
    lg = "en" if lang == "en" else "vi"
    subs = "".join(f'<div class="dl-card-sub">{html_text(s)}</div>' for s in ind.achievement_text(lg))
    src = t("figures.source", lg, section=ind.section)
    if updated is not None:
        src = t("figures.updated", lg, date=fmt_date(updated.ts[:10], lg), user=updated.user)
    return (
        f'<div class="dl-card" title="{html_text(ind.quote)}" data-indicator="{html_text(ind.id)}">'
        f'<div class="dl-card-name">{html_text(ind.name(lg))}</div>'
        f'<div class="dl-card-value">{html_text(ind.value_text(lg))}</div>{subs}'
        f'<div class="dl-card-src">{html_text(period_text(ind.period, lg))} · {html_text(src)}</div>'
        + (f'<div class="dl-card-quote">«{html_text(ind.quote)}»</div>' if quote else "")
        + "</div>"
    )


def headline_strip() -> None:
    """The headline indicators of the notice as a wrapping row of cards."""
    lang = state.lang()
    heads = [i for i in indicators() if i.headline]
    title, switch = st.columns([3, 1], vertical_alignment="center")
    title.markdown(f"**{t('figures.title', lang)}**")
    quote = switch.toggle(t("figures.show_quotes", lang), key="show_quotes")
    ups = updates()
    # A strip of cards: one row that scrolls sideways on a laptop (the map stays in the first screen),
    # wrapping on a phone; a region the keyboard can reach and scroll.
    st.html(
        f'<div class="dl-cards dl-strip" role="region" tabindex="0" aria-label="{html_text(t("figures.title", lang))}">'
        + "".join(card_html(i, lang, quote, ups.get(i.id)) for i in heads)
        + "</div>"
    )


def indicator_cards() -> None:
    """Every indicator: value, targets, % achieved, comparison, period, citation, and where it is on the map."""
    lang = state.lang()
    inds = indicators()
    ups = updates()
    rows = data.layer("indicators").set_index("ind_id", drop=False)
    planner = data.editor() is not None
    every = series(data.layer("indicator_series")) if data.store().has("indicator_series") else {}
    talk = open_counts("indicator")
    for row in range(0, len(inds), 2):
        for col, ind in zip(st.columns(2), inds[row : row + 2], strict=False):
            with col, st.container(border=True):
                st.html(card_html(ind, lang, quote=True, updated=ups.get(ind.id)))
                series_line(ind, every.get(ind.id, []), lang)
                if planner:
                    period_form(ind, lang)
                if planner or ind.id in ups:  # the update form for planners; what changed, for everyone
                    edit_form("chi-tieu", "indicators", rows.loc[ind.id])
                for page, layer, key in LINKS.get(ind.id, ()):
                    params = {"sel": f"{layer}:{key}"} if key else None
                    st.page_link(
                        PAGE_FILES[page],
                        label=f"{t(NAV_KEYS[page], lang)} — {data.catalog()[layer].title(lang)}",
                        query_params=params,
                        icon=":material/map:",
                    )
                folded_panel(f"ind_{ind.id}", comments.indicator(ind.id), talk.get(ind.id, 0))


def series_line(ind: Indicator, points: list[Point], lang: Lang) -> None:
    """Under a card: the latest period's value and its change from the period before, with its source."""
    got = trend(points)
    if got is None or len(points) < 2:
        return
    last, change = got
    unit = ind.unit if lang == "vi" else ""
    arrow = (
        ""
        if change is None
        else ("▲ +" if change > 0 else ("▼ −" if change < 0 else "= ")) + fmt_number(abs(change), lang)
    )
    demo = f" · {t('demo.badge', lang)}" if last.demo else ""
    st.markdown(
        f"**{t('series.latest', lang)}** {md_text(period_label(last.period, lang))}: "
        f"**{md_text(fmt_number(last.value, lang))}** {md_text(unit)} {md_text(arrow)}  \n"
        f":small[{md_text(source_text(last.source, lang))}{md_text(demo)}]"
    )


def period_form(ind: Indicator, lang: Lang) -> None:
    """For planners: the figure of a later period, with its source (audited; the series then shows it)."""
    with st.expander(t("series.add", lang), icon=":material/add_chart:", key=f"series_panel_{ind.id}"):
        with st.form(f"series_{ind.id}", border=False):
            c1, c2 = st.columns(2)
            year = c1.number_input(t("series.year", lang), 2024, 2035, data.today().year, key=f"sr_y_{ind.id}")
            quarter = c2.selectbox(
                t("series.quarter", lang),
                ["Q1", "Q2", "Q3", "Q4", "year"],
                key=f"sr_q_{ind.id}",
                format_func=lambda q: t("series.whole_year", lang) if q == "year" else q,
            )
            value = st.text_input(  # typed as people write numbers: 94,2 in Vietnamese
                t("series.value", lang, unit=ind.unit), key=f"sr_v_{ind.id}", placeholder=t("edit.number_help", lang)
            )
            source = st.text_input(t("series.source", lang), key=f"sr_s_{ind.id}")
            done = press.submit(t("series.save", lang), key=f"series_go_{ind.id}")
        if done.waiting:  # what the write needs, read before the press is taken (ui.press)
            user, cat, where = data.editor(), data.catalog()["indicator_series"], data.store().location
            code = str(int(year)) if quarter == "year" else f"{int(year)}-{quarter}"
            try:
                try:
                    number = read_number(value, lang)
                except ValueError:
                    raise EditError(
                        "edit.bad_number", field=t("series.value", "vi", unit=ind.unit), value=value[:80]
                    ) from None
                row = {
                    "ind_id": ind.id,
                    "period": code,
                    "period_end": period_end(code).isoformat(),
                    "value": number,
                    "target": None,
                    "source": source.strip(),
                    "demo": False,
                }
                check_range(cat, "value", number, ind.unit)  # 942 % is stopped
                if user is None:
                    raise EditError("edit.no_user")
                if not source.strip():
                    raise EditError("edit.required", field=t("series.source", "vi"))
                if done:  # taken: from here to the write, plain Python and the store
                    upsert_many(where, "indicator_series", [row], user.name, source.strip())
            except EditError as exc:
                notice.error(exc, lang)
            else:
                st.rerun()


def series_charts() -> None:
    """Each indicator with more than one period: its values against its target, oldest first."""
    lang = state.lang()
    if not data.store().has("indicator_series"):
        return
    every = series(data.layer("indicator_series"))
    names = {i.id: i for i in indicators()}
    shown = [(k, pts) for k, pts in every.items() if len(pts) > 1 and k in names]
    if not shown:
        st.caption(t("series.none", lang))
        return
    for col, (k, pts) in zip(st.columns(min(2, len(shown))) * len(shown), shown, strict=False):
        df = pd.DataFrame(
            {
                "period": [period_label(p.period, lang) for p in pts],
                "end": [p.end.isoformat() for p in pts],
                "value": [p.value for p in pts],
                "target": [p.target for p in pts],
                "source": [p.source for p in pts],
            }
        )

        def build(df: pd.DataFrame = df, unit: str = names[k].unit) -> alt.LayerChart:
            line = (
                alt.Chart(df)
                .mark_line(point=True, color="#1f4e79")
                .encode(
                    x=alt.X("end:T", title=None),
                    y=alt.Y("value:Q", title=unit),
                    tooltip=["period:N", alt.Tooltip("value:Q", format=",.2f"), "source:N"],
                )
            )
            target = (
                alt.Chart(df.dropna(subset=["target"]))
                .mark_line(strokeDash=[5, 4], color="#b35806")
                .encode(x="end:T", y="target:Q")
            )
            return (line + target).properties(height=220)

        with col:
            st.markdown(f"**{md_text(names[k].name(lang))}**")
            charts.chart(build, ("series", names[k].unit), (df,), width="stretch")


def achievement_chart() -> None:
    """Percent achieved of every indicator that states one, against the 100% line."""
    lang = state.lang()
    rows = []
    for ind in indicators():
        for pct, vi, en in (
            (ind.pct, ind.target_label_vi, ind.target_label_en),
            (ind.pct2, ind.target2_label_vi, ind.target2_label_en),
        ):
            if pct is not None:
                rows.append({"indicator": f"{ind.name(lang)} — {(vi if lang == 'vi' else en) or ''}", "pct": pct})
    if not rows:
        return
    df = pd.DataFrame(rows)

    def build() -> alt.LayerChart:
        bars = (
            alt.Chart(df)
            .mark_bar()
            .encode(
                y=alt.Y("indicator:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)),
                x=alt.X("pct:Q", title=t("indicators.pct_axis", lang)),
                color=alt.condition("datum.pct >= 100", alt.value("#1a9850"), alt.value("#f2a900")),
                tooltip=[alt.Tooltip("indicator:N"), alt.Tooltip("pct:Q", format=".2f")],
            )
        )
        rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(color="#444", strokeDash=[4, 3]).encode(x="x:Q")
        text = bars.mark_text(align="left", dx=4).encode(text=alt.Text("pct:Q", format=".2f"))
        return (bars + rule + text).properties(height=34 * len(df) + 40)

    charts.chart(build, ("achievement", lang), (df,), width="stretch")
