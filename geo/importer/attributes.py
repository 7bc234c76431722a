"""A file's columns against the catalog: the column mapping, each value read as its field's kind and checked."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.importer.codes import Values, suggest, value_key
from geo.importer.report import Report, problem
from geo.model.catalog import LayerSpec
from geo.model.values import BadValue, Rule, check, parse_bool, parse_date, parse_number
from geo.read.records import rule_words

# Column names land offices use, normalised (no accents, upper case, letters and digits only).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("TEN", "TENXA", "TENKHU", "TENTUYEN", "TENDUONG", "TENDIEM", "TENDVHC"),
    "unit_code": ("MAXA", "MADVHC", "XA", "TENXA", "XAPHUONG", "DONVI"),
    "status": ("TRANGTHAI", "TINHTRANG", "TT"),
    "clearance_status": ("TRANGTHAIGPMB", "GPMB", "TINHTRANGGPMB"),
    "construction_status": ("TRANGTHAITHICONG", "THICONG"),
    "area_ha": ("DIENTICH", "DT", "DTICH", "DIENTICHHA", "DTHA"),
    "parcel_id": ("MAKHU", "MATHUA", "SOHIEU", "MAKHUDAT", "MALO"),
    "plot_id": ("MALO", "SOLO", "LO"),
    "dispute_id": ("MAVUVIEC", "MAVV", "SOVV"),
    "seg_id": ("MADOAN", "DOAN"),
    "km_from": ("TUKM", "KMDAU", "LYTRINHDAU"),
    "km_to": ("DENKM", "KMCUOI", "LYTRINHCUOI"),
    "decision": ("QUYETDINH", "SOQD", "QD"),
    "handover_date": ("NGAYBANGIAO", "NGAYBG"),
    "planned_use": ("PHUONGAN", "MUCDICH", "PHUONGANSUDUNG"),
    "investor": ("NHADAUTU", "CHUDAUTU"),
    "kind": ("LOAI", "LOAITRANHCHAP"),
    "opened": ("NGAYPHATSINH", "NGAY"),
    "resolved": ("NGAYGIAIQUYET",),
    "parties": ("CACBEN", "BENTRANHCHAP", "DUONGSU"),
    "households_affected": ("SOHO", "SOHOANHHUONG", "HOAH"),
    "households_compensated": ("SOHODACHITRA", "HODACHITRA"),
    # cadastral records (sổ mục kê, bản đồ địa chính)
    "sheet_no": ("SOTO", "TO", "SOTOBANDO", "TOBANDO", "SOHIEUTO", "SHBANDO", "SOTOBD"),
    "parcel_no": ("SOTHUA", "THUA", "SOHIEUTHUA", "SOTHUTUTHUA", "SHTHUA"),
    "area_m2": ("DIENTICH", "DT", "DIENTICHM2", "DTM2", "DTPL", "DIENTICHPHAPLY"),
    "land_use": ("LOAIDAT", "MALOAIDAT", "KYHIEULOAIDAT", "MDSD", "MUCDICHSUDUNG", "LOAIDATHIENTRANG", "KHLOAIDAT"),
    "cert_status": ("TINHTRANGGCN", "GCN", "TINHTRANGCAPGCN", "TRANGTHAIGCN", "TRANGTHAI", "TINHTRANG", "CAPGCN"),
    "owner": ("CHUSUDUNG", "TENCHU", "TENCHUSUDUNG", "NGUOISUDUNG", "CHUSDD", "TENCHUSDD"),
}


def norm_name(text: str) -> str:
    """A column name without accents, case or punctuation: ``Diện tích (ha)`` → ``DIENTICHHA``."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^A-Z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).upper())


def auto_mapping(columns: list[str], spec: LayerSpec, remembered: Mapping[str, str] | None = None) -> dict[str, str]:
    """File column → catalog field, from what was used last time, the catalog's names and labels, and aliases."""
    stored = [f for f in spec.fields if not f.derived]
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        target = (remembered or {}).get(col)
        if target and target not in taken and any(f.name == target for f in stored):
            out[col] = target
            taken.add(target)
    for f in stored:
        if f.name in taken:
            continue
        names = {norm_name(f.name), norm_name(f.vi), norm_name(f.en), *ALIASES.get(f.name, ())}
        for col in columns:
            if col not in out and norm_name(col) in names:
                out[col] = f.name
                taken.add(f.name)
                break
    return out


