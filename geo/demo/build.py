"""Build the embedded demo store ``data/dinhlap.gpkg`` from the sources in ``data/src``.

Everything geometric here is schematic and flagged demo. The build is
deterministic (fixed seeds, fixed GeoPackage timestamps) so the checked-in
store can be rebuilt byte for byte: ``python -m geo build-demo``.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import LineString, Point, Polygon, affinity

from geo.field.qgis import write_styles
from geo.model import crs
from geo.model.catalog import CATALOG, DEMO_COLUMN, LAND_USE_GROUP, LAND_USE_IN, LAND_USE_SOURCE, LAND_USES
from geo.model.linref import Route, station_label
from geo.read import history
from geo.read.comments import ensure_tables
from geo.read.indicators import period_code, period_end
from geo.store.changelog import ensure_audit_table
from geo.store.edit import edit
from geo.store.geometry_edit import measure
from geo.store.reads import write_layers

SRC = Path(__file__).resolve().parents[2] / "data" / "src"
AS_OF = "2024-04-24"
GPKG_DATE = "2024-04-24T00:00:00Z"
DEMO_LICENCE = "CC BY 4.0 — dữ liệu minh họa của dự án"
NOTICE_LICENCE = "Văn bản hành chính: không thuộc đối tượng bảo hộ quyền tác giả (Luật SHTT, Điều 15)"
NOTICE_SOURCE = "Thông báo kết luận kiểm tra ngày 24/4/2024 của Phó Chủ tịch UBND tỉnh Lạng Sơn"


def _csv(name: str, **kw: object) -> pd.DataFrame:
    return pd.read_csv(SRC / name, comment="#", keep_default_na=False, na_values=[""], **kw)


def _to_m(lon: float, lat: float) -> tuple[float, float]:
    return crs.transformer(crs.WGS84, crs.VN2000_LANGSON).transform(lon, lat)


def _gdf_m(df: pd.DataFrame, geoms: list[object]) -> gpd.GeoDataFrame:
    """A frame whose geometry is in metres (VN-2000 TM-3), reprojected to WGS 84 for the store."""
    g = gpd.GeoDataFrame(df.reset_index(drop=True), geometry=geoms, crs=crs.VN2000_LANGSON)
    g = g.to_crs(crs.WGS84)
    # Six decimals of a degree are ~0.1 m: enough for schematic data, and stable across platforms.
    g.geometry = shapely.set_precision(g.geometry.values, 1e-6)
    return g


def short_name(name: str) -> str:
    """A map label: ``Xã Bắc Xa`` → ``Bắc Xa``, ``Thị trấn Nông trường Thái Bình`` → ``TT NT Thái Bình``."""
    for prefix, short in (("Thị trấn Nông trường ", "TT NT "), ("Thị trấn ", "TT "), ("Xã ", "")):
        if name.startswith(prefix):
            return short + name[len(prefix) :]
    return name


# -- partition ----------------------------------------------------------------
def _half_plane(p_i: np.ndarray, p_j: np.ndarray, w_i: float, w_j: float, big: float) -> Polygon:
    """The side of the power bisector of (p_i, w_i) and (p_j, w_j) that belongs to i."""
    n = p_j - p_i
    c = (p_j @ p_j - p_i @ p_i - w_j + w_i) / 2.0
    nn = n / np.linalg.norm(n)
    p0 = p_i + nn * (c - p_i @ n) / np.linalg.norm(n)  # p_i projected on the bisector
    d = np.array([-nn[1], nn[0]])
    return Polygon([p0 + d * big, p0 - d * big, p0 - d * big - nn * big, p0 + d * big - nn * big])


def power_partition(outline: Polygon, sites: np.ndarray, targets: np.ndarray, iterations: int = 400) -> list[Polygon]:
    """Cut ``outline`` into convex cells, one per site, whose areas approach ``targets``.

    A power diagram: cell i holds the points x with |x−p_i|² − w_i minimal.
    The weights are adjusted until every cell is within 5% of its target.
    Cells are disjoint and cover the outline by construction.
    """
    weights = np.zeros(len(sites))
    big = 10 * math.sqrt(outline.area) + 1e6
    cells: list[Polygon] = []
    for _ in range(iterations):
        cells = []
        for i in range(len(sites)):
            cell = outline
            for j in range(len(sites)):
                if i != j:
                    cell = cell.intersection(_half_plane(sites[i], sites[j], weights[i], weights[j], big))
            cells.append(cell)
        areas = np.array([c.area for c in cells])
        ratio = areas / targets
        if np.all(np.abs(ratio - 1) < 0.05):
            break
        weights += 0.5 * (targets - areas) / np.sqrt(targets) * np.sqrt(targets.mean()) / 10
    return cells


def _outline_and_units() -> tuple[Polygon, gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, Polygon]]:
    units = _csv("units.csv", dtype={"code": str})
    ring = _csv("district_outline.csv")
    outline = Polygon([_to_m(x, y) for x, y in zip(ring.lon, ring.lat, strict=True)])
    target_total = units.approx_area_km2.sum() * 1e6
    outline = affinity.scale(outline, *(2 * [math.sqrt(target_total / outline.area)]), origin="centroid")
    sites = np.array([_to_m(x, y) for x, y in zip(units.centre_lon, units.centre_lat, strict=True)])
    cells = power_partition(outline, sites, units.approx_area_km2.to_numpy() * 1e6)
    district = _gdf_m(pd.DataFrame({"code": ["189"], "name": ["Huyện Đình Lập"]}), [outline])
    units["short_name"] = [short_name(n) for n in units.name]
    unit_gdf = _gdf_m(units, list(cells))
    unit_gdf["population_2019"] = unit_gdf["population_2019"].astype("int64")
    return outline, district, unit_gdf, dict(zip(units.code, cells, strict=True))


# -- the 2025 communes ----------------------------------------------------------
def _part(poly: Polygon, share: float, side: str) -> Polygon:
    """The ``side`` ("west" or "south") strip of ``poly`` holding ``share`` of its area (bisection of the cut)."""
    w, s, e, n = poly.bounds
    lo, hi = (w, e) if side == "west" else (s, n)
    for _ in range(60):
        mid = (lo + hi) / 2
        strip = poly.intersection(shapely.box(w, s, mid, n) if side == "west" else shapely.box(w, s, e, mid))
        lo, hi = (mid, hi) if strip.area < share * poly.area else (lo, mid)
    cut = (lo + hi) / 2
    return poly.intersection(shapely.box(w, s, cut, n) if side == "west" else shapely.box(w, s, e, cut))


# Where a split unit's part lies: toward the commune it joined (Đình Lập lies west of Bính Xá, Châu Sơn
# south of Kiên Mộc). Schematic, like the units themselves.
_SPLIT_SIDE = {("06622", "06613"): "west", ("06625", "06637"): "south"}


def _communes_2025(cells: dict[str, Polygon], names: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The 4 communes of 1/7/2025 composed from the 2024 cells through the crosswalk, and the crosswalk."""
    walk = _csv("unit_crosswalk.csv", dtype={"old_code": str, "new_code": str})
    communes = _csv("communes_2025.csv", dtype={"code": str})
    pieces: dict[str, list[Polygon]] = {c: [] for c in communes.code}
    for old, group in walk.groupby("old_code", sort=False):
        cell = cells[str(old)]
        if len(group) == 1:
            pieces[str(group.new_code.iloc[0])].append(cell)
            continue
        ((side_new, side),) = [
            (new, _SPLIT_SIDE[(str(old), new)]) for new in group.new_code if (str(old), new) in _SPLIT_SIDE
        ]
        share = float(group.set_index("new_code").share[side_new])
        strip = _part(cell, share, side)
        for new in group.new_code:
            pieces[str(new)].append(strip if new == side_new else cell.difference(strip))
    geoms = [shapely.make_valid(shapely.union_all(pieces[c], grid_size=0.01)) for c in communes.code]
    formed = {
        c: "; ".join(
            names[str(r.old_code)]
            + ("" if float(r.share) == 1 else f" (một phần, {float(r.share):.0%})".replace(".", ","))
            for r in walk[walk.new_code == c].itertuples(index=False)
        )
        for c in communes.code
    }
    frame = communes.assign(
        short_name=[short_name(n) for n in communes.name],
        formed_from=[formed[c] for c in communes.code],
        resolution="Nghị quyết 1672/NQ-UBTVQH15 ngày 16/6/2025, hiệu lực từ 1/7/2025",
    )
    return {"communes_2025": _gdf_m(frame, geoms), "unit_crosswalk": walk}


