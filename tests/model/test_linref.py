from __future__ import annotations

import pytest
from shapely import LineString, Point

from geo.model.linref import Route, station_label


@pytest.fixture
def route() -> Route:
    # An L-shaped line 6 km long calibrated Km18 → Km80 (62 chainage km): 96.77 m per Km.
    return Route(LineString([(0, 0), (3000, 0), (3000, 3000)]), 18.0, 80.0)


def test_ends_map_to_the_ends(route: Route) -> None:
    assert route.point_at(18).equals(Point(0, 0))
    assert route.point_at(80).equals(Point(3000, 3000))


@pytest.mark.parametrize("km", [18.0, 25.5, 49.0, 66.6, 80.0])
def test_km_point_km_round_trip(route: Route, km: float) -> None:
    assert route.km_at(route.point_at(km)) == pytest.approx(km, abs=1e-9)


def test_the_bend_is_half_way(route: Route) -> None:
    assert route.point_at(49).distance(Point(3000, 0)) < 1e-6


def test_a_point_off_the_line_gets_the_nearest_chainage(route: Route) -> None:
    assert route.km_at(Point(1500, 400)) == pytest.approx(18 + 62 * 1500 / 6000)


def test_sections_tile_the_route(route: Route) -> None:
    parts = [route.section(a, b) for a, b in [(18, 30), (30, 49), (49, 80)]]
    assert sum(p.length for p in parts) == pytest.approx(route.line.length)
    assert parts[1].coords[-1] == pytest.approx((3000, 0))


def test_out_of_range_is_refused(route: Route) -> None:
    with pytest.raises(ValueError, match="outside"):
        route.point_at(81)
    with pytest.raises(ValueError):
        route.section(40, 30)


def test_station_labels() -> None:
    assert station_label(18) == "Km18"
    assert station_label(42.5) == "Km42+500"
