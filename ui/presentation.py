"""The briefing (giao ban): a presentation that steps through saved views or the notice's tasks,
and what changed since the last meeting.

Next/previous are big buttons bound to the → and ← keys. The full-screen switch asks the browser for full
screen and hides the sidebar; while it is on, ui/static/present.js takes →/←, PageDown/PageUp (a clicker's
keys) and Space wherever focus is, the map included, leaves with Esc, and fits the slide's map to the screen.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.model.catalog import style_criterion
from geo.model.i18n import Lang, fmt_date, fmt_number, t, term
from geo.model.safe import html_text, md_text
from geo.model.views import Task, View, tasks_from_frame
from geo.read import board, comments
from geo.read.filters import apply_filters
from geo.read.indicators import from_frame, period_text
from geo.read.panels import units_with_criteria
from geo.read.records import change_table, change_text, format_value
from geo.store.changelog import AUDIT_TABLE, changes_for_meeting, changes_since
from ui import data, state
from ui.data import default_since
from ui.editing import edit_form
from ui.mapwidget import map_view, stored, units_layers
from ui.threads import concerned_panel, thread_panel
from ui.views import all_views

PAGE = "giao-ban"
SLIDE_MAP_HEIGHT = 560  # before ui/static/present.js fits it to the screen while presenting
FULL_SCREEN_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] h1, [data-testid="stCaptionContainer"] { display: none; }
.dl-pres-title { font-size: 2.6rem; font-weight: 800; line-height: 1.15; margin: 0 0 .3rem; }
.dl-pres-sub { font-size: 1.35rem; color: #444; margin-bottom: .6rem; }
.dl-pres-step { font-size: 1.1rem; color: #595959; }
.dl-pres-quote { font-size: 1.05rem; font-style: italic; color: #4a3b1d; border-left: 4px solid #e0b44c;
  padding-left: .8rem; margin: .5rem 0; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: .4rem; }
@media (max-height: 800px) {
  [data-testid="stMainBlockContainer"] { padding: .4rem 1.2rem; }
  .dl-pres-title { font-size: 1.8rem; margin: 0; }
  .dl-pres-sub { font-size: 1.05rem; margin-bottom: .2rem; }
}
</style>"""


def tasks() -> list[Task]:
    """The notice's tasks with their tracking."""
    return tasks_from_frame(data.layer("tasks")) if data.store().has("tasks") else []


def _step(count: int) -> int:
    i = int(st.session_state.get("pres_i", 0)) % max(count, 1)
    st.session_state["pres_i"] = i
    return i


def _move(delta: int, count: int) -> None:
    st.session_state["pres_i"] = (int(st.session_state.get("pres_i", 0)) + delta) % max(count, 1)
    st.session_state.pop(f"sel_{PAGE}", None)
    st.session_state.pop(f"home_{PAGE}", None)


def _controls(count: int, lang: Lang) -> None:
    prev, where, nxt = st.columns([1, 2, 1], vertical_alignment="center")
    # While presenting, ui/static/present.js owns the keys (wherever focus is); else Streamlit's shortcuts.
    presenting = bool(st.session_state.get("pres_full"))
    prev.button(
        t("pres.prev", lang),
        key="pres_prev",
        on_click=_move,
        args=(-1, count),
        shortcut=None if presenting else "Left",
        width="stretch",
        icon=":material/arrow_back:",
    )
    where.markdown(
        f'<div class="dl-pres-step" style="text-align:center">{_step(count) + 1} / {count}</div>',
        unsafe_allow_html=True,
    )
    nxt.button(
        t("pres.next", lang),
        key="pres_next",
        on_click=_move,
        args=(1, count),
        shortcut=None if presenting else "Right",
        width="stretch",
        type="primary",
        icon=":material/arrow_forward:",
        icon_position="right",
    )


def _title(text: str, sub: str = "") -> None:
    st.html(
        f'<div class="dl-pres-title">{html_text(text)}</div>'
        + (f'<div class="dl-pres-sub">{html_text(sub)}</div>' if sub else "")
    )


