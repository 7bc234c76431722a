"""Vector tiles of big layers (geo.webmap.tiles) on both backends: what a reader finds in a tile of the parcels."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo.model.catalog import CATALOG, LAND_USE_GROUP
from geo.read.access import read_layer
from geo.store.reads import Store
from geo.webmap import tiles

LAYER = "cadastral_parcels"


def _tile_of(store: Store, query: tiles.TileQuery, z: int = 15) -> tuple[list[dict], tuple[int, int, int]]:
    first = store.read(LAYER).geometry.iloc[0].centroid
    x, y = tiles.lonlat_tile(first.x, first.y, z)
    tile = tiles.build_tile(store, query, z, x, y, cache=None)
    return tiles.decode_tile(tile.body).get(tiles.LAYER, []), (z, x, y)


def _expected(store: Store, zxy: tuple[int, int, int], sensitive: bool) -> set[str]:
    """The parcels whose shape meets the tile (with its buffer), as the reader's read path gives them."""
    frame = read_layer(store, LAYER, sensitive)
    box = shapely.box(*tiles.tile_lonlat(*zxy, margin=tiles.BUFFER / tiles.EXTENT))
    return set(frame[frame.intersects(box)]["parcel_code"])


def test_a_viewer_tile_holds_the_parcels_there_and_never_the_land_user(any_store: Path | str) -> None:
    store = Store(any_store)
    feats, zxy = _tile_of(store, tiles.TileQuery(LAYER, sensitive=False))
    assert {f["properties"]["key"] for f in feats} == _expected(store, zxy, False)
    frame = read_layer(store, LAYER, True).set_index("parcel_code")
    codes = [s.value for s in store.catalog[LAYER].codes("use_group")]
    for f in feats:
        p = f["properties"]
        assert set(p) <= {"key", "c", *tiles.tile_fields(store.catalog[LAYER], False)}
        assert "owner" not in p
        row = frame.loc[p["key"]]
        assert p["land_use"] == row["land_use"]
        assert p["area_m2"] == pytest.approx(row["area_m2"])
        # the colour class is the parcel's land-use group in the catalog palette
        assert p["c"] == codes.index(LAND_USE_GROUP[row["land_use"]])
        assert f["geometry"].is_valid and f["geometry"].area > 0


def test_a_planner_tile_carries_the_same_parcels(any_store: Path | str) -> None:
    store = Store(any_store)
    viewer, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=False))
    planner, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=True))
    assert {f["properties"]["key"] for f in planner} == {f["properties"]["key"] for f in viewer}


def test_a_tile_carries_the_record_card_a_click_shows_and_the_land_user_only_to_a_planner(
    any_store: Path | str,
) -> None:
    store = Store(any_store)
    viewer, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=False))
    planner, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=True))
    frame = read_layer(store, LAYER, True).set_index("parcel_code")
    for f in viewer:  # the card's fields: the parcel's numbers and sheet, its certificate, as stored
        p, row = f["properties"], frame.loc[f["properties"]["key"]]
        assert p["sheet_no"] == row["sheet_no"] and p["parcel_no"] == row["parcel_no"]
        assert p["unit_code"] == row["unit_code"]
        assert p.get("cert_status") == (row["cert_status"] if isinstance(row["cert_status"], str) else None)
        assert "owner" not in p
    owners = {f["properties"]["key"]: f["properties"].get("owner") for f in planner}
    assert any(owners.values()), "a planner's tile names the land users"
    for key, owner in owners.items():
        if owner is not None:
            assert owner == frame.loc[key, "owner"]


def test_zoomed_out_a_tile_carries_only_the_tooltip_fields(any_store: Path | str) -> None:
    store = Store(any_store)
    spec_ = store.catalog[LAYER]
    far, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=True), z=tiles.CARD_ZOOM - 1)
    assert far, "parcels drawn there"
    for f in far:
        assert set(f["properties"]) <= {"key", "c", *spec_.tooltip}
    near, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=True), z=tiles.CARD_ZOOM)
    assert any("sheet_no" in f["properties"] for f in near)


