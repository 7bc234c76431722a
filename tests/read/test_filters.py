from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.model.catalog import spec
from geo.model.values import BadValue
from geo.read.filters import apply_filters, choices, count_text, date_range, filter_fields, typed_value, value_range
from geo.store.reads import Store


def test_filter_kinds_come_from_the_catalog() -> None:
    kinds = {f.name: f.kind for f in filter_fields(spec("ql4b_segments"))}
    assert kinds == {
        "clearance_status": "choice",
        "package": "choice",
        "unit_code": "choice",
        "in_district": "choice",
        "km_from": "range",
        "construction_status": "choice",
    }
    assert {f.name: f.kind for f in filter_fields(spec("land_disputes"))}["opened"] == "dates"


def test_choices_follow_catalog_order_and_only_present_values(store: Store) -> None:
    seg = store.read("ql4b_segments")
    assert choices(spec("ql4b_segments"), seg, "clearance_status") == [
        s.value for s in spec("ql4b_segments").statuses if s.value in set(seg.clearance_status)
    ]
    assert choices(spec("ql4b_segments"), seg, "package") == ["7", "8"]
    units = choices(spec("ql4b_segments"), seg, "unit_code")
    assert units[-1] == "" and len(units) == seg.unit_code.nunique() + 1  # outside the district is a choice too


def test_selecting_every_choice_keeps_every_row(store: Store) -> None:
    s = spec("ql4b_segments")
    seg = store.read("ql4b_segments")
    every = {f.name: choices(s, seg, f.name) for f in filter_fields(s) if f.kind == "choice"}
    assert len(apply_filters(s, seg, every)) == len(seg)
    outside = apply_filters(s, seg, {"unit_code": [""]})
    assert len(outside) == (~seg.in_district).sum() > 0


def test_filters_combine_and_empty_means_all(store: Store) -> None:
    seg = store.read("ql4b_segments")
    s = spec("ql4b_segments")
    assert len(apply_filters(s, seg, {})) == len(seg)
    assert len(apply_filters(s, seg, {"clearance_status": []})) == len(seg)
    blocked8 = apply_filters(s, seg, {"clearance_status": ["blocked"], "package": ["8"]})
    assert len(blocked8) == ((seg.clearance_status == "blocked") & (seg.package == "8")).sum() > 0
    km = apply_filters(s, seg, {"km_from": (40, 50)})
    assert km.km_from.between(40, 50).all() and len(km) == seg.km_from.between(40, 50).sum()


def test_date_filter_and_ranges(store: Store) -> None:
    d = store.read("land_disputes")
    s = spec("land_disputes")
    first, last = date_range(d, "opened")
    assert first == dt.date(2023, 5, 3) and last == dt.date(2024, 3, 21)
    in_2024 = apply_filters(s, d, {"opened": (dt.date(2024, 1, 1), dt.date(2024, 12, 31))})
    assert sorted(in_2024.dispute_id) == ["TC-03", "TC-07"]
    assert value_range(d, "area_ha") == (0.9, 6.0)
    assert value_range(pd.DataFrame({"x": [None]}), "x") is None


def test_count_text() -> None:
    assert count_text(spec("ql4b_segments"), 38, 62, "vi") == "38 / 62 đoạn"
    assert count_text(spec("land_disputes"), 1200, 1500, "en") == "1,200 / 1,500 cases"


YES_NO = {"đúng": True, "Có": True, "x": True, "TRUE": True, "1": True, "không": False, "Sai": False, "0": False}


@pytest.mark.parametrize(("typed", "meaning"), YES_NO.items())
def test_yes_and_no_read_the_same_in_the_importer_the_indicator_import_and_where(
    typed: str, meaning: bool, store: Store, tmp_path
) -> None:
    """One reader of people's values: "đúng" is yes in a file, in a file of figures and on the command line."""
    from geo.importer.attributes import _cell
    from geo.model.catalog import CATALOG
    from geo.read.indicators import read_series_file

    assert _cell(CATALOG["ql4b_segments"], "in_district", typed, {}) == int(meaning)
    figures = tmp_path / "ky.csv"
    figures.write_text(f"ind_id,period,value,source,demo\nbudget_revenue,2025,1,Báo cáo,{typed}\n", encoding="utf-8")
    assert read_series_file(str(figures), {"budget_revenue"})[0]["demo"] is meaning
    segments = store.read("ql4b_segments")
    chosen = apply_filters(
        CATALOG["ql4b_segments"], segments, {"in_district": [typed_value(segments.in_district, typed)]}
    )
    assert len(chosen) == int((segments.in_district.astype(bool) == meaning).sum()) > 0


def test_where_reads_numbers_the_vietnamese_and_the_english_way() -> None:
    numbers = pd.Series([45120.5])
    assert typed_value(numbers, "45.120,5") == typed_value(numbers, "45,120.5") == 45120.5
    with pytest.raises(BadValue):
        typed_value(numbers, "bốn mươi")
