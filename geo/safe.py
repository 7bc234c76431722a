r"""Text that reaches a browser: escaping for HTML and for JavaScript literals.

Attribute values, column names, layer names and file names are data, never
markup or code. folium inserts strings into HTML and JavaScript unescaped, so
everything we hand to it passes through one of the two functions here:

* :func:`html_text` for text placed in HTML (legends, layer names, tables).
* :func:`js_literal` for data placed in a ``<script>``: the value is
  serialised to UTF-8 JSON and sent as base64, decoded in the browser. The
  base64 alphabet (``A–Z a–z 0–9 + / =``) cannot end a ``<script>``, start a
  template substitution, or be rewritten by streamlit-folium's regular
  expressions over the generated script, and it costs a third more bytes
  than the JSON, where ``\uXXXX`` escaping costs up to six times.
"""

from __future__ import annotations

import base64
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


# What a spreadsheet reads as the start of a formula (OWASP CSV injection): = + - @, tab and carriage return,
# and their full-width forms, which some spreadsheets read as ASCII.
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def cell_text(value: str) -> str:
    r"""``value`` as a spreadsheet cell (CSV, XLSX) shows it and never runs it: text a spreadsheet would read
    as a formula or a DDE call (it starts with ``= + - @``, a tab or a carriage return, even after blanks)
    gets a leading single quote, which Excel and LibreOffice show as text; anything else is unchanged.

    >>> cell_text('=HYPERLINK("http://x"&A1)'), cell_text("  @SUM(A1)"), cell_text("-1+1"), cell_text("Bắc Lãng")
    ('\'=HYPERLINK("http://x"&A1)', "'  @SUM(A1)", "'-1+1", 'Bắc Lãng')

    """
    return "'" + value if value[:1] in _FORMULA_START or value.lstrip()[:1] in _FORMULA_START else value


# Markdown punctuation, plus what Streamlit adds to markdown: $…$ (LaTeX), :name: (emoji,
# icons, :red[colour] directives). A backslash before any ASCII punctuation shows it as itself.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:=&")


def md_text(value: object) -> str:
    r"""Return ``value`` as text that Streamlit markdown shows exactly as typed.

    Examples
    --------
    >>> md_text("[x](javascript:alert(1)) **b** $y$")
    '\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\*\\*b\\*\\* \\$y\\$'

    """
    if value is None:
        return ""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))


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
    """Return a JavaScript expression that evaluates to ``obj``.

    The data travel as one base64 string, decoded with ``atob`` and
    ``TextDecoder`` and parsed with ``JSON.parse``: no character of the data
    appears in the script as itself.

    Examples
    --------
    >>> print(js_literal({"a": "</script>"}))
    JSON.parse(new TextDecoder().decode(Uint8Array.from(atob("eyJhIjoiPC9zY3JpcHQ+In0="), c => c.charCodeAt(0))))

    """
    payload = base64.b64encode(to_json(obj).encode("utf-8")).decode("ascii")
    return f'JSON.parse(new TextDecoder().decode(Uint8Array.from(atob("{payload}"), c => c.charCodeAt(0))))'
