"""The area table (gebiedsgegevens, extract-format.md section 3): its hard errors by row
and column, the tolerated variations, and its versioning per year (re-delivery of one
year, restore, rebuild, history), plus the facts bookkeeping and the delivery status."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import xlsxwriter

from gonmetrics import desk, metrics
from gonmetrics.load import check, years_label
from gonmetrics.rebuild import rebuild
from gonmetrics.sensitive import HIDDEN
from gonmetrics.store import Store
from tests.conftest import ROW, provider_csv
from tests.test_cli import run_cli
from tests.test_store import snapshot
from tests.test_validate import errors_at

AREA_HEADER = "jaar;gebied;inwoners;inwoners_75plus;lumpsum_euro"
# One valid row; tests vary one field at a time (fields: jaar, gebied, inwoners, 75+, lumpsum).
AREA_ROW = "2025;west;60000;4000;4325000"


def area_csv(*rows: str, header: str = AREA_HEADER) -> bytes:
    """An area table: header on line 1, the given rows from line 2 on."""
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def field(row: str, index: int, value: str) -> str:
    fields = row.split(";")
    fields[index] = value
    return ";".join(fields)


def current_area(store: Store) -> list[tuple]:
    """(jaar, gebied, inwoners, upload_id) of the current area table."""
    with store.connect() as con:
        return con.execute("SELECT jaar, gebied, inwoners, upload_id FROM current_area_rows ORDER BY ALL").fetchall()


def area_slots(store: Store) -> list[tuple]:
    with store.connect() as con:
        return con.execute("SELECT slot, peildatum, upload_id FROM current_uploads WHERE kind = 'gebied' "
                           "ORDER BY ALL").fetchall()


def column(report, name: str) -> list:
    return report.typed_rows.column(name).to_pylist()


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "amount"), [
    ("1.234.567,89", Decimal("1234567.89")),
    ("1234567,89", Decimal("1234567.89")),
    ("€ 1.234.567", Decimal("1234567")),
    ("€1.234,5", Decimal("1234.5")),
    ("1234567", Decimal("1234567")),
    ("1234567.89", Decimal("1234567.89")),
    ("1234567.8", Decimal("1234567.8")),
    ("1.234", Decimal("1234")),  # Dutch: the plain form never has three decimals
    ("12.34", Decimal("12.34")),
    ("0", Decimal("0")),
])
def test_lumpsum_in_every_form_of_the_contract(written, amount):
    report = check(area_csv(field(AREA_ROW, 4, written)), "gebied.csv")
    assert report.accepted, report.errors
    assert column(report, "lumpsum_euro") == [amount]


@pytest.mark.parametrize("written", ["1,234,567.89", "12.3456", "-5", "1.23.456", "12,345", "€", "veel", "1234.567"])
def test_lumpsum_outside_the_contract_is_refused_by_row_and_column(written):
    report = check(area_csv(AREA_ROW, field(field(AREA_ROW, 1, "oost"), 4, written)), "gebied.csv")
    assert not report.accepted
    assert errors_at(report) == {(3, "lumpsum_euro")}


@pytest.mark.parametrize(("written", "number"), [("243800", 243800), ("243.800", 243800), ("1.000.000", 1000000),
                                                 ("0", 0)])
def test_inhabitants_plain_or_grouped_by_dots(written, number):
    report = check(area_csv(field(field(AREA_ROW, 2, written), 3, "0")), "gebied.csv")
    assert report.accepted, report.errors
    assert column(report, "inwoners") == [number]


# --- hard errors --------------------------------------------------------------------

# (description, the second data row (line 3), the (row, column) of its error)
AREA_ERRORS = [
    ("year before 2000", field(AREA_ROW, 0, "1999"), "jaar"),
    ("year after 2100", field(AREA_ROW, 0, "2101"), "jaar"),
    ("year not whole", field(AREA_ROW, 0, "2025.5"), "jaar"),
    ("year in words", field(AREA_ROW, 0, "vorig jaar"), "jaar"),
    ("unknown area", field(AREA_ROW, 1, "Noord"), "gebied"),
    ("the city is no area", field(AREA_ROW, 1, "stad"), "gebied"),
    ("wrong grouping", field(AREA_ROW, 2, "24.38"), "inwoners"),
    ("comma grouping", field(AREA_ROW, 2, "243,800"), "inwoners"),
    ("negative", field(AREA_ROW, 2, "-1"), "inwoners"),
    ("fraction of a person", field(AREA_ROW, 3, "12.5"), "inwoners_75plus"),
    ("more 75+ than inhabitants", field(field(AREA_ROW, 2, "1.000"), 3, "1.001"), "inwoners_75plus"),
    ("empty year", field(AREA_ROW, 0, ""), "jaar"),
    ("empty area", field(AREA_ROW, 1, " "), "gebied"),
    ("empty inhabitants", field(AREA_ROW, 2, ""), "inwoners"),
    ("empty 75+", field(AREA_ROW, 3, ""), "inwoners_75plus"),
    ("empty lump sum", field(AREA_ROW, 4, ""), "lumpsum_euro"),
    ("the same year and area twice", field(AREA_ROW, 1, " ZUID "), "gebied"),
]


@pytest.mark.parametrize(("description", "row", "column_name"), AREA_ERRORS, ids=[e[0] for e in AREA_ERRORS])
def test_area_table_hard_error_names_row_and_column(description, row, column_name):
    first = field(AREA_ROW, 1, "zuid")  # line 2: valid, in another area than line 3 unless varied
    report = check(area_csv(first, row), "gebied.csv")
    assert report.kind == "gebied" and not report.accepted and report.typed_rows is None
    assert errors_at(report) == {(3, column_name)}


def test_the_same_year_and_area_names_the_first_row():
    report = check(area_csv(AREA_ROW, field(AREA_ROW, 1, "West")), "gebied.csv")
    assert [e["message"] for e in report.errors] == [
        "Dit jaar en gebied staan al in regel 2; elk gebied heeft één regel per jaar."]


def test_an_area_in_two_years_is_no_repeat():
    assert check(area_csv(AREA_ROW, field(AREA_ROW, 0, "2026")), "gebied.csv").accepted


@pytest.mark.parametrize("missing", ["jaar", "gebied", "inwoners_75plus", "lumpsum_euro"])
def test_missing_required_column_is_named_on_the_header_row(missing):
    keep = [i for i, name in enumerate(AREA_HEADER.split(";")) if name != missing]

    def without(line: str) -> str:
        return ";".join(line.split(";")[i] for i in keep)

    report = check(area_csv(without(AREA_ROW), header=without(AREA_HEADER)), "gebied.csv")
    assert report.kind == "gebied" and not report.accepted
    assert [(e["row"], e["column"], e["message"]) for e in report.errors] == [
        (1, missing, f"Verplichte kolom '{missing}' ontbreekt.")]


def test_bsn_in_an_extra_column_refuses_the_file_first_and_is_never_echoed(store):
    data = area_csv(AREA_ROW + ";", field(AREA_ROW, 1, "oost") + ";bsn 123456782", header=AREA_HEADER + ";opmerking")
    report = store.ingest(data, "gebied.csv", user="ana")
    assert not report.accepted and report.sensitive
    assert (report.errors[0]["row"], report.errors[0]["column"]) == (3, "opmerking")
    assert "123456782" not in json.dumps(report.as_json())
    assert store.history().empty and not store.archive_dir.exists()


def test_identifier_header_refuses_the_area_table():
    report = check(area_csv(AREA_ROW + ";Jansen", header=AREA_HEADER + ";Achternaam"), "gebied.csv")
    assert not report.accepted and report.sensitive
    assert errors_at(report) == {(1, "Achternaam")}


def test_the_number_columns_are_not_scanned_for_bsns():
    # 123456782 passes the elfproef; in a number column it is a number (extract-format.md).
    report = check(area_csv(field(AREA_ROW, 4, "123456782")), "gebied.csv")
    assert report.accepted and not report.sensitive
    assert column(report, "lumpsum_euro") == [Decimal("123456782")]


def test_error_values_of_eight_digits_or_more_are_not_echoed():
    report = check(area_csv(field(AREA_ROW, 4, "1,234,567.89")), "gebied.csv")
    assert HIDDEN in report.errors[0]["message"] and "1,234,567.89" not in report.errors[0]["message"]


def test_refused_area_tables_leave_database_and_archive_byte_for_byte(store):
    assert store.ingest(area_csv(AREA_ROW), "gebied-2025.csv", user="ana").accepted
    before = snapshot(store)
    for _, row, _ in AREA_ERRORS:
        report = store.ingest(area_csv(field(AREA_ROW, 1, "zuid"), row), "fout.csv", user="ana")
        assert not report.accepted and report.upload_id is None
    assert snapshot(store) == before


# --- tolerated variations -------------------------------------------------------------


def test_comma_delimited_quoted_crlf_with_header_spellings_labels_and_empty_lines():
    data = (
        '"Jaar"," Gebied ","Inwoners","Inwoners 75plus","Lumpsum Euro"\r\n'
        '2025,"Centrum/Oude Wijken","243.800","15.000","€ 1.234.567,89"\r\n'
        "\r\n"
        ",,,,\r\n"
        '2025," OOST EN TEN BOER ",1000,10,"1234567,89"\r\n'
        "\r\n"
    ).encode("utf-8")
    report = check(data, "gebied.csv")
    assert report.accepted and report.kind == "gebied", report.errors
    assert column(report, "gebied") == ["centrum", "oost"]
    assert column(report, "inwoners") == [243800, 1000]
    assert column(report, "lumpsum_euro") == [Decimal("1234567.89"), Decimal("1234567.89")]
    assert column(report, "row_no") == [2, 5]


def test_windows_1252_with_euro_sign_and_an_extra_column_with_a_warning():
    data = area_csv(AREA_ROW.replace("4325000", "€ 4.325.000") + ";Café Één",
                    header=AREA_HEADER + ";opmerking").decode("utf-8").encode("cp1252")
    report = check(data, "gebied.csv")
    assert report.accepted, report.errors
    assert column(report, "lumpsum_euro") == [Decimal("4325000")]
    assert report.warnings == ["Kolom 'opmerking' hoort niet bij het aanleverformat en is genegeerd (niet opgeslagen)."]
    assert "opmerking" not in report.typed_rows.column_names


def area_xlsx(*rows: list, title_rows: int = 2) -> bytes:
    """A workbook: a title, an empty row, then the header (sheet row title_rows + 1) and rows."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Gebiedsgegevens")
    sheet.write(0, 0, "Gebiedsgegevens per jaar, gemeente Groningen")
    sheet.write_row(title_rows, 0, ["Jaar", "Gebied", "Inwoners", "Inwoners 75plus", "Lumpsum euro"])
    for offset, row in enumerate(rows, start=title_rows + 1):
        sheet.write_row(offset, 0, row)
    workbook.close()
    return buffer.getvalue()


