"""Maps printed at a stated scale, measured on the PDF: at 1:50 000, 1 cm on paper is 500 m on the ground
(VN-2000 / TM-3 metres), the fraction is printed, an extent too large for the sheet says how many sheets it
needs, and --tile prints them."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.command.cli import main
from geo.printing.export import GRID_COLOUR

PT_MM = 25.4 / 72  # millimetres per PDF point


def _grid_lines(pdf: Path, page: int = 0) -> tuple[list[float], list[float]]:
    """The x of the vertical and the y of the horizontal kilometre-grid lines on a page (PDF points),
    read from the page's drawing operators: the strokes drawn in the grid's colour."""
    data = PdfReader(str(pdf)).pages[page].get_contents().get_data().decode("latin-1")
    rgb = [int(GRID_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    xs: list[float] = []
    ys: list[float] = []
    for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) RG", data):
        if any(abs(float(m[k + 1]) - rgb[k]) > 1e-3 for k in range(3)):
            continue
        block = data[m.end() : data.find("Q", m.end())]
        for x0, y0, x1, y1 in re.findall(r"([\d.]+) ([\d.]+) m\s+([\d.]+) ([\d.]+) l", block):
            if float(x0) == float(x1):
                xs.append(float(x0))
            elif float(y0) == float(y1):
                ys.append(float(y0))
    return sorted(set(xs)), sorted(set(ys))


def _step_mm(values: list[float]) -> float:
    gaps = [b - a for a, b in itertools.pairwise(values)]
    assert gaps and max(gaps) - min(gaps) < 0.01, gaps  # evenly spaced
    return sum(gaps) / len(gaps) * PT_MM


@pytest.mark.parametrize(("scale", "paper"), [(50_000, "A3"), (25_000, "A4"), (10_000, "A3")])
def test_a_sheet_is_drawn_at_exactly_the_stated_scale(tmp_path: Path, scale: int, paper: str) -> None:
    out = tmp_path / "sheet.pdf"
    argv = ["export", str(out), "--scale", str(scale), "--paper", paper, "--grid", "--center", "107.10,21.55"]
    assert main([*argv, "--landscape"]) == 0
    reader = PdfReader(str(out))
    text = reader.pages[0].extract_text()
    assert f"Tỉ lệ 1:{scale:,}".replace(",", ".") in text  # the representative fraction, the Vietnamese way
    xs, ys = _grid_lines(out)
    # The grid's coordinates on the frame are kilometres of VN-2000 / TM-3 107°15′: consecutive lines differ by
    # the grid's step, and so does the measured distance between them on paper, at 1:scale.
    labels = sorted({int(v) for v in re.findall(r"\b(\d{3,4})\b", text) if 300 <= int(v) <= 3000})
    eastings = [v for v in labels if v < 1000]
    step_km = eastings[1] - eastings[0]
    assert step_km in (1, 2, 5)
    for lines in (xs, ys):
        mm = _step_mm(lines)
        ground_m = step_km * 1000
        assert mm == pytest.approx(ground_m / scale * 1000, rel=1e-3)  # mm on paper for that ground
        assert ground_m / (mm / 10) == pytest.approx(scale / 100, rel=1e-3)  # metres per centimetre
    if scale == 50_000:  # 1 cm on paper is 500 m on the ground
        assert step_km * 1000 / (_step_mm(xs) / 10) == pytest.approx(500, rel=1e-3)
    size = reader.pages[0].mediabox
    long_mm = max(float(size.width), float(size.height)) * PT_MM
    assert long_mm == pytest.approx({"A3": 420, "A4": 297}[paper], abs=0.5)


def test_the_district_at_1_50000_on_a3_says_how_many_sheets_and_tile_prints_them(tmp_path: Path, capsys) -> None:
    out = tmp_path / "district.pdf"
    assert main(["export", str(out), "--scale", "50000", "--paper", "A3", "--landscape"]) == 1
    said = capsys.readouterr().err
    m = re.search(r"cần (\d+) tờ A3 \((\d+) × (\d+)\)", said)
    assert m and int(m[1]) == int(m[2]) * int(m[3]) > 1, said
    assert "needs" in said and "--tile" in said  # in English too, and the way out
    assert not out.exists()
    assert main(["export", str(out), "--scale", "50000", "--paper", "A3", "--landscape", "--tile", "--grid"]) == 0
    pages = PdfReader(str(out)).pages
    assert len(pages) == int(m[1])
    first = pages[0].extract_text()
    assert "Tờ 1/" in first and "Tỉ lệ 1:50.000" in first
    assert _step_mm(_grid_lines(out, len(pages) - 1)[0]) > 0  # every sheet at the same scale, with its grid


def test_scale_options_are_checked(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    assert main(["export", str(out), "--center", "107.1,21.5"]) == 2  # a centre needs a scale
    assert main(["export", str(out), "--scale", "50000", "--center", "107.1"]) == 2
    assert main(["export", str(tmp_path / "x.geojson"), "--scale", "50000"]) == 2
    assert main(["export", str(out), "--grid"]) == 2


def test_the_app_s_export_offers_the_same_scale_and_says_when_the_view_needs_more_sheets() -> None:
    from tests.conftest import app_page

    at = app_page("pages/overview.py", exp_scale_overview=50_000, exp_paper_overview="A3", exp_fmt_overview="pdf")
    scale = next(s for s in at.selectbox if s.key == "exp_scale_overview")
    assert scale.value == 50_000 and "1:50.000" in scale.options and "Vừa khổ giấy" in scale.options
    assert any("cần" in c.value and "tờ A3" in c.value for c in at.caption)  # the whole district: several sheets
    assert any(tg.key == "exp_tile_overview" for tg in at.toggle)  # …or let an atlas tile it
    assert any(tg.key == "exp_grid_overview" and not tg.disabled for tg in at.toggle)
