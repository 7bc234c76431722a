"""The catalog is consistent with itself and with the store it describes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo.model.catalog import CATALOG, OVERVIEW_LAYERS, THEME_LAYERS, LayerSpec
from geo.model.values import is_empty
from geo.read.access import read_layer
from geo.store.reads import Store

SPECS = list(CATALOG.values())
HEX = re.compile(r"^#[0-9a-f]{6}$")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_every_named_field_is_declared(spec: LayerSpec) -> None:
    names = {f.name for f in spec.fields}
    used = {*spec.tooltip, *spec.popup, *spec.filters, *spec.key.split(",")}
    used |= {n for n in (spec.status_field, spec.label_field) if n}
    used |= {n for n, _ in spec.coded}
    used |= set(spec.editable)
    assert not set(spec.editable) & {*spec.key.split(","), *(f.name for f in spec.fields if f.derived)}
    assert used <= names, used - names


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_statuses_are_unique_and_coloured(spec: LayerSpec) -> None:
    for field in (spec.status_field, *[n for n, _ in spec.coded]):
        codes = spec.codes(field)
        assert len({s.value for s in codes}) == len(codes)
        assert all(HEX.match(s.color) and s.vi and s.en for s in codes)
    assert bool(spec.statuses) == (spec.status_field is not None)


def test_theme_and_overview_layers_exist() -> None:
    for ids in [*THEME_LAYERS.values(), OVERVIEW_LAYERS]:
        assert set(ids) <= set(CATALOG)


_KINDS = {
    "str": lambda s: pd.api.types.is_string_dtype(s) or s.isna().all(),
    # An integer column with empty values reads back as float: every value present must be whole.
    "int": lambda s: (
        pd.api.types.is_integer_dtype(s) or (pd.api.types.is_float_dtype(s) and bool((s.dropna() % 1 == 0).all()))
    ),
    "float": pd.api.types.is_numeric_dtype,
    "bool": pd.api.types.is_bool_dtype,
    "date": lambda s: pd.api.types.is_string_dtype(s) or pd.api.types.is_datetime64_any_dtype(s),
}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_demo_store_follows_the_catalog(store: Store, spec: LayerSpec) -> None:
    frame = store.read(spec.id)
    for f in (f for f in spec.fields if not f.derived):
        assert f.name in frame.columns, f"{spec.id}.{f.name} missing"
        every_empty = frame[f.name].map(is_empty).all()  # NULL throughout: any kind (a column of None is object)
        assert every_empty or _KINDS[f.kind](frame[f.name]), (
            f"{spec.id}.{f.name} is {frame[f.name].dtype}, not {f.kind}"
        )
        if f.required:
            assert not frame[f.name].map(is_empty).any(), f"{spec.id}.{f.name} has empty values"
    keys = spec.key.split(",")
    assert not frame.duplicated(keys).any(), f"{spec.id}: duplicate key"
    if spec.status_field:  # a derived status (a parcel's land-use group) as every reader reads it
        shown = read_layer(store, spec.id, True) if spec.field(spec.status_field).derived else frame
        assert set(shown[spec.status_field]) <= {s.value for s in spec.statuses}
        assert shown[spec.status_field].notna().all()
    for name, codes in spec.coded:
        if name in frame.columns:
            assert set(frame[name].dropna()) <= {s.value for s in codes}, f"{spec.id}.{name}"
    if spec.is_spatial:
        assert set(frame.geometry.geom_type) == {spec.geometry}
        assert frame.geometry.is_valid.all()


def test_english_labels_carry_english_units() -> None:
    seg = CATALOG["ql4b_segments"]
    assert seg.field("households_affected").label("en") == "Households affected (households)"
    assert seg.field("households_affected").label("vi") == "Hộ bị ảnh hưởng (hộ)"
    viet = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    units = {f.unit_text("en") for spec in CATALOG.values() for f in spec.fields if f.unit}
    assert not [u for u in units if viet.search(u)], units


def test_a_planners_areas_lie_under_the_thematic_layers_and_its_points_over_them() -> None:
    """Areas under every thematic layer (no tint on a status colour); points and lines over them, where a
    click reaches them."""
    from geo.model.catalog import CATALOG, overlay_spec

    fields = [("ma", "Mã", "text")]
    areas = overlay_spec("khu", "Khu", "Areas", "Polygon", fields, "#e41a1c")
    points = overlay_spec("diem", "Điểm", "Points", "Point", fields, "#e41a1c")
    thematic = [CATALOG[lid].z for lid in ("forest_parcels", "cadastral_parcels", "land_disputes", "ql4b_segments")]
    assert areas.z < min(thematic) and points.z > max(thematic)
