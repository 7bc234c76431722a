"""``python -m geo``: the command line for planners and scripts.

Exit codes: 0 success, 2 the store or arguments cannot be used (the message
says why, in Vietnamese then English). ``validate`` and ``import``: 0 valid
(imported), 1 problems block the import (listed), 2 unreadable or refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from geo.importer import report_json
from geo.model.catalog import (
    CATALOG,
    STYLES,
    VIEW_NAMES,
    map_style,
    style_color_by,
    style_criterion,
    theme_styles,
    view_home,
    view_layers,
)
from geo.model.i18n import Lang, fmt_number, t
from geo.read import history
from geo.read.history import VIETNAM
from geo.read.panels import units_with_criteria
from geo.store import db
from geo.store.backup import BackupError
from geo.store.reads import DEFAULT_STORE, Store, store_path
from geo.store.transfer import TransferError


def _cmd_layers(args: argparse.Namespace) -> int:
    store = Store(args.store)
    infos = store.info()
    if args.json:
        json.dump([asdict(i) for i in infos], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    lang: Lang = args.lang
    head = ("id", "title", "theme", "geometry", "features", "crs", "as_of", "demo")
    rows = [
        (
            i.id,
            i.title_vi if lang == "vi" else i.title_en,
            i.theme,
            i.geometry or "—",
            fmt_number(i.features, lang),
            i.crs or "—",
            i.as_of or "—",
            "—" if i.demo is None else ("demo" if i.demo else ""),
        )
        for i in infos
    ]
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _cmd_build_demo(args: argparse.Namespace) -> int:
    from geo.demo.build import build_demo

    out = build_demo(Path(args.out))
    print(out)
    return 0


UNITS_HELP = (
    "đơn vị hành chính / administrative units: 2024 (12 xã, thị trấn) or 2025 (4 xã từ 1/7/2025); "
    "default: those in force on the day shown"
)
AS_OF_HELP = (
    "dữ liệu tại thời điểm / the data as at: 2025-03-26 (end of that day), 2025-03-26T08:00 (Vietnam time), "
    "2025-03-26T01:00Z"
)


def _check_where(catalog: Any, layers: Sequence[str], where: dict[str, list[str]]) -> None:
    """Refuse a ``--where`` field that is not a filter of any of ``layers`` (it would silently select all)."""
    filters = sorted({f for lid in layers if lid in catalog for f in catalog[lid].filters})
    wrong = [f for f in where if f not in filters]
    if wrong:
        raise ValueError(
            f"--where {', '.join(w[:40] for w in wrong)}: không phải trường lọc của lớp đã chọn / not a filter of "
            f"the chosen layer(s) {', '.join(layers)}; các trường lọc / filters: {', '.join(filters) or '—'}"
        )


def _parse_where(items: list[str]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise ValueError(f"--where needs FIELD=VALUE, not {item!r}")
        where.setdefault(field.strip(), []).append(value.strip())
    return where


def _cmd_export(args: argparse.Namespace) -> int:

    from dataclasses import replace

    from geo.printing.export import DATA_FORMATS, MAP_FORMATS, MapRequest, ScaleError, export_bytes, write_atomic
    from geo.printing.printkit import Provenance, drawn_layers, units_in_force
    from geo.read.access import read_layer
    from geo.read.filters import apply_filters

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in (*MAP_FORMATS, *DATA_FORMATS):
        raise ValueError(f"unknown format .{fmt}: use one of {', '.join((*MAP_FORMATS, *DATA_FORMATS))}")
    store = Store(args.store)
    when = _as_of(args)
    view = args.view or "overview"
    day_shown = when.astimezone(VIETNAM).date() if when else None
    units = args.units or units_in_force(store, day_shown)  # the units in force on the day shown
    layers = tuple(args.layers.split(",")) if args.layers else drawn_layers(view_layers(view), units, view == "ntm")
    home = view_home(view) if args.view and view_home(view) != "district" else None
    catalog = store.catalog
    unknown = [lid for lid in layers if lid not in catalog or not catalog[lid].is_spatial or not store.has(lid)]
    if unknown:
        raise ValueError(f"unknown or non-spatial layer(s): {', '.join(unknown)}")
    where = _parse_where(args.where or [])
    _check_where(catalog, layers, where)
    styles = tuple(args.style or ()) or theme_styles(view)  # the view's colouring, as on its page
    for name in styles:  # an unknown style is a mistake to say, not to draw around
        try:
            map_style(name)
        except KeyError:
            raise ValueError(
                f"không có cách tô màu / unknown style {name!r}: {', '.join(s.id for s in STYLES)} (criterion:N)"
            ) from None
    crit = style_criterion(styles)

    def frames_at(moment: dt.datetime | None) -> dict[str, Any]:
        out = {}
        for lid in layers:
            frame = read_layer(store, lid, sensitive=True, as_of=moment, units=units, bbox=clip_to)  # planners
            if lid == "units" and crit is not None and store.has("ntm_commune"):
                ntm = read_layer(store, "ntm_commune", sensitive=True, as_of=moment)
                frame = units_with_criteria(frame, ntm, crit)
            mine = {f: [_typed(frame[f], v) for v in vals] for f, vals in where.items() if f in frame.columns}
            out[lid] = apply_filters(catalog[lid], frame, mine) if mine else frame
        return out

    bbox: tuple[float, float, float, float] | None = None
    if args.bbox:
        parts = [float(v) for v in args.bbox.split(",")]
        if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
            raise ValueError("--bbox needs W,S,E,N with W < E and S < N")
        bbox = (parts[0], parts[1], parts[2], parts[3])
    elif home:
        w, s, e, n = (float(v) for v in store.read(home).total_bounds)
        bbox = (w - 0.01, s - 0.01, e + 0.01, n + 0.01)
    # A map of a view reads the view: a province's cadastre is read through the spatial index, not whole.
    clip_to = bbox if fmt in MAP_FORMATS and not args.center else None
    frames = frames_at(when)
    center: tuple[float, float] | None = None
    if args.center:
        if args.bbox:
            raise ValueError("--center and --bbox: choose one")
        if not args.scale:
            raise ValueError("--center needs --scale")
        lon_lat = [float(v) for v in args.center.split(",")]
        if len(lon_lat) != 2 or not (-180 <= lon_lat[0] <= 180 and -90 <= lon_lat[1] <= 90):
            raise ValueError("--center needs LON,LAT in degrees (WGS 84)")
        center = (lon_lat[0], lon_lat[1])
    if args.scale is not None and (args.scale < 500 or fmt not in ("png", "pdf")):
        raise ValueError("--scale needs a denominator of 500 or more, and OUT.pdf or OUT.png")
    if (args.tile or args.grid) and not args.scale:
        raise ValueError("--tile and --grid go with --scale")
    title = args.title or ("Bản đồ điều hành huyện Đình Lập" if args.lang == "vi" else "Đình Lập operations map")
    req = MapRequest(
        layers,
        title,
        bbox=bbox,
        lang=args.lang,
        paper=args.paper,
        landscape=True if args.landscape else (False if args.portrait else None),  # neither: as the extent suits
        dpi=args.dpi,
        catalog=catalog,
        color_by=style_color_by(styles),
        scale=args.scale,
        center=center,
        grid=bool(args.grid),
    )
    meta = store.meta()  # read once: the badge, the footer and the data's provenance
    demo = {lid for lid, m in meta.items() if m.demo}
    day = when.astimezone(VIETNAM).date() if when else None
    prov = Provenance(meta, dt.date.today(), day)
    if args.compare:
        if fmt not in ("png", "pdf"):
            raise ValueError("--compare lays out two maps: use OUT.png or OUT.pdf")
        other = _moment(args.compare, "--compare")
        payload = _compare_sheet(store, req, frames, frames_at(other), prov, when, other, fmt)
    else:
        table = None
        if fmt in DATA_FORMATS:  # in the reader's language (identifiers with --codes), with provenance
            from geo.printing.tables import TableRequest, suffix
            from geo.read.filters import describe

            units = store.read("units")
            names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
            said = {}
            for lid in layers:
                got = frames[lid]
                chosen = {f: [_typed(got[f], v) for v in vals] for f, vals in where.items() if f in got.columns}
                said[lid] = describe(catalog[lid], chosen, args.lang, names)
            table = TableRequest(args.lang, args.codes, meta, prov.today, day, said, names)
            out = out.with_suffix("." + suffix(fmt, len(layers)))  # several layers of CSV: one zip
        try:
            payload = export_bytes(fmt, req, frames, prov, demo, table, tile=bool(args.tile))
        except ScaleError as exc:  # the extent needs more sheets at that scale: say how many, write nothing
            print(str(exc), file=sys.stderr)
            if args.lang == "vi":
                print(str(ScaleError(exc.cols, exc.rows, replace(req, lang="en"))), file=sys.stderr)
            return 1
    write_atomic(out, payload)
    print(out)
    return 0


def _compare_sheet(
    store: Store,
    req: Any,
    frames_a: dict[str, Any],
    frames_b: dict[str, Any],
    prov: Any,
    a: dt.datetime | None,
    b: dt.datetime,
    fmt: str,
) -> bytes:
    """Two dates on one sheet, with what moved between them in words (``--as-of A --compare B``)."""
    from geo.printing.export import compare_image
    from geo.read import compare
    from geo.read.access import read_layer

    day_a = (a or dt.datetime.now(VIETNAM)).astimezone(VIETNAM).date()
    day_b = b.astimezone(VIETNAM).date()
    early, late = sorted((a, b), key=lambda m: m or dt.datetime.now(dt.UTC))
    tracked = [lid for lid in ("ql4b_segments", "land_disputes", "ntm_commune") if store.has(lid)]
    at_early = {lid: read_layer(store, lid, sensitive=True, as_of=early) for lid in tracked}
    at_late = {lid: read_layer(store, lid, sensitive=True, as_of=late) for lid in tracked}
    units = read_layer(store, "units", sensitive=True)
    names = {f"2024:{c}": n for c, n in zip(units.code, units.name, strict=True)}
    lines = [d.text(req.lang) for d in compare.deltas(at_early, at_late, names) if d.change or d.detail]
    return compare_image(req, frames_a, frames_b, prov, (day_a, day_b), lines, fmt)


AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2200, 12, 31))  # what --as-of and --compare accept


def _moment(value: str, option: str = "--as-of") -> dt.datetime:
    """An ISO 8601 date (its end) or date-time, Vietnam time unless it carries an offset; refused (exit 2)
    outside :data:`AS_OF_RANGE`, before any date arithmetic can overflow.
    """
    head = str(value).strip()[:10]
    try:
        day = dt.date.fromisoformat(head)
    except ValueError:
        day = None
    if day is not None and not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        lo, hi = (d.isoformat() for d in AS_OF_RANGE)
        raise ValueError(f"{option} {head}: ngày ngoài khoảng / date out of range ({lo} … {hi})")
    return history.moment(value)


def _as_of(args: argparse.Namespace) -> dt.datetime | None:
    """``--as-of``: an ISO 8601 date (its end) or date-time, Vietnam time unless it carries an offset."""
    return _moment(args.as_of) if getattr(args, "as_of", None) else None


def _typed(column: object, value: str) -> object:
    """A --where value as the column's type (so ``package=8`` and ``in_district=đúng`` match): geo.model.values reads
    it.
    """
    import pandas as pd

    from geo.model.values import BadValue
    from geo.read.filters import typed_value

    col = column if isinstance(column, pd.Series) else pd.Series(column)
    try:
        return typed_value(col, value)
    except BadValue:
        name = col.name if isinstance(col.name, str) else "?"
        raise ValueError(f"--where {name}={value!r}: không đọc được giá trị / value not understood") from None


def _cmd_pack(args: argparse.Namespace) -> int:
    from geo.printing.export import write_atomic
    from geo.printing.pack import meeting_pack

    out = Path(args.out)

    since = dt.date.fromisoformat(args.since) if args.since else None
    when = _as_of(args)
    write_atomic(
        out, meeting_pack(Store(args.store), args.lang, atlas=args.atlas, since=since, as_of=when, units=args.units)
    )
    print(out)
    return 0


def _cmd_atlas(args: argparse.Namespace) -> int:
    from geo.printing.atlas import atlas
    from geo.printing.export import write_atomic
    from geo.read.access import read_layer

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValueError("an atlas is a PDF: OUT.pdf")
    store = Store(args.store)
    where = _parse_where(args.where or [])
    when = _as_of(args)
    if where and args.layer in store.catalog:
        _check_where(store.catalog, [args.layer], where)
    if where and args.layer in store.catalog and store.has(args.layer):
        frame = read_layer(store, args.layer, sensitive=True, as_of=when)
        unknown = [f for f in where if f not in frame.columns]
        if unknown:
            raise ValueError(f"--where: no field {', '.join(unknown)} in {args.layer}")
        where = {f: [_typed(frame[f], v) for v in vals] for f, vals in where.items()}  # type: ignore[misc]
    write_atomic(out, atlas(store, args.layer, where, args.lang, as_of=when, title=args.title, units=args.units))
    print(out)
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from geo.store.backup import backup

    rows = backup(store_path(args.store), Path(args.dst))
    print(f"{args.dst}\t{rows} change-log rows")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from geo.store.backup import restore

    if not args.yes:
        raise ValueError("restoring replaces the store: add --yes (the replaced store is kept beside it)")
    kept = restore(Path(args.src), store_path(args.store))
    print(f"{store_path(args.store)} ← {args.src}; before: {kept}")
    return 0


def _cmd_copy_store(args: argparse.Namespace) -> int:
    from geo.store.transfer import copy_store

    counts = copy_store(args.src, args.dst, replace=args.replace)
    for name, n in counts.items():
        print(f"{name}\t{n}")
    print(f"{db.label(args.src)} → {db.label(args.dst)}: {len(counts)} tables, {sum(counts.values())} rows")
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from geo.auth.users import add_user, load, remove_user, users_path

    path = users_path(args.file)
    if args.action == "list":
        for name, entry in sorted(load(path).items()):
            print(f"{name}\t{entry['role']}")
        return 0
    if args.action == "locked":  # names that must wait after failed sign-ins, and until when
        from geo.auth.signin import locked

        for lock in locked(path):
            until = dt.datetime.fromtimestamp(lock.until, dt.UTC).astimezone(VIETNAM)
            print(f"{lock.name}\t{lock.failures}\t{until:%Y-%m-%d %H:%M:%S}")
        return 0
    if not args.name:
        raise ValueError("a user name is needed")
    if args.action == "remove":
        if not remove_user(path, args.name):
            raise ValueError(f"no user {args.name!r}")
        return 0
    if args.action == "unlock":
        from geo.auth.signin import unlock

        unlock(path, args.name, f"cli:{getpass.getuser()}")
        return 0
    if args.action == "recovery":  # a one-use code that lets the user in during a throttle, for a day
        from geo.auth.signin import CODE_HOURS, set_recovery_code

        code = set_recovery_code(path, args.name, f"cli:{getpass.getuser()}")
        print(f"{args.name}\t{code}\t{CODE_HOURS} h")
        return 0
    if args.oidc:
        password = None  # signs in through the identity provider (st.login), never with a password
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu / password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    add_user(path, args.name, args.role, password)
    print(f"{args.name}\t{args.role}\t{path}")
    return 0


def _cmd_indicators(args: argparse.Namespace) -> int:
    from geo.read.access import read_layer
    from geo.read.indicators import from_frame, period_label, read_series_file, series

    store = Store(args.store)
    if args.action == "import":
        from geo.store.edit import upsert_many

        if not args.file or not args.user:
            raise ValueError("indicators import needs FILE and --user")
        known = {i.id for i in from_frame(store.read("indicators"))}
        rows = read_series_file(args.file, known)
        added, updated = upsert_many(
            store.location, "indicator_series", rows, args.user, args.reason or f"nhập {args.file}"
        )
        print(f"Đã thêm {added}, cập nhật {updated} kỳ / added {added}, updated {updated} periods")
        return 0
    when = _as_of(args)
    inds = {i.id: i for i in from_frame(read_layer(store, "indicators", sensitive=True, as_of=when))}
    every = series(read_layer(store, "indicator_series", sensitive=True, as_of=when))
    if args.json:
        doc = [
            {
                "ind_id": k,
                "name_vi": inds[k].name_vi if k in inds else k,
                "name_en": inds[k].name_en if k in inds else k,
                "unit": inds[k].unit if k in inds else "",
                "series": [
                    {"period": p.period, "period_end": p.end.isoformat(), "value": p.value, "target": p.target,
                     "source": p.source, "demo": p.demo}
                    for p in pts
                ],
            }
            for k, pts in every.items()
        ]  # fmt: skip
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for k, pts in every.items():
        name = inds[k].name(args.lang) if k in inds else k
        values = ", ".join(f"{period_label(p.period, args.lang)}: {fmt_number(p.value, args.lang)}" for p in pts)
        print(f"{k:<24}{name}: {values}")
    return 0


def _cmd_views(args: argparse.Namespace) -> int:
    from geo.model.views import views_from_frame

    views = views_from_frame(Store(args.store).read("views"))
    if args.json:
        json.dump([asdict(v) for v in views], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for v in views:
        link = f"/{v.page}?view={v.id}" if v.page else f"/?view={v.id}"
        print(f"{v.id:<18}{v.title(args.lang):<45}{link}")
    return 0


def _cmd_changes(args: argparse.Namespace) -> int:
    """The latest change sets (one save, one import each), newest first; times in Vietnam time."""
    from geo.model.i18n import fmt_datetime
    from geo.store.changelog import change_sets, reason_text

    sets = change_sets(Store(args.store).location, limit=args.limit)
    if args.json:
        doc = [{**asdict(c), "reason_text": reason_text(c.reason, args.lang)} for c in sets]
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print("giờ Việt Nam / Vietnam time (UTC+7)")
    for c in sets:
        what = t("undo.what", args.lang, fields=c.fields, added=c.added, removed=c.removed)
        print(f"{c.id:<8}{fmt_datetime(c.ts, args.lang):<18}{c.user:<16}{what:<36}{','.join(c.layers)}  "
              f"{reason_text(c.reason, args.lang)}")  # fmt: skip
    return 0


def _edit_refused(exc: Any) -> int:
    print(exc.message("vi"), file=sys.stderr)
    print(exc.message("en"), file=sys.stderr)
    return 2 if exc.message_key in ("undo.unknown", "edit.no_user", "error.store_missing") else 1


def _cmd_undo(args: argparse.Namespace) -> int:
    """Undo one change set: 0 undone, 1 refused (a later change touched the same values), 2 no such set."""
    from geo.store.changelog import EditError
    from geo.store.edit import undo_change_set

    try:
        n = undo_change_set(Store(args.store).location, args.change_set, args.user)
    except EditError as exc:
        return _edit_refused(exc)
    print(t("undo.done", "vi", id=args.change_set, n=n))
    print(t("undo.done", "en", id=args.change_set, n=n))
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    """Undo every change after a moment typed in Vietnam time (DD/MM/YYYY HH:MM or ISO)."""
    from geo.store.changelog import EditError, log_time
    from geo.store.edit import read_date, rollback_to

    text = args.to.strip()
    day, _, clock = text.partition(" ") if "T" not in text else text.partition("T")
    try:
        iso_day = read_date(day)
        if iso_day is None:
            raise ValueError(text)
        moment = log_time(f"{iso_day}T{clock or '00:00'}")
    except ValueError:
        raise ValueError(f"--to {text!r}: DD/MM/YYYY HH:MM (giờ Việt Nam / Vietnam time)") from None
    try:
        n = rollback_to(Store(args.store).location, moment, args.user)
    except EditError as exc:
        return _edit_refused(exc)
    print(t("rollback.done", "vi", n=n))
    print(t("rollback.done", "en", n=n))
    return 0


def _cmd_normalise(args: argparse.Namespace) -> int:
    """Store every '' of the catalog's layers as NULL, once, audited; again changes nothing."""
    from geo.store.changelog import EditError
    from geo.store.edit import normalise_empties

    try:
        n = normalise_empties(Store(args.store).location, args.user)
    except EditError as exc:
        return _edit_refused(exc)
    print(f"Đã chuẩn hóa {n} giá trị trống / {n} empty values normalised")
    return 0


