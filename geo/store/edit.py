"""Edits to the store: atomic, validated against the catalog, and audited in the same transaction.

An edit is one transaction of the store (:meth:`geo.store.db.Session.write`: SQLite's ``BEGIN IMMEDIATE``
on a GeoPackage, an advisory-locked transaction on PostGIS) that updates the feature and appends one
``audit_log`` row per changed field: an interrupted write leaves the store as it was, and no change
exists without its audit row. Writers are serialised, with retries; an edit made against a value
someone else has changed since (``expected``) is refused as a conflict, never silently overwritten.
The log allows a feature's history and a rollback to a moment.

Moving a point rewrites its geometry (on a GeoPackage, GDAL's R-tree triggers then update the spatial
index; :mod:`geo.store.db` provides the SQL functions they call). Imports (:mod:`geo.store.ingest`) write whole
rows the same way. ``path`` below is a store's location: a ``.gpkg`` path or a ``postgresql://`` address.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import shapely

from geo.model.catalog import CATALOG, DEMO_COLUMN, OVERLAY_TABLE, Catalog, LayerSpec, Rule, overlay_specs
from geo.model.i18n import Lang, fmt_datetime, fmt_number, t
from geo.model.values import MAX_TEXT, BadValue, check, is_empty, parse_date, parse_number, same_value
from geo.store import db
from geo.store.changelog import (
    AUDIT_TABLE,
    GEOM_KEY,
    NORMALISE_REASON,
    ROLLBACK_REASON,
    UNDO_REASON,
    AuditRow,
    EditError,
    geometry_wkt,
    log_time,
)
from geo.store.changelog import (
    SELECT as _SELECT,
)
from geo.store.changelog import (
    ensure_audit as _ensure_audit,
)
from geo.store.changelog import (
    missing_audit as _missing_audit,
)
from geo.store.changelog import (
    now as _now,
)
from geo.store.changelog import (
    retrying as _retrying,
)
from geo.store.changelog import (
    rows_of as _rows,
)
from geo.store.changelog import (
    session as _connect,
)


@dataclass(frozen=True)
class Conflict:
    """One field someone else changed after the user read it: what the user saw, what is stored now,
    and who changed it when (from the change log; empty when it was changed outside the app).
    """

    field: str
    seen: Any
    current: Any
    user: str
    ts: str


class ConflictError(EditError):
    """The value changed since the user read it: shown to the user, not overwritten.

    ``conflicts`` lists every such field; the message names each with both values, who and when.
    """

    def __init__(
        self, message_key: str, /, conflicts: Sequence[Conflict] = (), spec: Any = None, **kwargs: object
    ) -> None:
        self.conflicts = tuple(conflicts)
        self.spec = spec
        super().__init__(message_key, **kwargs)

    def message(self, lang: Lang = "vi") -> str:
        """Each conflicting field with both values, who changed it and when (Vietnam time), in ``lang``."""
        if not self.conflicts:
            return super().message(lang)
        lines = [
            t(
                "edit.conflict_by",
                lang,
                field=self.spec.field(c.field).label(lang) if self.spec is not None else c.field,
                current=self._shown(c.field, c.current, lang),
                seen=self._shown(c.field, c.seen, lang),
                user=c.user or t("edit.someone", lang),
                when=fmt_datetime(c.ts, lang) if c.ts else "–",
            )
            for c in self.conflicts
        ]
        return " ".join(lines) + " " + t("edit.choose_again", lang)

    def _shown(self, name: str, value: Any, lang: Lang) -> str:
        """``value`` as the record panel shows it (:func:`geo.read.records.format_value`); empty said as such."""
        from geo.read.records import format_value

        if is_empty(value):
            return t("edit.empty", lang)
        return str(value) if self.spec is None else format_value(self.spec, name, value, lang)


def _check_value(spec: LayerSpec, name: str, value: Any) -> Any:
    """``value`` as stored, or :class:`EditError` if the catalog does not allow it (:func:`geo.model.values.check`)."""
    try:
        f = spec.field(name)
    except KeyError:
        raise EditError("edit.unknown_field", field=name, layer=spec.id) from None
    if f.derived or name in spec.key.split(","):
        raise EditError("edit.read_only", field=name)
    try:
        return check(spec, name, value)
    except BadValue as bad:
        label, shown = f.label("vi"), str(value)[:80]
        if bad.rule == "code":
            allowed = ", ".join(s.value for s in spec.codes(name))
            raise EditError("edit.bad_code", field=label, value=shown, allowed=allowed) from None
        if bad.rule == "too_long":
            raise EditError("edit.too_long", field=label, limit=MAX_TEXT) from None
        if bad.rule == "required":
            raise EditError("edit.required", field=label) from None
        if bad.rule == "percent":  # the message states the range, as every out-of-range refusal does
            shown_range = range_text(*f.plausible(), f.unit, "vi")
            raise EditError("edit.out_of_range", field=label, value=shown, range=shown_range) from None
        raise EditError(f"edit.bad_{bad.rule}", field=label, value=shown) from None


class NeedsConfirm(EditError):
    """A value outside its field's plausible range that the catalog allows once the person confirms it."""

    def __init__(self, message_key: str, /, field: str = "", **kwargs: object) -> None:
        self.field = field
        super().__init__(message_key, **kwargs)


def range_text(low: float | None, high: float | None, low_open: bool, unit: str, lang: Lang) -> str:
    """A plausible range as people read it: ``0–100 %``, ``> 0 ha``."""
    tail = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{fmt_number(low, lang)}–{fmt_number(high, lang)}{tail}"
    if low is not None:
        return f"{'>' if low_open else '≥'} {fmt_number(low, lang)}{tail}"
    return f"≤ {fmt_number(high, lang)}{tail}" if high is not None else ""


