"""Indicators of the notice: typed records and the figures panels show.

Values and percentages are those the notice states, never recomputed: a
leader compares the screen with the paper.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.model.i18n import Lang, fmt_date, fmt_number, fmt_pct
from geo.model.values import BadValue, parse_bool, parse_number, parse_period


@dataclass(frozen=True)
class Indicator:
    """One figure of the notice with its target(s), comparison and citation."""

    id: str
    order: int
    headline: bool
    name_vi: str
    name_en: str
    value: float | None
    unit: str
    period: str
    target: float | None
    target_label_vi: str | None
    target_label_en: str | None
    pct: float | None
    target2: float | None
    target2_label_vi: str | None
    target2_label_en: str | None
    pct2: float | None
    change_vi: str | None
    change_en: str | None
    section: str
    quote: str

    def name(self, lang: Lang) -> str:
        """The indicator's name in ``lang``."""
        return self.name_vi if lang == "vi" else self.name_en

    def value_text(self, lang: Lang) -> str:
        """The value with its unit, e.g. ``19.268 triệu đồng`` or ``87,59%``."""
        if self.value is None:
            return self.change_vi if lang == "vi" and self.change_vi else (self.change_en or "–")
        unit = self.unit if lang == "vi" else _UNIT_EN.get(self.unit, self.unit)
        number = fmt_number(self.value, lang)
        return number + "%" if unit == "%" else f"{number} {unit}"

    def achievement_text(self, lang: Lang) -> list[str]:
        """Percent achieved against each target, then the comparison, as short phrases."""
        out = []
        for pct, vi, en, target in (
            (self.pct, self.target_label_vi, self.target_label_en, self.target),
            (self.pct2, self.target2_label_vi, self.target2_label_en, self.target2),
        ):
            label = vi if lang == "vi" else en
            if pct is not None:
                tail = f" ({fmt_number(target, lang)})" if target is not None else ""
                out.append(f"{fmt_pct(pct, lang)} {label or ''}{tail}".strip())
            elif target is not None and label:
                out.append(f"{label}: {fmt_number(target, lang)}")
        change = self.change_vi if lang == "vi" else self.change_en
        if change and self.value is not None:
            out.append(change)
        return out


#: Where each indicator is seen on the map: (page url path, layer id, feature key or "").
LINKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "budget_revenue": (("", "units", ""),),
    "budget_revenue_target": (("", "units", ""),),
    "budget_spending": (("", "units", ""),),
    "public_investment": (("giao-thong", "ql4b_segments", ""), ("cum-cong-nghiep", "cluster_plots", "")),
    "ntp_disbursement": (("giao-thong", "rural_roads", ""), ("nong-thon-moi", "units", "")),
    "recovery_programme": (("giao-thong", "ql4b_segments", ""),),
    "winter_crops": (("nong-thon-moi", "units", ""),),
    "health_insurance": (("nong-thon-moi", "units", ""),),
    "traffic_accidents": (("giao-thong", "accidents", ""),),
    "dong_thang_ntm": (("nong-thon-moi", "units", "06643"),),
}

_UNIT_EN = {"triệu đồng": "million VND", "tiêu chí": "criteria", "vụ": "cases"}