def _frames(layers: tuple[str, ...], filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for lid in layers:
        frame = data.layer(lid)
        out[lid] = apply_filters(data.catalog()[lid], frame, filters.get(lid)) if lid in filters else frame
    return out


def _task_box(task: Task, lang: Lang) -> None:
    spec = data.catalog()["tasks"]
    st.markdown(f"### {md_text(task.id)}. {md_text(term(task.short, lang))}")
    st.markdown(
        f"**{spec.field('status').label(lang)}:** {format_value(spec, 'status', task.status, lang)}  \n"
        f"**{spec.field('lead').label(lang)}:** {md_text(term(task.lead, lang))}  \n"
        f"**{spec.field('deadline').label(lang)}:** {fmt_date(task.deadline, lang) if task.deadline else '–'}"
    )
    if task.progress:
        st.markdown(
            f"**{spec.field('progress').label(lang)}** ({fmt_date(task.progress_date, lang)}): {md_text(task.progress)}"
        )
    figures = {i.id: i for i in from_frame(data.layer("indicators"))}
    meta = data.meta().get("indicators")
    stated = str(getattr(meta, "as_of", "") or "")[:10]  # the day the figures were stated (the notice's)
    shown = data.as_of_day() or data.today()
    for link in task.links:
        if link.kind == "indicator" and link.target in figures:
            ind = figures[link.target]
            # A figure of another day than the slide's says its period and the day it was stated.
            when = period_text(ind.period, lang)
            if stated and stated != shown.isoformat():
                when = t("pres.figure_at", lang, period=when, day=fmt_date(stated, lang))
            st.metric(
                f"{ind.name(lang)} ({when})",
                ind.value_text(lang),
                " · ".join(ind.achievement_text(lang)) or None,
                delta_color="off",
                delta_arrow="off",
                border=True,
            )


def present_view(view: View, lang: Lang) -> None:
    """One slide: a saved view's map, and the task it presents."""
    _title(view.title(lang), view.note(lang))
    st.session_state[f"home_{PAGE}"] = view.bbox
    if view.selected:
        st.session_state[f"sel_{PAGE}"] = {"layer": view.selected[0], "key": view.selected[1], "zoom": False, "n": 0}
    left, right = st.columns([2.6, 1])
    layers = units_layers(list(view.layers), keep_units=view.page == "nong-thon-moi")  # the units of the day
    frames = _frames(tuple(layers), view.filters)
    crit = style_criterion(view.styles())
    if crit is not None and "units" in frames:  # one new-rural criterion: met or not, per commune
        frames["units"] = units_with_criteria(frames["units"], data.layer("ntm_commune"), crit)
    with left:
        # Not a fragment (ui.mapwidget.map_view's ``alone``): on a slide, what stands above the map changes with
        # the slide and with full screen (its style), so the map's place does too.
        map_view(
            PAGE,
            layers,
            stored(frames),
            height=SLIDE_MAP_HEIGHT,
            color_by=view.color_by(),
            legend_beside=False,
            alone=False,
        )
    with right:
        task = next((x for x in tasks() if x.id == view.task_id), None)
        if task:
            _task_box(task, lang)


def present_task(task: Task, lang: Lang) -> None:
    """One slide: a task of the notice, its words, its tracking, and the map of what it concerns."""
    _title(f"{t('pres.task', lang)} {task.id}", term(task.short, lang))
    catalog = data.catalog()
    layers = [lk.target for lk in task.links if lk.kind in ("layer", "feature") and catalog[lk.target].is_spatial]
    layers = units_layers(list(dict.fromkeys(["district", "units", *layers])))
    features = tuple((lk.target, lk.key) for lk in task.links if lk.kind == "feature")
    # Open on the district and every feature the task links to.
    boxes = [tuple(data.layer("district").total_bounds)]
    for lid, key in features:
        frame = data.layer(lid)
        boxes.append(tuple(frame[frame[data.catalog()[lid].key].astype(str) == key].total_bounds))
    boxes = [b for b in boxes if all(v == v for v in b)]  # an unknown key gives NaN bounds
    st.session_state[f"home_{PAGE}"] = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    left, right = st.columns([2.2, 1.4])
    with left:
        map_view(
            PAGE,
            layers,
            stored(_frames(tuple(layers), {})),
            height=SLIDE_MAP_HEIGHT,
            highlight=features,
            legend_beside=False,
            alone=False,
        )
    with right:
        _task_box(task, lang)
        since = default_since()
        changed = [
            r for r in changes_since(data.store().location, since.isoformat(), layer="tasks") if r.feature == task.id
        ]
        if changed:
            spec = data.catalog()["tasks"]
            texts = [change_text(spec, r.field, r.old, r.new, lang) for r in changed]
            lines = "  \n".join(f"{md_text(what)}: {md_text(old)} → {md_text(new)}" for what, old, new in texts)
            st.warning(
                f"**{t('pres.task_changed', lang, day=fmt_date(since, lang))}**  \n{lines}",
                icon=":material/change_circle:",
            )
        st.html(  # the notice's own words, in Vietnamese whatever the language, said to be a quotation
            f'<div class="dl-pres-quote" lang="vi"><b>{html_text(t("pres.quote", lang))}</b> '
            f"«{html_text(task.text)}»</div>"
        )
        row = data.layer("tasks").set_index("task_id", drop=False).loc[task.id]

        edit_form(PAGE, "tasks", row)
        thread_panel(f"task_{task.id}", comments.task(task.id))
        concerned_panel(f"task_{task.id}", task)


def _open_task(ids: list[str], widget_key: str) -> None:
    rows = st.session_state[widget_key].selection.rows
    if rows:
        every = [x.id for x in tasks()]
        st.session_state["pres_mode"] = "tasks"
        st.session_state["pres_i"] = every.index(ids[rows[0]])
        st.session_state.pop(f"sel_{PAGE}", None)
        st.session_state.pop(f"home_{PAGE}", None)


def task_board(lang: Lang) -> None:
    """Every task of the notice in one table, overdue and stalled ones flagged; a row opens its slide."""
    spec = data.catalog()["tasks"]
    rows = board.store_board(data.reader(), data.shown_day())
    st.markdown(f"**{t('board.title', lang)}**")
    st.caption(t("board.rules", lang, n=board.STALL_DAYS))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    statuses = [s.value for s in spec.statuses]
    chosen = c1.pills(
        t("board.status", lang),
        statuses,
        selection_mode="multi",
        default=statuses,
        key="board_status",
        format_func=lambda v: md_text(format_value(spec, "status", v, lang)),
    )
    only = c2.toggle(t("board.only_flagged", lang), key="board_flagged")
    shown = [r for r in rows if r.task.status in (chosen or []) and (r.flagged or not only)]
    st.caption(
        t(
            "board.count",
            lang,
            n=len(shown),
            overdue=sum(r.overdue for r in shown),
            stalled=sum(r.stalled for r in shown),
        )
    )
    names = {i.id: i.name(lang) for i in from_frame(data.layer("indicators"))}
    catalog = data.catalog()

    def links(task: Task) -> str:
        out = []
        for lk in task.links:
            if lk.kind == "indicator":
                out.append(names.get(lk.target, lk.target))
            elif lk.target in catalog:
                out.append(catalog[lk.target].title(lang) + (f" {lk.key}" if lk.key else ""))
        return "; ".join(out)

    table = pd.DataFrame(
        {
            t("board.no", lang): [r.task.id for r in shown],
            t("board.flags", lang): [("⚠ " + r.flags(lang)) if r.flagged else "" for r in shown],
            t("board.threads", lang): [r.threads for r in shown],
            t("board.task", lang): [term(r.task.short, lang) for r in shown],
            t("board.status", lang): [format_value(spec, "status", r.task.status, lang) for r in shown],
            t("board.lead", lang): [term(r.task.lead, lang) for r in shown],
            t("board.deadline", lang): [pd.to_datetime(r.task.deadline or None) for r in shown],
            t("board.progress", lang): [r.task.progress for r in shown],
            t("board.progress_date", lang): [pd.to_datetime(r.task.progress_date or None) for r in shown],
            t("board.links", lang): [links(r.task) for r in shown],
            t("board.words", lang): [r.task.text for r in shown],
        }
    )
    day = "DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
    st.dataframe(
        table,
        key="board_table",
        on_select=lambda: _open_task([r.task.id for r in shown], "board_table"),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=min(44 + 35 * len(shown), 600),  # every task at once (eleven rows)
        column_config={
            t("board.deadline", lang): st.column_config.DateColumn(format=day),
            t("board.progress_date", lang): st.column_config.DateColumn(format=day),
            t("board.task", lang): st.column_config.TextColumn(width="large"),
            t("board.words", lang): st.column_config.TextColumn(width="medium", help=t("board.words", lang)),
        },
    )


CHANGES_SHOWN = 300  # rows of the change table; whole-feature imports count as one line each


def what_changed(lang: Lang) -> None:
    """Every change since a date, with old → new, and those features highlighted on the map."""
    since = st.date_input(
        t("pres.since", lang),
        default_since(),
        key="changes_since",
        format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD",
    )
    data.shown(AUDIT_TABLE)  # any change anywhere belongs on this page
    rows, batches = changes_for_meeting(
        data.store().location, since.isoformat(), data.sensitive_ok(), list_up_to=CHANGES_SHOWN
    )
    if not rows and not batches:
        st.info(t("pres.no_changes", lang, day=fmt_date(since, lang)))
        return
    log = data.catalog()["audit_log"]  # the change log's own labels
    head = [log.field(n).label(lang) for n in ("ts", "user", "layer", "feature", "field", "old", "new", "reason")]
    if len(rows) > CHANGES_SHOWN:
        st.caption(t("pres.more_changes", lang, shown=CHANGES_SHOWN, n=fmt_number(len(rows) - CHANGES_SHOWN, lang)))
    st.html(
        '<table class="dl-changes"><thead><tr>'
        + "".join(f"<th>{html_text(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(
            "<tr>" + "".join(f"<td>{html_text(c)}</td>" for c in cells) + "</tr>"
            for cells in change_table(rows[:CHANGES_SHOWN], batches, lang, data.catalog())
        )
        + "</tbody></table>"
    )
    pairs = [(r.layer, r.feature) for r in rows] + [(b.layer, k) for b in batches for k in b.features]
    catalog = data.catalog()
    changed = tuple(dict.fromkeys((lid, k) for lid, k in pairs if lid in catalog and catalog[lid].is_spatial))
    layers = units_layers(list(dict.fromkeys(["district", "units", *(lid for lid, _ in changed)])))
    map_view(PAGE, layers, stored(_frames(tuple(layers), {})), height=560, highlight=changed, alone=False)


def briefing() -> None:
    """The whole page."""
    lang = state.lang()
    wanted = st.query_params.get("task")  # a link to one task's slide (from the overview's alerts)
    if wanted:
        del st.query_params["task"]
        ids = [x.id for x in tasks()]
        if wanted in ids:
            st.session_state["pres_mode"] = "tasks"
            st.session_state["pres_i"] = ids.index(wanted)
    mode = (
        st.segmented_control(
            t("pres.mode", lang),
            ["views", "tasks", "board", "changes"],
            default="views",
            key="pres_mode",
            format_func=lambda m: t(f"pres.mode.{m}", lang),
        )
        or "views"
    )
    if st.toggle(t("pres.full_screen", lang), key="pres_full"):
        st.html(FULL_SCREEN_CSS)
    if mode == "changes":
        what_changed(lang)
        return
    if mode == "board":
        task_board(lang)
        return
    items: list[Any] = all_views() if mode == "views" else tasks()
    if not items:
        st.info(t("pres.empty", lang))
        return
    _controls(len(items), lang)
    item = items[_step(len(items))]
    if mode == "views":
        present_view(item, lang)
    else:
        present_task(item, lang)
