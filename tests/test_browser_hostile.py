"""Hostile attribute text in a store: shown exactly as typed in the browser, nothing runs, nothing blanks the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.store import DEFAULT_STORE, Store, write_layers
from tests.browser import chromium, click_feature, features_drawn, streamlit_server, visit

pytestmark = pytest.mark.browser

SENTINEL = "window.top.__pwned=1"
PAYLOADS = [
    f'<img src=x onerror="{SENTINEL}">',
    f"<svg onload={SENTINEL}>",
    f"</script><script>{SENTINEL}</script>",
    "${" + SENTINEL + "}",
    "`${1+1}` \\` tick",
    "D:\\du_lieu\\xa.shp",
    "{{'map_div'}} alert(coords); _0",
    "<b>đậm</b> & <i>nghiêng</i>",
]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = Store(DEFAULT_STORE)
    layers = {lid: src.read(lid) for lid in src.layer_ids()}
    units = layers["units"]
    units.loc[: len(PAYLOADS) - 1, "name"] = PAYLOADS
    units.loc[: len(PAYLOADS) - 1, "short_name"] = PAYLOADS
    disputes = layers["land_disputes"]
    disputes.loc[:, "kind"] = PAYLOADS[: len(disputes)]
    path = tmp_path_factory.mktemp("hostile") / "hostile.gpkg"
    write_layers(path, layers)
    return path


@pytest.fixture(scope="module")
def app_url(hostile_store: Path) -> Iterator[str]:
    with streamlit_server(hostile_store) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _pwned(v) -> bool:
    return bool(v.page.evaluate("Boolean(window.__pwned)"))


def test_labels_tooltips_and_records_show_payloads_as_text(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    frame = v.map_frame()
    assert features_drawn(frame, "units") == 12
    assert features_drawn(frame, "land_disputes") == 7
    labels = frame.eval_on_selector_all(".dl-label-units span", "els => els.map(e => e.textContent)")
    assert set(PAYLOADS) <= set(labels)
    # Hover every unit and every dispute: each tooltip shows the text as typed.
    tips = frame.evaluate(
        """() => Object.values(window.map._layers)
             .filter(l => l.feature && ['units', 'land_disputes'].includes(l.feature.properties._l))
             .map(l => { l.openTooltip(l.getLatLng ? l.getLatLng() : l.getCenter());
                         const t = l.getTooltip().getElement().innerText; l.closeTooltip(); return t; })"""
    )
    assert len(tips) == 19
    joined = "\n".join(tips)
    for p in PAYLOADS:
        assert p in joined, p
    click_feature(v, frame, "land_disputes", "TC-01")
    v.page.locator("table.dl-record", has_text="TC-01").wait_for(timeout=20000)
    assert PAYLOADS[0] in v.page.locator("table.dl-record").inner_text()
    v.page.wait_for_timeout(500)
    v.page.screenshot(path=str(artifacts / "hostile-store.png"))
    assert not _pwned(v)
    assert not frame.evaluate("Boolean(window.__pwned)")
    assert frame.locator("img[src=x]").count() == 0 and v.page.locator("img[src=x]").count() == 0
    assert v.page_errors == []
    v.page.close()
