"""Province scale: the cadastral layer drawn from vector tiles, against a plain folium + st_folium page of 1,000.

    make bench-province        # 50,000 parcels; DINHLAP_BENCH_PARCELS=500000 make bench-province for a province

Builds N synthetic cadastral parcels (geo.demo.synthetic.cadastral, a land office's Shapefile in VN-2000, validated
and committed through the engine as an import is), into a copy of the demo GeoPackage and into a throwaway
PostGIS database (tests/pgcluster.py). For each store it starts the app (``python -m ui.serve``, as ``make run``),
and in headless Debian Chromium measures, beside the plain page (benchmarks/parcels_baseline.py on 1,000 forest
parcels) measured in the same run:

* new tab → the parcel page, the cadastral layer switched on, its tiles drawn; and new tab → a saved view of the
  parcels opened by its link (as a leader opens one), drawn;
* pan or zoom to a new area → that area's tiles drawn (p95 over the moves);
* a filter (one land-use group) → the map's tiles drawn again with it;
* click on a parcel → its record on the page;
* server memory per extra session (10 sessions), the page's JS heap;
* the same page on a phone (390×844, CPU throttled 4×), against the desktop.

Medians of ``--trials``; every figure from this machine, nothing from the internet. The 50-session load on two
replicas is ``make bench-replicas`` (not repeated here).

Knobs for a bounded run: ``DINHLAP_BENCH_STORES=GeoPackage`` (or ``PostGIS``) measures one store;
``DINHLAP_BENCH_MEASURES=first,pan,click`` only those measures (of ``first, pan, click, filter, memory, phone``);
``DINHLAP_BENCH_WORK=DIR`` keeps the built GeoPackages in ``DIR`` and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.demo.synthetic import cadastral, parcels  # noqa: E402
from geo.importer import suggested_values, validate  # noqa: E402
from geo.importer.safety import command_line  # noqa: E402
from geo.model.views import View, save_view  # noqa: E402
from geo.store.ingest import commit  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402
from geo.store.transfer import copy_store  # noqa: E402
from geo.webmap.tiles import build_ahead, tile_threshold  # noqa: E402
from tests import import_files as F  # noqa: E402
from tests.browser import chromium  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from run import server  # noqa: E402
from scale import PLAIN_DRAWN, idle, map_frame, rss_mb  # noqa: E402

PAGE = "dat-lam-nghiep"
LAYER_BUTTON = "Thửa đất địa chính"
VIEW, VIEW_LAYERS = "dia-chinh", ("forest_parcels", "cadastral_parcels")  # the saved view each store gets
N_ENV = "DINHLAP_BENCH_PARCELS"
STORES_ENV, MEASURES_ENV, WORK_ENV = "DINHLAP_BENCH_STORES", "DINHLAP_BENCH_MEASURES", "DINHLAP_BENCH_WORK"
MEASURES = ("first", "pan", "click", "filter", "memory", "phone")
# The cadastral layer's tiles of the view are drawn (geo/webmap/static/tiles.js records it), optionally from a URL
# other than ``old`` (a filter signs a new one).
TILES_DRAWN = """(old) => [...document.querySelectorAll('iframe')].some(f => { try {
  const d = f.contentWindow.__dlCompact && f.contentWindow.__dlCompact.drawn.cadastral_parcels;
  return !!d && d.features > 0 && d.url !== old; } catch (e) { return false; } })"""


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    s = sorted(values)
    return s[max(0, round(0.95 * len(s)) - 1)]


def saved_view(location: Path | str) -> None:
    """The store's saved view of the parcels on their page (the district's extent), saved once."""
    store = Store(location)
    if VIEW in set(store.read("views")["view_id"]):
        return
    bounds = tuple(float(v) for v in store.read("district").total_bounds)
    # Named apart from the layer's own title, so the page's controls find the layer's pill, not the view.
    view = View(VIEW, 90, "Bản đồ địa chính toàn tỉnh", "The province's cadastral map", PAGE, VIEW_LAYERS, bounds)  # type: ignore[arg-type]
    save_view(location, view, "bench")


def build_stores(work: Path, n: int, pg_url: str | None) -> dict[str, Path | str]:
    """The demo store with ``n`` cadastral parcels, as a GeoPackage and (given a database) on PostGIS."""
    wanted = {s.strip() for s in os.environ.get(STORES_ENV, "GeoPackage,PostGIS").split(",")}
    if "PostGIS" not in wanted:
        pg_url = None
    if (work / f"province-{n}.gpkg").exists() and not pg_url:
        saved_view(work / f"province-{n}.gpkg")
        return {"GeoPackage": work / f"province-{n}.gpkg"}
    units = Store(DEFAULT_STORE).read("units")
    shp = F.shapefile(work / "office", crs="EPSG:9215", encoding="cp1258", frame=cadastral(n), name="dia_chinh")
    limits = command_line()  # the command line's limits: a province's file is above the browser's upload cap
    first = validate(shp, layer="cadastral_parcels", units=units, limits=limits)
    report = validate(shp, layer="cadastral_parcels", units=units, values=suggested_values(first.values), limits=limits)
    assert report.exit_code == 0, "the synthetic office file passes validation"
    stores: dict[str, Path | str] = {"GeoPackage": work / f"province-{n}.gpkg"}
    if pg_url:
        stores["PostGIS"] = pg_url
    for name, location in stores.items():
        if isinstance(location, Path) and location.exists():
            print(f"  {name}: {n:,} parcels reused from {location.name}", flush=True)
            saved_view(location)
            continue
        copy_store(DEFAULT_STORE, location)
        t0 = time.perf_counter()
        assert commit(location, report, "bench", layer="cadastral_parcels", mode="replace") == n
        print(f"  {name}: {n:,} parcels committed in {time.perf_counter() - t0:.1f} s", flush=True)
        saved_view(location)
        t0 = time.perf_counter()  # as `python -m geo import` ends: the tiles of the zooms a page opens at
        if built := build_ahead(Store(location)):
            print(f"  {name}: {built:,} tiles built ahead in {time.perf_counter() - t0:.1f} s", flush=True)
    return {k: v for k, v in stores.items() if k in wanted}


def baseline_store(work: Path) -> Path:
    """The demo store with 1,000 forest parcels: what the plain page draws."""
    store = work / "plain.gpkg"
    if store.exists():
        return store
    shutil.copy(DEFAULT_STORE, store)
    src = work / "plain_src.gpkg"
    district = Store(DEFAULT_STORE).read("district").geometry.iloc[0]
    parcels(1000, within=district).to_file(src, layer="thua_dat", driver="GPKG")
    cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", "forest_parcels", "--replace", "--user", "b"]
    subprocess.run([*cmd, "--store", str(store)], cwd=ROOT, check=True, capture_output=True)
    return store


def plain_first_draw(browser, url: str, trials: int) -> float:
    """New tab → the plain page's 1,000 parcels drawn (median; one warm-up visit first)."""
    times = []
    for k in range(trials + 1):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_function(PLAIN_DRAWN, arg=1000, timeout=180000, polling=20)
        if k:
            times.append(time.perf_counter() - t0)
        page.close()
    return statistics.median(times)


