// The page's watcher (ui/static/watch/watch.js) against versions files the Python side wrote
// (geo.store.reads.versions_document, as ui/live.py writes them): it asks for a redraw only when the store
// moved past what the page drew, and only once per version.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const DLWatch = require('../../ui/static/watch/watch.js');

const dir = process.env.DL_FIXTURES;
assert.ok(dir && fs.existsSync(dir), 'DL_FIXTURES must name the folder written by tests/js/write_fixtures.py');
const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'versions.json'), 'utf8'));

test('a page drawn at the current version stays as it is', () => {
  assert.equal(DLWatch.stale(fixture.before, ['units', 'ql4b_segments'], fixture.drawn, 0), 0);
  assert.equal(DLWatch.stale(fixture.before, [], fixture.drawn, 0), 0);
});

test('after an edit the page asks for the new version, once', () => {
  const now = DLWatch.stale(fixture.after, ['indicators'], fixture.drawn, 0);
  assert.ok(now > fixture.drawn, 'an edit moves the version past what was drawn');
  assert.equal(now, DLWatch.newest(fixture.after, ['indicators']));
  assert.equal(DLWatch.stale(fixture.after, ['indicators'], fixture.drawn, now), 0, 'not asked twice');
});

test('a broken or missing file asks for nothing', () => {
  assert.equal(DLWatch.stale(null, ['indicators'], fixture.drawn, 0), 0);
  assert.equal(DLWatch.stale({}, ['indicators'], fixture.drawn, 0), 0);
  assert.equal(DLWatch.newest({ store: 5, tables: {} }, ['nothing']), 0);
});
