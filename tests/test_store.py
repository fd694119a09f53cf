"""Storage: one transaction per file, archive with hash, re-delivery, restore,
the same file twice, and refused files that leave no trace."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gonmetrics.store import Store
from tests.conftest import ROW, WIJ_ROW, provider_csv, wij_csv
from tests.test_validate import replace_field

Q1 = provider_csv(ROW, replace_field(ROW, 2, "client-0002"))
Q1_CORRECTED = provider_csv(ROW, replace_field(ROW, 2, "client-0002"), replace_field(ROW, 2, "client-0003"))


def snapshot(store: Store) -> dict[str, str]:
    """Hash of every file of the database and its archive."""
    files = [p for p in store.path.parent.rglob("*") if p.is_file()]
    return {str(p.relative_to(store.path.parent)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def current_rows(store: Store) -> int:
    with store.connect() as con:
        return con.execute("SELECT count(*) FROM current_trajectories").fetchone()[0]


def test_accepted_file_is_stored_with_its_archive(store):
    report = store.ingest(Q1, "2027-Q1 west.csv", user="ana")
    assert report.accepted and report.upload_id == 1 and report.rows == 2
    history = store.history()
    assert list(history["file_name"]) == ["2027-Q1 west.csv"]
    assert history.loc[0, "uploaded_by"] == "ana" and bool(history.loc[0, "current"])
    digest = hashlib.sha256(Q1).hexdigest()
    assert history.loc[0, "sha256"] == digest
    assert (store.archive_dir / f"{digest}.csv").read_bytes() == Q1
    assert current_rows(store) == 2


def test_redelivery_replaces_and_restore_brings_the_earlier_back(store):
    first = store.ingest(Q1, "q1.csv", user="ana")
    second = store.ingest(Q1_CORRECTED, "q1-correctie.csv", user="bob")
    assert second.replaces == first.upload_id
    assert current_rows(store) == 3
    history = store.history().set_index("upload_id")
    assert not history.loc[first.upload_id, "current"] and history.loc[second.upload_id, "current"]
    version = store.data_version()
    store.restore(first.upload_id, user="ana")
    assert current_rows(store) == 2
    assert store.data_version() == version + 1
    assert len(store.history()) == 2


def test_other_provider_and_wij_do_not_replace_each_other(store):
    store.ingest(Q1, "q1.csv", user="ana")
    other = provider_csv(replace_field(replace_field(ROW, 0, "Andere Zorg"), 2, "client-0009"))
    assert store.ingest(other, "ander.csv", user="ana").replaces is None
    assert store.ingest(wij_csv(WIJ_ROW), "wij.csv", user="ana").replaces is None
    assert current_rows(store) == 3


def test_provider_name_in_other_case_is_the_same_delivery_slot(store):
    store.ingest(Q1, "q1.csv", user="ana")
    again = provider_csv(replace_field(ROW, 0, "ZORG BV"))
    assert store.ingest(again, "q1b.csv", user="ana").replaces == 1


def test_same_file_twice_changes_nothing(store):
    store.ingest(Q1, "q1.csv", user="ana")
    before = snapshot(store)
    report = store.ingest(Q1, "q1-nogmaals.csv", user="bob")
    assert report.accepted and report.duplicate_of == 1 and report.upload_id is None
    assert any("al eerder geladen" in w for w in report.warnings)
    assert len(store.history()) == 1
    assert snapshot(store) == before


def test_refused_files_leave_database_and_archive_byte_for_byte(store):
    store.ingest(Q1, "q1.csv", user="ana")
    before = snapshot(store)
    refused = [
        provider_csv(ROW, replace_field(ROW, 3, "Noord")),
        provider_csv(replace_field(ROW, 2, "123456782")),
        b"",
        b"\x00\x01\x02 binary",
    ]
    for data in refused:
        assert not store.ingest(data, "fout.csv", user="ana").accepted
    assert snapshot(store) == before


def test_a_failure_inside_the_transaction_rolls_everything_back(store, monkeypatch):
    store.ingest(Q1, "q1.csv", user="ana")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_make_current", broken)
    try:
        store.ingest(Q1_CORRECTED, "q1-correctie.csv", user="ana")
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure should surface")
    assert len(store.history()) == 1
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM trajectories").fetchone()[0] == 2


def test_fresh_db_path_starts_an_empty_project(tmp_path):
    store = Store(tmp_path / "sub" / "x.duckdb")
    assert store.is_empty() and store.history().empty
    assert Path(tmp_path / "sub" / "x.duckdb").exists()


def test_replace_targets_is_one_transaction(store, monkeypatch):
    from gonmetrics.targets import target_table

    with store.connect() as con:
        before = target_table(con)
    version = store.data_version()
    new = before.assign(minimum=0.5)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_bump_version", broken)
    try:
        store.replace_targets(new, user="ana")
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure should surface")
    with store.connect() as con:
        assert target_table(con).equals(before)
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
    assert store.data_version() == version


def test_set_note_is_one_transaction(store, monkeypatch):
    import datetime as dt

    store.set_note("west", dt.date(2027, 3, 31), "Oude toelichting.", user="ana")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_audit", broken)
    try:
        store.set_note("west", dt.date(2027, 3, 31), "", user="ana")  # would remove the note
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure should surface")
    assert list(store.notes()["text"]) == ["Oude toelichting."]


def test_every_connection_has_the_progress_bar_off(store):
    """DuckDB's progress bar on long queries would break `ingest --json` (stack notes). It is
    on by default for a connection opened by `python -c`, so the check runs in one."""
    from tests.test_robustness import python

    code = (
        "from gonmetrics.store import Store, open_connection\n"
        f"store = Store({str(store.path)!r})\n"
        "setting = \"SELECT current_setting('enable_progress_bar')\"\n"
        "with store.connect() as cursor:\n"
        "    print(cursor.execute(setting).fetchone()[0])\n"
        "with open_connection(store.path, 5) as con:\n"
        "    print(con.execute(setting).fetchone()[0])\n"
    )
    out, err = python(code).communicate(timeout=60)
    assert out.split() == ["False", "False"], err


def test_ingest_checked_stores_what_was_checked_and_only_for_the_same_bytes(store):
    from gonmetrics.load import check

    data = provider_csv(ROW)
    report = check(data, "q1.csv")
    with pytest.raises(ValueError):
        store.ingest_checked(data + b"\n", report, user="anna")  # other bytes than those checked
    assert store.is_empty()

    stored = store.ingest_checked(data, report, user="anna")
    assert stored.upload_id == 1 and stored.typed_rows is None
    with store.connect() as con:
        assert con.execute("SELECT client_id, gebied FROM trajectories").fetchall() == [("client-0001", "west")]
    assert (store.archive_dir / f"{report.sha256}.csv").read_bytes() == data
    with pytest.raises(ValueError):
        store.ingest_checked(data, report, user="anna")  # its rows are gone once stored


def test_ingest_checked_keeps_real_and_demo_apart(store, tmp_path):
    from gonmetrics.errors import GonError
    from gonmetrics.load import check

    data = provider_csv(ROW)
    demo = Store(tmp_path / "demo.duckdb")
    demo.set_meta("demo", "true")
    with pytest.raises(GonError):
        demo.ingest_checked(data, check(data, "q1.csv"), user="anna")
    with pytest.raises(GonError):
        store.ingest_checked(data, check(data, "q1.csv"), user="demo", into_demo=True)
    assert demo.is_empty() and store.is_empty()


def test_a_failed_store_lets_the_desk_check_the_file_again(store, monkeypatch):
    # The Arrow rows are let go once they are in DuckDB (memory); a store that then fails
    # must not leave a report that looks stored, and Opslaan falls back to a full check.
    from gonmetrics import desk, metrics
    from gonmetrics.load import check

    data = provider_csv(ROW)
    report = check(data, "q1.csv")
    real_refresh = metrics.refresh_facts

    def failing(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(metrics, "refresh_facts", failing)
    with pytest.raises(RuntimeError):
        desk.save(store, data, "q1.csv", report, user="anna")
    assert store.is_empty() and report.typed_rows is None
    monkeypatch.setattr(metrics, "refresh_facts", real_refresh)
    stored = desk.save(store, data, "q1.csv", report, user="anna")
    assert stored.upload_id == 1 and current_rows(store) == 1


def test_the_manifest_is_spelled_as_before_without_pandas(store, monkeypatch):
    """The manifest is written without pandas, spelled as pandas' records of DuckDB's frames
    were (what rebuild reads): a date with its midnight, a missing provider name as NaN."""
    import datetime as dt
    import json
    import sys

    store.ingest(Q1, "q1.csv", user="ana")
    store.ingest(wij_csv(WIJ_ROW), "wij.csv", user="bob")
    store.set_note("oost", dt.date(2027, 3, 31), "Uitleg", "ana")
    with monkeypatch.context() as without_pandas, store.connect() as con:
        without_pandas.setitem(sys.modules, "pandas", None)  # importing it now fails
        text = store._manifest_text(con)
    assert store.manifest_path.read_text(encoding="utf-8") == text
    manifest = json.loads(text)
    wij = manifest["uploads"][1]
    assert wij["kind"] == "wij" and wij["peildatum"] == "2027-03-31 00:00:00" and wij["upload_id"] == 2
    assert '"aanbieder": NaN' in text  # the WIJ extract has no provider
    assert manifest["notes"][0]["peildatum"] == "2027-03-31 00:00:00" and manifest["notes"][0]["text"] == "Uitleg"
    assert {"metric": "share_basis", "peildatum": "2027-12-31 00:00:00", "minimum": 0.15} in manifest["targets"]
    with store.connect() as con:  # the former spelling, through pandas
        frames = {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").df() for name in manifest}
    assert text == json.dumps({name: frame.to_dict("records") for name, frame in frames.items()},
                              default=str, ensure_ascii=False, indent=1)
