"""Escaping: attribute text shows exactly as typed and never becomes markup or code."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess

import pytest

from geo.model.safe import html_text, js_literal

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</script><script>window.__pwned=1</script>",
    "${alert(1)}",
    "`backtick` and \\`",
    "D:\\du_lieu\\xa.shp",
    "{{'map_div'}} alert(coords); _abc123",
    "quote \" and ' and \u2028 line sep",
    "Xã Đồng Thắng — 10/19 tiêu chí 😀",
]


def _payload(literal: str) -> str:
    m = re.fullmatch(
        r'JSON\.parse\(new TextDecoder\(\)\.decode\(Uint8Array\.from\(atob\("([^"]*)"\), c => c\.charCodeAt\(0\)\)\)\)',
        literal,
    )
    assert m, literal
    return m.group(1)


def _decode(literal: str) -> object:
    return json.loads(base64.b64decode(_payload(literal)).decode("utf-8"))


@pytest.mark.parametrize("text", HOSTILE)
def test_js_literal_round_trips_every_payload(text: str) -> None:
    obj = {"name": text, "rows": [[text, 1.5]], text: None}
    assert _decode(js_literal(obj)) == obj


@pytest.mark.parametrize("text", HOSTILE)
def test_js_literal_carries_data_only_in_the_base64_alphabet(text: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9+/=]*", _payload(js_literal({"v": text})))


def test_js_literal_turns_non_finite_numbers_into_null() -> None:
    assert _decode(js_literal({"x": float("nan"), "y": [float("inf"), 1.0]})) == {"x": None, "y": [None, 1.0]}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_literal_evaluates_to_the_same_value_in_javascript() -> None:
    obj = {"vals": HOSTILE}
    out = subprocess.run(
        ["node", "-e", f"process.stdout.write(JSON.stringify({js_literal(obj)}))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == obj


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("D:\\du_lieu\\xa.shp", "D:&#x5C;du_lieu&#x5C;xa.shp"),
        ("${x} `y`", "&#x24;{x} &#x60;y&#x60;"),
        ("a \"b\" 'c' & d", "a &quot;b&quot; &#x27;c&#x27; &amp; d"),
        (None, ""),
        ("Đình Lập", "Đình Lập"),
    ],
)
def test_html_text_escapes_markup_and_js_breakers(text: str | None, expected: str) -> None:
    assert html_text(text) == expected
