"""Two app replicas on one PostGIS store under load, and faults, on this machine only (127.0.0.1).

    make bench-replicas      # or: .venv/bin/python benchmarks/replicas.py [--viewers 50] [--seconds 60]

1. The store: a throwaway PostGIS server (Debian's PostgreSQL, started in a temporary folder), seeded from
   the demo GeoPackage with ``python -m geo copy-store``.
2. Import: 50,000 cadastral parcels (a land office's zipped VN-2000 Shapefile, ``geo.demo.synthetic``) into the
   PostGIS store, against the same import into a GeoPackage copy in the same run.
3. A page's read of the 50,000-parcel layer (``geo.read.access.read_layer``, what the map draws from), PostGIS
   against GeoPackage, medians of 5.
4. Load: two replicas (``python -m ui.serve``, as ``make run`` starts one) on the PostGIS store. Every
   session speaks Streamlit's own websocket protocol, as a browser tab does:
   * ``--viewers`` sessions split across the replicas open Giao thông and change its clearance-status
     filter every 20–40 s (``--look``: a leader in a meeting looks at the map between changes); each
     change is timed from the request to the end of the rerun;
   * 3 planners sign in (one on replica A, one on B, one on A) and save an indicator on Chỉ tiêu through
     its form every 10–20 s (``--work``), as a planner does in the browser;
   * ``--browsers`` real Chromium tabs (Debian's, headless; default 5) on the replicas in turn do what the
     viewers do through the page itself: a clearance-status pill of the layer's filters clicked every 20–40 s,
     timed from the click to the end of its rerun as the page saw it;
   * every tab reads its replica's versions file every second, as the page's hidden watcher does
     (``ui/live.py``), and reruns when a table it shows changed;
   * one watcher per replica keeps the overview open and notes when each saved value appears on its
     headline cards: cross-replica freshness, timed from the planner's click (the request leaving).
   At the end every saved value is in the store once, with one change-log row.
5. Faults: replica A is killed (SIGKILL) right after a planner's save left for it: the store agrees with
   its log (the save is there whole, with its row, or not at all), sessions on B carry on, and a planner
   on a restarted A saves at once. A PostGIS server stopped mid-import is ``tests/store/test_db.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from geo.auth.users import add_user  # noqa: E402
from geo.demo.synthetic import cadastral  # noqa: E402
from geo.importer import suggested_values, validate  # noqa: E402
from geo.importer.safety import command_line  # noqa: E402
from geo.model.i18n import fmt_number  # noqa: E402
from geo.read.access import read_layer  # noqa: E402
from geo.store.ingest import commit  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402
from geo.store.transfer import copy_store  # noqa: E402
from tests import import_files as F  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402

SUCCESS = 0  # ScriptFinishedStatus.FINISHED_SUCCESSFULLY (a whole run; fragments end with 3)
PASSWORD = "mat-khau-dai"
PLANNED = ("winter_crops", "health_insurance", "public_investment")  # headline cards on the overview


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    """One ``python -m ui.serve`` process on the shared store."""

    env: dict[str, str]
    log: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "ui.serve", "--server.port", str(self.port), "--server.address", "127.0.0.1"]
        out = self.log.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **self.env}, stdout=out, stderr=out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
            time.sleep(0.25)
        raise RuntimeError(f"replica did not start: {self.log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Widget:
    id: str
    kind: str
    options: list[str] = field(default_factory=list)
    form: str = ""


class Tab:
    """One browser tab's session, over Streamlit's websocket: reruns with widget values, sees what is drawn."""

    def __init__(self, url: str, page: str) -> None:
        self.url, self.page = url, page
        self.widgets: dict[str, Widget] = {}  # by the key the app gave it (the end of its id)
        self.texts: list[tuple[float, str]] = []  # (when, text of an html/markdown element)
        self.finished = asyncio.Event()
        self.closed = False
        self.states: dict[str, object] = {}
        self.refreshes = 0  # reruns the watcher asked for
        self.waiting = 0.0  # when the watcher last asked, until the page is drawn again
        self.watcher: dict[str, object] | None = None  # the page's hidden watcher component: its arguments
        self.polling: asyncio.Task[None] | None = None
        self.trace: collections.deque[tuple[float, str, str]] = collections.deque(maxlen=12)

    async def open(self) -> float:
        self.ws = await websockets.connect(
            self.url.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"], max_size=2**27
        )
        self.reader = asyncio.create_task(self._read())
        return await self.rerun({})

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind in ("script_finished", "session_status_changed", "session_event"):
                    self.trace.append((round(time.monotonic(), 2), kind, str(getattr(msg, kind)).strip()[:60]))
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._element(msg.delta.new_element)
                elif kind == "script_finished" and msg.script_finished == SUCCESS:
                    self.finished.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True
            self.finished.set()
            if self.polling is not None:
                self.polling.cancel()

    async def _poll(self) -> None:
        """What ui/static/watch/watch.js does in the browser: read the replica's versions file on a timer and,
        when a table the page showed moved past what it drew, send the component's value (a rerun)."""
        asked = 0
        while not self.closed:
            args = self.watcher or {}
            await asyncio.sleep(float(args.get("every", 1)))  # type: ignore[arg-type]
            if self.waiting and time.monotonic() - self.waiting < 15:
                continue  # asked already: not again until the page has been drawn again
            url = self.url + str(args.get("url", ""))
            try:
                body = await asyncio.to_thread(lambda u=url: urllib.request.urlopen(u, timeout=5).read())
            except OSError:
                continue
            doc = json.loads(body)
            tables = list(args.get("tables", []))  # type: ignore[call-overload]
            now = max((int(doc["tables"].get(t, 0)) for t in tables), default=int(doc.get("store", 0)))
            if now > int(args.get("drawn", 0)) and now != asked:  # type: ignore[call-overload]
                asked = now
                self.refreshes += 1
                self.states["dl_watch"] = now  # the component keeps its value, as a widget does
                self.waiting = time.monotonic()
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self.ws.send(self._message(self.states).SerializeToString())

    def _element(self, el: object) -> None:
        kind = el.WhichOneof("type")  # type: ignore[attr-defined]
        inner = getattr(el, kind)
        if kind in ("html", "markdown"):
            self.texts.append((time.monotonic(), inner.body))
        if kind == "component_instance" and inner.id.endswith("-dl_watch"):
            self.watcher = json.loads(inner.json_args)
            self.waiting = 0.0  # drawn again
            self.widgets["dl_watch"] = Widget(inner.id, "component")
            if self.polling is None:
                self.polling = asyncio.create_task(self._poll())
        wid = getattr(inner, "id", "")
        if isinstance(wid, str) and wid.startswith("$$ID-"):
            key = wid.split("-", 2)[2] if wid.count("-") >= 2 else wid
            options = [o.content for o in getattr(inner, "options", [])] if kind == "button_group" else []
            self.widgets.pop(key, None)  # the latest run's widgets last: a form renamed after a save (its
            self.widgets[key] = Widget(wid, kind, options, getattr(inner, "form_id", ""))  # generation) is found

    async def rerun(self, values: dict[str, object], timeout: float = 120) -> float:
        """Send the tab's widget values (merged into what it sent before) and wait for the whole run."""
        self.states.update(values)
        msg = self._message(self.states)
        self.finished.clear()
        t0 = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self.finished.wait(), timeout)
        except TimeoutError:
            print(f"no end of run {timeout} s after {t0:.2f} on {self.url}: {list(self.trace)}", file=sys.stderr)
            raise
        for key, value in values.items():  # a button's click is sent once
            if isinstance(value, bool) and self.widgets[key].kind == "button":
                self.states.pop(key, None)
        return time.monotonic() - t0

    def _message(self, states: dict[str, object]) -> BackMsg:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = self.page
        for key, value in states.items():
            w = self.widgets[key]
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = w.id
            if w.kind == "component":
                state.json_value = json.dumps(value)
            elif isinstance(value, bool):
                if w.kind == "button":
                    state.trigger_value = value
                else:
                    state.bool_value = value
            elif isinstance(value, float):
                state.double_value = value
            elif isinstance(value, list):
                state.string_array_value.data.extend(value)
            else:
                state.string_value = str(value)
        return msg

    def key_like(self, *parts: str) -> str:
        """The key of the widget drawn last whose key holds every one of ``parts`` (as the page shows it now)."""
        return next(k for k in reversed(self.widgets) if all(p in k for p in parts))

    def submit_of(self, form: str) -> str:
        return next(k for k, w in self.widgets.items() if w.kind == "button" and w.form == form)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


