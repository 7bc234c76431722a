from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.model.catalog import spec
from geo.read.records import format_value, record


def test_values_read_as_people_say_them() -> None:
    seg = spec("ql4b_segments")
    assert format_value(seg, "clearance_status", "blocked") == "Vướng mắc GPMB"
    assert format_value(seg, "clearance_status", "blocked", "en") == "Clearance blocked"
    assert format_value(seg, "construction_status", "building") == "Đang thi công"
    assert format_value(seg, "clearance_pct", 45.0) == "45%"
    assert format_value(seg, "households_affected", 1234) == "1.234 hộ"
    assert format_value(seg, "in_district", True) == "Có"
    assert format_value(seg, "in_district", False, "en") == "No"
    assert format_value(seg, "clearance_status", "unknown-code") == "unknown-code"


def test_a_year_or_a_parcel_number_reads_as_typed_and_a_count_is_grouped() -> None:
    import numpy as np

    assert format_value(spec("ntm_commune"), "year_met", np.int64(2024), "vi") == "2024"  # never "2.024"
    assert format_value(spec("cadastral_parcels"), "parcel_no", 1012.0, "vi") == "1012"
    assert format_value(spec("cadastral_parcels"), "sheet_no", 12, "en") == "12"
    assert format_value(spec("ql4b_segments"), "households_affected", np.int64(2024), "vi") == "2.024 hộ"


def test_dates_missing_values_and_unit_names() -> None:
    d = spec("land_disputes")
    assert format_value(d, "opened", "2024-01-09") == "09/01/2024"
    assert format_value(d, "opened", pd.Timestamp("2024-01-09")) == "09/01/2024"
    assert format_value(d, "opened", dt.date(2024, 1, 9), "en") == "2024-01-09"
    for missing in (None, float("nan"), pd.NaT, ""):
        assert format_value(d, "resolved", missing) == "–"
    assert format_value(d, "unit_code", "06619", unit_names={"06619": "Xã Bắc Xa"}) == "Xã Bắc Xa (06619)"


def test_text_is_returned_as_typed_for_the_renderer_to_escape() -> None:
    d = spec("land_disputes")
    assert format_value(d, "kind", "<b>x</b>") == "<b>x</b>"


def test_record_uses_popup_fields_and_labels() -> None:
    d = spec("land_disputes")
    row = {
        "dispute_id": "TC-01",
        "unit_code": "06622",
        "kind": "Ranh giới",
        "area_ha": 3.5,
        "status": "open",
        "opened": "2023-09-12",
        "resolved": None,
    }
    rows = record(d, row, None, "vi", {"06622": "Xã Bính Xá"})
    assert rows[0] == ("Mã vụ việc", "TC-01")
    assert ("Xã, thị trấn", "Xã Bính Xá (06622)") in rows
    assert ("Diện tích tranh chấp (ha)", "3,5 ha") in rows
    # the parties (sensitive) are not in this row, as for a viewer: not even their label shows
    assert [label for label, _ in rows] == [d.field(f).label("vi") for f in d.popup if f != "parties"]


def test_a_change_log_row_reads_in_words_whatever_it_changed() -> None:
    from geo.model.catalog import CATALOG
    from geo.read.records import change_text

    spec = CATALOG["land_disputes"]
    assert change_text(spec, "status", "open", "resolved", "vi") == ("Tình trạng", "Mới phát sinh", "Đã giải quyết")
    moved = change_text(spec, "geom", "POINT (107.20000000 21.55000000)", "POINT (107.123456 21.654321)", "vi")
    assert moved == ("Vị trí (WGS 84)", "107.200000, 21.550000", "107.123456, 21.654321")
    assert change_text(spec, "*", None, {"dispute_id": "TC-20"}, "vi") == ("Cả đối tượng", "(chưa có)", "thêm mới")
    assert change_text(spec, "*", {"dispute_id": "TC-20"}, None, "en") == ("Whole feature", "(present)", "removed")
    assert change_text(None, "x", None, 3, "vi") == ("x", "–", "3")
