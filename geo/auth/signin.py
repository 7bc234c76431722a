"""Sign-in attempts, throttled per user name and per client address, and recorded.

Every attempt is a row of a small SQLite ledger beside the users file (``users.json`` →
``users.signin.sqlite``), shared by every app process on the machine (WAL).

The throttle. After :data:`FREE_FAILURES` (5) failures in a row, a user name must wait before its next
attempt: :data:`FIRST_DELAY_S` (5 minutes), then 10, 20, 40 … up to :data:`MAX_DELAY_S` (an hour), and so
must a client address (the browser's, as the proxy reports it). An attempt during a wait is refused
without looking at the password, and recorded as ``throttled``. The streak counts every failure since
the last success by password (or an admin's ``unlock``): it never resets while failures continue, so a
name under attack gets 8 checked guesses in its first hour (the 5 free ones, then after 5, 10 and 20
minutes) and one an hour after that, and so does an address.

Atomic. The check and the attempt's own row are one ``BEGIN IMMEDIATE`` transaction: the attempt is
written ``pending`` (counted as a failure) before the password is tested, then set to ``ok`` or
``failed``. Thirty simultaneous attempts find each other's rows: only the free few are tested.

Never locked out for good. A wait stops an attacker, not the owner of the name:

* a browser the user signed in from before carries a signed client token (``dinhlap_client`` cookie,
  HMAC with a key kept in the ledger): with it the password is tested during a throttle (its own
  failures make that token wait, as a name does);
* an admin can give a short recovery code (:func:`set_recovery_code`, ``python -m geo users recovery
  NAME``): valid for a day, once, five wrong tries at most; with it the password is tested too.

A success through either does not end the name's streak: the attacker still waits.

Admins see the names that are waiting (:func:`locked`) and every attempt with its address
(:func:`log`), on the Dữ liệu page and with ``python -m geo users locked``; ``python -m geo users unlock
NAME`` ends a streak. Unknown names are throttled the same way, so the ledger says nothing about which
names exist.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.auth.users import User, authenticate

FREE_FAILURES = 5  # failures in a row before a name (or an address) must wait
FIRST_DELAY_S = 300.0  # the first wait: 5 minutes, doubling with each failure after it
MAX_DELAY_S = 3600.0  # the longest wait: an hour
TOKEN_DAYS = 180  # how long a browser stays known after a sign-in from it
CODE_HOURS = 24  # how long an admin's recovery code is valid
CODE_TRIES = 5  # wrong tries of one recovery code before it is void
Outcome = Literal["ok", "failed", "throttled", "unlocked", "pending", "code_set"]
Via = Literal["password", "token", "code"]

_DDL = (
    """CREATE TABLE IF NOT EXISTS signin_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
    by_whom TEXT)""",
    "CREATE TABLE IF NOT EXISTS signin_key (k BLOB NOT NULL)",
    """CREATE TABLE IF NOT EXISTS signin_code (
    name TEXT PRIMARY KEY, hash TEXT NOT NULL, expires REAL NOT NULL, tries INTEGER NOT NULL DEFAULT 0)""",
)
_COLUMNS = {"client": "TEXT", "via": "TEXT", "token": "TEXT"}  # added to ledgers written before them
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def ledger_path(users: Path) -> Path:
    """The ledger of ``users``' sign-in attempts: ``users.json`` → ``users.signin.sqlite`` beside it."""
    return users.with_name(users.stem + ".signin.sqlite")


@contextlib.contextmanager
def _ledger(users: Path) -> Iterator[sqlite3.Connection]:
    path = ledger_path(users)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # it holds the token key and code hashes: the owner's alone
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash of the app loses nothing, a power cut the last few
        ident = (path, path.stat().st_ino)
        if ident not in _READY:
            _prepare(conn)
            _READY.add(ident)
        yield conn
    finally:
        conn.close()


_READY: set[tuple[Path, int]] = set()  # ledgers (path, inode) this process has created or brought up to date


