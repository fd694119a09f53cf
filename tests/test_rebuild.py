"""Rebuild from the archive: it loses no delivery the archive holds, waits for a running
write, keeps the audit log and every earlier database."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pandas as pd

import gonmetrics.rebuild as rebuild_module
from gonmetrics.metrics import export_frame
from gonmetrics.rebuild import rebuild
from gonmetrics.store import Store
from tests.test_robustness import python, rows

KILLED_AFTER_COMMIT = """
import os
from gonmetrics.store import Store
store = Store({db!r})

def die(self, con):  # the moment between COMMIT and the manifest write
    os._exit(1)

Store._write_manifest = die
store.ingest(open({file!r}, "rb").read(), "q1-correctie.csv", user="bob")
"""

INGEST_AND_DIE_WITH_THE_WAL = """
import os
from gonmetrics.store import Store
store = Store({db!r})
with store.connect():  # the connection stays open: the commit stays in the WAL, as after a crash
    report = store.ingest(open({file!r}, "rb").read(), {name!r}, user="ana")
    print(report.upload_id, flush=True)
    os._exit(0)
"""


def run(code: str) -> str:
    process = python(code)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    return out


def read_only(path) -> duckdb.DuckDBPyConnection:
    """The database as it is on disk, without Store's set-up (which would repair the manifest)."""
    return duckdb.connect(str(path), read_only=True)


def wal(path):
    return path.with_name(path.name + ".wal")


def backups(db):
    return sorted(p for p in db.parent.glob(db.name + ".bak-*") if p.suffix != ".wal")


def test_a_crash_between_commit_and_manifest_loses_no_upload(tmp_path):
    db = tmp_path / "gon.duckdb"
    Store(db).ingest(rows(40), "q1.csv", user="ana")
    (tmp_path / "q1-correctie.csv").write_bytes(rows(60))
    run(KILLED_AFTER_COMMIT.format(db=str(db), file=str(tmp_path / "q1-correctie.csv")))
    with read_only(db) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 2  # committed
        original = export_frame(con)
    assert '"upload_id": 2' not in (tmp_path / "gon.duckdb.archive" / "manifest.json").read_text()

    db.unlink()  # the database is lost; the manifest is one upload behind
    wal(db).unlink()
    result = rebuild(db)

    assert len(result.problems) == 1 and "hersteld als upload 2" in result.problems[0]
    rebuilt = Store(db)
    history = rebuilt.history().set_index("upload_id")
    assert list(history.index) == [2, 1]
    assert history.loc[2, "uploaded_by"] == "herbouw" and bool(history.loc[2, "current"])
    assert not history.loc[1, "current"]
    with rebuilt.connect() as con:
        pd.testing.assert_frame_equal(export_frame(con), original)
    assert rebuilt.ingest(rows(5, provider="Derde Zorg"), "derde.csv", user="ana").upload_id == 3


def test_a_rebuild_started_during_an_ingest_waits_and_keeps_its_upload(tmp_path, monkeypatch):
    db = tmp_path / "gon.duckdb"
    store = Store(db)
    store.ingest(rows(10), "q1.csv", user="ana")
    inside, release, wants_lock, rebuilt = (threading.Event() for _ in range(4))
    original_store, original_lock = Store._store, rebuild_module.__dict__.get("write_lock")

    def slow_store(self, con, data, report, user):
        inside.set()  # the ingest holds the write lock, its transaction is open
        assert release.wait(60)
        return original_store(self, con, data, report, user)

    def announced_lock(*args, **kwargs):
        wants_lock.set()
        return original_lock(*args, **kwargs)

    monkeypatch.setattr(Store, "_store", slow_store)
    monkeypatch.setattr(rebuild_module, "write_lock", announced_lock, raising=False)
    reports, errors = [], []

    def ingest():
        reports.append(store.ingest(rows(20, provider="Andere Zorg"), "ander.csv", user="bob"))

    def run_rebuild():
        try:
            rebuild(db)
        except Exception as exc:  # noqa: BLE001 - any error is a failure here
            errors.append(exc)
        rebuilt.set()

    ingesting = threading.Thread(target=ingest)
    ingesting.start()
    assert inside.wait(60)
    rebuilding = threading.Thread(target=run_rebuild)
    rebuilding.start()
    wants_lock.wait(10)
    assert not rebuilt.is_set()  # the rebuild waits for the ingest's commit
    release.set()
    ingesting.join()
    rebuilding.join()
    assert errors == []
    assert reports[0].upload_id == 2
    history = Store(db).history().set_index("upload_id")
    assert list(history.index) == [2, 1] and history.loc[2, "file_name"] == "ander.csv"


def test_the_audit_log_survives_a_rebuild(tmp_path):
    db = tmp_path / "gon.duckdb"
    store = Store(db)
    store.ingest(rows(10), "q1.csv", user="ana")
    store.set_note("west", dt.date(2027, 3, 31), "Toelichting.", user="bob")
    store.audit("carla", "inloggen")
    with store.connect() as con:
        before = con.execute("SELECT * FROM audit_log ORDER BY ALL").fetchall()
    assert len(before) == 3

    rebuild(db)

    with Store(db).connect() as con:
        after = con.execute("SELECT * FROM audit_log ORDER BY ALL").fetchall()
    assert [entry for entry in after if entry not in before] == [
        entry for entry in after if entry[2] == "herbouw"
    ]
    assert len(after) == 4 and set(before) <= set(after)


def test_two_rebuilds_leave_two_backups_each_with_its_wal(tmp_path):
    db = tmp_path / "gon.duckdb"
    for name, provider in (("q1.csv", "Zorg BV"), ("ander.csv", "Andere Zorg")):
        (tmp_path / name).write_bytes(rows(10, provider=provider))
    run(INGEST_AND_DIE_WITH_THE_WAL.format(db=str(db), file=str(tmp_path / "q1.csv"), name="q1.csv"))
    assert wal(db).exists()
    with read_only(db) as con:
        first_state = con.execute("SELECT * FROM uploads").fetchall()

    first = rebuild(db)
    run(INGEST_AND_DIE_WITH_THE_WAL.format(db=str(db), file=str(tmp_path / "ander.csv"), name="ander.csv"))
    assert wal(db).exists()
    second = rebuild(db)

    assert backups(db) == sorted([first.backup, second.backup]) and first.backup != second.backup
    assert wal(first.backup).exists() and wal(second.backup).exists()
    with read_only(first.backup) as con:
        assert con.execute("SELECT * FROM uploads").fetchall() == first_state
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'herbouw'").fetchone()[0] == 0
    with read_only(second.backup) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 2
    assert len(Store(db).history()) == 2


def test_an_unreadable_database_is_rebuilt_from_the_manifest_and_kept(tmp_path):
    db = tmp_path / "gon.duckdb"
    Store(db).ingest(rows(10), "q1.csv", user="ana")
    db.write_bytes(b"no database" * 1000)

    result = rebuild(db)

    assert len(result.problems) == 1 and "kon niet worden gelezen" in result.problems[0]
    assert result.backup.read_bytes() == b"no database" * 1000
    history = Store(db).history()
    assert list(history["file_name"]) == ["q1.csv"] and list(history["uploaded_by"]) == ["ana"]
