"""What :func:`geo.importer.validate` found: the report, its problems, and a refusal's message."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np

from geo.importer import vnenc
from geo.model.i18n import Lang, UserError, fmt_number, t

Severity = Literal["error", "warning"]
#: A problem's arguments that are numbers, written in the reader's language when it is shown.
NUMBERS = frozenset({"declared", "measured", "pct"})


class Refused(UserError):
    """A file that cannot be read or must not be: exit code 2. The message is for a user."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: an error blocks the import, a warning is repaired and reported."""

    severity: Severity
    key: str
    row: int | None = None  # 1-based, as a spreadsheet shows it
    field: str | None = None
    kwargs: tuple[tuple[str, str], ...] = ()

    def message(self, lang: Lang = "vi") -> str:
        """The problem in ``lang``, with its row and field (its measured numbers as ``lang`` writes them)."""
        kwargs = {k: fmt_number(float(v), lang) if k in NUMBERS else v for k, v in self.kwargs}
        text = t(self.key, lang, **kwargs)
        where = []
        if self.row is not None:
            where.append(t("import.at_row", lang, row=self.row))
        if self.field:
            where.append(t("import.at_field", lang, field=self.field))
        return f"{', '.join(where)}: {text}" if where else text


def problem(severity: Severity, key: str, row: int | None = None, fld: str | None = None, **kw: object) -> Problem:
    """A :class:`Problem` of the file (row 1-based, as a spreadsheet shows it); ``kw`` are its message's arguments."""
    return Problem(severity, key, row, fld, tuple((k, str(v)) for k, v in kw.items()))


@dataclass
class Report:
    """What :func:`validate` found; :attr:`frame` is what :func:`commit` would store."""

    source: str
    fmt: str = ""
    features: int = 0
    geometry_types: list[str] = field(default_factory=list)
    crs: str | None = None
    crs_label: str = ""
    encoding: str | None = None
    bounds: tuple[float, float, float, float] | None = None  # WGS 84
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # file column → catalog field
    problems: list[Problem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    layer: str | None = None
    refused: Refused | None = None
    frame: gpd.GeoDataFrame | None = None  # cleaned, in WGS 84, catalog columns (or the file's for a new layer)
    notes: list[str] = field(default_factory=list)  # message keys of what was done for the user
    values: list[Any] = field(default_factory=list)  # ValueRow: each coded value of the file and its class
    value_mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # applied: field → file value → code
    # A new layer of a planner's: the column naming a feature (its stored name; None: numbered), the columns
    # that could (unique, never empty), and each column's label and unit (by stored name).
    key: str | None = None
    key_candidates: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    field_units: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """The problems that block the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def exit_code(self) -> int:
        """0 valid, 1 problems block the import, 2 unreadable or refused."""
        return 2 if self.refused else 1 if self.errors else 0

    def to_dict(self, lang: Lang = "vi") -> dict[str, Any]:
        """Everything a script needs, as JSON-ready data."""
        return {
            "source": self.source,
            "format": self.fmt,
            "layer": self.layer,
            "exit_code": self.exit_code,
            "refused": self.refused.message(lang) if self.refused else None,
            "features": self.features,
            "geometry_types": self.geometry_types,
            "crs": self.crs,
            "crs_label": self.crs_label,
            "encoding": self.encoding,
            "bounds": list(self.bounds) if self.bounds else None,
            "columns": self.columns,
            "mapping": self.mapping,
            "problems": [
                {"severity": p.severity, "row": p.row, "field": p.field, "message": p.message(lang)}
                for p in self.problems
            ],
            "notes": [t(n, lang) for n in self.notes],
            "values": [
                {
                    "field": r.field,
                    "column": r.column,
                    "value": r.value,
                    "rows": r.rows,
                    "code": r.code,
                    "chosen": r.chosen,
                    "score": round(r.score, 2),
                }
                for r in self.values
            ],
            "preview": self.preview,
            "key": self.key,
            "key_candidates": self.key_candidates,
        }

    def text(self, lang: Lang = "vi") -> str:
        """The report as lines of text (the command line prints this)."""
        lines = [t("import.report_title", lang, source=self.source)]
        if self.refused:
            lines.append(t("import.refused", lang, reason=self.refused.message(lang)))
            return "\n".join(lines)
        lines += [
            t("import.r_format", lang, value=self.fmt),
            t("import.r_features", lang, value=self.features),
            t("import.r_geometry", lang, value=", ".join(self.geometry_types) or "–"),
            t("import.r_crs", lang, value=self.crs_label or "–"),
            t("import.r_encoding", lang, value=vnenc.LABELS.get(self.encoding or "", self.encoding or "–")),
            t(
                "import.r_bounds",
                lang,
                value=", ".join(f"{v:.5f}" for v in self.bounds) if self.bounds else "–",
            ),
        ]
        if self.mapping:
            lines.append(t("import.r_mapping", lang, value=", ".join(f"{k} → {v}" for k, v in self.mapping.items())))
        for r in self.values:  # each coded value of the file: its rows and the class it lands in
            mark = r.code if r.chosen or r.score >= 1.0 else (f"{r.code}?" if r.code else "–")
            lines.append(t("import.r_value", lang, field=r.field, value=r.value, n=r.rows, code=mark))
        lines += [f"  • {t(n, lang)}" for n in self.notes]
        for p in self.problems:
            mark = t("import.error", lang) if p.severity == "error" else t("import.warning", lang)
            lines.append(f"  {mark}: {p.message(lang)}")
        if self.preview:
            lines.append(t("import.r_preview", lang))
            for row in self.preview[:5]:
                lines.append("    " + " | ".join(f"{k}={v}" for k, v in row.items()))
        lines.append(t("import.ok" if self.exit_code == 0 else "import.blocked", lang))
        return "\n".join(lines)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def report_json(report: Report, lang: Lang = "vi") -> str:
    """The report as JSON (``--json``)."""
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2)
