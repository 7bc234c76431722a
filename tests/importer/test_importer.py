"""Planners' files: each lands where the truth is, with its names exact, or is refused with its reason;
a refused or blocked import leaves the store's bytes unchanged."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from geo.command.cli import main
from geo.importer import suggested_values, validate, vnenc
from geo.model.catalog import CATALOG
from geo.store.edit import move_point, rollback_to
from geo.store.ingest import commit, remembered_mapping
from geo.store.reads import Store
from tests import import_files as F
from tests.conftest import assert_sound, found_in_box
from tests.conftest import store_digest as _digest


def _metres_off(frame: gpd.GeoDataFrame, key: str = "dispute_id") -> float:
    """The largest distance (m) between imported points and the truth, measured in VN-2000 / TM-3."""
    truth = {r[0]: Point(r[2], r[3]) for r in F.TRUTH}
    got = frame.set_index(key).geometry
    pairs = gpd.GeoDataFrame({"a": [truth[k] for k in got.index]}, geometry=list(got.values), crs=4326).to_crs(
        "EPSG:9215"
    )
    a = gpd.GeoSeries(pairs["a"], crs=4326).to_crs("EPSG:9215")
    return float(max(p.distance(q) for p, q in zip(pairs.geometry, a, strict=True)))


def _names(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> list[str]:
    by_code = dict(zip(units["code"], units["name"], strict=True))
    return [by_code[c] for c in frame.sort_values("dispute_id")["unit_code"]]


TRUE_NAMES = [r[1] for r in F.TRUTH]


@pytest.mark.parametrize(
    ("encoding", "crs"),
    [("cp1258", "EPSG:9215"), ("tcvn3", "EPSG:9215"), ("vni", "EPSG:3405"), ("utf-8", "EPSG:3406")],
)
def test_a_zipped_shapefile_in_vn2000_and_a_legacy_encoding_lands_exactly(tmp_path, units, encoding, crs) -> None:
    report = validate(F.shapefile(tmp_path, crs=crs, encoding=encoding), layer="land_disputes", units=units)
    assert report.exit_code == 0, report.text()
    assert report.encoding == encoding and report.crs == crs
    assert _metres_off(report.frame) < 1.0
    assert _names(report.frame, units) == TRUE_NAMES  # names matched to the communes, to the character
    assert [row["TEN_XA"] for row in report.preview] == TRUE_NAMES  # the preview shows them decoded
    assert set(report.frame["kind"]) == {"Tranh chấp ranh giới với hộ gia đình"}
    assert set(report.frame["status"]) == {"open", "mediating", "resolved"}  # Vietnamese labels → codes
    assert report.frame.sort_values("dispute_id")["opened"].tolist()[0] == "2024-03-12"  # dd/mm/yyyy read


def test_a_row_that_breaks_a_rule_across_fields_is_named_and_the_file_not_imported(tmp_path, units) -> None:
    """DL-03 is resolved but its resolution date is empty: the row and both fields are named, as an edit would."""
    frame = F.truth_frame().assign(NGAY_GQ=["", "", "", "", ""])
    path = F.shapefile(tmp_path, frame=frame, encoding="utf-8", cpg=True)
    mapping = {**validate(path, layer="land_disputes", units=units).mapping, "NGAY_GQ": "resolved"}
    report = validate(path, layer="land_disputes", units=units, mapping=mapping)
    broken = [p for p in report.problems if p.key == "import.rule_needs"]
    assert [p.row for p in broken] == [3] and report.exit_code != 0
    text = report.text()
    assert "'Tình trạng' là 'Đã giải quyết' nhưng thiếu 'Ngày giải quyết xong'" in text, text
    fixed = frame.assign(NGAY_GQ=["", "", "20/05/2024", "", ""])
    ok = validate(F.shapefile(tmp_path / "ok", frame=fixed, encoding="utf-8", cpg=True), layer="land_disputes",
                  units=units, mapping=mapping)  # fmt: skip
    assert not [p for p in ok.problems if p.key.startswith("import.rule_")], ok.text()


def test_gdal_never_decodes_windows_1258_so_no_last_character_is_lost(tmp_path, units) -> None:
    """GDAL's own cp1258 conversion drops the last character; the importer decodes the bytes itself."""
    frame = F.truth_frame()
    frame["LOAI"] = ["Lấn chiếm đất rừng phòng hộ ở bản Nà Pò"] * len(frame)
    path = F.shapefile(tmp_path, encoding="cp1258", cpg=True, frame=frame)
    report = validate(path, layer="land_disputes", units=units)
    assert set(report.frame["kind"]) == {"Lấn chiếm đất rừng phòng hộ ở bản Nà Pò"}


