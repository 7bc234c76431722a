"""The meeting pack (bộ tài liệu giao ban): one PDF with a cover and contents, a page per theme, an optional atlas.

Each theme page is its map, the figures of its panel and the items that need
attention; each atlas page is a commune: its map, its 19 criteria, its parcels
and disputes. Built from a store with matplotlib, like the map exports.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from geo.model.catalog import CATALOG, THEMES, VIEW_NAMES, style_color_by, theme_styles, view_home, view_layers
from geo.model.i18n import Lang, fmt_date, fmt_number, fmt_pct, t, term
from geo.printing.atlas import commune_page
from geo.printing.export import MapRequest, map_panel
from geo.printing.printkit import (
    UNIT_LAYERS,
    Provenance,
    drawn_layers,
    footer,
    page_figure,
    pdf_pages,
    read_frames,
    text_block,
    unit_names,
    units_in_force,
    wrap_pt,
)
from geo.read import board, comments, history, panels, reform
from geo.read.access import Reader
from geo.read.indicators import from_frame
from geo.read.records import change_table, format_value
from geo.store.changelog import AuditRow, Batch, changes_for_meeting
from geo.store.reads import DemoShare, Store


@dataclass(frozen=True)
class Section:
    """One page of the pack: its title, the layers of its map, its figures and attention lines."""

    title: str
    layers: tuple[str, ...]
    figures: list[str]
    attention: list[str]
    bbox: tuple[float, float, float, float] | None = None
    styles: tuple[str, ...] = ()  # the named colourings of its map (geo.model.catalog.STYLES), as on its page


def sections(store: Reader, lang: Lang) -> list[Section]:
    """The theme pages of the pack, in meeting order."""
    names = unit_names(store)
    seg = store.read("ql4b_segments")
    disputes = store.read("land_disputes")
    ntm = store.read("ntm_commune")
    kept = store.meta().get("land_disputes")  # a past day before the layer's record has no date: that day
    as_of = dt.date.fromisoformat(kept.as_of[:10]) if kept is not None and kept.as_of else store.today()
    att = panels.attention(seg, disputes, ntm, as_of, n=5)

    def unit_2024(code: str) -> str:  # criteria are assessed per 2024 unit: by the communes, say which it is in
        name = names.get(f"2024:{code}", code)
        if store.units == "2025" and "commune_2025" in ntm.columns:
            new = ntm.loc[ntm.unit_code.astype(str) == code, "commune_2025"]
            if len(new) and f"2025:{new.iloc[0]}" in names:
                return t("units.now_in", lang, old=name, new=names[f"2025:{new.iloc[0]}"])
        return name

    def items(kind: str) -> list[str]:
        out = []
        for a in att:
            if a.kind != kind:
                continue
            figure = fmt_number(a.figure, lang)
            out.append(
                {
                    "segment": t("attention.segment_item", lang, item=a.key, pct=figure),
                    "dispute": t("attention.dispute_item", lang, item=a.key, days=figure),
                    "commune": t("attention.commune_item", lang, name=unit_2024(a.key), met=figure),
                }[kind]
            )
        return out

    heads = [i for i in from_frame(store.read("indicators")) if i.headline]
    overview = [f"{i.name(lang)}: {i.value_text(lang)} — {'; '.join(i.achievement_text(lang))}" for i in heads]
    tot = panels.clearance_totals(seg).iloc[0]
    cem = panels.cement_by_commune(store.read("rural_roads"))
    acc = panels.accidents_compare(store.read("accidents"), dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    roads = [
        f"{t('roads.km_cleared', lang)}: {fmt_number(tot.km_cleared, lang, 1)} / {fmt_number(tot.km, lang, 1)} km "
        f"({fmt_pct(tot.pct_cleared, lang, 1)})",
        *(
            [
                f"{t('roads.households', lang)}: {fmt_number(tot.households_compensated, lang)} / "
                f"{fmt_number(tot.households_affected, lang)}"
            ]
            if pd.notna(tot.households_affected)  # hidden from viewers
            else []
        ),
        t("roads.late_communes", lang, names=", ".join(names.get(c, c) for c in cem[cem.late].unit_code)),
        f"{t('roads.accidents_period', lang, start=fmt_date(acc.start, lang), end=fmt_date(acc.end, lang))}: "
        f"{acc.current} — {t('roads.vs_last_year', lang, previous=acc.previous, change=f'{acc.change:+d}')}",
    ]
    cl = panels.cluster_summary(store.read("cluster_plots"))
    cluster_ha = float(store.read("cluster_boundary").area_ha.sum())
    industry = [
        f"{t('industry.cluster_area', lang)}: {fmt_number(cluster_ha, lang)} ha",
        f"{t('industry.occupancy', lang)}: {fmt_pct(cl.occupancy_pct, lang, 1)}",
        f"{t('industry.cleared', lang)}: {fmt_pct(cl.cleared_pct, lang, 1)}",
    ]
    counts = panels.dispute_counts(disputes)
    parcels_ha = store.totals("forest_parcels", ["area_ha"])["area_ha"]  # added up by the store, not read whole
    forest = [
        f"{CATALOG['forest_parcels'].title(lang)}: {fmt_number(parcels_ha, lang)} ha",
        f"{t('forest.open', lang)}: {counts['open']}   ·   {t('forest.resolved', lang)}: {counts['resolved']}",
    ]
    dist = store.read("ntm_district")
    unmet = ", ".join(dist[~dist.met]["name_vi" if lang == "vi" else "name_en"])
    ntm_lines = [t("ntm.dong_thang_notice", lang), t("ntm.district_notice", lang), f"{t('ntm.missing', lang)}: {unmet}"]
    cluster_bbox = tuple(store.read(view_home("industry")).total_bounds)
    pad = 0.01

    def layers(view: str) -> tuple[str, ...]:  # the units in force; criteria stay per 2024 unit, as on its page
        return drawn_layers(view_layers(view), store.units, keep_units=view == "ntm")

    return [
        Section(t("nav.overview", lang), layers("overview"), overview, items("segment") + items("dispute")),
        Section(THEMES["roads"][lang], layers("roads"), roads, items("segment"), styles=theme_styles("roads")),
        Section(
            THEMES["industry"][lang],
            layers("industry"),
            industry,
            [],
            (cluster_bbox[0] - pad, cluster_bbox[1] - pad, cluster_bbox[2] + pad, cluster_bbox[3] + pad),
        ),
        Section(THEMES["forest"][lang], layers("forest"), forest, items("dispute")),
        Section(THEMES["ntm"][lang], layers("ntm"), ntm_lines, items("commune"), styles=theme_styles("ntm")),
    ]


def _theme_figure(
    store: Reader, frames: dict[str, gpd.GeoDataFrame], s: Section, lang: Lang, page: int, total: int, prov: Provenance
) -> Figure:
    demo = prov.share(s.layers)
    fig = page_figure(s.title, lang, page, total, prov, demo)
    req = MapRequest(s.layers, s.title, lang=lang, bbox=s.bbox, color_by=style_color_by(s.styles))
    map_panel(fig, req, frames, (0.03, 0.15, 0.5, 0.74), (0.545, 0.15, 0.16, 0.74), legend_scale=0.8)
    # Date, data as-of, coordinate system and sources under the map.
    footer(fig, req, prov, (0.03, 0.045, 0.67, 0.085), badge=False)  # the page has its badge
    y = text_block(fig, 0.72, 0.89, t("pack.figures", lang), s.figures, lang, width=44)
    if s.attention:
        text_block(fig, 0.72, y, t("attention.title", lang), s.attention, lang, width=44)
    return fig


BOARD_COLUMNS = (  # (title key, share of the page's width)
    ("board.no", 0.035),
    ("board.task", 0.27),
    ("board.lead", 0.12),
    ("board.deadline", 0.07),
    ("board.status", 0.09),
    ("board.progress", 0.23),
    ("board.flags", 0.125),
)


def _board_figure(reader: Reader, on: dt.date, lang: Lang, page: int, total: int, prov: Provenance) -> Figure:
    """Every task of the notice in one table, flagged by the board's rules, then the data's alerts; every
    cell measured and wrapped to its column.
    """
    from matplotlib.patches import Rectangle

    fig = page_figure(t("board.title", lang), lang, page, total, prov, DemoShare())
    page_w_pt = fig.get_size_inches()[0] * 72
    spec = reader.catalog["tasks"]
    rows = board.store_board(reader, on)
    fig.text(0.03, 0.9, t("board.rules", lang, n=board.STALL_DAYS).rsplit(". ", 1)[0] + ".", fontsize=7, va="top")
    x0, y, size, pad = 0.03, 0.86, 6.6, 0.004
    xs = [x0]
    for _, w in BOARD_COLUMNS:
        xs.append(xs[-1] + w)
    widths = [(w - 2 * pad) * page_w_pt for _, w in BOARD_COLUMNS]

    def line(cells: list[str], bold: bool = False, colour: str = "#1f2d3d", shade: bool = False) -> None:
        nonlocal y
        wrapped = [wrap_pt(c, w, size) for c, w in zip(cells, widths, strict=True)]
        h = 0.0148 * max(len(w) for w in wrapped) + 0.009  # 6.6 pt lines at 1.2 spacing, on 210 mm
        if shade:
            fig.patches.append(
                Rectangle((x0, y - h), xs[-1] - x0, h, transform=fig.transFigure, color="#f3f1ea", zorder=0)
            )
        for k, w in enumerate(wrapped):
            fig.text(
                xs[k] + pad,
                y - 0.004,
                "\n".join(w),
                fontsize=size,
                va="top",
                fontweight="bold" if bold else "normal",
                color=colour if k == len(wrapped) - 1 else "#1f2d3d",
                linespacing=1.2,
            )
        y -= h

    def day(text: str) -> str:
        return fmt_date(dt.date.fromisoformat(text[:10]), lang) if text else "–"

    def thread_lines(found: list[comments.Thread]) -> None:
        """The open threads of a task under its row: who asked what, and the latest answer."""
        nonlocal y
        width = (xs[-1] - xs[1] - 2 * pad) * page_w_pt
        for th in found:
            latest = th.replies[-1] if th.replies else None
            on = th.target  # a thread on what the task concerns (a dispute, an indicator) names it first
            about = "" if on.kind == "task" else f"[{comments.subject(on, lang, reader.catalog)}] "
            text = f"↳ {about}{th.first.user}: «{th.first.text}»"
            if latest is not None:
                text += f" — {latest.user}: «{latest.text}»"
            wrapped = wrap_pt(" ".join(text.split()), width, size - 0.6)[:4]
            fig.text(xs[1] + pad, y - 0.002, "\n".join(wrapped), fontsize=size - 0.6, va="top", color="#3b4a5a",
                     linespacing=1.2)  # fmt: skip
            y -= 0.0138 * len(wrapped) + 0.004

    # Oldest first under each task: on the task itself, and on what it concerns (a dispute under 2.6).
    open_threads = board.task_threads(comments.threads(reader, open_only=True), [r.task for r in rows])
    line([t(key, lang) for key, _ in BOARD_COLUMNS], bold=True, shade=True)
    for r in rows:
        task = r.task
        progress = f"{task.progress} ({day(task.progress_date)})" if task.progress else "–"
        status = format_value(spec, "status", task.status, lang)
        flags = "; ".join(x for x in (r.flags(lang), t("alert.threads", lang, n=r.threads) if r.threads else "") if x)
        cells = [task.id, term(task.short, lang), term(task.lead, lang), day(task.deadline), status, progress, flags]
        line(cells, colour="#a0410d" if r.flagged else "#1f2d3d")
        thread_lines(open_threads.get(task.id, []))
    # The data's alerts: a line each for tasks and indicators, the layers not kept up to date in one paragraph.
    found = board.store_alerts(reader, on, lang)
    texts = [a.text for a in found if a.kind != "layer"]
    stale = [a for a in found if a.kind == "layer"]
    if stale:
        texts.append(
            t("alert.layers", lang, n=len(stale), days=board.STALE_DAYS)
            + " "
            + "; ".join(a.text.split("“", 1)[-1].replace("”", "") for a in stale)
        )
    text_block(fig, 0.03, y - 0.02, t("alert.title", lang), texts or [t("alert.none", lang)], lang, 190, 0.06, 0.018)
    return fig


def _changes_figure(
    changes: tuple[list[AuditRow], list[Batch]], since: dt.date, lang: Lang, page: int, total: int, prov: Provenance
) -> Figure:
    """The pack's page of what changed since ``since``: when, who, what, old → new, why."""
    fig = page_figure(
        f"{t('pres.mode.changes', lang)} ({t('pres.since', lang).lower()} {fmt_date(since, lang)})",
        lang,
        page,
        total,
        prov,
        DemoShare(),
    )
    table = change_table(*changes, lang)
    if not table:
        fig.text(10 / 297, 0.8, t("pres.no_changes", lang, day=fmt_date(since, lang)), fontsize=11)
        return fig
    lines = [
        f"{when}  {user}  {title} / {feature} / {what}: {old or '–'} → {new}" + (f"  ({why})" if why else "")
        for when, user, title, feature, what, old, new, why in table[:40]
    ]
    if len(table) > 40:
        lines.append(f"… +{len(table) - 40}")
    fig.text(10 / 297, 0.86, "\n".join(lines), fontsize=7.5, va="top", linespacing=1.45)
    return fig


