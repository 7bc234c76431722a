from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT))

from geo.store.reads import ENV_STORE, Store  # noqa: E402


def _notice_store() -> Path:
    """The demo store as the notice found it (24/4/2024), without the history since: what most tests read.

    The shipped store is this plus its history to today; tests of time (test_history, test_demo's facts,
    the browser test of the date control) open that one by name. Every app a test starts reads this
    one unless the test names another (``$DINHLAP_STORE``).
    """
    folder = Path(tempfile.mkdtemp(prefix="dinhlap-notice-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "dinhlap-notice.gpkg"
    built = os.environ.get(_NOTICE_BUILT)
    if os.environ.get("PYTEST_XDIST_WORKER") and built and Path(built).is_file():
        # `make test`'s workers copy the store their controller built before it started them (the demo
        # build is deterministic, tests/demo/test_demo.py): one build per run, not one per process.
        shutil.copy(built, path)
        return path
    from geo.demo.build import build_demo

    build_demo(path, with_history=False)
    os.environ[_NOTICE_BUILT] = str(path)  # for the workers this process starts (it outlives them)
    return path


_NOTICE_BUILT = "DL_NOTICE_STORE_BUILT"
NOTICE_STORE = _notice_store()
os.environ[ENV_STORE] = str(NOTICE_STORE)


# Not test modules: the script the real QGIS runs (Debian's Python, not ours), and the harness's own page.
collect_ignore = ["qgis_client.py", "apps"]


BROWSER_FILES = ("test_browser", "test_harness")  # real-browser test modules: tests/test_browser*.py, the harness's

# Seconds each real-browser module took in a full run (two workers, a busy machine): they are shared between
# two groups of about equal length, one Chromium and one app at a time in each. A module not listed goes to
# a group by its name; it only makes the two groups less even.
BROWSER_SECONDS = {
    "test_browser_a11y": 110,
    "test_browser": 179,
    "test_browser_edit_conflict": 177,
    "test_browser_draw": 163,
    "test_browser_meeting": 158,
    "test_browser_hostile": 142,
    "test_browser_import": 125,
    "test_browser_threads": 96,
    "test_browser_scale": 60,
    "test_browser_preview": 53,
    "test_harness": 51,
    "test_browser_time": 47,
    "test_browser_replicas": 41,
    "test_browser_print_scale": 34,
    "test_browser_units": 32,
    "test_browser_draw_snap": 16,
    "test_browser_tiles": 13,
}
BROWSER_GROUPS = 2


def browser_group(module: str) -> str:
    """The group of browser modules ``module`` (a file's stem) runs in: the longest first, each into the
    group that is shorter so far."""
    if module not in BROWSER_SECONDS:
        return f"browser-{sum(module.encode()) % BROWSER_GROUPS}"
    totals = [0.0] * BROWSER_GROUPS
    for name, seconds in sorted(BROWSER_SECONDS.items(), key=lambda kv: (-kv[1], kv[0])):
        group = totals.index(min(totals))
        if name == module:
            return f"browser-{group}"
        totals[group] += seconds
    raise AssertionError(module)


CPU_REPORT = os.environ.get("DL_CPU_REPORT")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """With ``DL_CPU_REPORT=FILE``: each test's processor seconds (its worker's, and its finished children's:
    the QGIS client, a writer killed on purpose), with its wall seconds, one line per test in FILE. The
    suite is bound by two cores, so this, not a test's wall time, says where ``make test``'s time goes."""
    if not CPU_REPORT:
        return (yield)
    import resource

    def used() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    cpu0, wall0 = used(), time.monotonic()
    try:
        return (yield)
    finally:
        with open(CPU_REPORT, "a", encoding="utf-8") as f:
            f.write(f"{item.nodeid}\t{used() - cpu0:.2f}\t{time.monotonic() - wall0:.2f}\n")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """How `make test` shares the tests between its workers (pytest-xdist): a module's tests stay together
    (its module fixtures, a server among them, are made once), and the real-browser modules run in two
    groups (:func:`browser_group`), each on one worker, so that at most two Chromiums and two apps share the
    two cores while the other workers run everything else. Most of a browser test's time is spent waiting
    for the app, so more workers than cores keep the cores busy.
    (pytest-xdist's own ``--dist loadgroup`` marks do not group under pytest 9: its node ids are not rewritten.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndBrowserGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = Path(nodeid.split("::", 1)[0])
            return browser_group(path.stem) if path.name.startswith(BROWSER_FILES) else str(path)

    return ModulesAndBrowserGroups(config, log)


@pytest.fixture(scope="session")
def store() -> Store:
    return Store(NOTICE_STORE)


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A copy of the notice's store in a folder of its own (imports write scratch files beside it)."""
    path = tmp_path / "store" / "s.gpkg"
    path.parent.mkdir()
    shutil.copy(NOTICE_STORE, path)
    return path


def _let_go() -> None:
    """Before a test server stops for good: the pages' versions writers of this process (``ui.live``, started by
    an app run in the test) stop, and every connection closes. Otherwise a writer opened a new pool to the server
    between the two, and that pool tried to reconnect, and said so, for minutes after (CI's output)."""
    from geo.store import db

    live = sys.modules.get("ui.live")
    if live is not None:
        live.stop_writers()
    db.drop_pools()


@pytest.fixture(scope="session")
def pg_cluster() -> Any:
    """A throwaway PostgreSQL + PostGIS server for this test run (Debian's, started here, stopped at the end)."""
    from tests import pgcluster

    why = pgcluster.available()
    if why:
        pytest.fail(why)
    cluster = pgcluster.Cluster()
    yield cluster
    _let_go()
    cluster.close()


@pytest.fixture
def own_pg_notice() -> Iterator[tuple[Any, str]]:
    """A PostgreSQL server of this test's own, holding the notice's store: ``(server, the store's address)``.

    For a test that crashes its server: recovery then replays and syncs this test's writes, not those of every
    database the run's shared server made before (that took 1–3 minutes on a busy CI disk).
    """
    from geo.store.transfer import copy_store
    from tests import pgcluster

    why = pgcluster.available()
    if why:
        pytest.fail(why)
    cluster = pgcluster.Cluster()
    try:
        url = cluster.database()
        copy_store(NOTICE_STORE, url)
        yield cluster, url
    finally:
        _let_go()
        cluster.close()


@pytest.fixture(scope="session")
def pg_notice(pg_cluster: Any) -> str:
    """A database holding the notice's store, the template of every PostGIS store a test gets."""
    from geo.store import db
    from geo.store.transfer import copy_store

    url = pg_cluster.database()
    copy_store(NOTICE_STORE, url)
    db.drop_pools()  # a template takes no connections while it is copied
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The notice's store on each backend in turn: a GeoPackage copy, then a PostGIS database of its own.

    A test that takes this fixture runs twice, and must pass on both: the two stores are one interface.
    """
    if request.param == "gpkg":
        path = tmp_path / "store" / "s.gpkg"
        path.parent.mkdir()
        shutil.copy(NOTICE_STORE, path)
        return path
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.database(template=request.getfixturevalue("pg_notice")))


def store_digest(location: Path | str) -> str:
    """What a store holds, as one hash: a GeoPackage's bytes; a PostGIS store's every table, row and geometry."""
    import hashlib

    from geo.store import db
    from geo.store.transfer import read_tables

    if not db.is_postgis(location):
        return hashlib.sha256(Path(location).read_bytes()).hexdigest()
    digest = hashlib.sha256()
    for table in read_tables(location):
        digest.update(repr((table.name, table.columns, table.types, table.fids, table.rows, table.shapes)).encode())
    return digest.hexdigest()


def assert_sound(location: Path | str) -> None:
    """The store passes its own integrity check (SQLite's; PostgreSQL's amcheck of the indexes)."""
    from geo.store import db

    if not db.is_postgis(location):
        import sqlite3

        con = sqlite3.connect(location)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        con.close()
        return
    with db.connect(location) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        for (index,) in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace"
        ).fetchall():
            conn.execute("SELECT bt_index_check(?::regclass, true)", (index,))


def found_in_box(location: Path | str, layer: str, box: tuple[float, float, float, float]) -> int:
    """How many features of ``layer`` the store's spatial index finds inside ``box`` (GeoPackage's R-tree,
    PostGIS's GiST index): an edit that moved a shape must have moved its index entry too.
    """
    import sqlite3

    from geo.store import db

    w, s, e, n = box
    if db.is_postgis(location):
        with db.connect(location) as conn:
            sql = f"SELECT COUNT(*) FROM {conn.ident(layer)} WHERE geom @ ST_MakeEnvelope(?, ?, ?, ?, 4326)"
            return int(conn.execute(sql, (w, s, e, n)).fetchone()[0])
    with sqlite3.connect(location) as con:
        rtree = db.quote_ident(f"rtree_{layer}_geom")
        sql = f"SELECT COUNT(*) FROM {rtree} WHERE minx >= ? AND maxx <= ? AND miny >= ? AND maxy <= ?"
        return int(con.execute(sql, (w, e, s, n)).fetchone()[0])


@pytest.fixture(scope="session")
def units() -> Any:
    """The 2024 units of the notice's store (the importer reads commune names against them)."""
    return Store(NOTICE_STORE).read("units")


@pytest.fixture(scope="session")
def notice_text() -> str:
    """The notice with whitespace folded, so quotations can be matched across its line breaks."""
    path = SHARED / "source" / "inspection-notice-2024-04-dinh-lap.md"
    if not path.is_file():
        pytest.skip("../shared/source is not beside the checkout")
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def facts_units() -> list[dict[str, str]]:
    import csv

    path = SHARED / "facts" / "dinhlap-units-2024.csv"
    if not path.is_file():
        pytest.skip("../shared/facts is not beside the checkout")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per browser-test module."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


_FAILED_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps the report of a test's setup or call, once failed, on the test, for its fixtures' teardown to read."""
    report = yield
    if report.when in ("setup", "call") and report.failed:
        item.stash[_FAILED_REPORT] = report
    return report


@pytest.fixture(autouse=True)
def _pages_closed_after_each_test(request: pytest.FixtureRequest) -> Any:
    """A browser test's pages (and their contexts) close when it ends: a page left open keeps its app's
    websocket, timers and map running (Playwright turns off Chromium's throttling of background pages)
    and takes the cores from the tests after it.

    A browser test that failed first leaves, for each page still open, a screenshot of what a person saw
    and what the app said it was doing (its script state, its runs, its last report), in its report: a
    Playwright wait that ran out says only which element it waited for."""
    yield
    if "browser" not in request.fixturenames:
        return
    browser = request.getfixturevalue("browser")
    try:
        if request.node.stash.get(_FAILED_REPORT, None) is not None:
            _picture_open_pages(request.node, browser)
    finally:  # the pictures, whatever became of them, never leave a page open for the tests after
        for context in list(browser.contexts):
            context.close()


def _picture_open_pages(item: pytest.Item, browser: Any) -> None:
    """What each page left open by a failed test showed, and its app state, into its report."""
    from tests.browser import Visit

    folder = ARTIFACTS / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-120:]
    lines = []
    pages = [page for context in browser.contexts for page in context.pages]
    for i, page in enumerate(pages):
        shot = folder / f"{name}-{i}.png"
        try:
            page.screenshot(path=str(shot), full_page=True, timeout=10000)
        except Exception as exc:  # a page that cannot be pictured is reported, and not asked again: it may hang
            said = (str(exc).splitlines() or [""])[0][:200]
            lines.append(f"page {i}: {page.url}\n  no screenshot: {type(exc).__name__}: {said}")
            continue
        lines.append(f"page {i}: {page.url}\n  screenshot {shot}\n  app state {Visit(page).app_state()}")
    if not pages:
        lines.append("no page was open when the test failed")
    item.add_report_section("teardown", "open pages", "\n".join(lines))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def app_page(page: str, **state: object):
    """The app run with AppTest on ``page`` (a file under pages/), with ``state`` in its session; no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """What a reader sees of a Streamlit message: its markdown escapes (``\\.``) and invisible joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@functools.cache
def _users_made(users: tuple[tuple[str, str], ...]) -> Path:
    from geo.auth.users import add_user

    folder = Path(tempfile.mkdtemp(prefix="dinhlap-users-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "users.json"
    for name, role in users:
        add_user(path, name, role, "mat-khau-dai")
    return path


def users_file(path: Path, users: dict[str, str]) -> Path:
    """A users file at ``path`` with ``users`` (name → role; password ``mat-khau-dai``), as ``add_user`` writes
    it: a copy of the one made for the same users earlier in this run (scrypt takes ~40 ms a password)."""
    shutil.copy(_users_made(tuple(users.items())), path)
    return path


def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users: dict[str, str], source: Path | None = None) -> Path:
    """A copy of ``source`` (default: the notice's store) that the app opens, with ``users`` (name → role;
    password ``mat-khau-dai``) in its users file; returns the copy's path."""
    store = tmp_path / "s.gpkg"
    shutil.copy(source or NOTICE_STORE, store)
    path = users_file(tmp_path / "users.json", users)
    monkeypatch.setenv(ENV_STORE, str(store))
    monkeypatch.setenv("DINHLAP_USERS", str(path))
    return store
