"""Sign-in guarded when the app faces a network: failures in a row make a name wait longer each time, every
attempt is recorded, an admin sees and lifts the wait, and an unused local sign-in expires."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo.cli import main
from geo.signin import FREE_FAILURES, MAX_DELAY_S, delay_after, locked, log, sign_in, unlock
from geo.users import add_user
from tests.conftest import app_env, app_page

T0 = 1_800_000_000.0  # a fixed clock: the tests never sleep


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    add_user(path, "chuyenvien", "planner", "mat-khau-dai")
    return path


def test_failures_in_a_row_make_the_name_wait_longer_each_time(users: Path) -> None:
    assert [delay_after(n) for n in range(FREE_FAILURES + 4)] == [0, 0, 0, 1, 2, 4, 8]
    assert delay_after(60) == MAX_DELAY_S
    now = T0
    for _ in range(FREE_FAILURES):  # the first few mistakes cost nothing
        got = sign_in(users, "chuyenvien", "sai-roi", now)
        assert got.user is None and got.wait_s == 0
        now += 0.1
    held = sign_in(users, "chuyenvien", "mat-khau-dai", now)  # even the right password must wait now
    assert held.user is None and held.wait_s == pytest.approx(0.9)
    now += 1.0
    assert sign_in(users, "chuyenvien", "sai-nua", now).wait_s == 0  # tried after the wait: checked, wrong
    assert sign_in(users, "chuyenvien", "mat-khau-dai", now + 1.5).wait_s == pytest.approx(0.5)  # 2 s now
    assert [lock.name for lock in locked(users, now + 1.5)] == ["chuyenvien"]
    ok = sign_in(users, "chuyenvien", "mat-khau-dai", now + 2.5)
    assert ok.user is not None and ok.user.role == "planner"
    assert locked(users, now + 2.5) == []  # a success ends the streak
    outcomes = [r[2] for r in reversed(log(users, "chuyenvien"))]
    assert outcomes == ["failed"] * 3 + ["throttled", "failed", "throttled", "ok"]


def test_unknown_names_wait_too_and_an_admin_unlocks(users: Path, capsys) -> None:
    for i in range(FREE_FAILURES + 2):
        sign_in(users, "ke-la", "doan", T0 + i * 10)  # an unknown name: throttled like any other
    assert sign_in(users, "ke-la", "doan", T0 + 41).wait_s > 0
    for i in range(FREE_FAILURES + 1):
        sign_in(users, "chuyenvien", "sai", T0 + i)
    assert [lock.name for lock in locked(users, T0 + 41.5)] == ["ke-la"]  # chuyenvien's 2 s wait is long over
    assert [lock.name for lock in locked(users, T0 + 4)] == ["ke-la", "chuyenvien"]
    now = time.time()
    for i in range(FREE_FAILURES + 6):
        sign_in(users, "chuyenvien", "sai", now + i * 0.01)
    assert main(["users", "locked", "--file", str(users)]) == 0
    assert "chuyenvien" in capsys.readouterr().out
    unlock(users, "chuyenvien", "quantri")
    assert "chuyenvien" not in [lock.name for lock in locked(users)]
    assert sign_in(users, "chuyenvien", "mat-khau-dai").user is not None
    assert ("unlocked", "quantri") in {(r[2], r[3]) for r in log(users, "chuyenvien")}


def test_the_sidebar_says_how_long_to_wait_and_an_unused_sign_in_expires(tmp_path, monkeypatch) -> None:
    app_env(tmp_path, monkeypatch, {"chuyenvien": "planner"})
    users = tmp_path / "users.json"
    when = time.time() - 68
    for i in range(FREE_FAILURES + 6):  # nine failures, each after the wait: the name now waits 64 s
        assert sign_in(users, "chuyenvien", "sai", when).wait_s == 0
        when += delay_after(i + 1) + 0.001
    monkeypatch.setenv("DINHLAP_IDLE_MINUTES", "30")
    at = app_page("pages/du_lieu.py")
    at.sidebar.text_input(key="login_name").input("chuyenvien")
    at.sidebar.text_input(key="login_pw").input("mat-khau-dai")
    at.sidebar.button[0].click().run()
    errors = [e.value for e in at.sidebar.error]
    assert any("thử lại sau" in e for e in errors), errors  # the right password waits its turn, and says so
    assert "user" not in at.session_state
    # Signed in, then unused for longer than the limit: the next run finds the user signed out, told why.
    seen = time.time() - 31 * 60
    at = app_page("pages/du_lieu.py", user={"name": "chuyenvien", "role": "planner", "seen": seen})
    assert "user" not in at.session_state
    assert any("hết hạn sau 30 phút" in i.value for i in at.sidebar.info)
    fresh = app_page("pages/du_lieu.py", user={"name": "chuyenvien", "role": "planner", "seen": time.time() - 60})
    assert any("Đã đăng nhập: chuyenvien" in c.value for c in fresh.sidebar.caption)
