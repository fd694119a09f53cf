"""Concurrency, crashes and recovery of the store (issue "Access, privacy and robustness")."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from gonmetrics.store import Store
from tests.conftest import ROW, provider_csv
from tests.test_validate import replace_field

PROJECT = Path(__file__).resolve().parent.parent


def rows(n: int, provider: str = "Zorg BV") -> bytes:
    return provider_csv(*(replace_field(replace_field(ROW, 0, provider), 2, f"client-{i:06d}") for i in range(n)))


def count(store: Store) -> int:
    with store.connect() as con:
        return con.execute("SELECT count(*) FROM current_trajectories").fetchone()[0]


def python(code: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT), **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=PROJECT, env=env)


def test_twenty_readers_see_before_or_after_never_between(store):
    store.ingest(rows(3000), "q1.csv", user="ana")
    redelivery = rows(5000)
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.add(count(store))
            except Exception as exc:  # noqa: BLE001 - any error is a failure here
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.2)
        report = store.ingest(redelivery, "q1-correctie.csv", user="ana")
        time.sleep(0.2)
    finally:  # the readers must stop even when the ingest fails
        stop.set()
        for t in threads:
            t.join()
    assert report.accepted and report.replaces == 1
    assert errors == []
    assert seen == {3000, 5000}


# Holds the database open until the test sends a line: no timing decides who is first.
HOLD = """
import sys
from gonmetrics.store import Store
store = Store({db!r})
with store.connect() as con:
    print("holding", flush=True)
    sys.stdin.readline()
"""


def ingest_command(db: Path, file: Path, **env) -> list:
    return [sys.executable, "-m", "gonmetrics", "ingest", str(file), "--db", str(db)], {
        **os.environ, "PYTHONPATH": str(PROJECT), **env}


def test_second_process_ingest_waits_for_the_holder_and_succeeds(tmp_path):
    db = tmp_path / "gon.duckdb"
    Store(db)
    holder = python(HOLD.format(db=str(db)))
    assert holder.stdout.readline().strip() == "holding"
    (tmp_path / "q1.csv").write_bytes(rows(10))
    command, env = ingest_command(db, tmp_path / "q1.csv")
    ingest = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT, env=env)
    try:  # while the holder holds on, the ingest can only wait (a store that did not wait would be done)
        ingest.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass
    assert ingest.returncode is None, ingest.stderr.read()
    holder.communicate("\n", timeout=30)
    _, stderr = ingest.communicate(timeout=60)
    assert ingest.returncode == 0, stderr
    assert count(Store(db)) == 10


def test_second_process_ingest_gives_up_with_a_clear_reason(tmp_path):
    db = tmp_path / "gon.duckdb"
    Store(db)
    holder = python(HOLD.format(db=str(db)))
    assert holder.stdout.readline().strip() == "holding"
    (tmp_path / "q1.csv").write_bytes(rows(10))
    command, env = ingest_command(db, tmp_path / "q1.csv", GONMETRICS_LOCK_WAIT="1")
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, timeout=60, env=env)
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 1
    assert "bezet door een ander proces" in result.stderr
    assert "Traceback" not in result.stderr
    assert Store(db).is_empty()


KILLED_MID_INGEST = """
import sys, time
from gonmetrics.store import Store
original = Store._make_current

def slow(self, con, upload_id):
    print("inside", flush=True)  # rows are inserted, the transaction is still open
    time.sleep(30)
    return original(self, con, upload_id)

