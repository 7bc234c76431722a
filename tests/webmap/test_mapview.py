"""The folium map builder: offline assets, escaped data, legend from the catalog."""

from __future__ import annotations

import base64
import json
import re

import folium
import geopandas as gpd
import pytest
import shapely.affinity
from shapely import Point, Polygon
from streamlit_folium import _get_feature_group_string, _get_header, _get_map_string

from geo.model.catalog import CATALOG, spec
from geo.store.reads import Store
from geo.webmap.mapview import (
    MapState,
    base_map,
    clean_geometries,
    feature_collection,
    geojson_literal,
    map_scripts,
    overlays,
    scripts_bundle,
)
from geo.webmap.style import legend

ASSETS = "/component/ui.assets.leaflet/"
STATIC = "/component/ui.assets.dlmap/"
BOUNDS = (106.89, 21.33, 107.36, 21.74)
PAYLOADS = [
    "<img src=x onerror=window.__pwned=1>",
    "<svg onload=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "${window.__pwned=1}",
    "`${1}`\\`",
    "D:\\du_lieu\\xa.shp",
]


def _walk(el):
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def _urls(m: folium.Map, groups: list[folium.FeatureGroup]) -> list[str]:
    urls = []
    for root in [m, *groups]:
        for el in _walk(root):
            urls += [u for _, u in getattr(el, "default_js", [])]
            urls += [u for _, u in getattr(el, "default_css", [])]
    return urls


def test_the_map_loads_only_local_assets(store: Store) -> None:
    frames = {lid: store.read(lid) for lid in ("district", "units", "ql4b_segments", "land_disputes")}
    m = base_map(BOUNDS, ASSETS, STATIC)
    groups = overlays(frames, MapState(tuple(frames)), {"units"})
    urls = _urls(m, groups)
    assert urls and all(u.startswith((ASSETS, STATIC)) for u in urls), urls
    # Leaflet first, then the map's own files, each a file of the package that the app serves.
    assert urls[0] == ASSETS + "leaflet.js" and STATIC + "dlmap.js" in urls and STATIC + "dlmap.css" in urls
    html = m.get_root().render()
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_an_app_map_asks_for_its_scripts_as_one_file_holding_each_in_order() -> None:
    """streamlit-folium awaits each script before asking for the next: the app's maps ask for one."""
    m = base_map(BOUNDS, ASSETS, STATIC, scripts_url="/component/ui.assets.mapjs/map-0123.js")
    assert _urls(m, [])[0] == "/component/ui.assets.mapjs/map-0123.js"
    assert [u for _, u in m.default_js] == ["/component/ui.assets.mapjs/map-0123.js"]
    bundle, files = scripts_bundle(), map_scripts()
    assert [f.name for f in files] == [
        "leaflet.js",
        "compact.js",
        "dlmap.js",
        "tiles.js",
        "leaflet-geoman.min.js",
        "draw.js",
    ]
    assert bundle.startswith("'use strict';\n")  # strict throughout, as each file already is where it runs
    at = [bundle.index(f"/* {f.name} */\n") for f in files]
    assert at == sorted(at)  # in load order
    for f in files:  # every line of every file is there, but a source-map comment naming another file
        lines = [x for x in f.read_text(encoding="utf-8").splitlines() if not x.startswith("//# sourceMappingURL")]
        assert "\n".join(lines) in bundle
    assert "sourceMappingURL" not in bundle


def test_folium_class_globals_are_never_touched() -> None:
    before = list(folium.Map.default_js), list(folium.Map.default_css)
    base_map(BOUNDS, ASSETS, STATIC)
    assert (list(folium.Map.default_js), list(folium.Map.default_css)) == before


def test_no_basemap_by_default_and_an_online_one_on_request(store: Store) -> None:
    frames = {"district": store.read("district")}
    offline = overlays(frames, MapState(("district",)), set())
    assert not any(isinstance(el, folium.TileLayer) for g in offline for el in _walk(g))
    online = overlays(frames, MapState(("district",), basemap="osm"), set())
    tiles = [el for g in online for el in _walk(g) if isinstance(el, folium.TileLayer)]
    assert len(tiles) == 1 and "openstreetmap" in tiles[0].tiles


def _hostile_units(store: Store) -> gpd.GeoDataFrame:
    units = store.read("units").head(len(PAYLOADS)).copy()
    units["name"] = PAYLOADS
    units["short_name"] = PAYLOADS
    return units


def _decoded_literals(js: str) -> list[object]:
    return [json.loads(base64.b64decode(s).decode()) for s in re.findall(r'atob\("([A-Za-z0-9+/=]*)"\)', js)]


def test_hostile_text_reaches_the_browser_only_as_inert_data(store: Store) -> None:
    m = base_map(BOUNDS, ASSETS, STATIC)
    groups = overlays({"units": _hostile_units(store)}, MapState(("units",)), {"units"})
    # What streamlit-folium actually sends, after its own rewriting of the script.
    sent = "".join(_get_feature_group_string(g, m, i) for i, g in enumerate(groups))
    sent += _get_map_string(m) + _get_header(m)
    for p in PAYLOADS:
        assert p not in sent
    for bad in ("<img", "<svg", "</script", "${", "`"):
        assert bad not in sent
    texts = json.dumps(_decoded_literals(sent), ensure_ascii=False)
    for p in PAYLOADS:  # every payload arrives intact, as text, in tooltips and labels
        assert json.dumps(p, ensure_ascii=False)[1:-1] in texts


