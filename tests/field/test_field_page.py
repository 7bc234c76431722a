"""The Dữ liệu page's field section as a planner uses it (AppTest): make a package, upload a returned one,
see a held conflict's three values side by side and decide it.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.field import packages as field
from geo.store import changelog, db, edit
from geo.store.reads import Store
from tests.conftest import ROOT, app_env


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return app_env(tmp_path, monkeypatch, {"lan": "planner"})


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = {"name": "lan", "role": "planner"}
    at.run()
    at.switch_page("pages/du_lieu.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _returned(store: Path, tmp: Path, status: str) -> bytes:
    """A package of TC-06 taken from ``store`` and returned with its status set to ``status``."""
    field.pack(store, tmp / "p.zip", ["land_disputes"], unit="06628")
    folder = tmp / "r"
    with zipfile.ZipFile(tmp / "p.zip") as zf:
        zf.extractall(folder)
    con = sqlite3.connect(folder / "dinhlap_thucdia.gpkg")
    db.register_gpkg_functions(con)  # GeoPackage's R-tree triggers
    con.execute("UPDATE land_disputes SET status = ? WHERE dispute_id = 'TC-06'", (status,))
    con.commit()
    con.close()
    with zipfile.ZipFile(tmp / "back.zip", "w") as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder).as_posix())
    return (tmp / "back.zip").read_bytes()


def _texts(at: AppTest) -> str:
    """What the page says, as read (markdown's escapes removed)."""
    said = [m.value for m in at.markdown] + [x.value for x in at.text] + [c.value for c in at.caption]
    return " ".join(said).replace("\\", "")


def test_a_planner_makes_a_package_and_merges_one_back(env: Path, tmp_path: Path) -> None:
    at = _data_page()
    assert "Gói công tác thực địa" in [h.value for h in at.header]
    at.button(key="fld_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã lập gói" in s.value for s in at.success)

    body = _returned(env, tmp_path, "open")
    at.file_uploader(key="fld_upload").set_value(("ve.zip", body, "application/zip")).run()
    at.text_input(key="fld_team").set_value("Đội xã Đình Lập").run()
    at.button(key="fld_merge").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã hợp nhất: 1 thay đổi" in s.value for s in at.success), [s.value for s in at.success]
    assert Store(env).read("land_disputes").set_index("dispute_id").loc["TC-06", "status"] == "open"
    assert changelog.history(env, "land_disputes", "TC-06")[-1].user == "Đội xã Đình Lập"


def test_a_held_conflict_shows_three_values_and_the_planner_decides(env: Path, tmp_path: Path) -> None:
    body = _returned(env, tmp_path, "open")
    edit.edit(env, "land_disputes", "TC-06", {"status": "mediating"}, "van_phong")
    assert field.merge(env, body, "Đội B").conflicts == 1
    at = _data_page()
    shown = _texts(at)
    for words in ("Giá trị gốc (khi lập gói)", "Văn phòng (hiện tại)", "Thực địa", "Đội B"):
        assert words in shown, words
    # base resolved, office mediating, field open: each in words, side by side
    assert {"Đã giải quyết", "Đang hòa giải/giải quyết", "Mới phát sinh"} <= {x.value for x in at.text}
    (held,) = field.conflicts(env)
    at.button(key=f"fld_incoming_{held.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Store(env).read("land_disputes").set_index("dispute_id").loc["TC-06", "status"] == "open"
    assert field.conflicts(env) == []
    last = changelog.history(env, "land_disputes", "TC-06")[-1]
    assert (last.user, last.old, last.new) == ("lan", "mediating", "open")
    assert "Không có xung đột nào chờ quyết định." in _texts(at)


def test_a_field_photo_shows_in_the_feature_s_record(env: Path, tmp_path: Path) -> None:
    from PIL import Image

    field.pack(env, tmp_path / "p.zip", ["land_disputes"], unit="06628")
    folder = tmp_path / "r"
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        zf.extractall(folder)
    Image.new("RGB", (40, 30), (180, 40, 40)).save(folder / "DCIM" / "tc06.jpg")
    con = sqlite3.connect(folder / "dinhlap_thucdia.gpkg")
    db.register_gpkg_functions(con)
    con.execute(f"UPDATE land_disputes SET \"{field.PHOTO_FIELD}\" = 'DCIM/tc06.jpg' WHERE dispute_id = 'TC-06'")
    con.commit()
    con.close()
    with zipfile.ZipFile(tmp_path / "back.zip", "w") as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder).as_posix())
    assert field.merge(env, tmp_path / "back.zip", "Đội xã").photos == 1

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["sel_dat-lam-nghiep"] = {"layer": "land_disputes", "key": "TC-06", "zoom": False, "n": 1}
    at.run()
    at.switch_page("pages/dat_lam_nghiep.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [i for i in at.get("image") if "Đội xã" in str(i.proto)]
    assert len(shown) == 1, "the record panel shows the photo, captioned with who brought it back"
    assert "Ảnh thực địa" in _texts(at)
