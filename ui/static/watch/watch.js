// Keeps an open page fresh when another app process (replica) changed the store: a hidden Streamlit
// component (ui/live.py). Every few seconds it reads the versions file its replica writes (one small
// static file, never a script run) and, when a table this page shows changed after the page was drawn,
// sends a new value: Streamlit reruns the page, as for any widget. Nothing else runs per open tab.
// It asks once, then waits until the page has been drawn again before it asks anew: a request that
// arrived while the page was still being drawn would stop that drawing and start it over, and on a
// busy server a page could then never finish.
(function (root) {
  'use strict';

  // The newest version among `tables` in a versions document ({store, tables: {name: n}}); with no
  // tables named, the store's own.
  function newest(doc, tables) {
    if (!doc || typeof doc !== 'object' || !doc.tables) return 0;
    if (!tables || !tables.length) return Number(doc.store) || 0;
    var best = 0;
    for (var i = 0; i < tables.length; i++) {
      var n = Number(doc.tables[tables[i]]) || 0;
      if (n > best) best = n;
    }
    return best;
  }

  // The version to ask for if the page drawn at `drawn` is out of date and has not already asked for
  // `asked`; 0 otherwise.
  function stale(doc, tables, drawn, asked) {
    var now = newest(doc, tables);
    return now > drawn && now !== asked ? now : 0;
  }

  // ms: ask again if a requested redraw never came (a replica restarted); the page may say otherwise
  var PATIENCE = 15000;

  var api = { newest: newest, stale: stale };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
    return;
  }

  var args = null;
  var asked = 0;
  var askedAt = 0; // when the last request left; 0 once the page has been drawn again
  var timer = null;

  function post(type, extra) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in extra) msg[k] = extra[k];
    root.parent.postMessage(msg, '*');
  }

  function check() {
    var patience = Number(args && args.patience) > 0 ? Number(args.patience) * 1000 : PATIENCE;
    if (!args || (askedAt && Date.now() - askedAt < patience)) return;
    root
      .fetch(args.url, { cache: 'no-store' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (doc) {
        var now = stale(doc, args.tables, args.drawn, asked);
        if (now) {
          asked = now;
          askedAt = Date.now();
          post('streamlit:setComponentValue', { value: now, dataType: 'json' });
        }
      })
      .catch(function () {
        // a replica restarting or the network gone: try again at the next tick
      });
  }

  root.addEventListener('message', function (e) {
    if (!e.data || e.data.type !== 'streamlit:render') return;
    args = e.data.args;
    askedAt = 0; // drawn again
    post('streamlit:setFrameHeight', { height: 0 });
    if (timer === null) timer = root.setInterval(check, Math.max(0.5, Number(args.every) || 1) * 1000);
  });
  post('streamlit:componentReady', { apiVersion: 1 });
})(typeof self !== 'undefined' ? self : globalThis);