def _opt_float(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _opt_str(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v)


def from_frame(df: pd.DataFrame) -> list[Indicator]:
    """Indicators of a store's ``indicators`` table, in the notice's order."""
    out = []
    for r in df.sort_values("order").to_dict("records"):
        out.append(
            Indicator(
                id=str(r["ind_id"]),
                order=int(r["order"]),
                headline=bool(r["headline"]),
                name_vi=str(r["name_vi"]),
                name_en=str(r["name_en"]),
                value=_opt_float(r.get("value")),
                unit=str(r["unit"]),
                period=str(r["period"]),
                target=_opt_float(r.get("target")),
                target_label_vi=_opt_str(r.get("target_label_vi")),
                target_label_en=_opt_str(r.get("target_label_en")),
                pct=_opt_float(r.get("pct")),
                target2=_opt_float(r.get("target2")),
                target2_label_vi=_opt_str(r.get("target2_label_vi")),
                target2_label_en=_opt_str(r.get("target2_label_en")),
                pct2=_opt_float(r.get("pct2")),
                change_vi=_opt_str(r.get("change_vi")),
                change_en=_opt_str(r.get("change_en")),
                section=str(r["section"]),
                quote=str(r["quote"]),
            )
        )
    return out


def criteria_met(ntm: pd.DataFrame) -> pd.Series:
    """Number of new-rural criteria met per unit code (of the 19 of the commune set)."""
    return ntm.groupby("unit_code")["met"].sum().astype(int)


# -- series: one value per period ---------------------------------------------------------------------
def period_code(text: str) -> str | None:
    """A period as the series keys it: ``2024-Q1`` for a quarter, ``2024`` for a year; ``None`` if unknown.

    Read by :func:`geo.model.values.parse_period`, the one reader of periods.

    Examples
    --------
    >>> period_code("Quý I/2024"), period_code("2025-Q3"), period_code("Năm 2024"), period_code("2025")
    ('2024-Q1', '2025-Q3', '2024', '2025')
    >>> period_code("Vụ Đông 2023–2024") is None
    True

    """
    try:
        return parse_period(text)
    except BadValue:
        return None


def period_end(code: str) -> dt.date:
    """The last day of a period code (``2024-Q1`` → 31/3/2024; ``2024`` → 31/12/2024)."""
    if "-Q" in code:
        year, q = int(code[:4]), int(code[-1])
        first_next = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        return first_next - dt.timedelta(days=1)
    return dt.date(int(code), 12, 31)


def period_label(code: str, lang: Lang) -> str:
    """``Quý I/2024`` or ``Q1 2024``; ``Năm 2024`` or ``2024``."""
    if "-Q" in code:
        q = int(code[-1])
        return f"Quý {['I', 'II', 'III', 'IV'][q - 1]}/{code[:4]}" if lang == "vi" else f"Q{q} {code[:4]}"
    return f"Năm {code}" if lang == "vi" else code


def period_text(text: str, lang: Lang) -> str:
    """A period as the notice or a planner wrote it, in ``lang``: ``Quý I/2024`` → ``Q1 2024``,
    ``Vụ Đông 2023–2024`` → ``Winter crop 2023–2024``, ``Đến 24/4/2024`` → ``To 2024-04-24``.

    Examples
    --------
    >>> period_text("Quý I/2024", "en"), period_text("Vụ Đông 2023–2024", "en"), period_text("Năm 2024", "en")
    ('Q1 2024', 'Winter crop 2023–2024', '2024')
    >>> period_text("Đến 24/4/2024", "en"), period_text("Quý I/2024", "vi")
    ('To 2024-04-24', 'Quý I/2024')

    """
    if lang == "vi":
        return text
    if code := period_code(text):
        return period_label(code, lang)
    if m := re.fullmatch(r"Vụ\s+Đông\s+(.+)", text.strip(), re.IGNORECASE):
        return f"Winter crop {m[1]}"
    if m := re.fullmatch(r"Đến\s+(\d{1,2})/(\d{1,2})/(\d{4})", text.strip(), re.IGNORECASE):
        return f"To {fmt_date(dt.date(int(m[3]), int(m[2]), int(m[1])), lang)}"
    return text


@dataclass(frozen=True)
class Point:
    """One period's value of an indicator, with its source."""

    period: str
    end: dt.date
    value: float
    target: float | None
    source: str
    demo: bool


def series(frame: pd.DataFrame) -> dict[str, list[Point]]:
    """Every indicator's periods, oldest first, from the ``indicator_series`` table."""
    out: dict[str, list[Point]] = {}
    for r in frame.sort_values("period_end").itertuples(index=False):
        out.setdefault(str(r.ind_id), []).append(
            Point(
                str(r.period),
                dt.date.fromisoformat(str(r.period_end)[:10]),
                float(r.value),
                _opt_float(r.target),
                str(r.source),
                bool(r.demo),
            )
        )
    return out


def trend(points: list[Point]) -> tuple[Point, float | None] | None:
    """The latest point, and its change from the period before (of the same length: quarter or year)."""
    if not points:
        return None
    last = points[-1]
    same = [p for p in points[:-1] if ("-Q" in p.period) == ("-Q" in last.period)]
    return last, (last.value - same[-1].value) if same else None


class SeriesFileError(ValueError):
    """A file of figures that cannot be imported: every problem, by row, in Vietnamese then English."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"dòng/row {n}: {vi} / {en}" for n, vi, en in problems[:20]))


MAX_SERIES_BYTES = 5_000_000  # a file of figures is a few hundred rows; anything far larger is not one


def _sniff(text: str) -> str:
    """The file's delimiter: comma, semicolon (Excel in a Vietnamese locale), tab or bar."""
    import csv

    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_series_file(path: str, known: set[str]) -> list[dict[str, object]]:
    """The rows of a CSV of figures (``ind_id, period, value[, target], source[, demo]``) ready to store.

    The file may be UTF-8 or a legacy Vietnamese encoding (TCVN3, VNI, Windows-1258: detected, as the
    importer does), separated by commas, semicolons or tabs (sniffed). Values are read by :mod:`geo.model.values`:
    periods as people write them (``Quý III/2025``, ``2025-Q3``, ``2025``), numbers as the notice writes
    them (``45.120,5``; ``19.268`` is nineteen thousand), yes/no as "có", "x", "đúng". A bad value in any
    column refuses its row; two rows for one indicator and period are reported, not silently last-wins.
    Nothing is stored unless every row is right.
    """
    import csv
    from pathlib import Path

    from geo.importer import vnenc

    file = Path(path)
    if not file.is_file():
        raise SeriesFileError([(0, f"không có tệp '{str(path)[:80]}'", f"no such file '{str(path)[:80]}'")])
    data = file.read_bytes()
    if len(data) > MAX_SERIES_BYTES:
        raise SeriesFileError([(0, "tệp quá lớn (tối đa 5 MB)", "file too large (at most 5 MB)")])
    data = data.removeprefix(b"\xef\xbb\xbf")
    text = vnenc.decode(data, vnenc.detect(data.splitlines()))
    problems: list[tuple[int, str, str]] = []
    out: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    reader = csv.DictReader(text.splitlines(), delimiter=_sniff(text))
    try:
        fields = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
        reader.fieldnames = fields
        missing = {"ind_id", "period", "value", "source"} - set(fields)
        if missing:
            cols = ", ".join(sorted(missing))
            raise SeriesFileError([(1, f"thiếu cột {cols}", f"missing column(s) {cols}")])
        for n, r in enumerate(reader, start=2):
            row = _series_row(r, known)
            problems += [(n, vi, en) for vi, en in row.problems]
            if row.problems:
                continue
            key = (str(row.value["ind_id"]), str(row.value["period"]))
            if key in seen:
                label = period_label(key[1], "vi")
                problems.append(
                    (n, f"kỳ {label} của '{key[0]}' đã có ở dòng {seen[key]}",
                     f"period {period_label(key[1], 'en')} of '{key[0]}' already on row {seen[key]}")
                )  # fmt: skip
                continue
            seen[key] = n
            out.append(row.value)
    except csv.Error as err:
        raise SeriesFileError([(reader.line_num, "tệp CSV hỏng", f"malformed CSV ({err})")]) from None
    if problems:
        raise SeriesFileError(problems)
    return out


@dataclass
class _Row:
    value: dict[str, object]
    problems: list[tuple[str, str]]


def _series_row(r: dict[str | None, object], known: set[str]) -> _Row:
    """One row of a file of figures read by :mod:`geo.model.values`, or what is wrong with it (every column)."""
    problems: list[tuple[str, str]] = []

    def cell(name: str) -> str:
        v = r.get(name)
        return v.strip() if isinstance(v, str) else ""

    def read(name: str, reader: Any, vi: str, en: str) -> Any:
        try:
            return reader(cell(name))
        except BadValue:
            shown = cell(name)[:20]
            problems.append((f"{vi} '{shown}'", f"{en} '{shown}'"))
            return None

    if r.get(None):  # more cells than the header has columns
        problems.append(("dòng có nhiều ô hơn tiêu đề", "more cells than the header has columns"))
    ind = cell("ind_id")
    if ind not in known:
        problems.append((f"không có chỉ tiêu '{ind[:40]}'", f"no indicator '{ind[:40]}'"))
    code = read("period", parse_period, "kỳ không đọc được", "period not understood")
    if (code is None and not problems[-1:]) or (code is None and cell("period") == ""):
        problems.append(("thiếu kỳ", "the period is missing"))
    value = read("value", lambda v: parse_number(v, "vi"), "giá trị không phải số", "value is not a number")
    if not cell("value"):
        problems.append(("thiếu giá trị", "the value is missing"))
    target = read("target", lambda v: parse_number(v, "vi"), "chỉ tiêu không phải số", "target is not a number")
    demo = read("demo", parse_bool, "cột demo không phải có/không", "demo is not yes/no")
    source = cell("source")
    if not source:
        problems.append(("thiếu nguồn số liệu", "the source is missing"))
    if problems or code is None or value is None:
        return _Row({}, problems)
    return _Row(
        {
            "ind_id": ind,
            "period": code,
            "period_end": period_end(code).isoformat(),
            "value": value,
            "target": target,
            "source": source,
            "demo": bool(demo),
        },
        problems,
    )
