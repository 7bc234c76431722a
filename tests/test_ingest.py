"""Committing planners' files: demo features keep their flag one by one beside real ones, through append,
rollback and replace, and every reader (store, map badge, print layout) says how many are demo."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import folium
import pytest

from geo import edit
from geo.access import read_layer
from geo.edit import rollback_to
from geo.export import MapRequest, Provenance, layout
from geo.importer import suggested_values, validate
from geo.ingest import commit
from geo.mapview import BIG_LAYER, CompactLayer, ControlLayer, MapState, overlays
from geo.records import record
from geo.store import DemoShare, Store
from geo.synthetic import cadastral
from tests import import_files as F


def _flags(path: Path | str, layer: str = "land_disputes") -> dict[str, int]:
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


def test_appending_real_rows_keeps_the_demo_rows_flagged_and_says_how_many(tmp_path, any_store, units) -> None:
    demo_ids = set(_flags(any_store))
    assert demo_ids and set(_flags(any_store).values()) == {1}
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(any_store, report, "lan", layer="land_disputes", mode="append")
    flags = _flags(any_store)
    assert {k for k, v in flags.items() if v} == demo_ids  # the invented cases are still demo
    assert {k for k, v in flags.items() if not v} == {r[0] for r in F.TRUTH}  # the file's are real
    share = Store(any_store).meta()["land_disputes"].share
    assert share == DemoShare(len(demo_ids), len(demo_ids) + 5)
    assert share.label("vi") == f"Dữ liệu minh họa một phần ({len(demo_ids)}/{len(demo_ids) + 5} đối tượng)"
    assert share.label("en") == f"Partly demo data ({len(demo_ids)} of {len(demo_ids) + 5} features)"
    # The map's badge counts what it draws: all, or only the real rows a filter leaves.
    s = Store(any_store)
    frame = s.read("land_disputes")
    state = MapState(("land_disputes",), "en")
    badge = _badges(overlays({"land_disputes": frame}, state, set()))
    assert badge == [f"Partly demo data ({len(demo_ids)} of {len(demo_ids) + 5} features)"]
    real = frame[frame["demo"] == 0]
    assert _badges(overlays({"land_disputes": real}, state, set())) == []  # only real cases shown: no badge
    # Each feature's record says which it is.
    spec = s.catalog["land_disputes"]
    by_key = frame.set_index("dispute_id", drop=False)
    assert record(spec, by_key.loc[F.TRUTH[0][0]], None)[-1] == ("Dữ liệu minh họa", "Không")
    assert record(spec, by_key.loc[sorted(demo_ids)[0]], None, "en")[-1] == ("Demo data", "Yes")
    # The print layout's badge says the same.
    req = MapRequest(("land_disputes",), "t", lang="vi", landscape=True)
    fig, _ = layout(req, {"land_disputes": frame}, Provenance(s.meta()))
    texts = [t.get_text() for t in fig.texts]
    assert any("một phần" in t and f"{len(demo_ids)}/{len(demo_ids) + 5}" in t for t in texts), texts


def test_a_rollback_restores_every_flag_exactly(tmp_path, any_store, units) -> None:
    before = _flags(any_store)
    now = edit._now()
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(any_store, report, "lan", layer="land_disputes", mode="replace")
    assert set(_flags(any_store).values()) == {0}
    assert Store(any_store).meta()["land_disputes"].demo is False
    rollback_to(any_store, now, "admin")
    assert _flags(any_store) == before  # the invented cases are demo again, one by one
    meta = Store(any_store).meta()["land_disputes"]
    assert meta.demo is True and meta.share == DemoShare(len(before), len(before))


def test_replacing_with_a_real_file_clears_the_demo_rows(tmp_path, any_store, units) -> None:
    report = validate(F.shapefile(tmp_path), layer="land_disputes", units=units)
    commit(any_store, report, "lan", layer="land_disputes", mode="append")
    assert Store(any_store).meta()["land_disputes"].share.partial
    commit(
        any_store,
        validate(
            F.shapefile(tmp_path / "b", frame=F.truth_frame().assign(MA_VV=[f"X-{i}" for i in range(5)])),
            layer="land_disputes",
            units=units,
        ),
        "lan",
        layer="land_disputes",
        mode="replace",
    )
    flags = _flags(any_store)
    assert sorted(flags) == [f"X-{i}" for i in range(5)] and set(flags.values()) == {0}
    assert Store(any_store).meta()["land_disputes"].share == DemoShare(0, 5)


def test_a_land_office_cadastral_file_lands_in_the_cadastral_layer_on_the_fast_path(tmp_path, any_store, units) -> None:
    n = BIG_LAYER + 400  # above the size that travels as compact files
    office = cadastral(n)
    path = F.shapefile(tmp_path, frame=office, name="dia_chinh", encoding="cp1258")
    report = validate(path, layer="cadastral_parcels", units=units)
    assert report.mapping == {
        "MaXa": "unit_code",
        "SoTo": "sheet_no",
        "SoThua": "parcel_no",
        "DienTich": "area_m2",
        "LoaiDat": "land_use",
        "TinhTrang": "cert_status",
        "ChuSuDung": "owner",
    }
    suggested = {(r.field, r.value): r.code for r in report.values}
    assert suggested == {
        ("land_use", "Đất trồng cây lâu năm"): "CLN",
        ("land_use", "Đất ở nông thôn"): "ONT",
        ("land_use", "Rừng sản xuất"): "RSX",
        ("land_use", "ONT"): "ONT",
        ("land_use", "Đất trồng lúa nước còn lại"): "LUK",
        ("land_use", "Đất đồi núi chưa sử dụng"): "DCS",
        ("cert_status", "Đã cấp GCN"): "issued",
        ("cert_status", "Chưa cấp"): "not_issued",
        ("cert_status", "Đang làm thủ tục"): "in_progress",
        ("cert_status", "Tranh chấp"): "disputed",
    }
    unmapped = {dict(p.kwargs)["value"] for p in report.errors if p.key.startswith("import.unmapped_value")}
    # The same words (abbreviations spelled out: "GCN") land by themselves; what is only similar waits for a word.
    assert unmapped == {"Đất ở nông thôn", "Rừng sản xuất", "Chưa cấp", "Đang làm thủ tục", "Tranh chấp"}
    ok = validate(path, layer="cadastral_parcels", units=units, values=suggested_values(report.values))
    assert ok.exit_code == 0, [p.message("en") for p in ok.errors]
    assert commit(any_store, ok, "lan", layer="cadastral_parcels", mode="append") == n
    s = Store(any_store)
    assert s.meta()["cadastral_parcels"].share == DemoShare(48, 48 + n)
    viewer = read_layer(s, "cadastral_parcels", sensitive=False)
    assert len(viewer) == 48 + n and "owner" not in viewer.columns  # a viewer never sees who holds the land
    first = read_layer(s, "cadastral_parcels", sensitive=True).set_index("parcel_code").loc[f"{office.MaXa[0]}-1-1"]
    assert first["sheet_no"] == 1 and first["parcel_no"] == 1 and first["owner"] == "Hộ giả định 00001"
    assert first["area_ha"] == pytest.approx(office.DienTich[0] / 10_000, abs=1e-4)
    assert first["use_group"] == {"ONT": "non_agricultural", "DCS": "unused"}.get(first["land_use"], "agricultural")
    groups = overlays({"cadastral_parcels": viewer}, MapState(("cadastral_parcels",)), set())
    assert any(isinstance(c, CompactLayer) for g in groups for c in g._children.values())
