"""A big layer drawn from vector tiles in a real browser.

The threshold lowered (``DINHLAP_TILE_LAYER``) so that the notice's cadastral parcels count as a big layer:
the parcel page fetches them as vector tiles from the app itself, hovering names a parcel, a click shows its
card at once and opens its record, and no request leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.webmap.tiles import THRESHOLD_ENV, WARM_ENV
from tests.browser import ms, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser

# The tile-unit point of a drawn parcel, taken at the map's zoom, turned into a point of the map's frame.
_PARCEL_POINT = """() => {
  const t = window.__dlCompact.tiles.cadastral_parcels, map = window.map, z = Math.round(map.getZoom());
  const s = map.getSize();
  for (const addr of Object.keys(t._data)) {
    const [tz, tx, ty] = addr.split('/').map(Number);
    if (tz !== z) continue;
    const tile = t._data[addr], k = 256 / tile.extent;
    for (const f of tile.features) {
      const [x0, y0, x1, y1] = f.box;
      for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
        const x = x0 + ((x1 - x0) * i) / 8, y = y0 + ((y1 - y0) * j) / 8;
        if (!DLTiles.hit(f, x, y, 0)) continue;
        const p = map.latLngToContainerPoint(map.unproject([tx * 256 + x * k, ty * 256 + y * k], z));
        if (p.x > 40 && p.y > 40 && p.x < s.x - 300 && p.y < s.y - 200) return [String(f.props.key), p.x, p.y];
      }
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    # Seven of the notice's layers count as big at this threshold: the tiles built ahead are kept to the two
    # lowest zooms (at 11–15 the district's units alone are thousands of tiles, built while the tests run).
    with streamlit_server(Path(NOTICE_STORE), env={THRESHOLD_ENV: "10", WARM_ENV: "11-12"}) as url:
        yield url


def test_parcels_come_as_tiles_from_the_app_a_click_shows_the_card_then_the_record(
    browser: Browser, app_url: str
) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    v.map_frame()
    v.page.get_by_role("button", name="Thửa đất địa chính").click()  # the layer is off until asked for
    v.wait_idle()
    frame = v.map_frame()
    frame.evaluate("window.map.setView([21.5363, 107.1139], 16, {animate: false})")
    v.wait_idle()
    frame.wait_for_function(
        """() => { const c = window.__dlCompact, t = c && c.tiles && c.tiles.cadastral_parcels;
                   return !!t && Object.values(t._data).some((d) => d.features.length > 0); }""",
        timeout=ms(30),
    )
    assert frame.evaluate("!window.__dlCompact.layers || !window.__dlCompact.layers.cadastral_parcels")  # no file
    tiles = [u for u in v.requests if "/dl-tiles/" in u]
    assert tiles and all(u.startswith(app_url) for u in tiles)
    found = frame.evaluate(_PARCEL_POINT)
    assert found is not None, "a parcel drawn in the view"
    key, x, y = found
    box = frame.frame_element().bounding_box()
    assert box is not None
    # The list beside the map (the keyboard's way to a parcel) holds the parcels of the tiles in view.
    frame.wait_for_function(
        "(k) => [...document.querySelectorAll('.dl-list-item')].some((li) => li.textContent.includes(k))", arg=key
    )
    v.page.mouse.move(box["x"] + x, box["y"] + y)
    frame.locator(".leaflet-tooltip", has_text=key).wait_for(timeout=ms(20))
    v.page.mouse.click(box["x"] + x, box["y"] + y)
    # At once, from the tile (no rerun needed): the parcel's card over the map, a dialog that takes the focus,
    # labelled as the record is, and a viewer's card never names the land user.
    card = frame.get_by_role("dialog", name=key)
    card.wait_for(timeout=ms(20))
    text = card.inner_text()
    assert "Loại đất" in text and "Diện tích" in text and "Người sử dụng đất" not in text
    assert frame.evaluate("document.activeElement && document.activeElement.classList.contains('dl-card')")
    v.page.locator("table.dl-record", has_text=key).wait_for(timeout=ms(15))  # the full record follows
    assert card.is_visible()  # the rerun that brought it kept the card
    card.focus()
    v.page.keyboard.press("Escape")
    card.wait_for(state="detached", timeout=ms(20))
    # The keyboard's way: the list beside the map, arrows to the parcel, Enter: the same card at once; Escape
    # takes the reader back to the list.
    v.wait_idle()
    frame.locator(".dl-list-head").click()  # the list starts folded (the skip link unfolds it too)
    frame.locator(".dl-list-items").focus()
    active = """() => { const ul = document.querySelector('.dl-list-items');
                        const li = document.getElementById(ul.getAttribute('aria-activedescendant') || '');
                        return li ? li.textContent : ''; }"""
    for _ in range(200):  # focused, the list's first item is active
        if key in frame.evaluate(active):
            break
        v.page.keyboard.press("ArrowDown")
    assert key in frame.evaluate(active)
    v.page.keyboard.press("Enter")
    frame.get_by_role("dialog", name=key).wait_for(timeout=ms(20))
    v.page.keyboard.press("Escape")
    frame.get_by_role("dialog", name=key).wait_for(state="detached", timeout=ms(20))
    assert frame.evaluate("document.activeElement.matches('.dl-list-items')")
    v.wait_idle()
    assert v.external_requests() == [] and v.unexpected_console_errors() == [] and v.page_errors == []
    v.page.close()
