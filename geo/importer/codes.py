"""A file's own wording of coded values, mapped to the catalog's classes.

A land office writes "Đã bàn giao" where the layer's class reads "Đã bàn giao về địa phương", or
"Đất trồng cây lâu năm" where the national code is ``CLN``. :func:`value_table` lists every distinct value
of each coded column the file maps, with its row count and a suggested class: the class whose code or
Vietnamese or English label it matches once accents, case and punctuation are set aside, else the most
similar label (its words inside the label's, then by character similarity). A planner confirms or edits the
suggestions; :func:`geo.importer.validate` reads the file through them (``values``); the store remembers
them per layer (:func:`geo.store.ingest.remembered_values`); the command line takes ``--values FIELD:VALUE=CODE``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo.model.catalog import LayerSpec

#: Suggestions below this similarity are not made: the value stays unmapped until a planner says.
MIN_SCORE = 0.75

Values = Mapping[str, Mapping[str, str]]  # field → file value → class code


#: Abbreviations land offices write, spelled out before comparing (``Đã cấp GCN`` → ``Đã cấp giấy chứng nhận``).
ABBREVIATIONS = {
    "gcn": "giấy chứng nhận",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất",
    "qsdđ": "quyền sử dụng đất",
    "gpmb": "giải phóng mặt bằng",
    "tđc": "tái định cư",
    "ntm": "nông thôn mới",
}
#: Words too common to say which class a value means ("đất" is in every land-use name).
GENERIC = frozenset({"đất", "dat"})
#: How land offices write the certificate's name, read as one name before words are compared: "GCNQSDĐ",
#: "GCN QSD đất", "sổ đỏ", "sổ hồng", "bìa đỏ" are "giấy chứng nhận"; the right it certifies ("quyền sử dụng
#: đất và quyền sở hữu …") says nothing more about its state; "đã có" a certificate is "đã cấp".
_CERTIFICATE = re.compile(
    r"\b(?:gcn\s*qsd\s*đ\b|gcn\s*qsdđ|gcnqsdđ|gcnqsd|gcn\s*qsd|gcn|giấy\s+cn|sổ\s+đỏ|sổ\s+hồng|bìa\s+đỏ|"
    r"giấy\s+đỏ)(?:\s*(?:đất|qsdđ|qsd))?\b"
)
_CERTIFIED_RIGHT = re.compile(r"(giấy chứng nhận)(?:\s+quyền sử dụng đất\b.*|\s+đất\b)")
_HAS = re.compile(r"\b(đã|chưa)\s+(?:có|được\s+cấp|nhận)\s+(giấy chứng nhận)")


def _certificate_words(text: str) -> str:
    """``text`` (lower case) with the certificate's usual names read as "giấy chứng nhận" (see :data:`_CERTIFICATE`)."""
    if not any(w in text for w in ("gcn", "giấy", "sổ", "bìa")):
        return text
    text = _CERTIFICATE.sub("giấy chứng nhận", text)
    text = _CERTIFIED_RIGHT.sub(r"\1", text)
    return _HAS.sub(r"\1 cấp \2", text)


def words(text: str, accents: bool = False) -> str:
    """Lower case, words separated by one space, abbreviations spelled out, accents dropped unless asked:
    ``Đã bàn giao (BG)`` → ``da ban giao bg``.
    """
    text = _certificate_words(unicodedata.normalize("NFC", str(text)).lower())
    text = " ".join(ABBREVIATIONS.get(w, w) for w in re.findall(r"\w+", text))
    if accents:
        return text
    text = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return " ".join(re.findall(r"[a-z0-9]+", "".join(c for c in text if not unicodedata.combining(c))))


def value_key(value: Any) -> str:
    """A file's value as the mapping keys it: its text, stripped (``2.0`` read from a sheet → ``2``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def suggest(spec: LayerSpec, field: str, value: str) -> tuple[str | None, float]:
    """The class of ``field`` that ``value`` most likely means, and how sure (1.0: the same words).

    The same words but for accents, case and punctuation is a match. Otherwise the words are compared
    with their accents ("trống", empty, is not "trồng", to plant): a value whose telling words all appear
    in a label's (or a label's in the value's) scores 0.75–0.95; else their character similarity counts,
    from :data:`MIN_SCORE` up.
    """
    w, wa = words(value), words(value, accents=True)
    if not w:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    for s in spec.codes(field):
        for label in (s.value, s.vi, s.en):
            lw, la = words(label), words(label, accents=True)
            if not lw:
                continue
            if w == lw:
                return s.value, 1.0
            mine, theirs = set(wa.split()) - GENERIC, set(la.split()) - GENERIC
            score = difflib.SequenceMatcher(None, wa, la).ratio()
            if mine and theirs and (mine <= theirs or theirs <= mine):  # "đã bàn giao" in "đã bàn giao về …"
                score = max(score, 0.75 + 0.2 * len(mine & theirs) / len(mine | theirs))
            if score > best[1]:
                best = (s.value, score)
    return best if best[1] >= MIN_SCORE else (None, best[1])


@dataclass(frozen=True)
class ValueRow:
    """One distinct value of a coded column: how many rows carry it and the class it maps to."""

    field: str
    column: str
    value: str
    rows: int
    code: str | None  # the class it maps to: the planner's or the store's choice, else the suggestion
    score: float
    chosen: bool  # a planner (now or at an earlier import) said so, rather than a suggestion


def value_table(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, mapping: Mapping[str, str], values: Values | None = None
) -> list[ValueRow]:
    """Every distinct value of each coded column the file maps, most frequent first, with its class."""
    out = []
    for col, name in mapping.items():
        if col not in gdf.columns or not spec.codes(name):
            continue
        counts = gdf[col].dropna().map(value_key)
        counts = counts[counts != ""].value_counts()
        given = (values or {}).get(name, {})
        for value, n in counts.items():
            code, score = (given[value], 1.0) if value in given else suggest(spec, name, value)
            out.append(ValueRow(name, col, str(value), int(n), code, score, value in given))
    return out


def suggested_values(rows: list[ValueRow]) -> dict[str, dict[str, str]]:
    """The mapping the table proposes: every value that has a class, chosen or suggested."""
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        if r.code:
            out.setdefault(r.field, {})[r.value] = r.code
    return out


def parse_values(items: list[str] | None) -> dict[str, dict[str, str]]:
    """``--values FIELD:FILE_VALUE=CODE`` arguments as a mapping; ``ValueError`` for a malformed one."""
    out: dict[str, dict[str, str]] = {}
    for item in items or []:
        head, eq, code = item.rpartition("=")
        name, colon, value = head.partition(":")
        if not eq or not colon or not name or not value.strip() or not code:
            raise ValueError(f"--values {item!r}: expected FIELD:FILE_VALUE=CODE")
        out.setdefault(name.strip(), {})[value.strip()] = code.strip()
    return out
