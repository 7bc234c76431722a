"""Two dates side by side on a theme page: the maps of A and B pan and zoom together, the features that
changed between them are highlighted on both, and the tracked figures' deltas are said in words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from geo.model.i18n import Lang, fmt_date, t
from geo.model.safe import md_text
from geo.read import compare, history
from geo.read.filters import Filters, apply_filters, narrowed
from geo.webmap.mapview import MapData
from geo.webmap.style import LegendBlock
from ui import data
from ui.mapwidget import map_view, side_legend

Frames = dict[str, Any]
TRACKED = ("ql4b_segments", "land_disputes", "ntm_commune")  # what the deltas read, whatever the page shows


def compare_maps(
    page: str,
    visible: list[str],
    frames_a: Frames,
    raw_a: Frames,
    used: dict[str, Filters],
    opts: dict[str, Any],
    frames_hook: Callable[[Frames, dict[str, Any]], Frames] | None,
    home: str,
    lang: Lang,
) -> list[LegendBlock]:
    """The deltas, then A's map and B's, each with the page's filters and its own legend under it (counting
    that side's features); returns no legend for beside them.
    """
    day_a, day_b = data.as_of_day() or data.today(), data.compare_day()
    assert day_b is not None
    raw_b = {lid: data.layer_at(lid, day_b) for lid in visible}
    if frames_hook:
        raw_b = frames_hook(raw_b, opts)
    catalog = data.catalog()
    # What the user narrowed on the day shown, and nothing more (a filter left whole stays whole on B).
    kept = {lid: narrowed(catalog[lid], raw_a[lid], used[lid]) for lid in used if lid in raw_a}
    frames_b = {lid: apply_filters(catalog[lid], f, kept.get(lid)) for lid, f in raw_b.items()}
    store = data.store()
    changed = compare.changed(store.location, visible, history.moment(day_a), history.moment(day_b))
    early, late = sorted((day_a, day_b))
    st.header(t("compare.title", lang, a=fmt_date(early, lang), b=fmt_date(late, lang)))
    tracked_a = {lid: data.layer_at(lid, None if early >= data.today() else early) for lid in TRACKED if store.has(lid)}
    tracked_b = {lid: data.layer_at(lid, None if late >= data.today() else late) for lid in TRACKED if store.has(lid)}
    lines = [d.text(lang) for d in compare.deltas(tracked_a, tracked_b, data.unit_names()) if d.change or d.detail]
    st.markdown("\n".join(f"- {md_text(x)}" for x in lines) if lines else t("compare.none", lang))
    st.caption(t("compare.changed", lang, n=len(changed)))
    color_by = tuple(opts.get("color_by", ()))
    left, right = st.columns(2)
    blocks: list[LegendBlock] = []
    shown_a = data.as_of_day()
    sides = [
        ("a", day_a, frames_a, raw_a, {lid: data.geometry_version(lid, shown_a) for lid in raw_a}, used),
        ("b", day_b, frames_b, raw_b, {lid: data.geometry_version(lid, day_b) for lid in raw_b}, kept),
    ]
    sides.sort(key=lambda side: side[1])  # the earlier date on the left, as a timeline reads
    sides_at = [(col, *side) for col, side in zip((left, right), sides, strict=True)]
    for col, suffix, day, frames, raw, version, filters in sides_at:
        with col:
            st.markdown(f"**{t('compare.map', lang, day=fmt_date(day, lang))}** ({suffix.upper()})")
            # The whole layers of each date, keyed by what their geometry depends on: a filter sends only a style.
            # A layer drawn from vector tiles takes that side's filters and day to where its tiles are built.
            drawn = MapData(frames, catalog, raw, version, filters, day.isoformat())
            got = map_view(
                f"{page}-{suffix}",
                visible,
                drawn,
                height=520,
                color_by=color_by,
                home=home,
                changed=changed,
                sync=page,
            )
            side_legend(got)  # each side's legend counts its own side's features
            blocks.extend(got)
    return []  # nothing more beside the maps: each has its legend under it
