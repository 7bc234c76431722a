"""Overview time-to-map and rerun cost, against plain folium + st_folium measured in the same run.

    make bench            # or: .venv/bin/python benchmarks/run.py [--trials N]

For each app: open the page in headless Debian Chromium (new page each trial) and time
navigation → every vector feature of the default layers drawn; then flip a widget that has
nothing to do with the map and count the bytes the server sends over the websocket and
whether the map was rebuilt. Figures are medians; ratios are ours / baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.model.catalog import CATALOG, OVERVIEW_LAYERS  # noqa: E402
from geo.store.reads import Store  # noqa: E402
from tests.browser import chromium, free_port  # noqa: E402

COUNT_JS = """(n) => [...document.querySelectorAll('iframe')].some(f => {
  try { const w = f.contentWindow; if (!w.map) return false;
        return Object.values(w.map._layers).filter(l => l.feature && l._map).length >= n; }
  catch (e) { return false; } })"""


@contextlib.contextmanager
def server(cmd: list[str], store: Path | None = None) -> Iterator[tuple[str, int]]:
    """A Streamlit server on a free port (on ``store``, if given); yields its URL and process id."""
    port = free_port()
    env = dict(os.environ, **({"DINHLAP_STORE": str(store)} if store else {}))
    proc = subprocess.Popen(
        [*cmd, "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                break
            time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


def measure(browser, url: str, expected: int, trials: int) -> dict[str, float]:
    times, initial_bytes, rerun_bytes, rebuilt, largest = [], [], [], [], []
    warm = browser.new_page()
    warm.goto(url)
    warm.wait_for_function(COUNT_JS, arg=expected, timeout=120000)  # first run fills the caches
    warm.close()
    for _ in range(trials):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        frames: list[int] = []
        cdp.on(
            "Network.webSocketFrameReceived", lambda e, frames=frames: frames.append(len(e["response"]["payloadData"]))
        )
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_function(COUNT_JS, arg=expected, timeout=120000, polling=20)
        times.append(time.perf_counter() - t0)
        page.wait_for_timeout(1500)
        initial_bytes.append(sum(frames))
        frame = next(f for f in page.frames if "st_folium" in f.url)
        frame.evaluate("window.__bench_marker = 1")
        before = len(frames)
        page.get_by_text("Hiện nguyên văn Thông báo").click()
        page.wait_for_timeout(2500)
        rerun_bytes.append(sum(frames[before:]))
        largest.append(max(frames[before:], default=0) / max(max(frames[:before], default=1), 1))
        alive = [f for f in page.frames if "st_folium" in f.url]
        rebuilt.append(0.0 if alive and alive[0].evaluate("window.__bench_marker === 1") else 1.0)
        page.close()
    return {
        "time_to_map_s": statistics.median(times),
        "initial_ws_kb": statistics.median(initial_bytes) / 1024,
        "rerun_ws_kb": statistics.median(rerun_bytes) / 1024,
        "map_rebuilt_on_rerun": statistics.mean(rebuilt),
        # largest websocket frame of the rerun over the largest of the first load (the map message):
        # well under 1 means the map was not sent again.
        "rerun_largest_frame_share": statistics.median(largest),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    store = Store()
    expected = sum(len(store.read(lid)) for lid in OVERVIEW_LAYERS if CATALOG[lid].default_visible)
    with chromium() as browser:
        with server([sys.executable, "-m", "ui.serve"]) as (url, _):
            ours = measure(browser, url, expected, args.trials)
        with server([sys.executable, "-m", "streamlit", "run", "benchmarks/baseline_app.py"]) as (url, _):
            base = measure(browser, url, expected, args.trials)
    print(f"Overview, {expected} features, {args.trials} trials, medians (this machine: {os.cpu_count()} cores)")
    print(f"{'metric':<24}{'ours':>12}{'baseline':>12}{'ours/baseline':>15}")
    for k in ours:
        ratio = ours[k] / base[k] if base[k] else float("nan")
        print(f"{k:<24}{ours[k]:>12.3f}{base[k]:>12.3f}{ratio:>15.2f}")
    budget_ok = ours["time_to_map_s"] <= 2.0 and ours["map_rebuilt_on_rerun"] == 0
    print(f"budget (time-to-map ≤ 2 s, map not rebuilt on an unrelated rerun): {'met' if budget_ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"ours": ours, "baseline": base}, indent=2))
    return 0 if budget_ok else 1


if __name__ == "__main__":
    sys.exit(main())