def test_a_filter_narrows_the_tile_where_it_is_built(any_store: Path | str) -> None:
    store = Store(any_store)
    everything, _ = _tile_of(store, tiles.TileQuery(LAYER))
    groups = sorted({LAND_USE_GROUP[f["properties"]["land_use"]] for f in everything})
    kept = groups[0]
    narrowed, _ = _tile_of(store, tiles.TileQuery(LAYER, filters={"use_group": [kept]}))
    assert narrowed, "the filter keeps the parcels of its group"
    assert {f["properties"]["key"] for f in narrowed} == {
        f["properties"]["key"] for f in everything if LAND_USE_GROUP[f["properties"]["land_use"]] == kept
    }
    big = tiles.TileQuery(LAYER, filters={"area_m2": [10**9, 10**10]})
    assert _tile_of(store, big)[0] == []


@pytest.mark.parametrize("sensitive", [False, True])
def test_a_filter_that_keeps_every_parcel_gives_the_tile_of_no_filter(any_store: Path | str, sensitive: bool) -> None:
    # On a GeoPackage, a tile without filters goes from SQLite to the encoder without a frame (the fast way of
    # every pan); a filter goes through the frame. What the reader gets must not depend on the way.
    store = Store(any_store)
    plain, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=sensitive))
    kept, _ = _tile_of(store, tiles.TileQuery(LAYER, sensitive=sensitive, filters={"area_m2": [0, 10**12]}))
    assert plain and len(plain) == len(kept)
    by_key = {f["properties"]["key"]: f for f in kept}
    for f in plain:
        other = by_key[f["properties"]["key"]]
        assert f["properties"] == other["properties"]
        assert f["geometry"].equals(other["geometry"])


def test_zoomed_out_a_tile_leaves_out_parcels_under_a_pixel(any_store: Path | str) -> None:
    store = Store(any_store)
    assert _tile_of(store, tiles.TileQuery(LAYER), z=6)[0] == []
    assert _tile_of(store, tiles.TileQuery(LAYER), z=16)[0]


def _local(geom: shapely.Geometry, zxy: tuple[int, int, int]) -> shapely.Geometry:
    """A WGS 84 shape in the tile units of tile ``zxy`` (y down), exactly: what the tile should draw."""
    import pyproj

    minx, _, maxx, maxy = tiles.tile_bounds(*zxy)
    scale = tiles.EXTENT / (maxx - minx)
    to_m = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)

    def project(c):
        mx, my = to_m.transform(c[:, 0], c[:, 1])
        return np.column_stack([(mx - minx) * scale, (maxy - my) * scale])

    return shapely.transform(geom, project)


