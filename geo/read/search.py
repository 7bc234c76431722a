"""Finding features by what people type: a name, a code, a key, or a cadastral parcel by its sheet and number.

Matching ignores case, accents and the đ/d difference ("dong thang" finds "Đồng Thắng"), and the
punctuation inside codes ("tc03" finds "TC-03"). A parcel is typed as land officers write it: "tờ 12 thửa
101", "to 12 thua 101", "12/101" (sheet, then parcel). Only what the reader may read is searched: the
layers are read through :class:`geo.read.access.Reader`, so a viewer never finds a feature by a sensitive field
(a dispute's parties, a parcel's owner).

Ranking: the whole value equal to the text, then a value starting with it, then a word starting with it,
then anywhere inside; within a rank, the layers' drawing order from the top (points before polygons).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.model.catalog import LayerSpec
from geo.model.i18n import Lang

LIMIT = 20
#: Fields searched besides a layer's key and label: names and codes, never free text or sensitive fields.
NAME_FIELDS = ("name", "short_name", "code", "label", "road")
_PARCEL = re.compile(
    r"^\s*(?:(?:to|t)\s*(?:ban\s*do\s*)?(?:so\s*)?(\d+)\s*[,;.\-]?\s*(?:thua|th)\s*(?:so\s*)?(\d+)"
    r"|(\d+)\s*/\s*(\d+))\s*$"
)


def fold(text: object) -> str:
    """``text`` lower-cased, without accents, đ as d, spaces collapsed: what matching compares.

    Examples
    --------
    >>> fold("  Xã ĐỒNG   Thắng ")
    'xa dong thang'

    """
    s = str(text or "").replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().split())


def compact(text: object) -> str:
    """:func:`fold` without anything but letters and digits: ``TC-03`` and ``tc 03`` read alike."""
    return re.sub(r"[^0-9a-z]+", "", fold(text))


def parcel_query(text: str) -> tuple[int, int] | None:
    """``(sheet, parcel)`` when ``text`` names a cadastral parcel ("tờ 12 thửa 101", "12/101"), else ``None``.

    Examples
    --------
    >>> parcel_query("tờ 12 thửa 101"), parcel_query("12/101"), parcel_query("Tờ bản đồ số 3, thửa số 7")
    ((12, 101), (12, 101), (3, 7))
    >>> parcel_query("TC-03") is None
    True

    """
    m = _PARCEL.match(fold(text))
    if not m:
        return None
    sheet, parcel = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return int(sheet), int(parcel)


@dataclass(frozen=True)
class Hit:
    """One feature found: its layer and key, what to call it, and the value that matched."""

    layer: str
    key: str
    label: str
    matched: str
    rank: int  # 0 exact, 1 starts with, 2 a word starts with, 3 inside

    def as_dict(self, title: str) -> dict[str, Any]:
        """What ``python -m geo find --json`` prints for it (``title``: its layer's, in the asked language)."""
        return {
            "layer": self.layer,
            "key": self.key,
            "label": self.label,
            "layer_title": title,
            "matched": self.matched,
        }


def searched_fields(spec: LayerSpec, columns: Iterable[str]) -> list[str]:
    """The columns of ``spec``'s layer a search looks in: its key, its label, its names and codes."""
    present = set(columns)
    wanted = [*spec.key.split(","), *([spec.label_field] if spec.label_field else []), *NAME_FIELDS]
    out: list[str] = []
    for name in wanted:
        if name in present and name not in out and name not in spec.sensitive:
            out.append(name)
    return out


def label_of(spec: LayerSpec, row: dict[str, Any], key: str) -> str:
    """What a result is called: its name, with its key when they differ."""
    for name in (spec.label_field, "name", "short_name"):
        if name and name in row and row[name] not in (None, "") and not pd.isna(row[name]):
            text = str(row[name])
            return text if text == key else f"{text} ({key})"
    return key


def _rank(value: str, query: str, query_compact: str) -> int | None:
    v = fold(value)
    if not v:
        return None
    if v == query or (query_compact and compact(v) == query_compact):
        return 0
    if v.startswith(query):
        return 1
    if re.search(r"(?:^|[\s\-_/(])" + re.escape(query), v):
        return 2
    if query in v or (len(query_compact) >= 3 and query_compact in compact(v)):
        return 3
    return None


def _keys(spec: LayerSpec, frame: pd.DataFrame) -> pd.Series:
    cols = spec.key.split(",")
    if len(cols) == 1:
        return frame[cols[0]].astype(str)
    return frame[cols].astype(str).agg(",".join, axis=1)


def search(reader: Any, text: str, layers: Iterable[str] | None = None, limit: int = LIMIT) -> list[Hit]:
    """The features of ``reader`` (a :class:`geo.read.access.Reader` or a :class:`geo.store.reads.Store`) that ``text``
    names, best first, at most ``limit``; only the spatial ``layers`` given (default: every spatial layer).
    """
    query = fold(text)
    if not query:
        return []
    catalog = reader.catalog
    chosen = list(layers) if layers is not None else [s.id for s in catalog.spatial()]
    specs = [catalog[lid] for lid in chosen if lid in catalog and catalog[lid].is_spatial and reader.has(lid)]
    specs.sort(key=lambda s: -s.z)
    parcel = parcel_query(text)
    found: list[tuple[int, int, Hit]] = []
    for order, spec in enumerate(specs):
        frame = reader.read(spec.id)
        if not len(frame):
            continue
        if parcel is not None:
            if {"sheet_no", "parcel_no"} <= set(frame.columns):
                sheets = pd.to_numeric(frame["sheet_no"], errors="coerce")
                numbers = pd.to_numeric(frame["parcel_no"], errors="coerce")
                hits = frame[(sheets == parcel[0]) & (numbers == parcel[1])]
                keys = _keys(spec, hits) if len(hits) else pd.Series([], dtype=str)
                for (_, row), key in zip(hits.iterrows(), keys, strict=True):
                    matched = f"{row['sheet_no']}/{row['parcel_no']}"
                    found.append((0, order, Hit(spec.id, key, label_of(spec, row.to_dict(), key), matched, 0)))
            continue
        keys = _keys(spec, frame)
        query_compact = compact(query)
        best: dict[int, tuple[int, str]] = {}
        for name in searched_fields(spec, frame.columns):
            values = frame[name]
            folded = values.map(fold)
            mask = folded.str.contains(query, regex=False) | (
                folded.map(compact).str.contains(query_compact, regex=False) if len(query_compact) >= 3 else False
            )
            for i in [int(i) for i in mask.to_numpy().nonzero()[0]]:
                rank = _rank(str(values.iloc[i]), query, query_compact)
                if rank is not None and (i not in best or rank < best[i][0]):
                    best[i] = (rank, str(values.iloc[i]))
        for i, (rank, matched) in best.items():
            key = str(keys.iloc[i])
            row = frame.iloc[i].to_dict()
            found.append((rank, order, Hit(spec.id, key, label_of(spec, row, key), matched, rank)))
    found.sort(key=lambda f: (f[0], f[1], fold(f[2].label)))
    return [h for _, _, h in found[:limit]]


def layer_title(reader: Any, layer_id: str, lang: Lang) -> str:
    """The title of a result's layer in ``lang``."""
    spec = reader.catalog.get(layer_id)
    return spec.title(lang) if spec is not None else layer_id
