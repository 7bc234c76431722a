"""Write the files the Node tests decode: compact geometry and style files made by the Python encoder.

Usage: ``python tests/js/write_fixtures.py OUTDIR`` (``make jstest`` runs it, then ``node --test tests/js/``).

Beside each ``NAME.bin`` (and its ``NAME.bin.gz``, as the app serves it) is ``NAME.json``: what the
decoder must find, taken from the source geometries with shapely, not from the Python decoder, so
that the JavaScript decoder is held against the encoder's input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo.webmap import compact  # noqa: E402


def _rings(geom: object, kind: str) -> list[list[list[float]]]:
    if kind == "Point":
        return [[[geom.x, geom.y]]]  # type: ignore[attr-defined]
    if kind == "LineString":
        parts = getattr(geom, "geoms", [geom])
        return [np.asarray(p.coords).tolist() for p in parts]
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        out.append(np.asarray(poly.exterior.coords).tolist())
        out += [np.asarray(r.coords).tolist() for r in poly.interiors]
    return out


def _cases() -> dict[str, tuple[str, list[object], list[str]]]:
    rng = np.random.default_rng(7)
    squares = [
        shapely.box(107.0 + i * 0.01, 21.4 + (i % 7) * 0.01, 107.006 + i * 0.01, 21.406 + (i % 7) * 0.01)
        for i in range(40)
    ]
    holed = Polygon(
        [(107.1, 21.5), (107.2, 21.5), (107.2, 21.6), (107.1, 21.6)],
        [[(107.12, 21.52), (107.14, 21.52), (107.14, 21.54), (107.12, 21.54)]],
    )
    multi = MultiPolygon([shapely.box(107.3, 21.6, 107.31, 21.61), shapely.box(107.32, 21.62, 107.33, 21.63)])
    points = [Point(106.9 + float(x), 21.35 + float(y)) for x, y in rng.random((25, 2)) * 0.4]
    lines = [LineString([(107.0, 21.5), (107.05, 21.52), (107.1, 21.49)]), LineString([(107.2, 21.4), (107.21, 21.41)])]
    keys = [f"TD-{i:03d}" for i in range(40)]
    return {
        "parcels": ("Polygon", [*squares, holed, multi], [*keys, "Thửa có lỗ", "a\u202eb</script>"]),
        "points": ("Point", points, [f"VV{i}" for i in range(len(points))]),
        "lines": ("LineString", lines, ["Km18–Km43", "Km43–Km80"]),
        "empty": ("Polygon", [], []),
    }


def main(out: Path) -> None:
    """Write every case and a style file for ``parcels`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (kind, geoms, keys) in _cases().items():
        blob = compact.encode_geometry(geoms, keys, kind)
        (out / f"{name}.bin").write_bytes(blob)
        (out / f"{name}.bin.gz").write_bytes(compact.gz(blob))
        expected = {
            "kind": compact.KINDS[kind],
            "n": len(geoms),
            "keys": keys,
            "rings": [_rings(g, kind) for g in geoms],
            "tolerance_m": compact.QUANTUM,
        }
        (out / f"{name}.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    n = len(_cases()["parcels"][1])
    positions, classes = np.array([0, 3, 41]), np.array([2, 0, 1])
    (out / "parcels.style").write_bytes(compact.encode_style(n, positions, classes))
    style = [compact.HIDDEN] * n
    for p, c in zip(positions, classes, strict=True):
        style[int(p)] = int(c)
    (out / "parcels.style.json").write_text(json.dumps(style), encoding="utf-8")
    _versions(out)
    _measures(out)
    _tile(out)


def _tile(out: Path) -> None:
    """A vector tile of the notice's cadastral parcels as a viewer gets it (geo.webmap.tiles, from the GeoPackage),
    gzip-compressed as served, and what the page's decoder must find in it (read back with shapely).
    """
    from geo.store.reads import Store
    from geo.webmap import tiles
    from tests.conftest import NOTICE_STORE

    store = Store(NOTICE_STORE)
    frame = store.read("cadastral_parcels")
    first = frame.geometry.iloc[0]
    z = 15
    x, y = tiles.lonlat_tile(first.centroid.x, first.centroid.y, z)
    tile = tiles.build_tile(store, tiles.TileQuery("cadastral_parcels"), z, x, y, cache=None)
    (out / "parcels.mvt.gz").write_bytes(tile.body)
    feats = tiles.decode_tile(tile.body)[tiles.LAYER]
    inner = [f for f in feats if f["geometry"].representative_point().within(shapely.box(0, 0, 4096, 4096))]
    probe = inner[0]
    p = probe["geometry"].representative_point()
    expected = {
        "z": z,
        "x": x,
        "y": y,
        "keys": sorted(f["properties"]["key"] for f in feats),
        "properties": {f["properties"]["key"]: f["properties"] for f in feats},
        "probe": {"key": probe["properties"]["key"], "x": p.x, "y": p.y},
        "outside": {"x": -60, "y": -60},
    }
    (out / "parcels.mvt.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    _card(out, store, [f["properties"]["key"] for f in feats])


def _card(out: Path, store: object, keys: list[str]) -> None:
    """The record card's spec a viewer's page gets (geo.webmap.mapview.card_spec), in both languages, and the rows
    each parcel of the tile must show: its popup fields formatted by the engine's own formatter
    (geo.read.records.format_value) from the store's row, so the page's card is held to the full record's text.
    """
    from geo.read.access import read_layer
    from geo.read.records import format_value
    from geo.webmap.mapview import card_spec

    spec = store.catalog["cadastral_parcels"]  # type: ignore[attr-defined]
    names: dict[str, str] = {}
    for year, lid in (("2024", "units"), ("2025", "communes_2025")):
        if store.has(lid):  # type: ignore[attr-defined]
            frame = store.read(lid)  # type: ignore[attr-defined]
            table = dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
            names.update({f"{year}:{c}": n for c, n in table.items()})
            if year == "2024":
                names.update(table)
    rows = read_layer(store, "cadastral_parcels", False).set_index("parcel_code", drop=False)  # type: ignore[arg-type]
    cases = {}
    for lang in ("vi", "en"):
        card = card_spec(spec, lang, False, None, names)
        rows_of = card["rows"]
        want = {
            k: [[r["label"], format_value(spec, r["name"], rows.loc[k].get(r["name"]), lang, names)] for r in rows_of]
            for k in keys
        }
        cases[lang] = {"card": card, "rows": want, "owner": spec.field("owner").label(lang)}
    (out / "parcels.card.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")


def _measures(out: Path) -> None:
    """Shapes measured by the engine on the national grid (geo.store.geometry_edit.measure), for the live figures
    of geo/webmap/static/draw.js: a parcel, a parcel with a hole, a road, a long line across the zone's width.
    """
    from geo.store.geometry_edit import measure

    square = shapely.box(107.10, 21.55, 107.1019, 21.5519)
    shapes = {
        "square": square,
        "holed": square.difference(square.centroid.buffer(0.0004)),
        "road": LineString([(107.0, 21.5), (107.05, 21.52), (107.1, 21.49)]),
        "across": LineString([(106.8, 21.3), (107.6, 21.8)]),
        "district_sized": shapely.box(106.85, 21.35, 107.40, 21.75),
    }
    cases = [
        {
            "name": k,
            "geometry": shapely.geometry.mapping(g),
            "area_m2": measure(g).area_m2,
            "length_m": measure(g).length_m,
        }
        for k, g in shapes.items()
    ]
    (out / "measures.json").write_text(json.dumps(cases), encoding="utf-8")


def _versions(out: Path) -> None:
    """The versions file a replica writes (ui/live.py) for a GeoPackage copy before and after an edit, and
    what the page's watcher must decide from it (ui/static/watch/watch.js).
    """
    import shutil
    import tempfile

    from geo.store.edit import edit
    from geo.store.reads import DEFAULT_STORE, Store, version_number, versions_document

    with tempfile.TemporaryDirectory() as d:
        store = Path(d) / "s.gpkg"
        shutil.copy(DEFAULT_STORE, store)
        drawn = version_number(Store(store).version)
        before = versions_document(store)
        edit(store, "indicators", "winter_crops", {"value": 171.5}, "js-fixture", "watch.js test")
        after = versions_document(store)
    (out / "versions.json").write_text(
        json.dumps({"drawn": drawn, "before": before, "after": after}, ensure_ascii=False), encoding="utf-8"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
