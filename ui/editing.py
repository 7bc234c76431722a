"""The planner's edit form and a feature's change history, under its record.

Only a signed-in planner or admin sees the form. Every save goes through
:func:`geo.store.edit.edit`: validated against the catalog, written with its audit
rows in one transaction, and refused if someone changed a value meanwhile.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from geo.model.catalog import LayerSpec
from geo.model.i18n import Lang, fmt_date, fmt_datetime, fmt_number, t
from geo.model.safe import md_text
from geo.model.values import is_empty, same_value
from geo.read.records import change_text, format_value
from geo.store.changelog import EditError, history, reason_text, redact_rows
from geo.store.edit import ConflictError, NeedsConfirm, edit, edit_many, insert, move_point, read_date, read_number
from ui import data, notice, press, state
from ui.auth import current_user
from ui.selection import (
    current_view,
    flashed,
    picked,
    picking_stopped,
    selecting,
    selection,
)


def editable_fields(spec: LayerSpec) -> list[str]:
    """The fields a planner updates, as the catalog declares them."""
    return list(spec.editable)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _number_text(value: Any, lang: Lang) -> str:
    """A stored number as the form shows it, in ``lang``'s convention, with every decimal it has (up to 6)."""
    places = len(f"{float(value):.6f}".rstrip("0").split(".")[1])
    return fmt_number(value, lang, decimals=places)


def shown_text(spec: LayerSpec, name: str, value: Any, lang: Lang) -> Any:
    """What the form's box for ``name`` shows of stored ``value`` (what the widget returns if untouched)."""
    f = spec.field(name)
    codes = spec.codes(name)
    if codes:
        return value if value in {s.value for s in codes} else None
    if f.kind == "bool":
        return bool(value) if not is_empty(value) else False
    if is_empty(value):
        return ""
    if f.kind == "int" and "year" in name:
        return str(int(value))  # a year is 2024, never 2.024
    if f.kind in ("int", "float"):
        return _number_text(value, lang)
    if f.kind == "date":
        return fmt_date(str(value)[:10], lang)
    return str(value)


def read_box(spec: LayerSpec, name: str, box: Any, lang: Lang) -> Any:
    """What a form's box holds, as the value the engine checks: numbers read as typed in ``lang``
    (:func:`geo.store.edit.read_number`), dates as DD/MM/YYYY or ISO (:func:`geo.store.edit.read_date`), empty as None.
    Raises :class:`EditError` (bad number or date) with the field's label.
    """
    f = spec.field(name)
    if spec.codes(name) or f.kind == "bool":
        return box
    if is_empty(box):
        return None
    try:
        if f.kind in ("int", "float"):
            number = read_number(box, lang)
            return int(number) if f.kind == "int" and number is not None and number == int(number) else number
        if f.kind == "date":
            return read_date(box)
    except ValueError:
        rule = "date" if f.kind == "date" else "number"
        raise EditError(f"edit.bad_{rule}", field=f.label("vi"), value=str(box)[:80]) from None
    return str(box).strip()


def _widget(spec: LayerSpec, name: str, current: Any, key: str, lang: Lang, new: bool = False) -> Any:
    """The box for field ``name`` showing stored value ``current``; returns what it holds (see :func:`shown_text`)."""
    f = spec.field(name)
    codes = spec.codes(name)
    label = f.label(lang)
    shown = shown_text(spec, name, current, lang)
    if codes:
        options = [s.value for s in codes]
        return st.selectbox(
            label,
            options,
            # an empty status stays empty; a new feature starts at the first (a dispute: Mới phát sinh)
            index=options.index(shown) if shown in options else (0 if new and f.required else None),
            key=key,
            format_func=lambda v: format_value(spec, name, v, lang),
            placeholder=t("edit.empty", lang),
        )
    if f.kind == "bool":
        return st.checkbox(label, value=shown, key=key)
    if f.kind in ("int", "float"):  # typed as people write numbers: 94,2 in Vietnamese (never a browser spinner)
        return st.text_input(label, value=shown, key=key)  # how to type them: the form's caption (typing_hint)
    if f.kind == "date":
        return st.text_input(label, value=shown, key=key, placeholder="dd/mm/yyyy" if lang == "vi" else "yyyy-mm-dd")
    return st.text_input(label, value=shown, key=key)


def typing_hint(spec: LayerSpec, names: Any, lang: Lang) -> None:
    """Under a form's title: how its number and date boxes are typed (in ``lang``'s convention)."""
    kinds = {spec.field(n).kind for n in names if not spec.codes(n)}
    hints = [t("edit.number_help", lang)] if kinds & {"int", "float"} else []
    hints += [t("edit.date_help", lang)] if "date" in kinds else []
    if hints:
        st.caption(" · ".join(hints))