def check_range(spec: LayerSpec, name: str, value: Any, unit: str | None = None, confirmed: bool = False) -> None:
    """Refuse a number outside field ``name``'s plausible range (:meth:`geo.model.catalog.Field.plausible`, for
    ``unit``: a row's own), with a message that states the range; a value the catalog allows above it
    (``high_ok``) raises :class:`NeedsConfirm` unless ``confirmed``.
    """
    f = spec.field(name)
    if f.kind not in ("int", "float") or is_empty(value) or isinstance(value, bool):
        return
    low, high, low_open = f.plausible(unit)
    number = float(value)
    shown_unit = f.unit if unit is None else unit
    kwargs = {"field": f.label("vi") if unit is None else f.vi, "value": fmt_number(number, "vi")}
    if low is not None and (number < low or (low_open and number == low)):
        raise EditError("edit.out_of_range", range=range_text(low, high, low_open, shown_unit, "vi"), **kwargs)
    if high is not None and number > high:
        if f.high_ok is not None and number <= f.high_ok:
            if not confirmed:
                raise NeedsConfirm(
                    "edit.confirm_range", field=name, range=range_text(low, high, low_open, shown_unit, "vi"),
                    label=kwargs["field"], value=kwargs["value"],
                )  # fmt: skip
            return
        raise EditError("edit.out_of_range", range=range_text(low, high, low_open, shown_unit, "vi"), **kwargs)


def read_number(text: Any, lang: Lang = "vi") -> float | None:
    """A number as a person typed it in a form: ``94,2`` and ``45.120,5`` in Vietnamese, ``45,120.5`` in
    English (a trailing ``%`` is ignored); ``None`` when empty. Read by the one reader of people's values
    (:func:`geo.model.values.parse_number`, the file importer's too); :class:`ValueError` if it is not a number.

    >>> read_number("94,2"), read_number("45.120,5"), read_number("45,120.5", "en"), read_number("45.120")
    (94.2, 45120.5, 45120.5, 45120.0)
    """
    if is_empty(text):
        return None
    s = text if not isinstance(text, str) else text.strip().removesuffix("%").strip()
    try:
        return parse_number(s, lang)
    except BadValue:
        raise ValueError(str(text)[:80]) from None


def read_date(text: Any) -> str | None:
    """A date as a person typed it (``15/05/2024``, ``15/5/2024`` or ``2024-05-15``), as ISO; ``None`` when
    empty; :class:`ValueError` if it is no date (:func:`geo.model.values.parse_date`).

    >>> read_date("15/5/2024"), read_date("2024-05-15"), read_date(" ")
    ('2024-05-15', '2024-05-15', None)
    """
    try:
        return parse_date(text)
    except BadValue:
        raise ValueError(str(text)[:40]) from None


def _where(conn: db.Session, spec: LayerSpec, key: str) -> tuple[str, list[str]]:
    names = spec.key.split(",")
    values = key.split(",")
    if len(values) != len(names):
        raise EditError("edit.not_found", layer=spec.id, key=key)
    return " AND ".join(f"{conn.ident(n)} = ?" for n in names), values


def edit(
    path: db.Location,
    layer_id: str,
    key: str,
    changes: Mapping[str, Any],
    user: str,
    reason: str = "",
    expected: Mapping[str, Any] | None = None,
    ts: str | None = None,
    confirmed: Sequence[str] = (),
) -> list[AuditRow]:
    """Change fields of one feature; return the audit rows written (unchanged values write none).

    ``changes`` holds only the fields the user changed; ``expected`` the values the user saw of them: if
    any differs from the stored one (:func:`same_value`), :class:`ConflictError` lists each such field with
    who changed it when, and nothing is written. ``confirmed`` names fields whose value beyond the
    plausible range the user confirmed (:func:`check_range`).
    """
    return edit_many(path, layer_id, [(key, changes, expected)], user, reason, ts, confirmed)


Change = tuple[str, Mapping[str, Any], Mapping[str, Any] | None]  # (feature key, new values, values the user saw)


def edit_many(
    path: db.Location,
    layer_id: str,
    changes: list[Change],
    user: str,
    reason: str = "",
    ts: str | None = None,
    confirmed: Sequence[str] = (),
) -> list[AuditRow]:
    """Change several features of one layer in one transaction (an edited table saved at once):
    every change is validated and checked for conflicts first, then all are written, or none.
    """
    if layer_id not in CATALOG:
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    spec = CATALOG[layer_id]
    plan = [(key, {n: _check_value(spec, n, v) for n, v in new.items()}, seen or {}) for key, new, seen in changes]
    stamp = ts or _now()
    units = {f.name: f.unit_from for f in spec.fields if f.unit_from}

    with _connect(path) as conn:

        def apply(key: str, clean: dict[str, Any], expected: Mapping[str, Any]) -> list[AuditRow]:
            where, params = _where(conn, spec, key)
            rules = [r for r in spec.rules if {r.field, r.other} & set(clean)]
            ruled = [n for r in rules for n in (r.field, r.other)]
            cols = list(dict.fromkeys([*clean, *expected, *(units[n] for n in clean if n in units), *ruled]))
            cur = conn.execute(f"SELECT {conn.idents(cols)} FROM {conn.ident(layer_id)} WHERE {where}", params)
            found = cur.fetchall()
            if len(found) != 1:
                raise EditError("edit.not_found", layer=layer_id, key=key)
            current = dict(zip(cols, found[0], strict=True))
            for name, value in clean.items():
                row_unit = current.get(units[name]) if name in units else None
                check_range(spec, name, value, None if row_unit is None else str(row_unit), name in confirmed)
            stale = [n for n, seen in expected.items() if not same_value(current[n], seen)]
            if stale:
                raise ConflictError(
                    "edit.conflict",
                    conflicts=[_conflict(conn, layer_id, key, n, expected[n], current[n]) for n in stale],
                    spec=spec,
                    field=spec.field(stale[0]).label("vi"),
                    current=str(current[stale[0]]),
                    seen=str(expected[stale[0]]),
                )
            for rule in rules:
                if rule.broken({**current, **clean}):
                    raise rule_error(spec, rule, {**current, **clean})
            rows = []
            for name, value in clean.items():
                if same_value(current[name], value):
                    continue
                conn.execute(
                    f"UPDATE {conn.ident(layer_id)} SET {conn.ident(name)} = ? WHERE {where}",
                    [*conn.typed(layer_id, {name: value}), *params],
                )
                fid = conn.insert_fid(
                    f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stamp, user, layer_id, key, name, json.dumps(current[name]), json.dumps(value), reason),
                )
                rows.append(AuditRow(fid, stamp, user, layer_id, key, name, current[name], value, reason))
            return rows

        def run() -> list[AuditRow]:
            _ensure_audit(conn, stamp)
            rows = [r for key, clean, seen in plan for r in apply(key, clean, seen)]
            if rows:
                conn.touch((layer_id, AUDIT_TABLE), stamp)
            return rows

        return list(_retrying(conn, run))


