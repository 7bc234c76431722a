"""Secrets out of every message: a store address with a password, malformed in fifteen ways, given to every
command that takes a store. No output shows the password (nor a part of it), no command ends in a
traceback, and a wrong user name is reported as refused, not as a server that did not answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.command.cli import main
from geo.store import db

SECRET = "Bi-Mat-s3cr3t"
PARTS = ("Bi-Mat", "s3cr3t")  # a password cut at an unencoded character must not show either half
LOCAL = "127.0.0.1:1"  # a closed port on this machine: a connection is refused at once, nothing leaves it

MALFORMED = {
    "bad percent-encoding": f"postgresql://dl:{SECRET}%zz@{LOCAL}/db",
    "a lone percent at the end": f"postgresql://dl:{SECRET}%@{LOCAL}/db",
    "percent-encoding that is not UTF-8": f"postgresql://dl:{SECRET}%ff@{LOCAL}/db",
    "an IPv6 bracket left open": f"postgresql://dl:{SECRET}@[::1:1/db",
    "text after an IPv6 bracket": f"postgresql://dl:{SECRET}@[::1]x:1/db",
    "an unencoded slash": f"postgresql://dl:Bi-Mat/s3cr3t@{LOCAL}/db",
    "an unencoded hash": f"postgresql://dl:Bi-Mat#s3cr3t@{LOCAL}/db",
    "an unencoded question mark": f"postgresql://dl:Bi-Mat?s3cr3t@{LOCAL}/db",
    "an unencoded at sign": f"postgresql://dl:Bi-Mat@s3cr3t@{LOCAL}/db",
    "a port out of range": f"postgresql://dl:{SECRET}@127.0.0.1:99999/db",
    "a port that is not a number": f"postgresql://dl:{SECRET}@127.0.0.1:abc/db",
    "a scheme without its colon": f"postgresql//dl:{SECRET}@{LOCAL}/db",
    "a password in the query, an unknown option": f"postgresql://dl@{LOCAL}/db?password={SECRET}&bogus=1",
    "a control character": f"postgresql://dl:{SECRET}@{LOCAL}/db\n",
    "libpq's keyword form": f"host=127.0.0.1 port=1 password={SECRET}",
}


def _commands(store: str, tmp: Path) -> list[list[str]]:
    gpkg = tmp / "x.gpkg"
    src = tmp / "in.geojson"
    src.write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
    return [
        ["layers", "--store", store],
        ["export", str(tmp / "x.csv"), "--layers", "land_disputes", "--store", store],
        ["pack", str(tmp / "x.pdf"), "--store", store],
        ["atlas", str(tmp / "a.pdf"), "--layer", "land_disputes", "--store", store],
        ["backup", str(gpkg), "--store", store],
        ["restore", str(gpkg), "--store", store],
        ["indicators", "--store", store],
        ["views", "--store", store],
        ["validate", str(src), "--layer", "land_disputes", "--store", store],
        ["import", str(src), "--layer", "land_disputes", "--user", "lan", "--store", store],
        ["changes", "--store", store],
        ["undo", "1", "--user", "lan", "--store", store],
        ["rollback", "--to", "2025-01-01", "--user", "lan", "--store", store],
        ["normalise-empty", "--user", "lan", "--store", store],
        ["publish", "land_disputes", "--store", store],
        ["find", "TC-01", "--store", store],
        ["comments", "list", "--store", store],
        ["comments", "add", "--on", "land_disputes:TC-01", "--text", "x", "--user", "lan", "--store", store],
        ["edit", "land_disputes", "TC-01", "--set", "status=open", "--user", "lan", "--store", store],
        ["field", "pack", str(tmp / "f.zip"), "--layers", "forest_parcels", "--store", store],
        ["field", "merge", str(tmp / "f.zip"), "--user", "lan", "--store", store],
        ["field", "conflicts", "--store", store],
        ["field", "resolve", "1", "--keep", "office", "--user", "lan", "--store", store],
        ["field", "styles", "--store", store],
        ["copy-store", store, str(gpkg)],
        ["copy-store", str(tmp / "none.gpkg"), store],
    ]


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_no_command_prints_the_password_of_a_malformed_address(kind: str, tmp_path: Path, capfd) -> None:
    for argv in _commands(MALFORMED[kind], tmp_path):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's own refusals
            code = exit_.code
        out, err = capfd.readouterr()
        text = out + err
        assert code == 2, (argv[0], code, text)
        assert "Traceback" not in text, (argv[0], text)
        for part in PARTS:
            assert part not in text, (kind, argv[0], text)
        assert text.strip(), argv[0]  # and it said something


def test_labels_and_parse_errors_never_hold_the_password() -> None:
    for address in MALFORMED.values():
        for part in PARTS:
            assert part not in db.label(address) and part not in db.shown(address)
        try:
            parsed = db.parse_address(address)
        except db.BadAddress as bad:
            assert all(p not in str(bad) and p not in bad.label for p in PARTS)
        else:
            assert all(p not in repr(parsed) for p in PARTS)
    ok = db.parse_address("postgresql://dl:Bi%2FMat%23@[::1]:5433/ban_do?sslmode=disable")
    assert (ok.user, ok.password, ok.hosts, ok.dbname) == ("dl", "Bi/Mat#", (("::1", "5433"),), "ban_do")
    assert dict(ok.params) == {"sslmode": "disable"}
    raw = db.parse_address("postgresql://dl:Bi/Mat#x?y@127.0.0.1:5432/db")  # unencoded: kept whole
    assert raw.password == "Bi/Mat#x?y" and raw.hosts == (("127.0.0.1", "5432"),)


def test_a_wrong_user_is_reported_as_refused_not_as_a_server_down(pg_cluster, capfd) -> None:
    wrong = pg_cluster.url().replace(f"://{pg_cluster.user}@", f"://khong_co:{SECRET}@", 1)
    assert main(["layers", "--store", wrong]) == 2
    out, err = capfd.readouterr()
    assert "từ chối đăng nhập" in err and "refused the sign-in" in err, err
    assert "không trả lời" not in err and SECRET not in out + err


def test_the_app_shows_and_logs_no_password(monkeypatch, capfd) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    for address in (MALFORMED["bad percent-encoding"], MALFORMED["an unencoded slash"]):
        monkeypatch.setenv("DINHLAP_STORE", address)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        shown = " ".join(e.value for e in at.error) + " ".join(c.value for c in at.caption)
        shown += " ".join(str(e.value) for e in at.exception)
        out, err = capfd.readouterr()
        assert shown.strip()
        for part in PARTS:
            assert part not in shown and part not in out + err, (address, shown)
