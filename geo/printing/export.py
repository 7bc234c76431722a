"""Exports of what a user sees: print layouts (PNG, vector PDF), standalone HTML, data, the meeting pack.

Made on the server with matplotlib: no browser, no internet. Colours and legends
come from :mod:`geo.webmap.style` (the web map's source), so a print and the screen agree.
Every function takes the already filtered frames of the visible layers, so an
export shows exactly the features the web map shows for the same view.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry import box

from geo.model import crs as crs_
from geo.model.catalog import CATALOG, Catalog, LayerSpec
from geo.model.i18n import Lang, fmt_date, fmt_number, t, term
from geo.printing.printkit import (
    MM,
    PAPER_MM,
    Paper,
    Provenance,
    badge_text,
    draw_legend,
    figure_of,
    footer,
    legend_height,
    mpl_dash,
    pdf_pages,
    save,
    text_width,
    title_line,
)
from geo.printing.tables import DATA_FORMATS, TableRequest, data_bytes
from geo.webmap.mapview import Bounds, MapState, clean_geometries, feature_keys, label_point, legend_blocks, overlays
from geo.webmap.style import LegendBlock, feature_color, feature_marks

MAP_FORMATS = ("png", "pdf", "html")


@dataclass(frozen=True)
class MapRequest:
    """What to export: layers (drawing order is the catalog's), extent, title, paper and options."""

    layers: tuple[str, ...]
    title: str
    subtitle: str = ""
    bbox: Bounds | None = None  # WGS 84 (west, south, east, north); None = the features shown
    lang: Lang = "vi"
    paper: Paper = "A4"
    landscape: bool | None = True  # None: the orientation that suits the extent (see :func:`orientation`)
    dpi: int = 200
    crs: str = crs_.VN2000_LANGSON
    selected: tuple[str, str] | None = None
    color_by: tuple[tuple[str, str], ...] = ()
    fade: bool = False  # the selected feature's neighbours of its layer drawn faded (an atlas page)
    scale: int | None = None  # print at exactly 1:scale (in the VN-2000 plane); None: the extent fits the sheet
    center: tuple[float, float] | None = None  # (lon, lat) the sheet is centred on at a stated scale
    grid: bool = False  # a VN-2000 kilometre grid, its coordinates on the frame
    #: The records of the layers drawn: the store's catalog (built-in layers and its overlays).
    catalog: Catalog = field(default_factory=lambda: CATALOG, compare=False)

    def state(self) -> MapState:
        """The web map's state for the same view."""
        return MapState(self.layers, self.lang, "none", self.selected, self.color_by)


# -- what is in view ---------------------------------------------------------------------------------
def in_view(frames: dict[str, gpd.GeoDataFrame], bbox: Bounds | None) -> dict[str, gpd.GeoDataFrame]:
    """The features of each frame that touch ``bbox`` (all of them when ``bbox`` is None)."""
    out = {}
    for lid, gdf in frames.items():
        gdf = clean_geometries(gdf)
        out[lid] = gdf if bbox is None else gdf[gdf.intersects(box(*bbox))]
    return out


def _extent(frames: dict[str, gpd.GeoDataFrame], bbox: Bounds | None) -> Bounds:
    if bbox is not None:
        return bbox
    non_empty = [g for g in frames.values() if len(g)]
    if not non_empty:
        raise ValueError("nothing to show")
    w, s, e, n = pd.concat([g.geometry for g in non_empty]).total_bounds
    return (float(w), float(s), float(e), float(n))


# -- drawing -------------------------------------------------------------------------------------------


def _draw_layer(
    ax: Axes,
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    field_name: str | None,
    selected: str | None,
    scale: float,
    fade: bool = False,
    lang: Lang = "vi",
) -> None:
    p = spec.paint
    values = gdf[field_name or spec.status_field] if (field_name or spec.status_field) else [None] * len(gdf)
    colors = [feature_color(spec, v, field_name) for v in values]
    marks = [feature_marks(spec, v, field_name) for v in values]  # dash and hatching: as on the map
    themed = field_name is not None and field_name != spec.status_field
    keys = feature_keys(spec, gdf)
    sel = np.array([selected is not None and k == selected for k in keys], dtype=bool)
    lw = p.weight * 0.5 * scale
    if len(gdf) > 3000:  # tens of thousands of parcels: hairline edges, or the fill disappears under them
        lw = min(lw, 0.1 * scale)
    # One collection per layer, not an artist per feature: a 50,000-parcel layer draws in seconds.
    if spec.geometry == "Polygon":
        fill = max(p.fill_opacity, 0.7) if themed else p.fill_opacity
        paths = [_polygon_path(g) for g in gdf.geometry]
        dim = [0.3 if fade and not s_ else 1.0 for s_ in sel]  # neighbours of the feature an atlas page shows
        faces = [to_rgba("#ffffff" if m[1] else c, fill * d) for c, m, d in zip(colors, marks, dim, strict=True)]
        edges = [to_rgba("#00b8d9" if s_ else p.color, p.opacity * d) for s_, d in zip(sel, dim, strict=True)]
        widths = [lw + (1.5 * scale if s_ else 0) for s_ in sel]
        ax.add_collection(
            PathCollection(
                paths,
                facecolors=faces,
                edgecolors=edges,
                linewidths=widths,
                linestyles=mpl_dash(p.dash),
                zorder=spec.z,
            ),
            autolim=False,
        )
        hatched = [i for i, m in enumerate(marks) if m[1]]
        if hatched:  # a hatched class (disputed land): its colour in stripes over white
            ax.add_collection(
                PathCollection(
                    [paths[i] for i in hatched],
                    facecolors="none",
                    edgecolors=[colors[i] for i in hatched],
                    linewidths=0,
                    hatch="////",
                    zorder=spec.z + 0.05,
                ),
                autolim=False,
            )
    elif spec.geometry == "LineString":
        parts = [
            (np.asarray(line.coords)[:, :2], c, s_)
            for g, c, s_ in zip(gdf.geometry, colors, sel, strict=True)
            for line in getattr(g, "geoms", [g])
        ]
        part_dash = [m[0] for g, m in zip(gdf.geometry, marks, strict=True) for _ in getattr(g, "geoms", [g])]
        halo = [xy for xy, _, s_ in parts if s_]
        if halo:
            ax.add_collection(
                LineCollection(halo, colors="#00b8d9", linewidths=(p.weight + 5) * 0.5 * scale, zorder=spec.z),
                autolim=False,
            )
        if p.casing:  # the line's darker, wider casing under it, as on the web map
            ax.add_collection(
                LineCollection(
                    [xy for xy, _, _ in parts],
                    colors=[to_rgba(p.casing, p.opacity * (0.3 if fade and not s_ else 1.0)) for _, _, s_ in parts],
                    linewidths=lw + 1.5 * scale,
                    linestyles=mpl_dash(p.dash, p.weight),
                    capstyle="butt",
                    zorder=spec.z + 0.05,
                ),
                autolim=False,
            )
        ax.add_collection(
            LineCollection(
                [xy for xy, _, _ in parts],
                colors=[to_rgba(c, p.opacity * (0.3 if fade and not s_ else 1.0)) for _, c, s_ in parts],
                linewidths=lw,
                linestyles=[mpl_dash(d or p.dash, p.weight) for d in part_dash],
                capstyle="butt",
                zorder=spec.z + 0.1,
            ),
            autolim=False,
        )
    elif len(gdf):
        ax.scatter(
            gdf.geometry.x,
            gdf.geometry.y,
            s=(2 * p.radius * 0.55 * scale) ** 2,
            facecolor=[
                to_rgba(c, p.fill_opacity * (0.3 if fade and not s_ else 1.0))
                for c, s_ in zip(colors, sel, strict=True)
            ],
            edgecolor=["#00b8d9" if s_ else p.color for s_ in sel],
            linewidth=[(3 if s_ else 1) * 0.5 * scale for s_ in sel],
            zorder=spec.z + 1,
        )
    if spec.label_field and len(gdf):
        small = spec.geometry == "Point"
        for geom, text in zip(gdf.geometry, gdf[spec.label_field], strict=True):
            pt = geom if geom.geom_type == "Point" else label_point(geom)
            label = ax.annotate(
                term(str(text), lang),
                (pt.x, pt.y),
                xytext=(4, 0) if small else (0, 0),
                textcoords="offset points",
                ha="left" if small else "center",
                va="center",
                fontsize=(5.5 if small else 7.5) * scale,
                fontweight="bold",
                color="#7f1d1d" if small else "#1f2d3d",
                zorder=200,
                path_effects=_halo(),
                annotation_clip=True,
            )
            # What declutter() may do: a place name stays; a point's label may move round its point, or go.
            label._dl_rank = spec.z + (0 if small else 1000)  # type: ignore[attr-defined]
            label._dl_movable = small  # type: ignore[attr-defined]


def _polygon_path(geom: Any) -> MplPath:
    """A (multi)polygon as one matplotlib path, holes included."""
    rings = [r for poly in getattr(geom, "geoms", [geom]) for r in (poly.exterior, *poly.interiors)]
    return MplPath.make_compound_path(*(MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings))


def _halo() -> list[Any]:
    import matplotlib.patheffects as pe

    return [pe.withStroke(linewidth=2.2, foreground="white")]


def _nice_length(max_m: float) -> float:
    for v in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000):
        if v > max_m:
            break
        best = v
    return float(best)