def _form_state(form_id: str, current: dict[str, Any]) -> dict[str, Any]:
    """The values this form showed when it was drawn (kept in the session, never re-read at save), and
    the render it belongs to: a save, a reload or a conflict starts a new one.
    """
    snap = st.session_state.get(f"edsnap_{form_id}")
    if snap is None:
        gen = st.session_state.get(f"edgen_{form_id}", 0)
        snap = {"gen": gen, "shown": dict(current), "expected": {}, "confirm": None, "refused": None}
        st.session_state[f"edsnap_{form_id}"] = snap
    return snap


def _new_render(form_id: str) -> None:
    """Forget what the form showed: it is drawn afresh, from the stored values, with new boxes."""
    st.session_state.pop(f"edsnap_{form_id}", None)
    st.session_state[f"edgen_{form_id}"] = st.session_state.get(f"edgen_{form_id}", 0) + 1


def edit_form(page: str, layer_id: str, row: Any) -> None:
    """The form under a selected feature's record, for planners; its history for everyone.

    The form remembers the values it showed; a save writes only the fields the planner changed, each
    against the value shown, so a colleague's change meanwhile is refused (both values, who and when)
    and a field the planner did not touch is never written.
    """
    lang = state.lang()
    spec = data.catalog()[layer_id]
    fkey = ",".join(str(row[k]) for k in spec.key.split(","))
    path = data.store().location
    user = current_user()
    form_id = f"{page}_{layer_id}_{fkey}"
    done = st.session_state.pop(f"edflash_{form_id}", None)
    if done:
        notice.success(done)
    if user and user.can_edit and spec.editable and data.as_of_day() is not None:
        st.caption(t("edit.past", lang))
    elif user and user.can_edit and spec.editable:
        with st.expander(t("edit.title", lang), icon=":material/edit:", key=f"edit_panel_{page}_{layer_id}_{fkey}"):
            stored = {n: _plain(row.get(n)) for n in editable_fields(spec)}
            snap = _form_state(form_id, stored)
            shown = snap["shown"]
            if any(not same_value(stored[n], shown[n]) for n in shown):
                st.caption(t("edit.stale", lang))
                if st.button(t("edit.reload", lang), key=f"ed_reload_{form_id}_{snap['gen']}"):
                    _new_render(form_id)
                    st.rerun()
            suffix = f"_{snap['gen']}" if snap["gen"] else ""
            with st.form(f"edit_{page}_{layer_id}_{fkey}"):
                typing_hint(spec, shown, lang)
                boxes = {
                    n: _widget(spec, n, v, f"ed_{page}_{layer_id}_{fkey}_{n}{suffix}", lang) for n, v in shown.items()
                }
                confirm = False
                if snap["confirm"]:
                    st.warning(md_text(snap["confirm"][lang]))
                    confirm = st.checkbox(t("edit.confirm_box", lang), key=f"ed_confirm_{form_id}{suffix}")
                reason = st.text_input(t("edit.reason", lang), key=f"ed_reason_{page}_{fkey}")
                submitted = press.submit(t("edit.save", lang), key=f"ed_go_{form_id}", about=snap["gen"])
            if submitted.waiting:
                _save(submitted, page, layer_id, fkey, spec, snap, boxes, reason, confirm, form_id, lang)
            if snap.get("refused"):  # until the planner saves again or reloads: a rerun (a colleague's edit
                _refusal(snap["refused"], lang)  # reaching the page, a map move) must not wipe it
            if spec.geometry == "Point" and row.geometry is not None and not row.geometry.is_empty:
                _move_form(page, layer_id, fkey, row, user.name, lang)
    past = history(path, layer_id, fkey)
    if not data.sensitive_ok():
        past = redact_rows(past)
    past = [r for r in past if not (r.field != "*" and same_value(r.old, r.new))]  # '' → NULL changed nothing
    log = data.catalog()["audit_log"]  # the change log's own labels
    texts = [change_text(spec, r.field, r.old, r.new, lang) for r in past]
    if past:
        with st.expander(
            t("edit.history", lang), icon=":material/history:", key=f"hist_panel_{page}_{layer_id}_{fkey}"
        ):
            st.caption(t("rollback.tz", lang))
            st.dataframe(
                pd.DataFrame(
                    {
                        log.field("ts").label(lang): [fmt_datetime(r.ts, lang) for r in past],
                        log.field("user").label(lang): [r.user for r in past],
                        log.field("field").label(lang): [what for what, _, _ in texts],
                        log.field("old").label(lang): [old for _, old, _ in texts],
                        log.field("new").label(lang): [new for _, _, new in texts],
                        log.field("reason").label(lang): [reason_text(r.reason, lang) for r in past],
                    }
                ),
                hide_index=True,
                width="stretch",
            )


