/* The browser side of the map builder (geo/webmap/mapview.py): every overlay the Python side declares is
 * a call into `DL` with data that geo.model.safe.js_literal wrote. Attribute text reaches the page only
 * through textContent: it is never parsed as HTML or run as code.
 *
 * Loaded after Leaflet and compact.js (OfflineMap declares all three as its assets).
 */
/* global L, DLCompact */
(function (root) {
  'use strict';

  var C = (root.__dlCompact = root.__dlCompact || { files: {}, drawn: {} });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // streamlit-folium reports a click 250 ms after it happens (a debounce meant for panning). A click
  // on a feature is reported at once: the value is the one its debounced report would send (the same
  // keys in the same order), stored as its last report so that report does not send it again.
  function reportNow(map) {
    var gd = root.__GLOBAL_DATA__;
    if (!gd || !root.Streamlit || !gd.returned_objects) return;
    var all = { last_active_drawing: gd.last_active_drawing, bounds: map.getBounds() }, data = {};
    for (var i = 0; i < gd.returned_objects.length; i++) {
      if (!(gd.returned_objects[i] in all)) return; // a value only streamlit-folium computes: leave it its debounce
    }
    ['last_active_drawing', 'bounds'].forEach(function (k) {
      if (gd.returned_objects.indexOf(k) >= 0) data[k] = all[k];
    });
    if (JSON.stringify(gd.previous_data) !== JSON.stringify(data)) {
      gd.previous_data = data;
      root.Streamlit.setComponentValue(data);
    }
  }

  // Two panes under the vector overlays: layers drawn below a large canvas layer, and the canvas itself.
  // On a touch screen one finger scrolls the page, as everywhere else on it; two fingers move and zoom
  // the map (Leaflet's pinch, which pans as the fingers move). A one-finger swipe over the map says so.
  function twoFingers(map, hint) {
    var coarse = root.matchMedia && root.matchMedia('(pointer: coarse)').matches;
    if (!coarse || !L.Browser.touch || !map.dragging) return;
    map.dragging.disable();
    var box = map.getContainer(), note = el('div', 'dl-touch-hint', hint || ''), timer = null;
    note.setAttribute('aria-hidden', 'true');
    box.appendChild(note);
    box.addEventListener(
      'touchmove',
      function (e) {
        if (e.touches.length !== 1) return;
        note.classList.add('dl-show');
        clearTimeout(timer);
        timer = setTimeout(function () {
          note.classList.remove('dl-show');
        }, 1500);
      },
      { passive: true }
    );
  }

  // The map is one tab stop: its container (arrow keys pan, + and - zoom), named in the page's language;
  // the zoom buttons are named too. ``words``: {map, zoomIn, zoomOut} from geo.model.i18n.
  function setup(map, words) {
    map.createPane('dlBelowCasing').style.zIndex = 345;
    map.createPane('dlBelow').style.zIndex = 350;
    map.createPane('dlBig').style.zIndex = 375;
    map.createPane('dlCasing').style.zIndex = 395; // lines' casings, under every vector overlay (400)
    L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map); // metres and kilometres only
    watchLabels(map);
    if (!words) return;
    var box = map.getContainer();
    if (words.large) box.classList.add('dl-large'); // the meeting room's map: large labels and legend
    twoFingers(map, words.twoFingers);
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', words.map);
    box.setAttribute('aria-roledescription', words.roleMap);
    var z = map.zoomControl;
    if (z) {
      [[z._zoomInButton, words.zoomIn], [z._zoomOutButton, words.zoomOut]].forEach(function (b) {
        b[0].title = b[1];
        b[0].setAttribute('aria-label', b[1]);
        b[0].setAttribute('tabindex', '-1'); // the keyboard zooms with + and - on the map itself
      });
    }
  }

  // -- a GeoJSON layer whose tooltips are built from text ------------------------------------------
  function tip(f) {
    var d = el('div'), rows = f.properties._tip || [];
    for (var i = 0; i < rows.length; i++) {
      var r = el('div');
      if (i === 0) {
        r.className = 'dl-tip-title';
        r.textContent = rows[i][1];
      } else {
        r.appendChild(el('span', 'dl-tip-k', rows[i][0] + ': '));
        r.appendChild(document.createTextNode(rows[i][1]));
      }
      d.appendChild(r);
    }
    return d;
  }

  // The hatching's tile for a canvas (the canvas layers here, the vector tiles in tiles.js): the SVG pattern's
  // stripes of the class's colour over white, 10 CSS pixels square, at the canvas's pixel ratio.
  function hatchTile(color, ratio) {
    var t = document.createElement('canvas'), n = Math.round(10 * ratio);
    t.width = t.height = n;
    var x = t.getContext('2d');
    x.scale(n / 10, n / 10);
    x.fillStyle = '#ffffff';
    x.fillRect(0, 0, 10, 10);
    x.strokeStyle = color;
    x.lineWidth = 3.5;
    x.beginPath();
    x.moveTo(-5, 5);
    x.lineTo(5, -5);
    x.moveTo(0, 10);
    x.lineTo(10, 0);
    x.moveTo(5, 15);
    x.lineTo(15, 5);
    x.stroke();
    return t;
  }

  // A hatched fill (disputed land): an SVG pattern of the class's colour over white, defined once per
  // SVG the map draws into; a path's fill refers to it by id.
  function hatchId(color) {
    return 'dl-hatch-' + color.replace(/[^0-9a-zA-Z]/g, '');
  }

  function defineHatch(svg, color) {
    var id = hatchId(color), ns = 'http://www.w3.org/2000/svg';
    if (!svg || svg.querySelector('#' + id)) return;
    var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
    var pat = document.createElementNS(ns, 'pattern');
    pat.setAttribute('id', id);
    pat.setAttribute('patternUnits', 'userSpaceOnUse');
    pat.setAttribute('width', '7');
    pat.setAttribute('height', '7');
    pat.setAttribute('patternTransform', 'rotate(45)');
    var bg = document.createElementNS(ns, 'rect');
    bg.setAttribute('width', '7');
    bg.setAttribute('height', '7');
    bg.setAttribute('fill', '#ffffff');
    var bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('width', '3.5');
    bar.setAttribute('height', '7');
    bar.setAttribute('fill', color);
    pat.appendChild(bg);
    pat.appendChild(bar);
    defs.appendChild(pat);
  }

  function geojson(data, o) {
    function style(f) {
      var p = f.properties, s = Object.assign({}, o.paint);
      if (o.kind === 'line') s.color = p._c;
      else s.fillColor = p._h ? 'url(#' + hatchId(p._c) + ')' : p._c;
      if (p._d) s.dashArray = p._d; // the class's dash pattern: a second channel beside the colour
      if (o.changed && o.changed.indexOf(p._k) >= 0) {
        // changed between two dates: its status colour kept, thicker, the edge dashed
        if (o.kind !== 'line') s.color = o.changedColor;
        s.weight = (s.weight || 2) + 3;
        s.dashArray = '10 5';
        s.opacity = 1;
      }
      if (o.selected.indexOf(p._k) >= 0) {
        s.color = o.selColor;
        s.weight = (s.weight || 2) + 4;
        s.opacity = 1;
      }
      return s;
    }
    var opts = o.pane ? { pane: o.pane, interactive: o.interactive } : { interactive: o.interactive };
    var main = L.geoJSON(
      data,
      Object.assign(opts, {
        style: style,
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, Object.assign({}, opts, style(f)));
        },
        onEachFeature: function (f, l) {
          if (f.properties._h) {
            l.on('add', function () {
              defineHatch(l._renderer && l._renderer._container, f.properties._c);
            });
          }
          l.bindTooltip(function () {
            return tip(f);
          }, { sticky: true, direction: 'top', opacity: 0.95 });
          // After streamlit-folium's own click handler (bound when the layer is added) has recorded it.
          l.on('click', function () {
            setTimeout(function () {
              if (l._map) reportNow(l._map);
            }, 0);
          });
        },
      })
    );
    if (o.kind !== 'line' || !o.paint.casing) return main;
    // A casing under the line: the same shapes, darker and wider, no feature of their own (not clickable,
    // not counted, not listed), so that every status colour has an edge that reads on the map.
    var bare = {
      type: 'FeatureCollection',
      features: data.features.map(function (f) {
        return { type: 'Feature', geometry: f.geometry, properties: {} };
      }),
    };
    var under = L.geoJSON(
      bare,
      Object.assign({}, opts, {
        pane: o.pane === 'dlBelow' ? 'dlBelowCasing' : 'dlCasing', // under the lines, whatever is added when
        interactive: false,
        style: function () {
          return { color: o.paint.casing, weight: (o.paint.weight || 2) + 3, opacity: o.paint.opacity, dashArray: o.paint.dashArray, lineCap: 'butt' };
        },
      })
    );
    return L.featureGroup([under, main]);
  }

  // -- labels never overlap ----------------------------------------------------------------------------
  // After every move, zoom or change of layers: labels in order of rank (the 2025 communes, then the
  // 2024 units, then the rest: Km posts, sites), each shown only where it overlaps no label kept before it.
  var RANK = { 'dl-label-communes_2025': 3, 'dl-label-units': 2 };

  function rank(marker) {
    var r = 1;
    marker.className.split(' ').forEach(function (c) {
      if (RANK[c]) r = RANK[c];
    });
    return r;
  }

  function declutter(map) {
    var spans = Array.prototype.slice.call(map.getContainer().querySelectorAll('.dl-label > span'));
    spans.forEach(function (s) {
      s.style.visibility = '';
    });
    var items = spans.map(function (s, i) {
      return { s: s, r: rank(s.parentNode), i: i, b: s.getBoundingClientRect() };
    });
    items.sort(function (a, b) {
      return b.r - a.r || a.i - b.i;
    });
    var kept = [];
    items.forEach(function (it) {
      var b = it.b, pad = 2;
      if (!b.width) return;
      var hit = kept.some(function (k) {
        return b.left < k.right + pad && b.right + pad > k.left && b.top < k.bottom + pad && b.bottom + pad > k.top;
      });
      if (hit) it.s.style.visibility = 'hidden';
      else kept.push(b);
    });
    C.hiddenLabels = items.length - kept.length; // for tests: how many gave way
    C.labelPasses = (C.labelPasses || 0) + 1; // and how often the labels were placed
  }

  function watchLabels(map) {
    var queued = false;
    function later() {
      if (queued) return;
      queued = true;
      root.requestAnimationFrame(function () {
        queued = false;
        if (map._loaded) declutter(map);
      });
    }
    map.on('zoomend moveend layeradd layerremove resize', later);
    // A label's box can also change with no map event: a label placed or moved by Leaflet after the pass
    // (its marker's style), a label's text laid out anew (a frame shown, a font or a size that changed).
    // Each such change asks for one more pass; the passes' own work (a span hidden or shown) asks for none.
    var sized = root.ResizeObserver ? new root.ResizeObserver(later) : null;
    var seen = root.WeakSet ? new root.WeakSet() : null;
    function isLabel(node) {
      return node.nodeType === 1 && node.classList.contains('dl-label');
    }
    if (root.MutationObserver) {
      new root.MutationObserver(function (records) {
        var moved = records.some(function (r) {
          return r.type === 'childList' ? Array.prototype.some.call(r.addedNodes, isLabel) : isLabel(r.target);
        });
        if (moved) later();
      }).observe(map.getContainer(), { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
    }
    map.on('layeradd', function () {
      if (!sized || !seen) return;
      Array.prototype.forEach.call(map.getContainer().querySelectorAll('.dl-label > span'), function (s) {
        if (!seen.has(s)) {
          seen.add(s);
          sized.observe(s);
        }
      });
    });
  }

  // -- permanent text labels: rows of [lat, lon, text] -----------------------------------------------
  function labels(rows, cls) {
    var g = L.layerGroup();
    rows.forEach(function (r) {
      var s = el('span', '', r[2]);
      L.marker([r[0], r[1]], {
        icon: L.divIcon({ className: 'dl-label ' + cls, html: s, iconSize: null }),
        interactive: false,
        keyboard: false,
      }).addTo(g);
    });
    return g;
  }

  // -- a control (legend, badge) wrapped as a layer, so it comes and goes with its feature group ------
  function control(spec) {
    function build() {
      if (spec.type === 'badge') {
        var b = el('div', 'dl-badge', spec.text);
        b.title = spec.title;
        return b;
      }
      var box = el('details', 'dl-legend');
      box.open = spec.open;
      box.appendChild(el('summary', 'dl-legend-head', spec.heading));
      spec.blocks.forEach(function (blk) {
        box.appendChild(el('div', 'dl-legend-title', blk.title));
        blk.items.forEach(function (it) {
          var row = el('div', 'dl-legend-row'), sw = el('span', 'dl-sw dl-sw-' + blk.kind);
          sw.style.background = it.swatch || it.color; // the colour, with its dash or hatching
          if (blk.kind !== 'line') sw.style.border = '1.5px solid ' + blk.stroke;
          row.appendChild(sw);
          row.appendChild(el('span', '', it.label));
          row.appendChild(el('span', 'dl-legend-n', it.count));
          box.appendChild(row);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
    var Wrapper = L.Layer.extend({
      onAdd: function (map) {
        this._c = L.control({ position: spec.position });
        this._c.onAdd = build;
        this._c.addTo(map);
        return this;
      },
      onRemove: function () {
        if (this._c) this._c.remove();
        return this;
      },
    });
    return new Wrapper();
  }

  // -- while a planner picks a point's position --------------------------------------------------------
  // The map reports clicks on it (streamlit-folium's `last_clicked`, which it otherwise leaves out, so
  // that nobody else's clicks rerun the page) and shows a crosshair. streamlit-folium reads
  // `returned_objects` once, when the map mounts; this edits its frontend's copy: its internal state,
  // pinned by version and guarded by the browser test of picking.
  function pick() {
    function objects() {
      var g = root.__GLOBAL_DATA__;
      return g && g.returned_objects;
    }
    var Pick = L.Layer.extend({
      onAdd: function (map) {
        var r = objects();
        if (r && r.indexOf('last_clicked') < 0) {
          root.__GLOBAL_DATA__.lat_lng_clicked = null; // a click made before picking places nothing
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
      },
    });
    return new Pick();
  }

  // -- a large layer drawn on a canvas from two compact files ------------------------------------------
  function bytes(b64) {
    var s = atob(b64), u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    return u;
  }

  // The bytes of a file carried in the page: the text of its data block (a standalone map), or inline.
  function carried(src) {
    var text = src.ref ? document.getElementById(src.ref).textContent : src.b64;
    return Uint8Array.fromBase64 ? Uint8Array.fromBase64(text) : bytes(text);
  }

  function load(src) {
    // fetched (or carried in the page) and inflated, on this thread
    var raw = src.url
      ? fetch(src.url).then(function (r) {
          if (!r.ok) throw new Error('map data ' + r.status);
          return r.arrayBuffer();
        })
      : Promise.resolve(carried(src).buffer);
    return raw.then(DLCompact.inflate);
  }

  // A standalone map's worker: compact.js's own text as a blob (its file's policy allows blob: workers).
  // Bytes go in (transferred), the decoded geometry comes back; null where a policy refuses it.
  function blobWorker() {
    if (C.blob !== undefined) return C.blob;
    C.blob = null;
    if (!DLCompact.source || typeof Worker === 'undefined') return null;
    try {
      var w = new Worker(URL.createObjectURL(new Blob([DLCompact.source], { type: 'text/javascript' })));
      var waiting = {}, next = 0;
      w.onmessage = function (e) {
        var p = waiting[e.data.id];
        delete waiting[e.data.id];
        if (e.data.error) p.reject(new Error(e.data.error));
        else p.resolve(e.data.g);
      };
      w.onerror = function () {
        // refused by a content policy, say: every file waiting is decoded here instead
        C.blob = null;
        Object.keys(waiting).forEach(function (id) {
          waiting[id].reject(new Error('worker refused'));
          delete waiting[id];
        });
      };
      C.blob = {
        ask: function (buf) {
          return new Promise(function (resolve, reject) {
            var id = next++;
            waiting[id] = { resolve: resolve, reject: reject };
            w.postMessage({ id: id, buf: buf }, [buf]);
          });
        },
      };
    } catch (err) {
      C.blob = null;
    }
    return C.blob;
  }

  // A geometry file of a million vertices is fetched, inflated and decoded in a worker (a file of the
  // app's own), so the page never waits on it; inline, without a worker URL, or where workers are
  // refused, here.
  function worker(url) {
    if (C.worker !== undefined) return C.worker;
    try {
      var w = new Worker(url), waiting = {};
      w.onmessage = function (e) {
        var p = waiting[e.data.url];
        delete waiting[e.data.url];
        if (e.data.error) p.reject(new Error(e.data.error));
        else p.resolve(e.data.g);
      };
      w.onerror = function () {
        // refused by a content policy, say: decode here after all
        C.worker = null;
        Object.keys(waiting).forEach(function (u) {
          var p = waiting[u];
          delete waiting[u];
          load({ url: u }).then(DLCompact.geometry).then(p.resolve, p.reject);
        });
      };
      C.worker = {
        ask: function (u) {
          return new Promise(function (resolve, reject) {
            waiting[u] = { resolve: resolve, reject: reject };
            w.postMessage({ url: u });
          });
        },
      };
    } catch (err) {
      C.worker = null; // a policy that forbids workers: decode here
    }
    return C.worker;
  }

  function file(src, decode, workerUrl) {
    // one fetch per file per page: geometry is kept across reruns
    var id = src.url || src.ref || src.b64.slice(0, 64) + src.b64.length;
    if (!C.files[id]) {
      var w = decode && src.url && workerUrl && worker(new URL(workerUrl, location.href).href);
      var b = decode && src.ref && blobWorker();
      if (w) C.files[id] = w.ask(new URL(src.url, location.href).href);
      else if (b)
        C.files[id] = b.ask(carried(src).buffer).catch(function () {
          return load(src).then(DLCompact.geometry); // the worker failed: decode here after all
        });
      else
        C.files[id] = load(src).then(function (buf) {
          return decode ? DLCompact.geometry(buf) : DLCompact.style(buf);
        });
    }
    return C.files[id];
  }

  function compact(o) {
    var Layer = L.Layer.extend({
      onAdd: function (map) {
        var self = this;
        C.layers = C.layers || {};
        C.layers[o.id] = this; // for tests and benchmarks: what is drawn where
        this._labels = o.labels;
        this._c = L.DomUtil.create('canvas', 'dl-compact leaflet-zoom-hide');
        this._c.style.pointerEvents = 'none';
        (map.getPane('dlBig') || map.getPane('overlayPane')).appendChild(this._c);
        map.on('moveend zoomend resize viewreset', this._draw, this);
        map.on('click', this._click, this);
        map.on('mousemove', this._hover, this);
        this._ready = Promise.all([file(o.geom, true, o.worker), file(o.style, false)])
          .then(function (b) {
            self._g = b[0];
            self._s = b[1];
            self._draw();
          })
          .catch(function (e) {
            console.error(e);
          });
        return this;
      },
      onRemove: function (map) {
        map.off('moveend zoomend resize viewreset', this._draw, this);
        map.off('click', this._click, this);
        map.off('mousemove', this._hover, this);
        if (this._tip) map.closeTooltip(this._tip);
        L.DomUtil.remove(this._c);
        this._map = null;
        return this;
      },
      _frame: function () {
        var map = this._map, z = Math.pow(2, map.getZoom()), tl = map.containerPointToLayerPoint([0, 0]);
        var po = map.getPixelOrigin();
        return { z: z, ox: po.x + tl.x, oy: po.y + tl.y, tl: tl, size: map.getSize() };
      },
      _path: function (ctx, g, i, f) {
        for (var r = g.fRing[i]; r < g.fRing[i + 1]; r++) {
          var a = g.rStart[r], k = g.rCount[r];
          for (var j = 0; j < k; j++) {
            var px = g.xs[a + j] * f.z - f.ox, py = g.ys[a + j] * f.z - f.oy;
            if (g.kind === 1) {
              ctx.moveTo(px + o.paint.radius, py);
              ctx.arc(px, py, o.paint.radius, 0, 6.2832);
            } else if (j === 0) ctx.moveTo(px, py);
            else ctx.lineTo(px, py);
          }
          if (g.kind === 3) ctx.closePath();
        }
      },
      _draw: function () {
        if (!this._map || !this._g) return;
        var g = this._g, s = this._s, f = this._frame(), c = this._c;
        var dpr = root.devicePixelRatio || 1, w = f.size.x, h = f.size.y;
        L.DomUtil.setPosition(c, f.tl);
        c.width = w * dpr;
        c.height = h * dpr;
        c.style.width = w + 'px';
        c.style.height = h + 'px';
        var ctx = c.getContext('2d');
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        var P = o.paint, drawn = 0, sel = {}, selIdx = [];
        o.selected.forEach(function (k) {
          sel[k] = 1;
        });
        ctx.lineJoin = 'round';
        // Skia fills a path in time that grows faster than its size: flush every few dozen features.
        var hatches = {};
        function hatched(col) {
          // the same hatching as the SVG pattern (defineHatch), as a canvas pattern
          return hatches[col] || (hatches[col] = ctx.createPattern(hatchTile(col, 1), 'repeat'));
        }
        function flush(cls, big, dots) {
          var col = o.palette[cls];
          if (g.kind === 2) {
            ctx.globalAlpha = P.opacity;
            ctx.strokeStyle = col;
            ctx.lineWidth = P.weight;
            ctx.stroke(big);
          } else {
            ctx.globalAlpha = P.fillOpacity;
            ctx.fillStyle = o.hatch && o.hatch[cls] ? hatched(col) : col;
            ctx.fill(big, 'evenodd');
            ctx.fill(dots);
            ctx.globalAlpha = P.opacity;
            ctx.strokeStyle = P.color;
            ctx.lineWidth = P.weight;
            ctx.stroke(big);
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
            if (g.kind === 3 && x1 - x0 < 2.5 && y1 - y0 < 2.5) {
              // under a few pixels: a dot reads the same
              dots.rect(x0, y0, Math.max(x1 - x0, 1.5), Math.max(y1 - y0, 1.5));
            } else {
              this._path(big, g, i, f);
            }
            if (++k === 48) {
              flush(cls, big, dots);
              big = new Path2D();
              dots = new Path2D();
              k = 0;
            }
          }
          if (k) flush(cls, big, dots);
        }
        if (selIdx.length) {
          var sp = new Path2D();
          selIdx.forEach(function (i) {
            this._path(sp, g, i, f);
          }, this);
          ctx.globalAlpha = 1;
          ctx.strokeStyle = o.selColor;
          ctx.lineWidth = (P.weight || 2) + 4;
          ctx.stroke(sp);
        }
        C.drawn[o.id] = { total: g.n, drawn: drawn, style: o.style.url || 'inline', at: Date.now() };
        if (!this._announced) {
          this._announced = true;
          this._map.fire('dl:drawn'); // the list of features in view can read this layer now
        }
      },
      pointOf: function (i) {
        // the container point of feature i's box centre (tests click there)
        var g = this._g, z = Math.pow(2, this._map.getZoom());
        var ll = this._map.unproject(
          L.point(((g.box[4 * i] + g.box[4 * i + 2]) / 2) * z, ((g.box[4 * i + 1] + g.box[4 * i + 3]) / 2) * z),
          this._map.getZoom()
        );
        return this._map.latLngToContainerPoint(ll);
      },
      _hit: function (e) {
        var g = this._g, s = this._s;
        if (!g) return -1;
        var map = this._map, p = map.project(e.latlng, 0), tol = 4 / Math.pow(2, map.getZoom());
        if (g.kind === 1) tol = (o.paint.radius + 2) / Math.pow(2, map.getZoom());
        for (var i = g.n - 1; i >= 0; i--) {
          if (s[i] === DLCompact.HIDDEN) continue;
          if (p.x < g.box[4 * i] - tol || p.x > g.box[4 * i + 2] + tol || p.y < g.box[4 * i + 1] - tol || p.y > g.box[4 * i + 3] + tol) continue;
          if (g.kind !== 3) return i; // a point or a line whose box (with the tolerance) holds the click
          var inside = false;
          for (var r = g.fRing[i]; r < g.fRing[i + 1]; r++) {
            var a = g.rStart[r], k = g.rCount[r];
            for (var j = 0, m = k - 1; j < k; m = j++) {
              var xi = g.xs[a + j], yi = g.ys[a + j], xj = g.xs[a + m], yj = g.ys[a + m];
              if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
            }
          }
          if (inside) return i;
        }
        return -1;
      },
      _over: function (e) {
        // a layer drawn above the canvas (a point, a line) has the pointer
        var tg = e.originalEvent && e.originalEvent.target;
        return !!(tg && tg.classList && tg.classList.contains('leaflet-interactive'));
      },
      _click: function (e) {
        if (this._over(e)) return;
        var i = this._hit(e);
        if (i < 0) return;
        var props = { _l: o.id, _k: this._g.keys[i] };
        this.fire('click', {
          latlng: e.latlng,
          layer: {
            toGeoJSON: function () {
              return { type: 'Feature', properties: props, geometry: null };
            },
          },
        });
        reportNow(this._map);
      },
      _hover: function (e) {
        var i = this._over(e) ? -1 : this._hit(e), map = this._map;
        map.getContainer().style.cursor = i < 0 ? '' : 'pointer';
        if (i < 0) {
          if (this._tip) {
            map.closeTooltip(this._tip);
            this._tip = null;
          }
          return;
        }
        var d = el('div');
        d.appendChild(el('div', 'dl-tip-title', this._g.keys[i]));
        var lab = o.labels[this._s[i]];
        if (lab) d.appendChild(el('div', '', lab));
        if (!this._tip) this._tip = L.tooltip({ direction: 'top', opacity: 0.95 });
        this._tip.setLatLng(e.latlng).setContent(d);
        if (!map.hasLayer(this._tip)) map.openTooltip(this._tip);
      },
    });
    return new Layer();
  }

  // -- the list of features in view: the map's content for the keyboard and screen readers --------------
  // Every feature drawn (the filters already applied) whose shape lies in the view, as a listbox: the
  // arrow keys move, Enter (or a click) selects — the same selection as a click on the map. Rebuilt on
  // each rerun, it keeps the user's place and focus (C.list).
  var LIST_MAX = 300;

  function inView(layer, view) {
    if (layer.getBounds) return view.intersects(layer.getBounds());
    return layer.getLatLng ? view.contains(layer.getLatLng()) : false;
  }

  function features(map, titles) {
    var view = map.getBounds(), out = [], more = 0;
    map.eachLayer(function (l) {
      var p = l.feature && l.feature.properties;
      if (!p || !p._k || !titles[p._l] || !inView(l, view)) return;
      var tip = p._tip || [], status = tip.length > 1 ? tip[1][1] : '';
      out.push({ l: p._l, k: p._k, text: (tip[0] ? tip[0][1] : p._k) + (status ? ' — ' + status : '') });
    });
    Object.keys(C.layers || {}).forEach(function (id) {
      var c = C.layers[id], g = c._g, s = c._s;
      if (!g || !c._map || !titles[id]) return;
      var f = c._frame(), size = f.size;
      for (var i = 0; i < g.n; i++) {
        if (s[i] === DLCompact.HIDDEN) continue;
        var x0 = g.box[4 * i] * f.z - f.ox, y0 = g.box[4 * i + 1] * f.z - f.oy;
        var x1 = g.box[4 * i + 2] * f.z - f.ox, y1 = g.box[4 * i + 3] * f.z - f.oy;
        if (x1 < 0 || y1 < 0 || x0 > size.x || y0 > size.y) continue;
        if (out.length >= LIST_MAX) {
          more++;
          continue;
        }
        var lab = c._labels[s[i]];
        out.push({ l: id, k: g.keys[i], text: g.keys[i] + (lab ? ' — ' + lab : '') });
      }
    });
    Object.keys(C.tiles || {}).forEach(function (id) {
      // a layer drawn from vector tiles: the features of its loaded tiles in the view
      var t = C.tiles[id];
      if (!t._map || !titles[id]) return;
      t.inView().forEach(function (f) {
        if (out.length >= LIST_MAX) {
          more++;
          return;
        }
        var lab = t.labels[f.props.c];
        out.push({ l: id, k: String(f.props.key), text: f.props.key + (lab ? ' — ' + lab : '') });
      });
    });
    var order = {};
    Object.keys(titles).forEach(function (id, n) {
      order[id] = n;
    });
    out.sort(function (a, b) {
      return order[a.l] - order[b.l] || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
    });
    if (out.length > LIST_MAX) {
      more += out.length - LIST_MAX;
      out = out.slice(0, LIST_MAX);
    }
    return { items: out, more: more };
  }

  function say(text, n) {
    return text.replace('{n}', String(n));
  }

  function list(spec) {
    var state = (C.list = C.list || { open: spec.open, key: null, focused: false });
    var Wrapper = L.Layer.extend({
      onAdd: function (map) {
        var self = this;
        this._map = map;
        this._c = L.control({ position: spec.position });
        this._c.onAdd = function () {
          var box = el('details', 'dl-list');
          box.open = state.open;
          box.addEventListener('toggle', function () {
            state.open = box.open;
          });
          var head = el('summary', 'dl-list-head', spec.heading);
          self._count = el('span', 'dl-list-count');
          head.appendChild(self._count);
          box.appendChild(head);
          self._live = el('div', 'dl-sr');
          self._live.setAttribute('aria-live', 'polite');
          box.appendChild(self._live);
          var ul = (self._ul = el('ul', 'dl-list-items'));
          ul.id = 'dl-list-' + L.stamp(self);
          ul.setAttribute('role', 'listbox');
          ul.setAttribute('tabindex', '0');
          ul.setAttribute('aria-label', spec.heading);
          ul.addEventListener('keydown', function (e) {
            self._key(e);
          });
          ul.addEventListener('focus', function () {
            state.focused = true;
            if (self._at < 0 && self._items.length) self._move(0);
          });
          ul.addEventListener('blur', function () {
            if (!self._leaving) state.focused = false; // a rerun replacing the list keeps the user's focus
          });
          box.appendChild(ul);
          self._more = el('div', 'dl-list-more');
          box.appendChild(self._more);
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          return box;
        };
        this._c.addTo(map);
        this._items = [];
        this._at = -1;
        map.on('moveend zoomend', this._fill, this);
        map.on('dl:drawn', this._fill, this);
        setTimeout(function () {
          self._fill();
          if (state.focused && self._ul) self._ul.focus();
        }, 0);
        return this;
      },
      onRemove: function (map) {
        map.off('moveend zoomend', this._fill, this);
        map.off('dl:drawn', this._fill, this);
        this._leaving = true;
        if (this._c) this._c.remove();
        this._map = null;
        return this;
      },
      _fill: function () {
        if (!this._map || !this._ul) return;
        var got = features(this._map, spec.titles), ul = this._ul, self = this;
        this._items = got.items;
        while (ul.firstChild) ul.removeChild(ul.firstChild);
        got.items.forEach(function (it, n) {
          var li = el('li', 'dl-list-item');
          li.id = ul.id + '-' + n;
          li.setAttribute('role', 'option');
          li.setAttribute('aria-selected', String(!!spec.selected && spec.selected[0] === it.l && spec.selected[1] === it.k));
          li.appendChild(el('span', 'dl-list-layer', spec.titles[it.l] + ': '));
          li.appendChild(document.createTextNode(it.text));
          li.addEventListener('click', function () {
            self._move(n);
            self._choose();
          });
          ul.appendChild(li);
        });
        var total = got.items.length + got.more;
        this._count.textContent = ' (' + total + ')';
        this._more.textContent = got.more ? say(spec.more, got.more) : got.items.length ? '' : spec.empty;
        this._live.textContent = say(spec.count, total);
        var at = -1;
        for (var i = 0; i < got.items.length; i++) if (got.items[i].l + '\u0000' + got.items[i].k === state.key) at = i;
        this._at = -1;
        if (at >= 0) this._move(at, true);
        else ul.removeAttribute('aria-activedescendant');
      },
      _move: function (n, quiet) {
        var ul = this._ul, items = ul.children;
        if (!items.length) return;
        n = Math.max(0, Math.min(items.length - 1, n));
        if (this._at >= 0 && items[this._at]) items[this._at].classList.remove('dl-list-active');
        this._at = n;
        items[n].classList.add('dl-list-active');
        ul.setAttribute('aria-activedescendant', items[n].id);
        state.key = this._items[n].l + '\u0000' + this._items[n].k;
        if (!quiet) items[n].scrollIntoView({ block: 'nearest' });
      },
      _key: function (e) {
        var k = e.key, page = 10;
        if (k === 'ArrowDown') this._move(this._at + 1);
        else if (k === 'ArrowUp') this._move(this._at - 1);
        else if (k === 'Home') this._move(0);
        else if (k === 'End') this._move(this._items.length - 1);
        else if (k === 'PageDown') this._move(this._at + page);
        else if (k === 'PageUp') this._move(this._at - page);
        else if (k === 'Enter' || k === ' ') this._choose();
        else return;
        e.preventDefault();
        e.stopPropagation(); // the map's own keys (arrows pan) are not the list's
      },
      _choose: function () {
        var it = this._items[this._at], gd = root.__GLOBAL_DATA__;
        if (!it || !this._map) return;
        if (gd) gd.last_active_drawing = { type: 'Feature', properties: { _l: it.l, _k: it.k }, geometry: null };
        if (root.DL && root.DL.tileCard) root.DL.tileCard(this._map, it.l, it.k); // a tiled parcel's card at once
        reportNow(this._map);
      },
    });
    return new Wrapper();
  }

  // -- maps compared side by side pan and zoom together -------------------------------------------------
  // Each map lives in its own frame of the same page (same origin): a move of one sets the view of the
  // others of the same group; a map already there does nothing, so the echo stops at once.
  function sync(map, group) {
    root.__dlSync = group;
    map.on('moveend', function () {
      var doc;
      try {
        doc = root.parent && root.parent !== root ? root.parent.document : null;
      } catch (e) {
        return;
      }
      if (!doc) return;
      var c = map.getCenter(), z = map.getZoom();
      Array.prototype.forEach.call(doc.querySelectorAll('iframe'), function (f) {
        try {
          var w = f.contentWindow;
          if (w === root || !w.map || w.__dlSync !== group) return;
          if (!w.map.getCenter().equals(c, 1e-7) || w.map.getZoom() !== z) w.map.setView(c, z, { animate: false });
        } catch (e) {
          /* a frame of another origin: not ours */
        }
      });
    });
  }

  root.DL = { sync: sync, setup: setup, hatchTile: hatchTile, reportNow: reportNow, geojson: geojson, labels: labels, control: control, pick: pick, compact: compact, list: list };
  root.__dlReportNow = reportNow;
})(window);
