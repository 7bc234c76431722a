"""Feature records as people read them: Vietnamese labels, formatted values."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.model.catalog import DEMO_COLUMN, DEMO_FIELD, Catalog, LayerSpec, Rule
from geo.model.i18n import Lang, fmt_date, fmt_datetime, fmt_number, source_text, t, term, unit_name

if TYPE_CHECKING:
    from geo.store.changelog import AuditRow, Batch


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and not math.isfinite(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


#: Fields whose values are administrative unit codes (shown with the unit's name).
UNIT_FIELDS = ("unit_code", "commune_2025", "unit_code_2024")


def format_value(
    spec: LayerSpec, field: str, value: Any, lang: Lang = "vi", unit_names: dict[str, str] | None = None
) -> str:
    """Format one attribute value for display.

    Status codes become their labels; numbers, dates and booleans follow the
    language's conventions; text is returned as it is (escaping is the
    renderer's job, never the formatter's).
    """
    if _is_missing(value) or value == "":
        return "–"
    if field in UNIT_FIELDS and unit_names:
        key = {"commune_2025": "2025:", "unit_code_2024": "2024:"}.get(field, "") + str(value)
        if key in unit_names:
            return f"{unit_name(unit_names[key], lang)} ({value})"
    if isinstance(value, str) and spec.codes(field):
        status = spec.status(value, field)
        return status.label(lang) if status else value
    try:
        f = spec.field(field)
    except KeyError:
        return str(value)
    if f.kind == "bool":
        return t("yes" if bool(value) else "no", lang)
    if f.plain and isinstance(value, Real) and float(value).is_integer():
        return str(int(float(value)))  # a year, a sheet or parcel number: as typed, never "2.024"
    if f.kind in ("int", "float") and isinstance(value, Real) and not isinstance(value, bool):
        text = fmt_number(float(value), lang, 0 if f.kind == "int" else None)
        unit = f.unit_text(lang)
        return text + "%" if f.unit == "%" else (f"{text} {unit}" if unit else text)
    if f.kind == "date":
        if isinstance(value, (dt.date, pd.Timestamp)):
            return fmt_date(value.date() if isinstance(value, pd.Timestamp) else value, lang)
        try:
            return fmt_date(str(value), lang)
        except ValueError:
            return str(value)
    if f.name == "source":  # where a figure or a criterion comes from: the product's sources in English
        return source_text(str(value), lang)
    return term(str(value), lang)  # a category word in the reader's language; names and free text as they are


def record(
    spec: LayerSpec,
    row: pd.Series | dict[str, Any],
    fields: tuple[str, ...] | None,
    lang: Lang = "vi",
    unit_names: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """``(label, text)`` pairs of ``fields`` (default: the layer's popup fields) for one feature.

    ``unit_names`` maps unit codes to names, so a commune reads ``Xã Bắc Xa (06619)``.
    """
    names = fields if fields is not None else (spec.popup or tuple(f.name for f in spec.fields))
    if "unit_code" in names:  # a record keeps both codes: the unit of 2024 and the commune since 1/7/2025
        at = names.index("unit_code") + 1
        names = (*names[:at], *(n for n in UNIT_FIELDS[1:] if n in row and n not in names), *names[at:])
    out = []
    for name in names:
        if name in spec.sensitive and name not in row:
            continue  # redacted for this user: not even its label
        try:
            label = spec.field(name).label(lang)
        except KeyError:
            label = name
        value = row.get(name) if hasattr(row, "get") else None
        out.append((label, format_value(spec, name, value, lang, unit_names)))
    flag = row.get(DEMO_COLUMN) if fields is None and hasattr(row, "get") else None
    if flag is not None and not pd.isna(flag):  # whether this feature was invented or delivered
        out.append((DEMO_FIELD.label(lang), t("yes" if int(flag) else "no", lang)))
    return out


def change_table(
    rows: Sequence[AuditRow], batches: Sequence[Batch], lang: Lang, catalog: Catalog | None = None
) -> list[list[str]]:
    """The change log as people read it, oldest first: when, who, layer, feature, what, old, new, why.

    A batch of features added or removed whole (an import) is one counted line. ``catalog``: the store's
    (a planner's layer then reads by its title and its columns' labels, like a built-in one).
    """
    from geo.model.catalog import CATALOG

    known = catalog if catalog is not None else CATALOG

    def title(layer: str) -> str:
        spec = known.get(layer)
        return spec.title(lang) if spec else layer

    from geo.model.values import same_value
    from geo.store.changelog import reason_text

    out = []
    for r in rows:
        if r.field != "*" and same_value(r.old, r.new):  # '' made NULL: the one empty, nothing changed
            continue
        what, old, new = change_text(known.get(r.layer), r.field, r.old, r.new, lang)
        out.append([r.ts, r.user, title(r.layer), r.feature, what, old, new, reason_text(r.reason, lang)])
    for b in batches:
        counts = t("pres.batch", lang, added=fmt_number(b.added, lang), removed=fmt_number(b.count - b.added, lang))
        feature = (
            b.features[0] if b.count == 1 and b.features else t("pres.features", lang, n=fmt_number(b.count, lang))
        )
        out.append(
            [
                b.ts,
                b.user,
                title(b.layer),
                feature,
                t("change.whole", lang),
                "",
                counts,
                reason_text(b.reason, lang),
            ]
        )
    out.sort(key=lambda cells: cells[0])  # by the stored moment, then written as people read it
    return [[fmt_datetime(cells[0], lang), *cells[1:]] for cells in out]


def change_text(spec: LayerSpec | None, field_name: str, old: Any, new: Any, lang: Lang) -> tuple[str, str, str]:
    """A change-log row as people read it: (what changed, old value, new value).

    Besides a field of the layer, a row may record a whole feature added or removed (``*``) or a
    point moved (its geometry column, values in WKT): each reads in words, never as raw data.
    """
    if field_name == "*":
        return (
            t("change.whole", lang),
            t("change.none", lang) if old is None else t("change.present", lang),
            (t("change.removed", lang) if new is None else t("change.added", lang)),
        )
    names = {f.name for f in spec.fields} if spec else set()
    if spec is not None and field_name in names:
        return (
            spec.field(field_name).label(lang),
            format_value(spec, field_name, old, lang),
            format_value(spec, field_name, new, lang),
        )

    def place(wkt: Any) -> str:
        m = _POINT.match(str(wkt or ""))
        return f"{float(m.group(1)):.6f}, {float(m.group(2)):.6f}" if m else ("–" if wkt is None else str(wkt)[:60])

    if spec is not None and spec.geometry:  # the geometry column
        return t("edit.position", lang), place(old), place(new)
    return field_name, "–" if old is None else str(old), "–" if new is None else str(new)


_POINT = re.compile(r"POINT \(([-0-9.eE]+) ([-0-9.eE]+)\)")


def rule_words(spec: LayerSpec, rule: Rule, row: Mapping[str, Any]) -> dict[str, str]:
    """The words of a broken rule's message (an edit refused, an import's row): both fields' labels and
    values as the record panel shows them, in both languages.
    """
    field, other = spec.field(rule.field), spec.field(rule.other)
    words = {"field": field.vi, "field_en": field.en, "other": other.vi, "other_en": other.en}
    for lang, tail in (("vi", ""), ("en", "_en")):
        words["value" + tail] = format_value(spec, rule.field, row.get(rule.field), lang)  # type: ignore[arg-type]
        words["limit" + tail] = format_value(spec, rule.other, row.get(rule.other), lang)  # type: ignore[arg-type]
    return words
