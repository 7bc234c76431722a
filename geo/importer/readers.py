"""Reading each format into a frame: vector files through pyogrio, tables (CSV, Excel) with their coordinate columns."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import Point

from geo.importer.attributes import _number, norm_name
from geo.importer.report import Refused, Report, problem
from geo.importer.safety import (
    _GDAL_SAFE,
    MAX_SHEET_BYTES,
    UPLOAD,
    Limits,
    Progress,
    _check_size,
    _main_file,
    _safe_unzip,
    _short,
    _sibling,
    _sniff,
    check_archive,
)

FORMATS = {
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".tab": "MapInfo TAB",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".csv": "CSV",
    ".xlsx": "Excel",
    ".zip": "ZIP",
}


_DRIVERS = {
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".tab": "MapInfo File",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
}


_LON = ("LON", "LNG", "LONG", "LONGITUDE", "KINHDO", "KD")


_LAT = ("LAT", "LATITUDE", "VIDO", "VD")


_X = ("X", "TOADOX", "XVN2000", "TOADOXM")


_Y = ("Y", "TOADOY", "YVN2000", "TOADOYM")


_WKT = ("WKT", "GEOMETRY", "GEOM", "HINHHOC")


def _read_vector(
    path: Path, suffix: str, limits: Limits = UPLOAD, progress: Progress | None = None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read with the driver the name promises; strings come as raw bytes (Latin-1) where GDAL would decode.

    A file of more than ``limits.chunk`` features is read that many at a time, each chunk's geometry
    checked (:func:`_check_size`) and its dates made text as it comes, ``progress`` told after each.
    Returns the frame and a charset hint (``.cpg`` or MapInfo ``!charset``).
    """
    hint: str | None = None
    kwargs: dict[str, Any] = {}
    if suffix == ".shp":
        cpg = _sibling(path, ".cpg")
        hint = cpg.read_text(errors="replace").strip()[:40] if cpg else None
        kwargs["encoding"] = "latin1"
    elif suffix == ".tab":
        raw = path.read_bytes()
        m = re.search(rb"!charset\s+(\S+)", raw)
        hint = m.group(1).decode("ascii", "replace") if m else None
        raw = re.sub(rb"(!charset\s+)\S+", rb"\1Neutral", raw)
        raw = re.sub(rb'(Charset\s+")[^"]*(")', rb"\1Neutral\2", raw)
        path.write_bytes(raw)  # our own copy in the work directory
        kwargs["encoding"] = "latin1"
    try:
        info = pyogrio.read_info(path)
    except Exception as exc:  # GDAL's errors: truncated, corrupt, unsupported
        raise Refused("import.unreadable", name=path.name, reason=_short(exc)) from None
    want = _DRIVERS.get(suffix)
    if want and info.get("driver") != want:
        raise Refused("import.not_format", name=path.name, fmt=want)
    total = int(info.get("features") or 0)
    if total > limits.features:
        raise Refused("import.too_many", n=total, limit=limits.features)
    chunks: list[gpd.GeoDataFrame] = []
    vertices = done = 0
    while True:
        if total > limits.chunk:  # a big file: a chunk at a time (a count of -1 means GDAL did not say)
            kwargs.update(skip_features=done, max_features=limits.chunk)
        try:
            part = pyogrio.read_dataframe(path, **kwargs)
        except Exception as exc:
            raise Refused("import.unreadable", name=path.name, reason=_short(exc)) from None
        vertices = _check_size(part, limits, done, vertices)
        _dates_as_text(part)
        chunks.append(part)
        done += len(part)
        if done > limits.features:
            raise Refused("import.too_many", n=done, limit=limits.features)
        if progress is not None:
            progress("read", done, max(total, done))
        if total <= limits.chunk or len(part) < limits.chunk or done == total:
            break
    if len(chunks) == 1:
        return chunks[0], hint
    gdf = pd.concat(chunks, ignore_index=True)
    chunks.clear()
    return gdf, hint


def _dates_as_text(gdf: gpd.GeoDataFrame) -> None:
    """GDAL's dates and times become text: ISO date, or date and time."""
    for c in gdf.columns:
        if c != "geometry" and pd.api.types.is_datetime64_any_dtype(gdf[c]):
            gdf[c] = gdf[c].map(_iso)


def _read_table(path: Path, suffix: str, raw: bool) -> tuple[pd.DataFrame, bool]:
    """A CSV or Excel sheet as text columns. Returns the frame and whether its text is raw bytes (Latin-1)."""
    if suffix == ".xlsx":
        try:
            df = pd.read_excel(path, dtype=str, engine="openpyxl")
        except Exception as exc:
            raise Refused("import.unreadable", name=path.name, reason=_short(exc)) from None
        return df, False
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
        is_raw = False
    except UnicodeDecodeError:
        text = data.decode("latin1")
        is_raw = True
    if text.lstrip().startswith("<"):
        raise Refused("import.not_format", name=path.name, fmt="CSV")
    sample = text[:4096]
    sep = ";" if sample.count(";") > sample.count(",") else "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise Refused("import.unreadable", name=path.name, reason=_short(exc)) from None
    return df, is_raw and raw


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value)
    return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()


