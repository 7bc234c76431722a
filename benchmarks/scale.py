"""Cadastral scale: 1,000 / 10,000 / 50,000 parcels, our app against plain folium + st_folium in the same run.

    make bench-scale      # or: .venv/bin/python benchmarks/scale.py [--trials N] [--sizes 1000,10000,50000]

Generates the synthetic parcel layers deterministically (geo.demo.synthetic), imports each into a scratch
copy of the demo store through ``python -m geo import`` (validated, as a planner would), then in
headless Debian Chromium measures every row of the table of issue 8 on the Đất lâm nghiệp page, and
the same page the plain way (benchmarks/parcels_baseline.py). Prints figures, the plain figures
where there is one, and the ratios. Medians of the trials; everything on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.demo.synthetic import parcels  # noqa: E402
from geo.printing.export import MapRequest, Provenance, map_image  # noqa: E402
from geo.store.changelog import changes_for_meeting  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402
from geo.webmap.compact import floor_bytes  # noqa: E402
from tests.browser import chromium  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from parcels_baseline import parcel_map  # noqa: E402
from run import server  # noqa: E402

PAGE = "dat-lam-nghiep"
# A layer over geo.webmap.mapview.BIG_LAYER features is drawn on a canvas (its count in __dlCompact); a smaller one
# as SVG features.
OURS_DRAWN = """(n) => [...document.querySelectorAll('iframe')].some(f => { try { const w = f.contentWindow;
  const d = w.__dlCompact && w.__dlCompact.drawn.forest_parcels;
  if (d) return d.total === n && d.drawn > 0;
  return w.map && Object.values(w.map._layers).filter(
    l => l.feature && l.feature.properties._l === 'forest_parcels' && l._map).length >= n; }
  catch (e) { return false; } })"""
PLAIN_DRAWN = """(n) => [...document.querySelectorAll('iframe')].some(f => { try { const w = f.contentWindow;
  return w.map && Object.values(w.map._layers).filter(l => l.feature && l._map).length >= n; }
  catch (e) { return false; } })"""


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def map_frame(page):
    return next(f for f in page.frames if "st_folium" in f.url)


def open_page(browser, url: str, js: str, n: int, timeout_s: float = 180, before=None):
    """A new page at ``url``; returns it and the seconds from navigation to every parcel drawn."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    if before:
        before(page)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(js, arg=n, timeout=timeout_s * 1000, polling=20)
    return page, time.perf_counter() - t0


def time_to_draw(browser, url: str, js: str, n: int, trials: int) -> float:
    warm, _ = open_page(browser, url, js, n, 600)  # the first visit fills the server's caches
    warm.close()
    times = []
    for _ in range(trials):
        page, secs = open_page(browser, url, js, n)
        times.append(secs)
        page.close()
    return statistics.median(times)


def in_app_navigation(browser, url: str, n: int, trials: int) -> float:
    """From the Chỉ tiêu page (no map), click "Đất lâm nghiệp" in the sidebar: seconds until every parcel is drawn.

    What a person does inside the app; a fresh tab also pays for Streamlit's own page start (about
    1.5 s here, the same for the plain page).
    """
    times = []
    for _ in range(trials):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/chi-tieu")
        idle(page)
        page.wait_for_timeout(1000)
        t0 = time.perf_counter()
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Đất lâm nghiệp").click()
        page.wait_for_function(OURS_DRAWN, arg=n, timeout=120000, polling=20)
        times.append(time.perf_counter() - t0)
        page.close()
    return statistics.median(times)


def idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)


class Wire:
    """Websocket frames the page receives, with their arrival times (CDP)."""

    def __init__(self, page) -> None:
        self.page = page
        self.frames: list[tuple[float, int]] = []
        self.requests: list[str] = []
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: self.frames.append((time.perf_counter(), len(e["response"]["payloadData"]))),
        )
        page.on("request", lambda r: self.requests.append(r.url))

    def after(self, t0: float, settle_s: float = 2.0) -> tuple[float, int]:
        """(seconds from t0 to the last frame, bytes) of what arrived after t0, once quiet for ``settle_s``."""
        while True:
            last = max((t for t, _ in self.frames if t >= t0), default=t0)
            if time.perf_counter() - last > settle_s:
                break
            self.page.wait_for_timeout(20)  # not time.sleep: Playwright delivers events only while it waits
        got = [(t, b) for t, b in self.frames if t >= t0]
        return (max((t for t, _ in got), default=t0) - t0, sum(b for _, b in got))