# -- 2, 3: import and read at 50,000 parcels ----------------------------------------------------------------
def import_and_read(server: str, work: Path, n: int) -> dict[str, float]:
    gpkg = work / "baseline.gpkg"
    copy_store(DEFAULT_STORE, gpkg)
    units = Store(DEFAULT_STORE).read("units")
    shp = F.shapefile(work / "office", crs="EPSG:9215", encoding="cp1258", frame=cadastral(n), name="dia_chinh")
    limits = command_line()  # the command line's limits: a province's file is above the browser's upload cap
    first = validate(shp, layer="cadastral_parcels", units=units, limits=limits)
    report = validate(shp, layer="cadastral_parcels", units=units, values=suggested_values(first.values), limits=limits)
    assert report.exit_code == 0, report.problems[:3]
    out: dict[str, float] = {}
    for name, location in (("gpkg", gpkg), ("postgis", server)):
        t0 = time.perf_counter()
        assert commit(location, report, "bench", layer="cadastral_parcels", mode="replace") == n
        out[f"import_{name}"] = time.perf_counter() - t0
    for name, location in (("gpkg", gpkg), ("postgis", server)):
        store = Store(location)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            frame = read_layer(store, "cadastral_parcels", sensitive=False)
            times.append(time.perf_counter() - t0)
        assert len(frame) == n
        out[f"read_{name}"] = statistics.median(times)
    return out


