"""Sign-in attempts, throttled per user name and recorded: what guards the door once it faces a network.

Every attempt is a row of a small SQLite ledger beside the users file (``users.json`` →
``users.signin.sqlite``), shared by every app process on the machine (WAL; writes are one short
transaction). After :data:`FREE_FAILURES` failures in a row, a name must wait before the next attempt:
1 s, then 2, 4 … up to :data:`MAX_DELAY_S` (15 minutes). An attempt during the wait is refused without
looking at the password, and recorded as ``throttled``. A success, or an admin's ``unlock``, ends the
streak. Admins see the names that are waiting (:func:`locked`), on the Dữ liệu page and with
``python -m geo users locked``; ``python -m geo users unlock NAME`` lets one in again.

The delay is per name, not per address: behind a proxy every address is the proxy's, and what it
protects is each account's password. Unknown names are throttled the same way, so the ledger says
nothing about which names exist.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.users import User, authenticate

FREE_FAILURES = 3  # failures in a row before a name must wait
MAX_DELAY_S = 900.0  # the longest wait: 15 minutes
Outcome = Literal["ok", "failed", "throttled", "unlocked"]

_DDL = """CREATE TABLE IF NOT EXISTS signin_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
    by_whom TEXT)"""


def ledger_path(users: Path) -> Path:
    """The ledger of ``users``' sign-in attempts: ``users.json`` → ``users.signin.sqlite`` beside it."""
    return users.with_name(users.stem + ".signin.sqlite")


@contextlib.contextmanager
def _ledger(users: Path) -> Iterator[sqlite3.Connection]:
    path = ledger_path(users)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_DDL)
        conn.execute("CREATE INDEX IF NOT EXISTS signin_log_name ON signin_log (name, id)")
        yield conn
    finally:
        conn.close()


def delay_after(failures: int) -> float:
    """Seconds a name waits after ``failures`` failures in a row: none for the first few, then doubling."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_DELAY_S)


def _streak(conn: sqlite3.Connection, name: str) -> tuple[int, float | None]:
    """Failures in a row for ``name`` (since its last success or unlock) and the time of the last one."""
    rows = conn.execute(
        "SELECT ts, outcome FROM signin_log WHERE name = ? ORDER BY id DESC LIMIT 64", (name,)
    ).fetchall()
    failures, last = 0, None
    for ts, outcome in rows:
        if outcome in ("ok", "unlocked"):
            break
        if outcome == "failed":
            failures += 1
            last = ts if last is None else last
    return failures, last


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the user, or how long to wait (0: the password was wrong)."""

    user: User | None
    wait_s: float = 0.0


def sign_in(users: Path, name: str, password: str, now: float | None = None) -> Attempt:
    """Check ``password`` for ``name`` unless the name must wait; record the attempt either way."""
    now = time.time() if now is None else now
    name = name.strip()[:64]
    with _ledger(users) as conn:
        failures, last = _streak(conn, name)
        wait = (last or now) + delay_after(failures) - now if failures else 0.0
        if wait > 0:
            conn.execute("INSERT INTO signin_log (ts, name, outcome) VALUES (?, ?, 'throttled')", (now, name))
            return Attempt(None, wait)
    user = authenticate(users, name, password)  # outside the ledger's transaction: scrypt takes a while
    with _ledger(users) as conn:
        conn.execute(
            "INSERT INTO signin_log (ts, name, outcome) VALUES (?, ?, ?)", (now, name, "ok" if user else "failed")
        )
    return Attempt(user)


@dataclass(frozen=True)
class Lock:
    """A name that must wait: its failures in a row, the last one's time and when it may try again."""

    name: str
    failures: int
    last: float
    until: float


def locked(users: Path, now: float | None = None) -> list[Lock]:
    """The names that must wait now, longest wait first."""
    now = time.time() if now is None else now
    out = []
    with _ledger(users) as conn:
        names = [r[0] for r in conn.execute("SELECT DISTINCT name FROM signin_log WHERE outcome = 'failed'")]
        for name in names:
            failures, last = _streak(conn, name)
            if failures >= FREE_FAILURES and last is not None and last + delay_after(failures) > now:
                out.append(Lock(name, failures, last, last + delay_after(failures)))
    return sorted(out, key=lambda lock: lock.until, reverse=True)


def unlock(users: Path, name: str, admin: str, now: float | None = None) -> None:
    """End ``name``'s streak of failures (recorded, with the admin's name)."""
    with _ledger(users) as conn:
        conn.execute(
            "INSERT INTO signin_log (ts, name, outcome, by_whom) VALUES (?, ?, 'unlocked', ?)",
            (time.time() if now is None else now, name.strip(), admin),
        )


def log(users: Path, name: str | None = None, limit: int = 200) -> list[tuple[float, str, str, str | None]]:
    """The latest attempts (of ``name``, if given), newest first: (time, name, outcome, admin)."""
    with _ledger(users) as conn:
        if name is None:
            rows = conn.execute("SELECT ts, name, outcome, by_whom FROM signin_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = conn.execute(
                "SELECT ts, name, outcome, by_whom FROM signin_log WHERE name = ? ORDER BY id DESC LIMIT ?",
                (name, limit),
            )
        return [(float(a), str(b), str(c), d) for a, b, c, d in rows]