@pytest.mark.parametrize("zone", ["EPSG:9205", "EPSG:9211", "EPSG:9214", "EPSG:9216", "EPSG:9218"])
def test_other_provincial_vn2000_zones_land_within_a_metre(tmp_path, units, zone) -> None:
    report = validate(F.shapefile(tmp_path, crs=zone), layer="land_disputes", units=units)
    assert report.exit_code == 0, report.text()
    assert _metres_off(report.frame) < 1.0


def test_a_csv_with_vn2000_xy_is_refused_without_a_crs_and_lands_with_one(tmp_path, units) -> None:
    path = F.csv_vn2000(tmp_path)
    refused = validate(path, layer="land_disputes", units=units)
    assert refused.exit_code == 2
    message = refused.refused.message("vi")
    assert "EPSG:9215" in message and "--crs" in message and "107°15′" in message
    assert "EPSG:9215" in refused.refused.message("en")
    report = validate(path, layer="land_disputes", units=units, crs="EPSG:9215")
    assert report.exit_code == 0, report.text()
    assert "import.note_xy_swapped" in report.notes  # X is the northing, as surveyors write it
    assert _metres_off(report.frame) < 1.0
    assert _names(report.frame, units) == TRUE_NAMES


def test_a_tcvn3_csv_with_easting_northing_columns_is_decoded(tmp_path, units) -> None:
    path = F.csv_vn2000(tmp_path, encoding="tcvn3", surveyor_xy=False)
    report = validate(path, layer="land_disputes", units=units, crs="EPSG:9215")
    assert report.exit_code == 0, report.text()
    assert report.encoding == "tcvn3"
    assert _names(report.frame, units) == TRUE_NAMES and _metres_off(report.frame) < 1.0


def test_a_mapinfo_tab_that_lost_the_datum_shift_is_explained_then_lands_with_crs(tmp_path, units) -> None:
    path = F.tab(tmp_path)
    report = validate(path, layer="land_disputes", units=units)
    assert report.exit_code == 1
    [problem] = report.errors
    assert problem.key == "import.datum_dropped"
    text = problem.message("vi")
    assert "EPSG:9215" in text and "datum" in text
    assert 100 < float(dict(problem.kwargs)["metres"]) < 1000  # the size of the error it would have made
    report = validate(path, layer="land_disputes", units=units, crs="EPSG:9215")
    assert report.exit_code == 0, report.text()
    assert report.encoding == "cp1258" and report.fmt == "MapInfo TAB (ZIP)"
    assert _metres_off(report.frame) < 1.0
    assert _names(report.frame, units) == TRUE_NAMES


def test_a_prj_that_keeps_the_meridian_but_drops_the_shift_is_detected(tmp_path, units) -> None:
    # What a hand-made .prj often says: VN-2000's projection on a WGS 84 datum, with no shift.
    wrong = (
        'PROJCS["WGS_1984_TM_107_15",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
        'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",107.25],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],'
        'UNIT["Meter",1.0]]'
    )
    path = F.shapefile(tmp_path, crs="EPSG:9215", prj=wrong)
    report = validate(path, layer="land_disputes", units=units)
    assert [p.key for p in report.errors] == ["import.datum_dropped"]


def test_coordinates_outside_vietnam_are_refused_with_a_hint(tmp_path, units) -> None:
    frame = F.truth_frame().to_crs("EPSG:9215")
    frame["geometry"] = [Point(p.y, p.x) for p in frame.geometry]  # northing and easting swapped
    path = F.shapefile(tmp_path, crs="EPSG:9215", frame=frame.set_crs("EPSG:9215", allow_override=True))
    report = validate(path, layer="land_disputes", units=units)
    assert [p.key for p in report.errors] == ["import.outside_vietnam"]
    assert "X và Y" in report.errors[0].message("vi")


