// The briefing's presentation keys (ui/static/present.js): a clicker's keys step the slides, Esc leaves,
// and nothing is taken from a person typing into a field or from the browser's own shortcuts.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const DLPresent = require('../../ui/static/present.js');

const key = (k, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

test('a clicker steps forward and back while presenting', () => {
  for (const k of ['ArrowRight', 'PageDown', ' ']) assert.equal(DLPresent.action(key(k), true, false), 'next', k);
  for (const k of ['ArrowLeft', 'PageUp']) assert.equal(DLPresent.action(key(k), true, false), 'prev', k);
});

test('Esc leaves presentation mode, even from a text field', () => {
  assert.equal(DLPresent.action(key('Escape'), true, false), 'exit');
  assert.equal(DLPresent.action(key('Escape'), true, true), 'exit');
});

test('outside presentation mode the keys are left alone', () => {
  for (const k of ['ArrowRight', 'ArrowLeft', 'PageDown', ' ', 'Escape']) {
    assert.equal(DLPresent.action(key(k), false, false), null, k);
  }
});

test('typing and the browser shortcuts are not taken', () => {
  assert.equal(DLPresent.action(key(' '), true, true), null); // a space typed into the edit form
  assert.equal(DLPresent.action(key('ArrowRight'), true, true), null); // moving the caret
  assert.equal(DLPresent.action(key('ArrowLeft', { altKey: true }), true, false), null); // the browser's Back
  assert.equal(DLPresent.action(key('PageDown', { ctrlKey: true }), true, false), null); // next tab
  assert.equal(DLPresent.action(key(' ', { shiftKey: true }), true, false), null);
  // The map's own keys stay the map's: ↑ ↓ pan, + − zoom.
  for (const k of ['ArrowUp', 'ArrowDown', '+', '-']) assert.equal(DLPresent.action(key(k), true, false), null, k);
});

test('which elements take typed text', () => {
  const el = (tagName, attrs = {}, extra = {}) => ({
    tagName,
    getAttribute: (n) => (n in attrs ? attrs[n] : null),
    isContentEditable: false,
    ...extra,
  });
  assert.equal(DLPresent.takesText(el('INPUT')), true);
  assert.equal(DLPresent.takesText(el('INPUT', { type: 'number' })), true);
  assert.equal(DLPresent.takesText(el('TEXTAREA')), true);
  assert.equal(DLPresent.takesText(el('DIV', {}, { isContentEditable: true })), true);
  assert.equal(DLPresent.takesText(el('INPUT', { type: 'checkbox', role: 'switch' })), false);
  assert.equal(DLPresent.takesText(el('BUTTON')), false);
  assert.equal(DLPresent.takesText(el('DIV')), false);
  assert.equal(DLPresent.takesText(null), false);
});