def rule_error(spec: LayerSpec, rule: Rule, row: Mapping[str, Any]) -> EditError:
    """The refusal of a save that breaks ``rule`` (see :class:`geo.model.catalog.Rule`), naming both fields."""
    from geo.read.records import rule_words

    return EditError(f"edit.rule_{rule.kind}", **rule_words(spec, rule, row))


def _conflict(conn: db.Session, layer_id: str, key: str, name: str, seen: Any, current: Any) -> Conflict:
    """The conflict on field ``name``, with who last changed it and when (from the change log)."""
    last = conn.execute(
        f"SELECT \"user\", ts FROM {AUDIT_TABLE} WHERE layer = ? AND feature = ? AND field IN (?, '*') "
        "ORDER BY fid DESC LIMIT 1",
        (layer_id, key, name),
    ).fetchone()
    user, when = (str(last[0]), str(last[1])) if last else ("", "")
    return Conflict(name, None if is_empty(seen) else seen, None if is_empty(current) else current, user, when)


def _revert(conn: db.Session, r: AuditRow, catalog: Catalog) -> None:
    """Put back what the logged change ``r`` changed."""
    if r.layer == OVERLAY_TABLE:  # a planner's layer published or withdrawn
        conn.execute(f"UPDATE {OVERLAY_TABLE} SET {conn.ident(r.field)} = ? WHERE overlay_id = ?", (r.old, r.feature))
    else:
        _undo(conn, r, catalog[r.layer])


def _log_undo(conn: db.Session, stamp: str, user: str, r: AuditRow, reason: str) -> None:
    """The audit row of undoing ``r``: its new value back to its old one (an absent row is SQL NULL, so a
    removed row counts as removed).
    """

    def enc(v: Any) -> str | None:
        if r.field == "*" and v is None:
            return None
        return json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else json.dumps(v)

    conn.execute(
        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (stamp, user, r.layer, r.feature, r.field, enc(r.new), enc(r.old), reason),
    )


def rollback_to(path: db.Location, moment: str, user: str) -> int:
    """Undo every change made after ``moment`` (an ISO time; one without a zone is Vietnam time), newest
    first, in one transaction; each undo is audited. Returns the number of changes undone.
    """
    if not user:
        raise EditError("edit.no_user")
    moment = log_time(moment)
    stamp = _now()
    with _connect(path) as conn:
        if _missing_audit(conn):
            return 0

        catalog = file_catalog(conn)  # the file's own: an imported overlay's rows are undone by its key

        def run() -> int:
            later = _rows(conn, f"{_SELECT} WHERE ts > ? AND ts <= ? ORDER BY fid DESC", (moment, stamp))
            for r in later:
                _revert(conn, r, catalog)
                _log_undo(conn, stamp, user, r, ROLLBACK_REASON + moment)
            if later:
                conn.touch(sorted({r.layer for r in later} | {AUDIT_TABLE}), stamp)
            return len(later)

        return int(_retrying(conn, run))


def undo_change_set(path: db.Location, set_id: int, user: str) -> int:
    """Undo one change set (one save, one import), in one audited transaction; returns the changes undone.

    Refused as a conflict, with nothing written, if a later change touched the same values (the same
    field of the same feature, or the whole feature): those must be undone or kept first.
    """
    if not user:
        raise EditError("edit.no_user")
    stamp = _now()
    with _connect(path) as conn:
        if _missing_audit(conn):
            raise EditError("undo.unknown", id=set_id)
        catalog = file_catalog(conn)

        def run() -> int:
            head = conn.execute(f'SELECT ts, "user" FROM {AUDIT_TABLE} WHERE fid = ?', (set_id,)).fetchone()
            if head is None:
                raise EditError("undo.unknown", id=set_id)
            ts, who = str(head[0]), str(head[1])
            rows = _rows(conn, f'{_SELECT} WHERE ts = ? AND "user" = ? ORDER BY fid DESC', (ts, who))
            if rows[-1].fid != set_id:
                raise EditError("undo.unknown", id=set_id)
            last = max(r.fid for r in rows)
            later = _rows(conn, f"{_SELECT} WHERE fid > ? ORDER BY fid", (last,))
            touched = {(r.layer, r.feature, r.field) for r in rows}
            features = {(r.layer, r.feature) for r in rows}
            clash = [
                r
                for r in later
                if (r.layer, r.feature, r.field) in touched
                or (r.field == "*" and (r.layer, r.feature) in features)
                or ((r.layer, r.feature, "*") in touched)
            ]
            if clash:
                c = clash[0]
                spec = catalog.get(c.layer)
                label = (
                    spec.field(c.field).label("vi") if spec and c.field in {f.name for f in spec.fields} else c.field
                )
                raise ConflictError(
                    "undo.conflict", id=set_id, n=len(clash), feature=c.feature, field=label, user=c.user,
                    when=fmt_datetime(c.ts, "vi"),
                )  # fmt: skip
            reason = f"{UNDO_REASON}{set_id}|{who}|{ts}"
            for r in rows:
                _revert(conn, r, catalog)
                _log_undo(conn, stamp, user, r, reason)
            conn.touch(sorted({r.layer for r in rows} | {AUDIT_TABLE}), stamp)
            return len(rows)

        return int(_retrying(conn, run))


