"""The vector-tile route over real HTTP (ui.tileserver on uvicorn, as the app serves it beside itself)."""

from __future__ import annotations

import gzip
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from geo.store.reads import Store
from geo.webmap import tiles
from tests.browser import free_port
from tests.conftest import NOTICE_STORE
from ui import tileserver


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    store = tmp_path / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    monkeypatch.setenv("DINHLAP_STORE", str(store))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=tileserver.routes()), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the tile server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store
    server.should_exit = True
    thread.join(10)


def _address(store: Path) -> tuple[int, int, int]:
    first = Store(store).read("cadastral_parcels").geometry.iloc[0].centroid
    return (15, *tiles.lonlat_tile(first.x, first.y, 15))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, b""


def test_a_tile_arrives_compressed_with_caching_headers_and_is_not_sent_twice(served: tuple[str, Path]) -> None:
    url, store = served
    z, x, y = _address(store)
    path = tileserver.tile_url(url, tiles.TileQuery("cadastral_parcels"), Store(store).version)
    status, headers, body = _get(path.format(z=z, x=x, y=y))
    assert status == 200
    assert headers["content-encoding"] == "gzip" and headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert "max-age" in headers["cache-control"] and headers["etag"]
    parcels = tiles.decode_tile(gzip.decompress(body))[tiles.LAYER]
    assert parcels and all("owner" not in f["properties"] for f in parcels)
    again, _, _ = _get(path.format(z=z, x=x, y=y), {"If-None-Match": headers["etag"]})
    assert again == 304


def test_a_ticket_edited_into_a_planners_is_refused(served: tuple[str, Path]) -> None:
    url, store = served
    z, x, y = _address(store)
    ticket = tileserver.sign(tiles.TileQuery("cadastral_parcels", sensitive=False))
    forged = (
        tileserver.sign(tiles.TileQuery("cadastral_parcels", sensitive=True)).split(".")[0] + "." + ticket.split(".")[1]
    )
    status, _, _ = _get(f"{url}{tileserver.ROUTE}/{forged}/{z}/{x}/{y}.pbf")
    assert status == 403
    status, _, _ = _get(f"{url}{tileserver.ROUTE}/{ticket}/{z}/{x}/{y}.pbf")
    assert status == 200
