"""The change log: its table, its rows, and every read of it.

Every write of the store (:mod:`geo.store.edit`, :mod:`geo.store.ingest`, :mod:`geo.field.packages`) appends one row
per changed
field, with the value before and after, in the write's own transaction. That log is read back here: a
feature's history, what changed since a meeting, the change sets an admin may undo, and the time machine
(:mod:`geo.read.history`) that rewinds a layer to any moment. It is used by the write side and the read side
alike, and imports neither.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import shapely

from geo.model.catalog import CATALOG
from geo.model.i18n import VIETNAM_TZ, Lang, UserError, fmt_datetime, t
from geo.store import db

AUDIT_TABLE = "audit_log"


AUDIT_DDL = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    layer TEXT NOT NULL,
    feature TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT,
    reason TEXT NOT NULL DEFAULT ''
)"""


# PostgreSQL: "user" is a reserved word, and the key is an identity column.
PG_AUDIT_DDL = AUDIT_DDL.replace("fid INTEGER PRIMARY KEY AUTOINCREMENT", "{pk}").replace("user TEXT", '"user" TEXT')


# What the meeting and a feature's history ask of the log: whole-feature batches since a date (counted
# from the index alone), field changes since a date, one feature's changes. Without them, reading what
# changed after an import of 50,000 features took 0.3 s on every rerun of the Giao ban page.
AUDIT_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_batches ON {AUDIT_TABLE} "
    "(field, ts, user, layer, reason, new IS NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_fields ON {AUDIT_TABLE} (ts) WHERE field != '*'",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_feature ON {AUDIT_TABLE} (layer, feature)",
    # A layer as of a date (geo.read.history) reads that layer's changes after it.
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_layer_ts ON {AUDIT_TABLE} (layer, ts)",
)


PG_AUDIT_INDEXES = tuple(
    ddl.replace(" user,", ' "user",').replace("new IS NOT NULL)", "(new IS NOT NULL))") for ddl in AUDIT_INDEXES
)


class EditError(UserError):
    """An edit that cannot be made; the message is for a user (Vietnamese, English)."""

    @property
    def message_key(self) -> str:
        """The message's key in MESSAGES (``key``)."""
        return self.key


@dataclass(frozen=True)
class AuditRow:
    """One changed field of one feature."""

    fid: int
    ts: str
    user: str
    layer: str
    feature: str
    field: str
    old: Any
    new: Any
    reason: str