def normalise_empties(path: db.Location, user: str, ts: str | None = None) -> int:
    """Store every empty value of the catalog's layers as NULL (an earlier version wrote '' for some):
    once, audited (one log row per value, its reason saying it is this normalisation), on either store.
    Running it again changes nothing. Returns the number of values normalised.
    """
    if not user:
        raise EditError("edit.no_user")
    stamp = ts or _now()
    with _connect(path) as conn:
        catalog = file_catalog(conn)
        tables = set(conn.tables())

        def run() -> int:
            _ensure_audit(conn, stamp)
            n = 0
            touched = set()
            for spec in catalog.values():
                if spec.id not in tables or spec.id == AUDIT_TABLE:
                    continue
                keys = spec.key.split(",")
                have = set(conn.columns(spec.id))
                for f in spec.fields:
                    if f.derived or f.name in keys or f.name not in have:
                        continue
                    col = conn.ident(f.name)
                    blank = f"CAST({col} AS TEXT) = '' OR TRIM(CAST({col} AS TEXT)) = ''"
                    found = conn.execute(
                        f"SELECT {conn.idents(keys)} FROM {conn.ident(spec.id)} WHERE {blank}"
                    ).fetchall()
                    if not found:
                        continue
                    for key_values in found:
                        key = ",".join(str(v) for v in key_values)
                        conn.execute(
                            f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (stamp, user, spec.id, key, f.name, json.dumps(""), json.dumps(None), NORMALISE_REASON),
                        )
                    conn.execute(f"UPDATE {conn.ident(spec.id)} SET {conn.ident(f.name)} = NULL WHERE {blank}")
                    n += len(found)
                    touched.add(spec.id)
            if touched:
                conn.touch(sorted(touched | {AUDIT_TABLE}), stamp)
            return n

        return int(_retrying(conn, run))


def file_catalog(conn: db.Session) -> Catalog:
    """The catalog of the open file: the built-in layers and the overlays it lists."""
    tables = set(conn.tables())
    if OVERLAY_TABLE not in tables:
        return CATALOG
    cur = conn.execute(f"SELECT * FROM {OVERLAY_TABLE}")
    names = [d[0] for d in cur.description]
    return CATALOG.with_layers(*overlay_specs([dict(zip(names, r, strict=True)) for r in cur], tables))


def _undo(conn: db.Session, r: AuditRow, spec: LayerSpec) -> None:
    """Write back what audit row ``r`` of ``spec``'s layer changed (a field, a geometry, a whole row)."""
    where, params = _where(conn, spec, r.feature)
    geom = conn.geometry_column(r.layer)
    if r.field == "*":
        if r.old is None:  # the row was added: remove it
            conn.execute(f"DELETE FROM {conn.ident(r.layer)} WHERE {where}", params)
        else:  # the row was removed: put it back
            row = dict(r.old if isinstance(r.old, dict) else json.loads(r.old))
            shape = row.pop(GEOM_KEY, None)
            cols = [*row, *([geom] if geom else [])]
            marks = ["?"] * len(row) + ([conn.geom_in] if geom else [])
            conn.execute(
                f"INSERT INTO {conn.ident(r.layer)} ({conn.idents(cols)}) VALUES ({', '.join(marks)})",
                [*conn.typed(r.layer, row), *([conn.geom_param(shape)] if geom else [])],
            )
        return
    if geom and r.field == geom:
        conn.execute(
            f"UPDATE {conn.ident(r.layer)} SET {conn.ident(geom)} = {conn.geom_in} WHERE {where}",
            [conn.geom_param(r.old), *params],
        )
        return
    conn.execute(
        f"UPDATE {conn.ident(r.layer)} SET {conn.ident(r.field)} = ? WHERE {where}",
        [*conn.typed(r.layer, {r.field: r.old}), *params],
    )


def quoted_names(cols: Sequence[str]) -> str:
    """Column names as SQLite identifiers, comma-separated: ``"a", "b"`` (with a session at hand, on either
    store: :meth:`geo.store.db.Session.idents`).
    """
    return ", ".join(db.quote_ident(c) for c in cols)


def move_point(
    path: db.Location,
    layer_id: str,
    key: str,
    lon: float,
    lat: float,
    user: str,
    reason: str = "",
    expected_wkt: str | None = None,
    ts: str | None = None,
) -> AuditRow:
    """Move a point feature to ``lon``, ``lat`` (WGS 84), audited like an edit; refuses places outside Vietnam."""
    if layer_id not in CATALOG or CATALOG[layer_id].geometry != "Point":
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    _check_position(lon, lat)
    spec = CATALOG[layer_id]
    stamp = ts or _now()
    new_wkt = f"POINT ({lon:.8f} {lat:.8f})"
    with _connect(path) as conn:
        where, params = _where(conn, spec, key)
        geom = str(conn.geometry_column(layer_id))

        def run() -> AuditRow:
            _ensure_audit(conn, stamp)
            found = conn.execute(
                f"SELECT {conn.geom_out(geom)} FROM {conn.ident(layer_id)} WHERE {where}", params
            ).fetchall()
            if len(found) != 1:
                raise EditError("edit.not_found", layer=layer_id, key=key)
            old_wkt = geometry_wkt(conn.geom_blob(found[0][0]))
            moved = (
                expected_wkt is not None
                and old_wkt is not None
                and not shapely.equals_exact(shapely.from_wkt(old_wkt), shapely.from_wkt(expected_wkt), 1e-9)
            )
            if moved:
                raise ConflictError("edit.conflict", field="vị trí", current=str(old_wkt), seen=str(expected_wkt))
            conn.execute(
                f"UPDATE {conn.ident(layer_id)} SET {conn.ident(geom)} = {conn.geom_in} WHERE {where}",
                [conn.geom_param(new_wkt), *params],
            )
            fid = conn.insert_fid(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, user, layer_id, key, geom, json.dumps(old_wkt), json.dumps(new_wkt), reason),
            )
            conn.touch((layer_id, AUDIT_TABLE), stamp)
            return AuditRow(fid, stamp, user, layer_id, key, geom, old_wkt, new_wkt, reason)

        result: AuditRow = _retrying(conn, run)
        return result


