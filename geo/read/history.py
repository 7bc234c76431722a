"""The time machine: any layer or table as it stood at any moment, read back from the change log.

Every write of the store is audited field by field (:mod:`geo.store.edit`, :mod:`geo.store.ingest`), with the
value before and after. A layer as of a moment is the layer as it is now with every change made
after that moment undone, newest first: features added later are absent, features removed later
are back, every field has its value then. Nothing is stored twice; the log is the history.

Moments are ISO 8601 dates or date-times. A date means the end of that day; a date-time without a
UTC offset is Vietnam time (UTC+07:00), the time of the people who use the map.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import shapely

from geo.model.catalog import LayerSpec
from geo.store import db
from geo.store.changelog import (
    GEOM_KEY,
    AuditRow,
    change_days,
    changes_after,
    geometry_wkt,
    last_change_per_layer,
    shape_changes_after,
)

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")

Frame: TypeAlias = gpd.GeoDataFrame | pd.DataFrame


def moment(value: str | dt.date | dt.datetime) -> dt.datetime:
    """The instant ``value`` names, in UTC.

    A date (``2025-03-26``) is the end of that day in Vietnam; a date-time without an offset is
    Vietnam time; one with an offset (``Z``, ``+07:00``) is taken as written.

    Examples
    --------
    >>> moment("2025-03-26").isoformat()
    '2025-03-26T16:59:59.999999+00:00'
    >>> moment("2025-12-19T08:30").isoformat()
    '2025-12-19T01:30:00+00:00'
    >>> moment("2025-12-19T08:30Z").isoformat()
    '2025-12-19T08:30:00+00:00'

    """
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time.max)
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            when = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        else:
            try:
                when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                raise ValueError(f"not an ISO 8601 date or date-time: {text[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=VIETNAM)
    return when.astimezone(dt.UTC)


def stamp(when: dt.datetime) -> str:
    """``when`` as the change log writes its times (UTC, microseconds): comparable as text."""
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


def local_day(ts: str) -> dt.date:
    """The day in Vietnam of a change log time."""
    return dt.datetime.fromisoformat(ts).astimezone(VIETNAM).date()


def _geometry(value: Any) -> Any:
    """A geometry as the log keeps it (WKT, or the hex of a GeoPackage blob) as shapely."""
    if value is None:
        return None
    text = str(value)
    if re.fullmatch(r"[0-9a-fA-F]+", text) and text[:4].lower() == "4750":
        text = geometry_wkt(bytes.fromhex(text)) or ""
    return shapely.from_wkt(text) if text else None


def _keys(spec: LayerSpec, frame: pd.DataFrame) -> list[str]:
    cols = spec.key.split(",")
    if not len(frame):
        return []
    return [",".join(str(v) for v in row) for row in frame[cols].itertuples(index=False)]


def rewind(frame: Frame, spec: LayerSpec, rows: Iterable[AuditRow]) -> Frame:
    """``frame`` (a layer as it is now) with ``rows`` (changes made after a moment, newest first) undone.

    Features no row touches keep their rows as they are (and their order); touched ones are rebuilt
    from the log; features added after the moment drop out and those removed after it come back.
    """
    rows = list(rows)
    if not rows:
        return frame
    spatial = isinstance(frame, gpd.GeoDataFrame)
    columns = [c for c in frame.columns if c != "geometry"]
    keys = _keys(spec, frame)
    at = {k: i for i, k in enumerate(keys)}
    touched: dict[str, dict[str, Any] | None] = {}

    def now(key: str) -> dict[str, Any] | None:
        if key in touched:
            return touched[key]
        i = at.get(key)
        return None if i is None else frame.iloc[i].to_dict()

    for r in rows:
        if r.field == "*":
            if r.old is None:  # added after the moment: it was not there
                touched[r.feature] = None
            else:  # removed (or replaced) after the moment: as it was
                old = dict(r.old)
                row = {c: old.get(c) for c in columns}
                if spatial:
                    row["geometry"] = _geometry(old.get(GEOM_KEY))
                touched[r.feature] = row
            continue
        current = now(r.feature)
        if current is None:
            continue  # a change of a feature the log says was absent then: nothing to undo
        row = dict(current)
        if r.field in columns:
            row[r.field] = r.old
        elif spatial:  # the geometry column, by the store's name for it
            row["geometry"] = _geometry(r.old)
        touched[r.feature] = row
    keep = [k not in touched for k in keys]
    untouched = frame[keep]
    present = [(key, row) for key, row in touched.items() if row is not None]
    if not present:
        return untouched
    # Features that exist now keep their row label (and place): a map can keep what it drew of them.
    labels = list(frame.index)
    numeric = pd.api.types.is_integer_dtype(frame.index)
    fresh = (max(labels) + 1 if labels else 0) if numeric else 0
    index: list[Any] = []
    for key, _ in present:
        if key in at:
            index.append(labels[at[key]])
        else:
            index.append(fresh)
            fresh += 1
    rows_back = [row for _, row in present]
    back: Frame
    if spatial:
        back = gpd.GeoDataFrame(rows_back, columns=[*columns, "geometry"], geometry="geometry", crs=frame.crs)
    else:
        back = pd.DataFrame(rows_back, columns=columns)
    if numeric:
        back.index = pd.Index(index, dtype=frame.index.dtype)
        out = pd.concat([untouched, back])
        place = {label: i for i, label in enumerate(labels)}
        out = out.iloc[sorted(range(len(out)), key=lambda i: place.get(out.index[i], len(labels) + i))]
    else:
        out = pd.concat([untouched, back], ignore_index=True)
    for c in columns:  # the stored types, where the values allow (an int column stays int)
        if out[c].dtype != frame[c].dtype:
            with contextlib.suppress(TypeError, ValueError):
                out[c] = out[c].astype(frame[c].dtype)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs) if spatial else out


def as_of(path: db.Location, layer_id: str, spec: LayerSpec, frame: Frame, when: dt.datetime) -> Frame:
    """``frame`` (``layer_id`` as the store at ``path`` holds it now) as it stood at ``when``."""
    return rewind(frame, spec, changes_after(path, stamp(when), layer_id))


def same_shapes(path: db.Location, layer_id: str, when: dt.datetime) -> bool:
    """Whether ``layer_id`` as of ``when`` has the features and geometry it has now (only attributes moved
    since): a map then keeps the geometry it drew and fetches only new colours.
    """
    return shape_changes_after(path, stamp(when), layer_id) == 0


def periods(path: db.Location) -> list[dt.date]:
    """The days (Vietnam time) on which the store changed, oldest first: the stops of a date slider."""
    days = {dt.datetime.fromisoformat(h + ":00:00+00:00").astimezone(VIETNAM).date() for h in change_days(path)}
    return sorted(days)


def meta_as_of(path: db.Location, meta: Mapping[str, Any], when: dt.datetime) -> dict[str, Any]:
    """Each layer's provenance as it stood at ``when``: its as-of date is the day (Vietnam time) of its latest
    change up to then, or its recorded date if that is earlier; a layer whose record is later and that
    has no change up to then has no known date then (``as_of`` empty).
    """
    last = last_change_per_layer(path, stamp(when))
    day = when.astimezone(VIETNAM).date().isoformat()
    out = {}
    for lid, m in meta.items():
        recorded = str(getattr(m, "as_of", "") or "")[:10]
        changed = local_day(last[lid]).isoformat() if lid in last else ""
        known = recorded if recorded and recorded <= day else ""
        out[lid] = dataclasses.replace(m, as_of=max(known, changed))
    return out
