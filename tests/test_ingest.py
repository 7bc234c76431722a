"""Committing planners' files: demo features keep their flag one by one beside real ones, through append,
rollback and replace, and every reader (store, map badge, print layout) says how many are demo."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import folium
import geopandas as gpd
import pytest

from geo import edit
from geo.edit import rollback_to
from geo.export import MapRequest, Provenance, layout
from geo.importer import validate
from geo.ingest import commit
from geo.mapview import ControlLayer, MapState, overlays
from geo.store import DemoShare, Store
from tests import import_files as F
from tests.conftest import NOTICE_STORE


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    path = tmp_path / "store" / "s.gpkg"
    path.parent.mkdir()
    shutil.copy(NOTICE_STORE, path)
    return path


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    return Store(NOTICE_STORE).read("units")


def _flags(path: Path, layer: str = "land_disputes") -> dict[str, int]:
    frame = Store(path).read(layer)
    return {str(k): int(v) for k, v in zip(frame["dispute_id"], frame["demo"], strict=True)}


def _badges(groups: list[folium.FeatureGroup]) -> list[str]:
    out = []
    for g in groups:
        for child in g._children.values():
            if isinstance(child, ControlLayer):  # its spec travels base64-encoded inside the script
                spec = json.loads(base64.b64decode(re.search(r'atob\("([^"]+)"', child.spec).group(1)))
                if spec["type"] == "badge":
                    out.append(spec["text"])
    return out


def test_appending_real_rows_keeps_the_demo_rows_flagged_and_says_how_many(tmp_path, store_copy, units) -> None:
    demo_ids = set(_flags(store_copy))
    assert demo_ids and set(_flags(store_copy).values()) == {1}
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(store_copy, report, "lan", layer="land_disputes", mode="append")
    flags = _flags(store_copy)
    assert {k for k, v in flags.items() if v} == demo_ids  # the invented cases are still demo
    assert {k for k, v in flags.items() if not v} == {r[0] for r in F.TRUTH}  # the file's are real
    share = Store(store_copy).meta()["land_disputes"].share
    assert share == DemoShare(len(demo_ids), len(demo_ids) + 5)
    assert share.label("vi") == f"Dữ liệu minh họa một phần ({len(demo_ids)}/{len(demo_ids) + 5} đối tượng)"
    assert share.label("en") == f"Partly demo data ({len(demo_ids)} of {len(demo_ids) + 5} features)"
    # The map's badge counts what it draws: all, or only the real rows a filter leaves.
    s = Store(store_copy)
    frame = s.read("land_disputes")
    state = MapState(("land_disputes",), "en")
    badge = _badges(overlays({"land_disputes": frame}, state, set()))
    assert badge == [f"Partly demo data ({len(demo_ids)} of {len(demo_ids) + 5} features)"]
    real = frame[frame["demo"] == 0]
    assert _badges(overlays({"land_disputes": real}, state, set())) == []  # only real cases shown: no badge
    # The print layout's badge says the same.
    req = MapRequest(("land_disputes",), "t", lang="vi", landscape=True)
    fig, _ = layout(req, {"land_disputes": frame}, Provenance(s.meta()))
    texts = [t.get_text() for t in fig.texts]
    assert any("một phần" in t and f"{len(demo_ids)}/{len(demo_ids) + 5}" in t for t in texts), texts


def test_a_rollback_restores_every_flag_exactly(tmp_path, store_copy, units) -> None:
    before = _flags(store_copy)
    now = edit._now()
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(store_copy, report, "lan", layer="land_disputes", mode="replace")
    assert set(_flags(store_copy).values()) == {0}
    assert Store(store_copy).meta()["land_disputes"].demo is False
    rollback_to(store_copy, now, "admin")
    assert _flags(store_copy) == before  # the invented cases are demo again, one by one
    meta = Store(store_copy).meta()["land_disputes"]
    assert meta.demo is True and meta.share == DemoShare(len(before), len(before))


def test_replacing_with_a_real_file_clears_the_demo_rows(tmp_path, store_copy, units) -> None:
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(store_copy, report, "lan", layer="land_disputes", mode="append")
    assert Store(store_copy).meta()["land_disputes"].share.partial
    commit(
        store_copy,
        validate(
            F.shapefile(tmp_path / "b", frame=F.truth_frame().assign(MA_VV=[f"X-{i}" for i in range(5)])),
            layer="land_disputes",
            units=units,
        ),
        "lan",
        layer="land_disputes",
        mode="replace",
    )
    flags = _flags(store_copy)
    assert sorted(flags) == [f"X-{i}" for i in range(5)] and set(flags.values()) == {0}
    assert Store(store_copy).meta()["land_disputes"].share == DemoShare(0, 5)