def _check_position(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and 102 <= lon <= 110 and 8 <= lat <= 24):
        raise EditError("edit.bad_position", lon=str(lon)[:20], lat=str(lat)[:20])


def insert(
    path: db.Location,
    layer_id: str,
    values: Mapping[str, Any],
    user: str,
    reason: str = "",
    ts: str | None = None,
    point: tuple[float, float] | None = None,
) -> str:
    """Add one row to an attribute table (a saved view, say), or a point (``point``: lon, lat in WGS 84)
    to a point layer (a dispute, an accident), audited like an edit; returns its key.

    Every field is validated against the catalog; the key must be new; a point must lie in Vietnam.
    """
    spec_ = CATALOG.get(layer_id)
    if spec_ is None or (spec_.is_spatial and (spec_.geometry != "Point" or point is None)):
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    if point is not None:
        _check_position(*point)
    spec = spec_
    key, row = _new_row(spec, values)
    stamp = ts or _now()
    with _connect(path) as conn:
        where, params = _where(conn, spec, key)

        def run() -> str:
            _ensure_audit(conn, stamp)
            if conn.execute(f"SELECT 1 FROM {conn.ident(layer_id)} WHERE {where}", params).fetchone():
                raise EditError("edit.duplicate", key=key)
            cols, vals = list(row), conn.typed(layer_id, row)
            marks = ["?"] * len(cols)
            logged = dict(row)
            if point is not None:
                geom = conn.geometry_column(layer_id)
                wkt = f"POINT ({point[0]:.8f} {point[1]:.8f})"
                cols, vals, marks = [*cols, str(geom)], [*vals, conn.geom_param(wkt)], [*marks, conn.geom_in]
                logged[GEOM_KEY] = wkt
            conn.execute(
                f"INSERT INTO {conn.ident(layer_id)} ({conn.idents(cols)}) VALUES ({', '.join(marks)})",
                vals,
            )
            conn.execute(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                (stamp, user, layer_id, key, json.dumps(logged, ensure_ascii=False), reason),
            )
            conn.touch((layer_id, AUDIT_TABLE), stamp)
            return key

        return str(_retrying(conn, run))


def upsert_many(
    path: db.Location,
    layer_id: str,
    rows: Sequence[Mapping[str, Any]],
    user: str,
    reason: str = "",
    ts: str | None = None,
) -> tuple[int, int]:
    """Add the rows of an attribute table that are new and update those whose key exists, in one audited
    transaction (a planner's file of figures): every row is checked first, then all are written, or none.

    Returns ``(added, updated)``; a row equal to what is stored writes nothing.
    """
    spec = CATALOG.get(layer_id)
    if spec is None or spec.is_spatial:
        raise EditError("error.unknown_layer", layer=layer_id)
    if not user:
        raise EditError("edit.no_user")
    keys = spec.key.split(",")
    plan = [_new_row(spec, values) for values in rows]
    stamp = ts or _now()
    with _connect(path) as conn:

        def run() -> tuple[int, int]:
            _ensure_audit(conn, stamp)
            added = updated = 0
            for key, row in plan:
                where, params = _where(conn, spec, key)
                cols = list(row)
                found = conn.execute(
                    f"SELECT {conn.idents(cols)} FROM {conn.ident(layer_id)} WHERE {where}", params
                ).fetchone()
                if found is None:
                    conn.execute(
                        f"INSERT INTO {conn.ident(layer_id)} ({conn.idents(cols)}) "
                        f"VALUES ({', '.join('?' for _ in cols)})",
                        conn.typed(layer_id, row),
                    )
                    conn.execute(
                        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                        "VALUES (?, ?, ?, ?, '*', NULL, ?, ?)",
                        (stamp, user, layer_id, key, json.dumps(row, ensure_ascii=False), reason),
                    )
                    added += 1
                    continue
                old = dict(zip(cols, found, strict=True))
                changed = [c for c in cols if c not in keys and old[c] != row[c]]
                for c in changed:
                    conn.execute(
                        f"UPDATE {conn.ident(layer_id)} SET {conn.ident(c)} = ? WHERE {where}",
                        [*conn.typed(layer_id, {c: row[c]}), *params],
                    )
                    conn.execute(
                        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (stamp, user, layer_id, key, c, json.dumps(old[c]), json.dumps(row[c]), reason),
                    )
                updated += bool(changed)
            conn.touch((layer_id, AUDIT_TABLE), stamp)
            return added, updated

        result: tuple[int, int] = _retrying(conn, run)
        return result


def _new_row(spec: LayerSpec, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A new row of ``spec``'s layer from ``values``, every field checked: its key and its stored values."""
    keys = spec.key.split(",")
    row: dict[str, Any] = {}
    for f in spec.fields:
        if f.derived:
            continue
        if f.name in keys:
            value = str(values.get(f.name) or "").strip()
            if not value or len(value) > 80:
                raise EditError("edit.required", field=f.label("vi"))
            row[f.name] = value
        else:
            row[f.name] = _check_value_for_insert(spec, f.name, values.get(f.name))
    return ",".join(str(row[k]) for k in keys), row


def _check_value_for_insert(spec: LayerSpec, name: str, value: Any) -> Any:
    """Like an edit's check, for a non-key field of a new row (the caller checks the key)."""
    f = spec.field(name)
    if value is None or value == "":
        if f.required:
            raise EditError("edit.required", field=f.label("vi"))
        return None  # the one empty: NULL, whatever the field's kind
    return _check_value(spec, name, value)


# -- several kinds of change in one transaction (a field package's merge) ------------------------------------
# Each function below runs inside :func:`write_together`'s transaction and writes its audit rows there, like
# the functions above: the caller gathers everything one decision changes, and it is stored whole or not at all.


def write_together(path: db.Location, fn: Any, ts: str | None = None) -> Any:
    """Run ``fn(conn)`` in one audited write transaction of the store at ``path`` (the change log made if
    missing); everything ``fn`` writes through the functions below is committed together, or nothing is.
    """
    stamp = ts or _now()
    with _connect(path) as conn:

        def run() -> Any:
            _ensure_audit(conn, stamp)
            return fn(conn)

        return _retrying(conn, run)


def _audit(
    conn: db.Session, stamp: str, user: str, layer: str, key: str, name: str, old: Any, new: Any, reason: str
) -> None:
    conn.execute(
        f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stamp,
            user,
            layer,
            key,
            name,
            json.dumps(old, ensure_ascii=False),
            json.dumps(new, ensure_ascii=False),
            reason,
        ),
    )


