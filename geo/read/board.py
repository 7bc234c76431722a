"""The board of the notice's tasks, and the alerts a leader should not have to look for.

Rules, stated once and shown to users as they are:

* a task is **overdue** when its deadline has passed and it is neither done nor a standing task
  (``ongoing``: the notice's "thường xuyên", which has no end);
* a task is **stalled** when it is not done and its latest progress is older than :data:`STALL_DAYS`;
* an indicator is **below target** when the percentage the notice (or a planner) states is under the pace
  of its period — a quarter's share of the year (Q1: 25%, Q2: 50% …), a whole year or season: 100% — or
  when the notice's own words say it is below plan ("thấp so với kế hoạch");
* a layer planners keep up to date (one with fields they edit between meetings) is **stale** when its
  as-of date is older than :data:`STALE_DAYS`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from geo.model.i18n import Lang, fmt_date, fmt_number, fmt_pct, t, term
from geo.model.views import Task, tasks_from_frame
from geo.read.access import Reader
from geo.read.comments import Target, Thread, threads
from geo.read.indicators import Indicator, from_frame

STALL_DAYS = 90
STALE_DAYS = 180


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class BoardRow:
    """One task on the board, with the flags its dates earn."""

    task: Task
    overdue: bool
    stalled: bool
    days_since: int | None  # days since its latest progress (None: never reported)
    threads: int = 0  # open threads on the task or on what it concerns (task_threads)

    @property
    def flagged(self) -> bool:
        """Whether the row needs a leader's attention."""
        return self.overdue or self.stalled

    def flags(self, lang: Lang) -> str:
        """The row's flags in words."""
        out = []
        if self.overdue:
            out.append(t("board.overdue", lang))
        if self.stalled:
            out.append(t("board.stalled", lang, n=fmt_number(self.days_since or 0, lang)))
        return "; ".join(out)


def board(tasks: Iterable[Task], today: dt.date, stall_days: int = STALL_DAYS) -> list[BoardRow]:
    """Every task in the notice's order, flagged overdue and stalled by the rules above."""
    rows = []
    for task in tasks:
        deadline, last = _day(task.deadline), _day(task.progress_date)
        done = task.status == "done"
        since = (today - last).days if last else None
        rows.append(
            BoardRow(
                task,
                overdue=bool(deadline and deadline < today and not done and task.status != "ongoing"),
                stalled=not done and (since is None or since > stall_days),
                days_since=since,
            )
        )
    return rows


def pace(period: str) -> float:
    """The share of a target (%) due by the end of ``period``: a quarter's share of its year, else 100."""
    m = re.search(r"(?:Quý|Q)\s*([IV]+|\d)", period, re.IGNORECASE)
    if not m:
        return 100.0
    q = m.group(1).upper()
    n = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(q) or int(q)
    return 25.0 * n


def below_target(ind: Indicator) -> bool:
    """Whether ``ind`` is behind, by the rule above."""
    if ind.pct is not None and ind.pct < pace(ind.period):
        return True
    return "thấp so với kế hoạch" in (ind.change_vi or "")


@dataclass(frozen=True)
class Alert:
    """One thing to look at, derived from the data: ``kind`` is ``task``, ``indicator``, ``layer`` or ``field``
    (changes from a field package held for a decision).
    """

    kind: str
    key: str
    text: str


def alerts(
    rows: Iterable[BoardRow],
    indicators: Iterable[Indicator],
    meta: Mapping[str, object],
    titles: Mapping[str, str],
    today: dt.date,
    lang: Lang,
    stale_days: int = STALE_DAYS,
) -> list[Alert]:
    """What matters first: overdue tasks, then stalled ones (reported once, silent since), indicators below
    target, stale layers last (``meta``: layer id → its provenance, with an ``as_of``; ``titles``: layer id →
    title in ``lang`` of the layers planners keep up to date). See :func:`folded` for one line of stale layers.
    """
    rows = list(rows)
    out = [
        Alert(
            "task",
            r.task.id,
            t("alert.task", lang, id=r.task.id, short=term(r.task.short, lang), day=_fmt(r.task.deadline, lang))
            + (f" — {t('alert.threads', lang, n=fmt_number(r.threads, lang))}" if r.threads else ""),
        )
        for r in rows
        if r.overdue
    ]
    out += [
        Alert(
            "stalled",
            r.task.id,
            t(
                "alert.stalled",
                lang,
                id=r.task.id,
                short=term(r.task.short, lang),
                n=fmt_number(r.days_since or 0, lang),
            ),
        )
        for r in rows
        if r.stalled and not r.overdue and r.days_since is not None
    ]
    for ind in indicators:
        if below_target(ind):
            said = fmt_pct(ind.pct, lang) if ind.pct is not None else (ind.change_vi if lang == "vi" else ind.change_en)
            out.append(Alert("indicator", ind.id, t("alert.indicator", lang, name=ind.name(lang), said=said or "–")))
    stale = []
    for lid, m in meta.items():
        day = _day(str(getattr(m, "as_of", "") or ""))
        if lid in titles and day and (today - day).days > stale_days:
            stale.append((day, lid))
    for day, lid in sorted(stale):
        out.append(Alert("layer", lid, t("alert.layer", lang, title=titles[lid], day=fmt_date(day, lang))))
    return out


