"""Attribute filters built from the catalog's filter fields.

A filter value is plain data fit for session state: a list of allowed values
for a choice, a ``(low, high)`` pair for a number or a date. Empty or missing
means "no filter". The same filters apply to the map, the table and the
indicator panels, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from geo.model.catalog import Field, LayerSpec
from geo.model.i18n import Lang, fmt_date, fmt_number
from geo.model.values import BadValue, parse_bool, parse_number
from geo.read.records import format_value

FilterKind = Literal["choice", "range", "dates"]
Filters = dict[str, Any]


@dataclass(frozen=True)
class FilterField:
    """One filterable field of a layer (its catalog :class:`~geo.model.catalog.Field`) and how it is filtered."""

    field: Field
    kind: FilterKind

    @property
    def name(self) -> str:
        """The column's name."""
        return self.field.name

    def label(self, lang: Lang) -> str:
        """The field's label in ``lang``."""
        return self.field.label(lang)


def filter_fields(spec: LayerSpec) -> list[FilterField]:
    """The filters a user gets for ``spec``, in catalog order."""
    out = []
    for name in spec.filters:
        f = spec.field(name)
        if spec.codes(name) or f.kind in ("str", "bool"):
            kind: FilterKind = "choice"
        elif f.kind == "date":
            kind = "dates"
        else:
            kind = "range"
        out.append(FilterField(f, kind))
    return out


def choices(spec: LayerSpec, frame: pd.DataFrame, name: str) -> list[Any]:
    """The values of ``name`` present in ``frame``: coded values in catalog order, others sorted.

    An empty value (``""`` or missing, e.g. a segment outside every commune) is
    a choice of its own, listed last: a default of "every choice" then keeps
    every row.
    """
    col = frame[name]
    has_empty = bool(
        col.isna().any() or ((col.dtype == object or pd.api.types.is_string_dtype(col)) and (col == "").any())
    )
    present = [v for v in col.dropna().unique().tolist() if v != ""]
    codes = [s.value for s in spec.codes(name)]
    if codes:
        out = [c for c in codes if c in present] + sorted(v for v in present if v not in codes)
    else:
        out = sorted(present, key=lambda v: (str(type(v)), v))
    return [*out, ""] if has_empty else out


def choice_label(spec: LayerSpec, name: str, value: Any, lang: Lang, unit_names: dict[str, str] | None = None) -> str:
    """How a choice reads in a filter widget."""
    return format_value(spec, name, value, lang, unit_names)


def value_range(frame: pd.DataFrame, name: str) -> tuple[float, float] | None:
    """``(min, max)`` of a numeric column, or ``None`` when it has no value."""
    col = pd.to_numeric(frame[name], errors="coerce").dropna()
    return None if col.empty else (float(col.min()), float(col.max()))


def range_step(lo: float, hi: float) -> float:
    """A slider's step for ``lo``–``hi``: about a hundredth of the span, rounded to 1, 2 or 5 × 10ⁿ, so that
    an arrow key moves it by a step a person notices (Km 18–80: half a kilometre, not 0.01).

    >>> range_step(18, 80), range_step(0, 100), range_step(0.2, 3.4), range_step(5, 5)
    (0.5, 1.0, 0.05, 1.0)
    """
    import math

    span = hi - lo
    if span <= 0:
        return 1.0
    raw = span / 100
    unit = 10 ** math.floor(math.log10(raw))
    step = next(m * unit for m in (1, 2, 5, 10) if m * unit >= raw * 0.8)
    return float(f"{step:.10g}")


def date_range(frame: pd.DataFrame, name: str) -> tuple[dt.date, dt.date] | None:
    """``(first, last)`` date of a date column, or ``None``."""
    col = pd.to_datetime(frame[name], errors="coerce").dropna()
    return None if col.empty else (col.min().date(), col.max().date())


