"""The folium map builder: an offline base map and overlay feature groups.

* :class:`OfflineMap` is a ``folium.Map`` whose Leaflet assets come from a
  local URL (served by the app from the ``xstatic-leaflet`` package) or are
  inlined; it never touches folium's class-level CDN lists.
* Overlays are small :class:`branca.element.MacroElement` classes that emit
  JavaScript whose only data is a :func:`geo.model.safe.js_literal`. Tooltips,
  labels and legends are built in the browser with ``textContent``: attribute
  text is never parsed as HTML or code.
* Every function returns folium objects so tests can assert on what is sent
  to the browser.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.model.catalog import CATALOG, Catalog, LayerSpec
from geo.model.i18n import Lang, t, term
from geo.model.safe import js_literal
from geo.read.records import record
from geo.store.reads import DemoShare, shown_share
from geo.webmap.style import LegendBlock, feature_color, feature_marks, legend, swatch_background

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)
SELECTED_COLOR = "#00b8d9"
CHANGED_COLOR = "#7a0177"  # the edge of a polygon or point that changed between two dates

BASEMAPS: dict[str, dict[str, str]] = {
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": "© OpenStreetMap contributors",
    },
    "satellite": {
        "url": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "attr": "Tiles © Esri",
    },
}


# -- assets -------------------------------------------------------------------
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The map's own scripts and styles, in load order after Leaflet: files of this package, never strings.
STATIC_JS = ("compact.js", "dlmap.js", "tiles.js")
STATIC_CSS = ("dlmap.css",)
WORKER_JS = "compact-worker.js"
#: Drawing and measuring (Leaflet-Geoman, vendored from the pinned npm package, and the map's own tools): the
#: app's maps load them; a standalone HTML file does not carry them.
DRAW_JS = ("vendor/leaflet-geoman.min.js", "draw.js")
DRAW_CSS = ("vendor/leaflet-geoman.css", "draw.css")


def leaflet_dir() -> str:
    """The folder of the ``xstatic-leaflet`` package that holds ``leaflet.js``."""
    import xstatic.pkg.leaflet as xl

    return str(xl.BASE_DIR)


def map_scripts() -> list[Path]:
    """Every script an app map runs, in load order: Leaflet, the map's own files, the drawing tools."""
    return [Path(leaflet_dir()) / "leaflet.js", *(STATIC_DIR / name for name in (*STATIC_JS, *DRAW_JS))]


def scripts_bundle(paths: list[Path] | None = None) -> str:
    """The files of :func:`map_scripts` as one script, for the app to serve.

    streamlit-folium loads a map's scripts one after the other, each awaited before the next is asked for:
    six round trips before the map exists. As one file they are one request and one parse. The file is strict
    from its first line, as each of them already is where its code runs (Leaflet's factory and this package's
    files open with ``'use strict'``; Leaflet-Geoman's file does at its top, which would not count in the
    middle of another file). None of them declares a name at its top level: each reaches the page through
    the globals it sets (``L``, ``DL``, ``DLTiles``…). A file's source-map comment is dropped (it would name
    the wrong file).
    """
    parts = ["'use strict';\n"]
    for path in paths if paths is not None else map_scripts():
        text = "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("//# sourceMappingURL=")
        )
        parts.append(f"/* {path.name} */\n{text}\n;\n")
    return "".join(parts)


class _Text(Element):
    """Script or markup already rendered, kept as text: branca would compile it as a template again."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, as it is."""
        return self.text


class Rendered(MacroElement):
    """A map element rendered as branca renders one, except that its rendered script is kept as text.

    branca's ``MacroElement.render`` wraps each rendered part in a new ``Element`` whose template is that
    text, so Jinja lexes and compiles every layer's script again (its data among it) on every rerun, only
    to print it back; here the text is printed as it is. Everything else is branca's.
    """

    def render(self, **kwargs: Any) -> str:
        """Put the rendered header, markup and script into the page (the figure), then render the children."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for part, home in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                home.add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
        return ""  # all of it is in the figure


class OfflineMap(folium.Map):
    """A ``folium.Map`` whose assets are served by the app: Leaflet and the map's own files, never a CDN.

    Parameters
    ----------
    asset_base
        URL prefix under which ``leaflet.js`` and ``leaflet.css`` are served, ending in ``/``
        (the Streamlit app serves the xstatic package there).
    static_base
        URL prefix under which this package's ``static/`` files are served, ending in ``/``.
    scripts_url
        Where the app serves :func:`scripts_bundle`: the map then loads that one script instead of each file.
    **kwargs
        Passed to ``folium.Map``; ``tiles`` defaults to ``None`` (no basemap).

    """

    def __init__(
        self,
        asset_base: str,
        static_base: str,
        lang: Lang | None = None,
        large: bool = False,
        scripts_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("tiles", None)
        super().__init__(**kwargs)
        # Instance attributes shadow folium's class lists (declared the way folium's plugins declare
        # theirs); the class, shared by every session, is never modified.
        self.default_js = (
            [("dlmap_scripts", scripts_url)]
            if scripts_url
            else [("leaflet", asset_base + "leaflet.js")]
            + [(name, static_base + name) for name in (*STATIC_JS, *DRAW_JS)]
        )
        self.default_css = [("leaflet_css", asset_base + "leaflet.css")] + [
            (name, static_base + name) for name in (*STATIC_CSS, *DRAW_CSS)
        ]
        self.add_child(_Setup(lang, large))


class _Setup(Rendered):
    """Panes for large layers, a scale bar in metres and kilometres only (folium's has miles too), and the
    map's accessible name and zoom buttons' names in ``lang``.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}DL.setup({{ this._parent.get_name() }}, {{ this.words }});{% endmacro %}"
    )

    def __init__(self, lang: Lang | None, large: bool = False) -> None:
        super().__init__()
        self._name = "Setup"
        words = None
        if lang is not None:
            words = {
                "map": t("map.aria", lang),
                "roleMap": t("map.role", lang),
                "zoomIn": t("map.zoom_in", lang),
                "zoomOut": t("map.zoom_out", lang),
                "twoFingers": t("map.two_fingers", lang),
                "large": large,
            }
        self.words = js_literal(words)


