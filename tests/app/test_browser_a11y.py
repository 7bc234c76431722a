"""Usable by everyone, in a real browser: axe-core (WCAG 2.1 A/AA) on every page in both languages and on
the standalone HTML export, and a person who uses only the keyboard reaches a feature's record.

axe-core is the npm package pinned in package-lock.json, read from node_modules and injected into the
page and its frames (the map's among them): nothing is fetched. Serious and critical violations fail the
test; the moderate and minor ones are listed in the test output and in tests/artifacts/axe-summary.txt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.store.reads import DEFAULT_STORE
from tests.browser import axe, go_to, ms, open_page, streamlit_server, visit
from ui.nav import PAGES

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server(DEFAULT_STORE) as url:
        yield url


def _summary(where: str, violations: list[dict]) -> str:
    if not violations:
        return f"{where}: no violation"
    return f"{where}: " + ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations)


def _blocking(violations: list[dict]) -> list[dict]:
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": v["nodes"][:5]}
        for v in violations
        if v["impact"] in BLOCKING
    ]


def test_axe_finds_nothing_serious_on_any_page_in_either_language(browser: Browser, app_url: str, artifacts, capsys):
    lines, failures = [], {}
    for lang in ("vi", "en"):
        # One tab per language, opened by a link in that language; then from page to page by the sidebar's
        # navigation, as a reader goes (each page is checked as it stands once its run is over).
        v = visit(browser, f"{app_url}/?lang={lang}")
        for i, entry in enumerate(PAGES):
            if i:
                go_to(v, entry.url, lang)
            # The page has run in its language (the browser's first "en" is Streamlit's own, not ours) ...
            v.page.wait_for_function(
                """(l) => { const d = document.getElementById('dl-page');
                     return !!d && d.dataset.lang === l && document.documentElement.lang === l; }""",
                arg=lang,
                timeout=ms(30),
            )
            if entry.url not in ("chi-tieu", "du-lieu"):  # ... and drawn its map
                v.map_frame()
            v.wait_idle()
            found = axe(v.page)
            where = f"{lang} /{entry.url}"
            lines.append(_summary(where, found))
            if _blocking(found):
                failures[where] = _blocking(found)
        v.page.close()
    (artifacts / "axe-summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\naxe-core 4.14.1, WCAG 2.1 A/AA and best practice:\n  " + "\n  ".join(lines))
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


def test_axe_finds_nothing_serious_in_the_standalone_html_map(browser: Browser, store, tmp_path, capsys):
    from geo.printing.export import MapRequest, map_html

    s = store
    layers = ("district", "units", "ql4b_segments", "forest_parcels", "land_disputes")
    frames = {lid: s.read(lid) for lid in layers}
    for lang in ("vi", "en"):
        out = tmp_path / f"ban-do-{lang}.html"
        out.write_text(map_html(MapRequest(layers=layers, title="Đình Lập", lang=lang), frames, set(layers)), "utf-8")
        context = browser.new_context(bypass_csp=True)  # the file's own policy forbids injected scripts
        page = context.new_page()
        page.goto(out.as_uri())
        page.wait_for_selector(".leaflet-interactive")
        assert page.evaluate("document.documentElement.lang") == lang
        found = axe(page)
        with capsys.disabled():
            print("\n  " + _summary(f"HTML export ({lang})", found))
        assert not _blocking(found), json.dumps(_blocking(found), ensure_ascii=False, indent=1)
        context.close()


def _active(v) -> str:
    """The text of the list's active option (what a screen reader reads as the user arrows through it)."""
    return str(
        v.page.evaluate(
            """() => { for (const f of document.querySelectorAll('iframe')) { try {
                 const d = f.contentWindow.document, ul = d.querySelector('.dl-list-items');
                 if (!ul || d.activeElement !== ul) continue;
                 const id = ul.getAttribute('aria-activedescendant'); const li = id && d.getElementById(id);
                 return li ? li.textContent : ''; } catch (e) {} } return ''; }"""
        )
    )


