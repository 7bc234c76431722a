"""The demo dataset: facts kept exact, geometry schematic but sound, the build reproducible."""

from __future__ import annotations

import hashlib
import re
from itertools import combinations
from pathlib import Path

import pytest

from geo.demo.build import build_demo
from geo.model import crs
from geo.store.reads import DEFAULT_STORE, Store


def _metric(frame):
    return frame.to_crs(crs.VN2000_LANGSON)


def test_the_twelve_units_match_the_facts(store: Store, facts_units) -> None:
    units = store.read("units").set_index("code")
    assert sorted(units.index) == sorted(r["code"] for r in facts_units)
    for r in facts_units:
        u = units.loc[r["code"]]
        assert u["name"] == r["name"]
        assert u["population_2019"] == int(r["population_2019"])
        assert u["successor_2025"] == r["successor_2025"]
    assert units.population_2019.sum() == 28579


def test_partition_covers_the_district_without_overlaps(store: Store) -> None:
    district = _metric(store.read("district")).geometry.iloc[0]
    units = _metric(store.read("units"))
    total = units.area.sum()
    assert total == pytest.approx(district.area, rel=1e-4)
    assert units.union_all().symmetric_difference(district).area < 1e-4 * district.area
    for a, b in combinations(units.geometry, 2):
        assert a.intersection(b).area < 1.0  # m²: shared edges only


def test_each_unit_is_within_30_percent_of_its_published_area(store: Store) -> None:
    units = _metric(store.read("units"))
    ratio = units.area / 1e6 / units.approx_area_km2
    assert ratio.between(0.7, 1.3).all(), ratio.round(2).tolist()


def test_the_district_extent_is_the_published_one(store: Store) -> None:
    w, s, e, n = store.read("district").total_bounds
    assert 106.85 < w < 106.95 and 107.30 < e < 107.40 and 21.30 < s < 21.40 and 21.70 < n < 21.78


def test_ql4b_segments_tile_km18_to_km80(store: Store) -> None:
    seg = store.read("ql4b_segments").sort_values("km_from")
    assert seg.km_from.iloc[0] == 18 and seg.km_to.iloc[-1] == 80
    assert (seg.km_from.iloc[1:].to_numpy() == seg.km_to.iloc[:-1].to_numpy()).all()
    length = seg.km_to - seg.km_from
    assert length.between(1, 2).all()
    assert set(seg[seg.km_to <= 43].package) == {"7"} and set(seg[seg.km_from >= 43].package) == {"8"}
    assert seg.in_district.any() and not seg.in_district.all()  # only part of the road is in Đình Lập
    assert (seg.households_compensated <= seg.households_affected).all()
    assert seg.clearance_pct.between(0, 100).all()
    assert (seg[seg.clearance_status == "done"].clearance_pct == 100).all()


def test_segments_lie_on_the_route_and_stations_every_5_km(store: Store) -> None:
    route = _metric(store.read("ql4b_route")).geometry.iloc[0]
    seg = _metric(store.read("ql4b_segments"))
    assert seg.length.sum() == pytest.approx(route.length, rel=1e-3)
    stations = store.read("ql4b_stations")
    assert {"Km18", "Km20", "Km25", "Km80"} <= set(stations.label)
    assert (stations.km.iloc[1:] % 5 == 0).all()


def test_cluster_is_about_71_ha_in_xa_dinh_lap_beside_ql4b(store: Store) -> None:
    cluster = _metric(store.read("cluster_boundary"))
    assert cluster.area.iloc[0] / 1e4 == pytest.approx(71.4, rel=0.01)
    units = _metric(store.read("units")).set_index("code")
    assert cluster.geometry.iloc[0].intersection(units.loc["06628"].geometry).area > 0.9 * cluster.area.iloc[0]
    route = _metric(store.read("ql4b_route")).geometry.iloc[0]
    assert cluster.distance(route).iloc[0] < 500
    plots = store.read("cluster_plots")
    assert plots.resin_plant.any()
    assert plots.area_ha.sum() < 71.4


def test_forest_parcels_and_disputes_sit_in_their_communes(store: Store) -> None:
    units = store.read("units").set_index("code")
    parcels = store.read("forest_parcels")
    for p in parcels.itertuples():
        assert units.loc[p.unit_code].geometry.contains(p.geometry), p.parcel_id
    assert not any(a.intersects(b) for a, b in combinations(parcels.geometry, 2))
    disputes = store.read("land_disputes")
    assert disputes.geometry.apply(lambda g: parcels.contains(g).any()).all()
    # resolved date only when resolved, and never before the dispute opened
    res = disputes[disputes.status == "resolved"]
    assert (res.resolved > res.opened).all()
    assert (disputes[disputes.status != "resolved"].resolved.fillna("") == "").all()