def _save(
    pressed: press.Press,
    page: str,
    layer_id: str,
    fkey: str,
    spec: LayerSpec,
    snap: dict[str, Any],
    boxes: dict[str, Any],
    reason: str,
    confirm: bool,
    form_id: str,
    lang: Lang,
) -> None:
    """Write what the planner changed in the form, each field against the value the form showed. What the
    write needs is read before the press is taken (ui.press): a run cut short while reading keeps it.
    """
    user = current_user()
    where, sel = data.store().location, selection(page)
    shown = snap["shown"]
    untouched = {n: shown_text(spec, n, v, lang) for n, v in shown.items()}
    changes: dict[str, Any] = {}
    snap["refused"] = None  # a new try: the last refusal no longer stands
    try:
        for n, box in boxes.items():
            if box == untouched[n]:
                continue  # not touched: never written
            value = read_box(spec, n, box, lang)
            if not same_value(value, shown[n]):
                changes[n] = value
        if not changes:
            st.info(t("edit.nothing", lang))
            return
        expected = {n: snap["expected"].get(n, shown[n]) for n in changes}
        confirmed = [snap["confirm"]["field"]] if confirm and snap["confirm"] else []
        if not pressed:  # taken: from here to the write, plain Python and the store
            return
        rows = edit(
            where, layer_id, fkey, changes, user.name if user else "", reason, expected, confirmed=confirmed
        )  # fmt: skip
    except NeedsConfirm as exc:
        snap["confirm"] = {"field": exc.field, "vi": exc.message("vi"), "en": exc.message("en")}
        st.rerun()
    except ConflictError as exc:
        for c in exc.conflicts:  # the planner chooses again, now against the colleague's value
            snap["expected"][c.field] = c.current
        snap["refused"] = {"vi": exc.message("vi"), "en": exc.message("en")}
        return
    except EditError as exc:
        snap["refused"] = {"vi": exc.message("vi"), "en": exc.message("en")}
        return
    # Stored: the thanks, and the form drawn afresh from the stored values, by the next run (ui.press).
    text = t("edit.saved", lang, n=fmt_number(len(rows), lang)) if rows else t("edit.nothing", lang)
    # (without a selection, on a card or a slide: the message above its form)
    thanks = flashed(page, sel["layer"], sel["key"], text) if sel else {f"edflash_{form_id}": text}
    pressed.then(**thanks, **{f"edsnap_{form_id}": press.GONE, f"edgen_{form_id}": snap["gen"] + 1})


def _refusal(messages: dict[str, str], lang: Lang) -> None:
    """A refused save kept with its form, in the page's language, the other one under it (as :func:`_error`)."""
    st.error(md_text(messages[lang]))
    st.caption(md_text(messages["en" if lang == "vi" else "vi"]))


def _error(exc: EditError, lang: Lang) -> None:
    """An edit's refusal in the page's language, the other one under it."""
    notice.error(exc, lang)


def _move_form(page: str, layer_id: str, fkey: str, row: Any, user: str, lang: Lang) -> None:
    """Move a point to measured coordinates, or to where the planner clicked on the map while picking;
    refused if someone moved it meanwhile.
    """
    lon0, lat0 = picked(page) or (row.geometry.x, row.geometry.y)
    with st.form(f"move_{page}_{layer_id}_{fkey}"):
        st.markdown(f"**{t('edit.position', lang)}**")
        c1, c2 = st.columns(2)
        lon_box, lat_box = _position_boxes(c1, c2, lon0, lat0, lang)
        reason = st.text_input(t("edit.reason", lang), key=f"mv_reason_{page}_{fkey}")
        moved = press.submit(t("edit.move", lang), key=f"move_go_{page}_{layer_id}_{fkey}", about=row.geometry.wkt)
        if not moved.waiting:
            return
    where = data.store().location  # read before the press is taken (ui.press): a run cut short here keeps it
    if not moved:
        return
    try:
        lon, lat = _position(lon_box, lat_box, lang)
        move_point(where, layer_id, fkey, lon, lat, user, reason, expected_wkt=row.geometry.wkt)
    except EditError as exc:
        _error(exc, lang)
    else:  # nothing here touches Streamlit before the next run (ui.press)
        said = t("edit.moved", lang, lon=f"{lon:.6f}", lat=f"{lat:.6f}")
        moved.then(**flashed(page, layer_id, fkey, said), **picking_stopped(page))


