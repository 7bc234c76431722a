"""Planners' files into the store: read, detect CRS and encoding, validate, report, then commit.

What a land office, a road project board or the forestry company delivers:
GeoPackage, zipped Shapefile, GeoJSON, KML/KMZ, zipped MapInfo TAB, CSV or
Excel with lon/lat or VN-2000 X/Y columns. :func:`validate` reads such a file
and returns a :class:`Report` (features, geometry types, CRS, encoding,
bounds, each problem with its row and field, a preview of names) without
touching the store; :func:`geo.store.ingest.commit` writes a clean report into a catalog layer
(replace or append) or as a new overlay layer, atomically and audited.

Rules that protect users from silent errors:

* Text is never decoded by GDAL (its Windows-1258 conversion drops the last
  character): we read raw bytes and decode them in :mod:`geo.importer.vnenc`.
* A file with no CRS, or metres declared as degrees, is refused and the
  message names the likely VN-2000 zone and ``--crs``. A TM-3 CRS on the
  107°15′ meridian that lost the VN-2000 → WGS 84 shift, and coordinates
  outside Vietnam, block the import and are explained. Datum shifts are
  pyproj's (EPSG:6960 for VN-2000), never a hand-typed ``+towgs84``.
* Files are opened only by the driver their extension promises, after their
  first bytes agree (an XML/VRT or HTML file named ``.geojson`` is refused);
  zip members are allow-listed, size-capped and never follow ``..`` or links.

The package follows the seams of the work: :mod:`.report`, :mod:`.safety`, :mod:`.readers`,
:mod:`.text`, :mod:`.crs`, :mod:`.geometry` and :mod:`.attributes`; this module runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.importer import vnenc
from geo.importer.attributes import (
    ALIASES,
    _new_layer_frame,
    _to_catalog,
    _unit_lookup,
    auto_mapping,
    key_candidates,
    norm_name,
)
from geo.importer.codes import ValueRow, Values, parse_values, suggested_values, value_table
from geo.importer.crs import _to_wgs84
from geo.importer.geometry import _clean_geometry
from geo.importer.measure import check_measures, check_units
from geo.importer.readers import FORMATS, _open
from geo.importer.report import Problem, Refused, Report, Severity, _jsonable, problem, report_json
from geo.importer.safety import (
    LIMIT_ENV,
    MAX_FEATURES,
    MAX_FILE_BYTES,
    MAX_VERTICES,
    MAX_VERTICES_ONE,
    UPLOAD,
    Limits,
    Progress,
    _workdir,
    command_line,
)
from geo.importer.text import _decode_text
from geo.model.catalog import CATALOG, Catalog
from geo.model.crs import LIKELY_ZONE, VN2000_ZONES

__all__ = [
    "ALIASES",
    "FORMATS",
    "LIKELY_ZONE",
    "LIMIT_ENV",
    "MAX_FEATURES",
    "MAX_FILE_BYTES",
    "MAX_VERTICES",
    "MAX_VERTICES_ONE",
    "UPLOAD",
    "VN2000_ZONES",
    "Limits",
    "Problem",
    "Progress",
    "Refused",
    "Report",
    "Severity",
    "ValueRow",
    "Values",
    "auto_mapping",
    "command_line",
    "key_candidates",
    "norm_name",
    "parse_values",
    "report_json",
    "suggested_values",
    "validate",
]


def validate(
    path: str | Path,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    units: pd.DataFrame | None = None,
    remembered: Mapping[str, str] | None = None,
    new_layer: bool = False,
    catalog: Catalog = CATALOG,
    values: Values | None = None,
    key: str | None = None,
    labels: Mapping[str, str] | None = None,
    field_units: Mapping[str, str] | None = None,
    communes: pd.DataFrame | None = None,
    limits: Limits = UPLOAD,
    progress: Progress | None = None,
) -> Report:
    """Read ``path`` and check it against ``layer`` of ``catalog`` (or as a new overlay); never touches a store.

    ``values`` maps the file's own wording of coded values to classes (field → file value → code); the
    report lists every distinct coded value with its class or a suggestion (:attr:`Report.values`).
    For a new layer, ``key`` names the column that names a feature (it must be unique and never empty),
    ``labels`` and ``field_units`` give columns (by the file's name) the label and unit the map shows.
    Areas and lengths are checked against the geometry, and the unit a feature is said to be in against
    ``units`` (2024) and ``communes`` (from 1/7/2025): see :mod:`.measure`.

    ``limits`` bound the file (the browser upload's by default; the command line's are a setting: see
    :func:`command_line`); a big file is read in chunks of ``limits.chunk`` features, ``progress`` told
    after each.
    """
    report = Report(source=Path(path).name, layer=layer)
    if str(path).replace("\\", "/").lstrip("/").lower().startswith("vsi"):  # GDAL's virtual paths: network, archives
        report.refused = Refused("import.vsi", name=str(path)[:80])
        return report
    path = Path(path)
    if layer is not None and not new_layer and (layer not in catalog or not catalog[layer].is_spatial):
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
            src = _open(path, work, limits, progress)
            report.fmt = src.fmt
            report.notes += src.frame.attrs.pop("notes", [])
            report.problems += src.frame.attrs.pop("problems", [])
            big = progress is not None and len(src.frame) > limits.chunk
            checked = _checking(progress if big else None)
            _decode_text(src, encoding, report)
            checked()
            gdf = src.frame
            report.features = len(gdf)
            report.columns = [str(c) for c in gdf.columns if c != "geometry"]
            expected = catalog[layer].geometry if layer and not new_layer else None
            wgs = _to_wgs84(gdf, crs, report)
            checked()
            clean = _clean_geometry(wgs, report, expected)
            checked()
            del src, gdf, wgs  # the checked frame is what is kept
    except Refused as exc:
        report.refused = exc
        return report
    names = report.columns[:3]
    if layer and not new_layer:
        spec = catalog[layer]
        report.mapping = dict(mapping) if mapping else auto_mapping(report.columns, spec, remembered)
        unknown = [c for c in report.mapping if c not in report.columns]
        for c in unknown:
            report.problems.append(problem("error", "import.mapping_unknown", fld=c))
        mapping_ok = {c: f for c, f in report.mapping.items() if c in report.columns}
        given = {f: dict(v) for f, v in (values or {}).items()}
        report.values = value_table(clean, spec, mapping_ok, given)
        report.value_mapping = {
            f: {v: c for v, c in m.items() if any(r.field == f and r.value == v for r in report.values)}
            for f, m in given.items()
        }
        report.frame = _to_catalog(clean, spec, mapping_ok, _unit_lookup(units), report, given)
        checked()
        if spec.is_spatial and len(report.frame):
            check_measures(report.frame, spec, mapping_ok, report)
            check_units(report.frame, clean, spec, mapping_ok, units, communes, report)
        shown = [c for c in report.columns if c in mapping_ok] or names
    else:
        report.frame = _planners_layer(clean, report, key, labels or {}, field_units or {})
        checked()
        shown = report.columns
    # The file's own text, decoded: what a planner checks before anything is stored.
    report.preview = clean[shown[:6]].head(10).to_dict("records") if shown else []
    report.preview = [{k: _jsonable(v) for k, v in row.items()} for row in report.preview]
    checked()
    return report


_STAGES = 5  # text decoded, CRS, geometry, fields, measures and units


def _checking(progress: Progress | None) -> Callable[[], None]:
    """A big file's checks, told one stage at a time (they run on the whole file: a key is unique in all of it)."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("check", min(done, _STAGES), _STAGES)

    return step


def _planners_layer(
    clean: gpd.GeoDataFrame,
    report: Report,
    key: str | None,
    labels: Mapping[str, str],
    field_units: Mapping[str, str],
) -> gpd.GeoDataFrame:
    """A new layer's frame: the file's columns under their own names (a renamed one is reported), its key,
    and the labels and units the planner gave (a column named by its file name or its stored one).
    """
    frame, stored = _new_layer_frame(clean)
    frame.attrs["labels"] = stored
    by_file = {v: k for k, v in stored.items()}
    for name, original in stored.items():
        if name != original:
            report.problems.append(problem("warning", "import.renamed", fld=original, name=name))

    def column(text: str) -> str | None:
        return text if text in stored else by_file.get(text)

    report.labels = dict(stored)
    report.key_candidates = key_candidates(frame)
    for given, into in ((labels, report.labels), (field_units, report.field_units)):
        for col, text in given.items():
            found = column(col)
            if found is None:
                report.problems.append(problem("error", "import.mapping_unknown", fld=col))
            elif str(text).strip():
                into[found] = str(text).strip()[:120]
    if key:
        chosen = column(key)
        if chosen is None:
            report.problems.append(problem("error", "import.mapping_unknown", fld=key))
        elif chosen not in report.key_candidates:
            report.problems.append(
                problem("error", "import.bad_key", fld=key, allowed=", ".join(report.key_candidates) or "–")
            )
        else:
            report.key = chosen
    return frame