def test_broken_geometries_are_dropped_not_sent() -> None:
    gdf = gpd.GeoDataFrame(
        {"code": ["a", "b", "c", "d"], "name": ["ok", "nan", "empty", "none"]},
        geometry=[
            Point(107, 21.5),
            Point(float("nan"), 21.5),
            Polygon(),
            None,
        ],
        crs=4326,
    )
    assert list(clean_geometries(gdf).code) == ["a"]
    fc = feature_collection(spec("units"), gdf.assign(short_name="x"), "vi")
    assert [f["properties"]["_k"] for f in fc["features"]] == ["a"]


def test_features_carry_their_status_colour_key_and_readable_tooltip(store: Store) -> None:
    seg = store.read("ql4b_segments")
    fc = feature_collection(spec("ql4b_segments"), seg, "vi")
    first = fc["features"][0]["properties"]
    row = seg.iloc[0]
    assert first["_k"] == row.seg_id and first["_l"] == "ql4b_segments"
    assert first["_c"] == spec("ql4b_segments").status(row.clearance_status).color
    assert first["_tip"][0][1] == row.seg_id
    assert first["_tip"][1] == ["Tình trạng GPMB", spec("ql4b_segments").status(row.clearance_status).vi]
    by_construction = feature_collection(spec("ql4b_segments"), seg, "en", status_field="construction_status")
    assert by_construction["features"][0]["properties"]["_c"] == (
        spec("ql4b_segments").status(row.construction_status, "construction_status").color
    )


def test_legend_lists_only_classes_present_with_counts(store: Store) -> None:
    seg = store.read("ql4b_segments")
    only_done = seg[seg.clearance_status == "done"]
    block = legend(spec("ql4b_segments"), only_done, "vi")
    assert [(i.label, i.count) for i in block.items] == [("Đã bàn giao mặt bằng", len(only_done))]
    full = legend(spec("ql4b_segments"), seg, "en")
    assert sum(i.count for i in full.items) == len(seg)
    order = [s.en for s in CATALOG["ql4b_segments"].statuses]
    assert [i.label for i in full.items] == [o for o in order if o in {i.label for i in full.items}]


def test_demo_badge_only_while_a_demo_feature_is_shown(store: Store) -> None:
    units = store.read("units")

    def has_badge(frame: gpd.GeoDataFrame, demo: set[str]) -> bool:
        groups = overlays({"units": frame}, MapState(("units",)), demo)
        m = base_map(BOUNDS, ASSETS, STATIC)
        sent = "".join(_get_feature_group_string(g, m, i) for i, g in enumerate(groups))
        return any(isinstance(d, dict) and d.get("type") == "badge" for d in _decoded_literals(sent))

    assert has_badge(units, set())  # the rows' own flags say demo
    assert not has_badge(units.assign(demo=0), {"units"})  # every row real: no badge, whatever the layer said
    plain = units.drop(columns="demo")  # a layer without row flags: its provenance decides
    assert has_badge(plain, {"units"})
    assert not has_badge(plain, set())


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legend_and_badge_follow_the_language(store: Store, lang: str) -> None:
    groups = overlays({"units": store.read("units")}, MapState(("units",), lang=lang), {"units"})
    m = base_map(BOUNDS, ASSETS, STATIC)
    sent = "".join(_get_feature_group_string(g, m, i) for i, g in enumerate(groups))
    specs = [d for d in _decoded_literals(sent) if isinstance(d, dict) and "type" in d]
    heading = {d["type"]: d for d in specs}
    assert heading["legend"]["heading"] == ("Chú giải" if lang == "vi" else "Legend")
    assert "Dữ liệu minh họa" in heading["badge"]["text"]


def test_a_layer_shown_again_is_not_rebuilt_and_any_change_in_it_is(store: Store) -> None:
    """The GeoJSON a rerun sends is kept per layer, language, colour field and content: the same features
    give the same text without rebuilding it; a changed value, a feature filtered out, another language or
    a moved vertex each give their own."""
    s = CATALOG["ql4b_segments"]
    seg = store.read("ql4b_segments")
    first = geojson_literal(s, seg, "vi")
    assert geojson_literal(s, seg.copy(), "vi") is first  # an equal frame read again: the kept text
    assert _decoded_literals(first)[0] == json.loads(json.dumps(feature_collection(s, seg, "vi")))
    changed = seg.copy()
    changed.loc[changed.index[0], "clearance_status"] = "done" if seg.clearance_status.iloc[0] != "done" else "blocked"
    moved = seg.copy()
    moved.loc[moved.index[0], "geometry"] = shapely.affinity.translate(seg.geometry.iloc[0], 1e-6)
    others = {
        geojson_literal(s, changed, "vi"),
        geojson_literal(s, seg.iloc[1:], "vi"),
        geojson_literal(s, seg, "en"),
        geojson_literal(s, seg, "vi", "construction_status"),
        geojson_literal(s, moved, "vi"),
    }
    assert first not in others and len(others) == 5
    for text in others:  # each is what building it afresh gives
        assert text.startswith("JSON.parse(")
    again = json.loads(json.dumps(feature_collection(s, changed, "vi")))
    assert _decoded_literals(geojson_literal(s, changed, "vi"))[0] == again
    # Text in a feature stays data: a kept literal is the encoded one, never the raw value.
    hostile = seg.copy()
    hostile["seg_id"] = PAYLOADS[2]
    assert PAYLOADS[2] not in geojson_literal(s, hostile, "vi")
