/* Fetches, inflates and decodes a geometry file off the page's thread (see compact.js).
 * Loaded from the app's own origin, so a content policy of `worker-src 'self'` allows it. */
/* global DLCompact */
'use strict';
importScripts('compact.js');

self.onmessage = function (e) {
  var url = e.data.url;
  fetch(url)
    .then(function (r) {
      if (!r.ok) throw new Error('map data ' + r.status);
      return r.arrayBuffer();
    })
    .then(DLCompact.inflate)
    .then(function (buf) {
      var g = DLCompact.geometry(buf);
      self.postMessage({ url: url, g: g }, [g.fRing.buffer, g.rStart.buffer, g.rCount.buffer, g.xs.buffer, g.ys.buffer, g.box.buffer]);
    })
    .catch(function (err) {
      self.postMessage({ url: url, error: String(err) });
    });
};
