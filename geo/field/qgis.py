"""QGIS styles and projects written from the catalog: the store opens in QGIS (and QField) as the app draws it.

* :func:`layer_qml` is one layer's QML: a categorised renderer on the status field in the app's colours,
  dash patterns and hatching (:mod:`geo.webmap.style`), labels on the label field, Vietnamese field aliases, value
  maps (drop-downs) on coded fields, the fields the app does not let a planner edit read-only, and on a
  field package's layers an attachment widget for the photo field and an edit-time field QGIS fills.
* :func:`write_styles` puts every map layer's QML in the store's ``layer_styles`` table, the table QGIS
  reads a default style from: in a GeoPackage (and every GeoPackage export), or in a PostGIS database.
* :func:`project_qgz` is a QGIS project over one GeoPackage (a field package's).

Nothing here imports QGIS: the XML is written by hand and checked in the tests by QGIS itself.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from geo.model.catalog import CATALOG, DEMO_COLUMN, LayerSpec
from geo.model.i18n import Lang
from geo.store import db

STYLES_TABLE = "layer_styles"
STYLE_NAME = "dinhlap"
QGIS_VERSION = "3.22.16-Białowieża"
#: A field package's extra fields on an editable layer: the photo (a path under DCIM/) and when it was edited.
PHOTO_FIELD = "anh"
EDITED_FIELD = "sua_luc"


# What XML 1.0 cannot hold (NUL and the other C0 controls but tab, LF and CR; lone surrogates; U+FFFE/FFFF):
# a column name or label carrying one is written with "�" in its place, so the style stays a readable file.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _a(value: object) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", str(value)))


def _rgba(color: str, alpha: float = 1.0) -> str:
    c = color.lstrip("#")
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    return f"{r},{g},{b},{round(alpha * 255)}"


def _opts(items: Mapping[str, object]) -> str:
    inner = "".join(f'<Option name={_a(k)} type="QString" value={_a(v)}/>' for k, v in items.items())
    props = "".join(f"<prop k={_a(k)} v={_a(v)}/>" for k, v in items.items())
    return f'<Option type="Map">{inner}</Option>{props}'


def _dash(dash: str | None, width_px: float) -> dict[str, object]:
    if not dash:
        return {"use_custom_dash": "0"}
    # The app's dash pattern is in pixels of a line of that width; QGIS's custom dash is in the line's unit.
    return {"use_custom_dash": "1", "customdash": ";".join(dash.split()), "customdash_unit": "Pixel"}


def _line_layers(color: str, width: float, dash: str | None, casing: str | None, opacity: float = 1.0) -> str:
    out = []
    if casing:
        out.append(
            '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
            + _opts(
                {
                    "line_color": _rgba(casing),
                    "line_width": f"{width + 2:g}",
                    "line_width_unit": "Pixel",
                    "line_style": "solid",
                    "capstyle": "round",
                    "joinstyle": "round",
                }
            )
            + "</layer>"
        )
    out.append(
        '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
        + _opts(
            {
                "line_color": _rgba(color, opacity),
                "line_width": f"{width:g}",
                "line_width_unit": "Pixel",
                "line_style": "solid",
                "capstyle": "flat" if dash else "round",
                "joinstyle": "round",
                **_dash(dash, width),
            }
        )
        + "</layer>"
    )
    return "".join(out)


def _fill_layers(fill: str, stroke: str, width: float, fill_opacity: float, dash: str | None, hatch: bool) -> str:
    outline = {
        "outline_color": _rgba(stroke),
        "outline_width": f"{width:g}",
        "outline_width_unit": "Pixel",
        "outline_style": "dash" if dash else "solid",
    }
    if hatch:  # the app's hatching: the class colour in diagonal stripes over white
        base = {"color": _rgba("#ffffff", fill_opacity), "style": "solid", **outline}
        stripes = {"color": _rgba(fill), "style": "b_diagonal", "outline_style": "no"}
        return (
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0">' + _opts(base) + "</layer>"
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0">' + _opts(stripes) + "</layer>"
        )
    body = {"color": _rgba(fill, fill_opacity), "style": "solid", **outline}
    return '<layer class="SimpleFill" enabled="1" locked="0" pass="0">' + _opts(body) + "</layer>"


def _marker_layers(fill: str, stroke: str, radius: float, weight: float, fill_opacity: float) -> str:
    body = {
        "name": "circle",
        "color": _rgba(fill, fill_opacity),
        "outline_color": _rgba(stroke),
        "outline_width": f"{weight:g}",
        "outline_width_unit": "Pixel",
        "size": f"{radius * 2:g}",
        "size_unit": "Pixel",
    }
    return '<layer class="SimpleMarker" enabled="1" locked="0" pass="0">' + _opts(body) + "</layer>"


def _symbol(spec: LayerSpec, name: str, color: str | None, dash: str | None = None, hatch: bool = False) -> str:
    p = spec.paint
    kind = {"Polygon": "fill", "LineString": "line", "Point": "marker"}[spec.geometry or "Polygon"]
    if kind == "line":
        body = _line_layers(
            color or p.color, p.weight, dash if color else p.dash, p.casing, 1.0 if color else p.opacity
        )
    elif kind == "fill":
        body = _fill_layers(
            color or p.fill or p.color, p.color, p.weight, p.fill_opacity, None if color else p.dash, hatch
        )
    else:
        body = _marker_layers(color or p.fill or p.color, p.color, p.radius, p.weight, p.fill_opacity)
    return f'<symbol type="{kind}" name={_a(name)} alpha="1" clip_to_extent="1" force_rhr="0">{body}</symbol>'


def _renderer(spec: LayerSpec, lang: Lang, status_column: str | None, labels: bool) -> str:
    codes = spec.statuses if spec.status_field else ()
    if not codes or not status_column:
        return (
            '<renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0">'
            f"<symbols>{_symbol(spec, '0', None)}</symbols></renderer-v2>"
        )
    cats, symbols = [], []
    for i, s in enumerate(codes):
        value = s.label(lang) if labels else s.value
        cats.append(f'<category render="true" symbol="{i}" value={_a(value)} label={_a(s.label(lang))}/>')
        symbols.append(_symbol(spec, str(i), s.color, s.dash, s.hatch))
    other = len(codes)
    cats.append(f'<category render="true" symbol="{other}" value="" label={_a("Khác" if lang == "vi" else "Other")}/>')
    symbols.append(_symbol(spec, str(other), None))
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={_a(status_column)} forceraster="0" symbollevels="0" '
        f'enableorderby="0"><categories>{"".join(cats)}</categories><symbols>{"".join(symbols)}</symbols>'
        "</renderer-v2>"
    )


def _labeling(column: str) -> str:
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={_a(column)} isExpression="0" fontFamily="DejaVu Sans" fontSize="9" '
        'fontSizeUnit="Point" textColor="31,45,61,255" textOpacity="1" fontWeight="50" namedStyle="Regular"/>'
        '<text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" '
        'bufferOpacity="0.9"/>'
        '<placement placement="0" dist="0" priority="5"/>'
        '<rendering scaleVisibility="0" obstacle="1" fontLimitPixelSize="0"/>'
        "</settings></labeling>"
    )


def _value_map(pairs: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Option type="Map"><Option name={_a(label)} type="QString" value={_a(value)}/></Option>'
        for label, value in pairs
    )
    return (
        '<editWidget type="ValueMap"><config><Option type="Map">'
        f'<Option name="map" type="List">{items}</Option></Option></config></editWidget>'
    )


def _photo_widget() -> str:
    opts = {
        "DocumentViewer": ("int", "1"),  # an image
        "DocumentViewerHeight": ("int", "0"),
        "DocumentViewerWidth": ("int", "0"),
        "FileWidget": ("bool", "true"),
        "FileWidgetButton": ("bool", "true"),
        "FileWidgetFilter": ("QString", "Ảnh (*.jpg *.jpeg *.png)"),
        "RelativeStorage": ("int", "1"),  # relative to the project: DCIM/… beside it
        "StorageMode": ("int", "0"),
        "DefaultRoot": ("QString", "DCIM"),
    }
    inner = "".join(f"<Option name={_a(k)} type={_a(t)} value={_a(v)}/>" for k, (t, v) in opts.items())
    return f'<editWidget type="ExternalResource"><config><Option type="Map">{inner}</Option></config></editWidget>'


@dataclass(frozen=True)
class Column:
    """One column of a layer as written to a file: its name there, the catalog field, and how QGIS shows it."""

    name: str
    alias: str
    editable: bool
    codes: tuple[tuple[str, str], ...] = ()  # (label, stored value) for a drop-down
    widget: str = ""  # "photo" for the attachment widget, "hidden" for a field no form shows
    default: str = ""  # a default-value expression
    on_update: bool = False


def catalog_columns(spec: LayerSpec, lang: Lang = "vi", field_package: bool = False) -> list[Column]:
    """The stored columns of ``spec`` as QGIS shows them (codes stored; labels in the drop-downs); with
    ``field_package``, the photo and edit-time fields an officer's package adds.
    """
    keys = spec.key.split(",")
    out = []
    for f in spec.fields:
        if f.derived:
            continue
        codes = tuple((s.label(lang), s.value) for s in spec.codes(f.name))
        default = ""
        if field_package and f.name in keys:  # a feature added in the field gets a key of its own
            default = f"'{spec.id[:3].upper()}-TT-' || substr(uuid(), 2, 8)"
        out.append(Column(f.name, f.label(lang), f.name in spec.editable, codes, default=default))
    out.append(Column(DEMO_COLUMN, "Dữ liệu minh họa" if lang == "vi" else "Demo data", False, widget="hidden"))
    if field_package and spec.editable:
        out.append(Column(PHOTO_FIELD, "Ảnh chụp thực địa" if lang == "vi" else "Field photo", True, widget="photo"))
        out.append(
            Column(
                EDITED_FIELD,
                "Thời điểm sửa" if lang == "vi" else "Edited at",
                False,
                widget="hidden",
                default="format_date(now(), 'yyyy-MM-ddThh:mm:ss')",
                on_update=True,
            )
        )
    return out


def labelled_columns(spec: LayerSpec, names: Iterable[str], lang: Lang) -> list[Column]:
    """The columns of an export written with labels (column names and values already in words): read-only
    aliases of themselves, no drop-down.
    """
    return [Column(n, n, True) for n in names]


def layer_qml(
    spec: LayerSpec,
    columns: Sequence[Column],
    lang: Lang = "vi",
    status_column: str | None = None,
    label_column: str | None = None,
    labels: bool = False,
    read_only: bool = False,
) -> str:
    """The QML of one layer; ``status_column``/``label_column`` name the status and label fields as the file
    has them (default: the catalog's names); ``labels``: the file holds class labels, not codes.
    """
    status_column = status_column if status_column is not None else spec.status_field
    label_column = label_column if label_column is not None else spec.label_field
    config, aliases, editable, defaults = [], [], [], []
    for i, c in enumerate(columns):
        widget = ""
        if c.widget == "photo":
            widget = _photo_widget()
        elif c.widget == "hidden":
            widget = '<editWidget type="Hidden"><config><Option/></config></editWidget>'
        elif c.codes:
            widget = _value_map(c.codes)
        else:
            widget = '<editWidget type="TextEdit"><config><Option/></config></editWidget>'
        config.append(f'<field name={_a(c.name)} configurationFlags="None">{widget}</field>')
        aliases.append(f"<alias field={_a(c.name)} index={_a(i)} name={_a(c.alias)}/>")
        editable.append(f"<field name={_a(c.name)} editable={_a(int(c.editable and not read_only))}/>")
        defaults.append(
            f"<default field={_a(c.name)} expression={_a(c.default)} applyOnUpdate={_a(int(c.on_update))}/>"
        )
    editable.insert(0, '<field name="fid" editable="0"/>')  # the GeoPackage's own row number
    labelled = bool(label_column)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version={_a(QGIS_VERSION)} styleCategories="AllStyleCategories" labelsEnabled="{int(labelled)}" '
        f'readOnly="{int(read_only)}">'
        + _renderer(spec, lang, status_column, labels)
        + (_labeling(str(label_column)) if label_column else "")
        + f"<fieldConfiguration>{''.join(config)}</fieldConfiguration>"
        + f"<aliases>{''.join(aliases)}</aliases>"
        + f"<defaults>{''.join(defaults)}</defaults>"
        + f"<editable>{''.join(editable)}</editable>"
        + "</qgis>\n"
    )


def store_qml(spec: LayerSpec, lang: Lang = "vi") -> str:
    """The default style of one of the store's layers (codes stored, labels shown)."""
    return layer_qml(spec, catalog_columns(spec, lang), lang)


# -- the layer_styles table ------------------------------------------------------------------------------------------
_GPKG_DDL = f"""CREATE TABLE IF NOT EXISTS {STYLES_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
    f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)"""
# QGIS's own table in a database (its columns unquoted: QGIS asks for them in lower case)
_PG_DDL = f"""CREATE TABLE IF NOT EXISTS {STYLES_TABLE} (
    id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar,
    f_geometry_column varchar, styleName text, styleQML xml, styleSLD xml, useAsDefault boolean, description text,
    owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"""
DESCRIPTION = "Kiểu hiển thị của Bản đồ điều hành Đình Lập (sinh từ danh mục lớp)"


def _style_rows(
    styles: Iterable[tuple[str, str, str]], catalog_name: str, schema: str, stamp: str
) -> list[tuple[object, ...]]:
    return [
        (catalog_name, schema, table, geom, STYLE_NAME, qml, "", True, DESCRIPTION, "", stamp)
        for table, geom, qml in styles
    ]


def write_gpkg_styles(con: sqlite3.Connection, styles: Iterable[tuple[str, str, str]], stamp: str) -> None:
    """Replace the default styles of ``styles`` (table, geometry column, QML) in an open GeoPackage."""
    con.execute(_GPKG_DDL)
    # listed among the contents: GDAL (so QGIS) reads only a listed table; the app's store skips it
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
        "VALUES (?, 'attributes', ?, ?)",
        (STYLES_TABLE, STYLES_TABLE, stamp),
    )
    rows = _style_rows(styles, "", "", stamp[:19] + ".000Z" if len(stamp) >= 19 else stamp)
    for r in rows:
        con.execute(f"DELETE FROM {STYLES_TABLE} WHERE f_table_name = ? AND styleName = ?", (r[2], STYLE_NAME))
    con.executemany(
        f"INSERT INTO {STYLES_TABLE} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
        "styleQML, styleSLD, useAsDefault, description, owner, update_time) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def store_styles(conn: db.Session) -> list[tuple[str, str, str]]:
    """(table, geometry column, QML) of every built-in map layer the store holds."""
    tables = conn.tables()
    out = []
    for lid, geom in tables.items():
        if geom is None or lid not in CATALOG:
            continue
        column = conn.geometry_column(lid) or "geom"
        out.append((lid, column, store_qml(CATALOG[lid])))
    return out


def write_styles(location: db.Location, stamp: str = "2024-04-24T00:00:00Z") -> int:
    """Write the default QGIS style of every built-in map layer into the store's ``layer_styles`` table
    (a GeoPackage's, or the PostGIS database's that QGIS reads); returns how many. Not a data change: the
    store's version and change log are untouched on PostGIS, and on a GeoPackage only the file moves.
    """
    with db.connect(location) as conn:
        styles = store_styles(conn)
        if conn.kind == "postgis":

            def run() -> None:
                conn.execute(_PG_DDL)
                name = conn.execute("SELECT current_database(), current_schema()").fetchone()
                for table, geom, qml in styles:
                    conn.execute(
                        f"DELETE FROM {STYLES_TABLE} WHERE f_table_schema = ? AND f_table_name = ? AND stylename = ?",
                        (name[1], table, STYLE_NAME),
                    )
                    conn.execute(
                        f"INSERT INTO {STYLES_TABLE} (f_table_catalog, f_table_schema, f_table_name, "
                        "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, type) "
                        "VALUES (?, ?, ?, ?, ?, XMLPARSE(DOCUMENT ?), NULL, true, ?, NULL)",
                        (name[0], name[1], table, geom, STYLE_NAME, qml.split("\n", 1)[1], DESCRIPTION),
                    )

            conn.write(run)
        else:
            gp = conn.conn  # type: ignore[attr-defined]

            def run_gpkg() -> None:
                write_gpkg_styles(gp, styles, stamp)

            conn.write(run_gpkg)
    return len(styles)


def gpkg_styles(path: Path) -> dict[str, str]:
    """The default style of each table in a GeoPackage's ``layer_styles`` (table → QML)."""
    with sqlite3.connect(path) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (STYLES_TABLE,)).fetchone():
            return {}
        rows = con.execute(f"SELECT f_table_name, styleQML FROM {STYLES_TABLE} WHERE useAsDefault").fetchall()
    return {str(a): str(b) for a, b in rows}