def _geojson(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = {
    "empty.geojson": (lambda d: _geojson(d / "empty.geojson", ""), "import.empty"),
    "html.geojson": (
        lambda d: _geojson(d / "html.geojson", "<!DOCTYPE html><html><body>404 Not Found</body></html>"),
        "import.not_geojson_html",
    ),
    "vrt.geojson": (
        lambda d: _geojson(
            d / "vrt.geojson",
            '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
            "</OGRVRTLayer></OGRVRTDataSource>",
        ),
        "import.vrt",
    ),
    "truncated.geojson": (
        lambda d: _geojson(d / "truncated.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature",'),
        "import.unreadable",
    ),
    "metres_no_crs.geojson": (
        lambda d: _geojson(
            d / "metres_no_crs.geojson",
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
            '"geometry":{"type":"Point","coordinates":[459876.5,2381234.25]}}]}',
        ),
        "import.metres_as_degrees",
    ),
    "truncated.zip": (lambda d: _truncated_shapefile(d), "import.unreadable"),
    "traversal.zip": (lambda d: _zip(d / "traversal.zip", {"../../etc/evil.shp": b"x"}), "import.zip_unsafe"),
    "notdata.zip": (lambda d: _zip(d / "notdata.zip", {"run.sh": b"#!/bin/sh"}), "import.zip_member"),
    "vrt_member.zip": (lambda d: _zip(d / "vrt_member.zip", {"a.vrt": b"<OGRVRTDataSource/>"}), "import.zip_member"),
    "vrt_as_geojson.zip": (
        lambda d: _zip(d / "vrt_as_geojson.zip", {"a.geojson": b"<OGRVRTDataSource><OGRVRTLayer/></OGRVRTDataSource>"}),
        "import.vrt",
    ),
    "symlink.zip": (lambda d: _symlink_zip(d / "symlink.zip"), "import.zip_unsafe"),
    "bomb.zip": (lambda d: _bomb(d / "bomb.zip"), "import.zip_bomb"),
}


def _symlink_zip(path: Path) -> Path:
    """A member that is a symbolic link to a server file."""
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("tranh_chap.shp")
        info.external_attr = (0o120777 << 16) | 0o644
        zf.writestr(info, "/etc/passwd")
    return path


def _bomb(path: Path) -> Path:
    """40 MB of zeros in a few tens of kB: the ratio gives it away before a byte is written."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("tranh_chap.geojson", b"{" + b" " * (40 * 2**20) + b"}")
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _truncated_shapefile(d: Path) -> Path:
    good = F.shapefile(d / "good")
    members = {}
    with zipfile.ZipFile(good) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            members[info.filename] = data[: len(data) // 2] if info.filename.endswith(".shp") else data
    return _zip(d / "truncated.zip", members)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_gets_its_message_and_the_store_is_unchanged(tmp_path, any_store, capsys, name) -> None:
    make, key = BROKEN[name]
    path = make(tmp_path)
    before = _digest(any_store)
    code = main(["import", str(path), "--layer", "land_disputes", "--store", str(any_store), "--user", "lan", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["exit_code"] == 2
    expected = validate(path, layer="land_disputes").refused
    assert expected is not None and expected.key == key
    assert out["refused"] == expected.message("vi")
    assert "/etc/passwd" not in json.dumps(out) and "root:" not in json.dumps(out)
    assert _digest(any_store) == before


def test_bowtie_and_nan_geometries_are_repaired_or_dropped_and_reported(tmp_path, any_store, capsys) -> None:
    path = F.polygons(tmp_path)
    report = validate(path, new_layer=True)
    assert report.exit_code == 0
    by_key = {p.key: p.row for p in report.problems}
    assert by_key == {"import.repaired": 2, "import.nonfinite_geometry": 3}
    assert len(report.frame) == 2 and report.frame.geometry.is_valid.all()


def test_blocking_problems_name_their_row_and_field_and_store_nothing(tmp_path, any_store, units, capsys) -> None:
    frame = F.truth_frame()
    frame.loc[1, "TRANG_THAI"] = "Đã xong rồi"  # not a status of the catalog
    frame.loc[3, "MA_VV"] = "DL-01"  # duplicate business key
    frame = frame.drop(columns=["NGAY"])  # a required column missing
    path = F.shapefile(tmp_path, frame=frame)
    before = _digest(any_store)
    code = main(["import", str(path), "--layer", "land_disputes", "--store", str(any_store), "--user", "lan"])
    out = capsys.readouterr().out
    assert code == 1
    assert "dòng 2, cột TRANG_THAI" in out and "Đã xong rồi" in out
    assert "dòng 1, cột dispute_id" in out and "dòng 4, cột dispute_id" in out and "DL-01" in out
    assert "Ngày phát sinh" in out  # the missing required column, by its label
    assert _digest(any_store) == before


def test_validate_exit_codes_and_json(tmp_path, capsys) -> None:
    good = F.shapefile(tmp_path / "a")
    assert main(["validate", str(good), "--layer", "land_disputes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["crs"] == "EPSG:9215" and out["encoding"] == "cp1258" and out["features"] == 5
    assert out["mapping"]["TRANG_THAI"] == "status"
    # --encoding overrides detection: forced wrong, the names no longer match communes, and the preview shows why
    assert main(["validate", str(good), "--layer", "land_disputes", "--encoding", "tcvn3"]) == 1
    out = capsys.readouterr().out
    assert "Thị trấn Đình Lập" not in out and "không phải xã, thị trấn của Đình Lập" in out
    assert main(["validate", str(F.csv_vn2000(tmp_path / "b"))]) == 2
    assert "--crs" in capsys.readouterr().out


def test_import_replaces_the_layer_remembers_the_mapping_and_rolls_back(tmp_path, any_store, units) -> None:
    path = F.shapefile(tmp_path, crs="EPSG:9215")
    frame = F.truth_frame().rename(columns={"TRANG_THAI": "TT_VV"})
    odd = F.shapefile(tmp_path / "odd", frame=frame)
    report = validate(odd, layer="land_disputes", units=units)
    assert [p.key for p in report.errors] == ["import.missing_column"]  # the odd column name is not guessed
    mapping = {**report.mapping, "TT_VV": "status"}
    report = validate(odd, layer="land_disputes", units=units, mapping=mapping)
    before = Store(any_store).read("land_disputes")
    stamp = "2099-01-01"
    import geo.store.edit as edit_mod

    now = edit_mod._now()
    assert commit(any_store, report, "lan", layer="land_disputes") == 5
    s = Store(any_store)
    after = s.read("land_disputes")
    assert sorted(after["dispute_id"]) == [r[0] for r in F.TRUTH]
    assert s.meta()["land_disputes"].demo is False  # real data now: no demo flag on this layer
    assert remembered_mapping(any_store, "land_disputes")["TT_VV"] == "status"
    again = validate(odd, layer="land_disputes", units=units, remembered=remembered_mapping(any_store, "land_disputes"))
    assert again.exit_code == 0  # the mapping is remembered for the layer
    del path, stamp
    assert_sound(any_store)
    log = Store(any_store).read("audit_log")
    n = ((log.field == "*") & log.reason.str.startswith("import ")).sum()
    assert n == len(before) + 5  # one row per feature removed and per feature added
    # the spatial index follows: a query through it finds the new points
    assert found_in_box(any_store, "land_disputes", (107.0, -90.0, 107.3, 90.0)) == 5
    # What changed reads an import as one counted batch, not thousands of rows read back.
    from geo.store.changelog import changes_since, whole_feature_batches

    (batch,) = whole_feature_batches(any_store, now)
    assert (batch.layer, batch.user, batch.count, batch.added) == ("land_disputes", "lan", len(before) + 5, 5)
    assert sorted(set(batch.features)) == sorted({*before["dispute_id"], *(r[0] for r in F.TRUTH)})
    assert changes_since(any_store, now, whole_features=False) == []
    assert whole_feature_batches(any_store, now, list_up_to=3)[0].features == ()  # too many to list
    rollback_to(any_store, now, "admin")
    restored = Store(any_store).read("land_disputes")
    assert sorted(restored["dispute_id"]) == sorted(before["dispute_id"])
    assert (
        restored.set_index("dispute_id")
        .geometry.sort_index()
        .geom_equals(before.set_index("dispute_id").geometry.sort_index())
        .all()
    )


def test_append_refuses_keys_already_in_the_layer(tmp_path, any_store, units) -> None:
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(any_store, report, "lan", layer="land_disputes", mode="replace")
    before = _digest(any_store)
    from geo.store.changelog import EditError

    with pytest.raises(EditError) as err:
        commit(any_store, report, "lan", layer="land_disputes", mode="append")
    assert "DL-0" in err.value.message("vi")
    assert _digest(any_store) == before


def test_a_new_overlay_layer_appears_in_the_catalog_map_and_exports(tmp_path, any_store, capsys) -> None:
    path = F.polygons(tmp_path)
    code = main(
        ["import", str(path), "--new-layer", "khu_dat_so_tnmt", "--title", "Khu đất (Sở TN&MT)",
         "--store", str(any_store), "--user", "lan"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    s = Store(any_store)
    assert s.overlays == ("khu_dat_so_tnmt",)
    spec = s.catalog["khu_dat_so_tnmt"]
    assert "khu_dat_so_tnmt" not in CATALOG  # the store's own: opening it changed nothing process-wide
    assert spec.title("vi") == "Khu đất (Sở TN&MT)" and spec.geometry == "Polygon"
    assert [f.vi for f in spec.fields][1:3] == ["MA_KHU", "MA_XA"]  # the file's own column names as labels
    out = tmp_path / "out.geojson"
    assert main(["export", str(out), "--store", str(any_store), "--layers", "khu_dat_so_tnmt"]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    texts = json.dumps(exported, ensure_ascii=False)
    assert "Đã bàn giao về địa phương" in texts and "K1" in texts and "K3" not in texts  # K3 had a NaN vertex
    from geo.webmap.mapview import MapState, feature_collection, legend_blocks

    frames = {"khu_dat_so_tnmt": s.read("khu_dat_so_tnmt")}
    drawn = feature_collection(spec, frames["khu_dat_so_tnmt"], "vi")["features"]  # what the map sends the browser
    assert [f["properties"]["_tip"][0][1] for f in drawn] == ["K1", "K2"]
    assert {f["properties"]["_c"] for f in drawn} == {spec.paint.color}
    assert [b.title for b in legend_blocks(frames, MapState(tuple(frames)), s.catalog)] == ["Khu đất (Sở TN&MT)"]
    assert (
        main(["import", str(path), "--new-layer", "khu_dat_so_tnmt", "--store", str(any_store), "--user", "lan"]) == 1
    )


def test_moving_a_point_is_audited_keeps_the_index_and_rolls_back(any_store) -> None:
    import geo.store.edit as edit_mod

    d = Store(any_store).read("land_disputes").iloc[0]
    now = edit_mod._now()
    row = move_point(any_store, "land_disputes", d.dispute_id, 107.2, 21.6, "lan", "GPS đo lại")
    assert row.field == "geom" and row.new == "POINT (107.20000000 21.60000000)"
    moved = Store(any_store).read("land_disputes").set_index("dispute_id").geometry[d.dispute_id]
    assert moved.equals_exact(Point(107.2, 21.6), 1e-9)
    assert_sound(any_store)
    assert found_in_box(any_store, "land_disputes", (107.1999, 21.5999, 107.2001, 21.6001)) == 1
    from geo.store.changelog import EditError

    with pytest.raises(EditError):
        move_point(any_store, "land_disputes", d.dispute_id, float("nan"), 21.6, "lan")
    rollback_to(any_store, now, "admin")
    back = Store(any_store).read("land_disputes").set_index("dispute_id").geometry[d.dispute_id]
    assert back.equals_exact(d.geometry, 1e-9)


def test_adding_a_point_is_audited_indexed_and_rolls_back(any_store) -> None:
    import geo.store.edit as edit_mod
    from geo.store.changelog import EditError
    from geo.store.edit import insert

    before = len(Store(any_store).read("land_disputes"))
    now = edit_mod._now()
    values = {"dispute_id": "TC-99", "unit_code": "06643", "kind": "Lấn chiếm", "area_ha": 1.5, "status": "open",
              "opened": "2024-05-02"}  # fmt: skip
    key = insert(any_store, "land_disputes", values, "lan", "Hộ dân báo", point=(107.21, 21.58))
    added = Store(any_store).read("land_disputes").set_index("dispute_id")
    assert key == "TC-99" and len(added) == before + 1
    assert added.geometry["TC-99"].equals_exact(Point(107.21, 21.58), 1e-9) and added.kind["TC-99"] == "Lấn chiếm"
    assert_sound(any_store)
    assert found_in_box(any_store, "land_disputes", (107.2099, 21.5799, 107.2101, 21.5801)) == 1
    digest = _digest(any_store)
    for bad in ({**values, "dispute_id": "TC-99"}, {**values, "dispute_id": "TC-98", "status": "không rõ"}):
        with pytest.raises(EditError):
            insert(any_store, "land_disputes", bad, "lan", point=(107.21, 21.58))
    with pytest.raises(EditError):  # outside Vietnam
        insert(any_store, "land_disputes", {**values, "dispute_id": "TC-97"}, "lan", point=(2.35, 48.85))
    with pytest.raises(EditError):  # a point layer needs a point
        insert(any_store, "land_disputes", {**values, "dispute_id": "TC-96"}, "lan")
    assert _digest(any_store) == digest  # refusals change nothing
    rollback_to(any_store, now, "admin")
    assert len(Store(any_store).read("land_disputes")) == before


def test_encodings_round_trip_every_vietnamese_letter() -> None:
    letters = "".join(sorted(vnenc._VIET_LETTERS))
    for enc in ("utf-8", "cp1258", "vni"):
        assert vnenc.decode(vnenc.encode(letters, enc), enc) == letters, enc
    lower = "".join(sorted({c.lower() for c in letters}))
    assert vnenc.decode(vnenc.encode(lower, "tcvn3"), "tcvn3") == lower


def test_kml_and_kmz_land_exactly(tmp_path, units) -> None:
    kml = tmp_path / "tranh_chap.kml"
    pyogrio.write_dataframe(F.truth_frame(), kml, driver="KML")
    kmz = tmp_path / "tranh_chap.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(kml, "doc.kml")
    for path, fmt in ((kml, "KML"), (kmz, "KMZ")):
        report = validate(path, layer="land_disputes", units=units)
        assert report.exit_code == 0, report.text()
        assert report.fmt == fmt and report.encoding == "utf-8"
        assert _metres_off(report.frame) < 0.01 and _names(report.frame, units) == TRUE_NAMES


def test_an_excel_sheet_typed_with_a_tcvn3_font_is_repaired(tmp_path, units) -> None:
    """Text typed with a .VnTime font is stored as Latin letters ("§×nh LËp"): it is recognised and converted."""
    import pandas as pd

    frame = F.truth_frame()
    sheet = pd.DataFrame(frame.drop(columns="geometry"))
    for c in ("TEN_XA", "LOAI", "TRANG_THAI"):
        sheet[c] = [vnenc.encode(v, "tcvn3").decode("cp1252", errors="replace") for v in sheet[c]]
    sheet.insert(0, "Kinh độ", [p.x for p in frame.geometry])
    sheet.insert(1, "Vĩ độ", [p.y for p in frame.geometry])
    path = tmp_path / "tranh_chap.xlsx"
    sheet.to_excel(path, index=False)
    assert "§×nh LËp" in sheet["TEN_XA"].iloc[0]
    report = validate(path, layer="land_disputes", units=units)
    assert report.exit_code == 0, report.text()
    assert report.encoding == "tcvn3" and "import.note_legacy_in_unicode" in report.notes
    assert _names(report.frame, units) == TRUE_NAMES and _metres_off(report.frame) < 0.01


def test_office_wording_blocks_once_per_value_with_its_rows_and_a_suggestion(tmp_path, units) -> None:
    path = F.forest_office_wording(tmp_path)
    report = validate(path, layer="forest_parcels", units=units)
    blocking = [p for p in report.errors if p.key.startswith("import.unmapped_value")]
    assert len(blocking) == 2  # one per distinct value, not one per row
    by_value = {dict(p.kwargs)["value"]: p for p in blocking}
    assert dict(by_value["Đã bàn giao"].kwargs)["n"] == "3" and by_value["Đã bàn giao"].row == 1
    assert "--values 'status:Đã bàn giao=handed_over'" in by_value["Đã bàn giao"].message("vi")
    assert "3 rows" in by_value["Đã bàn giao"].message("en")
    table = {(r.field, r.value): (r.rows, r.code, r.chosen) for r in report.values}
    assert table == {
        ("status", "Đã bàn giao"): (3, "handed_over", False),
        ("status", "Đã phê duyệt phương án"): (2, "plan_approved", False),
    }
    # The planner accepts the suggestions (the app's editor starts from them) and the file is clean.
    ok = validate(path, layer="forest_parcels", units=units, values=suggested_values(report.values))
    assert ok.exit_code == 0
    assert list(ok.frame["status"]) == ["handed_over", "handed_over", "plan_approved", "handed_over", "plan_approved"]
    # A planner's choice beats the suggestion; a code the layer does not have is not taken.
    mine = validate(
        path,
        layer="forest_parcels",
        units=units,
        values={"status": {"Đã bàn giao": "allocated", "Đã phê duyệt phương án": "nope"}},
    )
    assert [p.key for p in mine.errors] == ["import.unmapped_value"]
    assert list(mine.frame["status"])[:2] == ["allocated", "allocated"]


def test_values_on_the_command_line_are_remembered_for_the_next_file(tmp_path, any_store, capsys) -> None:
    path = F.forest_office_wording(tmp_path)
    base = ["import", str(path), "--layer", "forest_parcels", "--store", str(any_store), "--user", "lan"]
    before = _digest(any_store)
    assert main(base) == 1  # unmapped: blocked, nothing stored
    out = capsys.readouterr().out
    assert "“Đã bàn giao” (3 dòng)" in out and _digest(any_store) == before
    assert main([*base, "--values", "status:Đã bàn giao"]) == 2  # malformed: refused with its form
    assert "FIELD:FILE_VALUE=CODE" in capsys.readouterr().err
    values = ["--values", "status:Đã bàn giao=handed_over", "--values", "status:Đã phê duyệt phương án=plan_approved"]
    assert main([*base, *values]) == 0
    capsys.readouterr()
    from geo.store.ingest import remembered_values

    assert remembered_values(any_store, "forest_parcels") == {
        "status": {"Đã bàn giao": "handed_over", "Đã phê duyệt phương án": "plan_approved"}
    }
    again = F.forest_office_wording(tmp_path / "again", name="dot_2")
    assert main(["validate", str(again), "--layer", "forest_parcels", "--store", str(any_store)]) == 0
    assert "“Đã bàn giao” (3 dòng) → handed_over" in capsys.readouterr().out


# -- every national land-use code, and the usual wordings of a certificate's state ---------------------------
NATIONAL = {
    # the statistics codes (TT 27/2018, TT 28/2014): categories a land office's inventory file carries
    "TT27/2018": ["HNK", "LUA", "CHN", "LNP", "NNP", "PNN", "OCT", "CDG", "CSK", "CCC", "DSN", "CSD"],
    # the cadastral map's symbols (TT 25/2014) that the first list lacked
    "TT25/2014": [
        "TON",
        "SKK",
        "DBV",
        "DKV",
        "DDT",
        "DKH",
        "DXH",
        "DNG",
        "DSK",
        "SKT",
        "SKX",
        "DDL",
        "DRA",
        "DCK",
        "LMU",
    ],
    # the 2024 Land Law's categories, with TT 08/2024's codes
    "TT08/2024": ["CNT", "DMT", "DKT"],
}
TT25_ALL = [
    "LUC",
    "LUK",
    "LUN",
    "BHK",
    "NHK",
    "CLN",
    "RSX",
    "RPH",
    "RDD",
    "NTS",
    "LMU",
    "NKH",
    "ONT",
    "ODT",
    "TSC",
    "DTS",
    "DVH",
    "DYT",
    "DGD",
    "DTT",
    "DKH",
    "DXH",
    "DNG",
    "DSK",
    "CQP",
    "CAN",
    "SKK",
    "SKN",
    "SKT",
    "TMD",
    "SKC",
    "SKS",
    "SKX",
    "DGT",
    "DTL",
    "DNL",
    "DBV",
    "DKV",
    "DCH",
    "DDT",
    "DDL",
    "DRA",
    "DCK",
    "DSH",
    "TON",
    "TIN",
    "NTD",
    "SON",
    "MNC",
    "PNK",
    "BCS",
    "DCS",
    "NCS",
]


def test_every_land_type_code_of_the_three_generations_is_listed_with_its_standards_and_group(store) -> None:
    from geo.model.catalog import LAND_USE_GROUP, LAND_USE_IN

    assert set(TT25_ALL) <= {c for c, std in LAND_USE_IN.items() if "TT25/2014" in std}
    for std, codes in NATIONAL.items():
        assert all(std in LAND_USE_IN[c] for c in codes), std
    assert LAND_USE_GROUP["HNK"] == "agricultural" and LAND_USE_GROUP["TON"] == "non_agricultural"
    assert LAND_USE_GROUP["CSD"] == "unused" and LAND_USE_GROUP["CNT"] == "agricultural"
    # The code list travels in the store, each code citing its standards and the sources.
    table = store.read("land_use_codes").set_index("code")
    assert set(table.index) == set(LAND_USE_IN)
    assert table.loc["HNK", "standards"] == "TT28/2014; TT27/2018; LĐĐ2024; TT08/2024"
    assert (
        "Thông tư 27/2018/TT-BTNMT" in table.loc["HNK", "source"] and "Luật Đất đai 2024" in table.loc["HNK", "source"]
    )


def test_a_parcel_file_in_any_code_generation_imports_without_a_person_mapping_each_code(tmp_path, units) -> None:
    from geo.demo.synthetic import cadastral

    codes = [c for cs in NATIONAL.values() for c in cs]
    certs = ["Đã cấp GCN", "Chưa cấp GCNQSDĐ", "Đã cấp GCNQSD đất", "Đã cấp sổ đỏ", "Đang làm thủ tục cấp GCN"]
    office = cadastral(len(codes) * 2)
    office["LoaiDat"] = [codes[i % len(codes)] for i in range(len(office))]
    office["TinhTrang"] = [certs[i % len(certs)] for i in range(len(office))]
    path = F.shapefile(tmp_path, frame=office, name="thong_ke", encoding="utf-8", cpg=True)
    report = validate(path, layer="cadastral_parcels", units=units)
    assert report.exit_code == 0, [p.message("vi") for p in report.errors]
    stored = dict(zip(office["TinhTrang"], report.frame["cert_status"], strict=True))
    assert stored == {
        "Đã cấp GCN": "issued",
        "Chưa cấp GCNQSDĐ": "not_issued",
        "Đã cấp GCNQSD đất": "issued",
        "Đã cấp sổ đỏ": "issued",
        "Đang làm thủ tục cấp GCN": "in_progress",
    }
    assert list(report.frame["land_use"]) == list(office["LoaiDat"])
    # A truly unknown code still waits for a person, and the command line says how.
    office.loc[0, "LoaiDat"] = "XYZ"
    odd = validate(
        F.shapefile(tmp_path / "odd", frame=office, encoding="utf-8", cpg=True), "cadastral_parcels", units=units
    )
    (p,) = odd.errors
    assert p.key == "import.unmapped_value_no_hint" and "--values" in p.message("vi")


# -- values that mean what was typed: measures against the geometry, units against where features lie --------
def _office_parcels(units: gpd.GeoDataFrame, names: list[str], hectares: list[float]) -> gpd.GeoDataFrame:
    """Square parcels (VN-2000 / TM-3), one in each named 2024 unit's interior, their area given in hectares."""
    from shapely.geometry import box

    by_name = units.set_index("name")
    shapes, areas = [], []
    for name, ha in zip(names, hectares, strict=True):
        p = gpd.GeoSeries([by_name.geometry[name].representative_point()], crs=4326).to_crs(9215)[0]
        side = (ha * 10_000) ** 0.5
        shapes.append(box(p.x - side / 2, p.y - side / 2, p.x + side / 2, p.y + side / 2))
        areas.append(ha)
    return gpd.GeoDataFrame(
        {
            "MaXa": list(names),
            "SoTo": [7] * len(names),
            "SoThua": list(range(1, len(names) + 1)),
            "DienTich": areas,  # in hectares, as some land offices keep it
            "LoaiDat": ["RSX"] * len(names),
        },
        geometry=shapes,
        crs=9215,
    )


def test_a_hectare_column_is_recognised_and_measures_and_units_are_checked_against_the_geometry(
    tmp_path, any_store, units
) -> None:
    s = Store(any_store)
    communes = s.read("communes_2025")
    names = ["Xã Bắc Xa", "Xã Kiên Mộc", "Xã Lâm Ca", "Xã Đồng Thắng"]
    office = _office_parcels(units, names, [229.0, 12.5, 3.2, 40.0])
    office.loc[1, "DienTich"] = 15.0  # declared 20 % above what the parcel measures
    office.loc[2, "MaXa"] = "Xã Bắc Lãng"  # the parcel lies in Lâm Ca
    office.loc[3, "MaXa"] = "Xã Châu Sơn"  # Đồng Thắng's parcel, named by its commune of 1/7/2025
    path = F.shapefile(tmp_path, frame=office, crs="EPSG:9215", name="thua_ha", encoding="utf-8", cpg=True)
    report = validate(path, layer="cadastral_parcels", units=units, communes=communes)
    assert report.exit_code == 0, [p.message("vi") for p in report.errors]
    said = {(p.key, p.row): p.message("vi") for p in report.problems}
    assert said[("import.measure_unit", None)] == (
        "cột DienTich: Cột này ghi “Diện tích (m²)” theo ha, không theo m²: số ghi bằng khoảng 1/10000 lần diện tích, "
        "chiều dài đo từ hình (VN-2000 / TM-3 107°15′). Đã đổi sang m²."
    )
    assert "lệch 20%" in said[("import.measure_off", 2)] and "150.000 m²" in said[("import.measure_off", 2)]
    assert [r for k, r in said if k == "import.measure_off"] == [2]  # only the parcel 20 % off is listed
    assert said[("import.unit_mismatch", 3)] == (
        "dòng 3, cột MaXa: Tệp ghi “Xã Bắc Lãng” nhưng đối tượng nằm ở Xã Lâm Ca (đơn vị 2024), "
        "Xã Thái Bình (xã từ 1/7/2025)."
    )
    assert ("import.unit_2025", 4) in said and ("import.unit_mismatch", 4) not in said
    assert [r for k, r in said if k == "import.unit_mismatch"] == [3]
    frame = report.frame.set_index("parcel_no")
    assert frame.loc[4, "unit_code"] == "06643"  # stored under the 2024 unit it lies in, Đồng Thắng
    # Stored in m²: the 229-ha parcel reads 229 ha, not 0,02.
    assert commit(any_store, report, "lan", layer="cadastral_parcels", mode="append") == 4
    from geo.read.access import read_layer

    parcels = read_layer(Store(any_store), "cadastral_parcels", sensitive=True).set_index("parcel_code")
    first = parcels.loc[f"{units.set_index('name').code['Xã Bắc Xa']}-7-1"]
    assert first["area_m2"] == pytest.approx(2_290_000) and first["area_ha"] == pytest.approx(229.0)
