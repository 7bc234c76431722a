"""A land office's cadastral file at scale: 50,000 parcels, imported as a planner would, against the forest
layer's import of the same parcels in the same run (the path the scale benchmark measured).

    make bench-cadastral      # or: .venv/bin/python benchmarks/cadastral.py [--n 50000] [--trials 3]

Ours: a zipped Shapefile in VN-2000 / TM-3 107°15′ with Windows-1258 text and the office's own wording of
land uses and certificates (``geo.demo.synthetic.cadastral``), through ``python -m geo import --layer
cadastral_parcels --values …`` (validated: CRS, encoding, value mapping, keys made from unit, sheet and
parcel). Baseline: the same geometries in the forest layer's schema, as a WGS 84 GeoPackage with the
layer's own codes, through ``python -m geo import --layer forest_parcels``. Medians of the trials, each on
a fresh copy of the demo store; everything on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.demo.synthetic import OFFICE_CERTS, cadastral, parcels  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402
from tests import import_files as F  # noqa: E402

VALUES = {
    "land_use": {"Đất ở nông thôn": "ONT", "Rừng sản xuất": "RSX"},
    "cert_status": dict(zip(OFFICE_CERTS, ("issued", "not_issued", "in_progress", "disputed"), strict=True)),
}


def run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--trials", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        office = cadastral(args.n)
        shp = F.shapefile(work / "office", crs="EPSG:9215", encoding="cp1258", frame=office, name="dia_chinh")
        forest = parcels(args.n, vertices=12)
        gpkg = work / "forest.gpkg"
        forest.to_file(gpkg, layer="forest_parcels", driver="GPKG")
        values = [f"--values={f}:{v}={c}" for f, m in VALUES.items() for v, c in m.items()]
        ours, base = [], []
        for _ in range(args.trials):
            for times, src, layer, extra in (
                (ours, shp, "cadastral_parcels", values),
                (base, gpkg, "forest_parcels", []),
            ):
                store = work / "s.gpkg"
                shutil.copy(DEFAULT_STORE, store)
                cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", layer, "--replace"]
                times.append(run([*cmd, "--user", "bench", "--store", str(store), *extra]))
                assert len(Store(store).read(layer)) == args.n
        o, b = statistics.median(ours), statistics.median(base)
        print(f"{args.n:,} parcels, medians of {args.trials}")
        print(f"| cadastral Shapefile (VN-2000, cp1258, office wording mapped) | {o:.1f} s | target ≤ 30 s |")
        print(f"| same parcels, forest layer GeoPackage (baseline)             | {b:.1f} s | ratio {o / b:.2f} |")


if __name__ == "__main__":
    main()
