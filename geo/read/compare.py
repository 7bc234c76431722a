"""Two dates side by side: what changed between them, feature by feature and in the figures leaders track.

:func:`changed` names the features the change log touched between two moments; :func:`deltas` says
in words and numbers how the tracked figures moved (km of QL4B cleared, households paid, disputes
opened and resolved, new-rural criteria gained per commune). Both read only frames and the log: the
same for the app, the meeting pack and the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo.model.i18n import Lang, fmt_number, t
from geo.read import history
from geo.read.panels import clearance_totals, criteria_met
from geo.store import db
from geo.store.changelog import changes_between


def changed(path: db.Location, layers: list[str], a: dt.datetime, b: dt.datetime) -> tuple[tuple[str, str], ...]:
    """(layer, feature key) of every feature of ``layers`` changed between moments ``a`` and ``b`` (either order)."""
    lo, hi = sorted((a, b))
    rows = changes_between(path, history.stamp(lo), history.stamp(hi), layers)
    return tuple(dict.fromkeys((r.layer, r.feature) for r in rows))


@dataclass(frozen=True)
class Delta:
    """One figure at A and at B, and how it moved, in words."""

    key: str  # what it measures (a message key of geo.model.i18n)
    a: float
    b: float
    unit: str = ""
    detail: str = ""  # e.g. the communes that gained criteria

    @property
    def change(self) -> float:
        """B minus A."""
        return self.b - self.a

    def text(self, lang: Lang) -> str:
        """``Km cleared: 31.2 → 62.0 (+30.8 km)`` in ``lang``'s number style."""
        sign = "+" if self.change > 0 else ("−" if self.change < 0 else "±")
        digits = 0 if float(self.a).is_integer() and float(self.b).is_integer() else 1
        unit = f" {self.unit}" if self.unit else ""
        out = (
            f"{t(self.key, lang)}: {fmt_number(self.a, lang, digits)} → {fmt_number(self.b, lang, digits)} "
            f"({sign}{fmt_number(abs(self.change), lang, digits)}{unit})"
        )
        return f"{out}. {self.detail}" if self.detail else out


def deltas(
    a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], unit_names: dict[str, str] | None = None
) -> list[Delta]:
    """How the tracked figures moved from frames ``a`` (date A) to frames ``b`` (date B), where both hold the layer."""
    out: list[Delta] = []
    if "ql4b_segments" in a and "ql4b_segments" in b:
        ta, tb = clearance_totals(a["ql4b_segments"]).iloc[0], clearance_totals(b["ql4b_segments"]).iloc[0]
        out.append(Delta("compare.km_cleared", round(ta.km_cleared, 1), round(tb.km_cleared, 1), "km"))
        if pd.notna(ta.households_compensated) and pd.notna(tb.households_compensated):
            out.append(Delta("compare.households_paid", ta.households_compensated, tb.households_compensated, "hộ"))
        done_a = int((a["ql4b_segments"].clearance_status == "done").sum())
        done_b = int((b["ql4b_segments"].clearance_status == "done").sum())
        out.append(Delta("compare.segments_handed_over", done_a, done_b))
    if "land_disputes" in a and "land_disputes" in b:
        da, db = a["land_disputes"], b["land_disputes"]
        opened = sorted(set(db.dispute_id) - set(da.dispute_id))
        ra = set(da.dispute_id[da.status == "resolved"])
        resolved = sorted(set(db.dispute_id[db.status == "resolved"]) - ra)
        parts = ([f"+{', '.join(opened)}"] if opened else []) + ([f"✓ {', '.join(resolved)}"] if resolved else [])
        open_a, open_b = (da.status != "resolved").sum(), (db.status != "resolved").sum()
        out.append(Delta("compare.disputes_open", open_a, open_b, detail="; ".join(parts)))
    if "ntm_commune" in a and "ntm_commune" in b:
        ma, mb = criteria_met(a["ntm_commune"]), criteria_met(b["ntm_commune"])
        gained = (mb - ma.reindex(mb.index).fillna(0)).astype(int)
        names = unit_names or {}
        label = {c: names.get(f"2024:{c}", names.get(str(c), str(c))) for c in gained.index}  # criteria: 2024 units
        detail = ", ".join(f"{label[c]} {n:+d}".replace("-", "−") for c, n in gained.items() if n)
        out.append(Delta("compare.criteria_met", int(ma.sum()), int(mb.sum()), detail=detail))
        full_a, full_b = int((ma == 19).sum()), int((mb == 19).sum())
        out.append(Delta("compare.communes_at_standard", full_a, full_b))
    return out