# -- 4, 5: replicas under load, then a replica killed ----------------------------------------------------
async def sign_in(tab: Tab, name: str) -> None:
    await tab.rerun({tab.key_like("login_name"): name, tab.key_like("login_pw"): PASSWORD})
    await tab.rerun({tab.submit_of("login"): True})
    tab.states = {}  # the sign-in form is gone; what the planner types next is in the edit forms


async def save(tab: Tab, ind: str, value: float, reason: str) -> float:
    """Type ``value`` into the indicator's form and press Lưu; when the request left."""
    form = f"edit_chi-tieu_indicators_{ind}"
    values = {
        tab.key_like(f"ed_chi-tieu_indicators_{ind}_value"): value,
        tab.key_like(f"ed_reason_chi-tieu_{ind}"): reason,
    }
    sent = time.monotonic()
    await tab.rerun({**values, tab.submit_of(form): True})
    return sent


def shown(value: float) -> str:
    return fmt_number(value, "vi")  # as the headline card writes it (geo.read.indicators.Indicator.value_text)


@dataclass
class Window:
    """The load's window, shared with the Chromium tabs' thread: the tabs say they are open (or could not open),
    then the load says when it ends."""

    tabs_open: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    end: float = 0.0


def browser_tabs(
    urls: list[str],
    n: int,
    window: Window,
    look: tuple[float, float],
    seed: int,
    out: list[float],
    errors: list[str],
) -> None:
    """``n`` real Chromium tabs (Debian's, headless) split across the replicas, on Giao thông as the websocket
    viewers are, each switching a clearance status in the QL4B layer's filters every ``look`` seconds until
    the end of the load: seconds from the click to the end of the rerun it caused, as the page saw it
    (Streamlit's own script-finished message), into ``out``. The tabs open first, as the websocket sessions
    do, and say so (``window.tabs_open``); they click from the load's start to its end (``window.started``,
    ``window.end``). Runs in a thread of its own (Playwright's synchronous API)."""
    from geo.model.catalog import CATALOG
    from tests.browser import chromium, visit

    rnd = random.Random(seed)
    try:
        with chromium() as browser:
            tabs = []
            for i in range(n):
                v = visit(browser, f"{urls[i % len(urls)]}/giao-thong", timeout=180)
                v.map_frame(120)
                panel = v.page.locator('[data-testid="stExpander"]', has_text=CATALOG["ql4b_segments"].title("vi"))
                panel.locator("summary").first.click()  # the filters open (in the page: no run)
                pills = panel.locator('[data-testid="stButtonGroup"]').first.locator("button")
                pills.first.wait_for(state="visible", timeout=60000)
                tabs.append((v, pills))
            window.tabs_open.set()
            window.started.wait()
            end = window.end
            due = [time.monotonic() + rnd.uniform(*look) for _ in tabs]
            while True:
                i = min(range(len(tabs)), key=due.__getitem__)
                if due[i] >= end:
                    break
                time.sleep(max(0.0, due[i] - time.monotonic()))
                v, pills = tabs[i]
                pill = pills.nth(rnd.randrange(pills.count()))
                clicked = v.page.evaluate("performance.now()")
                with v.expect_run(60):
                    pill.click()
                out.append((float(v.page.evaluate("window.__dl.endAt")) - clicked) / 1000)
                due[i] = time.monotonic() + rnd.uniform(*look)
    except Exception as exc:  # said in the table, not lost in a thread
        errors.append(f"{type(exc).__name__}: {exc!s:.300}")
    finally:
        window.tabs_open.set()


