"""Every figure a panel shows, on small frames whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.model.catalog import spec
from geo.read import panels

SEG = pd.DataFrame(
    {
        "seg_id": ["A", "B", "C"],
        "km_from": [18.0, 20.0, 43.0],
        "km_to": [20.0, 21.0, 45.0],
        "package": ["7", "7", "8"],
        "unit_code": ["x", "y", "y"],
        "clearance_pct": [100.0, 50.0, 0.0],
        "households_affected": [10, 4, 6],
        "households_compensated": [10, 2, 0],
    }
)


def test_clearance_totals_weigh_percentages_by_length() -> None:
    total = panels.clearance_totals(SEG).iloc[0]
    assert total.segments == 3 and total.km == 5.0
    assert total.km_cleared == pytest.approx(2.0 + 0.5)
    assert total.pct_cleared == pytest.approx(50.0)
    assert total.pct_compensated == pytest.approx(12 / 20 * 100)
    by_pkg = panels.clearance_totals(SEG, "package").set_index("package")
    assert by_pkg.loc["7", "km"] == 3.0 and by_pkg.loc["7", "km_cleared"] == pytest.approx(2.5)
    assert by_pkg.loc["8", "pct_cleared"] == 0.0
    by_unit = panels.clearance_totals(SEG, "unit_code").set_index("unit_code")
    assert by_unit.loc["y", "households_affected"] == 10 and by_unit.loc["y", "segments"] == 2


def test_cement_late_communes_come_first() -> None:
    roads = pd.DataFrame(
        {
            "unit_code": ["a", "a", "b"],
            "length_km": [1.0, 2.0, 1.5],
            "cement_planned_t": [100.0, 100.0, 50.0],
            "cement_delivered_t": [100.0, 20.0, 50.0],
            "status": ["done", "late", "done"],
        }
    )
    out = panels.cement_by_commune(roads)
    assert list(out.unit_code) == ["a", "b"]
    a = out.iloc[0]
    assert a.late and a.late_roads == 1 and a.pct_delivered == pytest.approx(60.0) and a.length_km == 3.0
    assert not out.iloc[1].late


def test_accidents_same_period_last_year() -> None:
    acc = pd.DataFrame({"date": ["2023-01-15", "2023-04-02", "2024-01-10", "2024-02-29", "2024-03-31"]})
    cmp = panels.accidents_compare(acc, dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert (cmp.current, cmp.previous, cmp.change) == (3, 1, 2)
    leap = panels.accidents_compare(acc, dt.date(2024, 2, 29), dt.date(2024, 2, 29))
    assert (leap.current, leap.previous) == (1, 0)


def test_cluster_occupancy_and_clearance() -> None:
    plots = pd.DataFrame({"status": ["leased", "building", "cleared", "vacant"], "area_ha": [10.0, 5.0, 5.0, 20.0]})
    s = panels.cluster_summary(plots)
    assert s.total_ha == 40 and s.occupied_ha == 15
    assert s.occupancy_pct == pytest.approx(37.5) and s.cleared_pct == pytest.approx(50.0)
    assert panels.cluster_summary(plots.iloc[0:0]).occupancy_pct is None


def test_forest_area_by_commune_and_status() -> None:
    parcels = pd.DataFrame(
        {"unit_code": ["a", "a", "b"], "status": ["disputed", "allocated", "disputed"], "area_ha": [10.0, 5.0, 7.0]}
    )
    out = panels.area_by_commune(parcels)
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "total"] == 15 and out.loc["b", "allocated"] == 0 and out.loc["b", "disputed"] == 7


def test_days_open_stop_at_resolution() -> None:
    d = pd.DataFrame(
        {
            "status": ["open", "resolved", "mediating"],
            "opened": ["2024-01-01", "2023-12-01", "2024-04-01"],
            "resolved": ["", "2024-01-01", ""],
        }
    )
    ages = panels.dispute_ages(d, dt.date(2024, 4, 24))
    assert list(ages.days_open) == [114, 31, 23]
    assert panels.dispute_counts(d) == {"open": 2, "resolved": 1}


def test_a_dispute_missing_a_date_has_no_age_and_breaks_nothing() -> None:
    # A file imported without dates: the forest page and the overview's attention list once crashed on it.
    d = pd.DataFrame(
        {
            "dispute_id": ["A", "B", "C"],
            "status": ["resolved", "open", "open"],
            "opened": ["2024-01-01", "", "2024-03-01"],
            "resolved": ["", "", ""],
            "unit_code": ["", "", ""],
        }
    )
    ages = panels.dispute_ages(d, dt.date(2024, 4, 24))
    assert ages.days_open.isna().tolist() == [True, True, False]
    assert int(ages.days_open.iloc[2]) == 54
    seg = pd.DataFrame(columns=["seg_id", "clearance_status", "clearance_pct", "km_from"])
    items = panels.attention(seg, d, pd.DataFrame(columns=["unit_code", "criterion", "met"]), dt.date(2024, 4, 24))
    assert [(i.key, i.figure) for i in items if i.kind == "dispute"] == [("C", 54.0)]


def test_criteria_matrix_and_cards(store) -> None:
    ntm = store.read("ntm_commune")
    m = panels.criteria_matrix(ntm)
    assert m.shape == (10, 19)  # communes only: towns are not assessed
    met = panels.criteria_met(ntm)
    assert met["06643"] == 10
    card = panels.unit_card(ntm, "06643")
    assert len(card.met) == 10 and {8, 11, 17} <= set(card.missing) and card.target_year == 2024


def test_a_viewer_still_sees_a_segments_share_of_the_km_shown() -> None:
    """Household figures are sensitive; the segment's length and km cleared are not."""
    seg = SEG.drop(columns=["households_affected", "households_compensated"])
    out = panels.contributions(spec("ql4b_segments"), seg.iloc[1], seg)
    assert {c.measure for c in out} == {"km", "km_cleared"}
    cleared = next(c for c in out if c.measure == "km_cleared" and c.scope_field is None)
    km = float(seg.km_to[1] - seg.km_from[1])
    assert cleared.value == pytest.approx(km * float(seg.clearance_pct[1]) / 100)


