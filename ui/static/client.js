/* Keeps the client token of a browser the user signed in from (geo/auth/signin.py): with it, that user's
 * sign-in is still tested while an attacker's failures make their name wait. ui/auth.remember_client()
 * runs it after an element that carries the token as a data attribute:
 *   data-token   the signed token (letters, digits, "-", "_", "."), kept 180 days in the
 *                dinhlap_client cookie of this site, sent back to the app only (SameSite=Strict).
 */
(function () {
  'use strict';
  var cfg = document.getElementById('dl-client');
  if (!cfg) return;
  var token = cfg.getAttribute('data-token') || '';
  if (!/^[A-Za-z0-9_.-]{1,400}$/.test(token)) return;
  var secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = 'dinhlap_client=' + token + '; Path=/; Max-Age=15552000; SameSite=Strict' + secure;
})();
