"""Backups taken while planners edit are consistent, and a restore brings one back whole: of a GeoPackage
(SQLite's backup API) and of a PostGIS store (a GeoPackage snapshot of one moment) alike."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.command.cli import main
from geo.store.backup import BackupError, backup, restore
from geo.store.reads import Store
from tests.conftest import NOTICE_STORE, assert_sound, store_digest

WORKER = Path(__file__).resolve().parents[1] / "edit_worker.py"


def _consistent(location: Path | str) -> dict[str, int]:
    """The store passes its integrity check and each segment's figure is its last audited value."""
    assert_sound(location)
    log = Store(location).read("audit_log")  # in log order
    log = log[(log.layer == "ql4b_segments") & (log.field == "households_compensated")].sort_values("ts", kind="stable")
    last = dict(zip(log.feature, log.new, strict=True))
    counts = {str(k): int(v) for k, v in log.groupby("feature").size().items()}
    seg = Store(location).read("ql4b_segments").set_index("seg_id")
    for feature, value in last.items():
        assert int(seg.loc[feature, "households_compensated"]) == int(float(value)), feature
    return counts


def test_a_backup_taken_during_concurrent_edits_restores_a_consistent_store(tmp_path: Path, any_store) -> None:
    store = any_store
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


def test_a_broken_backup_is_refused_and_the_store_is_untouched(tmp_path: Path, capsys, any_store) -> None:
    store = any_store
    before = store_digest(store)
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(BackupError):
        restore(bad, store)
    assert store_digest(store) == before
    assert main(["restore", str(bad), "--store", str(store), "--yes"]) == 2
    assert "backup or restore failed" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "x.gpkg"), "--store", str(store)]) == 2  # no --yes: nothing done
    assert main(["backup", str(tmp_path / "ok.gpkg"), "--store", str(store)]) == 0
    assert main(["restore", str(tmp_path / "ok.gpkg"), "--store", str(store), "--yes"]) == 0
    assert Store(store).read("ql4b_segments").equals(Store(NOTICE_STORE).read("ql4b_segments"))
