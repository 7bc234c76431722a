"""A file's declared measures and places against its geometry: areas and lengths measured in VN-2000 /
TM-3 107°15′ (EPSG:9215), and the unit a feature is said to be in against the one it lies in.

* A column whose values are about 10⁴ times off the measured m² is a column in hectares (or one in m² for
  a field in hectares): it is converted into the field's unit, and the report says so.
* A declared area or length more than :data:`TOLERANCE` off the measured one is listed, row by row.
* The commune or town a file names is checked against the 2024 unit the feature lies in, and against the
  commune of 1/7/2025 it lies in (a file may name either); a mismatch is listed.

Nothing here refuses a file: each finding is a warning a planner reads before importing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.importer.report import Report, problem
from geo.model.catalog import LayerSpec
from geo.model.crs import VN2000_LANGSON

#: How far a declared area or length may differ from the measured one before it is listed.
TOLERANCE = 0.05
#: At most this many rows are listed one by one; the rest are counted.
LISTED = 100
AREA_UNITS = {"m²": 1.0, "ha": 1e4, "km²": 1e6}
LENGTH_UNITS = {"m": 1.0, "km": 1e3}
# The fields that measure the whole feature (a part of it, such as "of which forest", is not checked).
_MEASURES = {"area_m2": AREA_UNITS, "area_ha": AREA_UNITS, "length_km": LENGTH_UNITS, "length_m": LENGTH_UNITS}


def _measured(shapes: gpd.GeoSeries, area: bool, chunk: int = 50_000) -> np.ndarray:
    """Each shape's area (m²) or length (m) in VN-2000, projected a chunk at a time (a province's parcels
    projected at once are another copy of the file in memory).
    """
    out = np.empty(len(shapes), dtype=float)
    for start in range(0, len(shapes), chunk):
        metric = shapes.iloc[start : start + chunk].to_crs(VN2000_LANGSON)
        out[start : start + len(metric)] = (metric.area if area else metric.length).to_numpy(dtype=float)
    return out


def check_measures(frame: gpd.GeoDataFrame, spec: LayerSpec, mapping: Mapping[str, str], report: Report) -> None:
    """Convert a column in the wrong unit (about 10⁴ off) and list every row more than 5 % off its geometry."""
    column_of = {f: c for c, f in mapping.items()}
    kind = spec.geometry
    for f in spec.fields:
        units = _MEASURES.get(f.name)
        if f.derived or f.name not in column_of or units is None or f.unit not in units:
            continue
        if (units is AREA_UNITS) != (kind == "Polygon") or (units is LENGTH_UNITS and kind != "LineString"):
            continue
        measured = _measured(frame.geometry, units is AREA_UNITS)
        declared = pd.to_numeric(frame[f.name], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(declared) & (declared > 0) & (measured > 0)
        if not ok.any():
            continue
        own = units[f.unit]
        ratio = float(np.median(declared[ok] * own / measured[ok]))
        col = column_of[f.name]
        for unit, factor in units.items():
            if unit != f.unit and abs(math.log10(ratio) - math.log10(own / factor)) < 0.3:
                declared = declared * factor / own  # the column is in `unit`: its values in the field's
                frame[f.name] = [None if not np.isfinite(v) else float(v) for v in declared]
                report.problems.append(
                    problem(
                        "warning",
                        "import.measure_unit",
                        None,
                        col,
                        unit=unit,
                        field_unit=f.unit,
                        label=f.label("vi"),
                        ratio=f"{own / factor:g}" if own > factor else f"1/{factor / own:g}",
                    )
                )
                break
        off = np.flatnonzero(ok & (np.abs(declared * own - measured) > TOLERANCE * measured))
        for pos in off[:LISTED]:
            p = int(pos)
            report.problems.append(
                problem(
                    "warning",
                    "import.measure_off",
                    p + 1,
                    col,
                    label=f.label("vi"),
                    declared=repr(float(declared[p])),
                    measured=repr(float(measured[p] / own)),
                    unit=f.unit,
                    pct=repr(round(float(100 * abs(declared[p] * own - measured[p]) / measured[p]), 1)),
                )
            )
        if len(off) > LISTED:
            report.problems.append(
                problem("warning", "import.measure_off_more", None, col, n=len(off) - LISTED, label=f.label("vi"))
            )


def _where(points: gpd.GeoSeries, areas: pd.DataFrame | None) -> dict[int, str]:
    """Position of each point → the code of the area it lies in."""
    if areas is None or not len(areas) or "geometry" not in areas.columns:
        return {}
    polys = gpd.GeoDataFrame({"code": areas["code"].astype(str).to_numpy()}, geometry=areas.geometry.values, crs=4326)
    pts = gpd.GeoDataFrame({"pos": np.arange(len(points))}, geometry=points.values, crs=4326)
    joined = gpd.sjoin(pts, polys, predicate="within", how="inner")
    return {int(p): str(c) for p, c in zip(joined["pos"], joined["code"], strict=True)}


def check_units(
    frame: gpd.GeoDataFrame,
    clean: gpd.GeoDataFrame,
    spec: LayerSpec,
    mapping: Mapping[str, str],
    units: pd.DataFrame | None,
    communes: pd.DataFrame | None,
    report: Report,
) -> None:
    """List every feature whose named unit is neither the 2024 unit nor the 2025 commune it lies in."""
    from geo.importer.attributes import norm_name

    column_of = {f: c for c, f in mapping.items()}
    col = column_of.get("unit_code")
    if col is None or units is None or not spec.is_spatial or col not in clean.columns:
        return
    points = frame.geometry.representative_point()
    in_2024, in_2025 = _where(points, units), _where(points, communes)
    name_2024 = {str(r.code): str(r.name) for r in units.itertuples(index=False)}
    name_2025: dict[str, str] = {}
    named_2025: dict[str, str] = {}
    for r in (communes if communes is not None else pd.DataFrame()).itertuples(index=False):
        name_2025[str(r.code)] = str(r.name)
        for text in (r.code, r.name, getattr(r, "short_name", r.name)):
            named_2025[norm_name(str(text))] = str(r.code)
    listed = 0
    for pos, (named, stored) in enumerate(zip(clean[col].tolist(), frame["unit_code"].tolist(), strict=True)):
        at24 = in_2024.get(pos)
        if stored is None or at24 is None or at24 == stored:
            continue  # read as the unit it lies in (or outside the district: reported already)
        at25 = in_2025.get(pos)
        if at25 is not None and named_2025.get(norm_name(str(named))) == at25:
            # Named by its commune of 1/7/2025: stored with the 2024 unit it lies in, and said.
            frame.iloc[pos, frame.columns.get_loc("unit_code")] = at24
            report.problems.append(
                problem(
                    "warning",
                    "import.unit_2025",
                    pos + 1,
                    col,
                    value=str(named)[:60],
                    commune=name_2025.get(at25, at25),
                    found=name_2024.get(at24, at24),
                )
            )
            continue
        listed += 1
        if listed <= LISTED:
            report.problems.append(
                problem(
                    "warning",
                    "import.unit_mismatch",
                    pos + 1,
                    col,
                    value=str(named)[:60],
                    found=name_2024.get(at24, at24),
                    found_2025=name_2025.get(at25 or "", "–"),
                )
            )
    if listed > LISTED:
        report.problems.append(problem("warning", "import.unit_mismatch_more", None, col, n=listed - LISTED))
