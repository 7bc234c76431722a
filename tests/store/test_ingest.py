"""Committing planners' files: demo features keep their flag one by one beside real ones, through append,
rollback and replace, and every reader (store, map badge, print layout) says how many are demo."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import folium
import pytest

from geo.demo.synthetic import cadastral
from geo.importer import suggested_values, validate
from geo.printing.export import MapRequest, Provenance, layout
from geo.read import history
from geo.read.access import read_layer
from geo.read.records import record
from geo.store import changelog
from geo.store.edit import rollback_to
from geo.store.ingest import apply, commit, preview
from geo.store.reads import DemoShare, Store
from geo.webmap.mapview import BIG_LAYER, CompactLayer, ControlLayer, MapState, overlays
from tests import import_files as F
from tests.conftest import assert_sound


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
    now = changelog.now()
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


# -- a planner's own layer, and the next file into it --------------------------------------------------------
def _sites(tmp_path: Path, store: Path | str, key: str | None = "ma") -> None:
    report = validate(
        F.planner_sites(tmp_path / "first"),
        layer="quy_hoach",
        new_layer=True,
        key=key,
        labels={"MA_HUYEN": "Mã huyện", "DIEN_TICH": "Diện tích", "tinh_trang": "Tình trạng"},
        field_units={"DIEN_TICH": "ha"},
    )
    assert report.exit_code == 0, [p.message("en") for p in report.errors]
    outcome = apply(store, report, "lan", new_layer="quy_hoach", title="Khu quy hoạch (huyện)")
    assert outcome.message("vi", Store(store).catalog["quy_hoach"]).startswith(
        "Đã tạo lớp mới “Khu quy hoạch (huyện)” với 11 đối tượng"
    )


def test_a_planners_layer_keeps_its_column_names_its_key_and_its_labels(tmp_path, any_store) -> None:
    _sites(tmp_path, any_store)
    s = Store(any_store)
    spec = s.catalog["quy_hoach"]
    assert spec.key == "ma"  # the planner's key, not a generated number
    assert [f.name for f in spec.fields] == ["ma", "ten", "tinh_trang", "MA_HUYEN", "DIEN_TICH"]  # as the file says
    assert "feature_no" not in s.read("quy_hoach").columns
    # The record and the tooltip say what the planner called each column, with its unit.
    frame = s.read("quy_hoach")
    shown = dict(record(spec, frame.iloc[0], None))
    assert shown["Mã huyện"] == "186" and shown["Tình trạng"] == "Đang lập" and "Diện tích (ha)" in shown
    assert not any(k in ("MA_HUYEN", "DIEN_TICH") for k in shown)
    # Off by default for everyone but its importer, drawn under every thematic layer, outlined.
    assert spec.default_visible is False and spec.owner == "lan"
    assert all(spec.z < s.catalog[lid].z for lid in ("cadastral_parcels", "forest_parcels", "ql4b_segments"))
    assert spec.paint.fill_opacity == 0 and spec.paint.fill is None
    # On a map with thematic layers it comes first (under them), unfilled, with its own legend entry.
    from geo.webmap.mapview import _paint, legend_blocks

    frames = {"forest_parcels": s.read("forest_parcels"), "quy_hoach": frame}
    blocks = legend_blocks(frames, MapState(("forest_parcels", "quy_hoach")), s.catalog)
    assert [b.title for b in blocks] == ["Khu quy hoạch (huyện)", s.catalog["forest_parcels"].title("vi")]
    assert _paint(spec)["fillOpacity"] == 0 and _paint(s.catalog["forest_parcels"])["fillOpacity"] > 0


def test_a_name_no_store_takes_is_changed_and_said(tmp_path) -> None:
    import geopandas as gpd

    path = tmp_path / "odd.geojson"
    gpd.GeoDataFrame(
        {"Diện tích (ha)": [1.0, 2.0], "tinh_trang": ["a", "a"], "1so": ["x", "y"]},
        geometry=[F.square_wgs84(), F.square_wgs84(107.2)],
        crs=4326,
    ).to_file(path)
    report = validate(path, new_layer=True, key="tinh_trang")
    assert [c for c in report.frame.columns if c != "geometry"] == ["dien_tich_ha", "tinh_trang", "f_1so"]
    renamed = {p.field: dict(p.kwargs)["name"] for p in report.problems if p.key == "import.renamed"}
    assert renamed == {"Diện tích (ha)": "dien_tich_ha", "1so": "f_1so"}
    assert report.labels["dien_tich_ha"] == "Diện tích (ha)"  # the label keeps the file's own name
    (bad,) = report.errors  # tinh_trang repeats a value: it cannot name a feature
    assert bad.key == "import.bad_key" and "dien_tich_ha" in bad.message("vi") and "f_1so" in bad.message("vi")


def test_the_next_file_updates_a_planners_layer_by_its_key_audited_field_by_field(tmp_path, any_store) -> None:
    _sites(tmp_path, any_store)
    before = changelog.now()
    catalog = Store(any_store).catalog
    nxt = F.planner_sites(
        tmp_path / "q2", n=12, status={2: "Đã duyệt", 3: "Đã duyệt"}, area={4: 9.9}, drop=(5,), moved=(6,)
    )
    report = validate(nxt, layer="quy_hoach", catalog=catalog)
    assert report.exit_code == 0, [p.message("en") for p in report.errors]  # no generated column asked of it
    spec = catalog["quy_hoach"]
    seen = preview(any_store, report, "quy_hoach", "update", delete_missing=False)
    assert (seen.added, seen.changed_features, seen.removed, seen.unchanged) == (1, 4, 0, 6)
    assert seen.by_field("vi", spec) == "Tình trạng: 2, Diện tích (ha): 1, Hình dạng, vị trí: 1"
    assert preview(any_store, report, "quy_hoach", "update", delete_missing=True).removed == 1
    done = apply(any_store, report, "lan", layer="quy_hoach", mode="update")
    assert done == seen  # what the preview said is what was done
    assert done.message("vi", spec) == (
        "Đã cập nhật lớp “Khu quy hoạch (huyện)” theo mã: thêm 1, sửa 4 (Tình trạng: 2, Diện tích (ha): 1, "
        "Hình dạng, vị trí: 1), xóa 0; 6 đối tượng không đổi."
    )
    now = Store(any_store).read("quy_hoach").set_index("ma")
    assert len(now) == 12 and "QH-005" in now.index  # an absent key is left alone
    assert now.loc["QH-002", "tinh_trang"] == "Đã duyệt" and now.loc["QH-004", "DIEN_TICH"] == 9.9
    log = [r for r in changelog.changes_since(any_store, before, layer="quy_hoach") if r.field != "*"]
    assert sorted((r.feature, r.field, r.old, r.new) for r in log if r.field != "geom") == [
        ("QH-002", "tinh_trang", "Đang lập", "Đã duyệt"),
        ("QH-003", "tinh_trang", "Đang lập", "Đã duyệt"),
        ("QH-004", "DIEN_TICH", 1.4, 9.9),
    ]
    # "What changed" reads it like a built-in layer's: its title, its labels, the shape in words, not bytes.
    from geo.read.records import change_table

    table = {(row[2], row[3], row[4]): row[5:7] for row in change_table(log, [], "vi", catalog)}
    assert table[("Khu quy hoạch (huyện)", "QH-002", "Tình trạng")] == ["Đang lập", "Đã duyệt"]
    assert table[("Khu quy hoạch (huyện)", "QH-004", "Diện tích (ha)")] == ["1,4 ha", "9,9 ha"]
    assert all(v.startswith("POLYGON ((107.") for v in table[("Khu quy hoạch (huyện)", "QH-006", "Vị trí (WGS 84)")])
    # The layer reads at any date: before the update, it is the first file again.
    from geo.read.access import at

    old = at(Store(any_store), "quy_hoach", history.moment(before)).set_index("ma")
    assert len(old) == 11 and old.loc["QH-002", "tinh_trang"] == "Đang lập" and old.loc["QH-004", "DIEN_TICH"] == 1.4
    assert old.geometry["QH-006"].equals_exact(F.square_wgs84(107.02 + 0.012 * 6, 21.50, 0.006), 1e-9)
    # --update --delete-missing removes what the file no longer has, audited; a rollback brings all back.
    gone = apply(any_store, report, "lan", layer="quy_hoach", mode="update", delete_missing=True)
    assert (gone.added, gone.changed_features, gone.removed) == (0, 0, 1)
    assert "QH-005" not in set(Store(any_store).read("quy_hoach")["ma"])
    rollback_to(any_store, before, "admin")
    back = Store(any_store).read("quy_hoach").set_index("ma")
    assert (
        sorted(back.index) == [f"QH-{i:03d}" for i in range(1, 12)] and back.loc["QH-002", "tinh_trang"] == "Đang lập"
    )


def test_an_update_from_a_file_without_a_column_leaves_that_column_alone(tmp_path, any_store) -> None:
    # A Shapefile cuts names to 10 letters, or an office sends only the columns it changed: a column the
    # next file does not have is not "emptied" on every matched feature.
    _sites(tmp_path, any_store)
    catalog = Store(any_store).catalog
    nxt = F.planner_sites(tmp_path / "q2", status={2: "Đã duyệt"})
    import geopandas as gpd

    narrow = gpd.read_file(nxt).drop(columns=["ten", "DIEN_TICH"])
    narrow.to_file(nxt, driver="GPKG")
    report = validate(nxt, layer="quy_hoach", catalog=catalog)
    assert report.exit_code == 0, [p.message("en") for p in report.errors]
    seen = preview(any_store, report, "quy_hoach", "update")
    assert (seen.added, seen.changed_features, seen.unchanged) == (0, 1, 10)
    done = apply(any_store, report, "lan", layer="quy_hoach", mode="update")
    assert done == seen
    now = Store(any_store).read("quy_hoach").set_index("ma")
    assert now.loc["QH-002", "tinh_trang"] == "Đã duyệt"
    assert now.loc["QH-003", "ten"] == "Khu quy hoạch số 3" and now.loc["QH-003", "DIEN_TICH"] == 1.3


def test_append_and_replace_take_the_same_kind_of_file(tmp_path, any_store) -> None:
    _sites(tmp_path, any_store, key=None)  # no key chosen: the store numbers the features
    catalog = Store(any_store).catalog
    assert catalog["quy_hoach"].key == "feature_no"
    more = validate(F.planner_sites(tmp_path / "more", start=20, n=3), layer="quy_hoach", catalog=catalog)
    assert more.exit_code == 0, [p.message("vi") for p in more.errors]  # "Thiếu cột bắt buộc 'Số thứ tự'" no more
    spec = catalog["quy_hoach"]
    assert apply(any_store, more, "lan", layer="quy_hoach", mode="append").message("vi", spec) == (
        "Đã thêm 3 đối tượng vào lớp “Khu quy hoạch (huyện)”."
    )
    assert sorted(Store(any_store).read("quy_hoach")["feature_no"].astype(int)) == list(range(1, 15))
    with pytest.raises(changelog.EditError) as err:  # nothing names its features: it cannot be matched by key
        apply(any_store, more, "lan", layer="quy_hoach", mode="update")
    assert err.value.message_key == "import.update_needs_key"
    replaced = apply(any_store, more, "lan", layer="quy_hoach", mode="replace")
    assert replaced.message("vi", spec) == (
        "Đã thay toàn bộ lớp “Khu quy hoạch (huyện)”: xóa 14 đối tượng cũ, nhập 3 đối tượng từ tệp."
    )


@pytest.fixture(scope="module")
def sixty_sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Sixty planners' files of one site each (QH-100 … QH-159), written once for every store and key: an import
    only reads its file."""
    folder = tmp_path_factory.mktemp("sixty")
    return [F.planner_sites(folder / f"w{i}", start=100 + i, n=1) for i in range(60)]


