"""Big files from the command line: a limit of its own (a setting), chunked reading and writing with progress
on stderr, the same features stored as a one-shot import, and nothing half-written when killed mid-way.

A small file (2,000 parcels) in small chunks (300) exercises the chunking; the 500,000-parcel figures are
``make bench-import``'s (benchmarks/bigimport.py).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.command.cli import main
from geo.demo.synthetic import parcels
from geo.importer import LIMIT_ENV, validate
from geo.store import db
from geo.store.reads import Store
from tests.conftest import ROOT

N = 2000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "thua_dat.gpkg"
    pyogrio.write_dataframe(parcels(N, seed=29), path, layer="thua_dat", driver="GPKG")
    return path


def _stored(store: Path | str) -> pd.DataFrame:
    frame = Store(store).read("forest_parcels")
    frame = frame.assign(wkb=frame.geometry.to_wkb()).drop(columns="geometry")
    return frame.sort_values("parcel_id").reset_index(drop=True)


def _import(big: Path, store: Path | str, *extra: str) -> list[str]:
    return ["import", str(big), "--layer", "forest_parcels", "--replace", "--user", "lan", "--store", str(store),
            *extra]  # fmt: skip


def _audited(store: Path | str) -> int:
    with db.connect(store) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def test_a_file_read_and_written_in_chunks_stores_what_a_one_shot_import_stores(
    big_file, any_store, tmp_path, capsys
) -> None:
    from tests.conftest import NOTICE_STORE

    whole = tmp_path / "whole.gpkg"  # the one-shot import, into the notice's store (the same on both backends)
    whole.write_bytes(Path(NOTICE_STORE).read_bytes())
    before, before_whole = _audited(any_store), _audited(whole)
    assert main(_import(big_file, whole, "--quiet")) == 0
    one_shot = capsys.readouterr()
    assert one_shot.err == ""  # a file of one chunk, or --quiet: no progress lines
    assert main(_import(big_file, any_store, "--chunk", "300")) == 0
    chunked = capsys.readouterr()
    lines = chunked.err.splitlines()
    # Not a terminal: a plain line per chunk, read then prepared (GeoPackage) and written, up to the whole file.
    assert [ln.split(":")[0] for ln in lines if ln.startswith("Đọc tệp")] == ["Đọc tệp"] * 7
    assert "Đọc tệp: 300 / 2.000 (15%" in chunked.err and "Đọc tệp: 2.000 / 2.000 (100%" in chunked.err
    assert "Kiểm tra (bước): 5 / 5 (100%" in chunked.err
    assert "Ghi vào kho: 2.000 / 2.000 (100%" in chunked.err
    assert sum(ln.startswith("Ghi vào kho") for ln in lines) == 7
    assert chunked.out.splitlines()[-1] == one_shot.out.splitlines()[-1]  # the same outcome said
    assert len(_stored(any_store)) == N
    pd.testing.assert_frame_equal(_stored(any_store), _stored(whole), check_dtype=False)
    # One change-log row per feature replaced and per feature added, as a one-shot import logs.
    assert _audited(any_store) - before == _audited(whole) - before_whole


def test_the_report_of_a_chunked_read_is_the_one_shot_report(big_file) -> None:
    from dataclasses import replace

    from geo.importer import UPLOAD

    seen: list[tuple[str, int, int]] = []
    chunked = validate(
        big_file, layer="forest_parcels", limits=replace(UPLOAD, chunk=300), progress=lambda *a: seen.append(a)
    )
    whole = validate(big_file, layer="forest_parcels")
    assert chunked.text("en") == whole.text("en")
    read = [x for x in seen if x[0] == "read"]
    assert read[0] == ("read", 300, N) and read[-1] == ("read", N, N) and len(read) == 7
    assert seen[len(read) :] == [("check", k, 5) for k in range(1, 6)]  # then the whole file's checks, told
    pd.testing.assert_frame_equal(chunked.frame, whole.frame)


def test_the_command_line_limit_is_a_setting_and_the_upload_keeps_its_cap(big_file, tmp_path, capsys) -> None:
    size_mb = big_file.stat().st_size / 2**20
    store = tmp_path / "s.gpkg"
    from tests.conftest import NOTICE_STORE

    store.write_bytes(Path(NOTICE_STORE).read_bytes())
    below = f"{size_mb / 2:.3f}"
    assert main(_import(big_file, store, "--max-mb", below)) == 2
    said = capsys.readouterr().out
    assert f"Tệp quá lớn (giới hạn {int(float(below))} MB); nâng giới hạn bằng --max-mb" in said
    assert "The file is too large" in said and LIMIT_ENV in said
    os.environ[LIMIT_ENV] = below
    try:
        assert main(["validate", str(big_file), "--layer", "forest_parcels"]) == 2
        assert "Tệp quá lớn" in capsys.readouterr().out
        assert main(["validate", str(big_file), "--layer", "forest_parcels", "--max-mb", "50"]) == 0  # wins
        capsys.readouterr()
        os.environ[LIMIT_ENV] = "lots"
        assert main(["validate", str(big_file), "--layer", "forest_parcels"]) == 2
        assert LIMIT_ENV in capsys.readouterr().err
    finally:
        del os.environ[LIMIT_ENV]
    # The browser's upload is validated with the upload's limits (200 MB, 200,000 features).
    from dataclasses import replace

    from geo.importer import UPLOAD

    small = replace(UPLOAD, bytes=int(size_mb / 2 * 2**20))
    report = validate(big_file, layer="forest_parcels", limits=small)
    assert report.refused is not None and report.refused.message("en") == "The file is too large (limit 0 MB)."
    assert UPLOAD.mb == 200 and UPLOAD.features == 200_000


def _killed_after(argv: list[str], line: str, hold: object) -> subprocess.Popen[str]:
    """Start the import, wait (on its own words) for ``line`` on its stderr, then kill it: ``hold`` keeps
    the store's write lock, so the import is then waiting with its chunks written and nothing committed.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "geo", *argv], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert child.stderr is not None
    seen = []
    for got in child.stderr:
        seen.append(got)
        if got.startswith(line):
            break
    else:
        child.wait(60)
        raise AssertionError(f"the import ended ({child.returncode}) before {line!r}: {''.join(seen)[-2000:]}")
    os.kill(child.pid, signal.SIGKILL)  # the import is killed mid-way
    child.wait(60)
    return child


