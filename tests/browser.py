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
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Features the tests switch off on top of Playwright's own list: the address bar's drop-down, which headless
# Chromium 156 still builds as a web page in a renderer of its own for every new window (that is, for every
# test's fresh context), about a tenth of the processor time of opening one of the app's pages.
DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")


def playwright_disabled_features() -> list[str]:
    """The features Playwright's launcher switches off (``--disable-features=…``), read from its driver.

    Chromium honours only the last ``--disable-features`` on its command line, and Playwright puts its own
    list first: a list of ours must carry Playwright's as well, or it switches them back on. Playwright does
    not export the list, so it is read from the pinned driver's source; a driver that no longer says it this
    way fails here, loudly, rather than losing the list.
    """
    import playwright

    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    text = bundle.read_text(encoding="utf-8")
    found = re.search(r"disabledFeatures = \[(.*?)\]\.filter\(Boolean\)", text, re.S)
    if found is None:
        raise RuntimeError(f"Playwright's disabled features are not where they were in {bundle}")
    body = re.sub(r"//[^\n]*", "", found.group(1))
    names = re.findall(r'"([A-Za-z0-9]+)"', body)
    if "PaintHolding" not in names:
        raise RuntimeError(f"Playwright's disabled features read from {bundle} look wrong: {names}")
    return names


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=" + ",".join([*playwright_disabled_features(), *DISABLED_FEATURES]),
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
TRACE = Path(os.environ["DL_HARNESS_TRACE"]) if os.environ.get("DL_HARNESS_TRACE") else None


