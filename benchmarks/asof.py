"""Time: the map at a date on a 50,000-parcel layer after 10,000 audited edits, against reading it as it is now.

    make bench-time      # or: .venv/bin/python benchmarks/asof.py [--trials N] [--parcels N] [--edits N]

Builds a scratch store: the demo store whose forest-land layer holds N synthetic parcels (geo.demo.synthetic),
then E audited edits of their status spread from May 2024 to October 2026 (in batches, each at its own
moment). Then, on this machine, medians of the trials:

* the engine: the layer as it is now (``Store.read``, the baseline) and as of three dates (``read_layer``
  with ``as_of``), the ratio of each to the baseline;
* the app in headless Chromium: the Đất lâm nghiệp page, the date moved with the slider's keys → the
  parcels redrawn (the map keeps its view); and the compare mode switched on → both maps drawn.

Targets (issue "Time"): as-of read ≤ 1 s; a date change → map redrawn ≤ 1 s; compare drawn ≤ 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.demo.synthetic import parcels  # noqa: E402
from geo.read import history  # noqa: E402
from geo.read.access import read_layer  # noqa: E402
from geo.store.edit import edit_many  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store, write_layers  # noqa: E402
from tests.browser import chromium  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from run import server  # noqa: E402

STATUSES = ("handed_over", "plan_approved", "allocated", "disputed")
DRAWN = """() => [...document.querySelectorAll('iframe')].filter(f => { try { const d = f.contentWindow.__dlCompact;
  return d && d.drawn.forest_parcels && d.drawn.forest_parcels.drawn > 0; } catch (e) { return false; } }).length"""
STYLE = """() => [...document.querySelectorAll('iframe')].map(f => { try {
  const d = f.contentWindow.__dlCompact; return d && d.drawn.forest_parcels ? d.drawn.forest_parcels.style : null;
  } catch (e) { return null; } }).filter(Boolean)"""


def scratch_store(folder: Path, n: int, edits: int) -> Path:
    """The demo store with ``n`` parcels, then ``edits`` audited status edits from 5/2024 to 10/2026."""
    src = Store(DEFAULT_STORE)
    layers = {lid: src.read(lid) for lid in src.layer_ids() if lid != "audit_log"}
    big = parcels(n, within=layers["district"].geometry.iloc[0])
    layers["forest_parcels"] = big
    path = folder / "time.gpkg"
    write_layers(path, layers)
    keys = list(big.parcel_id)
    start, end = dt.datetime(2024, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 10, 31, tzinfo=dt.UTC)
    batch = 500
    for b in range(0, edits, batch):
        when = start + (end - start) * (b / max(edits, 1))
        changes = [(keys[(b + i) * 7919 % n], {"status": STATUSES[(b + i) % 4]}, None) for i in range(batch)]
        seen: dict[str, tuple] = {}
        for key, new, _ in changes:  # one change per parcel per batch: the last one wins
            seen[key] = (key, new, None)
        edit_many(path, "forest_parcels", list(seen.values()), "bench", "benchmark", ts=history.stamp(when))
    return path


def engine(path: Path, trials: int) -> list[tuple[str, float, float]]:
    store = Store(path)
    rows = []
    base = statistics.median(_timed(lambda: store.read("forest_parcels")) for _ in range(trials))
    rows.append(("now (Store.read, baseline)", base, 1.0))
    for day in ("2026-06-30", "2025-06-30", "2024-04-24"):
        when = history.moment(day)
        secs = statistics.median(
            _timed(lambda when=when: read_layer(store, "forest_parcels", True, as_of=when)) for _ in range(trials)
        )
        rows.append((f"as of {day}", secs, secs / base))
    return rows


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def browser_times(path: Path, trials: int) -> dict[str, float]:
    cmd = [sys.executable, "-m", "ui.serve"]
    out: dict[str, list[float]] = {"date": [], "compare": []}
    with server(cmd, path) as (url, _), chromium() as browser:
        for _ in range(trials + 1):  # the first round warms the server's caches
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/dat-lam-nghiep")
            page.wait_for_function(f"() => ({DRAWN})() === 1", timeout=180_000, polling=20)
            page.wait_for_timeout(1500)  # the map's first view report and its rerun
            before = page.evaluate(STYLE)
            slider = page.get_by_role("slider", name="Các mốc có thay đổi")
            slider.focus()
            t0 = time.perf_counter()
            page.keyboard.press("Home")  # the first stop: the notice's day
            page.wait_for_function(f"(b) => {{ const s = ({STYLE})(); return s.length && s[0] !== b[0]; }}",
                                   arg=before, timeout=60_000, polling=10)  # fmt: skip
            out["date"].append(time.perf_counter() - t0)
            page.wait_for_timeout(800)
            toggle = page.get_by_text("So sánh hai thời điểm")
            t0 = time.perf_counter()
            toggle.click()
            page.wait_for_function(f"() => ({DRAWN})() === 2", timeout=60_000, polling=10)
            out["compare"].append(time.perf_counter() - t0)
            page.close()
    return {k: statistics.median(v[1:]) for k, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--parcels", type=int, default=50_000)
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dinhlap-bench-time-") as d:
        t0 = time.perf_counter()
        path = scratch_store(Path(d), args.parcels, args.edits)
        print(
            f"scratch store: {args.parcels:,} parcels, {args.edits:,} audited edits in {time.perf_counter() - t0:.1f} s"
        )
        print(f"{'read of forest_parcels':<32}{'seconds':>10}{'× baseline':>12}")
        for label, secs, ratio in engine(path, args.trials):
            print(f"{label:<32}{secs:>10.3f}{ratio:>12.2f}")
        if not args.no_browser:
            b = browser_times(path, args.trials)
            print(f"{'date moved → parcels redrawn':<32}{b['date']:>10.3f}   target ≤ 1 s")
            print(f"{'compare on → both maps drawn':<32}{b['compare']:>10.3f}   target ≤ 2 s")
        shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
