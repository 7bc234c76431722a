"""What a field of the catalog accepts: the rules an edit and an import both apply, written once.

:func:`check` takes a value already of its kind (a number, a ``bool``, an ISO date, a code) and
returns it as stored, or raises :class:`BadValue` naming the rule it breaks. An edit hands it
what a form returned; an import first reads what a spreadsheet wrote (``2.405,5``, ``31/12/2024``,
"Đã bàn giao", "có") and then hands it the same. Each caller says the broken rule in its own words.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from geo.catalog import LayerSpec

MAX_TEXT = 2000  # characters of one text value

Rule = Literal["required", "code", "number", "percent", "bool", "date", "too_long"]


class BadValue(ValueError):
    """A value a field does not accept; ``rule`` says which rule it breaks."""

    def __init__(self, rule: Rule) -> None:
        self.rule: Rule = rule
        super().__init__(rule)


def check(spec: LayerSpec, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as stored (``None`` when empty and allowed), or :class:`BadValue`.

    Examples
    --------
    >>> from geo.catalog import CATALOG
    >>> check(CATALOG["ql4b_segments"], "clearance_pct", 87)
    87.0
    >>> check(CATALOG["ql4b_segments"], "clearance_pct", 120)
    Traceback (most recent call last):
    ...
    geo.values.BadValue: percent

    """
    f = spec.field(name)
    if value is None or value == "":
        if f.required:
            raise BadValue("required")
        return None
    codes = spec.codes(name)
    if codes and value not in {s.value for s in codes}:
        raise BadValue("code")
    if f.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadValue("number")
        if f.kind == "int" and value != int(value):
            raise BadValue("number")
        if f.unit == "%" and not 0 <= value <= (f.high_ok or 100):  # the full range: geo.edit asks to confirm
            raise BadValue("percent")
        return int(value) if f.kind == "int" else float(value)
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise BadValue("bool")
        return int(value)
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise BadValue("date") from None
    text = str(value)
    if len(text) > MAX_TEXT:
        raise BadValue("too_long")
    return text
