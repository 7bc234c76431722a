"""The reform of 1 July 2025: huyện Đình Lập's 12 units became 4 communes (Resolution 1672/NQ-UBTVQH15).

Per-unit figures are read by the 2024 units or by the new communes. A feature keeps both codes: its
``unit_code`` is the grouping the reader chose, and the other code rides along (``commune_2025`` or
``unit_code_2024``). Whole units map through the crosswalk table; a feature of a unit that was split
between two communes (Bính Xá, Kiên Mộc) goes to the commune its geometry lies in.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely

from geo.model.catalog import REFORM_DAY

Units = Literal["2024", "2025"]
REFORM = dt.date.fromisoformat(REFORM_DAY)
#: Tables whose rows are assessed per 2024 unit (a commune's criteria): regrouping would merge them.
PER_2024_UNIT = frozenset({"ntm_commune"})


def default_units(day: dt.date | None) -> Units:
    """The units a day is read by: the 2024 units before 1/7/2025, the new communes from then on (``None``: today)."""
    return "2024" if day is not None and day < REFORM else "2025"


def successors(frame: pd.DataFrame, crosswalk: pd.DataFrame, communes: gpd.GeoDataFrame | None) -> pd.Series:
    """The commune since 1/7/2025 of each row of ``frame`` (by its ``unit_code``)."""
    main = crosswalk.sort_values("share").groupby("old_code")["new_code"].last()  # a split unit: its larger part
    codes = frame["unit_code"].astype(str).map(main)
    split = set(crosswalk.old_code[crosswalk.old_code.duplicated(keep=False)])
    if communes is None or not isinstance(frame, gpd.GeoDataFrame) or not len(frame):
        return codes
    where = frame["unit_code"].astype(str).isin(split) & frame.geometry.notna()
    if where.any():
        points = shapely.point_on_surface(frame.geometry[where].to_numpy())
        tree = shapely.STRtree(communes.geometry.to_numpy())
        hit, pos = tree.query(points, predicate="intersects")
        located = pd.Series(communes["code"].to_numpy()[pos], index=frame.index[where][hit])
        located = located[~located.index.duplicated()]
        codes.loc[located.index] = located
    return codes


def regroup(
    frame: pd.DataFrame,
    layer_id: str,
    crosswalk: pd.DataFrame,
    communes: gpd.GeoDataFrame | None,
    units: Units,
) -> pd.DataFrame:
    """``frame`` grouped by ``units``: ``unit_code`` is the chosen unit, the other code is kept beside it."""
    if "unit_code" not in frame.columns or not len(crosswalk):
        return frame
    new = successors(frame, crosswalk, communes)
    if units == "2025" and layer_id not in PER_2024_UNIT:
        return frame.assign(unit_code_2024=frame["unit_code"], unit_code=new.fillna(frame["unit_code"]))
    return frame.assign(commune_2025=new)
