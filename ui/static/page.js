/* The app page's own behaviour, in the page (not in the map's frame). ui/assets.page_behaviour() runs
 * it after an element that carries the page's settings as data attributes:
 *   data-lang      the page's language: the html element's lang follows it, so screen readers speak Vietnamese
 *                  as Vietnamese and English as English;
 *   data-layout    "projector" for the meeting room's layout (a class on the html element), else "normal";
 *   data-skip      the text of a link, first in the page's tab order, that skips the sidebar and the
 *                  filters to the map's list of features (or to the page's title where it has no map).
 */
(function () {
  'use strict';
  var doc = document, win = window, cfg = doc.getElementById('dl-page');
  if (!cfg) return;
  var lang = cfg.getAttribute('data-lang') === 'en' ? 'en' : 'vi';
  doc.documentElement.setAttribute('lang', lang);
  // The language stays across reloads and new tabs (ui/state.py reads this cookie; ?lang= still wins).
  doc.cookie = 'dl_lang=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
  try {
    win.localStorage.setItem('dl_lang', lang);
  } catch (err) {
    /* storage refused (private mode): the cookie is enough */
  }
  // the meeting room's layout (ui.state.projector): the page's styles follow this class
  doc.documentElement.classList.toggle('dl-projector', cfg.getAttribute('data-layout') === 'projector');

  // The briefing's arrow keys (ui/presentation.py binds them to its buttons) work right after a switch
  // was flipped with the mouse: a focused switch swallows them otherwise. (While presenting,
  // ui/static/present.js takes these keys wherever focus is.)
  if (!window.__dlArrows) {
    window.__dlArrows = true;
    doc.addEventListener(
      'keydown',
      function (e) {
        var a = doc.activeElement, key = { ArrowRight: 'pres_next', ArrowLeft: 'pres_prev' }[e.key];
        var full = doc.querySelector('.st-key-pres_full input');
        if (!key || !a || a.getAttribute('role') !== 'switch' || (full && full.checked)) return;
        var button = doc.querySelector('.st-key-' + key + ' button');
        if (!button) return;
        e.preventDefault();
        a.blur();
        button.click();
      },
      true
    );
  }

  // A date typed into a date field (DD/MM/YYYY in Vietnamese) applies on Enter, as in any form: the
  // field's calendar would otherwise open and the date apply only when focus leaves the field.
  if (!window.__dlDateEnter) {
    window.__dlDateEnter = true;
    doc.addEventListener(
      'keydown',
      function (e) {
        var a = e.target;
        if (e.key !== 'Enter' || !a || !a.closest || !a.closest('[data-testid="stDateInput"]')) return;
        e.preventDefault();
        e.stopPropagation();
        a.blur(); // the widget takes the typed date when it loses focus
        doc.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); // and its calendar closes
      },
      true
    );
  }

  var skip = doc.getElementById('dl-skip');
  if (!skip) {
    skip = doc.createElement('a');
    skip.id = 'dl-skip';
    skip.className = 'dl-skip';
    skip.href = '#';
    skip.addEventListener('click', function (e) {
      e.preventDefault();
      // the first map's list of features (in the map's frame, same origin), else the page's title
      var frames = doc.querySelectorAll('iframe');
      for (var i = 0; i < frames.length; i++) {
        try {
          var items = frames[i].contentWindow.document.querySelector('.dl-list-items');
          if (items) {
            var box = items.closest('details');
            if (box) box.open = true;
            frames[i].focus();
            items.focus();
            return;
          }
        } catch (err) {
          /* a frame of another origin: not ours */
        }
      }
      var title = doc.querySelector('[data-testid="stMain"] h1');
      if (title) {
        title.setAttribute('tabindex', '-1');
        title.focus();
      }
    });
    doc.body.insertBefore(skip, doc.body.firstChild);
  }
  skip.textContent = cfg.getAttribute('data-skip') || '';
})();