def test_an_outline_s_bends_under_half_a_pixel_are_left_out_zoomed_out_and_drawn_zoomed_in(
    any_store: Path | str,
) -> None:
    """A surveyed parcel's outline of many small bends: zoomed out its tile holds a few vertices, each within
    half a pixel of the true outline (what a person sees is unchanged, the browser paints less); zoomed in,
    where the bends are pixels wide, they are all drawn."""
    from geo.store.geometry_edit import from_grid, reshape, to_grid

    store = Store(any_store)
    first = store.read(LAYER).iloc[0]
    ring = np.asarray(to_grid(first.geometry).exterior.coords)  # metres, VN-2000
    pts = []
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        length = float(np.hypot(x1 - x0, y1 - y0))
        n = max(2, int(length // 4))  # a vertex every 4 m, every other one 1 m out: a jagged survey line
        ox, oy = (y1 - y0) / length, -(x1 - x0) / length
        pts += [(x0 + (x1 - x0) * i / n + ox * (i % 2), y0 + (y1 - y0) * i / n + oy * (i % 2)) for i in range(n)]
    jagged = from_grid(shapely.Polygon(pts))
    assert jagged.is_valid and len(pts) > 40
    reshape(store.location, LAYER, first["parcel_code"], jagged, user="tester")
    store = Store(any_store)
    shape = store.read(LAYER).set_index("parcel_code").geometry[first["parcel_code"]]
    c = shape.centroid

    def drawn(z: int) -> tuple[shapely.Geometry, shapely.Geometry]:
        """The parcel as tile ``z`` (the one at its centre) draws it, and its true outline cut by that tile."""
        zxy = (z, *tiles.lonlat_tile(c.x, c.y, z))
        feats = tiles.decode_tile(tiles.build_tile(store, tiles.TileQuery(LAYER), *zxy, cache=None).body)[tiles.LAYER]
        got = next(f["geometry"] for f in feats if f["properties"]["key"] == first["parcel_code"])
        edge = (-tiles.BUFFER, -tiles.BUFFER, tiles.EXTENT + tiles.BUFFER, tiles.EXTENT + tiles.BUFFER)
        return got, shapely.clip_by_rect(_local(shape, zxy), *edge)

    out, true = drawn(14)
    assert shapely.get_num_coordinates(out) <= 10 < shapely.get_num_coordinates(true)
    px = tiles.EXTENT / 256
    # every drawn vertex and edge within half a pixel of the true outline (and a unit of the tile grid)
    assert out.hausdorff_distance(true) <= tiles.SIMPLIFY_PX * px + 1.5
    assert out.is_valid and out.area > 0
    near, true = drawn(17)  # a bend is a pixel wide here
    assert shapely.get_num_coordinates(near) > 0.9 * shapely.get_num_coordinates(true)


def test_a_tile_is_kept_until_the_store_changes(any_store: Path | str) -> None:
    from geo.store.edit import edit

    store = Store(any_store)
    cache = tiles.TileCache()
    first = store.read(LAYER).iloc[0]
    x, y = tiles.lonlat_tile(first.geometry.centroid.x, first.geometry.centroid.y, 15)
    query = tiles.TileQuery(LAYER)
    a = tiles.build_tile(store, query, 15, x, y, cache)
    assert tiles.build_tile(store, query, 15, x, y, cache).etag == a.etag
    edit(store.location, LAYER, first["parcel_code"], {"land_use": "CLN"}, user="tester")
    b = tiles.build_tile(Store(any_store), query, 15, x, y, cache)
    assert b.etag != a.etag
    changed = [f for f in tiles.decode_tile(b.body)[tiles.LAYER] if f["properties"]["key"] == first["parcel_code"]]
    assert changed[0]["properties"]["land_use"] == "CLN"


def test_the_time_machine_tile_shows_the_parcel_as_it_stood_that_day(any_store: Path | str) -> None:
    import datetime as dt

    from geo.store.edit import edit

    store = Store(any_store)
    first = store.read(LAYER).iloc[0]
    before = dt.datetime.now(dt.UTC)
    edit(store.location, LAYER, first["parcel_code"], {"land_use": "CLN"}, user="tester")
    store = Store(any_store)
    x, y = tiles.lonlat_tile(first.geometry.centroid.x, first.geometry.centroid.y, 15)

    def land_use(as_of: str | None) -> str:
        tile = tiles.build_tile(store, tiles.TileQuery(LAYER, as_of=as_of), 15, x, y, cache=tiles.TileCache())
        got = [f for f in tiles.decode_tile(tile.body)[tiles.LAYER] if f["properties"]["key"] == first["parcel_code"]]
        return got[0]["properties"]["land_use"]

    assert land_use(None) == "CLN"
    assert land_use(before.isoformat()) == first["land_use"] != "CLN"


def _tile_options(sensitive: bool, lang: str = "vi", status_field: str | None = None) -> dict:
    import base64
    import json
    import re

    from geo.webmap.mapview import VectorTileLayer, tile_group

    fg = tile_group(CATALOG[LAYER], "/dl-tiles/t/{z}/{x}/{y}.pbf", lang, [], status_field, 1.0, sensitive)  # type: ignore[arg-type]
    layer = next(c for c in fg._children.values() if isinstance(c, VectorTileLayer))
    payload = re.search(r'atob\("([^"]*)"\)', layer.options)
    assert payload is not None
    return json.loads(base64.b64decode(payload.group(1)))


def test_the_page_gets_a_viewer_card_without_the_land_user_and_a_planner_card_with_it() -> None:
    viewer, planner = _tile_options(False), _tile_options(True)
    names = [r["name"] for r in viewer["card"]["rows"]]
    assert names[0] == "parcel_code" and "land_use" in names and "area_m2" in names
    assert "owner" not in names and all(r["label"] != "Người sử dụng đất" for r in viewer["card"]["rows"])
    assert "owner" in [r["name"] for r in planner["card"]["rows"]]
    land_use = next(r for r in viewer["card"]["rows"] if r["name"] == "land_use")
    assert land_use["values"]["LUC"] == "Đất chuyên trồng lúa nước"  # a code reads by its label
    english = _tile_options(False, "en")["card"]
    assert english["title"] == "Cadastral parcels" and english["locale"] == "en"
    assert next(r for r in english["rows"] if r["name"] == "land_use")["label"] == "Land use"


def test_tile_classes_carry_the_catalog_hatches_as_the_other_layers_do() -> None:
    opts = _tile_options(False)
    spec_ = CATALOG[LAYER]
    codes = [s.value for s in spec_.codes("use_group")]
    assert opts["hatch"] == [spec_.status(c, "use_group").hatch for c in codes] + [False]  # type: ignore[union-attr]
    assert opts["hatch"][codes.index("unused")] is True  # unused land reads as hatched in grey too
    by_cert = _tile_options(False, status_field="cert_status")
    certs = [s.value for s in spec_.codes("cert_status")]
    assert len(by_cert["hatch"]) == len(certs) + 1 and len(by_cert["palette"]) == len(certs) + 1


def _kept(path: Path) -> list[tuple[str, str, int, int, int]]:
    """What the tile file beside the GeoPackage at ``path`` holds: (version, query, z, x, y) of each tile."""
    import sqlite3

    with sqlite3.connect(tiles.tile_file(path)) as conn:
        return [tuple(r) for r in conn.execute("SELECT version, query, z, x, y FROM tiles ORDER BY z, x, y")]


def test_the_tiles_of_the_zooms_a_page_opens_at_are_built_ahead_into_a_file_beside_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from geo.store.edit import edit
    from tests.conftest import NOTICE_STORE

    monkeypatch.setenv(tiles.THRESHOLD_ENV, "10")  # the notice's parcels count as a big layer
    path = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, path)
    store = Store(path)
    extents = tiles.big_layers(store)
    assert LAYER in extents and "district" not in extents
    w, s, e, n = extents[LAYER]
    assert (w, s, e, n) == pytest.approx(tuple(store.read(LAYER).total_bounds), abs=1e-4)
    cache = tiles.TileCache()
    built = tiles.warm(store, [tiles.TileQuery(LAYER)], range(14, 16), extents, cache, pause=0)
    kept = _kept(path)
    assert built > 0 and len(kept) == built and len(cache) == 0  # in the file, not in this process's memory
    assert {k[0] for k in kept} == {store.version} and {k[2] for k in kept} == {14, 15}
    # A page's tile there, in this process or another (a replica, the server after a restart), is read from
    # the file: nothing is built.
    first = store.read(LAYER).geometry.iloc[0].centroid
    x, y = tiles.lonlat_tile(first.x, first.y, 15)
    fresh = tiles.build_tile(store, tiles.TileQuery(LAYER), 15, x, y, cache=None)
    with monkeypatch.context() as m:
        m.setattr(tiles, "_build", lambda *a: pytest.fail("built again"))
        assert tiles.build_tile(store, tiles.TileQuery(LAYER), 15, x, y, tiles.TileCache()).body == fresh.body
        assert tiles.warm(store, [tiles.TileQuery(LAYER)], range(14, 16), extents, cache, pause=0) == 0
    # A filtered page's tiles are its own: built, kept in memory, never in the file.
    group = tiles.TileQuery(LAYER, filters={"use_group": ["NNP"]})
    tiles.build_tile(store, group, 15, x, y, cache)
    assert len(_kept(path)) == built and len(cache) == 1
    # A write moves the store's version: the old tiles are never served, and the next warming removes them.
    parcel, before = store.read(LAYER).iloc[0], store.version
    edit(path, LAYER, str(parcel.parcel_code), {"land_use": "CLN" if parcel.land_use != "CLN" else "ONT"}, "lan", "Đo")
    after = Store(path)
    assert after.version != before
    assert tiles.build_tile(after, tiles.TileQuery(LAYER), 15, x, y, tiles.TileCache()).body != fresh.body

    tiles.warm(after, [tiles.TileQuery(LAYER)], range(14, 15), tiles.big_layers(after), pause=0)
    assert {k[0] for k in _kept(path)} == {after.version}
    import sqlite3

    with sqlite3.connect(tiles.tile_file(path)) as conn:  # the old tiles' space given back: no free page left
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    stopped = tiles.warm(after, [tiles.TileQuery(LAYER)], range(14, 16), extents, tiles.TileCache(), stop=lambda: True)
    assert stopped == 0
    monkeypatch.setenv(tiles.WARM_ENV, "off")
    assert not tiles.warm_zooms()
    monkeypatch.setenv(tiles.WARM_ENV, "12-13")
    assert list(tiles.warm_zooms()) == [12, 13]


def test_a_damaged_tile_file_is_left_as_it_is_said_in_the_log_and_the_tiles_still_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    from tests.conftest import NOTICE_STORE

    monkeypatch.setenv(tiles.THRESHOLD_ENV, "10")
    path = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, path)
    damaged = b"not a tile file " * 512
    tiles.tile_file(path).write_bytes(damaged)
    store = Store(path)
    files = tiles.TileFile()
    first = store.read(LAYER).geometry.iloc[0].centroid
    x, y = tiles.lonlat_tile(first.x, first.y, 15)
    with caplog.at_level("WARNING", logger="dinhlap.tiles"):
        for _ in range(2):
            tile = tiles.build_tile(store, tiles.TileQuery(LAYER), 15, x, y, tiles.TileCache(), files)
            assert tiles.decode_tile(tile.body)[tiles.LAYER]
    assert tiles.tile_file(path).read_bytes() == damaged  # never deleted under another process's feet
    assert [r.getMessage() for r in caplog.records].count(
        f"tile file {tiles.tile_file(path)} is damaged (file is not a database): tiles are built without it; delete it"
    ) == 1
    tiles.tile_file(path).unlink()  # what the message says to do: the next tile makes the file again
    tiles.build_tile(store, tiles.TileQuery(LAYER), 15, x, y, tiles.TileCache(), files)
    files.close()
    assert len(_kept(path)) == 1
    assert tiles.tile_file(path).stat().st_mode & 0o777 == path.stat().st_mode & 0o666


