"""The briefing in a real browser: a 1920×1080 presentation stepped with the keyboard; a planner's
change shows up under "what changed"."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.auth.users import add_user
from tests.browser import ms, save_clearance, sign_in, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    d = tmp_path_factory.mktemp("meeting")
    store, users = d / "s.gpkg", d / "users.json"
    shutil.copy(NOTICE_STORE, store)
    add_user(users, "chuyenvien", "planner", "mat-khau-dai")
    with streamlit_server(store, users=users) as url:
        yield url


def _title(v) -> str:
    return v.page.locator(".dl-pres-title").inner_text()


def test_presentation_steps_with_the_keyboard_on_a_projector(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/giao-ban", 1920, 1080)
    v.page.get_by_text("Toàn màn hình (máy chiếu)").click()
    v.wait_idle()
    v.map_frame()
    assert _title(v) == "Tổng quan huyện Đình Lập"
    assert not v.page.locator('[data-testid="stSidebar"]').is_visible()
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "presentation-1920x1080-1.png"))
    # The → key right after full screen was switched on with the mouse (no click on the page first).
    v.page.keyboard.press("ArrowRight")
    v.page.locator(".dl-pres-title", has_text="QL4B Km18–Km80").wait_for(timeout=ms(20))
    v.map_frame()
    v.page.get_by_text("2.2. GPMB QL4B").wait_for(timeout=ms(20))
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "presentation-1920x1080-2.png"))
    v.page.keyboard.press("ArrowLeft")
    v.page.locator(".dl-pres-title", has_text="Tổng quan huyện Đình Lập").wait_for(timeout=ms(20))
    v.page.get_by_role("radio", name="Nhiệm vụ theo Thông báo").click()
    v.wait_idle()
    assert _title(v) == "Nhiệm vụ 2.1"
    v.page.get_by_role("button", name="Tiếp").click()
    v.page.locator(".dl-pres-title", has_text="Nhiệm vụ 2.2").wait_for(timeout=ms(20))
    v.page.locator(".dl-pres-quote", has_text="Km18 - Km80, Quốc lộ 4B").wait_for(timeout=ms(20))  # the notice's words
    v.wait_idle()
    v.wait_for_map(  # the feature task 2.2 links to is highlighted
        "Object.values(map._layers).some(l => l.feature && l.feature.properties._k === 'QL4B-18-20'"
        " && l.options.color === '#00b8d9')",
        timeout=20,
    )
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "presentation-1920x1080-task.png"))
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()


def test_the_new_rural_slides_are_coloured_as_their_views_say(browser: Browser, app_url: str, artifacts) -> None:
    from geo.model.catalog import NTM_CLASSES

    v = visit(browser, f"{app_url}/giao-ban", 1600, 1000)
    v.map_frame()
    for _ in range(4):  # to the fifth view: Đồng Thắng's new-rural criteria
        v.page.get_by_role("button", name="Tiếp").click()
        v.wait_idle()
    v.page.locator(".dl-pres-title", has_text="Đồng Thắng").wait_for(timeout=ms(20))
    v.map_frame()
    # Every commune filled with its class colour (the notice's day: 10/19 for Đồng Thắng), none left white.
    colours = {s.color for s in NTM_CLASSES}
    v.wait_for_map(
        "(() => { const u = Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === 'units');"
        f" return u.length === 12 && u.every(l => {sorted(colours)}.includes(l.options.fillColor))"
        " && new Set(u.map(l => l.options.fillColor)).size >= 3; })()",
        timeout=20,
    )
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "presentation-ntm-view.png"))
    v.page.close()


def test_the_task_board_shows_every_task_at_once_and_a_row_opens_its_slide(browser: Browser, app_url: str, artifacts):
    v = visit(browser, f"{app_url}/giao-ban", 1600, 1000)
    v.map_frame()
    v.page.get_by_role("radio", name="Bảng nhiệm vụ").click()
    v.wait_idle()
    grid = v.page.locator('[data-testid="stDataFrame"]')
    grid.wait_for()
    # The grid's accessible table: a header and one row per task of the notice, 2.1 … 2.10 and 3.
    first_cells = "[...document.querySelectorAll('[data-testid=stDataFrame] table tbody tr')].map(r => r.cells[0]"
    first_cells += " ? r.cells[0].innerText.trim() : '')"
    v.page.wait_for_function(f"() => {first_cells}.length === 11")
    rows = v.page.evaluate(first_cells)
    assert rows == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "3"]
    v.page.get_by_text("11 nhiệm vụ").wait_for()
    v.page.screenshot(path=str(artifacts / "task-board.png"))
    box = grid.bounding_box()
    assert box is not None
    v.page.mouse.click(box["x"] + 18, box["y"] + 35 * 5 + 17)  # the fifth row's selection box: task 2.5
    v.page.locator(".dl-pres-title", has_text="Nhiệm vụ 2.5").wait_for(timeout=ms(20))
    assert v.page_errors == []
    v.page.close()


def test_a_planner_s_change_appears_in_what_changed(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/giao-thong")
    sidebar = v.page.locator('[data-testid="stSidebar"]')
    sign_in(v, "chuyenvien", "mat-khau-dai")
    save_clearance(v, "QL4B-18-20", "Đã bàn giao mặt bằng", "Biên bản bàn giao mặt bằng")
    sidebar.get_by_role("link", name="Giao ban").click()
    v.wait_idle()
    v.page.get_by_role("radio", name="Thay đổi từ lần họp trước").click()
    v.wait_idle()
    table = v.page.locator("table.dl-changes")
    table.wait_for(timeout=ms(20))
    text = table.inner_text()
    assert "QL4B-18-20" in text and "Đã bàn giao mặt bằng" in text and "chuyenvien" in text
    # The changed segment is highlighted on the map of changes (the previous mode's map may still be going away).
    v.wait_for_map(
        "Object.values(map._layers).some(l => l.feature && l.feature.properties._k === 'QL4B-18-20'"
        " && l.options.color === '#00b8d9')",
    )
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "what-changed.png"))
    v.page.close()


FULLSCREEN = "() => document.fullscreenElement !== null"
FOCUS_IN_MAP = """() => { const f = document.activeElement; if (!f || f.tagName !== 'IFRAME') return false;
  const d = f.contentDocument;
  return !!d && !!d.__dlPresent && d.activeElement === d.querySelector('.leaflet-container'); }"""
MAP_FRAME_BOX = """() => { const f = [...document.querySelectorAll('iframe')].find(x => x.title.includes('st_folium'));
  const r = f.getBoundingClientRect(); const lg = f.contentDocument.querySelector('.dl-legend');
  const l = lg ? lg.getBoundingClientRect() : null;
  return {top: r.top, bottom: r.bottom, height: r.height, legendOpen: !!(lg && lg.open),
          legendBottom: l ? r.top + l.bottom : null, legendTop: l ? r.top + l.top : null}; }"""


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_a_clicker_steps_the_slides_full_screen_wherever_focus_is_and_esc_leaves(
    browser: Browser, app_url: str, artifacts, size: tuple[int, int]
) -> None:
    w, h = size
    v = visit(browser, f"{app_url}/giao-ban", w, h)
    v.page.wait_for_function("() => window.__dlPresent === true", timeout=ms(30))  # the switch asks for full screen
    v.page.get_by_text("Toàn màn hình (máy chiếu)").click()
    try:  # the browser's own full screen (on two busy cores the window takes its time to get there)
        v.page.wait_for_function(FULLSCREEN, timeout=ms(30))
    except PlaywrightTimeout:
        raise v.fail("the switch did not take the browser to full screen") from None
    v.wait_idle()
    v.map_frame()
    assert _title(v) == "Tổng quan huyện Đình Lập"
    # The slide fits the screen, its legend open and whole inside the map.
    v.page.wait_for_function(f"() => ({MAP_FRAME_BOX})().bottom <= {h} && ({MAP_FRAME_BOX})().height > 300")
    box = v.page.evaluate(MAP_FRAME_BOX)
    assert box["legendOpen"] and box["legendTop"] >= box["top"] and box["legendBottom"] <= min(box["bottom"], h)
    v.page.screenshot(path=str(artifacts / f"presenting-{w}x{h}.png"))
    # A click on the map (on its ground, beside the district: no feature, no control), then the clicker's
    # keys: the slides move, not the map.
    frame = v.map_frame()
    size = frame.evaluate("() => map.getSize()")
    frame.locator(".leaflet-container").click(position={"x": size["x"] * 0.12, "y": size["y"] * 0.62})
    v.wait_idle()
    try:  # focus is in the map's frame, which the page's presentation keys have reached (present.js)
        v.page.wait_for_function(FOCUS_IN_MAP, timeout=ms(10))
    except PlaywrightTimeout:
        raise v.fail("a click on the map did not put focus in a map the presentation's keys reach") from None
    for key, title in (
        ("ArrowRight", "QL4B Km18–Km80"),
        ("PageUp", "Tổng quan huyện Đình Lập"),
        ("PageDown", "QL4B Km18–Km80"),
    ):
        v.page.keyboard.press(key)
        try:
            v.page.locator(".dl-pres-title", has_text=title).wait_for(timeout=ms(20))
        except PlaywrightTimeout:
            raise v.fail(f"{key} in the map did not bring the slide {title!r}") from None
    v.wait_idle()
    v.page.keyboard.press("Escape")
    v.page.wait_for_function("() => document.fullscreenElement === null", timeout=ms(20))
    v.page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=ms(20))
    assert not v.page.locator(".st-key-pres_full input").is_checked()
    assert v.page_errors == []
    v.page.close()


def _speaks(page, lang: str) -> None:
    """Wait until the page is drawn in ``lang`` (its navigation's words, and the html element's lang)."""
    word = {"en": "Overview", "vi": "Tổng quan"}[lang]
    page.get_by_test_id("stSidebarNav").get_by_text(word, exact=True).wait_for(timeout=ms(30))
    page.wait_for_function(  # set by the page's script, which also remembers the choice
        f"() => document.documentElement.lang === '{lang}' && document.cookie.includes('dl_lang={lang}')",
        timeout=ms(30),
    )


def test_english_stays_across_a_reload_and_a_new_tab(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{app_url}/giao-ban?lang=en")
    _speaks(page, "en")
    page.reload()
    _speaks(page, "en")
    other = context.new_page()
    other.goto(app_url)
    _speaks(other, "en")
    assert "lang=" not in other.url
    # ?lang= still wins, and the choice it makes is remembered in turn.
    other.goto(f"{app_url}/?lang=vi")
    _speaks(other, "vi")
    page.reload()
    _speaks(page, "vi")
    context.close()


MAP_VISIBLE = """() => { const f = [...document.querySelectorAll('iframe')].find(x => x.title.includes('st_folium'));
  const r = f.getBoundingClientRect(); return Math.min(r.bottom, innerHeight) - Math.max(r.top, 0); }"""


@pytest.mark.parametrize("size", [(1366, 768), (1600, 900)])
@pytest.mark.parametrize("path", ["", "/giao-thong"])
def test_half_a_laptop_s_first_screen_is_map(
    browser: Browser, app_url: str, artifacts, size: tuple[int, int], path: str
) -> None:
    w, h = size
    v = visit(browser, app_url + path, w, h)
    v.map_frame()
    visible = v.page.evaluate(MAP_VISIBLE)
    v.page.screenshot(path=str(artifacts / f"first-screen{path.replace('/', '-') or '-overview'}-{w}x{h}.png"))
    assert visible >= h / 2, f"{visible} px of map in the first {h} px"
    assert v.page.evaluate("scrollY") == 0
    if not path:  # the figures are still there, in one strip above the map
        assert v.page.locator(".dl-strip .dl-card").count() >= 6
        assert v.page.locator(".dl-strip").bounding_box()["y"] < h / 2
    v.page.close()


def test_a_date_typed_the_vietnamese_way_applies_on_enter(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/giao-thong", 1366, 768)
    v.map_frame()
    v.page.get_by_role("spinbutton", name="day, Hoặc chọn ngày").click()
    v.page.keyboard.type("24042024")  # day, month, year, as the page shows dates
    v.page.keyboard.press("Enter")  # applies at once: focus stays put, nothing else clicked
    v.page.get_by_text("Đang xem dữ liệu tại ngày 24/04/2024").wait_for(timeout=ms(20))
    assert v.page.locator('[data-baseweb="calendar"]').count() == 0  # and the calendar is not left open
    v.page.close()


def test_compare_works_on_the_overview_and_each_side_counts_its_own_legend(browser: Browser, app_url: str, artifacts):
    v = visit(browser, f"{app_url}/?as_of=2024-04-24", 1600, 900)
    v.map_frame()
    v.page.get_by_text("So sánh hai thời điểm").click()  # B starts at the notice's day
    v.page.get_by_text("Bản đồ tại 24/04/2024").first.wait_for(timeout=ms(30))
    v.wait_idle()
    v.page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].filter(f => f.title.includes('st_folium')).length === 2",
        timeout=ms(30),
    )
    legends = v.page.locator(".dl-side-legend")
    assert legends.count() == 2  # one under each map
    v.page.screenshot(path=str(artifacts / "compare-overview.png"))
    v.page.close()
