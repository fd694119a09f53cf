"""The DuckDB store: schema, connections, versioned uploads and their archive.

Access pattern (see README "Concurrency"): within a process, all threads share
one DuckDB connection per database file and each operation works on its own
cursor (DuckDB refuses concurrent calls on one connection and races when several
threads open the same file at once). The shared connection is closed as soon as
no operation uses it, which releases the file lock, so a second process (a
command-line ingest next to the dashboard) gets its turn; opening retries for a
while when another process holds the lock.

Every write (ingest, restore, targets, notes, meta, audit, the set-up of a new
database, rebuild) runs under one write lock per database: a thread lock inside
the process plus an `flock` on `<db>.lock` between processes. Two writers in one
transaction would otherwise conflict in DuckDB ("Conflict on tuple deletion")
and overwrite each other's manifest. Each write is one transaction, followed by
a fresh manifest, both inside the lock. Readers take no lock.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .errors import DatabaseBusy, GonError, NotFound
from .settings import db_path as default_db_path, lock_wait as lock_wait_seconds
from .vocab import KIND_AREA, KIND_PROVIDER, KIND_WIJ

if TYPE_CHECKING:
    import pandas as pd  # DuckDB imports it when a query returns a DataFrame

    from .load import LoadReport

MANIFEST = "manifest.json"
MANIFEST_TABLES = ("uploads", "current_uploads", "targets", "notes", "meta")


# path -> [connection, number of operations using it]
_SHARED: dict[str, list] = {}
_SHARED_LOCK = threading.Lock()


def _busy(wait: float) -> DatabaseBusy:
    seconds = round(wait)
    return DatabaseBusy(
        "De database is bezet door een ander proces (bijvoorbeeld een lopende upload); na "
        f"{seconds} {'seconde' if seconds == 1 else 'seconden'} wachten is het niet gelukt. Probeer het zo opnieuw."
    )


def _retry(attempt, deadline: float, wait: float):
    """Call `attempt()` until it returns something other than None, backing off; at
    `deadline` (time.monotonic) give up with DatabaseBusy (after `wait` seconds in all)."""
    delay = 0.05
    while (result := attempt()) is None:
        if time.monotonic() >= deadline:
            raise _busy(wait)
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    return result


def _without_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # DuckDB draws one on long queries (on when Python runs interactively, e.g. `python -c`),
    # which breaks `ingest --json`. A session setting: every cursor has its own.
    con.execute("SET enable_progress_bar = false")
    return con


def open_connection(path: Path, wait: float, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection without a progress bar, waiting while another process holds the
    file lock."""
    def attempt():
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():  # another process holds the file
                return None
            raise

    return _without_progress_bar(_retry(attempt, time.monotonic() + wait, wait))


class _WriteLock:
    """The write lock of one database: re-entrant within a thread (rebuild opens the
    rebuilt store while it holds the lock), exclusive between threads and processes."""

    def __init__(self, lock_file: Path):
        self.lock_file = lock_file
        self.threads = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    @contextlib.contextmanager
    def hold(self, wait: float):
        deadline = time.monotonic() + wait
        if not self.threads.acquire(timeout=wait):
            raise _busy(wait)
        try:
            if self.depth == 0:
                self.fd = self._lock_file(deadline, wait)
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0:
                    os.close(self.fd)  # releases the flock
                    self.fd = None
        finally:
            self.threads.release()

    def _lock_file(self, deadline: float, wait: float) -> int:
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)

        def attempt():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:  # another process writes
                return None

        try:
            return _retry(attempt, deadline, wait)
        except BaseException:
            os.close(fd)
            raise


_WRITE_LOCKS: dict[str, _WriteLock] = {}


def write_lock(db_path: Path, wait: float | None = None):
    """Hold the write lock of the database at `db_path` (a context manager); waits up to
    `wait` seconds for another thread or process, then raises DatabaseBusy."""
    key = str(Path(db_path).resolve())
    with _SHARED_LOCK:
        lock = _WRITE_LOCKS.setdefault(key, _WriteLock(Path(key + ".lock")))
    return lock.hold(lock_wait_seconds() if wait is None else wait)