@contextlib.contextmanager
def streamlit_server(
    store: Path | str | None = None,
    timeout: float = 60,
    users: Path | None = None,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    script: Path | None = None,
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
    # The same launcher as `make run` (or plain `streamlit run` for one of the harness's own pages).
    launcher = ["ui.serve"] if script is None else ["streamlit", "run", str(script)]
    cmd = [
        sys.executable,
        "-m",
        *launcher,
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
        deadline = time.monotonic() + timeout * PATIENCE
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


class HarnessTimeout(AssertionError):
    """A wait that ran out: says what the app was doing, and where its screenshot is."""


# Installed in every frame before the page's own code runs. In the top frame it keeps, for the waits
# below, what the app itself says: each change of ``data-test-script-state`` on ``stApp`` (a run starting
# is counted), when the app last became idle, and when a component (the map, the watcher) last sent
# Streamlit a value, which starts a run a moment later. In a map's frame it notes when the map was made
# or moved: streamlit-folium reports a new view 250 ms after it (debounced), and that report is a run to
# come, so idle waits for it (up to REPORT_MS: a view equal to the last one is not reported).
_RUN_WATCH = """
(() => {
  // Each key pressed, in the top frame or a map's, for a failure's report: where it went, what had focus,
  // and whether it got past the page's own capture handlers (those of present.js stop a clicker's keys).
  const keyLog = (where) => {
    const log = (text) => { try {
      const k = window.top.__dl.keys; k.push(`${Math.round(window.top.performance.now())} ${where} ${text}`);
      if (k.length > 12) k.shift();
    } catch (e) { /* gone */ } };
    window.addEventListener('keydown', (e) => {
      const t = e.target, a = document.activeElement;
      const cls = t && typeof t.className === 'string' && t.className ? '.' + t.className.split(' ')[0] : '';
      const hooked = !!(document.__dlPresent || window.__dlPresent);
      log(`${e.key} on ${t && t.tagName}${cls} active ${a && a.tagName} hooked ${hooked}`);
    }, true);
    window.addEventListener('keydown', (e) => log(`${e.key} reached the window`), false);
  };
  if (window.top !== window) {
    keyLog('frame');
    const note = () => { try { window.top.__dl.moveAt = window.top.performance.now(); } catch (e) { /* gone */ } };
    let seen = null;
    setInterval(() => {
      const m = window.map;
      if (m && m !== seen && typeof m.on === 'function') { seen = m; note(); m.on('moveend', note); }
    }, 20);
    return;
  }
  if (window.__dl) return;
  const dl = window.__dl = { runs: 0, state: null, idleSince: 0, valueAt: -1, runAt: 0, moveAt: -1,
    sentAt: -1, pokedAt: -1, started: 0, startAt: -1, endAt: -1, endStatus: -1, keys: [], frames: 0,
    fragmentRun: false, fragmentRuns: 0 };
  keyLog('top');
  // Map frames put in the page (a slide, a mode, a layout change can replace the map's frame).
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType !== 1) continue;
      dl.frames += n.tagName === 'IFRAME' ? 1 : n.getElementsByTagName('iframe').length;
    }
  }).observe(document, { subtree: true, childList: true });
  // What the server says of its runs, read off the wire as Streamlit's own frontend reads it: every run
  // starts with a ForwardMsg new_session (field 4) and ends with script_finished (field 6, an enum: 2 is
  // "stopped early for a rerun", another run follows). A run too short to show in the DOM is seen here.
  // Each field: [number, value] (a length-delimited one: [number, -1, its bytes]).
  const fields = (b) => {
    let i = 0; const out = [];
    const varint = () => {
      let r = 0, m = 1, x;
      do { x = b[i++]; r += (x & 0x7f) * m; m *= 128; } while (x & 0x80 && i < b.length);
      return r;
    };
    while (i < b.length) {
      const key = varint(), f = Math.floor(key / 8), w = key % 8;
      if (w === 0) out.push([f, varint()]);
      else if (w === 2) { const n = varint(); out.push([f, -1, b.subarray(i, i + n)]); i += n; }
      else if (w === 1) i += 8; else if (w === 5) i += 4; else break;
    }
    return out;
  };
  // A run of fragments only (the map alone: ui.mapwidget) names them in its metadata (field 2), run (6),
  // fragment_ids (2).
  const fragmentsOnly = (all) => all.some(([f, , b]) => f === 2 && b && fields(b).some(([g, , r]) =>
    g === 6 && r && fields(r).some(([h]) => h === 2)));
  const heard = (e) => {
    if (!(e.data instanceof ArrayBuffer)) return;
    const all = fields(new Uint8Array(e.data));
    for (const [f, v] of all) {
      if (f === 4) {
        dl.started += 1; dl.startAt = performance.now(); dl.fragmentRun = fragmentsOnly(all);
        if (dl.fragmentRun) dl.fragmentRuns += 1;
      } else if (f === 6) { dl.endAt = performance.now(); dl.endStatus = v; }
    }
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) { super(...args); this.addEventListener('message', heard); }
  };
  // A rerun the page asks of the server (a widget changed, a form sent) is a BackMsg whose first byte is
  // the tag of its field rerun_script (11, length-delimited: 0x5A). Asked while a run is under way, it
  // restarts that run, which then ends as usual; asked while idle, a run is about to start.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const first = data instanceof ArrayBuffer ? new Uint8Array(data)[0]
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, 1)[0] : -1;
    if (first === 0x5a) {
      dl.sentAt = performance.now();
    }
    return send.call(this, data);
  };
  const read = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return;
    const state = app.getAttribute('data-test-script-state');
    if (state === dl.state) return;
    if (state === 'running' || state === 'rerunRequested') {
      if (dl.state !== 'running' && dl.state !== 'rerunRequested') { dl.runs += 1; dl.runAt = performance.now(); }
    } else if (state === 'notRunning') {
      dl.idleSince = performance.now();
    }
    dl.state = state;
  };
  // A person's action on a widget that reruns the page: its rerun request leaves a moment later (the
  // widget's value goes through React first), so from the action on, a run is expected (up to POKE_MS).
  const RERUNS = '[data-testid="stButton"], [data-testid="stFormSubmitButton"], [data-testid="stCheckbox"], '
    + '[data-testid="stRadio"], [role="option"], [data-testid="stPageLink"], [data-testid="stSidebarNavLink"], '
    + '[data-testid="stDownloadButton"], [data-testid="stSegmentedControl"], [data-testid="stPills"], '
    + '[data-testid="stExpander"] summary';  // a keyed expander reports its opening (a run); others wait POKE_MS
  const poke = (e) => {
    const t = e.target;
    if (t && t.closest && t.closest(RERUNS)) dl.pokedAt = performance.now();
  };
  document.addEventListener('click', poke, true);
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === 'Enter' && t && t.matches && t.matches('input, textarea')) dl.pokedAt = performance.now();
  }, true);
  // A file chosen; a text box left (Tab, a click elsewhere) with a new value, outside a form: Streamlit sends
  // the value, a run follows.
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (!t || !t.matches) return;
    if (t.type === 'file' || (t.matches('input, textarea') && !t.closest('[data-testid="stForm"]'))) {
      dl.pokedAt = performance.now();
    }
  }, true);
  new MutationObserver(read).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-test-script-state', 'data-test-connection-state'],
  });
  window.addEventListener('message', (e) => {
    // Sent during a run, a value restarts that run, which ends as usual: only one sent while idle is pending.
    if (e.data && e.data.isStreamlitMessage && e.data.type === 'streamlit:setComponentValue'
        && dl.state !== 'running' && dl.state !== 'rerunRequested') {
      dl.valueAt = performance.now();
    }
  });
})();
"""

# Idle, as Streamlit's own e2e suite reads it: connected and the script not running; and no run about to
# start: no rerun asked since the last run started, no component value still to send its request (a value
# equal to the component's last one starts nothing: after REPORT_MS without a request, none is coming), no
# map view still to be reported, no widget action still to send its request.
_IDLE = """([quiet, report, poked, asked]) => {
  const dl = window.__dl;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!dl || !app) return false;
  const now = performance.now();
  const why = app.getAttribute('data-test-script-state') !== 'notRunning' ? 'script'
    : app.getAttribute('data-test-connection-state') !== 'CONNECTED' ? 'connection'
    : !(dl.valueAt < dl.runAt || dl.sentAt >= dl.valueAt || now - dl.valueAt >= report) ? 'value'
    : !(dl.sentAt <= dl.startAt || now - dl.sentAt >= asked) ? 'asked'
    : !(dl.endAt >= dl.startAt && dl.endStatus !== 2) ? 'ended'
    : !(dl.moveAt < dl.valueAt || now - dl.moveAt >= report) ? 'move'
    : !(dl.pokedAt < dl.sentAt || now - dl.pokedAt >= poked) ? 'poke'
    : !(now - dl.idleSince >= quiet) ? 'quiet' : '';
  if (why) dl.lastWhy = why;
  return !why;
}"""
QUIET_MS = 100  # as Streamlit's own wait_for_app_run
REPORT_MS = 800  # streamlit-folium's 250 ms debounce, with room for a busy machine
POKE_MS = 1500  # a widget's rerun request leaves within milliseconds of the action; this is room to spare
# A run shorter than a frame may never show as "running" (React draws both states at once): a request that
# no run followed within ASK_MS was such a run, already over.
ASK_MS = 2500


# How much longer than a quiet machine needs a wait may take before it is a failure. Each wait in the tests
# names the seconds a page needs on a quiet machine, with room; CI runs four workers on two cores, where a
# page's first map drew in 23 s rather than 5 and four waits of 30 s ran out (CI, 8 December 2026). A wait
# that runs out is still a failure, with its picture and app state: only later. DL_PATIENCE sets it.
PATIENCE = float(os.environ.get("DL_PATIENCE", "3"))


def ms(seconds: float) -> float:
    """A Playwright timeout, in milliseconds, for a wait a quiet machine finishes well within ``seconds``."""
    return seconds * PATIENCE * 1000


class Deadline:
    """One deadline for a helper; the helpers it calls get the time left, never a fresh allowance.

    ``seconds`` is what a quiet machine needs, with room; the deadline allows PATIENCE times as long."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds * PATIENCE

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def ms(self) -> float:
        return max(1.0, self.left() * 1000)

    def passed(self) -> bool:
        return time.monotonic() >= self.end


def _within(timeout: float | Deadline) -> Deadline:
    return timeout if isinstance(timeout, Deadline) else Deadline(timeout)


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

    # -- what the app says it is doing ---------------------------------------------------------------
    def app_state(self) -> dict:
        """The app's run state as the page has it (script state, connection, runs seen)."""
        try:
            return dict(
                self.page.evaluate(
                    """() => { const a = document.querySelector('[data-testid="stApp"]');
                         const dl = window.__dl || {};
                         return { script: a && a.getAttribute('data-test-script-state'),
                                  connection: a && a.getAttribute('data-test-connection-state'),
                                  runs: dl.runs, url: location.href, now: performance.now(),
                                  seen: JSON.stringify(dl) }; }"""
                )
            )
        except Exception as exc:  # the page itself is gone: say so in the report
            return {"error": str(exc)}

    def runs(self) -> int:
        return int(self.page.evaluate("() => (window.__dl && window.__dl.runs) || 0"))

    def fail(self, what: str) -> HarnessTimeout:
        """A timeout that says what the app was doing and keeps a screenshot of what a person saw."""
        LOGS.mkdir(parents=True, exist_ok=True)
        shot = LOGS.parent / f"timeout-{int(time.time() * 1000)}.png"
        with contextlib.suppress(Exception):  # a closed page has no picture; the message still stands
            self.page.screenshot(path=str(shot), full_page=True)
        return HarnessTimeout(f"{what}; app state {self.app_state()}; screenshot {shot}")

    def wait_idle(self, timeout: float | Deadline = 30) -> None:
        """Wait until Streamlit reports the script not running, connected, with no run about to start."""
        deadline = _within(timeout)
        started = time.monotonic()
        if TRACE:
            self.page.evaluate("() => { if (window.__dl) window.__dl.lastWhy = ''; }")
        try:
            self.page.wait_for_function(
                _IDLE, arg=[QUIET_MS, REPORT_MS, POKE_MS, ASK_MS], timeout=deadline.ms(), polling=50
            )
        except PlaywrightTimeout:
            raise self.fail("the app did not become idle") from None
        if TRACE:
            why = self.page.evaluate("() => window.__dl && window.__dl.lastWhy")
            with TRACE.open("a", encoding="utf-8") as f:
                test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
                f.write(f"{test}\t{time.monotonic() - started:.3f}\t{why}\n")

    @contextlib.contextmanager
    def expect_run(self, timeout: float | Deadline = 30) -> Iterator[None]:
        """Around an action that makes the app run: wait first for that run to start, then for idle."""
        deadline = _within(timeout)
        before, started, sent_after = self.page.evaluate(
            "() => { const dl = window.__dl || {}; return [dl.runs || 0, dl.started || 0, performance.now()]; }"
        )
        yield
        try:  # a run seen to start, or (a run too short to be seen) the request for it
            self.page.wait_for_function(
                "([n, s, t]) => { const d = window.__dl; return !!d && (d.runs > n || d.started > s || d.sentAt > t) }",
                arg=[before, started, sent_after],
                timeout=deadline.ms(),
                polling=20,
            )
        except PlaywrightTimeout:
            raise self.fail("the action started no run of the app") from None
        self.wait_idle(deadline)

    # -- the map ---------------------------------------------------------------------------------------
    def map_frame(self, timeout: float | Deadline = 30) -> Frame:
        """The streamlit-folium iframe, once Leaflet has drawn vector features in it and the page is idle
        (a map reports its view once drawn, and that reruns the page: idle waits for that run too)."""
        deadline = _within(timeout)
        drawn = """() => [...document.querySelectorAll('iframe')].find(f => { try {
                       return f.src.includes('st_folium') && f.contentWindow.map
                         && f.contentDocument.querySelectorAll('.leaflet-interactive').length > 0;
                     } catch (e) { return false; } })"""
        try:
            self.page.wait_for_function(drawn, timeout=deadline.ms(), polling=50)
            self.wait_idle(deadline)
            # The map as the page holds it once idle (a run may have put a new frame in the old one's place).
            element = self.page.wait_for_function(drawn, timeout=deadline.ms(), polling=50).as_element()
        except PlaywrightTimeout:
            raise self.fail("the map did not draw any vector feature") from None
        frame = element.content_frame() if element is not None else None
        if frame is None:
            raise self.fail("the map's frame went away")
        return frame

    def wait_for_map(self, condition: str, timeout: float | Deadline = 30) -> None:
        """Wait until ``condition`` (a JS expression over ``map``, that frame's Leaflet map) holds in any
        map on the page. Asked from the page, not of one frame: when a page swaps its map (a slide, a
        mode), the old frame may still be there for a moment and then be detached."""
        deadline = _within(timeout)
        try:
            self.page.wait_for_function(
                """(cond) => [...document.querySelectorAll('iframe')].some(f => { try {
                       const map = f.contentWindow.map; return !!map && !!Function('map', 'return ' + cond)(map);
                     } catch (e) { return false; } })""",
                arg=condition,
                timeout=deadline.ms(),
            )
        except PlaywrightTimeout:
            raise self.fail(f"no map on the page came to hold {condition!r}") from None


def visit(browser: Browser, url: str, width: int = 1600, height: int = 1000, timeout: float = 45) -> Visit:
    return open_page(browser.new_page(viewport={"width": width, "height": height}), url, timeout)


def open_page(page: Page, url: str, timeout: float = 45) -> Visit:
    """Open ``url`` in ``page`` (of any browser context) and wait until the app has finished its first run."""
    v = Visit(page)
    page.add_init_script(_RUN_WATCH)
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: v.page_errors.append(str(e)))
    page.on("response", lambda r: v.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    deadline = Deadline(timeout)
    page.set_default_timeout(ms(30))  # a click, a fill, a wait the tests give no time of their own
    page.goto(url, timeout=deadline.ms())
    try:  # a run seen; or (a run shorter than a frame, as a small page's first one can be, may never show as
        # running) the page asked for its first run and now shows what a run drew, not running
        page.wait_for_function(
            """() => { const dl = window.__dl; if (!dl) return false;
                 if (dl.runs > 0 || dl.started > 0) return true;
                 const app = document.querySelector('[data-testid="stApp"]');
                 return dl.sentAt >= 0 && !!app && app.getAttribute('data-test-script-state') === 'notRunning'
                   && !!app.querySelector('[data-testid="stElementContainer"]'); }""",
            timeout=deadline.ms(),
        )
    except PlaywrightTimeout:
        raise v.fail("the app never started its first run") from None
    v.wait_idle(deadline)
    assert page.locator('[data-testid="stDialog"]').count() == 0, page.locator('[data-testid="stDialog"]').inner_text()
    return v


def go_to(v: Visit, url_path: str, lang: str = "vi", timeout: float = 30) -> None:
    """To another page of the app by the sidebar's navigation, as a reader goes (no new tab: the same
    session, its language and role); returns once that page's run is over."""
    from geo.model.i18n import t
    from ui.nav import NAV_KEYS

    deadline = Deadline(timeout)
    link = v.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=t(NAV_KEYS[url_path], lang))
    with v.expect_run(deadline):
        link.click(timeout=deadline.ms())
    v.page.wait_for_url(re.compile(rf"/{re.escape(url_path)}(\?.*)?$"), timeout=deadline.ms())
    v.wait_idle(deadline)


def sign_in(v: Visit, name: str, password: str, timeout: float = 30) -> None:
    """Sign in with the sidebar's form, as a planner does."""
    deadline = Deadline(timeout)
    v.wait_idle(deadline)
    sidebar = v.page.locator('[data-testid="stSidebar"]')
    field_ = sidebar.get_by_label("Tên đăng nhập")
    if not field_.is_visible():
        sidebar.locator('[data-testid="stExpander"] summary', has_text="Đăng nhập (chuyên viên)").click()
        field_.wait_for(state="visible", timeout=deadline.ms())
        v.wait_idle(deadline)  # the keyed expander reports its opening: that run redraws the form, so type after it
    field_.fill(name)
    sidebar.get_by_label("Mật khẩu").fill(password)
    # A form sent just as a run begins that another request asked for (the map reporting its view once
    # drawn, which can come after the page looked idle) may be dropped by Streamlit (streamlit#9036): the
    # password stays in the box and nobody is signed in (1 sign-in in ~12 here). So the map has drawn and
    # reported first, and nothing runs when the form is sent.
    if v.page.locator('iframe[src*="st_folium"]').count():
        v.map_frame(deadline)
    v.wait_idle(deadline)
    with v.expect_run(deadline):
        sidebar.get_by_role("button", name="Đăng nhập (chuyên viên)").click()
    try:
        sidebar.get_by_text(f"Đã đăng nhập: {name}").wait_for(timeout=deadline.ms())
    except PlaywrightTimeout:
        raise v.fail(f"{name} is not signed in after the sign-in form was sent") from None


def choose(v: Visit, box: Locator, option: str, timeout: float = 20) -> None:
    """Pick ``option`` in the select ``box``. Outside a form the choice reruns the page: wait for that run;
    inside one nothing runs until the form is sent."""
    deadline = Deadline(timeout)
    v.wait_idle(deadline)
    box.scroll_into_view_if_needed(timeout=deadline.ms())
    in_form = box.locator("xpath=ancestor::*[@data-testid='stForm']").count() > 0
    box.click(timeout=deadline.ms())
    option_ = v.page.get_by_role("option", name=option)
    if in_form:
        option_.click(timeout=deadline.ms())
        return
    with v.expect_run(deadline):
        option_.click(timeout=deadline.ms())


def import_uploader(v: Visit) -> Locator:
    """The Dữ liệu page's uploader of a land office's file (the page has the field packages' too)."""
    return v.page.locator('[data-testid="stFileUploader"]', has_text="Tệp dữ liệu")


def features_drawn(frame: Frame, layer_id: str) -> int:
    """How many features of ``layer_id`` Leaflet has on the map."""
    return int(
        frame.evaluate(
            """(lid) => Object.values(window.map._layers).filter(
               l => l.feature && l.feature.properties && l.feature.properties._l === lid && l._map).length""",
            layer_id,
        )
    )


def click_feature(visit_: Visit, frame: Frame, layer_id: str, key: str, timeout: float | Deadline = 30) -> None:
    """Click a feature where a person would: at its position on the screen (the click reruns the page)."""
    deadline = _within(timeout)
    frame.frame_element().scroll_into_view_if_needed(timeout=deadline.ms())
    frame.wait_for_function(
        """([lid, key]) => window.map && Object.values(window.map._layers).some(
               l => l.feature && l.feature.properties._l === lid && l.feature.properties._k === key)""",
        arg=[layer_id, key],
        timeout=deadline.ms(),
    )
    # Centre the feature first; the map reports the new view (a run), and idle waits for that.
    frame.evaluate(
        """([lid, key]) => {
             const l = Object.values(window.map._layers).find(
               l => l.feature && l.feature.properties._l === lid && l.feature.properties._k === key);
             window.map.panTo(l.getLatLng ? l.getLatLng() : l.getCenter(), {animate: false});
           }""",
        [layer_id, key],
    )
    visit_.wait_idle(deadline)
    pt = frame.evaluate(
        """([lid, key]) => {
             const l = Object.values(window.map._layers).find(
               l => l.feature && l.feature.properties._l === lid && l.feature.properties._k === key);
             // A line's getCenter is its middle point along the line, so the click lands on it.
             const ll = l.getLatLng ? l.getLatLng() : l.getCenter();
             const p = window.map.latLngToContainerPoint(ll);
             return [p.x, p.y];
           }""",
        [layer_id, key],
    )
    box = frame.frame_element().bounding_box()
    assert box is not None
    with visit_.expect_run(deadline):
        visit_.page.mouse.click(box["x"] + pt[0], box["y"] + pt[1])


def select_on_map(visit_: Visit, frame: Frame, layer_id: str, key: str, timeout: float = 30) -> None:
    """Click a feature on the map and wait for its record to show."""
    deadline = Deadline(timeout)
    click_feature(visit_, frame, layer_id, key, deadline)
    visit_.page.locator("table.dl-record", has_text=key).wait_for(timeout=deadline.ms())


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package-lock.json, installed by `make node`


def save_clearance(v: Visit, seg_id: str, status: str, reason: str) -> None:
    """As a signed-in planner on Giao thông: pick segment ``seg_id`` on the map, set its clearance status in
    its edit form and save; returns once the page says it saved."""
    select_on_map(v, v.map_frame(), "ql4b_segments", seg_id)
    v.page.get_by_text("Cập nhật", exact=True).click()
    form = v.page.locator('[data-testid="stForm"]', has_text="Lưu thay đổi")
    choose(v, form.locator('[data-testid="stSelectbox"]', has_text="Tình trạng GPMB"), status)
    form.get_by_label("Lý do, căn cứ").fill(reason)
    with v.expect_run():
        form.get_by_role("button", name="Lưu thay đổi").click()
    v.page.get_by_text("Đã lưu 1 thay đổi").wait_for(timeout=ms(20))


def axe(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page and its frames (the map's among them): each with
    its rule, impact, help text and the elements it found."""
    source = AXE.read_text(encoding="utf-8")
    for frame in page.frames:
        with contextlib.suppress(PlaywrightError):  # a frame gone while we looked: nothing of it to check
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
