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

from geo.model.catalog import CATALOG
from geo.model.values import is_empty, same_value
from geo.store import db
from geo.store.changelog import EditError, change_sets, changes_since, history, reason_text, whole_feature_batches
from geo.store.edit import (
    ConflictError,
    NeedsConfirm,
    edit,
    insert,
    normalise_empties,
    read_date,
    read_number,
    rollback_to,
    undo_change_set,
)
from geo.store.reads import Store
from tests.conftest import assert_sound as _sound
from tests.conftest import store_digest as _digest

WORKER = Path(__file__).resolve().parents[1] / "edit_worker.py"


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
        ({"clearance_pct": 140.0}, "phải trong khoảng 0–100 %"),
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


def test_a_save_that_breaks_a_rule_across_fields_is_refused_naming_both(any_store: Path | str) -> None:
    """More households paid than affected, a dispute resolved with no day: refused, nothing written."""
    affected = int(_segment(any_store, "QL4B-43-45").households_affected)
    digest = _digest(any_store)
    with pytest.raises(EditError) as err:
        edit(any_store, "ql4b_segments", "QL4B-43-45", {"households_compensated": affected + 1}, "u")
    said = err.value.message("vi")
    assert "'Hộ đã chi trả'" in said and "không thể lớn hơn 'Hộ bị ảnh hưởng'" in said
    assert "cannot be more than 'Households affected'" in err.value.message("en")
    open_case = Store(any_store).read("land_disputes").query("status != 'resolved'").dispute_id.iloc[0]
    with pytest.raises(EditError) as err:
        edit(any_store, "land_disputes", open_case, {"status": "resolved"}, "u")
    assert "Khi 'Tình trạng' là 'Đã giải quyết', cần nhập 'Ngày giải quyết xong'" in err.value.message("vi")
    assert _digest(any_store) == digest
    # With the day, or within the bound, the same saves go through.
    assert edit(any_store, "land_disputes", open_case, {"status": "resolved", "resolved": "2026-11-30"}, "u")
    assert edit(any_store, "ql4b_segments", "QL4B-43-45", {"households_compensated": affected - 1}, "u")


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
    said = err.value.message("vi")  # both values, who changed it, and when in Vietnam time
    assert "Đã bàn giao mặt bằng" in said and "Vướng mắc GPMB" in said and "a đã sửa" in said
    assert "giờ Việt Nam" in said and "chọn lại" in said
    assert [(c.field, c.seen, c.current, c.user) for c in err.value.conflicts] == [
        ("clearance_status", seen, "done", "a")
    ]
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
    assert (log.reason.str.startswith("rollback:")).sum() >= 4
    rolled = [r for r in log.reason if r.startswith("rollback")]
    assert all(reason_text(r, "vi").startswith("Khôi phục về thời điểm") for r in rolled)


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


def _writer_gone(location: Path | str, timeout: float = 30) -> None:
    """On a database server, wait until a killed writer's session has ended: a COMMIT it sent before it died is
    still carried out by the server (whole: the table and its log together), and a read started before that
    would see the store before it while a later one sees it after. A GeoPackage has no one writing for it."""
    if not db.is_postgis(location):
        return
    end = time.monotonic() + timeout
    with db.connect(location) as conn:
        while True:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'"
            ).fetchone()[0]
            if not busy:
                return
            assert time.monotonic() < end, f"{busy} sessions still busy on the store {timeout} s after the writer died"
            time.sleep(0.02)


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
        _writer_gone(any_store)
        _sound(any_store)
        store = Store(any_store)  # opens and reads
        seg = _segment(any_store, "QL4B-43-45")
        log = store.read("audit_log")
        last = log[(log.feature == "QL4B-43-45") & (log.field == "households_compensated")].iloc[-1]
        assert int(last.new) == int(seg.households_compensated)  # the table and its log agree: no half write


def test_the_rtree_helpers_read_geometry_bounds_like_shapely(store_copy: Path) -> None:
    from geo.store.db import _bounds, _st_is_empty

    con = sqlite3.connect(store_copy)
    for layer in ("units", "ql4b_segments", "land_disputes"):
        frame = Store(store_copy).read(layer)
        blobs = [r[0] for r in con.execute(f'SELECT geom FROM "{layer}" ORDER BY fid')]
        for blob, geom in zip(blobs, frame.geometry, strict=True):
            assert _st_is_empty(blob) == 0
            assert _bounds(blob) == pytest.approx(geom.bounds, abs=1e-9)


# -- edits that save, and never undo a colleague's -----------------------------------------------------------


