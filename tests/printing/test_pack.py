"""The meeting pack and the atlas at the chosen moment: the units in force that day, nothing from after it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from geo.command.cli import main
from geo.printing.atlas import atlas
from geo.printing.pack import meeting_pack
from geo.store.reads import Store
from tests.conftest import ROOT

SHIPPED = ROOT / "data" / "dinhlap.gpkg"  # the demo store with its history to today


@pytest.fixture(scope="module")
def store() -> Store:
    return Store(SHIPPED)


TODAY = dt.date(2026, 11, 25)
ABOLISHED = ("Thị trấn Đình Lập", "Thị trấn Nông trường Thái Bình")  # the two towns gone on 1/7/2025
COMMUNES_2025 = ("Xã Đình Lập", "Xã Thái Bình", "Xã Kiên Mộc", "Xã Châu Sơn")


def _pages(payload: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(payload)).pages]


def test_a_pack_of_24_4_2024_shows_the_12_units_and_nothing_after_that_day(store) -> None:
    pages = _pages(meeting_pack(store, "vi", atlas=True, today=TODAY, as_of="2024-04-24", since=dt.date(2024, 4, 24)))
    assert "Đơn vị hành chính: 2024 (12 xã, thị trấn)" in pages[0]
    atlas_pages = pages[-12:]  # one page per unit of 2024, the towns included
    assert [p.splitlines()[0] for p in atlas_pages][:1] and len(pages) == 8 + 12
    assert any(ABOLISHED[0] in p for p in atlas_pages) and any(ABOLISHED[1] in p for p in atlas_pages)
    assert "Xã, thị trấn (2024) 12" in pages[2]  # the roads page's legend counts the 12 units
    changes = next(p for p in pages if p.startswith("Thay đổi từ lần họp trước"))
    assert "Không có thay đổi nào" in changes  # every logged change is dated after 24/4/2024
    assert set(re.findall(r"\d\d/\d\d/\d{4}", changes)) == {"24/04/2024", "25/11/2026"}  # the day; export date


def test_a_pack_of_today_shows_the_4_communes_everywhere(store) -> None:
    pages = _pages(meeting_pack(store, "vi", atlas=True, today=TODAY, since=dt.date(2024, 4, 24)))
    assert "Đơn vị hành chính: Từ 1/7/2025 (4 xã)" in pages[0]
    assert "Bản đồ từng xã (từ 1/7/2025)" in pages[0]
    assert len(pages) == 8 + 4
    atlas_pages = pages[-4:]
    for name in COMMUNES_2025:
        assert sum(name in p.splitlines() for p in atlas_pages) == 1, name
    roads = pages[2]
    assert "Xã (từ 1/7/2025) 4" in roads and "(2024)" not in roads
    late = next(line for line in roads.splitlines() if "chậm" in line.lower() and "Xã" in line)
    assert not any(town in late for town in ABOLISHED) and "Bính Xá" not in late
    # A commune's page says which 2024 units it was formed from, with their criteria.
    kien_moc = next(p for p in atlas_pages if "Xã Kiên Mộc" in p.splitlines())
    assert "Hình thành từ" in kien_moc and "Xã Bắc Xa" in kien_moc and "Xã Bính Xá (81,65%)" in kien_moc
    # The changes since the last meeting are there: today's pack is not a past day's.
    assert "QL4B-18-20" in next(p for p in pages if p.startswith("Thay đổi từ lần họp trước"))


def test_the_units_can_be_chosen_whatever_the_day(store, tmp_path) -> None:
    pages = _pages(meeting_pack(store, "en", atlas=True, today=TODAY, units="2024"))
    assert len(pages) == 7 + 12 and "2024 (12 units)" in pages[0]
    out = tmp_path / "pack.pdf"
    assert main(["pack", str(out), "--store", str(SHIPPED), "--as-of", "2024-04-24", "--units", "2025", "--atlas"]) == 0
    cli_pages = _pages(out.read_bytes())
    assert "From 1 Jul 2025" not in cli_pages[0]  # Vietnamese by default
    assert len(cli_pages) == 7 + 4


def test_an_atlas_page_names_both_units_and_carries_its_legend(store) -> None:
    now = _pages(atlas(store, "land_disputes", keys=["TC-01"], today=TODAY))[1]
    assert "Xã Kiên Mộc (06625)" in now and "Xã Bính Xá (06622)" in now  # names, never a bare code
    assert "Chú giải" in now and "Xã (từ 1/7/2025)" in now
    then = _pages(atlas(store, "land_disputes", keys=["TC-01"], today=TODAY, as_of="2024-04-24"))[1]
    assert "Chú giải" in then and "Xã, thị trấn (2024)" in then and "(từ 1/7/2025)" not in then.split("Thông tin")[0]


def test_alerts_lead_with_overdue_and_stalled_tasks_and_fold_old_layers_into_one_line(store) -> None:
    from geo.read import board
    from geo.read.access import Reader

    reader = Reader(store, sensitive=True)
    found = board.store_alerts(reader, TODAY, "vi")
    kinds = [a.kind for a in found]
    assert kinds[:4] == ["task"] * 4  # the 4 overdue tasks first
    assert kinds == sorted(kinds, key=["task", "stalled", "indicator", "layer"].index)
    first, stale = board.folded(found, "vi")
    assert stale is not None and all(a.kind != "layer" for a in first)
    n = kinds.count("layer")
    assert n > 1 and stale.text == f"{n} lớp dữ liệu chưa cập nhật quá {board.STALE_DAYS} ngày"
    assert len(first) + 1 < len(found)  # what a leader reads: a few lines, not one per layer
    en, _ = board.folded(board.store_alerts(reader, TODAY, "en"), "en")
    assert all(a.text.startswith(("Task", "Behind plan")) for a in en)


def test_the_english_pack_and_atlas_say_the_product_s_words_in_english(store) -> None:
    pages = _pages(meeting_pack(store, "en", today=TODAY))
    board_page = pages[6]  # cover, five themes, then the board
    assert "Curb and reduce traffic accidents" in board_page and "Kiềm chế, kéo giảm" not in board_page
    assert "Task 2.4 overdue" in board_page
    disputes = _pages(atlas(store, "land_disputes", keys=["TC-01"], lang="en", today=TODAY))[1]
    assert "Boundary between a household and the Company" in disputes
    assert "Bắc Xa" not in disputes or "commune" in disputes  # unit names say their kind in English