def _position_boxes(c1: Any, c2: Any, lon0: float, lat0: float, lang: Lang) -> tuple[str, str]:
    """Longitude and latitude boxes, shown with a decimal point as coordinates are written; a decimal comma
    typed in them is read too (107,123456).
    """
    lon = c1.text_input(t("edit.lon", lang), value=f"{float(lon0):.6f}")
    lat = c2.text_input(t("edit.lat", lang), value=f"{float(lat0):.6f}")
    return lon, lat


def _position(lon_box: str, lat_box: str, lang: Lang) -> tuple[float, float]:
    """The typed position; :class:`EditError` if either is not a number."""
    try:  # a point in a coordinate is decimal, never thousands (21.654 is not 21654)
        lon = read_number(lon_box, "en" if "." in str(lon_box) else lang)
        lat = read_number(lat_box, "en" if "." in str(lat_box) else lang)
    except ValueError:
        raise EditError("edit.bad_position", lon=str(lon_box)[:20], lat=str(lat_box)[:20]) from None
    if lon is None or lat is None:
        raise EditError("edit.bad_position", lon=str(lon_box)[:20], lat=str(lat_box)[:20])
    return lon, lat


def add_point_box(page: str, layer_ids: list[str]) -> None:
    """For planners: add a point (a dispute, an accident, a resettlement site) to a visible point layer."""
    user = current_user()
    catalog = data.catalog()
    points = [lid for lid in layer_ids if catalog[lid].geometry == "Point" and catalog[lid].editable]
    if not (user and user.can_edit and points) or data.as_of_day() is not None:
        return
    lang = state.lang()
    with st.expander(t("edit.add_point", lang), icon=":material/add_location:", key=f"add_pt_panel_{page}"):
        lid = st.selectbox(
            t("edit.add_layer", lang), points, key=f"add_pt_layer_{page}", format_func=lambda i: catalog[i].title(lang)
        )
        spec = catalog[lid]
        # Boxes of their own, left as typed whatever the map does; a pin placed on the map fills them (before
        # they are drawn). Left empty, the point goes to the centre of the view as it is when "Thêm" is pressed.
        lon_key, lat_key, pin_key = f"add_lon_{page}_{lid}", f"add_lat_{page}_{lid}", f"add_pin_{page}_{lid}"
        pin = picked(page)
        if pin is not None and st.session_state.get(pin_key) != pin:
            st.session_state.update({lon_key: f"{pin[0]:.6f}", lat_key: f"{pin[1]:.6f}", pin_key: pin})
        w, s_, e, n = current_view(page) or data.layer("district").total_bounds
        centre = ((w + e) / 2, (s_ + n) / 2)  # read before the press is taken (ui.press)
        st.caption(t("edit.add_where", lang))
        names = data.unit_names()
        with st.form(f"add_pt_{page}_{lid}"):
            typing_hint(spec, [f.name for f in spec.fields if not f.derived], lang)
            values: dict[str, Any] = {}
            for f in spec.fields:
                key = f"add_{page}_{lid}_{f.name}"
                if f.derived:
                    continue
                if f.name == "unit_code":
                    values[f.name] = st.selectbox(f.label(lang), list(names), key=key, format_func=names.get)
                else:
                    values[f.name] = _widget(spec, f.name, None, key, lang, new=True)
            c1, c2 = st.columns(2)
            at_centre = t("edit.at_centre", lang)
            lon_box = c1.text_input(t("edit.lon", lang), key=lon_key, placeholder=at_centre)
            lat_box = c2.text_input(t("edit.lat", lang), key=lat_key, placeholder=at_centre)
            reason = st.text_input(t("edit.reason", lang), key=f"add_reason_{page}_{lid}")
            submitted = press.submit(t("edit.add", lang), key=f"add_pt_go_{page}_{lid}")
        if not submitted.waiting:
            return
        where, chosen = data.store().location, selecting(page)  # read before the press is taken (ui.press)
        if not submitted:
            return
        try:
            values = {n: v if n == "unit_code" else read_box(spec, n, v, lang) for n, v in values.items()}
            typed = str(lon_box or "").strip() or str(lat_box or "").strip()
            lon, lat = _position(lon_box, lat_box, lang) if typed else centre
            key = insert(where, lid, values, user.name, reason, point=(lon, lat))
        except EditError as exc:
            _error(exc, lang)
        else:  # the new point, selected and in view; nothing here touches Streamlit before the next run
            submitted.then(
                **{lon_key: "", lat_key: "", pin_key: press.GONE},  # the next point starts afresh
                **picking_stopped(page),
                **chosen(lid, key, True),
                **flashed(page, lid, key, t("edit.added", lang, key=key)),
            )