def _set_raw(location: Path | str, table: str, key_field: str, key: str, field: str, value: object) -> None:
    """Write a value behind the app's back, as an earlier version or another tool did."""
    with db.connect(location) as conn:
        conn.write(lambda: conn.execute(f'UPDATE "{table}" SET "{field}" = ? WHERE "{key_field}" = ?', (value, key)))


def test_two_planners_on_one_feature_keep_both_changes_to_different_fields(any_store: Path | str) -> None:
    shown = _segment(any_store, "QL4B-18-20")  # both opened the segment: what their forms showed
    edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_status": "done"}, "a", "",
         {"clearance_status": shown.clearance_status})  # fmt: skip
    rows = edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 55.5}, "b", "",
                {"clearance_pct": shown.clearance_pct})  # fmt: skip
    assert [r.field for r in rows] == ["clearance_pct"]  # b's untouched status is never written back
    seg = _segment(any_store, "QL4B-18-20")
    assert (seg.clearance_status, seg.clearance_pct) == ("done", 55.5)


def test_empty_and_null_are_one_empty_in_conflict_checks(any_store: Path | str) -> None:
    # An open dispute whose resolution date an earlier version stored as '': saving its status alone
    # against the empty the form showed (None) is no conflict, and writes the status only.
    _set_raw(any_store, "land_disputes", "dispute_id", "TC-03", "resolved", "")
    rows = edit(any_store, "land_disputes", "TC-03", {"status": "mediating"}, "a", "",
                {"status": "open", "resolved": None})  # fmt: skip
    assert [(r.field, r.new) for r in rows] == [("status", "mediating")]
    # writing empty over '' changes nothing, and writes no log row
    assert edit(any_store, "land_disputes", "TC-03", {"resolved": None}, "a", "", {"resolved": ""}) == []
    assert same_value("", None) and same_value(None, float("nan")) and not same_value("", 0)


def _filled(spec, name: str, current: object, n: int) -> object:
    """A valid value for field ``name`` that differs from ``current``."""
    f = spec.field(name)
    codes = [s.value for s in spec.codes(name)]
    if codes:
        return [c for c in codes if c != current][n % (len(codes) - 1)]
    if f.kind == "bool":
        return not bool(current)
    if f.kind == "int":
        return 2020 + n if current is None or current != 2020 + n else 2030 + n
    if f.kind == "float":
        return 40.0 + n if current is None or current != 40.0 + n else 60.0 + n
    if f.kind == "date":
        return f"2024-0{5 + n}-1{n}"
    return f"Cập nhật thử {n}"


def test_every_editable_field_of_every_built_in_layer_saves_from_empty_and_from_filled(any_store: Path | str) -> None:
    store = Store(any_store)
    done = []
    for lid, spec in CATALOG.items():
        if not spec.editable or not store.has(lid):
            continue
        frame = store.read(lid)
        keys = spec.key.split(",")
        row = frame.iloc[0]
        key = ",".join(str(int(row[k]) if isinstance(row[k], float) else row[k]) for k in keys)
        # A rule across fields holds throughout: what a status needs is filled in first (a resolved dispute
        # has its day), and is never emptied while the status needs it; counts stay within their bounds.
        needs = {r.other: r for r in spec.rules if r.kind == "needs"}
        for other in needs:
            edit(any_store, lid, key, {other: _filled(spec, other, None, 3)}, "a")
        for name in spec.editable:
            f = spec.field(name)
            now = store.read(lid)
            cur = now[(now[keys].astype(str).agg(",".join, axis=1)) == key].iloc[0][name]
            cur = None if cur is None or cur != cur else (cur.item() if hasattr(cur, "item") else cur)
            first = _filled(spec, name, cur, 0)
            assert edit(any_store, lid, key, {name: first}, "a", "", {name: cur}), (lid, name)  # from filled
            second = _filled(spec, name, first, 1)
            assert edit(any_store, lid, key, {name: second}, "a", "", {name: first}), (lid, name)
            stored, stale = second, first
            row_now = store.read(lid)
            row_now = row_now[(row_now[keys].astype(str).agg(",".join, axis=1)) == key].iloc[0]
            needed = name in needs and needs[name].broken({**row_now.to_dict(), name: None})
            if not f.required and f.kind != "bool" and not needed:  # to empty, then from empty
                assert edit(any_store, lid, key, {name: None}, "a", "", {name: second}), (lid, name)
                assert edit(any_store, lid, key, {name: first}, "a", "", {name: ""}), (lid, name)
                stored, stale = first, None
            with pytest.raises(ConflictError):  # what another planner saw before the last save is refused
                edit(any_store, lid, key, {name: _filled(spec, name, stored, 2)}, "b", "", {name: stale})
            done.append((lid, name))
    assert len(done) >= 30 and {lid for lid, _ in done} >= {"ql4b_segments", "land_disputes", "tasks", "indicators"}