def _keyboard_to(v, wanted: str, artifacts, shot: str) -> None:
    """From the top of the page, with the keyboard only: Tab to the skip link, Enter (to the list of the
    map's features), arrow down to ``wanted``, Enter. Then the record beside the map shows it."""
    v.page.keyboard.press("Tab")
    for _ in range(6):  # Streamlit's own skip link comes first, then ours
        if v.page.evaluate("document.activeElement && document.activeElement.id") == "dl-skip":
            break
        v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.textContent") == "Đến danh sách đối tượng của bản đồ"
    v.page.keyboard.press("Enter")
    v.page.wait_for_function(
        """() => [...document.querySelectorAll('iframe')].some(f => { try {
             const d = f.contentWindow.document; return d.activeElement && d.activeElement.matches('.dl-list-items');
           } catch (e) { return false; } })"""
    )
    v.page.keyboard.press("ArrowDown")
    for _ in range(80):
        if _active(v).find(wanted) >= 0:
            break
        v.page.keyboard.press("ArrowDown")
    assert wanted in _active(v)
    v.page.keyboard.press("Enter")
    v.page.locator(".dl-record").get_by_text(wanted, exact=True).wait_for(timeout=ms(20))
    v.wait_idle()
    v.page.screenshot(path=str(artifacts / shot))


def test_the_keyboard_alone_opens_a_ql4b_segment_and_a_dispute(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/giao-thong")
    v.map_frame()
    _keyboard_to(v, "QL4B-40-42", artifacts, "keyboard-ql4b.png")
    record = v.page.locator(".dl-record").inner_text()
    assert "Đã bàn giao mặt bằng" in record  # the segment's status, in words
    # The list kept its place and the focus through the rerun: the next arrow goes on from the segment.
    v.page.keyboard.press("ArrowDown")
    assert "QL4B-42-43" in _active(v)
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()

    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    v.map_frame()
    _keyboard_to(v, "TC-03", artifacts, "keyboard-dispute.png")
    assert "Chồng lấn sổ đỏ của hộ" in v.page.locator(".dl-record").inner_text()
    v.page.close()


def test_the_map_is_one_tab_stop_with_named_controls(browser: Browser, app_url: str) -> None:
    v = visit(browser, f"{app_url}/giao-thong?lang=en")
    frame = v.map_frame()
    stops = frame.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
             .filter(e => e.tabIndex >= 0 && e.offsetParent !== null)
             .map(e => e.getAttribute('aria-label') || e.textContent.trim())"""
    )
    # The map itself (arrows pan, + and - zoom), the list of features, the legend; and Leaflet's credit.
    assert stops[0].startswith("Map. Arrow keys pan")
    assert stops[1].startswith("Features in view")
    assert "Legend" in stops
    assert len(stops) <= 5, stops
    assert frame.evaluate("document.querySelector('.leaflet-control-zoom-in').getAttribute('aria-label')") == "Zoom in"
    v.page.close()


# -- screens: a phone and the meeting room's projector -----------------------------------------------------
MAP_BOX = """() => { const f = [...document.querySelectorAll('iframe')].find(f => f.title.includes('st_folium'));
  const r = f.getBoundingClientRect(), c = document.querySelector('.dl-card').getBoundingClientRect();
  const d = f.contentWindow.document;
  const s = [...d.querySelectorAll('.dl-label span')].map(e => parseFloat(getComputedStyle(e).fontSize));
  return { top: r.top, height: r.height, card: c.top, labels: Math.min(...s),
           legendOpen: d.querySelector('.dl-legend').open,
           leaflet: d.querySelector('.leaflet-container').getBoundingClientRect().height }; }"""


# The map's labels a person sees overlapping: each pair's texts and boxes, with the labels the map hid, its
# zoom and its size.
OVERLAPPING_PAIRS = """() => { const s = [...document.querySelectorAll('.dl-label > span')]
    .filter(s => s.style.visibility !== 'hidden' && s.getBoundingClientRect().width);
  const box = (e) => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom].map(Math.round); };
  const out = []; for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) {
    const a = s[i].getBoundingClientRect(), b = s[j].getBoundingClientRect();
    if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top)
      out.push([s[i].textContent, box(s[i]), s[j].textContent, box(s[j])]); }
  return { pairs: out, shown: s.length, hidden: window.__dlCompact && window.__dlCompact.hiddenLabels,
           zoom: window.map && window.map.getZoom(), size: window.map && window.map.getSize() }; }"""


def _swipe(cdp, page, x: float, y: float, dy: float) -> None:
    """One finger on the screen at (x, y), moved by ``dy`` in ten steps, lifted: real touch events."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * i / 10}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _settled(v) -> None:
    v.map_frame()
    v.page.wait_for_function("() => !!document.getElementById('dl-page') && !!document.querySelector('.dl-card')")
    v.wait_idle()


