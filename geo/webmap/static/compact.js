/* The decoder of the compact geometry file written by geo/webmap/compact.py (encode_geometry).
 *
 * One file for the page, the worker and Node's test runner: it defines `DLCompact` on whatever
 * global it runs in (window, a worker's self) and exports it to CommonJS where that exists.
 * Layout (little-endian): magic "DLG1", n features (u32), kind (u8: 1 point, 2 line, 3 polygon),
 * 3 bytes padding, x0 y0 (f64, Web Mercator metres), quantum q (f64), rings (u32), vertices (u32),
 * varint bytes (u32), the varints (per feature: rings; per ring: vertices; per vertex: zigzag dx, dy),
 * then the keys' byte length (u32) and the keys joined by "\n" (UTF-8).
 */
(function (root) {
  'use strict';

  var E = 20037508.342789244; // half the Web Mercator world, metres
  var K0 = 256 / (2 * E); // Leaflet's pixels at zoom 0 per metre

  function zigzag(v) {
    return v % 2 ? -(v + 1) / 2 : v / 2;
  }

  // Decode a geometry file into typed arrays in Leaflet's zoom-0 pixel space: linear, no trigonometry.
  function geometry(buf) {
    var dv = new DataView(buf);
    var n = dv.getUint32(4, true);
    var kind = dv.getUint8(8);
    var q = dv.getFloat64(28, true);
    var nr = dv.getUint32(36, true);
    var nv = dv.getUint32(40, true);
    var nb = dv.getUint32(44, true);
    var u = new Uint8Array(buf, 48, nb);
    var p = 0;
    function varint() {
      var r = 0, m = 1, b;
      do {
        b = u[p++];
        r += (b & 127) * m;
        m *= 128;
      } while (b & 128);
      return r;
    }
    var fRing = new Int32Array(n + 1), rStart = new Int32Array(nr), rCount = new Int32Array(nr);
    var xs = new Float64Array(nv), ys = new Float64Array(nv), box = new Float64Array(4 * n);
    var x = Math.round(dv.getFloat64(12, true) / q), y = Math.round(dv.getFloat64(20, true) / q);
    var ri = 0, vi = 0;
    for (var i = 0; i < n; i++) {
      fRing[i] = ri;
      var rings = varint(), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var r = 0; r < rings; r++) {
        var k = varint();
        rStart[ri] = vi;
        rCount[ri] = k;
        ri++;
        for (var j = 0; j < k; j++) {
          x += zigzag(varint());
          y += zigzag(varint());
          var X = (x * q + E) * K0, Y = (E - y * q) * K0;
          xs[vi] = X;
          ys[vi] = Y;
          vi++;
          if (X < x0) x0 = X;
          if (X > x1) x1 = X;
          if (Y < y0) y0 = Y;
          if (Y > y1) y1 = Y;
        }
      }
      box[4 * i] = x0;
      box[4 * i + 1] = y0;
      box[4 * i + 2] = x1;
      box[4 * i + 3] = y1;
    }
    fRing[n] = ri;
    var kl = dv.getUint32(48 + nb, true);
    var keys = n ? new TextDecoder().decode(new Uint8Array(buf, 52 + nb, kl)).split('\n') : [];
    return { n: n, kind: kind, fRing: fRing, rStart: rStart, rCount: rCount, xs: xs, ys: ys, box: box, keys: keys };
  }

  // A gzip-compressed body, inflated by the platform (no library).
  function inflate(buf) {
    return new Response(new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  }

  // The style file: one byte per feature of the geometry file (its class, or 255: hidden).
  function style(buf) {
    return new Uint8Array(buf);
  }

  // A pixel of zoom-0 space back to WGS 84 degrees (for tests: the inverse of the projection above).
  function toLonLat(X, Y) {
    var mx = X / K0 - E, my = E - Y / K0;
    var lon = (mx / E) * 180;
    var lat = (Math.atan(Math.exp((my / E) * Math.PI)) * 360) / Math.PI - 90;
    return [lon, lat];
  }

  // This file's own text, when a page loaded it inline: a standalone map starts a worker from it (a blob).
  var source = typeof document !== 'undefined' && document.currentScript ? document.currentScript.textContent : null;

  var api = { geometry: geometry, inflate: inflate, style: style, toLonLat: toLonLat, HIDDEN: 255, source: source };
  root.DLCompact = api;

  // Started as a blob worker by a standalone map (dlmap.js): bytes in, the decoded geometry out. (The
  // app's compact-worker.js, which fetches by URL, sets its own handler after loading this file.)
  if (typeof WorkerGlobalScope !== 'undefined' && root instanceof WorkerGlobalScope) {
    root.onmessage = function (e) {
      inflate(e.data.buf)
        .then(function (buf) {
          var g = geometry(buf);
          root.postMessage({ id: e.data.id, g: g }, [g.fRing.buffer, g.rStart.buffer, g.rCount.buffer, g.xs.buffer, g.ys.buffer, g.box.buffer]);
        })
        .catch(function (err) {
          root.postMessage({ id: e.data.id, error: String(err) });
        });
    };
  }
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof self !== 'undefined' ? self : globalThis);
