r"""Text that reaches a browser: escaping for HTML and for JavaScript literals.

Attribute values, column names, layer names and file names are data, never
markup or code. folium inserts strings into HTML and JavaScript unescaped, so
everything we hand to it passes through one of the two functions here:

* :func:`html_text` for text placed in HTML (legends, layer names, tables).
* :func:`js_literal` for data placed in a ``<script>``: the value is serialised
  to JSON and then wrapped as a JavaScript string literal that is parsed at
  run time, with every character that could end a ``<script>`` element, start
  a template substitution, or be rewritten by streamlit-folium's regular
  expressions written as a ``\\uXXXX`` escape.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Characters spelled as numeric entities in HTML text: the usual five plus the
# three that break JavaScript strings when folium pastes HTML into a script.
_HTML_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "\\": "&#x5C;",
    "`": "&#x60;",
    "$": "&#x24;",
}

# Inside the JS string literal only these stay as they are; everything else
# (quotes, backslash, <, >, &, braces, parentheses, underscore, $, backtick,
# U+2028/2029, every non-ASCII character) becomes \\uXXXX. streamlit-folium
# rewrites `_[a-z0-9]+`, `{{'x'}}` and `alert(coords);` in the whole script,
# so none of those shapes may appear literally in our data.
_JS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;-+#%/=@!?*")


def html_text(value: object) -> str:
    r"""Return ``value`` as text that displays exactly as typed inside HTML.

    Parameters
    ----------
    value
        Any value; ``None`` becomes the empty string.

    Returns
    -------
    str
        The text with ``& < > " ' \\ ` $`` replaced by entities.

    Examples
    --------
    >>> html_text('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> html_text('D:\\du_lieu\\xa.shp')
    'D:&#x5C;du_lieu&#x5C;xa.shp'

    """
    if value is None:
        return ""
    return "".join(_HTML_ESCAPES.get(ch, ch) for ch in str(value))


def _js_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _JS_SAFE:
            out.append(ch)
        else:
            code = ord(ch)
            if code > 0xFFFF:  # astral plane: a UTF-16 surrogate pair
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _finite(obj: Any) -> Any:
    """Replace non-finite floats by ``None``: JSON has no NaN, and a NaN
    coordinate blanks a whole Leaflet map.
    """
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def to_json(obj: Any) -> str:
    """Serialise ``obj`` to compact JSON, non-finite floats as ``null``."""
    return json.dumps(_finite(obj), ensure_ascii=False, separators=(",", ":"), default=str)


def js_literal(obj: Any) -> str:
    r"""Return a JavaScript expression that evaluates to ``obj``.

    The expression is ``JSON.parse("…")`` with a string literal made only of
    ASCII letters, digits, a little punctuation and ``\\uXXXX`` escapes, so
    it is inert inside ``<script>``, inside template literals and under
    streamlit-folium's rewriting of the generated script.

    Examples
    --------
    >>> print(js_literal({"a": "</script>"}))
    JSON.parse("\u007b\u0022a\u0022:\u0022\u003c/script\u003e\u0022\u007d")

    """
    return f"JSON.parse({_js_string(to_json(obj))})"