Store._make_current = slow
store = Store({db!r})
store.ingest(open({file!r}, "rb").read(), "q2.csv", user="ana")
"""


def test_sigkill_mid_ingest_leaves_the_database_as_it_was(tmp_path):
    db = tmp_path / "gon.duckdb"
    store = Store(db)
    store.ingest(rows(50), "q1.csv", user="ana")
    (tmp_path / "q2.csv").write_bytes(rows(20000, provider="Andere Zorg"))
    victim = python(KILLED_MID_INGEST.format(db=str(db), file=str(tmp_path / "q2.csv")))
    assert victim.stdout.readline().strip() == "inside"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    reopened = Store(db)
    assert len(reopened.history()) == 1
    with reopened.connect() as con:
        assert con.execute("SELECT count(*) FROM trajectories").fetchone()[0] == 50
    assert reopened.ingest(rows(5, provider="Derde Zorg"), "q3.csv", user="ana").upload_id == 2


def export_of(store: Store) -> str:
    from gonmetrics.metrics import export_csv, export_frame

    with store.connect() as con:
        return export_csv(export_frame(con))


def test_rebuild_from_the_archive_gives_the_same_export(tmp_path):
    from gonmetrics.rebuild import rebuild
    from tests.conftest import WIJ_ROW, wij_csv

    db = tmp_path / "gon.duckdb"
    store = Store(db)
    first = store.ingest(rows(40), "q1.csv", user="ana")
    store.ingest(rows(60), "q1-correctie.csv", user="bob")
    store.restore(first.upload_id, user="ana")  # the history must survive, not only the latest files
    store.ingest(rows(7, provider="Andere Zorg"), "ander.csv", user="ana")
    store.ingest(wij_csv(WIJ_ROW), "wij.csv", user="ana")
    store.set_note("west", dt.date(2027, 3, 31), "Nieuwe aanbieder gestart.", user="ana")
    original_export, original_history = export_of(store), store.history()
    assert original_export.count("\n") > 50

    db.unlink()  # the database is lost; the archive folder remains
    assert rebuild(db).problems == []
    rebuilt = Store(db)
    assert export_of(rebuilt) == original_export
    assert rebuilt.history().equals(original_history)
    assert list(rebuilt.notes()["text"]) == ["Nieuwe aanbieder gestart."]
    assert rebuilt.ingest(rows(3, provider="Derde Zorg"), "derde.csv", user="ana").upload_id == 5


def test_rebuild_command_reports_and_keeps_the_old_database(tmp_path):
    db = tmp_path / "gon.duckdb"
    Store(db).ingest(rows(5), "q1.csv", user="ana")
    result = subprocess.run([sys.executable, "-m", "gonmetrics", "rebuild", "--db", str(db)], capture_output=True,
                            text=True, cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "herbouwd" in result.stdout
    [backup] = tmp_path.glob("gon.duckdb.bak-*")
    assert backup.name in result.stdout
    assert count(Store(db)) == 5


def manifest_is_current(store: Store) -> bool:
    """The manifest holds exactly what the database holds, and no temporary file is left."""
    with store.connect() as con:
        expected = store._manifest_text(con)
    leftovers = [p.name for p in store.archive_dir.iterdir() if p.suffix == ".partial"]
    return store.manifest_path.read_text(encoding="utf-8") == expected and leftovers == []


def test_two_analysts_saving_at_once_both_get_their_file_stored(tmp_path):
    for attempt in range(10):
        store = Store(tmp_path / f"gon{attempt}.duckdb")
        files = {"west.csv": rows(30), "ander.csv": rows(20, provider="Andere Zorg")}
        start, reports, errors = threading.Barrier(2), {}, []

        def save(name):
            start.wait()
            try:
                reports[name] = store.ingest(files[name], name, user="ana")
            except Exception as exc:  # noqa: BLE001 - any error is a failure here
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(name,)) for name in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], f"attempt {attempt}"
        assert sorted(r.upload_id for r in reports.values()) == [1, 2]
        stored = dict(zip(store.history()["file_name"], store.history()["upload_id"]))
        assert stored == {name: report.upload_id for name, report in reports.items()}
        assert count(store) == 50
        assert manifest_is_current(store)


def test_eight_writers_at_once_all_succeed_and_the_manifest_follows(store):
    writers, writes = 8, 30
    start, errors = threading.Barrier(writers), []
    uploads: dict[int, list[int]] = {w: [] for w in range(writers)}

    def write(worker: int, step: int) -> None:
        if step % 3 == 0 or not uploads[worker]:
            data = rows(3, provider=f"Zorg {worker}")
            data = data.replace(b"client-0000", f"client-{worker}-{step}-".encode())
            report = store.ingest(data, f"w{worker}-{step}.csv", user=f"user{worker}")
            assert report.accepted and report.upload_id and report.duplicate_of is None
            uploads[worker].append(report.upload_id)
        elif step % 3 == 1:
            store.restore(uploads[worker][0], user=f"user{worker}")
        else:
            store.set_note(f"gebied{worker}", dt.date(2027, 3, 31), f"stap {step}", user=f"user{worker}")

    def worker(number: int) -> None:
        start.wait()
        for step in range(writes):
            try:
                write(number, step)
            except Exception as exc:  # noqa: BLE001 - any error is a failure here
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = sorted(store.history()["upload_id"])
    assert stored == sorted(i for ids in uploads.values() for i in ids) and len(stored) == writers * 10
    assert len(store.notes()) == writers
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == writers * writes
    assert manifest_is_current(store)


HOLD_WRITE_LOCK = """
import time
from gonmetrics.store import Store
store = Store({db!r})
with store.write_lock():
    print("holding", flush=True)
    time.sleep({seconds})
"""


def test_a_write_waits_for_the_write_lock_of_another_process_then_says_why(tmp_path):
    from gonmetrics.errors import DatabaseBusy

    db = tmp_path / "gon.duckdb"
    Store(db)
    holder = python(HOLD_WRITE_LOCK.format(db=str(db), seconds=30))
    try:
        assert holder.stdout.readline().strip() == "holding"
        try:
            Store(db, wait=0.5).set_note("west", dt.date(2027, 3, 31), "tekst", user="ana")
        except DatabaseBusy as exc:
            assert "bezet" in str(exc)
        else:
            raise AssertionError("the write should not pass the other process's lock")
    finally:
        holder.kill()
        holder.wait()
    Store(db).set_note("west", dt.date(2027, 3, 31), "tekst", user="ana")  # the lock died with its holder
    assert len(Store(db).notes()) == 1