def _number(value: Any) -> float | None:
    """A number as Vietnamese spreadsheets write it (``2.405.123,45`` or ``2405123.45``); ``None`` if unreadable."""
    try:
        return parse_number(value)
    except BadValue:
        return None


def _unit_lookup(units: pd.DataFrame | None) -> dict[str, str]:
    """Normalised unit name, short name or code → code, so a file may name communes the way people do."""
    if units is None:
        return {}
    out: dict[str, str] = {}
    for r in units.itertuples(index=False):
        for v in (r.code, r.name, getattr(r, "short_name", r.name)):
            out[norm_name(str(v))] = str(r.code)
    return out


@functools.lru_cache(maxsize=64)
def _code_names(spec: LayerSpec, name: str) -> dict[str, str]:
    """Each class's code and labels, normalised, → its code (the first class wins a shared label)."""
    out: dict[str, str] = {}
    for s in reversed(spec.codes(name)):
        for text in (s.en, s.vi, s.value):
            out[norm_name(text)] = s.value
    return out


@functools.lru_cache(maxsize=4096)
def _same_words(spec: LayerSpec, name: str, value: str) -> str | None:
    """The class whose code or label has the same words as ``value`` once abbreviations are spelled out
    ("Đã cấp GCN" is "Đã cấp Giấy chứng nhận"): what the value table calls a match, applied as one.
    """
    code, score = suggest(spec, name, value)
    return code if score >= 1.0 else None


def _coded(spec: LayerSpec, name: str, value: str) -> str | None:
    if spec.status(value, name):
        return value
    return _code_names(spec, name).get(norm_name(value)) or _same_words(spec, name, value)


_MESSAGE: dict[Rule, str] = {
    "required": "import.missing_value",
    "code": "import.bad_code",
    "number": "import.bad_number",
    "percent": "import.bad_percent",
    "bool": "import.bad_bool",
    "date": "import.bad_date",
    "too_long": "import.too_long",
}


def _read(spec: LayerSpec, name: str, value: Any, units: dict[str, str], values: Values | None = None) -> Any:
    """What a spreadsheet wrote, as a value of the field's kind (``2.405,5``, ``31/12/2024``, "có", a label,
    or the file's own wording of a class that ``values`` maps).
    """
    f = spec.field(name)
    if value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value):
        return None
    if spec.codes(name):
        mapped = (values or {}).get(name, {}).get(value_key(value))
        code = mapped if mapped is not None and spec.status(mapped, name) else _coded(spec, name, str(value))
        if code is None:
            raise BadValue("code")
        return code
    if name == "unit_code" and units:
        unit = units.get(norm_name(str(value)))
        if unit is None:
            raise ValueError("import.bad_unit")
        return unit
    if f.kind in ("int", "float"):
        num = _number(value)
        if num is None:
            raise BadValue("number")
        return num
    if f.kind == "bool":
        return parse_bool(value)  # the one reader of yes/no (geo.model.values)
    if f.kind == "date":
        return parse_date(value)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _cell(spec: LayerSpec, name: str, value: Any, units: dict[str, str], values: Values | None = None) -> Any:
    """``value`` read and checked by the rules an edit applies too; else ``ValueError`` with a message key."""
    try:
        return check(spec, name, _read(spec, name, value, units, values))
    except BadValue as bad:
        raise ValueError(_MESSAGE[bad.rule]) from None