async def load(
    replicas: list[Replica],
    viewers: int,
    seconds: float,
    rnd: random.Random,
    look: tuple[float, float],
    work: tuple[float, float],
    browsers: int = 0,
) -> dict[str, object]:
    a, b = replicas
    tabs = [Tab(replicas[i % 2].url, "giao-thong") for i in range(viewers)]
    watchers = [Tab(a.url, ""), Tab(b.url, "")]
    planners = [Tab(a.url, "chi-tieu"), Tab(b.url, "chi-tieu"), Tab(a.url, "chi-tieu")]
    browser_times: list[float] = []
    browser_errors: list[str] = []
    window = Window()
    tabs_thread = threading.Thread(
        target=browser_tabs,
        args=([a.url, b.url], browsers, window, look, rnd.randrange(1 << 30), browser_times, browser_errors),
        daemon=True,
    )
    if browsers:
        tabs_thread.start()
    opened = []
    for tab in [*watchers, *planners]:
        opened.append(await tab.open())
    for i in range(0, len(tabs), 10):  # tabs open in waves, as people arrive at a meeting
        opened += await asyncio.gather(*(t.open() for t in tabs[i : i + 10]))
    for k, tab in enumerate(planners):
        await sign_in(tab, f"chuyenvien{k}")
    filter_times: list[float] = []
    saves: list[tuple[str, float, float, Replica]] = []  # (indicator, value, sent, replica)
    if browsers:  # the Chromium tabs are open too, before the load starts
        await asyncio.to_thread(window.tabs_open.wait)
    end = time.monotonic() + seconds
    window.end = end
    window.started.set()

    async def viewer(tab: Tab) -> None:
        key = tab.key_like("ql4b_segments_clearance_status")
        every = tab.widgets[key].options
        while time.monotonic() < end and not tab.closed:
            await asyncio.sleep(rnd.uniform(*look))
            chosen = rnd.sample(every, rnd.randint(1, len(every)))
            filter_times.append(await tab.rerun({key: chosen}))

    async def planner(k: int, tab: Tab) -> None:
        i = 0
        while time.monotonic() < end:
            await asyncio.sleep(rnd.uniform(*work))
            # its own, never a round number (shown "300,25"), and plausible: health insurance is a share (%)
            value = (10 + i % 80 if PLANNED[k] == "health_insurance" else 300 + 100 * k + i) + 0.25
            i += 1
            sent = await save(tab, PLANNED[k], value, f"bench {k} {i}")
            saves.append((PLANNED[k], value, sent, replicas[0] if tab.url == a.url else replicas[1]))

    rss_before = [r.rss_mb() for r in replicas]
    cpu0, t0 = [cpu_seconds(r.proc.pid) for r in replicas] + [cpu_seconds(os.getpid())], time.monotonic()  # type: ignore[union-attr]
    await asyncio.gather(*(viewer(t) for t in tabs), *(planner(k, t) for k, t in enumerate(planners)))
    cpu1, t1 = [cpu_seconds(r.proc.pid) for r in replicas] + [cpu_seconds(os.getpid())], time.monotonic()  # type: ignore[union-attr]
    if browsers:
        await asyncio.to_thread(tabs_thread.join)
    await asyncio.sleep(3)
    rss_after = [r.rss_mb() for r in replicas]
    fresh: list[float] = []
    missed = 0
    for _ind, value, sent, where in saves:
        other = watchers[1] if where is a else watchers[0]  # the replica the planner did not use
        seen = [when for when, text in other.texts if when >= sent and shown(value) in text]
        if seen:
            fresh.append(seen[0] - sent)
        else:
            missed += 1
            print(f"not seen on the other replica: {_ind} = {shown(value)}", file=sys.stderr)
    for tab in [*tabs, *watchers, *planners]:
        await tab.close()
    return {
        "opened": opened,
        "filters": filter_times,
        "browser_filters": browser_times,
        "browser_errors": browser_errors,
        "fresh": fresh,
        "missed": missed,
        "saves": saves,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "cpu": [(b - a) / (t1 - t0) for a, b in zip(cpu0, cpu1, strict=True)],
    }