def _scale_bar(ax: Axes, metres_per_unit: float, lang: Lang, scale: float) -> float:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length_m = _nice_length((x1 - x0) * metres_per_unit / 4)
    length = length_m / metres_per_unit
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    h = (y1 - y0) * 0.008
    ax.add_patch(
        Rectangle(
            (bx - (x1 - x0) * 0.01, by - h * 3),
            length + (x1 - x0) * 0.02,
            h * 9,
            facecolor="white",
            alpha=0.85,
            edgecolor="none",
            zorder=300,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                h,
                facecolor="#222" if i % 2 == 0 else "white",
                edgecolor="#222",
                linewidth=0.5,
                zorder=301,
            )
        )
    unit, div = ("km", 1000.0) if length_m >= 1000 else ("m", 1.0)
    for frac in (0, 0.5, 1):
        ax.text(
            bx + frac * length,
            by + h * 1.6,
            fmt_number(length_m * frac / div, lang),
            ha="center",
            va="bottom",
            fontsize=6 * scale,
            zorder=302,
        )
    ax.text(bx + length + (x1 - x0) * 0.008, by, unit, ha="left", va="bottom", fontsize=6 * scale, zorder=302)
    return length_m


GRID_COLOUR = "#b0413e"  # the kilometre grid: a colour no layer uses (a test finds its lines by it)
STANDARD_SCALES = (5_000, 10_000, 25_000, 50_000, 100_000)


