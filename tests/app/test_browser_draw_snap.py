"""Snapping to a large layer painted on a canvas, in a real browser: Geoman cannot see a canvas, so while a
tool is on the features in view become hidden snap targets. A vertex clicked a few pixels off a parcel's
corner lands on it; the click does not open the parcel's record (it belongs to the tool)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from geo.demo.synthetic import parcels
from geo.store.reads import Store
from geo.webmap.mapview import BIG_LAYER
from tests.browser import ROOT, ms, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser

N = BIG_LAYER + 400


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("snap")
    district = Store(NOTICE_STORE).read("district").geometry.iloc[0]
    src = work / "thua_dat.gpkg"
    parcels(N, within=district).to_file(src, layer="thua_dat", driver="GPKG")
    store = work / "store.gpkg"
    shutil.copy(NOTICE_STORE, store)
    cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", "forest_parcels", "--replace", "--user", "test"]
    subprocess.run([*cmd, "--store", str(store)], cwd=ROOT, check=True, capture_output=True)
    with streamlit_server(store) as url:
        yield url


def test_a_measured_vertex_snaps_to_a_corner_of_a_parcel_drawn_on_a_canvas(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    frame = v.map_frame()
    frame.wait_for_function(
        "(n) => window.__dlCompact && window.__dlCompact.drawn.forest_parcels.total === n", arg=N, timeout=ms(30)
    )
    corner = frame.evaluate(
        """() => { const g = window.__dlCompact.layers.forest_parcels._g, a = g.rStart[g.fRing[0]];
             const ll = map.unproject([g.xs[a], g.ys[a]], 0); map.setView(ll, 17, {animate: false});
             return [ll.lng, ll.lat]; }"""
    )
    v.wait_idle()
    frame = v.map_frame()
    frame.frame_element().scroll_into_view_if_needed()
    x, y = frame.evaluate("([lon, lat]) => { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                          corner)  # fmt: skip
    box = frame.frame_element().bounding_box()
    assert box is not None
    x, y = box["x"] + x + 6, box["y"] + y - 5  # a few pixels off the corner, as a hand places it
    frame.get_by_role("button", name="Đo diện tích", exact=True).click()
    for dx, dy in ((0, 0), (90, 0), (90, 80), (0, 80), (0, 0)):  # the last click closes on the first vertex
        v.page.mouse.move(x + dx, y + dy)
        v.page.mouse.click(x + dx, y + dy)
    label = frame.locator(".dl-measure-label")
    label.wait_for(timeout=ms(20))
    assert "Diện tích" in label.inner_text()
    said = frame.locator('.dl-measure-said[role="status"]')  # what a screen reader hears: the finished figure
    assert said.inner_text() == label.inner_text()
    ring = frame.evaluate(
        """() => { const l = Object.values(map._layers).find(l => l._dlMeasure && l.getLatLngs);
             return l.getLatLngs()[0].map(p => [p.lng, p.lat]); }"""
    )
    # On the corner to the map's 6 decimals (10 cm), not 6 px (about 7 m at this zoom) off: snapped.
    assert any(abs(px - corner[0]) < 1e-6 and abs(py - corner[1]) < 1e-6 for px, py in ring), (ring, corner)
    assert v.page.locator("table.dl-record").count() == 0  # the clicks were the tool's, not a parcel's selection
    assert not v.external_requests(), v.external_requests()
