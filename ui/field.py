"""The Dữ liệu page's "Gói công tác thực địa": make a field package, merge a returned one, decide conflicts;
and the field photos of a feature in its record panel.

The engine (:mod:`geo.field.packages`) does the work; this draws its forms. Values are shown as text, never markup.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from geo.field import packages as field
from geo.model.catalog import CATALOG
from geo.model.i18n import Lang, UserError, fmt_datetime, fmt_number, t
from geo.model.safe import md_text
from geo.read.records import change_text
from ui import data, notice, press, state
from ui.auth import current_user


def _units() -> dict[str, str]:
    store = data.store()
    if not store.has("units"):
        return {}
    units = data.layer("units")
    return {str(c): str(n) for c, n in zip(units["code"], units["name"], strict=True)}


def _pack_form(lang: Lang) -> None:
    layers = field.packable()
    store = data.store()
    layers = [lid for lid in layers if store.has(lid)]
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect(
        t("field.layers", lang),
        layers,
        default=[lid for lid in ("forest_parcels", "land_disputes") if lid in layers],
        format_func=lambda lid: CATALOG[lid].title(lang),
        key="fld_layers",
        placeholder=t("choose", lang),
    )
    units = _units()
    unit = c2.selectbox(
        t("field.unit", lang),
        ["", *units],
        format_func=lambda c: t("field.all_units", lang) if not c else units.get(c, c),
        key="fld_unit",
    )
    make = press.button(t("field.make", lang), key="fld_make", about=(tuple(chosen), unit), disabled=not chosen)
    if make:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "goi.zip"
            try:
                res = field.pack(store.location, out, chosen, unit=unit or None)
            except UserError as exc:  # the package refused, or the store not answering
                notice.error(exc, lang, both=False)
                return
            made = out.read_bytes()
        n = fmt_number(sum(res.features.values()), lang)  # offered by the next run (ui.press)
        make.then(fld_zip=made, fld_made=t("field.made", lang, n=n, size=f"{res.size / 1024:,.0f} KB"))
    if st.session_state.get("fld_zip"):
        st.success(st.session_state.get("fld_made", ""))
        st.download_button(
            t("field.download", lang),
            st.session_state["fld_zip"],
            file_name="goi_thuc_dia_dinhlap.zip",
            mime="application/zip",
            key="fld_download",
            icon=":material/download:",
        )


def _merge_form(lang: Lang, user: Any) -> None:
    upload = st.file_uploader(t("field.upload", lang), type=["zip"], key="fld_upload")
    team = st.text_input(t("field.team", lang), key="fld_team", max_chars=80)
    ready = bool(upload and team.strip())
    where = data.store().location  # read before the press is taken (ui.press)
    if press.button(
        t("field.merge", lang),
        key="fld_merge",
        about=(team, getattr(upload, "file_id", None)),
        type="primary",
        disabled=not ready,
    ):
        try:
            res = field.merge(where, upload.getvalue(), team.strip())
        except UserError as exc:  # the package refused, or the store not answering
            notice.error(exc, lang)
            return
        data.wrote()
        if res.already:
            st.info(t("field.already", lang))
        elif res.conflicts:
            st.warning(t("field.merged", lang, **res.counts()))
        else:
            st.success(t("field.merged", lang, **res.counts()))


def _texts(c: field.Conflict, lang: Lang) -> tuple[str, str, str, str]:
    """What the conflict concerns, and its base, office and field values in words."""
    spec = CATALOG.get(c.layer)
    if c.attribute == "*":

        def whole(v: Any) -> str:
            if v is None:
                return t("field.deleted_value", lang)
            if spec is not None and spec.status_field and isinstance(v, dict):
                return change_text(spec, spec.status_field, None, v.get(spec.status_field), lang)[2]
            return t("change.present", lang)

        return t("field.whole", lang), whole(c.base), whole(c.office), whole(c.incoming)
    what, base, office = change_text(spec, c.attribute, c.base, c.office, lang)
    incoming = change_text(spec, c.attribute, c.office, c.incoming, lang)[2]
    return what, base, office, incoming


def _conflicts(lang: Lang, user: Any) -> None:
    held = field.conflicts(data.store().location)
    st.subheader(t("field.conflicts", lang))
    if not held:
        st.caption(t("field.no_conflicts", lang))
        return
    for c in held[:50]:
        spec = CATALOG.get(c.layer)
        what, base, office, incoming = _texts(c, lang)
        with st.container(border=True, key=f"fld_conflict_{c.id}"):
            title = spec.title(lang) if spec else c.layer
            st.markdown(f"**#{c.id} · {md_text(title)} · {md_text(c.feature)} · {md_text(what)}**")
            cols = st.columns(3)
            for col, label, value in zip(
                cols, ("field.base", "field.office", "field.incoming"), (base, office, incoming), strict=True
            ):
                col.markdown(f"**{t(label, lang)}**")  # our own words
                col.text(value)
            st.caption(md_text(t("field.who", lang, by=c.by, at=fmt_datetime(c.at, lang))))
            b1, b2 = st.columns(2)
            where = data.store().location  # read before the write (ui.press)
            with b1:
                office = press.button(t("field.keep_office", lang), key=f"fld_office_{c.id}", about=c.id)
            with b2:
                incoming = press.button(t("field.keep_incoming", lang), key=f"fld_incoming_{c.id}", about=c.id)
            for keep, pressed in (("office", office), ("incoming", incoming)):
                if not pressed:
                    continue
                try:
                    field.resolve(where, c.id, keep, user.name)
                except UserError as exc:  # the package refused, or the store not answering
                    notice.error(exc, lang, both=False)
                    return
                pressed.then(fld_decided=t("field.decided_ok", lang, id=c.id))


def field_panel() -> None:
    """The section (planners and admins; not while the page shows a past day)."""
    lang = state.lang()
    user = current_user()
    if not user or not user.can_edit or data.as_of_day() is not None:
        return
    st.header(t("field.title", lang))
    st.caption(t("field.intro", lang))
    decided = st.session_state.pop("fld_decided", None)
    if decided:
        st.success(decided)
    _pack_form(lang)
    _merge_form(lang, user)
    _conflicts(lang, user)


def photo_strip(layer: str, key: str) -> None:
    """The field photos of one feature, with who took them back and when (nothing if it has none)."""
    found = field.photos(data.store().location, layer, key)
    if not found:
        return
    lang = state.lang()
    st.markdown(f"**{md_text(t('field.photos', lang))}**")
    for p in found[-6:]:
        caption = t("field.photo_caption", lang, name=p.name, by=p.by, at=fmt_datetime(p.at, lang))
        st.image(p.data, caption=caption, width="stretch")
