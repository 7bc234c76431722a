// The live figures of the drawing tools (geo/webmap/static/draw.js) against the engine's (geo.store.geometry_edit.measure,
// written by tests/js/write_fixtures.py): the same shapes measured on the national grid agree, and the undo
// stack goes back one state at a time.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const DLDraw = require('../../geo/webmap/static/draw.js');

const dir = process.env.DL_FIXTURES;
assert.ok(dir && fs.existsSync(dir), 'DL_FIXTURES must name the folder written by tests/js/write_fixtures.py');
const cases = JSON.parse(fs.readFileSync(path.join(dir, 'measures.json'), 'utf8'));

test('areas and lengths agree with the engine to a hundred-thousandth', () => {
  for (const c of cases) {
    const m = DLDraw.measure(c.geometry);
    assert.ok(Math.abs(m.area_m2 - c.area_m2) <= 1e-5 * Math.max(c.area_m2, 1), `${c.name}: area ${m.area_m2} vs ${c.area_m2}`);
    assert.ok(Math.abs(m.length_m - c.length_m) <= 1e-5 * c.length_m, `${c.name}: length ${m.length_m} vs ${c.length_m}`);
  }
});

test('the figures read in m, km and ha, the page language\'s way', () => {
  assert.deepEqual(DLDraw.describe({ area_m2: 41395.7, length_m: 812.34 }, 'vi'), { length: '812,3 m', area: '4,14 ha' });
  assert.deepEqual(DLDraw.describe({ area_m2: 41395.7, length_m: 812.34 }, 'en'), { length: '812.3 m', area: '4.14 ha' });
  assert.deepEqual(DLDraw.describe({ area_m2: 0, length_m: 12345.6 }, 'vi'), { length: '12,346 km' });
  assert.deepEqual(DLDraw.describe({ area_m2: 850, length_m: 0 }, 'vi'), { area: '850 m² (0,0850 ha)' });
});

test('the grid is VN-2000 / TM-3 107°15′: the central meridian at easting 500 km', () => {
  const [e, n] = DLDraw.grid(107.25, 21.5);
  assert.ok(Math.abs(e - 500000) < 1e-6);
  assert.ok(n > 2370000 && n < 2390000, `northing ${n}`);
});

test('undo goes back one state at a time and never past the first', () => {
  const h = new DLDraw.History(3);
  const a = { type: 'Point', coordinates: [1, 2] };
  const b = { type: 'Point', coordinates: [3, 4] };
  const c = { type: 'Point', coordinates: [5, 6] };
  h.clear(a);
  assert.equal(h.canUndo(), false);
  assert.equal(h.push(b), true);
  assert.equal(h.push(b), false, 'the same state twice is one state');
  h.push(c);
  assert.deepEqual(h.undo(), b);
  assert.deepEqual(h.undo(), a);
  assert.equal(h.undo(), null);
  h.push(b);
  h.push(c);
  h.push(a);
  assert.equal(h.states.length, 3, 'bounded');
});

test('the features of a large layer near the view, and only those shown, become snap targets', () => {
  // Three square parcels in zoom-0 pixel space (as compact.js decodes them): at x 0, 10 and 100.
  const square = (x) => [[x, 0], [x + 5, 0], [x + 5, 5], [x, 5]];
  const g = {
    n: 3, kind: 3, keys: ['A', 'B', 'C'],
    fRing: Int32Array.from([0, 1, 2, 3]), rStart: Int32Array.from([0, 4, 8]), rCount: Int32Array.from([4, 4, 4]),
    xs: Float64Array.from([0, 10, 100].flatMap((x) => square(x).map((p) => p[0]))),
    ys: Float64Array.from([0, 10, 100].flatMap((x) => square(x).map((p) => p[1]))),
    box: Float64Array.from([0, 0, 5, 5, 10, 0, 15, 5, 100, 0, 105, 5]),
  };
  const near = DLDraw.snapTargets(g, null, [-1, -1, 20, 6], 10);
  assert.deepEqual(near.map((f) => f.key), ['A', 'B']);
  assert.deepEqual(near[1].rings, [square(10)]);
  assert.deepEqual(DLDraw.snapTargets(g, Uint8Array.from([255, 0, 0]), [-1, -1, 20, 6], 10).map((f) => f.key), ['B']);
  assert.equal(DLDraw.snapTargets(g, null, [-1, -1, 200, 6], 2).length, 2); // bounded
  assert.deepEqual(DLDraw.snapTargets({ n: 0 }, null, [0, 0, 1, 1], 10), []);
});
