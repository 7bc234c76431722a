"""The figures the theme panels compute from (filtered) layers.

Pure functions over DataFrames, one group per theme, so every number a panel
shows has a test. Percentages are of the rows given: pass the filtered frame
to get the figures of what the map shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo.model.catalog import LayerSpec

# -- roads ----------------------------------------------------------------------


def segment_km(seg: pd.DataFrame) -> pd.Series:
    """Length of each segment in chainage kilometres."""
    return (seg["km_to"] - seg["km_from"]).astype(float)


def clearance_totals(seg: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Site clearance of QL4B segments, in total or per ``by`` (``package``, ``unit_code``).

    ``km_cleared`` counts each segment's length times its clearance percentage;
    ``pct_cleared`` is ``km_cleared / km``; ``pct_compensated`` is households
    compensated over households affected.
    """
    km = segment_km(seg)
    # A plain frame of the few columns summed (not the segments' GeoDataFrame, whose every copy carries the
    # geometry: three times as slow, on every run of the page).
    frame = pd.DataFrame({"km": km, "km_cleared": km * seg["clearance_pct"] / 100.0}, index=seg.index)
    for c in ("households_affected", "households_compensated"):  # hidden from viewers: figures unknown
        frame[c] = seg[c] if c in seg.columns else float("nan")
    if by is not None:
        frame[by] = seg[by]
    cols = ["km", "km_cleared", "households_affected", "households_compensated"]
    if by is None:
        out = frame[cols].sum().to_frame().T
        out.insert(0, "segments", len(frame))
    else:
        grouped = frame.groupby(by, sort=True)
        out = grouped[cols].sum()
        out.insert(0, "segments", grouped.size())
        out = out.reset_index()
    out["pct_cleared"] = (out["km_cleared"] / out["km"] * 100).where(out["km"] > 0)
    out["pct_compensated"] = (out["households_compensated"] / out["households_affected"] * 100).where(
        out["households_affected"] > 0
    )
    if seg.get("households_affected") is None:
        out[["households_affected", "households_compensated", "pct_compensated"]] = float("nan")
    return out