def _to_catalog(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    mapping: dict[str, str],
    units: dict[str, str],
    report: Report,
    values: Values | None = None,
) -> gpd.GeoDataFrame:
    stored = [f for f in spec.fields if not f.derived]
    targets = set(mapping.values())
    made_key = bool(spec.key_from) and spec.key not in targets  # the key made from other fields below
    for f in stored:
        if f.required and f.name not in targets:
            report.problems.append(problem("error", "import.missing_column", fld=f.name, label=f.label("vi")))
    rows: list[dict[str, Any]] = []
    unmapped: dict[tuple[str, str], list[int]] = {}  # (column, value) → rows: one problem per value, not per row
    for i, rec in enumerate(gdf.drop(columns="geometry").to_dict("records")):
        out: dict[str, Any] = {}
        for col, name in mapping.items():
            try:
                out[name] = _cell(spec, name, rec.get(col), units, values)
            except ValueError as exc:
                if str(exc) == "import.bad_code":
                    unmapped.setdefault((col, value_key(rec.get(col))), []).append(i + 1)
                    out[name] = None
                    continue
                f = spec.field(name)
                allowed = ", ".join(s.value for s in spec.codes(name))
                report.problems.append(
                    problem(
                        "error",
                        str(exc),
                        i + 1,
                        col,
                        value=str(rec.get(col))[:60],
                        label=f.label("vi"),
                        allowed=allowed,
                    )
                )
                out[name] = None
        for f in stored:
            out.setdefault(f.name, None)
        for rule in spec.rules:  # the rules across fields an edit keeps (geo.model.catalog.Rule)
            if rule.field in targets and rule.other in targets and rule.broken(out):
                col = next((c for c, n in mapping.items() if n == rule.field), rule.field)
                report.problems.append(
                    problem("error", f"import.rule_{rule.kind}", i + 1, col, **rule_words(spec, rule, out))
                )
        rows.append(out)
    for (col, value), at in unmapped.items():
        name = mapping[col]
        code, _ = suggest(spec, name, value)
        hint = f"{name}:{value}={code}" if code else ""
        report.problems.append(
            problem(
                "error",
                "import.unmapped_value" if hint else "import.unmapped_value_no_hint",
                at[0],
                col,
                value=value[:60],
                n=len(at),
                label=spec.field(name).label("vi"),
                allowed=", ".join(f"{s.value} ({s.vi})" for s in spec.codes(name))[:600],
                hint=hint[:120],
                code=code or "",
            )
        )
    frame = gpd.GeoDataFrame(rows, geometry=gdf.geometry.values, crs=gdf.crs, index=gdf.index)
    if made_key:  # e.g. a parcel's code: its unit, map sheet and number, as the file gives them
        parts = [
            frame[f].map(lambda v: "" if v is None else str(int(v)) if isinstance(v, float) else str(v))
            for f in spec.key_from
        ]
        frame[spec.key] = parts[0].str.cat(parts[1:], sep="-")
        targets = {*targets, spec.key}
    keys = spec.key.split(",")
    if all(k in targets for k in keys):
        dup = frame.duplicated(subset=keys, keep=False)
        for pos in np.flatnonzero(dup.to_numpy()):
            value = ",".join(str(frame.iloc[int(pos)][k]) for k in keys)
            report.problems.append(problem("error", "import.duplicate_key", int(pos) + 1, keys[0], value=value))
    return frame


#: Column names a planner's layer keeps as the file gives them: what every store, QGIS and SQL take unquoted.
USABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_RESERVED = frozenset({"fid", "geom", "geometry", "feature_no", "demo"})


def _new_layer_frame(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The file's columns under their own names (``tinh_trang`` stays ``tinh_trang``, ``MA_HUYEN`` stays
    ``MA_HUYEN``); a name no store can take (accents, spaces, a leading digit, a reserved or repeated name)
    becomes a safe one (``Diện tích (ha)`` → ``dien_tich_ha``). Returns the frame and stored name → file name.
    """
    names: dict[str, str] = {}
    used: set[str] = set()  # case-folded: a GeoPackage's column names ignore case
    for col in gdf.columns:
        if col == "geometry":
            continue
        text = str(col)
        if USABLE_NAME.fullmatch(text) and text.lower() not in used and text.lower() not in _RESERVED:
            names[col] = text
            used.add(text.lower())
            continue
        plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
        base = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", plain)).strip("_")[:40] or "field"
        if base[0].isdigit():
            base = "f_" + base
        name, n = base, 2
        while name in used or name in _RESERVED:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        names[col] = name
    return gdf.rename(columns=names), {v: str(k) for k, v in names.items()}


def key_candidates(frame: pd.DataFrame) -> list[str]:
    """The columns that can name a feature: every row has a value, and no two rows the same."""
    out = []
    for c in frame.columns:
        if c == "geometry":
            continue
        text = frame[c].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else value_key(v))
        if len(text) and (text != "").all() and text.is_unique:
            out.append(str(c))
    return out
