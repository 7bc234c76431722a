"""Every bad input gets a clear message: a fuzz of every command's options and of every URL parameter.

Deterministic (a fixed seed) and bounded (a fixed count). Each command run in this process as a user
runs it: no traceback, an exit code of 0, 1 or 2, and the store's bytes unchanged. Each link opened in
AppTest: no exception, whatever the parameters hold.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from geo.command.cli import main
from tests.conftest import NOTICE_STORE, ROOT, store_digest

SEED = 20240424
VALUES = [
    "", " ", "0001-01-01T00:00", "0001-01-01", "9999-12-31", "1900-01-01", "2025-02-30", "2025-13-01T25:61",
    "abc", "-1", "0", "100000", "1e309", "nan", "inf", "x" * 5000, "a\x00b", "../../etc/passwd",
    "/khong/co/tep.csv", "=", "a=b=c", "khong_co=1", "clearance_status=", ",,,", "999,999,-999,-999",
    "107,21,107,21", "[x](http://127.0.0.2:9/)", "<script>x</script>", "=HYPERLINK(\"http://127.0.0.2\")",
    "postgresql://u:Bi-Mat%zz@127.0.0.1:1/d", "\u202eabc", "ql4b_segments,khong_co", "criterion:99",
]  # fmt: skip


EVERY = ["x" * 5000, "a\x00b"]  # given to every option: a very long value and a NUL


def _templates(out: Path, folder: Path, plain: Path) -> list[list[str]]:
    """Each command with one option left as ``{}`` (filled with a fuzzed value)."""
    return [
        ["layers", "--lang", "{}"],
        ["export", str(out / "m.png"), "--layers", "{}"],
        ["export", str(out / "m.png"), "--bbox", "{}"],
        ["export", str(out / "m.csv"), "--layers", "ql4b_segments", "--where", "{}"],
        ["export", str(out / "m.png"), "--as-of", "{}"],
        ["export", str(out / "m.pdf"), "--dpi", "{}"],
        ["export", str(out / "m.png"), "--compare", "{}"],
        ["export", str(out / "m.png"), "--style", "{}"],
        ["export", "{}", "--layers", "district"],
        ["pack", str(out / "p.pdf"), "--since", "{}"],
        ["pack", str(out / "p.pdf"), "--as-of", "{}"],
        ["atlas", str(out / "a.pdf"), "--layer", "{}"],
        ["atlas", str(out / "a.pdf"), "--layer", "land_disputes", "--where", "{}"],
        ["atlas", str(out / "a.pdf"), "--layer", "land_disputes", "--as-of", "{}"],
        ["indicators", "--as-of", "{}"],
        ["indicators", "import", "{}", "--user", "lan"],
        ["indicators", "import", str(folder), "--user", "{}"],
        ["indicators", "import", str(plain), "--user", "lan", "--reason", "{}"],
        ["views", "--lang", "{}"],
        ["changes", "--limit", "{}"],
        ["undo", "{}", "--user", "lan"],
        ["validate", "{}", "--layer", "land_disputes"],
        ["validate", str(plain), "--layer", "{}"],
        ["validate", str(plain), "--layer", "land_disputes", "--crs", "{}"],
        ["validate", str(plain), "--layer", "land_disputes", "--encoding", "{}"],
        ["validate", str(plain), "--layer", "land_disputes", "--map", "{}"],
        ["import", "{}", "--layer", "land_disputes", "--user", "lan"],
        ["import", str(plain), "--layer", "{}", "--user", "lan"],
        ["backup", "{}"],
        ["restore", "{}", "--yes"],
        # Free text: a title, a reason, a user name, a label (5,000 characters are refused with the limit).
        ["export", str(out / "m.png"), "--layers", "district", "--title", "{}"],
        ["export", str(out / "m.png"), "--layers", "district", "--scale", "{}"],
        ["export", str(out / "m.png"), "--layers", "district", "--scale", "25000", "--center", "{}"],
        ["atlas", str(out / "a.pdf"), "--layer", "land_disputes", "--title", "{}"],
        ["import", str(plain), "--new-layer", "{}", "--user", "lan"],
        ["import", str(plain), "--new-layer", "lop_moi", "--title", "{}", "--user", "lan"],
        ["import", str(plain), "--new-layer", "lop_moi", "--label", "{}", "--user", "lan"],
        ["indicators", "import", str(plain), "--user", "{}"],
        # Writes that a valid value would still see refused (a stale --expect): the store must stay as it was.
        ["edit", "land_disputes", "{}", "--set", "status=open", "--user", "lan", "--expect", "status=__cu__"],
        ["edit", "land_disputes", "TC-01", "--set", "{}", "--user", "lan", "--expect", "status=__cu__"],
        ["edit", "land_disputes", "TC-01", "--set", "status=closed", "--user", "lan", "--reason", "{}",
         "--expect", "status=__cu__"],
        ["edit", "land_disputes", "TC-01", "--geometry", "{}", "--user", "lan", "--expect", "status=__cu__"],
        ["edit", "land_disputes", "TC-01", "--split", "{}", "--user", "lan"],
        ["edit", "land_disputes", "--add", "--geometry", "{}", "--set", "dispute_id=TC-01", "--user", "lan"],
        ["field", "pack", str(out / "f.zip"), "--layers", "{}"],
        ["field", "pack", str(out / "f.zip"), "--layers", "forest_parcels", "--bbox", "{}", "--unit", "khong_co"],
        ["field", "merge", "{}", "--user", "lan"],
        ["field", "merge", str(plain), "--user", "{}"],
        ["field", "conflicts", "--lang", "{}"],
        ["comments", "list", "--on", "{}"],
        ["comments", "add", "--on", "{}", "--text", "ý kiến", "--user", "lan"],
        ["comments", "resolve", "{}", "--user", "lan"],
        ["find", "{}"],
        ["find", "TC-01", "--layer", "{}"],
        ["find", "TC-01", "--limit", "{}"],
        ["find", "TC-01", "--as-of", "{}"],
        ["publish", "{}", "--user", "lan"],
        ["rollback", "--to", "{}", "--user", "{}"],
        ["copy-store", "{}", str(out / "c.gpkg")],
    ]  # fmt: skip


def test_fuzzed_options_give_messages_not_tracebacks_and_change_nothing(tmp_path: Path, capfd, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a fuzzed output name is written here, not in the checkout
    store = tmp_path / "store" / "s.gpkg"
    store.parent.mkdir()
    shutil.copy(NOTICE_STORE, store)
    out = tmp_path / "out"
    out.mkdir()
    folder = tmp_path / "thu_muc"
    folder.mkdir()
    plain = tmp_path / "rong.csv"  # a file every reader refuses: a header only, no figures, no coordinates
    plain.write_text("ind_id;period\n", encoding="utf-8")
    before = store_digest(store)
    rng = random.Random(SEED)
    templates = _templates(out, folder, plain)
    runs = (
        [(tpl, rng.choice(VALUES)) for tpl in templates]
        + [(tpl, v) for tpl in templates for v in EVERY]
        + [(rng.choice(templates), rng.choice(VALUES)) for _ in range(20)]
    )
    unexpected = []
    for tpl, value in runs:
        argv = [value if a == "{}" else a for a in tpl]
        if tpl[0] != "copy-store":
            argv += ["--store", str(store)]
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's refusal: its usage line and exit 2
            code = exit_.code
        said = "".join(capfd.readouterr())
        assert code in (0, 1, 2), (argv[:3], value[:40], code, said[-2000:])
        assert "Traceback" not in said, (argv[:3], value[:40], said[-2000:])
        if "Lỗi không mong đợi" in said:  # the last-resort message: a traceback in disguise
            unexpected.append((argv[:3], value[:40], said[-300:]))
        if code == 2:
            assert said.strip(), (argv[:3], value[:40])  # refused with a message
            if len(value) >= 5000 and tpl.index("{}") > 1 and tpl[tpl.index("{}") - 1] in LONG_TEXT:
                assert "quá giới hạn" in said and "over the limit" in said, (argv[:3], said[-300:])
        if code != 0:  # refused: nothing written
            assert store_digest(store) == before, (argv[:3], value[:40], code, said[-500:])
        elif store_digest(store) != before:  # a fuzzed value that was a valid write: start again from the copy
            shutil.copy(NOTICE_STORE, store)
    assert unexpected == []
    assert store_digest(store) == before


LONG_TEXT = ("--title", "--reason", "--user", "--label", "--new-layer")


URL_VALUES = ["", "1900-01-01", "0001-01-01", "9999-12-31", "2025-02-30", "x" * 3000, "a\x00b", "\u202e",
              "[x](http://127.0.0.2:9/)", "audit_log:1", "units:", ":", "ql4b_segments:" + "A," * 50,
              "2024", "2025", "en", "projector", "-1"]  # fmt: skip
PARAMS = ["as_of", "view", "sel", "units", "lang", "layout", "task"]


@pytest.mark.parametrize("page", ["pages/giao_thong.py", "pages/overview.py"])
def test_fuzzed_url_parameters_never_give_an_error_page(page: str) -> None:
    from streamlit.testing.v1 import AppTest

    from geo.store.reads import store_path

    before = store_digest(store_path())
    rng = random.Random(SEED)
    for _ in range(4):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.run()
        at.switch_page(page)
        for name in rng.sample(PARAMS, 4):
            at.query_params[name] = rng.choice(URL_VALUES)
        asked = dict(at.query_params)
        at.run()
        assert not at.exception, (asked, [e.value for e in at.exception])
        assert not [e for e in at.error if "Traceback" in e.value], asked
    assert store_digest(store_path()) == before  # a link only reads


def test_a_date_before_the_data_is_clamped_with_a_warning() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/giao_thong.py")
    at.query_params["as_of"] = "1900-01-01"
    at.run()
    assert not at.exception
    assert any("trước khi có dữ liệu" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.session_state["as_of"] == "2015-01-01"