def test_a_chunked_import_killed_mid_way_leaves_the_geopackage_as_it_was(big_file, tmp_path) -> None:
    from tests.conftest import NOTICE_STORE

    store = tmp_path / "kho" / "s.gpkg"
    store.parent.mkdir()
    store.write_bytes(Path(NOTICE_STORE).read_bytes())
    before, audited = _stored(store), _audited(store)
    lock = sqlite3.connect(store, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the store: the import waits with its scratch written
    try:
        _killed_after(_import(big_file, store, "--chunk", "300"), "Chuẩn bị ghi: 2.000 / 2.000", lock)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    scratch = [p for p in store.parent.iterdir() if p.name.startswith(".import-")]
    assert scratch  # killed mid-way: its chunks were written into a scratch file beside the store
    pd.testing.assert_frame_equal(_stored(store), before)
    assert _audited(store) == audited
    Store(store)  # the next start sweeps the dead import's scratch file
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".import-")]
    assert main(_import(big_file, store, "--chunk", "300", "--quiet")) == 0  # and the store takes the file
    assert len(_stored(store)) == N


def test_a_chunked_import_killed_mid_way_leaves_postgis_as_it_was(big_file, pg_cluster, pg_notice) -> None:
    url = str(pg_cluster.database(template=pg_notice))
    before, audited = _stored(url), _audited(url)
    import psycopg

    lock = psycopg.connect(url, autocommit=False)
    # Another transaction holds layer_meta: the import writes every chunk, then waits to name the file its source.
    lock.execute("LOCK TABLE layer_meta IN SHARE MODE")
    try:
        _killed_after(_import(big_file, url, "--chunk", "300"), "Ghi vào kho: 2.000 / 2.000", lock)
    finally:
        lock.rollback()
        lock.close()
    db.drop_pools()
    pd.testing.assert_frame_equal(_stored(url), before)
    assert _audited(url) == audited


