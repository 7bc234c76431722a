"""The print kit: what every printed page is made of, whatever prints it.

The paper (sizes, the layouts' font), the page frame of the pack and the atlas (title, footer line, page
number, demo badge), text measured and wrapped in points, text blocks and two-column records, the legend
(laid out in points, in columns), the footer of a map (dates, reference system, sources), a figure saved
as PNG or PDF, and what an output reads: the units in force on its day, their names, its layers' frames.

:mod:`geo.printing.export` (a map sheet, at a stated scale or fitted), :mod:`geo.printing.pack` (the meeting pack) and
:mod:`geo.printing.atlas` (a page per feature, per commune, or per sheet of an extent) are built on it; nothing here
draws a map.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo.model import crs as crs_
from geo.model.i18n import Lang, fmt_date, fmt_number, source_text, t
from geo.read import reform
from geo.store.reads import DemoShare, LayerMeta, shown_share, stored_share
from geo.webmap.style import LegendBlock

if TYPE_CHECKING:
    from geo.read.access import Reader
    from geo.store.reads import Store

CREATOR = "Bản đồ điều hành Đình Lập"  # the PDF's Creator, whatever made it


Paper = Literal["A4", "A3"]
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MM = 1 / 25.4  # inches per millimetre


plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",  # ships with matplotlib and covers Vietnamese
        "pdf.fonttype": 42,  # TrueType in the PDF: text stays text (searchable, copyable)
        "svg.fonttype": "none",
        "text.parse_math": False,  # attribute text is text: "$x$" in a name or title is not mathematics
    }
)


# -- paper and type --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Where the data come from, as the layout's footer says it."""

    meta: dict[str, LayerMeta] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    at: dt.date | None = None  # the past day the data are shown as of (None: as the store holds them now)

    def for_layers(self, layers: Iterable[str]) -> tuple[str | None, list[str], bool]:
        """Latest as-of date, distinct sources, and whether any layer is demo data."""
        ms = [self.meta[lid] for lid in layers if lid in self.meta]
        as_of = max((m.as_of for m in ms if m.as_of), default=None)
        sources = list(dict.fromkeys(m.source for m in ms))
        return as_of, sources, any(m.demo for m in ms)

    def share(self, layers: Iterable[str], frames: Mapping[str, pd.DataFrame] | None = None) -> DemoShare:
        """Demo features out of all: of ``frames`` (what is drawn) if given, else of the layers as stored."""
        layers = list(layers)
        if frames is not None:
            whole = {lid for lid, m in self.meta.items() if m.demo and not m.share.total}
            return shown_share(frames, layers, whole)
        return stored_share(self.meta, layers)


def mpl_dash(dash: str | None, weight: float = 1.0) -> Any:
    """An SVG dasharray (pixels, drawn at ``weight`` pixels wide) as matplotlib's dashes (in line widths)."""
    if not dash:
        return "solid"
    return (0, tuple(float(x) / weight for x in dash.split()))


def figure_of(ax: Axes) -> Figure:
    """The figure (the page) an axes is drawn on."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of ``text`` set at ``size`` in the layout's font."""
    from matplotlib.textpath import TextToPath

    # Matplotlib sets text unhinted at one size and scales it: the width at ``size`` is the same arithmetic.
    font = (tuple(matplotlib.rcParams["font.family"]), tuple(matplotlib.rcParams["font.sans-serif"]))
    return _width_at_scale(text, bold, font) * (size / TextToPath.FONT_SCALE)