def checked_value(spec: LayerSpec, name: str, value: Any) -> Any:
    """``value`` of field ``name`` as the store keeps it; :class:`EditError` if the catalog refuses it."""
    if value is None or value == "":
        if spec.field(name).required and spec.field(name).kind != "str":
            raise EditError("edit.required", field=spec.field(name).label("vi"))
        return "" if spec.field(name).kind == "str" else None
    return _check_value(spec, name, value)


def update_in(
    conn: db.Session,
    spec: LayerSpec,
    key: str,
    changes: Mapping[str, Any],
    user: str,
    reason: str,
    ts: str,
    current: Mapping[str, Any] | None = None,
    fid: int | None = None,
) -> list[AuditRow]:
    """Within :func:`write_together`: change fields of one feature (values checked), one audit row per change.

    ``current`` and ``fid`` (from :func:`layer_rows`, read in the same transaction) spare a search by key.
    """
    if not user:
        raise EditError("edit.no_user")
    clean = {n: checked_value(spec, n, v) for n, v in changes.items()}
    where, params = ("fid = ?", [fid]) if fid is not None else _where(conn, spec, key)
    if current is None:
        cols = list(clean)
        found = conn.execute(f"SELECT {conn.idents(cols)} FROM {conn.ident(spec.id)} WHERE {where}", params).fetchall()
        if len(found) != 1:
            raise EditError("edit.not_found", layer=spec.id, key=key)
        current = dict(zip(cols, found[0], strict=True))
    changed = {n: v for n, v in clean.items() if current.get(n) != v}
    if not changed:
        return []
    sets = ", ".join(f"{conn.ident(n)} = ?" for n in changed)
    conn.execute(f"UPDATE {conn.ident(spec.id)} SET {sets} WHERE {where}", [*conn.typed(spec.id, changed), *params])
    rows = []
    for name, value in changed.items():
        _audit(conn, ts, user, spec.id, key, name, current.get(name), value, reason)
        rows.append(AuditRow(0, ts, user, spec.id, key, name, current.get(name), value, reason))
    conn.touch((spec.id, AUDIT_TABLE), ts)
    return rows


def layer_rows(conn: db.Session, spec: LayerSpec) -> dict[str, tuple[int, dict[str, Any]]]:
    """Every feature of a layer by key: its ``fid`` and stored row (geometry as WKT under :data:`GEOM_KEY`),
    read in one pass (a merge of thousands of features looks each up here, not in the table).
    """
    geom = conn.geometry_column(spec.id)
    cols = [c for c in conn.columns(spec.id) if c not in ("fid", geom)]
    keys = spec.key.split(",")
    sel = ", ".join(["fid", *(conn.ident(c) for c in cols), *([conn.geom_out(geom)] if geom else [])])
    out = {}
    for r in conn.execute(f"SELECT {sel} FROM {conn.ident(spec.id)}").fetchall():
        row = dict(zip(cols, r[1 : 1 + len(cols)], strict=True))
        if geom:
            row[GEOM_KEY] = geometry_wkt(conn.geom_blob(r[-1]))
        out[",".join(str(row[k]) for k in keys)] = (int(r[0]), row)
    return out


def note_in(conn: db.Session, layer_id: str, key: str, name: str, value: Any, user: str, reason: str, ts: str) -> None:
    """Within :func:`write_together`: a decision that changed nothing, in the log (its value stays as it is:
    a rewind past it restores the same value).
    """
    _audit(conn, ts, user, layer_id, key, name, value, value, reason)
    conn.touch((AUDIT_TABLE,), ts)


def set_geometry_in(
    conn: db.Session,
    spec: LayerSpec,
    key: str,
    wkt: str,
    user: str,
    reason: str,
    ts: str,
    current: str | None = None,
    fid: int | None = None,
) -> bool:
    """Within :func:`write_together`: replace one feature's geometry (any type; WGS 84 WKT), audited; False if
    it was the same.
    """
    if not user:
        raise EditError("edit.no_user")
    shape = shapely.from_wkt(wkt)
    if shape.is_empty or not shape.is_valid:
        raise EditError("edit.bad_geometry", layer=spec.id, key=key)
    lon, lat = shape.centroid.x, shape.centroid.y
    _check_position(lon, lat)
    geom = str(conn.geometry_column(spec.id))
    where, params = ("fid = ?", [fid]) if fid is not None else _where(conn, spec, key)
    if fid is not None and current is not None:
        old_wkt: str | None = current
    else:
        found = conn.execute(
            f"SELECT {conn.geom_out(geom)} FROM {conn.ident(spec.id)} WHERE {where}", params
        ).fetchall()
        if len(found) != 1:
            raise EditError("edit.not_found", layer=spec.id, key=key)
        old_wkt = geometry_wkt(conn.geom_blob(found[0][0]))
    if old_wkt is not None and shapely.equals_exact(shapely.from_wkt(old_wkt), shape, 1e-9):
        return False
    conn.execute(
        f"UPDATE {conn.ident(spec.id)} SET {conn.ident(geom)} = {conn.geom_in} WHERE {where}",
        [conn.geom_param(wkt), *params],
    )
    _audit(conn, ts, user, spec.id, key, geom, old_wkt, wkt, reason)
    conn.touch((spec.id, AUDIT_TABLE), ts)
    return True


