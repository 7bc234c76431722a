"""The time machine: a layer as of any moment equals the layer as it was at that moment."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.importer import validate
from geo.read import history
from geo.read.access import read_layer
from geo.store.edit import edit, insert, move_point, rollback_to
from geo.store.ingest import commit
from geo.store.reads import DEFAULT_STORE, Store
from tests import import_files as F
from tests.conftest import NOTICE_STORE

LAYERS = ("ql4b_segments", "land_disputes", "ntm_commune")


def _now() -> str:
    time.sleep(0.002)  # two moments never share a microsecond of the log
    return history.stamp(dt.datetime.now(dt.UTC))


def _canonical(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """A frame compared by value: rows by key, geometry as rounded WKT, missing as None."""
    out = pd.DataFrame(frame.copy())
    if isinstance(frame, gpd.GeoDataFrame):
        wkt = [None if g is None or g.is_empty else shapely.to_wkt(g, rounding_precision=7) for g in frame.geometry]
        out = out.drop(columns="geometry").assign(geometry=wkt)
    out = out.astype(object).where(out.notna(), None)
    for c in out.columns:  # 20 and 20.0 are one value; the log keeps JSON numbers
        out[c] = [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in out[c]]
    return out.sort_values(key.split(",")).reset_index(drop=True)[sorted(out.columns)]


def _snapshot(store: Path) -> dict[str, pd.DataFrame]:
    s = Store(store)
    return {lid: _canonical(s.read(lid), s.catalog[lid].key) for lid in LAYERS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_intermediate_moment_reads_back_exactly(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = tmp_path / "s.gpkg"
    shutil.copy(DEFAULT_STORE, store)
    units = Store(store).read("units")
    moments = [(_now(), _snapshot(store))]
    segments = list(Store(store).read("ql4b_segments").seg_id)
    added = 0
    for step in range(24):
        op = rng.choice(["edit", "edit", "move", "insert", "import", "rollback", "criteria"])
        disputes = list(Store(store).read("land_disputes").dispute_id)
        if op == "edit":
            seg = rng.choice(segments)
            edit(store, "ql4b_segments", seg, {"clearance_pct": rng.randint(0, 100)}, "lan", f"bước {step}")
        elif op == "criteria":
            unit = rng.choice(sorted(set(Store(store).read("ntm_commune").unit_code)))
            met = rng.choice([True, False])
            change = {"met": met, "year_met": rng.choice([2024, 2025]) if met else None}
            edit(store, "ntm_commune", f"{unit},{rng.randint(1, 19)}", change, "lan")
        elif op == "move" and disputes:
            move_point(
                store, "land_disputes", rng.choice(disputes), 107.0 + rng.random() / 3, 21.4 + rng.random() / 3, "lan"
            )
        elif op == "insert":
            added += 1
            values = {"dispute_id": f"TC-R{seed}{added:02d}", "kind": "Lấn chiếm", "area_ha": 1.0, "status": "open",
                      "opened": "2025-01-02", "unit_code": "06643", "parties": "Hộ A"}  # fmt: skip
            insert(store, "land_disputes", values, "lan", point=(107.1 + rng.random() / 10, 21.5))
        elif op == "import":
            report = validate(F.shapefile(tmp_path / f"shp{step}"), layer="land_disputes", units=units)
            commit(store, report, "lan", layer="land_disputes", mode="replace")
        elif op == "rollback" and len(moments) > 2:
            rollback_to(store, rng.choice(moments[1:-1])[0], "lan")
        moments.append((_now(), _snapshot(store)))
    s = Store(store)
    assert len(s.read("audit_log")) > 24  # the log grew: the test exercised it
    now = {lid: s.read(lid) for lid in LAYERS}  # what every moment is rebuilt from (the store no longer changes)
    for when, expected in moments:
        for lid in LAYERS:
            got = history.as_of(store, lid, s.catalog[lid], now[lid].copy(), dt.datetime.fromisoformat(when))
            pd.testing.assert_frame_equal(_canonical(got, s.catalog[lid].key), expected[lid], check_dtype=False)


def test_a_reader_at_a_date_sees_the_layer_and_its_derived_fields_then(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    s = Store(store)
    before = read_layer(s, "units", sensitive=True)
    met_before = int(before.set_index("code").loc["06643", "ntm_met"])
    edit(store, "ntm_commune", "06643,8", {"met": True, "year_met": 2025}, "lan", ts="2025-06-01T03:00:00.000000+00:00")
    s = Store(store)
    now = read_layer(s, "units", sensitive=True).set_index("code")
    then = read_layer(s, "units", sensitive=True, as_of=history.moment("2025-05-31")).set_index("code")
    assert int(now.loc["06643", "ntm_met"]) == met_before + 1
    assert int(then.loc["06643", "ntm_met"]) == met_before


def test_moments_are_read_as_vietnam_time_and_a_date_is_its_whole_day() -> None:
    assert history.moment("2025-07-01") > history.moment("2025-07-01T23:59")
    assert history.moment("2025-07-01T07:00") == history.moment("2025-07-01T00:00Z")
    assert history.moment("2025-07-01T00:00+07:00") == history.moment("2025-06-30T17:00:00Z")
    with pytest.raises(ValueError):
        history.moment("1/7/2025")


# -- the shipped store's history agrees with every public fact (shared FACTS.md, "Since the notice") --------------
@pytest.fixture(scope="module")
def shipped() -> Store:
    return Store(DEFAULT_STORE)


def _at(store: Store, layer: str, day: str) -> pd.DataFrame:
    return read_layer(store, layer, sensitive=True, as_of=history.moment(day))


def test_as_of_the_notice_the_shipped_store_is_the_notice_state(shipped: Store) -> None:
    notice = Store(NOTICE_STORE)
    for lid in ("ql4b_segments", "land_disputes", "ntm_commune", "tasks"):
        key = notice.catalog[lid].key
        then = _canonical(_at(shipped, lid, "2024-04-24"), key)
        now = read_layer(notice, lid, sensitive=True)
        pd.testing.assert_frame_equal(then, _canonical(now, key), check_dtype=False)


def test_ql4b_site_fully_handed_over_on_26_3_2025_and_opened_on_19_12_2025(shipped: Store) -> None:
    before, after = _at(shipped, "ql4b_segments", "2025-03-25"), _at(shipped, "ql4b_segments", "2025-03-26")
    assert (before.clearance_status != "done").any() and (before.clearance_pct < 100).any()
    assert (after.clearance_status == "done").all() and (after.clearance_pct == 100).all()
    assert (after.households_compensated == after.households_affected).all()
    pct = [_at(shipped, "ql4b_segments", d).clearance_pct.mean() for d in ("2024-04-24", "2024-08-01", "2024-11-01")]
    assert pct == sorted(pct) and pct[0] < pct[-1] < 100  # clearance progressed between the meetings
    assert (_at(shipped, "ql4b_segments", "2025-12-18").construction_status != "done").any()
    assert (_at(shipped, "ql4b_segments", "2025-12-19").construction_status == "done").all()


def _standing(store: Store, day: str) -> pd.Series:
    units = _at(store, "units", day).set_index("code")
    return units[units.unit_type == "commune"].ntm_met


def test_nine_of_ten_communes_by_30_11_2024_and_dong_thang_by_the_end_of_2024(shipped: Store) -> None:
    assert int(_standing(shipped, "2024-04-24")["06643"]) == 10  # the notice: Đồng Thắng 10/19
    nov = _standing(shipped, "2024-11-30")
    assert len(nov) == 10 and int((nov == 19).sum()) == 9 and int(nov["06643"]) < 19
    assert (_standing(shipped, "2024-12-31") == 19).all()


# Every dated fact of shared FACTS.md's new-rural and QL4B sections ("New-rural criteria", "National Road 4B",
# "Since the notice"), typed here from that file, each with the day the store must show it. A fact dated before the
# notice is checked on the notice's day (the store's history starts there) and at every later date we test.
DAYS = ("2024-04-24", "2024-08-01", "2024-11-30", "2024-12-31", "2025-03-26", "2025-06-30", "2025-07-01", "2025-12-19")
RECOGNISED = {  # unit: (the public decision, as its row and the unit's record cite it; re-assessed 2021–2025?)
    "06628": ("7/12/2015", False),  # xã Đình Lập, appraised 7/12/2015
    "06622": ("2165/QĐ-UBND ngày 31/10/2018", False),  # Bính Xá
    "06646": ("105/QĐ-UBND ngày 26/1/2023", True),  # Bắc Lãng, advanced standard for 2022
}


def _criteria(store: Store, day: str) -> pd.DataFrame:
    return _at(store, "ntm_commune", day)


@pytest.mark.parametrize("day", [d for d in DAYS if d >= "2024-04-24"])
def test_communes_recognised_before_the_notice_stand_recognised_with_their_decision(shipped: Store, day) -> None:
    standing = _standing(shipped, day)
    ntm = _criteria(shipped, day)
    units = _at(shipped, "units", day).set_index("code")
    for code, (decision, reassessed) in RECOGNISED.items():
        assert int(standing[code]) == 19, (code, day)
        assert units.loc[code, "ntm_class"] == "standard", (code, day)
        assert decision in units.loc[code, "ntm_recognition"], code
        sources = set(ntm[ntm.unit_code == code].source)
        assert len(sources) == 1, sources
        (source,) = sources
        assert decision in source, (code, source)  # the row cites the recognition
        if reassessed:  # against the 2021–2025 set: said and cited, not demo
            assert "2021–2025" in source and not source.startswith("Minh họa"), source
        else:  # no public re-assessment: each criterion's value is demo, and the row says so
            assert source.startswith("Minh họa") and "2021–2025" in source, source


def test_the_notices_own_figures_stand_on_its_day(shipped: Store) -> None:
    """The notice (24/4/2024): Đồng Thắng 10/19 with criteria 8, 11, 17 unmet and 2024 its target; the district
    short of transport, health and the market.
    """
    ntm = _criteria(shipped, "2024-04-24")
    dt_ = ntm[ntm.unit_code == "06643"].set_index("criterion")
    assert int(dt_.met.sum()) == 10 and not dt_.loc[[8, 11, 17], "met"].any()
    assert (dt_.loc[[8, 11, 17], "source"] == "Thông báo mục 1, 2.10").all() and int(dt_.target_year.iloc[0]) == 2024
    district = _at(shipped, "ntm_district", "2024-04-24").set_index("criterion")
    assert not district.loc[[2, 5, 6], "met"].any()


def test_30_11_2024_nine_communes_and_the_district_at_4_of_9(shipped: Store) -> None:
    """Dân trí, 30/11/2024: 9 of the 10 communes at the standard, Đồng Thắng in progress; the district met 4 of its
    9 criteria, not transport, health–culture–education, economy, environment, living environment.
    """
    nov = _standing(shipped, "2024-11-30")
    assert sorted(nov.index[nov < 19]) == ["06643"]
    district = _at(shipped, "ntm_district", "2024-11-30").set_index("criterion")
    assert int(district.met.sum()) == 4
    unmet = set(district.name_vi[~district.met.astype(bool)])
    assert unmet == {"Giao thông", "Y tế – Văn hóa – Giáo dục", "Kinh tế", "Môi trường", "Chất lượng môi trường sống"}
    assert set(district.source[~district.met.astype(bool)]) <= {
        "Thông báo mục 2.5", "Thông báo mục 2.5 (chợ)", "Chưa đạt đến 30/11/2024 (báo Dân trí)"
    }  # fmt: skip


def test_every_commune_of_chau_son_at_the_standard_before_1_7_2025_and_no_district_recognition(shipped: Store) -> None:
    """Châu Sơn's source after the merger: all its former communes had reached the standard (so Đồng Thắng did,
    before 1/7/2025); no recognition of the district as a whole before the district level ended.
    """
    walk = shipped.read("unit_crosswalk")
    chau_son = set(walk.old_code[walk.new_code == "06637"])
    standing = _standing(shipped, "2025-06-30")
    assert chau_son & set(standing.index) and all(int(standing[c]) == 19 for c in chau_son & set(standing.index))
    for day in ("2025-06-30", "2025-12-19"):
        assert not _at(shipped, "ntm_district", day).met.astype(bool).all(), day


def test_ql4b_dated_facts_at_their_days(shipped: Store) -> None:
    """100% handed over by 26/3/2025; still in its final phase on 5/12/2025; technically open on 19/12/2025; since
    1/7/2025 its Đình Lập part runs through the new communes Đình Lập and Châu Sơn; packages 7 (Km18–43) and 8;
    land recovered from 984 households in Đình Lập and 818 in Lộc Bình.
    """
    assert (_at(shipped, "ql4b_segments", "2025-03-26").clearance_pct == 100).all()
    assert (_at(shipped, "ql4b_segments", "2025-12-05").construction_status != "done").any()
    assert (_at(shipped, "ql4b_segments", "2025-12-19").construction_status == "done").all()
    after = read_layer(shipped, "ql4b_segments", sensitive=True, as_of=history.moment("2025-07-01"), units="2025")
    assert set(after.unit_code[after.in_district.astype(bool)]) == {"06613", "06637"}  # xã Đình Lập, xã Châu Sơn
    seg = _at(shipped, "ql4b_segments", "2025-07-01")
    packages = seg.package.astype(str)
    assert set(packages[seg.km_to <= 43]) == {"7"} and set(packages[seg.km_from >= 43]) == {"8"}
    assert seg.km_from.min() == 18 and seg.km_to.max() == 80
    for day in ("2024-04-24", "2025-03-26"):  # land recovered on the main route: 984 households in Đình Lập, 818 in
        seg = _at(shipped, "ql4b_segments", day)  # Lộc Bình; all of them paid by the handover
        by_side = seg.groupby(seg.in_district.astype(bool)).households_affected.sum()
        assert (int(by_side[True]), int(by_side[False])) == (984, 818), day
    assert int(seg.households_compensated.sum()) == 1802


def test_every_change_in_the_history_is_flagged_demo_or_cites_its_source(shipped: Store) -> None:
    log = shipped.read("audit_log")
    assert len(log) > 300 and set(log.user) == {"demo"}
    cited = log.reason.str.contains("Báo Giao thông|Lao Động|Dân trí|Thông báo mục")
    assert (log.reason.str.contains("minh họa") | cited).all()  # demo, or a public fact with its source
    facts = {"26/3/2025": "Báo Giao thông", "19/12/2025": "Lao Động", "30/11/2024": "Dân trí"}
    for day, source in facts.items():
        assert log.reason.str.contains(day).any() and log.reason.str.contains(source).any()
    days = [history.local_day(ts) for ts in log.ts]
    assert min(days) > dt.date(2024, 4, 24) and max(days) <= dt.date(2026, 11, 29)


def test_the_2025_communes_are_composed_from_the_2024_units(shipped: Store) -> None:
    communes = shipped.read("communes_2025").set_index("code")
    assert dict(communes.name) == {
        "06613": "Xã Đình Lập", "06616": "Xã Thái Bình", "06625": "Xã Kiên Mộc", "06637": "Xã Châu Sơn"
    }  # fmt: skip
    area = communes.to_crs(9215).area / 1e6
    for code, published in communes.published_area_km2.items():  # schematic, within 3% of the published areas
        assert abs(area[code] - published) / published < 0.03, code
    units = shipped.read("units").to_crs(9215)
    assert abs(area.sum() - units.area.sum() / 1e6) < 1  # the same district, re-divided
    walk = shipped.read("unit_crosswalk")
    assert walk.groupby("old_code").share.sum().round(6).eq(1).all()
    assert set(walk.old_code[walk.old_code.duplicated()]) == {"06622", "06625"}  # Bính Xá and Kiên Mộc were split


def test_per_unit_figures_regroup_by_the_new_communes_and_keep_both_codes(shipped: Store) -> None:
    old = read_layer(shipped, "land_disputes", sensitive=True, units="2024")
    new = read_layer(shipped, "land_disputes", sensitive=True, units="2025")
    assert set(new.unit_code) <= {"06613", "06616", "06625", "06637"}
    assert (new.unit_code_2024.to_numpy() == old.unit_code.to_numpy()).all()
    assert (old.commune_2025.to_numpy() == new.unit_code.to_numpy()).all()
    whole = {"06628": "06613", "06619": "06625", "06634": "06637", "06643": "06637"}
    for o, n in zip(old.unit_code, new.unit_code, strict=True):
        assert o not in whole or whole[o] == n
    ntm = read_layer(shipped, "ntm_commune", sensitive=True, units="2025")  # criteria stay per 2024 commune
    assert ntm.unit_code.nunique() == 10 and set(ntm.commune_2025) == {"06613", "06616", "06625", "06637"}


# -- two dates side by side ---------------------------------------------------------------------------------
def test_deltas_between_the_notice_and_the_handover_say_what_moved(shipped: Store) -> None:
    from geo.read import compare

    tracked = ("ql4b_segments", "land_disputes", "ntm_commune")
    a = {lid: _at(shipped, lid, "2024-04-24") for lid in tracked}
    b = {lid: _at(shipped, lid, "2025-03-26") for lid in tracked}
    got = {d.key: d for d in compare.deltas(a, b, {"2024:06643": "Xã Đồng Thắng"})}
    assert got["compare.segments_handed_over"].a == 12 and got["compare.segments_handed_over"].b == 32
    assert got["compare.km_cleared"].change > 20
    assert got["compare.disputes_open"].text("vi").endswith("✓ TC-02")  # resolved 18/12/2024
    assert "Xã Đồng Thắng +9" in got["compare.criteria_met"].detail
    # Cường Lợi (demo) and the three recognised before the notice, then all ten
    assert got["compare.communes_at_standard"].text("en") == "Communes meeting all 19 criteria: 4 → 10 (+6)"
    changed = compare.changed(
        shipped.path, ["ql4b_segments"], history.moment("2024-04-24"), history.moment("2025-03-26")
    )
    notice = _at(shipped, "ql4b_segments", "2024-04-24")
    pending = {("ql4b_segments", k) for k in notice.seg_id[notice.clearance_status != "done"]}
    assert len(pending) == 20 and pending <= set(changed)  # every segment not yet handed over at the notice
    assert changed == compare.changed(
        shipped.path, ["ql4b_segments"], history.moment("2025-03-26"), history.moment("2024-04-24")
    )  # either order


def test_the_cli_prints_two_dates_on_one_sheet_with_one_legend(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from geo.command.cli import main

    out = tmp_path / "so-sanh.pdf"
    args = ["export", str(out), "--view", "roads", "--as-of", "2024-04-24", "--compare", "2025-03-26"]
    assert main([*args, "--store", str(DEFAULT_STORE)]) == 0
    pages = PdfReader(out).pages
    text = pages[0].extract_text()
    assert len(pages) == 1
    assert "Số liệu tại ngày 24/04/2024" in text and "Số liệu tại ngày 26/03/2025" in text
    assert "12 → 32" in text  # segments handed over, in the one legend
    assert "38,4 → 62,0 (+23,6 km)" in text  # what moved, in words
    assert "Dữ liệu minh họa" in text
    assert main(["export", str(tmp_path / "x.csv"), "--compare", "2025-03-26", "--store", str(DEFAULT_STORE)]) == 2


def test_a_layer_whose_shapes_did_not_move_keeps_its_rows_and_the_map_its_geometry(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    edit(store, "ql4b_segments", "QL4B-30-32", {"clearance_pct": 95}, "lan", ts="2025-01-01T00:00:00.000000+00:00")
    s = Store(store)
    then = history.as_of(store, "ql4b_segments", s.catalog["ql4b_segments"], s.read("ql4b_segments"),
                         history.moment("2024-12-31"))  # fmt: skip
    assert list(then.index) == list(s.read("ql4b_segments").index)  # same rows, same labels, same order
    assert then.set_index("seg_id").clearance_pct["QL4B-30-32"] == 60
    assert history.same_shapes(store, "ql4b_segments", history.moment("2024-12-31"))
    move_point(store, "land_disputes", "TC-01", 107.2, 21.6, "lan")
    assert not history.same_shapes(store, "land_disputes", history.moment("2024-12-31"))