def now() -> str:
    """The moment now, as the log writes it (UTC, ISO 8601 to the microsecond)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@contextmanager
def session(path: db.Location) -> Iterator[db.Session]:
    """A session on the store at ``path``; a missing, refused or silent store is an :class:`EditError`."""
    try:
        with db.connect(path) as conn:
            yield conn
    except FileNotFoundError:
        raise EditError("error.store_missing", path=str(path)) from None
    except db.StoreLoginRefused:
        raise EditError("error.store_login", path=db.label(path)) from None
    except db.StoreDown as down:
        raise EditError("error.store_down", reason=str(down)[:200]) from None


def ensure_audit(conn: db.Session, timestamp: str) -> None:
    """Within a write: the audit table if it is missing, and its indexes (a store made by an earlier
    version gets them at its first write).
    """
    pg = conn.kind == "postgis"
    if missing_audit(conn):
        conn.attributes_table(AUDIT_TABLE, PG_AUDIT_DDL if pg else AUDIT_DDL, timestamp)
    elif pg:
        return  # made with its indexes when the table was (a PostGIS store has no earlier versions)
    for ddl in PG_AUDIT_INDEXES if pg else AUDIT_INDEXES:
        conn.execute(ddl)


def ensure_audit_table(path: db.Location, timestamp: str | None = None) -> None:
    """Create the ``audit_log`` table (a GeoPackage attributes table, so QGIS lists it) if it is missing."""
    with session(path) as conn:
        retrying(conn, lambda: ensure_audit(conn, timestamp or now()))


def retrying(conn: db.Session, fn: Any) -> Any:
    """Run ``fn`` in one write transaction of the store, waiting while another writer holds it."""
    try:
        return conn.write(fn)
    except TimeoutError:
        raise EditError("edit.busy") from None


def missing_audit(conn: db.Session) -> bool:
    """Whether the store has no change log yet."""
    return not conn.has_table(AUDIT_TABLE)


def rows_of(conn: db.Session, sql: str, params: tuple[Any, ...]) -> list[AuditRow]:
    """The log rows ``sql`` (a :data:`SELECT` with conditions) finds, values decoded."""
    if missing_audit(conn):
        return []
    out = []
    for r in conn.execute(sql, params):
        out.append(
            AuditRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                json.loads(r[6]) if r[6] is not None else None,
                json.loads(r[7]) if r[7] is not None else None,
                r[8],
            )
        )
    return out


SELECT = f'SELECT fid, ts, "user", layer, feature, field, old, new, reason FROM {AUDIT_TABLE}'


def redact_rows(rows: list[AuditRow]) -> list[AuditRow]:
    """The change log as a viewer may see it: no change of a sensitive field, no sensitive value in a whole row."""
    out = []
    for r in rows:
        spec = CATALOG.get(r.layer)
        hidden = spec.sensitive if spec else ()
        if r.field in hidden:
            continue
        if r.field == "*" and hidden:
            r = AuditRow(
                r.fid, r.ts, r.user, r.layer, r.feature, r.field,
                {k: v for k, v in r.old.items() if k not in hidden} if isinstance(r.old, dict) else r.old,
                {k: v for k, v in r.new.items() if k not in hidden} if isinstance(r.new, dict) else r.new,
                r.reason,
            )  # fmt: skip
        out.append(r)
    return out


def last_changes(path: db.Location, layer_id: str) -> dict[str, AuditRow]:
    """The latest change of each feature of ``layer_id`` that has one (what an indicator card cites)."""
    return {r.feature: r for r in changes_since(path, "", layer=layer_id)}


def last_save_by(path: db.Location, user: str) -> AuditRow | None:
    """``user``'s latest change in the change log, if any: after a lost connection, whether their last save
    was kept (it is there) or not (the latest is an earlier one).
    """
    with session(path) as conn:
        rows = rows_of(conn, f'{SELECT} WHERE "user" = ? ORDER BY fid DESC LIMIT 1', (user,))
    return rows[0] if rows else None


def history(path: db.Location, layer_id: str, key: str) -> list[AuditRow]:
    """Every change of one feature, oldest first."""
    with session(path) as conn:
        return rows_of(conn, f"{SELECT} WHERE layer = ? AND feature = ? ORDER BY fid", (layer_id, key))


def changes_since(
    path: db.Location, since: str, layer: str | None = None, whole_features: bool = True
) -> list[AuditRow]:
    """Every change made after ``since`` (an ISO timestamp or date), oldest first.

    ``layer`` keeps one layer's; ``whole_features=False`` leaves out features added or removed
    whole (an import's thousands of rows: see :func:`whole_feature_batches`).
    """
    where, params = "ts > ?", [since]
    if layer is not None:
        where, params = where + " AND layer = ?", [*params, layer]
    if not whole_features:
        where += " AND field != '*'"
    with session(path) as conn:  # "+fid": sort what the indexes find rather than walk the table in fid order
        return rows_of(conn, f"{SELECT} WHERE {where} ORDER BY +fid", tuple(params))


def changes_after(path: db.Location, since: str, layer: str) -> list[AuditRow]:
    """Every change of ``layer`` made after ``since`` (a log time), newest first: what rewinding undoes."""
    with session(path) as conn:
        if missing_audit(conn):
            return []
        return rows_of(conn, f"{SELECT} WHERE layer = ? AND ts > ? ORDER BY fid DESC", (layer, since))


def changes_between(path: db.Location, after: str, until: str, layers: list[str]) -> list[AuditRow]:
    """Every change of ``layers`` made after log time ``after`` and up to ``until``, oldest first."""
    if not layers:
        return []
    with session(path) as conn:
        if missing_audit(conn):
            return []
        marks = ", ".join("?" for _ in layers)
        sql = f"{SELECT} WHERE layer IN ({marks}) AND ts > ? AND ts <= ? ORDER BY fid"
        return rows_of(conn, sql, (*layers, after, until))


def shape_changes_after(path: db.Location, since: str, layer: str) -> int:
    """How many changes after ``since`` touched ``layer``'s geometry or its set of features: none means the
    layer as of ``since`` has the geometry it has now (its attributes may differ).
    """
    with session(path) as conn:
        if missing_audit(conn):
            return 0
        geom = conn.geometry_column(layer) or "*"
        row = conn.execute(
            f"SELECT COUNT(*) FROM {AUDIT_TABLE} WHERE layer = ? AND ts > ? AND field IN ('*', ?)",
            (layer, since, geom),
        ).fetchone()
        return int(row[0])


def change_days(path: db.Location) -> list[str]:
    """The distinct hours (log times cut to ``YYYY-MM-DDTHH``) at which the store changed, oldest first."""
    with session(path) as conn:
        if missing_audit(conn):
            return []
        return [str(r[0]) for r in conn.execute(f"SELECT DISTINCT substr(ts, 1, 13) FROM {AUDIT_TABLE} ORDER BY 1")]


def last_change_per_layer(path: db.Location, until: str) -> dict[str, str]:
    """Each layer's latest change-log time at or before ``until`` (a UTC log stamp)."""
    with session(path) as conn:
        if missing_audit(conn):
            return {}
        sql = f"SELECT layer, MAX(ts) FROM {AUDIT_TABLE} WHERE ts <= ? GROUP BY layer"
        return {str(r[0]): str(r[1]) for r in conn.execute(sql, (until,))}


@dataclass(frozen=True)
class Batch:
    """Features added or removed whole in one go (an import, a rollback): counted, not read back."""

    ts: str
    user: str
    layer: str
    reason: str
    count: int
    added: int
    features: tuple[str, ...]  # their keys, when there are few enough to list


def changes_for_meeting(
    path: db.Location, since: str, sensitive_ok: bool = True, list_up_to: int = 300
) -> tuple[list[AuditRow], list[Batch]]:
    """What changed since ``since``, as a meeting reads it: field changes one by one (without the
    sensitive ones unless ``sensitive_ok``), and features added or removed whole counted in batches.
    """
    rows = changes_since(path, since, whole_features=False)
    return (rows if sensitive_ok else redact_rows(rows)), whole_feature_batches(path, since, list_up_to)


def whole_feature_batches(path: db.Location, since: str, list_up_to: int = 300) -> list[Batch]:
    """The whole-feature changes made after ``since``, one per (moment, user, layer, reason), oldest first."""
    with session(path) as conn:
        if missing_audit(conn):
            return []
        # counted from the GeoPackage's index alone (it holds "new IS NOT NULL", not "new")
        added = "COUNT(new)" if conn.kind == "postgis" else "SUM(new IS NOT NULL)"
        groups = conn.execute(
            f'SELECT ts, "user", layer, reason, COUNT(*), {added} '
            f"FROM {AUDIT_TABLE} WHERE ts > ? AND field = '*' GROUP BY ts, \"user\", layer, reason ORDER BY MIN(fid)",
            (since,),
        ).fetchall()
        out = []
        for ts, user, layer, reason, count, added in groups:
            keys: tuple[str, ...] = ()
            if count <= list_up_to:
                keys = tuple(
                    str(k)
                    for (k,) in conn.execute(
                        f'SELECT feature FROM {AUDIT_TABLE} WHERE ts = ? AND "user" = ? AND layer = ? AND reason = ? '
                        "AND field = '*' ORDER BY fid",
                        (ts, user, layer, reason),
                    )
                )
            out.append(Batch(ts, user, layer, reason, int(count), int(added or 0), keys))
        return out


ROLLBACK_REASON = "rollback:"  # + the moment (UTC ISO): rendered in the reader's language by reason_text


UNDO_REASON = "undo:"  # + the change set's id


NORMALISE_REASON = "normalise:empty"


def reason_text(reason: str, lang: Lang = "vi") -> str:
    """A change's reason as its reader reads it: a rollback's, an undo's or the empty-value normalisation's
    in ``lang`` with the moment in Vietnam time; a person's reason as they wrote it.

    >>> reason_text("rollback:2024-05-01T13:35:00+00:00")
    'Khôi phục về thời điểm 01/05/2024 20:35 (giờ Việt Nam)'
    >>> reason_text("Biên bản 15/5")
    'Biên bản 15/5'
    """
    if reason.startswith(ROLLBACK_REASON):
        return t("rollback.reason", lang, when=fmt_datetime(reason[len(ROLLBACK_REASON) :], lang))
    if reason.startswith("rollback to "):  # what earlier versions wrote: the moment in UTC
        with _suppress():
            return t("rollback.reason", lang, when=fmt_datetime(reason[len("rollback to ") :], lang))
    if reason.startswith(UNDO_REASON):
        parts = reason[len(UNDO_REASON) :].split("|", 2)
        if len(parts) == 3:
            return t("undo.reason", lang, id=parts[0], user=parts[1], when=fmt_datetime(parts[2], lang))
    if reason == NORMALISE_REASON:
        return t("normalise.reason", lang)
    return reason


def _suppress() -> Any:

    return contextlib.suppress(ValueError)


def log_time(moment: str | dt.datetime) -> str:
    """A moment as the change log stores it (UTC ISO): a time without a zone is read as Vietnam's, as
    people type it; a bare date is its first instant in Vietnam.

    >>> log_time("2024-05-01 20:35")
    '2024-05-01T13:35:00.000000+00:00'
    """
    from zoneinfo import ZoneInfo

    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(VIETNAM_TZ))
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ChangeSet:
    """One save or one import: the changes one person wrote at one moment. ``id`` is its first log row's."""

    id: int
    ts: str
    user: str
    reason: str
    layers: tuple[str, ...]
    fields: int  # field changes (and moved points)
    added: int  # features added whole
    removed: int  # features removed whole


