"""Text of a file decoded to Unicode by us (never by GDAL): UTF-8, Windows-1258, TCVN3 or VNI, detected."""

from __future__ import annotations

import unicodedata
from typing import Any

import pandas as pd

from geo.importer import vnenc
from geo.importer.readers import _Source
from geo.importer.report import Refused, Report


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "geometry" and pd.api.types.is_string_dtype(frame[c])]


def _decode_text(src: _Source, encoding: str | None, report: Report) -> None:
    """Decode every text value (and column name) to NFC Unicode, detecting the encoding."""
    frame = src.frame
    cols = _text_columns(frame)
    values = [v for c in cols for v in frame[c] if isinstance(v, str)] + [str(c) for c in frame.columns]
    if src.raw_text:
        samples = [v.encode("latin1", errors="replace") for v in values]
        enc = vnenc.normalize(encoding) if encoding else vnenc.detect(samples, src.hint)

        decoded: dict[str, str] = {}  # each distinct text decoded once

        def fix(v: Any) -> Any:
            if not isinstance(v, str):
                return v
            if v not in decoded:
                decoded[v] = vnenc.decode(v.encode("latin1", errors="replace"), enc).strip()
            return decoded[v]

        report.encoding = enc
    else:
        if encoding and vnenc.normalize(encoding) != "utf-8":
            enc = vnenc.normalize(encoding)
            table = {v: vnenc.decode(b, enc) for v in set(values) if (b := vnenc.legacy_bytes(v)) is not None}
        else:
            found, table = (None, {}) if encoding else vnenc.repair(values)
            enc = found or "utf-8"
            if found:
                report.notes.append("import.note_legacy_in_unicode")
        report.encoding = enc

        def fix(v: Any) -> Any:
            return unicodedata.normalize("NFC", table.get(v, v)).strip() if isinstance(v, str) else v

    for c in cols:
        frame[c] = frame[c].map(fix)
    frame.columns = [fix(str(c)) if c != "geometry" else c for c in frame.columns]
    if frame.columns.duplicated().any():
        raise Refused("import.duplicate_columns")
