"""Geometry cleaned before anything is stored: empty, NaN and infinite dropped, invalid ones repaired, by row."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.importer.report import Report, problem


def _finite(geom: Any) -> bool:
    coords = shapely.get_coordinates(geom)
    return bool(np.isfinite(coords).all())


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
            report.problems.append(problem("warning", "import.empty_geometry", row))
            continue
        if not _finite(geom):
            report.problems.append(problem("warning", "import.nonfinite_geometry", row))
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            if expected and geom.geom_type == "GeometryCollection":
                parts = [g for g in geom.geoms if _FAMILY.get(g.geom_type) == expected]
                geom = shapely.union_all(parts) if parts else geom
            report.problems.append(problem("warning", "import.repaired", row, reason=reason[:80]))
        if expected and _FAMILY.get(geom.geom_type) != expected:
            report.problems.append(
                problem("error", "import.wrong_geometry", row, found=geom.geom_type, expected=expected)
            )
        keep.append(i)
        geoms.append(geom)
    out = gdf.iloc[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))
    report.geometry_types = sorted({g.geom_type for g in geoms})
    return out
