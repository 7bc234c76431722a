"""An import's preview exists only in the planner's own session (AppTest, two sessions in one server process)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.model.catalog import CATALOG
from geo.store.reads import Store
from tests.conftest import ROOT, app_env, shown


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return app_env(tmp_path, monkeypatch, {"lan": "planner", "minh": "planner"})


def _file(column: str, value: str, lon: float) -> bytes:
    feature = {
        "type": "Feature",
        "properties": {column: value},
        "geometry": {"type": "Point", "coordinates": [lon, 21.5]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False).encode()


def _data_page(user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = {"name": user, "role": "planner"}
    at.run()
    at.switch_page("pages/du_lieu.py")
    at.run()
    return at


def _preview(at: AppTest, name: str, body: bytes) -> None:
    at.radio(key="imp_target").set_value("new").run()
    at.file_uploader(key="imp_file").set_value((name, body, "application/geo+json")).run()
    assert not at.exception, [e.value for e in at.exception]


def _drawn_text(at: AppTest) -> str:
    """Every text the preview map sends the browser (js_literal's base64 decoded)."""
    args = [json.loads(el.proto.json_args) for el in _components(at._tree)]
    sent = " ".join(a.get("feature_group") or "" for a in args)
    found = re.findall(r'atob\("([A-Za-z0-9+/=]*)"\)', sent)
    return json.dumps([json.loads(base64.b64decode(s).decode()) for s in found], ensure_ascii=False)


def _components(node):
    for child in getattr(node, "children", {}).values():
        if type(child).__name__ == "UnknownElement" and child.type == "component_instance":
            yield child
        yield from _components(child)


def test_a_new_layer_is_previewed_on_the_map_and_can_be_imported(env: Path) -> None:
    """Bug: the preview asked the store for a layer that exists only in memory; no import button appeared."""
    at = _data_page("lan")
    _preview(at, "diem.geojson", _file("TEN_DIEM", "Điểm khảo sát 1", 107.1))
    assert not at.error, [e.value for e in at.error]
    assert "Điểm khảo sát 1" in _drawn_text(at)
    at.text_input(key="imp_new_id").input("diem_khao_sat")
    at.text_input(key="imp_new_title").input("Điểm khảo sát").run()
    go = next(b for b in at.button if b.label == "Nhập vào kho dữ liệu")
    assert not go.disabled
    go.click().run()
    assert not at.exception, [e.value for e in at.exception]
    store = Store(env)
    assert store.overlays == ("diem_khao_sat",)
    stored = store.read("diem_khao_sat").drop(columns="geometry")
    assert "Điểm khảo sát 1" in stored.astype(str).to_numpy().ravel().tolist()
    assert store.catalog["diem_khao_sat"].title("vi") == "Điểm khảo sát"


def test_two_planners_previewing_at_once_each_see_only_their_own_file(env: Path) -> None:
    lan, minh = _data_page("lan"), _data_page("minh")
    _preview(lan, "cua-lan.geojson", _file("TEN_A", "Mốc của Lan", 107.1))
    _preview(minh, "cua-minh.geojson", _file("TEN_B", "Mốc của Minh", 107.2))
    lan.run()  # Lan's page reruns after Minh's preview
    assert not lan.exception and not minh.exception
    assert "Mốc của Lan" in _drawn_text(lan) and "Mốc của Minh" not in _drawn_text(lan)
    assert "Mốc của Minh" in _drawn_text(minh) and "Mốc của Lan" not in _drawn_text(minh)
    assert "import_preview" not in CATALOG  # nothing process-wide changed
    assert Store(env).overlays == ()  # and nothing was stored


def test_a_planner_creates_a_layer_with_a_key_then_updates_it_with_a_preview_of_the_changes(
    env: Path, tmp_path: Path
) -> None:
    from tests import import_files as F

    at = _data_page("lan")
    first = F.planner_sites(tmp_path / "q1").read_bytes()
    at.radio(key="imp_target").set_value("new").run()
    at.file_uploader(key="imp_file").set_value(("quy_hoach.gpkg", first, "application/geopackage+sqlite3")).run()
    (key,) = [s for s in at.selectbox if s.key.startswith("imp_key_")]
    assert key.options == ["— đánh số tự động —", "ma", "ten", "DIEN_TICH"]  # only columns that qualify
    key.set_value("ma").run()
    at.text_input(key="imp_new_id").input("quy_hoach")
    at.text_input(key="imp_new_title").input("Khu quy hoạch").run()
    next(b for b in at.button if b.label == "Nhập vào kho dữ liệu").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The message says what happened, in words, at the top of the import panel the planner is using.
    assert next(shown(s.value) for s in at.success).startswith("Đã tạo lớp mới “Khu quy hoạch” với 11 đối tượng")
    store = Store(env)
    assert store.catalog["quy_hoach"].key == "ma" and store.catalog["quy_hoach"].default_visible is False
    # Next quarter: the same kind of file, into the planner's own layer, by key.
    nxt = F.planner_sites(tmp_path / "q2", n=12, status={2: "Đã duyệt"}, drop=(5,)).read_bytes()
    at.radio(key="imp_target").set_value("layer").run()
    at.selectbox(key="imp_layer").set_value("quy_hoach").run()
    at.file_uploader(key="imp_file").set_value(("quy_hoach_q2.gpkg", nxt, "application/geopackage+sqlite3")).run()
    at.radio(key="imp_mode").set_value("update").run()
    assert not at.exception, [e.value for e in at.exception]
    said = [i.value for i in at.info if str(i.value).startswith("Nếu nhập")]
    assert said == ["Nếu nhập: thêm 1, sửa 1 (tinh_trang: 1), xóa 0; 9 đối tượng không đổi."]
    at.checkbox(key="imp_delete_missing").check().run()
    said = [i.value for i in at.info if str(i.value).startswith("Nếu nhập")]
    assert said == ["Nếu nhập: thêm 1, sửa 1 (tinh_trang: 1), xóa 1; 9 đối tượng không đổi."]
    go = next(b for b in at.button if b.label == "Nhập vào kho dữ liệu")
    assert go.disabled  # removing a feature is confirmed first
    at.checkbox(key="imp_replace_ok").check().run()
    next(b for b in at.button if b.label == "Nhập vào kho dữ liệu").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(shown(s.value) for s in at.success) == (
        "Đã cập nhật lớp “Khu quy hoạch” theo mã: thêm 1, sửa 1 (tinh_trang: 1), xóa 1; 9 đối tượng không đổi."
    )
    assert sorted(Store(env).read("quy_hoach")["ma"]) == [f"QH-{i:03d}" for i in range(1, 13) if i != 5]
    # Published from the same panel: on by default for everyone from then on (audited).
    next(b for b in at.button if b.key == "imp_pub_quy_hoach").click().run()
    assert Store(env).catalog["quy_hoach"].default_visible is True


def _html(node) -> str:
    """Every block of HTML the page shows (the report's table is one)."""
    out = []
    for child in getattr(node, "children", {}).values():
        if type(child).__name__ == "Html":
            out.append(child.proto.body)
        out.append(_html(child))
    return " ".join(out)


def test_the_web_report_points_an_unknown_code_to_the_table_that_maps_it(env: Path, tmp_path: Path) -> None:
    from geo.demo.synthetic import cadastral
    from tests import import_files as F

    office = cadastral(6)
    office["LoaiDat"] = ["HNK", "LUA", "TON", "XYZ", "CNT", "SKK"]  # every generation's codes, and one unknown
    body = F.shapefile(tmp_path, frame=office, name="thua", encoding="utf-8", cpg=True).read_bytes()
    at = _data_page("lan")
    at.selectbox(key="imp_layer").set_value("cadastral_parcels").run()
    at.file_uploader(key="imp_file").set_value(("thua.zip", body, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    report = _html(at._tree)
    assert "“XYZ”" in report and "Giá trị trong tệp → loại của lớp" in report
    assert "--values" not in report  # the command line's flag is not this page's way
    for code in ("HNK", "LUA", "TON", "CNT", "SKK"):
        assert f"“{code}”" not in report  # the national codes need no one
