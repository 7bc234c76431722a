from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo.command.cli import main
from geo.store.reads import DEFAULT_STORE, Store, StoreError, store_path
from tests.conftest import NOTICE_STORE


def test_store_path_prefers_argument_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DINHLAP_STORE", raising=False)
    assert store_path() == DEFAULT_STORE
    monkeypatch.setenv("DINHLAP_STORE", str(tmp_path / "x.gpkg"))
    assert store_path() == tmp_path / "x.gpkg"
    assert store_path(tmp_path / "y.gpkg") == tmp_path / "y.gpkg"


def test_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(tmp_path / "none.gpkg")
    assert "Không tìm thấy kho dữ liệu" in err.value.message("vi")
    assert "build-demo" in err.value.message("en")


def test_a_file_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"<html>not a database</html>")
    with pytest.raises(StoreError) as err:
        Store(bad)
    assert "Không đọc được" in err.value.message("vi")


def test_layers_and_tables_are_read(store: Store) -> None:
    units = store.read("units")
    assert len(units) == 12 and units.crs.to_epsg() == 4326
    assert len(store.read("indicators")) == 10
    with pytest.raises(StoreError):
        store.read("no_such_layer")


def test_a_big_store_read_through_arrow_gives_every_layer_as_the_plain_read_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A province's store is read through Arrow (twice as fast); every layer, whole and in a box, must come back
    the same as a small store's plain read gives it: the same rows in the same order, values and types."""
    import pandas as pd

    import geo.store.reads as reads

    store = Store(NOTICE_STORE)
    box = (107.0, 21.45, 107.2, 21.6)
    plain = {lid: (store.read(lid), store.read(lid, box)) for lid in store.layer_ids()}
    monkeypatch.setattr(reads, "ARROW_FROM_BYTES", 0)
    for lid, (whole, part) in plain.items():
        pd.testing.assert_frame_equal(store.read(lid), whole, obj=lid)
        pd.testing.assert_frame_equal(store.read(lid, box), part, obj=f"{lid} in a box")


def test_version_changes_when_the_file_changes(tmp_path: Path) -> None:
    copy = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, copy)
    s = Store(copy)
    before = s.version
    with copy.open("ab") as f:
        f.write(b"\0")
    assert s.version != before


def test_cli_layers_json_lists_every_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--json", "--store", str(NOTICE_STORE)]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["units"]["features"] == 12
    assert rows["ql4b_segments"]["geometry"] == "LineString"
    assert rows["ql4b_segments"]["crs"] == "EPSG:4326"
    assert rows["ql4b_segments"]["demo"] is True
    assert rows["indicators"]["demo"] is False
    assert rows["units"]["as_of"] == "2024-04-24"


def test_cli_layers_table_and_missing_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    assert "Xã, thị trấn (2024)" in out and "ql4b_segments" in out
    assert main(["layers", "--store", str(tmp_path / "missing.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "Không tìm thấy" in err and "not found" in err
