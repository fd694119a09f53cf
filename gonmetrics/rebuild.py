"""Rebuild a database from its archive: the raw files plus manifest.json.

Every archived file is read and validated again and stored under its original
upload id, uploader and time; then the current versions, targets, notes and meta
are restored. The rebuilt database gives the same export as the original.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from .errors import GonError
from .load import check
from .metrics import refresh_all_facts
from .store import MANIFEST, Store


def rebuild(db_path: Path) -> list[str]:
    """Replace `db_path` by a database rebuilt from `<db_path>.archive/`; returns problems found
    (files that are missing or no longer pass validation). The old file is kept as `.bak`."""
    db_path = Path(db_path)
    archive = db_path.with_name(db_path.name + ".archive")
    try:
        manifest = json.loads((archive / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GonError(f"Geen archief met {MANIFEST} gevonden in {archive}; herbouwen is niet mogelijk.") from None
    fresh = db_path.with_name(db_path.name + ".rebuilding")
    fresh.unlink(missing_ok=True)
    store = Store(fresh)  # built beside the original, moved into place when complete
    problems = []
    with store.connect() as con:
        con.execute("BEGIN")
        for upload in sorted(manifest["uploads"], key=lambda u: u["upload_id"]):
            problem = _restore_upload(con, archive, upload)
            if problem:
                problems.append(problem)
        for table in ("current_uploads", "targets", "notes", "meta"):
            con.execute(f"DELETE FROM {table}")
            rows = pd.DataFrame(manifest[table])
            if not rows.empty:
                con.register("rows", rows)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
                con.unregister("rows")
        refresh_all_facts(con)  # the materialised facts of the restored current versions
        next_id = max((u["upload_id"] for u in manifest["uploads"]), default=0) + 1
        con.execute("DROP SEQUENCE upload_seq")
        con.execute(f"CREATE SEQUENCE upload_seq START {next_id}")
        con.execute("INSERT INTO audit_log VALUES (?, 'rebuild', 'herbouw', ?)",
                    [dt.datetime.now().replace(microsecond=0), f"{len(manifest['uploads'])} uploads"])
        con.execute("COMMIT")
    if db_path.exists():
        os.replace(db_path, db_path.with_name(db_path.name + ".bak"))
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    os.replace(fresh, db_path)
    Store(db_path)  # rewrites the manifest from the rebuilt database
    return problems


def _restore_upload(con, archive: Path, upload: dict) -> str | None:
    path = archive / upload["archive_name"]
    if not path.exists():
        return f"Upload {upload['upload_id']} ({upload['file_name']}): archiefbestand ontbreekt."
    report = check(path.read_bytes(), upload["file_name"])
    if not report.accepted:
        return f"Upload {upload['upload_id']} ({upload['file_name']}): voldoet niet meer aan het aanleverformat."
    con.register("u", pd.DataFrame([upload]))
    con.execute("INSERT INTO uploads BY NAME SELECT * REPLACE (peildatum::DATE AS peildatum, "
                "uploaded_at::TIMESTAMP AS uploaded_at) FROM u")
    con.unregister("u")
    table = "trajectories" if upload["kind"] == "aanbieder" else "registrations"
    con.register("new_rows", report.typed_rows)
    con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS upload_id, * FROM new_rows", [upload["upload_id"]])
    con.unregister("new_rows")
    return None