# -- QL4B ---------------------------------------------------------------------
def _route() -> Route:
    wp = _csv("ql4b_waypoints.csv")
    return Route(LineString([_to_m(x, y) for x, y in zip(wp.lon, wp.lat, strict=True)]), 18.0, 80.0)


def _unit_at(cells: dict[str, Polygon], geom: object) -> str:
    """The unit containing ``geom``'s middle (or the nearest unit)."""
    pt = geom if isinstance(geom, Point) else shapely.line_interpolate_point(geom, 0.5, normalized=True)
    return min(cells, key=lambda code: cells[code].distance(pt))


def _offset_point(route: Route, km: float, offset_m: float) -> Point:
    """A point ``offset_m`` to the left (positive) or right of the route at ``km``."""
    a, b = route.point_at(max(route.km_from, km - 0.05)), route.point_at(min(route.km_to, km + 0.05))
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy)
    p = route.point_at(km)
    return Point(p.x - dy / norm * offset_m, p.y + dx / norm * offset_m)


#: The sites whose boundary the demo draws, and the boundary's name.
_DRAWN_SITES = {"TDC-01": "Ranh giới khu TĐC Km46", "TDC-03": "Ranh giới khu TĐC Km67"}


def _measured(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with its area in ha as the store measures a drawn shape: on the national grid (EPSG:9215)."""
    return frame.assign(area_ha=[round(measure(g).area_ha, 4) for g in frame.geometry])


def _roads(route: Route, outline: Polygon, cells: dict[str, Polygon]) -> dict[str, gpd.GeoDataFrame]:
    seg = _csv("ql4b_segments.csv", dtype={"package": str})
    geoms = [route.section(a, b) for a, b in zip(seg.km_from, seg.km_to, strict=True)]
    seg["in_district"] = [outline.contains(shapely.line_interpolate_point(g, 0.5, normalized=True)) for g in geoms]
    seg["unit_code"] = [_unit_at(cells, g) if inside else "" for g, inside in zip(geoms, seg.in_district, strict=True)]
    seg["km_from"] = seg.km_from.astype(float)
    seg["km_to"] = seg.km_to.astype(float)
    seg["clearance_pct"] = seg.clearance_pct.astype(float)
    kms = [18.0, *range(20, 81, 5)]
    stations = pd.DataFrame({"km": [float(k) for k in kms], "label": [station_label(k) for k in kms]})

    sites = _csv("resettlement_sites.csv")
    site_geoms = [_offset_point(route, k, o) for k, o in zip(sites.km, sites.offset_m, strict=True)]
    sites["unit_code"] = [_unit_at(cells, g) for g in site_geoms]

    rr = _csv("rural_roads.csv", dtype={"unit_code": str})
    rr_geoms = []
    for r in rr.itertuples():
        start = cells[r.unit_code].representative_point()
        theta = math.radians(90 - r.bearing_deg)
        pts = []
        for k in range(9):  # a gentle arc: the bearing turns 4° per step
            t = k / 8 * r.length_km * 1000
            th = theta + math.radians(4) * k
            pts.append((start.x + t * math.cos(th), start.y + t * math.sin(th)))
        rr_geoms.append(LineString(pts))

    # Two sites' boundaries beside the road (Dữ liệu minh họa): a strip from the site's near side to its far side.
    areas, area_geoms = [], []
    for r in sites.itertuples():
        if r.site_id not in _DRAWN_SITES:
            continue
        near, far = 0.45 * r.offset_m, 1.3 * r.offset_m
        ks = [r.km - 0.12 + 0.04 * i for i in range(7)]
        ring = [_offset_point(route, k, near) for k in ks] + [_offset_point(route, k, far) for k in reversed(ks)]
        area_geoms.append(Polygon([(p.x, p.y) for p in ring]))
        areas.append(
            {
                "area_id": r.site_id + "-RG",
                "name": _DRAWN_SITES[r.site_id],
                "unit_code": r.unit_code,
                "site_id": r.site_id,
                "status": r.status,
            }
        )

    acc = _csv("accidents.csv")
    acc_geoms = [_offset_point(route, k, 15.0) for k in acc.km]
    acc["unit_code"] = [_unit_at(cells, g) for g in acc_geoms]
    return {
        "ql4b_route": _gdf_m(
            pd.DataFrame({"road": ["QL4B Km18–Km80"], "km_from": [18.0], "km_to": [80.0]}), [route.line]
        ),
        "ql4b_segments": _gdf_m(seg, geoms),
        "ql4b_stations": _gdf_m(stations, [route.point_at(k) for k in stations.km]),
        "resettlement_sites": _gdf_m(sites, site_geoms),
        "resettlement_areas": _measured(_gdf_m(pd.DataFrame(areas), area_geoms)),
        "rural_roads": _gdf_m(rr, rr_geoms),
        "accidents": _gdf_m(acc, acc_geoms),
    }


# -- industrial cluster -------------------------------------------------------
def _cluster(route: Route) -> dict[str, gpd.GeoDataFrame]:
    c = _csv("cluster.csv", dtype={"unit_code": str}).iloc[0]
    length = float(c.length_m)
    depth = float(c.area_ha) * 1e4 / length
    centre_road = route.point_at(float(c.km))
    a, b = route.point_at(float(c.km) - 0.3), route.point_at(float(c.km) + 0.3)
    angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    near = float(c.offset_m) - depth / 2  # the side nearest the road
    rect = Polygon([(-length / 2, near), (length / 2, near), (length / 2, near + depth), (-length / 2, near + depth)])
    placed = affinity.translate(affinity.rotate(rect, angle, origin=(0, 0)), centre_road.x, centre_road.y)
    boundary = _gdf_m(pd.DataFrame([c]), [placed])

    plots = _csv("cluster_plots.csv")
    rows, cols = int(plots.row.max()) + 1, int(plots.col.max()) + 1
    road_gap = 20.0  # an internal road between plot rows
    geoms = []
    for p in plots.itertuples():
        x0 = -length / 2 + p.col * length / cols + road_gap / 2
        x1 = x0 + length / cols - road_gap
        y0 = near + p.row * depth / rows + road_gap / 2
        y1 = y0 + depth / rows - road_gap
        cell = Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        geoms.append(affinity.translate(affinity.rotate(cell, angle, origin=(0, 0)), centre_road.x, centre_road.y))
    plots["area_ha"] = [round(g.area / 1e4, 2) for g in geoms]
    plots["resin_plant"] = plots.resin_plant.astype(str).str.lower().eq("true")
    return {"cluster_boundary": boundary, "cluster_plots": _gdf_m(plots, geoms)}


# -- forest land --------------------------------------------------------------
def _blob(centre: Point, area_m2: float, rnd: random.Random) -> Polygon:
    """An irregular 10-sided polygon of about ``area_m2`` around ``centre``."""
    radii = [1 + 0.25 * (rnd.random() - 0.5) for _ in range(10)]
    pts = [(math.cos(2 * math.pi * k / 10) * r, math.sin(2 * math.pi * k / 10) * r) for k, r in enumerate(radii)]
    unit = Polygon(pts)
    s = math.sqrt(area_m2 / unit.area)
    return affinity.translate(affinity.scale(unit, s, s, origin=(0, 0)), centre.x, centre.y)


def _forest(cells: dict[str, Polygon], taken: list[object]) -> dict[str, gpd.GeoDataFrame]:
    rnd = random.Random(2017)
    parcels = _csv("forest_parcels.csv", dtype={"unit_code": str})
    geoms: list[Polygon] = []
    for p in parcels.itertuples():
        cell = cells[p.unit_code]
        minx, miny, maxx, maxy = cell.bounds
        for _ in range(2000):
            c = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
            g = _blob(c, p.area_ha * 1e4, rnd)
            if cell.buffer(-150).contains(g) and not any(g.buffer(150).intersects(t) for t in [*geoms, *taken]):
                break
        else:
            raise RuntimeError(f"no room for parcel {p.parcel_id} in {p.unit_code}")
        geoms.append(g)
    parcels["area_ha"] = parcels.area_ha.astype(float)
    parcel_gdf = _gdf_m(parcels, geoms)

    disputes = _csv("land_disputes.csv")
    by_id = dict(zip(parcels.parcel_id, geoms, strict=True))
    unit_of = dict(zip(parcels.parcel_id, parcels.unit_code, strict=True))
    d_geoms = []
    for d in disputes.itertuples():
        g = by_id[d.parcel_id]
        minx, miny, maxx, maxy = g.bounds
        while True:
            pt = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
            if g.buffer(-60).contains(pt):
                break
        d_geoms.append(pt)
    disputes["unit_code"] = [unit_of[p] for p in disputes.parcel_id]
    disputes["resolved"] = disputes.resolved.fillna("")
    return {"forest_parcels": parcel_gdf, "land_disputes": _gdf_m(disputes, d_geoms)}


# -- cadastral parcels ------------------------------------------------------------
_CADASTRAL_USES = ("ONT", "ONT", "ONT", "CLN", "CLN", "BHK", "LUC", "LUK", "RSX", "DGT", "TMD", "DGD", "NTS", "BCS")
_CERTS = ("issued", "issued", "issued", "in_progress", "not_issued", "disputed")


def _cadastral(cells: dict[str, Polygon], taken: list[object]) -> dict[str, pd.DataFrame]:
    """48 invented parcels on two map sheets of the township, in the cadastral layer's schema, and the
    national land-use code list the layer validates against (with its legal source).
    """
    rnd = random.Random(2014)
    cell = cells["06613"]
    centre = cell.representative_point()
    cols, rows, w, h, gap = 8, 6, 70.0, 50.0, 6.0
    for k in range(400):  # the first spot, spiralling out, where the block stays clear of roads and parcels
        a, r = k * 0.7, 40.0 * k**0.5
        x0, y0 = centre.x + r * math.cos(a), centre.y + r * math.sin(a)
        block = shapely.box(x0, y0, x0 + cols * (w + gap), y0 + rows * (h + gap))
        if cell.buffer(-100).contains(block) and not any(block.buffer(60).intersects(t) for t in taken):
            break
    else:
        raise RuntimeError("no room for the cadastral block")
    geoms: list[Polygon] = []
    records: list[dict[str, object]] = []
    for i in range(rows):
        for j in range(cols):
            x, y = x0 + j * (w + gap), y0 + i * (h + gap)
            pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            pts = [(px + rnd.uniform(-3, 3), py + rnd.uniform(-3, 3)) for px, py in pts]
            g = Polygon(pts)
            sheet, no = 12 + i // 3, 100 + (i % 3) * cols + j + 1
            records.append(
                {
                    "parcel_code": f"06613-{sheet}-{no}",
                    "unit_code": "06613",
                    "sheet_no": sheet,
                    "parcel_no": no,
                    "area_m2": round(g.area, 1),
                    "land_use": rnd.choice(_CADASTRAL_USES),
                    "cert_status": rnd.choice(_CERTS),
                    "owner": f"Hộ minh họa số {len(records) + 1:02d}",
                }
            )
            geoms.append(g)
    codes = pd.DataFrame(
        [
            {
                "code": s.value,
                "name_vi": s.vi,
                "name_en": s.en,
                "group": LAND_USE_GROUP[s.value],
                "standards": "; ".join(LAND_USE_IN[s.value]),
                "source": LAND_USE_SOURCE,
            }
            for s in LAND_USES
        ]
    )
    return {"cadastral_parcels": _gdf_m(pd.DataFrame(records), geoms), "land_use_codes": codes}


# -- tables -------------------------------------------------------------------
def _tables() -> dict[str, pd.DataFrame]:
    mat = _csv("ntm_commune.csv", dtype={"unit_code": str})
    rows = []
    for r in mat.itertuples(index=False):
        for c in range(1, 20):
            year = getattr(r, f"c{c}")
            met = not pd.isna(year)
            known = r.unit_code == "06643" and c in (8, 11, 17)
            # A commune recognised before the notice: its row cites the recognition, and says whether the
            # criteria were re-assessed against the 2021–2025 set (cited) or are demo (flagged "Minh họa").
            note = "" if pd.isna(r.source) else str(r.source)
            rows.append(
                {
                    "unit_code": r.unit_code,
                    "criterion": c,
                    "met": met,
                    "year_met": int(year) if met else None,
                    "target_year": None if pd.isna(r.target_year) else int(r.target_year),
                    "source": "Thông báo mục 1, 2.10" if known else (note or "Minh họa"),
                }
            )
    commune = pd.DataFrame(rows)
    commune["year_met"] = commune.year_met.astype("Int64")
    commune["target_year"] = commune.target_year.astype("Int64")
    names = _csv("ntm_criteria.csv")
    dist = _csv("ntm_district.csv").merge(
        names[names.level == "district"][["criterion", "name_vi", "name_en"]], on="criterion"
    )
    dist["met"] = dist.met.astype(str).str.lower().eq("true")
    ind = _csv("indicators.csv", dtype={"section": str})
    ind["headline"] = ind.headline.astype(str).str.lower().eq("true")
    for col in ("value", "target", "pct", "target2", "pct2"):
        ind[col] = ind[col].astype(float)
    return {
        "ntm_commune": commune,
        "ntm_district": dist,
        "ntm_criteria": names,
        "indicators": ind,
        "indicator_series": _series(ind),
    }


def _series(ind: pd.DataFrame) -> pd.DataFrame:
    """The first point of each indicator's series: the notice's own figure for its period (exact, cited).

    Later periods are what planners enter or import; none is invented here.
    """
    rows = []
    for r in ind.itertuples(index=False):
        code = period_code(str(r.period))
        if code is None or pd.isna(r.value):
            continue
        rows.append(
            {
                "ind_id": r.ind_id,
                "period": code,
                "period_end": period_end(code).isoformat(),
                "value": float(r.value),
                "target": None if pd.isna(r.target) else float(r.target),
                "source": f"{NOTICE_SOURCE}, mục {r.section}",
                "demo": False,
            }
        )
    return pd.DataFrame(rows)


_META = {
    "district": "Ranh giới sơ đồ do nhóm dự án vẽ theo phạm vi công bố (106,89–107,36°E; 21,33–21,74°N)",
    "units": "Mã, tên, dân số 2019, diện tích xấp xỉ: danh mục ĐVHC của Tổng cục Thống kê, TĐTDS 2019; "
    "ranh giới: phân vùng sơ đồ do nhóm dự án dựng từ điểm trung tâm",
    "ql4b_route": "Tuyến sơ đồ do nhóm dự án vẽ theo mô tả dự án nâng cấp QL4B Km18–Km80",
    "ql4b_segments": "Gói thầu, quy mô mặt cắt theo mô tả dự án; tình trạng GPMB và số hộ: minh họa",
    "ql4b_stations": "Cọc Km nội suy theo chiều dài tuyến sơ đồ",
    "resettlement_sites": "Minh họa (nhiệm vụ 2.2 yêu cầu chuẩn bị quỹ đất tái định cư)",
    "resettlement_areas": "Minh họa: ranh giới hai khu tái định cư do nhóm dự án vẽ bên QL4B; chuyên viên vẽ, sửa "
    "ranh giới thật trên bản đồ (nhiệm vụ 2.2)",
    "rural_roads": "Minh họa (mục 1: cấp xi măng làm đường GTNT còn chậm)",
    "accidents": "Minh họa (mục 1: số vụ tai nạn giao thông tăng so với cùng kỳ)",
    "cluster_boundary": "Diện tích 71,4 ha, 48,4 ha đất rừng sản xuất: nguồn thương mại chưa kiểm chứng; "
    "vị trí: minh họa",
    "cluster_plots": "Minh họa (nhiệm vụ 2.4: nhà máy chế biến nhựa thông)",
    "forest_parcels": "Minh họa (nhiệm vụ 2.6: đất Công ty TNHH MTV Lâm nghiệp Đình Lập bàn giao về địa phương)",
    "land_disputes": "Minh họa, không có thông tin cá nhân (nhiệm vụ 2.6)",
    "ntm_commune": "Đồng Thắng 10/19 và các tiêu chí 8, 11, 17 chưa đạt: Thông báo mục 1, 2.10; Bắc Lãng đạt chuẩn "
    "nâng cao 2022: Quyết định 105/QĐ-UBND ngày 26/1/2023; xã Đình Lập (2015), Bính Xá (2018) đạt chuẩn trước Thông "
    "báo; còn lại minh họa",
    "ntm_district": "Tiêu chí 2, 5, 6 chưa đạt: Thông báo mục 2.5; 7, 8 chưa đạt đến 30/11/2024: báo Dân trí; còn lại "
    "minh họa",
    "ntm_criteria": "Quyết định 318/QĐ-TTg và 320/QĐ-TTg ngày 08/3/2022",
    "indicators": NOTICE_SOURCE + ", mục 1",
    "indicator_series": NOTICE_SOURCE + ", mục 1 (kỳ đầu của mỗi chuỗi); các kỳ sau: chuyên viên nhập, có ghi nguồn",
    "tasks": NOTICE_SOURCE + ", mục 2 và 3 (nguyên văn); cơ quan, thời hạn, tiến độ: minh họa",
    "views": "Khung nhìn mẫu do nhóm dự án lập",
    "communes_2025": "Mã, tên, diện tích công bố: Nghị quyết 1672/NQ-UBTVQH15 ngày 16/6/2025; ranh giới: ghép sơ đồ từ "
    "các đơn vị 2024, phần tách của Bính Xá và Kiên Mộc chia theo tỷ lệ diện tích công bố (minh họa)",
    "unit_crosswalk": "Nghị quyết 1672/NQ-UBTVQH15 ngày 16/6/2025; tỷ lệ phần tách theo diện tích công bố (minh họa)",
    "cadastral_parcels": "Minh họa: 48 thửa do nhóm dự án dựng trên hai tờ bản đồ của thị trấn Đình Lập, người sử "
    "dụng đất là tên giả. " + LAND_USE_SOURCE,
    "land_use_codes": LAND_USE_SOURCE,
}
_NOT_DEMO = {"indicators", "ntm_criteria", "indicator_series", "land_use_codes"}


def _views(layers: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shipped views, each with the extent (WGS 84) of its ``extent`` layer or feature, padded."""
    views = _csv("views.csv", dtype=str)
    boxes = []
    for ext in views.extent:
        lid, _, key = ext.partition(":")
        frame = layers[lid]
        if key:
            frame = frame[frame[CATALOG[lid].key].astype(str) == key]
        w, s, e, n = frame.total_bounds
        pad = max(e - w, n - s) * 0.08
        boxes.append((w - pad, s - pad, e + pad, n + pad))
    for i, col in enumerate(("bbox_w", "bbox_s", "bbox_e", "bbox_n")):
        views[col] = [round(float(b[i]), 6) for b in boxes]
    views["order"] = views["order"].astype(int)
    if "as_of" not in views.columns:  # the shipped views show today, whenever they are opened
        views["as_of"] = None
    if "style" not in views.columns:  # the shipped views colour their layers as their page does by default
        views["style"] = ""
    return views.fillna("")


def build_layers(with_history: bool = True) -> dict[str, pd.DataFrame]:
    """Every demo layer and table, keyed by layer id, ready to write (as the notice found them); their
    provenance dates the last change the history makes (``with_history=False``: the notice's day).
    """
    outline, district, units, cells = _outline_and_units()
    route = _route()
    layers: dict[str, pd.DataFrame] = {"district": district, "units": units}
    layers.update(_communes_2025(cells, dict(zip(units.code, units.name, strict=True))))
    layers.update(_roads(route, outline, cells))
    cluster = _cluster(route)
    layers.update(cluster)
    taken = [route.line.buffer(300), *[g for g in cluster["cluster_boundary"].to_crs(crs.VN2000_LANGSON).geometry]]
    layers.update(_forest(cells, taken))
    parcels = [*layers["forest_parcels"].to_crs(crs.VN2000_LANGSON).geometry]
    layers.update(_cadastral(cells, [*taken, *parcels]))
    layers.update(_tables())
    layers["tasks"] = _csv("tasks.csv", dtype=str).fillna("")
    layers["views"] = _views(layers)
    # Every layer keeps exactly the catalog's columns, in its order: the store follows the catalog. An empty
    # value is stored as NULL, never '' (the one empty that forms, conflict checks and history read).
    for lid, frame in layers.items():
        if lid in CATALOG:
            names = [f.name for f in CATALOG[lid].fields if not f.derived]
            keys = CATALOG[lid].key.split(",")
            for name in names:
                if name not in keys and (frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name])):
                    frame[name] = (
                        frame[name].astype(object).map(lambda v: None if isinstance(v, str) and not v.strip() else v)
                    )
            if CATALOG[lid].is_spatial:  # every feature drawn here is demo data, flagged one by one
                layers[lid] = frame[names].assign(**{DEMO_COLUMN: 1}).set_geometry(frame.geometry)
            else:
                layers[lid] = frame[names]
    events = _history()
    last_change = {str(lid): str(when)[:10] for lid, when in events.groupby("layer")["when"].max().items()}
    if not with_history:
        last_change = {}
    meta = pd.DataFrame(
        [
            {
                "layer_id": lid,
                "source": _META[lid],
                "as_of": last_change.get(lid, AS_OF),
                "demo": lid not in _NOT_DEMO,
                "licence": NOTICE_LICENCE
                if lid in ("indicators", "indicator_series")
                else (
                    "Văn bản quy phạm pháp luật (trích danh mục)"
                    if lid in ("ntm_criteria", "land_use_codes")
                    else DEMO_LICENCE
                ),
            }
            for lid in layers
        ]
    )
    layers["layer_meta"] = meta
    return layers