def unrelated_widget_change(browser, url: str, n: int, trials: int) -> tuple[float, float, bool]:
    """Switch the attribute table between parcels and disputes: seconds, kB over the websocket, map data refetched."""
    times, sizes, refetched = [], [], False
    for _ in range(trials):
        wires: list[Wire] = []
        page, _ = open_page(browser, url, OURS_DRAWN, n, before=lambda p, w=wires: w.append(Wire(p)))
        wire = wires[0]
        idle(page)
        page.wait_for_timeout(1500)
        frame = map_frame(page)
        frame.evaluate("window.__bench_marker = 1")
        control = page.locator('[data-testid="stButtonGroup"]', has_text="Điểm tranh chấp đất đai").last
        n_req = len(wire.requests)
        t0 = time.perf_counter()
        control.get_by_text("Điểm tranh chấp đất đai").click()
        secs, size = wire.after(t0)
        times.append(secs)
        sizes.append(size / 1024)
        refetched |= any(".bin.gz" in u for u in wire.requests[n_req:])
        refetched |= map_frame(page).evaluate("window.__bench_marker") != 1
        page.close()
    return statistics.median(times), statistics.median(sizes), refetched


def filter_change(browser, url: str, n: int, trials: int) -> tuple[float, bool]:
    """Tick one status in the parcels' filter: seconds until the map has redrawn with it; whether the view stayed."""
    times, kept = [], True
    for _ in range(trials):
        page, _ = open_page(browser, url, OURS_DRAWN, n)
        idle(page)
        page.wait_for_timeout(1000)
        frame = map_frame(page)
        frame.evaluate("window.map.setView([21.55, 107.1], 13, {animate: false})")  # the user zoomed in
        page.wait_for_timeout(1500)
        idle(page)
        before = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        panel = page.locator('[data-testid="stExpander"]', has_text="Đất Công ty Lâm nghiệp bàn giao về địa phương")
        panel.locator("summary").click()  # the parcels' filters
        button = panel.get_by_role("button", name="Đang tranh chấp")
        button.wait_for()
        style0 = frame.evaluate("window.__dlCompact.drawn.forest_parcels.style")
        t0 = time.perf_counter()
        button.click()  # untick the disputed parcels
        frame.wait_for_function(
            "(s) => window.__dlCompact.drawn.forest_parcels.style !== s", arg=style0, timeout=30000, polling=10
        )
        times.append(time.perf_counter() - t0)
        page.wait_for_timeout(800)
        after = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        kept &= abs(after[0] - before[0]) < 1e-6 and abs(after[1] - before[1]) < 1e-6 and after[2] == before[2]
        page.close()
    return statistics.median(times), kept


def click_parcel(browser, url: str, n: int, trials: int) -> float:
    """Click a parcel near the map's centre: seconds until its record is in the side panel."""
    times = []
    for k in range(trials):
        page, _ = open_page(browser, url, OURS_DRAWN, n)
        idle(page)
        page.wait_for_timeout(1500)
        frame = map_frame(page)
        key, x, y = frame.evaluate(
            """(k) => { const L_ = window.__dlCompact.layers.forest_parcels, g = L_._g, m = window.map;
                 const c = m.project(m.getCenter(), 0); let best = -1, bd = Infinity;
                 for (let i = 0; i < g.n; i += 7 + k) {
                   const dx = (g.box[4*i] + g.box[4*i+2]) / 2 - c.x, dy = (g.box[4*i+1] + g.box[4*i+3]) / 2 - c.y;
                   if (dx*dx + dy*dy < bd) { bd = dx*dx + dy*dy; best = i; } }
                 const p = L_.pointOf(best); return [g.keys[best], p.x, p.y]; }""",
            k,
        )
        box = frame.frame_element().bounding_box()
        t0 = time.perf_counter()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.locator("table.dl-record", has_text=key).wait_for(timeout=30000)
        times.append(time.perf_counter() - t0)
        page.close()
    return statistics.median(times)