def test_an_import_from_the_command_line_builds_the_big_layers_tiles_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import shutil

    from geo.command.cli import main
    from tests.conftest import NOTICE_STORE

    monkeypatch.setenv(tiles.THRESHOLD_ENV, "40")  # the notice's 48 parcels and its disputes with those imported
    monkeypatch.setenv(tiles.WARM_ENV, "13-14")
    path = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, path)
    src = tmp_path / "tranh_chap.geojson"
    feats = [
        {"type": "Feature",
         "properties": {"dispute_id": f"BV-{i:03d}", "unit_code": "06643", "kind": "Lấn chiếm", "area_ha": 1.0,
                        "status": "open", "opened": "2025-03-01"},
         "geometry": {"type": "Point", "coordinates": [107.2 + i * 1e-3, 21.55]}}
        for i in range(40)
    ]  # fmt: skip
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    args = ["import", str(src), "--layer", "land_disputes", "--append", "--user", "lan", "--store", str(path)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "Dựng sẵn ô bản đồ: " in err and "(100%" in err.splitlines()[-1]
    store = Store(path)
    kept = _kept(path)
    assert {k[0] for k in kept} == {store.version}  # the version the import left: what the app will ask for
    # the imported layer's tiles, a viewer's and a planner's (the parcels, big too, were not imported)
    spec = store.catalog["land_disputes"]
    digests = {tiles.file_query(spec, tiles.TileQuery("land_disputes", s)) for s in (False, True)}
    assert {k[1] for k in kept} == digests and {k[2] for k in kept} == {13, 14}
    assert set(tiles.big_layers(store)) == {"land_disputes", LAYER}
    # --no-tiles: imported, nothing built (the app builds them when the map is opened)
    src.write_text(src.read_text(encoding="utf-8").replace("BV-", "BX-"), encoding="utf-8")
    assert main([*args, "--no-tiles", "--quiet"]) == 0
    assert "ô bản đồ" not in capsys.readouterr().err
    assert Store(path).version not in {k[0] for k in _kept(path)}