def criteria_editor(unit_code: str, unit_name: str, criteria_names: dict[int, str]) -> None:
    """For planners: a commune's 19 criteria as an editable table, saved in one audited transaction."""
    user = current_user()
    if not (user and user.can_edit) or data.as_of_day() is not None:
        return
    lang = state.lang()
    spec = data.catalog()["ntm_commune"]
    rows = data.layer("ntm_commune")
    rows = rows[rows.unit_code == unit_code].sort_values("criterion")
    flash = st.session_state.pop("ntm_edit_flash", None)
    if flash:
        st.success(flash)
    with st.expander(t("ntm.edit", lang, unit=unit_name), icon=":material/edit:", key=f"ntm_edit_{unit_code}"):
        gen = st.session_state.get(f"ntm_gen_{unit_code}", 0)
        seen = st.session_state.get(f"ntm_seen_{unit_code}_{gen}")  # what the table showed, never re-read at save
        if seen is None:
            seen = st.session_state[f"ntm_seen_{unit_code}_{gen}"] = pd.DataFrame(
                {
                    "criterion": rows.criterion.astype(int).to_numpy(),
                    "name": [criteria_names.get(int(c), str(c)) for c in rows.criterion],
                    "met": rows.met.astype(bool).to_numpy(),
                    "year_met": rows.year_met.astype("Int64").to_numpy(),
                    "target_year": rows.target_year.astype("Int64").to_numpy(),
                }
            )
        with st.form(f"ntm_edit_form_{unit_code}"):
            edited = st.data_editor(
                seen,
                hide_index=True,
                width="stretch",
                disabled=["criterion", "name"],
                key=f"ntm_editor_{unit_code}" + (f"_{gen}" if gen else ""),
                column_config={
                    "criterion": st.column_config.NumberColumn("#", width="small"),
                    "name": st.column_config.TextColumn(spec.field("criterion").label(lang)),
                    "met": st.column_config.CheckboxColumn(spec.field("met").label(lang)),
                    "year_met": st.column_config.NumberColumn(spec.field("year_met").label(lang), format="%d"),
                    "target_year": st.column_config.NumberColumn(spec.field("target_year").label(lang), format="%d"),
                },
            )
            reason = st.text_input(t("edit.reason", lang), key=f"ntm_reason_{unit_code}")
            submitted = press.submit(t("edit.save", lang), key=f"ntm_edit_go_{unit_code}", about=gen)
        refused_key = f"ntm_refused_{unit_code}"  # a refusal stays until the next save: a rerun must not wipe it
        if not submitted.waiting:
            if st.session_state.get(refused_key):
                _refusal(st.session_state[refused_key], lang)
            return
        st.session_state.pop(refused_key, None)
        where = data.store().location  # read before the press is taken (ui.press): a run cut short here keeps it
        changes = []
        fields = ("met", "year_met", "target_year")
        for (_, old), (_, new) in zip(seen.iterrows(), edited.iterrows(), strict=True):
            diff = {f: _plain(new[f]) for f in fields if not same_value(_plain(new[f]), _plain(old[f]))}
            if diff:
                changes.append((f"{unit_code},{int(old.criterion)}", diff, {f: _plain(old[f]) for f in diff}))
        if not changes:
            st.info(t("edit.nothing", lang))
            return
        if not submitted:  # taken: from here to the write, plain Python and the store
            return
        try:
            written = edit_many(where, "ntm_commune", changes, user.name, reason)
        except ConflictError as exc:  # shown with both values; the table is drawn again from the store
            st.session_state[refused_key] = {"vi": exc.message("vi"), "en": exc.message("en")}
            _refusal(st.session_state[refused_key], lang)
            st.session_state.pop(f"ntm_seen_{unit_code}_{gen}", None)
            st.session_state[f"ntm_gen_{unit_code}"] = gen + 1
        except EditError as exc:
            st.session_state[refused_key] = {"vi": exc.message("vi"), "en": exc.message("en")}
            _refusal(st.session_state[refused_key], lang)
        else:  # the thanks and a table drawn afresh from the store, by the next run (ui.press)
            submitted.then(
                ntm_edit_flash=t("edit.saved", lang, n=fmt_number(len(written), lang)),
                **{f"ntm_seen_{unit_code}_{gen}": press.GONE, f"ntm_gen_{unit_code}": gen + 1},
            )
