"""QGIS itself opens the store, an export and a field package as the app draws them, and edits a package as
QField does; the result merges back. Debian's PyQGIS runs headless in a subprocess (tests/qgis_client.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import shapely

from geo.field import packages as field
from geo.model.catalog import CATALOG, LayerSpec
from geo.store import changelog
from geo.store.reads import Store
from geo.store.transfer import copy_store
from tests.conftest import NOTICE_STORE, ROOT

CLIENT = ROOT / "tests" / "qgis_client.py"
QGIS_PYTHON = "/usr/bin/python3"


def _qgis(*args: str, tz: str = "UTC") -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TZ": tz}
    env.pop("PYTHONPATH", None)
    run = subprocess.run([QGIS_PYTHON, str(CLIENT), *args], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def _pyqgis() -> None:
    run = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail("PyQGIS is missing: `make qgis` installs Debian's python3-qgis")


def _assert_drawn_as_the_app(spec: LayerSpec, got: dict, codes: bool = True) -> None:
    """The layer QGIS read: valid in WGS 84, categories in the app's colours with their dashes and hatching,
    labels, Vietnamese aliases, drop-downs on coded fields, only the catalog's editable fields editable.
    """
    assert got["valid"] and got["crs"] == "EPSG:4326", got["name"]
    if spec.status_field:
        assert got["renderer"] == "categorizedSymbol", spec.id
        cats = {c["value"]: c for c in got["categories"]}
        for s in spec.statuses:
            c = cats[s.value if codes else s.label("vi")]
            assert c["label"] == s.label("vi") and s.color in c["colors"], (spec.id, s.value, c)
            if s.dash:
                assert any(d for d in c["dash"]), (spec.id, s.value)
            if s.hatch:
                assert any(b not in (-1, 1) for b in c["brush"]), (spec.id, s.value)  # a pattern, not a solid brush
    assert got["labels"] == bool(spec.label_field), spec.id
    if not codes:
        return
    for f in spec.fields:
        if f.derived:
            continue
        shown = got["fields"][f.name]
        assert shown["alias"] == f.label("vi"), (spec.id, f.name)
        assert shown["editable"] == (f.name in spec.editable), (spec.id, f.name)
        codes_ = spec.codes(f.name)
        if codes_:
            assert shown["widget"] == "ValueMap", (spec.id, f.name)
            pairs = [next(iter(m.items())) for m in shown["config"]["map"]]
            assert pairs == [(s.label("vi"), s.value) for s in codes_], (spec.id, f.name)


def test_the_store_opens_in_qgis_as_the_app_draws_it() -> None:
    for spec in CATALOG.spatial():
        got = _qgis("layer", f"{NOTICE_STORE}|layername={spec.id}", "ogr")
        _assert_drawn_as_the_app(spec, got)


def test_a_geopackage_export_opens_in_qgis_with_the_app_colours(tmp_path: Path) -> None:
    out = tmp_path / "xuat.gpkg"
    layers = "forest_parcels,ql4b_segments,land_disputes,units"
    run = subprocess.run(
        [sys.executable, "-m", "geo", "export", str(out), "--store", str(NOTICE_STORE), "--layers", layers],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for lid in layers.split(","):
        got = _qgis("layer", f"{out}|layername={lid}", "ogr")
        _assert_drawn_as_the_app(CATALOG[lid], got, codes=False)


def test_a_postgis_store_opens_in_qgis_with_the_same_styles(pg_cluster) -> None:
    target = pg_cluster.database()
    copy_store(NOTICE_STORE, target)  # as a province moves its store to its server
    url = urlsplit(target)
    for lid in ("forest_parcels", "ql4b_segments", "land_disputes"):
        spec = CATALOG[lid]
        source = (
            f"dbname='{url.path.lstrip('/')}' host={url.hostname} port={url.port} user='{url.username}' "
            f'key=\'fid\' srid=4326 type={spec.geometry} table="public"."{lid}" (geom)'
        )
        _assert_drawn_as_the_app(spec, _qgis("layer", source, "postgres"))


def test_a_package_edited_in_qgis_as_qfield_does_merges_back(any_store, tmp_path: Path) -> None:
    pkg = tmp_path / "goi.zip"
    field.pack(any_store, pkg, ["forest_parcels", "land_disputes"], unit="06628")
    folder = tmp_path / "phone"
    with zipfile.ZipFile(pkg) as zf:
        zf.extractall(folder)
    project = folder / "dinhlap_thucdia.qgz"

    opened = _qgis("project", str(project))
    assert opened["read"] and opened["crs"] == "EPSG:4326"
    layers = {lyr["name"]: lyr for lyr in opened["layers"]}
    for lid in ("forest_parcels", "land_disputes"):
        got = layers[CATALOG[lid].vi]
        _assert_drawn_as_the_app(CATALOG[lid], got)
        assert got["fields"][field.PHOTO_FIELD]["widget"] == "ExternalResource" and not got["read_only"]
    for lid in ("units", "communes_2025"):  # context: read-only
        assert layers[CATALOG[lid].vi]["valid"] and layers[CATALOG[lid].vi]["read_only"]

    photo = tmp_path / "hien_truong.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200) + b"\xff\xd9")
    new_wkt = "POLYGON ((107.10 21.55, 107.11 21.55, 107.11 21.56, 107.10 21.56, 107.10 21.55))"
    edits = [
        {
            "layer": CATALOG["forest_parcels"].vi,
            "key_field": "parcel_id",
            "attributes": {"LN-01": {"status": "disputed", "planned_use": "Trồng keo"}},
            "reshape": {"LN-01": 0.9},
            "delete": ["LN-02"],
            "add": [
                {
                    "attributes": {
                        "unit_code": "06628",
                        "area_ha": 3.5,
                        "decision": "QĐ 12/2024",
                        "handover_date": "2024-05-01",
                        "planned_use": "Rừng sản xuất",
                        "status": "handed_over",
                    },
                    "wkt": new_wkt,
                    "photo": str(photo),
                    "photo_field": field.PHOTO_FIELD,
                }
            ],
        },
        {
            "layer": CATALOG["land_disputes"].vi,
            "key_field": "dispute_id",
            "attributes": {"TC-06": {"status": "mediating"}},
            "move": {"TC-06": [0.001, 0.0005]},
            "photos": {"TC-06": {"file": str(photo), "field": field.PHOTO_FIELD}},
        },
    ]
    (tmp_path / "edits.json").write_text(json.dumps(edits, ensure_ascii=False))
    saved = _qgis("edit", str(project), str(tmp_path / "edits.json"), tz="Asia/Ho_Chi_Minh")
    assert saved["saved"] and all(v["committed"] for k, v in saved.items() if k != "saved"), saved

    before = Store(any_store).read("land_disputes").set_index("dispute_id").loc["TC-06"].geometry
    back = tmp_path / "ve.zip"
    with zipfile.ZipFile(back, "w") as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder).as_posix())
    merge = [sys.executable, "-m", "geo", "field", "merge", str(back), "--json", "--store", str(any_store)]
    run = subprocess.run(
        [*merge, "--user", "Địa chính xã Đình Lập"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    # status, planned use, the reshape; status, the move: five single changes
    assert json.loads(run.stdout) == {"applied": 5, "added": 1, "deleted": 1, "conflicts": 0}

    store = Store(any_store)
    parcels = store.read("forest_parcels").set_index("parcel_id")
    assert parcels.loc["LN-01", "status"] == "disputed" and "LN-02" not in parcels.index
    added = parcels[parcels.index.str.startswith("FOR-TT-")]
    assert len(added) == 1 and added.iloc[0]["planned_use"] == "Rừng sản xuất"
    assert shapely.equals_exact(added.iloc[0].geometry, shapely.from_wkt(new_wkt), 1e-9)
    moved = store.read("land_disputes").set_index("dispute_id").loc["TC-06"].geometry
    assert moved.x == pytest.approx(before.x + 0.001) and moved.y == pytest.approx(before.y + 0.0005)
    log = changelog.history(any_store, "forest_parcels", "LN-01")
    assert {r.field for r in log} >= {"status", "planned_use", "geom"}
    assert {r.user for r in log} == {"Địa chính xã Đình Lập"}
    assert [p.mime for p in field.photos(any_store, "land_disputes", "TC-06")] == ["image/jpeg"]
    assert len(field.photos(any_store, "forest_parcels", added.index[0])) == 1