def feature_row(conn: db.Session, spec: LayerSpec, key: str) -> dict[str, Any] | None:
    """One feature's stored row (its geometry as WKT under :data:`GEOM_KEY`), or ``None``."""
    geom = conn.geometry_column(spec.id)
    cols = [c for c in conn.columns(spec.id) if c not in ("fid", geom)]
    where, params = _where(conn, spec, key)
    sel = conn.idents(cols) + (f", {conn.geom_out(geom)}" if geom else "")
    found = conn.execute(f"SELECT {sel} FROM {conn.ident(spec.id)} WHERE {where}", params).fetchall()
    if len(found) != 1:
        return None
    row = dict(zip(cols, found[0][: len(cols)], strict=True))
    if geom:
        row[GEOM_KEY] = geometry_wkt(conn.geom_blob(found[0][-1]))
    return row


def add_in(
    conn: db.Session, spec: LayerSpec, values: Mapping[str, Any], wkt: str | None, user: str, reason: str, ts: str
) -> str:
    """Within :func:`write_together`: add one feature (every field checked, a new key; any geometry type),
    audited as a whole row; returns its key.
    """
    if not user:
        raise EditError("edit.no_user")
    key, row = _new_row(spec, values)
    if "demo" in values and "demo" in conn.columns(spec.id):
        row["demo"] = values["demo"]
    where, params = _where(conn, spec, key)
    if conn.execute(f"SELECT 1 FROM {conn.ident(spec.id)} WHERE {where}", params).fetchone():
        raise EditError("edit.duplicate", key=key)
    cols, vals, marks = list(row), conn.typed(spec.id, row), ["?"] * len(row)
    logged = dict(row)
    if spec.is_spatial:
        if not wkt:
            raise EditError("edit.bad_geometry", layer=spec.id, key=key)
        shape = shapely.from_wkt(wkt)
        _check_position(shape.centroid.x, shape.centroid.y)
        geom = str(conn.geometry_column(spec.id))
        cols, vals, marks = [*cols, geom], [*vals, conn.geom_param(wkt)], [*marks, conn.geom_in]
        logged[GEOM_KEY] = wkt
    conn.execute(f"INSERT INTO {conn.ident(spec.id)} ({conn.idents(cols)}) VALUES ({', '.join(marks)})", vals)
    _audit(conn, ts, user, spec.id, key, "*", None, logged, reason)
    conn.touch((spec.id, AUDIT_TABLE), ts)
    return key


def remove_in(conn: db.Session, spec: LayerSpec, key: str, user: str, reason: str, ts: str) -> bool:
    """Within :func:`write_together`: remove one feature, its whole row kept in the log (a rollback puts it
    back); False if it was not there.
    """
    if not user:
        raise EditError("edit.no_user")
    row = feature_row(conn, spec, key)
    if row is None:
        return False
    where, params = _where(conn, spec, key)
    conn.execute(f"DELETE FROM {conn.ident(spec.id)} WHERE {where}", params)
    _audit(conn, ts, user, spec.id, key, "*", row, None, reason)
    conn.touch((spec.id, AUDIT_TABLE), ts)
    return True


# -- whole shapes: drawn, reshaped, removed, split and merged (geo.store.geometry_edit checks them first) --------
@dataclass(frozen=True)
class ShapeChange:
    """One change of a spatial layer's feature within :func:`write_shapes`.

    ``kind``: ``"add"`` (``values`` is the whole row, its key among them; ``wkt`` its geometry),
    ``"update"`` (``values`` the changed fields, ``wkt`` the new geometry or ``None`` to keep it) or
    ``"delete"``. ``expected``/``expected_wkt``: what the planner saw of an existing feature; a stored value
    that differs is a conflict and nothing is written. ``fill``: measured values written as they are (an
    area or a length the store fills, never typed by anyone), not checked as a planner's edit is.
    """

    kind: str
    key: str = ""
    values: Mapping[str, Any] = dataclass_field(default_factory=dict)
    wkt: str | None = None
    expected: Mapping[str, Any] | None = None
    expected_wkt: str | None = None
    fill: Mapping[str, Any] = dataclass_field(default_factory=dict)