def _cmd_find(args: argparse.Namespace) -> int:
    from geo.read.access import Reader
    from geo.read.search import layer_title, search

    store = Store(args.store)
    if args.layer and (args.layer not in store.catalog or not store.catalog[args.layer].is_spatial):
        raise ValueError(f"no map layer {args.layer!r}")
    reader = Reader(store, sensitive=not args.viewer, as_of=_as_of(args))
    hits = search(reader, args.text, [args.layer] if args.layer else None, limit=args.limit)
    if args.json:
        json.dump([h.as_dict(layer_title(reader, h.layer, args.lang)) for h in hits], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for h in hits:
            print(f"{h.layer}\t{h.key}\t{h.label}")
    return 0 if hits else 1


def _role_of(name: str) -> str:
    """The role of ``name`` in the users file; a name it does not list writes as a script does (a planner)."""
    from geo.auth.users import load, users_path

    path = users_path()
    entry = load(path).get(name) if path.is_file() else None
    return str(entry["role"]) if entry else "planner"


def _cmd_comments(args: argparse.Namespace) -> int:
    from geo.read import comments
    from geo.store.changelog import EditError

    store = Store(args.store)
    try:
        if args.action == "list":
            return _list_comments(args, store)
        if not args.user:
            raise ValueError("--user is needed")
        role = _role_of(args.user)
        if args.action == "allow-viewers":
            if role != "admin":
                raise comments.CommentError("comments.not_allowed")
            if args.value not in ("on", "off"):
                raise ValueError("allow-viewers takes on or off")
            comments.allow_viewers(store.location, args.value == "on", args.user)
            return 0
        if not comments.may_comment(role, comments.viewers_may_comment(store)):
            raise comments.CommentError("comments.not_allowed")
        sensitive = role != "viewer"
        if args.action == "add":
            on = _comment_target(args)
            if (on is None) == (args.reply_to is None):
                raise ValueError("give one of --on, --task, --indicator, or --reply-to")
            if args.text is None:
                raise ValueError("--text is needed")
            c = comments.add(store.location, on, args.text, args.user, args.reply_to, sensitive=sensitive)
            print(c.id)
            return 0
        if not args.value:
            raise ValueError("a comment number is needed")
        if args.action == "edit":
            if args.text is None:
                raise ValueError("--text is needed")
            comments.change_text(store.location, args.value, args.text, args.user)
            return 0
        th = comments.resolve(store.location, args.value, args.user, reopen=args.action == "reopen")
        print(th.id)
        return 0
    except EditError as exc:
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
        return 1


def _comment_target(args: argparse.Namespace) -> Any:
    from geo.read import comments

    given = [x for x in (args.on, args.task, args.indicator) if x]
    if len(given) > 1:
        raise ValueError("give only one of --on, --task, --indicator")
    if args.on:
        layer, _, key = args.on.partition(":")
        if not layer or not key:
            raise ValueError("--on takes LAYER:KEY")
        return comments.feature(layer, key)
    if args.task:
        return comments.task(args.task)
    if args.indicator:
        return comments.indicator(args.indicator)
    return None


def _list_comments(args: argparse.Namespace, store: Store) -> int:
    from geo.read import comments

    sensitive = not args.user or _role_of(args.user) != "viewer"
    target = _comment_target(args)
    if args.task:  # the task's threads, and those on what it concerns, as the board counts them under it
        from geo.read.board import concerns, tasks_from_frame

        tasks = tasks_from_frame(store.read("tasks")) if store.has("tasks") else []
        task = next((t for t in tasks if t.id == args.task), None)
        if task is not None:
            found = [
                th
                for th in comments.threads(store, None, args.open, _as_of(args), sensitive)
                if concerns(task, th.target)
            ]
        else:
            found = comments.threads(store, target, args.open, _as_of(args), sensitive)
    else:
        found = comments.threads(store, target, args.open, _as_of(args), sensitive)
    if args.mine:
        if not args.user:
            raise ValueError("--mine needs --user")
        found = comments.needing(found, args.user)
    if args.json:
        json.dump([th.as_dict() for th in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for th in found:
        state = "resolved" if th.resolved else "open"
        print(f"#{th.id}\t{th.target.text}\t{state}\t{th.first.user}\t{th.first.text[:80]!r}\t+{len(th.replies)}")
    return 0


def _validate(args: argparse.Namespace, store: Store | None) -> Any:
    from geo.importer import validate

    layer = getattr(args, "new_layer", None) or args.layer
    new = bool(getattr(args, "new_layer", None))
    mapping = dict(m.split("=", 1) for m in (args.map or [])) or None
    remembered = None
    from geo.importer import parse_values

    values = parse_values(getattr(args, "values", None))
    if store is not None and args.layer and not new:
        from geo.store.ingest import remembered_mapping, remembered_values

        remembered = remembered_mapping(store.location, args.layer)
        known = remembered_values(store.location, args.layer)  # what earlier files' wording meant; --values wins
        values = {f: {**known.get(f, {}), **values.get(f, {})} for f in {*known, *values}}
    units = store.read("units") if store is not None and store.has("units") else None
    return validate(
        args.path,
        layer=layer,
        crs=args.crs,
        encoding=args.encoding,
        mapping=mapping,
        units=units,
        remembered=remembered,
        new_layer=new,
        catalog=store.catalog if store is not None else CATALOG,  # an overlay imported earlier takes files too
        values=values,
        key=getattr(args, "key", None),
        labels=_pairs(getattr(args, "label", None), "--label"),
        field_units=_pairs(getattr(args, "unit", None), "--unit"),
        communes=store.read("communes_2025") if store is not None and store.has("communes_2025") else None,
        limits=_limits(args),
        progress=None if args.quiet else _ProgressLine(args.lang),
    )


def _pairs(items: list[str] | None, flag: str) -> dict[str, str]:
    """``COL=TEXT`` arguments as a mapping; ``ValueError`` (exit 2) for a malformed one."""
    out: dict[str, str] = {}
    for item in items or []:
        col, eq, text = item.partition("=")
        if not eq or not col.strip():
            raise ValueError(f"{flag} {item!r}: expected COLUMN=TEXT")
        out[col.strip()] = text.strip()
    return out


def _print_report(report: Any, args: argparse.Namespace) -> None:
    if args.json:
        print(report_json(report, args.lang))
        return
    print(report.text(args.lang))
    if args.lang == "vi" and report.refused:
        print(report.refused.message("en"))


def _cmd_validate(args: argparse.Namespace) -> int:
    store = Store(args.store) if args.layer else None
    report = _validate(args, store)
    _print_report(report, args)
    return int(report.exit_code)


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.store.changelog import EditError
    from geo.store.ingest import apply

    if not args.layer and not args.new_layer:
        raise ValueError("--layer ID or --new-layer ID is needed")
    if not args.user:
        raise ValueError("--user NAME is needed (recorded in the change log)")
    if args.delete_missing and not args.update:
        raise ValueError("--delete-missing goes with --update")
    if args.new_layer and (args.replace or args.update):
        raise ValueError("a new layer is created: --replace and --update are for the next file")
    if (args.key or args.label or args.unit) and not args.new_layer:
        raise ValueError("--key, --label and --unit describe a new layer (--new-layer ID)")
    store = Store(args.store)
    report = _validate(args, store)
    _print_report(report, args)
    if report.exit_code != 0:
        return int(report.exit_code)
    mode = "replace" if args.replace else "update" if args.update else "append"
    try:
        outcome = apply(
            store.location,
            report,
            args.user,
            layer=args.layer if not args.new_layer else None,
            new_layer=args.new_layer,
            title=args.title,
            mode=mode,  # type: ignore[arg-type]
            delete_missing=args.delete_missing,
            style=args.style,
            chunk=_limits(args).chunk,
            progress=None if args.quiet else _ProgressLine(args.lang),
        )
    except EditError as exc:
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
        return 1
    if not args.json:
        spec = Store(args.store).catalog.get(outcome.layer)
        print(outcome.message(args.lang, spec))
    if not args.no_tiles:
        _tiles_ahead(args, outcome.layer)
    return 0


def _tiles_ahead(args: argparse.Namespace, layer: str) -> None:
    """A big layer just written into a GeoPackage: its tiles of the zooms a page opens at, built now into the
    file beside the store, so that the first page after the import pans on built tiles (the app would build
    them too, more slowly). The import is done whatever happens here: a failure is a warning, never exit 1/2.
    """
    from geo.webmap.tiles import build_ahead

    try:
        build_ahead(Store(args.store), [layer], progress=None if args.quiet else _ProgressLine(args.lang))
    except (Exception, KeyboardInterrupt) as exc:  # a cache: the app builds the tiles itself
        for lang in ("vi", "en"):
            print(t("import.tiles_later", lang, why=type(exc).__name__), file=sys.stderr)


def _cmd_publish(args: argparse.Namespace) -> int:
    from geo.store.changelog import EditError
    from geo.store.ingest import publish

    if not args.user:
        raise ValueError("--user NAME is needed (recorded in the change log)")
    store = Store(args.store)
    if args.layer not in store.overlays:
        print(t("error.unknown_layer", "vi", layer=args.layer), file=sys.stderr)
        print(t("error.unknown_layer", "en", layer=args.layer), file=sys.stderr)
        return 2
    try:
        publish(store.location, args.layer, args.user, not args.withdraw)
    except EditError as exc:
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
        return 1
    title = store.catalog[args.layer].title(args.lang)
    print(t("import.unpublished" if args.withdraw else "import.published", args.lang, layer=title))
    return 0


def _cmd_edit(args: argparse.Namespace) -> int:
    """``edit``: add, reshape, delete, split or merge a feature (or change a table's row), audited.

    0 saved; 1 refused (a shape the rules refuse, a conflict with ``--expect``, a field not editable, a
    missing feature), the store unchanged; 2 bad arguments or text that is no shape.
    """
    from geo.store import geometry_edit as ge
    from geo.store.changelog import EditError
    from geo.store.edit import edit

    if not args.user:
        raise ValueError("--user NAME is needed (recorded in the change log)")
    actions = [bool(args.add), bool(args.delete), args.split is not None, bool(args.merge)]
    if sum(actions) > 1:
        raise ValueError("choose one of --add, --delete, --split, --merge")
    if not args.add and not args.key:
        raise ValueError("KEY is needed (or --add)")
    store = Store(args.store)
    spec = store.catalog.get(args.layer)
    if spec is None or not store.has(args.layer):
        raise ValueError(f"no layer {args.layer!r} in the store")
    sets = {n: ge.typed_value(spec, n, v) for n, v in _pairs(args.set, "--set").items()}
    expect = {n: ge.typed_value(spec, n, v) for n, v in _pairs(args.expect, "--expect").items()}
    where = store.location
    try:
        shape = ge.parse_shape(args.geometry, spec.geometry, args.crs) if args.geometry else None
        line = ge.parse_shape(args.split, "LineString", args.crs) if args.split is not None else None
    except EditError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    try:
        if args.add:
            if args.key:
                sets.setdefault(spec.key, args.key)
            if spec.is_spatial:
                if shape is None:
                    raise ValueError("--add on a map layer needs --geometry")
                key = ge.add_shape(where, args.layer, sets, shape, args.user, args.reason or "")
            else:
                from geo.store.edit import insert

                key = insert(where, args.layer, sets, args.user, args.reason or "")
            done = t("geom.cli_added", args.lang, key=key, layer=args.layer)
        elif args.delete:
            ge.delete_shape(where, args.layer, args.key, args.user, args.reason or "", expected=expect or None)
            done = t("geom.cli_deleted", args.lang, key=args.key, layer=args.layer)
        elif line is not None:
            keys = ge.split(where, args.layer, args.key, line, args.user, args.reason or "")
            done = t("geom.cli_split", args.lang, key=args.key, parts=", ".join(keys))
        elif args.merge:
            key = ge.merge(where, args.layer, [args.key, *args.merge], args.user, args.reason or "")
            done = t("geom.cli_merged", args.lang, key=key, others=", ".join(args.merge))
        elif spec.is_spatial and ge.drawable(spec):
            if shape is None and not sets:
                raise ValueError("nothing to change: give --set or --geometry")
            rows = ge.reshape(where, args.layer, args.key, shape, args.user, args.reason or "", sets, expect or None)
            done = t("edit.saved", args.lang, n=fmt_number(len(rows), args.lang))
        else:
            if shape is not None:
                raise EditError("geom.not_drawable", layer=args.layer)
            if not sets:
                raise ValueError("nothing to change: give --set")
            for name in sets:
                if name not in spec.editable:
                    raise EditError("edit.read_only", field=name)
            rows = edit(where, args.layer, args.key, sets, args.user, args.reason or "", expect or None)
            done = t("edit.saved", args.lang, n=fmt_number(len(rows), args.lang))
    except EditError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        print(exc.message("en" if args.lang == "vi" else "vi"), file=sys.stderr)
        return 1
    print(done)
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="GPKG, SHP (zip), GeoJSON, KML/KMZ, TAB (zip), CSV, XLSX")
    p.add_argument("--layer", help="the catalog layer to check against / import into")
    p.add_argument("--crs", help="the file's CRS when it declares none or a wrong one, e.g. EPSG:9215")
    p.add_argument("--encoding", help="utf-8 | cp1258 | tcvn3 | vni (default: detected)")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD", help="map a file column to a catalog field")
    p.add_argument(
        "--values",
        action="append",
        metavar="FIELD:FILE_VALUE=CODE",
        help="what the file's wording of a coded value means, e.g. 'status:Đã bàn giao=handed_over' (remembered)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument(
        "--max-mb",
        type=float,
        metavar="MB",
        help="the largest file taken, in MB (default: the DINHLAP_IMPORT_MAX_MB setting, else 2048; "
        "the browser upload keeps 200); its feature and vertex limits grow in proportion",
    )
    p.add_argument(
        "--chunk",
        type=int,
        metavar="N",
        help="features read and written at a time (default 50000); a bigger file shows its progress on stderr",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


class _ProgressLine:
    """A big import's progress on stderr: a bar redrawn in place on a terminal, a plain line per step
    elsewhere (a log, a CI job). Steps of one chunk or less print nothing.
    """

    def __init__(self, lang: Lang, stream: Any = None) -> None:
        self.lang = lang
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()  # each step's time counts from the end of the one before

    def __call__(self, step: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        label = t(f"import.progress_{step}", self.lang)
        counts = f"{fmt_number(done, self.lang)} / {fmt_number(total, self.lang)}"
        took = fmt_number(time.monotonic() - self.start, self.lang, decimals=0)
        if self.tty:
            bar = "█" * round(share * 30) + "░" * (30 - round(share * 30))
            self.stream.write(f"\r{label} {bar} {share:4.0%} {counts} ({took} s)")
            if done >= total:
                self.stream.write("\n")
        else:
            self.stream.write(f"{label}: {counts} ({share:.0%}, {took} s)\n")
        self.stream.flush()
        if done >= total:  # the next step starts now
            self.start = time.monotonic()


def _limits(args: argparse.Namespace) -> Any:
    """The command line's import limits: ``--max-mb``, else the setting; ``--chunk``."""
    from dataclasses import replace

    from geo.importer import command_line

    limits = command_line(args.max_mb)
    if args.chunk is not None:
        if args.chunk < 1:
            raise ValueError("--chunk needs a positive number of features")
        limits = replace(limits, chunk=args.chunk)
    return limits


def _field_error(exc: Exception) -> int:
    from geo.field.packages import FieldError

    if isinstance(exc, FieldError):
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
    return 2


def _cmd_field(args: argparse.Namespace) -> int:
    from geo.field import packages as field

    location = store_path(args.store)
    if args.field_cmd == "pack":
        where = {}
        for item in args.where or []:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise ValueError(f"--where {item!r}: FIELD=VALUE")
            where[name.strip()] = value.strip()
        bbox = None
        if args.bbox:
            parts = [float(x) for x in args.bbox.split(",")]
            if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
                raise ValueError(f"--bbox {args.bbox!r}: W,S,E,N")
            bbox = (parts[0], parts[1], parts[2], parts[3])
        layers = [x.strip() for x in args.layers.split(",") if x.strip()]
        try:
            res = field.pack(location, Path(args.out), layers, where, args.unit, bbox)
        except field.FieldError as exc:
            return _field_error(exc)
        if args.json:
            print(json.dumps(asdict(res), ensure_ascii=False))
        else:
            n = sum(res.features.values())
            print(f"{args.out}: {n} đối tượng / features ({', '.join(f'{k} {v}' for k, v in res.features.items())})")
        return 0
    if args.field_cmd == "merge":
        path = Path(args.package)
        if not path.is_file():
            print(f"Không có tệp / no such file: {path}", file=sys.stderr)
            return 2
        try:
            merged = field.merge(location, path, args.user)
        except field.FieldError as exc:
            return _field_error(exc)
        if args.json:
            print(json.dumps(merged.counts()))
        elif merged.already:
            print(t("field.already", "vi"))
            print(t("field.already", "en"))
        else:
            print(t("field.merged", "vi", **merged.counts()))
            print(t("field.merged", "en", **merged.counts()))
        return 1 if merged.conflicts else 0
    if args.field_cmd == "styles":
        from geo.field.qgis import write_styles

        print(f"{write_styles(location)} kiểu hiển thị QGIS / QGIS styles → layer_styles")
        return 0
    if args.field_cmd == "conflicts":
        held = field.conflicts(location)
        if args.json:
            print(json.dumps([c.as_dict() for c in held], ensure_ascii=False, indent=2))
            return 0
        if not held:
            print(t("field.no_conflicts", args.lang))
        for c in held:
            print(
                f"#{c.id}  {c.layer}  {c.feature}  {c.attribute}: "
                f"{t('field.base', args.lang)} {json.dumps(c.base, ensure_ascii=False)} | "
                f"{t('field.office', args.lang)} {json.dumps(c.office, ensure_ascii=False)} | "
                f"{t('field.incoming', args.lang)} {json.dumps(c.incoming, ensure_ascii=False)}  ({c.by}, {c.at})"
            )
        return 0
    try:
        done = field.resolve(location, args.id, args.keep, args.user)
    except field.FieldError as exc:
        _field_error(exc)
        return 2 if exc.key in ("field.no_conflict", "field.bad_keep", "field.no_user") else 1
    print(t("field.decided_ok", "vi", id=done.id))
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m geo``."""
    p = argparse.ArgumentParser(prog="python -m geo", description="Bản đồ điều hành Đình Lập — Đình Lập operations map")
    sub = p.add_subparsers(dest="cmd", required=True)
    lay = sub.add_parser("layers", help="liệt kê các lớp trong kho / list the layers of a store")
    lay.add_argument("--store", help=f"GeoPackage (mặc định/default: $DINHLAP_STORE or {DEFAULT_STORE.name})")
    lay.add_argument("--json", action="store_true", help="in JSON / print JSON")
    lay.add_argument("--lang", choices=("vi", "en"), default="vi")
    lay.set_defaults(func=_cmd_layers)
    ex = sub.add_parser("export", help="xuất bản đồ hoặc dữ liệu / export a map or data")
    ex.add_argument("out", help="OUT.png|pdf|html|geojson|gpkg|csv|xlsx (CSV of several layers: a .zip)")
    ex.add_argument("--store")
    ex.add_argument("--layers", help="ID,ID,… (default: the view's layers)")
    ex.add_argument("--where", action="append", metavar="FIELD=VALUE", help="filter; repeat for more (same field: any)")
    ex.add_argument("--bbox", metavar="W,S,E,N", help="extent in degrees (WGS 84)")
    ex.add_argument("--view", choices=VIEW_NAMES, help="a built-in view")
    ex.add_argument(
        "--style",
        action="append",
        metavar="NAME",
        help=f"cách tô màu / a named colouring: {', '.join(s.id for s in STYLES)} (criterion:N); default: the view's",
    )
    ex.add_argument("--title")
    ex.add_argument("--lang", choices=("vi", "en"), default="vi")
    ex.add_argument(
        "--codes", action="store_true", help="data: field names and codes (for machines) instead of labels in --lang"
    )
    ex.add_argument("--dpi", type=_bounded_int(50, 600), default=200, help="50–600 (default 200)")
    ex.add_argument("--paper", choices=("A4", "A3"), default="A4")
    ori = ex.add_mutually_exclusive_group()
    ori.add_argument("--landscape", action="store_true", help="khổ ngang / landscape (default: as the extent suits)")
    ori.add_argument("--portrait", action="store_true", help="khổ dọc / portrait (default: as the extent suits)")
    ex.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    ex.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="in ở tỉ lệ 1:N / print at exactly 1:N (e.g. 10000, 25000, 50000), in the VN-2000 plane (PDF, PNG)",
    )
    ex.add_argument("--units", choices=("2024", "2025"), help=UNITS_HELP)
    ex.add_argument("--center", metavar="LON,LAT", help="tâm tờ bản đồ / the sheet's centre at --scale")
    ex.add_argument("--grid", action="store_true", help="lưới km VN-2000 / a VN-2000 km grid, coordinates on the frame")
    ex.add_argument(
        "--tile", action="store_true", help="nhiều tờ / an extent larger than one sheet at --scale: one page per sheet"
    )
    ex.add_argument(
        "--compare", metavar="ISO8601", help="so sánh với thời điểm B / a second date B, side by side (PNG, PDF)"
    )
    ex.set_defaults(func=_cmd_export)
    pk = sub.add_parser("pack", help="bộ tài liệu giao ban / the meeting pack (PDF)")
    pk.add_argument("out", help="OUT.pdf")
    pk.add_argument("--store")
    pk.add_argument("--lang", choices=("vi", "en"), default="vi")
    pk.add_argument("--atlas", action="store_true", help="one page per commune / thêm trang từng xã")
    pk.add_argument("--since", metavar="YYYY-MM-DD", help="add a page of what changed since that day")
    pk.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    pk.add_argument("--units", choices=("2024", "2025"), help=UNITS_HELP)
    pk.set_defaults(func=_cmd_pack)
    at = sub.add_parser("atlas", help="tập bản đồ: mỗi đối tượng được chọn một trang / one page per feature (PDF)")
    at.add_argument("out", help="OUT.pdf")
    at.add_argument("--layer", required=True, help="the layer, e.g. ql4b_segments, land_disputes")
    at.add_argument("--where", action="append", metavar="FIELD=VALUE", help="select; repeat for more (same field: any)")
    at.add_argument("--store")
    at.add_argument("--lang", choices=("vi", "en"), default="vi")
    at.add_argument("--title")
    at.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    at.add_argument("--units", choices=("2024", "2025"), help=UNITS_HELP)
    at.set_defaults(func=_cmd_atlas)
    bk = sub.add_parser("backup", help="sao lưu kho khi đang chạy / online backup of the store")
    bk.add_argument("dst", help="DST.gpkg")
    bk.add_argument("--store")
    bk.set_defaults(func=_cmd_backup)
    rs = sub.add_parser("restore", help="khôi phục kho từ bản sao lưu / restore the store from a backup")
    rs.add_argument("src", help="SRC.gpkg (a backup)")
    rs.add_argument("--store")
    rs.add_argument("--yes", action="store_true", help="yes, replace the store (it is kept beside it)")
    rs.set_defaults(func=_cmd_restore)
    cp = sub.add_parser(
        "copy-store",
        help="chép cả kho giữa GeoPackage và PostGIS / copy a whole store between GeoPackage and PostGIS",
    )
    cp.add_argument("src", help="SRC: a .gpkg file or postgresql://USER@HOST:PORT/DB")
    cp.add_argument("dst", help="DST: a .gpkg file or postgresql://USER@HOST:PORT/DB")
    cp.add_argument("--replace", action="store_true", help="replace a store already at DST")
    cp.set_defaults(func=_cmd_copy_store)
    us = sub.add_parser("users", help="người dùng và vai trò / users and roles")
    us.add_argument("action", choices=("add", "remove", "list", "locked", "unlock", "recovery"))
    us.add_argument("name", nargs="?")
    us.add_argument("--role", choices=("viewer", "planner", "admin"), default="viewer")
    us.add_argument("--file", help="users file (default: $DINHLAP_USERS or instance/users.json)")
    us.add_argument(
        "--oidc",
        action="store_true",
        help="NAME is an e-mail signing in through OpenID Connect (st.login)",
    )
    us.set_defaults(func=_cmd_users)
    ind = sub.add_parser("indicators", help="chỉ tiêu theo kỳ / indicator series (list, --json, import FILE)")
    ind.add_argument("action", nargs="?", choices=("list", "import"), default="list")
    ind.add_argument("file", nargs="?", help="CSV: ind_id, period, value[, target], source[, demo]")
    ind.add_argument("--store")
    ind.add_argument("--user", help="who imports (audited)")
    ind.add_argument("--reason")
    ind.add_argument("--json", action="store_true")
    ind.add_argument("--lang", choices=("vi", "en"), default="vi")
    ind.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    ind.set_defaults(func=_cmd_indicators)
    vw = sub.add_parser("views", help="các khung nhìn đã lưu / saved views")
    vw.add_argument("--store")
    vw.add_argument("--json", action="store_true")
    vw.add_argument("--lang", choices=("vi", "en"), default="vi")
    vw.set_defaults(func=_cmd_views)
    ch = sub.add_parser("changes", help="các lần thay đổi (lưu, nhập tệp) / change sets, newest first")
    ch.add_argument("--store")
    ch.add_argument("--json", action="store_true")
    ch.add_argument("--lang", choices=("vi", "en"), default="vi")
    ch.add_argument("--limit", type=int, default=50)
    ch.set_defaults(func=_cmd_changes)
    ud = sub.add_parser("undo", help="hoàn tác một lần thay đổi / undo one change set (exit 0/1/2)")
    ud.add_argument("change_set", type=int, metavar="CHANGESET_ID", help="its number, from `changes`")
    ud.add_argument("--user", required=True, help="who undoes it (recorded in the change log)")
    ud.add_argument("--store")
    ud.set_defaults(func=_cmd_undo)
    rb = sub.add_parser("rollback", help="hoàn tác mọi thay đổi sau một thời điểm / undo every change after a moment")
    rb.add_argument("--to", required=True, metavar="'DD/MM/YYYY HH:MM'", help="giờ Việt Nam / Vietnam time")
    rb.add_argument("--user", required=True)
    rb.add_argument("--store")
    rb.set_defaults(func=_cmd_rollback)
    nm = sub.add_parser("normalise-empty", help="chuẩn hóa giá trị trống ('' → NULL), có ghi nhật ký / audited")
    nm.add_argument("--user", required=True)
    nm.add_argument("--store")
    nm.set_defaults(func=_cmd_normalise)
    fd = sub.add_parser("find", help="tìm đối tượng theo tên, mã, tờ/thửa / find features (exit 0 found, 1 none)")
    fd.add_argument("text", help="'TC-03', 'dong thang', 'tờ 12 thửa 101', '12/101'")
    fd.add_argument("--layer", help="only this layer")
    fd.add_argument("--store")
    fd.add_argument("--json", action="store_true")
    fd.add_argument("--limit", type=int, default=20)
    fd.add_argument("--viewer", action="store_true", help="search as a viewer (no sensitive fields)")
    fd.add_argument("--lang", choices=("vi", "en"), default="vi")
    fd.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    fd.set_defaults(func=_cmd_find)
    cm = sub.add_parser(
        "comments", help="trao đổi trên đối tượng, nhiệm vụ, chỉ tiêu / threads (add, list, resolve, reopen, edit)"
    )
    cm.add_argument("action", choices=("add", "list", "resolve", "reopen", "edit", "allow-viewers"))
    cm.add_argument("value", nargs="?", help="the comment number (resolve, reopen, edit); on|off (allow-viewers)")
    cm.add_argument("--on", metavar="LAYER:KEY", help="a feature")
    cm.add_argument("--task", metavar="ID", help="a task of the notice (2.6)")
    cm.add_argument("--indicator", metavar="ID", help="an indicator")
    cm.add_argument("--text", help="the comment (text, never markup); @name mentions a user")
    cm.add_argument("--user", help="who writes (audited)")
    cm.add_argument("--reply-to", metavar="ID", help="answer the thread of this comment")
    cm.add_argument("--open", action="store_true", help="list only open threads")
    cm.add_argument("--mine", action="store_true", help="list the threads waiting for --user")
    cm.add_argument("--json", action="store_true")
    cm.add_argument("--store")
    cm.add_argument("--as-of", metavar="ISO8601", help=AS_OF_HELP)
    cm.set_defaults(func=_cmd_comments)
    va = sub.add_parser("validate", help="kiểm tra tệp trước khi nhập / check a file before importing (exit 0/1/2)")
    _import_args(va)
    va.add_argument("--store")
    va.set_defaults(func=_cmd_validate)
    im = sub.add_parser("import", help="nhập tệp vào kho / import a file into the store (exit 0/1/2)")
    _import_args(im)
    im.add_argument("--store")
    im.add_argument("--new-layer", metavar="ID", help="import as a new overlay layer with this id")
    im.add_argument("--title", help="title of the new layer")
    im.add_argument(
        "--key", metavar="COL", help="new layer: the column whose values name a feature (unique, never empty)"
    )
    im.add_argument("--label", action="append", metavar="COL=TEXT", help="new layer: a column's label on the map")
    im.add_argument("--unit", action="append", metavar="COL=UNIT", help="new layer: a column's unit, e.g. DIEN_TICH=ha")
    im.add_argument(
        "--style", choices=("outline", "fill"), default="outline", help="new layer: drawn outlined (default) or filled"
    )
    how = im.add_mutually_exclusive_group()
    how.add_argument("--replace", action="store_true", help="replace the layer's features (every one is removed)")
    how.add_argument("--append", action="store_true", help="add to the layer's features (default)")
    how.add_argument(
        "--update", action="store_true", help="match on the layer's key: change what differs, add new keys"
    )
    im.add_argument("--delete-missing", action="store_true", help="with --update: remove keys absent from the file")
    im.add_argument("--user", help="who imports (recorded in the change log)")
    im.add_argument(
        "--no-tiles",
        action="store_true",
        help="a big layer of a GeoPackage: do not build its map tiles now (the app builds them, more slowly;"
        " run as the app's user, with its DINHLAP_TILE_* settings, for the app to use them)",
    )
    im.set_defaults(func=_cmd_import)
    pb = sub.add_parser("publish", help="công bố lớp của chuyên viên / publish a planner's layer to everyone")
    pb.add_argument("layer", help="the layer's id")
    pb.add_argument("--withdraw", action="store_true", help="stop showing it by default to everyone")
    pb.add_argument("--store")
    pb.add_argument("--user", help="who publishes (recorded in the change log)")
    pb.add_argument("--lang", choices=("vi", "en"), default="vi")
    pb.set_defaults(func=_cmd_publish)
    fd = sub.add_parser("field", help="gói công tác thực địa cho QField/QGIS / field packages for QField/QGIS")
    fsub = fd.add_subparsers(dest="field_cmd", required=True)
    fp = fsub.add_parser("pack", help="lập gói / make a package (zip)")
    fp.add_argument("out", help="OUT.zip")
    fp.add_argument("--layers", required=True, help="L1,L2 (e.g. forest_parcels,land_disputes)")
    fp.add_argument("--where", action="append", metavar="FIELD=VALUE", help="keep the features with this value")
    fp.add_argument("--unit", help="a commune's code (unit_code, or a 2025 commune's code)")
    fp.add_argument("--bbox", help="W,S,E,N (WGS 84)")
    fp.add_argument("--json", action="store_true")
    fm = fsub.add_parser("merge", help="hợp nhất gói đã về / merge a returned package (exit 0/1/2)")
    fm.add_argument("package", help="IN.zip")
    fm.add_argument("--user", required=True, help="the field team or officer, as the audit names them")
    fm.add_argument("--json", action="store_true", help='print {"applied", "added", "deleted", "conflicts"}')
    fc = fsub.add_parser("conflicts", help="xung đột chờ quyết định / held conflicts")
    fc.add_argument("--json", action="store_true")
    fc.add_argument("--lang", choices=("vi", "en"), default="vi")
    fr = fsub.add_parser("resolve", help="quyết định một xung đột / settle one conflict")
    fr.add_argument("id", type=int)
    fr.add_argument("--keep", required=True, choices=("office", "incoming"))
    fr.add_argument("--user", required=True)
    fs = fsub.add_parser("styles", help="ghi lại kiểu hiển thị QGIS vào kho / rewrite the store's QGIS styles")
    for sp in (fp, fm, fc, fr, fs):
        sp.add_argument("--store", help="GeoPackage or postgresql:// (default: $DINHLAP_STORE or the demo store)")
    fd.set_defaults(func=_cmd_field)
    ed = sub.add_parser(
        "edit",
        help="thêm, sửa, xóa, tách, hợp đối tượng (có ghi vết) / add, reshape, delete, split or merge a feature, "
        "audited (exit 0 saved, 1 refused, 2 bad arguments)",
    )
    ed.add_argument("layer", help="mã lớp / layer id")
    ed.add_argument("key", nargs="?", help="mã đối tượng / the feature's key")
    ed.add_argument("--add", action="store_true", help="thêm đối tượng mới / add a new feature")
    ed.add_argument("--delete", action="store_true", help="xóa đối tượng / remove the feature")
    ed.add_argument("--set", action="append", metavar="FIELD=VALUE", help="giá trị mới / a new value (repeatable)")
    ed.add_argument(
        "--geometry", metavar="WKT|GEOJSON|COORDS", help="hình mới: WKT, GeoJSON hoặc tọa độ / the new shape"
    )
    ed.add_argument(
        "--crs", metavar="EPSG:N", help="hệ tọa độ của hình (mặc định: độ → WGS 84, mét → EPSG:9215) / the shape's CRS"
    )
    ed.add_argument(
        "--expect",
        action="append",
        metavar="FIELD=VALUE",
        help="giá trị bạn đã thấy / the value you saw (conflict check)",
    )
    ed.add_argument("--split", metavar="LINE", help="tách thửa theo đường / split the polygon along a line")
    ed.add_argument(
        "--merge", action="append", metavar="KEY2", help="hợp với thửa / merge this polygon in (repeatable)"
    )
    ed.add_argument("--user", help="người sửa (ghi vết) / who edits (audited)")
    ed.add_argument("--reason", help="lý do, căn cứ / reason or source")
    ed.add_argument("--store")
    ed.add_argument("--lang", choices=("vi", "en"), default="vi")
    ed.set_defaults(func=_cmd_edit)
    bd = sub.add_parser("build-demo", help="dựng kho dữ liệu minh họa / build the demo store")
    bd.add_argument("--out", default=str(DEFAULT_STORE), help="output .gpkg")
    bd.set_defaults(func=_cmd_build_demo)
    return p


def _bounded_int(lo: int, hi: int) -> Any:
    """An argparse type: an integer from ``lo`` to ``hi`` (else argparse's own message and exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"không phải số nguyên / not an integer: {text[:20]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value}: cần từ {lo} đến {hi} / must be from {lo} to {hi}")
        return value

    return parse


#: The longest text each free-text option takes (characters): a title as the app's form takes it, a reason
#: or source as a change log's line, a user name as the users file's; a longer one is refused with exit 2.
TEXT_LIMITS = {"title": 120, "reason": 500, "user": 64, "label": 200, "unit": 60, "new_layer": 40, "text": 2000}


def _too_long(args: argparse.Namespace) -> list[str]:
    """The messages for free-text options longer than their limit (:data:`TEXT_LIMITS`), Vietnamese then English."""
    for name, limit in TEXT_LIMITS.items():
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > limit:
                option = "--" + name.replace("_", "-")
                return [
                    t(
                        "error.too_long",
                        lang,
                        option=option,
                        n=fmt_number(len(item), lang),
                        limit=fmt_number(limit, lang),
                    )
                    for lang in ("vi", "en")
                ]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Every expected failure (a store that cannot be opened, a file missing or unreadable, a value out of
    range, input too large) is said in Vietnamese and English with exit code 2, never as a traceback,
    and no message shows a store's password, whatever is wrong with its address (:func:`_scrub`).
    """
    args = parser().parse_args(argv)
    said = list(sys.argv[1:] if argv is None else argv)
    refused = _too_long(args)
    if refused:
        print("\n".join(refused), file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except Exception as exc:
        for line in _failure(exc):
            print(_scrub(line, said), file=sys.stderr)
        if os.environ.get("DINHLAP_DEBUG"):
            raise
        return 2


def _failure(exc: BaseException) -> list[str]:
    """What to tell the user about ``exc``: Vietnamese, then English."""
    import csv
    import sqlite3

    message = getattr(exc, "message", None)
    if callable(message):  # StoreError, EditError, an importer's refusal: said in both languages
        return [str(message("vi")), str(message("en"))]
    if isinstance(exc, db.BadAddress):
        why = {"reason_vi": exc.reason["vi"], "reason_en": exc.reason["en"]}
        return [t("error.store_address", lang, path=exc.label, **why) for lang in ("vi", "en")]
    if isinstance(exc, db.StoreLoginRefused):
        return [t("error.store_login", lang, path=exc.label) for lang in ("vi", "en")]
    if isinstance(exc, db.StoreDown):
        return [t("error.store_down", lang, reason=str(exc)[:200]) for lang in ("vi", "en")]
    if isinstance(exc, BackupError):
        return [f"Sao lưu/khôi phục không được / backup or restore failed: {exc}"]
    if isinstance(exc, TransferError):
        return [f"Chép kho không được / copying the store failed: {exc}"]
    name = getattr(exc, "filename", None) or ""
    if isinstance(exc, IsADirectoryError):
        return [f"'{name}' là một thư mục, cần một tệp / '{name}' is a folder: a file is needed"]
    if isinstance(exc, FileNotFoundError):
        return [f"Không tìm thấy tệp '{name}' / file not found: '{name}'"]
    if isinstance(exc, PermissionError):
        return [f"Không có quyền đọc/ghi '{name}' / no permission to read or write '{name}'"]
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        return [f"Không đọc/ghi được '{name}' / cannot read or write '{name}': {what}"[:400]]
    if isinstance(exc, sqlite3.Error):
        return [f"Không mở được tệp kho (GeoPackage) / cannot open the GeoPackage: {str(exc)[:200]}"]
    if isinstance(exc, csv.Error):
        return [f"Tệp CSV không đọc được (dòng quá dài hoặc sai dạng) / unreadable CSV (a line too long or malformed): "
                f"{str(exc)[:200]}"]  # fmt: skip
    if isinstance(exc, (MemoryError, OverflowError)):
        return [f"Giá trị quá lớn hoặc ngoài khoảng cho phép / a value too large or out of range: {type(exc).__name__} "
                f"{str(exc)[:200]}"]  # fmt: skip
    if isinstance(exc, (ValueError, UnicodeError)):
        return [f"Lỗi tham số / bad argument: {str(exc)[:400]}"]
    return [f"Lỗi không mong đợi / unexpected error ({type(exc).__name__}): {str(exc)[:300]} "
            "(DINHLAP_DEBUG=1: the traceback)"]  # fmt: skip


def _scrub(text: str, said: Sequence[str]) -> str:
    """``text`` with every argument that looks like a store address (and each piece of it a message may
    quote: the file name a malformed address becomes) replaced by its label (:func:`geo.store.db.label`).
    """
    for value in said:
        if not db.looks_like_address(value):
            continue
        shown = db.label(value)
        pieces = {value, value.strip(), str(Path(value)), Path(value).name, *Path(value).parts}
        for piece in sorted((p for p in pieces if len(p) > 3 and p not in shown), key=len, reverse=True):
            text = text.replace(piece, shown)
    return text
