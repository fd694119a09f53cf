"""Rebuild a database from its archive of raw files.

The archive (`<db>.archive/`, files named `<sha256>.<csv|xlsx>`) is the truth: every
archived file is read and validated again. Upload ids, uploaders, times, current
versions, targets, notes, meta and the audit log come from the current database when
it can be opened, else from `manifest.json` (then without the audit log). An archived
file that neither knows (a crash between the commit and the manifest write) is stored
all the same, as a new upload by 'herbouw' made current for its delivery slot, and
reported. The rebuilt database gives the same export as the original.

Rebuild holds the database's write lock throughout, so it waits for a running write
and no write slips in. The previous database is moved aside with its WAL under a new
timestamped name (`<db>.bak-<YYYYmmddTHHMMSS>`); earlier backups are never touched.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .errors import DatabaseBusy, GonError
from .load import LoadReport, check
from .metrics import refresh_all_facts
from .store import MANIFEST, MANIFEST_TABLES, Store, lock_wait_seconds, open_connection, write_lock

REBUILDER = "herbouw"
ARCHIVED_FILE = re.compile(r"[0-9a-f]{64}\.(csv|xlsx)")
# What a rebuild carries over besides the rows: the manifest's tables plus the audit log.
KNOWN_TABLES = (*MANIFEST_TABLES, "audit_log")


@dataclass
class Rebuilt:
    problems: list[str]  # Dutch warnings: files missing, refused or recovered
    backup: Path | None  # where the previous database is now (None: there was none)


def rebuild(db_path: Path, wait: float | None = None) -> Rebuilt:
    """Replace `db_path` by a database rebuilt from `<db_path>.archive/`, under its write lock."""
    db_path = Path(db_path)
    wait = lock_wait_seconds() if wait is None else wait
    archive = db_path.with_name(db_path.name + ".archive")
    if not archive.is_dir():
        raise GonError(f"Geen archief gevonden in {archive}; herbouwen is niet mogelijk.")
    with write_lock(db_path, wait):
        known, problems = _known_state(db_path, archive, wait)
        fresh = _build_fresh(db_path, archive, known, problems)
        backup = _move_aside(db_path)
        _move_with_wal(fresh, db_path)
        Store(db_path, wait=wait)  # rewrites the manifest from the rebuilt database
    return Rebuilt(problems, backup)


# --- what is known about the uploads -----------------------------------------------------


def _known_state(db_path: Path, archive: Path, wait: float) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables of KNOWN_TABLES from the current database if it opens, else from the manifest
    (no audit log there); a table nobody knows is left out. Also the problems met."""
    problems = []
    if db_path.exists():  # a WAL without its database holds nothing readable
        try:
            return _read_database(db_path, wait), problems
        except (DatabaseBusy, duckdb.ConnectionException):
            raise  # in use (by another process, or this one): no reason to fall back on the manifest
        except duckdb.Error as exc:
            problems.append(f"De huidige database kon niet worden gelezen ({exc}); de uploadgegevens komen "
                            "uit het manifest en de auditlog van vóór de herbouw gaat verloren.")
    try:
        manifest = json.loads((archive / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, problems  # every archived file is then unknown, and recovered as such
    return {table: pd.DataFrame(manifest[table]) for table in MANIFEST_TABLES if table in manifest}, problems


def _read_database(db_path: Path, wait: float) -> dict[str, pd.DataFrame]:
    # Read-only: the file and its WAL stay exactly as they were, to become the backup.
    with open_connection(db_path, wait, read_only=True) as con:
        return {table: con.execute(f"SELECT * FROM {table}").df() for table in KNOWN_TABLES}


# --- the rebuilt database ----------------------------------------------------------------


def _build_fresh(db_path: Path, archive: Path, known: dict[str, pd.DataFrame], problems: list[str]) -> Path:
    """The rebuilt database, beside the original (moved into place only when complete)."""
    fresh = db_path.with_name(db_path.name + ".rebuilding")
    for leftover in (fresh, _wal(fresh)):  # of a rebuild that crashed
        leftover.unlink(missing_ok=True)
    store = Store(fresh)
    uploads = known.get("uploads")
    if uploads is None or uploads.empty:  # an empty manifest table comes without columns
        uploads = pd.DataFrame(columns=["upload_id", "archive_name"])

    def fill(con):
        for upload in uploads.sort_values("upload_id").to_dict("records"):
            _restore_known(con, archive, upload, problems)
        for table in ("current_uploads", "targets", "notes", "meta", "audit_log"):
            _copy_table(con, table, known.get(table))
        refresh_all_facts(con)  # the materialised facts of the restored current versions
        _continue_upload_ids_after(con, max(uploads["upload_id"], default=0))
        known_files = set(uploads["archive_name"])
        recovered = [p for p in _archived_files(archive) if p.name not in known_files]
        for path in recovered:
            _recover_unknown(store, con, path, problems)
        store._bump_version(con)  # new cache keys for a dashboard that kept the old figures
        store._audit(con, REBUILDER, REBUILDER, f"{len(uploads)} bekende en {len(recovered)} onbekende archiefbestanden")

    store._write(fill, manifest=False)  # the manifest belongs to the database at db_path
    _lock_file(fresh).unlink(missing_ok=True)  # nobody else ever locks the temporary database
    return fresh


def _restore_known(con, archive: Path, upload: dict, problems: list[str]) -> None:
    """Store a known upload again under its own id, uploader and time."""
    report = _read_archived(archive / upload["archive_name"], upload["file_name"], problems,
                            f"Upload {upload['upload_id']} ({upload['file_name']})")
    if report is None:
        return
    con.register("u", pd.DataFrame([upload]))
    con.execute("INSERT INTO uploads BY NAME SELECT * REPLACE (peildatum::DATE AS peildatum, "
                "uploaded_at::TIMESTAMP AS uploaded_at) FROM u")
    con.unregister("u")
    Store._insert_rows(con, report, int(upload["upload_id"]))


def _recover_unknown(store: Store, con, path: Path, problems: list[str]) -> None:
    """An archived file neither the database nor the manifest knows: stored as a normal ingest
    would (a new upload id, current for its slot), at the time the file was archived."""
    report = _read_archived(path, path.name, problems, f"Archiefbestand {path.name}")
    if report is None:
        return
    archived_at = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    store._store_rows(con, report, REBUILDER, uploaded_at=archived_at)
    who = f", {report.aanbieder}" if report.aanbieder else ""
    problems.append(
        f"Archiefbestand {path.name} ({report.kind}{who}, peildatum {report.peildatum}) stond niet in de "
        f"database of het manifest, bijvoorbeeld na een crash vlak na het opslaan; hersteld als upload "
        f"{report.upload_id} (geladen door '{REBUILDER}', tijd van het archiefbestand)."
    )


def _read_archived(path: Path, file_name: str, problems: list[str], what: str) -> LoadReport | None:
    """The file validated again, or None with the reason added to `problems`."""
    if not path.exists():
        problems.append(f"{what}: archiefbestand ontbreekt.")
        return None
    data = path.read_bytes()
    report = check(data, file_name)
    if not report.accepted:
        problems.append(f"{what}: voldoet niet meer aan het aanleverformat.")
        return None
    if ARCHIVED_FILE.fullmatch(path.name) and not path.name.startswith(report.sha256):
        problems.append(f"{what}: het archiefbestand is beschadigd (de inhoud past niet bij de naam).")
        return None
    return report


def _copy_table(con, table: str, rows: pd.DataFrame | None) -> None:
    if rows is None:  # nobody knows it: keep what a new database starts with
        return
    con.execute(f"DELETE FROM {table}")
    if not rows.empty:
        con.register("known_rows", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM known_rows")
        con.unregister("known_rows")


def _continue_upload_ids_after(con, last_id: int) -> None:
    con.execute("DROP SEQUENCE upload_seq")
    con.execute(f"CREATE SEQUENCE upload_seq START {int(last_id) + 1}")


def _archived_files(archive: Path) -> list[Path]:
    """The raw files of the archive, oldest first (the order in which they were stored)."""
    files = [p for p in archive.iterdir() if ARCHIVED_FILE.fullmatch(p.name)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


# --- moving files ------------------------------------------------------------------------


def _move_aside(db_path: Path) -> Path | None:
    """Move the database and its WAL together to a new backup name; returns it."""
    if not db_path.exists() and not _wal(db_path).exists():
        return None
    backup = _new_backup_name(db_path)
    _move_with_wal(db_path, backup)
    return backup


def _new_backup_name(db_path: Path) -> Path:
    """`<db>.bak-<time>`, with `-2`, `-3`, ... when a backup of that second exists already."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    names = (db_path.with_name(f"{db_path.name}.bak-{stamp}" + (f"-{n}" if n > 1 else "")) for n in itertools.count(1))
    return next(name for name in names if not name.exists() and not _wal(name).exists())


def _move_with_wal(source: Path, target: Path) -> None:
    # The WAL first: a crash in between leaves the database without its last commits (a
    # rebuild recovers them from the archive), never a WAL beside a database not its own.
    for src, dst in ((_wal(source), _wal(target)), (source, target)):
        if src.exists():
            os.replace(src, dst)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")
