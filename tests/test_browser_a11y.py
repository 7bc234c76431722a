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

from geo.store import DEFAULT_STORE
from tests.browser import axe, streamlit_server, visit
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
        for entry in PAGES:
            v = visit(browser, f"{app_url}/{entry.url}?lang={lang}")
            # The page has run in its language (the browser's first "en" is Streamlit's own, not ours) ...
            v.page.wait_for_function(
                """(l) => { const d = document.getElementById('dl-page');
                     return !!d && d.dataset.lang === l && document.documentElement.lang === l; }""",
                arg=lang,
                timeout=30000,
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
    from geo.export import MapRequest, map_html

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
    v.page.locator(".dl-record").get_by_text(wanted, exact=True).wait_for(timeout=20000)
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
