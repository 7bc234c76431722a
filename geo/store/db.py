"""Where the store lives, behind one interface: a GeoPackage file (the default) or a PostGIS database.

A *location* is a path to a ``.gpkg`` file or a ``postgresql://USER@HOST:PORT/DB`` address. Every
module that touches the store (:mod:`geo.store.reads` for reads, :mod:`geo.store.edit` for audited edits,
:mod:`geo.store.ingest` for imports, :mod:`geo.copy` for moving a store) opens a :class:`Session` with
:func:`connect` and speaks one small dialect of SQL through it:

* parameters are ``?`` (turned into ``%s`` for PostgreSQL);
* identifiers (a table's or a column's name, which may come from an imported file) are quoted by the
  session: :meth:`Session.ident` (``"user"`` is a reserved word in PostgreSQL), through ``psycopg.sql`` on
  PostGIS and :func:`quote_ident` (the one quoting helper) on a GeoPackage; never put between quotes by hand;
* geometry is written with :attr:`Session.geom_in` and a value from :meth:`Session.geom_param`, and
  read with :meth:`Session.geom_out`; the change log keeps it as the hex of a GeoPackage blob on both,
  so a log copied between stores reads back the same;
* a write is one :meth:`Session.write`: one transaction, serialised against every other writer
  (SQLite's ``BEGIN IMMEDIATE`` lock with retries; a PostgreSQL advisory lock), which also moves the
  store's version (the cache key of every replica: read from the database, not from a file).

A PostGIS store keeps GeoPackage's bookkeeping in two tables of its own: ``store_contents`` (each
table's kind, geometry type and column, order and last change) and ``store_state`` (the version).
"""

from __future__ import annotations

import os
import re
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote

import shapely

T = TypeVar("T")

Location = str | os.PathLike[str]
PG_SCHEMES = ("postgresql://", "postgres://")
CONTENTS = "store_contents"
STATE = "store_state"
WRITE_LOCK = 0x444C_5354  # "DLST": the advisory lock every writer of a PostGIS store takes
SRID = 4326


class StoreDown(Exception):
    """The database did not answer (a server stopped or restarted mid-way): nothing was written."""


def is_postgis(location: Location | None) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a GeoPackage file."""
    return location is not None and str(location).startswith(PG_SCHEMES)


class StoreLoginRefused(StoreDown):
    """The database answered and refused the user name, the password or the database named."""

    def __init__(self, text: str, label: str = "") -> None:
        super().__init__(text)
        self.label = label  # the address as a user may see it


class BadAddress(ValueError):
    """A database address the project cannot read. Its text names the address by its label only (see
    :func:`label`): never the password, whatever is wrong with it.
    """

    def __init__(self, location: str, reason_vi: str, reason_en: str) -> None:
        self.label = label(location)
        self.reason = {"vi": reason_vi, "en": reason_en}
        super().__init__(f"{self.label}: {reason_en}")


@dataclass(frozen=True)
class Address:
    """A ``postgresql://`` address as the project reads it, once: the password kept apart from the rest."""

    scheme: str
    user: str
    password: str = field(repr=False)
    hosts: tuple[tuple[str, str], ...]  # (host, port) pairs; libpq tries each in turn
    dbname: str
    params: tuple[tuple[str, str], ...] = field(repr=False)  # may hold a password=

    def conninfo(self) -> str:
        """What psycopg connects with (``key=value`` pairs: a password needs no URL encoding here)."""
        from psycopg.conninfo import make_conninfo

        kw: dict[str, str] = dict(self.params)
        if self.hosts:
            kw["host"] = ",".join(h for h, _ in self.hosts)
            if any(p for _, p in self.hosts):
                kw["port"] = ",".join(p for _, p in self.hosts)
        for key, value in (("user", self.user), ("password", self.password), ("dbname", self.dbname)):
            if value:
                kw[key] = value
        return make_conninfo("", **kw)

    def scrub(self, text: str) -> str:
        """``text`` with every spelling of the password (as typed, and percent-encoded) blotted out."""
        secrets = {self.password, *(v for k, v in self.params if k == "password")}
        for secret in sorted((s for s in secrets if s), key=len, reverse=True):
            for spelled in {secret, quote(secret, safe=""), quote(secret)}:
                text = text.replace(spelled, "***")
        return text


