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

// A page and its frames, as much of the DOM as present.js touches: listeners, the switch, the buttons.
function fakeTarget() {
  const listeners = {};
  return {
    listeners,
    addEventListener(type, fn, capture) {
      (listeners[type] = listeners[type] || []).push({ fn, capture: !!capture });
    },
    fire(type, event) {
      for (const l of listeners[type] || []) l.fn(event);
    },
  };
}

function fakePage() {
  const doc = fakeTarget();
  const win = fakeTarget();
  const clicks = [];
  const frames = [];
  const toggle = { checked: true, closest: () => null, click: () => clicks.push('pres_full') };
  const button = (name) => ({ click: () => clicks.push(name) });
  doc.documentElement = {};
  doc.querySelector = (sel) => {
    if (sel === '.st-key-pres_full input') return toggle;
    const m = /^\.st-key-(pres_next|pres_prev) button$/.exec(sel);
    return m ? button(m[1]) : null;
  };
  doc.querySelectorAll = (sel) => (sel === 'iframe' ? frames : []);
  const timers = [];
  win.setInterval = (fn) => timers.push(fn);
  win.setTimeout = (fn) => fn();
  win.innerHeight = 768;
  const frame = () => {
    const inner = fakeTarget();
    const el = { tagName: 'IFRAME', contentWindow: { document: inner } };
    return { el, inner };
  };
  const tick = () => timers.forEach((fn) => fn());
  return { doc, win, clicks, frames, frame, tick };
}

const keydown = (k) => ({ ...key(k), target: { tagName: 'DIV', getAttribute: () => null }, preventDefault() {}, stopPropagation() {} });

test('the keys step the slides from a map frame that focus entered without a blur of the page', () => {
  // Each slide brings a new map frame; the clicker's keys must work in it whether or not the page saw focus
  // leave (run 23 of the harness: → in the map panned the map instead of turning the slide).
  const p = fakePage();
  const first = p.frame();
  p.frames.push(first.el);
  DLPresent.install(p.win, p.doc);
  first.inner.fire('keydown', keydown('ArrowRight'));
  assert.deepEqual(p.clicks, ['pres_next'], 'a frame already in the page is hooked at once');
  // A frame that arrives later: hooked when it has loaded (the load is seen in capture on the page) ...
  const second = p.frame();
  p.frames.push(second.el);
  p.doc.fire('load', { target: second.el });
  second.inner.fire('keydown', keydown('PageUp'));
  assert.deepEqual(p.clicks, ['pres_next', 'pres_prev']);
  // ... and, should that load have been missed, within the next beat of the page's timer.
  const third = p.frame();
  p.frames.push(third.el);
  p.tick();
  third.inner.fire('keydown', keydown('PageDown'));
  assert.deepEqual(p.clicks, ['pres_next', 'pres_prev', 'pres_next']);
  // Hooking twice does not double a key.
  p.tick();
  p.doc.fire('load', { target: third.el });
  third.inner.fire('keydown', keydown('ArrowLeft'));
  assert.deepEqual(p.clicks, ['pres_next', 'pres_prev', 'pres_next', 'pres_prev']);
});

test('a frame of another origin is left alone', () => {
  const p = fakePage();
  const el = { tagName: 'IFRAME' };
  Object.defineProperty(el, 'contentWindow', { get: () => ({ get document() { throw new Error('SecurityError'); } }) });
  p.frames.push(el);
  assert.doesNotThrow(() => DLPresent.install(p.win, p.doc));
  assert.doesNotThrow(() => p.tick());
});