# -- a QGIS project over one GeoPackage --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectLayer:
    """A layer of a project: its table in the GeoPackage, title, geometry, QML and whether it may be edited."""

    table: str
    title: str
    geometry: str  # Polygon, LineString, Point
    qml: str
    read_only: bool


WGS84_SRS = (
    '<spatialrefsys nativeFormat="Wkt"><proj4>+proj=longlat +datum=WGS84 +no_defs</proj4><srsid>3452</srsid>'
    "<srid>4326</srid><authid>EPSG:4326</authid><description>WGS 84</description>"
    "<projectionacronym>longlat</projectionacronym><ellipsoidacronym>EPSG:7030</ellipsoidacronym>"
    "<geographicflag>true</geographicflag></spatialrefsys>"
)


def _maplayer(gpkg_name: str, layer: ProjectLayer, lid: str) -> str:
    inner = layer.qml[layer.qml.index(">", layer.qml.index("<qgis")) + 1 : layer.qml.rindex("</qgis>")]  # its children
    geom = {"Polygon": "Polygon", "LineString": "Line", "Point": "Point"}[layer.geometry]
    return (
        f'<maplayer type="vector" geometry="{geom}" wkbType="{layer.geometry}" readOnly="{int(layer.read_only)}" '
        f'labelsEnabled="{int("<labeling" in inner)}" styleCategories="AllStyleCategories" autoRefreshEnabled="0">'
        f"<id>{lid}</id><datasource>./{gpkg_name}|layername={layer.table}</datasource>"
        f"<layername>{_xml(layer.title)}</layername>"
        f"<srs>{WGS84_SRS}</srs>"
        '<provider encoding="UTF-8">ogr</provider>'
        f"{inner}</maplayer>"
    )


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def project_xml(
    gpkg_name: str, layers: Sequence[ProjectLayer], title: str, bbox: tuple[float, float, float, float]
) -> str:
    """A QGIS project (.qgs) over ``gpkg_name`` beside it: ``layers`` top first, in EPSG:4326, saved with
    relative paths (QField opens it where it lands).
    """
    ids = [f"{lyr.table}_dl" for lyr in layers]
    tree = "".join(
        f'<layer-tree-layer id="{i}" name={_a(lyr.title)} source="./{gpkg_name}|layername={lyr.table}" '
        'providerKey="ogr" checked="Qt::Checked" expanded="1"/>'
        for i, lyr in zip(ids, layers, strict=True)
    )
    maplayers = "".join(_maplayer(gpkg_name, lyr, i) for i, lyr in zip(ids, layers, strict=True))
    read_only = "".join(f'<layer id="{i}"/>' for i, lyr in zip(ids, layers, strict=True) if lyr.read_only)
    w, s, e, n = bbox
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f"<qgis projectname={_a(title)} version={_a(QGIS_VERSION)}>"
        f"<title>{_xml(title)}</title>"
        f"<projectCrs>{WGS84_SRS}</projectCrs>"
        f"<layer-tree-group>{tree}</layer-tree-group>"
        f'<mapcanvas name="theMapCanvas"><units>degrees</units><extent><xmin>{w}</xmin><ymin>{s}</ymin>'
        f"<xmax>{e}</xmax><ymax>{n}</ymax></extent>"
        f"<destinationsrs>{WGS84_SRS}</destinationsrs></mapcanvas>"
        f"<projectlayers>{maplayers}</projectlayers>"
        '<properties><Paths><Absolute type="bool">false</Absolute></Paths>'
        '<SpatialRefSys><ProjectionsEnabled type="int">1</ProjectionsEnabled></SpatialRefSys></properties>'
        f"<layerorder>{''.join(f'<layer id={_a(i)}/>' for i in ids)}</layerorder>"
        f"<readOnlyLayers>{read_only}</readOnlyLayers>"
        "</qgis>\n"
    )