def _km_grid(ax: Axes, scale: float) -> None:
    """A VN-2000 kilometre grid over the map, its coordinates (km) on all four sides of the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = max(x1 - x0, y1 - y0)
    step = next((k * 1000.0 for k in (1, 2, 5, 10, 20) if span / (k * 1000) <= 12), 50_000.0)
    xs = np.arange(math.ceil(x0 / step) * step, x1, step)
    ys = np.arange(math.ceil(y0 / step) * step, y1, step)
    ax.vlines(xs, y0, y1, colors=GRID_COLOUR, linewidth=0.45, zorder=250, alpha=0.9)
    ax.hlines(ys, x0, x1, colors=GRID_COLOUR, linewidth=0.45, zorder=250, alpha=0.9)
    ax.set_xticks(xs, [f"{v / 1000:.0f}" for v in xs])
    ax.set_yticks(ys, [f"{v / 1000:.0f}" for v in ys], rotation=90, va="center")
    ax.tick_params(
        axis="both",
        which="both",
        length=3,
        labelsize=5.5 * scale,
        colors="#1f2d3d",
        top=True,
        right=True,
        labeltop=True,
        labelright=True,
        pad=1.5,
    )


def scale_text(scale: int, lang: Lang) -> str:
    """The representative fraction as printed: ``Tỉ lệ 1:50.000`` / ``Scale 1:50,000``."""
    return t("export.scale_rf", lang, n=fmt_number(scale, lang))


def sheet_window(
    req: MapRequest, frames: dict[str, gpd.GeoDataFrame], size_mm: tuple[float, float]
) -> tuple[float, float, float, float]:
    """The map coordinates (VN-2000 metres) a map area of ``size_mm`` (width, height on paper) shows at
    ``req.scale``: centred on ``req.center``, else on the middle of ``req.bbox`` or of the features.
    """
    assert req.scale
    tr = crs_.transformer(crs_.WGS84, req.crs)
    if req.center is not None:
        cx, cy = tr.transform(*req.center)
    else:
        x0, y0, x1, y1 = _extent_xy(req, frames)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = size_mm[0] * req.scale / 2000, size_mm[1] * req.scale / 2000  # mm on paper → m on ground
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _extent_xy(req: MapRequest, frames: dict[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """What is to be printed (``req.bbox``, else the features shown), in the map's metres."""
    view = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    w, s, e, n = _extent(view, req.bbox)
    tr = crs_.transformer(crs_.WGS84, req.crs)
    xs, ys = tr.transform([w, e, w, e], [s, s, n, n])
    return (min(xs), min(ys), max(xs), max(ys))


def sheets_needed(req: MapRequest, frames: dict[str, gpd.GeoDataFrame]) -> tuple[int, int]:
    """How many sheets (across, down) the extent of ``req`` needs at ``req.scale`` on its paper; (1, 1) when it
    fits one (or when the request names its centre: the sheet shows what lies around it).
    """
    if not req.scale or req.center is not None:
        return (1, 1)
    x0, y0, x1, y1 = _extent_xy(req, frames)
    w_mm, h_mm = map_area_mm(req, frames)
    cols = math.ceil((x1 - x0) / (w_mm * req.scale / 1000) - 1e-9)
    rows = math.ceil((y1 - y0) / (h_mm * req.scale / 1000) - 1e-9)
    return (max(cols, 1), max(rows, 1))


