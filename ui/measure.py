"""Measuring by typing, for everyone (viewers too): the keyboard's way to the map's measuring buttons.

Under the map, a box takes coordinates (lon/lat or VN-2000, one point a line, a surveyor's table as it is)
or a pasted WKT/GeoJSON shape, and says its length (m, km) and area (ha) as the engine measures them on the
national grid (VN-2000 / TM-3 107°15′, EPSG:9215, :func:`geo.store.geometry_edit.measure`). The figures sit in a
status region, so that a screen reader reads each new one. Nothing is written.
"""

from __future__ import annotations

import json

import streamlit as st
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geo.model.i18n import Lang, fmt_number, t
from geo.model.safe import html_text
from geo.store.changelog import EditError
from geo.store.geometry_edit import Measure, measure, parse_shape
from ui import notice, state

KINDS = ("LineString", "Polygon")
CRS_CHOICES = ("auto", "EPSG:9215", "EPSG:4326")


def describe(m: Measure, kind: str, lang: Lang) -> str:
    """The figures as a person reads them: a length in m under a kilometre, else km; an area in ha (and m²)."""
    parts = []
    if m.area_m2 > 0:
        parts.append(
            t("draw.area", lang)
            + ": "
            + fmt_number(m.area_ha, lang, 4)
            + " ha ("
            + fmt_number(m.area_m2, lang, 0)
            + " m²)"
        )
    if m.length_m > 0:
        length = (
            fmt_number(m.length_m, lang, 1) + " m" if m.length_m < 1000 else fmt_number(m.length_km, lang, 3) + " km"
        )
        parts.append(t("draw.perimeter" if kind == "Polygon" else "draw.length", lang) + ": " + length)
    return " · ".join(parts)


def _crs(page: str) -> str | None:
    chosen = st.session_state.get(f"measure_crs_{page}", "auto")
    return None if chosen == "auto" else str(chosen)


def _read(page: str, lang: Lang) -> tuple[BaseGeometry | None, str, EditError | None]:
    """What the box of ``page`` holds, as this run reads it: the shape (WGS 84), its figures in words, or why
    it is no shape.
    """
    text = str(st.session_state.get(f"measure_text_{page}") or "")
    if not text.strip():
        return None, "", None
    kind = str(st.session_state.get(f"measure_kind_{page}") or KINDS[0])
    try:
        geom = parse_shape(text, kind, _crs(page))
    except EditError as exc:
        return None, "", exc
    shown = "Polygon" if geom.geom_type in ("Polygon", "MultiPolygon") else "LineString"
    return geom, describe(measure(geom), shown, lang), None


def measured_shape(page: str) -> tuple[str, str] | None:
    """The shape typed under the map of ``page`` and its figures, for the map to draw and label (``None``: none,
    a point, or text that is no shape). Read before the map is drawn, from the box's value in this run.
    """
    geom, figures, _ = _read(page, state.lang())
    if geom is None or not figures:
        return None
    return json.dumps(mapping(geom)), figures


def measure_panel(page: str) -> None:
    """Under the map of ``page``: type or paste a shape, read its length and area (nothing is saved)."""
    lang = state.lang()
    with st.expander(t("measure.title", lang), icon=":material/straighten:", key=f"measure_panel_{page}"):
        st.caption(t("measure.how", lang))
        st.radio(
            t("measure.kind", lang),
            KINDS,
            key=f"measure_kind_{page}",
            horizontal=True,
            format_func=lambda k: t(f"measure.kind.{k.lower()}", lang),
        )
        st.text_area(t("measure.shape", lang), key=f"measure_text_{page}", height=110, help=t("draw.shape_help", lang))
        st.selectbox(
            t("draw.crs", lang),
            CRS_CHOICES,
            key=f"measure_crs_{page}",
            format_func=lambda c: t(f"draw.crs.{c.replace(':', '_').lower()}", lang),
        )
        said = ""
        geom, figures, problem = _read(page, lang)
        if problem is not None:
            notice.error(problem, lang)
        elif geom is not None:
            said = (figures + " — " + t("draw.measured_on", lang)) if figures else t("measure.point", lang)
            if figures:
                st.caption(t("measure.on_map", lang))
        # Always on the page, so that a screen reader hears each change of it.
        st.html(f'<p class="dl-measure-result" role="status" aria-live="polite">{html_text(said)}</p>')
