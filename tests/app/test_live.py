"""The replicas' versions writer is supervised: a store that breaks does not stop it, and it says how fresh it is."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from geo.store.reads import DEFAULT_STORE
from ui import live


def _until(cond, seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_a_broken_store_is_logged_and_retried_until_it_answers_again(tmp_path: Path, caplog) -> None:
    store = tmp_path / "kho.gpkg"
    store.write_text("not a GeoPackage", encoding="utf-8")  # what a half-copied file looks like
    folder = tmp_path / "live"
    folder.mkdir()
    caplog.set_level("ERROR", logger="dinhlap.live")
    writer = threading.Thread(target=live._write_versions, args=(str(store), folder, 0.05), daemon=True)
    writer.start()
    assert _until(lambda: "not refreshed" in caplog.text)
    assert writer.is_alive()  # the error did not end it
    assert live.writer_age(str(store)) is None and not (folder / live.VERSIONS).exists()
    shutil.copy(DEFAULT_STORE, store)  # the store is whole again
    assert _until(lambda: (folder / live.VERSIONS).exists())
    doc = json.loads((folder / live.VERSIONS).read_text(encoding="utf-8"))
    assert doc["store"] > 0 and "ql4b_segments" in doc["tables"]
    age = live.writer_age(str(store))
    assert age is not None and age < 10
    assert writer.is_alive()


def test_replicas_on_one_geopackage_watch_each_other_without_being_told(tmp_path: Path, monkeypatch) -> None:
    """Two server processes on one GeoPackage (ui/serve.py leaves each one's id beside the store): their pages
    watch the versions file, as on PostGIS; one alone does not poll; a dead one's mark is cleared."""
    import os
    import subprocess
    import sys

    from tests.conftest import NOTICE_STORE
    from ui import data, serve

    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    monkeypatch.setenv("DINHLAP_STORE", str(store))
    monkeypatch.delenv("DINHLAP_REFRESH_SECONDS", raising=False)
    assert serve.register(store) is not None  # this process: one server
    data._servers.cache_clear()
    assert data.refresh_seconds() == 0.0
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        serve.register(store, other.pid)  # a second replica started on the same file
        data._servers.cache_clear()
        assert data.refresh_seconds() == 1.0
    finally:
        other.kill()
        other.wait()
    data._servers.cache_clear()
    assert data.refresh_seconds() == 0.0  # the other one died: its mark is gone, no polling
    assert sorted(p.name for p in serve.servers_dir(store).iterdir()) == [str(os.getpid())]


def test_stopped_writers_end_and_the_next_page_starts_its_own_again(tmp_path: Path, caplog) -> None:
    """Before a test's database server stops for good, its writers stop (tests/conftest.py): a writer left running
    opened a new pool to the stopped server, which retried and logged for minutes (CI's output)."""
    store = tmp_path / "kho.gpkg"
    shutil.copy(DEFAULT_STORE, store)
    caplog.set_level("ERROR", logger="dinhlap.live")
    live._writer(str(store))  # as a page's run does (ui.live.watch)
    first = live._WRITERS[str(store)][0]
    assert _until(lambda: live.writer_age(str(store)) is not None)
    live.stop_writers()
    assert not first.is_alive() and str(store) not in live._WRITERS
    assert live.writer_age(str(store)) is None  # no writer here now
    live._writer(str(store))  # the next page's run
    again = live._WRITERS[str(store)][0]
    assert again is not first and again.is_alive()
    assert "had stopped" not in caplog.text  # stopped on purpose: not reported as a writer that died
    live.stop_writers()
    assert not again.is_alive()
