"""The map-data folder is a cache with a budget: the least recently used files go first, never a fresh one."""

from __future__ import annotations

import os
from pathlib import Path

from ui.assets import evict


def _file(folder: Path, name: str, size: int, age: float, now: float) -> Path:
    f = folder / name
    f.write_bytes(b"x" * size)
    os.utime(f, (now - age, now - age))
    return f


def test_past_its_budget_the_folder_loses_its_least_recently_used_files_first(tmp_path: Path) -> None:
    now = 1_000_000.0
    oldest = _file(tmp_path, "a.bin.gz", 400, 3 * 3600, now)
    older = _file(tmp_path, "b.bin.gz", 400, 2 * 3600, now)
    fresh = _file(tmp_path, "c.bin.gz", 400, 60, now)  # drawn a minute ago: a page may still fetch it
    scratch = _file(tmp_path, "d.bin.123.tmp", 50, 2 * 3600, now)  # a writer that died mid-write
    gone = evict(tmp_path, max_bytes=800, keep_seconds=3600, now=now)
    assert set(gone) == {oldest, scratch}
    assert older.exists() and fresh.exists()
    # Within budget nothing of use goes, however old.
    assert evict(tmp_path, max_bytes=800, keep_seconds=3600, now=now) == []


def test_fresh_files_stay_even_over_budget(tmp_path: Path) -> None:
    now = 1_000_000.0
    files = [_file(tmp_path, f"{i}.bin.gz", 1000, 10 * i, now) for i in range(5)]
    assert evict(tmp_path, max_bytes=100, keep_seconds=3600, now=now) == []
    assert all(f.exists() for f in files)
