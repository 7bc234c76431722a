"""Saved views and the notice's tasks, as typed records read from the store.

A view is a page, its layers, an extent, filters and a selected feature: what
a link ``/?view=ID`` opens and what the presentation steps through. A task is
one section of the notice with its tracking and the features, layers and
indicators it concerns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.model.catalog import page_styles, style_color_by
from geo.model.i18n import Lang
from geo.webmap.mapview import Bounds


@dataclass(frozen=True)
class View:
    """A saved view."""

    id: str
    order: int
    title_vi: str
    title_en: str
    page: str
    layers: tuple[str, ...]
    bbox: Bounds
    selected: tuple[str, str] | None = None
    filters: dict[str, dict[str, Any]] = field(default_factory=dict)
    note_vi: str = ""
    note_en: str = ""
    task_id: str = ""
    as_of: str = ""  # the day the view shows (ISO); empty: today, whenever it is opened
    style: tuple[str, ...] = ()  # named styles (geo.model.catalog.STYLES) it shows; empty: its page's defaults

    def styles(self) -> tuple[str, ...]:
        """The named styles the view shows: its own, or its page's defaults."""
        return self.style or page_styles(self.page)

    def color_by(self) -> tuple[tuple[str, str], ...]:
        """``(layer, coded field)`` pairs the view's map is coloured by."""
        return style_color_by(self.styles())

    def title(self, lang: Lang) -> str:
        """The view's title in ``lang``."""
        return self.title_vi if lang == "vi" else self.title_en

    def note(self, lang: Lang) -> str:
        """The view's note in ``lang``."""
        return self.note_vi if lang == "vi" else self.note_en


def _split(text: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(p.strip() for p in str(text or "").split(sep) if p.strip())


def views_from_frame(df: pd.DataFrame) -> list[View]:
    """The views of a store's ``views`` table, in their order."""
    out = []
    for r in df.sort_values("order").to_dict("records"):
        r = {k: None if isinstance(v, float) and v != v else v for k, v in r.items()}  # NULL reads as NaN: empty
        sel = str(r.get("selected") or "")
        lid, _, key = sel.partition(":")
        out.append(
            View(
                id=str(r["view_id"]),
                order=int(r["order"]),
                title_vi=str(r["title_vi"]),
                title_en=str(r["title_en"]),
                page=str(r.get("page") or ""),
                layers=_split(r.get("layers", "")),
                bbox=(float(r["bbox_w"]), float(r["bbox_s"]), float(r["bbox_e"]), float(r["bbox_n"])),
                selected=(lid, key) if key else None,
                filters=json.loads(r.get("filters") or "{}"),
                note_vi=str(r.get("note_vi") or ""),
                note_en=str(r.get("note_en") or ""),
                task_id=str(r.get("task_id") or ""),
                as_of=str(r.get("as_of") or "")[:10],
                style=_split(r.get("style", "")),
            )
        )
    return out


@dataclass(frozen=True)
class Link:
    """What a task concerns: a whole layer, one feature, or an indicator."""

    kind: str  # "layer", "feature", "indicator"
    target: str  # layer id or indicator id
    key: str = ""  # feature key for kind "feature"


@dataclass(frozen=True)
class Task:
    """One task of the notice with its tracking."""

    id: str
    short: str
    text: str
    lead: str
    support: str
    deadline: str
    status: str
    progress: str
    progress_date: str
    links: tuple[Link, ...]


def parse_links(text: str) -> tuple[Link, ...]:
    """``layer:units;feature:units:06643;indicator:dong_thang_ntm`` → links."""
    out = []
    for part in _split(text):
        kind, _, rest = part.partition(":")
        if kind == "feature":
            target, _, key = rest.partition(":")
            out.append(Link(kind, target, key))
        else:
            out.append(Link(kind, rest))
    return tuple(out)


def tasks_from_frame(df: pd.DataFrame) -> list[Task]:
    """The tasks of a store's ``tasks`` table, in the notice's order (2.1 … 2.10, 3)."""

    def order(task_id: str) -> tuple[int, ...]:
        return tuple(int(p) for p in task_id.split("."))

    rows = sorted(df.to_dict("records"), key=lambda r: order(str(r["task_id"])))
    return [
        Task(
            str(r["task_id"]),
            str(r["short"]),
            str(r["text"]),
            str(r["lead"]),
            str(r.get("support") or ""),
            str(r.get("deadline") or ""),
            str(r["status"]),
            str(r.get("progress") or ""),
            str(r.get("progress_date") or ""),
            parse_links(str(r.get("links") or "")),
        )
        for r in rows
    ]


def slug(text: str) -> str:
    """An ASCII id for a view from its Vietnamese title: ``Đồng Thắng tháng 5`` → ``dong-thang-thang-5``."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60] or "khung-nhin"


def save_view(path: Any, view: View, user: str) -> str:
    """Store ``view`` (audited); returns its id. Refused if the id exists or a field is invalid."""
    from geo.store.edit import insert

    w, s, e, n = view.bbox
    return insert(
        path,
        "views",
        {
            "view_id": view.id,
            "order": view.order,
            "title_vi": view.title_vi,
            "title_en": view.title_en or view.title_vi,
            "page": view.page,
            "layers": ";".join(view.layers),
            "selected": f"{view.selected[0]}:{view.selected[1]}" if view.selected else "",
            "filters": json.dumps(view.filters, ensure_ascii=False),
            "note_vi": view.note_vi,
            "note_en": view.note_en,
            "task_id": view.task_id,
            "as_of": view.as_of or None,
            **({"style": ";".join(view.style)} if view.style else {}),  # a store of before styles has no column
            "bbox_w": w,
            "bbox_s": s,
            "bbox_e": e,
            "bbox_n": n,
        },
        user,
        reason="save view",
    )