def typed_value(column: pd.Series, text: str) -> Any:
    """A value typed for a filter (``--where FIELD=VALUE``) as ``column``'s type, read by :mod:`geo.model.values`.

    ``package=8`` matches 8; ``in_district=đúng`` matches a yes/no column (stored as 1/0 or as booleans);
    "45.120,5" is a number. A value the column cannot hold raises :class:`~geo.model.values.BadValue`.

    >>> typed_value(pd.Series([True, False]), "có"), typed_value(pd.Series([1, 0]), "đúng")
    (True, 1)
    >>> typed_value(pd.Series([2.5]), "2,5"), typed_value(pd.Series(["a"]), " 2,5 ")
    (2.5, '2,5')

    """
    if pd.api.types.is_bool_dtype(column):
        return parse_bool(text)
    if pd.api.types.is_numeric_dtype(column):
        try:
            return parse_number(text)
        except BadValue:
            yes = parse_bool(text)  # a yes/no field stored as 1/0
            return None if yes is None else int(yes)
    return text.strip()


def apply_filters(spec: LayerSpec, frame: pd.DataFrame, filters: Filters | None) -> pd.DataFrame:
    """The rows of ``frame`` that pass every filter in ``filters``."""
    if not filters:
        return frame
    kinds = {f.name: f.kind for f in filter_fields(spec)}
    keep = pd.Series(True, index=frame.index)
    for name, value in filters.items():
        if name not in kinds or value is None or name not in frame.columns:
            continue
        if kinds[name] == "choice":
            if len(value) == 0:
                continue
            col = frame[name]
            keep &= (col.fillna("") if col.dtype == object or str(col.dtype) == "str" else col).isin(list(value))
        elif kinds[name] == "range":
            lo, hi = value
            col = pd.to_numeric(frame[name], errors="coerce")
            keep &= col.between(lo, hi)
        else:
            lo, hi = (pd.Timestamp(v) for v in value)
            col = pd.to_datetime(frame[name], errors="coerce")
            keep &= col.between(lo, hi)
    return frame[keep]


def narrowed(spec: LayerSpec, frame: pd.DataFrame, filters: Filters | None) -> Filters:
    """The entries of ``filters`` that leave out some of ``frame`` (a filter left whole is no filter).

    The same filters at another date keep what the user narrowed and nothing else: a status filter
    left on every status of one day must not hide the statuses another day has.
    """
    out: Filters = {}
    kinds = {f.name: f.kind for f in filter_fields(spec)}
    for name, value in (filters or {}).items():
        if name not in kinds or name not in frame.columns or value is None:
            continue
        if kinds[name] == "choice":
            whole = set(choices(spec, frame, name)) <= set(value)
        elif kinds[name] == "range":
            full = value_range(frame, name)
            whole = full is None or (value[0] <= full[0] and value[1] >= full[1])
        else:
            span = date_range(frame, name)
            whole = span is None or (
                pd.Timestamp(value[0]).date() <= span[0] and pd.Timestamp(value[1]).date() >= span[1]
            )
        if not whole:
            out[name] = value
    return out


def count_text(spec: LayerSpec, shown: int, total: int, lang: Lang) -> str:
    """``38 / 62 đoạn``: how many features pass the filters, of how many."""
    item = spec.item_vi if lang == "vi" else spec.item_en
    return f"{fmt_number(shown, lang)} / {fmt_number(total, lang)} {item}"


def describe(
    spec: LayerSpec, filters: Filters | None, lang: Lang, unit_names: dict[str, str] | None = None
) -> list[str]:
    """The filters in words, as an export's provenance states them: ``Tình trạng GPMB: Vướng mắc GPMB``."""
    kinds = {f.name: f.kind for f in filter_fields(spec)}
    out = []
    for name, value in (filters or {}).items():
        if name not in kinds or value is None:
            continue
        label = spec.field(name).label(lang)
        if kinds[name] == "choice":
            if len(value) == 0:
                continue
            shown = ", ".join(format_value(spec, name, v, lang, unit_names) for v in value)
        elif kinds[name] == "range":
            shown = f"{fmt_number(value[0], lang)} – {fmt_number(value[1], lang)}"
        else:
            shown = f"{fmt_date(str(value[0])[:10], lang)} – {fmt_date(str(value[1])[:10], lang)}"
        out.append(f"{label}: {shown}")
    return out
