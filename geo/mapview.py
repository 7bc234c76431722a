"""The folium map builder: an offline base map and overlay feature groups.

* :class:`OfflineMap` is a ``folium.Map`` whose Leaflet assets come from a
  local URL (served by the app from the ``xstatic-leaflet`` package) or are
  inlined; it never touches folium's class-level CDN lists.
* Overlays are small :class:`branca.element.MacroElement` classes that emit
  JavaScript whose only data is a :func:`geo.safe.js_literal`. Tooltips,
  labels and legends are built in the browser with ``textContent``: attribute
  text is never parsed as HTML or code.
* Every function returns folium objects so tests can assert on what is sent
  to the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.catalog import CATALOG, LayerSpec
from geo.i18n import Lang, t
from geo.records import record
from geo.safe import js_literal
from geo.style import LegendBlock, feature_color, legend

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)
SELECTED_COLOR = "#00b8d9"

BASEMAPS: dict[str, dict[str, str]] = {
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": "© OpenStreetMap contributors",
    },
    "satellite": {
        "url": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "attr": "Tiles © Esri",
    },
}

_CSS = """
.leaflet-container { background: #dfe7ec; font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; }
.dl-label { background: none; border: none; }
.dl-label span { position: absolute; transform: translate(-50%, -50%); white-space: nowrap; pointer-events: none;
  color: #1f2d3d; font-weight: 600; font-size: 13px;
  text-shadow: -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff, 0 0 4px #fff; }
.dl-label-ql4b_stations span { font-size: 11px; color: #7f1d1d; font-weight: 700; transform: translate(6px, -50%); }
.dl-tip-title { font-weight: 700; margin-bottom: 2px; }
.dl-tip-k { color: #555; }
.dl-legend, .dl-badge { background: rgba(255,255,255,0.94); padding: 5px 8px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 12px; line-height: 1.3; }
.dl-legend[open] { max-height: 46vh; overflow-y: auto; max-width: 300px; }
.dl-legend-head { font-weight: 700; cursor: pointer; font-size: 13px; }
.dl-legend-title { font-weight: 700; margin-top: 4px; }
.dl-legend-row { display: flex; align-items: center; gap: 6px; }
.dl-sw { display: inline-block; width: 16px; height: 12px; flex: none; box-sizing: border-box; }
.dl-sw-line { height: 4px; }
.dl-sw-point { width: 12px; border-radius: 50%; }
.dl-legend-n { color: #666; margin-left: auto; padding-left: 8px; }
.dl-badge { background: #fff3cd; color: #7a4b00; border: 1px solid #e0b44c; font-weight: 700; }
"""


# -- assets -------------------------------------------------------------------
def leaflet_dir() -> str:
    """The folder of the ``xstatic-leaflet`` package that holds ``leaflet.js``."""
    import xstatic.pkg.leaflet as xl

    return str(xl.BASE_DIR)


class OfflineMap(folium.Map):
    """A ``folium.Map`` that loads Leaflet from ``asset_base`` instead of a CDN.

    Parameters
    ----------
    asset_base
        URL prefix under which ``leaflet.js`` and ``leaflet.css`` are served,
        ending in ``/`` (the Streamlit app serves the xstatic package there).
    **kwargs
        Passed to ``folium.Map``; ``tiles`` defaults to ``None`` (no basemap).

    """

    def __init__(self, asset_base: str, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        super().__init__(**kwargs)
        # Instance attributes shadow folium's class lists; the class (shared by
        # every session) is never modified.
        self.default_js = [("leaflet", asset_base + "leaflet.js")]
        self.default_css = [("leaflet_css", asset_base + "leaflet.css")]
        self.add_child(_Css())
        self.add_child(_MetricScale())


class _MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (folium's has miles too)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class _Css(MacroElement):
    _template = Template("{% macro header(this, kwargs) %}<style>" + _CSS + "</style>{% endmacro %}")


# -- overlay elements ------------------------------------------------------------
_GEOJSON_JS = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var o = {{ this.options }};
  function tip(f) {
    var d = document.createElement('div'), rows = f.properties._tip || [];
    for (var i = 0; i < rows.length; i++) {
      var r = document.createElement('div');
      if (i === 0) { r.className = 'dl-tip-title'; r.textContent = rows[i][1]; }
      else {
        var k = document.createElement('span'); k.className = 'dl-tip-k'; k.textContent = rows[i][0] + ': ';
        r.appendChild(k); r.appendChild(document.createTextNode(rows[i][1]));
      }
      d.appendChild(r);
    }
    return d;
  }
  function st(f) {
    var p = f.properties, s = Object.assign({}, o.paint);
    if (o.kind === 'polygon') { s.fillColor = p._c; } else if (o.kind === 'line') { s.color = p._c; }
    else { s.fillColor = p._c; }
    if (o.selected.indexOf(p._k) >= 0) {
      s.color = o.selColor; s.weight = (s.weight || 2) + 4; s.opacity = 1;
    }
    return s;
  }
  return L.geoJSON({{ this.data }}, {
    style: st,
    pointToLayer: function (f, ll) { return L.circleMarker(ll, st(f)); },
    onEachFeature: function (f, l) {
      l.bindTooltip(function () { return tip(f); }, {sticky: true, direction: 'top', opacity: 0.95});
    }
  });
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
"""


class SafeGeoJson(MacroElement):
    """A GeoJSON layer whose data and tooltips cannot inject markup or script.

    ``data`` is a FeatureCollection whose properties carry ``_c`` (colour),
    ``_k`` (feature key), ``_l`` (layer id) and ``_tip`` (label/text rows).
    """

    _template = Template(_GEOJSON_JS)

    def __init__(self, data: dict[str, Any], kind: str, paint: dict[str, Any], selected: list[str]) -> None:
        super().__init__()
        self._name = "SafeGeoJson"
        self.data = js_literal(data)
        self.options = js_literal({"kind": kind, "paint": paint, "selected": selected, "selColor": SELECTED_COLOR})


class Labels(MacroElement):
    """Permanent text labels at points: ``rows`` of ``[lat, lon, text]``."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var rows = {{ this.rows }}, cls = {{ this.cls }}, g = L.layerGroup();
  rows.forEach(function (r) {
    var s = document.createElement('span'); s.textContent = r[2];
    L.marker([r[0], r[1]], {icon: L.divIcon({className: 'dl-label ' + cls, html: s, iconSize: null}),
                            interactive: false, keyboard: false}).addTo(g);
  });
  return g;
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
""")

    def __init__(self, rows: list[list[Any]], layer_id: str) -> None:
        super().__init__()
        self._name = "Labels"
        self.rows = js_literal(rows)
        self.cls = js_literal("dl-label-" + re.sub(r"[^a-z0-9_-]", "", layer_id.lower()))


class ControlLayer(MacroElement):
    """A Leaflet control (legend, badge) wrapped as a layer, so that it comes
    and goes with the feature group that carries it.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var spec = {{ this.spec }};
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; return e; }
  function build() {
    if (spec.type === 'badge') { var b = el('div', 'dl-badge', spec.text); b.title = spec.title; return b; }
    var box = el('details', 'dl-legend'); box.open = spec.open;
    box.appendChild(el('summary', 'dl-legend-head', spec.heading));
    spec.blocks.forEach(function (blk) {
      box.appendChild(el('div', 'dl-legend-title', blk.title));
      blk.items.forEach(function (it) {
        var row = el('div', 'dl-legend-row'), sw = el('span', 'dl-sw dl-sw-' + blk.kind);
        sw.style.background = it.color;
        if (blk.kind !== 'line') sw.style.border = '1.5px solid ' + blk.stroke;
        row.appendChild(sw); row.appendChild(el('span', '', it.label));
        row.appendChild(el('span', 'dl-legend-n', it.count)); box.appendChild(row);
      });
    });
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    return box;
  }
  var Wrapper = L.Layer.extend({
    onAdd: function (map) { this._c = L.control({position: spec.position}); this._c.onAdd = build;
      this._c.addTo(map); return this; },
    onRemove: function () { if (this._c) { this._c.remove(); } return this; }
  });
  return new Wrapper();
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
""")

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ControlLayer"
        self.spec = js_literal(spec)


# -- from frames to folium objects -----------------------------------------------
def clean_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features whose geometry is missing, empty or has a non-finite
    coordinate: one NaN blanks a whole Leaflet map.
    """
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    coords_ok = np.array(
        [np.isfinite(shapely.get_coordinates(g)).all() if k else False for g, k in zip(geoms, ok, strict=True)],
        dtype=bool,
    )
    return gdf[ok & coords_ok]


def _paint(spec: LayerSpec, opacity: float = 1.0, themed: bool = False) -> dict[str, Any]:
    p = spec.paint
    # A base polygon layer coloured by a coded field (a choropleth) needs a fill that shows.
    fill = max(p.fill_opacity, 0.7) if themed and spec.geometry == "Polygon" else p.fill_opacity
    out: dict[str, Any] = {
        "color": p.color,
        "weight": p.weight,
        "opacity": p.opacity * opacity,
        "fillOpacity": fill * opacity,
    }
    if p.dash:
        out["dashArray"] = p.dash
    if spec.geometry == "Point":
        out["radius"] = p.radius
    if spec.geometry == "LineString":
        out["fill"] = False
    return out


def feature_collection(
    spec: LayerSpec, gdf: gpd.GeoDataFrame, lang: Lang, status_field: str | None = None
) -> dict[str, Any]:
    """The GeoJSON sent to the browser: geometry plus only what the map shows."""
    gdf = clean_geometries(gdf)
    sf = status_field or spec.status_field
    features = []
    keys = [k for k in spec.key.split(",")]
    geo = gdf.geometry.__geo_interface__["features"] if len(gdf) else []
    for (_, row), gfeat in zip(gdf.iterrows(), geo, strict=True):
        title_field = spec.tooltip[0] if spec.tooltip else spec.key
        tip = [["", record(spec, row, (title_field,), lang)[0][1]]]
        tip += [list(pair) for pair in record(spec, row, spec.tooltip[1:], lang)]
        color = feature_color(spec, row.get(sf) if sf else None, sf)
        features.append(
            {
                "type": "Feature",
                "geometry": gfeat["geometry"],
                "properties": {"_l": spec.id, "_k": ",".join(str(row.get(k)) for k in keys), "_c": color, "_tip": tip},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _label_point(geom: Any) -> Any:
    """Where a polygon's label reads best: the point farthest from its edges."""
    from shapely.ops import polylabel

    poly = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    return polylabel(poly, tolerance=1e-4)


def _kind(spec: LayerSpec) -> str:
    return {"Polygon": "polygon", "LineString": "line", "Point": "point"}[spec.geometry or "Polygon"]


def layer_group(
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    lang: Lang,
    selected: str | list[str] | None = None,
    status_field: str | None = None,
    opacity: float = 1.0,
) -> folium.FeatureGroup:
    """A feature group holding one catalog layer (and its labels, if it has a label field).

    ``status_field`` colours the features by another coded field (default: the status);
    ``opacity`` scales the layer's stroke and fill opacity.
    """
    fg = folium.FeatureGroup(control=False)
    data = feature_collection(spec, gdf, lang, status_field)
    themed = status_field is not None and status_field != spec.status_field
    keys = [selected] if isinstance(selected, str) else list(selected or [])
    SafeGeoJson(data, _kind(spec), _paint(spec, opacity, themed), keys).add_to(fg)
    if spec.label_field and len(gdf):
        clean = clean_geometries(gdf)
        pts = [g if g.geom_type == "Point" else _label_point(g) for g in clean.geometry]
        rows = [[p.y, p.x, str(v)] for p, v in zip(pts, clean[spec.label_field], strict=True)]
        Labels(rows, spec.id).add_to(fg)
    return fg


@dataclass(frozen=True)
class MapState:
    """What a page asks the map to show; only plain values, fit for session state."""

    layers: tuple[str, ...]
    lang: Lang = "vi"
    basemap: str = "none"
    selected: tuple[str, str] | None = None  # (layer id, feature key)
    color_by: tuple[tuple[str, str], ...] = ()  # (layer id, coded field) pairs
    opacity: float = 1.0
    highlight: tuple[tuple[str, str], ...] = ()  # more (layer id, feature key) pairs drawn as selected

    def color_field(self, layer_id: str) -> str | None:
        """The coded field that colours ``layer_id`` (``None``: its status field)."""
        return dict(self.color_by).get(layer_id)


def legend_control(blocks: list[LegendBlock], lang: Lang) -> ControlLayer:
    """The in-map legend of the visible layers."""
    return ControlLayer(
        {
            "type": "legend",
            "position": "bottomright",
            "heading": t("map.legend", lang),
            "open": False,  # the page shows the same legend beside the map; open it for full screen
            "blocks": [
                {
                    "title": b.title,
                    "kind": b.kind,
                    "stroke": b.stroke,
                    "items": [{"label": i.label, "color": i.color, "count": i.count} for i in b.items],
                }
                for b in blocks
            ],
        }
    )


def demo_badge(lang: Lang) -> ControlLayer:
    """The "Dữ liệu minh họa" badge shown while any demo layer is on the map."""
    return ControlLayer(
        {"type": "badge", "position": "topright", "text": t("demo.badge", lang), "title": t("demo.note", lang)}
    )


def legend_blocks(frames: dict[str, gpd.GeoDataFrame], state: MapState) -> list[LegendBlock]:
    """The legend of every visible layer but the district outline, in drawing order."""
    blocks = []
    for lid in sorted(state.layers, key=lambda i: CATALOG[i].z if i in CATALOG else 100):
        if lid in frames and lid in CATALOG and lid != "district":
            blocks.append(legend(CATALOG[lid], frames[lid], state.lang, state.color_field(lid)))
    return blocks


def overlays(frames: dict[str, gpd.GeoDataFrame], state: MapState, demo_layers: set[str]) -> list[folium.FeatureGroup]:
    """Every feature group the map shows for ``state``: basemap, layers, legend, badge.

    ``frames`` holds the (already filtered) features of each visible layer.
    """
    groups: list[folium.FeatureGroup] = []
    if state.basemap in BASEMAPS:
        fg = folium.FeatureGroup(control=False)
        folium.TileLayer(BASEMAPS[state.basemap]["url"], attr=BASEMAPS[state.basemap]["attr"], max_zoom=19).add_to(fg)
        groups.append(fg)
    for lid in sorted(state.layers, key=lambda i: CATALOG[i].z if i in CATALOG else 100):
        if lid not in frames or lid not in CATALOG:
            continue
        spec = CATALOG[lid]
        sel = [k for layer, k in (*((state.selected,) if state.selected else ()), *state.highlight) if layer == lid]
        field = state.color_field(lid)
        opacity = 1.0 if spec.theme == "base" and field is None else state.opacity
        groups.append(layer_group(spec, frames[lid], state.lang, sel, field, opacity))
    extras = folium.FeatureGroup(control=False)
    blocks = legend_blocks(frames, state)
    if blocks:
        legend_control(blocks, state.lang).add_to(extras)
    if demo_layers & set(state.layers):
        demo_badge(state.lang).add_to(extras)
    groups.append(extras)
    return groups


def feature_view(geom: Any, width_px: int = 800, height_px: int = 600, max_zoom: int = 16) -> tuple[list[float], int]:
    """``([lat, lon], zoom)`` that shows ``geom`` (WGS 84) whole in a map of the given size."""
    import math

    w, s, e, n = geom.bounds
    centre = [(s + n) / 2, (w + e) / 2]
    if e - w < 1e-9 and n - s < 1e-9:
        return centre, max_zoom
    # Web Mercator: 256 px span 360° of longitude at zoom 0; latitude span scaled by cos(lat).
    lon_zoom = math.log2(width_px * 360 / (256 * max(e - w, 1e-9)))
    lat_zoom = math.log2(height_px * 360 * math.cos(math.radians(centre[0])) / (256 * max(n - s, 1e-9)))
    return centre, max(8, min(max_zoom, int(min(lon_zoom, lat_zoom) - 0.5)))


def base_map(bounds: Bounds, asset_base: str, **kwargs: Any) -> OfflineMap:
    """The map that never changes during a session: fitted to ``bounds``, no data.

    Data travel as :func:`overlays`, so a filter change does not rebuild it.
    """
    w, s, e, n = bounds
    m = OfflineMap(
        asset_base,
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=11,
        control_scale=False,
        zoom_snap=0.25,  # fit the district snugly rather than a whole zoom level out
        zoom_delta=0.5,
        min_zoom=8,
        max_zoom=18,
        **kwargs,
    )
    m.fit_bounds([[s, w], [n, e]])
    return m
