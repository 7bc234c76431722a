"""The field round trip on both stores: packages out, three-way merges back, conflicts held for a planner.

The teams' edits here are written straight into the returned GeoPackage (as any GeoPackage client writes it);
tests/field/test_qgis.py makes them with QGIS itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
import shapely

from geo.command.cli import main
from geo.field import packages as field
from geo.printing.atlas import atlas
from geo.read import history
from geo.read.access import Reader
from geo.read.board import store_alerts
from geo.store import changelog, db, edit
from geo.store.reads import Store
from tests.conftest import ROOT, store_digest

FIELD_LAYERS = ["forest_parcels", "land_disputes"]
UNIT = "06628"  # Xã Đình Lập: two forest parcels (LN-01, LN-02) and one dispute (TC-06)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m geo ARGS`` through the command line's own entry (what ``geo/__main__.py`` exits with), run in
    this process: its exit code and what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse's refusal of bad arguments: exit code 2, as the process exits
            code = stop.code if isinstance(stop.code, int) else 2
    return subprocess.CompletedProcess(["python", "-m", "geo", *args], code, out.getvalue(), err.getvalue())


def _unpack(package: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(folder)
    return folder / f"{field.PACKAGE_NAME}.gpkg"


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder).as_posix())
    return out


def _team(package: Path, tmp: Path, name: str, edits: dict, photo: bytes | None = None) -> Path:
    """A team's returned package: ``edits`` = {layer: {key: {field: value}}}, a feature's value ``None`` for
    the whole feature deleted; ``photo`` attached to the first edited feature.
    """
    gpkg = _unpack(package, tmp / name)
    con = sqlite3.connect(gpkg)
    db.register_gpkg_functions(con)
    for layer, by_key in edits.items():
        key_field = {"forest_parcels": "parcel_id", "land_disputes": "dispute_id"}[layer]
        for key, values in by_key.items():
            if values is None:
                con.execute(f'DELETE FROM "{layer}" WHERE "{key_field}" = ?', (key,))
                continue
            for name_, value in values.items():
                if name_ == "geom":
                    blob = db.blob_from_wkb(shapely.to_wkb(shapely.from_wkt(value)))
                    con.execute(f'UPDATE "{layer}" SET geom = ? WHERE "{key_field}" = ?', (blob, key))
                else:
                    con.execute(f'UPDATE "{layer}" SET "{name_}" = ? WHERE "{key_field}" = ?', (value, key))
            con.execute(
                f'UPDATE "{layer}" SET "{field.EDITED_FIELD}" = ? WHERE "{key_field}" = ?', ("2099-01-01T08:00:00", key)
            )
            if photo is not None:
                (gpkg.parent / "DCIM").mkdir(exist_ok=True)
                (gpkg.parent / "DCIM" / f"{key}.jpg").write_bytes(photo)
                con.execute(
                    f'UPDATE "{layer}" SET "{field.PHOTO_FIELD}" = ? WHERE "{key_field}" = ?', (f"DCIM/{key}.jpg", key)
                )
                photo = None
    con.commit()
    con.close()
    return _zip(gpkg.parent, tmp / f"{name}.zip")


def _value(location, layer: str, key: str, name: str):
    frame = Store(location).read(layer)
    key_field = {"forest_parcels": "parcel_id", "land_disputes": "dispute_id"}[layer]
    return frame.set_index(key_field).loc[key, name]


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 40, 40)).save(buf, "JPEG")
    return buf.getvalue()


JPEG = _jpeg()


def test_two_teams_either_order_everything_lands_and_the_one_collision_waits(any_store, tmp_path: Path) -> None:
    a = field.pack(any_store, tmp_path / "a.zip", FIELD_LAYERS, unit=UNIT)
    b = field.pack(any_store, tmp_path / "b.zip", FIELD_LAYERS, unit=UNIT)
    assert a.features == {"forest_parcels": 2, "land_disputes": 1} and a.package != b.package
    team_a = _team(
        tmp_path / "a.zip",
        tmp_path,
        "ra",
        {"forest_parcels": {"LN-01": {"status": "disputed"}}, "land_disputes": {"TC-06": {"kind": "Lấn chiếm"}}},
        photo=JPEG,
    )
    team_b = _team(
        tmp_path / "b.zip",
        tmp_path,
        "rb",
        {"forest_parcels": {"LN-01": {"status": "handed_over", "planned_use": "Trồng keo"}}},
    )
    # the office meanwhile: a change of its own to a field neither team touched
    edit.edit(any_store, "forest_parcels", "LN-02", {"planned_use": "Văn phòng sửa"}, "planner")

    first = field.merge(any_store, team_b, "Đội B")
    assert first.counts() == {"applied": 2, "added": 0, "deleted": 0, "conflicts": 0}
    second = field.merge(any_store, team_a, "Đội A")  # its base is the status before team B's change
    assert second.counts() == {"applied": 1, "added": 0, "deleted": 0, "conflicts": 1}

    assert _value(any_store, "forest_parcels", "LN-01", "status") == "handed_over"  # held, not overwritten
    assert _value(any_store, "forest_parcels", "LN-01", "planned_use") == "Trồng keo"
    assert _value(any_store, "land_disputes", "TC-06", "kind") == "Lấn chiếm"
    assert _value(any_store, "forest_parcels", "LN-02", "planned_use") == "Văn phòng sửa"
    by = {(r.feature, r.field): r.user for r in changelog.history(any_store, "forest_parcels", "LN-01")}
    assert by[("LN-01", "planned_use")] == "Đội B"
    assert changelog.history(any_store, "land_disputes", "TC-06")[-1].user == "Đội A"
    photos = field.photos(any_store, "forest_parcels", "LN-01")
    assert [p.data for p in photos] == [JPEG] and photos[0].by == "Đội A"
    # the feature's atlas page shows it; another feature's page has no picture
    with_photo = atlas(Store(any_store), "forest_parcels", keys=["LN-01"])
    assert b"/Subtype /Image" in with_photo
    assert b"/Subtype /Image" not in atlas(Store(any_store), "forest_parcels", keys=["LN-02"])

    (held,) = field.conflicts(any_store)
    assert (held.layer, held.feature, held.attribute) == ("forest_parcels", "LN-01", "status")
    assert (held.base, held.office, held.incoming, held.by) == ("allocated", "handed_over", "disputed", "Đội A")
    assert any(a.kind == "field" for a in store_alerts(Reader(Store(any_store), True), dt.date(2026, 1, 1), "vi"))

    before = history.stamp(dt.datetime.now(dt.UTC))
    field.resolve(any_store, held.id, "incoming", "lanh_dao")
    assert _value(any_store, "forest_parcels", "LN-01", "status") == "disputed"
    assert field.conflicts(any_store) == [] and not any(
        a.kind == "field" for a in store_alerts(Reader(Store(any_store), True), dt.date(2026, 1, 1), "vi")
    )
    steps = [
        (r.user, r.old, r.new) for r in changelog.history(any_store, "forest_parcels", "LN-01") if r.field == "status"
    ]
    assert steps == [("Đội B", "allocated", "handed_over"), ("lanh_dao", "handed_over", "disputed")]
    decision = changelog.history(any_store, "forest_parcels", "LN-01")[-1]
    assert "handed_over" in decision.reason and "Đội A" in decision.reason  # the value not kept, in the audit
    # the time machine: before the decision the office's value, after it the field's
    frame = Store(any_store).read("forest_parcels")
    spec = Store(any_store).catalog["forest_parcels"]
    then = history.as_of(any_store, "forest_parcels", spec, frame, history.moment(before))
    assert then.set_index("parcel_id").loc["LN-01", "status"] == "handed_over"


def test_keeping_the_office_value_changes_nothing_and_keeps_the_field_value_in_the_audit(any_store, tmp_path) -> None:
    field.pack(any_store, tmp_path / "p.zip", ["land_disputes"], unit=UNIT)
    back = _team(tmp_path / "p.zip", tmp_path, "r", {"land_disputes": {"TC-06": {"status": "open"}}})
    edit.edit(any_store, "land_disputes", "TC-06", {"status": "mediating"}, "planner")
    assert field.merge(any_store, back, "Đội C").conflicts == 1
    (held,) = field.conflicts(any_store)
    field.resolve(any_store, held.id, "office", "lanh_dao")
    assert _value(any_store, "land_disputes", "TC-06", "status") == "mediating"
    last = changelog.history(any_store, "land_disputes", "TC-06")[-1]
    assert (last.user, last.old, last.new) == ("lanh_dao", "mediating", "mediating") and "'open'" not in last.reason
    assert "open" in last.reason
    with pytest.raises(field.FieldError):
        field.resolve(any_store, held.id, "incoming", "lanh_dao")  # settled once


def test_the_same_package_twice_changes_nothing(any_store, tmp_path: Path) -> None:
    field.pack(any_store, tmp_path / "p.zip", FIELD_LAYERS, unit=UNIT)
    back = _team(
        tmp_path / "p.zip", tmp_path, "r", {"forest_parcels": {"LN-01": {"status": "disputed"}, "LN-02": None}}
    )
    edit.edit(any_store, "land_disputes", "TC-06", {"kind": "x"}, "planner")  # nothing the team changed
    assert field.merge(any_store, back, "Đội").counts() == {"applied": 1, "added": 0, "deleted": 1, "conflicts": 0}
    digest = store_digest(any_store)
    again = field.merge(any_store, back, "Đội")
    assert again.counts() == {"applied": 0, "added": 0, "deleted": 0, "conflicts": 0}
    assert store_digest(any_store) == digest


def test_a_feature_deleted_in_the_field_but_changed_in_the_office_waits(any_store, tmp_path: Path) -> None:
    field.pack(any_store, tmp_path / "p.zip", ["forest_parcels"], unit=UNIT)
    back = _team(tmp_path / "p.zip", tmp_path, "r", {"forest_parcels": {"LN-02": None}})
    edit.edit(any_store, "forest_parcels", "LN-02", {"status": "allocated"}, "planner")
    res = field.merge(any_store, back, "Đội")
    assert (res.deleted, res.conflicts) == (0, 1)
    (held,) = field.conflicts(any_store)
    assert held.attribute == "*" and held.incoming is None and held.office["status"] == "allocated"
    field.resolve(any_store, held.id, "incoming", "lanh_dao")
    assert "LN-02" not in set(Store(any_store).read("forest_parcels").parcel_id)
    # the whole row is in the log: a rollback to before the decision puts it back
    assert changelog.history(any_store, "forest_parcels", "LN-02")[-1].old["status"] == "allocated"


@pytest.mark.parametrize("kind", ["not_zip", "truncated", "not_package", "other_store", "schema"])
def test_a_broken_package_changes_nothing(any_store, tmp_path: Path, kind: str) -> None:
    field.pack(any_store, tmp_path / "p.zip", FIELD_LAYERS, unit=UNIT)
    back = _team(tmp_path / "p.zip", tmp_path, "r", {"forest_parcels": {"LN-01": {"status": "disputed"}}})
    bad = tmp_path / "bad.zip"
    if kind == "not_zip":
        bad.write_bytes(b"PK\x03\x04 this is not a zip")
    elif kind == "truncated":
        data = back.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif kind == "not_package":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("notes.txt", "hello")
    elif kind == "other_store":
        other = tmp_path / "other.gpkg"
        other.write_bytes(Path(ROOT / "data" / "dinhlap.gpkg").read_bytes())
        field.pack(other, tmp_path / "o.zip", FIELD_LAYERS, unit=UNIT)
        bad = _team(tmp_path / "o.zip", tmp_path, "ro", {"forest_parcels": {"LN-01": {"status": "disputed"}}})
    else:  # the team's copy lost a column the merge needs
        gpkg = _unpack(back, tmp_path / "s")
        con = sqlite3.connect(gpkg)
        db.register_gpkg_functions(con)
        con.execute('ALTER TABLE forest_parcels DROP COLUMN "status"')
        con.commit()
        con.close()
        bad = _zip(gpkg.parent, tmp_path / "schema.zip")
    digest = store_digest(any_store)
    run = _cli("field", "merge", str(bad), "--user", "Đội", "--store", str(any_store), "--json")
    assert run.returncode == 2, run.stderr
    assert "Kho không thay đổi" in run.stderr and "The store is unchanged" in run.stderr
    assert store_digest(any_store) == digest


def test_the_command_line_packs_merges_lists_and_settles(any_store, tmp_path: Path) -> None:
    out = tmp_path / "p.zip"
    run = _cli(
        "field",
        "pack",
        str(out),
        "--layers",
        "forest_parcels",
        "--where",
        "status=allocated",
        "--store",
        str(any_store),
    )
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        readme = zf.read("DOC_TRUOC.txt").decode()
    assert {"dinhlap_thucdia.qgz", "dinhlap_thucdia.gpkg", "DCIM/", "DOC_TRUOC.txt"} <= names
    assert "QField" in readme
    box = ("--bbox", "107.0,21.5,107.2,21.7", "--store", str(any_store), "--json")
    packed = json.loads(_cli("field", "pack", str(tmp_path / "x.zip"), "--layers", "forest_parcels", *box).stdout)
    assert packed["features"]["forest_parcels"] > 0
    assert (
        _cli("field", "pack", str(tmp_path / "y.zip"), "--layers", "units", "--store", str(any_store)).returncode == 2
    )
    keys = sorted(Store(any_store).read("forest_parcels").query("status == 'allocated'").parcel_id)
    back = _team(out, tmp_path, "r", {"forest_parcels": {keys[0]: {"planned_use": "Trồng quế"}}})
    edit.edit(any_store, "forest_parcels", keys[0], {"planned_use": "Văn phòng"}, "planner")
    run = _cli("field", "merge", str(back), "--user", "Đội", "--json", "--store", str(any_store))
    assert run.returncode == 1 and json.loads(run.stdout) == {"applied": 0, "added": 0, "deleted": 0, "conflicts": 1}
    listed = json.loads(_cli("field", "conflicts", "--json", "--store", str(any_store)).stdout)
    assert [set(c) for c in listed] == [
        {"id", "layer", "feature", "attribute", "base", "office", "incoming", "by", "at"}
    ]
    assert listed[0]["office"] == "Văn phòng" and listed[0]["incoming"] == "Trồng quế"
    cid = str(listed[0]["id"])
    assert _cli("field", "resolve", "999", "--keep", "office", "--user", "x", "--store", str(any_store)).returncode == 2
    run = _cli("field", "resolve", cid, "--keep", "incoming", "--user", "lanh_dao", "--store", str(any_store))
    assert run.returncode == 0, run.stderr
    assert _value(any_store, "forest_parcels", keys[0], "planned_use") == "Trồng quế"
    assert _cli("field", "resolve", cid, "--keep", "office", "--user", "x", "--store", str(any_store)).returncode == 1


def test_a_change_is_audited_at_the_moment_the_package_recorded(any_store, tmp_path: Path) -> None:
    field.pack(any_store, tmp_path / "p.zip", ["land_disputes"], unit=UNIT)
    made = dt.datetime.now(history.VIETNAM).replace(microsecond=0)
    edited = made + dt.timedelta(hours=1)  # on the officer's phone, Vietnam time
    gpkg = _unpack(tmp_path / "p.zip", tmp_path / "r")
    con = sqlite3.connect(gpkg)
    db.register_gpkg_functions(con)
    con.execute(
        f"UPDATE land_disputes SET status = 'open', \"{field.EDITED_FIELD}\" = ? WHERE dispute_id = 'TC-06'",
        (edited.strftime("%Y-%m-%dT%H:%M:%S"),),
    )
    con.commit()
    con.close()
    back = _zip(gpkg.parent, tmp_path / "back.zip")
    merged_at = history.stamp(made + dt.timedelta(hours=2))
    assert field.merge(any_store, back, "Đội", now=merged_at).applied == 1
    last = changelog.history(any_store, "land_disputes", "TC-06")[-1]
    assert (last.user, last.new) == ("Đội", "open")
    assert last.ts == history.stamp(edited)  # not the merge's time


def test_a_settled_collision_says_when_the_field_changed_it_in_vietnam_time(any_store, tmp_path: Path) -> None:
    field.pack(any_store, tmp_path / "p.zip", ["land_disputes"], unit=UNIT)
    back = _team(tmp_path / "p.zip", tmp_path, "r", {"land_disputes": {"TC-06": {"status": "open"}}})
    edit.edit(any_store, "land_disputes", "TC-06", {"status": "mediating"}, "planner")
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    merged = tomorrow.replace(hour=23, minute=30, second=0, microsecond=0)  # 06:30 the next morning in Vietnam
    assert field.merge(any_store, back, "Đội C", now=history.stamp(merged)).conflicts == 1
    (held,) = field.conflicts(any_store)
    field.resolve(any_store, held.id, "office", "lanh_dao")
    last = changelog.history(any_store, "land_disputes", "TC-06")[-1]
    day = (merged + dt.timedelta(hours=7)).strftime("%d/%m/%Y")
    assert f"Đội C, {day} 06:30" in last.reason, last.reason
