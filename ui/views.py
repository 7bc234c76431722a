"""Opening saved views: by link (``/?view=ID``, ``/<page>?view=ID``) or from the sidebar's list.

Opening a view sets the target page's widgets (layer toggles, filters), its
selection and its map extent, then shows that page with the view's title.
"""

from __future__ import annotations

import streamlit as st

from geo.model.catalog import map_style, page_styles
from geo.model.i18n import t
from geo.model.safe import md_quote, md_text
from geo.model.views import View, save_view, slug, views_from_frame
from geo.read.filters import choices
from geo.store.changelog import EditError
from ui import data, notice, press, state
from ui.auth import current_user
from ui.mapwidget import home_bounds
from ui.nav import PAGE_FILES
from ui.selection import current_view, selection


def page_key(url_path: str) -> str:
    """The key prefix of a page's widgets and state (the overview's url path is empty)."""
    return url_path or "overview"


def all_views() -> list[View]:
    """The store's saved views (none if the store has no views table)."""
    return views_from_frame(data.layer("views")) if data.store().has("views") else []


def apply_view(view: View) -> None:
    """Put the view's layers, filters, selection and extent into the session state of its page."""
    page = page_key(view.page)
    if view.layers:
        st.session_state[f"map_{page}_layers"] = list(view.layers)
    for lid, flt in view.filters.items():
        for name, values in flt.items():
            st.session_state[f"flt_{page}_{lid}_{name}"] = values
    if view.selected:
        st.session_state[f"sel_{page}"] = {"layer": view.selected[0], "key": view.selected[1], "zoom": False, "n": 0}
    else:
        st.session_state.pop(f"sel_{page}", None)
    st.session_state[f"home_{page}"] = view.bbox
    st.session_state[f"view_banner_{page}"] = view.id
    _apply_styles(view.styles())
    if view.as_of:  # the day the view was saved at; a view without one shows today
        st.session_state[data.AS_OF_KEY] = view.as_of
    else:
        st.session_state.pop(data.AS_OF_KEY, None)


def _apply_styles(styles: tuple[str, ...]) -> None:
    """Set the page controls that choose a colouring to the view's named styles."""
    for name in styles:
        try:
            s, param = map_style(name)
        except KeyError:
            continue
        if s.layer == "ql4b_segments":
            st.session_state["roads_style"] = s.id
        elif s.id == "criterion" and param.isdigit():
            st.session_state["ntm_criterion"] = int(param)
        elif s.id == "ntm_met":
            st.session_state["ntm_criterion"] = 0


def open_view_from_link() -> None:
    """Apply ``?view=ID`` once, then show the view's page."""
    view_id = st.query_params.get("view")
    if not view_id:
        return
    del st.query_params["view"]
    view = next((v for v in all_views() if v.id == view_id), None)
    if view is None:
        st.session_state["view_missing"] = {"id": view_id[:200]}
        return
    st.session_state.pop("view_missing", None)
    apply_view(view)
    st.switch_page(PAGE_FILES[view.page])


def view_banner(page: str) -> None:
    """The open view's title and note above the page's map: one block, shown or empty, so the map below keeps
    its place on the page (Streamlit knows the map's fragment by its place: ui.mapwidget).
    """
    with st.container():
        _view_banner(page)


def _view_banner(page: str) -> None:
    lang = state.lang()
    missing = st.session_state.get("view_missing")  # said on the page it was asked on, through its reruns
    if isinstance(missing, dict) and missing.setdefault("page", page) == page:
        st.warning(t("views.missing", lang, view=md_quote(missing["id"], 60)))
    elif missing is not None:
        st.session_state.pop("view_missing", None)
    view_id = st.session_state.get(f"view_banner_{page}")
    view = next((v for v in all_views() if v.id == view_id), None) if view_id else None
    if view:
        title, note = md_text(view.title(lang)), md_text(view.note(lang))
        st.info(f"**{t('views.open', lang)}: {title}** — {note}", icon=":material/bookmark:")


def views_list() -> None:
    """Every saved view as a link, in the sidebar."""
    lang = state.lang()
    views = all_views()
    if not views:
        return
    with st.expander(t("views.title", lang), icon=":material/bookmarks:", key="views_panel"):
        for v in views:
            st.page_link(PAGE_FILES[v.page], label=v.title(lang), query_params={"view": v.id})


def save_view_box(url_path: str, visible: list[str], styles: tuple[str, ...] = ()) -> None:
    """For planners: save what the page shows as a named view, which then opens by its link (``styles``:
    the named colourings the page shows, kept with the view).
    """
    user = current_user()
    if not user or not user.can_edit or not data.store().has("views"):
        return
    lang = state.lang()
    page = page_key(url_path)
    flash = st.session_state.pop(f"view_saved_{page}", None)
    if flash:
        st.success(flash)
    with st.expander(t("views.save", lang), icon=":material/bookmark_add:", key=f"save_view_panel_{page}"):
        with st.form(f"save_view_{page}", border=False):
            title = st.text_input(t("export.map_title", lang), key=f"sv_title_{page}")
            note = st.text_input(t("views.note", lang), key=f"sv_note_{page}")
            submitted = press.submit(t("views.save", lang), key=f"save_view_go_{page}")
        if not submitted.waiting:
            return
        # What the view holds, read before the press is taken (ui.press): a run cut short here keeps it.
        sel = selection(page)
        prefix = f"flt_{page}_"
        filters: dict[str, dict[str, list[object]]] = {}
        for k, v in st.session_state.items():
            if isinstance(k, str) and k.startswith(prefix) and isinstance(v, list) and v:
                lid_field = k[len(prefix) :]
                lid = next((lid for lid in visible if lid_field.startswith(lid + "_")), None)
                name = lid_field[len(lid) + 1 :] if lid else ""
                # Keep only filters that narrow: every choice ticked is no filter at all.
                narrows = (
                    lid
                    and name in data.layer(lid).columns
                    and set(v) != set(choices(data.catalog()[lid], data.layer(lid), name))
                )
                if narrows:
                    filters.setdefault(str(lid), {})[name] = v
        views = all_views()
        view = View(
            id=slug(title),
            order=max((v.order for v in views), default=0) + 1,
            title_vi=title,
            title_en=title,
            page=url_path,
            layers=tuple(visible),
            bbox=current_view(page) or st.session_state.get(f"home_{page}") or home_bounds(),
            selected=(sel["layer"], sel["key"]) if sel else None,
            filters=filters,
            note_vi=note,
            note_en=note,
            as_of=(data.as_of_day() or "") and str(data.as_of_day()),  # a past day stays that day
            style=styles if styles != page_styles(url_path) else (),  # the page's default needs no saying
        )
        where = data.store().location
        if not submitted:
            return
        try:
            view_id = save_view(where, view, user.name)
        except EditError as exc:
            notice.error(exc, lang, both=False)
        else:
            link = f"/{url_path}?view={view_id}" if url_path else f"/?view={view_id}"
            submitted.then(**{f"view_saved_{page}": t("views.saved", lang, link=link)})
