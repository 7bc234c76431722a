/* Vector tiles of a big layer (geo/webmap/tiles.py builds them; ui/tileserver.py serves them).
 *
 * One file for the page and Node's test runner: `DLTiles.decode` reads a Mapbox Vector Tile (protobuf, the
 * MVT 2.1 layout), `DLTiles.hit` says whether a point of the tile falls in a feature, `DLTiles.features`
 * lists the features of the loaded tiles in a box. On a page with Leaflet, `DL.tiles(options)` is the map
 * layer: a canvas per 256-pixel tile, fetched by URL (the browser inflates the gzip body), drawn with the
 * catalog palette (`c`, the colour class, indexes it), the class's hatching and dashes; hover shows the
 * feature's tooltip fields; a click shows its record card at once (`DLTiles.card`, from the tile's
 * properties: what the reader may see) and selects it the way a click on any other layer does (the page's
 * full record follows with its rerun).
 * Text reaches the page only through textContent.
 */
(function (root) {
  'use strict';

  // -- protobuf -----------------------------------------------------------------------------------------
  function Reader(u8, pos, end) {
    this.u = u8;
    this.p = pos || 0;
    this.end = end === undefined ? u8.length : end;
  }
  Reader.prototype.varint = function () {
    var r = 0, m = 1, b;
    do {
      b = this.u[this.p++];
      r += (b & 127) * m;
      m *= 128;
    } while (b & 128);
    return r;
  };
  Reader.prototype.sub = function () {
    var n = this.varint(), r = new Reader(this.u, this.p, this.p + n);
    this.p += n;
    return r;
  };
  Reader.prototype.skip = function (wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.p += 8;
    else if (wire === 5) this.p += 4;
    else this.p += this.varint();
  };
  Reader.prototype.packed = function () {
    var s = this.sub(), out = [];
    while (s.p < s.end) out.push(s.varint());
    return out;
  };
  var utf8 = typeof TextDecoder !== 'undefined' ? new TextDecoder() : null;
  Reader.prototype.string = function () {
    var s = this.sub();
    return utf8.decode(this.u.subarray(s.p, s.end));
  };

  function zz(n) {
    return n % 2 ? -(n + 1) / 2 : n / 2;
  }

  function value(r) {
    var out = null;
    while (r.p < r.end) {
      var key = r.varint(), num = key >> 3, wire = key & 7;
      if (num === 1) out = r.string();
      else if (num === 2) {
        out = new DataView(r.u.buffer, r.u.byteOffset + r.p, 4).getFloat32(0, true);
        r.p += 4;
      } else if (num === 3) {
        out = new DataView(r.u.buffer, r.u.byteOffset + r.p, 8).getFloat64(0, true);
        r.p += 8;
      } else if (num === 4 || num === 5) out = r.varint();
      else if (num === 6) out = zz(r.varint());
      else if (num === 7) out = !!r.varint();
      else r.skip(wire);
    }
    return out;
  }

  // A feature's geometry commands → its parts: arrays of [x0, y0, x1, y1, …] in tile units (y down).
  function parts(cmds) {
    var out = [], x = 0, y = 0, i = 0, cur = null;
    while (i < cmds.length) {
      var id = cmds[i] & 7, count = cmds[i] >> 3;
      i++;
      if (id === 7) continue; // ClosePath: a ring is closed when drawn
      for (var k = 0; k < count; k++) {
        x += zz(cmds[i]);
        y += zz(cmds[i + 1]);
        i += 2;
        if (id === 1) out.push((cur = [x, y]));
        else cur.push(x, y);
      }
    }
    return out;
  }

  // The layers of a tile: { name: { extent, features: [{ id, type, props, parts, box }] } }.
  function decode(buf) {
    var u8 = buf instanceof Uint8Array ? buf : new Uint8Array(buf), r = new Reader(u8), layers = {};
    while (r.p < r.end) {
      var key = r.varint();
      if (key >> 3 !== 3) {
        r.skip(key & 7);
        continue;
      }
      var l = r.sub(), name = '', keys = [], vals = [], raw = [], extent = 4096;
      while (l.p < l.end) {
        var k = l.varint(), n = k >> 3;
        if (n === 1) name = l.string();
        else if (n === 2) raw.push(l.sub());
        else if (n === 3) keys.push(l.string());
        else if (n === 4) vals.push(value(l.sub()));
        else if (n === 5) extent = l.varint();
        else l.skip(k & 7);
      }
      var feats = raw.map(function (f) {
        var id = null, tags = [], type = 0, cmds = [];
        while (f.p < f.end) {
          var fk = f.varint(), fn = fk >> 3;
          if (fn === 1) id = f.varint();
          else if (fn === 2) tags = f.packed();
          else if (fn === 3) type = f.varint();
          else if (fn === 4) cmds = f.packed();
          else f.skip(fk & 7);
        }
        var props = {};
        for (var t = 0; t + 1 < tags.length; t += 2) props[keys[tags[t]]] = vals[tags[t + 1]];
        var ps = parts(cmds), box = [Infinity, Infinity, -Infinity, -Infinity];
        ps.forEach(function (p) {
          for (var j = 0; j < p.length; j += 2) {
            if (p[j] < box[0]) box[0] = p[j];
            if (p[j] > box[2]) box[2] = p[j];
            if (p[j + 1] < box[1]) box[1] = p[j + 1];
            if (p[j + 1] > box[3]) box[3] = p[j + 1];
          }
        });
        return { id: id, type: type, props: props, parts: ps, box: box };
      });
      layers[name] = { extent: extent, features: feats };
    }
    return layers;
  }

  // Whether tile point (x, y) falls in feature f: inside a polygon (even-odd over its rings), within
  // `tol` of a point or of a line's box.
  function hit(f, x, y, tol) {
    var b = f.box;
    if (x < b[0] - tol || x > b[2] + tol || y < b[1] - tol || y > b[3] + tol) return false;
    if (f.type !== 3) return true;
    var inside = false;
    f.parts.forEach(function (p) {
      var n = p.length / 2;
      for (var i = 0, j = n - 1; i < n; j = i++) {
        var xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    });
    return inside;
  }

  // The features of `tiles` ({ "z/x/y": decoded layer }) whose box meets the box [x0, y0, x1, y1] given in
  // world units of zoom z (256 per tile), each once (a feature crossing tiles is in each), by key.
  function features(tiles, x0, y0, x1, y1) {
    var seen = {}, out = [];
    Object.keys(tiles).forEach(function (addr) {
      var t = tiles[addr], a = addr.split('/'), tx = +a[1], ty = +a[2], s = 256 / t.extent;
      t.features.forEach(function (f) {
        var k = f.props.key;
        if (k === undefined || seen[k]) return;
        var fx0 = tx * 256 + f.box[0] * s, fy0 = ty * 256 + f.box[1] * s;
        var fx1 = tx * 256 + f.box[2] * s, fy1 = ty * 256 + f.box[3] * s;
        if (fx1 < x0 || fy1 < y0 || fx0 > x1 || fy0 > y1) return;
        seen[k] = 1;
        out.push(f);
      });
    });
    return out;
  }

  // The URL of one tile from the template ({z}, {x}, {y}).
  function url(template, z, x, y) {
    return template.replace('{z}', z).replace('{x}', x).replace('{y}', y);
  }

  // One value of a card row as people read it (the Python side's geo.read.records.format_value, for the kinds
  // a tile carries): a coded value or a unit code by the text the app gave, numbers with the language's
  // separators and the field's unit, dates as the language writes them; anything else as it is, as text.
  function cellText(v, row, card) {
    if (v === undefined || v === null || v === '') return card.missing;
    if (row.values) return Object.prototype.hasOwnProperty.call(row.values, String(v)) ? row.values[String(v)] : String(v);
    if (row.bool) return v ? row.bool[1] : row.bool[0];
    if (row.plain && typeof v === 'number' && Number.isInteger(v)) return String(v);
    if (row.number && typeof v === 'number' && isFinite(v)) {
      // rounded from the number's exact binary value (toFixed), as Python's formatting does, then written with
      // the language's separators; a rounded zero has no sign
      var text = new Intl.NumberFormat(card.locale, {
        maximumFractionDigits: row.number.digits,
        minimumFractionDigits: 0,
        signDisplay: 'negative',
      }).format(Number(v.toFixed(row.number.digits)));
      var unit = row.number.unit;
      return unit === '%' ? text + '%' : unit ? text + ' ' + unit : text;
    }
    if (row.date) {
      var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
      if (m) return row.date === 'dd/mm/yyyy' ? m[3] + '/' + m[2] + '/' + m[1] : m[1] + '-' + m[2] + '-' + m[3];
    }
    return String(v);
  }

  // A clicked feature's record card from its tile properties (what this reader may see, nothing more):
  // { title, key, layer, rows: [[label, text]], more }. `labels` are the colour classes' labels; `z` the zoom
  // of the feature's tile (below spec.fullZoom a tile carries only the tooltip's fields: the card shows those).
  function card(props, spec, labels, z) {
    var brief = z !== undefined && spec.fullZoom !== undefined && z < spec.fullZoom;
    var rows = spec.rows
      .filter(function (row) {
        return !brief || (spec.brief || []).indexOf(row.name) >= 0;
      })
      .map(function (row) {
        return [row.label, cellText(props[row.name], row, spec)];
      });
    var cls = labels && labels[props.c];
    if (spec.classLabel && cls) rows.push([spec.classLabel, cls]);
    return { title: String(props.key), key: String(props.key), layer: spec.title, rows: rows, more: spec.more };
  }

  var api = { decode: decode, hit: hit, features: features, url: url, card: card, cellText: cellText };
  root.DLTiles = api;
  if (typeof module === 'object' && module.exports) module.exports = api;

  // -- the map layer (a page with Leaflet) ------------------------------------------------------------------
  if (typeof root.L === 'undefined' || typeof root.document === 'undefined') return;
  var L = root.L;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The record card of a clicked feature, one per map, over its top-left corner beside the zoom buttons. It
  // outlives the layer's rerun (the page redraws the layer with the selection); a click on no feature, its
  // close button or Escape closes it. A non-modal dialog: it takes the focus, so a screen reader reads it.
  function closeCard(map, refocus) {
    var c = map._dlCard;
    if (!c) return;
    map._dlCard = null;
    if (c.parentNode) c.parentNode.removeChild(c);
    if (!refocus) return;
    // back where the reader was (the list beside the map, for a keyboard; redrawn by a rerun, its successor),
    // else the map itself
    var back = c._back;
    if (back && !back.isConnected && back.classList && back.classList.length) {
      back = map.getContainer().querySelector('.' + back.classList[0]);
    }
    if (!back || !back.isConnected || back === document.body) back = map.getContainer();
    back.focus({ preventScroll: true });
  }

  function showCard(map, layerId, d, closeText) {
    var back = map._dlCard ? map._dlCard._back : document.activeElement;
    closeCard(map, false);
    var box = el('div', 'dl-card'), id = 'dl-card-' + L.Util.stamp(box);
    box._back = back;
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'false');
    box.setAttribute('aria-labelledby', id);
    box.setAttribute('tabindex', '-1');
    box.dataset.layer = layerId;
    box.dataset.key = d.key;
    var head = el('div', 'dl-card-head'), h = el('h2', 'dl-card-title', d.title);
    h.id = id;
    var x = el('button', 'dl-card-close', '\u00d7');
    x.type = 'button';
    x.setAttribute('aria-label', closeText);
    x.title = closeText;
    head.appendChild(h);
    head.appendChild(x);
    box.appendChild(head);
    if (d.layer) box.appendChild(el('div', 'dl-card-layer', d.layer));
    var table = el('table', 'dl-card-table');
    d.rows.forEach(function (r) {
      var tr = el('tr'), th = el('th', '', r[0]);
      th.scope = 'row';
      tr.appendChild(th);
      tr.appendChild(el('td', '', r[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (d.more) box.appendChild(el('p', 'dl-card-more', d.more));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    L.DomEvent.on(x, 'click', function () {
      closeCard(map, true);
    });
    L.DomEvent.on(box, 'keydown', function (e) {
      if (e.key === 'Escape') {
        L.DomEvent.stop(e);
        closeCard(map, true);
      }
    });
    map.getContainer().appendChild(box);
    map._dlCard = box;
    box.focus({ preventScroll: true });
    return box;
  }

  function layer(o) {
    var C = (root.__dlCompact = root.__dlCompact || { layers: {}, drawn: {}, files: {} });
    C.tiles = C.tiles || {};
    var sel = {};
    (o.selected || []).forEach(function (k) {
      sel[k] = 1;
    });
    var Grid = L.GridLayer.extend({
      initialize: function () {
        L.GridLayer.prototype.initialize.call(this, { pane: 'dlBig', tileSize: 256, updateWhenZooming: false, keepBuffer: 1, maxZoom: 20 });
        this._data = {}; // "z/x/y" → decoded layer, for hover, click and the list
        this._o = o;
        this.labels = o.labels;
        this._requested = 0;
        this._loaded = 0;
      },
      onAdd: function (map) {
        if (!map.getPane('dlBig')) map.createPane('dlBig');
        L.GridLayer.prototype.onAdd.call(this, map);
        C.tiles[o.id] = this; // for tests and benchmarks: what is drawn where
        map.on('click', this._click, this);
        map.on('mousemove', this._hover, this);
        this.on('tileunload', function (e) {
          delete this._data[e.coords.z + '/' + e.coords.x + '/' + e.coords.y];
        });
        this.on('load', function () {
          // for tests and benchmarks: the tiles of the view are drawn (with how many features), from which URL
          var n = 0;
          Object.keys(this._data).forEach(function (a) {
            n += this._data[a].features.length;
          }, this);
          C.drawn[o.id] = { tiles: this._loaded, at: Date.now(), features: n, url: o.url };
          map.fire('dl:drawn');
        });
      },
      onRemove: function (map) {
        map.off('click', this._click, this);
        map.off('mousemove', this._hover, this);
        if (this._tip) map.closeTooltip(this._tip);
        if (C.tiles[o.id] === this) delete C.tiles[o.id];
        L.GridLayer.prototype.onRemove.call(this, map);
        // a rerun puts the layer back at once (the card stays); a layer switched off takes its card with it
        setTimeout(function () {
          if (!C.tiles[o.id] && map._dlCard && map._dlCard.dataset.layer === o.id) closeCard(map, false);
        }, 0);
      },
      createTile: function (coords, done) {
        var c = L.DomUtil.create('canvas', 'dl-tile'), dpr = root.devicePixelRatio || 1, self = this;
        c.width = c.height = 256 * dpr;
        c.style.width = c.style.height = '256px';
        var addr = coords.z + '/' + coords.x + '/' + coords.y;
        this._requested++;
        fetch(url(o.url, coords.z, coords.x, coords.y), { credentials: 'same-origin' })
          .then(function (r) {
            if (!r.ok && r.status !== 204) throw new Error('tile ' + r.status);
            return r.arrayBuffer();
          })
          .then(function (buf) {
            var t = decode(buf)[o.layer || 'features'] || { extent: 4096, features: [] };
            self._data[addr] = t;
            self._loaded++;
            self._paint(c, t, dpr);
            done(null, c);
          })
          .catch(function (e) {
            done(e, c);
          });
        return c;
      },
      _paint: function (c, t, dpr) {
        var ctx = c.getContext('2d'), s = (256 * dpr) / t.extent, P = o.paint;
        ctx.lineJoin = 'round';
        var byClass = {}, chosen = [];
        t.features.forEach(function (f) {
          (byClass[f.props.c] = byClass[f.props.c] || []).push(f);
          if (sel[f.props.key]) chosen.push(f);
        });
        function trace(path, f) {
          f.parts.forEach(function (p) {
            path.moveTo(p[0] * s, p[1] * s);
            for (var j = 2; j < p.length; j += 2) path.lineTo(p[j] * s, p[j + 1] * s);
            if (f.type === 3) path.closePath();
          });
        }
        var hatches = {};
        function hatched(col) {
          // the hatching of the GeoJSON and canvas layers (dlmap.js), at this canvas's pixel ratio
          return hatches[col] || (hatches[col] = ctx.createPattern(root.DL.hatchTile(col, dpr), 'repeat'));
        }
        function dashOf(cls) {
          var d = o.dash && o.dash[cls];
          return d
            ? String(d)
                .split(/[\s,]+/)
                .map(function (v) {
                  return +v * dpr;
                })
            : [];
        }
        Object.keys(byClass).forEach(function (cls) {
          var col = o.palette[cls] || o.palette[o.palette.length - 1], path = new Path2D();
          byClass[cls].forEach(function (f) {
            if (f.type === 1) {
              f.parts.forEach(function (p) {
                path.moveTo(p[0] * s + P.radius * dpr, p[1] * s);
                path.arc(p[0] * s, p[1] * s, P.radius * dpr, 0, 2 * Math.PI);
              });
            } else trace(path, f);
          });
          ctx.setLineDash(dashOf(cls)); // the class's dash pattern: a second channel beside the colour
          if (o.kind === 'LineString') {
            ctx.globalAlpha = P.opacity;
            ctx.strokeStyle = col;
            ctx.lineWidth = P.weight * dpr;
            ctx.stroke(path);
            return;
          }
          ctx.globalAlpha = P.fillOpacity;
          ctx.fillStyle = o.hatch && o.hatch[cls] ? hatched(col) : col;
          ctx.fill(path, 'evenodd');
          ctx.globalAlpha = P.opacity;
          ctx.strokeStyle = P.color;
          ctx.lineWidth = P.weight * dpr;
          ctx.stroke(path);
        });
        ctx.setLineDash([]);
        if (chosen.length) {
          var sp = new Path2D();
          chosen.forEach(function (f) {
            trace(sp, f);
          });
          ctx.globalAlpha = 1;
          ctx.strokeStyle = o.selColor;
          ctx.lineWidth = ((P.weight || 2) + 4) * dpr;
          ctx.stroke(sp);
        }
      },
      // The feature under a map event: its tile's address from the event's point, then the hit test.
      _at: function (e) {
        var map = this._map, z = Math.round(map.getZoom()), p = map.project(e.latlng, z);
        var tx = Math.floor(p.x / 256), ty = Math.floor(p.y / 256), t = this._data[z + '/' + tx + '/' + ty];
        if (!t) return null;
        var s = t.extent / 256, x = (p.x - tx * 256) * s, y = (p.y - ty * 256) * s;
        for (var i = t.features.length - 1; i >= 0; i--) if (hit(t.features[i], x, y, 4 * s)) return t.features[i];
        return null;
      },
      _over: function (e) {
        var tg = e.originalEvent && e.originalEvent.target;
        return !!(tg && tg.classList && tg.classList.contains('leaflet-interactive'));
      },
      _click: function (e) {
        if (this._over(e)) return;
        var f = this._at(e);
        if (!f) {
          if (this._map._dlCard && this._map._dlCard.dataset.layer === o.id) closeCard(this._map, false);
          return;
        }
        // the card at once, from the tile's properties; the full record follows with the page's rerun
        if (o.card) showCard(this._map, o.id, card(f.props, o.card, o.labels, Math.round(this._map.getZoom())), o.card.close);
        var props = { _l: o.id, _k: String(f.props.key) };
        this.fire('click', {
          latlng: e.latlng,
          layer: {
            toGeoJSON: function () {
              return { type: 'Feature', properties: props, geometry: null };
            },
          },
        });
        if (root.__GLOBAL_DATA__) root.__GLOBAL_DATA__.last_active_drawing = { type: 'Feature', properties: props, geometry: null };
        if (root.__dlReportNow) root.__dlReportNow(this._map);
      },
      _hover: function (e) {
        var f = this._over(e) ? null : this._at(e), map = this._map;
        map.getContainer().style.cursor = f ? 'pointer' : '';
        if (!f) {
          if (this._tip) {
            map.closeTooltip(this._tip);
            this._tip = null;
          }
          return;
        }
        var d = el('div');
        d.appendChild(el('div', 'dl-tip-title', String(f.props.key)));
        var lab = o.labels[f.props.c];
        if (lab) d.appendChild(el('div', '', lab));
        (o.fields || []).forEach(function (fl) {
          var v = f.props[fl[0]];
          if (v !== undefined && v !== null && fl[0] !== o.keyField) d.appendChild(el('div', '', fl[1] + ': ' + v));
        });
        if (!this._tip) this._tip = L.tooltip({ direction: 'top', opacity: 0.95 });
        this._tip.setLatLng(e.latlng).setContent(d);
        if (!map.hasLayer(this._tip)) map.openTooltip(this._tip);
      },
      // The features in the map's view (for the list beside the map), each once.
      inView: function () {
        var map = this._map;
        if (!map) return [];
        var z = Math.round(map.getZoom()), b = map.getPixelBounds(map.getCenter(), z), here = {};
        Object.keys(this._data).forEach(function (a) {
          if (+a.split('/')[0] === z) here[a] = this._data[a];
        }, this);
        return features(here, b.min.x, b.min.y, b.max.x, b.max.y);
      },
    });
    return new Grid();
  }

  // The card of feature `key` of tiled layer `layerId`, if a loaded tile holds it (the list beside the map
  // chose it: the keyboard's way to a parcel gets the card at once too). Whether it was shown.
  function tileCard(map, layerId, key) {
    var t = C0().tiles && C0().tiles[layerId];
    if (!t || !t._o.card || !map) return false;
    var found = null, z = Math.round(map.getZoom());
    Object.keys(t._data).forEach(function (a) {
      if (found || +a.split('/')[0] !== z) return;
      t._data[a].features.forEach(function (f) {
        if (!found && String(f.props.key) === String(key)) found = f;
      });
    });
    if (!found) return false;
    showCard(map, layerId, card(found.props, t._o.card, t._o.labels, z), t._o.card.close);
    return true;
  }

  function C0() {
    return root.__dlCompact || {};
  }

  root.DL = root.DL || {};
  root.DL.tiles = layer;
  root.DL.tileCard = tileCard;
})(typeof self !== 'undefined' ? self : globalThis);
