"""Hostile attribute text in a store: shown exactly as typed in the browser, nothing runs, nothing blanks the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.store.reads import Store, write_layers
from tests.browser import features_drawn, ms, select_on_map, streamlit_server, visit
from tests.conftest import NOTICE_STORE

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


# Keys carry payloads too (no comma: a comma separates the parts of a two-field key).
KEY_PAYLOADS = [p.replace(",", ";") for p in PAYLOADS]
OVERLAY_TITLE = f"<svg onload={SENTINEL}> Khu đất `${{x}}`"
HOSTILE_COLUMN = "<img src=x onerror=window.top.__pwned=1>"
HOSTILE_FILE = "<img src=x onerror=alert(1)> ${x}.geojson"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import json
    import subprocess
    import sys

    from geo.demo.synthetic import parcels
    from tests.browser import ROOT

    src = Store(NOTICE_STORE)
    layers = {lid: src.read(lid) for lid in src.layer_ids()}
    units = layers["units"]
    units.loc[: len(PAYLOADS) - 1, "name"] = PAYLOADS
    units.loc[: len(PAYLOADS) - 1, "short_name"] = PAYLOADS
    disputes = layers["land_disputes"]
    disputes.loc[:, "kind"] = PAYLOADS[: len(disputes)]
    # Enough parcels to travel as compact files drawn on a canvas, the first ones keyed by payloads.
    big = parcels(900, within=layers["district"].geometry.iloc[0])
    big.loc[: len(KEY_PAYLOADS) - 1, "parcel_id"] = [f"{p} #{i}" for i, p in enumerate(KEY_PAYLOADS)]
    layers["forest_parcels"] = big
    work = tmp_path_factory.mktemp("hostile")
    path = work / "hostile.gpkg"
    write_layers(path, layers)
    # A planner's overlay whose title, column names and file name are payloads.
    feats = [
        {"type": "Feature", "properties": {"MA": f"K{i}", HOSTILE_COLUMN: p},
         "geometry": {"type": "Point", "coordinates": [107.05 + 0.03 * i, 21.5]}}
        for i, p in enumerate(PAYLOADS)
    ]  # fmt: skip
    geojson = work / HOSTILE_FILE
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False))
    cmd = [sys.executable, "-m", "geo", "import", str(geojson), "--new-layer", "khu_dat_la", "--title", OVERLAY_TITLE]
    subprocess.run([*cmd, "--store", str(path), "--user", "lan"], cwd=ROOT, check=True, capture_output=True)
    # Published: on everyone's map (a new layer is its importer's alone until then).
    publish = [sys.executable, "-m", "geo", "publish", "khu_dat_la", "--store", str(path), "--user", "lan"]
    subprocess.run(publish, cwd=ROOT, check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def app_url(hostile_store: Path) -> Iterator[str]:
    with streamlit_server(hostile_store) as url:
        yield url


def _pwned(v) -> bool:
    return bool(v.page.evaluate("Boolean(window.__pwned)"))


def test_labels_tooltips_and_records_show_payloads_as_text(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep?units=2024")  # the hostile names are on the 2024 units
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
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / "hostile-store.png"))
    assert not _pwned(v)
    assert not frame.evaluate("Boolean(window.__pwned)")
    assert frame.locator("img[src=x]").count() == 0 and v.page.locator("img[src=x]").count() == 0
    assert v.page_errors == []
    v.page.close()


def test_markdown_in_names_shows_as_typed_on_cards_and_warnings(browser: Browser, app_url: str, hostile_store) -> None:
    from geo.store.reads import Store

    units = Store(hostile_store).read("units")
    code = str(units.loc[units.name == PAYLOADS[-1], "code"].iloc[0])
    v = visit(browser, f"{app_url}/nong-thon-moi?units=2024&sel=units:{code}")
    v.map_frame()
    main = v.page.locator('[data-testid="stMain"]')
    main.get_by_text(PAYLOADS[-1], exact=False).first.wait_for(timeout=ms(20))
    assert PAYLOADS[-1] in main.inner_text()
    assert v.page.locator('a[href^="javascript"]').count() == 0
    v.page.close()
    v = visit(browser, f"{app_url}/giao-thong?units=2024")
    v.map_frame()
    warning = v.page.locator('[data-testid="stAlert"]', has_text="Chậm tiến độ").inner_text()
    late = {units.set_index("code").loc[c, "name"] for c in ("06622", "06637", "06640", "06643")}
    for name in late:
        assert name in warning, name
    assert not _pwned(v) and v.page.locator('a[href^="javascript"]').count() == 0
    v.page.close()


def test_a_planners_overlay_with_hostile_title_columns_and_file_name_shows_as_text(
    browser: Browser, app_url: str, hostile_store: Path
) -> None:
    overlay = Store(hostile_store).read("khu_dat_la")
    k0 = str(overlay.loc[overlay["MA"] == "K0", "feature_no"].iloc[0])  # the file's column names, kept
    v = visit(browser, app_url)
    frame = v.map_frame()
    main = v.page.locator('[data-testid="stMain"]')
    assert OVERLAY_TITLE in main.inner_text()  # its layer toggle and the legend beside the map
    assert features_drawn(frame, "khu_dat_la") == len(PAYLOADS)
    select_on_map(v, frame, "khu_dat_la", k0)
    record = v.page.locator("table.dl-record").inner_text()
    assert HOSTILE_COLUMN in record and PAYLOADS[0] in record  # the column's name is its label, as typed
    v.page.close()
    v = visit(browser, f"{app_url}/du-lieu")  # the layers table lists its source: the file's name
    v.page.locator('[data-testid="stDataFrame"]').first.wait_for()
    assert not _pwned(v) and v.page.locator("img[src=x]").count() == 0 and v.page_errors == []
    v.page.close()


def test_the_data_page_lists_a_hostile_file_name_as_its_text(hostile_store: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.browser import ROOT

    monkeypatch.setenv("DINHLAP_STORE", str(hostile_store))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/du_lieu.py")
    at.run()
    table = at.dataframe[0].value
    assert f"{HOSTILE_FILE} (lan)" in set(table["Nguồn"]) and OVERLAY_TITLE in set(table["Lớp bản đồ"])


def test_a_canvas_layer_names_hostile_keys_as_text(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/dat-lam-nghiep?units=2024")  # the hostile names are on the 2024 units
    frame = v.map_frame()
    frame.wait_for_function("() => window.__dlCompact && window.__dlCompact.drawn.forest_parcels", timeout=ms(20))
    assert frame.evaluate("window.__dlCompact.drawn.forest_parcels.total") == 900
    frame.evaluate("window.map.setView([21.55, 107.12], 15, {animate: false})")
    v.wait_idle()  # the new view is reported (a run): then the canvas is drawn for it
    for i, payload in enumerate(KEY_PAYLOADS):
        key, x, y = frame.evaluate(
            """(i) => { const l = window.__dlCompact.layers.forest_parcels;
                        window.map.setView(window.map.unproject(L.point((l._g.box[4*i] + l._g.box[4*i+2]) / 2,
                          (l._g.box[4*i+1] + l._g.box[4*i+3]) / 2), 0), 16, {animate: false});
                        const p = l.pointOf(i); return [l._g.keys[i], p.x, p.y]; }""",
            i,
        )
        assert key == f"{payload} #{i}"
        box = frame.frame_element().bounding_box()
        assert box is not None
        v.page.mouse.move(box["x"] + x, box["y"] + y)
        tip = frame.locator(".leaflet-tooltip .dl-tip-title", has_text=key)
        tip.wait_for(timeout=ms(20))
        assert tip.inner_text() == key
    assert not _pwned(v) and not frame.evaluate("Boolean(window.__pwned)") and v.page_errors == []
    v.page.close()


def test_the_html_export_shows_every_payload_as_text_and_loads_nothing(browser: Browser, hostile_store, tmp_path):
    from geo.printing.export import MapRequest, map_html

    store = Store(hostile_store)
    layers = ("district", "units", "forest_parcels", "land_disputes", "khu_dat_la")
    frames = {lid: store.read(lid) for lid in layers}
    req = MapRequest(layers=layers, title=OVERLAY_TITLE, lang="vi", catalog=store.catalog)
    out = tmp_path / "ban-do.html"
    out.write_text(map_html(req, frames, set()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    page.wait_for_function("() => window.__dlCompact && window.__dlCompact.drawn.forest_parcels", timeout=ms(20))
    page.evaluate("window.map = Object.values(window).find(v => v instanceof L.Map)")  # a standalone map's variable
    assert page.title() == OVERLAY_TITLE
    drawn = page.evaluate(
        """() => { const n = {}; Object.values(window.map._layers).forEach(l => { if (l.feature) {
                     const k = l.feature.properties._l; n[k] = (n[k] || 0) + 1; } }); return n; }"""
    )
    assert drawn == {
        "district": 1,
        "units": 12,
        "land_disputes": len(frames["land_disputes"]),
        "khu_dat_la": len(PAYLOADS),
    }
    assert page.evaluate("window.__dlCompact.drawn.forest_parcels.total") == 900  # the canvas layer, inlined
    assert page.evaluate("!!window.__dlCompact.blob")  # decoded off the page's thread, by a worker of the file's own
    # Hover every feature drawn as SVG: each tooltip is its text, as typed.
    tips = page.evaluate(
        """() => Object.values(window.map._layers).filter(l => l.feature).map(l => {
             l.openTooltip(l.getLatLng ? l.getLatLng() : l.getCenter());
             const t = l.getTooltip().getElement().innerText; l.closeTooltip(); return t; })"""
    )
    joined = "\n".join(tips)
    for p in PAYLOADS:
        assert p in joined, p
    labels = page.eval_on_selector_all(".dl-label-units span", "els => els.map(e => e.textContent)")
    assert set(PAYLOADS) <= set(labels)
    legend = page.locator(".dl-legend").text_content() or ""  # folded in the map: its text, not its rendering
    assert OVERLAY_TITLE in legend
    assert not page.evaluate("Boolean(window.__pwned)") and page.locator("img[src=x]").count() == 0
    assert errors == [] and [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "frame-src 'none'" in csp or "default-src 'none'" in csp
    page.close()


# What a link can carry (the probe): a script, a markdown link and image (an image would be fetched
# from another host: here a loopback address other than the app's, so a failure sends nothing off this
# machine), bidi controls, a NUL, and a very long value.
OUTSIDE = "http://127.0.0.2:9"
URL_PAYLOADS = [
    f'<img src=x onerror="{SENTINEL}">',
    f"[Bấm vào đây]({OUTSIDE}/dang-nhap)",
    f"![x]({OUTSIDE}/x.png)",
    "2025\u202e10-30\u202c **đậm** $x$ :red[đỏ]",
    "a\x00b",
    "A" * 5000,
]


@pytest.mark.parametrize("payload", URL_PAYLOADS, ids=["script", "link", "image", "bidi", "nul", "long"])
def test_a_links_parameters_show_as_typed_and_fetch_nothing(browser: Browser, app_url: str, payload: str) -> None:
    """``?as_of=``, ``?view=`` and ``?sel=`` carrying a payload: the warnings quote it as typed (markdown shown
    literally, a NUL as �, a long value cut), nothing runs, nothing is fetched from another host."""
    from urllib.parse import quote

    q = quote(payload, safe="")
    v = visit(browser, f"{app_url}/giao-thong?as_of={q}&view={q}&sel=ql4b_segments:{q}")
    v.map_frame()
    alerts = v.page.locator('[data-testid="stAlert"]')
    shown = alerts.all_inner_texts()
    typed = payload.replace("\x00", "\ufffd")[:60]
    invisible = {0x2068: None, 0x2069: None, 0x2060: None}  # the isolate around a quoted value, the word joiner
    for what in ("Đường dẫn có ngày không hợp lệ", "Không có khung nhìn"):
        text = next((a for a in shown if what in a), f"{what}? {shown}").translate(invisible)
        assert typed in text and what in text, (what, text)
    found = v.page.evaluate(
        """(o) => [...document.querySelectorAll(`a[href^="${o}"], img[src^="${o}"], img[src=x]`)]
                   .map(e => e.parentElement.outerHTML.slice(0, 400))""",
        OUTSIDE,
    )
    assert found == []
    assert not _pwned(v) and v.page_errors == []
    assert [u for u in v.requests if u.startswith(OUTSIDE)] == [] and v.external_requests() == []
    v.page.close()