@pytest.mark.parametrize("key", ["ma", None])
def test_sixty_concurrent_appends_to_a_planners_layer_all_land(tmp_path, any_store, key, sixty_sites) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _sites(tmp_path, any_store, key=key)
    catalog = Store(any_store).catalog
    files = [validate(path, layer="quy_hoach", catalog=catalog) for path in sixty_sites]
    assert all(r.exit_code == 0 for r in files)
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(
            pool.map(lambda r: apply(any_store, r, f"planner{id(r) % 7}", layer="quy_hoach", mode="append"), files)
        )
    assert [d.added for d in done] == [1] * 60
    frame = Store(any_store).read("quy_hoach")
    assert len(frame) == 71 and frame["ma"].is_unique
    assert sorted(frame["ma"]) == sorted(
        [f"QH-{i:03d}" for i in range(1, 12)] + [f"QH-{100 + i:03d}" for i in range(60)]
    )
    if key is None:  # numbered under the lock: no two writers took the same number
        assert sorted(frame["feature_no"].astype(int)) == list(range(1, 72))
    log = Store(any_store).read("audit_log")
    assert ((log.layer == "quy_hoach") & (log.field == "*")).sum() == 71
    assert_sound(any_store)


def test_a_planners_layer_is_published_audited_and_the_rollback_withdraws_it(tmp_path, any_store, capsys) -> None:
    from geo.command.cli import main

    _sites(tmp_path, any_store)
    before = changelog.now()
    assert main(["publish", "quy_hoach", "--store", str(any_store), "--user", "lan"]) == 0
    assert "đã công bố" in capsys.readouterr().out
    assert Store(any_store).catalog["quy_hoach"].default_visible is True
    (row,) = [r for r in changelog.changes_since(any_store, before) if r.field == "published"]
    assert (row.user, row.feature, row.old, row.new) == ("lan", "quy_hoach", 0, 1)
    assert main(["publish", "khong_co", "--store", str(any_store), "--user", "lan"]) == 2
    rollback_to(any_store, before, "admin")
    assert Store(any_store).catalog["quy_hoach"].default_visible is False