class Store:
    """One project database plus its archive folder (`<db>.archive/` beside it)."""

    def __init__(self, db_path: str | Path | None = None, *, wait: float | None = None):
        self.path = Path(db_path) if db_path else default_db_path()
        self.archive_dir = self.path.with_name(self.path.name + ".archive")
        self.wait = lock_wait_seconds() if wait is None else wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The manifest written after this set-up repairs one a crash left a change behind.
        self._write(self._create_schema)

    def _create_schema(self, con) -> None:
        from . import targets

        con.execute(resources.files(__package__).joinpath("schema.sql").read_text())
        if con.execute("SELECT count(*) FROM targets").fetchone()[0] == 0:
            targets.insert_defaults(con)
        elif self._meta(con, targets.VERSION_KEY) != targets.TABLE_VERSION:
            # A database from before version 2: its starting points go, once, on the record.
            if change := targets.drop_v1_starting_points(con):
                self._bump_version(con)
                self._audit(con, "systeem", "doelen versie 2", change)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [targets.VERSION_KEY, targets.TABLE_VERSION])

    @staticmethod
    def _meta(con, key: str) -> str | None:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def write_lock(self):
        """This database's write lock (see the module docstring), with the store's patience."""
        return write_lock(self.path, self.wait)

    def _write(self, work, *, manifest: bool = True) -> None:
        """Run `work(con)` as one transaction under the write lock; then rewrite the manifest,
        still inside the lock, so it never falls behind another writer's commit."""
        with self.write_lock(), self.connect() as con:
            self._in_transaction(con, lambda: work(con))
            if manifest:
                self._write_manifest(con)

    @contextlib.contextmanager
    def connect(self):
        """A cursor of the process's shared connection; the last one out closes it."""
        key = str(self.path.resolve())
        with _SHARED_LOCK:
            shared = _SHARED.get(key)
            if shared is None:
                shared = _SHARED[key] = [open_connection(self.path, self.wait), 0]
            shared[1] += 1
            cursor = _without_progress_bar(shared[0].cursor())
        try:
            yield cursor
        finally:
            cursor.close()
            with _SHARED_LOCK:
                shared[1] -= 1
                if shared[1] == 0:
                    shared[0].close()
                    del _SHARED[key]

    # --- uploads ---------------------------------------------------------

    def ingest(self, data: bytes, file_name: str, user: str, max_bytes: int | None = None, *,
               into_demo: bool = False) -> LoadReport:
        """Validate and, if accepted, store one file whole: archive + one transaction.

        Real deliveries never go into the demo database, nor demo files into a real one."""
        from .load import check  # the readers are only needed by whoever loads files

        self._refuse_mixing(into_demo)  # before the expensive check
        report = check(data, file_name, max_bytes=max_bytes)  # the expensive part, outside the lock
        return self._keep(data, report, user)

    def ingest_checked(self, data: bytes, report: LoadReport, user: str, *, into_demo: bool = False) -> LoadReport:
        """Store a file that `load.check` has already validated (the preview on Aanleveren, the
        demo's files checked side by side) without reading and checking it again.

        `report` must be check()'s report of exactly these bytes, with its typed rows: the
        SHA-256 of `data` is compared with the report's, so what is stored is what was checked."""
        self._refuse_mixing(into_demo)
        if report.sha256 != hashlib.sha256(data).hexdigest():
            raise ValueError("the report was made of other bytes than those to be stored")
        if report.accepted and report.typed_rows is None:
            raise ValueError("the report has no rows to store (stored already, or kept without them)")
        return self._keep(data, report, user)

    def _refuse_mixing(self, into_demo: bool) -> None:
        if self.is_demo() != into_demo:
            raise GonError((_REAL_INTO_DEMO if into_demo is False else _DEMO_INTO_REAL).format(path=self.path))

    def _keep(self, data: bytes, report: LoadReport, user: str) -> LoadReport:
        """Store an accepted file's report (refused ones leave no trace, not even in the audit log)."""
        if not report.accepted:
            return report
        self._write(lambda con: self._store(con, data, report, user))
        report.typed_rows = None
        return report

    def _store(self, con, data: bytes, report: LoadReport, user: str) -> None:
        duplicate = con.execute("SELECT upload_id FROM uploads WHERE sha256 = ?", [report.sha256]).fetchone()
        if duplicate:
            report.duplicate_of = duplicate[0]
            report.warnings.append(
                f"Dit bestand is al eerder geladen (upload {duplicate[0]}); er is niets veranderd."
            )
            return
        # The raw file is written while DuckDB stores the rows (disk and CPU side by side);
        # it is complete before the transaction commits.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            archived = pool.submit(self._archive, data, report)
            self._store_rows(con, report, user)
        archived.result()  # a failed write fails the transaction

    def _store_rows(self, con, report: LoadReport, user: str, uploaded_at: dt.datetime | None = None) -> None:
        """A new upload with its rows, current for its slot (rebuild passes the file's time)."""
        upload_id = con.execute("SELECT nextval('upload_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [upload_id, report.kind, report.aanbieder, report.peildatum, report.file, report.sha256,
             user, uploaded_at or _now(), report.rows, _archive_name(report)],
        )
        self._insert_rows(con, report, upload_id)
        report.upload_id = upload_id
        report.replaces = self._make_current(con, upload_id)
        self._audit(con, user, "upload", f"upload {upload_id}: {report.file}")

    @staticmethod
    def _insert_rows(con, report: LoadReport, upload_id: int) -> None:
        table = _ROW_TABLES[report.kind]
        con.register("new_rows", report.typed_rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS upload_id, * FROM new_rows", [upload_id])
        con.unregister("new_rows")
        # The rows are in DuckDB now: their Arrow copy goes before the facts are refreshed (a
        # 1M-row file's ~100 MiB off the peak). Should the transaction fail, a retry through
        # desk.save checks the file again.
        report.typed_rows = None

    def _archive(self, data: bytes, report: LoadReport) -> None:
        """Keep the raw file, named by its hash; written before the commit, so an
        accepted upload always has its file. A file whose transaction never committed
        stays behind; a rebuild stores it as an upload, with a warning."""
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        target = self.archive_dir / _archive_name(report)
        if not target.exists():
            partial = target.with_suffix(".partial")
            partial.write_bytes(data)
            os.replace(partial, target)

    def _make_current(self, con, upload_id: int) -> int | None:
        """Point the upload's delivery slots at it: one for an extract, one per year for an
        area table. Returns the upload it replaced (for an area table, the newest of those
        it replaced in any of its years; itself when it was current already)."""
        previous = []
        for kind, slot, peildatum in con.execute(_SLOTS_SQL, [upload_id]).fetchall():
            held = con.execute(
                "SELECT upload_id FROM current_uploads WHERE kind = ? AND slot = ? AND peildatum = ?",
                [kind, slot, peildatum],
            ).fetchone()
            previous += held or []
            con.execute("INSERT OR REPLACE INTO current_uploads VALUES (?, ?, ?, ?)", [kind, slot, peildatum, upload_id])
        others = [i for i in previous if i != upload_id]
        replaced = max(others) if others else (upload_id if previous else None)
        from .metrics import refresh_facts  # the affected quarter's materialised facts, same transaction

        refresh_facts(con, upload_id, replaced)
        self._bump_version(con)
        return replaced

    def restore(self, upload_id: int, user: str) -> None:
        """Make an earlier upload the current one for its provider (or WIJ) and quarter; an
        area table for every year it holds."""
        def restore(con):
            if not con.execute("SELECT 1 FROM uploads WHERE upload_id = ?", [upload_id]).fetchone():
                raise NotFound(f"Upload {upload_id} bestaat niet.")
            self._make_current(con, upload_id)
            self._audit(con, user, "herstel", f"upload {upload_id} weer actueel gemaakt")

        self._write(restore)

    def history(self) -> pd.DataFrame:
        """Every accepted upload, newest first, with whether it is the current one (an area
        table: for every year it holds), and for an area table its years and the years it
        is current for (empty lists for an extract)."""
        with self.connect() as con:
            return con.execute(
                f"""
                WITH area AS (SELECT upload_id, list_sort(list(DISTINCT jaar)) AS years FROM area_rows GROUP BY ALL),
                held AS (
                    SELECT upload_id, count(*) AS slots,
                           list_sort(list(try_cast(slot AS INTEGER)) FILTER (WHERE kind = '{KIND_AREA}'))
                               AS current_years
                    FROM current_uploads GROUP BY ALL
                )
                SELECT u.upload_id, u.kind, u.aanbieder, u.peildatum, u.file_name, u.sha256,
                       u.uploaded_by, u.uploaded_at, u.n_rows,
                       coalesce(h.slots, 0) = coalesce(len(a.years), 1) AS current,
                       coalesce(a.years, []) AS years, coalesce(h.current_years, []) AS current_years
                FROM uploads u LEFT JOIN held h USING (upload_id) LEFT JOIN area a USING (upload_id)
                ORDER BY u.upload_id DESC
                """
            ).df()

    def area_table(self) -> pd.DataFrame:
        """The current area table (per year the latest area table holding it): jaar, gebied,
        inwoners, inwoners_75plus, lumpsum_euro, upload_id; by year and area code."""
        with self.connect() as con:
            return con.execute(
                "SELECT jaar, gebied, inwoners, inwoners_75plus, lumpsum_euro, upload_id "
                "FROM current_area_rows ORDER BY jaar, gebied"
            ).df()

    # --- targets and notes ------------------------------------------------

    def replace_targets(self, frame: pd.DataFrame, user: str) -> None:
        """Replace the targets table (validated by targets.set_targets); figures follow.
        One transaction: the targets, the new data version and the audit entry."""
        from .targets import set_targets

        def replace(con):
            set_targets(con, frame)
            self._bump_version(con)
            self._audit(con, user, "doelen gewijzigd", f"{len(frame)} regels")

        self._write(replace)

    def set_note(self, gebied: str, peildatum: dt.date, text: str, user: str) -> None:
        """The toelichting for one area (or 'stad') and quarter; empty text removes it.
        One transaction: the note and its audit entry."""
        def note(con):
            con.execute("DELETE FROM notes WHERE gebied = ? AND peildatum = ?", [gebied, peildatum])
            if text.strip():
                con.execute("INSERT INTO notes VALUES (?, ?, ?, ?, ?)", [gebied, peildatum, text.strip(), user, _now()])
            self._audit(con, user, "toelichting", f"{gebied} {peildatum}")

        self._write(note)

    def notes(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute("SELECT * FROM notes ORDER BY peildatum DESC, gebied").df()

    # --- bookkeeping -----------------------------------------------------

    @staticmethod
    def _in_transaction(con, work) -> None:
        con.execute("BEGIN")
        try:
            work()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @property
    def manifest_path(self) -> Path:
        return self.archive_dir / MANIFEST

    def _write_manifest(self, con) -> None:
        """The upload history, current versions, targets, notes and meta as JSON in
        the archive folder: with the archived files, enough to rebuild the database.
        Called under the write lock; written whole or not at all (temporary file + rename)."""
        if not self.manifest_path.exists() and con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0:
            return
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=MANIFEST + ".", suffix=".partial", dir=self.archive_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(self._manifest_text(con))
            os.replace(partial, self.manifest_path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    @staticmethod
    def _manifest_text(con) -> str:
        return json.dumps({name: _records(con, name) for name in MANIFEST_TABLES}, ensure_ascii=False, indent=1)

    def _audit(self, con, user: str, action: str, detail: str) -> None:
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?)", [_now(), user, action, detail])

    def audit(self, user: str, action: str, detail: str = "") -> None:
        self._write(lambda con: self._audit(con, user, action, detail), manifest=False)  # not in the manifest

    def _bump_version(self, con) -> None:
        con.execute(
            "INSERT OR REPLACE INTO meta SELECT 'data_version', "
            "(coalesce(max(value::BIGINT), 0) + 1)::VARCHAR FROM meta WHERE key = 'data_version'"
        )

    def data_version(self) -> int:
        """Changes with every upload or restore: the key for cached query results."""
        return int(self.get_meta("data_version") or 0)

    def get_meta(self, key: str) -> str | None:
        with self.connect() as con:
            return self._meta(con, key)

    def set_meta(self, key: str, value: str) -> None:
        self._write(lambda con: con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value]))

    def is_demo(self) -> bool:
        """Whether this is a demo database (synthetic data, gonmetrics.demo)."""
        return self.get_meta("demo") == "true"

    def is_empty(self) -> bool:
        with self.connect() as con:
            return not _holds_uploads(con)


