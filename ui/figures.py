"""The strip of the notice's headline figures and the indicator cards."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from geo.indicators import Indicator, from_frame
from geo.safe import html_text
from ui import data, state


def indicators() -> list[Indicator]:
    """Every indicator of the store, in the notice's order."""
    return from_frame(data.layer("indicators"))


def card_html(ind: Indicator, lang: str, quote: bool = False) -> str:
    """One indicator card; every text escaped. The notice's own words show on hover, or under the card."""
    lg = "en" if lang == "en" else "vi"
    subs = "".join(f'<div class="dl-card-sub">{html_text(s)}</div>' for s in ind.achievement_text(lg))
    src = t("figures.source", lg, section=ind.section)
    return (
        f'<div class="dl-card" title="{html_text(ind.quote)}" data-indicator="{html_text(ind.id)}">'
        f'<div class="dl-card-name">{html_text(ind.name(lg))}</div>'
        f'<div class="dl-card-value">{html_text(ind.value_text(lg))}</div>{subs}'
        f'<div class="dl-card-src">{html_text(ind.period)} · {html_text(src)}</div></div>'
    )


def headline_strip() -> None:
    """The headline indicators of the notice as a wrapping row of cards."""
    lang = state.lang()
    heads = [i for i in indicators() if i.headline]
    title, switch = st.columns([3, 1], vertical_alignment="center")
    title.markdown(f"**{t('figures.title', lang)}**")
    quote = switch.toggle(t("figures.show_quotes", lang), key="show_quotes")
    st.html('<div class="dl-cards">' + "".join(card_html(i, lang, quote) for i in heads) + "</div>")
