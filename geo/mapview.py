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
from typing import Any, Protocol

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
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
.leaflet-container.dl-picking, .leaflet-container.dl-picking .leaflet-interactive { cursor: crosshair; }
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
        self.add_child(_Js())
        self.add_child(_Panes())
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


# streamlit-folium reports a click 250 ms after it happens (a debounce meant for panning). A click
# on a feature is reported at once: the value is the one its debounced report would send (the same
# keys in the same order), stored as its last report so that report does not send it again.
_REPORT_JS = """
window.__dlReportNow = function (map) {
  var gd = window.__GLOBAL_DATA__;
  if (!gd || !window.Streamlit || !gd.returned_objects) return;
  var all = {last_active_drawing: gd.last_active_drawing, bounds: map.getBounds()}, data = {};
  for (var i = 0; i < gd.returned_objects.length; i++) {
    var k = gd.returned_objects[i];
    if (!(k in all)) return;  // a value only streamlit-folium knows how to compute: leave it its debounce
  }
  ['last_active_drawing', 'bounds'].forEach(function (k) {
    if (gd.returned_objects.indexOf(k) >= 0) data[k] = all[k];
  });
  if (JSON.stringify(gd.previous_data) !== JSON.stringify(data)) {
    gd.previous_data = data; window.Streamlit.setComponentValue(data);
  }
};
"""


class _Panes(MacroElement):
    """Two panes under the vector overlays: layers drawn below a large canvas layer, and the canvas itself."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.createPane('dlBelow').style.zIndex = 350;
{{ this._parent.get_name() }}.createPane('dlBig').style.zIndex = 375;
{% endmacro %}
""")


class _Js(MacroElement):
    # In the map's script, not its header: streamlit-folium adds the header as markup, whose scripts never run.
    _template = Template("{% macro script(this, kwargs) %}" + _REPORT_JS + "{% endmacro %}")


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
  var opts = o.pane ? {pane: o.pane, interactive: o.interactive} : {interactive: o.interactive};
  return L.geoJSON({{ this.data }}, Object.assign(opts, {
    style: st,
    pointToLayer: function (f, ll) { return L.circleMarker(ll, Object.assign({}, opts, st(f))); },
    onEachFeature: function (f, l) {
      l.bindTooltip(function () { return tip(f); }, {sticky: true, direction: 'top', opacity: 0.95});
      // After streamlit-folium's own click handler (bound when the layer is added) has recorded it.
      l.on('click', function () { setTimeout(function () {
        if (window.__dlReportNow && l._map) window.__dlReportNow(l._map); }, 0); });
    }
  }));
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

    def __init__(
        self,
        data: dict[str, Any],
        kind: str,
        paint: dict[str, Any],
        selected: list[str],
        pane: str | None = None,
        interactive: bool = True,
    ) -> None:
        super().__init__()
        self._name = "SafeGeoJson"
        self.data = js_literal(data)
        self.options = js_literal(
            {
                "kind": kind,
                "paint": paint,
                "selected": selected,
                "selColor": SELECTED_COLOR,
                "pane": pane,
                "interactive": interactive,
            }
        )


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