def _prepare(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    for ddl in _DDL:
        conn.execute(ddl)
    have = {r[1] for r in conn.execute("PRAGMA table_info(signin_log)")}
    for col, kind in _COLUMNS.items():
        if col not in have:
            with contextlib.suppress(sqlite3.OperationalError):  # another process added it meanwhile
                conn.execute(f"ALTER TABLE signin_log ADD COLUMN {col} {kind}")
    for col in ("name", "client", "token"):
        conn.execute(f"CREATE INDEX IF NOT EXISTS signin_log_{col} ON signin_log ({col}, id)")


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction taken before reading: two processes never decide on the same state."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` failures in a row: none for the first few, then doubling."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(FIRST_DELAY_S * 2.0 ** min(failures - FREE_FAILURES, 30), MAX_DELAY_S)


# What ends a streak, per kind of streak: for a name and an address, a success by password (or an
# admin's unlock of the name); for a browser's token, a success with it.
_RESETS = {
    "name": "(outcome = 'unlocked' OR (outcome = 'ok' AND COALESCE(via, 'password') = 'password'))",
    "client": "(outcome = 'ok' AND COALESCE(via, 'password') = 'password')",
    "token": "(outcome = 'ok')",
}


def _streak(conn: sqlite3.Connection, column: str, value: str) -> tuple[int, float | None]:
    """Failures in a row for ``column = value`` (since the streak last ended) and the time of the last one.

    Counted in SQL over every row since the last reset: no window, so the streak never resets by itself.
    """
    row = conn.execute(
        f"""SELECT COUNT(*), MAX(ts) FROM signin_log WHERE {column} = ? AND outcome IN ('failed', 'pending')
            AND id > COALESCE((SELECT MAX(id) FROM signin_log WHERE {column} = ? AND {_RESETS[column]}), 0)""",
        (value, value),
    ).fetchone()
    return int(row[0]), (float(row[1]) if row[1] is not None else None)


def _wait(conn: sqlite3.Connection, column: str, value: str, now: float) -> float:
    failures, last = _streak(conn, column, value)
    if not failures or last is None:
        return 0.0
    return max(last + delay_after(failures) - now, 0.0)


# -- the client token: a browser the user signed in from before --------------------------------------
def _key(conn: sqlite3.Connection) -> bytes:
    row = conn.execute("SELECT k FROM signin_key LIMIT 1").fetchone()
    if row:
        return bytes(row[0])
    key = secrets.token_bytes(32)
    conn.execute("INSERT INTO signin_key (k) VALUES (?)", (key,))
    return key


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def _issue(conn: sqlite3.Connection, name: str, now: float) -> str:
    body = f"{_b64(name)}.{secrets.token_hex(8)}.{int(now)}"
    return f"{body}.{_mac(_key(conn), body)}"


def _token_id(conn: sqlite3.Connection, token: str | None, name: str, now: float) -> str | None:
    """The token's id if ``token`` is one this ledger signed for ``name`` and still valid, else ``None``."""
    if not token or len(token) > 400:
        return None
    try:
        b64name, nonce, issued, mac = token.split(".")
        ok = hmac.compare_digest(mac, _mac(_key(conn), f"{b64name}.{nonce}.{issued}"))
        fresh = 0 <= now - int(issued) <= TOKEN_DAYS * 86400
    except ValueError:
        return None
    return nonce if ok and fresh and b64name == _b64(name) else None


# -- the admin's recovery code --------------------------------------------------------------------------
def _code_hash(name: str, code: str) -> str:
    return hashlib.sha256(f"{name}\n{code.strip().upper()}".encode()).hexdigest()


def set_recovery_code(users: Path, name: str, admin: str, now: float | None = None) -> str:
    """A new one-use code that lets ``name`` sign in during a throttle (with their password) for a day."""
    now = time.time() if now is None else now
    name = name.strip()[:64]
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    with _ledger(users) as conn, _immediate(conn):
        conn.execute(
            "INSERT OR REPLACE INTO signin_code (name, hash, expires, tries) VALUES (?, ?, ?, 0)",
            (name, _code_hash(name, code), now + CODE_HOURS * 3600),
        )
        conn.execute(
            "INSERT INTO signin_log (ts, name, outcome, by_whom) VALUES (?, ?, 'code_set', ?)", (now, name, admin)
        )
    return code


def _use_code(conn: sqlite3.Connection, name: str, code: str, now: float) -> bool:
    """Whether ``code`` is ``name``'s valid recovery code (then spent); a wrong try counts towards voiding it."""
    row = conn.execute("SELECT hash, expires, tries FROM signin_code WHERE name = ?", (name,)).fetchone()
    if row is None:
        return False
    if row[1] < now or row[2] >= CODE_TRIES:
        conn.execute("DELETE FROM signin_code WHERE name = ?", (name,))
        return False
    if hmac.compare_digest(row[0], _code_hash(name, code)):
        conn.execute("DELETE FROM signin_code WHERE name = ?", (name,))
        return True
    conn.execute("UPDATE signin_code SET tries = tries + 1 WHERE name = ?", (name,))
    return False


# -- signing in ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the user (and a client token for their browser to keep), or how
    long to wait (0: the password was wrong).
    """

    user: User | None
    wait_s: float = 0.0
    token: str | None = None
    via: Via = "password"


_RECORD = "INSERT INTO signin_log (ts, name, outcome, client, via, token) VALUES (?, ?, ?, ?, ?, ?)"


def sign_in(
    users: Path,
    name: str,
    password: str,
    now: float | None = None,
    client: str = "",
    token: str | None = None,
    code: str | None = None,
) -> Attempt:
    """Check ``password`` for ``name`` unless the name or the ``client`` address must wait; record the attempt.

    During a wait, a valid client ``token`` (see :class:`Attempt`) or the admin's recovery ``code`` still
    lets the password be tested.
    """
    now = time.time() if now is None else now
    name, client = name.strip()[:64], (client or "").strip()[:64]
    with _ledger(users) as conn:
        with _immediate(conn):
            wait = max(_wait(conn, "name", name, now), _wait(conn, "client", client, now) if client else 0.0)
            via: Via = "password"
            tid = None
            if wait > 0:
                tid = _token_id(conn, token, name, now)
                if tid is not None:
                    wait, via = _wait(conn, "token", tid, now), "token"
            if wait > 0 and code and _use_code(conn, name, code, now):
                wait, via = 0.0, "code"
            if wait > 0:
                conn.execute(_RECORD, (now, name, "throttled", client, via, tid))
                return Attempt(None, wait)
            row = conn.execute(_RECORD, (now, name, "pending", client, via, tid)).lastrowid
        user = authenticate(users, name, password)  # outside the transaction: scrypt takes a while
        with _immediate(conn):
            conn.execute("UPDATE signin_log SET outcome = ? WHERE id = ?", ("ok" if user else "failed", row))
            issued = _issue(conn, user.name, now) if user else None
    return Attempt(user, 0.0, issued, via)


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
            failures, last = _streak(conn, "name", name)
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


LogRow = tuple[float, str, str, str | None, str | None, str | None]


def log(users: Path, name: str | None = None, limit: int = 200) -> list[LogRow]:
    """The latest attempts (of ``name``, if given), newest first: (time, name, outcome, admin, address, via)."""
    sql = "SELECT ts, name, outcome, by_whom, client, via FROM signin_log"
    with _ledger(users) as conn:
        if name is None:
            rows = conn.execute(f"{sql} ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = conn.execute(f"{sql} WHERE name = ? ORDER BY id DESC LIMIT ?", (name, limit))
        return [(float(a), str(b), str(c), d, e, f) for a, b, c, d, e, f in rows]
