"""Start the app: ``python -m ui.serve [streamlit options]`` (what ``make run`` does).

Why not plain ``streamlit run app.py``: with a folder named ``pages/`` beside
``app.py``, Streamlit 1.67 runs the very first script run of a server process
through its legacy pages-directory mode, so the first person to open a page
link (``/giao-thong``) after a restart gets a "Page not found" dialog over the
page. We register our pages with ``st.navigation``; saying so before the
server starts removes that first-run detour. ``streamlit run app.py`` still
works, with that one glitch, but without the vector tiles of big layers: those come from a route
that ``ui/asgi.py`` adds beside the app (``st.App``, Streamlit's own way).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"
ASGI = Path(__file__).resolve().with_name("asgi.py")  # app.py inside st.App, with the vector-tile route


# Replicas on one GeoPackage: each server process leaves its process id in a folder beside the store
# (``.dinhlap.gpkg.servers/<pid>``), so that a page knows when another process may write the same file and
# watches for it (ui/data.refresh_seconds), without anyone having to set DINHLAP_REFRESH_SECONDS.
def servers_dir(store: Path) -> Path:
    """The folder where the server processes of the GeoPackage ``store`` leave their process ids."""
    return store.with_name(f".{store.name}.servers")


def register(store: Path, pid: int | None = None) -> Path | None:
    """Note that process ``pid`` (this one) serves ``store``; gone at its exit. ``None`` if the folder is read-only."""
    pid = os.getpid() if pid is None else pid
    mark = servers_dir(store) / str(pid)
    try:
        mark.parent.mkdir(exist_ok=True)
        mark.touch()
    except OSError:
        return None
    if pid == os.getpid():
        atexit.register(lambda: mark.unlink(missing_ok=True))
    return mark


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def serving(store: Path) -> int:
    """How many live server processes serve the GeoPackage ``store`` (the marks of dead ones are removed)."""
    try:
        marks = list(servers_dir(store).iterdir())
    except OSError:
        return 0
    n = 0
    for mark in marks:
        if mark.name.isdigit() and _alive(int(mark.name)):
            n += 1
        else:
            with contextlib.suppress(OSError):
                mark.unlink()
    return n


def _exit_on_term(signum: int, frame: object) -> None:
    """SIGTERM (``systemctl stop``, ``docker stop``, a test's end) as a normal exit, so that the exit hooks run:
    the process's own folders (the map's scripts and data, the versions file) are removed and its mark beside
    a GeoPackage goes. The server under ``st.App`` (uvicorn) stops gracefully on SIGTERM, then raises the signal
    again under the handler it found; with Python's default the process died there, leaving every folder behind.
    The status is 0: systemd counts death by SIGTERM as a clean stop, and exit status 143 as a failure (which
    ``Restart=on-failure`` would restart).
    """
    del signum, frame
    sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    """Run ``streamlit run ui/asgi.py`` (``app.py`` and the tile route) with ``argv`` as extra options."""
    PagesManager.uses_pages_directory = False
    signal.signal(signal.SIGTERM, _exit_on_term)
    from geo.store import db
    from geo.store.reads import store_path

    location = store_path()
    if not db.is_postgis(location):
        register(Path(location))
    sys.argv = ["streamlit", "run", str(ASGI), *(sys.argv[1:] if argv is None else argv)]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