def test_a_phone_shows_the_figures_then_the_map_and_one_finger_scrolls_the_page(browser: Browser, app_url, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    v = open_page(context.new_page(), app_url)
    page = v.page
    _settled(v)
    box = page.evaluate(MAP_BOX)
    assert box["card"] < box["top"]  # the headline figures first ...
    assert box["top"] < 1.5 * 844  # ... then the map, within the first screen and a half
    assert box["height"] < 0.75 * 844  # a map that leaves room to scroll past it
    assert abs(box["leaflet"] - box["height"]) < 2  # and fills its frame (its controls are not cut off)
    # Touch targets: every button and link of the page at least 44 px tall.
    small = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] button, [data-testid=stPageLink] a')]
             .filter(e => e.offsetParent && e.getBoundingClientRect().width > 0
                          && e.getBoundingClientRect().height < 44)
             .map(e => e.textContent.trim().slice(0, 30))"""
    )
    assert small == []
    page.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "phone-overview.png"))
    # A one-finger swipe up over the map scrolls the page; the map stays where it was.
    frame = v.map_frame()
    centre = frame.evaluate("(() => { const c = map.getCenter(); return [c.lat, c.lng]; })()")
    page.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 600)")
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop > 0")
    before = page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop")
    r = page.evaluate(MAP_BOX)
    _swipe(context.new_cdp_session(page), page, 195, r["top"] + r["height"] / 2, -200)
    # The page scrolls on (momentum): wait for the scroll a person sees, not for a time.
    page.wait_for_function(
        "(b) => document.querySelector('[data-testid=stMain]').scrollTop > b + 100", arg=before, timeout=ms(20)
    )
    assert frame.evaluate("(() => { const c = map.getCenter(); return [c.lat, c.lng]; })()") == centre
    assert frame.evaluate("map.dragging.enabled()") is False  # two fingers move the map (Leaflet's pinch)
    # On a small screen the map's labels give way to each other rather than pile up.
    frame.wait_for_function("() => window.__dlCompact && window.__dlCompact.hiddenLabels !== undefined")
    # The labels as a person sees them once the map has settled: a redraw after the first pass thins them again.
    try:
        frame.wait_for_function(f"() => ({OVERLAPPING_PAIRS})().pairs.length === 0", timeout=ms(20))
    except PlaywrightTimeout:
        pairs = frame.evaluate(OVERLAPPING_PAIRS)
        shot = artifacts / "phone-labels-overlap.png"
        page.screenshot(path=str(shot))
        raise AssertionError(
            f"map labels still overlap after {ms(20) / 1000:.0f} s: {pairs}; screenshot {shot}"
        ) from None
    assert frame.evaluate("window.__dlCompact.hiddenLabels") > 0  # some did give way here
    context.close()


def test_projector_mode_gives_the_map_the_screen_large_labels_and_the_legend_beside_it(
    browser: Browser, app_url: str, artifacts
) -> None:
    v = visit(browser, f"{app_url}/?layout=projector", width=1920, height=1080)
    _settled(v)
    box = v.page.evaluate(MAP_BOX)
    assert box["top"] < 260 and box["top"] + box["height"] <= 1080  # whole, above the fold
    assert box["height"] >= 0.7 * 1080  # most of the screen
    assert box["labels"] >= 16
    # The legend sits beside the map, so the in-map one stays folded: it never covers the district.
    assert box["legendOpen"] is False
    assert v.page.locator(".dl-side-legend").first.is_visible()
    assert box["card"] > box["top"]  # the figures come under the map
    v.page.screenshot(path=str(artifacts / "projector-overview.png"))
    # The same on a theme page: the QL4B map fills the screen.
    v.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Giao thông").click()
    v.page.get_by_role("heading", name="Giao thông", exact=True).wait_for()
    v.map_frame()
    v.wait_idle()
    frame_box = v.page.evaluate(
        "(() => { const r = [...document.querySelectorAll('iframe')].find(f => f.title.includes('st_folium'))"
        ".getBoundingClientRect(); return [r.top, r.height]; })()"
    )
    assert frame_box[1] >= 0.7 * 1080
    v.page.screenshot(path=str(artifacts / "projector-giao-thong.png"))
    v.page.close()
