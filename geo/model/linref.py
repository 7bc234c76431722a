"""Linear referencing along a route: Km chainage ↔ a point on the line.

A route is a line in a metric CRS calibrated by its start and end chainage;
chainage grows in proportion to the distance along the line, which is how a
road project's Km stations are laid out on a schematic line.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely import LineString, Point, get_coordinates, line_locate_point
from shapely.ops import substring


@dataclass(frozen=True)
class Route:
    """A calibrated route: ``line`` (metric CRS) runs from ``km_from`` to ``km_to``."""

    line: LineString
    km_from: float
    km_to: float

    def __post_init__(self) -> None:
        if self.line.is_empty or self.line.length <= 0:
            raise ValueError("route line is empty")
        if not self.km_to > self.km_from:
            raise ValueError("km_to must be greater than km_from")

    @property
    def metres_per_km(self) -> float:
        """Line length per chainage kilometre (1000 when the line is to scale)."""
        return self.line.length / (self.km_to - self.km_from)

    def _distance(self, km: float) -> float:
        if not self.km_from <= km <= self.km_to:
            raise ValueError(f"Km{km:g} is outside Km{self.km_from:g}–Km{self.km_to:g}")
        return (km - self.km_from) * self.metres_per_km

    def point_at(self, km: float) -> Point:
        """The point of the route at chainage ``km``."""
        return self.line.interpolate(self._distance(km))

    def km_at(self, point: Point) -> float:
        """The chainage of the route point nearest to ``point``."""
        return self.km_from + float(line_locate_point(self.line, point)) / self.metres_per_km

    def section(self, km_a: float, km_b: float) -> LineString:
        """The part of the route from ``km_a`` to ``km_b``."""
        if not km_b > km_a:
            raise ValueError("a section needs km_b > km_a")
        part = substring(self.line, self._distance(km_a), self._distance(km_b))
        return LineString(get_coordinates(part))


def station_label(km: float) -> str:
    """The usual label of a Km station: ``Km18``, ``Km42+500``."""
    whole = int(km)
    metres = round((km - whole) * 1000)
    return f"Km{whole}" if metres == 0 else f"Km{whole}+{metres:03d}"
