"""Cached reads of the store, keyed by its location and version so an edit invalidates them.

The version is the file's stamp for a GeoPackage, and the database's own counter for PostGIS: every app
process (replica) reads the same one, so an edit made through one replica invalidates the caches of all.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.auth.users import User
from geo.model.catalog import OVERLAY_TABLE, Catalog
from geo.read import history, reform
from geo.read.access import Reader, clip, for_reader, read_layer
from geo.store import changelog, db
from geo.store.changelog import AuditRow
from geo.store.reads import Bounds, DemoShare, LayerMeta, Store, store_path, stored_share, version
from ui.auth import current_user


# Plain process-wide caches for what every rerun asks for dozens of times (the store, its provenance): a
# dictionary lookup, where Streamlit's caches hash their arguments and copy their results each time.
@functools.lru_cache(maxsize=8)
def _open(path: str, stamp: str) -> Store:
    del stamp  # reopened when the store changes: an import may add a layer
    return Store(path)


RUN_VERSION_KEY = "_store_version"  # session state: the store's version, read once at the top of a run


def store() -> Store:
    """The store of this app (``$DINHLAP_STORE`` or the demo store), as of the version this run started with
    (one read of it per run, not one per call: on PostGIS each read is a query).
    """
    location = store_path()
    seen = st.session_state.get(RUN_VERSION_KEY)
    return _open(str(location), seen if seen else version(location))


def wrote() -> None:
    """After this run changed the store and goes on drawing: read its version again."""
    st.session_state[RUN_VERSION_KEY] = version(store_path())


PATIENCE_ENV = "DINHLAP_REFRESH_PATIENCE"
REFRESH_ENV = "DINHLAP_REFRESH_SECONDS"


def refresh_seconds() -> float:
    """How often an open page checks whether another app process changed the store: ``$DINHLAP_REFRESH_SECONDS``,
    else every second on a PostGIS store (several replicas) or on a GeoPackage that more than one server
    process serves (replicas on one machine: ui/serve.py), and never on a GeoPackage served by one process.
    """
    raw = os.environ.get(REFRESH_ENV, "")
    try:
        return max(float(raw), 0.5) if raw and float(raw) > 0 else (0.0 if raw else _default_refresh())
    except ValueError:
        return _default_refresh()


def refresh_patience() -> float:
    """Seconds an open page waits for the redraw it asked for before it asks again:
    ``$DINHLAP_REFRESH_PATIENCE``, else 0 (the watcher's own 15 s).
    """
    try:
        return max(float(os.environ.get(PATIENCE_ENV, "") or 0), 0.0)
    except ValueError:
        return 0.0


def _default_refresh() -> float:
    location = store_path()
    if db.is_postgis(location):
        return 1.0
    return 1.0 if _servers(str(location), int(time.monotonic() // SERVERS_EVERY)) > 1 else 0.0


SERVERS_EVERY = 10.0  # seconds: how often a process counts the servers of its GeoPackage


@functools.lru_cache(maxsize=4)
def _servers(location: str, tick: int) -> int:
    del tick  # the cache key: counted again every SERVERS_EVERY seconds, not at every run
    from ui.serve import serving

    return serving(Path(location))


SHOWN_KEY = "_tables_shown"  # session state: the tables this run of the page read


def begin_run() -> None:
    """At the top of every whole run: the store's version as of now, and no table read yet."""
    st.session_state[SHOWN_KEY] = set()
    wrote()


def shown(*tables: str) -> None:
    """Note that this run shows ``tables`` (what :func:`watch` reruns the page for)."""
    st.session_state.setdefault(SHOWN_KEY, set()).update(tables)


def catalog() -> Catalog:
    """The layers of this app's store: the built-in ones and its imported overlays."""
    shown(OVERLAY_TABLE)
    return store().catalog


def editor() -> User | None:
    """The signed-in planner or admin who may change data now: not while the app shows a past day."""
    user = current_user()
    return user if user is not None and user.can_edit and as_of_day() is None else None


def sensitive_ok() -> bool:
    """Whether the signed-in user (local or the organisation's account) may see sensitive fields."""
    user = current_user()
    return user is not None and user.can_edit


# A resource, not data: one shared frame, never pickled per call (a 50,000-parcel layer took
# 20 ms to unpickle, a dozen times a rerun). Callers get a shallow copy: with pandas'
# copy-on-write nothing they do reaches the shared frame.
@st.cache_resource(show_spinner=False, max_entries=128)
def _read(
    path: str, version: str, layer_id: str, day: str | None, units: reform.Units
) -> gpd.GeoDataFrame | pd.DataFrame:
    when = history.moment(day) if day else None
    return read_layer(store(), layer_id, sensitive=True, as_of=when, units=units)


# -- the date the app shows ------------------------------------------------------------------------------
AS_OF_KEY = "as_of"  # session state: an ISO date the user chose, or absent for today


def as_of_day() -> dt.date | None:
    """The day the user looks at, if not today (every layer, panel, table and export is read as of it)."""
    value = st.session_state.get(AS_OF_KEY)
    try:
        day = dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return day if day is not None and day < today() else None


def today() -> dt.date:
    """Today in Vietnam."""
    return dt.datetime.now(history.VIETNAM).date()


UNITS_KEY = "units_mode"  # session state: "2024" or "2025" when the user chose; absent: by the day shown


def data_day() -> dt.date | None:
    """The day the data shown describe: the day looked at, else the store's latest as-of date (a store last
    updated before the reform describes the 2024 units, whatever today is).
    """
    day = as_of_day()
    if day is not None:
        return day
    dates = [m.as_of for m in meta().values() if m.as_of]
    return dt.date.fromisoformat(max(dates)[:10]) if dates else None


def units() -> reform.Units:
    """The administrative units figures are grouped by: the user's choice, else those in force on the day shown."""
    chosen = st.session_state.get(UNITS_KEY)
    return chosen if chosen in ("2024", "2025") else reform.default_units(data_day())


class _PageReader(Reader):
    """The store as this user sees it on the day shown, its reads through the page's cache."""

    def read(self, layer_id: str, bbox: Bounds | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
        return clip(layer(layer_id), bbox)  # the page's cache holds the whole layer: clipped from it


def reader() -> Reader:
    """The store as this user may read it, on the day shown and by the units shown: what the board, the
    alerts and every other reader of more than one layer are given.
    """
    day = as_of_day()
    return _PageReader(store(), sensitive_ok(), history.moment(day) if day else None, units())


def shown_day() -> dt.date:
    """The day the page shows: the day looked at, else today."""
    return as_of_day() or today()


def layer(layer_id: str) -> gpd.GeoDataFrame | pd.DataFrame:
    """A layer or table of the store as of the day looked at (cached until the file changes), without the
    fields this user may not see.
    """
    return layer_at(layer_id, as_of_day())


def layer_at(layer_id: str, day: dt.date | None) -> gpd.GeoDataFrame | pd.DataFrame:
    """A layer or table as of ``day`` (``None``: now), grouped by the units shown, as this user may see it."""
    s = store()
    shown(layer_id)
    key = _key(s, layer_id)
    frame = _read(str(s.location), key, layer_id, day.isoformat() if day else None, units()).copy(deep=False)
    return for_reader(frame, s.catalog.get(layer_id), sensitive_ok())


def _key(s: Store, layer_id: str) -> str:
    """What a read of ``layer_id`` depends on: its own version and the units' (figures are grouped by them)."""
    return "/".join(s.table_version(t) for t in (layer_id, "units", "communes_2025", "unit_crosswalk"))


COMPARE_KEY = "compare_b"  # session state: an ISO date B to compare the day shown (A) with, or absent


def compare_day() -> dt.date | None:
    """Date B while the user compares two dates (the day shown is A)."""
    value = st.session_state.get(COMPARE_KEY)
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@st.cache_data(show_spinner=False, max_entries=256)
def _same_shapes(path: str, version: str, layer_id: str, day: str) -> bool:
    del version
    return history.same_shapes(path, layer_id, history.moment(day))


def geometry_version(layer_id: str, day: dt.date | None) -> str:
    """What ``layer_id``'s geometry as of ``day`` depends on (a cache key): the store's version alone when
    only attributes changed since, so a date change sends new colours, not the geometry again.
    """
    s = store()
    key = _key(s, layer_id)
    if day is None or _same_shapes(str(s.location), key, layer_id, day.isoformat()):
        return key
    return f"{key}@{day.isoformat()}"


@functools.lru_cache(maxsize=8)
def _periods(path: str, version: str) -> tuple[dt.date, ...]:
    del version
    return tuple(history.periods(path))


def periods() -> list[dt.date]:
    """The days on which the store changed (a date slider's stops)."""
    s = store()
    return list(_periods(str(s.location), s.version))


@functools.lru_cache(maxsize=8)
def _demo_ids(path: str, version: str) -> frozenset[str]:
    return frozenset(lid for lid, m in _meta(path, version).items() if m.demo)


def demo_layers() -> frozenset[str]:
    """Ids of the layers flagged as demo data."""
    s = store()
    return _demo_ids(str(s.location), s.version)


def demo_share() -> DemoShare:
    """Demo features out of all in the store's spatial layers (a layer without row flags counts as its
    provenance says).
    """
    catalog = store().catalog
    return stored_share(meta(), [lid for lid in meta() if lid in catalog and catalog[lid].is_spatial])


def unit_names() -> dict[str, str]:
    """Unit code → name, for showing a unit by name wherever a code is stored (see
    :data:`geo.read.records.UNIT_FIELDS`).

    A plain code is a unit of the grouping shown (the 2024 units, or the communes of 1/7/2025); the
    other grouping's codes carry their year (``2024:06625``, ``2025:06625``): four communes kept the
    code of the unit at their seat, so a code alone does not say which.
    """
    s, grouping = store(), units()
    memo = st.session_state.get(UNIT_NAMES_KEY)
    if memo is not None and memo[0] == (s.version, grouping):
        return dict(memo[1])
    by_year = {}
    for year, lid in (("2024", "units"), ("2025", "communes_2025")):
        if store().has(lid):
            frame = layer(lid)
            by_year[year] = dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
    names = dict(by_year.get(grouping, {}))
    for year, table in by_year.items():
        names.update({f"{year}:{code}": name for code, name in table.items()})
    st.session_state[UNIT_NAMES_KEY] = ((s.version, grouping), names)
    return dict(names)


UNIT_NAMES_KEY = "_unit_names"  # session state: the names for one store version and grouping


@functools.lru_cache(maxsize=8)
def _meta(path: str, version: str) -> dict[str, LayerMeta]:
    return _open(path, version).meta()


def meta() -> dict[str, LayerMeta]:
    """Provenance of every layer (cached until the file changes)."""
    s = store()
    return dict(_meta(str(s.location), s.version))  # its values are frozen; the dict is the caller's


@st.cache_data(show_spinner=False, max_entries=16)
def _last_changes(path: str, version: str, layer_id: str) -> dict[str, AuditRow]:
    del version  # the cache key: an edit changes the file
    return changelog.last_changes(path, layer_id)


def last_changes(layer_id: str) -> dict[str, AuditRow]:
    """The latest change of each feature of ``layer_id`` (read once per store version, not every rerun)."""
    s = store()
    return _last_changes(str(s.location), _key(s, layer_id), layer_id)


def default_since() -> dt.date:
    """The day "what changed" starts from: the data's as-of date (the last briefing's data), else a month ago."""
    m = meta().get("units")
    return dt.date.fromisoformat(m.as_of) if m and m.as_of else dt.date.today() - dt.timedelta(days=30)