def folded(found: list[Alert], lang: Lang, stale_days: int = STALE_DAYS) -> tuple[list[Alert], Alert | None]:
    """The alerts as a leader reads them: tasks and indicators one by one (overdue and stalled tasks first),
    and the layers not kept up to date folded into one line with their count (``None``: there are none).
    """
    stale = [a for a in found if a.kind == "layer"]
    line = Alert("layers", "", t("alert.layers_one", lang, n=len(stale), days=stale_days)) if stale else None
    return [a for a in found if a.kind != "layer"], line


def _fmt(day: str, lang: Lang) -> str:
    d = _day(day)
    return fmt_date(d, lang) if d else "–"


def concerns(task: Task, on: Target) -> bool:
    """Whether a thread about ``on`` belongs under ``task``: a thread on the task itself, or on what the task
    concerns (its links: a feature of a layer it names, a feature it names, an indicator it names).
    """
    if on.kind == "task":
        return on.key == task.id
    for link in task.links:
        if on.kind == "indicator" and link.kind == "indicator" and link.target == on.key:
            return True
        if on.kind == "feature" and link.target == on.layer and (link.kind == "layer" or link.key == on.key):
            return True
    return False


def task_threads(found: Iterable[Thread], tasks: Iterable[Task]) -> dict[str, list[Thread]]:
    """The open threads of ``found`` under each task they concern (a task's id → its threads, oldest activity
    first): a question to a commune on a dispute stands under the task about disputes, where the leader reads
    the board. A thread on something several tasks concern stands under each of them.
    """
    tasks = list(tasks)
    out: dict[str, list[Thread]] = {}
    for th in sorted(found, key=lambda th: th.last_at):
        if th.resolved:
            continue
        for task in tasks:
            if concerns(task, th.target):
                out.setdefault(task.id, []).append(th)
    return out


def store_board(reader: Reader, today: dt.date, stall_days: int = STALL_DAYS) -> list[BoardRow]:
    """The board of the tasks as ``reader`` reads them (the day, the units and the role are the reader's), each
    with the number of open threads under it then (on the task, or on what it concerns: :func:`task_threads`;
    a thread on a layer with sensitive fields only for a reader who sees them).
    """
    if not reader.has("tasks"):
        return []
    rows = board(tasks_from_frame(reader.read("tasks")), today, stall_days)
    under = task_threads(threads(reader, open_only=True), [r.task for r in rows])
    return [replace(r, threads=len(under.get(r.task.id, []))) for r in rows]


def store_alerts(reader: Reader, today: dt.date, lang: Lang, stale_days: int = STALE_DAYS) -> list[Alert]:
    """The alerts on ``today`` of what ``reader`` reads: its tasks, indicators and the layers' dates as of the
    day it reads; and, read as of now, the changes from the field that wait for a planner's decision.
    """
    catalog = reader.catalog
    kept = {lid: catalog[lid].title(lang) for lid in catalog if catalog[lid].editable and reader.has(lid)}
    inds = from_frame(reader.read("indicators")) if reader.has("indicators") else []
    out = alerts(store_board(reader, today), inds, reader.meta(), kept, today, lang, stale_days)
    if reader.as_of is None:
        from geo.field.packages import held_count

        held = held_count(reader.location)
        if held:
            out.append(Alert("field", "conflicts", t("alert.field_conflicts", lang, n=held)))
    return out
