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

from geo import vnenc
from geo.catalog import CATALOG, OVERLAY_COLORS, overlay_spec
from geo.edit import EditError, changes_since, rollback_to
from geo.i18n import Lang, fmt_date, fmt_datetime, fmt_number, t
from geo.importer import FORMATS, VN2000_ZONES, Report, validate
from geo.ingest import commit, remembered_mapping, remembered_values
from geo.mapview import MapData
from geo.safe import html_text, md_text
from ui import data, state
from ui.auth import current_user
from ui.mapwidget import map_view

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


def _report_view(report: Report, lang: Lang) -> None:
    """The validation report: what was found, each problem by row and field, the decoded names."""
    if report.refused:
        st.error(report.refused.message(lang))
        st.caption(report.refused.message("en" if lang == "vi" else "vi"))
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
                t("import.col_message", lang): t(p.key, lang, **dict(p.kwargs)),
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
    map_view(PAGE, ["district", lid], MapData(frames, catalog, frames, None), height=420)


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
        )
        if chosen != none:
            out[chosen] = f.name
    return out


def import_panel() -> None:
    """Upload, check and import a file (planners and admins)."""
    lang = state.lang()
    user = current_user()
    if not user or not user.can_edit or data.as_of_day() is not None:
        st.caption(t("import.sign_in", lang))
        return
    st.header(t("import.title", lang))
    st.caption(t("import.intro", lang))
    upload = st.file_uploader(
        t("import.file", lang),
        type=[s.lstrip(".") for s in FORMATS],
        key="imp_file",
    )
    spatial = sorted(
        (s.id for s in CATALOG.values() if s.is_spatial and s.theme != "overlay"),
        key=lambda lid: CATALOG[lid].theme == "base",  # thematic layers first: what offices deliver most
    )
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
            t("import.layer", lang), spatial, key="imp_layer", format_func=lambda lid: CATALOG[lid].title(lang)
        )
    else:
        n1, n2 = st.columns(2)
        new_id = n1.text_input(t("import.new_id", lang), key="imp_new_id", max_chars=40)
        title = n2.text_input(t("import.new_title", lang), key="imp_new_title", max_chars=120)
    if upload is None:
        return
    path = _saved_upload(upload)
    file_key = path.parent.name  # the upload's content hash: each file its own mapping widgets
    store = data.store()
    remembered = remembered_mapping(store.location, layer) if layer else None
    known = remembered_values(store.location, layer) if layer else {}

    def check(mapping: dict[str, str] | None, values: dict[str, dict[str, str]] | None = None) -> Report:
        report = validate(
            path,
            layer=layer,
            crs=crs or None,
            encoding=encoding or None,
            mapping=mapping,
            units=data.layer("units"),
            remembered=remembered,
            new_layer=target == "new",
            catalog=store.catalog,
            values=known if values is None else values,
        )
        report.source = Path(upload.name).name  # the planner's name for the file, in the log and the layer's source
        return report

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
    mode = "replace"  # a new layer: there is nothing to replace
    confirmed = True
    if layer:
        # Into a layer that has data: add to it, unless the planner says to replace it and confirms how many
        # features that removes.
        mode = st.radio(
            t("import.mode", lang),
            ["append", "replace"],
            horizontal=True,
            key="imp_mode",
            format_func=lambda m: t(f"import.mode_{m}", lang),
        )
        existing = len(store.read(layer)) if store.has(layer) else 0
        if mode == "replace" and existing:
            n = fmt_number(existing, lang)
            st.warning(t("import.replace_warn", lang, n=n, layer=md_text(store.catalog[layer].title(lang))))
            confirmed = st.checkbox(t("import.replace_confirm", lang, n=n), key="imp_replace_ok")
    ok = report.exit_code == 0 and (layer or (new_id and title)) and confirmed
    if report.exit_code != 0:
        st.warning(t("import.blocked", lang))
    if st.button(t("import.go", lang), type="primary", disabled=not ok, key="imp_go"):
        try:
            n = commit(
                store.location,
                report,
                user.name,
                layer=layer,
                new_layer=new_id or None if target == "new" else None,
                title=title or None,
                mode=mode,  # type: ignore[arg-type]
            )
        except EditError as exc:
            st.error(exc.message(lang))
            st.caption(exc.message("en" if lang == "vi" else "vi"))
            return
        done = t("import.done", lang, n=n, layer=new_id or layer, mode=t(f"import.mode_{mode}", lang))
        st.session_state["imp_flash"] = done
        st.session_state.pop("imp_file", None)
        st.rerun()


def flash() -> None:
    """The message of the import just made (after the rerun that reopens the store)."""
    lang = state.lang()
    msg = st.session_state.pop("imp_flash", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")
        st.page_link("pages/overview.py", label=t("import.see_map", lang), icon=":material/map:")


def rollback_panel() -> None:
    """For admins: undo every change made after a moment (itself recorded in the change log)."""
    lang = state.lang()
    user = current_user()
    if not user or user.role != "admin":
        return
    st.header(t("rollback.title", lang))
    st.caption(t("rollback.intro", lang))
    c1, c2 = st.columns(2)
    day = c1.date_input(
        t("rollback.day", lang), dt.date.today(), key="rb_day", format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
    )
    at = c2.time_input(t("rollback.time", lang), dt.time(0, 0), key="rb_time", step=300)
    local = dt.datetime.combine(day, at).astimezone()
    moment = local.astimezone(dt.UTC).isoformat(timespec="microseconds")
    later = changes_since(data.store().location, moment)
    log = data.catalog()["audit_log"]  # the change log's own labels
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
                        log.field("field").label(lang): r.field,
                    }
                    for r in later[-200:]
                ]
            ),
            hide_index=True,
        )
    confirm = st.checkbox(t("rollback.confirm", lang), key="rb_confirm")
    if st.button(t("rollback.go", lang), disabled=not (later and confirm), key="rb_go"):
        n = rollback_to(data.store().location, moment, user.name)
        data.wrote()
        st.success(t("rollback.done", lang, n=fmt_number(n, lang)))