def test_a_feature_contributes_to_the_totals_of_what_is_shown() -> None:
    out = panels.contributions(spec("ql4b_segments"), SEG.iloc[1], SEG)
    km = next(c for c in out if c.measure == "km" and c.scope_field is None)
    assert (km.value, km.total) == pytest.approx(
        (float(SEG.km_to[1] - SEG.km_from[1]), float(panels.segment_km(SEG).sum()))
    )
    first = next(c for c in out if c.measure == "households_affected")
    assert (first.measure, first.scope_field, first.value, first.total) == ("households_affected", None, 4, 20)
    assert first.share_pct == pytest.approx(20.0)
    in_pkg = next(c for c in out if c.measure == "households_affected" and c.scope_field == "package")
    assert (in_pkg.scope_value, in_pkg.total) == ("7", 14)
    in_unit = next(c for c in out if c.measure == "households_compensated" and c.scope_field == "unit_code")
    assert (in_unit.scope_value, in_unit.value, in_unit.total) == ("y", 2, 2)


def test_units_gain_criteria_standing_for_the_choropleth(store) -> None:
    units = panels.units_with_criteria(store.read("units"), store.read("ntm_commune"), criterion=11)
    dt_ = units.set_index("code").loc["06643"]
    assert dt_.ntm_met == 10 and dt_.ntm_class == "mid" and dt_.criterion_met == "not_met"
    assert set(units.ntm_class) <= {s.value for s in spec("units").codes("ntm_class")}
    assert [panels.ntm_class(n) for n in (19, 18, 15, 14, 10, 9, 0)] == [
        "standard",
        "near",
        "near",
        "mid",
        "mid",
        "far",
        "far",
    ]


def test_attention_lists_the_worst_of_each_theme() -> None:
    seg = SEG.assign(clearance_status=["done", "in_progress", "blocked"])
    disputes = pd.DataFrame(
        {
            "dispute_id": ["a", "b", "c"],
            "status": ["open", "resolved", "mediating"],
            "opened": ["2024-01-01", "2020-01-01", "2023-01-01"],
            "resolved": ["", "2021-01-01", ""],
        }
    )
    ntm = pd.DataFrame(
        {
            "unit_code": ["u1"] * 19 + ["u2"] * 19,
            "criterion": list(range(1, 20)) * 2,
            "met": [True] * 19 + [True] * 12 + [False] * 7,
        }
    )
    items = panels.attention(seg, disputes, ntm, dt.date(2024, 4, 24), n=2)
    assert [(i.kind, i.key) for i in items] == [
        ("segment", "C"),
        ("segment", "B"),
        ("dispute", "c"),
        ("dispute", "a"),
        ("commune", "u2"),
    ]
    assert items[2].figure == 479 and items[-1].figure == 12 and items[-1].page == "nong-thon-moi"
