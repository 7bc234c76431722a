"""Data exports: the features shown, one table per layer, in the reader's language, with their provenance.

A reader opens the file in Excel or QGIS and reads what the map showed: each layer's columns under
their field labels ("Tình trạng GPMB", not ``clearance_status``), each coded value under its class label
("Vướng mắc GPMB", not ``blocked``), units by name, yes/no in words; a machine that wants identifiers asks
for ``codes``. Every file carries a provenance table: each layer's source, as-of date, how many of its
features are demo data, the export's date, the day shown and the filters applied.

* XLSX: a sheet "Nguồn dữ liệu" (provenance) first, then one sheet per layer, named by its title.
* GPKG: one table per layer (its id; its title as the table's identifier) and a ``nguon_du_lieu`` table.
* CSV: one CSV per layer; several layers come zipped with the provenance as one more CSV.
* GeoJSON: one collection, each feature's layer named in its properties.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.model import crs as crs_
from geo.model.catalog import CATALOG, DEMO_COLUMN, DEMO_FIELD, Catalog, LayerSpec
from geo.model.i18n import Lang, fmt_date, fmt_number, source_text, t, unit_name
from geo.model.safe import cell_text
from geo.read.records import UNIT_FIELDS
from geo.store.reads import DemoShare, LayerMeta, demo_share

DATA_FORMATS = ("geojson", "gpkg", "csv", "xlsx")
PROVENANCE_TABLE = "nguon_du_lieu"


@dataclass(frozen=True)
class TableRequest:
    """How to write the tables: language, identifiers or labels, and what to say of where they come from."""

    lang: Lang = "vi"
    codes: bool = False  # identifiers and codes, for machines; else labels in ``lang``
    meta: Mapping[str, LayerMeta] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    at: dt.date | None = None  # the past day shown (None: as the store holds the data now)
    filters: Mapping[str, list[str]] = field(default_factory=dict)  # layer → the filters applied, in words
    unit_names: Mapping[str, str] = field(default_factory=dict)  # unit code → name (see geo.read.records)


def suffix(fmt: str, layers: int) -> str:
    """The file's extension: ``zip`` for CSV of several layers, else the format's."""
    return "zip" if fmt == "csv" and layers > 1 else fmt


def native(value: object) -> object:
    """``value`` as plain Python, the only kind JSON, Excel and GDAL all take.

    A numpy or pandas scalar becomes ``int``/``float``/``bool``/``datetime``, every kind of missing (``NaN``,
    ``NaT``, ``pd.NA``) ``None``: a nullable integer column yields numpy integers, which JSON cannot write.

    >>> native(np.int64(7)), native(pd.NA), native(float("nan")), native("Bắc Lãng")
    (7, None, None, 'Bắc Lãng')

    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or an array: no single "missing"
        return value
    return value


