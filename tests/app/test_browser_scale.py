"""A cadastral-scale layer in a real browser (the quick version of benchmarks/scale.py).

A few thousand synthetic parcels, imported as a planner would, travel as compact files and
are drawn on a canvas: every parcel is drawn, a click on one opens its record, hovering names
it, a filter redraws without moving the map, and nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame

from geo.demo.synthetic import parcels
from geo.store.reads import Store
from geo.webmap.mapview import BIG_LAYER
from tests.browser import ROOT, Visit, ms, open_page, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser

N = BIG_LAYER + 1200


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("scale")
    district = Store(NOTICE_STORE).read("district").geometry.iloc[0]
    src = work / "thua_dat.gpkg"
    parcels(N, within=district).to_file(src, layer="thua_dat", driver="GPKG")
    store = work / "store.gpkg"
    shutil.copy(NOTICE_STORE, store)
    cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", "forest_parcels", "--replace", "--user", "test"]
    subprocess.run([*cmd, "--store", str(store)], cwd=ROOT, check=True, capture_output=True)
    return store


@pytest.fixture(scope="module")
def app_url(big_store: Path) -> Iterator[str]:
    with streamlit_server(big_store) as url:
        yield url


def _open(browser: Browser, url: str) -> tuple[Visit, Frame]:
    v = visit(browser, f"{url}/dat-lam-nghiep")
    frame = v.map_frame()
    frame.wait_for_function(
        "(n) => window.__dlCompact && window.__dlCompact.drawn.forest_parcels.total === n", arg=N, timeout=ms(30)
    )
    v.wait_idle()
    return v, frame


def _drawn(frame: Frame) -> dict:
    return frame.evaluate("window.__dlCompact.drawn.forest_parcels")


def _screen_point(v: Visit, frame: Frame, index: int) -> tuple[str, float, float]:
    key, x, y = frame.evaluate(
        """(i) => { const l = window.__dlCompact.layers.forest_parcels, p = l.pointOf(i);
                    return [l._g.keys[i], p.x, p.y]; }""",
        index,
    )
    box = frame.frame_element().bounding_box()
    assert box is not None
    return key, box["x"] + x, box["y"] + y


def test_every_parcel_is_drawn_from_files_served_by_the_app(browser: Browser, app_url: str, big_store, artifacts):
    v, frame = _open(browser, app_url)
    assert _drawn(frame)["drawn"] == N  # the home view shows the whole district
    fetched = [u for u in v.requests if u.endswith(".bin.gz")]
    assert len(fetched) == 2 and all(u.startswith(app_url) for u in fetched)  # geometry + style, from this app
    # A parcel's canvas pixels carry its status colour (not a blank canvas).
    painted = frame.evaluate(
        """() => { const c = document.querySelector('canvas.dl-compact'), x = c.getContext('2d');
                   const d = x.getImageData(0, 0, c.width, c.height).data; let n = 0;
                   for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (d.length / 4); }"""
    )
    assert painted > 0.2
    assert "Bảng hiện 1.000 / " in v.page.locator('[data-testid="stMain"]').inner_text()  # the table is capped
    assert v.external_requests() == [] and v.unexpected_console_errors() == [] and v.page_errors == []
    v.page.screenshot(path=str(artifacts / "scale-parcels.png"), full_page=True)
    v.page.close()


def test_hovering_names_a_parcel_and_clicking_opens_its_record(browser: Browser, app_url: str) -> None:
    v, frame = _open(browser, app_url)
    frame.evaluate("window.map.setView([21.55, 107.12], 15, {animate: false})")
    v.wait_idle()  # the new view is reported (a run), then the canvas redraws for it
    index = frame.evaluate(
        """() => { const l = window.__dlCompact.layers.forest_parcels, g = l._g, s = window.map.getSize();
                   for (let i = 0; i < g.n; i++) { const p = l.pointOf(i);
                     if (p.x > s.x * 0.3 && p.x < s.x * 0.7 && p.y > s.y * 0.3 && p.y < s.y * 0.7) return i; }
                   return -1; }"""
    )
    assert index >= 0
    key, x, y = _screen_point(v, frame, index)
    v.page.mouse.move(x, y)
    frame.locator(".leaflet-tooltip", has_text=key).wait_for(timeout=ms(20))
    v.page.mouse.click(x, y)
    v.page.locator("table.dl-record", has_text=key).wait_for(timeout=ms(15))
    v.page.close()


def test_a_filter_redraws_the_parcels_and_keeps_the_view(browser: Browser, app_url: str, big_store: Path) -> None:
    shown = int((Store(big_store).read("forest_parcels").status != "disputed").sum())
    v, frame = _open(browser, app_url)
    view = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    geometry_fetches = len([u for u in v.requests if u.endswith(".bin.gz")])
    # Untick "Đang tranh chấp" in the parcels' status filter.
    panel = v.page.locator('[data-testid="stExpander"]', has_text="Đất Công ty Lâm nghiệp bàn giao về địa phương")
    panel.locator("summary").click()
    panel.get_by_role("button", name="Đang tranh chấp").click()
    frame.wait_for_function("(n) => window.__dlCompact.drawn.forest_parcels.drawn === n", arg=shown, timeout=ms(20))
    v.wait_idle()
    assert frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]") == view
    assert len([u for u in v.requests if u.endswith(".bin.gz")]) == geometry_fetches + 1  # a new style, not geometry
    assert panel.get_by_text(f"Đang hiện {shown:,} / {N:,} khu đất".replace(",", ".")).count() == 1
    v.page.close()


@pytest.mark.parametrize("how", ["throws", "fails to load"])
def test_without_workers_the_parcels_still_draw(browser: Browser, app_url: str, how: str) -> None:
    """A proxy's content policy may forbid workers from blob: URLs; the map then decodes on its own thread."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    if how == "throws":
        page.add_init_script("window.Worker = function () { throw new DOMException('blocked', 'SecurityError'); };")
    else:  # created, then an error event instead of messages (how Chromium reports a blocked worker script)
        page.add_init_script(
            """window.Worker = function () { const w = this;
                 this.postMessage = function () {
                   setTimeout(function () { if (w.onerror) w.onerror(new Event('error')); }, 0); };
               };"""
        )
    v = open_page(page, f"{app_url}/dat-lam-nghiep")
    # Asked of the page, not of the first map frame seen: a run may put a new frame in that one's place.
    # Every parcel drawn, by a map that decoded them on its own thread (it holds no worker).
    page.wait_for_function(
        """(n) => [...document.querySelectorAll('iframe')].some(f => { try {
             const c = f.contentWindow.__dlCompact, d = c && c.drawn.forest_parcels;
             return !!d && d.drawn === n && !c.worker; } catch (e) { return false; } })""",
        arg=N,
        timeout=ms(30),
    )
    v.page.close()
