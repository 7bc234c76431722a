"""One style source: feature colours and legends, read from the catalog.

The web map, its legend and every export call :func:`feature_color` and
:func:`legend`, so a colour can never differ between them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from geo.model.catalog import LayerSpec
from geo.model.i18n import Lang

SwatchKind = Literal["polygon", "line", "point"]


def feature_color(spec: LayerSpec, value: object, field_name: str | None = None) -> str:
    """The colour of a feature whose coded field ``field_name`` (default: the
    status field) holds ``value``; the layer's fill or stroke colour otherwise.
    """
    if isinstance(value, str):
        s = spec.status(value, field_name)
        if s is not None:
            return s.color
    return spec.paint.fill or spec.paint.color


def feature_marks(spec: LayerSpec, value: object, field_name: str | None = None) -> tuple[str | None, bool]:
    """The second channel of a feature's class beside its colour: its line dash pattern and whether its
    fill is hatched (see :class:`geo.model.catalog.Status`).
    """
    if isinstance(value, str):
        s = spec.status(value, field_name)
        if s is not None:
            return s.dash, s.hatch
    return None, False


def swatch_background(color: str, kind: SwatchKind, dash: str | None = None, hatch: bool = False) -> str:
    """A legend swatch's CSS background: the class's colour, with its dash pattern (a line) or its hatching
    (a polygon), so the legend shows what the map draws. The same value on the page and in the map.
    """
    if kind == "line" and dash:
        stops, at, on = [], 0.0, True
        for part in dash.split():
            end = at + float(part)
            stops.append(f"{color if on else 'transparent'} {at:g}px {end:g}px")
            at, on = end, not on
        return f"repeating-linear-gradient(90deg, {', '.join(stops)})"
    if hatch:
        return f"repeating-linear-gradient(45deg, {color} 0 2.5px, #ffffff 2.5px 5px)"
    return color


def swatch_kind(spec: LayerSpec) -> SwatchKind:
    """How the layer's legend swatch is drawn."""
    return {"Polygon": "polygon", "LineString": "line", "Point": "point"}.get(spec.geometry or "", "polygon")  # type: ignore[return-value]


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a label, its colour and how many features carry it."""

    label: str
    color: str
    count: int | str  # how many; in a comparison of two dates, "12 → 32"
    dash: str | None = None  # the class's line dash pattern (SVG dasharray)
    hatch: bool = False  # the class's fill hatched


@dataclass(frozen=True)
class LegendBlock:
    """The legend of one visible layer."""

    layer_id: str
    title: str
    kind: SwatchKind
    stroke: str
    items: tuple[LegendItem, ...]


def legend(spec: LayerSpec, frame: pd.DataFrame, lang: Lang, field_name: str | None = None) -> LegendBlock:
    """The legend of ``spec`` for the features in ``frame``.

    Only the status classes present in ``frame`` are listed, in catalog order;
    a value the catalog does not know is listed last under its own text.
    A layer without status colours has one row: the layer itself.
    """
    kind = swatch_kind(spec)
    name = field_name or spec.status_field
    codes = spec.codes(name)
    if name is None or not codes or name not in frame.columns:
        item = LegendItem(spec.title(lang), feature_color(spec, None), len(frame))
        return LegendBlock(spec.id, spec.title(lang), kind, spec.paint.color, (item,))
    counts = Counter({k: int(n) for k, n in frame[name].value_counts().items() if isinstance(k, str)})
    items = [
        LegendItem(s.label(lang), s.color, counts.pop(s.value), s.dash, s.hatch) for s in codes if s.value in counts
    ]
    items += [LegendItem(value, feature_color(spec, None), n) for value, n in sorted(counts.items())]
    return LegendBlock(spec.id, spec.title(lang), kind, spec.paint.color, tuple(items))


def legend_html(blocks: list[LegendBlock], heading: str) -> str:
    """The legend as HTML for a page beside the map; every label escaped."""
    from geo.model.safe import html_text

    parts = [f'<div class="dl-side-legend"><div class="dl-legend-head">{html_text(heading)}</div>']
    for b in blocks:
        parts.append(f'<div class="dl-legend-title">{html_text(b.title)}</div>')
        for i in b.items:
            border = "" if b.kind == "line" else f"border:1.5px solid {html_text(b.stroke)};"
            parts.append(
                f'<div class="dl-legend-row"><span class="dl-sw dl-sw-{b.kind}" '
                f'style="background:{html_text(swatch_background(i.color, b.kind, i.dash, i.hatch))};{border}">'
                f"</span><span>{html_text(i.label)}</span>"
                f'<span class="dl-legend-n">{i.count}</span></div>'
            )
    parts.append("</div>")
    return "".join(parts)
