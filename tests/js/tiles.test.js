// The page's vector-tile decoder (geo/webmap/static/tiles.js) against a tile the Python side built from the
// notice's store (tests/js/write_fixtures.py): a viewer's parcels, their fields, and the hit test a click uses.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const DLTiles = require('../../geo/webmap/static/tiles.js');

const dir = process.env.DL_FIXTURES;
assert.ok(dir && fs.existsSync(dir), 'DL_FIXTURES must name the folder written by tests/js/write_fixtures.py');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'parcels.mvt.json'), 'utf8'));
const tile = DLTiles.decode(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'parcels.mvt.gz'))));

test('every parcel of the tile is read with the fields a viewer may see, and nothing else', () => {
  const feats = tile.features.features;
  assert.equal(tile.features.extent, 4096);
  assert.deepStrictEqual(feats.map((f) => f.props.key).sort(), expected.keys);
  for (const f of feats) {
    assert.deepStrictEqual(f.props, expected.properties[f.props.key]);
    assert.ok(!('owner' in f.props), 'a land user never travels in a viewer tile');
    assert.equal(f.type, 3);
  }
});

test('a click inside a parcel finds it; a click outside every parcel finds none', () => {
  const feats = tile.features.features;
  const p = expected.probe;
  const found = feats.filter((f) => DLTiles.hit(f, p.x, p.y, 0)).map((f) => f.props.key);
  assert.deepStrictEqual(found, [p.key]);
  const o = expected.outside;
  assert.equal(feats.filter((f) => DLTiles.hit(f, o.x, o.y, 0)).length, 0);
});

test('the list beside the map counts each parcel of the view once', () => {
  const tiles = {};
  tiles[expected.z + '/' + expected.x + '/' + expected.y] = tile.features;
  const x0 = expected.x * 256, y0 = expected.y * 256;
  const all = DLTiles.features(tiles, x0, y0, x0 + 256, y0 + 256);
  assert.equal(all.length, new Set(all.map((f) => f.props.key)).size);
  assert.ok(all.some((f) => f.props.key === expected.probe.key));
  assert.equal(DLTiles.features(tiles, x0 - 1000, y0 - 1000, x0 - 900, y0 - 900).length, 0);
});

test('a tile URL is the template with its address', () => {
  assert.equal(DLTiles.url('/dl-tiles/t/{z}/{x}/{y}.pbf?v=1', 15, 3, 9), '/dl-tiles/t/15/3/9.pbf?v=1');
});

// The record card a click shows at once (tests/js/write_fixtures.py writes the viewer's card spec and, for each
// parcel of the tile, the rows the engine's own formatter gives from the store).
const cards = JSON.parse(fs.readFileSync(path.join(dir, 'parcels.card.json'), 'utf8'));

for (const lang of ['vi', 'en']) {
  test(`a clicked parcel's card reads as its full record does (${lang}): labels, codes, numbers, units`, () => {
    const { card, rows } = cards[lang];
    for (const f of tile.features.features) {
      const c = DLTiles.card(f.props, card, []);
      assert.equal(c.title, f.props.key);
      assert.equal(c.layer, card.title);
      assert.deepStrictEqual(c.rows, rows[f.props.key], f.props.key);
    }
  });
}

test("a viewer's card has no land user, not even its label", () => {
  for (const lang of ['vi', 'en']) {
    const { card, owner } = cards[lang];
    assert.ok(!card.rows.some((r) => r.name === 'owner' || r.label === owner));
    for (const f of tile.features.features) {
      assert.ok(!DLTiles.card(f.props, card, []).rows.some((r) => r[0] === owner));
    }
  }
});

test('a card keeps text as text and says what is missing', () => {
  const card = cards.vi.card;
  const props = { key: '<img src=x onerror=alert(1)>', c: 0 };
  const c = DLTiles.card(props, card, []);
  assert.equal(c.title, '<img src=x onerror=alert(1)>');
  assert.ok(c.rows.every((r) => r[1] === card.missing));
  const row = { name: 'n', label: 'N', number: { digits: 2, unit: 'm²' } };
  assert.equal(DLTiles.cellText(-0.004, row, { locale: 'vi-VN', missing: '–' }), '0 m²');
  assert.equal(DLTiles.cellText(71070.456, row, { locale: 'vi-VN', missing: '–' }), '71.070,46 m²');
  assert.equal(DLTiles.cellText(71070.456, row, { locale: 'en', missing: '–' }), '71,070.46 m²');
  // rounded from the exact binary value as the Python side rounds (0.345 is 0.34499…), never "0,35"
  assert.equal(DLTiles.cellText(0.345, row, { locale: 'vi-VN', missing: '–' }), '0,34 m²');
  assert.equal(DLTiles.cellText('2024-04-24', { date: 'dd/mm/yyyy' }, card), '24/04/2024');
});

test('zoomed out, where a tile carries only the tooltip fields, the card shows those and invents nothing', () => {
  const { card } = cards.vi;
  const f = tile.features.features[0];
  const brief = DLTiles.card({ key: f.props.key, c: f.props.c, land_use: f.props.land_use }, card, [], card.fullZoom - 1);
  assert.deepStrictEqual(
    brief.rows.map((r) => r[0]),
    card.rows.filter((r) => card.brief.includes(r.name)).map((r) => r.label)
  );
  assert.ok(!brief.rows.some((r) => r[0] === 'Số thửa'));
  const full = DLTiles.card(f.props, card, [], card.fullZoom);
  assert.equal(full.rows.length, card.rows.length);
});

test("a card names the colour class when its field is not a row (a layer coloured by another field)", () => {
  const card = Object.assign({}, cards.en.card, { classLabel: 'Theme' });
  const c = DLTiles.card({ key: 'K', c: 1 }, card, ['a', 'b', '']);
  assert.deepStrictEqual(c.rows[c.rows.length - 1], ['Theme', 'b']);
});
