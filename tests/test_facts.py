"""The materialised facts (fact_cells, fact_wij) give the same export as
the computation from scratch over the current deliveries: after ingest, re-delivery,
restore and rebuild, and after any sequence of slot changes hypothesis can think of."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_helpers import add_provider, insert_upload, new_store, trajectory
from test_metrics_differential import deliveries

from gonmetrics.demo import generate, write_files
from gonmetrics.metrics import cells_sql, export_frame, facts_fresh, refresh_all_facts, wij_cells_sql
from gonmetrics.rebuild import rebuild
from gonmetrics.store import Store



def assert_materialised_is_scratch(con) -> pd.DataFrame:
    assert facts_fresh(con)
    materialised = export_frame(con, materialised=True)
    pd.testing.assert_frame_equal(materialised, export_frame(con, materialised=False))
    pd.testing.assert_frame_equal(export_frame(con), materialised)  # the default reads the facts
    return materialised


def assert_same_facts(con) -> None:
    """Each materialised table holds what its SELECT gives from scratch now: the quick check
    for many steps (the export is built from these tables alone)."""
    assert facts_fresh(con)
    for table, select in (("fact_cells", cells_sql()), ("fact_wij", wij_cells_sql())):
        stored = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        assert stored == con.execute(f"SELECT * FROM ({select}) ORDER BY ALL").fetchall(), table


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A small synthetic city over four quarters (with a corrected re-delivery), ingested
    file by file; returns the store and the database path."""
    folder = tmp_path_factory.mktemp("facts")
    store = Store(folder / "gon.duckdb")
    deliveries = generate(n_users=150, first=dt.date(2027, 3, 31), last=dt.date(2027, 12, 31), seed=11)
    for path in write_files(deliveries, folder / "files"):
        report = store.ingest(path.read_bytes(), path.name, user="t")
        assert report.status == "accepted", report.errors
        with store.connect() as con:
            assert_materialised_is_scratch(con)
    return store


def test_ingest_and_redelivery_keep_the_facts_exact(city):
    history = city.history()
    assert len(history) > history["current"].sum()  # the re-delivery replaced a first version
    with city.connect() as con:
        frame = assert_materialised_is_scratch(con)
    assert frame["numerator"].notna().any() and (frame["metric"] == "wait_days_median").any()


def test_restore_back_and_forth_keeps_the_facts_exact(city):
    history = city.history()
    current = history.loc[history["current"], "upload_id"].tolist()
    for upload_id in history.loc[~history["current"], "upload_id"]:  # the incomplete first version
        city.restore(int(upload_id), "t")
        with city.connect() as con:
            assert_materialised_is_scratch(con)
    for upload_id in current:  # and everything back (restoring a current upload changes nothing)
        city.restore(int(upload_id), "t")
        with city.connect() as con:
            assert_materialised_is_scratch(con)


def test_rebuild_restores_the_facts(city, tmp_path):
    with city.connect() as con:
        before = export_frame(con)
    rebuild(city.path)
    store = Store(city.path)
    with store.connect() as con:
        pd.testing.assert_frame_equal(assert_materialised_is_scratch(con), before)


def test_export_reads_the_facts_only_while_they_are_current(tmp_path):
    store = new_store(tmp_path)
    row = "Zorg BV;2027-03-31;client-0001;west;1980;basis;begeleiding;psychisch;2026-01-01;;;"
    header = ("aanbieder;peildatum;client_id;gebied;geboortejaar;ondersteuning;product;doelgroep;"
              "startdatum;einddatum;maatschappelijk_initiatief;uitvoerder")
    assert store.ingest(f"{header}\n{row}\n".encode(), "q1.csv", user="t").accepted
    with store.connect() as con:
        assert_materialised_is_scratch(con)
        con.execute("UPDATE fact_cells SET users = users + 1000")  # tamper: the export shows it
        assert export_frame(con)["numerator"].max() >= 1000
        refresh_all_facts(con)
        assert_materialised_is_scratch(con)
    add_provider(store, 99, "Hulp NV", dt.date(2027, 3, 31), [trajectory("c9", "oost")])  # behind the store's back
    with store.connect() as con:
        assert not facts_fresh(con)
        frame = export_frame(con)  # computed from scratch, so it includes the direct insert
        pd.testing.assert_frame_equal(frame, export_frame(con, materialised=False))
        assert frame.query("metric == 'users' and gebied == 'stad'")["numerator"].iloc[0] == 2
        refresh_all_facts(con)
        assert_materialised_is_scratch(con)