def test_xlsx_with_title_rows_and_native_numbers():
    data = area_xlsx([2025, "West", 243800, 15234, 4325000.5], [2026, "Zuid en Haren", 61000, 4000, "€ 1.234.567"])
    report = check(data, "gebied.xlsx")
    assert report.accepted, report.errors
    assert column(report, "row_no") == [4, 5]  # header on sheet row 3
    assert column(report, "jaar") == [2025, 2026] and column(report, "gebied") == ["west", "zuid"]
    assert column(report, "inwoners") == [243800, 61000]
    assert column(report, "lumpsum_euro") == [Decimal("4325000.50"), Decimal("1234567")]
    assert report.years == [2025, 2026] and report.peildatum == dt.date(2026, 12, 31)


def test_xlsx_errors_name_the_sheet_row():
    report = check(area_xlsx([2025, "West", 100, 10, 5], [], [2025, "Noord", 100, 10, 5]), "gebied.xlsx")
    assert errors_at(report) == {(6, "gebied")}  # header on row 3, an empty row 5 counted


# --- storage: per year ------------------------------------------------------------------

YEARS_2025_2026 = area_csv(
    "2025;centrum;60000;4000;4000000",
    "2025;west;50000;3000;3000000",
    "2025;oost;70000;5000;5000000",  # three areas in a year: no zuid, no stad row
    "2026;centrum;61000;4100;4100000",
    "2026;west;51000;3100;3100000",
)
ONLY_2026 = area_csv("2026;centrum;62000;4200;4200000", "2026;zuid;40000;2000;2000000")


