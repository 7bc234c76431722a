"""A planner imports a land office's zipped Shapefile in a real browser; a viewer sees no edit controls
and no sensitive field."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.auth.users import add_user
from geo.store.reads import Store
from tests import import_files as F
from tests.browser import (
    Deadline,
    choose,
    features_drawn,
    go_to,
    import_uploader,
    ms,
    select_on_map,
    sign_in,
    streamlit_server,
    visit,
)
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    d = tmp_path_factory.mktemp("import")
    store, users = d / "s.gpkg", d / "users.json"
    shutil.copy(NOTICE_STORE, store)
    add_user(users, "chuyenvien", "planner", "mat-khau-dai")
    with streamlit_server(store, users=users) as url:
        yield url, store


def _upload(v, path: Path, timeout: float = 40) -> None:
    """Give the uploader ``path``: the upload reruns the page, and then the file is listed there."""
    deadline = Deadline(timeout)
    v.wait_idle(deadline)
    with v.expect_run(deadline):
        import_uploader(v).locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(path), timeout=deadline.ms()
        )
    try:
        import_uploader(v).get_by_text(path.name).first.wait_for(timeout=deadline.ms())
    except PlaywrightTimeout:
        raise v.fail(f"the uploader does not list {path.name} after it was given") from None


def test_a_planner_uploads_maps_previews_and_imports_a_shapefile(browser: Browser, served, tmp_path, artifacts) -> None:
    url, store = served
    # The land office's file: TT_VV is their name for the status column, which nothing guesses.
    frame = F.truth_frame().rename(columns={"TRANG_THAI": "TT_VV"})
    shp = F.shapefile(tmp_path, crs="EPSG:9215", encoding="cp1258", frame=frame)
    v = visit(browser, f"{url}/du-lieu")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.page.get_by_text("Nhập dữ liệu từ tệp").wait_for(timeout=ms(20))
    choose(v, v.page.locator('[data-testid="stSelectbox"]', has_text="Lớp"), "Điểm tranh chấp đất đai")
    v.wait_idle()
    main = v.page.locator('[data-testid="stMain"]')
    # First the wrong file, without the kind of dispute: its mapping says what is missing…
    wrong = F.shapefile(tmp_path / "wrong", crs="EPSG:9215", frame=F.truth_frame().drop(columns="LOAI"), name="sai")
    _upload(v, wrong)
    v.page.get_by_text("Thiếu cột bắt buộc 'Loại tranh chấp'").first.wait_for(timeout=ms(30))
    v.page.get_by_text("Vị trí trên bản đồ (chưa lưu)").first.wait_for(timeout=ms(20))
    v.wait_idle()  # the preview map reports its bounds once drawn: idle waits for that run
    v.wait_idle()
    # …then the right one, mapped afresh: nothing of the first file's mapping is left over.
    _upload(v, shp)
    v.page.get_by_text("Thiếu cột bắt buộc 'Tình trạng'").first.wait_for(timeout=ms(30))  # its own report
    v.wait_idle()
    assert "Windows-1258" in main.inner_text() and "EPSG:9215" in main.inner_text()
    assert "Thiếu cột bắt buộc 'Tình trạng'" in main.inner_text()  # blocked until the column is mapped
    assert "Thiếu cột bắt buộc 'Loại tranh chấp'" not in main.inner_text()  # the file has it: LOAI
    assert v.page.get_by_role("button", name="Nhập vào kho dữ liệu").is_disabled()
    # Map the column: the select of the field "Tình trạng *"
    v.wait_idle()
    choose(v, v.page.locator('[data-testid="stSelectbox"]', has_text="Tình trạng *"), "TT_VV")
    v.page.get_by_text("Thiếu cột bắt buộc").wait_for(state="detached", timeout=ms(20))
    v.wait_idle()
    preview = v.page.locator("table.dl-import-preview")
    preview.wait_for(timeout=ms(20))
    text = preview.inner_text()
    for _, name, *_ in F.TRUTH:
        assert name in text  # decoded names, exact, before anything is stored
    v.page.get_by_text("Vị trí trên bản đồ (chưa lưu)").first.wait_for(timeout=ms(20))
    v.wait_idle()
    v.wait_idle()  # the preview map reports its bounds once drawn: idle waits for that run
    v.page.screenshot(path=str(artifacts / "import-preview.png"), full_page=True)
    before = len(Store(store).read("land_disputes"))
    # Into a layer with data the import adds by default; replacing says how many features go, and asks.
    v.page.get_by_text("Thay thế toàn bộ lớp").click()
    v.page.get_by_text(f"Thay thế sẽ xóa {before} đối tượng hiện có").wait_for(timeout=ms(20))
    v.wait_idle()
    assert v.page.get_by_role("button", name="Nhập vào kho dữ liệu").is_disabled()
    v.page.get_by_text(f"Tôi hiểu: xóa {before} đối tượng").click()
    v.wait_idle()
    v.page.get_by_role("button", name="Nhập vào kho dữ liệu").click()
    # What happened, in words, where the planner is looking.
    done = f"Đã thay toàn bộ lớp “Điểm tranh chấp đất đai”: xóa {before} đối tượng cũ, nhập 5 đối tượng từ tệp."
    v.page.get_by_text(done).wait_for(timeout=ms(30))
    after = Store(store).read("land_disputes")
    assert before != len(after) and sorted(after.dispute_id) == [r[0] for r in F.TRUTH]
    # …and the layer is on the map, with the imported points
    v.page.get_by_role("link", name="Xem trên bản đồ tổng quan").click()
    v.page.wait_for_url(f"{url}/", timeout=ms(20))  # the overview, not the import preview's map
    v.wait_idle()
    frame_ = v.map_frame()
    assert features_drawn(frame_, "land_disputes") == 5
    keys = frame_.evaluate(
        "Object.values(window.map._layers).filter(l => l.feature && l.feature.properties._l === 'land_disputes')"
        ".map(l => l.feature.properties._k).sort()"
    )
    assert keys == [r[0] for r in F.TRUTH]
    assert v.external_requests() == []
    v.page.close()


def test_a_viewer_sees_no_edit_controls_and_no_sensitive_field(browser: Browser, served) -> None:
    url, store = served
    v = visit(browser, f"{url}/dat-lam-nghiep")
    frame = v.map_frame()
    d = Store(store).read("land_disputes").iloc[0]
    select_on_map(v, frame, "land_disputes", d.dispute_id)
    panel = v.page.locator("table.dl-record")
    panel.wait_for(timeout=ms(20))
    main = v.page.locator('[data-testid="stMain"]').inner_text()
    assert d.dispute_id in panel.inner_text()
    assert "Các bên tranh chấp" not in main and "Cập nhật" not in main and "Lưu thay đổi" not in main
    go_to(v, "giao-thong")
    v.map_frame()
    main = v.page.locator('[data-testid="stMain"]').inner_text()
    assert "Hộ bị ảnh hưởng" not in main and "Hộ đã chi trả" not in main
    go_to(v, "du-lieu")
    v.page.get_by_text("Đăng nhập với vai trò chuyên viên").wait_for(timeout=ms(20))
    assert v.page.locator('[data-testid="stFileUploader"]').count() == 0
    v.page.close()


def _click_map_at(v, frame, dx: float, dy: float) -> tuple[float, float, float]:
    """Click the map ``dx``, ``dy`` pixels from its centre, as a person does: the (lon, lat) under the
    pointer, and the size of a screen pixel there in degrees (how precise a click can be)."""
    frame.frame_element().scroll_into_view_if_needed()
    x, y, lon, lat, px = frame.evaluate(
        """([dx, dy]) => {
             const m = window.map, s = m.getSize(), p = L.point(Math.round(s.x / 2 + dx), Math.round(s.y / 2 + dy));
             const ll = m.containerPointToLatLng(p), next = m.containerPointToLatLng(p.add([1, 1]));
             return [p.x, p.y, ll.lng, ll.lat, Math.max(next.lng - ll.lng, ll.lat - next.lat)];
           }""",
        [dx, dy],
    )
    box = frame.frame_element().bounding_box()
    v.page.mouse.click(box["x"] + x, box["y"] + y)
    return lon, lat, px


def _picked(v) -> tuple[float, float]:
    caption = v.page.get_by_text("Vị trí đã chọn trên bản đồ:")
    caption.wait_for(timeout=ms(20))
    lon, lat = caption.inner_text().split(":", 1)[1].strip().rstrip(".").split(", ")
    return float(lon), float(lat)


def test_a_planner_places_a_new_point_and_moves_it_by_clicking_the_map(browser: Browser, served, artifacts) -> None:
    url, store = served
    v = visit(browser, f"{url}/dat-lam-nghiep")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    frame = v.map_frame()
    pick = v.page.get_by_role("switch", name="Chọn vị trí trên bản đồ")
    toggle = v.page.get_by_text("Chọn vị trí trên bản đồ", exact=True)  # its label, where a person clicks
    toggle.click()
    v.page.get_by_text("Đang chọn vị trí: bấm vào bản đồ.").wait_for(timeout=ms(20))
    lon, lat, px = _click_map_at(v, frame, 70, -50)
    got = _picked(v)
    assert abs(got[0] - lon) <= px and abs(got[1] - lat) <= px  # the place clicked, to the pixel
    v.wait_for_map("map.getContainer().querySelector('path.dl-pin')")  # a pin where the planner clicked
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "add-point-picked.png"))
    # The new dispute's form takes the picked position.
    v.page.locator('[data-testid="stExpander"] summary', has_text="Thêm điểm mới").click()
    form = v.page.locator('[data-testid="stForm"]', has_text="Thêm vào bản đồ")
    expect(form.get_by_label("Kinh độ")).to_have_count(1, timeout=ms(10))
    assert float(form.get_by_label("Kinh độ").input_value()) == pytest.approx(got[0], abs=1e-6)
    assert float(form.get_by_label("Vĩ độ").input_value()) == pytest.approx(got[1], abs=1e-6)
    form.get_by_label("Mã vụ việc").fill("TC-90")
    form.get_by_label("Loại tranh chấp").fill("Lấn chiếm đất rừng")
    form.get_by_label("Diện tích tranh chấp (ha)").fill("1.5")
    form.get_by_role("textbox", name="Ngày phát sinh").fill("2024-06-01")
    form.get_by_label("Lý do, căn cứ").fill("Kiểm tra thực địa")
    form.get_by_role("button", name="Thêm vào bản đồ").click()
    v.page.get_by_text("Đã thêm 'TC-90'").first.wait_for(timeout=ms(20))
    added = Store(store).read("land_disputes").set_index("dispute_id").geometry["TC-90"]
    assert added.x == pytest.approx(got[0], abs=1e-6) and added.y == pytest.approx(got[1], abs=1e-6)
    v.wait_idle()
    assert not pick.is_checked()  # picking ends with the point placed
    v.page.locator("table.dl-record", has_text="TC-90").wait_for(timeout=ms(20))  # and the new point is selected
    # Moving it: pick again, click elsewhere, the record's move form takes that position.
    toggle.click()
    v.page.get_by_text("Đang chọn vị trí: bấm vào bản đồ.").wait_for(timeout=ms(20))
    frame = v.map_frame()
    lon2, lat2, px = _click_map_at(v, frame, -60, 40)
    v.page.get_by_text(f"Vị trí đã chọn trên bản đồ: {got[0]:.6f}").wait_for(state="detached", timeout=ms(20))
    moved_to = _picked(v)
    assert abs(moved_to[0] - lon2) <= px and abs(moved_to[1] - lat2) <= px
    assert v.page.locator("table.dl-record", has_text="TC-90").is_visible()  # picking did not change the selection
    v.page.locator('[data-testid="stExpander"] summary', has_text="Cập nhật").click()
    move = v.page.locator('[data-testid="stForm"]', has_text="Di chuyển điểm")
    v.wait_idle()
    expect(move.get_by_label("Kinh độ")).to_have_count(
        1, timeout=ms(10)
    )  # the form of the run before may linger a moment
    assert float(move.get_by_label("Kinh độ").input_value()) == pytest.approx(moved_to[0], abs=1e-6)
    move.get_by_label("Lý do, căn cứ").fill("Đo lại bằng GPS")
    move.get_by_role("button", name="Di chuyển điểm").click()
    v.page.get_by_text("Đã chuyển điểm đến").first.wait_for(timeout=ms(20))
    now = Store(store).read("land_disputes").set_index("dispute_id").geometry["TC-90"]
    assert now.x == pytest.approx(moved_to[0], abs=1e-6) and now.y == pytest.approx(moved_to[1], abs=1e-6)
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()


def _open_cell(v, grid, row: int, col: int, shows: str, timeout: float = 30) -> None:
    """Open the editor of a data editor's cell as a person does with the keyboard: click the row's first cell,
    move right ``col`` times, press Enter; the cell's list of choices then ``shows`` an option."""
    deadline = Deadline(timeout)
    v.wait_idle(deadline)
    grid.scroll_into_view_if_needed(timeout=deadline.ms())
    # Where the grid is once it has stopped moving (a table sizing itself, a message above it): the same
    # place for ten frames in a row, then the click.
    try:
        v.page.wait_for_function(
            """(g) => { const r = g.getBoundingClientRect(), now = [r.x, r.y, r.width, r.height].join();
                 const s = g.__dlStill || (g.__dlStill = {last: '', same: 0});
                 s.same = now === s.last ? s.same + 1 : 0; s.last = now; return s.same >= 10; }""",
            arg=grid.element_handle(timeout=deadline.ms()),
            polling="raf",
            timeout=deadline.ms(),
        )
    except PlaywrightTimeout:
        raise v.fail("the table kept moving: no place to click its cell") from None
    box = grid.bounding_box()
    assert box is not None
    v.page.mouse.click(box["x"] + 30, box["y"] + 35 * (row + 1) + 17)  # rows of 35 px under a header
    for _ in range(col):
        v.page.keyboard.press("ArrowRight")
    v.page.keyboard.press("Enter")
    try:
        v.page.get_by_text(shows).wait_for(timeout=deadline.ms())
    except PlaywrightTimeout:
        raise v.fail(f"the cell's editor did not open (row {row}, column {col})") from None


