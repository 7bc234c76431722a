"""An import's preview draws the planner's own file, in a real browser: as a new layer (then imported
and found on the overview), and into a stored layer large enough to travel as compact files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from playwright.sync_api import Browser

from geo.auth.users import add_user
from geo.demo.synthetic import parcels
from geo.store.reads import Store, write_layers
from tests.browser import choose, features_drawn, import_uploader, ms, sign_in, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser

STORED_PARCELS = 900  # over geo.webmap.mapview.BIG_LAYER: the stored layer travels as compact files
FILE_PARCELS = 850


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    d = tmp_path_factory.mktemp("preview")
    src = Store(NOTICE_STORE)
    layers = {lid: src.read(lid) for lid in src.layer_ids()}
    layers["forest_parcels"] = parcels(STORED_PARCELS, within=layers["district"].geometry.iloc[0])
    store, users = d / "s.gpkg", d / "users.json"
    write_layers(store, layers)
    add_user(users, "chuyenvien", "planner", "mat-khau-dai")
    with streamlit_server(store, users=users) as url:
        yield url, store


def _upload(v, path: Path) -> None:
    import_uploader(v).locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    v.page.get_by_text("Vị trí trên bản đồ (chưa lưu)").first.wait_for(timeout=ms(30))
    v.wait_idle()


def test_a_planner_previews_a_new_layer_imports_it_and_finds_it_on_the_overview(
    browser: Browser, served, tmp_path, artifacts
) -> None:
    url, store = served
    feats = [
        {"type": "Feature", "properties": {"TEN_MOC": f"Mốc giới {i}"},
         "geometry": {"type": "Point", "coordinates": [107.05 + 0.04 * i, 21.55]}}
        for i in range(3)
    ]  # fmt: skip
    path = tmp_path / "moc-gioi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False))
    v = visit(browser, f"{url}/du-lieu")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.page.get_by_text("Nhập dữ liệu từ tệp").wait_for(timeout=ms(20))
    v.page.get_by_text("Lớp mới (lớp bổ sung)").click()
    v.wait_idle()
    _upload(v, path)
    main = v.page.locator('[data-testid="stMain"]')
    assert "Không có lớp" not in main.inner_text()  # the bug: the preview looked for itself in the store
    v.wait_for_map(
        "Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === 'import_preview').length === 3"
    )
    frame = v.map_frame()
    tips = frame.evaluate(
        "Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === 'import_preview')"
        ".map(l => l.feature.properties._tip.map(r => r[1]).join(' '))"
    )
    assert all(any(f"Mốc giới {i}" in tip for tip in tips) for i in range(3))
    v.page.get_by_label("Mã lớp mới (không dấu, vd. khu_dat_2025)").fill("moc_gioi")
    v.page.get_by_label("Tên lớp mới").fill("Mốc giới khu tái định cư")
    v.page.get_by_label("Tên lớp mới").press("Enter")
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "import-new-layer-preview.png"), full_page=True)
    v.page.get_by_role("button", name="Nhập vào kho dữ liệu").click()
    v.page.get_by_text("Đã tạo lớp mới “Mốc giới khu tái định cư” với 3 đối tượng").wait_for(timeout=ms(30))
    assert Store(store).overlays == ("moc_gioi",)
    v.page.get_by_role("link", name="Xem trên bản đồ tổng quan").click()
    v.page.wait_for_url(f"{url}/", timeout=ms(20))
    v.wait_idle()
    v.wait_for_map(
        "Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === 'moc_gioi').length === 3"
    )
    assert features_drawn(v.map_frame(), "moc_gioi") == 3
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()


def test_a_preview_into_a_large_stored_layer_draws_the_files_parcels(browser: Browser, served, tmp_path) -> None:
    url, _ = served
    mine = parcels(FILE_PARCELS, seed=11).assign(parcel_id=lambda d: "TEP-" + d.parcel_id.astype(str))
    path = tmp_path / "thua-dat.gpkg"
    pyogrio.write_dataframe(mine, path, layer="thua_dat", driver="GPKG")
    v = visit(browser, f"{url}/du-lieu")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.page.get_by_text("Nhập dữ liệu từ tệp").wait_for(timeout=ms(20))
    choose(
        v,
        v.page.locator('[data-testid="stSelectbox"]', has_text="Lớp"),
        "Đất Công ty Lâm nghiệp bàn giao về địa phương",
    )
    v.wait_idle()
    _upload(v, path)
    v.wait_for_map(
        "(w => !!(w.__dlCompact && w.__dlCompact.drawn.forest_parcels))(map.getContainer().ownerDocument.defaultView)",
        timeout=40,
    )
    # The map frame's canvas layer (the district lies beneath it, not interactive).
    drawn, keys = v.page.evaluate(
        """() => { for (const f of document.querySelectorAll('iframe')) { try {
               const c = f.contentWindow.__dlCompact;
               if (c && c.drawn.forest_parcels) return [c.drawn.forest_parcels, c.layers.forest_parcels._g.keys];
             } catch (e) {} } return [null, null]; }"""
    )
    assert drawn["total"] == FILE_PARCELS  # the file's parcels, not the 900 stored ones
    assert len(keys) == FILE_PARCELS and all(k.startswith("TEP-") for k in keys)
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()