@pytest.mark.parametrize(
    ("text", "lang", "number"),
    [("94,2", "vi", 94.2), ("45.120,5", "vi", 45120.5), ("45.120", "vi", 45120.0), ("1.234.567", "vi", 1234567.0),
     ("45,120.5", "en", 45120.5), ("94.2", "en", 94.2), ("45,120", "en", 45120.0), (" 87,5 % ", "vi", 87.5),
     ("-3", "vi", -3.0)],
)  # fmt: skip
def test_a_form_reads_numbers_as_people_type_them(text: str, lang, number: float) -> None:
    assert read_number(text, lang) == number


def test_a_form_reads_dates_as_people_type_them() -> None:
    assert read_date("15/05/2024") == read_date("15/5/2024") == read_date("2024-05-15") == "2024-05-15"
    assert read_date("") is None
    with pytest.raises(ValueError):
        read_date("31/02/2024")
    with pytest.raises(ValueError):
        read_number("chín mươi", "vi")


def test_values_outside_their_plausible_range_are_refused_with_the_range(any_store: Path | str) -> None:
    digest = _digest(any_store)
    with pytest.raises(EditError) as err:  # health-insurance coverage is a percentage: 942 % is stopped
        edit(any_store, "indicators", "health_insurance", {"value": 942.0}, "a")
    assert "0–100 %" in err.value.message("vi") and "942" in err.value.message("vi")
    with pytest.raises(EditError) as err:
        edit(any_store, "land_disputes", "TC-01", {"area_ha": -2.0}, "a")
    assert "> 0 ha" in err.value.message("vi")
    with pytest.raises(EditError):
        edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 140.0}, "a")
    with pytest.raises(NeedsConfirm) as ask:  # an achievement may pass 100 %, once the planner confirms it
        edit(any_store, "indicators", "winter_crops", {"pct": 131.5}, "a")
    assert "0–100 %" in ask.value.message("vi")
    assert _digest(any_store) == digest
    edit(any_store, "indicators", "winter_crops", {"pct": 131.5}, "a", confirmed=["pct"])
    edit(any_store, "indicators", "health_insurance", {"value": read_number("94,2", "vi")}, "a")
    ind = Store(any_store).read("indicators").set_index("ind_id")
    assert ind.loc["health_insurance", "value"] == 94.2 and ind.loc["winter_crops", "pct"] == 131.5


def test_normalising_empties_is_audited_idempotent_and_keeps_values(any_store: Path | str) -> None:
    _set_raw(any_store, "land_disputes", "dispute_id", "TC-03", "resolved", "")
    _set_raw(any_store, "cluster_plots", "plot_id", Store(any_store).read("cluster_plots").plot_id.iloc[0],
             "investor", "")  # fmt: skip
    before = Store(any_store).read("land_disputes").set_index("dispute_id")
    assert normalise_empties(any_store, "admin") == 2
    log = Store(any_store).read("audit_log")
    normalised = log[log.reason == "normalise:empty"]
    assert sorted(normalised.layer) == ["cluster_plots", "land_disputes"]
    assert reason_text("normalise:empty", "en").startswith("Empty values normalised")
    assert normalise_empties(any_store, "admin") == 0  # once
    after = Store(any_store).read("land_disputes").set_index("dispute_id")
    assert is_empty(after.loc["TC-03", "resolved"]) and after.loc["TC-03", "resolved"] != ""
    assert after.drop(index="TC-03").equals(before.drop(index="TC-03"))


# -- rollback people can trust ------------------------------------------------------------------------------


def test_one_change_set_is_undone_alone_and_audited(any_store: Path | str) -> None:
    before = _segment(any_store, "QL4B-18-20")
    edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 12.0, "clearance_status": "done"}, "a", "sai")
    edit(any_store, "land_disputes", "TC-01", {"status": "resolved", "resolved": "2026-11-30"}, "b", "đúng")
    sets = change_sets(any_store)
    wrong = next(c for c in sets if c.user == "a")
    assert (wrong.fields, wrong.layers) == (2, ("ql4b_segments",))
    assert undo_change_set(any_store, wrong.id, "admin") == 2
    seg = _segment(any_store, "QL4B-18-20")
    assert (seg.clearance_pct, seg.clearance_status) == (before.clearance_pct, before.clearance_status)
    assert Store(any_store).read("land_disputes").set_index("dispute_id").loc["TC-01", "status"] == "resolved"
    undo = change_sets(any_store)[0]
    assert undo.user == "admin" and reason_text(undo.reason, "en").startswith(f"Undid change set #{wrong.id} by a")
    assert "giờ Việt Nam" in reason_text(undo.reason, "vi")


