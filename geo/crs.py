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