class PickMode(MacroElement):
    """While a planner picks a point's position: the map reports clicks on it (streamlit-folium's
    ``last_clicked``, which it otherwise leaves out, so that nobody else's clicks rerun the page) and
    shows a crosshair. It comes and goes with the feature group that carries it.

    streamlit-folium reads ``returned_objects`` once, when the map mounts; this edits its frontend's
    copy (``window.__GLOBAL_DATA__``). That is its internal state: the version is pinned, and the
    browser test of picking fails if an upgrade changes it.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  function objects() { var g = window.__GLOBAL_DATA__; return g && g.returned_objects; }
  var Pick = L.Layer.extend({
    onAdd: function (map) {
      var r = objects();
      if (r && r.indexOf('last_clicked') < 0) {
        window.__GLOBAL_DATA__.lat_lng_clicked = null;  // a click made before picking places nothing
        r.push('last_clicked');
      }
      map.getContainer().classList.add('dl-picking');
      return this;
    },
    onRemove: function (map) {
      var r = objects(), i = r ? r.indexOf('last_clicked') : -1;
      if (i >= 0) r.splice(i, 1);
      map.getContainer().classList.remove('dl-picking');
      return this;
    }
  });
  return new Pick();
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PickMode"


# -- large layers: compact files drawn on a canvas ----------------------------------
BIG_LAYER = 800  # features: above this a layer travels as compact files drawn on a canvas

_COMPACT_JS = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var o = {{ this.options }};
  var C = window.__dlCompact = window.__dlCompact || {files: {}, drawn: {}};
  function bytes(b64) { var s = atob(b64), u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; }
  function inflate(buf) {
    return new Response(new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  }
  function load(src) {  // fetched (or inlined) and inflated, on this thread
    var raw = src.url ? fetch(src.url).then(function (r) {
      if (!r.ok) throw new Error('map data ' + r.status); return r.arrayBuffer(); })
      : Promise.resolve(bytes(src.b64).buffer);
    return raw.then(inflate);
  }
  // A geometry file of a million vertices is fetched, inflated and decoded in a worker, so the page
  // (rendering its panels at the same moment) never waits on it; inline, or without workers, here.
  function worker() {
    if (C.worker !== undefined) return C.worker;
    try {
      var code = 'var geometry = ' + geometry.toString() + ';\\n' +
        'var inflate = ' + inflate.toString() + ';\\n' +
        'onmessage = function (e) { fetch(e.data.url).then(function (r) {' +
        '  if (!r.ok) throw new Error("map data " + r.status); return r.arrayBuffer(); })' +
        '  .then(inflate).then(function (buf) { var g = geometry(buf);' +
        '    postMessage({url: e.data.url, g: g}, [g.fRing.buffer, g.rStart.buffer, g.rCount.buffer,' +
        '      g.xs.buffer, g.ys.buffer, g.box.buffer]); })' +
        '  .catch(function (err) { postMessage({url: e.data.url, error: String(err)}); }); };';
      var w = new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
      var waiting = {};
      w.onmessage = function (e) {
        var p = waiting[e.data.url]; delete waiting[e.data.url];
        if (e.data.error) p.reject(new Error(e.data.error)); else p.resolve(e.data.g);
      };
      w.onerror = function () {  // refused by a content policy, say: decode here after all
        C.worker = null;
        Object.keys(waiting).forEach(function (u) {
          var p = waiting[u]; delete waiting[u];
          load({url: u}).then(geometry).then(p.resolve, p.reject);
        });
      };
      C.worker = {ask: function (url) { return new Promise(function (resolve, reject) {
        waiting[url] = {resolve: resolve, reject: reject}; w.postMessage({url: url}); }); }};
    } catch (err) { C.worker = null; }  // a policy that forbids workers: decode here
    return C.worker;
  }
  function file(src, decode) {  // one fetch per file per page: geometry is kept across reruns
    var id = src.url || src.b64.slice(0, 64) + src.b64.length;
    if (!C.files[id]) {
      var w = decode && src.url && worker();
      C.files[id] = w ? w.ask(new URL(src.url, location.href).href)
        : load(src).then(function (buf) { return decode ? geometry(buf) : buf; });
    }
    return C.files[id];
  }
  function geometry(buf) {
    var dv = new DataView(buf), n = dv.getUint32(4, true), kind = dv.getUint8(8);
    var q = dv.getFloat64(28, true), nr = dv.getUint32(36, true), nv = dv.getUint32(40, true);
    var nb = dv.getUint32(44, true), u = new Uint8Array(buf, 48, nb), p = 0;
    function rv() { var r = 0, m = 1, b; do { b = u[p++]; r += (b & 127) * m; m *= 128; } while (b & 128); return r; }
    function zz(v) { return v % 2 ? -(v + 1) / 2 : v / 2; }
    // Web Mercator metres → Leaflet's pixels at zoom 0 (256 across the world): linear, no trigonometry.
    var E = 20037508.342789244, k0 = 256 / (2 * E);
    var fRing = new Int32Array(n + 1), rStart = new Int32Array(nr), rCount = new Int32Array(nr);
    var xs = new Float64Array(nv), ys = new Float64Array(nv), box = new Float64Array(4 * n);
    var x = Math.round(dv.getFloat64(12, true) / q), y = Math.round(dv.getFloat64(20, true) / q), ri = 0, vi = 0;
    for (var i = 0; i < n; i++) {
      fRing[i] = ri; var rings = rv(), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var r = 0; r < rings; r++) {
        var k = rv(); rStart[ri] = vi; rCount[ri] = k; ri++;
        for (var j = 0; j < k; j++) {
          x += zz(rv()); y += zz(rv());
          var X = (x * q + E) * k0, Y = (E - y * q) * k0;
          xs[vi] = X; ys[vi] = Y; vi++;
          if (X < x0) x0 = X; if (X > x1) x1 = X; if (Y < y0) y0 = Y; if (Y > y1) y1 = Y;
        }
      }
      box[4 * i] = x0; box[4 * i + 1] = y0; box[4 * i + 2] = x1; box[4 * i + 3] = y1;
    }
    fRing[n] = ri;
    var kl = dv.getUint32(48 + nb, true);
    var keys = n ? new TextDecoder().decode(new Uint8Array(buf, 52 + nb, kl)).split('\\n') : [];
    return {n: n, kind: kind, fRing: fRing, rStart: rStart, rCount: rCount, xs: xs, ys: ys, box: box, keys: keys};
  }
  var Layer = L.Layer.extend({
    onAdd: function (map) {
      var self = this;
      C.layers = C.layers || {}; C.layers[o.id] = this;  // for tests and benchmarks: what is drawn where
      this._c = L.DomUtil.create('canvas', 'dl-compact leaflet-zoom-hide');
      this._c.style.pointerEvents = 'none';
      (map.getPane('dlBig') || map.getPane('overlayPane')).appendChild(this._c);
      map.on('moveend zoomend resize viewreset', this._draw, this);
      map.on('click', this._click, this);
      map.on('mousemove', this._hover, this);
      this._ready = Promise.all([file(o.geom, true), file(o.style, false)]).then(function (b) {
        self._g = b[0]; self._s = new Uint8Array(b[1]); self._draw();
      }).catch(function (e) { console.error(e); });
      return this;
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this._draw, this);
      map.off('click', this._click, this); map.off('mousemove', this._hover, this);
      if (this._tip) { map.closeTooltip(this._tip); }
      L.DomUtil.remove(this._c); this._map = null;
      return this;
    },
    _frame: function () {
      var map = this._map, z = Math.pow(2, map.getZoom()), tl = map.containerPointToLayerPoint([0, 0]);
      var po = map.getPixelOrigin();
      return {z: z, ox: po.x + tl.x, oy: po.y + tl.y, tl: tl, size: map.getSize()};
    },
    _path: function (ctx, g, i, f) {
      for (var r = g.fRing[i]; r < g.fRing[i + 1]; r++) {
        var a = g.rStart[r], k = g.rCount[r];
        for (var j = 0; j < k; j++) {
          var px = g.xs[a + j] * f.z - f.ox, py = g.ys[a + j] * f.z - f.oy;
          if (g.kind === 1) { ctx.moveTo(px + o.paint.radius, py); ctx.arc(px, py, o.paint.radius, 0, 6.2832); }
          else if (j === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
        }
        if (g.kind === 3) ctx.closePath();
      }
    },
    _draw: function () {
      if (!this._map || !this._g) return;
      var g = this._g, s = this._s, f = this._frame(), c = this._c;
      var dpr = window.devicePixelRatio || 1, w = f.size.x, h = f.size.y;
      L.DomUtil.setPosition(c, f.tl);
      c.width = w * dpr; c.height = h * dpr; c.style.width = w + 'px'; c.style.height = h + 'px';
      var ctx = c.getContext('2d'); ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      var P = o.paint, drawn = 0, sel = {}, selIdx = [];
      o.selected.forEach(function (k) { sel[k] = 1; });
      ctx.lineJoin = 'round';
      // Skia fills a path in time that grows faster than its size: flush every few dozen features.
      function flush(cls, big, dots) {
        var col = o.palette[cls];
        if (g.kind === 2) {
          ctx.globalAlpha = P.opacity; ctx.strokeStyle = col; ctx.lineWidth = P.weight; ctx.stroke(big);
        } else {
          ctx.globalAlpha = P.fillOpacity; ctx.fillStyle = col; ctx.fill(big, 'evenodd'); ctx.fill(dots);
          ctx.globalAlpha = P.opacity; ctx.strokeStyle = P.color; ctx.lineWidth = P.weight; ctx.stroke(big);
        }
      }
      for (var cls = 0; cls < o.palette.length; cls++) {
        var big = new Path2D(), dots = new Path2D(), k = 0;
        for (var i = 0; i < g.n; i++) {
          if (s[i] !== cls) continue;
          var x0 = g.box[4 * i] * f.z - f.ox, y0 = g.box[4 * i + 1] * f.z - f.oy;
          var x1 = g.box[4 * i + 2] * f.z - f.ox, y1 = g.box[4 * i + 3] * f.z - f.oy;
          if (x1 < -20 || y1 < -20 || x0 > w + 20 || y0 > h + 20) continue;
          drawn++;
          if (sel[g.keys[i]]) selIdx.push(i);
          if (g.kind === 3 && x1 - x0 < 2.5 && y1 - y0 < 2.5) {  // under a few pixels: a dot reads the same
            dots.rect(x0, y0, Math.max(x1 - x0, 1.5), Math.max(y1 - y0, 1.5));
          } else { this._path(big, g, i, f); }
          if (++k === 48) { flush(cls, big, dots); big = new Path2D(); dots = new Path2D(); k = 0; }
        }
        if (k) flush(cls, big, dots);
      }
      if (selIdx.length) {
        var sp = new Path2D(); selIdx.forEach(function (i) { this._path(sp, g, i, f); }, this);
        ctx.globalAlpha = 1; ctx.strokeStyle = o.selColor; ctx.lineWidth = (P.weight || 2) + 4; ctx.stroke(sp);
      }
      C.drawn[o.id] = {total: g.n, drawn: drawn, style: o.style.url || 'inline'};
    },
    pointOf: function (i) {  // the container point of feature i's box centre (tests click there)
      var g = this._g, z = Math.pow(2, this._map.getZoom());
      var ll = this._map.unproject(L.point((g.box[4 * i] + g.box[4 * i + 2]) / 2 * z,
                                           (g.box[4 * i + 1] + g.box[4 * i + 3]) / 2 * z), this._map.getZoom());
      return this._map.latLngToContainerPoint(ll);
    },
    _hit: function (e) {
      var g = this._g, s = this._s; if (!g) return -1;
      var map = this._map, p = map.project(e.latlng, 0), tol = 4 / Math.pow(2, map.getZoom());
      if (g.kind === 1) tol = (o.paint.radius + 2) / Math.pow(2, map.getZoom());
      for (var i = g.n - 1; i >= 0; i--) {
        if (s[i] === 255) continue;
        if (p.x < g.box[4 * i] - tol || p.x > g.box[4 * i + 2] + tol ||
            p.y < g.box[4 * i + 1] - tol || p.y > g.box[4 * i + 3] + tol) continue;
        if (g.kind !== 3) return i;  // a point or a line whose box (with the tolerance) holds the click
        var inside = false;
        for (var r = g.fRing[i]; r < g.fRing[i + 1]; r++) {
          var a = g.rStart[r], k = g.rCount[r];
          for (var j = 0, m = k - 1; j < k; m = j++) {
            var xi = g.xs[a + j], yi = g.ys[a + j], xj = g.xs[a + m], yj = g.ys[a + m];
            if ((yi > p.y) !== (yj > p.y) && p.x < (xj - xi) * (p.y - yi) / (yj - yi) + xi) inside = !inside;
          }
        }
        if (inside) return i;
      }
      return -1;
    },
    _over: function (e) {  // a layer drawn above the canvas (a point, a line) has the pointer
      var tg = e.originalEvent && e.originalEvent.target;
      return !!(tg && tg.classList && tg.classList.contains('leaflet-interactive'));
    },
    _click: function (e) {
      if (this._over(e)) return;
      var i = this._hit(e); if (i < 0) return;
      var props = {_l: o.id, _k: this._g.keys[i]};
      this.fire('click', {latlng: e.latlng, layer: {toGeoJSON: function () {
        return {type: 'Feature', properties: props, geometry: null}; }}});
      if (window.__dlReportNow) window.__dlReportNow(this._map);
    },
    _hover: function (e) {
      var i = this._over(e) ? -1 : this._hit(e), map = this._map;
      map.getContainer().style.cursor = i < 0 ? '' : 'pointer';
      if (i < 0) { if (this._tip) { map.closeTooltip(this._tip); this._tip = null; } return; }
      var d = document.createElement('div'), t = document.createElement('div');
      t.className = 'dl-tip-title'; t.textContent = this._g.keys[i]; d.appendChild(t);
      var lab = o.labels[this._s[i]];
      if (lab) { var l2 = document.createElement('div'); l2.textContent = lab; d.appendChild(l2); }
      if (!this._tip) this._tip = L.tooltip({direction: 'top', opacity: 0.95});
      this._tip.setLatLng(e.latlng).setContent(d);
      if (!map.hasLayer(this._tip)) map.openTooltip(this._tip);
    }
  });
  return new Layer();
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
"""