def check_saves(server: str, saves: list[tuple[str, float, float, Replica]]) -> tuple[int, int]:
    """Every save once in the log (one row), and each indicator's value its last save: (saves, log rows)."""
    log = Store(server).read("audit_log")
    mine = log[log.reason.str.startswith("bench ")]
    assert len(mine) == len(saves), (len(mine), len(saves))
    assert mine.reason.is_unique  # no save twice
    inds = Store(server).read("indicators").set_index("ind_id")
    for ind in PLANNED:
        last = [v for i, v, _, _ in saves if i == ind]
        if last:
            assert round(float(inds.value[ind]), 2) == last[-1], ind
    return len(saves), len(mine)


async def kill_mid_save(replicas: list[Replica], server: str) -> dict[str, object]:
    a, b = replicas
    planner = Tab(a.url, "chi-tieu")
    viewer = Tab(b.url, "giao-thong")
    await planner.open()
    await viewer.open()
    await sign_in(planner, "chuyenvien0")
    form = "edit_chi-tieu_indicators_winter_crops"
    values = {planner.key_like("ed_chi-tieu_indicators_winter_crops_value"): 777.77,
              planner.key_like("ed_reason_chi-tieu_winter_crops"): "bench kill"}  # fmt: skip
    task = asyncio.create_task(planner.rerun({**values, planner.submit_of(form): True}, timeout=30))
    await asyncio.sleep(0.05)
    a.kill()
    with contextlib.suppress(Exception):
        await task
    log = Store(server).read("audit_log")
    kept = int((log.reason == "bench kill").sum())
    value = float(Store(server).read("indicators").set_index("ind_id").value["winter_crops"])
    whole = (kept == 1 and round(value, 2) == 777.77) or (kept == 0 and round(value, 2) != 777.77)
    key = viewer.key_like("ql4b_segments_clearance_status")
    other_ok = await viewer.rerun({key: viewer.widgets[key].options[:1]}, timeout=30)
    a.start()
    again = Tab(a.url, "chi-tieu")
    await again.open()
    await sign_in(again, "chuyenvien0")
    t_save = time.monotonic()
    await save(again, "winter_crops", 778.88, "bench after restart")
    after = time.monotonic() - t_save
    log = Store(server).read("audit_log")
    for tab in (planner, viewer, again):
        await tab.close()
    return {
        "kept": kept,
        "whole": whole,
        "b_rerun": other_ok,
        "after_restart_saved": int((log.reason == "bench after restart").sum()),
        "after_restart_s": after,
    }


