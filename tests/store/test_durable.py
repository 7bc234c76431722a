"""Acknowledged means durable: an import the command line reported as done survives a crash of the
database server right after, and an interrupted GeoPackage import leaves no scratch file for good.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from geo.store import db
from geo.store.reads import Store
from tests.conftest import NOTICE_STORE, ROOT


def _disputes(path: Path, first: int, n: int) -> Path:
    feats = [
        {"type": "Feature",
         "properties": {"dispute_id": f"BV-{i:05d}", "unit_code": "06643", "kind": "Lấn chiếm", "area_ha": 1.0,
                        "status": "open", "opened": "2025-03-01"},
         "geometry": {"type": "Point", "coordinates": [107.2 + i * 1e-4, 21.55]}}
        for i in range(first, first + n)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def test_the_test_server_keeps_postgresql_s_durable_settings(pg_cluster) -> None:
    with db.connect(pg_cluster.url()) as conn:
        settings = {k: conn.execute(f"SHOW {k}").fetchone()[0] for k in ("fsync", "synchronous_commit")}
    assert settings == {"fsync": "on", "synchronous_commit": "on"}


def test_an_acknowledged_import_survives_a_crash_of_the_server_right_after(tmp_path, own_pg_notice) -> None:
    pg_cluster, server = own_pg_notice
    for round_ in range(3):
        src = _disputes(tmp_path / f"tranh_chap_{round_}.geojson", round_ * 10, 10)
        done = subprocess.run(
            [sys.executable, "-m", "geo", "import", str(src), "--layer", "land_disputes", "--append",
             "--user", "lan", "--store", server],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        pg_cluster.stop("immediate")  # the moment the command said "done": as if the machine lost power
        pg_cluster.start()
        db.drop_pools()
        ids = set(Store(server).read("land_disputes").dispute_id)
        assert {f"BV-{i:05d}" for i in range((round_ + 1) * 10)} <= ids, round_
        with db.connect(server) as conn:
            logged = conn.execute("SELECT COUNT(*) FROM audit_log WHERE feature LIKE 'BV-%'").fetchone()[0]
        assert logged >= (round_ + 1) * 10


_HOLD = """
import sys, time
from pathlib import Path
from geo.store import db
with db.scratch_beside(Path(sys.argv[1])) as scratch:
    scratch.write_bytes(b"x" * 100_000)
    print(scratch, flush=True)
    time.sleep(120)
"""


def test_an_interrupted_imports_scratch_file_goes_at_the_next_start(tmp_path) -> None:
    store = tmp_path / "kho" / "s.gpkg"
    store.parent.mkdir()
    shutil.copy(NOTICE_STORE, store)
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(store)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    scratch = Path(child.stdout.readline().strip())
    assert scratch.is_file()
    Store(store)  # a live import's scratch file is left alone
    assert scratch.is_file()
    os.kill(child.pid, signal.SIGKILL)  # the import is killed mid-way
    child.wait(30)
    assert scratch.is_file()
    # A scratch file an earlier version left (no lock): kept while it may be in use, gone after an hour.
    old = store.parent / ".import-0123456789abcdef0123456789abcdef.gpkg"
    old.write_bytes(b"x" * 1000)
    fresh = store.parent / ".import-fedcba9876543210fedcba9876543210.gpkg"
    fresh.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    Store(store)  # the next start
    assert not scratch.exists() and not scratch.with_suffix(".lock").exists() and not old.exists()
    assert fresh.exists()
    assert sorted(p.name for p in store.parent.iterdir()) == sorted(["s.gpkg", fresh.name])


def test_replicas_on_one_geopackage_see_each_others_writes_through_the_versions_file(tmp_path) -> None:
    """deploy/ runs two replicas on one store; on a GeoPackage each replica's versions file (ui/live.py) moves
    when the other writes, so the other's open pages rerun (the watcher's own decision: tests/js)."""
    import threading

    from ui.live import VERSIONS, _write_versions

    store = tmp_path / "kho" / "s.gpkg"
    store.parent.mkdir()
    shutil.copy(NOTICE_STORE, store)
    folder = tmp_path / "replica_a"
    folder.mkdir()
    threading.Thread(target=_write_versions, args=(str(store), folder, 0.05), daemon=True).start()
    target = folder / VERSIONS
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    before = json.loads(target.read_text(encoding="utf-8"))
    edit = (
        "import sys; from geo.store.edit import edit; "
        "edit(sys.argv[1], 'indicators', 'winter_crops', {'value': 171.5}, 'lan', 'replica B')"
    )
    subprocess.run([sys.executable, "-c", edit, str(store)], cwd=ROOT, check=True, timeout=120)  # replica B
    while time.monotonic() < deadline:
        after = json.loads(target.read_text(encoding="utf-8"))
        if after["store"] > before["store"]:
            break
        time.sleep(0.05)
    assert after["store"] > before["store"]
    assert after["tables"]["indicators"] > before["tables"]["indicators"]
