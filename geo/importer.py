"""Planners' files into the store: read, detect CRS and encoding, validate, report, then commit.

What a land office, a road project board or the forestry company delivers:
GeoPackage, zipped Shapefile, GeoJSON, KML/KMZ, zipped MapInfo TAB, CSV or
Excel with lon/lat or VN-2000 X/Y columns. :func:`validate` reads such a file
and returns a :class:`Report` (features, geometry types, CRS, encoding,
bounds, each problem with its row and field, a preview of names) without
touching the store; :func:`commit` writes a clean report into a catalog layer
(replace or append) or as a new overlay layer, atomically and audited.

Rules that protect users from silent errors:

* Text is never decoded by GDAL (its Windows-1258 conversion drops the last
  character): we read raw bytes and decode them in :mod:`geo.vnenc`.
* A file with no CRS, or metres declared as degrees, is refused and the
  message names the likely VN-2000 zone and ``--crs``. A TM-3 CRS on the
  107°15′ meridian that lost the VN-2000 → WGS 84 shift, and coordinates
  outside Vietnam, block the import and are explained. Datum shifts are
  pyproj's (EPSG:6960 for VN-2000), never a hand-typed ``+towgs84``.
* Files are opened only by the driver their extension promises, after their
  first bytes agree (an XML/VRT or HTML file named ``.geojson`` is refused);
  zip members are allow-listed, size-capped and never follow ``..`` or links.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import shutil
import stat
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import Point

from geo import vnenc
from geo.catalog import CATALOG, LayerSpec
from geo.i18n import Lang, t

Severity = Literal["error", "warning"]
Mode = Literal["replace", "append"]

MAX_FILE_BYTES = 200 * 1024 * 1024  # what one upload may weigh
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024  # what a zip may expand to
MAX_RATIO = 200  # a member expanding more than this is a zip bomb
MAX_MEMBERS = 200
MAX_FEATURES = 200_000
MAX_TEXT = 2000
MAX_VERTICES_ONE = 1_000_000  # one geometry: a cadastral parcel has tens, a commune boundary tens of thousands
MAX_VERTICES = 10_000_000  # a whole file: 50,000 parcels of 40 vertices are 2 million

VIETNAM = (102.1, 8.3, 109.6, 23.5)  # W, S, E, N with a margin (mainland and near islands)
DINH_LAP = (107.0, 21.35, 107.5, 21.75)  # the district with a margin: outside it is a warning

# VN-2000 projected systems pyproj knows: TM-3 zones of the provinces and UTM 48/49.
VN2000_ZONES: dict[str, str] = {
    "EPSG:9205": "TM-3 103°00′",
    "EPSG:9206": "TM-3 104°00′",
    "EPSG:9207": "TM-3 104°30′",
    "EPSG:9208": "TM-3 104°45′",
    "EPSG:9209": "TM-3 105°30′",
    "EPSG:9210": "TM-3 105°45′",
    "EPSG:9211": "TM-3 106°00′",
    "EPSG:9212": "TM-3 106°15′",
    "EPSG:9213": "TM-3 106°30′",
    "EPSG:9214": "TM-3 107°00′",
    "EPSG:9215": "TM-3 107°15′ (Lạng Sơn)",
    "EPSG:9216": "TM-3 107°30′",
    "EPSG:9217": "TM-3 108°15′",
    "EPSG:9218": "TM-3 108°30′",
    "EPSG:3405": "UTM 48N",
    "EPSG:3406": "UTM 49N",
    "EPSG:5896": "TM-3 zone 481",
    "EPSG:5897": "TM-3 zone 482",
    "EPSG:5898": "TM-3 zone 491",
    "EPSG:5899": "TM-3 Da Nang",
}
LIKELY_ZONE = "EPSG:9215"

_ZIP_MEMBERS = {
    ".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml",
    ".tab", ".dat", ".map", ".id", ".ind",
    ".geojson", ".json", ".kml", ".gpkg", ".csv",
}  # fmt: skip
_MAIN = (".gpkg", ".shp", ".tab", ".geojson", ".json", ".kml", ".csv")
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
}
_LON = ("LON", "LNG", "LONG", "LONGITUDE", "KINHDO", "KD")
_LAT = ("LAT", "LATITUDE", "VIDO", "VD")
_X = ("X", "TOADOX", "XVN2000", "TOADOXM")
_Y = ("Y", "TOADOY", "YVN2000", "TOADOYM")
_WKT = ("WKT", "GEOMETRY", "GEOM", "HINHHOC")


class Refused(Exception):
    """A file that cannot be read or must not be: exit code 2. The message is for a user."""

    def __init__(self, key: str, /, **kwargs: object) -> None:
        self.key = key
        self.kwargs = kwargs
        super().__init__(t(key, "en", **kwargs))

    def message(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.kwargs)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: an error blocks the import, a warning is repaired and reported."""

    severity: Severity
    key: str
    row: int | None = None  # 1-based, as a spreadsheet shows it
    field: str | None = None
    kwargs: tuple[tuple[str, str], ...] = ()

    def message(self, lang: Lang = "vi") -> str:
        """The problem in ``lang``, with its row and field."""
        text = t(self.key, lang, **dict(self.kwargs))
        where = []
        if self.row is not None:
            where.append(t("import.at_row", lang, row=self.row))
        if self.field:
            where.append(t("import.at_field", lang, field=self.field))
        return f"{', '.join(where)}: {text}" if where else text