@contextlib.contextmanager
def running(replicas: list[Replica]) -> Iterator[None]:
    try:
        for r in replicas:
            r.start()
        yield
    finally:
        for r in replicas:
            r.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000, help="parcels imported")
    ap.add_argument("--viewers", type=int, default=50)
    ap.add_argument("--browsers", type=int, default=5, help="real Chromium tabs beside the websocket viewers")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--look", default="20,40", help="seconds a viewer looks before changing the filter: MIN,MAX")
    ap.add_argument("--work", default="10,20", help="seconds between a planner's saves: MIN,MAX")
    args = ap.parse_args()
    rnd = random.Random(2026)
    cluster = Cluster()
    try:
        with tempfile.TemporaryDirectory() as d:
            work = Path(d)
            server = cluster.database()
            copy_store(DEFAULT_STORE, server)
            io = import_and_read(server, work, args.n)
            users = work / "users.json"
            for k in range(3):
                add_user(users, f"chuyenvien{k}", "planner", PASSWORD)
            env = {"DINHLAP_STORE": server, "DINHLAP_USERS": str(users), "DINHLAP_MAPDATA_DIR": str(work / "mapdata")}
            logs = ROOT / "tests" / "artifacts" / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            replicas = [Replica(env, logs / "bench-replica-a.log"), Replica(env, logs / "bench-replica-b.log")]
            with running(replicas):
                look = tuple(float(x) for x in args.look.split(","))
                work_ = tuple(float(x) for x in args.work.split(","))
                got = asyncio.run(load(replicas, args.viewers, args.seconds, rnd, look, work_, args.browsers))  # type: ignore[arg-type]
                n_saves, n_rows = check_saves(server, got["saves"])  # type: ignore[arg-type]
                fault = asyncio.run(kill_mid_save(replicas, server))
    finally:
        cluster.close()
    filters, fresh, opened = got["filters"], got["fresh"], got["opened"]
    print(f"\nCadastral import ({args.n:,} parcels, one transaction each):")
    print(f"  PostGIS {io['import_postgis']:.1f} s · GeoPackage {io['import_gpkg']:.1f} s "
          f"(ratio {io['import_postgis'] / io['import_gpkg']:.2f}; target ≤ 30 s)")  # fmt: skip
    print(f"A page's read of the layer (median of 5): PostGIS {io['read_postgis']:.2f} s · GeoPackage "
          f"{io['read_gpkg']:.2f} s (ratio {io['read_postgis'] / io['read_gpkg']:.2f}; target ≤ 1.2)")  # fmt: skip
    print(
        f"\nLoad: 2 replicas, {args.viewers} viewers + {args.browsers} Chromium tabs (a filter change every "
        f"{args.look} s) + 3 planners (a save "
        f"every {args.work} s) + 2 watchers, {args.seconds:.0f} s"
    )
    print("| measure | p50 | p95 | max | n | target |")
    print("|---|---|---|---|---|---|")
    for name, xs, target in (
        ("first page run (s)", opened, ""),
        ("filter rerun (s)", filters, "p95 ≤ 1 s"),
        (f"filter rerun in {args.browsers} Chromium tabs (s)", got["browser_filters"], "p95 ≤ 1 s"),
        ("filter rerun, all sessions (s)", [*filters, *got["browser_filters"]], "p95 ≤ 1 s"),  # type: ignore[misc]
        ("cross-replica freshness (s)", fresh, "≤ 2 s"),
    ):
        xs = list(xs)  # type: ignore[call-overload]
        top = max(xs, default=float("nan"))
        print(f"| {name} | {pct(xs, 0.5):.2f} | {pct(xs, 0.95):.2f} | {top:.2f} | {len(xs)} | {target} |")
    for err in got["browser_errors"]:  # type: ignore[attr-defined]
        print(f"| a Chromium tab stopped: {err} | | | | | |")
    before, after = got["rss_before"], got["rss_after"]
    print(
        f"| memory per replica (MB), A · B | {before[0]:.0f} · {before[1]:.0f} at start | "  # type: ignore[index]
        f"{after[0]:.0f} · {after[1]:.0f} after the load | | | |"
    )  # type: ignore[index]
    busy = [f"{x:.2f}" for x in got["cpu"]]  # type: ignore[attr-defined]
    print(f"| CPU in use during the load (cores), A · B · this client | {' · '.join(busy)} | | | | |")
    print(f"\nSaves: {n_saves} saved through the replicas, {n_rows} change-log rows, each reason once; "
          f"{got['missed']} not seen by the other replica's watcher")  # fmt: skip
    print(f"Replica A killed right after a save left for it: save kept whole or not at all: {fault['whole']} "
          f"(kept: {fault['kept']}); a viewer on B reran in {fault['b_rerun']:.2f} s; on a restarted A a "
          f"planner saved ({fault['after_restart_saved']} row) in {fault['after_restart_s']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
