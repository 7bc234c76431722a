"""What a layer record is: fields, classes, paints, a layer's spec, and a catalog of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from geo.model.i18n import Lang

LayerId = str
Theme = Literal["base", "roads", "industry", "forest", "ntm", "indicators", "meta", "overlay"]
FieldKind = Literal["str", "int", "float", "date", "bool"]
GeomType = Literal["Polygon", "LineString", "Point"]

THEMES: dict[Theme, dict[Lang, str]] = {
    "base": {"vi": "Nền hành chính", "en": "Administrative base"},
    "roads": {"vi": "Giao thông", "en": "Roads"},
    "industry": {"vi": "Cụm công nghiệp", "en": "Industrial cluster"},
    "forest": {"vi": "Đất lâm nghiệp", "en": "Forest land"},
    "ntm": {"vi": "Nông thôn mới", "en": "New-rural criteria"},
    "indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "meta": {"vi": "Siêu dữ liệu", "en": "Metadata"},
    "overlay": {"vi": "Lớp nhập từ tệp", "en": "Imported layers"},
}


@dataclass(frozen=True)
class Field:
    """One attribute column: name, vi/en label, type, and whether it is required."""

    name: str
    vi: str
    en: str
    kind: FieldKind = "str"
    required: bool = True
    unit: str = ""
    derived: bool = False  # computed when read (e.g. criteria met), never stored
    # The plausible range of a number: by default a percentage is 0–100 and an area or length is above 0.
    # ``high_ok`` lets a value above ``high`` (up to it) be saved when the person confirms it (an
    # achievement of 130 %); ``unit_from`` names the column that holds a row's own unit (an indicator's).
    low: float | None = None
    high: float | None = None
    high_ok: float | None = None
    unit_from: str = ""
    # A number that names or dates rather than counts (a year, a map sheet or parcel number, an order):
    # shown as typed, never grouped ("2024", not "2.024").
    plain: bool = False

    def plausible(self, unit: str | None = None) -> tuple[float | None, float | None, bool]:
        """``(low, high, low_open)`` of a number field whose unit is ``unit`` (the field's own by default):
        ``low_open`` means the value must be above ``low``, not equal to it. ``None`` is no bound.

        >>> Field("p", "", "", "float", unit="%").plausible()
        (0.0, 100.0, False)
        >>> Field("a", "", "", "float", unit="ha").plausible()
        (0.0, None, True)
        """
        unit = self.unit if unit is None else unit
        low, high, low_open = self.low, self.high, False
        if unit == "%":
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
        elif unit in AREA_LENGTH_UNITS and low is None:
            low, low_open = 0.0, True
        return low, high, low_open

    def label(self, lang: Lang) -> str:
        """The column's label in ``lang``, with its unit (in ``lang``) if it has one."""
        text = self.vi if lang == "vi" else self.en
        unit = self.unit_text(lang)
        return f"{text} ({unit})" if unit else text

    def unit_text(self, lang: Lang) -> str:
        """The unit in ``lang``: ``hộ`` reads "households" in English; symbols are the same in both."""
        return UNITS_EN.get(self.unit, self.unit) if lang == "en" else self.unit


#: Units of areas and lengths: a value in them is above 0.
AREA_LENGTH_UNITS = ("ha", "m²", "km²", "km", "m")

#: Units spelled in Vietnamese, in English (symbols such as ha, km², % need none).
UNITS_EN = {"hộ": "households", "người": "people", "tấn": "t"}


@dataclass(frozen=True)
class Status:
    """One value of a layer's status field with its labels and colour."""

    value: str
    vi: str
    en: str
    color: str
    # A second channel beside the colour, for readers who cannot tell two hues apart and for thin lines:
    dash: str | None = None  # a line's dash pattern (SVG dasharray, in line widths' pixels); None = solid
    hatch: bool = False  # a polygon's fill hatched (disputed land reads as such in grey too)

    def label(self, lang: Lang) -> str:
        """The value's label in ``lang``."""
        return self.vi if lang == "vi" else self.en


#: The column of a spatial layer's table that flags one feature as demo data (drawn by the team, not
#: delivered): 1 for the embedded demo's features, 0 for what planners import or draw. Not a catalog field:
#: no form edits it; it rides with its row through the change log, so a rollback restores it exactly.
DEMO_COLUMN = "demo"
DEMO_FIELD = Field("demo", "Dữ liệu minh họa", "Demo data", "bool", required=False)

CASING = "#1f2d3d"  # status-coloured lines' casing: 10:1 on the map's background (WCAG 1.4.11 asks 3:1)


@dataclass(frozen=True)
class Rule:
    """A check across two fields of one feature, made on every save that touches either.

    ``at_most``: ``field`` is not above ``other`` (households compensated ≤ households affected).
    ``needs``: when the layer's status field is one of ``when``, ``other`` is filled in (a dispute marked
    resolved carries the day it was resolved). ``field`` is the status field there.

    >>> Rule("at_most", "paid", "affected").broken({"paid": 5, "affected": 3})
    True
    >>> Rule("needs", "status", "resolved", ("resolved",)).broken({"status": "resolved", "resolved": None})
    True
    >>> Rule("needs", "status", "resolved", ("resolved",)).broken({"status": "open", "resolved": None})
    False
    """

    kind: Literal["at_most", "needs"]
    field: str
    other: str
    when: tuple[str, ...] = ()

    def broken(self, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` (a feature's values after the save) breaks the rule; an empty value breaks none."""
        a, b = row.get(self.field), row.get(self.other)
        if self.kind == "at_most":
            return not _empty(a) and not _empty(b) and float(a) > float(b)  # type: ignore[arg-type]
        return str(a) in self.when and _empty(b)


def _empty(value: object) -> bool:
    """None, NaN or blank text: one "empty", as :func:`geo.model.values.is_empty` (which reads the catalog) has it."""
    return (
        value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())
    )


@dataclass(frozen=True)
class Paint:
    """How a layer is drawn when it has no status colours (or around them)."""

    color: str = "#555555"
    fill: str | None = None
    weight: float = 2.0
    opacity: float = 1.0
    fill_opacity: float = 0.35
    dash: str | None = None
    radius: float = 6.0
    casing: str | None = None  # a line drawn over a darker, wider one: its edge reads on any background


@dataclass(frozen=True)
class LayerSpec:
    """A layer of the store, described once.

    ``statuses`` colour the features by ``status_field``; ``tooltip`` and
    ``popup`` list field names shown on hover and in the record panel;
    ``filters`` list the fields a user can filter on; ``key`` is the
    business key (unique per feature).
    """

    id: LayerId
    vi: str
    en: str
    theme: Theme
    geometry: GeomType | None
    fields: tuple[Field, ...]
    key: str
    paint: Paint = field(default_factory=Paint)
    status_field: str | None = None
    statuses: tuple[Status, ...] = ()
    label_field: str | None = None
    tooltip: tuple[str, ...] = ()
    popup: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    coded: tuple[tuple[str, tuple[Status, ...]], ...] = ()
    editable: tuple[str, ...] = ()  # what planners update between meetings (statuses, figures)
    default_visible: bool = True
    z: int = 50
    item_vi: str = "đối tượng"
    item_en: str = "features"
    sensitive: tuple[str, ...] = ()  # hidden from viewers in the app and in every export
    key_from: tuple[str, ...] = ()  # a key a file need not carry: these fields joined with "-" (made at import)
    owner: str = ""  # a planner's layer: who imported it (shown to them by default before it is published)
    rules: tuple[Rule, ...] = ()  # checks across fields, made on every save (see Rule)

    def title(self, lang: Lang) -> str:
        """The layer's title in ``lang``."""
        return self.vi if lang == "vi" else self.en

    def field(self, name: str) -> Field:
        """The field called ``name``; ``KeyError`` if the layer has none."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.id}.{name}")

    def codes(self, field_name: str | None = None) -> tuple[Status, ...]:
        """The coded values of ``field_name`` (default: the status field); empty if it is free text."""
        name = field_name or self.status_field
        if name is not None and name == self.status_field:
            return self.statuses
        return dict(self.coded).get(name or "", ())

    def status(self, value: str, field_name: str | None = None) -> Status | None:
        """The record for ``value`` of ``field_name`` (default: the status field), or ``None``."""
        for s in self.codes(field_name):
            if s.value == value:
                return s
        return None

    @property
    def is_spatial(self) -> bool:
        """Whether the layer has geometry (tables such as indicators do not)."""
        return self.geometry is not None


class Catalog(Mapping[LayerId, LayerSpec]):
    """An immutable set of layer records: the built-in layers, plus the overlays of one store.

    A value, never a registry: opening a store or previewing an import makes a new catalog
    (:meth:`with_layers`) and changes nothing any other session sees.
    """

    def __init__(self, specs: Iterable[LayerSpec], builtin: Iterable[LayerId] | None = None) -> None:
        self._specs: dict[LayerId, LayerSpec] = {}
        for s in specs:
            if s.id in self._specs:
                raise ValueError(f"layer {s.id!r} twice in one catalog")
            self._specs[s.id] = s
        #: The built-in layers' ids (by default, all of ``specs``): never replaced by an overlay.
        self.builtin: frozenset[LayerId] = frozenset(self._specs if builtin is None else builtin)

    def __getitem__(self, layer_id: LayerId) -> LayerSpec:
        return self._specs[layer_id]

    def __iter__(self) -> Iterator[LayerId]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"Catalog({list(self._specs)!r})"

    def with_layers(self, *specs: LayerSpec) -> Catalog:
        """A new catalog with ``specs`` added; a built-in layer is never replaced."""
        clash = [s.id for s in specs if s.id in self.builtin]
        if clash:
            raise ValueError(f"not an overlay id: {', '.join(clash)}")
        kept = [s for s in self._specs.values() if s.id not in {x.id for x in specs}]
        return Catalog([*kept, *specs], builtin=self.builtin)

    def spatial(self) -> list[LayerSpec]:
        """Every layer that has geometry, in drawing order."""
        return sorted((s for s in self._specs.values() if s.is_spatial), key=lambda s: s.z)


#: The built-in layers (the same for every store and session).
