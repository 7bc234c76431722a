"""A throwaway PostgreSQL + PostGIS server for the tests and benchmarks: Debian's binaries, a cluster in a
temporary folder, a free local port, stopped and removed at the end. Never a mock.

The server keeps PostgreSQL's durable defaults (``fsync``, ``synchronous_commit``, ``full_page_writes``):
what a command reported as written must survive a crash of the server, and the tests kill it to check
(tests/store/test_durable.py). Only a benchmark that measures something else may ask for ``durable=False``.

As root (CI), the cluster belongs to the ``postgres`` system user that Debian's package creates
(``initdb`` refuses root); otherwise to the current user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def available() -> str | None:
    """Why a cluster cannot start here, or ``None`` if it can."""
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL is not installed (make test installs it from Debian)"
    version = bindir.parent.name
    if not glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
        return f"PostGIS for PostgreSQL {version} is not installed (make test installs it from Debian)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running server; :meth:`database` makes a fresh database with PostGIS and returns its address."""

    def __init__(self, durable: bool = True) -> None:
        why = available()
        if why:
            raise RuntimeError(why)
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="dinhlap-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "dinhlap"
        self.durable = durable
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as, str(self.bindir / tool), *args], check=check, capture_output=True, text=True, cwd=self.root
        )

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers; nothing if it is running."""
        if self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0:
            return
        # After a crash the server syncs its data folder before replaying its log: one ``syncfs`` of the file
        # system rather than an ``fsync`` of each of the many files a run's databases hold (over a minute on a
        # CI disk). The guarantee is the same; only the way the data reaches the disk differs.
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
            " -c recovery_init_sync_method=syncfs"
        )
        if not self.durable:  # faster, and an acknowledged commit may be lost in a crash: never where that matters
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        # After an immediate stop the server first replays its write-ahead log (an import cut mid-way: tens of
        # megabytes), which on two busy cores can take a while: a generous wait, and the server's own words if
        # it still does not come up.
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", opts, "-w", "-t", "240", "start",
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            log = (self.root / "log").read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"PostgreSQL did not start: {done.stdout}{done.stderr}\n--- its log ---\n{log}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate``: as if its machine lost power)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def url(self, dbname: str = "postgres") -> str:
        """The address of ``dbname`` on this server."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def database(self, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given, else empty with PostGIS); its address."""
        import psycopg
        from psycopg import sql

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            if template:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
                )
            else:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if not template:
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION postgis")
        return self.url(name)

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop("immediate")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)
