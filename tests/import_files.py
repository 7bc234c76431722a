"""Files as land offices deliver them, built in code: VN-2000 coordinates, legacy encodings, broken ones.

Each builder writes into a directory and returns the path to hand to the importer,
together with the truth (WGS 84 positions, names) the import must reproduce.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point, Polygon

from geo.importer import vnenc

# Places in Đình Lập (WGS 84) and their names: the truth the imports must land on.
TRUTH = [
    ("DL-01", "Thị trấn Đình Lập", 107.0960, 21.5440, "open"),
    ("DL-02", "Xã Bắc Xa", 107.2210, 21.6450, "mediating"),
    ("DL-03", "Xã Đồng Thắng", 107.0370, 21.4840, "resolved"),
    ("DL-04", "Xã Cường Lợi", 107.1580, 21.4700, "open"),
    ("DL-05", "Xã Kiên Mộc", 107.0450, 21.6120, "mediating"),
]
STATUS_VI = {"open": "Mới phát sinh", "mediating": "Đang hòa giải/giải quyết", "resolved": "Đã giải quyết"}


def truth_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "MA_VV": [r[0] for r in TRUTH],
            "TEN_XA": [r[1] for r in TRUTH],
            "LOAI": ["Tranh chấp ranh giới với hộ gia đình"] * len(TRUTH),
            "DIEN_TICH": [1.5, 0.8, 2.25, 0.4, 3.1],
            "TRANG_THAI": [STATUS_VI[r[4]] for r in TRUTH],
            "NGAY": ["12/03/2024", "01/04/2024", "15/05/2023", "20/01/2024", "02/02/2024"],
        },
        geometry=[Point(r[2], r[3]) for r in TRUTH],
        crs="EPSG:4326",
    )


def _raw(frame: gpd.GeoDataFrame, encoding: vnenc.Encoding) -> gpd.GeoDataFrame:
    """Text columns as the bytes a legacy program wrote, carried as Latin-1 so GDAL writes them verbatim."""
    out = frame.copy()
    for c in out.columns:
        if c != "geometry" and pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: vnenc.encode(v, encoding).decode("latin1"))
    return out


def shapefile(
    directory: Path,
    crs: str = "EPSG:9215",
    encoding: vnenc.Encoding = "cp1258",
    cpg: bool = False,
    name: str = "tranh_chap",
    frame: gpd.GeoDataFrame | None = None,
    prj: str | None = None,
) -> Path:
    """A zipped Shapefile in ``crs``, text in ``encoding``; no ``.cpg`` unless asked; ``prj`` replaces the .prj."""
    directory.mkdir(parents=True, exist_ok=True)
    src = (truth_frame() if frame is None else frame).to_crs(crs)
    pyogrio.write_dataframe(_raw(src, encoding), directory / f"{name}.shp", encoding="latin1")
    if prj is not None:
        (directory / f"{name}.prj").write_text(prj)
    cpg_file = directory / f"{name}.cpg"
    if cpg:
        cpg_file.write_text({"cp1258": "1258", "utf-8": "UTF-8"}.get(encoding, encoding))
    elif cpg_file.exists():
        cpg_file.unlink()
    parts = sorted(p for p in directory.glob(f"{name}.*") if p.suffix != ".zip")
    out = directory / f"{name}.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in parts:
            zf.write(p, p.name)
    return out


def tab(directory: Path, crs: str = "EPSG:9215", charset: str = "WindowsVietnamese") -> Path:
    """A zipped MapInfo TAB whose text is Windows-1258 and whose header declares ``charset``."""
    directory.mkdir(parents=True, exist_ok=True)
    src = truth_frame().to_crs(crs)
    target = directory / "tranh_chap.tab"
    pyogrio.write_dataframe(_raw(src, "cp1258"), target, driver="MapInfo File", encoding="latin1")
    text = target.read_bytes().replace(b"Neutral", charset.encode())
    target.write_bytes(text)
    out = directory / "tranh_chap_tab.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(directory.glob("tranh_chap.*")):
            zf.write(p, p.name)
    return out


def csv_vn2000(directory: Path, encoding: vnenc.Encoding = "utf-8", surveyor_xy: bool = True) -> Path:
    """A CSV with VN-2000 TM-3 107°15′ coordinates; X is the northing as surveyors write it."""
    directory.mkdir(parents=True, exist_ok=True)
    src = truth_frame().to_crs("EPSG:9215")
    df = src.drop(columns="geometry")
    if surveyor_xy:
        df.insert(0, "X", [f"{p.y:.3f}" for p in src.geometry])
        df.insert(1, "Y", [f"{p.x:.3f}" for p in src.geometry])
    else:
        df.insert(0, "X", [f"{p.x:.3f}" for p in src.geometry])
        df.insert(1, "Y", [f"{p.y:.3f}" for p in src.geometry])
    out = directory / "tranh_chap.csv"
    out.write_bytes(vnenc.encode(df.to_csv(index=False), encoding))
    return out


def polygons(directory: Path, name: str = "khu_dat") -> Path:
    """A GeoJSON of forest parcels: one bowtie (self-intersecting) and one with a NaN vertex."""
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{name}.geojson"
    square = [[107.10, 21.50], [107.11, 21.50], [107.11, 21.51], [107.10, 21.51], [107.10, 21.50]]
    bowtie = [[107.12, 21.50], [107.13, 21.51], [107.13, 21.50], [107.12, 21.51], [107.12, 21.50]]
    nan = [[107.14, 21.50], [107.15, 21.50], ["NaN", 21.51], [107.14, 21.50]]
    feats = []
    for pid, ring in (("K1", square), ("K2", bowtie), ("K3", nan)):
        coords = ",".join("[" + ",".join(str(v) if v != "NaN" else "NaN" for v in pt) + "]" for pt in ring)
        feats.append(
            '{"type":"Feature","properties":{"MA_KHU":"' + pid + '","MA_XA":"Đình Lập","DIEN_TICH":12.5,'
            '"QUYET_DINH":"QĐ 12/2024","NGAY_BAN_GIAO":"2024-03-01","PHUONG_AN":"Giao cho xã quản lý",'
            '"TRANG_THAI":"Đã bàn giao về địa phương"},'
            '"geometry":{"type":"Polygon","coordinates":[[' + coords + "]]}}"
        )
    out.write_text('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}", encoding="utf-8")
    return out


def square_wgs84(x: float = 107.10, y: float = 21.50, d: float = 0.01) -> Polygon:
    return Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)])


def forest_office_wording(directory: Path, name: str = "ban_giao") -> Path:
    """Forest-land parcels whose status column speaks as the forestry company writes it, not as the legend."""
    directory.mkdir(parents=True, exist_ok=True)
    statuses = ["Đã bàn giao", "Đã bàn giao", "Đã phê duyệt phương án", "Đã bàn giao", "Đã phê duyệt phương án"]
    frame = gpd.GeoDataFrame(
        {
            "MA_KHU": [f"BG-{i}" for i in range(1, 6)],
            "MA_XA": ["Đình Lập"] * 5,
            "DIEN_TICH": [12.5, 8.0, 3.2, 40.1, 7.7],
            "QUYET_DINH": ["QĐ 12/2024"] * 5,
            "NGAY_BG": ["01/03/2024"] * 5,
            "PHUONG_AN": ["Giao cho xã quản lý"] * 5,
            "TRANG_THAI": statuses,
        },
        geometry=[square_wgs84(107.05 + 0.02 * i, 21.52, 0.008) for i in range(5)],
        crs="EPSG:4326",
    )
    return shapefile(directory, frame=frame, name=name, encoding="utf-8", cpg=True)


def planner_sites(
    directory: Path,
    n: int = 11,
    name: str = "diem_quy_hoach",
    start: int = 1,
    status: dict[int, str] | None = None,
    area: dict[int, float] | None = None,
    drop: tuple[int, ...] = (),
    moved: tuple[int, ...] = (),
) -> Path:
    """A planner's own file, as a district office keeps one: sites keyed ``ma``, with ``tinh_trang``, the
    district's code ``MA_HUYEN`` and an area ``DIEN_TICH`` in hectares, as a GeoPackage. ``status``/``area``
    change some sites (by number), ``drop`` leaves some out, ``moved`` shifts some; ``start`` numbers them.
    """
    directory.mkdir(parents=True, exist_ok=True)
    nums = [i for i in range(start, start + n) if i not in drop]
    frame = gpd.GeoDataFrame(
        {
            "ma": [f"QH-{i:03d}" for i in nums],
            "ten": [f"Khu quy hoạch số {i}" for i in nums],
            "tinh_trang": [(status or {}).get(i, "Đang lập") for i in nums],
            "MA_HUYEN": ["186"] * len(nums),
            "DIEN_TICH": [(area or {}).get(i, 1.0 + i / 10) for i in nums],
        },
        geometry=[
            square_wgs84(107.02 + 0.012 * (i % 15) + (0.003 if i in moved else 0.0), 21.50 + 0.012 * (i // 15), 0.006)
            for i in nums
        ],
        crs="EPSG:4326",
    )
    out = directory / f"{name}.gpkg"
    if out.exists():
        out.unlink()
    pyogrio.write_dataframe(frame, out, layer=name, driver="GPKG")
    return out
