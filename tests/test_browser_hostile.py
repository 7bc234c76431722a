"""Hostile attribute text in a store: shown exactly as typed in the browser, nothing runs, nothing blanks the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.store import DEFAULT_STORE, Store, write_layers
from tests.browser import chromium, features_drawn, select_on_map, streamlit_server, visit

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
    "[bấm](javascript:window.top.__pwned=1) **đậm** $x$ :red[đỏ]",
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
    select_on_map(v, frame, "land_disputes", "TC-01")
    assert PAYLOADS[0] in v.page.locator("table.dl-record").inner_text()
    v.page.wait_for_timeout(500)
    v.page.screenshot(path=str(artifacts / "hostile-store.png"))
    assert not _pwned(v)
    assert not frame.evaluate("Boolean(window.__pwned)")
    assert frame.locator("img[src=x]").count() == 0 and v.page.locator("img[src=x]").count() == 0
    assert v.page_errors == []
    v.page.close()


def test_markdown_in_names_shows_as_typed_on_cards_and_warnings(browser: Browser, app_url: str, hostile_store) -> None:
    from geo.store import Store

    units = Store(hostile_store).read("units")
    code = str(units.loc[units.name == PAYLOADS[-1], "code"].iloc[0])
    v = visit(browser, f"{app_url}/nong-thon-moi?sel=units:{code}")
    v.map_frame()
    main = v.page.locator('[data-testid="stMain"]')
    main.get_by_text(PAYLOADS[-1], exact=False).first.wait_for(timeout=20000)
    assert PAYLOADS[-1] in main.inner_text()
    assert v.page.locator('a[href^="javascript"]').count() == 0
    v.page.close()
    v = visit(browser, f"{app_url}/giao-thong")
    v.map_frame()
    warning = v.page.locator('[data-testid="stAlert"]', has_text="Chậm tiến độ").inner_text()
    late = {units.set_index("code").loc[c, "name"] for c in ("06622", "06637", "06640", "06643")}
    for name in late:
        assert name in warning, name
    assert not _pwned(v) and v.page.locator('a[href^="javascript"]').count() == 0
    v.page.close()
