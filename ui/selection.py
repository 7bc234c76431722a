"""Per-page selection state: the selected feature, a planner's picked position, the extent in view.

State only, no layout: the map widget, the record panel, the editing forms, the exports and
the saved-view box all read and write it here, so none of them imports another to reach it.
Only plain values live in session state, never map objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from geo.model.catalog import Catalog
from geo.webmap.mapview import Bounds
from ui.press import GONE

Selection = dict[str, Any]  # {"layer": id, "key": feature key, "zoom": bool, "n": counter}


def selection(page: str) -> Selection | None:
    """The feature selected on ``page``, if any."""
    return st.session_state.get(f"sel_{page}")


def select(page: str, layer_id: str, key: str, zoom: bool) -> None:
    """Select a feature on ``page``; ``zoom`` moves the map to it (table and chart clicks do)."""
    st.session_state.update(selecting(page)(layer_id, key, zoom))


def selecting(page: str) -> Callable[[str, str, bool], dict[str, Any]]:
    """What selecting a feature on ``page`` sets in the session, as a plain function of the layer, the key and
    ``zoom``: read before a write, used after it (:meth:`ui.press.Press.then`).
    """
    n = (selection(page) or {}).get("n", 0) + 1
    return lambda layer_id, key, zoom: {f"sel_{page}": {"layer": layer_id, "key": key, "zoom": zoom, "n": n}}


def flashed(page: str, layer_id: str, key: str, text: str) -> dict[str, Any]:
    """The session's entry that confirms a change above the record of the feature ``layer_id``/``key``."""
    return {f"edit_flash_{page}": {"text": text, "on": (layer_id, key)}}


def clear_selection(page: str) -> None:
    """Forget the page's selection."""
    st.session_state.pop(f"sel_{page}", None)


def selection_from_link(page: str, catalog: Catalog, layers: tuple[str, ...]) -> None:
    """Take ``?sel=layer:key`` from the URL (links from the overview), once.

    Only a map layer of the page (``layers``), named by its exact id, is selected: never the change
    log or another table, whatever the link says. The key must name every key field (see
    :func:`find_feature`), so no prefix of a key selects anything.
    """
    value = st.query_params.get("sel")
    if value and ":" in value:
        lid, key = value.split(":", 1)
        if lid in layers and lid in catalog and catalog[lid].geometry is not None:
            select(page, lid, key[:500], zoom=True)
    if "sel" in st.query_params:
        del st.query_params["sel"]


def on_map_change(page: str, key: str, picking: bool, catalog: Catalog) -> None:
    """What the map reported (its extent, a clicked feature, a picked position, a shape drawn) into the page's
    state; and whether the rest of the page must follow (:func:`page_follows`).

    The map is a fragment of its page (:func:`ui.mapwidget.map_view`): a report reruns the map alone, unless
    it selects a feature, places a pin, brings a shape drawn, or moves the view while something on the page
    shows what the view is (:func:`shows_view`).
    """
    value: Any = st.session_state.get(key) or {}
    if not isinstance(value, dict):
        return
    follow = False
    b = value.get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if _finite(sw.get("lng"), sw.get("lat"), ne.get("lng"), ne.get("lat")):
        view = (sw["lng"], sw["lat"], ne["lng"], ne["lat"])
        views = _views()
        follow = view != views.get(page) and bool(st.session_state.get(f"shows_view_{page}"))
        views[page] = view
    props = (value.get("last_active_drawing") or {}).get("properties") or {}
    clicked = (props.get("_l"), props.get("_k"))
    # The component reports its last click again with every pan: only a new click selects.
    if clicked[0] in catalog and clicked[1] is not None and st.session_state.get(f"seen_{page}") != clicked:
        st.session_state[f"seen_{page}"] = clicked
        follow = True
        if not picking:  # while picking a position, a click on a feature places the pin, it does not select
            select(page, str(clicked[0]), str(clicked[1]), zoom=False)
    seq = props.get("_draw")  # a shape drawn, for the drawing panel's box (ui.drawing), once
    if seq and seq not in (st.session_state.get(f"draw_seen_{page}"), st.session_state.get(f"draw_told_{page}")):
        st.session_state[f"draw_told_{page}"] = seq  # (the map reports it again with every pan)
        follow = True
    at = value.get("last_clicked") or {}
    if picking and isinstance(at, dict) and _finite(at.get("lng"), at.get("lat")):
        pin = (round(float(at["lng"]), 7), round(float(at["lat"]), 7))
        follow = follow or pin != st.session_state.get(f"pin_{page}")
        st.session_state[f"pin_{page}"] = pin
    if follow:
        st.session_state[f"follow_{page}"] = True


def _views() -> dict[str, Bounds]:
    """{page: the extent its map last reported}: one plain dict per session, changed in place, so that what is
    made off the page's run (a download's file) reads it as it is then.
    """
    return st.session_state.setdefault("_views", {})


def page_follows(page: str) -> bool:
    """Whether the map's last report asked the whole page to follow it (once: the answer is then forgotten)."""
    return bool(st.session_state.pop(f"follow_{page}", False))


def shows_view(page: str) -> None:
    """Said in a run of the page by whatever shows something of the extent in view (an export's sheet count and
    centre at a stated scale): in the runs of the map alone that follow, a move of the map reruns the whole page,
    so that what it shows follows the view (until a run of the page no longer says it).
    """
    st.session_state[f"shows_view_{page}"] = True


def page_run(page: str) -> None:
    """At the map, in each run of the whole page: what the map reported is in this run already, and nothing
    yet shows the view (the panels under the map, drawn after it, say so again: :func:`shows_view`).
    """
    st.session_state.pop(f"follow_{page}", None)
    st.session_state.pop(f"shows_view_{page}", None)


def live_view(page: str) -> Callable[[], Bounds | None]:
    """A function that tells, whenever it is called (a download made on a thread of its own, after the map
    moved without the page rerunning), the extent last in view on ``page``.
    """
    views = _views()
    return lambda: tuple(views[page]) if views.get(page) else None


def _finite(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def picking(page: str) -> bool:
    """Whether a planner is picking a point's position on ``page``'s map (the toggle under it)."""
    return bool(st.session_state.get(f"pick_{page}"))


def picked(page: str) -> tuple[float, float] | None:
    """The (lon, lat) the planner clicked on ``page``'s map while picking, if any."""
    pin = st.session_state.get(f"pin_{page}")
    return tuple(pin) if pin and picking(page) else None


def picking_stopped(page: str) -> dict[str, Any]:
    """The session's entries that end picking on ``page`` (:data:`ui.press.GONE`: removed)."""
    return {f"pick_off_{page}": True, f"pin_{page}": GONE}


def current_view(page: str) -> Bounds | None:
    """The extent the user is looking at on ``page`` (west, south, east, north), once the map has reported it."""
    view = _views().get(page)
    return tuple(view) if view else None


def find_feature(frame: Any, key_fields: str, fkey: str) -> Any:
    """The row of ``frame`` whose business key (fields ``key_fields``, comma-separated) is ``fkey``, or ``None``.

    Exact: ``fkey`` names every key field, no more and no fewer (a prefix of a key finds nothing).
    """
    fields, values = key_fields.split(","), fkey.split(",")
    if len(fields) != len(values) or any(k not in frame.columns for k in fields):
        return None
    match = frame
    for k, v in zip(fields, values, strict=True):
        match = match[match[k].astype(str) == v]
    return None if match.empty else match.iloc[0]
