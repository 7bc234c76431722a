"""Overlays: the layers planners import from their own files, made into catalog records."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from geo.model.catalog.layers import CATALOG
from geo.model.catalog.schema import Field, GeomType, LayerId, LayerSpec, Paint

# -- overlays: layers planners import from their own files -------------------------------------
OVERLAY_COLORS = ("#e41a1c", "#377eb8", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#4daf4a")
OVERLAY_TABLE = "overlays"
IMPORT_MAPPING_TABLE = "import_mapping"
IMPORT_VALUES_TABLE = "import_values"  # a file's wording of coded values → class, remembered per layer
OVERLAY_KEY = "feature_no"
_OVERLAY_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")


def valid_overlay_id(layer_id: str) -> bool:
    """Whether ``layer_id`` may name a new overlay: ASCII, short, and not a catalog layer."""
    return bool(_OVERLAY_ID.fullmatch(layer_id)) and layer_id not in CATALOG.builtin


#: How a planner's layer may be drawn: its outline only (the default: the thematic colours under and over it
#: stay exactly the legend's), or a light fill (still drawn under the thematic layers, so it tints none).
OVERLAY_STYLES = ("outline", "fill")
#: Where planners' layers of areas are drawn: above the administrative base (units 10, communes 11), under
#: every thematic layer (cadastral parcels 14 and up), so their colours never change a thematic colour.
OVERLAY_Z = 12
#: A planner's points and lines cover no colour: they are drawn over the thematic areas, where a click reaches
#: them (under, the polygons would take every click).
OVERLAY_Z_MARKS = 85


def overlay_spec(
    layer_id: str,
    title_vi: str,
    title_en: str,
    geometry: str,
    fields: list[tuple[str, ...]] | list[tuple[str, str, str]],
    color: str,
    key: str = "",
    published: bool = True,
    style: str = "outline",
    owner: str = "",
) -> LayerSpec:
    """The catalog record of a planner's layer: its file's columns (name, label, kind and unit) as fields.

    ``key`` is the column the planner chose to name a feature (``ma``); without one each feature gets a
    number (:data:`OVERLAY_KEY`) when it is stored, never asked of a file. An unpublished layer is off by
    default for everyone but its ``owner``; its areas are drawn under the thematic layers, outlined (``style``),
    its points and lines over them.
    """
    geom: GeomType = geometry if geometry in ("Polygon", "LineString", "Point") else "Polygon"  # type: ignore[assignment]
    columns = []
    for item in fields:
        n, label, kind, unit = (*item, "")[:4]
        columns.append(
            Field(
                n,
                label or n,
                label or n,
                kind if kind in ("str", "int", "float") else "str",  # type: ignore[arg-type]
                required=n == key,
                unit=unit,
            )
        )
    names = tuple(f.name for f in columns)
    if key and key in names:
        flds = tuple(columns)
    else:  # numbered by the store: a file never carries it, and nothing asks one to
        key = OVERLAY_KEY
        flds = (Field(OVERLAY_KEY, "Số thứ tự", "No.", required=False, derived=True), *columns)
    outline = style != "fill" and geom != "Point"
    return LayerSpec(
        id=layer_id,
        vi=title_vi,
        en=title_en or title_vi,
        theme="overlay",
        geometry=geom,
        fields=flds,
        key=key,
        paint=Paint(
            color=color,
            fill=None if outline else color,
            weight=2.5 if outline else 2.0,
            fill_opacity=0.0 if outline else 0.35,
            radius=6.0,
        ),
        tooltip=(names or (OVERLAY_KEY,))[:2],
        popup=(names or (OVERLAY_KEY,))[:12],
        filters=(),
        default_visible=published,
        z=OVERLAY_Z if geom == "Polygon" else OVERLAY_Z_MARKS,
        owner=owner,
    )


def visible_fields(spec: LayerSpec, names: tuple[str, ...], sensitive_ok: bool) -> tuple[str, ...]:
    """``names`` less the sensitive fields unless the user may see them."""
    return names if sensitive_ok else tuple(n for n in names if n not in spec.sensitive)


def overlay_specs(rows: Iterable[Mapping[str, Any]], present: Iterable[LayerId]) -> list[LayerSpec]:
    """The records of the overlays a store lists (rows of its ``overlays`` table) whose layer it holds.

    A store written before planners chose keys, labels and publication has none of those columns: its
    layers read as numbered, published and outlined.
    """
    held = set(present)
    return [
        overlay_spec(
            str(r["overlay_id"]),
            str(r["title_vi"]),
            str(r["title_en"] or ""),
            str(r["geometry"]),
            [tuple(str(x) for x in item) for item in json.loads(r["fields"])],
            str(r["color"]),
            key=str(r.get("key_field") or ""),
            published=_flag(r.get("published"), True),
            style=str(r.get("style") or "outline"),
            owner=str(r.get("created_by") or ""),
        )
        for r in rows
        if r["overlay_id"] in held and r["overlay_id"] not in CATALOG.builtin
    ]


def _flag(value: Any, default: bool) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return default
    return bool(int(value))