def change_sets(path: db.Location, limit: int = 200) -> list[ChangeSet]:
    """The latest change sets, newest first."""
    with session(path) as conn:
        if missing_audit(conn):
            return []
        rows = conn.execute(
            f'SELECT MIN(fid), ts, "user", MIN(reason), '
            f"SUM(CASE WHEN field != '*' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN field = '*' AND new IS NOT NULL AND new != 'null' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN field = '*' AND (new IS NULL OR new = 'null') THEN 1 ELSE 0 END) "
            f'FROM {AUDIT_TABLE} GROUP BY ts, "user" ORDER BY MIN(fid) DESC LIMIT ?',
            (limit,),
        ).fetchall()
        out = []
        for fid, ts, user, reason, fields, add, rem in rows:
            layers = tuple(
                str(r[0])
                for r in conn.execute(
                    f'SELECT DISTINCT layer FROM {AUDIT_TABLE} WHERE ts = ? AND "user" = ? ORDER BY layer', (ts, user)
                )
            )
            out.append(ChangeSet(int(fid), str(ts), str(user), str(reason), layers, int(fields), int(add), int(rem)))
        return out


def gpkg_blob(wkt_or_hex: str | None) -> bytes | None:
    """A GeoPackage geometry blob from WKT (or the hex of a blob, as the audit keeps whole rows)."""
    return db.blob_of(wkt_or_hex)


def geometry_wkt(blob: bytes | None) -> str | None:
    """WKT of a GeoPackage geometry blob."""
    wkb = db.wkb_of_blob(blob)
    return None if wkb is None else str(shapely.from_wkb(wkb).wkt)


GEOM_KEY = "__geometry__"
