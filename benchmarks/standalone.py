"""The standalone HTML map at cadastral scale: our export against plain folium, opened in Chromium.

    make bench-html      # or: .venv/bin/python benchmarks/standalone.py [--parcels N] [--trials N]

Both files hold the same 50,000 synthetic parcels (``geo.demo.synthetic``, 41 vertices each) inside the
district outline. Ours is ``python -m geo export OUT.html`` (``geo.printing.export.map_html``: Leaflet inlined,
the parcels as compact files decoded off the page's thread, drawn on a canvas). Plain folium is
``folium.GeoJson`` with a tooltip and a style function, saved with ``Map.save``; its Leaflet CDN links
point at the local ``xstatic`` files so that it can draw at all without internet (its other CDN files,
which draw nothing, are left out).
Each file is opened from disk in a fresh page; the time is from navigation to the parcels drawn
(ours: the canvas layer reports it; plain: Leaflet holds the layer's last path). Medians; the ratio
is ours over plain, measured in the same run. Target (issue "meeting documents"): ours ≤ 2.5 s.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from geo.demo.synthetic import parcels  # noqa: E402
from geo.model.catalog import CATALOG  # noqa: E402
from geo.printing.export import MapRequest, map_html  # noqa: E402
from geo.store.reads import DEFAULT_STORE, Store  # noqa: E402
from geo.webmap.mapview import leaflet_dir  # noqa: E402
from geo.webmap.style import feature_color  # noqa: E402
from tests.browser import chromium  # noqa: E402

OURS_DRAWN = (
    "() => { const d = window.__dlCompact; return !!(d && d.drawn.forest_parcels && d.drawn.forest_parcels.drawn); }"
)
PLAIN_DRAWN = """(n) => { const m = Object.values(window).find(v => v && v._container && v._layers && v.getCenter);
  if (!m) return false; return Object.values(m._layers).filter(l => l.feature).length >= n; }"""


def plain_html(gdf, district) -> str:
    """The same parcels the plain folium way, with Leaflet from this machine instead of a CDN."""
    spec = CATALOG["forest_parcels"]
    m = folium.Map(location=[21.54, 107.12], zoom_start=11, tiles=None)
    folium.GeoJson(district, style_function=lambda f: {"color": "#1f2d3d", "fillOpacity": 0.05}).add_to(m)

    def style(feature):
        value = feature["properties"].get("status")
        return {"color": spec.paint.color, "fillColor": feature_color(spec, value), "weight": spec.paint.weight}

    fields = [f for f in spec.tooltip if f in gdf.columns]
    folium.GeoJson(gdf, style_function=style, tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
    html = m.get_root().render()
    local = Path(leaflet_dir())
    for url, path in (
        (dict(folium.Map.default_js)["leaflet"], local / "leaflet.js"),  # folium's own Leaflet links
        (dict(folium.Map.default_css)["leaflet_css"], local / "leaflet.css"),
    ):
        html = html.replace(url, path.as_uri())
    # folium's other CDN files (jQuery, Bootstrap, Font Awesome) draw nothing here: left out, not waited for.
    html = re.sub(r'<script src="https://[^"]*"></script>', "", html)
    return re.sub(r'<link rel="stylesheet" href="https://[^"]*"/>', "", html)


def open_time(browser, path: Path, ready: str, arg: object = None) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="commit", timeout=300_000)
    page.wait_for_function(ready, arg=arg, timeout=300_000, polling=20)
    secs = time.perf_counter() - t0
    page.close()
    return secs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=50_000)
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--plain-trials", type=int, default=1)
    args = ap.parse_args()
    store = Store(DEFAULT_STORE)
    district = store.read("district")
    big = parcels(args.parcels, within=district.geometry.iloc[0])
    with tempfile.TemporaryDirectory(prefix="dinhlap-bench-html-") as d:
        ours, plain = Path(d) / "ours.html", Path(d) / "plain.html"
        t0 = time.perf_counter()
        req = MapRequest(("district", "forest_parcels"), "Đình Lập", lang="vi")
        ours.write_text(map_html(req, {"district": district, "forest_parcels": big}, set()), encoding="utf-8")
        made = time.perf_counter() - t0
        plain.write_text(plain_html(big, district), encoding="utf-8")
        print(f"{args.parcels:,} parcels; ours {ours.stat().st_size / 1e6:.1f} MB written in {made:.1f} s; "
              f"plain folium {plain.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        with chromium() as browser:
            open_time(browser, ours, OURS_DRAWN)  # warm the browser's own caches once
            mine = statistics.median(open_time(browser, ours, OURS_DRAWN) for _ in range(args.trials))
            base = statistics.median(open_time(browser, plain, PLAIN_DRAWN, len(big)) for _ in range(args.plain_trials))
    print(f"{'file opened → parcels drawn':<32}{'seconds':>10}")
    print(f"{'ours (geo export OUT.html)':<32}{mine:>10.2f}   target ≤ 2.5 s")
    print(f"{'plain folium':<32}{base:>10.2f}")
    print(f"{'ratio ours / plain':<32}{mine / base:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
