"""Open pages stay fresh when several app processes (replicas) share a PostGIS store.

Each process keeps one small file, ``versions.json``, that says the store's version and each table's
(:func:`geo.store.reads.versions_document`), rewritten by one background thread when the database's numbers
move (a read every half second, whatever the number of tabs). Each page ends with a hidden component
(``ui/static/watch/``) that reads the file every :func:`ui.data.refresh_seconds` and, when a table the
page showed changed after the page was drawn, sends a value: Streamlit reruns the page as it does for a
widget. A tab therefore costs the server one static file read per tick and no script run; an edit of a
layer the page does not show reruns nothing.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from geo.store.db import label
from geo.store.reads import store_path, version_number, versions_document
from ui import data
from ui.assets import served_at

WATCH_DIR = Path(__file__).resolve().parent / "static" / "watch"
VERSIONS = "versions.json"
WRITE_EVERY = 0.5  # seconds between two reads of the database's numbers, per process

_WATCH = components.declare_component("watch", path=str(WATCH_DIR))
_LIVE_DIR = Path(tempfile.mkdtemp(prefix="dinhlap-live-"))
atexit.register(shutil.rmtree, _LIVE_DIR, True)
_LIVE = components.declare_component("live", path=str(_LIVE_DIR))

_WRITERS: dict[str, tuple[threading.Thread, threading.Event]] = {}  # location → its writer and what stops it
_WRITERS_LOCK = threading.Lock()


_LOG = logging.getLogger("dinhlap.live")
_WRITTEN: dict[str, float] = {}  # location → when its versions file was last known current (time.time())
RETRY_MAX = 30.0  # seconds: the longest pause between two tries after the store stopped answering


def _write_versions(
    location: str, folder: Path, every: float = WRITE_EVERY, stop: threading.Event | None = None
) -> None:
    """Until ``stop`` is set (forever without one): the store's numbers into ``folder/versions.json`` when they
    move (atomically: a tab never reads half a file). A store that does not answer leaves the last file as it
    was; an error of any kind is logged and tried again, later each time (up to :data:`RETRY_MAX`), never
    ending the loop.
    """
    last: dict[str, object] = {}
    target = folder / VERSIONS
    pause = every
    stop = stop if stop is not None else threading.Event()
    while not stop.is_set():
        try:
            doc = versions_document(location)
            if doc and doc != last:
                tmp = target.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
                tmp.replace(target)
                last = doc
            if doc:
                _WRITTEN[location] = time.time()
            pause = every
        except Exception:  # supervised: whatever broke, the pages must keep being told
            _LOG.exception("versions file of %s not refreshed; trying again in %.1f s", label(location), pause)
            pause = min(pause * 2, RETRY_MAX)
        stop.wait(pause)


def _writer(location: str) -> None:
    """The versions writer of ``location``, started once, and again if it ever stopped."""
    with _WRITERS_LOCK:
        held = _WRITERS.get(location)
        if held is None or not held[0].is_alive():
            if held is not None:
                _LOG.error("versions writer of %s had stopped; started again", label(location))
            stop = threading.Event()
            thread = threading.Thread(
                target=_write_versions,
                args=(location, _LIVE_DIR, WRITE_EVERY, stop),
                name="dinhlap-versions",
                daemon=True,
            )
            thread.start()
            _WRITERS[location] = (thread, stop)


def stop_writers(timeout: float = 10.0) -> None:
    """Stop this process's versions writers and wait for them (up to ``timeout`` seconds each): before the
    database they read is stopped for good (a test's server), or a writer would open a new pool to it and that
    pool would try, and log, for minutes. A page's next run starts its store's writer again.
    """
    with _WRITERS_LOCK:
        held = list(_WRITERS.items())
        _WRITERS.clear()
    for _, (_, stop) in held:
        stop.set()
    for location, (thread, _) in held:
        thread.join(timeout)
        if thread.is_alive():  # still in a read of a store that does not answer: it ends after that read
            _LOG.warning("versions writer of %s did not stop within %.0f s", label(location), timeout)
        _WRITTEN.pop(location, None)


def writer_age(location: str) -> float | None:
    """Seconds since this process last knew its versions file current (``None``: no writer here)."""
    when = _WRITTEN.get(location)
    return None if when is None else max(0.0, time.time() - when)


def watch() -> None:
    """The page's hidden watcher (at the end of a run: it knows then which tables the page showed)."""
    seconds = data.refresh_seconds()
    if not seconds:
        return
    location = str(store_path())
    _writer(location)
    drawn = version_number(str(st.session_state.get(data.RUN_VERSION_KEY) or ""))
    tables = sorted(st.session_state.get(data.SHOWN_KEY, ()))
    _WATCH(
        url=served_at(_LIVE.name) + VERSIONS,
        tables=tables,
        drawn=drawn,
        every=seconds,
        patience=data.refresh_patience(),
        key="dl_watch",
        default=None,
        height=0,
    )
