"""Hand-written deliveries straight into the store, for the metrics tests.

Bypasses the file loader on purpose: the rows are already normalised codes, so a
test states exactly what the figures see.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gonmetrics.metrics import export_frame
from gonmetrics.store import Store

D = dt.date
Q1, Q2, Q3, Q4 = D(2027, 3, 31), D(2027, 6, 30), D(2027, 9, 30), D(2027, 12, 31)


def new_store(tmp_path) -> Store:
    return Store(tmp_path / "gon.duckdb")


def trajectory(client_id, gebied, ondersteuning="basis", startdatum=D(2026, 1, 1), einddatum=None,
               geboortejaar=1980, mi=None, doelgroep="overig", product="begeleiding", uitvoerder=None) -> dict:
    return dict(client_id=client_id, gebied=gebied, geboortejaar=geboortejaar, ondersteuning=ondersteuning,
                product=product, doelgroep=doelgroep, startdatum=startdatum, einddatum=einddatum,
                maatschappelijk_initiatief=mi, uitvoerder=uitvoerder)


def registration(client_id, gebied, aanmelddatum, geboortejaar=1980, doelgroep="overig",
                 toeleiding="anders", beschikking_duur=None) -> dict:
    return dict(client_id=client_id, gebied=gebied, geboortejaar=geboortejaar, aanmelddatum=aanmelddatum,
                doelgroep=doelgroep, toeleiding=toeleiding, hoofdaanbieder=None, beschikking_duur=beschikking_duur)


def add_provider(store: Store, upload_id: int, aanbieder: str, peildatum: dt.date, rows: list[dict],
                 *, current: bool = True) -> None:
    """One provider extract; `current` makes it the one that counts for its slot."""
    with store.connect() as con:
        insert_upload(con, upload_id, "aanbieder", aanbieder, peildatum, rows, current)


def add_wij(store: Store, upload_id: int, peildatum: dt.date, rows: list[dict], *, current: bool = True) -> None:
    with store.connect() as con:
        insert_upload(con, upload_id, "wij", None, peildatum, rows, current)


def insert_upload(con, upload_id: int, kind: str, aanbieder: str | None, peildatum: dt.date, rows: list[dict],
                  current: bool) -> None:
    """The rows of one upload, and (if `current`) its slot in current_uploads."""
    con.execute(
        "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, 'test', TIMESTAMP '2028-01-01 12:00', ?, ?)",
        [upload_id, kind, aanbieder, peildatum, f"upload{upload_id}.csv", f"sha{upload_id}", len(rows),
         f"sha{upload_id}.csv"],
    )
    if rows:  # one statement for all rows: executemany is slow in DuckDB
        table = "trajectories" if kind == "aanbieder" else "registrations"
        columns = ["upload_id", "row_no", *rows[0]]
        marks = ", ".join(["(" + ", ".join("?" for _ in columns) + ")"] * len(rows))
        values = [v for n, row in enumerate(rows, start=2) for v in (upload_id, n, *row.values())]
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}", values)
    if current:
        slot = (aanbieder or "").lower()
        con.execute("INSERT OR REPLACE INTO current_uploads VALUES (?, ?, ?, ?)", [kind, slot, peildatum, upload_id])


def area_row(jaar: int, gebied: str, inwoners: int, inwoners_75plus: int, lumpsum_euro: str) -> dict:
    """One row of an area table; the lump sum as text ('4325000.50'): DECIMAL, cents kept."""
    return dict(jaar=jaar, gebied=gebied, inwoners=inwoners, inwoners_75plus=inwoners_75plus,
                lumpsum_euro=lumpsum_euro)


def add_area_table(store: Store, upload_id: int, rows: list[dict], *, current: bool = True) -> None:
    """One area table (kind 'gebied'); `current` makes it the one that counts for each of its years
    (slot = the year as text, peildatum = 31 December of that year)."""
    with store.connect() as con:
        insert_area_table(con, upload_id, rows, current)


def insert_area_table(con, upload_id: int, rows: list[dict], current: bool) -> None:
    years = sorted({row["jaar"] for row in rows})
    con.execute(
        "INSERT INTO uploads VALUES (?, 'gebied', NULL, ?, ?, ?, 'test', TIMESTAMP '2028-01-01 12:00', ?, ?)",
        [upload_id, D(years[-1], 12, 31), f"gebied{upload_id}.csv", f"sha{upload_id}", len(rows),
         f"sha{upload_id}.csv"],
    )
    marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?::DECIMAL(15, 2))"] * len(rows))
    values = [v for n, row in enumerate(rows, start=2) for v in (upload_id, n, *row.values())]
    con.execute(f"INSERT INTO area_rows VALUES {marks}", values)
    if current:
        for year in years:
            con.execute("INSERT OR REPLACE INTO current_uploads VALUES ('gebied', ?, ?, ?)",
                        [str(year), D(year, 12, 31), upload_id])


def export(store: Store) -> pd.DataFrame:
    with store.connect() as con:
        return export_frame(con)


def cell(frame: pd.DataFrame, metric: str, gebied: str, peildatum: dt.date) -> pd.Series:
    """The one export row for (metric, gebied, peildatum)."""
    hits = frame[(frame.metric == metric) & (frame.gebied == gebied) & (frame.peildatum == peildatum)]
    assert len(hits) == 1, f"{len(hits)} rows for {metric}/{gebied}/{peildatum}"
    return hits.iloc[0]
