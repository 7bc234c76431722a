// The browser's decoder (geo/webmap/static/compact.js) against files the Python encoder (geo/webmap/compact.py) wrote.
// DL_FIXTURES names the folder that tests/js/write_fixtures.py filled (make jstest does both).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const DLCompact = require('../../geo/webmap/static/compact.js');

const dir = process.env.DL_FIXTURES;
assert.ok(dir && fs.existsSync(dir), 'DL_FIXTURES must name the folder written by tests/js/write_fixtures.py');

function buffer(name) {
  const b = fs.readFileSync(path.join(dir, name));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8'));
}

// Metres between two WGS 84 points (equirectangular: the fixtures span a few kilometres).
function metres(a, b) {
  const k = Math.PI / 180, R = 6378137;
  const dx = (a[0] - b[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k) * R;
  const dy = (a[1] - b[1]) * k * R;
  return Math.hypot(dx, dy);
}

function checkLayer(name, g) {
  const want = expected(name);
  assert.equal(g.n, want.n);
  assert.equal(g.kind, want.kind);
  assert.deepEqual(g.keys, want.keys);
  let worst = 0;
  for (let i = 0; i < g.n; i++) {
    const rings = want.rings[i];
    assert.equal(g.fRing[i + 1] - g.fRing[i], rings.length, `${name} feature ${i}: ring count`);
    rings.forEach((ring, r) => {
      const ri = g.fRing[i] + r;
      assert.equal(g.rCount[ri], ring.length, `${name} feature ${i} ring ${r}: vertex count`);
      ring.forEach((lonlat, j) => {
        const got = DLCompact.toLonLat(g.xs[g.rStart[ri] + j], g.ys[g.rStart[ri] + j]);
        worst = Math.max(worst, metres(got, lonlat));
      });
      // The feature's box holds every vertex of its rings.
      for (let j = 0; j < ring.length; j++) {
        const x = g.xs[g.rStart[ri] + j], y = g.ys[g.rStart[ri] + j];
        assert.ok(x >= g.box[4 * i] && x <= g.box[4 * i + 2] && y >= g.box[4 * i + 1] && y <= g.box[4 * i + 3]);
      }
    });
  }
  // Quantised to a 0.5 m grid of Web Mercator: under a metre here, whatever the drift of the deltas.
  assert.ok(worst <= 2 * want.tolerance_m, `${name}: a vertex is ${worst.toFixed(3)} m off`);
}

for (const name of ['parcels', 'points', 'lines', 'empty']) {
  test(`${name}: every feature, ring, vertex and key as the encoder was given them`, () => {
    checkLayer(name, DLCompact.geometry(buffer(name + '.bin')));
  });

  test(`${name}: the gzip file the app serves inflates to the same layer`, async () => {
    const raw = await DLCompact.inflate(buffer(name + '.bin.gz'));
    checkLayer(name, DLCompact.geometry(raw));
  });
}

test('keys keep Vietnamese and hostile text exactly, as data', () => {
  const g = DLCompact.geometry(buffer('parcels.bin'));
  assert.equal(g.keys[40], 'Thửa có lỗ');
  assert.equal(g.keys[41], 'a\u202eb</script>');
});

test('a polygon with a hole has two rings; a multipolygon has one per part', () => {
  const g = DLCompact.geometry(buffer('parcels.bin'));
  assert.equal(g.fRing[41] - g.fRing[40], 2);
  assert.equal(g.fRing[42] - g.fRing[41], 2);
});

test('the style file gives each feature its class, or hidden', () => {
  const s = DLCompact.style(buffer('parcels.style'));
  assert.deepEqual(Array.from(s), JSON.parse(fs.readFileSync(path.join(dir, 'parcels.style.json'), 'utf8')));
  assert.equal(s[1], DLCompact.HIDDEN);
});
