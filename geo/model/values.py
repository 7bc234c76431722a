"""What people type, read one way everywhere; and what a field of the catalog accepts, written once.

The readers (:func:`parse_bool`, :func:`parse_number`, :func:`parse_date`, :func:`parse_period`) take
what a spreadsheet, a form or a command line wrote ("có", "45.120,5", "45,120.5", "31/12/2024",
"Quý III/2025") and return it typed, ``None`` when empty, or raise :class:`BadValue`. The importer, the
indicator import, ``--where`` and the edit form all read through them, so "đúng" is yes everywhere.

:func:`check` takes a value already of its kind (a number, a ``bool``, an ISO date, a code) and
returns it as stored, or raises :class:`BadValue` naming the rule it breaks. An edit hands it
what a form returned; an import first reads what a spreadsheet wrote (``2.405,5``, ``31/12/2024``,
"Đã bàn giao", "có") and then hands it the same. Each caller says the broken rule in its own words.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any, Literal

from geo.model.catalog import LayerSpec

MAX_TEXT = 2000  # characters of one text value

Rule = Literal["required", "code", "number", "percent", "bool", "date", "too_long", "period"]


class BadValue(ValueError):
    """A value a field does not accept; ``rule`` says which rule it breaks."""

    def __init__(self, rule: Rule) -> None:
        self.rule: Rule = rule
        super().__init__(rule)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _fold(text: str) -> str:
    """Upper case without diacritics, one space between words: "Không " → "KHONG"."""
    nfd = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in nfd if not unicodedata.combining(c)).upper().split())


#: Yes and no as people write them in Vietnamese and English spreadsheets (folded: no diacritics, upper case).
YES = frozenset({"1", "TRUE", "T", "YES", "Y", "CO", "X", "DUNG", "DAT", "ROI", "DA"})
NO = frozenset({"0", "FALSE", "F", "NO", "N", "KHONG", "SAI", "CHUA", "CHUA DAT", "KHONG DAT"})


def parse_bool(value: Any) -> bool | None:
    """Yes or no as typed: "có", "đúng", "x", "1", "yes", "true" / "không", "sai", "0", "no"; ``None`` if empty.

    >>> [parse_bool(v) for v in ("Đúng", "có", "x", "TRUE", "Không", "sai", "0", "")]
    [True, True, True, True, False, False, False, None]

    """
    if isinstance(value, bool):
        return value
    if _empty(value):
        return None
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = _fold(str(value))
    if key in YES or key in NO:
        return key in YES
    raise BadValue("bool")


_SPACES = re.compile(r"[\s\u00a0\u202f']")  # thousands may be spaced (also no-break spaces) or apostrophed
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


def parse_number(value: Any, lang: str | None = None) -> float | None:
    """A number as typed: Vietnamese "45.120,5" or "94,2", English "45,120.5"; ``None`` if empty.

    ``lang`` says whose conventions to expect: ``"vi"`` reads "45.120" as 45120, ``"en"`` as 45.12. Without
    it (a file of unknown origin) the separator that comes last is the decimal one, and a separator
    repeated ("1.234.567") groups thousands. A separator that cannot group thousands ("94,2" in English,
    "94.2" in Vietnamese) is the decimal one: there is no other reading.

    >>> parse_number("45.120,5"), parse_number("45,120.5"), parse_number("94,2", "vi"), parse_number("94,2", "en")
    (45120.5, 45120.5, 94.2, 94.2)
    >>> parse_number("45.120", "vi"), parse_number("45.120", "en"), parse_number("1.234.567"), parse_number("-2,5")
    (45120.0, 45.12, 1234567.0, -2.5)
    >>> parse_number("94,2 %") is None
    Traceback (most recent call last):
    ...
    geo.model.values.BadValue: number

    """
    if isinstance(value, bool):
        raise BadValue("number")
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        value = value.item()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if not math.isfinite(value):
            raise BadValue("number")
        return float(value)
    if _empty(value):
        return None
    s = _SPACES.sub("", str(value).strip())
    sign = ""
    if s[:1] in "+-\u2212":
        sign, s = ("-" if s[0] in "-\u2212" else ""), s[1:]
    if not re.fullmatch(r"\d[\d.,]*|[.,]\d+", s) or s[-1] in ".,":
        raise BadValue("number")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:  # both: the last is the decimal separator, the other groups thousands
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
    elif dots + commas == 0:
        decimal = ""
    else:
        sep = "." if dots else ","
        if dots + commas > 1:
            decimal = ""  # "1.234.567": thousands only
        elif not _GROUPED.fullmatch(s):
            decimal = sep  # "94,2", "0.5": no thousands reading
        elif lang in ("vi", "en"):  # "45.120": the reader's convention decides
            decimal = "" if sep == {"vi": ".", "en": ","}[lang] else sep
        else:
            decimal = sep  # unknown origin: as files were always read ("2.500" is 2.5)
    grouping = {"": ".,", ".": ",", ",": "."}[decimal]
    head, _, tail = s.rpartition(decimal) if decimal else (s, "", "")
    grouped = not any(c in head for c in grouping) or _GROUPED.fullmatch(head)
    if any(c in tail for c in ".,") or (decimal and decimal in head) or not grouped:
        raise BadValue("number")
    body = "".join(c for c in head if c.isdigit()) + ("." + tail if decimal else "")
    try:
        number = float(sign + body)
    except ValueError:
        raise BadValue("number") from None
    if not math.isfinite(number):
        raise BadValue("number")
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(value: Any) -> str | None:
    """A day as typed (DD/MM/YYYY as Vietnam writes it, or ISO 8601, with or without a time) as ISO.

    >>> parse_date("24/4/2024"), parse_date("2024-04-24"), parse_date("2024-04-24T09:00:00+07:00")
    ('2024-04-24', '2024-04-24', '2024-04-24')
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    geo.model.values.BadValue: date

    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date().isoformat()
    if _empty(value):
        return None
    text = str(value).strip()
    head = re.split(r"[T ]", text, maxsplit=1)[0]  # a time after the day says no more of the day
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date().isoformat()
        except ValueError:
            continue
    raise BadValue("date")


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_QUARTER = re.compile(r"(?:QUY|Q)\s*(I{1,3}|IV|[1-4])\s*(?:/|-|NAM|\s)\s*(\d{4})")