def _value(spec: LayerSpec, name: str, value: object, req: TableRequest) -> object:
    value = native(value)
    if value is None:
        return None
    if name in UNIT_FIELDS and req.unit_names:
        key = {"commune_2025": "2025:", "unit_code_2024": "2024:"}.get(name, "") + str(value)
        if key in req.unit_names:
            return unit_name(req.unit_names[key], req.lang)
    if spec.codes(name) and isinstance(value, str):
        s = spec.status(value, name)
        return s.label(req.lang) if s else value
    kind = DEMO_FIELD.kind if name == DEMO_COLUMN else next((f.kind for f in spec.fields if f.name == name), None)
    if kind == "bool":
        return t("yes" if bool(value) and value not in ("0", "false", "False") else "no", req.lang)
    return value


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of mixed or nullable values holding plain Python values (see :func:`native`)."""
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        mixed = col.dtype == object or not pd.api.types.is_string_dtype(col)
        if c != geom and mixed and (col.dtype == object or isinstance(col.dtype, pd.api.extensions.ExtensionDtype)):
            out[c] = pd.Series([native(v) for v in col], index=col.index, dtype=object)
    return out


def _label(spec: LayerSpec, name: str, lang: Lang) -> str:
    if name == DEMO_COLUMN:
        return DEMO_FIELD.label(lang)
    for f in spec.fields:
        if f.name == name:
            return f.label(lang)
    return name


def labelled(frame: pd.DataFrame, spec: LayerSpec, req: TableRequest) -> pd.DataFrame:
    """``frame`` as a reader reads it: labels for columns and coded values (as it is with ``req.codes``)."""
    if req.codes:
        return _plain(frame)
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out = _plain(frame)
    kinds = {f.name: f.kind for f in spec.fields}
    for c in out.columns:  # coded values, yes/no and unit codes in words; numbers and text stay as they are
        worded = c == DEMO_COLUMN or kinds.get(c) == "bool" or spec.codes(c) or (c in UNIT_FIELDS and req.unit_names)
        if c != geom and worded:
            out[c] = pd.Series([_value(spec, c, v, req) for v in out[c]], index=out.index, dtype=object)
    names: dict[str, str] = {}
    for c in out.columns:
        if c == geom:
            continue
        label, n = _label(spec, c, req.lang), 2
        while label in names.values():  # two fields of one label: keep both columns
            label, n = f"{_label(spec, c, req.lang)} ({n})", n + 1
        names[c] = label
    return out.rename(columns=names)


def _demo_text(share: DemoShare, lang: Lang) -> str:
    if not share.total:
        return "–"
    if not share.any:
        return t("no", lang)
    if share.partial:
        return t("tables.partly", lang, n=fmt_number(share.demo, lang), m=fmt_number(share.total, lang))
    return t("yes", lang)


def provenance(frames: Mapping[str, pd.DataFrame], catalog: Catalog, req: TableRequest) -> pd.DataFrame:
    """One row per layer: title, id, features, source, as-of, demo share, filters; then the export's date,
    the day shown and the coordinate system (the same on every row, so the table stands alone).
    """
    lang = req.lang
    rows = []
    for lid, frame in frames.items():
        spec = catalog[lid]
        m = req.meta.get(lid)
        share = demo_share(frame, bool(m and m.demo))
        rows.append(
            {
                t("tables.layer", lang): spec.title(lang),
                t("tables.layer_id", lang): lid,
                t("tables.features", lang): len(frame),
                t("layer.source", lang): source_text(m.source, lang) if m else "–",
                t("layer.as_of", lang): fmt_date(m.as_of, lang) if m and m.as_of else "–",
                t("tables.demo", lang): _demo_text(share, lang),
                t("tables.filters", lang): "; ".join(req.filters.get(lid, [])) or t("tables.no_filter", lang),
                t("export.date", lang): fmt_date(req.today, lang),
                t("export.at", lang): fmt_date(req.at, lang) if req.at else t("tables.now", lang),
                t("export.crs", lang): crs_.CRS_LABELS.get(crs_.WGS84, {}).get(lang, crs_.WGS84),
            }
        )
    return pd.DataFrame(rows)


def _attribute_table(gdf: gpd.GeoDataFrame, lang: Lang, codes: bool) -> pd.DataFrame:
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    geoms = gdf.geometry.values
    points = shapely.get_type_id(geoms) == 0
    lon, lat = ("lon", "lat") if codes else (t("tables.lon", lang), t("tables.lat", lang))
    out[lon] = [g.x if p else None for g, p in zip(geoms, points, strict=True)]
    out[lat] = [g.y if p else None for g, p in zip(geoms, points, strict=True)]
    out["wkt"] = shapely.to_wkt(geoms, rounding_precision=6)
    return out


SHEET_CHARS = 31  # Excel's longest sheet name
CELL_CHARS = 32_767  # Excel's longest cell text
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # no XML 1.0 file may hold them


def _sheet_names(titles: list[str]) -> list[str]:
    """Excel's rules: at most 31 characters, no brackets, colon, star, question mark or slashes, no control
    characters, no apostrophe at either end; unique (case-blind). A title that starts like a formula loses
    those characters: a sheet's name is never read as anything but a name.
    """
    out: list[str] = []
    for title in titles:
        clean = re.sub(r"[\[\]:*?/\\]|[\x00-\x1f\x7f]", " ", _ILLEGAL_XML.sub(" ", title))
        clean = re.sub(r"\s+", " ", clean).strip().lstrip("=+-@'\uff1d\uff0b\uff0d\uff20 ")
        base = clean[:SHEET_CHARS].strip().rstrip("'").strip() or "Sheet"
        name, n = base, 2
        while name.lower() in (o.lower() for o in out) or name.lower() == "history":  # "History" is Excel's
            tail = f" ({n})"
            name, n = base[: SHEET_CHARS - len(tail)] + tail, n + 1
        out.append(name)
    return out


def _cell_value(value: object) -> object:
    """A value as a spreadsheet cell holds it: text neutralised (see :func:`geo.model.safe.cell_text`), else plain."""
    value = native(value)
    if isinstance(value, str):
        return cell_text(value)
    return value


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a spreadsheet: formula-like text in cells and column names made to read as text."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = pd.Series([_cell_value(v) for v in out[c]], index=out.index, dtype=object)
    return out.rename(columns={c: cell_text(str(c)) for c in out.columns})


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    _neutralised(frame).to_csv(buf, index=False, lineterminator="\r\n")  # RFC 4180: a CR in a text is quoted
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")  # a BOM so Excel reads UTF-8 Vietnamese


def _date_columns(spec: LayerSpec, frame: pd.DataFrame, req: TableRequest) -> set[str]:
    names = {f.name for f in spec.fields if f.kind == "date"}
    return {
        c for c in frame.columns if c in names or (not req.codes and c in {_label(spec, n, req.lang) for n in names})
    }


def _write_sheet(wb: Any, name: str, frame: pd.DataFrame, dates: Set[str] = frozenset()) -> None:
    """One sheet: a frozen header row with filters, columns as wide as their text (within reason), dates
    as date cells shown DD/MM/YYYY, and every text an explicit string cell (never a formula or a link).
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from geo.model.values import BadValue, parse_date

    ws = wb.create_sheet(name)
    columns = [str(c) for c in frame.columns]
    widths = [min(max(len(c), 8), 60) + 2 for c in columns]
    for i, c in enumerate(frame.columns):  # from the header and the first rows: wide enough to read
        sample = [v for v in frame[c].head(300) if v is not None]
        longest = max((len(_text_of(v)) for v in sample), default=0)
        widths[i] = max(widths[i], min(longest, 60) + 2)
        if c in dates:
            widths[i] = max(widths[i], 12)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    bold = Font(bold=True)

    def cell(value: object, header: bool = False, date: bool = False) -> WriteOnlyCell:
        value = native(value)
        if date and value is not None:
            try:
                iso = parse_date(value)
                value = dt.date.fromisoformat(iso) if iso else None
            except BadValue:
                pass  # not a day: kept as the text it is
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None)
        if isinstance(value, str):
            text = cell_text(_ILLEGAL_XML.sub("\ufffd", value))
            if len(text) > CELL_CHARS:
                text = text[: CELL_CHARS - 1] + "…"
            c = WriteOnlyCell(ws)
            c._value, c.data_type = text, "s"  # an explicit string: never read as a formula or a link
        else:
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, (dt.date, dt.datetime)):
                c.number_format = "DD/MM/YYYY" if not isinstance(value, dt.datetime) else "DD/MM/YYYY HH:MM"
        if header:
            c.font = bold
        return c

    ws.append([cell(c, header=True) for c in columns])
    flags = [c in dates for c in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        ws.append([cell(v, date=d) for v, d in zip(row, flags, strict=True)])


def _text_of(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _xlsx(prov: pd.DataFrame, tables: Mapping[str, pd.DataFrame], catalog: Catalog, req: TableRequest) -> bytes:
    """The workbook: the provenance sheet first, then one sheet per layer named by its title; when a title
    must be cut or changed to make a sheet's name, a contents sheet first lists each sheet's full name.
    """
    from openpyxl import Workbook

    lang = req.lang
    titles = [t("tables.provenance", lang), *(catalog[lid].title(lang) for lid in tables)]
    contents_title = t("tables.contents", lang)
    names = _sheet_names([contents_title, *titles])[1:]
    wb = Workbook(write_only=True)
    if any(n != full for n, full in zip(names, titles, strict=True)):
        rows = [
            {
                t("tables.sheet", lang): name,
                t("tables.full_name", lang): full,
                t("tables.layer_id", lang): lid,
                t("tables.features", lang): len(tables[lid]) if lid in tables else None,
            }
            for name, full, lid in zip(names, titles, ["", *tables], strict=True)
        ]
        _write_sheet(wb, contents_title, pd.DataFrame(rows))
    _write_sheet(wb, names[0], prov)
    for name, (lid, tb) in zip(names[1:], tables.items(), strict=True):
        _write_sheet(wb, name, tb, _date_columns(catalog[lid], tb, req))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def data_bytes(
    frames: Mapping[str, gpd.GeoDataFrame],
    fmt: str,
    catalog: Catalog = CATALOG,
    req: TableRequest | None = None,
) -> bytes:
    """The features shown as ``fmt`` (see the module's description), in ``req``'s language."""
    req = req or TableRequest()
    frames = {lid: gdf for lid, gdf in frames.items() if lid in catalog}
    lang = req.lang
    prov = provenance(frames, catalog, req)
    if fmt == "gpkg":
        import pyogrio

        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "export.gpkg"
            for lid, gdf in frames.items():
                spec = catalog[lid]
                pyogrio.write_dataframe(
                    labelled(gdf, spec, req),
                    path,
                    layer=lid,
                    driver="GPKG",
                    layer_options={"IDENTIFIER": spec.title(lang), "DESCRIPTION": spec.title(lang)},
                )
            pyogrio.write_dataframe(prov, path, layer=PROVENANCE_TABLE, driver="GPKG")
            return path.read_bytes()
    if fmt == "geojson":
        key = "layer" if req.codes else t("tables.layer", lang)
        parts = [
            labelled(gdf, catalog[lid], req).assign(**{key: lid if req.codes else catalog[lid].title(lang)})
            for lid, gdf in frames.items()
        ]
        if not parts:
            return b'{"type": "FeatureCollection", "features": []}'
        merged = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=crs_.WGS84)
        return merged.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
    tables = {lid: labelled(_attribute_table(gdf, lang, req.codes), catalog[lid], req) for lid, gdf in frames.items()}
    if fmt == "csv":
        if len(tables) == 1:
            return _csv(next(iter(tables.values())))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{PROVENANCE_TABLE}.csv", _csv(prov))
            for lid, tb in tables.items():
                zf.writestr(f"{lid}.csv", _csv(tb))
        return buf.getvalue()
    if fmt == "xlsx":
        return _xlsx(prov, tables, catalog, req)
    raise ValueError(f"unknown data format {fmt!r}")