class _Sync(Rendered):
    """Maps of one ``group`` on a page pan and zoom together (two dates side by side)."""

    _template = Template(
        "{% macro script(this, kwargs) %}DL.sync({{ this._parent.get_name() }}, {{ this.group }});{% endmacro %}"
    )

    def __init__(self, group: str) -> None:
        super().__init__()
        self._name = "Sync"
        self.group = js_literal(group)


class _Fit(Rendered):
    """The map opens fitted to its home bounds at once, not animated.

    Folium's ``fit_bounds`` animates the quarter-zoom step, so the map would report a first view at the start
    zoom, then another once the animation ends: two reruns of the page where one does.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this._parent.get_name() }}.fitBounds({{ this.bounds }}, "
        "{animate: false});{% endmacro %}"
    )

    def __init__(self, bounds: Bounds) -> None:
        super().__init__()
        self._name = "Fit"
        w, s, e, n = bounds
        self.bounds = js_literal([[s, w], [n, e]])


def inline_assets() -> str:
    """Leaflet and the map's own files inlined, for a standalone HTML file (no worker: it decodes in the page)."""
    leaflet = Path(leaflet_dir())
    css = [(leaflet / "leaflet.css").read_text(encoding="utf-8")]
    css += [(STATIC_DIR / name).read_text(encoding="utf-8") for name in STATIC_CSS]
    js = [(leaflet / "leaflet.js").read_text(encoding="utf-8")]
    js += [(STATIC_DIR / name).read_text(encoding="utf-8") for name in STATIC_JS]
    return "".join(f"<style>{c}</style>" for c in css) + "".join(f"<script>{j}</script>" for j in js)


def _call(expression: str) -> Template:
    """A template that adds ``expression`` (a call into ``DL``) to the element's parent group."""
    return Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = "
        + expression
        + ";\n{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});\n{% endmacro %}"
    )


# -- overlay elements ------------------------------------------------------------
class Encoded(str):
    """A script expression made by :func:`geo.model.safe.js_literal` here (any other text is data)."""


class SafeGeoJson(Rendered):
    """A GeoJSON layer whose data and tooltips cannot inject markup or script.

    ``data`` is a FeatureCollection whose properties carry ``_c`` (colour),
    ``_k`` (feature key), ``_l`` (layer id) and ``_tip`` (label/text rows), or one already
    encoded by :func:`geojson_literal`.
    """

    _template = _call("DL.geojson({{ this.data }}, {{ this.options }})")

    def __init__(
        self,
        data: dict[str, Any] | Encoded,
        kind: str,
        paint: dict[str, Any],
        selected: list[str],
        pane: str | None = None,
        interactive: bool = True,
        changed: list[str] | None = None,
    ) -> None:
        super().__init__()
        self._name = "SafeGeoJson"
        self.data = data if isinstance(data, Encoded) else js_literal(data)
        self.options = js_literal(
            {
                "kind": kind,
                "paint": paint,
                "selected": selected,
                "changed": changed or [],  # changed between two dates: their own colour, thicker, dashed edge
                "changedColor": CHANGED_COLOR,
                "selColor": SELECTED_COLOR,
                "pane": pane,
                "interactive": interactive,
            }
        )


class Labels(Rendered):
    """Permanent text labels at points: ``rows`` of ``[lat, lon, text]``."""

    _template = _call("DL.labels({{ this.rows }}, {{ this.cls }})")

    def __init__(self, rows: list[list[Any]], layer_id: str) -> None:
        super().__init__()
        self._name = "Labels"
        self.rows = js_literal(rows)
        self.cls = js_literal("dl-label-" + re.sub(r"[^a-z0-9_-]", "", layer_id.lower()))


class ControlLayer(Rendered):
    """A Leaflet control (legend, badge) wrapped as a layer, so that it comes
    and goes with the feature group that carries it.
    """

    _template = _call("DL.control({{ this.spec }})")

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ControlLayer"
        self.spec = js_literal(spec)


class PickMode(Rendered):
    """While a planner picks a point's position: the map reports clicks on it (streamlit-folium's
    ``last_clicked``, which it otherwise leaves out, so that nobody else's clicks rerun the page) and
    shows a crosshair. It comes and goes with the feature group that carries it.

    streamlit-folium reads ``returned_objects`` once, when the map mounts; this edits its frontend's
    copy (``window.__GLOBAL_DATA__``). That is its internal state: the version is pinned, and the
    browser test of picking fails if an upgrade changes it.
    """

    _template = _call("DL.pick()")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PickMode"


@dataclass(frozen=True)
class DrawSpec:
    """The map's drawing tools: measuring for everyone; for a planner, drawing into a layer of ``kind``.

    ``kind``: ``Point``, ``LineString`` or ``Polygon`` (``None``: measuring only). ``action``: ``add``,
    ``reshape``, ``split`` (a line is drawn), ``merge`` or ``delete`` (nothing is drawn). ``work``: the shape
    being edited, as GeoJSON geometry text (the selected feature's, or what the planner typed). ``measured``:
    a shape someone typed or pasted to measure (GeoJSON geometry text, WGS 84) and its figures as they read
    them, drawn like the map's own measurements and labelled (anyone: nothing is written).
    """

    kind: str | None = None
    action: str = "add"
    work: str | None = None
    measured: tuple[str, str] | None = None