class CompactLayer(MacroElement):
    """A large layer drawn on a canvas from two compact files (see :mod:`geo.compact`).

    ``geom`` and ``style`` are ``{"url": …}`` (fetched, and kept by the page across
    reruns) or ``{"b64": …}`` (inline, for a standalone HTML file); both gzip-compressed. ``palette`` and
    ``labels`` are indexed by the style byte; text reaches the page only through
    ``textContent``.
    """

    _template = Template(_COMPACT_JS)

    def __init__(
        self,
        layer_id: str,
        geom: dict[str, Any],
        style: dict[str, Any],
        palette: list[str],
        labels: list[str],
        paint: dict[str, Any],
        selected: list[str],
    ) -> None:
        super().__init__()
        self._name = "CompactLayer"
        self.options = js_literal(
            {
                "id": layer_id,
                "geom": geom,
                "style": style,
                "palette": palette,
                "labels": labels,
                "paint": {"radius": 5, **paint},  # a line layer's paint has no radius
                "selected": selected,
                "selColor": SELECTED_COLOR,
            }
        )


class Publisher(Protocol):
    """Where a large layer's files go: the app serves them by URL; an HTML file inlines them."""

    def geometry(self, spec: LayerSpec) -> tuple[dict[str, Any], pd.Index]:
        """The source of the whole layer's geometry file, and the row labels in its order."""
        ...

    def put(self, blob: bytes) -> dict[str, Any]:
        """The source of a small content-addressed file (a style)."""
        ...

    def size(self, spec: LayerSpec) -> int:
        """How many features the whole layer has (not only those shown)."""
        ...


