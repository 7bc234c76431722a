"""Edits are validated, atomic, audited in the same transaction, serialised, and can be rolled back: on a
GeoPackage and on PostGIS alike (``any_store`` runs each test on both)."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.edit import ConflictError, EditError, changes_since, edit, history, rollback_to
from geo.store import Store
from tests.conftest import assert_sound as _sound
from tests.conftest import store_digest as _digest

WORKER = Path(__file__).with_name("edit_worker.py")


def _segment(path: Path | str, seg_id: str):
    seg = Store(path).read("ql4b_segments")
    return seg[seg.seg_id == seg_id].iloc[0]


def test_an_edit_changes_the_store_and_writes_its_audit_rows(any_store: Path | str) -> None:
    before = Store(any_store).version
    assert _segment(any_store, "QL4B-18-20").clearance_status == "blocked"
    rows = edit(
        any_store,
        "ql4b_segments",
        "QL4B-18-20",
        {"clearance_status": "done", "clearance_pct": 100.0},
        user="chuyen.vien",
        reason="Biên bản bàn giao 15/5/2024",
    )
    assert [(r.field, r.new) for r in rows] == [("clearance_status", "done"), ("clearance_pct", 100.0)]
    seg = _segment(any_store, "QL4B-18-20")
    assert (seg.clearance_status, seg.clearance_pct) == ("done", 100.0)
    assert Store(any_store).version != before
    log = Store(any_store).read("audit_log")
    assert len(log) == 2 and set(log.user) == {"chuyen.vien"} and set(log.reason) == {"Biên bản bàn giao 15/5/2024"}
    assert [h.field for h in history(any_store, "ql4b_segments", "QL4B-18-20")] == [
        "clearance_status",
        "clearance_pct",
    ]
    assert edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 100.0}, user="x") == []  # no change


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"clearance_status": "xong"}, "không hợp lệ"),
        ({"clearance_pct": 140.0}, "từ 0 đến 100"),
        ({"clearance_pct": "nhiều"}, "không phải số"),
        ({"clearance_pct": float("nan")}, "không phải số"),
        ({"households_affected": 2.5}, "không phải số"),
        ({"in_district": "có"}, "Có hoặc Không"),
        ({"seg_id": "X"}, "không sửa được"),
        ({"no_such": 1}, "không có trường"),
        ({"clearance_status": None}, "không được để trống"),
        ({"cross_section": "x" * 5000}, "dài quá"),
    ],
)
def test_invalid_edits_are_refused_and_change_nothing(any_store: Path | str, changes, message) -> None:
    digest = _digest(any_store)
    with pytest.raises(EditError) as err:
        edit(any_store, "ql4b_segments", "QL4B-43-45", changes, user="u")
    assert message in err.value.message("vi") and err.value.message("en")
    assert _digest(any_store) == digest


def test_unknown_feature_layer_or_user_is_refused(any_store: Path | str) -> None:
    digest = _digest(any_store)
    for args in (
        ("ql4b_segments", "QL4B-99-99", {"clearance_pct": 1.0}, "u"),
        ("no_layer", "x", {"a": 1}, "u"),
        ("ql4b_segments", "QL4B-43-45", {"clearance_pct": 1.0}, ""),
    ):
        with pytest.raises(EditError):
            edit(any_store, *args[:3], user=args[3])
    assert _digest(any_store) == digest


def test_a_conflicting_edit_is_shown_not_overwritten(any_store: Path | str) -> None:
    seen = _segment(any_store, "QL4B-18-20").clearance_status
    edit(
        any_store,
        "ql4b_segments",
        "QL4B-18-20",
        {"clearance_status": "done"},
        user="a",
        expected={"clearance_status": seen},
    )
    digest = _digest(any_store)
    with pytest.raises(ConflictError) as err:  # b saw the old value too
        edit(
            any_store,
            "ql4b_segments",
            "QL4B-18-20",
            {"clearance_status": "in_progress"},
            user="b",
            expected={"clearance_status": seen},
        )
    assert "vừa được người khác sửa" in err.value.message("vi") and "done" in err.value.message("vi")
    assert _digest(any_store) == digest
    assert _segment(any_store, "QL4B-18-20").clearance_status == "done"


def test_rollback_to_a_moment_restores_values_and_is_itself_audited(any_store: Path | str) -> None:
    original = _segment(any_store, "QL4B-43-45")
    edit(any_store, "ql4b_segments", "QL4B-43-45", {"clearance_pct": 10.0}, user="a", ts="2024-05-01T00:00:00+00:00")
    edit(any_store, "ql4b_segments", "QL4B-43-45", {"clearance_pct": 20.0}, user="a", ts="2024-05-02T00:00:00+00:00")
    edit(
        any_store,
        "land_disputes",
        "TC-01",
        {"status": "resolved", "resolved": "2024-05-03"},
        user="b",
        ts="2024-05-03T00:00:00+00:00",
    )
    assert [c.field for c in changes_since(any_store, "2024-05-01T12:00:00")] == [
        "clearance_pct",
        "status",
        "resolved",
    ]
    assert rollback_to(any_store, "2024-05-01T12:00:00", user="admin") == 3
    assert _segment(any_store, "QL4B-43-45").clearance_pct == 10.0
    d = Store(any_store).read("land_disputes").set_index("dispute_id").loc["TC-01"]
    assert d.status == "open"
    assert d.resolved is None or d.resolved == "" or d.resolved != d.resolved  # empty again (NaN reads as empty)
    assert rollback_to(any_store, "2024-04-30", user="admin") >= 1
    assert _segment(any_store, "QL4B-43-45").clearance_pct == original.clearance_pct
    log = Store(any_store).read("audit_log")
    assert (log.reason.str.startswith("rollback to")).sum() >= 4


def test_three_concurrent_writers_lose_no_edit(any_store: Path | str) -> None:
    segs = ["QL4B-43-45", "QL4B-45-47", "QL4B-47-49"]
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(any_store), f"planner{k}", seg, "100"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for k, seg in enumerate(segs)
    ]
    for p in procs:
        assert p.wait(timeout=240) == 0, p.stderr.read().decode() if p.stderr else ""
    log = Store(any_store).read("audit_log")
    for k, seg in enumerate(segs):
        mine = log[log.user == f"planner{k}"]
        # 100 edits, each changing households_compensated (i differs every time) and clearance_pct except when equal
        assert (mine.field == "households_compensated").sum() == 100
        assert _segment(any_store, seg).households_compensated == 99
        assert _segment(any_store, seg).clearance_pct == 99.0
        assert len(mine) == len(mine.drop_duplicates(["reason", "field"]))  # no edit logged twice
    _sound(any_store)


def test_a_writer_killed_at_random_points_never_leaves_a_broken_or_half_written_store(any_store: Path | str) -> None:
    rnd = random.Random(7)
    for _ in range(20):
        p = subprocess.Popen(
            [sys.executable, str(WORKER), str(any_store), "killed", "QL4B-43-45", "100000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert p.stdout is not None
        p.stdout.readline()  # it has started writing
        time.sleep(rnd.uniform(0.0, 0.15))
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        _sound(any_store)
        store = Store(any_store)  # opens and reads
        seg = _segment(any_store, "QL4B-43-45")
        log = store.read("audit_log")
        last = log[(log.feature == "QL4B-43-45") & (log.field == "households_compensated")].iloc[-1]
        assert int(last.new) == int(seg.households_compensated)  # the table and its log agree: no half write


def test_the_rtree_helpers_read_geometry_bounds_like_shapely(store_copy: Path) -> None:
    from geo.db import _bounds, _st_is_empty

    con = sqlite3.connect(store_copy)
    for layer in ("units", "ql4b_segments", "land_disputes"):
        frame = Store(store_copy).read(layer)
        blobs = [r[0] for r in con.execute(f'SELECT geom FROM "{layer}" ORDER BY fid')]
        for blob, geom in zip(blobs, frame.geometry, strict=True):
            assert _st_is_empty(blob) == 0
            assert _bounds(blob) == pytest.approx(geom.bounds, abs=1e-9)