#: Geoman's own strings, from the catalog: (Geoman's group, its key, our message key).
GEOMAN_WORDS = (
    ("tooltips", "placeMarker", "draw.pm.place_marker"),
    ("tooltips", "placeMarkerTouch", "draw.pm.place_marker"),
    ("tooltips", "firstVertex", "draw.pm.first_vertex"),
    ("tooltips", "continueLine", "draw.pm.continue_line"),
    ("tooltips", "finishLine", "draw.pm.finish_line"),
    ("tooltips", "finishPoly", "draw.pm.finish_poly"),
    ("actions", "finish", "draw.pm.finish"),
    ("actions", "cancel", "draw.pm.cancel"),
    ("actions", "removeLastVertex", "draw.pm.remove_last_vertex"),
    ("buttonTitles", "drawMarkerButton", "draw.pm.draw_marker"),
    ("buttonTitles", "drawPolyButton", "draw.pm.draw_polygon"),
    ("buttonTitles", "drawLineButton", "draw.pm.draw_line"),
    ("buttonTitles", "editButton", "draw.pm.edit"),
    ("buttonTitles", "dragButton", "draw.pm.drag"),
    ("buttonTitles", "cutButton", "draw.pm.cut"),
)


class DrawTools(Rendered):
    """Measuring for everyone and a planner's drawing tools (``geo/webmap/static/draw.js``, on Leaflet-Geoman)."""

    _template = _call("DL.draw({{ this.options }})")

    def __init__(self, spec: DrawSpec, lang: Lang) -> None:
        super().__init__()
        self._name = "DrawTools"
        pm: dict[str, dict[str, str]] = {}
        for group, key, message in GEOMAN_WORDS:
            pm.setdefault(group, {})[key] = t(message, lang)
        work = json.loads(spec.work) if spec.work else None
        words = {
            name: t(f"draw.{name}", lang)
            for name in ("measureLine", "measureArea", "undo", "length", "area", "perimeter")
        }
        draw = None if spec.kind is None else {"kind": spec.kind, "action": spec.action, "work": work}
        measured = None
        if spec.measured:
            measured = {"geometry": json.loads(spec.measured[0]), "text": spec.measured[1]}
        self.options = js_literal({"lang": lang, "pm": pm, "words": words, "draw": draw, "measured": measured})


# -- large layers: compact files drawn on a canvas ----------------------------------
BIG_LAYER = 800  # features: above this a layer travels as compact files drawn on a canvas


class CompactLayer(Rendered):
    """A large layer drawn on a canvas from two compact files (see :mod:`geo.webmap.compact`).

    ``geom`` and ``style`` are ``{"url": …}`` (fetched, and kept by the page across
    reruns) or ``{"b64": …}`` (inline, for a standalone HTML file); both gzip-compressed. ``palette`` and
    ``labels`` are indexed by the style byte; text reaches the page only through
    ``textContent``.
    """

    _template = _call("DL.compact({{ this.options }})")

    def __init__(
        self,
        layer_id: str,
        geom: dict[str, Any],
        style: dict[str, Any],
        palette: list[str],
        labels: list[str],
        paint: dict[str, Any],
        selected: list[str],
        worker: str | None = None,
        hatch: list[bool] | None = None,
    ) -> None:
        super().__init__()
        self._name = "CompactLayer"
        self.options = js_literal(
            {
                "id": layer_id,
                "geom": geom,
                "style": style,
                "palette": palette,
                "labels": labels,
                "paint": {"radius": 5, **paint},  # a line layer's paint has no radius
                "selected": selected,
                "selColor": SELECTED_COLOR,
                "worker": worker,  # the decoder's worker file (None: decode on the page's thread)
                "hatch": hatch or [False] * len(palette),  # classes whose fill is hatched
            }
        )


class VectorTileLayer(Rendered):
    """A layer above :func:`geo.webmap.tiles.tile_threshold` features, drawn from vector tiles fetched by URL
    (``geo/webmap/static/tiles.js``): the browser holds only the tiles in view, never the whole layer.

    ``url`` is the tile template (``{z}/{x}/{y}``) the app signed for this reader, filters and day;
    ``palette``/``labels`` are indexed by the colour class each feature carries (``c``); ``fields`` the
    tooltip's (name, label) pairs the tiles carry. Text reaches the page only through ``textContent``.
    """

    _template = _call("DL.tiles({{ this.options }})")

    def __init__(
        self,
        layer_id: str,
        url: str,
        kind: str,
        palette: list[str],
        labels: list[str],
        paint: dict[str, Any],
        selected: list[str],
        fields: list[tuple[str, str]],
        key_field: str,
        card: dict[str, Any] | None = None,
        hatch: list[bool] | None = None,
        dash: list[str | None] | None = None,
    ) -> None:
        super().__init__()
        self._name = "VectorTileLayer"
        self.options = js_literal(
            {
                "id": layer_id,
                "url": url,
                "kind": kind,
                "palette": palette,
                "labels": labels,
                "paint": {"radius": 5, **paint},
                "selected": selected,
                "selColor": SELECTED_COLOR,
                "fields": [list(f) for f in fields],
                "keyField": key_field,
                "card": card,  # the record card a click shows at once (see card_spec)
                "hatch": hatch or [False] * len(palette),  # classes whose fill is hatched
                "dash": dash or [None] * len(palette),  # classes whose line (or edge) is dashed
            }
        )


def _field_label(spec: LayerSpec, name: str, lang: Lang) -> str | None:
    try:
        return spec.field(name).label(lang)
    except KeyError:
        return None


