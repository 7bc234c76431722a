"""Serve Leaflet from the installed ``xstatic-leaflet`` package, through the app itself.

Streamlit serves the folder of every declared component at
``/component/<name>/``; declaring the package folder as a component makes the
app serve Leaflet with nothing copied and no CDN. The component is never
rendered; only its files are used.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from geo.webmap.compact import digest, gz
from geo.webmap.mapview import STATIC_DIR, WORKER_JS, leaflet_dir, scripts_bundle

_LEAFLET = components.declare_component("leaflet", path=leaflet_dir())
_STATIC = components.declare_component("dlmap", path=str(STATIC_DIR))  # the map's own .js and .css files


def served_at(component_name: str) -> str:
    """URL prefix (ending in ``/``) under which the app serves a declared component's folder."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{component_name}/"


# The map's scripts as one file (geo.webmap.mapview.scripts_bundle), written once when the app starts into a
# folder of this process and served like the others; named by its content, so a copy a browser or a proxy
# kept is never stale: other scripts have another name.
_SCRIPTS_DIR = Path(tempfile.mkdtemp(prefix="dinhlap-mapjs-"))
atexit.register(shutil.rmtree, _SCRIPTS_DIR, True)


def _write_scripts() -> str:
    text = scripts_bundle().encode("utf-8")
    name = f"map-{digest(text)[:16]}.js"
    (_SCRIPTS_DIR / name).write_bytes(text)
    return name


_SCRIPTS_NAME = _write_scripts()
_SCRIPTS = components.declare_component("mapjs", path=str(_SCRIPTS_DIR))


def scripts_url() -> str:
    """Where the map's scripts are served as one file."""
    return served_at(_SCRIPTS.name) + _SCRIPTS_NAME


def asset_base() -> str:
    """URL prefix (ending in ``/``) under which ``leaflet.js`` and ``leaflet.css`` are served."""
    return served_at(_LEAFLET.name)


def static_base() -> str:
    """URL prefix (ending in ``/``) under which the map's own scripts and styles are served."""
    return served_at(_STATIC.name)


PAGE_JS = Path(__file__).resolve().parent / "static" / "page.js"
PRESENT_JS = PAGE_JS.with_name("present.js")  # the briefing's presentation mode


def page_behaviour(lang: str, skip: str, projector: bool = False) -> None:
    """The page's language on ``<html lang>`` (remembered in a cookie), a skip link first in the tab order
    (``ui/static/page.js``), and the briefing's presentation keys and full screen (``ui/static/present.js``).

    Streamlit's sanitiser drops a script whose text looks like markup: the file holds no ``<``.
    """
    from geo.model.safe import html_text

    st.html(
        f'<div id="dl-page" data-lang="{html_text(lang)}" data-skip="{html_text(skip)}" '
        f'data-layout="{"projector" if projector else "normal"}" hidden></div>'
        f"<script>{PAGE_JS.read_text(encoding='utf-8')}\n{PRESENT_JS.read_text(encoding='utf-8')}</script>",
        unsafe_allow_javascript=True,
    )


def worker_url() -> str:
    """Where the large layers' decoding worker is served (same origin: ``worker-src 'self'`` allows it)."""
    return static_base() + WORKER_JS


# Large layers' compact files (see geo.webmap.compact), served the same way from a folder: named by content
# hash, so a browser may keep them and a rerun never rewrites them. ``$DINHLAP_MAPDATA_DIR`` names a
# folder the app replicas share (and the proxy may serve): a file one replica wrote is never written again
# by another. Without it, a folder of this process, removed when it ends.
MAPDATA_ENV = "DINHLAP_MAPDATA_DIR"
if os.environ.get(MAPDATA_ENV):
    _DATA_DIR = Path(os.environ[MAPDATA_ENV])
    _DATA_DIR.mkdir(parents=True, exist_ok=True)
else:
    _DATA_DIR = Path(tempfile.mkdtemp(prefix="dinhlap-mapdata-"))
    atexit.register(shutil.rmtree, _DATA_DIR, True)
_DATA = components.declare_component("mapdata", path=str(_DATA_DIR))


# The folder is a cache: every file in it can be written again from the store. Past its budget
# (``$DINHLAP_MAPDATA_MB``, 512 MB by default) the files used least recently go first, but never one used in
# the last KEEP_SECONDS: a page drawn lately may still fetch it.
BUDGET_ENV = "DINHLAP_MAPDATA_MB"
KEEP_SECONDS = 3600.0


def budget_bytes() -> int:
    """The map-data folder's budget in bytes."""
    try:
        return int(float(os.environ.get(BUDGET_ENV, "") or 512) * 1024 * 1024)
    except ValueError:
        return 512 * 1024 * 1024


def evict(folder: Path, max_bytes: int, keep_seconds: float = KEEP_SECONDS, now: float | None = None) -> list[Path]:
    """Remove the least recently used files of ``folder`` until it holds at most ``max_bytes``, sparing those
    used within ``keep_seconds``; a writer's scratch file left behind (``.tmp``) older than that goes too.
    Returns what was removed.
    """
    now = time.time() if now is None else now
    files = []
    for f in folder.iterdir():
        try:
            st_ = f.stat()
        except FileNotFoundError:  # another replica removed it meanwhile
            continue
        files.append((st_.st_mtime, st_.st_size, f))
    total = sum(size for _, size, f in files if f.suffix != ".tmp")
    gone = []
    for mtime, size, f in sorted(files):
        old = now - mtime > keep_seconds
        if old and (f.suffix == ".tmp" or total > max_bytes):
            f.unlink(missing_ok=True)
            gone.append(f)
            total -= 0 if f.suffix == ".tmp" else size
    return gone


def _publish(blob: bytes) -> dict[str, str]:
    blob = gz(blob)  # compressed once here, not on every request
    name = f"{digest(blob)}.bin.gz"  # served as application/gzip, which the server's own gzip leaves alone
    target = _DATA_DIR / name
    if target.exists():
        with contextlib.suppress(FileNotFoundError):  # evicted by another replica this instant: written below
            os.utime(target)  # used now: the last to be evicted
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(target)  # a reader never sees half a file
        evict(_DATA_DIR, budget_bytes())
    return {"url": served_at(_DATA.name) + name}


class AppPublisher:
    """A byte sink served by this app: a file per content hash, under the ``mapdata`` component."""

    key: str | None = "app"

    def put(self, blob: bytes) -> dict[str, str]:
        """Write ``blob`` once; its URL."""
        return _publish(blob)
