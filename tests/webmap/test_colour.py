"""Colours every reader can tell apart: the measures (CIEDE2000, colour-vision simulation, WCAG contrast)
against published values, then every legend of the catalog held to ΔE2000 ≥ 10 for each kind of vision,
a second channel (dash, hatching) where colour alone is thin, and the app's text colours at 4.5:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.model.catalog import CATALOG
from tests.colour import VISIONS, blend, contrast, delta_e, legend_separation, simulate

ROOT = Path(__file__).resolve().parents[2]

# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", table 1: L*a*b* pairs and ΔE00.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
]


@pytest.mark.parametrize(("a", "b", "expected"), SHARMA)
def test_ciede2000_matches_the_published_pairs(a, b, expected) -> None:
    assert delta_e(a, b) == pytest.approx(expected, abs=1e-4)


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey at AA on white
    assert contrast("#777777", "#ffffff") < 4.5  # the legend counts' old grey: just under


def test_simulation_keeps_greys_and_confuses_what_dichromats_confuse() -> None:
    for vision in VISIONS:
        assert simulate("#ffffff", vision) == "#ffffff" and simulate("#000000", vision) == "#000000"
    # The old QL4B "blocked" red and "handed over" green: 67 apart for most readers, ~10.6 for deuteranopes
    # (the figure the accessibility review measured independently).
    assert delta_e("#d7301f", "#1a9850") > 60
    assert legend_separation(["#d7301f", "#1a9850"], "deuteranopia")[0] == pytest.approx(10.6, abs=0.3)
    # The old forest "disputed" orange and "allocated" green: 5.8 for protanopes.
    assert legend_separation(["#e76f51", "#1b7f4b"], "protanopia")[0] == pytest.approx(5.8, abs=0.4)


def _legends() -> list[tuple[str, list[str], list[str]]]:
    """Every set of classes a legend shows at once: (layer.field, labels, colours)."""
    out = []
    for spec in CATALOG.values():
        for name, statuses in ((spec.status_field, spec.statuses), *spec.coded):
            if len({s.color for s in statuses}) > 1:
                out.append((f"{spec.id}.{name}", [s.vi for s in statuses], [s.color for s in statuses]))
    return out


def test_every_legend_is_told_apart_by_every_reader(artifacts, capsys) -> None:
    rows, weak = [], []
    for where, labels, colours in _legends():
        cells = []
        for vision in VISIONS:
            d, (i, j) = legend_separation(colours, vision)
            cells.append(f"{d:5.1f}")
            if d < 10:
                weak.append(f"{where} {vision}: {labels[i]} / {labels[j]} = {d:.1f}")
        rows.append(f"| {where} | " + " | ".join(cells) + " |")
    table = "| legend | " + " | ".join(VISIONS) + " |\n|---|" + "---|" * len(VISIONS) + "\n" + "\n".join(rows)
    (artifacts / "palette-delta-e.md").write_text(table + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\nmin ΔE2000 between two classes of one legend:\n" + table)
    assert len(rows) >= 10
    assert not weak, weak


def test_thin_lines_and_disputed_land_have_a_second_channel() -> None:
    ql4b = CATALOG["ql4b_segments"]
    dashes = [s.dash for s in ql4b.statuses]
    assert len(set(dashes)) == len(dashes)  # each clearance status its own pattern (one of them solid)
    blocked = ql4b.status("blocked")
    assert blocked is not None and blocked.dash and blocked.color.lower() != "#1a9850"
    disputed = CATALOG["forest_parcels"].status("disputed")
    assert disputed is not None and disputed.hatch
    assert [s.value for s in CATALOG["forest_parcels"].statuses if s.hatch] == ["disputed"]


def _background(rule: str) -> str:
    """A CSS rule's own background (a translucent one over white), else white."""
    m = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})\b", rule)
    if m:
        return m.group(1)
    m = re.search(r"background(?:-color)?:\s*rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)", rule)
    if m:
        r, g, b, a = (float(x) for x in m.groups())
        return blend(f"#{int(r):02x}{int(g):02x}{int(b):02x}", "#ffffff", a)
    return "#ffffff"


def test_text_colours_of_the_app_meet_aa_on_their_background() -> None:
    sources = [
        ROOT / "ui" / "sidebar.py",
        ROOT / "ui" / "presentation.py",
        ROOT / "geo" / "webmap" / "static" / "dlmap.css",
    ]
    found = []
    for path in sources:
        for rule in re.findall(r"\{([^{}]*)\}", path.read_text(encoding="utf-8")):
            for m in re.finditer(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", rule):
                found.append((path.name, m.group(1), contrast(m.group(1), _background(rule))))
    assert len(found) > 10
    assert [f for f in found if f[2] < 4.5] == []


def test_every_map_symbol_has_an_edge_that_reads_on_the_map() -> None:
    # WCAG 1.4.11: 3:1 for graphical objects against what is next to them. A status-coloured line is drawn
    # over a dark casing: each colour must stand out from the casing or from the map's background.
    background = "#dfe7ec"
    weak = []
    for spec in CATALOG.values():
        if spec.geometry == "LineString" and spec.statuses:
            assert spec.paint.casing and contrast(spec.paint.casing, background) >= 3, spec.id
            for s in spec.codes() + tuple(x for _, sts in spec.coded for x in sts):
                if max(contrast(s.color, background), contrast(spec.paint.casing, s.color)) < 3:
                    weak.append((spec.id, s.value))
        elif spec.geometry in ("Polygon", "Point") and contrast(spec.paint.color, background) < 3:
            weak.append((spec.id, "outline"))  # the outline of every area and point
    assert weak == []
