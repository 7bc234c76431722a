"""Synthetic cadastral-scale parcels, deterministic: what the scale benchmark and its smoke test load.

Real forest-land and cadastral layers of a district run to tens of thousands of
parcels of about forty vertices each. :func:`parcels` lays ``n`` such parcels on
a grid over the district's extent, in the schema of the ``forest_parcels``
layer, so they import through the ordinary importer and show on the ordinary
page. Nothing here is real: every value is made up from the seed.
"""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import shapely

from geo.model.catalog import CATALOG

UNIT_CODES = tuple(f"066{k}" for k in range(13, 47, 3))  # the 12 units of 2024
EXTENT = (106.93, 21.37, 107.32, 21.70)  # inside the district's bounds, degrees (W, S, E, N)


def parcels(
    n: int, seed: int = 2024, vertices: int = 40, units: tuple[str, ...] = (), within: object | None = None
) -> gpd.GeoDataFrame:
    """``n`` parcels of ``vertices`` vertices each in the ``forest_parcels`` schema (WGS 84).

    ``within`` (a polygon, e.g. the district outline) keeps the grid cells whose centre lies in it.

    Examples
    --------
    >>> g = parcels(100)
    >>> len(g), int(shapely.get_num_coordinates(g.geometry.values).sum() / len(g))
    (100, 41)

    """
    rng = np.random.default_rng(seed)
    w, s, e, north = EXTENT if within is None else shapely.bounds(within)
    share = 1.0 if within is None else shapely.area(within) / ((e - w) * (north - s))
    cells = math.ceil(n / share * 1.02)  # enough cells that ``n`` centres fall inside
    cols = math.ceil(math.sqrt(cells * (e - w) / (north - s)))
    rows = math.ceil(cells / cols)
    dx, dy = (e - w) / cols, (north - s) / rows
    i = np.arange(cols * rows)
    x0, y0 = w + (i % cols) * dx, s + (i // cols) * dy
    if within is not None:
        i = i[shapely.contains_xy(within, x0 + dx / 2, y0 + dy / 2)]
    i = i[:n]
    if len(i) < n:
        raise ValueError(f"only {len(i)} cells fit in the area")
    x0, y0 = x0[i], y0[i]
    # A parcel: its cell shrunk a little, the outline wobbling, walked round in `vertices` steps.
    side = vertices // 4
    tt = np.linspace(0, 1, side, endpoint=False)
    ux = np.concatenate([tt, np.ones(side), 1 - tt, np.zeros(side)])
    uy = np.concatenate([np.zeros(side), tt, np.ones(side), 1 - tt])
    wobble = rng.normal(0, 0.035, size=(n, len(ux), 2))
    px = x0[:, None] + (0.06 + 0.88 * ux[None, :] + wobble[:, :, 0] * 0.3) * dx
    py = y0[:, None] + (0.06 + 0.88 * uy[None, :] + wobble[:, :, 1] * 0.3) * dy
    ring = np.stack([px, py], axis=2)
    ring = np.concatenate([ring, ring[:, :1, :]], axis=1)  # closed
    geoms = shapely.polygons(ring)
    geoms = shapely.make_valid(geoms)
    geoms = np.array([g if g.geom_type == "Polygon" else max(g.geoms, key=lambda p: p.area) for g in geoms])
    spec = CATALOG["forest_parcels"]
    statuses = np.array([st_.value for st_ in spec.statuses])
    codes = np.array(units or UNIT_CODES)
    uses = np.array(["Rừng sản xuất", "Giao cho hộ gia đình", "Rừng phòng hộ", "Quỹ đất tái định cư"])
    day0 = dt.date(2019, 1, 1).toordinal()
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": [f"TD{k:06d}" for k in range(1, n + 1)],
            "unit_code": codes[rng.integers(0, len(codes), n)],
            "area_ha": np.round(gpd.GeoSeries(geoms, crs=4326).to_crs(9215).area.to_numpy() / 10_000, 2),
            "decision": [f"{k % 900 + 100}/QĐ-UBND" for k in range(n)],
            "handover_date": [dt.date.fromordinal(day0 + int(d)).isoformat() for d in rng.integers(0, 1800, n)],
            "planned_use": uses[rng.integers(0, len(uses), n)],
            "status": statuses[rng.choice(len(statuses), n, p=[0.35, 0.3, 0.3, 0.05])],
        },
        geometry=geoms,
        crs=4326,
    )
    return frame


#: How land offices word a parcel's land use and certificate in their own files (not the catalog's labels).
OFFICE_USES = (
    "Đất trồng cây lâu năm",
    "Đất ở nông thôn",
    "Rừng sản xuất",
    "ONT",
    "Đất trồng lúa nước còn lại",
    "Đất đồi núi chưa sử dụng",
)
OFFICE_CERTS = ("Đã cấp GCN", "Chưa cấp", "Đang làm thủ tục", "Tranh chấp")


def cadastral(n: int, seed: int = 2014, units: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """``n`` parcels as a land office's file has them: Vietnamese column names (số tờ, số thửa, diện tích m²,
    loại đất, tình trạng GCN, chủ sử dụng) and the office's own wording of land uses and certificates.
    """
    base = parcels(n, seed=seed, vertices=12, units=units)
    rng = np.random.default_rng(seed)
    area = gpd.GeoSeries(base.geometry.values, crs=4326).to_crs(9215).area.to_numpy()
    return gpd.GeoDataFrame(
        {
            "MaXa": base["unit_code"].to_numpy(),
            "SoTo": 1 + np.arange(n) // 400,
            "SoThua": 1 + np.arange(n) % 400,
            "DienTich": np.round(area, 1),
            "LoaiDat": np.array(OFFICE_USES)[rng.integers(0, len(OFFICE_USES), n)],
            "TinhTrang": np.array(OFFICE_CERTS)[rng.integers(0, len(OFFICE_CERTS), n)],
            "ChuSuDung": [f"Hộ giả định {k:05d}" for k in range(1, n + 1)],
        },
        geometry=base.geometry.values,
        crs=4326,
    )