def test_an_area_table_is_one_upload_current_for_each_of_its_years(store):
    report = store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    assert report.accepted and report.kind == "gebied" and report.upload_id == 1 and report.replaces is None
    with store.connect() as con:
        assert con.execute("SELECT kind, aanbieder, peildatum, n_rows FROM uploads").fetchall() == [
            ("gebied", None, dt.date(2026, 12, 31), 5)]
    assert area_slots(store) == [("2025", dt.date(2025, 12, 31), 1), ("2026", dt.date(2026, 12, 31), 1)]
    assert current_area(store) == [
        (2025, "centrum", 60000, 1), (2025, "oost", 70000, 1), (2025, "west", 50000, 1),
        (2026, "centrum", 61000, 1), (2026, "west", 51000, 1)]


def test_redelivery_of_one_year_replaces_that_year_only_and_restore_brings_all_years_back(store):
    store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    report = store.ingest(ONLY_2026, "gebied-2026.csv", user="ana")
    assert report.upload_id == 2 and report.replaces == 1
    assert area_slots(store) == [("2025", dt.date(2025, 12, 31), 1), ("2026", dt.date(2026, 12, 31), 2)]
    assert current_area(store) == [
        (2025, "centrum", 60000, 1), (2025, "oost", 70000, 1), (2025, "west", 50000, 1),
        (2026, "centrum", 62000, 2), (2026, "zuid", 40000, 2)]  # 2026 west is gone with the old 2026
    history = store.history().set_index("upload_id")
    assert not history.loc[1, "current"] and list(history.loc[1, "current_years"]) == [2025]
    assert bool(history.loc[2, "current"]) and list(history.loc[2, "years"]) == [2026]

    store.restore(1, "ana")
    assert area_slots(store) == [("2025", dt.date(2025, 12, 31), 1), ("2026", dt.date(2026, 12, 31), 1)]
    history = store.history().set_index("upload_id")
    assert bool(history.loc[1, "current"]) and not history.loc[2, "current"]


