"""Online backups of the store, and restoring one, without stopping the app.

:func:`backup` copies the GeoPackage through SQLite's backup API: a consistent snapshot of one moment
even while planners are editing (each edit is one transaction, with its change-log rows; the copy holds
whole transactions only). The copy is checked (``PRAGMA integrity_check``) before it is kept, and written
atomically, so a half-written backup never exists under its name.

:func:`restore` puts a backup back: it checks the backup first (a GeoPackage that opens, passes the
integrity check and has a change log), keeps the store it replaces beside it
(``NAME.before-restore-YYYYmmddTHHMMSS.gpkg``), and replaces the store in one rename, so a reader sees
either the old store or the restored one. ``python -m geo backup DST`` and ``python -m geo restore SRC``.

A PostGIS store is backed up the same way into a GeoPackage: :func:`geo.store.transfer.copy_store` reads it
as one moment (a repeatable-read transaction), so the snapshot holds whole edits only; restoring one
replaces the database's store tables in one transaction, after keeping the store it replaces as a
GeoPackage beside the backup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from geo.store import db
from geo.store.changelog import AUDIT_TABLE
from geo.store.reads import read_only_uri


class BackupError(Exception):
    """A backup that cannot be taken or restored; the message names the file and the reason."""


def _check(path: Path) -> int:
    """The number of change-log rows of a sound store; ``BackupError`` otherwise."""
    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"{path}: integrity check failed ({ok})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "gpkg_contents" not in tables:
                raise BackupError(f"{path}: not a GeoPackage store")
            return (
                int(conn.execute(f"SELECT COUNT(*) FROM {AUDIT_TABLE}").fetchone()[0]) if AUDIT_TABLE in tables else 0
            )
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: {exc}") from exc


def backup(store: db.Location, dst: Path) -> int:
    """Copy ``store`` to ``dst`` as one consistent moment; returns the backup's change-log rows."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".gpkg", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if db.is_postgis(store):
            from geo.store.transfer import copy_store

            copy_store(store, tmp, replace=True)
            rows = _check(tmp)
            os.replace(tmp, dst)
            return rows
        with (
            contextlib.closing(sqlite3.connect(read_only_uri(Path(store)), uri=True, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(tmp)) as out,
        ):
            src.backup(out)  # all pages in one step: the copy is one moment of the store
        rows = _check(tmp)
        os.replace(tmp, dst)
        return rows
    finally:
        tmp.unlink(missing_ok=True)


def restore(src: Path, store: db.Location) -> Path:
    """Replace ``store`` by the backup ``src`` (checked first); returns where the replaced store was kept."""
    _check(src)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    if db.is_postgis(store):
        from geo.store.transfer import copy_store

        name = db.label(store).rsplit("/", 1)[-1]
        kept = src.with_name(f"{name}.before-restore-{stamp}.gpkg")
        backup(store, kept)
        copy_store(src, store, replace=True)
        return kept
    store = Path(store)
    kept = store.with_name(f"{store.stem}.before-restore-{stamp}{store.suffix}")
    if store.exists():
        backup(store, kept)  # the store as it was, consistent, kept beside it
    fd, tmp_name = tempfile.mkstemp(prefix=".restore-", suffix=".gpkg", dir=store.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(src, tmp)
        for side in ("-wal", "-shm", "-journal"):  # a rollback journal of the old store must not apply
            Path(f"{store}{side}").unlink(missing_ok=True)
        os.replace(tmp, store)
    finally:
        tmp.unlink(missing_ok=True)
    return kept