def write_shapes(
    path: db.Location, layer_id: str, changes: Sequence[ShapeChange], user: str, reason: str = "", ts: str | None = None
) -> list[AuditRow]:
    """Add, reshape and remove features of one spatial layer (a catalog layer or a planner's overlay) in one
    transaction, audited as every edit is: a new feature is one ``*`` row with its whole row and geometry, a
    removed one the same the other way, a changed geometry or field one row each. All of it, or nothing.
    Returns the audit rows written. Geometry is WGS 84 WKT; its rules are :mod:`geo.store.geometry_edit`'s.
    """
    if not user:
        raise EditError("edit.no_user")
    stamp = ts or _now()
    with _connect(path) as conn:
        spec_ = file_catalog(conn).get(layer_id)
        if spec_ is None or not spec_.is_spatial or not conn.has_table(layer_id):
            raise EditError("error.unknown_layer", layer=layer_id)
        spec = spec_
        geom = str(conn.geometry_column(layer_id))
        columns = [c for c in conn.columns(layer_id) if c not in ("fid", geom)]
        catalog_fields = {f.name for f in spec.fields}

        def stored_row(key: str) -> dict[str, Any] | None:
            where, params = _where(conn, spec, key)
            cols = conn.idents(columns)
            found = conn.execute(
                f"SELECT {cols}, {conn.geom_out(geom)} FROM {conn.ident(layer_id)} WHERE {where}", params
            ).fetchall()
            if len(found) != 1:
                return None
            row = dict(zip(columns, found[0][:-1], strict=True))
            row[GEOM_KEY] = geometry_wkt(conn.geom_blob(found[0][-1]))
            return row

        def check_seen(current: dict[str, Any], change: ShapeChange) -> None:
            for name, seen in (change.expected or {}).items():
                seen_stored = _check_value(spec, name, seen) if seen not in (None, "") else None
                if current.get(name) != seen_stored:
                    raise ConflictError(
                        "edit.conflict",
                        field=spec.field(name).label("vi"),
                        current=str(current.get(name)),
                        seen=str(seen),
                    )
            old = current.get(GEOM_KEY)
            if change.expected_wkt is not None and not (
                old is not None
                and shapely.equals_exact(shapely.from_wkt(old), shapely.from_wkt(change.expected_wkt), 1e-9)
            ):
                raise ConflictError("edit.conflict", field="hình dạng", current="…", seen="…")

        def log(key: str, name: str, old: Any, new: Any) -> AuditRow:
            fid = conn.insert_fid(
                f'INSERT INTO {AUDIT_TABLE} (ts, "user", layer, feature, field, old, new, reason) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamp, user, layer_id, key, name,
                    json.dumps(old, ensure_ascii=False, default=str), json.dumps(new, ensure_ascii=False, default=str),
                    reason,
                ),
            )  # fmt: skip
            return AuditRow(fid, stamp, user, layer_id, key, name, old, new, reason)

        def add(change: ShapeChange) -> list[AuditRow]:
            numbered = "," not in spec.key and spec.field(spec.key).derived  # a planner's layer numbers its features
            if numbered:
                top = conn.execute(
                    f"SELECT MAX(CAST({conn.ident(spec.key)} AS INTEGER)) FROM {conn.ident(layer_id)}"
                ).fetchone()[0]
                key = str(int(top or 0) + 1)
                row: dict[str, Any] = {spec.key: key}
                row.update(
                    {
                        f.name: _check_value_for_insert(spec, f.name, change.values.get(f.name))
                        for f in spec.fields
                        if not f.derived
                    }
                )
            else:
                key, row = _new_row(spec, change.values)
            for name, value in change.fill.items():
                if name in catalog_fields:
                    row[name] = value
            if DEMO_COLUMN in columns:
                row[DEMO_COLUMN] = 0  # drawn by a planner: real
            row = {c: v for c, v in row.items() if c in columns}
            if stored_row(key) is not None:
                raise EditError("edit.duplicate", key=key)
            cols = [*row, geom]
            marks = ", ".join(["?"] * len(row) + [conn.geom_in])
            conn.execute(
                f"INSERT INTO {conn.ident(layer_id)} ({conn.idents(cols)}) VALUES ({marks})",
                [*conn.typed(layer_id, row), conn.geom_param(change.wkt)],
            )
            return [log(key, "*", None, {**row, GEOM_KEY: change.wkt})]

        def update(change: ShapeChange) -> list[AuditRow]:
            current = stored_row(change.key)
            if current is None:
                raise EditError("edit.not_found", layer=layer_id, key=change.key)
            check_seen(current, change)
            where, params = _where(conn, spec, change.key)
            clean = {n: _check_value(spec, n, v) for n, v in change.values.items()}
            clean.update({n: v for n, v in change.fill.items() if n in columns})
            rows = []
            if change.wkt is not None and not (
                current[GEOM_KEY] is not None
                and shapely.equals_exact(shapely.from_wkt(current[GEOM_KEY]), shapely.from_wkt(change.wkt), 0)
            ):
                conn.execute(
                    f"UPDATE {conn.ident(layer_id)} SET {conn.ident(geom)} = {conn.geom_in} WHERE {where}",
                    [conn.geom_param(change.wkt), *params],
                )
                rows.append(log(change.key, geom, current[GEOM_KEY], change.wkt))
            for name, value in clean.items():
                if current.get(name) == value:
                    continue
                conn.execute(
                    f"UPDATE {conn.ident(layer_id)} SET {conn.ident(name)} = ? WHERE {where}",
                    [*conn.typed(layer_id, {name: value}), *params],
                )
                rows.append(log(change.key, name, current.get(name), value))
            return rows

        def delete(change: ShapeChange) -> list[AuditRow]:
            current = stored_row(change.key)
            if current is None:
                raise EditError("edit.not_found", layer=layer_id, key=change.key)
            check_seen(current, change)
            where, params = _where(conn, spec, change.key)
            conn.execute(f"DELETE FROM {conn.ident(layer_id)} WHERE {where}", params)
            return [log(change.key, "*", current, None)]

        ops = {"add": add, "update": update, "delete": delete}

        def run() -> list[AuditRow]:
            _ensure_audit(conn, stamp)
            rows = [r for change in changes for r in ops[change.kind](change)]
            if rows:
                conn.touch((layer_id, AUDIT_TABLE), stamp)
            return rows

        return list(_retrying(conn, run))


def read_feature(path: db.Location, layer_id: str, key: str) -> dict[str, Any] | None:
    """One feature of a spatial layer as stored: its columns and its geometry (WGS 84 WKT, under
    :data:`GEOM_KEY`); ``None`` if there is no such feature.
    """
    with _connect(path) as conn:
        spec = file_catalog(conn).get(layer_id)
        if spec is None or not conn.has_table(layer_id):
            raise EditError("error.unknown_layer", layer=layer_id)
        geom = conn.geometry_column(layer_id)
        columns = [c for c in conn.columns(layer_id) if c not in ("fid", geom)]
        where, params = _where(conn, spec, key)
        sel = ", ".join([*(conn.ident(c) for c in columns), *([conn.geom_out(geom)] if geom else [])])
        found = conn.execute(f"SELECT {sel} FROM {conn.ident(layer_id)} WHERE {where}", params).fetchall()
        if len(found) != 1:
            return None
        row = dict(zip(columns, found[0][: len(columns)], strict=True))
        if geom:
            row[GEOM_KEY] = geometry_wkt(conn.geom_blob(found[0][-1]))
        return row


def layer_spec(path: db.Location, layer_id: str) -> LayerSpec | None:
    """The catalog record of ``layer_id`` in the store at ``path`` (a built-in layer or a planner's overlay)."""
    with _connect(path) as conn:
        return file_catalog(conn).get(layer_id)
