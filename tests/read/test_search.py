"""Finding features by what people type, in what the reader may read, from the engine and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.command.cli import main
from geo.read.access import Reader
from geo.read.history import moment
from geo.read.search import fold, parcel_query, search
from geo.store.edit import edit
from geo.store.reads import Store


def found(reader: Reader, text: str, layers: list[str] | None = None) -> list[tuple[str, str]]:
    return [(h.layer, h.key) for h in search(reader, text, layers)]


def test_codes_names_and_parcels_are_found_first(store: Store) -> None:
    viewer = Reader(store, sensitive=False)
    assert found(viewer, "TC-03")[0] == ("land_disputes", "TC-03")
    assert found(viewer, "tc 03")[0] == ("land_disputes", "TC-03")  # the punctuation inside codes does not matter
    assert found(viewer, "LN-07")[0] == ("forest_parcels", "LN-07")
    assert found(viewer, "Đồng Thắng")[0] == ("units", "06643")
    assert found(viewer, "km20")[0] == ("ql4b_stations", "Km20")
    for typed in ("tờ 12 thửa 101", "to 12 thua 101", "Tờ bản đồ số 12, thửa số 101", "12/101", "12 / 101"):
        assert found(viewer, typed) == [("cadastral_parcels", "06613-12-101")], typed


def test_missing_diacritics_and_case_are_forgiven(store: Store) -> None:
    reader = Reader(store, sensitive=False)
    assert fold("ĐỒNG Thắng") == fold("dong thang") == "dong thang"
    assert found(reader, "dong thang")[0] == ("units", "06643")
    assert found(reader, "DONG THANG")[0] == ("units", "06643")
    assert found(reader, "bac lang")[0] == ("units", "06646")  # not Bắc Xa: every word must be there
    assert ("units", "06619") not in found(reader, "bac lang")


def test_a_viewer_never_finds_a_feature_by_a_sensitive_field(store: Store) -> None:
    owner = str(store.read("cadastral_parcels")["owner"].iloc[0])
    parties = str(store.read("land_disputes")["parties"].iloc[0])
    for text in (owner, parties):
        assert found(Reader(store, sensitive=False), text) == []


def test_only_the_layers_asked_and_nothing_for_nothing(store: Store) -> None:
    reader = Reader(store, sensitive=True)
    assert found(reader, "TC-03", ["forest_parcels"]) == []
    assert found(reader, "   ") == []
    assert found(reader, "zzzz-khong-co") == []
    assert parcel_query("TC-03") is None and parcel_query("12/101") == (12, 101)


def test_the_search_reads_the_date_shown(any_store: Path | str) -> None:
    edit(any_store, "units", "06643", {"short_name": "Đồng Thắng mới"}, "admin", ts="2030-01-01T00:00:00+00:00")
    now = Reader(Store(any_store), sensitive=False)
    assert search(now, "dong thang moi")[0].key == "06643"
    before = Reader(Store(any_store), sensitive=False, as_of=moment("2029-12-31"))
    assert [h.matched for h in search(before, "dong thang")][:1] == ["Đồng Thắng"]
    assert search(before, "dong thang moi") == []


def test_the_command_line_prints_each_result_s_layer_and_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "dong thang", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got[0]["layer"] == "units" and got[0]["key"] == "06643" and "Đồng Thắng" in got[0]["label"]
    assert main(["find", "12/101"]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["cadastral_parcels", "06613-12-101"]
    assert main(["find", "TC-03", "--layer", "land_disputes", "--json"]) == 0
    assert [h["key"] for h in json.loads(capsys.readouterr().out)] == ["TC-03"]
    assert main(["find", "khong co gi ca"]) == 1
    assert main(["find", "TC-03", "--layer", "no_such_layer"]) == 2
