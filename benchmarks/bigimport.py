"""A province's cadastre from the command line, and prints of a view over it: figures and ratios in one run.

    make bench-import     # or: .venv/bin/python benchmarks/bigimport.py [--n 500000] [--small 50000] [--trials 2]
    .venv/bin/python benchmarks/bigimport.py --stores DIR [--prints atlas,pack]   # prints only, stores kept

``--stores DIR`` keeps the two imported stores in ``DIR`` (``province.gpkg``, ``district.gpkg``) and, when
they are already there, reuses them: the file is neither written nor imported again and only the prints are
timed (generating and importing 500,000 parcels takes minutes). ``--prints`` picks which prints to time.

Writes a synthetic province file (geo.demo.synthetic): ``--small`` parcels over the district and the rest in
blocks of the same size beside it, to the west and north, as a province's cadastre lies around one
district. Then:

* imports it with ``python -m geo import`` (chunked, into a copy of the demo store), under
  ``/usr/bin/time -v``: wall time and peak memory, against the plain read of the same file with
  ``pyogrio.read_dataframe`` in the same run (targets: ≤ 10 minutes, ≤ 2 GB);
* imports the district's ``--small`` parcels alone into another copy;
* prints the district view (PNG and PDF through ``python -m geo export --bbox``, an atlas of parcels,
  the meeting pack) from both stores, in this process: the province's time over the district's
  (target ≤ 1.5×). Medians of ``--trials``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402

from geo.demo.synthetic import EXTENT, parcels  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402

# Blocks beside the district (columns west, rows north), each the district's size: Lạng Sơn lies there.
BLOCKS = ((0, 0), (-1, 0), (-2, 0), (0, 1), (-1, 1), (-2, 1), (0, 2), (-1, 2), (-2, 2), (-1, 3), (-2, 3), (0, 3))
PLAIN_READ = "import sys, pyogrio; pyogrio.read_dataframe(sys.argv[1])"


def province(n: int, small: int, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``n`` parcels: the first ``small`` over the district (each named by the unit it lies in), the rest in
    blocks of ``small`` beside it."""
    w, s, e, north = EXTENT
    parts = []
    for k, (bx, by) in enumerate(BLOCKS):
        left = n - sum(len(p) for p in parts)
        if left <= 0:
            break
        block = parcels(min(small, left), seed=2024 + k)
        block["geometry"] = block.geometry.translate(bx * (e - w), by * (north - s))
        parts.append(block)
    if sum(len(p) for p in parts) < n:
        raise SystemExit(f"--n {n} needs more than {len(BLOCKS)} blocks of --small {small}")
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=4326)
    frame["parcel_id"] = [f"TD{k:07d}" for k in range(1, len(frame) + 1)]
    inside = gpd.sjoin(
        gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=4326),
        units[["code", "geometry"]],
        predicate="within",
    )
    inside = inside[~inside.index.duplicated()]
    frame.loc[inside.index, "unit_code"] = inside["code"].astype(str).to_numpy()
    return frame


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of ``cmd`` (GNU time). On a shared
    machine the CPU time says what the wall time would be on an idle one.
    """
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall and rss, done.stderr[-2000:]
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr))
    return seconds, cpu, int(rss[1]) / 1024


def median_time(fn: Callable[[], object], trials: int) -> float:
    times = []
    for _ in range(trials):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


PRINTS = ("png", "pdf", "atlas", "pack")


def build(work: Path, keep: Path, args: argparse.Namespace) -> dict[str, Path]:
    """The province and district stores, imported through ``python -m geo import`` (timed, its table
    printed) into ``keep``."""
    units = Store(DEFAULT_STORE).read("units")
    big, small = work / "tinh.gpkg", work / "huyen.gpkg"
    frame = province(args.n, args.small, units)
    pyogrio.write_dataframe(frame, big, layer="thua_dat", driver="GPKG")
    pyogrio.write_dataframe(frame.iloc[: args.small], small, layer="thua_dat", driver="GPKG")
    del frame
    size_mb = big.stat().st_size / 2**20
    print(f"province file: {args.n:,} parcels, {size_mb:,.0f} MB; district: {args.small:,}", flush=True)

    read_s, read_cpu, read_mb = timed([sys.executable, "-c", PLAIN_READ, str(big)])
    stores = {}
    figures = {}
    for name, src in (("province", big), ("district", small)):
        store = keep / f"{name}.gpkg"
        scratch = work / f"{name}.gpkg"  # copied in when whole: a store left half-built is never reused
        shutil.copy(DEFAULT_STORE, scratch)
        cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", "forest_parcels", "--replace",
               "--user", "bench", "--store", str(scratch), "--quiet", "--chunk", str(args.chunk)]  # fmt: skip
        figures[name] = timed(cmd)
        shutil.move(scratch, store)
        stores[name] = store
    imp_s, imp_cpu, imp_mb = figures["province"]
    print()
    print(f"| import of {args.n:,} parcels ({size_mb:,.0f} MB GeoPackage) | figure | target |")
    print("|---|---|---|")
    print(f"| wall time (CPU time) | {imp_s:,.1f} s ({imp_cpu:,.1f} s) | ≤ 600 s |")
    print(f"| peak memory | {imp_mb:,.0f} MB | ≤ 2048 MB |")
    print(f"| plain pyogrio.read_dataframe of the file (baseline) | {read_s:,.1f} s ({read_cpu:,.1f} s), "
          f"{read_mb:,.0f} MB | |")  # fmt: skip
    print(f"| import / plain read, wall (CPU) | {imp_s / read_s:.2f}× ({imp_cpu / read_cpu:.2f}×) | |")
    d_s, d_cpu, d_mb = figures["district"]
    print(f"| the district's {args.small:,} alone | {d_s:,.1f} s ({d_cpu:,.1f} s), {d_mb:,.0f} MB | |")
    return stores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500_000)
    ap.add_argument("--small", type=int, default=50_000)
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=50_000)
    ap.add_argument("--stores", type=Path, help="keep the imported stores here, or reuse them if already here")
    ap.add_argument("--prints", default=",".join(PRINTS), help=f"which prints to time (of {', '.join(PRINTS)})")
    args = ap.parse_args()
    chosen = [p.strip() for p in args.prints.split(",") if p.strip()]
    if not chosen or set(chosen) - set(PRINTS):
        ap.error(f"--prints takes some of {', '.join(PRINTS)}")
    from geo.command.cli import main as cli
    from geo.printing.atlas import atlas
    from geo.printing.pack import meeting_pack

    with tempfile.TemporaryDirectory(prefix="bench-bigimport-") as tmp:
        work = Path(tmp)
        keep = args.stores or work
        keep.mkdir(parents=True, exist_ok=True)
        stores = {name: keep / f"{name}.gpkg" for name in ("province", "district")}
        if args.stores is not None and all(p.is_file() for p in stores.values()):
            print(f"reusing the stores in {keep} (no import timed)", flush=True)
        else:
            stores = build(work, keep, args)

        w, s, e, north = EXTENT
        view = f"{w},{s},{e},{north}"
        some = [f"TD{k:07d}" for k in range(1, 21)]  # 20 parcels of the district: an atlas of 20 pages
        rows = []
        for key, what, run in (
            ("png", "PNG of the district view", lambda st: cli(["export", str(work / "v.png"), "--view", "forest",
                                                                 "--bbox", view, "--store", str(st)])),
            ("pdf", "PDF of the district view", lambda st: cli(["export", str(work / "v.pdf"), "--view", "forest",
                                                                 "--bbox", view, "--store", str(st)])),
            ("atlas", "atlas of 20 parcels", lambda st: atlas(Store(st), "forest_parcels", keys=some)),
            ("pack", "meeting pack", lambda st: meeting_pack(Store(st))),
        ):  # fmt: skip
            if key not in chosen:
                continue
            with contextlib.redirect_stdout(io.StringIO()):  # the export names its file
                got = {name: median_time(lambda st=st, run=run: run(st), args.trials) for name, st in stores.items()}
            rows.append((what, got["province"], got["district"]))
        print()
        print(f"| print of the district view | {args.n:,} in the store | {args.small:,} | ratio | target |")
        print("|---|---|---|---|---|")
        for what, a, b in rows:
            print(f"| {what} | {a:.2f} s | {b:.2f} s | {a / b:.2f}× | ≤ 1.5× |")


if __name__ == "__main__":
    main()
