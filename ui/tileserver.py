"""The vector-tile route the app serves next to itself (see :mod:`geo.webmap.tiles`).

Streamlit 1.67 runs on Starlette, and its supported way to add an HTTP route beside an app is ``st.App``
with ``routes=`` (``ui/asgi.py``, which ``python -m ui.serve`` runs): no other process, nothing from the
internet. The route answers ``GET /dl-tiles/<ticket>/<z>/<x>/<y>.pbf``:

* the **ticket** is what the page asked for (layer, filters, colouring, day, and whether the reader may see
  sensitive fields) as signed JSON: the page signs it for its signed-in reader, the route checks the
  signature, so a viewer cannot edit a URL into a planner's tiles;
* the body is the tile, gzip-compressed once when built (``Content-Encoding: gzip``), with an ``ETag``
  keyed by the store's version and ``Cache-Control`` that lets the browser keep it (a page drawn after an
  edit asks with the new version in its URL).

At the server's start and after each write, a background thread builds the big layers' tiles of the zooms a
page opens at (``$DINHLAP_TILE_WARM``, zooms 11–15 by default; ``off``) into the tile file beside the GeoPackage
(:class:`geo.webmap.tiles.TileFile`), so that panning there finds them built; an import from the command line
has built them already, and every replica of the store reads the same file.

Several replicas behind one proxy must share ``$DINHLAP_TILE_SECRET`` (any long random text), as they share
the store: a ticket one signed is then good on every other. Without it each process makes its own.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from typing import Any

from geo.webmap.tiles import TileQuery

SECRET_ENV = "DINHLAP_TILE_SECRET"
ROUTE = "/dl-tiles"
_SECRET = (os.environ.get(SECRET_ENV) or secrets.token_hex(32)).encode()


def sign(query: TileQuery) -> str:
    """The ticket of ``query``: its JSON, base64url, a dot, its HMAC-SHA256 (base64url)."""
    body = base64.urlsafe_b64encode(json.dumps(query.to_json(), sort_keys=True, default=str).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(_SECRET, body, hashlib.sha256).digest()[:18]).rstrip(b"=")
    return (body + b"." + mac).decode("ascii")


def verify(ticket: str) -> TileQuery | None:
    """The query a ticket names, or ``None`` if this app did not sign it."""
    try:
        body, mac = ticket.encode("ascii").split(b".", 1)
        want = base64.urlsafe_b64encode(hmac.new(_SECRET, body, hashlib.sha256).digest()[:18]).rstrip(b"=")
        if not hmac.compare_digest(mac, want):
            return None
        data = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        return TileQuery.from_json(data)
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None


def tile_url(prefix: str, query: TileQuery, version: str) -> str:
    """The URL template (``{z}/{x}/{y}``) of a layer's tiles; ``version`` in it so an edit changes the URL."""
    return f"{prefix}{ROUTE}/{sign(query)}/{{z}}/{{x}}/{{y}}.pbf?v={version}"


def _store() -> Any:
    from geo.store.reads import store_path, version

    return _open(str(store_path()), version(store_path()))


_OPEN: dict[tuple[str, str], Any] = {}


def _open(location: str, stamp: str) -> Any:
    from geo.store.reads import Store

    key = (location, stamp)
    if key not in _OPEN:
        _OPEN.clear()
        _OPEN[key] = Store(location)
        _warm(_OPEN[key], key)
    return _OPEN[key]


_WARMING: dict[str, Any] = {"key": None}


def _warm(store: Any, key: tuple[str, str]) -> None:
    """Build the big layers' tiles of the zooms a page opens at (:func:`geo.webmap.tiles.warm_zooms`) ahead, in a
    background thread of low priority, into the tile file beside the GeoPackage: at the server's start and after
    each write (the first tile asked for at a new store version starts it; a newer version stops the older
    warming). A viewer's tiles first, then a planner's; those the file holds already are skipped. GeoPackage
    only: PostGIS builds a tile in milliseconds itself.
    """
    import threading

    from geo.webmap.tiles import big_layers, warm, warm_zooms

    zooms = warm_zooms()
    if not zooms or store.path is None:
        return
    _WARMING["key"] = key

    def run() -> None:
        with contextlib.suppress(OSError, AttributeError):  # below the requests: the system runs them first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        try:
            extents = big_layers(store)
            queries = [TileQuery(lid, sensitive) for sensitive in (False, True) for lid in extents]
            warm(store, queries, zooms, extents, stop=lambda: _WARMING["key"] != key)
        except (OSError, KeyError, ValueError, sqlite3.Error):  # a store replaced mid-way: built on request
            return

    threading.Thread(target=run, name="dl-tile-warm", daemon=True).start()


def warm_now() -> None:
    """Start building the big layers' tiles ahead for the store the app serves (at the server's start)."""
    import threading

    threading.Thread(target=_store, name="dl-tile-open", daemon=True).start()


def tile_endpoint(request: Any) -> Any:
    """``GET /dl-tiles/<ticket>/<z>/<x>/<y>.pbf``: the tile, or 404 (unknown ticket, layer or address)."""
    from starlette.responses import Response

    from geo.webmap.tiles import build_tile

    query = verify(request.path_params["ticket"])
    try:
        z, x = int(request.path_params["z"]), int(request.path_params["x"])
        y = int(str(request.path_params["y"]).removesuffix(".pbf"))
    except ValueError:
        return Response(status_code=404)
    if query is None:
        return Response(status_code=403)
    try:
        tile = build_tile(_store(), query, z, x, y)
    except (KeyError, ValueError):
        return Response(status_code=404)
    headers = {"ETag": tile.etag, "Cache-Control": "private, max-age=86400", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == tile.etag:
        return Response(status_code=304, headers=headers)
    if not tile.body:
        return Response(status_code=204, headers=headers)
    headers["Content-Encoding"] = "gzip"
    return Response(tile.body, media_type="application/vnd.mapbox-vector-tile", headers=headers)


def routes() -> list[Any]:
    """The app's own routes, for ``st.App(routes=…)``."""
    from starlette.routing import Route

    warm_now()
    return [Route(ROUTE + "/{ticket}/{z}/{x}/{y}", tile_endpoint, methods=["GET"])]