def test_a_fresh_store_brings_its_facts_up_to_date_step_by_step(tmp_path, monkeypatch):
    """The first upload of a store starts from the empty facts of no upload instead of
    computing every fact from scratch; a provider extract recomputes the WIJ cells only
    when a WIJ extract is current. The facts are exact after each step."""
    from gonmetrics import metrics

    def from_scratch(con):
        raise AssertionError("every fact computed from scratch")

    wij_refreshes = []
    real_wij = metrics.wij_cells_sql
    monkeypatch.setattr(metrics, "refresh_all_facts", from_scratch)
    store = new_store(tmp_path)
    header = ("aanbieder;peildatum;client_id;gebied;geboortejaar;ondersteuning;product;doelgroep;"
              "startdatum;einddatum;maatschappelijk_initiatief;uitvoerder")
    row = "Zorg BV;2027-03-31;client-0001;west;1980;basis;begeleiding;psychisch;2027-03-01;;;"
    with monkeypatch.context() as counting:
        counting.setattr(metrics, "_fact_tables", lambda: {"fact_cells": metrics.cells_sql(), "fact_wij": real_wij()})
        counting.setattr(metrics, "wij_cells_sql", lambda: wij_refreshes.append(1) or real_wij())
        assert store.ingest(f"{header}\n{row}\n".encode(), "q1.csv", user="t").accepted
    assert wij_refreshes == []  # no WIJ extract: the WIJ cells stay empty
    wij = ("peildatum;client_id;gebied;geboortejaar;aanmelddatum;doelgroep;toeleiding;hoofdaanbieder;"
           "beschikking_duur\n2027-03-31;client-0001;west;1980;2027-02-14;psychisch;aanvullend;Zorg BV;bepaald\n")
    assert store.ingest(wij.encode(), "wij.csv", user="t").accepted
    second = row.replace("client-0001", "client-0002").replace("Zorg BV", "Hulp NV")
    assert store.ingest(f"{header}\n{second}\n".encode(), "q1-hulp.csv", user="t").accepted
    with store.connect() as con:
        assert_same_facts(con)
        waits = con.execute("SELECT wait_median FROM fact_wij WHERE gebied = 'stad'").fetchall()
    assert waits == [(15.0,)]  # client-0001 registered on 14 February, started on 1 March


# --- every sequence of slot changes -------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return new_store(tmp_path_factory.mktemp("facts-property"))


@st.composite
def histories(draw):
    """Random deliveries and the order in which their versions arrive: any interleaving of
    the slots, each slot's versions in their own order, then the restores."""
    slots = draw(deliveries())
    uploads = [(slot, n) for slot, versions in slots.items() for n in range(len(versions))]
    shuffled = draw(st.permutations(uploads))
    by_slot = {slot: iter(range(len(versions))) for slot, versions in slots.items()}
    return slots, [(slot, next(by_slot[slot])) for slot, _ in shuffled]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=histories())
def test_every_slot_change_keeps_the_facts_exact(store, case):
    """Each upload is made current as an ingest does (Store._make_current, which refreshes
    the changed quarter's provider cells and the WIJ cells), then the versions marked
    current are restored."""
    slots, arrivals = case
    with store.connect() as con:
        con.execute("BEGIN")
        for table in ("trajectories", "registrations", "current_uploads", "uploads", "fact_state"):
            con.execute(f"DELETE FROM {table}")
        refresh_all_facts(con)  # the empty store's facts are up to date
        con.execute("COMMIT")
        ids = {}
        for upload_id, ((kind, name, q), n) in enumerate(arrivals, start=1):
            rows, _ = slots[(kind, name, q)][n]
            ids[((kind, name, q), n)] = upload_id
            store._in_transaction(con, lambda: (insert_upload(con, upload_id, kind, name, q, rows, current=False),
                                                store._make_current(con, upload_id)))
            assert_same_facts(con)
        for slot, versions in slots.items():
            current = next(n for n, (_, is_current) in enumerate(versions) if is_current)
            store._in_transaction(con, lambda: store._make_current(con, ids[(slot, current)]))
            assert_same_facts(con)
        assert_materialised_is_scratch(con)