def test_the_command_line_twin_creates_updates_and_refuses_as_the_page_does(tmp_path, any_store, capsys) -> None:
    from geo.command.cli import main

    base = ["--store", str(any_store), "--user", "lan"]
    first = str(F.planner_sites(tmp_path / "q1"))
    made = ["import", first, "--new-layer", "quy_hoach", "--title", "Khu quy hoạch", "--key", "ma"]
    assert main([*made, "--label", "DIEN_TICH=Diện tích", "--unit", "DIEN_TICH=ha", *base]) == 0
    assert "Đã tạo lớp mới “Khu quy hoạch” với 11 đối tượng" in capsys.readouterr().out
    spec = Store(any_store).catalog["quy_hoach"]
    assert spec.key == "ma" and spec.field("DIEN_TICH").label("vi") == "Diện tích (ha)"
    nxt = str(F.planner_sites(tmp_path / "q2", n=12, status={3: "Đã duyệt"}, drop=(1,)))
    assert main(["import", nxt, "--layer", "quy_hoach", "--update", "--delete-missing", *base]) == 0
    out = capsys.readouterr().out
    assert "thêm 1, sửa 1 (tinh_trang: 1), xóa 1; 9 đối tượng không đổi." in out
    # Arguments that cannot go together are refused before anything is read (exit 2).
    assert main(["import", nxt, "--layer", "quy_hoach", "--delete-missing", *base]) == 2
    assert main(["import", nxt, "--layer", "quy_hoach", "--key", "ma", *base]) == 2
    # A key that repeats a value is refused with the columns that could be keys (exit 1).
    assert main(["import", first, "--new-layer", "quy_hoach_2", "--title", "x", "--key", "MA_HUYEN", *base]) == 1
    assert "Cột làm mã được: ma, ten, DIEN_TICH" in capsys.readouterr().out
