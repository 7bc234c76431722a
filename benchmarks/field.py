"""The field round trip at a commune's scale: 5,000 parcels packed, 1,000 changed features merged back.

    make bench-field      # or: .venv/bin/python benchmarks/field.py [--n 5000] [--changed 1000] [--trials 3]

The store: the demo store with ``--n`` synthetic forest parcels of one commune (06628) imported. Packing
(``geo.field.packages.pack``: the GeoPackage with the base record, styles, the QGIS project, the zip) is set against a
baseline measured in the same run: the same features written to a bare GeoPackage (``pyogrio``). Merging
``--changed`` features whose status and planned use the team changed (``geo.field.packages.merge``: read the package,
compare three ways, write through the audited edit path in one transaction) is set against the same changes
saved as one audited table edit (``geo.store.edit.edit_many``), each on a fresh copy of the store. Medians of the
trials.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyogrio  # noqa: E402

from geo.demo.synthetic import parcels  # noqa: E402
from geo.field import packages as field  # noqa: E402
from geo.store import db, edit  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402

UNIT = "06628"
TARGET_S = 10.0


def _store(work: Path, n: int) -> Path:
    """The demo store with ``n`` parcels of one commune imported (audited, as a planner imports them)."""
    src = work / "xa.gpkg"
    frame = parcels(n, vertices=12, units=(UNIT,))
    frame.to_file(src, layer="forest_parcels", driver="GPKG")
    store = work / "base.gpkg"
    shutil.copy(DEFAULT_STORE, store)
    cmd = [sys.executable, "-m", "geo", "import", str(src), "--layer", "forest_parcels", "--replace"]
    subprocess.run([*cmd, "--user", "bench", "--store", str(store)], check=True, stdout=subprocess.DEVNULL)
    return store


def _returned(package: Path, work: Path, changed: int) -> tuple[Path, list[str]]:
    """The package back from the field with ``changed`` parcels' status and planned use changed."""
    folder = work / "phone"
    shutil.rmtree(folder, ignore_errors=True)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(folder)
    con = sqlite3.connect(folder / f"{field.PACKAGE_NAME}.gpkg")
    db.register_gpkg_functions(con)
    keys = [str(k) for (k,) in con.execute(f"SELECT parcel_id FROM forest_parcels ORDER BY fid LIMIT {changed}")]
    con.executemany(
        "UPDATE forest_parcels SET status = 'disputed', planned_use = ?, sua_luc = '2026-01-05T09:00:00' "
        "WHERE parcel_id = ?",
        [(f"Kiểm tra thực địa {i}", k) for i, k in enumerate(keys)],
    )
    con.commit()
    con.close()
    out = work / "back.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder).as_posix())
    return out, keys


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5_000)
    ap.add_argument("--changed", type=int, default=1_000)
    ap.add_argument("--trials", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        base = _store(work, args.n)
        selection = Store(base).read("forest_parcels")
        selection = selection[selection.unit_code == UNIT]
        packs, bare, merges, edits = [], [], [], []
        for i in range(args.trials):
            store = work / f"s{i}.gpkg"
            shutil.copy(base, store)
            t0 = time.perf_counter()
            res = field.pack(store, work / "p.zip", ["forest_parcels"], unit=UNIT)
            packs.append(time.perf_counter() - t0)
            assert res.features["forest_parcels"] >= args.n
            t0 = time.perf_counter()
            pyogrio.write_dataframe(selection, work / f"bare{i}.gpkg", layer="forest_parcels", driver="GPKG")
            bare.append(time.perf_counter() - t0)

            back, keys = _returned(work / "p.zip", work, args.changed)
            t0 = time.perf_counter()
            merged = field.merge(store, back, "Đội thực địa")
            merges.append(time.perf_counter() - t0)
            assert merged.conflicts == 0 and merged.applied >= args.changed, merged.counts()

            other = work / f"e{i}.gpkg"
            shutil.copy(base, other)
            changes: list[edit.Change] = [
                (k, {"status": "disputed", "planned_use": f"Kiểm tra thực địa {j}"}, None) for j, k in enumerate(keys)
            ]
            t0 = time.perf_counter()
            edit.edit_many(other, "forest_parcels", changes, "bench")
            edits.append(time.perf_counter() - t0)
        p, b, m, e = (statistics.median(x) for x in (packs, bare, merges, edits))
        head = f"{args.n:,} parcels of one commune packed, {args.changed:,} changed features merged"
        print(f"{head}; medians of {args.trials}")
        verdict = {True: "ok", False: "OVER"}
        target = f"target ≤ {TARGET_S:.0f} s"
        print(f"| pack (GeoPackage, base record, styles, project) | {p:.2f} s | {target} | {verdict[p <= TARGET_S]} |")
        print(f"| same features to a bare GeoPackage (baseline) | {b:.2f} s | ratio {p / b:.1f} |")
        print(f"| merge (three-way, audited, one transaction)  | {m:.2f} s | {target} | {verdict[m <= TARGET_S]} |")
        print(f"| same changes, one audited table edit (baseline) | {e:.2f} s | ratio {m / e:.2f} |")


if __name__ == "__main__":
    main()