@functools.lru_cache(maxsize=1 << 16)
def _width_at_scale(text: str, bold: bool, font: tuple[tuple[str, ...], tuple[str, ...]]) -> float:
    """``text``'s width at matplotlib's text-to-path scale (a page measures the same words again and again:
    every wrap measures each line as it grows). ``font``: the family settings it was measured under.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family=list(font[0]), size=TextToPath.FONT_SCALE, weight="bold" if bold else "normal")
    return float(_text_to_path().get_text_width_height_descent(text, prop, ismath=False)[0])


@functools.cache
def _text_to_path() -> Any:
    from matplotlib.textpath import TextToPath

    return TextToPath()


WRAP_SLACK = 1.0  # points: a line whose estimated width is this near the limit is measured whole


def wrap_pt(text: str, width_pt: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines that measure at most ``width_pt`` points at ``size`` in the layouts' font; a word
    longer than a line is cut. What every layout (map legend, pack, board, atlas) wraps with.
    """
    lines: list[str] = []
    line_w = 0.0  # the last line's width
    space = text_width(" ", size, bold)
    for word in str(text).split():
        if lines:
            # A line grows by a space and a word: their widths add up to within a hair (kerning across a
            # space), so only a line that ends near the limit is measured whole. Each word is measured once.
            grown = line_w + space + text_width(word, size, bold)
            if abs(grown - width_pt) < WRAP_SLACK:
                grown = text_width(lines[-1] + " " + word, size, bold)
            if grown <= width_pt:
                lines[-1] += " " + word
                line_w = grown
                continue
        while text_width(word, size, bold) > width_pt and len(word) > 1:  # longer than the line: cut it
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width_pt:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
        line_w = text_width(word, size, bold)
    return lines or [""]


LEGEND_MIN_COLUMN = 150.0  # points: a legend column narrower than this wraps every label


def _legend_rows(blocks: list[LegendBlock], lang: Lang, col_w: float, font: float) -> list[tuple[str, Any, float]]:
    """The legend as rows (kind, value, height in points) for a column ``col_w`` points wide."""
    line_h = font * 1.5
    rows: list[tuple[str, Any, float]] = []
    label_w = col_w - 22 - text_width("00.000", font * 0.95) - 4
    for b in blocks:
        for line in wrap_pt(b.title, col_w, font, bold=True):
            rows.append(("title", line, line_h))
        for item in b.items:
            lines = wrap_pt(item.label, label_w, font * 0.95)
            rows.append(("item", (b, item, lines), line_h * max(1, len(lines)) - font * 0.45 * (len(lines) - 1)))
        rows.append(("gap", None, line_h * 0.4))
    return rows


