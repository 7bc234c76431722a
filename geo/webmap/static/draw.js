/* Drawing and measuring on the map, with Leaflet-Geoman (served by the app from the pinned npm package,
 * vendored under geo/webmap/static/vendor; see the Makefile's `vendor` target).
 *
 * Everyone measures: a distance or an area, shown live while the line or polygon is drawn, in m, km and
 * ha, measured on the national grid (VN-2000 / TM-3 107°15′, EPSG:9215) as the engine measures it
 * (geo/store/geometry_edit.py re-measures every saved shape; this is the live figure). Planners also draw a point,
 * a line or a polygon, edit its vertices, move it, cut a hole, snap to the features and unit boundaries on
 * the map, and undo. The shape being drawn is reported to the page as streamlit-folium reports a click
 * (`last_active_drawing`, its properties carrying `_draw`), where the form under the map takes it.
 *
 * The first part holds no Leaflet and runs under Node too (tests/js/draw.test.js).
 */
/* global L */
(function (root) {
  'use strict';

  // -- the national grid: VN-2000 / TM-3 107°15′ (EPSG:9215) --------------------------------------------
  // Transverse Mercator by Krüger's series (to a millimetre within a zone) on the WGS 84 ellipsoid, which
  // VN-2000 shares. The datum's shift moves positions by some hundred metres and areas by less than a
  // millionth: the engine applies it; a live figure does not need it.
  var A_ = 6378137, F_ = 1 / 298.257223563, K0 = 0.9999, LON0 = 107.25, FE = 500000;
  var N_ = F_ / (2 - F_);
  var RA = (A_ / (1 + N_)) * (1 + (N_ * N_) / 4 + (N_ * N_ * N_ * N_) / 64);
  var ALPHA = [
    N_ / 2 - (2 * N_ * N_) / 3 + (5 * N_ * N_ * N_) / 16,
    (13 * N_ * N_) / 48 - (3 * N_ * N_ * N_) / 5,
    (61 * N_ * N_ * N_) / 240,
  ];
  var E2N = (2 * Math.sqrt(N_)) / (1 + N_);
  var RAD = Math.PI / 180;

  function atanh(x) {
    return 0.5 * Math.log((1 + x) / (1 - x));
  }

  /** [easting, northing] in metres of a lon/lat (degrees, WGS 84). */
  function grid(lon, lat) {
    var phi = lat * RAD, dl = (lon - LON0) * RAD;
    var s = Math.sin(phi);
    var t = Math.sinh(atanh(s) - E2N * atanh(E2N * s));
    var xi = Math.atan2(t, Math.cos(dl));
    var eta = atanh(Math.sin(dl) / Math.sqrt(1 + t * t));
    var x = eta, y = xi;
    for (var j = 1; j <= 3; j++) {
      x += ALPHA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
      y += ALPHA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
    }
    return [FE + K0 * RA * x, K0 * RA * y];
  }

  function ringArea(ring) {
    // shoelace on the grid, about the first vertex (keeps the sums small)
    if (ring.length < 3) return 0;
    var p = ring.map(function (c) {
      return grid(c[0], c[1]);
    });
    var x0 = p[0][0], y0 = p[0][1], sum = 0;
    for (var i = 0; i < p.length; i++) {
      var a = p[i], b = p[(i + 1) % p.length];
      sum += (a[0] - x0) * (b[1] - y0) - (b[0] - x0) * (a[1] - y0);
    }
    return Math.abs(sum) / 2;
  }

  function pathLength(coords, closed) {
    var total = 0, n = coords.length;
    for (var i = 1; i < n + (closed ? 1 : 0); i++) {
      var a = grid(coords[i - 1][0], coords[i - 1][1]), b = grid(coords[i % n][0], coords[i % n][1]);
      total += Math.sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]));
    }
    return total;
  }

  function open(ring) {
    // a ring without its closing vertex
    var n = ring.length;
    if (n > 1 && ring[0][0] === ring[n - 1][0] && ring[0][1] === ring[n - 1][1]) return ring.slice(0, n - 1);
    return ring;
  }

  /** {area_m2, length_m} of a GeoJSON geometry (lon/lat): a polygon's area less its holes and its
   * perimeter, a line's length. */
  function measure(geometry) {
    var out = { area_m2: 0, length_m: 0 };
    if (!geometry || !geometry.coordinates) return out;
    var polys = [], lines = [];
    if (geometry.type === 'Polygon') polys = [geometry.coordinates];
    else if (geometry.type === 'MultiPolygon') polys = geometry.coordinates;
    else if (geometry.type === 'LineString') lines = [geometry.coordinates];
    else if (geometry.type === 'MultiLineString') lines = geometry.coordinates;
    polys.forEach(function (rings) {
      rings.forEach(function (ring, i) {
        var r = open(ring);
        out.area_m2 += (i === 0 ? 1 : -1) * ringArea(r);
        out.length_m += pathLength(r, true);
      });
    });
    lines.forEach(function (line) {
      out.length_m += pathLength(line, false);
    });
    return out;
  }

  function number(value, digits, lang) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  }

  /** The figures a person reads: a length in m (under a kilometre) or km, an area in ha (and m² under a
   * hectare), written the page's way (vi: 1.234,5; en: 1,234.5). */
  function describe(m, lang) {
    var out = {};
    if (m.length_m > 0) {
      out.length = m.length_m < 1000 ? number(m.length_m, 1, lang) + ' m' : number(m.length_m / 1000, 3, lang) + ' km';
    }
    if (m.area_m2 > 0) {
      var ha = m.area_m2 / 1e4;
      out.area = ha < 1 ? number(m.area_m2, 0, lang) + ' m² (' + number(ha, 4, lang) + ' ha)' : number(ha, 2, lang) + ' ha';
    }
    return out;
  }

  /** A bounded undo stack of a shape's states (GeoJSON geometries). */
  function History(limit) {
    this.limit = limit || 50;
    this.states = [];
  }
  History.prototype.push = function (state) {
    var last = this.states[this.states.length - 1];
    if (last !== undefined && JSON.stringify(last) === JSON.stringify(state)) return false; // nothing changed
    this.states.push(state);
    if (this.states.length > this.limit) this.states.shift();
    return true;
  };
  /** The state before the current one (the current one dropped); null when there is none to go back to. */
  History.prototype.undo = function () {
    if (this.states.length < 2) return null;
    this.states.pop();
    return this.states[this.states.length - 1];
  };
  History.prototype.canUndo = function () {
    return this.states.length > 1;
  };
  History.prototype.clear = function (state) {
    this.states = state === undefined || state === null ? [] : [state];
  };

  /** The features of a large layer's decoded geometry (geo/webmap/static/compact.js: zoom-0 pixel space) that
   * Geoman should snap to: those whose box meets `box` ([x0, y0, x1, y1], the same space) and are not
   * hidden by a filter (`style` byte 255), as rings of [X, Y]; at most `limit` features, the rest left out
   * (a planner zoomed out that far snaps to nothing of the layer; zoomed in, to every feature near). */
  function snapTargets(g, style, box, limit) {
    var out = [];
    if (!g || !g.n) return out;
    for (var i = 0; i < g.n && out.length < limit; i++) {
      if (style && style[i] === 255) continue;
      if (g.box[4 * i] > box[2] || g.box[4 * i + 2] < box[0] || g.box[4 * i + 1] > box[3] || g.box[4 * i + 3] < box[1]) continue;
      var rings = [];
      for (var r = g.fRing[i]; r < g.fRing[i + 1]; r++) {
        var ring = [], a = g.rStart[r];
        for (var j = 0; j < g.rCount[r]; j++) ring.push([g.xs[a + j], g.ys[a + j]]);
        rings.push(ring);
      }
      out.push({ kind: g.kind, key: g.keys[i], rings: rings });
    }
    return out;
  }

  var DLDraw = { grid: grid, measure: measure, describe: describe, History: History, snapTargets: snapTargets };
  if (typeof module === 'object' && module.exports) module.exports = DLDraw;
  root.DLDraw = DLDraw;
  if (typeof L === 'undefined' || !root.DL) return;

  // -- on the map ---------------------------------------------------------------------------------------
  var SHAPES = { Point: 'Marker', LineString: 'Line', Polygon: 'Polygon' };
  var WORK_STYLE = { color: '#d6336c', weight: 3, fillOpacity: 0.15, dashArray: null, className: 'dl-work' };
  var MODES = 'pm:globaldrawmodetoggled pm:globaleditmodetoggled pm:globaldragmodetoggled pm:globalcutmodetoggled';
  var MEASURE_STYLE = { color: '#1f2d3d', weight: 2, dashArray: '6 4', fillOpacity: 0.08 };
  var S = (root.__dlDraw = root.__dlDraw || { run: Math.random().toString(36).slice(2, 8), n: 0 });
  var SNAP_LIMIT = 1500; // features of the large layers turned into snap targets at once
  var SNAP_STYLE = { opacity: 0, fillOpacity: 0, interactive: false, pmIgnore: true, snapIgnore: false, pane: 'dlSnap' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // What the page receives: the same report streamlit-folium sends after a click (see DL.reportNow).
  function report(map, feature) {
    var gd = root.__GLOBAL_DATA__;
    if (!gd || !root.Streamlit) return;
    gd.last_active_drawing = feature;
    var data = {}, all = { last_active_drawing: feature, bounds: map.getBounds(), last_clicked: gd.lat_lng_clicked };
    (gd.returned_objects || []).forEach(function (k) {
      if (k in all) data[k] = all[k];
    });
    gd.previous_data = data;
    root.Streamlit.setComponentValue(data);
  }

  // A measuring button: a copy of Geoman's line or polygon tool under a name of its own. The draw instance
  // outlives the toolbar (a rerun re-adds the tools to the same map): then only the button is made again.
  function copyControl(map, shape, button, options) {
    if (!map.pm.Draw[options.name]) {
      map.pm.Toolbar.copyDrawControl(shape, options);
      return;
    }
    var base = map.pm.Toolbar.buttons[button] && map.pm.Toolbar.buttons[button]._button;
    map.pm.Toolbar.createCustomControl(Object.assign({}, base || {}, options));
  }

  function tools(o) {
    var w = o.words || {}, lang = o.lang || 'vi';
    var Tools = L.Layer.extend({
      onAdd: function (map) {
        var self = this;
        this._map = map;
        this._history = new History(60);
        this._work = null;
        this._measured = L.layerGroup().addTo(map);
        if (!map.getPane('dlSnap')) map.createPane('dlSnap').style.display = 'none'; // snapped to, never painted
        this._snap = L.layerGroup().addTo(map);
        this._snapping = false;
        map.pm.setLang('dl-' + lang, o.pm || {}, 'en');
        map.pm.setGlobalOptions({
          snappable: true,
          snapDistance: 15,
          allowSelfIntersection: true, // the engine refuses a crossing outline and says where
          templineStyle: WORK_STYLE,
          hintlineStyle: { color: WORK_STYLE.color, dashArray: '5 5' },
          pathOptions: WORK_STYLE,
        });
        var draw = o.draw && SHAPES[o.draw.kind];
        var split = o.draw && o.draw.action === 'split';
        var reshaping = o.draw && o.draw.action !== 'merge' && o.draw.action !== 'delete';
        map.pm.addControls({
          position: 'topleft',
          drawMarker: draw === 'Marker' && !split && reshaping,
          drawPolyline: (draw === 'Line' || split) && reshaping,
          drawPolygon: draw === 'Polygon' && !split && reshaping,
          drawRectangle: false,
          drawCircle: false,
          drawCircleMarker: false,
          drawText: false,
          editMode: !!draw && !split && reshaping,
          dragMode: !!draw && !split && reshaping,
          cutPolygon: draw === 'Polygon' && !split && reshaping,
          removalMode: false,
          rotateMode: false,
        });
        copyControl(map, 'Polyline', 'drawPolyline', { name: 'dlMeasureLine', block: 'custom', title: w.measureLine, className: 'dl-measure-line' });
        copyControl(map, 'Polygon', 'drawPolygon', { name: 'dlMeasureArea', block: 'custom', title: w.measureArea, className: 'dl-measure-area' });
        if (draw) {
          map.pm.Toolbar.createCustomControl({
            name: 'dlUndo',
            block: 'custom',
            title: w.undo,
            className: 'dl-undo',
            toggle: false,
            onClick: function () {
              self.undo();
            },
          });
        }
        // The figures on screen follow the pointer; a screen reader hears them once a vertex is placed and
        // when the shape is done (a status region that changed on every move would never stop talking).
        this._readout = el('div', 'dl-measure-readout');
        this._readout.setAttribute('aria-hidden', 'true');
        this._readout.hidden = true;
        map.getContainer().appendChild(this._readout);
        this._said = el('div', 'dl-measure-said');
        this._said.setAttribute('role', 'status');
        this._said.setAttribute('aria-live', 'polite');
        map.getContainer().appendChild(this._said);
        if (o.measured) this._typed(map, o.measured);
        this._name(map);
        this._ignoreOthers(map);
        map.on('layeradd', this._onLayerAdd, this);
        map.on('pm:drawstart', this._onDrawStart, this);
        map.on('pm:drawend', this._onDrawEnd, this);
        map.on('pm:create', this._onCreate, this);
        map.on('pm:cut', this._onCut, this);
        map.on('mousemove', this._onMove, this);
        map.on(MODES, this._onMode, this);
        map.on('moveend', this._snapTargets, this);
        this._keys = function (e) {
          if ((e.ctrlKey || e.metaKey) && !e.shiftKey && (e.key === 'z' || e.key === 'Z')) {
            e.preventDefault();
            self.undo();
          }
        };
        map.getContainer().addEventListener('keydown', this._keys);
        // Redrawn by a rerun with the same shape handed over: the planner's edits since, and their undo, stay.
        var from = JSON.stringify([o.draw && o.draw.kind, o.draw && o.draw.action, o.draw && o.draw.work]);
        if (from === S.from && S.history) {
          this._history = S.history;
          var last = this._history.states[this._history.states.length - 1];
          if (last) this._setWork(last, 'keep');
        } else {
          S.from = from;
          S.history = this._history;
          if (o.draw && o.draw.work) this._setWork(o.draw.work, 'load');
        }
        return this;
      },
      onRemove: function (map) {
        map.off('layeradd', this._onLayerAdd, this);
        map.off('pm:drawstart', this._onDrawStart, this);
        map.off('pm:drawend', this._onDrawEnd, this);
        map.off('pm:create', this._onCreate, this);
        map.off('pm:cut', this._onCut, this);
        map.off('mousemove', this._onMove, this);
        map.off(MODES, this._onMode, this);
        map.off('moveend', this._snapTargets, this);
        map.removeLayer(this._snap);
        map.getContainer().classList.remove('dl-drawing');
        map.getContainer().removeEventListener('keydown', this._keys);
        map.pm.disableDraw();
        if (map.pm.globalEditModeEnabled()) map.pm.disableGlobalEditMode();
        if (map.pm.globalDragModeEnabled()) map.pm.disableGlobalDragMode();
        if (map.pm.globalCutModeEnabled && map.pm.globalCutModeEnabled()) map.pm.disableGlobalCutMode();
        ['dlMeasureLine', 'dlMeasureArea', 'dlUndo'].forEach(function (name) {
          if (map.pm.Toolbar.buttons[name]) map.pm.Toolbar.deleteControl(name);
        });
        map.pm.removeControls();
        if (this._work) map.removeLayer(this._work);
        map.removeLayer(this._measured);
        if (this._readout) this._readout.remove();
        if (this._said) this._said.remove();
        return this;
      },
      // Buttons named for screen readers. Drawing is done with a pointer: the buttons stay out of the tab
      // order (the map is one tab stop); the keyboard's path is the panel under the map, where a shape is
      // typed or pasted.
      _name: function (map) {
        var bar = map.getContainer().querySelectorAll('.leaflet-pm-toolbar .button-container > a.leaflet-buttons-control-button');
        Array.prototype.forEach.call(bar, function (a) {
          var title = a.parentNode.getAttribute('title') || a.getAttribute('title');
          if (title) a.setAttribute('aria-label', title);
          a.setAttribute('role', 'button');
          a.setAttribute('tabindex', '-1');
        });
      },
      // The map's own features snap but are never edited, moved or cut; only the shape being drawn is.
      _mark: function (layer) {
        if (layer._drawnByGeoman || layer._pmTempLayer || layer._dlWork || layer._dlMeasure || layer._dlSnap) return;
        if (!(layer instanceof L.Polyline || layer instanceof L.Marker || layer instanceof L.CircleMarker)) {
          if (layer.options) layer.options.pmIgnore = true;
          return;
        }
        layer.options.pmIgnore = true;
        layer.options.snapIgnore = !(layer.feature && layer.feature.properties && layer.feature.properties._l);
      },
      _ignoreOthers: function (map) {
        var self = this;
        map.eachLayer(function (layer) {
          self._mark(layer);
        });
      },
      _onLayerAdd: function (e) {
        this._mark(e.layer);
      },
      // While a tool is on, a click belongs to it: the map's features stop taking clicks (they would select
      // a feature and redraw the page), and take them again when the tool is off.
      _onMode: function () {
        var pm = this._map.pm;
        var on = pm.globalDrawModeEnabled() || pm.globalEditModeEnabled() || pm.globalDragModeEnabled() ||
          (pm.globalCutModeEnabled && pm.globalCutModeEnabled());
        this._map.getContainer().classList.toggle('dl-drawing', !!on);
        this._snapping = !!on;
        this._snapTargets();
        // A large layer on a canvas takes clicks from the map itself: while a tool is on, they are the tool's.
        var map = this._map, big = (root.__dlCompact && root.__dlCompact.layers) || {};
        Object.keys(big).forEach(function (id) {
          var layer = big[id];
          if (!layer._map || !layer._click) return;
          map.off('click', layer._click, layer);
          if (!on) map.on('click', layer._click, layer);
        });
      },
      // The large layers are painted on a canvas Geoman cannot see: while a tool is on, their features in
      // view (and a margin) become hidden, non-interactive snap targets, made again when the map moves.
      _snapTargets: function () {
        var map = this._map, group = this._snap, big = (root.__dlCompact && root.__dlCompact.layers) || {};
        group.clearLayers();
        if (!this._snapping) return;
        var b = map.getPixelBounds().pad(0.25), z = Math.pow(2, map.getZoom());
        var box = [b.min.x / z, b.min.y / z, b.max.x / z, b.max.y / z];
        var left = SNAP_LIMIT;
        Object.keys(big).forEach(function (id) {
          var layer = big[id];
          if (!layer._map || !layer._g || left <= 0) return;
          snapTargets(layer._g, layer._s, box, left).forEach(function (f) {
            left -= 1;
            var rings = f.rings.map(function (ring) {
              return ring.map(function (p) {
                return map.unproject([p[0], p[1]], 0);
              });
            });
            var target;
            if (f.kind === 1) target = L.circleMarker(rings[0][0], Object.assign({ radius: 1 }, SNAP_STYLE));
            else if (f.kind === 2) target = L.polyline(rings.length > 1 ? rings : rings[0], SNAP_STYLE);
            else target = L.polygon(rings, SNAP_STYLE);
            target._dlSnap = true;
            group.addLayer(target);
          });
        });
      },
      // A shape typed or pasted under the map to measure: drawn as the map's own measurements are, labelled with
      // the figures the engine measured; the map moves to it once, when it is new (never at every rerun).
      _typed: function (map, m) {
        var kept = L.geoJSON(m.geometry, { style: MEASURE_STYLE, pmIgnore: true, snapIgnore: true, interactive: false });
        kept._dlMeasure = true;
        this._measured.addLayer(kept);
        kept.eachLayer(function (l) {
          l._dlMeasure = true;
          var p = l.getElement && l.getElement();
          if (p) p.classList.add('dl-measure-typed'); // what a test (or a style) finds of it
        });
        if (m.text) kept.bindTooltip(el('span', null, m.text), { permanent: true, direction: 'center', className: 'dl-measure-label' });
        var key = JSON.stringify(m.geometry);
        if (S.typed !== key) {
          S.typed = key;
          var b = kept.getBounds();
          if (b.isValid()) map.fitBounds(b, { maxZoom: 16, padding: [30, 30], animate: false });
        }
      },
      _measuring: function (shape) {
        return shape === 'dlMeasureLine' || shape === 'dlMeasureArea';
      },
      _onDrawStart: function (e) {
        this._drawing = e.workingLayer;
        this._shape = e.shape;
        if (this._measuring(e.shape)) this._measured.clearLayers();
        this._show(null);
        e.workingLayer.on('pm:vertexadded', this._onVertex, this);
      },
      _onDrawEnd: function () {
        if (this._drawing) this._drawing.off('pm:vertexadded', this._onVertex, this);
        this._drawing = null;
      },
      _drawn: function (extra) {
        var pts = this._drawing.getLatLngs().map(function (ll) {
          return [ll.lng, ll.lat];
        });
        if (extra) pts.push([extra.lng, extra.lat]);
        var area = this._shape === 'Polygon' || this._shape === 'dlMeasureArea';
        return area && pts.length > 2 ? { type: 'Polygon', coordinates: [pts.concat([pts[0]])] } : { type: 'LineString', coordinates: pts };
      },
      _onVertex: function () {
        if (this._drawing && this._drawing.getLatLngs().length > 1) this._show(this._drawn(null), true);
      },
      _onMove: function (e) {
        if (!this._drawing || !this._drawing.getLatLngs().length) return;
        this._show(this._drawn(e.latlng));
      },
      _show: function (geometry, say) {
        var r = this._readout;
        if (!geometry) {
          r.hidden = true;
          r.textContent = '';
          return '';
        }
        var d = describe(measure(geometry), lang), parts = [];
        if (geometry.type.indexOf('Polygon') >= 0) {
          if (d.area) parts.push(w.area + ': ' + d.area);
          if (d.length) parts.push(w.perimeter + ': ' + d.length);
        } else if (d.length) {
          parts.push(w.length + ': ' + d.length);
        }
        r.textContent = parts.join(' · ');
        r.hidden = !parts.length;
        if (say) this._said.textContent = r.textContent;
        return r.textContent;
      },
      _onCreate: function (e) {
        var layer = e.layer;
        if (this._measuring(e.shape)) {
          this._map.removeLayer(layer);
          var geom = layer.toGeoJSON().geometry, text = this._show(geom, true);
          var kept = L.geoJSON(geom, { style: MEASURE_STYLE, pmIgnore: true, snapIgnore: true, interactive: false });
          kept.eachLayer(function (l) {
            l._dlMeasure = true;
          });
          kept._dlMeasure = true;
          this._measured.addLayer(kept);
          if (text) kept.bindTooltip(text, { permanent: true, direction: 'center', className: 'dl-measure-label' });
          return;
        }
        this._map.removeLayer(layer);
        this._setWork(layer.toGeoJSON().geometry, 'new');
      },
      _onCut: function (e) {
        // the hole cut in the shape being drawn: Geoman replaced it with a new layer
        if (e.originalLayer !== this._work) return;
        this._map.removeLayer(e.layer);
        this._work = null;
        this._setWork(e.layer.toGeoJSON().geometry, 'new');
      },
      _setWork: function (geometry, how) {
        var self = this, map = this._map;
        if (this._work) map.removeLayer(this._work);
        var layer = null;
        L.geoJSON(geometry, {
          style: WORK_STYLE,
          pmIgnore: false,
          snapIgnore: true,
          pointToLayer: function (f, ll) {
            return L.marker(ll, { pmIgnore: false, snapIgnore: true, keyboard: true, title: w.work || '' });
          },
        }).eachLayer(function (l) {
          layer = layer || l;
        });
        if (!layer) return;
        layer._dlWork = true;
        layer.addTo(map);
        this._work = layer;
        layer.on('pm:edit pm:dragend', function () {
          self._changed(true);
        });
        if (how === 'load') this._history.clear(geometry);
        else if (how !== 'keep') this._changed(how === 'new');
        this._show(geometry);
      },
      _changed: function (push) {
        var geometry = this._work.toGeoJSON().geometry;
        if (push) this._history.push(geometry);
        this._show(geometry, true);
        S.n += 1;
        report(this._map, { type: 'Feature', properties: { _draw: S.run + ':' + S.n }, geometry: geometry });
      },
      undo: function () {
        var map = this._map, shape = map.pm.Draw.getActiveShape && map.pm.Draw.getActiveShape();
        if (shape && map.pm.Draw[shape] && map.pm.Draw[shape]._removeLastVertex) {
          map.pm.Draw[shape]._removeLastVertex(); // while drawing: the last vertex
          return;
        }
        var before = this._history.undo();
        if (!before) return;
        this._setWork(before, 'undo');
      },
    });
    return new Tools();
  }

  root.DL.draw = tools;
})(typeof window !== 'undefined' ? window : globalThis);
