"""The compact files of large layers: what the map fetches must carry every feature, in place, with its key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

from geo.demo.synthetic import parcels
from geo.model.catalog import CATALOG
from geo.webmap import compact
from geo.webmap.mapview import BIG_LAYER, CompactLayer, MapState, overlays


def _metres(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance between two lon/lat arrays, in metres (near 21.5° N)."""
    d = np.abs(a - b)
    return float(np.max(np.hypot(d[:, 0] * 103_600, d[:, 1] * 110_700)))


def test_polygons_with_holes_and_parts_come_back_within_half_a_metre() -> None:
    hole = [(107.002, 21.001), (107.008, 21.001), (107.008, 21.006)]
    geoms = [
        Polygon([(107.0, 21.0), (107.01, 21.0), (107.01, 21.01), (107.0, 21.0)], [hole]),
        MultiPolygon(
            [
                Polygon([(107.1, 21.1), (107.2, 21.1), (107.2, 21.2)]),
                Polygon([(107.3, 21.3), (107.31, 21.3), (107.3, 21.31)]),
            ]
        ),
    ]
    got = compact.decode_geometry(compact.encode_geometry(geoms, ["A-1", "Xã Đình Lập"], "Polygon"))
    assert got.keys == ["A-1", "Xã Đình Lập"]
    assert [len(f) for f in got.rings] == [2, 2]  # exterior + hole; two parts
    assert _metres(got.rings[0][1], np.asarray(geoms[0].interiors[0].coords)) < 0.5
    assert _metres(got.rings[1][1], np.asarray(geoms[1].geoms[1].exterior.coords)) < 0.5


def test_lines_and_points_keep_their_parts_and_order() -> None:
    lines = [
        LineString([(107, 21), (107.5, 21.3)]),
        MultiLineString([[(107, 21), (107.1, 21.1)], [(107.2, 21), (107.3, 21.4)]]),
    ]
    got = compact.decode_geometry(compact.encode_geometry(lines, ["a", "b"], "LineString"))
    assert [len(f) for f in got.rings] == [1, 2]
    assert _metres(got.rings[1][1], np.array([[107.2, 21], [107.3, 21.4]])) < 0.5
    pts = compact.decode_geometry(compact.encode_geometry([Point(107, 21), Point(107.3, 21.2)], ["x", "y"], "Point"))
    assert _metres(np.vstack([r[0] for r in pts.rings]), np.array([[107, 21], [107.3, 21.2]])) < 0.5


def test_fifty_thousand_parcels_are_all_there_and_smaller_than_geojson() -> None:
    gdf = parcels(50_000)
    blob = compact.encode_geometry(gdf.geometry.values, list(gdf.parcel_id), "Polygon")
    got = compact.decode_geometry(blob)
    assert got.keys == list(gdf.parcel_id)
    for i in (0, 12_345, 49_999):
        assert _metres(got.rings[i][0], np.asarray(gdf.geometry.iloc[i].exterior.coords)) < 0.5
    geojson = sum(len(g) for g in shapely.to_geojson(gdf.geometry.values))  # the shapes alone, as GeoJSON
    sent = len(compact.gz(blob))  # what the server's gzip sends
    assert sent < geojson / 8  # the whole point of the format
    assert sent <= 2 * compact.floor_bytes(gdf.geometry.values, "Polygon")


def test_the_style_file_hides_what_a_filter_leaves_out() -> None:
    style = compact.decode_style(compact.encode_style(5, np.array([1, 3]), np.array([2, 0])))
    assert style.tolist() == [compact.HIDDEN, 2, compact.HIDDEN, 0, compact.HIDDEN]
    classes = compact.classes(pd.Series(["disputed", "allocated", "??", None]), ["allocated", "disputed"])
    assert classes.tolist() == [1, 0, 2, 2]  # unknown values take the default colour after the palette


def test_a_large_layer_travels_as_files_and_a_small_one_as_geojson(store) -> None:
    big = parcels(BIG_LAYER + 1)
    frames = {"forest_parcels": big, "land_disputes": store.read("land_disputes")}
    state = MapState(("forest_parcels", "land_disputes"))
    html = "".join(_js(g) for g in overlays(frames, state, set()))
    assert "compact_layer_" in html and "safe_geo_json_" in html
    # Inline (a standalone HTML export): the geometry is in the page, not the 4,000 features as GeoJSON.
    assert html.count("TD00") == 0 and len(html) < 2_000_000


def _js(group) -> str:
    import folium

    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


class _Recorder:
    """A byte sink that keeps what it is given (the app's writes files and returns their URLs)."""

    def __init__(self, key: str | None = "test") -> None:
        self.key, self.blobs = key, []

    def put(self, blob: bytes):
        self.blobs.append(blob)
        return {"url": f"/f{len(self.blobs)}"}


def test_a_filter_changes_only_the_style_and_colours_follow_the_catalog() -> None:
    full = parcels(BIG_LAYER + 500)
    shown = full[full.status == "disputed"]
    pub = _Recorder()
    state = MapState(("forest_parcels",))
    overlays({"forest_parcels": shown}, state, set(), pub, whole={"forest_parcels": full}, version="v1")
    geometry = compact.decode_geometry(pub.blobs[0])
    assert len(geometry.keys) == len(full)  # the whole layer travels, not only what the filter shows
    style = compact.decode_style(pub.blobs[-1])
    codes = [s.value for s in CATALOG["forest_parcels"].statuses]
    assert (style != compact.HIDDEN).sum() == len(shown)
    assert set(style[full.index.get_indexer(shown.index)]) == {codes.index("disputed")}
    # Another filter at the same version: a new style only, the geometry is not encoded again.
    overlays({"forest_parcels": full.iloc[:10]}, state, set(), pub, whole={"forest_parcels": full}, version="v1")
    assert len(pub.blobs) == 3
    assert (compact.decode_style(pub.blobs[-1]) != compact.HIDDEN).sum() == 10


def test_a_big_frame_that_exists_only_now_is_drawn_from_its_own_features(store) -> None:
    """An import's preview into a layer the store holds: the file's features, never the stored ones."""
    stored = parcels(BIG_LAYER + 100)
    pub = _Recorder()
    state = MapState(("forest_parcels",))
    overlays({"forest_parcels": stored}, state, set(), pub, whole={"forest_parcels": stored}, version="v1")
    preview = parcels(BIG_LAYER + 7).assign(parcel_id=lambda d: "FILE-" + d.parcel_id.astype(str))
    overlays({"forest_parcels": preview}, state, set(), pub)  # no version: nothing is reused
    geometry = compact.decode_geometry(pub.blobs[-2])
    assert len(geometry.keys) == len(preview) and all(k.startswith("FILE-") for k in geometry.keys)


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_and_empty_layers_encode(n: int) -> None:
    gdf = parcels(max(n, 1)).iloc[:n]
    got = compact.decode_geometry(compact.encode_geometry(gdf.geometry.values, list(gdf.parcel_id), "Polygon"))
    assert len(got.rings) == n


def test_compact_layer_options_carry_text_only_as_data() -> None:
    el = CompactLayer("x", {"url": "/a"}, {"url": "/b"}, ["#fff"], ["</script><img src=x onerror=alert(1)>"], {}, [])
    assert "<img" not in el.options and "</script>" not in el.options
