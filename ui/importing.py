"""The "Dữ liệu" page's import and rollback panels (planners import, admins roll back).

A planner uploads a file, picks the layer it goes into (or names a new overlay),
the file's coordinate system and text encoding when they are not detected,
maps its columns to the catalog's fields, sees the validation report, the
decoded names and where the features land, and only then imports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo.importer import FORMATS, VN2000_ZONES, Report, validate, vnenc
from geo.model.catalog import CATALOG, OVERLAY_COLORS, overlay_spec
from geo.model.i18n import Lang, fmt_date, fmt_datetime, fmt_number, t
from geo.model.safe import html_text, md_text
from geo.read.records import change_text
from geo.store.changelog import AuditRow, ChangeSet, EditError, change_sets, changes_since, log_time, reason_text
from geo.store.edit import rollback_to, undo_change_set
from geo.store.ingest import apply, preview, publish, remembered_mapping, remembered_values
from geo.webmap.mapview import MapData
from ui import data, notice, press, state
from ui.auth import current_user
from ui.mapwidget import map_view
from ui.press import GONE

PAGE = "du-lieu"
PREVIEW_LAYER = "import_preview"
_UPLOAD_DIR = Path(tempfile.gettempdir()) / "dinhlap-uploads"


def _saved_upload(upload: Any) -> Path:
    """The upload as a file of its own (named by its hash, keeping a safe version of its name)."""
    body = upload.getvalue()
    digest = hashlib.sha256(body).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.name).name)[-80:] or "upload"
    folder = _UPLOAD_DIR / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_bytes(body)
    return path


def _html_table(rows: list[dict[str, Any]], cls: str = "dl-changes") -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html_text(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text('' if v is None else str(v))}</td>" for v in r.values()) + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><tr>{head}</tr>{body}</table>'


# On this page a value is mapped in the table above the report, not with the command line's --values.
_WEB = {
    "import.unmapped_value": "import.unmapped_value_web",
    "import.unmapped_value_no_hint": "import.unmapped_value_no_hint_web",
}


def _report_view(report: Report, lang: Lang) -> None:
    """The validation report: what was found, each problem by row and field, the decoded names."""
    if report.refused:
        notice.error(report.refused, lang)
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("import.m_features", lang), fmt_number(report.features, lang))
    c2.metric(t("import.m_geometry", lang), ", ".join(report.geometry_types) or "–")
    c3.metric(t("import.m_encoding", lang), vnenc.LABELS.get(report.encoding or "", "–"))
    c4.metric(t("import.m_format", lang), report.fmt)
    st.caption(t("import.r_crs", lang, value=report.crs_label or "–"))
    for note in report.notes:
        st.info(t(note, lang), icon=":material/info:")
    if report.problems:
        rows = [
            {
                t("import.col_kind", lang): t("import.error" if p.severity == "error" else "import.warning", lang),
                t("import.col_row", lang): p.row or "",
                t("import.col_field", lang): p.field or "",
                t("import.col_message", lang): t(_WEB.get(p.key, p.key), lang, **dict(p.kwargs)),
            }
            for p in report.problems[:200]
        ]
        st.markdown(f"**{t('import.problems', lang, n=len(report.problems))}**")
        st.html(_html_table(rows))
    if report.preview:
        st.markdown(f"**{t('import.preview', lang)}**")
        st.html(_html_table(report.preview, "dl-changes dl-import-preview"))


def _preview_map(report: Report, layer: str | None, lang: Lang) -> None:
    """Where the file's features land, over the district, before anything is stored.

    The preview exists only on this page: its frames go to the map whole, with a catalog of this
    session's own (the store's and the preview layer), at no store version, so nothing is read back
    from the store by id and nothing another session sees changes.
    """
    if report.frame is None or not len(report.frame):
        return
    frame = report.frame
    catalog = data.catalog()
    if layer and layer in catalog:
        lid = layer
    else:
        labels = frame.attrs.get("labels", {})
        fields = [(c, labels.get(c, c), "str") for c in frame.columns if c != "geometry"]
        geom = (report.geometry_types or ["Polygon"])[0].replace("Multi", "")
        catalog = catalog.with_layers(
            overlay_spec(PREVIEW_LAYER, t("import.preview_layer", lang), "", geom, fields, OVERLAY_COLORS[0])
        )
        lid = PREVIEW_LAYER
        frame = frame.assign(feature_no=[str(i + 1) for i in range(len(frame))])
    st.markdown(f"**{t('import.preview_map', lang)}**")
    frames = {"district": data.layer("district"), lid: frame}
    map_view(PAGE, ["district", lid], MapData(frames, catalog, frames, None), height=420, alone=False)


def _values_editor(report: Report, layer: str, lang: Lang, file_key: str) -> dict[str, dict[str, str | None]]:
    """For each coded column: its distinct values, their rows, and the class each lands in (the store's
    memory of this layer's files, else a suggestion), editable. Returns what differs from what the
    validation applied (field → file value → code, or None for a value the planner left unmapped): the
    suggestions the planner let stand and every cell they changed.
    """
    spec = data.catalog()[layer]
    unmapped = t("import.values_none", lang)
    out: dict[str, dict[str, str | None]] = {}
    fields = list(dict.fromkeys(r.field for r in report.values))
    if not fields:
        return out
    st.markdown(f"**{md_text(t('import.values', lang))}**")
    st.caption(t("import.values_help", lang))
    for name in fields:
        codes = spec.codes(name)
        label = {s.value: f"{s.label(lang)} ({s.value})" for s in codes}
        rows = [r for r in report.values if r.field == name]
        table = pd.DataFrame(
            {
                "value": [r.value for r in rows],
                "rows": [r.rows for r in rows],
                "code": [label.get(r.code or "", unmapped) for r in rows],
                "how": [
                    t("import.values_chosen" if r.chosen or r.score >= 1 else "import.values_suggested", lang)
                    if r.code
                    else ""
                    for r in rows
                ],
            }
        )
        edited = st.data_editor(
            table,
            key=f"imp_values_{file_key}_{layer}_{name}",
            hide_index=True,
            width="stretch",
            disabled=["value", "rows", "how"],
            column_config={
                "value": st.column_config.TextColumn(t("import.values_file", lang, column=rows[0].column)),
                "rows": st.column_config.NumberColumn(t("import.values_rows", lang)),
                "code": st.column_config.SelectboxColumn(
                    spec.field(name).label(lang), options=[unmapped, *label.values()], required=True
                ),
                "how": st.column_config.TextColumn(t("import.values_how", lang)),
            },
        )
        back = {v: k for k, v in label.items()}
        applied = {r.value: r.code if (r.chosen or r.score >= 1) else None for r in rows}  # what validation did
        changes = {str(v): back.get(c) for v, c in zip(edited["value"], edited["code"], strict=True)}
        out[name] = {v: c for v, c in changes.items() if c != applied.get(v)}
    return {name: m for name, m in out.items() if m}


def _mapping_editor(report: Report, layer: str, lang: Lang, file_key: str) -> dict[str, str]:
    """One select per catalog field: which of the file's columns fills it (widgets of this file's own, so a
    second file never inherits the first one's columns).
    """
    spec = data.catalog()[layer]
    by_field = {v: k for k, v in report.mapping.items()}
    none = "—"
    out: dict[str, str] = {}
    st.markdown(f"**{md_text(t('import.mapping', lang))}**")
    cols = st.columns(3)
    for i, f in enumerate(x for x in spec.fields if not x.derived):
        options = [none, *report.columns]
        current = by_field.get(f.name, none)
        label = f.label(lang) + (" *" if f.required else "")
        chosen = cols[i % 3].selectbox(
            label,
            options,
            index=options.index(current) if current in options else 0,
            key=f"imp_map_{file_key}_{layer}_{f.name}",
            placeholder=t("choose", lang),
        )
        if chosen != none:
            out[chosen] = f.name
    return out


NewLayer = tuple[str | None, dict[str, str], dict[str, str], str]  # key, labels, units, style


def _new_layer_editor(report: Report, lang: Lang, file_key: str) -> NewLayer:
    """For a new layer: the key column (only those that qualify are offered), each column's label and unit
    as the map and the record will show them, and how it is drawn. Returns (key, labels, units, style),
    columns by the file's own names.
    """
    stored = report.labels  # stored name → the file's name (the default label)
    files = {v: k for k, v in stored.items()}
    options = ["", *(stored.get(c, c) for c in report.key_candidates)]
    c1, c2 = st.columns(2)
    key = c1.selectbox(
        t("import.key", lang),
        options,
        key=f"imp_key_{file_key}",
        format_func=lambda c: c or t("import.key_none", lang),
        help=t("import.key_help", lang),
    )
    style = c2.radio(
        t("import.style", lang),
        ["outline", "fill"],
        key=f"imp_style_{file_key}",
        horizontal=True,
        format_func=lambda v: t(f"import.style_{v}", lang),
    )
    st.markdown(f"**{md_text(t('import.columns', lang))}**")
    names = [c for c in report.columns if c in files]
    table = pd.DataFrame(
        {
            "column": names,
            "label": [report.labels.get(files[c], c) for c in names],
            "unit": [report.field_units.get(files[c], "") for c in names],
        }
    )
    edited = st.data_editor(
        table,
        key=f"imp_cols_{file_key}",
        hide_index=True,
        width="stretch",
        disabled=["column"],
        column_config={
            "column": st.column_config.TextColumn(t("import.col_name", lang)),
            "label": st.column_config.TextColumn(t("import.col_label", lang), max_chars=120),
            "unit": st.column_config.TextColumn(t("import.col_unit", lang), max_chars=20),
        },
    )
    labels = {str(c): str(v or "") for c, v in zip(edited["column"], edited["label"], strict=True) if v and v != c}
    units = {str(c): str(v or "") for c, v in zip(edited["column"], edited["unit"], strict=True) if v}
    return key or None, labels, units, style


def _own_layers(lang: Lang, user: str) -> None:
    """Planners' layers: whether each is published (on by default for everyone), and the switch (audited)."""
    store = data.store()
    if not store.overlays:
        return
    st.markdown(f"**{md_text(t('import.own_layers', lang))}**")
    for lid in store.overlays:
        spec = store.catalog[lid]
        c1, c2 = st.columns([3, 1])
        shown = "import.published" if spec.default_visible else "import.unpublished"
        c1.caption(t(shown, lang, layer=spec.title(lang)))
        label = t("import.unpublish" if spec.default_visible else "import.publish", lang)
        with c2:
            pressed = press.button(label, key=f"imp_pub_{lid}", about=spec.default_visible)
        if pressed:
            try:
                publish(store.location, lid, user, not spec.default_visible)
            except EditError as exc:
                notice.error(exc, lang, both=False)
                return
            now = "import.unpublished" if spec.default_visible else "import.published"
            pressed.then(imp_flash=t(now, lang, layer=spec.title(lang)))


def import_panel() -> None:
    """Upload, check and import a file (planners and admins)."""
    lang = state.lang()
    user = current_user()
    if not user or not user.can_edit or data.as_of_day() is not None:
        st.caption(t("import.sign_in", lang))
        return
    st.header(t("import.title", lang))
    msg = st.session_state.pop("imp_flash", None)  # what the last import did, where the planner is looking
    if msg:
        notice.success(msg)
        st.page_link("pages/overview.py", label=t("import.see_map", lang), icon=":material/map:")
    st.caption(t("import.intro", lang))
    _own_layers(lang, user.name)
    upload = st.file_uploader(
        t("import.file", lang),
        type=[s.lstrip(".") for s in FORMATS],
        key="imp_file",
    )
    store = data.store()
    catalog = store.catalog
    spatial = sorted(
        (s.id for s in CATALOG.values() if s.is_spatial and s.theme != "overlay"),
        key=lambda lid: CATALOG[lid].theme == "base",  # thematic layers first: what offices deliver most
    )
    spatial = [*store.overlays, *spatial]  # a planner's own layers take their next file too
    c1, c2, c3 = st.columns(3)
    target = c1.radio(
        t("import.target", lang),
        ["layer", "new"],
        key="imp_target",
        format_func=lambda v: t(f"import.target_{v}", lang),
    )
    crs_options = ["", "EPSG:4326", *VN2000_ZONES]
    crs = c2.selectbox(
        t("import.crs", lang),
        crs_options,
        key="imp_crs",
        format_func=lambda c: t("import.crs_file", lang) if not c else f"{c} — {VN2000_ZONES.get(c, 'WGS 84')}",
    )
    encoding = c3.selectbox(
        t("import.encoding", lang),
        ["", *vnenc.ENCODINGS],
        key="imp_enc",
        format_func=lambda e: t("import.enc_auto", lang) if not e else vnenc.LABELS[e],
    )
    layer: str | None = None
    new_id = title = ""
    if target == "layer":
        layer = st.selectbox(
            t("import.layer", lang), spatial, key="imp_layer", format_func=lambda lid: catalog[lid].title(lang)
        )
    else:
        n1, n2 = st.columns(2)
        new_id = n1.text_input(t("import.new_id", lang), key="imp_new_id", max_chars=40)
        title = n2.text_input(t("import.new_title", lang), key="imp_new_title", max_chars=120)
    if upload is None:
        return
    path = _saved_upload(upload)
    file_key = path.parent.name  # the upload's content hash: each file its own mapping widgets
    remembered = remembered_mapping(store.location, layer) if layer else None
    known = remembered_values(store.location, layer) if layer else {}
    described: tuple[str | None, dict[str, str], dict[str, str]] = (None, {}, {})

    def check(mapping: dict[str, str] | None, values: dict[str, dict[str, str]] | None = None) -> Report:
        key, labels, units = described
        report = validate(
            path,
            layer=layer,
            crs=crs or None,
            encoding=encoding or None,
            mapping=mapping,
            units=data.layer("units"),
            remembered=remembered,
            new_layer=target == "new",
            catalog=catalog,
            values=known if values is None else values,
            key=key,
            labels=labels,
            field_units=units,
            communes=data.layer("communes_2025") if store.has("communes_2025") else None,
        )
        report.source = Path(upload.name).name  # the planner's name for the file, in the log and the layer's source
        return report

    report = check(None)
    style = "outline"
    if target == "new" and not report.refused:
        key, labels, units, style = _new_layer_editor(report, lang, file_key)
        described = (key, labels, units)
        if key or labels or units:
            report = check(None)
    if layer and not report.refused:
        chosen = _mapping_editor(report, layer, lang, file_key)  # starts from what was used last time, or guessed
        if chosen != report.mapping:
            report = check(chosen)
        changes = _values_editor(report, layer, lang, file_key)  # the file's wording of each class
        if changes:  # validated again only when the planner's table says more than the first pass applied
            values = {f: dict(m) for f, m in known.items()}
            for f, m in changes.items():
                for v, c in m.items():
                    if c is None:
                        values.get(f, {}).pop(v, None)
                    else:
                        values.setdefault(f, {})[v] = c
            report = check(chosen, values)
    _report_view(report, lang)
    if report.refused:
        return
    _preview_map(report, layer, lang)
    mode = "append"  # a new layer: created with the file's features
    delete_missing = False
    confirmed = True
    if layer:
        # Into a layer that has data: add to it, update it by its key, or replace it; each says beforehand what
        # it will do, and replacing asks to confirm how many features it removes.
        mode = st.radio(
            t("import.mode", lang),
            ["append", "update", "replace"],
            horizontal=True,
            key="imp_mode",
            format_func=lambda m: t(f"import.mode_{m}", lang),
        )
        if mode == "update":
            delete_missing = st.checkbox(t("import.delete_missing", lang), key="imp_delete_missing")
        if report.exit_code == 0:
            try:
                seen = preview(store.location, report, layer, mode, delete_missing)  # type: ignore[arg-type]
            except EditError as exc:
                notice.warning(exc, lang)
                confirmed = False
            else:
                if mode == "update":
                    st.info(
                        t(
                            "import.preview_update",
                            lang,
                            added=fmt_number(seen.added, lang),
                            changed=fmt_number(seen.changed_features, lang),
                            by_field=seen.by_field(lang, catalog[layer]) or "–",
                            removed=fmt_number(seen.removed, lang),
                            same=fmt_number(seen.unchanged, lang),
                        ),
                        icon=":material/difference:",
                    )
                if (mode == "replace" or delete_missing) and seen.removed:
                    n = fmt_number(seen.removed, lang)
                    st.warning(t("import.replace_warn", lang, n=n, layer=md_text(catalog[layer].title(lang))))
                    confirmed = st.checkbox(t("import.replace_confirm", lang, n=n), key="imp_replace_ok")
    ok = report.exit_code == 0 and (layer or (new_id and title)) and confirmed
    if report.exit_code != 0:
        st.warning(t("import.blocked", lang))
    go = press.button(
        t("import.go", lang),
        key="imp_go",
        about=(file_key, layer, new_id, mode, delete_missing),
        type="primary",
        disabled=not ok,
    )
    if go:
        try:
            outcome = apply(
                store.location,
                report,
                user.name,
                layer=layer,
                new_layer=new_id or None if target == "new" else None,
                title=title or None,
                mode=mode,  # type: ignore[arg-type]
                delete_missing=delete_missing,
                style=style,
            )
        except EditError as exc:
            notice.error(exc, lang)
            return
        # Stored: the file put away and the outcome said by the next run (ui.press); a run cut short from here
        # must not leave the file ready to be imported twice. (A new layer is named by the title given.)
        go.then(imp_flash=outcome.message(lang, catalog.get(outcome.layer), title or None), imp_file=GONE)


def flash() -> None:
    """Kept for the page's call: the import's message is now shown in the import panel itself, beside the
    file the planner just imported (:func:`import_panel`).
    """


def rollback_panel() -> None:
    """For admins: undo every change made after a moment, or one change set (one save, one import); both
    recorded in the change log. Every time typed or shown is Vietnam time, and the page says so.
    """
    from zoneinfo import ZoneInfo

    from geo.model.i18n import VIETNAM_TZ

    lang = state.lang()
    user = current_user()
    if not user or user.role != "admin":
        return
    vn = ZoneInfo(VIETNAM_TZ)
    log = data.catalog()["audit_log"]  # the change log's own labels
    location = data.store().location
    st.header(t("rollback.title", lang))
    done = st.session_state.pop("rb_done", None)  # set by the run after a rollback or an undo (ui.press)
    if done:
        st.success(done)
    st.caption(t("rollback.intro", lang))
    st.info(t("rollback.tz", lang), icon=":material/schedule:")
    c1, c2 = st.columns(2)
    today = dt.datetime.now(vn).date()
    day = c1.date_input(
        t("rollback.day", lang), today, key="rb_day", format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
    )
    at = c2.time_input(t("rollback.time", lang) + " (UTC+7)", dt.time(0, 0), key="rb_time", step=300)
    moment = log_time(dt.datetime.combine(day, at, tzinfo=vn))  # typed in Vietnam time, stored in UTC
    later = changes_since(location, moment)
    st.markdown(t("rollback.count", lang, n=fmt_number(len(later), lang), when=f"{fmt_date(day, lang)} {at:%H:%M}"))
    if later:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        log.field("ts").label(lang): fmt_datetime(r.ts, lang),
                        log.field("user").label(lang): r.user,
                        log.field("layer").label(lang): r.layer,
                        log.field("feature").label(lang): r.feature,
                        t("rollback.kind", lang): _change_line(r, lang),
                        log.field("reason").label(lang): reason_text(r.reason, lang),
                    }
                    for r in later[-200:]
                ]
            ),
            hide_index=True,
        )
    confirm = st.checkbox(t("rollback.confirm", lang), key="rb_confirm")
    go = press.button(t("rollback.go", lang), key="rb_go", about=moment, disabled=not (later and confirm))
    if go:
        n = rollback_to(location, moment, user.name)
        go.then(rb_done=t("rollback.done", lang, n=fmt_number(n, lang)), rb_confirm=False)  # asked again next time
    undo_panel(user.name, lang)


