"""Harness for real-browser tests: `streamlit run` on a free port, Debian's Chromium through Playwright.

Shaped like Streamlit's own e2e harness: one server per module, poll ``/_stcore/health``,
wait until the app has stopped running, then look at what a person sees.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Frame, Locator, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium's own noise, and Streamlit's when a page URL is opened directly: its frontend probes
# <page>/_stcore/... to find the base path (two 404s, matched exactly by BENIGN_FAILED).
BENIGN_CONSOLE = (
    "Unrecognized feature",
    "An iframe which has both allow-scripts and allow-same-origin",
    "Failed to load resource: the server responded with a status of 404",
)
BENIGN_FAILED = re.compile(r"^404 http://127\.0\.0\.1:\d+/[a-z-]+/_stcore/(host-config|health)$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LOGS = Path(__file__).resolve().parent / "artifacts" / "logs"


@contextlib.contextmanager
def streamlit_server(
    store: Path | str | None = None,
    timeout: float = 60,
    users: Path | None = None,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run the app on a free localhost port; yield its URL.

    The server's output goes to a file (``tests/artifacts/logs/streamlit-PORT.log``), as in Streamlit's
    own e2e harness: a pipe that nobody reads fills up, and then the server blocks on its next line.
    """
    port = free_port()
    env = {**os.environ, **(env or {})}
    if store is not None:
        env["DINHLAP_STORE"] = str(store)
    if users is not None:
        env["DINHLAP_USERS"] = str(users)
    # The same launcher as `make run`.
    cmd = [
        sys.executable,
        "-m",
        "ui.serve",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        *args,
    ]
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"streamlit-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
                raise RuntimeError(f"streamlit did not start (log: {log_path}):\n{out}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A page opened the way a person opens it, with what it asked of the network and the console."""

    page: Page
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def unexpected_failures(self) -> list[str]:
        return [f for f in self.failed if not BENIGN_FAILED.match(f)]

    def unexpected_console_errors(self) -> list[str]:
        return [e for e in self.console_errors if not e.startswith(BENIGN_CONSOLE)]

    def external_requests(self) -> list[str]:
        local = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")
        return [u for u in self.requests if not u.startswith(local)]

    def map_frame(self, timeout: float = 30) -> Frame:
        """The streamlit-folium iframe, once Leaflet has drawn vector features in it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self.page.frames:
                if "st_folium" in frame.url:
                    with contextlib.suppress(Exception):
                        if frame.evaluate("document.querySelectorAll('.leaflet-interactive').length") > 0:
                            # The map reports its view once drawn, which reruns the page: let that settle.
                            self.page.wait_for_timeout(400)
                            self.wait_idle()
                            if not frame.is_detached():  # else it was the page before's map: look again
                                return frame
            self.page.wait_for_timeout(200)  # not time.sleep: Playwright's events need the loop
        raise AssertionError("the map did not draw any vector feature")

    def wait_for_map(self, condition: str, timeout: float = 30) -> None:
        """Wait until ``condition`` (a JS expression over ``map``, that frame's Leaflet map) holds in any
        map on the page. Asked from the page, not of one frame: when a page swaps its map (a slide, a
        mode), the old frame may still be there for a moment and then be detached."""
        self.page.wait_for_function(
            """(cond) => [...document.querySelectorAll('iframe')].some(f => { try {
                   const map = f.contentWindow.map; return !!map && !!Function('map', 'return ' + cond)(map);
                 } catch (e) { return false; } })""",
            arg=condition,
            timeout=timeout * 1000,
        )

    def wait_idle(self, timeout: float = 30) -> None:
        """Wait until Streamlit reports that the script is no longer running."""
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout * 1000
        )
        self.page.wait_for_timeout(300)


def visit(browser: Browser, url: str, width: int = 1600, height: int = 1000) -> Visit:
    page = browser.new_page(viewport={"width": width, "height": height})
    v = Visit(page)
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: v.page_errors.append(str(e)))
    page.on("response", lambda r: v.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=30000)
    v.wait_idle()
    assert page.locator('[data-testid="stDialog"]').count() == 0, page.locator('[data-testid="stDialog"]').inner_text()
    return v


def sign_in(v: Visit, name: str, password: str) -> None:
    """Sign in with the sidebar's form, as a planner does. A click that lands while the page reruns (the
    map reporting its first view) can be undone by the redraw: the panel folds, or the form comes back
    empty. A person then opens it and signs in again, and so does this."""
    sidebar = v.page.locator('[data-testid="stSidebar"]')
    field = sidebar.get_by_label("Tên đăng nhập")
    done = sidebar.get_by_text(f"Đã đăng nhập: {name}")
    for attempt in range(3):
        v.wait_idle()
        if done.count():
            return
        if not field.is_visible():
            sidebar.locator('[data-testid="stExpander"] summary', has_text="Đăng nhập (chuyên viên)").click()
            with contextlib.suppress(Exception):
                field.wait_for(state="visible", timeout=5000)
        with contextlib.suppress(Exception):
            field.fill(name)
            sidebar.get_by_label("Mật khẩu").fill(password)
            sidebar.get_by_role("button", name="Đăng nhập (chuyên viên)").click()
            done.wait_for(timeout=10000 if attempt < 2 else 20000)
            return
    done.wait_for(timeout=5000)


def choose(v: Visit, box: Locator, option: str, tries: int = 3) -> None:
    """Pick ``option`` in the select ``box``. A rerun that lands while the list is open (a map
    reporting its view) can close it; a person opens it again, and so does this."""
    for attempt in range(tries):
        box.scroll_into_view_if_needed()
        box.click()
        try:
            v.page.get_by_role("option", name=option).click(timeout=5000)
            return
        except Exception:
            if attempt == tries - 1:
                raise
            v.wait_idle()


def features_drawn(frame: Frame, layer_id: str) -> int:
    """How many features of ``layer_id`` Leaflet has on the map."""
    return int(
        frame.evaluate(
            """(lid) => Object.values(window.map._layers).filter(
               l => l.feature && l.feature.properties && l.feature.properties._l === lid && l._map).length""",
            layer_id,
        )
    )


def click_feature(visit_: Visit, frame: Frame, layer_id: str, key: str) -> None:
    """Click a feature where a person would: at its position on the screen."""
    frame.frame_element().scroll_into_view_if_needed()
    frame.wait_for_function(  # after a rerun the layers are re-added: wait for the feature
        """([lid, key]) => window.map && Object.values(window.map._layers).some(
               l => l.feature && l.feature.properties._l === lid && l.feature.properties._k === key)""",
        arg=[layer_id, key],
        timeout=20000,
    )
    pt = frame.evaluate(
        """([lid, key]) => {
             const l = Object.values(window.map._layers).find(
               l => l.feature && l.feature.properties._l === lid && l.feature.properties._k === key);
             // A line's getCenter is its middle point along the line, so the click lands on it.
             const ll = l.getLatLng ? l.getLatLng() : l.getCenter();
             window.map.panTo(ll, {animate: false});
             const p = window.map.latLngToContainerPoint(ll);
             const r = window.map.getContainer().getBoundingClientRect();
             return [p.x + r.left, p.y + r.top];
           }""",
        [layer_id, key],
    )
    visit_.page.wait_for_timeout(400)  # the pan is reported (debounced) and reruns the page
    visit_.wait_idle()
    box = frame.frame_element().bounding_box()
    assert box is not None
    visit_.page.mouse.click(box["x"] + pt[0], box["y"] + pt[1])


def select_on_map(visit_: Visit, frame: Frame, layer_id: str, key: str, tries: int = 3) -> None:
    """Click a feature until its record shows, as a person clicks again when a click did not take.

    A retry looks for the map again: a rerun may have replaced its frame.
    """
    record = visit_.page.locator("table.dl-record", has_text=key)
    for attempt in range(tries):
        try:
            if attempt:
                frame = visit_.map_frame()
            click_feature(visit_, frame, layer_id, key)
            record.wait_for(timeout=10000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package-lock.json, installed by `make node`


def save_clearance(v: Visit, seg_id: str, status: str, reason: str) -> None:
    """As a signed-in planner on Giao thông: pick segment ``seg_id`` on the map, set its clearance status in
    its edit form and save; returns once the page says it saved."""
    select_on_map(v, v.map_frame(), "ql4b_segments", seg_id)
    v.page.get_by_text("Cập nhật", exact=True).click()
    form = v.page.locator('[data-testid="stForm"]', has_text="Lưu thay đổi")
    choose(v, form.locator('[data-testid="stSelectbox"]', has_text="Tình trạng GPMB"), status)
    form.get_by_label("Lý do, căn cứ").fill(reason)
    form.get_by_role("button", name="Lưu thay đổi").click()
    v.page.get_by_text("Đã lưu 1 thay đổi").wait_for(timeout=20000)


def axe(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page and its frames (the map's among them): each with
    its rule, impact, help text and the elements it found."""
    source = AXE.read_text(encoding="utf-8")
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame gone while we looked: nothing of it to check
            if not frame.evaluate("!!window.axe"):
                frame.add_script_tag(content=source)
    return list(
        page.evaluate(
            """() => axe.run(document, { iframes: true, resultTypes: ['violations'],
                 runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
               .then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html.slice(0, 160),
                   summary: n.failureSummary })) })))"""
        )
    )
