"""Indicators of the notice: typed records and the figures panels show.

Values and percentages are those the notice states, never recomputed: a
leader compares the screen with the paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from geo.i18n import Lang, fmt_number, fmt_pct


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