_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _split_userinfo(location: str) -> tuple[str, str, str]:
    """(scheme, userinfo, the rest) of a ``postgresql://`` address: the user information ends at the *last*
    ``@`` before the path, so a password with an unencoded ``/ # ? @`` stays in it, whole.
    """
    scheme, _, rest = location.partition("://")
    end = len(rest)
    at = rest.rfind("@", 0, end)
    if at < 0:
        return scheme, "", rest
    return scheme, rest[:at], rest[at + 1 :]


def _unquote(location: str, text: str, what_vi: str, what_en: str) -> str:
    if _BAD_PERCENT.search(text):
        raise BadAddress(location, f"{what_vi} có mã %XX sai", f"the {what_en} has a bad %XX escape")
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise BadAddress(location, f"{what_vi} có mã %XX không phải UTF-8", f"the {what_en} is not UTF-8") from None


def parse_address(location: Location) -> Address:
    """Read a ``postgresql://USER:PASSWORD@HOST:PORT/DB?key=value`` address; :class:`BadAddress` if it
    cannot be read (its message never holds the password).
    """
    text = str(location)
    if not is_postgis(text):
        raise BadAddress(text, "không phải địa chỉ postgresql://", "not a postgresql:// address")
    if any(ord(c) < 32 for c in text):
        raise BadAddress(text, "có ký tự điều khiển", "it holds control characters")
    scheme, userinfo, rest = _split_userinfo(text)
    user_raw, _, password_raw = userinfo.partition(":")
    user = _unquote(text, user_raw, "tên người dùng", "user name")
    password = _unquote(text, password_raw, "mật khẩu", "password")
    cut = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0], default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    hosts = []
    for part in authority.split(",") if authority else []:
        if part.startswith("["):
            close = part.find("]")
            if close < 0:
                raise BadAddress(text, "địa chỉ IPv6 thiếu dấu ]", "an IPv6 address lacks its ]")
            host, after = part[1:close], part[close + 1 :]
            if after and not after.startswith(":"):
                raise BadAddress(text, "sau địa chỉ IPv6 chỉ được có :CỔNG", "only :PORT may follow an IPv6 address")
            port = after[1:]
        else:
            if "[" in part or "]" in part:
                raise BadAddress(text, "dấu [ ] đặt sai", "misplaced [ ]")
            host, _, port = part.partition(":")
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise BadAddress(text, "cổng phải là số từ 1 đến 65535", "the port must be a number from 1 to 65535")
        hosts.append((_unquote(text, host, "máy chủ", "host"), port))
    path, _, query = tail.partition("?")
    dbname = _unquote(text, path.lstrip("/"), "tên cơ sở dữ liệu", "database name")
    try:
        params = tuple(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query), errors="strict"))
    except (ValueError, UnicodeDecodeError):
        raise BadAddress(text, "phần ?khóa=giá trị sai", "the ?key=value part is malformed") from None
    return Address(scheme, user, password, tuple(hosts), dbname, params)


def label(location: Location) -> str:
    """``location`` as a user may see it: a file's name, or a database address without its password (nor
    its ``?key=value`` part, which may hold one), whatever is wrong with the address.
    """
    text = str(location)
    if not is_postgis(text) and not _ADDRESS_LIKE.search(text):
        return Path(text).name
    return _masked(text)


def looks_like_address(text: str) -> bool:
    """Whether ``text`` is, or may be meant as, a database address (and so may carry a password)."""
    return is_postgis(text) or bool(_ADDRESS_LIKE.search(text))


def shown(location: Location) -> str:
    """``location`` in a message: a file's whole path, or anything like an address as :func:`label` shows it."""
    text = str(location)
    return text if not is_postgis(text) and not _ADDRESS_LIKE.search(text) else _masked(text)


# Anything that may carry a secret: a user@host part, a URL scheme, a password= keyword.
_ADDRESS_LIKE = re.compile(r"@|^[A-Za-z][A-Za-z0-9+.-]+:/|password\s*=|^postgres", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:/{0,2})?")


def _masked(text: str) -> str:
    prefix = _SCHEME.match(text).group(0)  # type: ignore[union-attr]  # matches every string
    body = text[len(prefix) :]
    at = body.rfind("@")
    if at >= 0:
        user = body[:at].partition(":")[0]
        body = f"{user}@{body[at + 1 :]}" if user else body[at + 1 :]
    body = re.sub(r"(?i)password\s*=\s*\S*", "password=***", body.partition("?")[0])
    return "".join(c if c.isprintable() else "?" for c in prefix + body)[:200]