def _before(ts: str, when: dt.datetime) -> bool:
    """Whether a change logged at ``ts`` (ISO 8601) was made by ``when``."""
    moment = dt.datetime.fromisoformat(ts)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)) <= when


def meeting_pack(
    store: Store,
    lang: Lang = "vi",
    atlas: bool = False,
    meeting: dt.date | None = None,
    today: dt.date | None = None,
    since: dt.date | None = None,
    sensitive: bool = True,
    as_of: str | dt.date | dt.datetime | None = None,
    units: reform.Units | None = None,
) -> bytes:
    """The whole pack as PDF bytes; ``sensitive=False`` (a viewer's pack) leaves out dispute parties and
    household figures; ``as_of`` makes the pack of a past day (every map and figure as it stood then, and
    no change made after it); ``units`` draws and names the 2024 units or the communes of 1/7/2025
    (default: those in force on the day shown).
    """
    when = history.moment(as_of) if as_of else None  # a date: the end of that day in Vietnam
    day = when.astimezone(history.VIETNAM).date() if when else None
    units = units or units_in_force(store, day)
    reader = Reader(store, sensitive, when, units)
    prov = Provenance(store.meta(), today or dt.date.today(), day)
    layer_ids = {
        *(lid for v in VIEW_NAMES for lid in drawn_layers(view_layers(v), units, keep_units=True)),
        UNIT_LAYERS[units],
        "forest_parcels",
        "land_disputes",
        "rural_roads",
        "ntm_commune",
        "ntm_criteria",
    }
    # The district's pack draws the district (and 5 km around): a province's cadastre is read through the index.
    w, so, e, n = (float(v) for v in reader.read(UNIT_LAYERS[units]).total_bounds)
    frames = read_frames(reader, sorted(layer_ids), (w - 0.05, so - 0.05, e + 0.05, n + 0.05))
    secs = sections(reader, lang)
    codes = list(frames[UNIT_LAYERS[units]].code) if atlas else []
    changes = changes_for_meeting(store.location, since.isoformat(), sensitive, list_up_to=1) if since else None
    if changes is not None and when is not None:  # a past day's pack holds nothing made after that day
        changes = ([r for r in changes[0] if _before(r.ts, when)], [b for b in changes[1] if _before(b.ts, when)])
    has_board = reader.has("tasks")
    total = 1 + len(secs) + int(has_board) + len(codes) + (1 if changes is not None else 0)
    buf = io.BytesIO()
    with pdf_pages(buf, t("pack.title", lang)) as pdf:
        updated, _, _ = prov.for_layers(frames)
        demo = prov.share(frames)
        cover = page_figure(t("pack.title", lang), lang, 1, total, prov, demo)
        cover.text(10 / 297, 1 - 30 / 210, t("app.subtitle", lang), fontsize=10, va="top")
        cover.text(
            10 / 297,
            1 - 42 / 210,
            f"{t('pack.meeting', lang)}: {fmt_date(meeting or prov.today, lang)}"
            + (
                f"   ·   {t('export.at', lang)}: {fmt_date(day, lang)}"
                if day
                else f"   ·   {t('layer.as_of', lang)}: {fmt_date(updated, lang) if updated else '–'}"
            ),
            fontsize=10,
            va="top",
        )
        cover.text(
            10 / 297, 1 - 50 / 210, f"{t('units.title', lang)}: {t(f'units.{units}', lang)}", fontsize=10, va="top"
        )
        toc = [(s.title, i + 2) for i, s in enumerate(secs)]
        nxt = len(secs) + 2
        if has_board:
            toc.append((t("pres.mode.board", lang), nxt))
            nxt += 1
        if changes is not None:
            toc.append((t("pres.mode.changes", lang), nxt))
            nxt += 1
        if codes:
            toc.append((t("pack.atlas" if units == "2024" else "pack.atlas_2025", lang), nxt))
        cover.text(10 / 297, 1 - 60 / 210, t("pack.contents", lang), fontsize=12, fontweight="bold", va="top")
        for k, (title, page) in enumerate(toc):
            y = 1 - (70 + 8 * k) / 210
            cover.text(14 / 297, y, title, fontsize=10, va="top")
            cover.text(150 / 297, y, t("pack.page_short", lang, n=page), fontsize=10, va="top", ha="right")
        if demo.any:
            cover.text(10 / 297, 0.12, t("demo.note", lang), fontsize=8, color="#a0410d", wrap=True)
        pdf.savefig(cover)
        for i, s in enumerate(secs):
            pdf.savefig(_theme_figure(reader, frames, s, lang, i + 2, total, prov))
        first_atlas = len(secs) + 2
        if has_board:
            pdf.savefig(_board_figure(reader, day or prov.today, lang, first_atlas, total, prov))
            first_atlas += 1
        if changes is not None and since is not None:
            pdf.savefig(_changes_figure(changes, since, lang, first_atlas, total, prov))
            first_atlas += 1
        for k, code in enumerate(codes):
            pdf.savefig(commune_page(reader, frames, code, lang, first_atlas + k, total, prov))
    return buf.getvalue()
