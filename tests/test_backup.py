"""Backups taken while planners edit are consistent, and a restore brings one back whole."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.backup import BackupError, backup, restore
from geo.cli import main
from geo.store import Store
from tests.conftest import NOTICE_STORE

WORKER = Path(__file__).with_name("edit_worker.py")


def _consistent(path: Path) -> dict[str, int]:
    """The store passes its integrity check and each segment's figure is its last audited value."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        last = dict(
            conn.execute(
                "SELECT feature, new FROM audit_log WHERE layer = 'ql4b_segments' AND field = 'households_compensated'"
                " ORDER BY ts, rowid"
            ).fetchall()
        )
        counts = dict(
            conn.execute(
                "SELECT feature, COUNT(*) FROM audit_log WHERE layer = 'ql4b_segments' "
                "AND field = 'households_compensated' GROUP BY feature"
            ).fetchall()
        )
    seg = Store(path).read("ql4b_segments").set_index("seg_id")
    for feature, value in last.items():
        assert int(seg.loc[feature, "households_compensated"]) == int(float(value)), feature
    return counts


def test_a_backup_taken_during_concurrent_edits_restores_a_consistent_store(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    segs = list(Store(store).read("ql4b_segments")["seg_id"][:2])
    writers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(store), f"p{i}", seg, "60"], stdout=subprocess.PIPE, text=True
        )
        for i, seg in enumerate(segs)
    ]
    try:
        for w in writers:  # both writing before the backup starts
            assert w.stdout is not None and w.stdout.readline()
        taken = []
        for k in range(3):
            rows = backup(store, tmp_path / f"b{k}.gpkg")
            taken.append(rows)
            time.sleep(0.05)
    finally:
        for w in writers:
            assert w.wait(timeout=120) == 0
    assert taken == sorted(taken)  # each a later moment of the same log
    first = _consistent(tmp_path / "b0.gpkg")  # taken while both writers had edits left to make
    assert 2 <= sum(first.values()) < 120
    mid = _consistent(tmp_path / "b1.gpkg")
    assert sum(first.values()) <= sum(mid.values()) <= 120
    final = _consistent(store)
    assert final == dict.fromkeys(segs, 60)
    # Restoring the middle backup brings back exactly that moment, and keeps the replaced store beside it.
    kept = restore(tmp_path / "b1.gpkg", store)
    assert _consistent(store) == mid
    assert _consistent(kept) == final


def test_a_broken_backup_is_refused_and_the_store_is_untouched(tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    before = store.read_bytes()
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(BackupError):
        restore(bad, store)
    assert store.read_bytes() == before
    assert main(["restore", str(bad), "--store", str(store), "--yes"]) == 2
    assert "backup or restore failed" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "x.gpkg"), "--store", str(store)]) == 2  # no --yes: nothing done
    assert main(["backup", str(tmp_path / "ok.gpkg"), "--store", str(store)]) == 0
    assert main(["restore", str(tmp_path / "ok.gpkg"), "--store", str(store), "--yes"]) == 0
    assert Store(store).read("ql4b_segments").equals(Store(NOTICE_STORE).read("ql4b_segments"))
