"""Export speed: the A4 200 dpi print layout of the overview, against plain geopandas plotting in the same run.

    .venv/bin/python benchmarks/export.py [--trials N]

Baseline: the same layers drawn with GeoDataFrame.plot and saved with savefig at the same
size and resolution, no layout (no legend, scale bar, labels or footer). Medians of N runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib.pyplot as plt  # noqa: E402

from geo.model.catalog import CATALOG, OVERVIEW_LAYERS  # noqa: E402
from geo.printing.export import MM, MapRequest, Provenance, map_image  # noqa: E402
from geo.printing.pack import meeting_pack  # noqa: E402
from geo.store.reads import Store  # noqa: E402


def _median_time(fn, trials: int) -> float:
    times = []
    for _ in range(trials):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    store = Store()
    layers = tuple(lid for lid in OVERVIEW_LAYERS if CATALOG[lid].default_visible)
    frames = {lid: store.read(lid) for lid in layers}
    prov = Provenance(store.meta(), dt.date.today())
    req = MapRequest(layers, "Bản đồ tổng quan huyện Đình Lập", dpi=200)

    def ours() -> bytes:
        return map_image(req, frames, prov, "png")

    def baseline() -> bytes:
        fig, ax = plt.subplots(figsize=(297 * MM, 210 * MM))
        for lid in layers:
            frames[lid].to_crs(9215).plot(ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200)
        plt.close(fig)
        return buf.getvalue()

    ours(), baseline()  # warm up imports and caches
    a, b = _median_time(ours, args.trials), _median_time(baseline, args.trials)
    pack = _median_time(lambda: meeting_pack(store, "vi"), max(1, args.trials // 2))
    print(
        f"Export, overview ({sum(len(f) for f in frames.values())} features), A4 landscape 200 dpi, "
        f"medians of {args.trials}"
    )
    print(f"{'metric':<28}{'ours':>10}{'baseline':>10}{'ratio':>8}")
    print(f"{'png_a4_200dpi_s':<28}{a:>10.3f}{b:>10.3f}{a / b:>8.2f}")
    print(f"{'meeting_pack_6_pages_s':<28}{pack:>10.3f}")
    ok = a <= 3.0
    print(f"budget (A4 200 dpi under 3 s): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
