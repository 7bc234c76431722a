"""Coordinates to WGS 84: VN-2000 zones through pyproj, the traps (a lost datum shift, no CRS) refused with a reason."""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
from pyproj import CRS
from shapely.geometry import Point

from geo.importer.geometry import _finite
from geo.importer.report import Refused, Report, problem
from geo.model.crs import LIKELY_ZONE, VN2000_ZONES
from geo.model.i18n import t

VIETNAM = (102.1, 8.3, 109.6, 23.5)  # W, S, E, N with a margin (mainland and near islands)


DINH_LAP = (107.0, 21.35, 107.5, 21.75)  # the district with a margin: outside it is a warning


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
            problem(
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
            problem("error", "import.outside_vietnam", bounds=f"{w:.3f}, {s:.3f}, {e:.3f}, {n:.3f}", hint=hint)
        )
    elif not (DINH_LAP[0] <= w and e <= DINH_LAP[2] and DINH_LAP[1] <= s and n <= DINH_LAP[3]):
        report.problems.append(problem("warning", "import.outside_district"))
    return out