def _history() -> pd.DataFrame:
    """``data/src/history.csv``: the audited changes from the notice to today, at their moments."""
    return _csv("history.csv", dtype=str).fillna("")


def _typed(spec_field: Any, text: str) -> Any:
    """A value of the history file as its field's kind (the file is text)."""
    if text == "":
        return None
    if spec_field.kind == "bool":
        return text.lower() == "true"
    if spec_field.kind == "int":
        return int(float(text))
    if spec_field.kind == "float":
        return float(text)
    return text


def apply_history(path: Path, events: pd.DataFrame) -> int:
    """Apply ``events`` to the store at ``path`` as audited edits at their moments; return the edits made.

    The changes of one feature at one moment are one edit (one transaction), in the file's order.
    """
    n = 0
    for (when, layer, feature, user, reason), group in events.groupby(
        ["when", "layer", "feature", "user", "reason"], sort=False
    ):
        spec = CATALOG[str(layer)]
        changes = {str(r.field): _typed(spec.field(str(r.field)), str(r.value)) for r in group.itertuples(index=False)}
        ts = history.stamp(history.moment(str(when)))
        edit(path, str(layer), str(feature), changes, str(user), str(reason), ts=ts)
        n += 1
    return n


def build_demo(path: Path, with_history: bool = True) -> Path:
    """Write the demo store to ``path`` atomically and return the path: the notice's state, then its history
    (``with_history=False``: the store as the notice found it, with an empty change log).
    """
    layers = build_layers(with_history)
    events = _history()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        write_layers(Path(tmp), layers, timestamp=GPKG_DATE)
        ensure_audit_table(Path(tmp), GPKG_DATE)
        write_styles(Path(tmp), GPKG_DATE)  # QGIS opens each map layer as the app draws it
        ensure_tables(Path(tmp), GPKG_DATE)  # threads and settings: empty until people write
        if with_history:  # from 24/4/2024 to today, audited: the time machine reads it back
            apply_history(Path(tmp), events)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