def card_spec(
    spec: LayerSpec,
    lang: Lang,
    sensitive: bool,
    status_field: str | None = None,
    unit_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the page needs to show a clicked feature's record card from its tile's properties, at once.

    * ``rows``: the layer's popup fields a tile carries for this reader (never a sensitive one for a reader
      without the right, as :func:`geo.webmap.tiles.tile_fields`), each with its label in ``lang`` and how its
      value reads: ``values`` (a coded field's or a unit code's text, by :func:`geo.read.records.format_value`
      itself), ``number`` (decimals and unit, the page formats with the language's separators), ``plain``,
      ``date``, ``bool``;
    * ``title`` (the layer's), ``classLabel`` (the label of the colour class, when the colouring field is not a
      row), ``locale`` and the words of the card (``close``, ``more``: where the full record follows).
    """
    from geo.read.records import UNIT_FIELDS, format_value
    from geo.webmap.tiles import CARD_ZOOM, tile_fields

    carried = set(tile_fields(spec, sensitive))
    names = [f for f in (spec.popup or spec.tooltip) if f in carried]
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            f = spec.field(name)
        except KeyError:
            continue
        row: dict[str, Any] = {"name": name, "label": f.label(lang)}
        codes = spec.codes(name)
        if name in UNIT_FIELDS and unit_names:
            prefix = {"commune_2025": "2025:", "unit_code_2024": "2024:"}.get(name, "")
            ours = [k for k in unit_names if (k.startswith(prefix) if prefix else ":" not in k)]
            plain = [k.removeprefix(prefix) for k in ours]
            row["values"] = {c: format_value(spec, name, c, lang, unit_names) for c in plain}
        elif codes:
            row["values"] = {s.value: format_value(spec, name, s.value, lang) for s in codes}
        elif f.kind == "bool":
            row["bool"] = [format_value(spec, name, False, lang), format_value(spec, name, True, lang)]
        elif f.plain:
            row["plain"] = True
        elif f.kind in ("int", "float"):
            row["number"] = {"digits": 0 if f.kind == "int" else 2, "unit": f.unit_text(lang)}
        elif f.kind == "date":
            row["date"] = "dd/mm/yyyy" if lang == "vi" else "yyyy-mm-dd"
        rows.append(row)
    sf = status_field or spec.status_field
    return {
        "title": spec.title(lang),
        "rows": rows,
        "classLabel": _field_label(spec, sf, lang) if sf and sf not in names else None,
        "locale": "vi-VN" if lang == "vi" else "en",
        "missing": format_value(spec, names[0] if names else spec.key, None, lang),
        "close": t("map.card_close", lang),
        "more": t("map.card_more", lang, section=t("map.selected", lang)),
        "fullZoom": CARD_ZOOM,  # below it a tile carries only the tooltip's fields: the card shows those
        "brief": [f for f in spec.tooltip if f in carried],
    }


def tile_group(
    spec: LayerSpec,
    url: str,
    lang: Lang,
    selected: list[str],
    status_field: str | None = None,
    opacity: float = 1.0,
    sensitive: bool = False,
    unit_names: dict[str, str] | None = None,
) -> folium.FeatureGroup:
    """A feature group holding a big layer as a :class:`VectorTileLayer` (its tiles at ``url``), styled from
    the catalog (colours, hatches, dashes) and with the record card a click shows (:func:`card_spec`).
    """
    from geo.webmap.tiles import palette_codes, tile_fields

    sf, codes = palette_codes(spec, status_field)
    statuses = spec.codes(sf) if sf else ()
    palette = [feature_color(spec, c, sf) for c in codes] + [feature_color(spec, None)]
    labels = [s.label(lang) for s in statuses] + [""]
    marks = [feature_marks(spec, c, sf) for c in codes] + [(None, False)]
    fields = [(f, spec.field(f).label(lang)) for f in tile_fields(spec, sensitive) if f in spec.tooltip]
    themed = status_field is not None and status_field != spec.status_field
    fg = folium.FeatureGroup(control=False)
    VectorTileLayer(
        spec.id,
        url,
        spec.geometry or "Polygon",
        palette,
        labels,
        _paint(spec, opacity, themed),
        selected,
        fields,
        spec.key,
        card_spec(spec, lang, sensitive, status_field, unit_names),
        [h for _, h in marks],
        [d for d, _ in marks],
    ).add_to(fg)
    return fg


class Publisher(Protocol):
    """A byte sink: where a large layer's files go. The app serves them by URL; an HTML file inlines them.

    It never reads layers: whoever builds the map hands :func:`overlays` the frames to draw.
    """

    #: Names the sink in the geometry cache (``None``: nothing it returns may be reused).
    key: str | None

    def put(self, blob: bytes) -> dict[str, Any]:
        """Store ``blob`` (content-addressed); the source the page loads it from."""
        ...


class InlinePublisher:
    """Files carried inside the page (a standalone HTML export), gzip-compressed, as base64.

    With ``blocks`` (a standalone file), each file is kept here and travels once, as the text of its own
    data block (:meth:`data_blocks`, ``<script type="application/octet-stream">``: base64 has no ``<``),
    referred to by id: decoded once, not as a string inside the page's base64 JSON.
    """

    key: str | None = None

    def __init__(self, blocks: bool = False) -> None:
        self.blocks: dict[str, str] | None = {} if blocks else None

    def put(self, blob: bytes) -> dict[str, Any]:
        """Inline, gzip-compressed, as base64 (in a data block of its own, if this publisher keeps them)."""
        import base64

        from geo.webmap.compact import digest, gz

        packed = gz(blob)
        text = base64.b64encode(packed).decode("ascii")
        if self.blocks is None:
            return {"b64": text}
        ref = f"dl-data-{digest(packed)[:16]}"
        self.blocks[ref] = text
        return {"ref": ref}

    def data_blocks(self) -> str:
        """The files kept, as HTML data blocks (base64 text: nothing in it is markup)."""
        return "".join(
            f'<script type="application/octet-stream" id="{ref}">{text}</script>'
            for ref, text in (self.blocks or {}).items()
        )


# The geometry file of a whole large layer, per (sink, data version, layer): encoded once per store
# version, not on every rerun. A cache of derived bytes keyed by what they derive from, never state.
_GEOMETRY: OrderedDict[tuple[str, str, str], tuple[dict[str, Any], pd.Index]] = OrderedDict()
_GEOMETRY_LOCK = threading.Lock()
_GEOMETRY_MAX = 16


def published_geometry(
    spec: LayerSpec, whole: gpd.GeoDataFrame, publisher: Publisher, version: str | None
) -> tuple[dict[str, Any], pd.Index]:
    """The source of ``whole``'s geometry file, and its row labels in file order.

    ``version`` names the data ``whole`` was read from (a store version); with the sink's key it makes
    the cache key. ``None``: a frame that exists only now (an import's preview), encoded afresh.
    """
    memo = None
    if publisher.key is not None and version is not None:
        memo = (publisher.key, version, spec.id)
        with _GEOMETRY_LOCK:
            hit = _GEOMETRY.get(memo)
            if hit is not None:
                _GEOMETRY.move_to_end(memo)
                return hit
    gdf = clean_geometries(whole)
    out = publisher.put(geometry_file(spec, gdf)), gdf.index
    if memo is not None:
        with _GEOMETRY_LOCK:
            _GEOMETRY[memo] = out
            while len(_GEOMETRY) > _GEOMETRY_MAX:
                _GEOMETRY.popitem(last=False)
    return out


def geometry_file(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> bytes:
    """The compact geometry file of ``gdf`` (already cleaned), keyed by the layer's business key."""
    from geo.webmap.compact import encode_geometry

    return encode_geometry(gdf.geometry.values, feature_keys(spec, gdf), spec.geometry or "Polygon")


def feature_keys(spec: LayerSpec, gdf: pd.DataFrame) -> list[str]:
    """Each feature's business key as the map and the URL carry it (``a,b`` for a key of two fields)."""
    cols = spec.key.split(",")
    return [",".join(str(v) for v in row) for row in gdf[cols].itertuples(index=False)]


def compact_group(
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    lang: Lang,
    publisher: Publisher,
    selected: list[str],
    status_field: str | None = None,
    opacity: float = 1.0,
    whole: gpd.GeoDataFrame | None = None,
    version: str | None = None,
    worker: str | None = None,
) -> folium.FeatureGroup:
    """A feature group holding a large layer as a :class:`CompactLayer`.

    ``gdf`` is what is shown; ``whole`` (default ``gdf``) is every feature of the layer, whose geometry
    travels once per ``version``, so that a filter changes only the one-byte-per-feature style file.
    """
    from geo.webmap.compact import classes, encode_style

    src, order = published_geometry(spec, gdf if whole is None else whole, publisher, version)
    sf = status_field or spec.status_field
    statuses = spec.codes(sf) if sf else ()
    codes = [s.value for s in statuses]
    shown = gdf[gdf.index.isin(order)]
    positions = order.get_indexer(shown.index)
    cls = classes(shown[sf], codes) if sf and sf in shown.columns else np.full(len(shown), len(codes), np.uint8)
    style = publisher.put(encode_style(len(order), positions, cls))
    palette = [feature_color(spec, c, sf) for c in codes] + [feature_color(spec, None)]
    labels = [s.label(lang) for s in statuses] + [""]  # the last: values the catalog does not code
    hatch = [feature_marks(spec, c, sf)[1] for c in codes] + [False]
    themed = status_field is not None and status_field != spec.status_field
    fg = folium.FeatureGroup(control=False)
    CompactLayer(spec.id, src, style, palette, labels, _paint(spec, opacity, themed), selected, worker, hatch).add_to(
        fg
    )
    return fg


# -- from frames to folium objects -----------------------------------------------
def clean_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features whose geometry is missing, empty or has a non-finite
    coordinate: one NaN blanks a whole Leaflet map.
    """
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    coords, owner = shapely.get_coordinates(geoms, include_z=False, return_index=True)
    nonfinite = np.bincount(owner[~np.isfinite(coords).all(axis=1)], minlength=len(gdf)) > 0
    return gdf[ok & ~nonfinite]


def _paint(spec: LayerSpec, opacity: float = 1.0, themed: bool = False) -> dict[str, Any]:
    p = spec.paint
    # A base polygon layer coloured by a coded field (a choropleth) needs a fill that shows.
    fill = max(p.fill_opacity, 0.7) if themed and spec.geometry == "Polygon" else p.fill_opacity
    out: dict[str, Any] = {
        "color": p.color,
        "weight": p.weight,
        "opacity": p.opacity * opacity,
        "fillOpacity": fill * opacity,
    }
    if p.dash:
        out["dashArray"] = p.dash
    if p.casing and spec.geometry == "LineString":
        out["casing"] = p.casing
    if spec.geometry == "Point":
        out["radius"] = p.radius
    if spec.geometry == "LineString":
        out["fill"] = False
    return out


def feature_collection(
    spec: LayerSpec, gdf: gpd.GeoDataFrame, lang: Lang, status_field: str | None = None
) -> dict[str, Any]:
    """The GeoJSON sent to the browser: geometry plus only what the map shows."""
    gdf = clean_geometries(gdf)
    sf = status_field or spec.status_field
    features = []
    geo = gdf.geometry.__geo_interface__["features"] if len(gdf) else []
    for (_, row), gfeat, key in zip(gdf.iterrows(), geo, feature_keys(spec, gdf), strict=True):
        title_field = spec.tooltip[0] if spec.tooltip else spec.key
        tip = [["", record(spec, row, (title_field,), lang)[0][1]]]
        tip += [list(pair) for pair in record(spec, row, spec.tooltip[1:], lang)]
        value = row.get(sf) if sf else None
        props: dict[str, Any] = {"_l": spec.id, "_k": key, "_c": feature_color(spec, value, sf), "_tip": tip}
        dash, hatch = feature_marks(spec, value, sf)
        if dash:
            props["_d"] = dash
        if hatch:
            props["_h"] = 1
        features.append({"type": "Feature", "geometry": gfeat["geometry"], "properties": props})
    return {"type": "FeatureCollection", "features": features}


# The GeoJSON of a layer as the map's script carries it, per (layer, language, colour field, content): a
# rerun that shows the same features (a click, a widget elsewhere on the page, 50 people looking at one
# map) neither rebuilds nor re-encodes it. Keyed by what it derives from, never by session state.
_GEOJSON: OrderedDict[tuple[Any, ...], Encoded] = OrderedDict()
_GEOJSON_LOCK = threading.Lock()
_GEOJSON_MAX = 128
_GEOJSON_BUDGET = 64 << 20  # characters kept in all (the oldest go first), so a server's memory stays bounded
_GEOJSON_LARGEST = 8 << 20  # characters: a larger layer is encoded afresh rather than kept


def content_digest(gdf: gpd.GeoDataFrame) -> str | None:
    """A digest of everything ``gdf`` holds: its columns, row labels, values and geometry (``None``: a value
    that cannot be serialised). Pickle writes every value it is given, so two frames that differ in anything
    never share a digest; equal frames built differently may not share one, which costs only a rebuild.
    """
    import hashlib
    import pickle

    try:
        values = pickle.dumps(gdf.drop(columns=gdf.geometry.name), protocol=5)
    except Exception:  # an odd value: no digest, the layer is encoded afresh
        return None
    digest = hashlib.blake2b(values, digest_size=20)
    digest.update(b"\x00".join(b"" if w is None else w for w in shapely.to_wkb(gdf.geometry.values)))
    return digest.hexdigest()


def geojson_literal(spec: LayerSpec, gdf: gpd.GeoDataFrame, lang: Lang, status_field: str | None = None) -> Encoded:
    """:func:`feature_collection` as the script expression that carries it (:func:`geo.model.safe.js_literal`)."""
    digest = content_digest(gdf)
    memo = (spec, lang, status_field, digest)
    with _GEOJSON_LOCK:
        hit = _GEOJSON.get(memo) if digest is not None else None
        if hit is not None:
            _GEOJSON.move_to_end(memo)
            return hit
    text = Encoded(js_literal(feature_collection(spec, gdf, lang, status_field)))
    if digest is not None and len(text) <= _GEOJSON_LARGEST:
        with _GEOJSON_LOCK:
            _GEOJSON[memo] = text
            while len(_GEOJSON) > _GEOJSON_MAX or sum(map(len, _GEOJSON.values())) > _GEOJSON_BUDGET:
                _GEOJSON.popitem(last=False)
    return text


def label_point(geom: Any) -> Any:
    """Where a polygon's label reads best: the point farthest from its edges."""
    from shapely.ops import polylabel

    poly = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    return polylabel(poly, tolerance=1e-4)


def _kind(spec: LayerSpec) -> str:
    return {"Polygon": "polygon", "LineString": "line", "Point": "point"}[spec.geometry or "Polygon"]


def layer_group(
    spec: LayerSpec,
    gdf: gpd.GeoDataFrame,
    lang: Lang,
    selected: str | list[str] | None = None,
    status_field: str | None = None,
    opacity: float = 1.0,
    below: bool = False,
    changed: list[str] | None = None,
) -> folium.FeatureGroup:
    """A feature group holding one catalog layer (and its labels, if it has a label field).

    ``status_field`` colours the features by another coded field (default: the status);
    ``opacity`` scales the layer's stroke and fill opacity. ``below``: the layer lies under a
    large canvas layer, drawn beneath it and leaving the pointer to it. ``changed``: keys of features
    that changed between two dates compared (drawn in their own colour, thicker, with a dashed edge).
    """
    fg = folium.FeatureGroup(control=False)
    data = geojson_literal(spec, gdf, lang, status_field)
    themed = status_field is not None and status_field != spec.status_field
    keys = [selected] if isinstance(selected, str) else list(selected or [])
    pane = "dlBelow" if below else None
    paint = _paint(spec, opacity, themed)
    SafeGeoJson(data, _kind(spec), paint, keys, pane, interactive=not below, changed=changed).add_to(fg)
    if spec.label_field and len(gdf):
        clean = clean_geometries(gdf)
        pts = [g if g.geom_type == "Point" else label_point(g) for g in clean.geometry]
        # A unit's short name in the reader's language ("TT Đình Lập" → "Đình Lập town")
        rows = [[p.y, p.x, term(str(v), lang)] for p, v in zip(pts, clean[spec.label_field], strict=True)]
        Labels(rows, spec.id).add_to(fg)
    return fg


@dataclass(frozen=True)
class MapState:
    """What a page asks the map to show; only plain values, fit for session state."""

    layers: tuple[str, ...]
    lang: Lang = "vi"
    basemap: str = "none"
    selected: tuple[str, str] | None = None  # (layer id, feature key)
    color_by: tuple[tuple[str, str], ...] = ()  # (layer id, coded field) pairs
    opacity: float = 1.0
    highlight: tuple[tuple[str, str], ...] = ()  # more (layer id, feature key) pairs drawn as selected
    picking: bool = False  # a planner is picking a point's position: clicks on the map come back
    pin: tuple[float, float] | None = None  # (lon, lat) they picked
    changed: tuple[tuple[str, str], ...] = ()  # (layer id, feature key) changed between two dates compared
    large: bool = False  # the meeting room's map (projector mode): large labels
    legend_open: bool = False  # the in-map legend starts unfolded (a slide; never beside a legend of its page)
    draw: DrawSpec | None = None  # the drawing and measuring tools (None: none, as on a slide or in a file)

    def color_field(self, layer_id: str) -> str | None:
        """The coded field that colours ``layer_id`` (``None``: its status field)."""
        return dict(self.color_by).get(layer_id)


@dataclass(frozen=True)
class MapData:
    """What a map draws, handed over whole by whoever builds it (the engine reads no layer by id).

    ``frames``: the features shown of each layer (filtered), described by ``catalog``. ``whole``:
    every feature of a layer whose filter hides some (default: ``frames``), read at ``version``
    (a cache key, e.g. a store version; ``None`` for frames that exist only now, like an import's
    preview).
    """

    frames: dict[str, gpd.GeoDataFrame]
    catalog: Catalog = field(default_factory=lambda: CATALOG)
    whole: dict[str, gpd.GeoDataFrame] | None = None
    version: str | dict[str, str] | None = None  # one for every layer, or one per layer
    #: The filters that made ``frames`` from ``whole``, per layer (a layer drawn from vector tiles is
    #: filtered where its tiles are built, so they travel with its tile URL).
    filters: dict[str, dict[str, Any]] | None = None
    #: The day the frames show, for a layer drawn from vector tiles: an ISO date, ``None`` for today, or
    #: ``"session"``: the day the app shows (a map of another day, as compare's, names its own).
    day: str | None = "session"


def legend_control(blocks: list[LegendBlock], lang: Lang, open_: bool = False) -> ControlLayer:
    """The in-map legend of the visible layers (``open_``: unfolded, as on a projector)."""
    return ControlLayer(
        {
            "type": "legend",
            "position": "bottomright",
            "heading": t("map.legend", lang),
            "open": open_,  # folded: the page shows the same legend beside the map; open on a projector
            "blocks": [
                {
                    "title": b.title,
                    "kind": b.kind,
                    "stroke": b.stroke,
                    "items": [
                        {
                            "label": i.label,
                            "color": i.color,
                            "swatch": swatch_background(i.color, b.kind, i.dash, i.hatch),
                            "count": i.count,
                        }
                        for i in b.items
                    ],
                }
                for b in blocks
            ],
        }
    )


class FeatureList(Rendered):
    """The features in view as a keyboard-operable list (``DL.list``): what the map shows, for
    everyone who does not use a mouse or does not see the map.
    """

    _template = _call("DL.list({{ this.spec }})")

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "FeatureList"
        self.spec = js_literal(spec)


def feature_list(shown: list[str], catalog: Catalog, lang: Lang, selected: tuple[str, str] | None) -> FeatureList:
    """The list of the features in view of the ``shown`` layers (top layer first), in ``lang``."""
    order = sorted((lid for lid in shown if lid != "district"), key=lambda i: -catalog[i].z)
    return FeatureList(
        {
            "position": "topleft",
            "open": False,  # folded like the legend: it never hides features until asked for
            "heading": t("map.list", lang),
            "count": t("map.list_count", lang, n="{n}"),
            "more": t("map.list_more", lang, n="{n}"),
            "empty": t("map.list_empty", lang),
            "titles": {lid: catalog[lid].title(lang) for lid in order},
            "selected": list(selected) if selected else None,
        }
    )


def demo_badge(share: DemoShare, lang: Lang) -> ControlLayer:
    """The "Dữ liệu minh họa" badge shown while any demo feature is on the map ("một phần (n/m)" beside real ones)."""
    return ControlLayer(
        {"type": "badge", "position": "topright", "text": share.label(lang), "title": t("demo.note", lang)}
    )


PIN_COLOR = "#d6336c"  # not a status colour of any layer


def pin_marker(lon: float, lat: float) -> folium.CircleMarker:
    """Where a planner clicked to place a point: a dashed ring, not a feature."""
    return folium.CircleMarker(
        [lat, lon],
        radius=10,
        color=PIN_COLOR,
        weight=3,
        dash_array="4 3",
        fill=True,
        fill_color=PIN_COLOR,
        fill_opacity=0.25,
        interactive=False,  # a click on it places the pin again, it does not open anything
        class_name="dl-pin",
    )


def legend_blocks(
    frames: dict[str, gpd.GeoDataFrame], state: MapState, catalog: Catalog = CATALOG
) -> list[LegendBlock]:
    """The legend of every visible layer but the district outline, in drawing order."""
    blocks = []
    for lid in sorted(state.layers, key=lambda i: catalog[i].z if i in catalog else 100):
        if lid in frames and lid in catalog and lid != "district":
            blocks.append(legend(catalog[lid], frames[lid], state.lang, state.color_field(lid)))
    return blocks


def overlays(
    frames: dict[str, gpd.GeoDataFrame],
    state: MapState,
    demo_layers: set[str],
    publisher: Publisher | None = None,
    *,
    catalog: Catalog = CATALOG,
    whole: dict[str, gpd.GeoDataFrame] | None = None,
    version: str | dict[str, str] | None = None,
    blocks: list[LegendBlock] | None = None,
    worker: str | None = None,
    tiles: dict[str, str] | None = None,
    sensitive: bool = False,
    unit_names: dict[str, str] | None = None,
) -> list[folium.FeatureGroup]:
    """Every feature group the map shows for ``state``: basemap, layers, legend, badge.

    Data flow one way: the caller hands over everything drawn. ``frames`` holds the (already
    filtered) features of each visible layer, described by ``catalog``; ``whole`` every feature of
    a layer whose filter hides some (default: ``frames``), read at ``version`` (a cache key; ``None``
    for frames that exist only now). A layer of more than :data:`BIG_LAYER` features travels as
    compact files through ``publisher`` (the app's URLs; by default inlined in the page) and is
    drawn on a canvas, decoded in ``worker`` (the URL of the served ``compact-worker.js``) where given.
    ``blocks``: the legend, if the caller has computed it already. ``tiles``: the vector-tile URL of each
    layer drawn from tiles (above :func:`geo.webmap.tiles.tile_threshold` features; the app signs them for a reader
    who may see sensitive fields or not, ``sensitive``): the page carries none of its features; ``unit_names``
    (unit code → name) lets a tiled feature's card read a commune by its name.
    """
    groups: list[folium.FeatureGroup] = []
    if state.basemap in BASEMAPS:
        fg = folium.FeatureGroup(control=False)
        folium.TileLayer(BASEMAPS[state.basemap]["url"], attr=BASEMAPS[state.basemap]["attr"], max_zoom=19).add_to(fg)
        groups.append(fg)
    pub: Publisher = publisher or InlinePublisher()
    every = whole or {}
    shown = [lid for lid in state.layers if lid in frames and lid in catalog]
    tiled = {lid for lid in shown if lid in (tiles or {}) and catalog[lid].geometry}
    big = {lid for lid in shown if catalog[lid].geometry and len(every.get(lid, frames[lid])) > BIG_LAYER} | tiled
    big_z = min((catalog[lid].z for lid in big), default=None)
    for lid in sorted(shown, key=lambda i: catalog[i].z):
        spec = catalog[lid]
        sel = [k for layer, k in (*((state.selected,) if state.selected else ()), *state.highlight) if layer == lid]
        field = state.color_field(lid)
        opacity = 1.0 if spec.theme == "base" and field is None else state.opacity
        if lid in tiled:
            groups.append(tile_group(spec, (tiles or {})[lid], state.lang, sel, field, opacity, sensitive, unit_names))
        elif lid in big:  # by the whole layer's size: a filter never switches paths
            key = version.get(lid) if isinstance(version, dict) else version
            groups.append(
                compact_group(spec, frames[lid], state.lang, pub, sel, field, opacity, every.get(lid), key, worker)
            )
        else:
            below = big_z is not None and spec.z < big_z
            moved = [k for layer, k in state.changed if layer == lid]
            groups.append(layer_group(spec, frames[lid], state.lang, sel, field, opacity, below, moved))
    extras = folium.FeatureGroup(control=False)
    blocks = legend_blocks(frames, state, catalog) if blocks is None else blocks
    if blocks:
        legend_control(blocks, state.lang, state.legend_open).add_to(extras)
    share = shown_share(frames, shown, demo_layers)
    if share.any:
        demo_badge(share, state.lang).add_to(extras)
    if any(lid != "district" for lid in shown):
        feature_list(shown, catalog, state.lang, state.selected).add_to(extras)
    if state.picking:
        PickMode().add_to(extras)
    if state.pin is not None:
        pin_marker(*state.pin).add_to(extras)
    groups.append(extras)
    if state.draw is not None:
        tools = folium.FeatureGroup(control=False)
        DrawTools(state.draw, state.lang).add_to(tools)
        groups.append(tools)
    return groups


def feature_view(geom: Any, width_px: int = 800, height_px: int = 600, max_zoom: int = 16) -> tuple[list[float], int]:
    """``([lat, lon], zoom)`` that shows ``geom`` (WGS 84) whole in a map of the given size."""
    import math

    w, s, e, n = geom.bounds
    centre = [(s + n) / 2, (w + e) / 2]
    if e - w < 1e-9 and n - s < 1e-9:
        return centre, max_zoom
    # Web Mercator: 256 px span 360° of longitude at zoom 0; latitude span scaled by cos(lat).
    lon_zoom = math.log2(width_px * 360 / (256 * max(e - w, 1e-9)))
    lat_zoom = math.log2(height_px * 360 * math.cos(math.radians(centre[0])) / (256 * max(n - s, 1e-9)))
    return centre, max(8, min(max_zoom, int(min(lon_zoom, lat_zoom) - 0.5)))


def base_map(
    bounds: Bounds,
    asset_base: str,
    static_base: str,
    sync: str | None = None,
    lang: Lang | None = None,
    large: bool = False,
    scripts_url: str | None = None,
    **kwargs: Any,
) -> OfflineMap:
    """The map that never changes during a session: fitted to ``bounds``, no data.

    Data travel as :func:`overlays`, so a filter change does not rebuild it. Maps of one ``sync`` group
    on a page pan and zoom together.
    """
    w, s, e, n = bounds
    m = OfflineMap(
        asset_base,
        static_base,
        lang,
        large,
        scripts_url,
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=11,
        control_scale=False,
        zoom_snap=0.25,  # fit the district snugly rather than a whole zoom level out
        zoom_delta=0.5,
        min_zoom=8,
        max_zoom=18,
        **kwargs,
    )
    _Fit(bounds).add_to(m)
    if sync:
        _Sync(sync).add_to(m)
    return m
