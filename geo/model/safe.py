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
import re
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
# GitHub-flavoured markdown turns bare ``http://…``, ``www.…`` and ``name@host.vn`` into links after the
# escapes are read, so escaping cannot stop it: an invisible word joiner (U+2060) inside each does.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[wW]{3})(?=\.)|(?<=@)")


def md_text(value: object) -> str:
    r"""Return ``value`` as text that Streamlit markdown shows exactly as typed (bare web and e-mail
    addresses with an invisible word joiner, so they stay text, not links).

    Examples
    --------
    >>> md_text("[x](javascript:alert(1)) **b** $y$")
    '\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\*\\*b\\*\\* \\$y\\$'

    """
    if value is None:
        return ""
    text = _AUTOLINK.sub(_WJ, str(value))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


# C0/C1 controls (NUL, escape …) except tab and newline: never shown as themselves.
_CONTROLS = {c: "\ufffd" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate … pop directional isolate


def md_quote(value: object, limit: int = 200) -> str:
    r"""Return a value from a URL, a file or a person, ready to stand inside a Streamlit message.

    Markdown-escaped (:func:`md_text`), control characters (NUL …) shown as ``�``, cut to ``limit``
    characters (then ``…``), and isolated (Unicode FSI … PDI): bidi controls it carries reorder
    nothing of the message around it.

    Examples
    --------
    >>> md_quote("![x](y.png)").strip("\u2068\u2069")
    '\\!\\[x\\]\\(y\\.png\\)'

    """
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _FSI + md_text(text.translate(_CONTROLS)) + _PDI


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
