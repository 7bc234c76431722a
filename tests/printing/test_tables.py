"""Data exports as a reader opens them: the layer's labels in the chosen language, one table per layer, and
where the data come from; identifiers only when a machine asks for them."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from geo.model.catalog import CATALOG
from geo.printing.tables import TableRequest, data_bytes, suffix
from geo.read.filters import apply_filters
from geo.store.reads import Store

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def frames(store: Store) -> dict[str, gpd.GeoDataFrame]:
    seg = apply_filters(CATALOG["ql4b_segments"], store.read("ql4b_segments"), {"package": ["8"]})
    return {"ql4b_segments": seg, "land_disputes": store.read("land_disputes")}


def _req(store: Store, lang: str = "vi", codes: bool = False) -> TableRequest:
    names = dict(zip(store.read("units")["code"], store.read("units")["name"], strict=True))
    return TableRequest(
        lang,  # type: ignore[arg-type]
        codes=codes,
        meta=store.meta(),
        today=TODAY,
        filters={"ql4b_segments": ["Gói thầu: 8"]},
        unit_names=names,
    )


def test_codes_keep_identifiers_for_machines(store, frames, tmp_path) -> None:
    req = _req(store, codes=True)
    seg = frames["ql4b_segments"]
    gj = json.loads(data_bytes(frames, "geojson", req=req))
    seg_features = [f for f in gj["features"] if f["properties"]["layer"] == "ql4b_segments"]
    assert sorted(f["properties"]["seg_id"] for f in seg_features) == sorted(seg.seg_id)
    assert {f["properties"]["clearance_status"] for f in seg_features} <= {
        s.value for s in CATALOG["ql4b_segments"].statuses
    }
    (tmp_path / "x.gpkg").write_bytes(data_bytes(frames, "gpkg", req=req))
    back = gpd.read_file(tmp_path / "x.gpkg", layer="ql4b_segments")
    assert back.crs.to_epsg() == 4326 and len(back) == len(seg) and "clearance_status" in back.columns
    assert sqlite3.connect(tmp_path / "x.gpkg").execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with zipfile.ZipFile(io.BytesIO(data_bytes(frames, "csv", req=req))) as zf:
        segs = pd.read_csv(zf.open("ql4b_segments.csv"), encoding="utf-8-sig", dtype={"package": str})
        pts = pd.read_csv(zf.open("land_disputes.csv"), encoding="utf-8-sig")
    assert len(segs) == len(seg) and segs.wkt.str.startswith("LINESTRING").all()
    assert "Đường cấp IV miền núi, nền 12 m, 2 làn xe" in set(segs.cross_section)
    assert pts.lon.between(106.8, 107.4).all() and pts.lat.between(21.3, 21.8).all()


def test_xlsx_speaks_the_readers_language_one_sheet_per_layer_with_provenance(store, frames) -> None:
    xl = pd.read_excel(io.BytesIO(data_bytes(frames, "xlsx", req=_req(store))), sheet_name=None)
    # the QL4B title holds a colon, which no sheet name may: a contents sheet first gives its full name
    assert list(xl) == ["Mục lục", "Nguồn dữ liệu", "QL4B Km18–Km80 đoạn nâng cấp", "Điểm tranh chấp đất đai"]
    assert CATALOG["ql4b_segments"].title("vi") in set(xl["Mục lục"].astype(str).stack())
    seg = xl["QL4B Km18–Km80 đoạn nâng cấp"]
    assert {"Mã đoạn", "Tình trạng GPMB", "Tỷ lệ GPMB (%)", "Xã, thị trấn", "Dữ liệu minh họa"} <= set(seg.columns)
    assert "clearance_status" not in seg.columns and len(seg) == len(frames["ql4b_segments"])
    labels = {s.vi for s in CATALOG["ql4b_segments"].statuses}
    assert set(seg["Tình trạng GPMB"]) <= labels and set(seg["Dữ liệu minh họa"]) == {"Có"}
    assert set(seg["Xã, thị trấn"].dropna()) <= set(store.read("units")["name"])  # units by name, not code
    prov = xl["Nguồn dữ liệu"].set_index("Mã lớp")
    assert prov.loc["ql4b_segments", "Số đối tượng"] == len(frames["ql4b_segments"])
    assert prov.loc["ql4b_segments", "Bộ lọc"] == "Gói thầu: 8"
    assert prov.loc["land_disputes", "Bộ lọc"] == "Không lọc"
    assert prov.loc["ql4b_segments", "Dữ liệu minh họa"] == "Có"
    assert prov.loc["ql4b_segments", "Ngày xuất"] == "29/11/2026"
    assert prov.loc["ql4b_segments", "Nguồn"] == store.meta()["ql4b_segments"].source


def test_english_headers_and_labels_and_a_partly_demo_share(store, frames) -> None:
    mixed = frames["land_disputes"].assign(demo=[1] * (len(frames["land_disputes"]) - 2) + [0, 0])
    xl = pd.read_excel(
        io.BytesIO(data_bytes({**frames, "land_disputes": mixed}, "xlsx", req=_req(store, "en"))), sheet_name=None
    )
    assert list(xl) == ["Contents", "Provenance", "QL4B Km18–Km80 upgrade segments", "Land disputes"]
    assert CATALOG["ql4b_segments"].title("en") in set(xl["Contents"].astype(str).stack())
    d = xl["Land disputes"]
    assert {"Case", "Status", "Area in dispute (ha)", "Demo data"} <= set(d.columns)
    assert set(d["Status"]) <= {s.en for s in CATALOG["land_disputes"].statuses}
    prov = xl["Provenance"].set_index("Layer id")
    n = len(mixed)
    assert prov.loc["land_disputes", "Demo data"] == f"Partly: {n - 2} of {n} features"


def test_csv_is_one_file_per_layer_zipped_when_several_gpkg_one_table_each(store, frames, tmp_path) -> None:
    req = _req(store)
    assert suffix("csv", 2) == "zip" and suffix("csv", 1) == "csv" and suffix("xlsx", 3) == "xlsx"
    with zipfile.ZipFile(io.BytesIO(data_bytes(frames, "csv", req=req))) as zf:
        assert sorted(zf.namelist()) == ["land_disputes.csv", "nguon_du_lieu.csv", "ql4b_segments.csv"]
        seg = pd.read_csv(zf.open("ql4b_segments.csv"), encoding="utf-8-sig")
    assert "Tình trạng GPMB" in seg.columns and "Kinh độ" in seg.columns
    one = pd.read_csv(io.BytesIO(data_bytes({"land_disputes": frames["land_disputes"]}, "csv", req=req)),
                      encoding="utf-8-sig")  # fmt: skip
    assert "Mã vụ việc" in one.columns and len(one) == len(frames["land_disputes"])
    (tmp_path / "x.gpkg").write_bytes(data_bytes(frames, "gpkg", req=req))
    back = gpd.read_file(tmp_path / "x.gpkg", layer="land_disputes")
    assert "Tình trạng" in back.columns and back.crs.to_epsg() == 4326
    with sqlite3.connect(tmp_path / "x.gpkg") as conn:
        ident = conn.execute("SELECT identifier FROM gpkg_contents WHERE table_name = 'land_disputes'").fetchone()
        assert ident == ("Điểm tranh chấp đất đai",)
        prov = pd.read_sql("SELECT * FROM nguon_du_lieu", conn)
    assert list(prov["Mã lớp"]) == ["ql4b_segments", "land_disputes"]