def project_qgz(
    gpkg_name: str, layers: Sequence[ProjectLayer], title: str, bbox: tuple[float, float, float, float], qgs_name: str
) -> bytes:
    """The project as a ``.qgz`` (a zip holding the ``.qgs``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qgs_name, project_xml(gpkg_name, layers, title, bbox))
    return buf.getvalue()


def style_export(payload: bytes, catalog: Mapping[str, LayerSpec], lang: Lang, codes: bool) -> bytes:
    """A GeoPackage export (``payload``) with a default QGIS style for each of its map layers: the app's
    colours, dashes and hatching on the status column, labels, aliases, drop-downs where the file holds codes
    (``codes``), or categories on the class labels the file holds in ``lang``.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        path.write_bytes(payload)
        with sqlite3.connect(path) as con:
            layers = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
            styles = []
            for table, geom in layers:
                spec = catalog.get(str(table))
                if spec is None or not spec.is_spatial:
                    continue
                names = [str(r[1]) for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] not in ("fid", geom)]
                if codes:
                    known = {c.name: c for c in catalog_columns(spec, lang)}
                    cols = [known.get(n, Column(n, n, True)) for n in names]
                    cols = [Column(c.name, c.alias, True, c.codes) for c in cols]
                    qml = layer_qml(spec, cols, lang)
                else:
                    label = {f.name: f.label(lang) for f in spec.fields}
                    status = label.get(spec.status_field or "")
                    text = label.get(spec.label_field or "")
                    qml = layer_qml(
                        spec,
                        labelled_columns(spec, names, lang),
                        lang,
                        status_column=status if status in names else "",
                        label_column=text if text in names else "",
                        labels=True,
                    )
                styles.append((str(table), str(geom), qml))
            if styles:
                write_gpkg_styles(con, styles, "2024-04-24T00:00:00Z")
        return path.read_bytes()