def parse_period(value: Any) -> str | None:
    """A reporting period as the series keys it: ``2025-Q3`` for a quarter, ``2025`` for a year.

    Reads "Quý III/2025", "Quý 3 năm 2025", "Q3/2025", "Q3 2025", "2025-Q3", "Năm 2025", "2025";
    ``None`` if empty; :class:`BadValue` for anything else ("Vụ Đông 2023–2024" is not a period).

    >>> [parse_period(v) for v in ("Quý III/2025", "2025-Q3", "Q3 2025", "Năm 2025", "2025")]
    ['2025-Q3', '2025-Q3', '2025-Q3', '2025', '2025']

    """
    if _empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        value = str(int(value))
    text = _fold(str(value))
    if m := re.fullmatch(r"(\d{4})\s*-?\s*Q([1-4])", text):
        return f"{m[1]}-Q{m[2]}"
    if m := _QUARTER.fullmatch(text):
        return f"{m[2]}-Q{_ROMAN.get(m[1], m[1])}"
    if m := re.fullmatch(r"(?:NAM\s+)?(\d{4})", text):
        return m[1]
    raise BadValue("period")


def check(spec: LayerSpec, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as stored (``None`` when empty and allowed), or :class:`BadValue`.

    Examples
    --------
    >>> from geo.model.catalog import CATALOG
    >>> check(CATALOG["ql4b_segments"], "clearance_pct", 87)
    87.0
    >>> check(CATALOG["ql4b_segments"], "clearance_pct", 120)
    Traceback (most recent call last):
    ...
    geo.model.values.BadValue: percent

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
        if f.unit == "%" and not 0 <= value <= (f.high_ok or 100):  # the full range: geo.store.edit asks to confirm
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


def is_empty(value: Any) -> bool:
    """Whether ``value`` is the one "empty": ``None``, ``NaN``/``NaT``, or text with nothing but spaces.

    A form, a conflict check, the history and the stored data all read '' and NULL as this same empty.

    >>> is_empty(""), is_empty(None), is_empty(float("nan")), is_empty(0), is_empty("0")
    (True, True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, int):  # bool too: never empty (pandas, imported below, takes a writer's process ~0.3 s)
        return False
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _comparable(value: Any) -> Any:
    """``value`` in one form for comparing: empty → None, a number (bool, numpy, Decimal) → float,
    a date or midnight timestamp → its ISO date, anything else its text.
    """
    if is_empty(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, (bool, int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return float(value)
    except ImportError:  # pragma: no cover
        pass
    text = str(value)
    return text[:10] if len(text) >= 19 and text[10:19] in ("T00:00:00", " 00:00:00") else text


def same_value(a: Any, b: Any) -> bool:
    """Whether two values of a field are the same for people: the one comparison of forms, conflict checks
    and history ('' is NULL, 1 is 1.0 is ``True``, a date is its ISO text).

    >>> same_value("", None), same_value(87, 87.0), same_value(True, 1), same_value("2024-05-01", "2024-05-01")
    (True, True, True, True)
    >>> same_value(None, 0), same_value("a", "b")
    (False, False)
    """
    x, y = _comparable(a), _comparable(b)
    if (isinstance(x, float) and isinstance(y, str)) or (isinstance(x, str) and isinstance(y, float)):
        try:
            x, y = float(x), float(y)
        except ValueError:
            return False
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    return bool(x == y)
