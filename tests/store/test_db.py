"""The store's two backends behind one interface: what a PostgreSQL server going away does to a write (nothing
half-written, a plain message, the next write works), and a location shown without its password."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

from geo.demo.synthetic import cadastral
from geo.importer import suggested_values, validate
from geo.store import db
from geo.store.changelog import EditError
from geo.store.edit import edit
from geo.store.ingest import commit
from geo.store.reads import Store
from tests import import_files as F
from tests.conftest import assert_sound


def _counts(location: str) -> tuple[int, int]:
    with db.connect(location) as conn:
        parcels = conn.execute('SELECT COUNT(*) FROM "cadastral_parcels"').fetchone()[0]
        log = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    return int(parcels), int(log)


def _copying(cluster: Any, timeout: float = 60) -> None:
    """Wait until the server is running a COPY into the parcels (the import is half-way in)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(cluster.url(), autocommit=True) as watch:
        while time.monotonic() < deadline:
            row = watch.execute(
                "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY \"cadastral_parcels\"%'"
            ).fetchone()
            if row:
                return
            time.sleep(0.01)
    raise AssertionError("the import never reached its COPY")


def test_a_server_stopped_mid_import_keeps_nothing_half_written_and_the_next_edit_works(
    tmp_path, own_pg_notice, units
) -> None:
    pg_cluster, server = own_pg_notice
    office = cadastral(30_000)
    path = F.shapefile(tmp_path, frame=office, name="dia_chinh", encoding="cp1258")
    first = validate(path, layer="cadastral_parcels", units=units)
    report = validate(path, layer="cadastral_parcels", units=units, values=suggested_values(first.values))
    assert report.exit_code == 0
    before = _counts(server)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["written"] = commit(server, report, "lan", layer="cadastral_parcels", mode="replace")
        except EditError as err:
            outcome["error"] = err

    writer = threading.Thread(target=run)
    writer.start()
    try:
        _copying(pg_cluster)
        pg_cluster.stop("immediate")  # as if the database machine lost power mid-import
        writer.join(60)
    finally:
        pg_cluster.start()
    assert "written" not in outcome
    message = outcome["error"].message("vi")
    assert "Máy chủ cơ sở dữ liệu không trả lời; chưa có gì được ghi" in message
    assert "did not answer; nothing was written" in outcome["error"].message("en")
    # Back up: not one parcel of the interrupted import, not one of its change-log rows; the store is sound.
    assert _counts(server) == before
    assert_sound(server)
    # The next write works at once (the dead connections of this process are not handed out again), and so
    # does the same import again.
    rows = edit(server, "ql4b_segments", "QL4B-18-20", {"clearance_pct": 60.0}, "lan", "sau sự cố")
    assert [r.new for r in rows] == [60.0]
    assert commit(server, report, "lan", layer="cadastral_parcels", mode="replace") == 30_000
    assert _counts(server) == (30_000, before[1] + 1 + before[0] + 30_000)  # the edit, the parcels out and in
    assert Store(server).meta()["cadastral_parcels"].demo is False


def test_a_location_is_shown_without_its_password(tmp_path) -> None:
    assert (
        db.label("postgresql://dinhlap:bi-mat@db.internal:5432/dinhlap")
        == "postgresql://dinhlap@db.internal:5432/dinhlap"
    )
    assert db.label(tmp_path / "kho.gpkg") == "kho.gpkg"
    assert db.is_postgis("postgres://h/d") and not db.is_postgis(tmp_path / "postgresql.gpkg")
    with pytest.raises(FileNotFoundError), db.connect(tmp_path / "none.gpkg"):
        pass


def _stale(location, drawn: str, tables: tuple[str, ...] = ()) -> bool:
    """What the page's watcher (ui/static/watch/watch.js) decides from its replica's versions file."""
    from geo.store.reads import version_number, versions_document

    doc = versions_document(location)
    newest = max((doc["tables"].get(t, 0) for t in tables), default=doc["store"])
    return newest > version_number(drawn)


def test_each_table_keeps_the_version_of_its_last_change(pg_cluster, pg_notice, store_copy) -> None:
    server = pg_cluster.database(template=pg_notice)
    drawn = Store(server).version
    before = {t: Store(server).table_version(t) for t in ("indicators", "ql4b_segments")}
    edit(server, "indicators", "winter_crops", {"value": 171.5}, "lan", "Báo cáo vụ đông")
    # A page of QL4B is not rerun for an indicator's change; a page of figures is; the store moved on.
    assert not _stale(server, drawn, ("ql4b_segments", "units"))
    assert _stale(server, drawn, ("indicators",))
    assert _stale(server, drawn)
    after = Store(server)
    assert after.version != drawn
    assert after.table_version("ql4b_segments") == before["ql4b_segments"]  # its caches stay warm
    assert after.table_version("indicators") != before["indicators"]
    # A rollback moves the tables it wrote back.
    from geo.store.edit import rollback_to

    drawn = after.version
    rollback_to(server, "2024-04-25", "admin")
    assert _stale(server, drawn, ("indicators",))
    # On a GeoPackage any write moves the one file's version: every page reruns.
    drawn = Store(store_copy).version
    edit(store_copy, "indicators", "winter_crops", {"value": 171.5}, "lan")
    assert _stale(store_copy, drawn, ("ql4b_segments",))


@pytest.mark.parametrize("name", ['tên "lạ" 50% đúng?', "user", "a;DROP TABLE audit_log;--"])
def test_a_name_with_quotes_percent_and_question_mark_is_one_identifier_on_both_stores(any_store, name) -> None:
    """Names go into SQL through the session (psycopg.sql on PostGIS, one quoting helper on a GeoPackage):
    whatever they hold, they name one table and one column, and a ``?`` in them is no placeholder."""
    with db.connect(any_store) as conn:
        table, column = conn.ident(name), conn.ident(name + " cột")

        def run() -> None:
            conn.execute(f"CREATE TABLE {table} ({column} TEXT)")
            conn.execute(f"INSERT INTO {table} ({column}) VALUES (?)", ("giá trị?",))

        conn.write(run)
        assert conn.execute(f"SELECT {column} FROM {table}").fetchall() == [("giá trị?",)]
        assert conn.has_table(name) and conn.columns(name) == [name + " cột"]
        assert conn.has_table("audit_log")