# -- print from the same data: a view reads the view ----------------------------------------------------------
VIEW = (107.0, 21.45, 107.2, 21.6)  # W, S, E, N: a part of the district


def _province_file(d: Path, far: bool) -> Path:
    """400 parcels over the district, and (``far``) 1,200 more a degree to the north, outside every view of it."""
    frame = parcels(400, seed=30)
    if far:
        north = parcels(1200, seed=31)
        north["geometry"] = north.geometry.translate(0, 1.0)
        frame = gpd.GeoDataFrame(pd.concat([frame, north], ignore_index=True), crs=4326)
        frame["parcel_id"] = [f"TD{k:06d}" for k in range(1, len(frame) + 1)]
    d.mkdir(parents=True)
    path = d / "thua_dat.gpkg"
    pyogrio.write_dataframe(frame, path, layer="thua_dat", driver="GPKG")
    return path


def test_a_view_reads_only_the_features_that_meet_it_on_both_stores(any_store, tmp_path) -> None:
    import datetime as dt

    from geo.read.access import Reader

    first = Store(any_store).read("forest_parcels")
    before = dt.datetime.now(dt.UTC)
    assert main(_import(_province_file(tmp_path / "f", far=True), any_store, "--quiet")) == 0
    store = Store(any_store)
    whole = store.read("forest_parcels")
    meets = whole.intersects(shapely.box(*VIEW)).to_numpy()
    got = Reader(store, sensitive=False).read("forest_parcels", bbox=VIEW)
    assert 0 < len(got) < 400 and list(got.parcel_id) == list(whole[meets].parcel_id)  # in the store's order
    assert list(got.columns) == list(Reader(store, sensitive=False).read("forest_parcels").columns)
    # The view as it stood before the import: the past rebuilt from the whole layer, then clipped.
    past = Reader(store, sensitive=True, as_of=before).read("forest_parcels", bbox=VIEW)
    assert len(past) and sorted(past.parcel_id) == sorted(first[first.intersects(shapely.box(*VIEW))].parcel_id)
    assert len(store.read("ntm_criteria", bbox=VIEW)) == len(store.read("ntm_criteria"))  # a table: whole


def test_parcels_outside_the_view_change_nothing_printed(tmp_path) -> None:
    from PIL import Image

    from tests.conftest import NOTICE_STORE

    pngs = {}
    for far in (False, True):
        d = tmp_path / ("far" if far else "near")
        store = d / "kho" / "s.gpkg"
        src = _province_file(d / "tep", far)
        store.parent.mkdir()
        store.write_bytes(Path(NOTICE_STORE).read_bytes())
        assert main(_import(src, store, "--quiet")) == 0
        out = d / "ban_do.png"
        bbox = ",".join(map(str, VIEW))
        assert main(["export", str(out), "--view", "forest", "--bbox", bbox, "--store", str(store), "--dpi", "60"]) == 0
        pngs[far] = np.asarray(Image.open(out).convert("RGB"))
    assert pngs[True].shape == pngs[False].shape
    assert (pngs[True] != pngs[False]).any(axis=2).mean() < 0.001  # the same map: the far parcels are not in it