def _change_line(r: AuditRow, lang: Lang) -> str:
    """One change as people read it: what, its old and new value (a removed row reads as removed)."""
    what, old, new = change_text(data.catalog().get(r.layer), r.field, r.old, r.new, lang)
    return f"{what}: {old} → {new}"


def change_set_text(c: ChangeSet, lang: Lang) -> str:
    """One change set as the admin picks it: its number, when (Vietnam time), who, what, why."""
    what = t(
        "undo.what",
        lang,
        fields=fmt_number(c.fields, lang),
        added=fmt_number(c.added, lang),
        removed=fmt_number(c.removed, lang),
    )
    text = t("undo.summary", lang, id=c.id, when=fmt_datetime(c.ts, lang), user=c.user, what=what)
    why = reason_text(c.reason, lang)
    return f"{text} · {', '.join(c.layers)}" + (f" · {why}" if why else "")


def undo_panel(user: str, lang: Lang) -> None:
    """For admins: undo one change set; refused, with the reason, if a later change touched the same values."""
    st.subheader(t("undo.title", lang))
    st.caption(t("undo.intro", lang))
    sets = change_sets(data.store().location, limit=100)
    if not sets:
        return
    by_id = {c.id: c for c in sets}
    picked = st.selectbox(
        t("undo.pick", lang), list(by_id), key="undo_pick", format_func=lambda i: change_set_text(by_id[i], lang)
    )
    where = data.store().location  # read before the write (ui.press)
    go = press.button(t("undo.go", lang), key="undo_go", about=picked, disabled=picked is None)
    if go:
        try:
            n = undo_change_set(where, int(picked), user)
        except EditError as exc:
            notice.error(exc, lang)
            return
        go.then(rb_done=t("undo.done", lang, id=picked, n=fmt_number(n, lang)))