def _problem(severity: Severity, key: str, row: int | None = None, fld: str | None = None, **kw: object) -> Problem:
    return Problem(severity, key, row, fld, tuple((k, str(v)) for k, v in kw.items()))


@dataclass
class Report:
    """What :func:`validate` found; :attr:`frame` is what :func:`commit` would store."""

    source: str
    fmt: str = ""
    features: int = 0
    geometry_types: list[str] = field(default_factory=list)
    crs: str | None = None
    crs_label: str = ""
    encoding: str | None = None
    bounds: tuple[float, float, float, float] | None = None  # WGS 84
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # file column → catalog field
    problems: list[Problem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    layer: str | None = None
    refused: Refused | None = None
    frame: gpd.GeoDataFrame | None = None  # cleaned, in WGS 84, catalog columns (or the file's for a new layer)
    notes: list[str] = field(default_factory=list)  # message keys of what was done for the user

    @property
    def errors(self) -> list[Problem]:
        """The problems that block the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def exit_code(self) -> int:
        """0 valid, 1 problems block the import, 2 unreadable or refused."""
        return 2 if self.refused else 1 if self.errors else 0

    def to_dict(self, lang: Lang = "vi") -> dict[str, Any]:
        """Everything a script needs, as JSON-ready data."""
        return {
            "source": self.source,
            "format": self.fmt,
            "layer": self.layer,
            "exit_code": self.exit_code,
            "refused": self.refused.message(lang) if self.refused else None,
            "features": self.features,
            "geometry_types": self.geometry_types,
            "crs": self.crs,
            "crs_label": self.crs_label,
            "encoding": self.encoding,
            "bounds": list(self.bounds) if self.bounds else None,
            "columns": self.columns,
            "mapping": self.mapping,
            "problems": [
                {"severity": p.severity, "row": p.row, "field": p.field, "message": p.message(lang)}
                for p in self.problems
            ],
            "notes": [t(n, lang) for n in self.notes],
            "preview": self.preview,
        }

    def text(self, lang: Lang = "vi") -> str:
        """The report as lines of text (the command line prints this)."""
        lines = [t("import.report_title", lang, source=self.source)]
        if self.refused:
            lines.append(t("import.refused", lang, reason=self.refused.message(lang)))
            return "\n".join(lines)
        lines += [
            t("import.r_format", lang, value=self.fmt),
            t("import.r_features", lang, value=self.features),
            t("import.r_geometry", lang, value=", ".join(self.geometry_types) or "–"),
            t("import.r_crs", lang, value=self.crs_label or "–"),
            t("import.r_encoding", lang, value=vnenc.LABELS.get(self.encoding or "", self.encoding or "–")),
            t(
                "import.r_bounds",
                lang,
                value=", ".join(f"{v:.5f}" for v in self.bounds) if self.bounds else "–",
            ),
        ]
        if self.mapping:
            lines.append(t("import.r_mapping", lang, value=", ".join(f"{k} → {v}" for k, v in self.mapping.items())))
        lines += [f"  • {t(n, lang)}" for n in self.notes]
        for p in self.problems:
            mark = t("import.error", lang) if p.severity == "error" else t("import.warning", lang)
            lines.append(f"  {mark}: {p.message(lang)}")
        if self.preview:
            lines.append(t("import.r_preview", lang))
            for row in self.preview[:5]:
                lines.append("    " + " | ".join(f"{k}={v}" for k, v in row.items()))
        lines.append(t("import.ok" if self.exit_code == 0 else "import.blocked", lang))
        return "\n".join(lines)


# -- names ---------------------------------------------------------------------------------


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


# -- opening files safely ------------------------------------------------------------------


@contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="dinhlap-import-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _safe_unzip(path: Path, dest: Path) -> list[Path]:
    """Extract the allow-listed members of a zip, refusing traversal, links and bombs."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused("import.bad_zip", reason=str(exc)[:200]) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Refused("import.zip_too_many", n=len(infos), limit=MAX_MEMBERS)
        total = 0
        out = []
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            parts = Path(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or ":" in name or not parts:
                raise Refused("import.zip_unsafe", member=name[:120])
            if stat.S_ISLNK(info.external_attr >> 16):
                raise Refused("import.zip_unsafe", member=name[:120])
            if parts[0] == "__MACOSX" or Path(name).name.startswith("._"):
                continue
            if Path(name).suffix.lower() not in _ZIP_MEMBERS:
                raise Refused("import.zip_member", member=name[:120], allowed=" ".join(sorted(_ZIP_MEMBERS)))
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise Refused("import.too_big", limit=MAX_UNZIPPED_BYTES // 2**20)
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise Refused("import.zip_bomb", member=name[:120])
            target = dest / Path(*parts).name  # flat: no directories from the archive
            if target.exists():
                raise Refused("import.zip_unsafe", member=name[:120])
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    copied = 0
                    while chunk := src.read(1 << 20):
                        copied += len(chunk)
                        if copied > info.file_size or copied > MAX_UNZIPPED_BYTES:  # lies in the header
                            raise Refused("import.zip_bomb", member=name[:120])
                        dst.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # a corrupt or doctored member
                raise Refused("import.bad_zip", reason=f"{name[:120]}: {str(exc)[:120]}") from None
            out.append(target)
        return out


def _main_file(files: list[Path]) -> Path:
    mains = [f for f in files if f.suffix.lower() in _MAIN and f.suffix.lower() != ".xml"]
    if not mains:
        raise Refused("import.zip_no_data", allowed=" ".join(_MAIN))
    kinds = {f.suffix.lower() for f in mains}
    if len(mains) > 1 and not (kinds <= {".shp"} or kinds <= {".tab"}):
        raise Refused("import.zip_several", names=", ".join(f.name for f in mains[:6]))
    if len(mains) > 1:
        raise Refused("import.zip_several", names=", ".join(f.name for f in mains[:6]))
    return mains[0]


def _sniff(path: Path, suffix: str) -> None:
    """Refuse a file whose first bytes are not what its name promises (before GDAL sees it)."""
    size = path.stat().st_size
    if size == 0:
        raise Refused("import.empty", name=path.name)
    if size > MAX_FILE_BYTES:
        raise Refused("import.too_big", limit=MAX_FILE_BYTES // 2**20)
    with path.open("rb") as fh:
        head = fh.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<ogrvrtdatasource", b"<vrtdataset")) or b"<ogrvrtdatasource" in head.lower():
        raise Refused("import.vrt", name=path.name)
    if suffix in (".geojson", ".json"):
        if text.startswith(b"<"):
            raise Refused("import.not_geojson_html", name=path.name)
        if not text.startswith(b"{"):
            raise Refused("import.not_format", name=path.name, fmt="GeoJSON")
    elif suffix == ".kml":
        if not (text.startswith(b"<?xml") or text.startswith(b"<kml")) or b"<html" in text[:200]:
            raise Refused("import.not_format", name=path.name, fmt="KML")
    elif suffix == ".gpkg":
        if not head.startswith(b"SQLite format 3\x00"):
            raise Refused("import.not_format", name=path.name, fmt="GeoPackage")
    elif suffix == ".shp":
        if head[:4] != b"\x00\x00\x27\x0a":
            raise Refused("import.not_format", name=path.name, fmt="Shapefile")
        declared = int.from_bytes(head[24:28], "big") * 2  # the header's file length, in 16-bit words
        if declared != size:
            raise Refused("import.unreadable", name=path.name, reason=f"{size} / {declared} bytes")
        for side in (".dbf", ".shx"):
            if not _sibling(path, side):
                raise Refused("import.shp_part", name=path.name, part=side)
    elif suffix == ".tab":
        if not text.startswith(b"!table"):
            raise Refused("import.not_format", name=path.name, fmt="MapInfo TAB")
    elif suffix == ".xlsx" and not head.startswith(b"PK"):
        raise Refused("import.not_format", name=path.name, fmt="Excel")


def _sibling(path: Path, suffix: str) -> Path | None:
    for cand in path.parent.iterdir():
        if cand.stem == path.stem and cand.suffix.lower() == suffix:
            return cand
    return None


_GDAL_SAFE = {
    "GDAL_HTTP_TIMEOUT": "1",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".nothing-allowed",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "OGR_GEOJSON_MAX_OBJ_SIZE": "200MB",
}


def _read_vector(path: Path, suffix: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read with the driver the name promises; strings come as raw bytes (Latin-1) where GDAL would decode.

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
    if int(info.get("features") or 0) > MAX_FEATURES:
        raise Refused("import.too_many", n=info["features"], limit=MAX_FEATURES)
    try:
        gdf = pyogrio.read_dataframe(path, **kwargs)
    except Exception as exc:
        raise Refused("import.unreadable", name=path.name, reason=_short(exc)) from None
    return gdf, hint


def _check_size(gdf: gpd.GeoDataFrame) -> None:
    """Refuse geometry too large to draw or check: one enormous outline, or too many vertices in all."""
    counts = shapely.get_num_coordinates(gdf.geometry.values) if len(gdf) else np.zeros(0, dtype=int)
    if len(counts) and int(counts.max()) > MAX_VERTICES_ONE:
        row = int(np.argmax(counts))
        raise Refused("import.too_complex_one", row=row + 1, n=int(counts[row]), limit=MAX_VERTICES_ONE)
    if int(counts.sum()) > MAX_VERTICES:
        raise Refused("import.too_complex", n=int(counts.sum()), limit=MAX_VERTICES)


def _short(exc: BaseException) -> str:
    """An error from GDAL without the server's paths."""
    text = re.sub(r"(/[^\s'\"]+)+", "…", str(exc))
    return text[:200]


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


def _number(value: Any) -> float | None:
    """A number as Vietnamese spreadsheets write it: ``2.405.123,45`` or ``2405123.45``."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip().replace(" ", "")
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


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
                report.problems.append(_problem("warning", "import.bad_wkt", i, wkt))
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


def _open(path: Path, work: Path) -> _Source:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise Refused("import.unknown_format", name=path.name, allowed=", ".join(sorted(set(FORMATS.values()))))
    if not path.is_file():
        raise Refused("import.missing", name=path.name)
    if path.is_symlink():
        raise Refused("import.zip_unsafe", member=path.name)
    if path.stat().st_size == 0:
        raise Refused("import.empty", name=path.name)
    if suffix in (".zip", ".kmz"):
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Refused("import.too_big", limit=MAX_FILE_BYTES // 2**20)
        main = _main_file(_safe_unzip(path, work))
        fmt = "KMZ" if suffix == ".kmz" else f"{FORMATS[main.suffix.lower()]} (ZIP)"
        inner = _open_plain(main, main.suffix.lower())
        inner.fmt = fmt
        return inner
    if suffix in (".shp", ".tab"):  # copy the parts: reading may rewrite a MapInfo header
        for part in path.parent.iterdir():
            if part.stem == path.stem and part.is_file() and not part.is_symlink():
                shutil.copy(part, work / part.name)
        return _open_plain(work / path.name, suffix)
    target = work / path.name
    shutil.copy(path, target)
    return _open_plain(target, suffix)


def _open_plain(path: Path, suffix: str) -> _Source:
    _sniff(path, suffix)
    if suffix in (".csv", ".xlsx"):
        df, raw = _read_table(path, suffix, raw=True)
        report_stub = Report(source=path.name)
        gdf = _points_from_table(df, report_stub)
        src = _Source(gdf, FORMATS[suffix], None, raw)
        src.frame.attrs["notes"] = report_stub.notes
        src.frame.attrs["problems"] = report_stub.problems
        return src
    pyogrio.set_gdal_config_options(_GDAL_SAFE)
    gdf, hint = _read_vector(path, suffix)
    _check_size(gdf)
    for c in gdf.columns:  # GDAL's dates and times become text: ISO date, or date and time
        if c != "geometry" and pd.api.types.is_datetime64_any_dtype(gdf[c]):
            gdf[c] = gdf[c].map(_iso)
    return _Source(gdf, FORMATS[suffix], hint, suffix in (".shp", ".tab"))


# -- text ------------------------------------------------------------------------------------


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

        def fix(v: Any) -> Any:
            return vnenc.decode(v.encode("latin1", errors="replace"), enc).strip() if isinstance(v, str) else v

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


# -- coordinates -------------------------------------------------------------------------------


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg(min_confidence=70)
    name = crs.name if crs.name and crs.name != "unknown" else crs.to_string()[:60]
    return f"{name} (EPSG:{code})" if code else name


def _likely_zone() -> str:
    """Đình Lập's zone: metres without a CRS delivered for this district are most likely in it."""
    return t("import.likely_zone", "vi", code=LIKELY_ZONE, zone=VN2000_ZONES[LIKELY_ZONE])


def _proj(crs: CRS) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dict(crs.to_dict())


def _is_tm3_without_shift(crs: CRS) -> bool:
    """A Transverse Mercator on a VN-2000 meridian with scale 0.9999 whose datum lost the VN-2000 shift."""
    if not crs.is_projected:
        return False
    code = crs.to_epsg(min_confidence=70)
    if code is not None and f"EPSG:{code}" in VN2000_ZONES:
        return False
    proj = _proj(crs)
    if proj.get("proj") != "tmerc":
        return False
    lon0, k = float(proj.get("lon_0", 0)), float(proj.get("k", proj.get("k_0", 1)))
    if not (102 <= lon0 <= 110 and abs(k - 0.9999) < 1e-6):
        return False
    # a CRS that carries its own shift is fine
    return not ("towgs84" in proj and any(float(v) != 0 for v in str(proj["towgs84"]).split(",")))


def _vn2000_equivalent(crs: CRS) -> str | None:
    """The EPSG VN-2000 zone with the same meridian and scale as ``crs``, if there is one."""
    proj = _proj(crs)
    for code in VN2000_ZONES:
        other = _proj(CRS.from_user_input(code))
        same_meridian = abs(float(other.get("lon_0", 0)) - float(proj.get("lon_0", -1))) < 1e-9
        same_scale = abs(float(other.get("k", 1)) - float(proj.get("k", proj.get("k_0", 1)))) < 1e-9
        if other.get("proj") == "tmerc" and same_meridian and same_scale:
            return code
    return None


def _finite(geom: Any) -> bool:
    coords = shapely.get_coordinates(geom)
    return bool(np.isfinite(coords).all())


def _to_wgs84(gdf: gpd.GeoDataFrame, crs_override: str | None, report: Report) -> gpd.GeoDataFrame:
    if crs_override:
        try:
            crs = CRS.from_user_input(crs_override)
        except Exception:
            raise Refused("import.bad_crs", crs=crs_override[:60]) from None
        gdf = gdf.set_crs(crs, allow_override=True)
        report.notes.append("import.note_crs_given")
    present = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    present = present[[_finite(g) for g in present.geometry]]
    if present.empty:
        raise Refused("import.no_geometry")
    bounds = tuple(float(v) for v in present.total_bounds)
    looks_metres = max(abs(bounds[0]), abs(bounds[2])) > 360 or max(abs(bounds[1]), abs(bounds[3])) > 360
    if gdf.crs is None:
        if looks_metres:
            raise Refused("import.no_crs_metres", likely=_likely_zone(), x=f"{bounds[0]:.0f}", y=f"{bounds[1]:.0f}")
        raise Refused("import.no_crs_degrees")
    crs = CRS.from_user_input(gdf.crs)
    report.crs = crs.to_string() if crs.to_epsg(min_confidence=70) is None else f"EPSG:{crs.to_epsg(min_confidence=70)}"
    report.crs_label = _crs_label(crs)
    if crs.is_geographic and looks_metres:
        raise Refused(
            "import.metres_as_degrees", declared=report.crs_label, likely=_likely_zone(), x=f"{bounds[0]:.0f}"
        )
    if _is_tm3_without_shift(crs) and not crs_override:
        equivalent = _vn2000_equivalent(crs) or LIKELY_ZONE
        cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        a = gpd.GeoSeries([Point(cx, cy)], crs=crs).to_crs(4326).iloc[0]
        b = gpd.GeoSeries([Point(cx, cy)], crs=equivalent).to_crs(4326).iloc[0]
        shift = gpd.GeoSeries([a, b], crs=4326).to_crs(equivalent)
        metres = shift.iloc[0].distance(shift.iloc[1])
        report.problems.append(
            _problem(
                "error", "import.datum_dropped", metres=f"{metres:.0f}", code=equivalent, zone=VN2000_ZONES[equivalent]
            )
        )
    out = gdf.to_crs(4326)
    ok = out[out.geometry.notna() & ~out.geometry.is_empty]
    ok = ok[[_finite(g) for g in ok.geometry]]
    if ok.empty:
        raise Refused("import.no_geometry")
    w, s, e, n = (float(v) for v in ok.total_bounds)
    report.bounds = (w, s, e, n)
    if not (VIETNAM[0] <= w and e <= VIETNAM[2] and VIETNAM[1] <= s and n <= VIETNAM[3]):
        hint = ""
        if crs.is_projected and gdf.crs is not None:
            swapped = gpd.GeoSeries([Point(p.y, p.x) for p in present.geometry.representative_point()], crs=crs).to_crs(
                4326
            )
            sx, sy = swapped.x.median(), swapped.y.median()
            if VIETNAM[0] <= sx <= VIETNAM[2] and VIETNAM[1] <= sy <= VIETNAM[3]:
                hint = t("import.hint_swapped", "vi")
        report.problems.append(
            _problem("error", "import.outside_vietnam", bounds=f"{w:.3f}, {s:.3f}, {e:.3f}, {n:.3f}", hint=hint)
        )
    elif not (DINH_LAP[0] <= w and e <= DINH_LAP[2] and DINH_LAP[1] <= s and n <= DINH_LAP[3]):
        report.problems.append(_problem("warning", "import.outside_district"))
    return out


# -- geometry ----------------------------------------------------------------------------------

_FAMILY = {
    "Point": "Point",
    "MultiPoint": "Point",
    "LineString": "LineString",
    "MultiLineString": "LineString",
    "LinearRing": "LineString",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
}


def _clean_geometry(gdf: gpd.GeoDataFrame, report: Report, expected: str | None) -> gpd.GeoDataFrame:
    """Drop empty and non-finite geometries, repair invalid ones; report each by row."""
    keep = []
    geoms = []
    for i, geom in enumerate(gdf.geometry):
        row = i + 1
        if geom is None or geom.is_empty:
            report.problems.append(_problem("warning", "import.empty_geometry", row))
            continue
        if not _finite(geom):
            report.problems.append(_problem("warning", "import.nonfinite_geometry", row))
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            if expected and geom.geom_type == "GeometryCollection":
                parts = [g for g in geom.geoms if _FAMILY.get(g.geom_type) == expected]
                geom = shapely.union_all(parts) if parts else geom
            report.problems.append(_problem("warning", "import.repaired", row, reason=reason[:80]))
        if expected and _FAMILY.get(geom.geom_type) != expected:
            report.problems.append(
                _problem("error", "import.wrong_geometry", row, found=geom.geom_type, expected=expected)
            )
        keep.append(i)
        geoms.append(geom)
    out = gdf.iloc[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))
    report.geometry_types = sorted({g.geom_type for g in geoms})
    return out


# -- attributes against the catalog ------------------------------------------------------------


def _unit_lookup(units: pd.DataFrame | None) -> dict[str, str]:
    """Normalised unit name, short name or code → code, so a file may name communes the way people do."""
    if units is None:
        return {}
    out: dict[str, str] = {}
    for r in units.itertuples(index=False):
        for v in (r.code, r.name, getattr(r, "short_name", r.name)):
            out[norm_name(str(v))] = str(r.code)
    return out


def _coded(spec: LayerSpec, name: str, value: str) -> str | None:
    codes = spec.codes(name)
    key = norm_name(value)
    for s in codes:
        if value == s.value or key in (norm_name(s.value), norm_name(s.vi), norm_name(s.en)):
            return s.value
    return None


def _cell(spec: LayerSpec, name: str, value: Any, units: dict[str, str]) -> Any:
    """``value`` converted to the field's kind, or raise ``ValueError`` with a message key."""
    f = spec.field(name)
    if value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value):
        if f.required:
            raise ValueError("import.missing_value")
        return None
    if spec.codes(name):
        code = _coded(spec, name, str(value))
        if code is None:
            raise ValueError("import.bad_code")
        return code
    if name == "unit_code" and units:
        code = units.get(norm_name(str(value)))
        if code is None:
            raise ValueError("import.bad_unit")
        return code
    if f.kind in ("int", "float"):
        num = _number(value)
        if num is None or not math.isfinite(num):
            raise ValueError("import.bad_number")
        if f.kind == "int":
            if num != int(num):
                raise ValueError("import.bad_number")
            return int(num)
        if f.unit == "%" and not 0 <= num <= 100:
            raise ValueError("import.bad_percent")
        return num
    if f.kind == "bool":
        key = norm_name(str(value))
        if key in ("1", "TRUE", "YES", "CO", "X", "DUNG"):
            return 1
        if key in ("0", "FALSE", "NO", "KHONG", "SAI"):
            return 0
        raise ValueError("import.bad_bool")
    if f.kind == "date":
        text = str(value).strip()[:10]
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
            try:
                return dt.datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        raise ValueError("import.bad_date")
    text = str(value)
    if isinstance(value, float) and value == int(value):
        text = str(int(value))
    if len(text) > MAX_TEXT:
        raise ValueError("import.too_long")
    return text


def _to_catalog(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, mapping: dict[str, str], units: dict[str, str], report: Report
) -> gpd.GeoDataFrame:
    stored = [f for f in spec.fields if not f.derived]
    targets = set(mapping.values())
    for f in stored:
        if f.required and f.name not in targets:
            report.problems.append(_problem("error", "import.missing_column", fld=f.name, label=f.label("vi")))
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(gdf.drop(columns="geometry").to_dict("records")):
        out: dict[str, Any] = {}
        for col, name in mapping.items():
            try:
                out[name] = _cell(spec, name, rec.get(col), units)
            except ValueError as exc:
                f = spec.field(name)
                allowed = ", ".join(s.value for s in spec.codes(name))
                report.problems.append(
                    _problem(
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
        rows.append(out)
    frame = gpd.GeoDataFrame(rows, geometry=gdf.geometry.values, crs=gdf.crs, index=gdf.index)
    keys = spec.key.split(",")
    if all(k in targets for k in keys):
        dup = frame.duplicated(subset=keys, keep=False)
        for pos in np.flatnonzero(dup.to_numpy()):
            value = ",".join(str(frame.iloc[int(pos)][k]) for k in keys)
            report.problems.append(_problem("error", "import.duplicate_key", int(pos) + 1, keys[0], value=value))
    return frame


def _new_layer_frame(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The file's columns under safe names (``ten_xa``), with their original labels."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for col in gdf.columns:
        if col == "geometry":
            continue
        base = re.sub(r"[^a-z0-9_]", "_", norm_name(col).lower() or "field")[:40] or "field"
        if base[0].isdigit():
            base = "f_" + base
        name, n = base, 2
        while name in used or name in ("fid", "geom", "geometry"):
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        names[col] = name
    return gdf.rename(columns=names), {v: str(k) for k, v in names.items()}


# -- the entry points --------------------------------------------------------------------------


def validate(
    path: str | Path,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    units: pd.DataFrame | None = None,
    remembered: Mapping[str, str] | None = None,
    new_layer: bool = False,
) -> Report:
    """Read ``path`` and check it against ``layer`` (or as a new overlay); never touches a store."""
    report = Report(source=Path(path).name, layer=layer)
    if str(path).replace("\\", "/").lstrip("/").lower().startswith("vsi"):  # GDAL's virtual paths: network, archives
        report.refused = Refused("import.vsi", name=str(path)[:80])
        return report
    path = Path(path)
    if layer is not None and not new_layer and (layer not in CATALOG or not CATALOG[layer].is_spatial):
        report.refused = Refused("error.unknown_layer", layer=layer)
        return report
    if encoding:
        try:
            vnenc.normalize(encoding)
        except ValueError:
            report.refused = Refused("import.bad_encoding", encoding=encoding[:40], allowed=", ".join(vnenc.ENCODINGS))
            return report
    try:
        with _workdir() as work:
            src = _open(path, work)
            report.fmt = src.fmt
            report.notes += src.frame.attrs.pop("notes", [])
            report.problems += src.frame.attrs.pop("problems", [])
            _decode_text(src, encoding, report)
            gdf = src.frame
            report.features = len(gdf)
            report.columns = [str(c) for c in gdf.columns if c != "geometry"]
            expected = CATALOG[layer].geometry if layer and not new_layer else None
            wgs = _to_wgs84(gdf, crs, report)
            clean = _clean_geometry(wgs, report, expected)
    except Refused as exc:
        report.refused = exc
        return report
    names = report.columns[:3]
    if layer and not new_layer:
        spec = CATALOG[layer]
        report.mapping = dict(mapping) if mapping else auto_mapping(report.columns, spec, remembered)
        unknown = [c for c in report.mapping if c not in report.columns]
        for c in unknown:
            report.problems.append(_problem("error", "import.mapping_unknown", fld=c))
        mapping_ok = {c: f for c, f in report.mapping.items() if c in report.columns}
        report.frame = _to_catalog(clean, spec, mapping_ok, _unit_lookup(units), report)
        shown = [c for c in report.columns if c in mapping_ok] or names
    else:
        frame, labels = _new_layer_frame(clean)
        frame.attrs["labels"] = labels
        report.frame = frame
        shown = report.columns
    # The file's own text, decoded: what a planner checks before anything is stored.
    report.preview = clean[shown[:6]].head(10).to_dict("records") if shown else []
    report.preview = [{k: _jsonable(v) for k, v in row.items()} for row in report.preview]
    return report


def _jsonable(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def report_json(report: Report, lang: Lang = "vi") -> str:
    """The report as JSON (``--json``)."""
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2)
