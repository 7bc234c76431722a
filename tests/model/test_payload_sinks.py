"""One corpus of hostile text (tests/payloads.py) through the sinks the export tests do not reach: Streamlit
markdown (banners, captions, labels: geo.model.safe.md_text, md_quote), HTML and SVG text (html_text) and QGIS
styles (QML, written into every GeoPackage export and field package).

The spreadsheet, GeoJSON and PDF sinks take the same corpus in tests/printing/test_export.py; the browser shows the
markdown and HTML sinks with it, running nothing and fetching nothing, in tests/app/test_browser_hostile.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from defusedxml import ElementTree

from geo.field.qgis import Column, layer_qml
from geo.model.catalog import CATALOG
from geo.model.safe import html_text, md_quote, md_text
from tests.payloads import PAYLOADS

NAMES = sorted(PAYLOADS)
# What markdown reads as markup (CommonMark, GitHub's extensions, Streamlit's $…$, :icons: and :red[…]).
MD_ACTIVE = set("\\`*_{}[]()#+-.!|<>~$:=&")
INVISIBLE = {0x2060: None, 0x2068: None, 0x2069: None}  # the word joiner, the isolate around a quoted value


def _unescaped_active(md: str) -> list[str]:
    """Markdown punctuation in ``md`` that no backslash escapes (what a markdown reader would act on)."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md):
            i += 2
            continue
        if md[i] in MD_ACTIVE:
            out.append(md[i])
        i += 1
    return out


def _read_md(md: str) -> str:
    """What a reader sees of escaped markdown: each backslash escape as its character, invisibles gone."""
    return re.sub(r"\\(.)", r"\1", md, flags=re.S).translate(INVISIBLE)


@pytest.mark.parametrize("name", NAMES)
def test_markdown_shows_every_payload_as_typed_and_links_nothing(name: str) -> None:
    text = PAYLOADS[name]
    md = md_text(text)
    assert _unescaped_active(md) == [], name  # no link, image, emphasis, maths, icon or HTML tag is read
    assert not re.search(r"https?:(?!\u2060)//|www(?!\u2060)\.", md)  # a bare address is not made a link
    assert _read_md(md) == text
    quoted = md_quote(text)
    assert quoted.startswith("\u2068") and quoted.endswith("\u2069")  # bidi controls reorder nothing around it
    assert _unescaped_active(quoted) == []
    assert "\x00" not in quoted and len(quoted) < 1000  # a NUL shows as �, a long value is cut
    shown = _read_md(quoted)
    if len(text) <= 200:
        assert shown == text.replace("\x00", "\ufffd").replace("\r", "\ufffd"), name
    else:
        assert shown == text[:200] + "…"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("name", NAMES)
def test_html_and_svg_text_hold_every_payload_as_text(name: str) -> None:
    """In an HTML page's text, an attribute, or an SVG <text>: no element made, the text read back as typed."""
    text = PAYLOADS[name]
    for template in ("<p>{}</p>", '<p title="{}">x</p>', "<svg><text>{}</text></svg>"):
        parser = _Elements()
        parser.feed(template.format(html_text(text)))
        parser.close()
        assert parser.tags == [t for t in ("p", "svg", "text") if f"<{t}>" in template or f"<{t} " in template]
        if "title=" not in template:
            assert "".join(parser.text) == text.replace("\r\n", "\n") or "".join(parser.text) == text
    assert not set(html_text(text)) & set("<>\"'`$\\")


@pytest.mark.parametrize("name", NAMES)
def test_a_qgis_style_holds_every_payload_as_text(name: str) -> None:
    """A column named by a file, its alias and its drop-down labels, as QGIS reads the style: a well-formed
    file (a NUL as �), the text as typed, the label a field's name (``isExpression="0"``), no entity."""
    text = PAYLOADS[name]
    spec = CATALOG["land_disputes"]
    qml = layer_qml(spec, [Column(text, text, True, codes=((text, "v"),))], "vi", status_column=text, label_column=text)
    root = ElementTree.fromstring(qml)  # defusedxml: an entity or an external reference would be refused
    expected = text.replace("\x00", "\ufffd")
    assert root.find(".//alias").get("name") == expected
    assert root.find(".//alias").get("field") == expected
    assert root.find(".//editWidget//Option[@value='v']").get("name") == expected
    style = root.find(".//labeling//text-style")
    assert style.get("fieldName") == expected and style.get("isExpression") == "0"
    assert "<!ENTITY" not in qml and "SYSTEM '" not in qml.split("\n", 1)[1]
