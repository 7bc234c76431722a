"""A leader moves the date on Giao thông in a real browser: the map, its legend and the figures follow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from geo.store.reads import DEFAULT_STORE
from tests.browser import ms, streamlit_server, visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server(DEFAULT_STORE) as url:  # the shipped store: the notice's state and its history
        yield url


def _legend_row(v, label: str) -> str:
    """The count beside ``label`` in the legend beside the map ('' when the class is not shown)."""
    return str(
        v.page.evaluate(  # in one read: the legend is redrawn while the page reruns
            """(label) => { for (const r of document.querySelectorAll('.dl-side-legend .dl-legend-row')) {
                 if (r.textContent.includes(label)) { const n = r.querySelector('.dl-legend-n');
                   return n ? n.textContent.trim() : ''; } } return ''; }""",
            label,
        )
    )


def _legend_reads(v, expected: dict[str, str], timeout: float = 20) -> None:
    """Wait until the legend beside the map reads ``expected`` (label → count, '' for absent): the page
    streams its parts, so the legend may arrive a moment after the map it describes."""
    v.wait_idle()
    got = {label: _legend_row(v, label) for label in expected}
    assert got == expected


def _segments_drawn(v, status_color: str) -> int:
    """QL4B segments the map draws in one status colour (what the eye sees on the map)."""
    return int(
        v.page.evaluate(
            """(c) => { for (const f of document.querySelectorAll('iframe')) { try {
                 const m = f.contentWindow.map; if (!m) continue;
                 return Object.values(m._layers).filter(l => l.feature && l.feature.properties._l === 'ql4b_segments'
                   && l.options.color === c).length; } catch (e) {} } return -1; }""",
            status_color,
        )
    )


def _colours_per_map(v) -> list[dict[str, int]]:
    """For each map on the page: its QL4B segments counted by colour."""
    return list(
        v.page.evaluate(
            """() => [...document.querySelectorAll('iframe')].flatMap(f => { try { const m = f.contentWindow.map;
                 if (!m) return []; const n = {}; Object.values(m._layers).forEach(l => {
                   const c = l.options.color;
                   if (l.feature && l.feature.properties._l === 'ql4b_segments') n[c] = (n[c] || 0) + 1; });
                 return [n]; } catch (e) { return []; } })"""
        )
    )


MAP_JS = """() => { const f = [...document.querySelectorAll('iframe')].find(f => { try { return !!f.contentWindow.map; }
  catch (e) { return false; } }); const w = f.contentWindow, m = w.map; """

BLOCKED, DONE = "#b2182b", "#1a9850"  # geo.model.catalog CLEARANCE colours


def _drawn(color: str, n: int) -> str:
    """A condition over ``map``: ``n`` QL4B segments drawn in ``color``."""
    return (
        "Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === 'ql4b_segments'"
        f" && l.options.color === '{color}').length === {n}"
    )


@pytest.fixture
def roads(browser: Browser, app_url: str):
    v = visit(browser, f"{app_url}/giao-thong")
    v.map_frame()
    yield v
    v.page.close()


def test_the_date_moves_the_map_the_legend_and_the_banner(roads, artifacts) -> None:
    v = roads
    # Today (late 2026): the whole site was handed over on 26/3/2025.
    _legend_reads(v, {"Đã bàn giao mặt bằng": "32", "Vướng mắc GPMB": ""})
    assert v.page.get_by_text("Đang xem dữ liệu tại ngày").count() == 0
    # The leader zooms in on the road; the map remembers it is the same map (a mark on its window).
    v.page.evaluate(MAP_JS + "m.setZoom(m.getZoom() + 1, { animate: false }); w.__sameMap = 1; }")
    v.wait_idle()
    zoom = v.page.evaluate(MAP_JS + "return m.getZoom(); }")
    # The slider's first stop: the day of the notice.
    v.page.get_by_role("slider", name="Các mốc có thay đổi").focus()
    v.page.keyboard.press("Home")
    v.page.get_by_text("Đang xem dữ liệu tại ngày 24/04/2024").wait_for(timeout=ms(20))
    v.wait_idle()
    v.wait_for_map(_drawn(BLOCKED, 11))
    # Redrawn in place: the same map, at the leader's zoom (not built again from nothing at the home view).
    assert v.page.evaluate(MAP_JS + "return [w.__sameMap, m.getZoom()]; }") == [1, zoom]
    _legend_reads(v, {"Vướng mắc GPMB": "11", "Đã bàn giao mặt bằng": "12"})
    v.page.screenshot(path=str(artifacts / "time-giao-thong-2024-04-24.png"))
    # A day typed in the picker: the eve of the handover, nothing blocked any more, 17 of 32 handed over.
    v.page.get_by_role("spinbutton", name="day, Hoặc chọn ngày").click()
    v.page.keyboard.type("25032025")  # day, month, year: each part moves on to the next, as a person types
    v.page.get_by_text("Thời điểm xem dữ liệu").click()  # the picker takes the date when it loses focus
    v.page.get_by_text("Đang xem dữ liệu tại ngày 25/03/2025").wait_for(timeout=ms(20))
    v.wait_idle()
    v.wait_for_map(_drawn(DONE, 17))
    _legend_reads(v, {"Vướng mắc GPMB": "", "Đã bàn giao mặt bằng": "17"})
    assert _segments_drawn(v, BLOCKED) == 0
    v.page.screenshot(path=str(artifacts / "time-giao-thong-2025-03-25.png"))
    # Back to today.
    v.page.get_by_role("button", name="Về hôm nay").first.click()
    v.page.get_by_text("Đang xem dữ liệu tại ngày").wait_for(state="detached", timeout=ms(20))
    v.wait_for_map(_drawn(DONE, 32))
    assert v.external_requests() == [] and v.page_errors == []


def test_a_link_opens_the_map_at_its_date(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/giao-thong?as_of=2024-04-24")
    v.map_frame()
    v.page.get_by_text("Đang xem dữ liệu tại ngày 24/04/2024").wait_for(timeout=ms(20))
    _legend_reads(v, {"Vướng mắc GPMB": "11"})
    v.page.close()
    v = visit(browser, f"{app_url}/giao-thong?as_of=26-3-2025")  # a date as people write it, not ISO
    v.map_frame()
    v.page.get_by_text("Đường dẫn có ngày không hợp lệ").wait_for(timeout=ms(20))
    _legend_reads(v, {"Đã bàn giao mặt bằng": "32"})  # and the map shows today
    v.page.close()


def _centres(v) -> list[list[float]]:
    return v.page.evaluate(
        """() => [...document.querySelectorAll('iframe')].flatMap(f => { try { const m = f.contentWindow.map;
             return m ? [[m.getCenter().lat, m.getCenter().lng, m.getZoom()]] : []; } catch (e) { return []; } })"""
    )


def test_two_dates_side_by_side_with_their_deltas_pan_together(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/giao-thong?as_of=2025-03-26")
    v.map_frame()
    v.page.get_by_text("So sánh hai thời điểm").click()  # B starts at the notice's day
    v.page.get_by_text("Từ 24/04/2024 đến 26/03/2025: số liệu thay đổi").wait_for(timeout=ms(20))
    v.wait_idle()
    main = v.page.locator('[data-testid="stMain"]')
    main.get_by_text("✓ TC-02").wait_for(timeout=ms(20))  # the deltas, streamed after their heading
    text = main.inner_text()
    assert "Km QL4B đã giải phóng mặt bằng: 38,4 → 62,0 (+23,6 km)" in text
    assert "Đoạn QL4B đã bàn giao mặt bằng: 12 → 32 (+20)" in text
    assert "✓ TC-02" in text  # the dispute resolved between the two dates
    # Two maps, each with its QL4B segments drawn (the single map of the page before is gone).
    v.page.wait_for_function(
        """() => [...document.querySelectorAll('iframe')].filter(f => { try { const m = f.contentWindow.map;
             return !!m && Object.values(m._layers).some(l => l.feature && l.feature.properties._l === 'ql4b_segments');
           } catch (e) { return false; } }).length === 2""",
        timeout=ms(60),
    )
    v.wait_idle()
    # The earlier date, on the left, shows the blocked segments; the later one none; what changed is dashed.
    try:
        v.wait_for_map(_drawn(BLOCKED, 11), timeout=60)
        v.wait_for_map(_drawn(DONE, 32), timeout=60)
    except Exception:  # say what each map drew, and keep the picture
        v.page.screenshot(path=str(artifacts / "time-compare-failed.png"))
        raise AssertionError(f"segments drawn per map, by colour: {_colours_per_map(v)}") from None
    v.wait_for_map("Object.values(map._layers).filter(l => l.feature && l.options.dashArray === '10 5').length >= 20")
    # Panning one map moves the other: the left map is panned as a drag ends (Leaflet's moveend), then
    # the right one must stand at the same centre and zoom. Asked from the page, whichever frames are live.
    v.wait_idle()
    before = _centres(v)
    v.page.evaluate(
        """() => { const maps = [...document.querySelectorAll('iframe')].flatMap(f => { try {
             const m = f.contentWindow.map; return m ? [m] : []; } catch (e) { return []; } });
           maps[0].panBy([150, 80], {animate: false}); }"""
    )
    v.page.wait_for_function(
        """(b) => { const c = [...document.querySelectorAll('iframe')].flatMap(f => { try {
             const m = f.contentWindow.map; return m ? [[m.getCenter(), m.getZoom()]] : [];
           } catch (e) { return []; } });
           return c.length === 2 && Math.abs(c[0][0].lat - b[0][0]) > 1e-3 && c[0][0].equals(c[1][0], 1e-6)
             && c[0][1] === c[1][1]; }""",
        arg=before,
        timeout=ms(30),
    )
    after = _centres(v)
    assert after[0] == pytest.approx(after[1]) and after[0] != pytest.approx(before[0])
    v.page.screenshot(path=str(artifacts / "compare-giao-thong.png"), full_page=True)
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()
