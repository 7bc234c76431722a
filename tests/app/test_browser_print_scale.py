"""Printing at a stated scale from the app, as a leader does on a 1366×768 laptop: the export panel's
1:50.000 on A3 says how many sheets the district needs, lets an atlas tile it, and the PDF it hands over is
drawn at exactly that scale (measured on the file: 1 cm on paper is 500 m on the ground)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from tests.browser import choose, ms, streamlit_server, visit
from tests.conftest import NOTICE_STORE
from tests.printing.test_pack_print_scale import PT_MM, _grid_lines, _step_mm

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    d = tmp_path_factory.mktemp("print")
    store = d / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    with streamlit_server(store) as url:
        yield url


def test_a_leader_prints_the_district_on_a3_at_1_50000_from_the_app(
    browser: Browser, app_url: str, tmp_path: Path, artifacts
) -> None:
    v = visit(browser, app_url, 1366, 768)
    v.map_frame()
    v.page.get_by_text("Xuất bản đồ").click()  # (a keyed expander may report its opening: a run, or none)
    v.wait_idle()
    fmt = v.page.locator('[data-testid="stSelectbox"]', has_text="Định dạng").locator("input")
    choose(v, fmt, "PDF vector (bản in)")
    with v.expect_run():
        v.page.get_by_role("radio", name="A3").click(force=True)
    scale = v.page.locator('[data-testid="stSelectbox"]', has_text="Tỉ lệ in").locator("input")
    choose(v, scale, "1:50.000")
    with v.expect_run():
        v.page.get_by_text("Lưới km VN-2000", exact=True).click()
    said = v.page.get_by_text(re.compile(r"cần \d+ tờ A3")).inner_text(timeout=ms(20))
    m = re.search(r"cần (\d+) tờ A3 \((\d+) × (\d+)\)", said)
    assert m and int(m[1]) == int(m[2]) * int(m[3]) > 1, said  # the whole district does not fit one sheet
    with v.expect_run():
        v.page.get_by_text("In thành nhiều tờ (tập bản đồ)", exact=True).click()
    v.page.screenshot(path=str(artifacts / "print-scale-1366x768.png"), full_page=True)
    with v.page.expect_download(timeout=ms(60)) as dl:
        v.page.get_by_role("button", name="Tải PDF").click()
    pdf = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pdf)
    pages = PdfReader(str(pdf)).pages
    assert len(pages) == int(m[1])  # one page per sheet the app said it needs
    first = pages[0].extract_text()
    assert "Tờ 1/" in first and "Tỉ lệ 1:50.000" in first
    size = pages[0].mediabox
    assert max(float(size.width), float(size.height)) * PT_MM == pytest.approx(420, abs=0.5)  # A3
    labels = sorted({int(x) for x in re.findall(r"\b(\d{3,4})\b", first) if 300 <= int(x) < 1000})
    step_km = labels[1] - labels[0]  # the grid's eastings (km) on the frame
    xs, ys = _grid_lines(pdf, 0)
    for lines in (xs, ys):
        assert step_km * 1000 / (_step_mm(lines) / 10) == pytest.approx(500, rel=1e-3)  # 1 cm = 500 m
    assert v.external_requests() == []
    v.page.close()