def _points_from_table(df: pd.DataFrame, report: Report) -> gpd.GeoDataFrame:
    """Geometry from lon/lat, X/Y or WKT columns; the CRS only for lon/lat."""
    cols = {norm_name(c): c for c in df.columns}

    def pick(names: tuple[str, ...]) -> str | None:
        return next((cols[n] for n in names if n in cols), None)

    lon, lat, x, y, wkt = pick(_LON), pick(_LAT), pick(_X), pick(_Y), pick(_WKT)
    crs: str | None = None
    if wkt:
        geoms = []
        for i, v in enumerate(df[wkt], start=2):
            try:
                geoms.append(shapely.from_wkt(str(v)) if str(v).strip() else None)
            except Exception:
                report.problems.append(problem("warning", "import.bad_wkt", i, wkt))
                geoms.append(None)
        rest = df.drop(columns=[wkt])
    elif lon and lat:
        xs, ys = df[lon].map(_number), df[lat].map(_number)
        geoms = [_point(a, b) for a, b in zip(xs, ys, strict=True)]
        rest = df.drop(columns=[lon, lat])
        crs = "EPSG:4326"
    elif x and y:
        xs, ys = df[x].map(_number), df[y].map(_number)
        if xs.median() > 1_000_000 > ys.median():  # the surveyor's convention: X northing, Y easting
            xs, ys = ys, xs
            report.notes.append("import.note_xy_swapped")
        geoms = [_point(a, b) for a, b in zip(xs, ys, strict=True)]
        rest = df.drop(columns=[x, y])
    else:
        raise Refused("import.no_coordinates", columns=", ".join(map(str, df.columns[:12])))
    return gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geoms), crs=crs)


def _point(x: float | None, y: float | None) -> Point | None:
    if x is None or y is None:
        return None
    return Point(x, y)


@dataclass
class _Source:
    frame: gpd.GeoDataFrame
    fmt: str
    hint: str | None
    raw_text: bool  # strings are raw bytes (as Latin-1) still to be decoded


def _open(path: Path, work: Path, limits: Limits = UPLOAD, progress: Progress | None = None) -> _Source:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise Refused("import.unknown_format", name=path.name, allowed=", ".join(sorted(set(FORMATS.values()))))
    if not path.is_file():
        raise Refused("import.missing", name=path.name)
    if path.is_symlink():
        raise Refused("import.zip_unsafe", member=path.name)
    if path.stat().st_size == 0:
        raise Refused("import.empty", name=path.name)
    if suffix in (".xlsx", ".ods") or zipfile.is_zipfile(path):  # every zip-based file: its directory first
        check_archive(path, limits.unzipped if suffix in (".zip", ".kmz") else MAX_SHEET_BYTES)
    if suffix in (".zip", ".kmz"):
        if path.stat().st_size > limits.bytes:
            raise limits.refuse_size()
        main = _main_file(_safe_unzip(path, work, limits.unzipped))
        fmt = "KMZ" if suffix == ".kmz" else f"{FORMATS[main.suffix.lower()]} (ZIP)"
        inner = _open_plain(main, main.suffix.lower(), limits, progress)
        inner.fmt = fmt
        return inner
    if suffix in (".shp", ".tab"):  # copy the parts: reading may rewrite a MapInfo header
        for part in path.parent.iterdir():
            if part.stem == path.stem and part.is_file() and not part.is_symlink():
                shutil.copy(part, work / part.name)
        return _open_plain(work / path.name, suffix, limits, progress)
    if path.stat().st_size > limits.bytes:  # before copying it
        raise limits.refuse_size()
    target = work / path.name
    shutil.copy(path, target)
    return _open_plain(target, suffix, limits, progress)


def _open_plain(path: Path, suffix: str, limits: Limits = UPLOAD, progress: Progress | None = None) -> _Source:
    _sniff(path, suffix, limits)
    if suffix in (".csv", ".xlsx"):
        df, raw = _read_table(path, suffix, raw=True)
        report_stub = Report(source=path.name)
        gdf = _points_from_table(df, report_stub)
        src = _Source(gdf, FORMATS[suffix], None, raw)
        src.frame.attrs["notes"] = report_stub.notes
        src.frame.attrs["problems"] = report_stub.problems
        return src
    pyogrio.set_gdal_config_options(_GDAL_SAFE)
    gdf, hint = _read_vector(path, suffix, limits, progress)
    return _Source(gdf, FORMATS[suffix], hint, suffix in (".shp", ".tab"))
