"""Shapes drawn or typed by planners: the geometry rules refuse what is wrong and say where; areas and
lengths are measured on the national grid; split and merge are one audited transaction each that a
rollback undoes and the time machine reads back. On a GeoPackage and on PostGIS (``any_store``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
from pyproj import Geod

from geo.read import history
from geo.store.changelog import EditError
from geo.store.changelog import history as feature_history
from geo.store.edit import ConflictError, edit, rollback_to
from geo.store.geometry_edit import (
    ShapeError,
    add_shape,
    check_shape,
    delete_shape,
    district_outline,
    from_grid,
    measure,
    merge,
    parse_shape,
    reshape,
    split,
    to_grid,
)
from geo.store.reads import Store
from tests.conftest import store_digest

# A square of about 200 m × 200 m inside the district (near the town of Đình Lập).
LON, LAT = 107.10, 21.55
D = 0.0019  # degrees: ~197 m of longitude, ~210 m of latitude at this latitude
SQUARE = shapely.Polygon([(LON, LAT), (LON + D, LAT), (LON + D, LAT + D), (LON, LAT + D)])


def _parcel(**over: object) -> dict[str, object]:
    return {
        "parcel_id": "LN-90",
        "unit_code": "06613",
        "area_ha": None,
        "decision": "QĐ 12/QĐ-UBND",
        "handover_date": "2025-05-01",
        "planned_use": "Khu tái định cư",
        "status": "handed_over",
        **over,
    }


def _row(path: Path | str, layer: str, key_field: str, key: str):
    frame = Store(path).read(layer)
    found = frame[frame[key_field] == key]
    return None if found.empty else found.iloc[0]


def test_area_and_length_are_measured_on_the_national_grid() -> None:
    m = measure(SQUARE)
    geod_area = abs(Geod(ellps="WGS84").geometry_area_perimeter(SQUARE)[0])
    assert m.area_ha == pytest.approx(geod_area / 1e4, rel=5e-4)  # the grid scale (k0 0.9999) is 0.02% on areas
    line = shapely.LineString([(LON, LAT), (LON + 0.01, LAT)])
    assert measure(line).length_km == pytest.approx(Geod(ellps="WGS84").geometry_length(line) / 1e3, rel=2e-4)


def test_each_rule_refuses_with_what_and_where() -> None:
    district = shapely.box(106.9, 21.4, 107.4, 21.8)
    bow = shapely.Polygon([(LON, LAT), (LON + D, LAT + D), (LON + D, LAT), (LON, LAT + D)])
    with pytest.raises(ShapeError) as crossed:
        check_shape(bow, "Polygon", district)
    assert crossed.value.message_key == "geom.self_intersection"
    assert f"{LON + D / 2:.4f}" in crossed.value.message("en")  # the crossing's longitude
    assert "tự cắt" in crossed.value.message("vi")
    sliver = shapely.Polygon([(LON, LAT), (LON + D, LAT), (LON + D, LAT + 0.000001), (LON, LAT + 0.000001)])
    with pytest.raises(ShapeError) as thin:
        check_shape(sliver, "Polygon", district)
    assert thin.value.message_key == "geom.sliver"
    out = shapely.box(107.35, 21.5, 107.45, 21.6)
    with pytest.raises(ShapeError) as outside:
        check_shape(out, "Polygon", district)
    assert outside.value.message_key == "geom.outside"
    assert "ha" in outside.value.message("en") and "107.4" in outside.value.message("en")
    with pytest.raises(ShapeError) as empty:
        check_shape(shapely.Polygon(), "Polygon", district)
    assert empty.value.message_key == "geom.empty"
    with pytest.raises(ShapeError):
        check_shape(shapely.Point(LON, LAT), "Polygon", district)
    assert check_shape(SQUARE, "Polygon", district) is SQUARE


def test_typed_coordinates_wkt_and_geojson_read_as_the_same_shape() -> None:
    grid = to_grid(SQUARE)
    # A surveyor's table: point number, X (northing), Y (easting), in VN-2000 / TM-3 107°15′.
    table = "\n".join(f"{i + 1}\t{y:.3f}\t{x:.3f}" for i, (x, y) in enumerate(list(grid.exterior.coords)[:-1]))
    typed = parse_shape(table, "Polygon")
    assert typed.equals_exact(SQUARE, 1e-7)
    # Lon/lat, lat first as people often write it, with decimal commas.
    latlon = "\n".join(f"{y:.7f}; {x:.7f}".replace(".", ",") for x, y in list(SQUARE.exterior.coords)[:-1])
    assert parse_shape(latlon, "Polygon").equals_exact(SQUARE, 1e-7)
    assert parse_shape(SQUARE.wkt).equals_exact(SQUARE, 1e-9)
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(SQUARE)}
    assert parse_shape(json.dumps(feature)).equals_exact(SQUARE, 1e-9)
    assert parse_shape(grid.wkt, crs="EPSG:9215").equals_exact(SQUARE, 1e-7)
    with pytest.raises(ShapeError) as bad:
        parse_shape("góc nhà ông Tám")
    assert bad.value.message_key == "geom.bad_line"


def test_a_drawn_parcel_is_saved_audited_with_its_area_filled_and_rolled_back(any_store: Path | str) -> None:
    before = store_digest(any_store)
    key = add_shape(any_store, "forest_parcels", _parcel(), SQUARE, "chuyen.vien", "Khu tái định cư mới")
    assert key == "LN-90"
    row = _row(any_store, "forest_parcels", "parcel_id", "LN-90")
    assert row.area_ha == pytest.approx(measure(SQUARE).area_ha, abs=1e-4)
    assert 3.9 < row.area_ha < 4.3
    assert row.geometry.equals_exact(SQUARE, 1e-8)
    assert row.demo == 0  # drawn by a planner: real
    log = feature_history(any_store, "forest_parcels", "LN-90")
    assert [r.field for r in log] == ["*"] and log[0].user == "chuyen.vien"
    # A typed area is kept as typed.
    add_shape(any_store, "forest_parcels", _parcel(parcel_id="LN-91", area_ha=5.0), SQUARE, "chuyen.vien")
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-91").area_ha == 5.0
    rollback_to(any_store, _before(log[0].ts), "admin")
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90") is None
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-91") is None
    assert store_digest(any_store) != before  # the rollback is itself audited


def test_a_resettlement_area_beside_ql4b_gets_its_hectares_and_a_rollback_removes_it(any_store: Path | str) -> None:
    """The layer made for it: a boundary drawn beside the road, its area left empty and filled on the national
    grid, a status planners change afterwards; on a GeoPackage and on PostGIS alike."""
    road = Store(any_store).read("ql4b_segments")
    line = to_grid(road[road.in_district.astype(bool)].geometry.iloc[3])
    middle = shapely.line_interpolate_point(line, 0.5, normalized=True)
    area = from_grid(line.buffer(110, single_sided=True).difference(line.buffer(10)).intersection(middle.buffer(80)))
    values = {"area_id": "TĐC-QL4B", "name": "Khu TĐC mới", "unit_code": "06613", "status": "planned"}
    key = add_shape(any_store, "resettlement_areas", {**values, "site_id": "TDC-02"}, area, "chuyen.vien")
    row = _row(any_store, "resettlement_areas", "area_id", key)
    assert row.area_ha == pytest.approx(measure(area).area_ha, abs=1e-4) and 0.5 < row.area_ha < 5
    assert row.site_id == "TDC-02" and row.demo == 0  # drawn by a planner: real, beside the demo boundaries
    edit(any_store, "resettlement_areas", key, {"status": "building"}, "chuyen.vien")
    log = feature_history(any_store, "resettlement_areas", key)
    assert [r.field for r in log] == ["*", "status"]
    rollback_to(any_store, _before(log[0].ts), "admin")
    assert _row(any_store, "resettlement_areas", "area_id", key) is None
    assert len(Store(any_store).read("resettlement_areas")) == 2  # the demo's two boundaries stay


def _before(ts: str) -> str:
    return (dt.datetime.fromisoformat(ts) - dt.timedelta(microseconds=1)).isoformat(timespec="microseconds")


def test_a_refused_shape_leaves_the_store_unchanged(any_store: Path | str) -> None:
    before = store_digest(any_store)
    bow = shapely.Polygon([(LON, LAT), (LON + D, LAT + D), (LON + D, LAT), (LON, LAT + D)])
    with pytest.raises(ShapeError):
        add_shape(any_store, "forest_parcels", _parcel(), bow, "chuyen.vien")
    outline = district_outline(any_store)
    assert outline is not None
    e = outline.bounds[2]
    with pytest.raises(ShapeError) as outside:
        add_shape(any_store, "forest_parcels", _parcel(), shapely.box(e - 0.001, LAT, e + 0.05, LAT + 0.01), "cv")
    assert outside.value.message_key == "geom.outside"
    with pytest.raises(EditError) as not_drawable:
        add_shape(any_store, "district", {"code": "x", "name": "x"}, SQUARE, "cv")
    assert not_drawable.value.message_key == "geom.not_drawable"
    assert store_digest(any_store) == before


def test_reshape_remeasures_refuses_stale_shapes_and_the_time_machine_reads_both(any_store: Path | str) -> None:
    add_shape(any_store, "forest_parcels", _parcel(), SQUARE, "chuyen.vien", ts="2025-05-01T01:00:00.000000+00:00")
    holed = SQUARE.difference(SQUARE.centroid.buffer(D / 4))
    reshape(
        any_store, "forest_parcels", "LN-90", holed, "chuyen.vien", "Cắt phần đất ở",
        expected_wkt=SQUARE.wkt, ts="2025-06-01T01:00:00.000000+00:00",
    )  # fmt: skip
    now = _row(any_store, "forest_parcels", "parcel_id", "LN-90")
    assert len(now.geometry.interiors) == 1
    assert now.area_ha == pytest.approx(measure(holed).area_ha, abs=1e-4)
    with pytest.raises(ConflictError):
        reshape(any_store, "forest_parcels", "LN-90", SQUARE, "other", expected_wkt=SQUARE.wkt)
    with pytest.raises(EditError) as read_only:
        reshape(any_store, "forest_parcels", "LN-90", None, "cv", values={"unit_code": "06616"})
    assert read_only.value.message_key == "edit.read_only"
    s = Store(any_store)
    then = history.as_of(any_store, "forest_parcels", s.catalog["forest_parcels"], s.read("forest_parcels"),
                         history.moment("2025-05-15"))  # fmt: skip
    old = then[then.parcel_id == "LN-90"].iloc[0]
    assert len(old.geometry.interiors) == 0 and old.area_ha == pytest.approx(measure(SQUARE).area_ha, abs=1e-4)
    delete_shape(any_store, "forest_parcels", "LN-90", "chuyen.vien")
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90") is None


def test_split_then_merge_each_one_transaction_undone_by_rollback(any_store: Path | str) -> None:
    add_shape(any_store, "forest_parcels", _parcel(status="plan_approved"), SQUARE, "cv",
              ts="2025-05-01T01:00:00.000000+00:00")  # fmt: skip
    cut = shapely.LineString([(LON + D / 3, LAT - D / 2), (LON + D / 3, LAT + 1.5 * D)])
    keys = split(any_store, "forest_parcels", "LN-90", cut, "chuyen.vien", "Tách thửa theo biên bản",
                 ts="2025-06-01T01:00:00.000000+00:00")  # fmt: skip
    assert keys == ["LN-90-1", "LN-90-2"]
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90") is None
    parts = [_row(any_store, "forest_parcels", "parcel_id", k) for k in keys]
    assert [p.status for p in parts] == ["plan_approved", "plan_approved"]  # attributes carried
    assert [p.decision for p in parts] == ["QĐ 12/QĐ-UBND"] * 2
    assert sum(p.area_ha for p in parts) == pytest.approx(measure(SQUARE).area_ha, abs=2e-4)
    assert parts[0].area_ha == pytest.approx(measure(SQUARE).area_ha / 3, rel=0.01)  # west third first
    with pytest.raises(ShapeError) as miss:
        split(any_store, "forest_parcels", "LN-90-1", shapely.LineString([(LON - 1, LAT - 1), (LON - 0.9, LAT)]), "cv")
    assert miss.value.message_key == "geom.split_miss"
    merged = merge(any_store, "forest_parcels", keys, "chuyen.vien", "Hợp thửa", ts="2025-07-01T01:00:00.000000+00:00")
    assert merged == "LN-90-1"
    whole = _row(any_store, "forest_parcels", "parcel_id", "LN-90-1")
    assert whole.geometry.area == pytest.approx(SQUARE.area, rel=1e-6)
    assert whole.area_ha == pytest.approx(measure(SQUARE).area_ha, abs=1e-4)
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90-2") is None
    # A parcel far away is not adjacent.
    with pytest.raises(ShapeError) as apart:
        merge(any_store, "forest_parcels", ["LN-90-1", "LN-01"], "cv")
    assert apart.value.message_key == "geom.not_adjacent"
    # The time machine: the parent before the split, the two parts between the split and the merge.
    s = Store(any_store)
    now = s.read("forest_parcels")
    spec = s.catalog["forest_parcels"]

    def keys_on(day: str) -> set[str]:
        then = history.as_of(any_store, "forest_parcels", spec, now, history.moment(day))
        return {k for k in then.parcel_id if str(k).startswith("LN-90")}

    assert keys_on("2025-05-15") == {"LN-90"}
    assert keys_on("2025-06-15") == {"LN-90-1", "LN-90-2"}
    assert keys_on("2025-07-15") == {"LN-90-1"}
    # Rolled back to between the split and the merge: the two parts again; before the split: the parent.
    rollback_to(any_store, "2025-06-15", "admin")
    assert {k: _row(any_store, "forest_parcels", "parcel_id", k) is not None for k in ["LN-90", *keys]} == {
        "LN-90": False, "LN-90-1": True, "LN-90-2": True,
    }  # fmt: skip
    rollback_to(any_store, "2025-05-15", "admin")
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90").geometry.equals_exact(SQUARE, 1e-8)
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90-1") is None


def test_a_line_gets_its_length_in_km(any_store: Path | str) -> None:
    road = shapely.LineString([(LON, LAT), (LON + 0.01, LAT + 0.002)])
    values = {
        "road_id": "GTNT-90", "name": "Đường vào khu tái định cư", "unit_code": "06613", "length_km": None,
        "cement_planned_t": 120.0, "cement_delivered_t": 0.0, "status": "on_track",
    }  # fmt: skip
    add_shape(any_store, "rural_roads", values, road, "chuyen.vien")
    row = _row(any_store, "rural_roads", "road_id", "GTNT-90")
    assert row.length_km == pytest.approx(measure(road).length_km, abs=1e-3)


# -- the script twin: python -m geo edit ---------------------------------------------------------------
def _edit(store: Path | str, *argv: str) -> int:
    from geo.command.cli import main

    return main(["edit", *argv, "--store", str(store)])


def test_the_script_twin_adds_splits_merges_and_refuses_with_exit_codes(
    any_store: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = to_grid(SQUARE)
    coords = ";".join(f"{x:.3f} {y:.3f}" for x, y in list(grid.exterior.coords)[:-1])
    wkt = shapely.Polygon([tuple(map(float, p.split())) for p in coords.split(";")]).wkt
    sets = ["--set", "unit_code=06613", "--set", "decision=QĐ 12", "--set", "handover_date=2025-05-01",
            "--set", "planned_use=Tái định cư", "--set", "status=handed_over"]  # fmt: skip
    assert _edit(any_store, "forest_parcels", "LN-90", "--add", *sets, "--geometry", wkt, "--crs", "EPSG:9215",
                 "--user", "cv", "--reason", "Số liệu đo đạc") == 0  # fmt: skip
    assert "LN-90" in capsys.readouterr().out
    row = _row(any_store, "forest_parcels", "parcel_id", "LN-90")
    assert row.geometry.equals_exact(SQUARE, 1e-7) and row.area_ha == pytest.approx(measure(SQUARE).area_ha, abs=1e-3)

    before = store_digest(any_store)
    bow = f"POLYGON (({LON} {LAT}, {LON + D} {LAT + D}, {LON + D} {LAT}, {LON} {LAT + D}, {LON} {LAT}))"
    assert _edit(any_store, "forest_parcels", "LN-90", "--geometry", bow, "--user", "cv") == 1
    err = capsys.readouterr().err
    assert "tự cắt" in err and "crosses itself" in err
    assert _edit(any_store, "forest_parcels", "LN-90", "--set", "status=allocated",
                 "--expect", "status=plan_approved", "--user", "cv") == 1  # fmt: skip
    assert _edit(any_store, "forest_parcels", "LN-90", "--set", "unit_code=06616", "--user", "cv") == 1
    assert _edit(any_store, "forest_parcels", "LN-90", "--add", "--delete", "--user", "cv") == 2
    assert _edit(any_store, "forest_parcels", "LN-90", "--geometry", "not a shape", "--user", "cv") == 2
    assert _edit(any_store, "no_such_layer", "X", "--set", "a=b", "--user", "cv") == 2
    assert _edit(any_store, "forest_parcels", "LN-90", "--set", "status=allocated") == 2  # no --user
    capsys.readouterr()
    assert store_digest(any_store) == before

    line = f"{LAT - D:.6f} {LON + D / 2:.6f}\n{LAT + 2 * D:.6f} {LON + D / 2:.6f}"  # typed lat lon
    assert _edit(any_store, "forest_parcels", "LN-90", "--split", line, "--user", "cv") == 0
    assert "LN-90-1, LN-90-2" in capsys.readouterr().out
    assert _edit(any_store, "forest_parcels", "LN-90-1", "--merge", "LN-90-2", "--user", "cv") == 0
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90-1").geometry.area == pytest.approx(SQUARE.area)
    assert _edit(any_store, "forest_parcels", "LN-90-1", "--delete", "--user", "cv") == 0
    assert _row(any_store, "forest_parcels", "parcel_id", "LN-90-1") is None


def test_a_planner_draws_into_a_layer_of_their_own(any_store: Path | str, tmp_path: Path) -> None:
    from geo.command.cli import main

    feats = [
        {"type": "Feature", "properties": {"TEN": "Mốc 1"}, "geometry": {"type": "Point", "coordinates": [LON, LAT]}}
    ]
    src = tmp_path / "moc.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    argv = [
        "import",
        str(src),
        "--new-layer",
        "moc_gioi",
        "--title",
        "Mốc giới",
        "--user",
        "cv",
        "--store",
        str(any_store),
    ]
    assert main(argv) == 0
    assert Store(any_store).overlays == ("moc_gioi",)
    key = add_shape(any_store, "moc_gioi", {"TEN": "Mốc 2"}, shapely.Point(LON + D, LAT), "cv")
    assert key == "2"
    rows = Store(any_store).read("moc_gioi")
    assert len(rows) == 2 and rows[rows.feature_no.astype(str) == "2"].iloc[0].geometry.equals(
        shapely.Point(LON + D, LAT)
    )
    reshape(any_store, "moc_gioi", "2", shapely.Point(LON + 2 * D, LAT), "cv", values={"TEN": "Mốc 2 (đo lại)"})
    row = Store(any_store).read("moc_gioi").set_index("feature_no").loc["2"]
    assert row.TEN == "Mốc 2 (đo lại)" and row.geometry.x == pytest.approx(LON + 2 * D)