def tiles(req: MapRequest, frames: dict[str, gpd.GeoDataFrame]) -> list[tuple[float, float]]:
    """The centres (lon, lat) of the sheets that cover the extent of ``req`` at its scale, row by row from
    the north-west: an atlas of the extent at a stated scale.
    """
    cols, rows = sheets_needed(req, frames)
    x0, y0, x1, y1 = _extent_xy(req, frames)
    w_mm, h_mm = map_area_mm(req, frames)
    step_x, step_y = w_mm * req.scale / 1000, h_mm * req.scale / 1000  # type: ignore[operator]
    cx0 = (x0 + x1) / 2 - (cols - 1) * step_x / 2
    cy0 = (y0 + y1) / 2 + (rows - 1) * step_y / 2
    back = crs_.transformer(req.crs, crs_.WGS84)
    out = []
    for r in range(rows):
        for c in range(cols):
            lon, lat = back.transform(cx0 + c * step_x, cy0 - r * step_y)
            out.append((float(lon), float(lat)))
    return out


def _north_arrow(ax: Axes, lang: Lang, scale: float) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.16
    ax.add_patch(
        FancyArrow(
            x,
            y,
            0,
            (y1 - y0) * 0.07,
            width=(x1 - x0) * 0.006,
            head_width=(x1 - x0) * 0.025,
            head_length=(y1 - y0) * 0.03,
            color="#1f2d3d",
            zorder=300,
            length_includes_head=True,
        )
    )
    ax.text(
        x,
        y + (y1 - y0) * 0.085,
        "B" if lang == "vi" else "N",
        ha="center",
        va="bottom",
        fontsize=9 * scale,
        fontweight="bold",
        zorder=300,
    )


def _fit(ax: Axes, bounds_xy: tuple[float, float, float, float], aspect: float) -> None:
    """Show ``bounds_xy`` whole, widening the short side to the axes' shape (``aspect`` = y units per x unit)."""
    w, s, e, n = bounds_xy
    pad_x, pad_y = (e - w) * 0.04 or 500, (n - s) * 0.04 or 500
    w, e, s, n = w - pad_x, e + pad_x, s - pad_y, n + pad_y
    bbox = ax.get_position()
    fig_w, fig_h = figure_of(ax).get_size_inches()
    box_ratio = (bbox.height * fig_h) / (bbox.width * fig_w)
    data_ratio = (n - s) / ((e - w) * aspect)
    if data_ratio > box_ratio:  # too tall: widen
        extra = ((n - s) / (box_ratio * aspect) - (e - w)) / 2
        w, e = w - extra, e + extra
    else:
        extra = ((e - w) * aspect * box_ratio - (n - s)) / 2
        s, n = s - extra, n + extra
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(aspect)


