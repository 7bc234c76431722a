"""A whole store moves between a GeoPackage and PostGIS both ways, losslessly: layers, change log, views,
tasks, series, imported overlays and their records; the copy rewinds to any date like the original."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyogrio
import pytest
import shapely

from geo.command.cli import main
from geo.model.views import View, save_view
from geo.read import history
from geo.read.access import read_layer
from geo.store.edit import edit, insert, move_point, rollback_to, upsert_many
from geo.store.reads import Store
from geo.store.transfer import TransferError, copy_store, read_tables
from tests import import_files as F
from tests.conftest import assert_sound


def _busy_day(location: Path | str, tmp_path: Path) -> str:
    """Every kind of write a store takes, in the order a working day makes them; returns a moment between."""
    edit(location, "ql4b_segments", "QL4B-18-20", {"clearance_status": "done", "clearance_pct": 100.0}, "lan", "BB 1")
    move_point(location, "land_disputes", "TC-01", 107.2, 21.6, "lan", "GPS")
    insert(location, "accidents", _accident(), "lan", "Công an báo", point=(107.25, 21.55))
    view = View("hop-thu-hai", 9, "Họp thứ Hai", "Monday meeting", "giao_thong", ("ql4b_segments",), (107, 21, 108, 22))
    save_view(location, view, "lan")
    upsert_many(location, "indicator_series", [_point()], "lan", "Báo cáo quý II/2024")
    middle = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    code = main(
        ["import", str(F.polygons(tmp_path)), "--new-layer", "khu_dat_so_tnmt", "--title", "Khu đất (Sở TN&MT)",
         "--store", str(location), "--user", "lan"]
    )  # fmt: skip
    assert code == 0
    edit(location, "ntm_commune", "06631,1", {"met": False}, "lan", "Rà soát")
    return middle


def _accident() -> dict[str, object]:
    return {"acc_id": "TN-2024-99", "date": "2024-05-02", "unit_code": "06625", "deaths": 0, "injuries": 1,
            "severity": "injury", "road": "QL4B"}  # fmt: skip


def _point() -> dict[str, object]:
    return {"ind_id": "budget_revenue", "period": "2024-Q2", "period_end": "2024-06-30", "value": 41350.5,
            "target": 52480.0, "source": "Báo cáo quý II/2024", "demo": False}  # fmt: skip


def _same(a: Path | str, b: Path | str) -> None:
    """Every table of ``a`` and ``b``: the same names, columns, types, row ids, values and shapes."""
    left, right = read_tables(a), read_tables(b)
    assert [t.name for t in left] == [t.name for t in right]
    for x, y in zip(left, right, strict=True):
        assert (x.columns, x.types, x.fids, x.geometry_type) == (y.columns, y.types, y.fids, y.geometry_type), x.name
        assert x.rows == y.rows, x.name
        shapes = zip(shapely.from_wkb(x.shapes), shapely.from_wkb(y.shapes), strict=True) if x.shapes else []
        assert all(shapely.equals_exact(p, q, 0.0) for p, q in shapes), x.name


def test_a_working_day_goes_to_postgis_and_back_unchanged(tmp_path: Path, store_copy: Path, pg_cluster) -> None:
    middle = _busy_day(store_copy, tmp_path)
    server = pg_cluster.database()
    counts = copy_store(store_copy, server)
    assert counts["audit_log"] == len(Store(store_copy).read("audit_log")) > 0
    back = tmp_path / "back.gpkg"
    copy_store(server, back)
    _same(store_copy, back)
    _same(store_copy, server)
    assert_sound(server)
    assert_sound(back)
    # The snapshot is a GeoPackage QGIS opens, with the overlay the planner imported and its record.
    kinds = [dict(pyogrio.list_layers(p))["khu_dat_so_tnmt"] for p in (store_copy, back)]
    assert kinds[0] == kinds[1] and kinds[0] in ("Polygon", "MultiPolygon", "Unknown")
    assert Store(back).overlays == ("khu_dat_so_tnmt",) == Store(server).overlays
    # The time machine reads the same past on all three.
    when = history.moment(middle)
    for lid in ("ql4b_segments", "land_disputes", "accidents", "ntm_commune", "views", "indicator_series"):
        frames = [read_layer(Store(s), lid, True, as_of=when) for s in (store_copy, server, back)]
        assert frames[0].equals(frames[1]) and frames[0].equals(frames[2]), lid
    # And what was done on the server rolls back there like on the file.
    rollback_to(server, middle, "admin")
    assert "khu_dat_so_tnmt" in Store(server).layer_ids()  # a new layer stays (emptied), as on a GeoPackage
    assert len(Store(server).read("khu_dat_so_tnmt")) == 0
    assert bool(Store(server).read("ntm_commune").set_index(["unit_code", "criterion"]).met[("06631", 1)])


def test_work_done_on_postgis_reads_back_the_same_from_its_geopackage_snapshot(tmp_path: Path, pg_cluster, pg_notice):
    server = pg_cluster.database(template=pg_notice)
    before = Store(server).version
    _busy_day(server, tmp_path)
    assert Store(server).version != before  # the database's own counter: every replica's cache key
    laptop = tmp_path / "phong-hop.gpkg"
    assert main(["copy-store", server, str(laptop)]) == 0  # the meeting room's snapshot, one command
    _same(server, laptop)
    for lid in Store(server).layer_ids():
        a, b = Store(server).read(lid), Store(laptop).read(lid)
        assert a.equals(b), lid


def test_copying_onto_a_store_needs_replace_and_a_failed_copy_leaves_the_target_as_it_was(
    tmp_path: Path, store_copy: Path, pg_cluster, pg_notice, capsys
) -> None:
    server = pg_cluster.database(template=pg_notice)
    edit(server, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 55.0}, "lan")
    with pytest.raises(TransferError):
        copy_store(store_copy, server)
    assert main(["copy-store", str(store_copy), server]) == 2
    assert "--replace" in capsys.readouterr().err
    assert Store(server).read("ql4b_segments").set_index("seg_id").clearance_pct["QL4B-18-20"] == 55.0
    assert main(["copy-store", str(store_copy), str(store_copy)]) == 2  # never over its own source
    assert main(["copy-store", str(tmp_path / "none.gpkg"), str(tmp_path / "x.gpkg")]) == 2
    version = Store(server).version
    assert main(["copy-store", str(store_copy), server, "--replace"]) == 0
    assert Store(server).version != version  # replicas see the replaced store at once
    _same(store_copy, server)


def test_a_postgis_store_that_does_not_answer_is_said_plainly(pg_cluster, pg_notice) -> None:
    from geo.store.changelog import EditError
    from geo.store.reads import StoreError

    gone = pg_cluster.url("khong_co_csdl")
    with pytest.raises(StoreError) as err:
        Store(gone)
    # The server answered: a database that does not exist is refused, said as such (not "did not answer").
    assert "từ chối đăng nhập" in err.value.message("vi") and "khong_co_csdl" in err.value.message("vi")
    assert "refused the sign-in" in err.value.message("en")
    with pytest.raises(EditError) as edit_err:
        edit(gone, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 1.0}, "lan")
    assert "chưa có gì được ghi" in edit_err.value.message("vi")