def test_undoing_a_change_set_a_later_change_touched_is_refused(any_store: Path | str) -> None:
    edit(any_store, "ql4b_segments", "QL4B-43-45", {"clearance_pct": 12.0}, "a")
    first = change_sets(any_store)[0]
    edit(any_store, "ql4b_segments", "QL4B-43-45", {"clearance_pct": 30.0}, "b", "", {"clearance_pct": 12.0})
    digest = _digest(any_store)
    with pytest.raises(ConflictError) as err:
        undo_change_set(any_store, first.id, "admin")
    assert "Tỷ lệ GPMB" in err.value.message("vi") and "b" in err.value.message("vi")
    assert _digest(any_store) == digest
    with pytest.raises(EditError):
        undo_change_set(any_store, 10**9, "admin")


def test_a_rollback_counts_the_rows_it_removed_as_removed_and_reads_vietnam_time(any_store: Path | str) -> None:
    insert(any_store, "land_disputes",
           {"dispute_id": "TC-90", "unit_code": "06643", "kind": "Lấn chiếm", "area_ha": 1.0, "status": "open",
            "opened": "2024-06-01"}, "a", point=(107.1, 21.55), ts="2024-06-01T13:35:00.000000+00:00")  # fmt: skip
    # 20:30 on 1/6/2024 as the admin reads it (Vietnam time) is before the point was added at 20:35
    assert rollback_to(any_store, "2024-06-01T20:30", "admin") == 1
    assert "TC-90" not in set(Store(any_store).read("land_disputes").dispute_id)
    batch = next(b for b in whole_feature_batches(any_store, "2024-06-01") if b.user == "admin")
    assert (batch.count, batch.added) == (1, 0)  # one removed, none added
    assert reason_text(batch.reason, "vi") == "Khôi phục về thời điểm 01/06/2024 20:30 (giờ Việt Nam)"
    assert reason_text(batch.reason, "en") == "Rolled back to 2024-06-01 20:30 (Vietnam time)"


def test_the_command_line_lists_change_sets_and_undoes_one(any_store: Path | str, capsys) -> None:
    import json

    from geo.command.cli import main

    edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 12.0}, "a", "nhầm")
    assert main(["changes", "--json", "--store", str(any_store)]) == 0
    sets = json.loads(capsys.readouterr().out)
    assert sets[0]["user"] == "a" and sets[0]["fields"] == 1 and sets[0]["layers"] == ["ql4b_segments"]
    first = sets[0]["id"]
    edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 30.0}, "b", "", {"clearance_pct": 12.0})
    digest = _digest(any_store)
    assert main(["undo", str(first), "--user", "admin", "--store", str(any_store)]) == 1  # b changed it since
    assert "Không hoàn tác được" in capsys.readouterr().err and _digest(any_store) == digest
    assert main(["undo", "999999999", "--user", "admin", "--store", str(any_store)]) == 2
    capsys.readouterr()
    assert main(["changes", "--store", str(any_store)]) == 0
    listed = capsys.readouterr().out
    assert "giờ Việt Nam" in listed and str(first) in listed
    latest = change_sets(any_store)[0].id
    assert main(["undo", str(latest), "--user", "admin", "--store", str(any_store)]) == 0
    assert _segment(any_store, "QL4B-18-20").clearance_pct == 12.0
    assert main(["undo", str(latest), "--user", "admin", "--store", str(any_store)]) == 1  # undone already: refused


def test_the_command_line_rolls_back_to_a_moment_typed_in_vietnam_time(any_store: Path | str, capsys) -> None:
    from geo.command.cli import main

    edit(any_store, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 12.0}, "a", ts="2024-06-01T13:35:00+00:00")
    assert main(["rollback", "--to", "01/06/2024 20:36", "--user", "admin", "--store", str(any_store)]) == 0
    assert _segment(any_store, "QL4B-18-20").clearance_pct == 12.0  # 20:35 Vietnam time is before 20:36
    assert main(["rollback", "--to", "01/06/2024 20:30", "--user", "admin", "--store", str(any_store)]) == 0
    assert _segment(any_store, "QL4B-18-20").clearance_pct == 20.0
    assert main(["rollback", "--to", "hôm qua", "--user", "admin", "--store", str(any_store)]) == 2
    assert main(["normalise-empty", "--user", "admin", "--store", str(any_store)]) == 0
    assert "0 empty values normalised" in capsys.readouterr().out  # the demo store holds no ''
