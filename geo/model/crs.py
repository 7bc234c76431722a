"""Coordinate systems: WGS 84 for the web map, VN-2000 for measuring and for
the files Vietnamese offices deliver.

Lạng Sơn uses the VN-2000 3° zone with central meridian 107°15′ (EPSG:9215).
pyproj chooses the Decision 05/2007 seven-parameter shift (EPSG:6960) when
asked to go from EPSG:9215 to EPSG:4326; we never type ``+towgs84`` by hand.
"""

from __future__ import annotations

from functools import lru_cache

from pyproj import CRS, Transformer

WGS84 = "EPSG:4326"
VN2000_GEOG = "EPSG:4756"
VN2000_LANGSON = "EPSG:9215"  # VN-2000 / TM-3 107-15
VN2000_UTM48 = "EPSG:3405"

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
LIKELY_ZONE = VN2000_LANGSON  # what a file with no CRS from Lạng Sơn most likely is

CRS_LABELS = {
    WGS84: {"vi": "WGS 84 (kinh độ, vĩ độ)", "en": "WGS 84 (longitude, latitude)"},
    VN2000_LANGSON: {
        "vi": "VN-2000 / TM-3 kinh tuyến trục 107°15′ (Lạng Sơn)",
        "en": "VN-2000 / TM-3 central meridian 107°15′ (Lạng Sơn)",
    },
}


@lru_cache(maxsize=16)
def transformer(src: str, dst: str) -> Transformer:
    """A cached ``always_xy`` transformer from ``src`` to ``dst``."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)