def test_no_personal_names_in_disputes(store: Store) -> None:
    disputes = store.read("land_disputes")
    assert not {"name", "owner", "household", "ho_ten", "chu_ho"} & set(disputes.columns)


def test_dong_thang_meets_10_of_19_with_the_notices_weak_criteria_unmet(store: Store) -> None:
    ntm = store.read("ntm_commune")
    assert len(ntm) == 10 * 19  # the 10 communes; the two towns are not assessed on the commune criteria
    units = store.read("units").set_index("code")
    assert set(ntm.unit_code) == set(units.index[units.unit_type == "commune"])
    dt = ntm[ntm.unit_code == "06643"].set_index("criterion")
    assert dt.met.sum() == 10
    assert not dt.loc[[8, 11, 17], "met"].any()
    assert (dt.loc[[8, 11, 17], "source"] != "Minh họa").all()
    assert dt.target_year.iloc[0] == 2024


def test_district_criteria_transport_health_market_unmet(store: Store) -> None:
    d = store.read("ntm_district").set_index("criterion")
    assert len(d) == 9
    assert not d.loc[[2, 5, 6], "met"].any()
    assert d.loc[2, "name_vi"] == "Giao thông"


def test_everything_we_drew_is_flagged_demo(store: Store) -> None:
    meta = store.meta()
    for lid in store.layer_ids():
        if lid in ("layer_meta", "audit_log", "comments", "settings"):  # what people write in the app: no source
            continue
        assert lid in meta, lid
        assert meta[lid].demo == (lid not in {"indicators", "indicator_series", "ntm_criteria", "land_use_codes"}), lid
        assert meta[lid].source and meta[lid].licence and meta[lid].as_of == "2024-04-24"
        if lid in store.catalog and store.catalog[lid].is_spatial:  # each feature carries its own flag
            assert set(store.read(lid)["demo"]) == {1}, lid


def test_the_land_use_codes_cite_their_legal_source(store: Store) -> None:
    codes = store.read("land_use_codes").set_index("code")
    assert codes.loc["RSX", "name_vi"] == "Đất rừng sản xuất" and codes.loc["RSX", "group"] == "agricultural"
    assert codes.loc["ONT", "group"] == "non_agricultural" and codes.loc["DCS", "group"] == "unused"
    assert codes["source"].str.contains("Thông tư 25/2014/TT-BTNMT").all()
    assert "Thông tư 25/2014/TT-BTNMT" in store.meta()["cadastral_parcels"].source
    parcels = store.read("cadastral_parcels")
    assert set(parcels["land_use"]) <= set(codes.index)
    assert parcels["owner"].str.startswith("Hộ minh họa").all()  # no real person's name in the demo


def test_the_build_is_deterministic_and_the_checked_in_store_is_current(tmp_path: Path) -> None:
    a = build_demo(tmp_path / "a.gpkg")
    b = build_demo(tmp_path / "b.gpkg")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b, DEFAULT_STORE)]
    assert digest[0] == digest[1], "two builds differ"
    assert digest[0] == digest[2], "data/dinhlap.gpkg is stale: run `make demo` and commit it"


def test_the_store_needs_nothing_outside_the_project() -> None:
    src = Path(__file__).resolve().parents[2] / "geo" / "demo" / "build.py"
    assert not re.search(r"shared[/\\]", src.read_text(encoding="utf-8"))


def test_towns_are_not_assessed_and_public_recognitions_show_with_their_decision(store: Store) -> None:
    from geo.read.access import read_layer

    units = read_layer(store, "units", sensitive=False).set_index("code")
    towns = units[units.unit_type == "town"]
    assert list(towns.index) == ["06613", "06616"] and set(towns.ntm_class) == {"not_assessed"}
    assert towns.ntm_met.isna().all()
    assert "2165/QĐ-UBND ngày 31/10/2018" in units.loc["06622", "ntm_recognition"]  # Bính Xá
    assert "105/QĐ-UBND ngày 26/1/2023" in units.loc["06646", "ntm_recognition"]  # Bắc Lãng, advanced
    assert "2015" in units.loc["06628", "ntm_recognition"]  # xã Đình Lập