class InlinePublisher:
    """Files carried inside the page (a standalone HTML export): the layer is what ``frames`` holds."""

    def __init__(self, frames: dict[str, gpd.GeoDataFrame]) -> None:
        self.frames = frames

    def geometry(self, spec: LayerSpec) -> tuple[dict[str, Any], pd.Index]:
        """Encode the frame's own features."""
        gdf = clean_geometries(self.frames[spec.id])
        return self.put(geometry_file(spec, gdf)), gdf.index

    def size(self, spec: LayerSpec) -> int:
        """The frame's size."""
        return len(self.frames[spec.id])

    def put(self, blob: bytes) -> dict[str, Any]:
        """Inline, gzip-compressed, as base64."""
        import base64

        from geo.compact import gz

        return {"b64": base64.b64encode(gz(blob)).decode("ascii")}


def geometry_file(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> bytes:
    """The compact geometry file of ``gdf`` (already cleaned), keyed by the layer's business key."""
    from geo.compact import encode_geometry

    return encode_geometry(gdf.geometry.values, feature_keys(spec, gdf), spec.geometry or "Polygon")


def feature_keys(spec: LayerSpec, gdf: pd.DataFrame) -> list[str]:
    """Each feature's business key as the map and the URL carry it (``a,b`` for a key of two fields)."""
    cols = spec.key.split(",")
    return [",".join(str(v) for v in row) for row in gdf[cols].itertuples(index=False)]


def compact_group(
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    lang: Lang,
    publisher: Publisher,
    selected: list[str],
    status_field: str | None = None,
    opacity: float = 1.0,
) -> folium.FeatureGroup:
    """A feature group holding a large layer as a :class:`CompactLayer`: ``gdf`` is what is shown."""
    from geo.compact import classes, encode_style

    src, order = publisher.geometry(spec)
    sf = status_field or spec.status_field
    statuses = spec.codes(sf) if sf else ()
    codes = [s.value for s in statuses]
    shown = gdf[gdf.index.isin(order)]
    positions = order.get_indexer(shown.index)
    cls = classes(shown[sf], codes) if sf and sf in shown.columns else np.full(len(shown), len(codes), np.uint8)
    style = publisher.put(encode_style(len(order), positions, cls))
    palette = [feature_color(spec, c, sf) for c in codes] + [feature_color(spec, None)]
    labels = [s.label(lang) for s in statuses] + [""]  # the last: values the catalog does not code
    themed = status_field is not None and status_field != spec.status_field
    fg = folium.FeatureGroup(control=False)
    CompactLayer(spec.id, src, style, palette, labels, _paint(spec, opacity, themed), selected).add_to(fg)
    return fg


# -- from frames to folium objects -----------------------------------------------
def clean_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features whose geometry is missing, empty or has a non-finite
    coordinate: one NaN blanks a whole Leaflet map.
    """
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    coords, owner = shapely.get_coordinates(geoms, include_z=False, return_index=True)
    nonfinite = np.bincount(owner[~np.isfinite(coords).all(axis=1)], minlength=len(gdf)) > 0
    return gdf[ok & ~nonfinite]


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
    geo = gdf.geometry.__geo_interface__["features"] if len(gdf) else []
    for (_, row), gfeat, key in zip(gdf.iterrows(), geo, feature_keys(spec, gdf), strict=True):
        title_field = spec.tooltip[0] if spec.tooltip else spec.key
        tip = [["", record(spec, row, (title_field,), lang)[0][1]]]
        tip += [list(pair) for pair in record(spec, row, spec.tooltip[1:], lang)]
        color = feature_color(spec, row.get(sf) if sf else None, sf)
        features.append(
            {
                "type": "Feature",
                "geometry": gfeat["geometry"],
                "properties": {"_l": spec.id, "_k": key, "_c": color, "_tip": tip},
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
    below: bool = False,
) -> folium.FeatureGroup:
    """A feature group holding one catalog layer (and its labels, if it has a label field).

    ``status_field`` colours the features by another coded field (default: the status);
    ``opacity`` scales the layer's stroke and fill opacity. ``below``: the layer lies under a
    large canvas layer, drawn beneath it and leaving the pointer to it.
    """
    fg = folium.FeatureGroup(control=False)
    data = feature_collection(spec, gdf, lang, status_field)
    themed = status_field is not None and status_field != spec.status_field
    keys = [selected] if isinstance(selected, str) else list(selected or [])
    pane = "dlBelow" if below else None
    SafeGeoJson(data, _kind(spec), _paint(spec, opacity, themed), keys, pane, interactive=not below).add_to(fg)
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
    picking: bool = False  # a planner is picking a point's position: clicks on the map come back
    pin: tuple[float, float] | None = None  # (lon, lat) they picked

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


PIN_COLOR = "#d6336c"  # not a status colour of any layer


def pin_marker(lon: float, lat: float) -> folium.CircleMarker:
    """Where a planner clicked to place a point: a dashed ring, not a feature."""
    return folium.CircleMarker(
        [lat, lon],
        radius=10,
        color=PIN_COLOR,
        weight=3,
        dash_array="4 3",
        fill=True,
        fill_color=PIN_COLOR,
        fill_opacity=0.25,
        interactive=False,  # a click on it places the pin again, it does not open anything
        class_name="dl-pin",
    )


def legend_blocks(frames: dict[str, gpd.GeoDataFrame], state: MapState) -> list[LegendBlock]:
    """The legend of every visible layer but the district outline, in drawing order."""
    blocks = []
    for lid in sorted(state.layers, key=lambda i: CATALOG[i].z if i in CATALOG else 100):
        if lid in frames and lid in CATALOG and lid != "district":
            blocks.append(legend(CATALOG[lid], frames[lid], state.lang, state.color_field(lid)))
    return blocks


def overlays(
    frames: dict[str, gpd.GeoDataFrame],
    state: MapState,
    demo_layers: set[str],
    publisher: Publisher | None = None,
) -> list[folium.FeatureGroup]:
    """Every feature group the map shows for ``state``: basemap, layers, legend, badge.

    ``frames`` holds the (already filtered) features of each visible layer. A layer of more
    than :data:`BIG_LAYER` features travels as compact files through ``publisher`` (the app's
    URLs; by default inlined in the page) and is drawn on a canvas.
    """
    groups: list[folium.FeatureGroup] = []
    if state.basemap in BASEMAPS:
        fg = folium.FeatureGroup(control=False)
        folium.TileLayer(BASEMAPS[state.basemap]["url"], attr=BASEMAPS[state.basemap]["attr"], max_zoom=19).add_to(fg)
        groups.append(fg)
    pub = publisher or InlinePublisher(frames)
    shown = [lid for lid in state.layers if lid in frames and lid in CATALOG]
    big = {lid for lid in shown if CATALOG[lid].geometry and pub.size(CATALOG[lid]) > BIG_LAYER}
    big_z = min((CATALOG[lid].z for lid in big), default=None)
    for lid in sorted(shown, key=lambda i: CATALOG[i].z):
        spec = CATALOG[lid]
        sel = [k for layer, k in (*((state.selected,) if state.selected else ()), *state.highlight) if layer == lid]
        field = state.color_field(lid)
        opacity = 1.0 if spec.theme == "base" and field is None else state.opacity
        if lid in big:  # by the whole layer's size: a filter never switches paths
            groups.append(compact_group(spec, frames[lid], state.lang, pub, sel, field, opacity))
        else:
            below = big_z is not None and spec.z < big_z
            groups.append(layer_group(spec, frames[lid], state.lang, sel, field, opacity, below))
    extras = folium.FeatureGroup(control=False)
    blocks = legend_blocks(frames, state)
    if blocks:
        legend_control(blocks, state.lang).add_to(extras)
    if demo_layers & set(state.layers):
        demo_badge(state.lang).add_to(extras)
    if state.picking:
        PickMode().add_to(extras)
    if state.pin is not None:
        pin_marker(*state.pin).add_to(extras)
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
