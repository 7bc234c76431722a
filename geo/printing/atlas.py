"""The atlas: a page per feature of any selection, for a meeting's table or a site visit, and a page per
commune for the meeting pack (:func:`commune_page`).

Each page shows the feature's map at a scale that fits it (the other features of its layer faded around it,
the district and communes for bearings), its full record as the reader's role may see it, and its history
from the change log (oldest first). A first page lists what the atlas holds and how it was chosen.

``python -m geo atlas OUT.pdf --layer ql4b_segments --where clearance_status=blocked`` prints every QL4B
segment still blocked; the app prints the features its filters leave on the map.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
from matplotlib.figure import Figure

from geo.model.catalog import THEMES
from geo.model.i18n import Lang, fmt_date, fmt_number, fmt_pct, t
from geo.printing.export import MapRequest, map_panel
from geo.printing.printkit import (
    UNIT_LAYERS,
    Provenance,
    drawn_layers,
    footer,
    page_figure,
    pdf_pages,
    read_frames,
    record_lines,
    text_block,
    unit_names,
    units_in_force,
)
from geo.read import history, panels, reform
from geo.read.access import Reader, clip
from geo.read.filters import apply_filters
from geo.read.records import change_text, format_value, record
from geo.store.changelog import history as feature_history
from geo.store.changelog import redact_rows
from geo.store.reads import Store
from geo.webmap.mapview import clean_geometries, feature_keys

MAX_PAGES = 500  # an atlas is read on paper: past this, narrow the selection
# The most features the store's choice by ``--where`` hands on by their keys; more (a broad choice the other
# filters may still narrow) and the layer is read and filtered whole, as before.
KEYS_READ = 5 * MAX_PAGES
CONTEXT = ("district", "units")  # drawn under every page's feature, for bearings
NEAR: dict[str, tuple[str, ...]] = {  # what else a reader needs around a feature of these layers
    "land_disputes": ("forest_parcels",),
    "resettlement_sites": ("ql4b_segments",),
    "ql4b_stations": ("ql4b_segments",),
    "accidents": ("ql4b_segments",),
    "cluster_plots": ("cluster_boundary",),
}


class AtlasError(ValueError):
    """A selection that makes no atlas (nothing selected, too many pages, no such layer)."""


def _bbox(geom: object, min_span: float = 0.012) -> tuple[float, float, float, float]:
    """The feature's extent with room around it: a third of its size each side, at least ~1.3 km across
    (a point: ~3 km, so that its surroundings show).
    """
    w, s, e, n = geom.bounds  # type: ignore[attr-defined]
    if w == e and s == n:
        min_span = max(min_span, 0.03)
    cx, cy = (w + e) / 2, (s + n) / 2
    half_x = max((e - w) * (0.5 + 1 / 3), min_span / 2)
    half_y = max((n - s) * (0.5 + 1 / 3), min_span / 2)
    return (cx - half_x, cy - half_y, cx + half_x, cy + half_y)


def _chosen(reader: Reader, layer_id: str, keys: Sequence[str] | None) -> gpd.GeoDataFrame:
    """The features of ``layer_id`` an atlas of ``keys`` (None: of every feature) pages, in the layer's order,
    those without a drawable shape left out: ``keys`` are found by the store; a key it spells otherwise than
    the map does (a number's decimals) sends the layer to be read whole and matched here, as the map matches.
    """
    spec = reader.catalog[layer_id]
    if keys is not None:
        found = clean_geometries(reader.features(layer_id, keys))
        if set(keys) <= set(feature_keys(spec, found)):
            return found
    whole = clean_geometries(reader.read(layer_id))
    if keys is None:
        return whole
    wanted = set(keys)
    return whole[[k in wanted for k in feature_keys(spec, whole)]]


def _feature_page(
    reader: Reader,
    frames: Mapping[str, gpd.GeoDataFrame],
    layer_id: str,
    row: Any,
    key: str,
    lang: Lang,
    page: int,
    total: int,
    prov: Provenance,
    names: dict[str, str],
) -> Figure:
    spec = reader.catalog[layer_id]
    demo = prov.share((*drawn_layers(CONTEXT, reader.units), *NEAR.get(layer_id, ()), layer_id))
    fig = page_figure(
        f"{spec.title(lang)} — {key}", lang, page, total, prov, demo, t("atlas.title", lang, layer=spec.title(lang))
    )
    context = drawn_layers(CONTEXT, reader.units)
    layers = tuple(dict.fromkeys(lid for lid in (*context, *NEAR.get(layer_id, ()), layer_id) if lid in frames))
    req = MapRequest(
        layers, key, lang=lang, bbox=_bbox(row.geometry), selected=(layer_id, key), fade=True, catalog=reader.catalog
    )
    frames = {lid: clip(f, req.bbox) for lid, f in frames.items()}  # the page's surroundings, not the province
    map_panel(fig, req, frames, (0.03, 0.15, 0.39, 0.74), (0.43, 0.15, 0.12, 0.74))  # its legend beside it
    footer(fig, req, prov, (0.03, 0.045, 0.5, 0.085), badge=False)
    fig.text(0.56, 0.89, t("atlas.record", lang), fontsize=10, fontweight="bold", va="top")
    y = record_lines(fig, 0.56, 0.85, record(spec, row, None, lang, names), 0.41, 0.42)
    changes = feature_history(reader.location, layer_id, key)
    if not reader.sensitive:
        changes = redact_rows(changes)
    lines = []
    for r in reversed(changes):  # the latest first: what a page has room for is what matters now
        what, old, new = change_text(spec, r.field, r.old, r.new, lang)
        when = fmt_date(dt.date.fromisoformat(r.ts[:10]), lang)
        lines.append(f"{when} · {r.user}: {what} {old} → {new}" + (f" ({r.reason})" if r.reason else ""))
    top = y - 0.03
    photo = _photo(fig, reader.location, layer_id, key, lang)  # the latest field photo, bottom right
    text_block(
        fig, 0.56, top, t("atlas.history", lang), lines or [t("atlas.no_history", lang)], lang, 88,
        0.26 if photo else 0.06, 0.02,
    )  # fmt: skip
    return fig


def _photo(fig: Figure, location: Any, layer_id: str, key: str, lang: Lang) -> bool:
    """The feature's latest photo from the field, with who brought it back and when; False if it has none."""
    from PIL import Image

    from geo.field.packages import photos

    found = photos(location, layer_id, key)
    if not found:
        return False
    p = found[-1]
    try:
        image = Image.open(io.BytesIO(p.data))
        image.thumbnail((800, 800))
    except OSError:
        return False
    ax = fig.add_axes((0.56, 0.07, 0.41, 0.16))
    ax.imshow(image)
    ax.set_axis_off()
    caption = t("field.photo_caption", lang, name=p.name, by=p.by, at=fmt_date(history.local_day(p.at), lang))
    fig.text(0.56, 0.055, f"{t('field.photos', lang)}: {caption}", fontsize=6.5, va="top", color="#4f5863")
    return True


def commune_page(
    store: Reader,
    frames: Mapping[str, gpd.GeoDataFrame],
    code: str,
    lang: Lang,
    page: int,
    total: int,
    prov: Provenance,
) -> Figure:
    """The pack's atlas, a commune a page: its map with its legend, its criteria (by the communes of 1/7/2025:
    those of each 2024 unit it was formed from), its forest parcels and disputes.
    """
    base = UNIT_LAYERS[store.units]
    units = frames[base].set_index("code")
    name = str(units.loc[code, "name"])
    layers = (base, "forest_parcels", "land_disputes", "ql4b_segments", "rural_roads")
    demo = prov.share(layers)
    fig = page_figure(name, lang, page, total, prov, demo)
    bbox = tuple(float(v) for v in units.loc[[code]].total_bounds)
    pad = 0.02
    req = MapRequest(
        layers,
        name,
        lang=lang,
        bbox=(bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad),
        selected=(base, code),
        catalog=store.catalog,
    )
    map_panel(fig, req, frames, (0.03, 0.07, 0.44, 0.8), (0.48, 0.07, 0.15, 0.8))
    ntm = frames["ntm_commune"]
    crit = frames["ntm_criteria"]
    crit = crit[crit.level == "commune"].set_index("criterion")
    x = 0.645
    if store.units == "2025" and "commune_2025" in ntm.columns:  # criteria are assessed per 2024 unit
        names = unit_names(store)
        cross = store.read("unit_crosswalk")
        assessed = set(ntm.unit_code.astype(str))
        lines = []
        for r in cross[cross.new_code.astype(str) == code].itertuples():
            old = str(r.old_code)
            part = "" if r.share >= 1 else f" ({fmt_pct(100 * r.share, lang)})"
            met = (
                ": " + t("ntm.of", lang, met=len(panels.unit_card(ntm, old).met), total=panels.COMMUNE_CRITERIA)
                if old in assessed
                else ""
            )
            lines.append(f"{names.get(f'2024:{old}', old)}{part}{met}")
        y = text_block(fig, x, 0.86, t("units.formed_from", lang), lines or ["–"], lang, 60, 0.4)
    else:
        card = panels.unit_card(ntm, code)
        lines = [
            ("✓ " if c in card.met else "✗ ") + f"{c}. {crit.loc[c, 'name_vi' if lang == 'vi' else 'name_en']}"
            for c in range(1, panels.COMMUNE_CRITERIA + 1)
        ]
        fig.text(
            x,
            0.86,
            t("ntm.of", lang, met=len(card.met), total=panels.COMMUNE_CRITERIA),
            fontsize=10,
            fontweight="bold",
            va="top",
        )
        fig.text(x, 0.82, "\n".join(lines), fontsize=6.3, va="top", linespacing=1.35, family="DejaVu Sans")
        y = 0.36
    parcels = frames["forest_parcels"]
    parcels = parcels[parcels.unit_code.astype(str) == code]
    disputes = frames["land_disputes"]
    disputes = disputes[disputes.unit_code.astype(str) == code]
    fp, ld = store.catalog["forest_parcels"], store.catalog["land_disputes"]
    other = [
        f"{p.parcel_id}: {fmt_number(p.area_ha, lang)} ha — {format_value(fp, 'status', p.status, lang)}"
        for p in parcels.itertuples()
    ]
    other += [f"{d.dispute_id}: {format_value(ld, 'status', d.status, lang)}" for d in disputes.itertuples()]
    text_block(fig, x, y, THEMES["forest"][lang], other or ["–"], lang, width=70, bottom=0.04)
    return fig


def atlas(
    store: Store,
    layer_id: str,
    where: Mapping[str, Sequence[object]] | None = None,
    lang: Lang = "vi",
    sensitive: bool = True,
    as_of: str | dt.date | dt.datetime | None = None,
    keys: Sequence[str] | None = None,
    today: dt.date | None = None,
    title: str | None = None,
    units: reform.Units | None = None,
) -> bytes:
    """The atlas of ``layer_id``'s features that ``where`` selects (field → accepted values; ``keys``: those
    features only) as PDF bytes; a viewer's atlas (``sensitive=False``) leaves out sensitive fields and their
    history. Its maps draw, and its records name, the 2024 units or the communes of 1/7/2025 (``units``;
    default: those in force on the day shown). ``AtlasError`` when the selection is empty, too large or not a
    map layer.
    """
    if layer_id not in store.catalog or not store.catalog[layer_id].is_spatial or not store.has(layer_id):
        raise AtlasError(t("atlas.no_layer", lang, layer=layer_id))
    when = history.moment(as_of) if as_of else None
    day = when.astimezone(history.VIETNAM).date() if when else None
    reader = Reader(store, sensitive, when, units or units_in_force(store, day))
    spec = store.catalog[layer_id]
    if where and keys is None:  # the store picks what may pass (a commune's parcels of a province's cadastre)
        found = reader.keys_where(layer_id, where)
        if found is not None and len(found) <= KEYS_READ:
            keys = found
    chosen = _chosen(reader, layer_id, keys)
    if where:
        chosen = apply_filters(spec, chosen, dict(where))
    ids = feature_keys(spec, chosen)
    if not len(chosen):
        raise AtlasError(t("atlas.empty", lang))
    if len(chosen) > MAX_PAGES:
        raise AtlasError(t("atlas.too_many", lang, n=fmt_number(len(chosen), lang), max=MAX_PAGES))
    context = drawn_layers(CONTEXT, reader.units)
    # What the pages show around their features, read once over the pages' extent (a province's cadastre is
    # read where the pages look, not whole) and indexed: each page takes its surroundings through the index.
    pages = [_bbox(g) for g in chosen.geometry]
    extent = (min(b[0] for b in pages), min(b[1] for b in pages), max(b[2] for b in pages), max(b[3] for b in pages))
    frames = read_frames(reader, (*context, *NEAR.get(layer_id, ()), layer_id), extent)
    frames[layer_id] = clean_geometries(frames[layer_id])
    for frame in frames.values():
        frame.sindex  # noqa: B018 - built once
    names = unit_names(reader)
    prov = Provenance(store.meta(), today or dt.date.today(), day)
    total = 1 + len(chosen)
    buf = io.BytesIO()
    heading = title or t("atlas.title", lang, layer=spec.title(lang))
    with pdf_pages(buf, heading) as pdf:
        demo = prov.share((*context, layer_id))
        cover = page_figure(heading, lang, 1, total, prov, demo, heading)
        fields = {fld.name for fld in spec.fields}
        chosen_by = "; ".join(
            f"{spec.field(f).label(lang)} = {', '.join(format_value(spec, f, x, lang, names) for x in v)}"
            for f, v in (where or {}).items()
            if f in fields
        )
        intro = [t("atlas.count", lang, n=fmt_number(len(chosen), lang))]
        if chosen_by:
            intro.append(t("atlas.where", lang, what=chosen_by))
        if day:
            intro.append(f"{t('export.at', lang)}: {fmt_date(day, lang)}")
        y = text_block(cover, 0.03, 0.86, t("pack.contents", lang), intro, lang, 120, 0.06, 0.022)
        toc = [f"{k} — {t('pack.page_short', lang, n=i + 2)}" for i, k in enumerate(ids)]
        text_block(cover, 0.03, y, spec.title(lang), toc, lang, 120, 0.06, 0.02)
        pdf.savefig(cover)
        for i, ((_, row), key) in enumerate(zip(chosen.iterrows(), ids, strict=True)):
            pdf.savefig(_feature_page(reader, frames, layer_id, row, key, lang, i + 2, total, prov, names))
    return buf.getvalue()