def _legend_layout(
    blocks: list[LegendBlock], lang: Lang, width_pt: float, height_pt: float | None, scale: float
) -> tuple[float, int, list[tuple[str, Any, float]], float]:
    """Font size, columns, rows and the height they need, for a legend ``width_pt`` wide: the largest font
    (7.5 pt × scale down to 5.5) at which the rows fit ``height_pt`` (``None``: any height) in as many
    columns as the width allows.
    """
    head = 10.0 * scale
    font = 7.5 * scale
    while True:
        cols = max(1, min(3, int((width_pt + 12) // (LEGEND_MIN_COLUMN * scale + 12))))
        col_w = (width_pt - 12 * (cols - 1)) / cols
        rows = _legend_rows(blocks, lang, col_w, font)
        total = sum(h for _, _, h in rows)
        per_col = _columns(rows, cols)
        need = head * 1.6 + max(sum(h for _, _, h in c) for c in per_col)
        if height_pt is None or need <= height_pt or font <= 5.5:
            return font, cols, rows, min(need, total + head * 1.6)
        font = max(5.5, font - 0.5)


def _columns(rows: list[tuple[str, Any, float]], cols: int) -> list[list[tuple[str, Any, float]]]:
    """``rows`` flowed into ``cols`` columns of about equal height, never starting a column with a gap."""
    total = sum(h for _, _, h in rows)
    target = total / cols
    out: list[list[tuple[str, Any, float]]] = [[]]
    used = 0.0
    for row in rows:
        if used + row[2] > target * 1.02 and len(out) < cols and out[-1]:
            carried: list[tuple[str, Any, float]] = []
            while out[-1] and out[-1][-1][0] == "title":  # a block's title goes with its first item
                carried.insert(0, out[-1].pop())
            out.append(carried)
            used = sum(h for _, _, h in carried)
            if row[0] == "gap":
                continue
        out[-1].append(row)
        used += row[2]
    return out


def legend_height(blocks: list[LegendBlock], lang: Lang, width_pt: float, scale: float = 1.0) -> float:
    """How tall (points) the legend of ``blocks`` is when laid out ``width_pt`` wide at its full size."""
    return _legend_layout(blocks, lang, width_pt, None, scale)[3]


def draw_legend(ax: Axes, blocks: list[LegendBlock], lang: Lang, scale: float = 1.0) -> None:
    """The legend of the layers drawn, only the classes present in view, with counts.

    Laid out in points, not in fractions of the panel: the type stays legible (7.5 pt, never under 5.5),
    labels are measured and wrapped to their column, and a wide panel takes two or three columns.
    """
    ax.axis("off")
    fig_w, fig_h = figure_of(ax).get_size_inches()
    pos = ax.get_position()
    width_pt, height_pt = pos.width * fig_w * 72, pos.height * fig_h * 72
    font, cols, rows, _ = _legend_layout(blocks, lang, width_pt, height_pt, scale)
    col_w = (width_pt - 12 * (cols - 1)) / cols

    def fx(pt: float) -> float:
        return pt / width_pt

    def fy(pt: float) -> float:
        return 1.0 - pt / height_pt

    head = 10.0 * scale
    ax.text(0, 1.0, t("map.legend", lang), fontsize=head, fontweight="bold", va="top", transform=ax.transAxes)
    for k, column in enumerate(_columns(rows, cols)):
        x0, y = k * (col_w + 12), head * 1.6
        for kind, value, h in column:
            if y + h > height_pt + 0.5:  # no room left at the smallest type: the rest is not printed
                break
            if kind == "title":
                ax.text(fx(x0), fy(y), value, fontsize=font, fontweight="bold", va="top", transform=ax.transAxes)
            elif kind == "item":
                b, item, lines = value
                cy = fy(y + font * 0.55)
                sw_w, sw_h = fx(16), font * 0.9 / height_pt
                if b.kind == "line":
                    ax.add_line(
                        Line2D(
                            [fx(x0), fx(x0) + sw_w],
                            [cy, cy],
                            color=item.color,
                            linewidth=2.5 * scale,
                            linestyle=mpl_dash(item.dash, 2.5),
                            transform=ax.transAxes,
                        )
                    )
                elif b.kind == "point":
                    ax.scatter(
                        [fx(x0 + 8)],
                        [cy],
                        s=(font * 0.9) ** 2,
                        facecolor=item.color,
                        edgecolor=b.stroke,
                        linewidth=0.8,
                        transform=ax.transAxes,
                        clip_on=False,
                    )
                else:
                    ax.add_patch(
                        Rectangle(
                            (fx(x0), cy - sw_h / 2),
                            sw_w,
                            sw_h,
                            facecolor="#ffffff" if item.hatch else item.color,
                            edgecolor=b.stroke,
                            linewidth=0.8,
                            transform=ax.transAxes,
                        )
                    )
                    if item.hatch:  # the class's hatching, as on the map
                        ax.add_patch(
                            Rectangle(
                                (fx(x0), cy - sw_h / 2),
                                sw_w,
                                sw_h,
                                facecolor="none",
                                edgecolor=item.color,
                                hatch="////",
                                linewidth=0,
                                transform=ax.transAxes,
                            )
                        )
                ax.text(
                    fx(x0 + 22),
                    fy(y),
                    "\n".join(lines),
                    fontsize=font * 0.95,
                    va="top",
                    linespacing=1.2,
                    transform=ax.transAxes,
                )
                ax.text(
                    fx(x0 + col_w),
                    fy(y),
                    item.count if isinstance(item.count, str) else fmt_number(item.count, lang),
                    fontsize=font * 0.95,
                    va="top",
                    ha="right",
                    color="#595959",
                    transform=ax.transAxes,
                )
            y += h


def footer(
    fig: Figure,
    req: Sheet,
    prov: Provenance,
    rect: tuple[float, float, float, float],
    badge: bool = True,
    share: DemoShare | None = None,
) -> None:
    """The layout's footer in ``rect``: the date, the data's date, the CRS and sources; the demo badge (``badge``)."""
    import textwrap

    lang = req.lang
    as_of, sources, _ = prov.for_layers(req.layers)
    share = share if share is not None else prov.share(req.layers)
    crs_label = crs_.CRS_LABELS.get(req.crs, {}).get(lang, req.crs)
    when = (
        f"{t('export.at', lang)}: {fmt_date(prov.at, lang)}"
        if prov.at
        else f"{t('layer.as_of', lang)}: {fmt_date(as_of, lang) if as_of else '–'}"
    )
    line1 = "   ·   ".join(
        [f"{t('export.date', lang)}: {fmt_date(prov.today, lang)}", when, f"{t('export.crs', lang)}: {crs_label}"]
    )
    x, y, w, h = rect
    chars = int(w * fig.get_size_inches()[0] * 72 / 3.1)  # ~3.1 pt per character at 5.5 pt
    source = textwrap.wrap(f"{t('layer.source', lang)}: " + "; ".join(source_text(s, lang) for s in sources), chars)
    if len(source) > 3:
        source = [*source[:2], textwrap.shorten(source[2] + " " + source[3], chars, placeholder=" …")]
    fig.text(x, y + h - 0.002, line1, fontsize=6.5, va="top")
    fig.text(x, y + h - 0.022, "\n".join(source), fontsize=5.5, va="top", color="#555", linespacing=1.25)
    if share.any and badge:  # (a page that has its own badge says badge=False)
        demo_badge(fig, x + w, 0.985, lang, 10, share)


def badge_text(lang: Lang, share: DemoShare | None = None) -> str:
    """What the demo badge says: "Dữ liệu minh họa", or the demo share of the features beside real ones."""
    if share is not None and share.partial:
        return share.label("vi") + ("" if lang == "vi" else f" — {share.label('en')}")
    return t("demo.badge", "vi") + ("" if lang == "vi" else " (demo data)")


def title_line(text: str, width_pt: float, size: float) -> str:
    """``text`` as one bold line at most ``width_pt`` points wide, cut with "…" where it is longer: a title
    pasted whole never runs off the sheet or under the demo badge.
    """
    lines = wrap_pt(" ".join(str(text).split()), width_pt, size, bold=True)
    if len(lines) == 1:
        return lines[0]
    line = lines[0]
    while line and text_width(line + " …", size, bold=True) > width_pt:
        line = line[:-1]
    return line.rstrip() + " …"


def demo_badge(fig: Figure, x: float, y: float, lang: Lang, size: float = 9, share: DemoShare | None = None) -> None:
    """The "Dữ liệu minh họa" badge, top-right anchored at (x, y) in figure fractions; beside real features it
    says how many are demo ("một phần (n/m đối tượng)").
    """
    fig.text(
        x,
        y,
        badge_text(lang, share),
        fontsize=size,
        fontweight="bold",
        color="#a0410d",
        ha="right",
        va="top",
        bbox={"facecolor": "#fff3cd", "edgecolor": "#e0b44c", "boxstyle": "round,pad=0.35"},
    )


def save(fig: Figure, fmt: str, dpi: int) -> bytes:
    """A page as PNG (at ``dpi``) or vector PDF bytes; the figure is closed."""
    buf = io.BytesIO()
    metadata = {"Creator": CREATOR} if fmt == "pdf" else None
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    plt.close(fig)
    return buf.getvalue()


class Sheet(Protocol):
    """What a footer needs to know of the map it sits under (a :class:`geo.printing.export.MapRequest`)."""

    @property
    def lang(self) -> Lang:
        """The language the footer is written in."""
        ...

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers drawn, whose dates and sources the footer gives."""
        ...

    @property
    def crs(self) -> str:
        """The map's reference system."""
        ...


# -- the page frame --------------------------------------------------------------------------------------
def page_figure(
    title: str, lang: Lang, page: int, total: int, prov: Provenance, demo: DemoShare, footer_title: str | None = None
) -> Figure:
    """A landscape A4 page of the pack or an atlas: its title, footer line, page number and (demo data) badge."""
    w, h = PAPER_MM["A4"][1], PAPER_MM["A4"][0]  # landscape
    fig = Figure(figsize=(w * MM, h * MM))
    fig.text(10 / w, 1 - 10 / h, title, fontsize=15, fontweight="bold", va="top")
    foot = f"{footer_title or t('pack.title', lang)} · {t('export.date', lang)}: {fmt_date(prov.today, lang)}"
    fig.text(10 / w, 6 / h, foot, fontsize=7, color="#555")
    fig.text(1 - 10 / w, 6 / h, t("pack.page", lang, n=page, total=total), fontsize=7, ha="right", color="#555")
    if demo.any:
        demo_badge(fig, 1 - 10 / w, 1 - 10 / h, lang, share=demo)
    return fig


def text_block(
    fig: Figure,
    x: float,
    y: float,
    heading: str,
    lines: list[str],
    lang: Lang,
    width: int = 62,
    bottom: float = 0.14,
    step: float = 0.021,
) -> float:
    """A heading and bullet lines from ``y`` down; lines that would run below ``bottom`` (the footer) are
    counted in one last line instead. Returns where the next block may start.
    """
    # At most ``width`` characters a line, and never past the page's right margin: measured, not guessed.
    room = min(width * 3.9, (0.97 - x) * fig.get_size_inches()[0] * 72 - 8)
    fig.text(x, y, heading, fontsize=10, fontweight="bold", va="top")
    y -= 0.04
    for n, line in enumerate(lines):
        wrapped = wrap_pt(line, room, 7.5)
        need = step * len(wrapped) + 0.01
        if y - need < bottom + (0.04 if n < len(lines) - 1 else 0):
            fig.text(x, y, t("pack.more", lang, n=len(lines) - n), fontsize=7.5, va="top", style="italic")
            return y - 0.06
        fig.text(x, y, "• " + "\n  ".join(wrapped), fontsize=7.5, va="top", linespacing=1.3)
        y -= need
    return y - 0.02


def record_lines(fig: Figure, x: float, y: float, rows: list[tuple[str, str]], width: float, bottom: float) -> float:
    """A two-column record (label, value), each value measured and wrapped to its column."""
    page_w = fig.get_size_inches()[0] * 72
    label_w, size = 0.13, 7.2
    for label, value in rows:
        lines = wrap_pt(value, (width - label_w) * page_w, size)
        need = 0.0165 * max(len(lines), 1) + 0.006
        if y - need < bottom:
            break
        fig.text(x, y, label, fontsize=size, va="top", color="#4f5863")
        fig.text(x + label_w, y, "\n".join(lines), fontsize=size, va="top", linespacing=1.2)
        y -= need
    return y


def pdf_pages(buf: io.BytesIO, title: str) -> Any:
    """A multi-page PDF written into ``buf``, titled ``title``; used as ``with … as pdf: pdf.savefig(fig)``."""
    from matplotlib.backends.backend_pdf import PdfPages

    return PdfPages(buf, metadata={"Title": title, "Creator": CREATOR})


# -- what an output reads --------------------------------------------------------------------------------
UNIT_LAYERS: dict[reform.Units, str] = {"2024": "units", "2025": "communes_2025"}


def units_in_force(store: Store | Reader, day: dt.date | None) -> reform.Units:
    """The units an output of ``day`` draws and names: those in force that day; for today (``None``), those
    of the day the store's data describe (its latest as-of date), as the app's unit switch defaults.
    """
    if day is None:
        dates = [m.as_of for m in store.meta().values() if m.as_of]
        day = dt.date.fromisoformat(max(dates)[:10]) if dates else None
    return reform.default_units(day)


def unit_names(store: Reader) -> dict[str, str]:
    """Unit code → name for the reader's grouping; each year's codes also as ``2024:code`` / ``2025:code``
    (four communes of 2025 kept the code of the 2024 unit at their seat: a code alone does not say which).
    """
    by_year = {}
    for year, lid in UNIT_LAYERS.items():
        if store.has(lid):
            u = store.read(lid)
            by_year[year] = dict(zip(u.code.astype(str), u.name.astype(str), strict=True))
    names = dict(by_year.get(store.units, {}))
    for year, table in by_year.items():
        names.update({f"{year}:{code}": name for code, name in table.items()})
    return names


def drawn_layers(layers: tuple[str, ...], units: reform.Units, keep_units: bool = False) -> tuple[str, ...]:
    """``layers`` with the administrative base of ``units``: by the communes of 1/7/2025, "units" is drawn as
    those communes (``keep_units``: a map coloured per 2024 unit keeps them, outlined by the communes).
    """
    if units == "2024" or "units" not in layers:
        return layers
    at = layers.index("units")
    swapped = ("units", "communes_2025") if keep_units else ("communes_2025",)
    return (*layers[:at], *swapped, *layers[at + 1 :])


def read_frames(
    reader: Reader, layers: Iterable[str], bbox: tuple[float, float, float, float] | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """The frames an output draws: each of ``layers`` the reader has, as the reader sees it (its day, units,
    role); with ``bbox`` (WGS 84), only what meets it, read through the store's spatial index. Every printed
    output (pack, atlas) reads its layers here and nowhere else.
    """
    if bbox is None:
        return {lid: reader.read(lid) for lid in dict.fromkeys(layers) if reader.has(lid)}
    return {lid: reader.read(lid, bbox=bbox) for lid in dict.fromkeys(layers) if reader.has(lid)}