def test_the_same_area_table_twice_changes_nothing(store):
    store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    before = snapshot(store)
    report = store.ingest(YEARS_2025_2026, "nogmaals.csv", user="ana")
    assert report.duplicate_of == 1 and report.upload_id is None
    assert snapshot(store) == before


@pytest.mark.parametrize("lose_database", [False, True], ids=["from the database", "from the manifest"])
def test_rebuild_restores_the_same_current_years(tmp_path, lose_database):
    db = tmp_path / "gon.duckdb"
    store = Store(db)
    store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    store.ingest(ONLY_2026, "gebied-2026.csv", user="ana")
    before = (current_area(store), area_slots(store))
    if lose_database:
        db.unlink()
        db.with_name(db.name + ".wal").unlink(missing_ok=True)
    assert rebuild(db).problems == []
    assert (current_area(Store(db)), area_slots(Store(db))) == before


def test_an_area_table_keeps_the_facts_fresh_and_is_no_quarterly_delivery(store):
    store.ingest(provider_csv(ROW), "q1.csv", user="ana")
    with store.connect() as con:
        cells = con.execute("SELECT * FROM fact_cells ORDER BY ALL").fetchall()
    store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    store.ingest(ONLY_2026, "gebied-2026.csv", user="ana")
    store.restore(2, "ana")
    with store.connect() as con:
        assert metrics.facts_fresh(con)
        assert con.execute("SELECT * FROM fact_cells ORDER BY ALL").fetchall() == cells
        status = metrics.delivery_status(con)
    assert status[["peildatum", "kind", "delivered", "missing"]].values.tolist() == [
        [dt.date(2027, 3, 31), "aanbieder", True, False]]


# --- what the analyst sees ---------------------------------------------------------------


def test_years_label():
    assert [years_label(y) for y in ([2025], [2026, 2025, 2027, 2028], [2025, 2027], [])] == [
        "2025", "2025–2028", "2025, 2027", "–"]


def test_history_restore_picker_and_outcome_name_the_area_table_with_its_years(store):
    first = store.ingest(YEARS_2025_2026, "gebied.csv", user="ana")
    assert desk.outcome(first) == "opgeslagen als upload 1; actueel voor 2025–2026"
    second = store.ingest(ONLY_2026, "gebied-2026.csv", user="ana")
    assert desk.outcome(second) == "opgeslagen als upload 2; actueel voor 2026 (vervangt eerdere gebiedsgegevens)"
    shown = desk.history_table(store.history())
    assert shown[["Upload", "Soort", "Aanbieder", "Periode", "Status"]].values.tolist() == [
        [2, "gebiedsgegevens", "Gebiedsgegevens", "2026", "actueel"],
        [1, "gebiedsgegevens", "Gebiedsgegevens", "2025–2026", "actueel voor 2025"]]
    assert list(desk.restorable(store.history())) == [1]
    assert desk.restorable(store.history())[1].startswith("Upload 1: Gebiedsgegevens, 2025–2026, gebied.csv (")


def test_report_facts_of_an_area_table():
    facts = desk.report_facts(check(YEARS_2025_2026, "gebied.csv")).iloc[0]
    assert (facts["Soort"], facts["Aanbieder"], facts["Periode"], facts["Regels"]) == (
        "gebiedsgegevens", "Gebiedsgegevens", "2025–2026", 5)


def test_the_current_area_table_in_dutch_numbers(store):
    store.ingest(area_csv("2025;zuid;243800;15234;4325000", "2025;Centrum;1000;0;1234567,8"), "g.csv", user="ana")
    shown = desk.area_table(store.area_table())
    assert shown.values.tolist() == [
        ["2025", "Centrum, Oude Wijken", "1.000", "0", "€ 1.234.567,80", 1],
        ["2025", "Zuid en Haren", "243.800", "15.234", "€ 4.325.000,00", 1]]


def test_ingest_json_reports_the_kind_gebied(tmp_path):
    path = tmp_path / "gebied.csv"
    path.write_bytes(YEARS_2025_2026)
    result = run_cli("ingest", str(path), "--db", str(tmp_path / "gon.duckdb"), "--json")
    assert result.returncode == 0, result.stderr
    assert [(r["kind"], r["status"], r["rows"]) for r in json.loads(result.stdout)] == [("gebied", "accepted", 5)]
    text = run_cli("ingest", str(path), "--db", str(tmp_path / "ander.duckdb"))
    assert "goedgekeurd (gebiedsgegevens, jaren 2025–2026, 5 regels)" in text.stdout
