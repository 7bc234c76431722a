/* The briefing's presentation mode (ui/presentation.py), in the page: run after ui/static/page.js by
 * ui/assets.page_behaviour(). While the "Toàn màn hình" switch is on:
 *   - switching it on with the mouse or the keyboard asks the browser for full screen (the Fullscreen
 *     API needs that gesture); switching it off, Esc, or leaving the browser's full screen leaves
 *     presentation mode;
 *   - →, PageDown and Space step forward, ← and PageUp step back (what presentation clickers send),
 *     wherever focus is: on the page or in a map (the map's frame is same-origin, and hooked once loaded).
 *     In a map ↑ ↓ still pan and + − still zoom; ← → belong to the slides. Keys typed into a text field
 *     stay the field's.
 * Streamlit's sanitiser drops a script whose text looks like markup: this file holds no "less than" sign.
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.DLPresent = api;
  if (typeof document === 'object' && !root.__dlPresent) {
    root.__dlPresent = true;
    api.install(root, document);
  }
})(typeof window === 'object' ? window : this, function () {
  'use strict';

  var KEYS = { ArrowRight: 'next', PageDown: 'next', ' ': 'next', Spacebar: 'next', ArrowLeft: 'prev', PageUp: 'prev', Escape: 'exit', Esc: 'exit' };

  /* What a key does in presentation mode: 'next', 'prev', 'exit', or null (leave the key alone).
   * `key` is a KeyboardEvent-like {key, ctrlKey, metaKey, altKey, shiftKey}; `editing` says that focus is in
   * a field that takes text (there only Esc is ours). */
  function action(key, presenting, editing) {
    if (!presenting || !key || key.ctrlKey || key.metaKey || key.altKey) return null;
    var what = KEYS[key.key] || null;
    if (what === null || (editing && what !== 'exit')) return null;
    if (key.shiftKey && what !== 'exit') return null; // Shift+Space and friends: the page's own
    return what;
  }

  /* Whether `el` takes typed text (an input other than a button or switch, a text area, an editable box). */
  function takesText(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toUpperCase();
    if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true;
    if (tag !== 'INPUT') return false;
    var type = (el.getAttribute('type') || 'text').toLowerCase();
    return ['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].indexOf(type) === -1 &&
      el.getAttribute('role') !== 'switch';
  }

  function install(win, doc) {
    function toggle() {
      return doc.querySelector('.st-key-pres_full input');
    }
    function presenting() {
      var t = toggle();
      return !!(t && t.checked);
    }
    var leaving = false;
    function leave() {
      if (doc.fullscreenElement && doc.exitFullscreen) doc.exitFullscreen().catch(function () {});
      var t = toggle();
      if (t && t.checked) {
        leaving = true; // this click is not a person's: it asks for no full screen
        try {
          t.click(); // the switch's own input (a click on its label is not passed on by the widget)
        } finally {
          leaving = false;
        }
      }
    }
    function press(name) {
      var button = doc.querySelector('.st-key-' + name + ' button');
      if (button) button.click();
    }
    function onKey(e) {
      var what = action(e, presenting(), takesText(e.target));
      if (!what) return;
      e.preventDefault();
      e.stopPropagation();
      if (what === 'exit') leave();
      else press(what === 'next' ? 'pres_next' : 'pres_prev');
    }
    // Capture, on the page and in every frame of it: the slides' keys before a map or a switch. A frame's
    // document is hooked as soon as it has loaded, whether or not focus ever went there by a click: a
    // slide or a layout change can bring a new map frame, and a window's blur is no promise that focus
    // moved into one.
    doc.addEventListener('keydown', onKey, true);
    function hookFrame(frame) {
      var inner = null;
      try {
        inner = frame.contentWindow ? frame.contentWindow.document : null;
      } catch (err) {
        inner = null; // a frame of another origin: not ours
      }
      if (!inner || inner.__dlPresent) return;
      inner.__dlPresent = true;
      inner.addEventListener('keydown', onKey, true);
    }
    function hookFrames() {
      var frames = doc.querySelectorAll('iframe');
      for (var i = 0; frames.length > i; i++) hookFrame(frames[i]);
    }
    hookFrames();
    doc.addEventListener('load', function (e) { // a frame's load does not bubble; it is seen in capture
      if (e.target && e.target.tagName === 'IFRAME') hookFrame(e.target);
    }, true);
    win.addEventListener('blur', function () {
      win.setTimeout(hookFrames, 0);
    });
    // The switch flipped on by a click or by Space/Enter on it: that gesture may ask for full screen.
    var entered = false, last = -1;
    function flip(e) {
      var t = toggle(), box = t && t.closest('.st-key-pres_full');
      if (leaving || !box || !box.contains(e.target)) return;
      if (e.type === 'keydown' && e.key !== ' ') return;
      // one gesture is one flip: a click on the label also clicks its input, a Space on it clicks it too
      var since = e.timeStamp - last;
      if (last >= 0 && since >= 0 && 100 >= since) return;
      last = e.timeStamp;
      if (!t.checked && doc.documentElement.requestFullscreen && !doc.fullscreenElement) {
        entered = true;
        doc.documentElement.requestFullscreen().catch(function () {
          entered = false; // refused (a frame without permission): the page still presents, Esc still leaves
        });
      } else if (t.checked && doc.fullscreenElement && doc.exitFullscreen) {
        entered = false;
        doc.exitFullscreen().catch(function () {});
      }
    }
    doc.addEventListener('click', flip, true);
    doc.addEventListener('keydown', flip, true);
    // The slide's map takes the height left under the slide's title and controls, whatever the screen
    // (1920×1080, 1366×768): the frame and the map inside it follow the window.
    function fit() {
      if (!presenting()) return;
      var frames = doc.querySelectorAll('[data-testid="stMain"] iframe');
      for (var i = 0; frames.length > i; i++) {
        var frame = frames[i], map = null;
        try {
          map = frame.contentWindow.map;
        } catch (err) {
          map = null;
        }
        if (!map || !map.getContainer) continue;
        var room = Math.floor(win.innerHeight - frame.getBoundingClientRect().top - 12);
        room = Math.max(room, 260);
        if (Math.abs(frame.getBoundingClientRect().height - room) > 3) {
          frame.style.height = room + 'px';
          map.getContainer().style.height = room + 'px';
          map.invalidateSize();
        }
      }
    }
    win.setInterval(function () {
      hookFrames();
      fit();
    }, 400);
    win.addEventListener('resize', fit);
    // The browser's own way out of full screen (its Esc, F11) leaves presentation mode too.
    doc.addEventListener('fullscreenchange', function () {
      if (!doc.fullscreenElement && entered) {
        entered = false;
        if (presenting()) leave();
      }
    });
  }

  return { action: action, takesText: takesText, install: install };
});
