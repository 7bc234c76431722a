"""Opening planners' files safely: limits, zip members allow-listed, first bytes checked, GDAL kept local."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.importer.report import Refused

MAX_FILE_BYTES = 200 * 1024 * 1024  # what one upload may weigh


MAX_UNZIPPED_BYTES = 500 * 1024 * 1024  # what a zip may expand to


MAX_RATIO = 200  # a member expanding more than this is a zip bomb


MAX_MEMBERS = 200


MAX_FEATURES = 200_000


MAX_VERTICES_ONE = 1_000_000  # one geometry: a cadastral parcel has tens, a commune boundary tens of thousands


MAX_VERTICES = 10_000_000  # a whole file: 50,000 parcels of 40 vertices are 2 million


CHUNK_FEATURES = 50_000  # a big file is read, and written into the store, this many features at a time


LIMIT_ENV = "DINHLAP_IMPORT_MAX_MB"  # the command line's limit on a file, in MB (the browser keeps its 200 MB)


CLI_MAX_MB = 2048  # the command line's limit when the setting is not given: a province's cadastre and more


Progress = Callable[[str, int, int], None]
"""Told how far a big import is: the step (``read`` or ``write``), the features done, the features in all."""


@dataclass(frozen=True)
class Limits:
    """What one import may weigh: the file's bytes, its features and vertices, and the chunk a big file is
    read and written in. The browser upload keeps :data:`UPLOAD`; the command line lifts them together
    with its size limit (:func:`command_line`): a file twice as big may hold twice the features.
    """

    bytes: int = MAX_FILE_BYTES
    features: int = MAX_FEATURES
    vertices: int = MAX_VERTICES
    unzipped: int = MAX_UNZIPPED_BYTES
    chunk: int = CHUNK_FEATURES
    too_big: str = "import.too_big"  # the refusal's message: the command line's names its setting

    @property
    def mb(self) -> int:
        """The size limit in MB, as the refusal says it."""
        return self.bytes // 2**20

    def of_mb(self, mb: float) -> Limits:
        """These limits scaled to a file of at most ``mb`` MB (features and vertices in proportion, never
        below the upload's).
        """
        if not mb > 0:
            raise ValueError(f"the import limit must be a positive number of MB, not {mb!r}")
        k = max(mb * 2**20 / MAX_FILE_BYTES, 1.0)
        return replace(
            self,
            bytes=int(mb * 2**20),
            features=int(MAX_FEATURES * k),
            vertices=int(MAX_VERTICES * k),
            unzipped=int(MAX_UNZIPPED_BYTES * k),
        )

    def refuse_size(self, limit: int | None = None) -> Refused:
        """The refusal of a file above ``limit`` bytes (default: :attr:`bytes`), in this limit's words."""
        return Refused(self.too_big, limit=(limit or self.bytes) // 2**20, env=LIMIT_ENV)


UPLOAD = Limits()


def command_line(mb: float | None = None, environ: dict[str, str] | None = None) -> Limits:
    """The command line's limits: ``mb`` (``--max-mb``), else the ``DINHLAP_IMPORT_MAX_MB`` setting, else
    :data:`CLI_MAX_MB`. ``ValueError`` for a setting that is no positive number.
    """
    if mb is None:
        raw = (environ if environ is not None else os.environ).get(LIMIT_ENV, "").strip()
        try:
            mb = float(raw) if raw else CLI_MAX_MB
        except ValueError:
            raise ValueError(f"{LIMIT_ENV}={raw[:20]!r}: expected a number of MB") from None
    return replace(UPLOAD.of_mb(mb), too_big="import.too_big_cli")


_ZIP_MEMBERS = {
    ".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml",
    ".tab", ".dat", ".map", ".id", ".ind",
    ".geojson", ".json", ".kml", ".gpkg", ".csv",
}  # fmt: skip


_MAIN = (".gpkg", ".shp", ".tab", ".geojson", ".json", ".kml", ".csv")


@contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="dinhlap-import-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


MAX_SHEET_BYTES = 64 * 1024 * 1024  # what a workbook (.xlsx, .ods) may expand to: its XML is parsed whole


def check_archive(path: Path, max_total: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse a zip-based file (a workbook, a zip, a KMZ) from its directory alone, before any parser opens it.

    Refused: too many members, more than ``max_total`` bytes once expanded, or a member expanding more
    than :data:`MAX_RATIO` times. What a member really expands to is bounded by its declared size:
    Python's reader stops there, and :func:`_safe_unzip` checks it again while copying.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused("import.bad_zip", reason=str(exc)[:200]) from None
    if len(infos) > MAX_MEMBERS:
        raise Refused("import.zip_too_many", n=len(infos), limit=MAX_MEMBERS)
    total = 0
    for info in infos:
        total += info.file_size
        if total > max_total:
            raise Refused("import.too_big", limit=max_total // 2**20)
        if info.file_size > 1 << 20 and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise Refused("import.zip_bomb", member=info.filename[:120])


def _safe_unzip(path: Path, dest: Path, max_total: int = MAX_UNZIPPED_BYTES) -> list[Path]:
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
            if total > max_total:
                raise Refused("import.too_big", limit=max_total // 2**20)
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
                        if copied > info.file_size or copied > max_total:  # lies in the header
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


def _sniff(path: Path, suffix: str, limits: Limits = UPLOAD) -> None:
    """Refuse a file whose first bytes are not what its name promises (before GDAL sees it)."""
    size = path.stat().st_size
    if size == 0:
        raise Refused("import.empty", name=path.name)
    if size > limits.bytes:
        raise limits.refuse_size()
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


def _check_size(gdf: gpd.GeoDataFrame, limits: Limits = UPLOAD, first_row: int = 0, before: int = 0) -> int:
    """Refuse geometry too large to draw or check: one enormous outline, or too many vertices in all.

    A big file is checked chunk by chunk: ``first_row`` is the chunk's first row in the file, ``before`` the
    vertices of the chunks before it. Returns the vertices counted so far.
    """
    counts = shapely.get_num_coordinates(gdf.geometry.values) if len(gdf) else np.zeros(0, dtype=int)
    if len(counts) and int(counts.max()) > MAX_VERTICES_ONE:
        row = int(np.argmax(counts))
        raise Refused("import.too_complex_one", row=first_row + row + 1, n=int(counts[row]), limit=MAX_VERTICES_ONE)
    total = before + int(counts.sum())
    if total > limits.vertices:
        raise Refused("import.too_complex", n=total, limit=limits.vertices)
    return total


def _short(exc: BaseException) -> str:
    """An error from GDAL without the server's paths."""
    text = re.sub(r"(/[^\s'\"]+)+", "…", str(exc))
    return text[:200]
