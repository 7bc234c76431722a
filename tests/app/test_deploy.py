"""The deployment file in the repository sets what the README says a network deployment needs."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _readme_headers() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Running it for a network", 1)[1].split("```", 2)[1]
    return dict(line.split(": ", 1) for line in block.strip().splitlines())


def test_nginx_sets_the_readme_headers_forwards_websockets_and_pins_a_browser_to_a_replica() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    set_here = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', conf))
    wanted = _readme_headers()
    assert {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} <= set(wanted)
    for name, value in wanted.items():
        assert set_here.get(name) == value, name
    servers = re.findall(r"server (127\.0\.0\.1:\d+)", conf)
    assert len(servers) >= 2 and len(set(servers)) == len(servers)  # replicas, on this host only
    assert "hash $dinhlap_route consistent;" in conf and "dinhlap_route=$dinhlap_route" in set_here["Set-Cookie"]
    stream = conf.split("location /_stcore/stream", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream and "Connection $connection_upgrade" in stream
    assert "client_max_body_size 200m;" in conf  # the importer's own limit, not nginx's 1 MB default


def test_the_replicas_share_a_postgis_store_and_the_proxy_serves_their_compact_files() -> None:
    import configparser

    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read_string((ROOT / "deploy" / "dinhlap@.service").read_text(encoding="utf-8"))
    start = unit["Service"]["ExecStart"]
    assert "-m ui.serve" in start and "--server.address 127.0.0.1" in start and "--server.port %i" in start
    env_file = (ROOT / "deploy" / "dinhlap.env").read_text(encoding="utf-8")
    env = dict(line.split("=", 1) for line in env_file.splitlines() if line and not line.startswith("#"))
    assert env["DINHLAP_STORE"].startswith("postgresql://") and ":" not in env["DINHLAP_STORE"][13:].split("@")[0]
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    served = conf.split("location /component/ui.assets.mapdata/", 1)[1].split("}", 1)[0]
    assert f"alias {env['DINHLAP_MAPDATA_DIR']}/;" in served  # the folder the replicas write
    wanted = _readme_headers()  # a location with its own headers repeats the server's
    for name, value in wanted.items():
        assert f'add_header {name} "{value}" always;' in served, name
    from ui import assets

    assert assets._DATA.name == "ui.assets.mapdata"  # the path the proxy serves is the app's own