def holds_deliveries(path: Path, wait: float | None = None) -> bool:
    """Whether the database at `path` holds a delivery, asked read-only: unlike Store(path),
    asking never writes to it (nor creates it)."""
    if not path.exists():
        return False
    con = open_connection(path, lock_wait_seconds() if wait is None else wait, read_only=True)
    try:
        return _holds_uploads(con)
    except duckdb.CatalogException:  # a file without the schema yet
        return False
    finally:
        con.close()


def _holds_uploads(con) -> bool:
    return con.execute("SELECT count(*) FROM uploads").fetchone()[0] > 0


_REAL_INTO_DEMO = (
    "{path} is een demodatabase met synthetische gegevens; echte extracten worden daar nooit in geladen. "
    "Laad ze in de echte database (zonder --db, of met GONMETRICS_DB naar de echte database)."
)
_DEMO_INTO_REAL = "De demodata worden nooit in een database zonder demomarkering geladen ({path})."


# Where each kind of delivery keeps its rows.
_ROW_TABLES = {KIND_PROVIDER: "trajectories", KIND_WIJ: "registrations", KIND_AREA: "area_rows"}

# The delivery slots of an upload (kind, slot, peildatum): an extract's provider (lower-
# cased; '' for WIJ) and quarter, or an area table's years (schema.sql, current_uploads).
_SLOTS_SQL = f"""
    SELECT kind, coalesce(lower(aanbieder), ''), peildatum FROM uploads WHERE upload_id = $1 AND kind <> '{KIND_AREA}'
    UNION ALL
    SELECT DISTINCT '{KIND_AREA}', jaar::VARCHAR, make_date(jaar, 12, 31) FROM area_rows WHERE upload_id = $1
    ORDER BY ALL
"""


def _records(con, table: str) -> list[dict]:
    """A manifest table's rows as JSON values, spelled as pandas' `to_dict("records")` of
    DuckDB's `.df()` spelled them before (what `rebuild` reads): a date as
    'YYYY-MM-DD 00:00:00', a NULL text or double as NaN. Without pandas: importing it took
    0.3 s of every command that writes."""
    cursor = con.execute(f"SELECT * FROM {table} ORDER BY ALL")
    columns = [(name, str(kind)) for name, kind, *_ in cursor.description]
    return [{name: _json_value(value, kind) for (name, kind), value in zip(columns, row)} for row in cursor.fetchall()]


def _json_value(value, kind: str):
    if value is None:
        return math.nan if kind in ("VARCHAR", "DOUBLE") else None
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return f"{value} 00:00:00"
    return value


def _archive_name(report: LoadReport) -> str:
    return f"{report.sha256}.{report.fmt}"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