def open_parcels(browser, url: str, width: int = 1600, height: int = 1000, throttle: float = 1.0):
    """New tab → the parcel page, the cadastral layer switched on, its tiles drawn; the page and the seconds."""
    page = browser.new_page(viewport={"width": width, "height": height})
    if throttle > 1:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    t0 = time.perf_counter()
    page.goto(f"{url}/{PAGE}")
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].some(f => f.src.includes('st_folium'))")
    idle(page)
    page.get_by_role("button", name=LAYER_BUTTON).click()
    page.wait_for_function(TILES_DRAWN, arg=None, timeout=180000, polling=20)
    return page, time.perf_counter() - t0


def open_view(browser: Browser, url: str) -> tuple[Page, float]:
    """New tab → the saved view of the parcels by its link (``/dat-lam-nghiep?view=dia-chinh``), its tiles drawn."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    t0 = time.perf_counter()
    page.goto(f"{url}/{PAGE}?view={VIEW}")
    page.wait_for_function(TILES_DRAWN, arg=None, timeout=180000, polling=20)
    return page, time.perf_counter() - t0


def first_draw(browser, url: str, trials: int, by_view: bool = False, **kw) -> float:
    """Median of :func:`open_parcels` (or :func:`open_view`; one warm-up visit first: the server's caches, the
    tiles' cache)."""
    times = []
    for k in range(trials + 1):
        page, secs = open_view(browser, url) if by_view else open_parcels(browser, url, **kw)
        if k:
            times.append(secs)
        page.close()
    return statistics.median(times)


def pans(page, bounds: tuple[float, float, float, float], moves: int) -> list[float]:
    """Seconds from a jump to a new area (zoom 14–17) to its tiles drawn, for each of ``moves`` jumps."""
    frame = map_frame(page)
    rnd = random.Random(29)
    w, s, e, n = bounds
    out = []
    for _ in range(moves):
        lat, lon, z = rnd.uniform(s, n), rnd.uniform(w, e), rnd.choice([14, 15, 16, 17])
        secs = frame.evaluate(
            """([lat, lon, z]) => new Promise((done) => {
                 const t = window.__dlCompact.tiles.cadastral_parcels, t0 = performance.now();
                 t.once('load', () => done((performance.now() - t0) / 1000));
                 window.map.setView([lat, lon], z, { animate: false });
                 if (!t.isLoading()) setTimeout(() => done((performance.now() - t0) / 1000), 0); })""",
            [lat, lon, z],
        )
        out.append(secs)
    return out


def filter_redraw(page) -> float:
    """Seconds from choosing one land-use group in the layer's filters to the map's tiles drawn with it."""
    frame = map_frame(page)
    old = frame.evaluate("window.__dlCompact.drawn.cadastral_parcels.url")
    # the layer's filters on the page (the sidebar's saved views hold a view of the same name)
    panel = page.locator('[data-testid="stMain"] [data-testid="stExpander"]', has_text=LAYER_BUTTON)
    panel.locator("summary").first.click()
    idle(page)
    pills = panel.locator('[data-testid="stButtonGroup"] button')
    t0 = time.perf_counter()
    if pills.count():  # a short list of groups: every pill on, one switched off
        pills.first.click()
    else:  # a long list: one value picked
        panel.locator('[data-testid="stMultiSelect"]').first.click()
        t0 = time.perf_counter()
        page.locator('[role="option"]').first.click()
    page.wait_for_function(TILES_DRAWN, arg=old, timeout=120000, polling=20)
    return time.perf_counter() - t0


def click_record(page) -> tuple[float, float]:
    """Seconds from a click on a drawn parcel to its card in the map (nan where the page has none), and to its
    full record on the page (after the rerun).
    """
    frame = map_frame(page)
    frame.evaluate("window.map.setView(window.map.getCenter(), 17, {animate: false})")
    frame.wait_for_function(
        "() => { const t = window.__dlCompact.tiles.cadastral_parcels; return t && !t.isLoading(); }"
    )
    found = frame.evaluate(
        """() => { const t = window.__dlCompact.tiles.cadastral_parcels, map = window.map;
          const z = Math.round(map.getZoom()), s = map.getSize();
          for (const a of Object.keys(t._data)) { const [tz, tx, ty] = a.split('/').map(Number); if (tz !== z) continue;
            const d = t._data[a], k = 256 / d.extent;
            for (const f of d.features) { const [x0, y0, x1, y1] = f.box;
              for (let i = 1; i < 6; i++) for (let j = 1; j < 6; j++) {
                const x = x0 + (x1 - x0) * i / 6, y = y0 + (y1 - y0) * j / 6;
                if (!DLTiles.hit(f, x, y, 0)) continue;
                const p = map.latLngToContainerPoint(map.unproject([tx * 256 + x * k, ty * 256 + y * k], z));
                const inside = p.x > 60 && p.y > 60 && p.x < s.x - 320 && p.y < s.y - 220;
                if (inside) return [String(f.props.key), p.x, p.y]; } } }
          return null; }"""
    )
    if found is None:
        return float("nan"), float("nan")
    key, x, y = found
    box = frame.frame_element().bounding_box()
    has_card = frame.evaluate("() => !!(window.DLTiles && window.DLTiles.card)")
    t0 = time.perf_counter()
    page.mouse.click(box["x"] + x, box["y"] + y)
    card = float("nan")
    if has_card:
        frame.locator(".dl-card", has_text=key).wait_for(timeout=60000)
        card = time.perf_counter() - t0
    page.locator("table.dl-record", has_text=key).wait_for(timeout=60000)
    return card, time.perf_counter() - t0


def tile_builds(location: Path | str, bounds: tuple[float, float, float, float], count: int = 40) -> list[float]:
    """Seconds to build one tile in this process, cache cold, zoom 12–17 at random places (the server's part)."""
    from geo.webmap import tiles

    store = Store(location)
    rnd = random.Random(7)
    w, s, e, n = bounds
    out = []
    for _ in range(count):
        z = rnd.choice([12, 13, 14, 15, 16, 17])
        x, y = tiles.lonlat_tile(rnd.uniform(w, e), rnd.uniform(s, n), z)
        t0 = time.perf_counter()
        tiles.build_tile(store, tiles.TileQuery("cadastral_parcels"), z, x, y, cache=None)
        out.append(time.perf_counter() - t0)
    return out


def heap_mb(page) -> float:
    """The page's JS heap in use (Chromium's own metric, the map's frame included), MB."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics.get("JSHeapUsedSize", float("nan")) / 1e6


def session_memory(browser, url: str, pid: int, sessions: int = 10) -> float:
    """Server memory per extra session: resident memory before and after ``sessions`` more tabs drew the layer."""
    before = rss_mb(pid)
    pages = [open_parcels(browser, url)[0] for _ in range(sessions)]
    after = rss_mb(pid)
    for p in pages:
        p.close()
    return (after - before) / sessions


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get(N_ENV, "50000")))
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()
    if args.n <= tile_threshold():
        print(f"{args.n:,} parcels is not above the tile threshold ({tile_threshold():,}): nothing to measure")
        return 2
    cluster = None
    if not args.no_postgis:
        from tests.pgcluster import Cluster, available

        cluster = None if available() else Cluster()
    rows: dict[str, dict[str, float]] = {}
    measures = {m.strip() for m in os.environ.get(MEASURES_ENV, ",".join(MEASURES)).split(",")}
    nan = float("nan")
    keep = os.environ.get(WORK_ENV)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory() as d, chromium() as browser:
            work = Path(d)
            print(f"Building {args.n:,} synthetic cadastral parcels …", flush=True)
            stores = build_stores(work, args.n, cluster.database() if cluster else None)
            plain = baseline_store(work)
            with server([sys.executable, "-m", "streamlit", "run", "benchmarks/parcels_baseline.py"], plain) as (
                url,
                _,
            ):
                base = plain_first_draw(browser, url, args.trials)
            print(f"  plain folium + st_folium, 1,000 parcels: first draw {base:.2f} s", flush=True)
            bounds = tuple(float(v) for v in Store(next(iter(stores.values()))).read("cadastral_parcels").total_bounds)
            for name, location in stores.items():
                with server([sys.executable, "-m", "ui.serve"], location) as (url, pid):  # type: ignore[arg-type]
                    r: dict[str, float] = dict.fromkeys(
                        ("first", "view", "pan_p95", "heap", "click", "card", "filter", "per_session", "phone"), nan
                    )
                    r["base"] = base
                    built = tile_builds(location, bounds)  # type: ignore[arg-type]
                    r["tile_median"], r["tile_p95"] = statistics.median(built), p95(built)
                    if "first" in measures or "phone" in measures:
                        r["first"] = first_draw(browser, url, args.trials)
                        r["view"] = first_draw(browser, url, args.trials, by_view=True)
                    if measures & {"pan", "click"}:
                        page, _ = open_parcels(browser, url)
                        if "pan" in measures:
                            r["pan_p95"] = p95(pans(page, bounds, args.moves))  # type: ignore[arg-type]
                        r["heap"] = heap_mb(page)
                        if "click" in measures:
                            r["card"], r["click"] = click_record(page)
                        page.close()
                    if "filter" in measures:
                        page, _ = open_parcels(browser, url)
                        try:
                            r["filter"] = filter_redraw(page)
                        except Exception as exc:  # a widget the benchmark could not work: say so, go on
                            print(f"  filter not measured: {exc!s:.200}")
                        page.close()
                    if "memory" in measures:
                        r["per_session"] = session_memory(browser, url, pid)
                    if "phone" in measures:
                        r["phone"] = first_draw(browser, url, args.trials, width=390, height=844, throttle=4)
                    rows[name] = r
                    print(f"  {name}: measured", flush=True)
    finally:
        if cluster is not None:
            cluster.close()
    for name, r in rows.items():
        print(f"\n{name}, {args.n:,} parcels (medians of {args.trials}; plain page of 1,000: {r['base']:.2f} s)\n")
        print("| measure | figure | ratio | target |")
        print("|---|---|---|---|")
        print(f"| new tab → parcel page drawn | {r['first']:.2f} s | {r['first'] / r['base']:.2f}× | ≤ 1.0× |")
        print(
            f"| new tab → saved view of the parcels drawn | {r['view']:.2f} s | {r['view'] / r['base']:.2f}× | ≤ 1.0× |"
        )
        print(f"| pan or zoom to a new area → drawn (p95 of {args.moves}) | {r['pan_p95']:.2f} s | – | ≤ 0.5 s |")
        print(f"| a filter → map updated | {r['filter']:.2f} s | {r['filter'] / r['base']:.2f}× | ≤ 1.0× |")
        print(f"| click → record card in the map | {r['card']:.2f} s | – | ≤ 0.5 s |")
        print(f"| click → full record panel (after the rerun) | {r['click']:.2f} s | – | – |")
        print(f"| server memory per extra session | {r['per_session']:.1f} MB | – | ≤ 30 MB |")
        print(f"| browser JS heap of the parcel page | {r['heap']:.0f} MB | – | ≤ 150 MB |")
        print(f"| phone (390×844, CPU 4× slower) drawn | {r['phone']:.2f} s | {r['phone'] / r['first']:.2f}× | ≤ 2× |")
        print("| 50 sessions on 2 replicas | see `make bench-replicas` | – | p95 ≤ 1 s |")
        built = f"{r['tile_median'] * 1000:.0f} / {r['tile_p95'] * 1000:.0f} ms"
        print(f"| (one tile built, cache cold: median / p95) | {built} | – | – |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