def memory(browser, url: str, pid: int, n: int, sessions: int = 10) -> tuple[float, float, float]:
    """Server RSS (MB) warm and idle, with ``sessions`` pages open on the parcels, and after they close."""
    time.sleep(3)
    before = rss_mb(pid)
    pages = [open_page(browser, url, OURS_DRAWN, n, 300)[0] for _ in range(sessions)]
    for p in pages:
        idle(p)
    peak = rss_mb(pid)
    for p in pages:
        p.close()
    time.sleep(15)  # sessions end when their websocket closes
    return before, peak, rss_mb(pid)


def what_changed(store: Path, scratch: Path, trials: int) -> tuple[float, float]:
    """Reading what changed since the last meeting (as the Giao ban page and the pack do), on the
    imported store and on a copy without the audit log's indexes: how a store made before they
    existed reads until its first write, and how every store read before."""
    shutil.copy(store, scratch)
    with sqlite3.connect(scratch) as conn:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'"
        ).fetchall():
            conn.execute(f'DROP INDEX "{name}"')

    def median(path: Path) -> float:
        times = []
        for _ in range(trials):
            t0 = time.perf_counter()
            changes_for_meeting(path, "2024-01-01")
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return median(store), median(scratch)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument(
        "--plain-max", type=int, default=10000, help="largest layer drawn the plain way (50k takes minutes)"
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    big = max(sizes)
    work = Path(tempfile.mkdtemp(prefix="dinhlap-scale-"))
    district = Store(DEFAULT_STORE).read("district").geometry.iloc[0]
    rows: list[tuple[str, str, float, float | None, str, bool]] = []  # what, unit, ours, plain, target, met
    stores: dict[int, Path] = {}
    try:
        for n in sizes:
            gdf = parcels(n, within=district)
            src = work / f"thua_dat_{n}.gpkg"
            gdf.to_file(src, layer="thua_dat", driver="GPKG")
            stores[n] = work / f"store_{n}.gpkg"
            shutil.copy(DEFAULT_STORE, stores[n])
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "geo",
                    "import",
                    str(src),
                    "--layer",
                    "forest_parcels",
                    "--replace",
                    "--user",
                    "bench",
                    "--store",
                    str(stores[n]),
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            if n == big:
                secs = time.perf_counter() - t0
                rows.append(
                    (f"import of a {n:,}-parcel GeoPackage, validated (CLI)", "s", secs, None, "≤ 30", secs <= 30)
                )
                full = gdf
        # Bytes: the geometry and style files the map fetches, against the floor and plain folium's HTML.
        plain_html = len(parcel_map(full, "/component/x/").get_root().render().encode())
        floor = floor_bytes(full.geometry.values, "Polygon")
        with chromium() as browser:
            plain_ttd: dict[int, float] = {}
            for n in sizes:
                if n <= args.plain_max:
                    with server(
                        [sys.executable, "-m", "streamlit", "run", "benchmarks/parcels_baseline.py"], stores[n]
                    ) as (url, _):
                        plain_ttd[n] = time_to_draw(browser, url, PLAIN_DRAWN, n, args.trials)
            for n in sizes:
                with server([sys.executable, "-m", "ui.serve"], stores[n]) as (url, pid):
                    page_url = f"{url}/{PAGE}"
                    ours = time_to_draw(browser, page_url, OURS_DRAWN, n, args.trials)
                    target = "≥ 5× faster" if n == 10000 else ""
                    met = plain_ttd.get(n, 0) / ours >= 5 if n == 10000 else True
                    rows.append((f"{n:,} parcels: new tab → parcels drawn", "s", ours, plain_ttd.get(n), target, met))
                    if n != big:
                        continue
                    secs = in_app_navigation(browser, url, n, args.trials)
                    rows.append(
                        (f"{n:,} parcels: in-app navigation → parcels drawn", "s", secs, None, "≤ 2.5", secs <= 2.5)
                    )
                    seen: list[str] = []
                    page, _ = open_page(
                        browser,
                        page_url,
                        OURS_DRAWN,
                        n,
                        before=lambda p, s=seen: p.on("request", lambda r: s.append(r.url)),
                    )
                    page.close()
                    files = sorted({u for u in seen if u.endswith(".bin.gz")})  # served as they are: no re-compression
                    sent = sum(len(urllib.request.urlopen(u).read()) for u in files)
                    rows.append(
                        (
                            f"bytes of the {n:,}-parcel layer (vs the compact floor)",
                            "kB",
                            sent / 1024,
                            floor / 1024,
                            "≤ 2× floor",
                            sent <= 2 * floor,
                        )
                    )
                    rows.append(
                        (
                            f"bytes of the {n:,}-parcel layer (vs plain folium's HTML)",
                            "kB",
                            sent / 1024,
                            plain_html / 1024,
                            "≤ 0.35×",
                            sent <= 0.35 * plain_html,
                        )
                    )
                    secs, kb, refetched = unrelated_widget_change(browser, page_url, n, args.trials)
                    rows.append(
                        ("widget change not touching the map", "s", secs, None, "≤ 0.3", secs <= 0.3 and not refetched)
                    )
                    rows.append(
                        (
                            "  … bytes received for it (map data resent: " + ("yes" if refetched else "no") + ")",
                            "kB",
                            kb,
                            None,
                            "no map data",
                            not refetched,
                        )
                    )
                    secs, kept = filter_change(browser, page_url, n, args.trials)
                    rows.append(
                        (
                            f"filter change on {n:,} parcels → map redrawn" + ("" if kept else " (VIEW LOST)"),
                            "s",
                            secs,
                            None,
                            "≤ 0.8, view kept",
                            secs <= 0.8 and kept,
                        )
                    )
                    secs = click_parcel(browser, page_url, n, args.trials)
                    rows.append(("click a parcel → its side panel", "s", secs, None, "≤ 0.5", secs <= 0.5))
                    before, peak, after = memory(browser, page_url, pid, n)
                    rows.append(("server RSS, 10 sessions on the page", "MB", peak, None, "≤ 2048", peak <= 2048))
                    rows.append(
                        (
                            f"  … idle before {before:.0f} MB, after they close",
                            "MB",
                            after,
                            None,
                            "within 10%",
                            after <= before * 1.10,
                        )
                    )
        store = Store(stores[big])
        layers = ("district", "units", "forest_parcels", "land_disputes")
        frames = {lid: store.read(lid) for lid in layers}
        req = MapRequest(layers=layers, title="Đất lâm nghiệp", lang="vi", paper="A4", landscape=True, dpi=200)
        prov = Provenance(store.meta(), dt.date.today())
        times = []
        for _ in range(args.trials):
            t0 = time.perf_counter()
            map_image(req, frames, prov, "png")
            times.append(time.perf_counter() - t0)
        secs = statistics.median(times)
        rows.append((f"PNG export, A4 200 dpi, {big:,} parcels", "s", secs, None, "≤ 5", secs <= 5))
        ours, plain = what_changed(stores[big], work / "unindexed.gpkg", args.trials)
        rows.append(
            (f"what changed since the last meeting, after the {big:,} import", "s", ours, plain, "≤ 0.05", ours <= 0.05)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nCadastral scale, Đất lâm nghiệp page, medians of {args.trials} (this machine: {os.cpu_count()} cores)")
    print(f"{'scenario':<62}{'unit':>5}{'ours':>11}{'plain':>11}{'ratio':>8}  {'target':<17}met")
    for what, unit, ours, plain, target, met in rows:
        ratio = f"{ours / plain:.3f}" if plain else ""
        plain_s = f"{plain:.2f}" if plain is not None else ""
        print(f"{what:<62}{unit:>5}{ours:>11.2f}{plain_s:>11}{ratio:>8}  {target:<17}{'yes' if met else 'NO'}")
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
