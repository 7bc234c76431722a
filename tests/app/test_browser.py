"""Real browser: Debian's Chromium against `streamlit run` on the demo store.

What a person sees: every page draws its vector layers from local assets, with
no request leaving this machine and no console error; clicking a feature shows
its record; toggling a layer keeps the user's view. Screenshots are kept in
tests/artifacts/ and looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import choose, features_drawn, ms, select_on_map, streamlit_server, visit

pytestmark = pytest.mark.browser

PAGES = {
    "": ["district", "units", "ql4b_segments", "forest_parcels", "cluster_plots", "land_disputes"],
    "giao-thong": ["ql4b_segments", "ql4b_stations", "resettlement_sites", "rural_roads"],
    "cum-cong-nghiep": ["cluster_boundary", "cluster_plots"],
    "dat-lam-nghiep": ["forest_parcels", "land_disputes"],
    "nong-thon-moi": ["units"],
    "giao-ban": ["units", "ql4b_segments"],
}


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server() as url:
        yield url


@pytest.mark.parametrize("path", list(PAGES))
def test_page_draws_its_layers_offline(browser: Browser, app_url: str, path: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/{path}")
    frame = v.map_frame()
    for lid in PAGES[path]:
        assert features_drawn(frame, lid) > 0, lid
    assert frame.evaluate("typeof L") == "object"
    assert "Dữ liệu minh họa" in frame.inner_text(".dl-badge")
    assert frame.locator(".dl-legend").count() == 1
    # The whole page as a person scrolls it: Streamlit scrolls inside its main block, so grow the viewport.
    height = v.page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    v.page.set_viewport_size({"width": 1600, "height": min(height + 40, 4000)})
    v.wait_idle()  # the map resized reports its new view: that run, then idle
    v.page.screenshot(path=str(artifacts / f"page-{path or 'overview'}.png"))
    assert v.external_requests() == []
    assert v.unexpected_failures() == []
    assert v.unexpected_console_errors() == []
    assert v.page_errors == []
    v.page.close()


def test_every_demo_feature_is_drawn(browser: Browser, app_url: str, store) -> None:
    v = visit(browser, app_url)
    frame = v.map_frame()
    for lid in ("units", "ql4b_segments", "forest_parcels", "land_disputes", "cluster_plots"):
        assert features_drawn(frame, lid) == len(store.read(lid)), lid
    labels = frame.eval_on_selector_all(".dl-label-units span", "els => els.map(e => e.textContent)")
    assert sorted(labels) == sorted(store.read("units").short_name)
    v.page.close()


def test_clicking_a_feature_shows_its_record(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, app_url)
    frame = v.map_frame()
    select_on_map(v, frame, "land_disputes", "TC-03")
    panel = v.page.locator("table.dl-record").inner_text()
    assert "Chồng lấn sổ đỏ của hộ" in panel and "Mới phát sinh" in panel and "09/01/2024" in panel
    v.page.screenshot(path=str(artifacts / "overview-selected.png"))
    v.page.close()


def test_toggling_a_layer_keeps_the_view_and_the_map(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    frame = v.map_frame()
    frame.evaluate("window.map.setView([21.60, 107.12], 13, {animate: false}); window.__same_map = true;")
    v.wait_idle()  # the map reports its new view: that run is over before the reader clicks
    with v.expect_run():
        v.page.get_by_role("button", name="Điểm tranh chấp đất đai").click()
    v.wait_idle()
    v.wait_for_map("!Object.values(map._layers).some(l => l.feature && l.feature.properties._l === 'land_disputes')")
    assert features_drawn(frame, "forest_parcels") > 0
    assert frame.evaluate("window.__same_map") is True  # the map was not rebuilt
    assert frame.evaluate("window.map.getZoom()") == 13
    centre = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng]")
    assert centre == pytest.approx([21.60, 107.12], abs=1e-3)
    v.page.close()


def test_english_switch_translates_the_map(browser: Browser, app_url: str) -> None:
    v = visit(browser, app_url)
    v.map_frame()
    v.page.get_by_text("English", exact=True).click()
    v.wait_idle()
    v.page.get_by_text("Đình Lập district operations map").wait_for(timeout=ms(20))
    frame = v.map_frame()
    frame.wait_for_selector("text=Legend", timeout=ms(20))
    v.page.close()


def _map_view(frame) -> tuple[float, float, float]:
    return tuple(frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"))


def test_a_filter_change_keeps_the_view_and_redraws(browser: Browser, app_url: str, store) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    frame = v.map_frame()
    d = store.read("land_disputes")
    assert features_drawn(frame, "land_disputes") == len(d)
    frame.evaluate("window.map.setView([21.55, 107.15], 12.5, {animate: false}); window.__same_map = true;")
    # Untick "Đã giải quyết" in the disputes' status filter.
    panel = v.page.locator('[data-testid="stExpander"]', has_text="Điểm tranh chấp đất đai")
    panel.get_by_role("button", name="Đã giải quyết").click()
    v.wait_idle()
    v.page.wait_for_function(
        """(n) => { const f = [...document.querySelectorAll('iframe')].find(f => f.src.includes('st_folium'));
                    const w = f && f.contentWindow; return w && w.map && Object.values(w.map._layers)
                      .filter(l => l.feature && l.feature.properties._l === 'land_disputes').length === n; }""",
        arg=int((d.status != "resolved").sum()),
        timeout=ms(20),
    )
    assert frame.evaluate("window.__same_map") is True
    lat, lng, zoom = _map_view(frame)
    assert (lat, lng, zoom) == pytest.approx((21.55, 107.15, 12.5), abs=1e-3)
    assert panel.get_by_text(f"Đang hiện {(d.status != 'resolved').sum()} / {len(d)} vụ việc").count() == 1
    v.page.close()


def test_clicking_a_table_row_selects_the_feature_and_moves_the_map(browser: Browser, app_url: str, store) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    frame = v.map_frame()
    before = _map_view(frame)
    grid = v.page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # Third data row of the parcels table: the row-selection cell at the left edge.
    v.page.mouse.click(box["x"] + 14, box["y"] + 35 * 3 + 17)
    v.wait_idle()
    parcel = store.read("forest_parcels").iloc[2]
    v.page.locator("table.dl-record", has_text=parcel.parcel_id).wait_for(timeout=ms(20))
    v.page.wait_for_function(
        """(z) => { const f = [...document.querySelectorAll('iframe')].find(f => f.src.includes('st_folium'));
                    return f.contentWindow.map.getZoom() > z; }""",
        arg=before[2],
        timeout=ms(20),
    )
    lat, lng, _ = _map_view(frame)
    c = parcel.geometry.centroid
    assert abs(lat - c.y) < 0.01 and abs(lng - c.x) < 0.01
    v.page.close()


def test_an_attention_item_opens_its_page_with_the_feature_selected(browser: Browser, app_url: str) -> None:
    v = visit(browser, app_url)
    v.map_frame()
    link = v.page.locator('[data-testid="stPageLink"] a', has_text="ngày").first
    key = link.inner_text().strip().splitlines()[-1].split(":")[0].strip()  # after the icon's ligature text
    link.click()
    v.page.wait_for_url("**/dat-lam-nghiep**", timeout=ms(20))
    v.wait_idle()
    v.page.locator("table.dl-record", has_text=key).wait_for(timeout=ms(20))
    frame = v.map_frame()
    v.page.wait_for_function(
        """() => { const f = [...document.querySelectorAll('iframe')].find(f => f.src.includes('st_folium'));
                   return f.contentWindow.map.getZoom() >= 14; }""",
        timeout=ms(20),
    )
    assert frame.evaluate("window.map.getZoom()") >= 14
    v.page.close()


def test_clicking_a_segment_shows_its_record_and_contributions(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/giao-thong")
    frame = v.map_frame()
    # Km52: no station, site or label sits on this segment's middle at the home zoom.
    select_on_map(v, frame, "ql4b_segments", "QL4B-51-53")
    v.page.get_by_text("Đóng góp vào số liệu đang hiện").wait_for(timeout=ms(20))
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "giao-thong-selected.png"), full_page=True)
    v.page.close()


def test_the_cluster_page_opens_on_the_cluster(browser: Browser, app_url: str, store) -> None:
    v = visit(browser, f"{app_url}/cum-cong-nghiep")
    frame = v.map_frame()
    w, s, e, n = store.read("cluster_boundary").total_bounds
    inside = frame.evaluate(
        "([w, s, e, n]) => window.map.getBounds().contains([[s, w], [n, e]]) && window.map.getZoom()", [w, s, e, n]
    )
    assert inside >= 14  # the whole cluster in view, at a zoom where its plots read
    # The legend beside the map lists the plots' classes; inside the map it starts folded.
    side = v.page.locator(".dl-side-legend").inner_text()
    assert "Cụm công nghiệp: lô đất" in side and "Đã cho thuê" in side
    assert frame.evaluate("document.querySelector('details.dl-legend').open") is False
    v.page.close()


def test_export_buttons_deliver_the_files(browser: Browser, app_url: str, tmp_path) -> None:
    import io

    from PIL import Image
    from pypdf import PdfReader

    v = visit(browser, f"{app_url}/giao-thong")
    v.map_frame()
    v.page.get_by_text("Xuất bản đồ").click()
    v.page.get_by_label("Tiêu đề", exact=True).fill("QL4B: tiến độ GPMB")
    v.page.get_by_label("Tiêu đề", exact=True).press("Enter")
    v.wait_idle()
    with v.page.expect_download(timeout=ms(60)) as dl:
        v.page.get_by_role("button", name="Tải PNG").click()
    png = tmp_path / dl.value.suggested_filename
    dl.value.save_as(png)
    assert png.name.startswith("dinh-lap-giao-thong-") and png.suffix == ".png"
    # A4 at 200 dpi, in the orientation the view's extent suits (geo.printing.export.orientation, tested there)
    assert sorted(Image.open(png).size) == [int(210 / 25.4 * 200), int(297 / 25.4 * 200)]
    fmt = v.page.locator('[data-testid="stSelectbox"]', has_text="Định dạng").locator("input")
    choose(v, fmt, "PDF vector (bản in)")
    v.wait_idle()
    with v.page.expect_download(timeout=ms(60)) as dl:
        v.page.get_by_role("button", name="Tải PDF").click()
    text = PdfReader(io.BytesIO(Path(dl.value.path()).read_bytes())).pages[0].extract_text()
    assert "QL4B: tiến độ GPMB" in text and "Dữ liệu minh họa" in text  # the title the user typed
    v.page.close()

    v = visit(browser, f"{app_url}/giao-ban")
    v.map_frame()
    with v.page.expect_download(timeout=ms(40)) as dl:
        v.page.get_by_role("button", name="Tải PDF").click()
    pdf = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pdf)
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == 7 and "Bộ tài liệu giao ban" in reader.pages[0].extract_text()
    assert v.external_requests() == []
    v.page.close()


def test_the_data_exported_after_a_move_of_the_map_is_that_of_the_new_extent(
    browser: Browser, app_url: str, store
) -> None:
    """A move of the map reruns the map alone (ui.mapwidget), not the export panel under it (as the server's
    messages say); the file is still made of the extent the user sees when pressing "Tải", not of the one the
    panel was drawn with."""
    import json

    from shapely.geometry import box, shape

    v = visit(browser, f"{app_url}/giao-thong")
    frame = v.map_frame()
    v.page.get_by_text("Xuất bản đồ").click()
    choose(v, v.page.locator('[data-testid="stSelectbox"]', has_text="Định dạng").locator("input"), "Dữ liệu GeoJSON")
    v.wait_idle()
    segs = store.read("ql4b_segments").set_index("seg_id")
    at = segs.geometry["QL4B-24-26"].representative_point()
    before = v.page.evaluate("[window.__dl.started, window.__dl.fragmentRuns]")
    with v.expect_run(30):  # the map reports its new extent
        frame.evaluate("([lat, lon]) => window.map.setView([lat, lon], 15, {animate: false})", [at.y, at.x])
    after = v.page.evaluate("[window.__dl.started, window.__dl.fragmentRuns]")
    assert after[0] - before[0] == after[1] - before[1] >= 1  # the runs it caused were the map's alone
    w, s, e, n = frame.evaluate(
        "(() => { const b = window.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    with v.page.expect_download(timeout=ms(60)) as dl:
        v.page.get_by_role("button", name="Tải GEOJSON").click()
    got = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))["features"]
    seen = box(w, s, e, n)
    assert got and all(shape(f["geometry"]).intersects(seen) for f in got)
    ids = {f["properties"].get("Mã đoạn", f["properties"].get("seg_id")) for f in got} - {None}
    assert "QL4B-24-26" in ids and len(ids) < len(segs)  # the segment in view, not the whole road
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()


@pytest.mark.parametrize(
    "view_id", ["tong-quan", "ql4b-gpmb", "cum-cong-nghiep", "dat-lam-nghiep", "dong-thang-ntm", "ntm-huyen"]
)
def test_each_shipped_view_opens_by_its_link(browser: Browser, app_url: str, store, view_id: str) -> None:
    from geo.model.views import views_from_frame

    view = next(v for v in views_from_frame(store.read("views")) if v.id == view_id)
    v = visit(browser, f"{app_url}/{view.page}?view={view_id}" if view.page else f"{app_url}/?view={view_id}")
    frame = v.map_frame()
    v.page.locator('[data-testid="stAlert"]', has_text=view.title_vi).wait_for(timeout=ms(20))
    for lid in view.layers:
        assert features_drawn(frame, lid) > 0, lid
    w, s, e, n = view.bbox
    shown = frame.evaluate(
        "(() => { const b = window.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    cx, cy = (shown[0] + shown[2]) / 2, (shown[1] + shown[3]) / 2
    assert abs(cx - (w + e) / 2) < (e - w) * 0.1 and abs(cy - (s + n) / 2) < (n - s) * 0.1  # centred on the view
    assert shown[2] - shown[0] < (e - w) * 2.5  # at the view's scale, not the whole district
    assert "was created with a default value" not in v.page.locator('[data-testid="stMain"]').inner_text()
    v.page.close()