def test_a_land_office_parcel_file_is_mapped_by_its_own_wording_imported_and_exported_back(
    browser: Browser, served, tmp_path, artifacts
) -> None:
    import io

    import pandas as pd

    from geo.demo.synthetic import cadastral

    url, store = served
    # The office's file: its own words for land uses and certificates, one of them ("Đất vườn tạp", an old
    # name for garden land) matching no class until the planner says what it means.
    office = cadastral(40, units=("06613",))
    office.loc[office.index[:5], "LoaiDat"] = "Đất vườn tạp"
    shp = F.shapefile(tmp_path, crs="EPSG:9215", encoding="cp1258", frame=office, name="dia_chinh")
    v = visit(browser, f"{url}/du-lieu")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.page.get_by_text("Nhập dữ liệu từ tệp").wait_for(timeout=ms(20))
    choose(v, v.page.locator('[data-testid="stSelectbox"]', has_text="Lớp"), "Thửa đất địa chính")
    v.wait_idle()
    _upload(v, shp)
    v.page.get_by_text("Báo cáo kiểm tra").wait_for(timeout=ms(30))
    v.page.get_by_text("Giá trị trong tệp → loại của lớp", exact=True).wait_for(timeout=ms(30))
    v.wait_idle()
    main = v.page.locator('[data-testid="stMain"]')
    # Every distinct value, its rows and its class: suggested from its words, to be checked.
    rows_js = """(t) => [...document.querySelectorAll('[data-testid=stDataFrame]')]
        .filter(g => g.textContent.includes(t))
        .flatMap(g => [...g.querySelectorAll('table tbody tr')]
        .map(r => [...r.cells].map(c => c.textContent.trim())))"""
    grid = v.page.locator('[data-testid="stDataFrame"]', has_text="Đất vườn tạp")
    grid.scroll_into_view_if_needed()
    v.page.wait_for_function(f"() => ({rows_js})('Đất vườn tạp').length === 7")  # 6 of the office's words + 1
    uses = {r[0]: (r[1], r[2]) for r in v.page.evaluate(rows_js, "Đất vườn tạp")}
    assert uses["Rừng sản xuất"][1] == "Đất rừng sản xuất (RSX)"
    assert uses["Đất ở nông thôn"][1] == "Đất ở tại nông thôn (ONT)"
    assert uses["Đất vườn tạp"] == ("5", "— chưa gán —")
    certs = {r[0]: r[2] for r in v.page.evaluate(rows_js, "Đã cấp GCN")}
    assert certs["Đã cấp GCN"] == "Đã cấp Giấy chứng nhận (issued)"
    # The unmapped value blocks the import once, with its row count.
    assert "Giá trị “Đất vườn tạp” (5 dòng) chưa gán" in main.inner_text()
    assert "--values" not in main.inner_text()  # the page points to its table, not to the command line's flag
    assert v.page.get_by_role("button", name="Nhập vào kho dữ liệu").is_disabled()
    v.page.screenshot(path=str(artifacts / "import-values.png"))
    # The planner says what it means: garden land is perennial-crop land (CLN).
    row = [r[0] for r in v.page.evaluate(rows_js, "Đất vườn tạp")].index("Đất vườn tạp")
    _open_cell(v, grid, row, 2, "Đất chuyên trồng lúa nước (LUC)")
    v.page.keyboard.type("CLN")
    v.page.get_by_text("Đất chuyên trồng lúa nước (LUC)").wait_for(state="detached", timeout=ms(20))  # filtered
    v.page.keyboard.press("Enter")
    v.page.get_by_text("Giá trị “Đất vườn tạp” (5 dòng) chưa gán").wait_for(state="detached", timeout=ms(30))
    v.wait_idle()
    button = v.page.get_by_role("button", name="Nhập vào kho dữ liệu")
    expect(button).to_be_enabled(timeout=ms(20))
    button.click()  # into a layer with data the import adds: the 48 invented parcels stay, flagged
    v.page.get_by_text("Đã thêm 40 đối tượng vào lớp “Thửa đất địa chính”.").wait_for(timeout=ms(30))
    parcels = Store(store).read("cadastral_parcels")
    mine = parcels[parcels["demo"] == 0].set_index("parcel_no")
    assert len(mine) == 40 and set(mine.loc[[1, 2, 3, 4, 5], "land_use"]) == {"CLN"}
    assert set(mine["cert_status"]) <= {"issued", "not_issued", "in_progress", "disputed"}
    sidebar = v.page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Dữ liệu minh họa một phần" in sidebar  # the demo badge says how many are invented
    # The next file of this office needs no mapping: the store remembers what its words mean.
    from geo.store.ingest import remembered_values

    assert remembered_values(store, "cadastral_parcels")["land_use"]["Đất vườn tạp"] == "CLN"
    v.page.close()

    # Exported back, as the office reads it: Vietnamese headers and class labels, with its provenance.
    v = visit(browser, f"{url}/dat-lam-nghiep")
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.map_frame()
    v.page.get_by_role("button", name="Thửa đất địa chính").click()  # the layer is off until asked for
    v.wait_idle()
    v.page.locator(".dl-side-legend", has_text="Nhóm đất nông nghiệp").wait_for(timeout=ms(20))  # legend by group
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "cadastral-layer.png"))
    v.page.get_by_text("Xuất bản đồ").click()
    choose(v, v.page.locator('[data-testid="stSelectbox"]', has_text="Định dạng").locator("input"), "Bảng Excel")
    v.wait_idle()
    with v.page.expect_download(timeout=ms(60)) as dl:
        v.page.get_by_role("button", name="Tải XLSX").click()
    book = pd.read_excel(io.BytesIO(Path(dl.value.path()).read_bytes()), sheet_name=None)
    assert {"Nguồn dữ liệu", "Thửa đất địa chính"} <= set(book)  # (a contents sheet first when a name was cut)
    sheet = book["Thửa đất địa chính"]
    assert {"Số tờ bản đồ", "Số thửa", "Diện tích (m²)", "Loại đất", "Nhóm đất", "Người sử dụng đất"} <= set(
        sheet.columns
    )
    ours = sheet[sheet["Dữ liệu minh họa"] == "Không"]
    assert len(ours) == 40 and "Đất trồng cây lâu năm" in set(ours["Loại đất"])
    assert set(ours["Tình trạng cấp Giấy chứng nhận"]) <= {
        "Đã cấp Giấy chứng nhận", "Chưa cấp Giấy chứng nhận", "Đang làm thủ tục cấp Giấy chứng nhận", "Đang tranh chấp"
    }  # fmt: skip
    prov = book["Nguồn dữ liệu"].set_index("Mã lớp")
    assert prov.loc["cadastral_parcels", "Dữ liệu minh họa"] == "Một phần: 48/88 đối tượng"
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()