def cement_by_commune(roads: pd.DataFrame) -> pd.DataFrame:
    """Cement planned vs delivered per commune; ``late`` when any of its roads is behind schedule."""
    g = roads.groupby("unit_code", sort=True)
    out = pd.DataFrame(
        {
            "roads": g.size(),
            "length_km": g["length_km"].sum(),
            "cement_planned_t": g["cement_planned_t"].sum(),
            "cement_delivered_t": g["cement_delivered_t"].sum(),
            "late_roads": g["status"].apply(lambda s: int((s == "late").sum())),
        }
    ).reset_index()
    out["pct_delivered"] = out["cement_delivered_t"] / out["cement_planned_t"] * 100
    out["late"] = out["late_roads"] > 0
    return out.sort_values(["late", "pct_delivered"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class PeriodComparison:
    """Accidents in a period and in the same period one year earlier."""

    start: dt.date
    end: dt.date
    current: int
    previous: int

    @property
    def change(self) -> int:
        """Cases more (positive) or fewer than in the same period last year."""
        return self.current - self.previous


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def accidents_compare(acc: pd.DataFrame, start: dt.date, end: dt.date) -> PeriodComparison:
    """Count accidents between ``start`` and ``end`` (inclusive) and in the same dates a year earlier."""
    dates = pd.to_datetime(acc["date"]).dt.date
    current = int(((dates >= start) & (dates <= end)).sum())
    previous = int(((dates >= _year_earlier(start)) & (dates <= _year_earlier(end))).sum())
    return PeriodComparison(start, end, current, previous)


# -- industrial cluster -------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSummary:
    """Areas of the cluster's plots by status, with occupancy and clearance progress."""

    total_ha: float
    by_status_ha: dict[str, float]

    @property
    def occupied_ha(self) -> float:
        """Area leased or under construction."""
        return self.by_status_ha.get("leased", 0.0) + self.by_status_ha.get("building", 0.0)

    @property
    def occupancy_pct(self) -> float | None:
        """Occupied area over the plots' area."""
        return self.occupied_ha / self.total_ha * 100 if self.total_ha else None

    @property
    def cleared_pct(self) -> float | None:
        """Area no longer awaiting site clearance, over the plots' area."""
        return (self.total_ha - self.by_status_ha.get("vacant", 0.0)) / self.total_ha * 100 if self.total_ha else None


def cluster_summary(plots: pd.DataFrame) -> ClusterSummary:
    """Sum the plots' areas by status."""
    by = plots.groupby("status")["area_ha"].sum()
    return ClusterSummary(float(plots["area_ha"].sum()), {str(k): float(v) for k, v in by.items()})


# -- forest land ----------------------------------------------------------------------


def area_by_commune(parcels: pd.DataFrame) -> pd.DataFrame:
    """Area (ha) of handed-over parcels per commune (rows) and status (columns), with a total."""
    pivot = parcels.pivot_table(index="unit_code", columns="status", values="area_ha", aggfunc="sum", fill_value=0.0)
    pivot["total"] = pivot.sum(axis=1)
    return pivot.sort_values("total", ascending=False)


def dispute_ages(disputes: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Each dispute with ``days_open``: to its resolution date if resolved, else to ``as_of``; missing
    (``<NA>``) where a date it needs is missing (a file imported without one), never a crash.
    """
    opened = pd.to_datetime(disputes["opened"].replace("", None), errors="coerce")
    resolved = pd.to_datetime(disputes["resolved"].replace("", None), errors="coerce")
    end = resolved.where(disputes["status"] == "resolved", pd.Timestamp(as_of))
    return disputes.assign(days_open=(end - opened).dt.days.astype("Int64"))


def dispute_counts(disputes: pd.DataFrame) -> dict[str, int]:
    """``{"open": …, "resolved": …}``: cases not yet resolved and cases resolved."""
    resolved = int((disputes["status"] == "resolved").sum())
    return {"open": len(disputes) - resolved, "resolved": resolved}


# -- new-rural criteria ------------------------------------------------------------------

COMMUNE_CRITERIA = 19


def criteria_matrix(ntm: pd.DataFrame) -> pd.DataFrame:
    """Units (rows) × criteria 1–19 (columns), ``True`` where met."""
    return ntm.pivot_table(index="unit_code", columns="criterion", values="met", aggfunc="max").astype(bool)


def criteria_met(ntm: pd.DataFrame) -> pd.Series:
    """Number of criteria met per unit code."""
    return criteria_matrix(ntm).sum(axis=1).astype(int)


def ntm_class(met: int) -> str:
    """The standing of a unit by criteria met: ``standard`` (19), ``near``, ``mid`` or ``far``."""
    if met >= COMMUNE_CRITERIA:
        return "standard"
    return "near" if met >= 15 else ("mid" if met >= 10 else "far")


def units_with_criteria(units: pd.DataFrame, ntm: pd.DataFrame, criterion: int | None = None) -> pd.DataFrame:
    """``units`` with the derived fields ``ntm_met``, ``ntm_class`` and, for one criterion, ``criterion_met``.

    Towns (thị trấn) are not assessed on the commune criteria: no count, and the class ``not_assessed``.
    """
    met = criteria_met(ntm)
    town = units["unit_type"].eq("town") if "unit_type" in units.columns else pd.Series(False, index=units.index)
    counts = units["code"].map(met).fillna(0).astype(int)
    out = units.assign(ntm_met=counts.astype("Int64").where(~town, pd.NA))
    out["ntm_class"] = [("not_assessed" if t else ntm_class(int(n))) for t, n in zip(town, counts, strict=True)]
    if criterion is not None:
        m = criteria_matrix(ntm)
        col = m[criterion] if criterion in m.columns else pd.Series(dtype=bool)
        out["criterion_met"] = out["code"].map(col).map({True: "met", False: "not_met"})
    return out


@dataclass(frozen=True)
class UnitCard:
    """What a commune's card shows: criteria met and missing, target year."""

    met: list[int]
    missing: list[int]
    target_year: int | None


def unit_card(ntm: pd.DataFrame, unit_code: str) -> UnitCard:
    """The card of ``unit_code``."""
    rows = ntm[ntm["unit_code"] == unit_code].sort_values("criterion")
    met = [int(c) for c in rows.loc[rows["met"], "criterion"]]
    missing = [int(c) for c in rows.loc[~rows["met"], "criterion"]]
    target = rows["target_year"].dropna()
    return UnitCard(met, missing, int(target.iloc[0]) if len(target) else None)


# -- what a feature contributes ------------------------------------------------------------

#: Summable figures of each layer, and the fields their subtotals are grouped by.
# Figures a panel derives from a layer's fields, with their labels' keys in the string catalog.
DERIVED = {"km": "roads.km", "km_cleared": "roads.km_cleared"}

MEASURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ql4b_segments": (("km", "km_cleared", "households_affected", "households_compensated"), ("package", "unit_code")),
    "cluster_plots": (("area_ha",), ("status",)),
    "forest_parcels": (("area_ha",), ("unit_code", "status")),
    "land_disputes": (("area_ha",), ("unit_code", "status")),
    "rural_roads": (("length_km", "cement_planned_t", "cement_delivered_t"), ("unit_code",)),
    "resettlement_sites": (("plots",), ("unit_code",)),
    "resettlement_areas": (("area_ha",), ("unit_code", "status")),
    "units": (("population_2019",), ()),
}


@dataclass(frozen=True)
class Contribution:
    """A feature's share of a total: ``value`` of ``total`` over the rows in ``scope``.

    ``measure`` is a field of the layer, or a figure derived from its fields (a segment's ``km``
    and ``km_cleared``).
    """

    measure: str
    scope_field: str | None
    scope_value: object
    value: float
    total: float

    @property
    def share_pct(self) -> float | None:
        """The feature's share of the total."""
        return self.value / self.total * 100 if self.total else None


def contributions(spec: LayerSpec, row: pd.Series, frame: pd.DataFrame) -> list[Contribution]:
    """What ``row`` contributes to each summable figure of its layer: over all of ``frame``
    (what is shown), then within each group it belongs to (its package, its commune).
    """
    measures, groups = MEASURES.get(spec.id, ((), ()))
    if spec.id == "ql4b_segments":  # chainage figures are derived, and are what a viewer may see
        frame = frame.assign(km=segment_km(frame), km_cleared=segment_km(frame) * frame["clearance_pct"] / 100.0)
        km = float(row["km_to"] - row["km_from"])
        row = pd.concat([row, pd.Series({"km": km, "km_cleared": km * float(row["clearance_pct"]) / 100.0})])
    out = []
    for m in (m for m in measures if m in row.index and m in frame.columns):  # viewers lack sensitive ones
        value = float(row[m]) if pd.notna(row[m]) else 0.0
        out.append(Contribution(m, None, None, value, float(frame[m].sum())))
        for g in groups:
            same = frame[frame[g] == row[g]]
            out.append(Contribution(m, g, row[g], value, float(same[m].sum())))
    return out


# -- overview: what needs attention ----------------------------------------------------------------


@dataclass(frozen=True)
class AttentionItem:
    """One line of the overview's "needs attention" list, pointing at a feature of a theme page."""

    kind: str  # "segment", "dispute", "commune"
    page: str  # url path of the theme page
    layer: str
    key: str
    figure: float  # clearance %, days open, criteria met


def attention(
    seg: pd.DataFrame, disputes: pd.DataFrame, ntm: pd.DataFrame, as_of: dt.date, n: int = 3
) -> list[AttentionItem]:
    """The segments furthest behind, the disputes open longest, the communes furthest from the standard."""
    items: list[AttentionItem] = []
    behind = seg[seg["clearance_status"].isin(["blocked", "not_started", "in_progress"])]
    behind = behind.assign(rank=behind["clearance_status"].map({"blocked": 0, "not_started": 1, "in_progress": 2}))
    for r in behind.sort_values(["rank", "clearance_pct", "km_from"]).head(n).itertuples():
        items.append(AttentionItem("segment", "giao-thong", "ql4b_segments", str(r.seg_id), float(r.clearance_pct)))
    aged = dispute_ages(disputes[disputes["status"] != "resolved"], as_of).dropna(subset=["days_open"])
    for r in aged.sort_values("days_open", ascending=False).head(n).itertuples():
        items.append(AttentionItem("dispute", "dat-lam-nghiep", "land_disputes", str(r.dispute_id), float(r.days_open)))
    met = criteria_met(ntm)
    for code, m in met[met < COMMUNE_CRITERIA].sort_values().head(n).items():
        items.append(AttentionItem("commune", "nong-thon-moi", "units", str(code), float(m)))
    return items