def test_an_atlas_s_parcels_are_found_by_the_store_as_each_reader_sees_them(any_store, tmp_path) -> None:
    import datetime as dt

    from geo.read.access import Reader

    first = Store(any_store).read("forest_parcels")
    before = dt.datetime.now(dt.UTC)
    assert main(_import(_province_file(tmp_path / "f", far=True), any_store, "--quiet")) == 0
    store = Store(any_store)
    whole = store.read("forest_parcels")
    asked = ["TD001500", "TD000007", "TD000300", "TD000007"]  # two far to the north; out of order, one twice
    got = store.read("forest_parcels", keys=asked)
    assert list(got.parcel_id) == [k for k in whole.parcel_id if k in asked]  # in the store's order, once each
    assert list(got.columns) == list(whole.columns)
    mine = whole.set_index("parcel_id").loc[list(got.parcel_id)]
    assert got.geometry.geom_equals_exact(gpd.GeoSeries(mine.geometry.values, crs=4326), 1e-9).all()
    assert got.area_ha.tolist() == mine.area_ha.tolist()
    assert not len(store.read("forest_parcels", keys=["TD999999"])) and not len(store.read("forest_parcels", keys=[]))
    # A viewer's features leave out what a viewer may not see; a past day's are that day's parcels.
    viewer = Reader(store, sensitive=False).features("land_disputes", ["TC-01"])
    assert list(viewer.dispute_id) == ["TC-01"] and "parties" not in viewer.columns
    assert "parties" in Reader(store, sensitive=True).features("land_disputes", ["TC-01"]).columns
    old = list(first.parcel_id[:2])
    past = Reader(store, sensitive=True, as_of=before).features("forest_parcels", [*old, "TD000007"])
    assert sorted(past.parcel_id) == sorted(old)  # TD000007 came with the import, after that moment
    # The pack's totals are added up by the store: the same figures as the layer read whole.
    totals = Reader(store, sensitive=False).totals("forest_parcels", ["area_ha"])
    assert totals["area_ha"] == pytest.approx(float(whole.area_ha.sum()), rel=1e-12)
    then = Reader(store, sensitive=True, as_of=before).totals("forest_parcels", ["area_ha"])
    assert then["area_ha"] == pytest.approx(float(first.area_ha.sum()), rel=1e-12)


def test_parcels_far_from_an_atlas_s_pages_change_none_of_them(tmp_path) -> None:
    import datetime as dt
    import io

    from pypdf import PdfReader

    from geo.model.i18n import fmt_number
    from geo.printing.atlas import atlas
    from geo.printing.pack import meeting_pack
    from tests.conftest import NOTICE_STORE

    today = dt.date(2026, 11, 25)
    texts, packs, totals = {}, {}, {}
    for far in (False, True):
        d = tmp_path / ("far" if far else "near")
        path = d / "kho" / "s.gpkg"
        path.parent.mkdir(parents=True)
        path.write_bytes(Path(NOTICE_STORE).read_bytes())
        assert main(_import(_province_file(d / "tep", far), path, "--quiet")) == 0
        store = Store(path)
        blob = atlas(store, "forest_parcels", keys=["TD000012", "TD000250", "TD000399"], today=today)
        shares = "Dữ liệu minh họa một phần"  # the badge counts the layer as stored: its one line that differs
        texts[far] = [
            [line for line in p.extract_text().splitlines() if not line.startswith(shares)]
            for p in PdfReader(io.BytesIO(blob)).pages
        ]
        pack = PdfReader(io.BytesIO(meeting_pack(store, today=today)))
        packs[far] = " ".join(" ".join(p.extract_text() for p in pack.pages).split())
        totals[far] = fmt_number(float(store.read("forest_parcels").area_ha.sum()))
    assert len(texts[True]) == 4 and texts[True] == texts[False]  # the same pages, parcel for parcel
    assert "Thông tin đối tượng" in texts[True][2] and any("TD000250" in line for line in texts[True][2])
    assert totals[True] != totals[False]
    for far in (False, True):  # the pack's forest figure is the whole layer's, far parcels and all
        assert f"{store.catalog['forest_parcels'].vi}: {totals[far]} ha" in packs[far]


def test_on_a_terminal_the_progress_is_one_bar_redrawn_in_place() -> None:
    import io

    from geo.command.cli import _ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = _ProgressLine("en", screen)
    for done in (300, 600, 2000):
        bar("read", done, 2000)
    bar("write", 1000, 2000)
    lines = screen.getvalue().split("\n")
    assert lines[0].count("\r") == 3 and lines[0].endswith("100% 2,000 / 2,000 (0 s)")
    assert lines[0].split("\r")[1].startswith("Reading the file ████")
    assert lines[1].startswith("\rWriting into the store ") and " 50% 1,000 / 2,000" in lines[1]
