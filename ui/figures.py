"""The strip of the notice's headline figures and the indicator cards."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.edit import AuditRow
from geo.i18n import fmt_date, t
from geo.indicators import LINKS, Indicator, from_frame
from geo.safe import html_text
from ui import data, state
from ui.editing import edit_form
from ui.nav import NAV_KEYS, PAGE_FILES


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
        f'<div class="dl-card-src">{html_text(ind.period)} · {html_text(src)}</div>'
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
    st.html('<div class="dl-cards">' + "".join(card_html(i, lang, quote, ups.get(i.id)) for i in heads) + "</div>")


def indicator_cards() -> None:
    """Every indicator: value, targets, % achieved, comparison, period, citation, and where it is on the map."""
    lang = state.lang()
    inds = indicators()
    ups = updates()
    rows = data.layer("indicators").set_index("ind_id", drop=False)
    planner = data.editor() is not None
    for row in range(0, len(inds), 2):
        for col, ind in zip(st.columns(2), inds[row : row + 2], strict=False):
            with col, st.container(border=True):
                st.html(card_html(ind, lang, quote=True, updated=ups.get(ind.id)))
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
    st.altair_chart((bars + rule + text).properties(height=34 * len(df) + 40), width="stretch")