# -- GeoPackage geometry blobs (the change log's format on both stores) ------------------------------------
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def blob_from_wkb(wkb: bytes | None, srs_id: int = SRID) -> bytes | None:
    """A GeoPackage geometry blob (header with envelope, then little-endian WKB) of ``wkb``."""
    if wkb is None:
        return None
    geom = shapely.from_wkb(bytes(wkb))
    body = shapely.to_wkb(geom, byte_order=1)
    if geom.is_empty:
        return b"GP" + bytes([0, 0x11]) + struct.pack("<i", srs_id) + body
    w, s, e, n = geom.bounds
    return b"GP" + bytes([0, 0x03]) + struct.pack("<i4d", srs_id, w, e, s, n) + body


def wkb_of_blob(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob."""
    if blob is None:
        return None
    flags = blob[3]
    return bytes(blob[8 + 8 * _ENVELOPE_DOUBLES.get((flags >> 1) & 0x07, 0) :])


def blob_of(wkt_or_hex: str | None) -> bytes | None:
    """A GeoPackage blob from WKT, or from the hex of a blob (as the change log keeps whole rows)."""
    if wkt_or_hex is None:
        return None
    if re.fullmatch(r"[0-9a-fA-F]+", wkt_or_hex) and wkt_or_hex[:4].lower() == "4750":
        return bytes.fromhex(wkt_or_hex)
    return blob_from_wkb(shapely.to_wkb(shapely.from_wkt(wkt_or_hex)))


class Session:
    """One open connection to a store; see the module's notes for the dialect it speaks."""

    kind: str
    #: The primary key of a new table: ``fid``, numbered by the database.
    pk: str
    #: The placeholder of a geometry value from :meth:`geom_param`.
    geom_in: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor (``fetchone``, ``fetchall``, iteration, ``description``)."""
        raise NotImplementedError

    def ident(self, name: str) -> str:
        """``name`` as an SQL identifier of this store's dialect (a quote inside it doubled)."""
        raise NotImplementedError

    def idents(self, names: Iterable[str]) -> str:
        """Several names as identifiers, comma-separated: ``"a", "b"``."""
        return ", ".join(self.ident(n) for n in names)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``."""
        raise NotImplementedError

    def write(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in one write transaction, serialised against every other writer; all of it or nothing."""
        raise NotImplementedError

    def insert_fid(self, sql: str, params: Sequence[Any]) -> int:
        """Run one ``INSERT`` and return the ``fid`` it gave the new row."""
        raise NotImplementedError

    def tables(self) -> dict[str, str | None]:
        """The store's tables in order: name → geometry type (``None`` for an attribute table)."""
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        """Whether the store holds a table ``name``."""
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` in order (``fid`` and the geometry included)."""
        raise NotImplementedError

    def geometry_column(self, table: str) -> str | None:
        """The geometry column of a spatial ``table``."""
        raise NotImplementedError

    def geom_out(self, column: str) -> str:
        """A select expression of ``column`` that :meth:`geom_blob` reads."""
        raise NotImplementedError

    def geom_blob(self, value: Any) -> bytes | None:
        """A value read through :meth:`geom_out` as a GeoPackage blob."""
        raise NotImplementedError

    def geom_param(self, wkt_or_hex: str | None) -> Any:
        """The value to bind to :attr:`geom_in` for a geometry given as WKT or the hex of a GeoPackage blob."""
        raise NotImplementedError

    def table_versions(self) -> dict[str, str]:
        """Each table's version: the store's version at its last change where the store keeps that apart
        (PostGIS), else the store's own for every table.
        """
        now = self.version()
        return dict.fromkeys(self.tables(), now)

    def typed(self, table: str, row: Mapping[str, Any]) -> list[Any]:
        """``row``'s values as ``table``'s columns store them (a value from the change log may be ``1`` for a
        boolean: a GeoPackage column takes it as it is, a PostgreSQL column needs ``True``).
        """
        return list(row.values())

    def attributes_table(self, name: str, ddl: str, stamp: str) -> None:
        """Create the attribute table ``name`` (``ddl`` with ``{pk}`` for its key) if missing, and list it."""
        raise NotImplementedError

    def touch(self, tables: Sequence[str], stamp: str) -> None:
        """Record ``stamp`` as the last change of ``tables``."""
        raise NotImplementedError

    def version(self, tables: Sequence[str] | None = None) -> str:
        """Moves with every committed write (of one of ``tables``, where the store keeps that apart): the key
        of every cache of what was read, and what an open page compares to know it is out of date.
        """
        raise NotImplementedError


def quote_ident(name: str) -> str:
    """``name`` as an SQLite identifier: between double quotes, a double quote inside it doubled (the one
    quoting helper of GeoPackage SQL; PostGIS's go through ``psycopg.sql.Identifier``).

    >>> print(quote_ident("user"), quote_ident('a "b" c'))
    "user" "a ""b"" c"
    """
    if "\x00" in name:
        raise ValueError(f"an identifier cannot hold NUL: {name!r}")
    return '"' + name.replace('"', '""') + '"'


# -- GeoPackage -----------------------------------------------------------------------------------------------
# GDAL's R-tree triggers call ST_IsEmpty and ST_Min/MaxX/Y (provided by GDAL or SpatiaLite, not by
# sqlite3): SQLite compiles a table's triggers on any UPDATE of it. We provide them from the blob's
# header (envelope and empty flag), or the WKB after it.


def _bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    n = _ENVELOPE_DOUBLES.get((flags >> 1) & 7, 0)
    if flags & 0x10:
        return None
    if n:
        env = struct.unpack(order + "d" * n, blob[8 : 8 + 8 * n])
        return env[0], env[2], env[1], env[3]  # the envelope is minx, maxx, miny, maxy
    geom = shapely.from_wkb(bytes(blob[8:]))
    return None if geom.is_empty else tuple(geom.bounds)


def _st_is_empty(blob: bytes | None) -> int | None:
    return None if blob is None else int(_bounds(blob) is None)


def _st_bound(index: int) -> Callable[[bytes | None], float | None]:
    def fn(blob: bytes | None) -> float | None:
        b = _bounds(blob) if blob is not None else None
        return None if b is None else b[index]

    return fn


def register_gpkg_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions GeoPackage's R-tree triggers call, on ``conn``."""
    conn.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for name, index in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        conn.create_function(name, 1, _st_bound(index), deterministic=True)


class GpkgSession(Session):
    """A GeoPackage file through sqlite3 (autocommit; :meth:`write` opens the transaction)."""

    kind = "gpkg"
    pk = "fid INTEGER PRIMARY KEY AUTOINCREMENT"
    geom_in = "?"

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def write(self, fn: Callable[[], T]) -> T:
        for attempt in range(50):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(min(0.05 * (attempt + 1), 0.5))
                continue
            try:
                result = fn()
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            return result
        raise TimeoutError("the store stayed locked")

    def insert_fid(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(sql, tuple(params)).lastrowid or 0)

    def ident(self, name: str) -> str:
        return quote_ident(name)

    def tables(self) -> dict[str, str | None]:
        rows = self.conn.execute(
            "SELECT c.table_name, g.geometry_type_name FROM gpkg_contents c "
            "LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name ORDER BY c.rowid"
        ).fetchall()
        return {str(name): (str(geom) if geom else None) for name, geom in rows}

    def has_table(self, name: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        return row is not None

    def columns(self, table: str) -> list[str]:
        return [str(r[1]) for r in self.conn.execute(f"PRAGMA table_info({quote_ident(table)})")]

    def geometry_column(self, table: str) -> str | None:
        row = self.conn.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
        ).fetchone()
        return str(row[0]) if row else None

    def geom_out(self, column: str) -> str:
        return quote_ident(column)

    def geom_blob(self, value: Any) -> bytes | None:
        return None if value is None else bytes(value)

    def geom_param(self, wkt_or_hex: str | None) -> Any:
        return blob_of(wkt_or_hex)

    def attributes_table(self, name: str, ddl: str, stamp: str) -> None:
        self.conn.execute(ddl.format(pk=self.pk))
        self.conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
            "VALUES (?, 'attributes', ?, ?)",
            (name, name, _gpkg_time(stamp)),
        )

    def touch(self, tables: Sequence[str], stamp: str) -> None:
        marks = ", ".join("?" for _ in tables)
        self.conn.execute(
            f"UPDATE gpkg_contents SET last_change = ? WHERE table_name IN ({marks})", (_gpkg_time(stamp), *tables)
        )

    def version(self, tables: Sequence[str] | None = None) -> str:
        del tables  # one file, one stamp
        st = self.path.stat()
        return f"{st.st_mtime_ns}-{st.st_size}"


def _gpkg_time(stamp: str) -> str:
    return stamp[:23] + "Z" if "T" in stamp else stamp


@contextmanager
def _gpkg(path: Path) -> Iterator[GpkgSession]:
    if not path.is_file():
        raise FileNotFoundError(path)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        register_gpkg_functions(conn)
        yield GpkgSession(conn, path)
    finally:
        conn.close()


# -- scratch files beside a GeoPackage ----------------------------------------------------------------------------
SCRATCH_GLOB = ".import-*.gpkg"  # an import's features, written beside the store before they are attached
STALE_UNLOCKED_S = 3600.0  # a scratch file without its lock (written before the locks) is left for an hour


@contextmanager
def scratch_beside(store: Path) -> Iterator[Path]:
    """A new scratch GeoPackage path beside ``store``, held by an exclusive lock on ``<name>.lock`` while in
    use and removed after (with its journal); one that a killed process left is swept by :func:`sweep_scratch`.
    """
    import fcntl
    import uuid

    scratch = store.parent / f".import-{uuid.uuid4().hex}.gpkg"
    lock = scratch.with_suffix(".lock")
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield scratch
    finally:
        _remove_scratch(scratch)
        lock.unlink(missing_ok=True)
        os.close(fd)


def _remove_scratch(scratch: Path) -> None:
    for p in (scratch, Path(f"{scratch}-journal"), Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
        p.unlink(missing_ok=True)


def sweep_scratch(store: Path, now: float | None = None) -> list[Path]:
    """Remove the scratch files of imports that were interrupted (their process gone: its lock is free);
    returns what was removed. Called when a GeoPackage store is opened and before an import writes.
    """
    import fcntl

    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        found = list(store.parent.glob(SCRATCH_GLOB))
        found += [lock.with_suffix(".gpkg") for lock in store.parent.glob(".import-*.lock")]  # a lock left alone
    except OSError:
        return removed
    found = sorted(set(found))
    for scratch in found:
        lock = scratch.with_suffix(".lock")
        try:
            if lock.exists():
                fd = os.open(lock, os.O_RDWR)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken: its import is gone
                except BlockingIOError:
                    continue  # another process is importing with it now
                else:
                    _remove_scratch(scratch)
                    lock.unlink(missing_ok=True)
                finally:
                    os.close(fd)
            elif scratch.exists() and now - scratch.stat().st_mtime > STALE_UNLOCKED_S:
                _remove_scratch(scratch)
            else:
                continue
        except OSError:
            continue
        removed.append(scratch)
    return removed


# -- PostGIS ----------------------------------------------------------------------------------------------------
PG_TYPES = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BOOLEAN": "boolean"}
GPKG_TYPES = {
    "bigint": "INTEGER",
    "integer": "INTEGER",
    "double precision": "REAL",
    "text": "TEXT",
    "boolean": "BOOLEAN",
}


def _pg_sql(sql: str, params: Sequence[Any] | None = ()) -> str:
    """The dialect's statement as psycopg takes it: ``?`` → ``%s`` and a literal ``%`` doubled, when there are
    parameters; without any, psycopg sends the text as it is (and ``%%`` would reach the server as two).
    """
    if params is None:
        return sql
    return sql.replace("%", "%%").replace("?", "%s")


class PgSession(Session):
    """A PostGIS database through psycopg (autocommit; :meth:`write` opens the transaction)."""

    kind = "postgis"
    pk = "fid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    geom_in = f"ST_GeomFromWKB(?, {SRID})"

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._geom: dict[str, str | None] = {}
        self._kinds: dict[str, dict[str, str]] = {}

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_pg_sql(sql, tuple(params) or None), tuple(params) or None)

    def fetch_binary(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of one query, sent in PostgreSQL's binary format (no text to parse: geometry arrives as
        bytes, numbers as numbers).
        """
        args = tuple(params) or None
        return list(self.conn.execute(_pg_sql(sql, args), args, binary=True).fetchall())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(_pg_sql(sql), list(rows))

    def write(self, fn: Callable[[], T]) -> T:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            result = fn()
            self.conn.execute(f"UPDATE {STATE} SET version = version + 1, changed = clock_timestamp()")
        return result

    def insert_fid(self, sql: str, params: Sequence[Any]) -> int:
        row = self.conn.execute(_pg_sql(sql + " RETURNING fid"), tuple(params)).fetchone()
        return int(row[0])

    def _quoted(self, name: str) -> str:
        from psycopg import sql

        return sql.Identifier(name).as_string(self.conn)  # libpq's quoting, in the connection's encoding

    def ident(self, name: str) -> str:
        quoted = self._quoted(name)
        if "?" not in quoted:  # (a % goes through _pg_sql with the rest of the statement, and reads back as one)
            return quoted
        # ? is the dialect's placeholder: inside a name it is spelled as its code point (U&"a\003Fb")
        return "U&" + quoted.replace("\\", "\\\\").replace("?", "\\003F")

    def tables(self) -> dict[str, str | None]:
        rows = self.conn.execute(f"SELECT table_name, geometry_type FROM {CONTENTS} ORDER BY ord").fetchall()
        return {str(name): (str(geom) if geom else None) for name, geom in rows}

    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (self._quoted(name),)).fetchone()[0]

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def geometry_column(self, table: str) -> str | None:
        if table not in self._geom:
            row = self.conn.execute(
                f"SELECT geometry_column FROM {CONTENTS} WHERE table_name = %s", (table,)
            ).fetchone()
            self._geom[table] = str(row[0]) if row and row[0] else None
        return self._geom[table]

    def geom_out(self, column: str) -> str:
        return f"ST_AsBinary({self.ident(column)})"

    def geom_blob(self, value: Any) -> bytes | None:
        return blob_from_wkb(value)

    def geom_param(self, wkt_or_hex: str | None) -> Any:
        return wkb_of_blob(blob_of(wkt_or_hex))

    def table_versions(self) -> dict[str, str]:
        rows = self.conn.execute(f"SELECT table_name, changed_in FROM {CONTENTS}").fetchall()
        return {str(name): f"pg-{n}" for name, n in rows}

    def typed(self, table: str, row: Mapping[str, Any]) -> list[Any]:
        if table not in self._kinds:
            rows = self.conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s",
                (table,),
            ).fetchall()
            self._kinds[table] = {str(c): str(k) for c, k in rows}
        kinds = self._kinds[table]
        return [_cast(v, kinds.get(c, "")) for c, v in row.items()]

    def attributes_table(self, name: str, ddl: str, stamp: str) -> None:
        self.conn.execute(ddl.format(pk=self.pk))
        self.conn.execute(
            f"INSERT INTO {CONTENTS} (table_name, data_type, identifier, ord, last_change, changed_in) "
            f"SELECT %s, 'attributes', %s, COALESCE(MAX(ord), 0) + 1, %s, (SELECT version + 1 FROM {STATE}) "
            f"FROM {CONTENTS} "
            "ON CONFLICT (table_name) DO NOTHING",
            (name, name, stamp),
        )

    def touch(self, tables: Sequence[str], stamp: str) -> None:
        # changed_in: the store version this write commits as (write() moves it by one at the end)
        self.conn.execute(
            f"UPDATE {CONTENTS} SET last_change = %s, changed_in = (SELECT version + 1 FROM {STATE}) "
            "WHERE table_name = ANY(%s)",
            (stamp, list(tables)),
        )

    def version(self, tables: Sequence[str] | None = None) -> str:
        if tables is None:
            row = self.conn.execute(f"SELECT version FROM {STATE}").fetchone()
            return f"pg-{row[0]}"
        row = self.conn.execute(
            f"SELECT COALESCE(MAX(changed_in), 0) FROM {CONTENTS} WHERE table_name = ANY(%s)", (list(tables),)
        ).fetchone()
        return f"pg-{row[0]}"


def _cast(value: Any, kind: str) -> Any:
    """``value`` as a PostgreSQL column of type ``kind`` takes it."""
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    if kind in ("bigint", "integer") and isinstance(value, (bool, float)):
        return int(value)
    if kind == "double precision" and isinstance(value, bool):
        return float(value)
    if kind == "text" and not isinstance(value, str):
        return str(value)
    return value


POOL_MAX = 8  # connections per database and process: the writers queue on the advisory lock anyway
POOL_WAIT = 10.0  # seconds a session waits for a connection before the store counts as not answering

NONE_FREE = "no connection was free in time"

_POOLS: dict[str, Any] = {}
_POOLS_LOCK = threading.Lock()


def _pool(dsn: str, address: Address) -> Any:
    """Psycopg's own pool for ``dsn``: connections made on demand, each checked before it is handed out (a
    server restart closes them all), none kept idle past ten minutes.
    """
    import psycopg
    from psycopg_pool import ConnectionPool

    with _POOLS_LOCK:
        if dsn not in _POOLS:
            # One connection made here first: a wrong address or password is said at once, not after the
            # pool has waited for its workers in vain.
            try:
                psycopg.connect(address.conninfo(), connect_timeout=5).close()
            except psycopg.Error as exc:
                raise _down(address, exc, dsn, connecting=True) from None
            _POOLS[dsn] = ConnectionPool(
                address.conninfo(),
                min_size=0,
                max_size=POOL_MAX,
                kwargs={"autocommit": True, "connect_timeout": 5},
                check=ConnectionPool.check_connection,
                timeout=POOL_WAIT,
                max_idle=600,
                name="dinhlap",
                open=True,
            )
        return _POOLS[dsn]


# What the server says when it answered and refused the sign-in or the database (libpq's messages).
_REFUSED = ("password authentication failed", "no password supplied", "authentication failed", "does not exist")


def _down(address: Address, exc: Exception, dsn: str, connecting: bool = False) -> StoreDown:
    """The store-down error for ``exc``, its text scrubbed of the password; a refused sign-in said as such."""
    text = address.scrub(str(exc).strip())
    refused = connecting and any(r in text for r in _REFUSED)
    return StoreLoginRefused(text, label(dsn)) if refused else StoreDown(text)


def _why_not(address: Address, dsn: str) -> StoreDown:
    """Why no connection to ``dsn`` could be had (the pool only says it waited in vain): one made anew says."""
    import psycopg

    try:
        psycopg.connect(address.conninfo(), connect_timeout=5).close()
    except psycopg.Error as exc:  # OperationalError, or a ProgrammingError for an option libpq rejects
        return _down(address, exc, dsn, connecting=True)
    return StoreDown(NONE_FREE)


def _backing_off(pool: Any, failure: StoreDown) -> bool:
    """Whether a pool that gave no connection in time was only backing off: the server answers a fresh
    connection (``failure`` is the "none free" one, not a down server) and the pool holds fewer than its
    maximum in use.
    """
    if str(failure) != NONE_FREE:
        return False
    stats = pool.get_stats()
    return int(stats.get("pool_size", 0)) - int(stats.get("pool_available", 0)) < POOL_MAX


def _renew_pool(dsn: str, address: Address, old: Any) -> Any:
    with _POOLS_LOCK:
        if _POOLS.get(dsn) is old:
            del _POOLS[dsn]
    old.close(timeout=0)  # connections still lent out are closed when given back
    return _pool(dsn, address)


@contextmanager
def _pg(dsn: str) -> Iterator[PgSession]:
    import psycopg
    from psycopg_pool import PoolTimeout

    address = parse_address(dsn)
    pool = _pool(dsn, address)
    try:
        conn = pool.getconn()
    except PoolTimeout:
        failure = _why_not(address, dsn)
        if not _backing_off(pool, failure):
            raise failure from None
        # The server answers again, but the pool still waits out its reconnect back-off (it grew while the
        # server was down): a fresh pool serves at once.
        pool = _renew_pool(dsn, address, pool)
        try:
            conn = pool.getconn()
        except PoolTimeout:
            raise _why_not(address, dsn) from None
    try:
        yield PgSession(conn)
    except psycopg.OperationalError as exc:
        conn.close()  # given back closed: the pool replaces it
        pool.check()  # and drops every idle one the same failure broke
        raise _down(address, exc, dsn) from None
    finally:
        pool.putconn(conn)


@contextmanager
def connect(location: Location) -> Iterator[Session]:
    """A session on the store at ``location`` (a ``.gpkg`` path or a ``postgresql://`` address).

    Raises :class:`FileNotFoundError` for a missing file and :class:`StoreDown` for a database that
    does not answer.
    """
    if is_postgis(location):
        with _pg(str(location)) as pg:
            yield pg
    else:
        with _gpkg(Path(location)) as gp:
            yield gp


def drop_pools() -> None:
    """Close every database connection of this process (tests, after stopping a server)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close(timeout=5)