def draw_map(
    ax: Axes,
    req: MapRequest,
    frames: dict[str, gpd.GeoDataFrame],
    scale: float = 1.0,
    window: tuple[float, float, float, float] | None = None,
) -> dict[str, list[str]]:
    """Draw the visible layers of ``req`` into ``ax``; return the feature keys drawn, per layer.

    ``window``: exactly these map coordinates (x0, y0, x1, y1 in ``req.crs``), as at a stated scale; else
    the extent of ``req.bbox`` or of the features, widened to the axes' shape.
    """
    view = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    w, s, e, n = _extent(view, req.bbox)
    metric = req.crs != crs_.WGS84
    tr = crs_.transformer(crs_.WGS84, req.crs) if metric else None
    drawn: dict[str, list[str]] = {}
    ax.set_facecolor("#dfe7ec")
    for lid in sorted(view, key=lambda i: req.catalog[i].z):
        spec = req.catalog[lid]
        gdf = view[lid].to_crs(req.crs) if metric else view[lid]
        sel = req.selected[1] if req.selected and req.selected[0] == lid else None
        _draw_layer(ax, spec, gdf, dict(req.color_by).get(lid), sel, scale, req.fade and sel is not None, req.lang)
        drawn[lid] = feature_keys(spec, view[lid])
    if metric and tr is not None:
        xs, ys = tr.transform([w, e, w, e], [s, s, n, n])
        bounds_xy = (min(xs), min(ys), max(xs), max(ys))
        aspect, m_per_unit = 1.0, 1.0
    else:
        lat = math.radians((s + n) / 2)
        bounds_xy, aspect, m_per_unit = (w, s, e, n), 1 / math.cos(lat), 111_320 * math.cos(lat)
    if window is not None:
        ax.set_xlim(window[0], window[2])
        ax.set_ylim(window[1], window[3])
        ax.set_aspect(aspect)
    else:
        _fit(ax, bounds_xy, aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_color("#1f2d3d")
        sp.set_linewidth(0.8)
    if req.grid and metric:
        _km_grid(ax, scale)
    _scale_bar(ax, m_per_unit, req.lang, scale)
    _north_arrow(ax, req.lang, scale)
    declutter(ax)
    return drawn


def legend_of(req: MapRequest, frames: Mapping[str, gpd.GeoDataFrame]) -> list[LegendBlock]:
    """The legend's blocks for the map of ``req``: the classes in its view, with their counts (none empty)."""
    shown = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    return [b for b in legend_blocks(shown, req.state(), req.catalog) if any(i.count for i in b.items)]


def map_panel(
    fig: Figure,
    req: MapRequest,
    frames: Mapping[str, gpd.GeoDataFrame],
    map_rect: tuple[float, float, float, float],
    legend_rect: tuple[float, float, float, float],
    scale: float = 0.8,
    legend_scale: float = 0.7,
) -> dict[str, list[str]]:
    """A page's map and, beside it, what its colours mean (the classes in view, with their counts): the panel
    of a pack's theme page and of every atlas page. Returns the feature keys drawn, per layer.
    """
    drawn = draw_map(fig.add_axes(map_rect), req, dict(frames), scale=scale)
    draw_legend(fig.add_axes(legend_rect), legend_of(req, frames), req.lang, legend_scale)
    return drawn


# A point label's other places, tried in turn when it collides: left, above, below, then dropped.
_SPOTS = (((-4, 0), "right", "center"), ((0, 5), "center", "bottom"), ((0, -5), "center", "top"))


def declutter(ax: Axes) -> list[str]:
    """No two map labels overlap: place names first (larger features first), then point labels, each moved
    round its point if it collides, else dropped. Returns the texts dropped.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figure_of(ax)
    if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure (the pack's): measure with Agg
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    labels: list[Any] = [a for a in ax.texts if hasattr(a, "_dl_rank") and a.get_visible()]
    labels.sort(key=lambda a: -a._dl_rank)
    kept: list[Any] = []
    dropped: list[str] = []

    def clear(a: Any) -> bool:
        box = a.get_window_extent(renderer).padded(1.5)
        return not any(box.overlaps(k) for k in kept)

    for a in labels:
        if not clear(a) and getattr(a, "_dl_movable", False):
            for offset, ha, va in _SPOTS:
                a.xyann = offset
                a.set_horizontalalignment(ha)
                a.set_verticalalignment(va)
                if clear(a):
                    break
        if clear(a):
            kept.append(a.get_window_extent(renderer).padded(1.5))
        else:
            a.set_visible(False)
            dropped.append(a.get_text())
    return dropped


def orientation(req: MapRequest, frames: dict[str, gpd.GeoDataFrame]) -> bool:
    """Whether the map of ``req`` suits a landscape sheet: its extent (in metres, as printed) is wider than
    the portrait sheet's map area is (after the legend under it), i.e. wider than it is tall by 10%.
    """
    if req.landscape is not None:
        return req.landscape
    view = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    w, s, e, n = _extent(view, req.bbox)
    lat = math.radians((s + n) / 2)
    return (e - w) * math.cos(lat) > (n - s) * 1.1


def _sheet(
    req: MapRequest, frames: dict[str, gpd.GeoDataFrame]
) -> tuple[bool, float, float, tuple[float, float, float, float], tuple[float, float, float, float], list[LegendBlock]]:
    """The sheet of ``req``: landscape or not, its size (mm), the map's and the legend's rectangles (figure
    fractions) and the legend's blocks.
    """
    landscape = orientation(req, frames)
    w_mm, h_mm = PAPER_MM[req.paper]
    if landscape:
        w_mm, h_mm = h_mm, w_mm
    scale = 1.0 if req.paper == "A4" else 1.3
    mx, my = 10 / w_mm, 10 / h_mm
    title_h, footer_h = 20 / h_mm, 14 / h_mm
    map_top = 1 - my - title_h
    map_bottom = my + footer_h
    visible = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    blocks = [b for b in legend_blocks(visible, req.state(), req.catalog) if any(i.count for i in b.items)]
    if landscape:
        legend_w = 62 / w_mm
        map_rect = (mx, map_bottom, 1 - 2 * mx - legend_w - 4 / w_mm, map_top - map_bottom)
        legend_rect = (1 - mx - legend_w, map_bottom, legend_w, map_top - map_bottom)
    else:  # the legend under the map, as tall as its rows need (at most 40% of the sheet)
        need_pt = legend_height(blocks, req.lang, (w_mm - 20) / 25.4 * 72, scale) + 6
        legend_h = min(need_pt / 72 * 25.4, 0.4 * h_mm) / h_mm
        map_rect = (mx, map_bottom + legend_h + 4 / h_mm, 1 - 2 * mx, map_top - map_bottom - legend_h - 4 / h_mm)
        legend_rect = (mx, map_bottom, 1 - 2 * mx, legend_h)
    if req.grid:  # room for the grid's coordinates outside the frame
        gx, gy = 4 / w_mm, 4 / h_mm
        map_rect = (map_rect[0] + gx, map_rect[1] + gy, map_rect[2] - 2 * gx, map_rect[3] - 2 * gy)
    return landscape, w_mm, h_mm, map_rect, legend_rect, blocks


def map_area_mm(req: MapRequest, frames: dict[str, gpd.GeoDataFrame]) -> tuple[float, float]:
    """The width and height (mm on paper) of the map on the sheet of ``req``."""
    _, w_mm, h_mm, rect, _, _ = _sheet(_metric(req), frames)
    return rect[2] * w_mm, rect[3] * h_mm


def _metric(req: MapRequest) -> MapRequest:
    """At a stated scale the map is drawn in the VN-2000 plane, whatever reference the request names."""
    return replace(req, crs=crs_.VN2000_LANGSON) if req.scale and req.crs == crs_.WGS84 else req


def layout(
    req: MapRequest, frames: dict[str, gpd.GeoDataFrame], prov: Provenance
) -> tuple[Figure, dict[str, list[str]]]:
    """The print layout: title, map with scale bar and north arrow, legend, footer.

    The sheet's orientation suits the extent unless the request says; in portrait the legend under the
    map is as tall as its content (in columns), and the map takes the rest of the page. At a stated scale
    (``req.scale``) the map shows exactly what that scale puts on the sheet, in the VN-2000 plane, and the
    representative fraction is printed under the title.
    """
    req = _metric(req)
    landscape, w_mm, h_mm, map_rect, legend_rect, blocks = _sheet(req, frames)
    req = replace(req, landscape=landscape)
    window = None
    if req.scale:
        window = sheet_window(req, frames, (map_rect[2] * w_mm, map_rect[3] * h_mm))
        back = crs_.transformer(req.crs, crs_.WGS84)
        lons, lats = back.transform(
            [window[0], window[2], window[0], window[2]], [window[1], window[1], window[3], window[3]]
        )
        req = replace(req, bbox=(min(lons), min(lats), max(lons), max(lats)))  # what lies on the sheet
        visible = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
        blocks = [b for b in legend_blocks(visible, req.state(), req.catalog) if any(i.count for i in b.items)]
    fig = plt.figure(figsize=(w_mm * MM, h_mm * MM))
    scale = 1.0 if req.paper == "A4" else 1.3
    mx, my = 10 / w_mm, 10 / h_mm
    footer_h = 14 / h_mm
    visible = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    share = prov.share(req.layers, visible)
    full = (w_mm - 20) / 25.4 * 72
    badge = text_width(badge_text(req.lang, share), 10, True) + 12 if share.any else 0.0
    room = max(full - badge, full / 2)  # a long English badge still leaves the title half the line
    fig.text(mx, 1 - my, title_line(req.title, room, 16 * scale), fontsize=16 * scale, fontweight="bold", va="top")
    sub = req.subtitle
    if req.scale:
        sub = " · ".join(x for x in (scale_text(req.scale, req.lang), sub) if x)
    if sub:
        fig.text(mx, 1 - my - 9 / h_mm, sub, fontsize=9.5 * scale, va="top", color="#333")
    ax = fig.add_axes(map_rect)
    drawn = draw_map(ax, req, frames, scale, window)
    if req.scale:  # the fraction in the map's corner too, where a cut-out sheet keeps it
        ax.text(
            0.99,
            0.01,
            scale_text(req.scale, req.lang),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7 * scale,
            fontweight="bold",
            zorder=305,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
        )
    draw_legend(fig.add_axes(legend_rect), blocks, req.lang, scale)
    footer(fig, req, prov, (mx, my, 1 - 2 * mx, footer_h), share=share)
    return fig, drawn


def compare_layout(
    req: MapRequest,
    frames_a: dict[str, gpd.GeoDataFrame],
    frames_b: dict[str, gpd.GeoDataFrame],
    prov: Provenance,
    day_a: dt.date,
    day_b: dt.date,
    changes: list[str] | None = None,
) -> Figure:
    """Two dates side by side on one sheet (landscape): the same extent and layers at ``day_a`` and ``day_b``,
    one legend for both (each class counted at each date), what changed in words, the footer.
    """
    w_mm, h_mm = PAPER_MM[req.paper]
    w_mm, h_mm = max(w_mm, h_mm), min(w_mm, h_mm)
    fig = plt.figure(figsize=(w_mm * MM, h_mm * MM))
    scale = 1.0 if req.paper == "A4" else 1.3
    mx, my = 10 / w_mm, 10 / h_mm
    room = max((w_mm - 20) / 25.4 * 72 - text_width(badge_text(req.lang), 10, True) - 12, (w_mm - 20) / 25.4 * 36)
    fig.text(mx, 1 - my, title_line(req.title, room, 15 * scale), fontsize=15 * scale, fontweight="bold", va="top")
    if req.subtitle:
        fig.text(mx, 1 - my - 8 / h_mm, req.subtitle, fontsize=9 * scale, va="top", color="#333")
    legend_w, gap = 58 / w_mm, 4 / w_mm
    changes = changes or []
    changes_h = (6 + 4 * min(len(changes), 6)) / h_mm if changes else 0
    top, bottom = 1 - my - 22 / h_mm, my + 14 / h_mm + changes_h
    map_w = (1 - 2 * mx - legend_w - 2 * gap) / 2
    extent = _extent(
        in_view({lid: frames_a[lid] for lid in req.layers if lid in frames_a}, req.bbox), req.bbox
    )  # one extent for both: the eye compares the same ground
    same = replace(req, bbox=req.bbox or extent)
    for i, (day, frames) in enumerate(sorted(((day_a, frames_a), (day_b, frames_b)), key=lambda x: x[0])):
        x0 = mx + i * (map_w + gap)
        ax = fig.add_axes((x0, bottom, map_w, top - bottom))
        draw_map(ax, same, frames, scale * 0.85)
        label = f"{t('export.at', req.lang)} {fmt_date(day, req.lang)}"
        fig.text(x0, top + 2 / h_mm, label, fontsize=10 * scale, fontweight="bold", va="bottom")
    blocks_a = legend_blocks(in_view(frames_a, same.bbox), same.state(), req.catalog)
    blocks_b = {b.title: b for b in legend_blocks(in_view(frames_b, same.bbox), same.state(), req.catalog)}
    merged = []
    for b in blocks_a:  # each class with its count at both dates: "12 → 32"
        other = {i.label: i.count for i in blocks_b.get(b.title, b).items}
        items = [replace(i, count=f"{i.count} → {other.get(i.label, 0)}") for i in b.items]
        items += [
            replace(i, count=f"0 → {i.count}")
            for i in blocks_b.get(b.title, b).items
            if i.label not in {x.label for x in b.items}
        ]
        merged.append(replace(b, items=tuple(items)))
    draw_legend(fig.add_axes((1 - mx - legend_w, bottom, legend_w, top - bottom)), merged, req.lang, scale)
    if changes:
        fig.text(mx, bottom - 3 / h_mm, "\n".join(f"• {c}" for c in changes[:6]), fontsize=7.5 * scale, va="top")
    footer(fig, req, replace(prov, at=None), (mx, my, 1 - 2 * mx, 12 / h_mm))
    return fig


def compare_image(
    req: MapRequest,
    frames_a: dict[str, gpd.GeoDataFrame],
    frames_b: dict[str, gpd.GeoDataFrame],
    prov: Provenance,
    days: tuple[dt.date, dt.date],
    changes: list[str] | None = None,
    fmt: str = "png",
) -> bytes:
    """Two dates on one sheet (:func:`compare_layout`) as PNG (at ``req.dpi``) or vector PDF."""
    return save(compare_layout(req, frames_a, frames_b, prov, days[0], days[1], changes), fmt, req.dpi)


class ScaleError(ValueError):
    """The extent asked for does not fit one sheet at the scale asked for: how many sheets it needs."""

    def __init__(self, cols: int, rows: int, req: MapRequest) -> None:
        self.cols, self.rows = cols, rows
        super().__init__(
            t(
                "export.sheets",
                req.lang,
                n=cols * rows,
                cols=cols,
                rows=rows,
                rf=f"1:{fmt_number(req.scale or 0, req.lang)}",
                paper=req.paper,
            )
        )


def map_image(
    req: MapRequest, frames: dict[str, gpd.GeoDataFrame], prov: Provenance, fmt: str = "png", tile: bool = False
) -> bytes:
    """The layout as PNG (at ``req.dpi``) or vector PDF. At a stated scale an extent that needs more than one
    sheet raises :class:`ScaleError` (saying how many), unless ``tile``: then a PDF of one page per sheet.
    """
    if req.scale and req.center is None:
        cols, rows = sheets_needed(req, frames)
        if cols * rows > 1:
            if not tile or fmt != "pdf":
                raise ScaleError(cols, rows, req)
            return _tiled(req, frames, prov)
    fig, _ = layout(req, frames, prov)
    return save(fig, fmt, req.dpi)


def _tiled(req: MapRequest, frames: dict[str, gpd.GeoDataFrame], prov: Provenance) -> bytes:
    """The extent of ``req`` at its scale as a PDF of sheets, row by row from the north-west."""
    centres = tiles(req, frames)
    buf = io.BytesIO()
    with pdf_pages(buf, req.title) as pdf:
        for k, centre in enumerate(centres):
            sheet = t("export.sheet_n", req.lang, n=k + 1, total=len(centres))
            page = replace(req, center=centre, subtitle=" · ".join(x for x in (sheet, req.subtitle) if x))
            fig, _ = layout(page, frames, prov)
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()


# -- standalone HTML -------------------------------------------------------------------------------------
HTML_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; worker-src blob:; "
    "font-src data:; connect-src 'none'; frame-src 'none'; child-src 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def map_html(req: MapRequest, frames: dict[str, gpd.GeoDataFrame], demo_layers: set[str]) -> str:
    """A standalone interactive map of the view: Leaflet inlined, no request leaves the file, its own CSP."""
    from branca.element import Element
    from branca.element import Figure as BrancaFigure

    from geo.webmap.mapview import InlinePublisher, base_map, inline_assets

    view = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
    m = base_map(_extent(view, req.bbox), asset_base="", static_base="", lang=req.lang)
    m.default_js, m.default_css = [], []  # inlined below instead
    root = m.get_root()
    assert isinstance(root, BrancaFigure)
    root.header.add_child(Element(inline_assets()), name="assets_inline")
    pub = InlinePublisher(blocks=True)  # a large layer's files as data blocks, decoded off the page's thread
    for fg in overlays(view, replace(req.state(), layers=tuple(view)), demo_layers, pub, catalog=req.catalog):
        fg.add_to(m)
    root.html.add_child(Element(pub.data_blocks()), name="data_blocks")
    html = m.get_root().render()
    title = f"<title>{_esc(req.title)}</title>"
    csp = f'<meta http-equiv="Content-Security-Policy" content="{HTML_CSP}">'
    lang = "en" if req.lang == "en" else "vi"
    html = html.replace("<html>", f'<html lang="{lang}">', 1)  # read aloud in its language
    # A reader may zoom the page (folium's viewport forbids it), and the file has a main region and a title.
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    html = re.sub(r'<meta name="viewport"[^>]*>', viewport, html)
    html = html.replace("<body>", f'<body><main style="height:100%"><h1 class="dl-sr">{_esc(req.title)}</h1>', 1)
    html = html.replace("</body>", "</main></body>", 1)
    return html.replace("<head>", "<head>" + csp + title, 1)


def _esc(text: str) -> str:
    from geo.model.safe import html_text

    return html_text(text)


def export_bytes(
    fmt: str,
    req: MapRequest,
    frames: dict[str, gpd.GeoDataFrame],
    prov: Provenance,
    demo_layers: set[str],
    table: TableRequest | None = None,
    tile: bool = False,
) -> bytes:
    """Any export by its file extension; data as ``table`` says (default: labels in the map's language);
    ``tile``: a map at a stated scale whose extent needs several sheets is printed on as many pages.
    """
    if fmt in ("png", "pdf"):
        return map_image(req, frames, prov, fmt, tile)
    if fmt == "html":
        return map_html(req, frames, demo_layers).encode("utf-8")
    if fmt in DATA_FORMATS:
        shown = in_view({lid: frames[lid] for lid in req.layers if lid in frames}, req.bbox)
        table = table or TableRequest(req.lang, meta=prov.meta, today=prov.today, at=prov.at)
        payload = data_bytes(shown, fmt, req.catalog, table)
        if fmt == "gpkg":  # opens in QGIS styled as the map (geo.field.qgis)
            from geo.field.qgis import style_export

            payload = style_export(payload, req.catalog, table.lang, table.codes)
        return payload
    raise ValueError(f"unknown export format {fmt!r}")


MIME = {
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    with os.fdopen(fd, "wb") as f:
        f.write(payload)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an export is an ordinary file
    os.replace(tmp, path)
