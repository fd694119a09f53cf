"""Reading deliveries: every tolerated variation loads with the right row numbers,
everything else is refused with UnreadableFile, never another exception.

Fixtures are built here at run time (XLSX with xlsxwriter, hostile workbooks by editing
one with zipfile); nothing is written to disk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pickle
import random
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path
from unittest.mock import patch

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonmetrics import read as read_module
from gonmetrics.errors import UnreadableFile
from gonmetrics.read import RawTable, read_delivery, too_large

MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers


def rows(raw: RawTable) -> list[dict]:
    return raw.table.to_pylist()


def numbers(raw: RawTable) -> list[int]:
    return raw.row_numbers.to_pylist()


def refused(data: bytes, name: str = "levering.csv", **kwargs) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_delivery(data, name, **kwargs)
    return str(caught.value)


def xlsx(fill, *, sheets: tuple[str, ...] = ("Gegevens",)) -> bytes:
    """A workbook made by xlsxwriter; `fill(workbook, worksheets)` writes the cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fill(workbook, [workbook.add_worksheet(name) for name in sheets])
    workbook.close()
    return buffer.getvalue()


def simple_xlsx() -> bytes:
    def fill(workbook, sheets):
        sheets[0].write_row(0, 0, ["client_id", "gebied"])
        sheets[0].write_row(1, 0, ["client-0001", "west"])

    return xlsx(fill)


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same archive with some parts replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def with_sheet_xml(sheet_data: str) -> bytes:
    """A workbook whose first sheet is the given <sheetData> content (inline strings)."""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {MAIN_NS}><sheetData>{sheet_data}</sheetData></worksheet>'
    return rezip(simple_xlsx(), replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def text_cell(text: str, ref: str | None = None) -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


# --------------------------------------------------------------------------- CSV variations

PLAIN = b"client_id;gebied;geboortejaar\nclient-0001;west;1980\nclient-0002;oost;1975\n"


@pytest.mark.parametrize(
    ("data", "header_row", "expected_numbers"),
    [
        pytest.param(PLAIN, 1, [2, 3], id="semicolon-LF"),
        pytest.param(PLAIN.replace(b";", b","), 1, [2, 3], id="comma"),
        pytest.param(PLAIN.replace(b"\n", b"\r\n"), 1, [2, 3], id="CRLF"),
        pytest.param(b"\xef\xbb\xbf" + PLAIN, 1, [2, 3], id="BOM"),
        pytest.param(PLAIN + b"\n\n\n", 1, [2, 3], id="trailing-empty-lines"),
        pytest.param(PLAIN.replace(b"\n", b"\r\n") + b"\r\n\r\n", 1, [2, 3], id="trailing-empty-CRLF"),
        pytest.param(PLAIN.rstrip(b"\n"), 1, [2, 3], id="no-final-newline"),
        pytest.param(b"\n\n" + PLAIN, 3, [4, 5], id="leading-empty-lines"),
        pytest.param(b";;\n  \n" + PLAIN, 3, [4, 5], id="leading-blank-lines"),
        pytest.param(
            b"client_id;gebied;geboortejaar\n\nclient-0001;west;1980\n\n\nclient-0002;oost;1975\n", 1, [3, 6],
            id="empty-lines-between",
        ),
        pytest.param(
            b"client_id;gebied;geboortejaar\n;;\nclient-0001;west;1980\n;\n;;;;;\nclient-0002;oost;1975\n;;\n;;\n",
            1,
            [3, 6],
            id="delimiter-only-lines",
        ),
        pytest.param(
            b"client_id;gebied;geboortejaar\r\n   \r\nclient-0001;west;1980\r\n\t\r\n ; ; \r\nclient-0002;oost;1975\r\n",
            1,
            [3, 6],
            id="whitespace-only-lines",
        ),
        pytest.param(
            b'"client_id";"gebied";"geboortejaar"\n"client-0001";"west";"1980"\n"client-0002";"oost";"1975"\n',
            1,
            [2, 3],
            id="all-quoted",
        ),
        pytest.param(
            b"client_id;gebied;geboortejaar\rclient-0001;west;1980\rclient-0002;oost;1975\r", 1, [2, 3], id="CR-only"
        ),
    ],
)
def test_csv_variations_load_with_the_right_row_numbers(data, header_row, expected_numbers):
    raw = read_delivery(data, "levering.csv")
    assert raw.fmt == "csv"
    assert raw.header_row == header_row
    assert raw.columns == ["client_id", "gebied", "geboortejaar"]
    assert numbers(raw) == expected_numbers
    assert rows(raw) == [
        {"client_id": "client-0001", "gebied": "west", "geboortejaar": "1980"},
        {"client_id": "client-0002", "gebied": "oost", "geboortejaar": "1975"},
    ]


def test_quoted_fields_keep_delimiters_quotes_and_spaces():
    data = 'client_id,naam_initiatief,opmerking\n"c-1","Kringloop, Plus","zei ""ja"""\nc-2," Odensehuis ",""\n'
    raw = read_delivery(data.encode(), "x.csv")
    assert rows(raw) == [
        {"client_id": "c-1", "naam_initiatief": "Kringloop, Plus", "opmerking": 'zei "ja"'},
        {"client_id": "c-2", "naam_initiatief": " Odensehuis ", "opmerking": None},
    ]
    assert numbers(raw) == [2, 3]


def test_cells_are_text_as_written_not_trimmed_and_not_null_words():
    raw = read_delivery(b"client_id;a;b;c\n c-1 ;NA;null;\n", "x.csv")
    assert rows(raw) == [{"client_id": " c-1 ", "a": "NA", "b": "null", "c": None}]


def test_windows_1252_survives_exactly():
    data = "client_id;uitvoerder\nc-1;Café Één\nc-2;Zorg & Welzijn ’t Hoekje\n".encode("cp1252")
    raw = read_delivery(data, "x.csv")
    assert [r["uitvoerder"] for r in rows(raw)] == ["Café Één", "Zorg & Welzijn ’t Hoekje"]


def test_utf8_with_bom_keeps_the_first_header_clean():
    raw = read_delivery("\ufeffClient ID;Gebied\nc-1;Zuid en Haren\n".encode(), "x.csv")
    assert raw.headers == ["Client ID", "Gebied"]
    assert raw.columns == ["client_id", "gebied"]


def test_header_spellings_are_normalised_and_headers_kept_as_written():
    data = b"  Client ID ;CLIENT_ID2;Maatschappelijk   initiatief;GEBIED\nc-1;x;Wiershoeck;west\n"
    raw = read_delivery(data, "x.csv")
    assert raw.headers == ["Client ID", "CLIENT_ID2", "Maatschappelijk   initiatief", "GEBIED"]
    assert raw.columns == ["client_id", "client_id2", "maatschappelijk_initiatief", "gebied"]
    assert raw.table.column_names == raw.columns
    assert all(raw.table.schema.field(name).type == "string" for name in raw.columns)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'"client_id,x";"a,b,c";d\nc-1;2;3\n', ["client_id,x", "a,b,c", "d"]),
        (b'"a;b;c",client_id,d\nc-1,2,3\n', ["a;b;c", "client_id", "d"]),
        (b"client_id\nc-1,2\n", ["client_id"]),
    ],
)
def test_delimiter_is_the_one_that_occurs_most_outside_quotes(data, expected):
    raw = read_delivery(data, "x.csv")
    assert raw.headers == expected
    assert raw.table.num_columns == len(expected)


def test_short_rows_are_padded_in_file_order():
    data = b"client_id;a;b;c\nc-1;1;2;3\nc-2;1\nc-3;1;2;3\nc-4\n\nc-5;1;2\n"
    raw = read_delivery(data, "x.csv")
    assert numbers(raw) == [2, 3, 4, 5, 7]
    assert [r["client_id"] for r in rows(raw)] == ["c-1", "c-2", "c-3", "c-4", "c-5"]
    assert rows(raw)[1] == {"client_id": "c-2", "a": "1", "b": None, "c": None}
    assert rows(raw)[4] == {"client_id": "c-5", "a": "1", "b": "2", "c": None}


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"client_id;a\nc-1;1\n\nc-2;1;2\n", 4),
        (b"client_id;a\r\nc-1;1\r\n   \r\nc-2;1;2;3\r\n", 4),
        (b'client_id;a\nc-1;"x\ny"\nc-2;1;2\n', 4),  # after a quoted line break (slow path)
    ],
)
def test_a_row_with_more_fields_than_the_header_is_refused_naming_the_line(data, line):
    assert refused(data) == f"Regel {line} heeft meer velden dan de kopregel."


def test_a_surplus_of_empty_fields_is_just_a_delimiter_only_line():
    raw = read_delivery(b"client_id;a\nc-1;1\n;;;;\n", "x.csv")
    assert numbers(raw) == [2]


def test_quoted_line_breaks_keep_row_numbers_of_the_line_where_a_row_starts():
    data = b'client_id;opmerking;gebied\r\nc-1;"regel een\r\nregel twee";west\r\n\r\nc-2;"a\nb\nc";oost\r\nc-3;;zuid\r\n'
    raw = read_delivery(data, "x.csv")
    assert numbers(raw) == [2, 5, 8]
    assert [r["opmerking"] for r in rows(raw)] == ["regel een\r\nregel twee", "a\nb\nc", None]


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("trailing", [0, 3])
def test_row_numbers_with_trailing_line_breaks_and_without_carriage_returns(end, trailing):
    """Line breaks are counted once and reused for the row numbers (read._line_breaks): a
    file of only LF or only CRLF, with empty lines inside and at the end."""
    data = end.join(["client_id;a", "c-1;x", "", "c-2;y", "c-3;z", *[""] * trailing, ""]).encode()
    with patch.object(read_module, "_non_empty_lines", wraps=read_module._non_empty_lines) as mapped:
        assert numbers(read_delivery(data, "x.csv")) == [2, 4, 5]
    assert mapped.called  # the empty line 3 sends the mapping to the exact count
    plain = end.join(["client_id;a", "c-1;x", "c-2;y", *[""] * trailing, ""]).encode()
    with patch.object(read_module, "_non_empty_lines") as mapped:
        assert numbers(read_delivery(plain, "x.csv")) == [2, 3]
    assert not mapped.called  # no empty line: the records are the lines


def test_a_header_with_a_quoted_line_break_is_read_by_the_slow_path():
    raw = read_delivery(b'client_id;"toe\nlichting"\nc-1;x\n', "x.csv")
    assert raw.headers == ["client_id", "toe\nlichting"]
    assert raw.columns == ["client_id", "toe_lichting"]
    assert numbers(raw) == [3]


def test_lone_carriage_returns_count_as_line_breaks():
    raw = read_delivery(b'client_id;a\nc-1;"x"\rc-2;y\n\nc-3;z\n', "x.csv")
    assert numbers(raw) == [2, 3, 5]


def test_empty_header_columns_are_dropped_or_named_by_position():
    data = b"client_id;;gebied;\nc-1;;west;extra\nc-2; ;oost;\n"
    raw = read_delivery(data, "x.csv")
    assert raw.columns == ["client_id", "gebied", "kolom_4"]
    assert raw.headers == ["client_id", "gebied", "kolom_4"]
    assert rows(raw) == [
        {"client_id": "c-1", "gebied": "west", "kolom_4": "extra"},
        {"client_id": "c-2", "gebied": "oost", "kolom_4": None},
    ]


@pytest.mark.parametrize(
    ("header", "named"), [(b"client_id;gebied;Client ID", "Client ID"), (b"client_id;Gebied;gebied ", "gebied")]
)
def test_duplicate_headers_are_refused_naming_the_column(header, named):
    message = refused(header + b"\nc-1;west;x\n")
    assert message == f"De kolom '{named}' staat meer dan één keer in de kopregel (regel 1)."


def test_a_text_file_named_xlsx_is_refused_but_loads_as_csv():
    assert refused(PLAIN, "levering.XLSX").startswith("Dit bestand heet .xlsx maar is geen Excel-werkmap.")
    raw = read_delivery(PLAIN, "levering.csv")
    assert raw.fmt == "csv"
    assert numbers(raw) == [2, 3]


def test_a_large_csv_maps_every_row_across_arrow_blocks():
    """~6 MB, so Arrow reads it in several blocks; blank and short rows stay on the fast path."""
    rng = random.Random(7)
    lines, expected = ["client_id;a;b;c"], []
    for i in range(120_000):
        kind = rng.random()
        if kind < 0.002:
            lines.append(rng.choice(["", " ", ";;", ";;;", "\t;"]))
        elif kind < 0.003:
            lines.append(f"c-{i};{i}")
            expected.append((len(lines), f"c-{i}", None))
        else:
            lines.append(f"c-{i};{i};x{i % 97};{'y' * (i % 13)}")
            expected.append((len(lines), f"c-{i}", f"x{i % 97}"))
    with patch.object(read_module, "_parse_csv_slow", side_effect=AssertionError("slow path used")):
        raw = read_delivery("\r\n".join(lines).encode(), "groot.csv")
    assert numbers(raw) == [line for line, _, _ in expected]
    table = raw.table
    assert table.column("client_id").to_pylist() == [client for _, client, _ in expected]
    assert table.column("b").to_pylist() == [b for _, _, b in expected]


LINE_KINDS = ["data"] * 5 + ["short", "empty", "spaces", "delimiters", "few_delimiters", "quoted_break"]


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(LINE_KINDS), min_size=1, max_size=30),
    delimiter=st.sampled_from([";", ","]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_row_numbers_are_line_numbers_for_any_mix_of_lines(kinds, delimiter, newline):
    """Each data row gets the number of the line it starts on, whatever lines surround it."""
    d = delimiter
    lines, expected, line = [d.join(["client_id", "a", "b"])], [], 2
    for i, kind in enumerate(kinds):
        text, values = {
            "data": (f"c-{i}{d}{i}{d}w", [f"c-{i}", str(i), "w"]),
            "short": (f"c-{i}{d}{i}", [f"c-{i}", str(i), None]),
            "empty": ("", None),
            "spaces": (" \t ", None),
            "delimiters": (d * 2, None),
            "few_delimiters": (d, None),
            "quoted_break": (f'c-{i}{d}"x\ny"{d}w', [f"c-{i}", "x\ny", "w"]),
        }[kind]
        if values:
            expected.append((line, values))
        lines.append(text)
        line += 1 + text.count("\n")
    data = newline.join(lines).encode()
    if not expected:
        assert refused(data) == "Het bestand bevat geen gegevensregels."
        return
    raw = read_delivery(data, "x.csv")
    assert numbers(raw) == [line for line, _ in expected]
    assert [list(r.values()) for r in rows(raw)] == [values for _, values in expected]


CSV_PIECES = ["c-1;b;c", "c-2;b", "c-3", ";", ";;", "\n", "\r\n", "\n\n", " ", '"x"', '""', '"', ",", "\t", "é"]


def read_all(data: bytes) -> tuple:
    try:
        raw = read_delivery(data, "x.csv")
    except UnreadableFile as err:
        return ("refused", str(err))
    return raw.headers, raw.columns, rows(raw), numbers(raw), raw.header_row


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(CSV_PIECES), max_size=40))
def test_arrow_and_csv_module_read_any_text_alike(pieces):
    """Whatever the quoting or line breaks, the fast path gives what Python's csv module gives."""
    data = ("client_id;a;b\n" + "".join(pieces)).encode()
    with patch.object(read_module, "_parse_csv_fast", return_value=None):
        expected = read_all(data)
    assert read_all(data) == expected


# --------------------------------------------------------------------------- XLSX variations


def delivery_workbook(workbook, sheets):
    """Rows 1-3 empty/title, header on row 4 from column B, data on rows 5, 6 and 9."""
    sheet, notes = sheets
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    stamp = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    sheet.write(1, 0, "Aanbiedersextract K1 2027 (client_id gepseudonimiseerd)")
    header = ["Client ID", "Geboortejaar", "startdatum", "Bedrag", " Maatschappelijk initiatief "]
    sheet.write_row(3, 1, header)
    sheet.write_row(4, 1, ["client-0001", 1980])
    sheet.write_datetime(4, 3, dt.datetime(2027, 3, 31), date)
    sheet.write_number(4, 4, 12.5)
    sheet.write(4, 5, "Wiershoeck")
    sheet.write(4, 7, "extra")  # column H: data without a header
    sheet.write_row(5, 1, ["client-0002", 123456782, "31-03-2027", "n.v.t."])
    sheet.write_string(7, 1, "   ")  # whitespace only: not a data row
    sheet.write_row(8, 1, ["client-0003", 1980.0])
    sheet.write_datetime(8, 3, dt.datetime(2027, 3, 31, 12, 30), stamp)
    sheet.write_number(8, 4, -0.25)
    sheet.write(8, 5, "  Odensehuis ")
    sheet.write_blank(10, 1, None, date)  # formatted but empty
    notes.write_row(0, 0, ["client_id", "gebied"])
    notes.write_row(1, 0, ["mag-niet-verschijnen", "west"])


def test_xlsx_with_title_rows_empty_rows_dates_numbers_and_a_second_sheet():
    raw = read_delivery(xlsx(delivery_workbook, sheets=("Gegevens", "Toelichting")), "levering.xlsx")
    assert raw.fmt == "xlsx"
    assert raw.header_row == 4
    assert raw.headers == ["Client ID", "Geboortejaar", "startdatum", "Bedrag", "Maatschappelijk initiatief", "kolom_H"]
    assert raw.columns == ["client_id", "geboortejaar", "startdatum", "bedrag", "maatschappelijk_initiatief", "kolom_h"]
    assert numbers(raw) == [5, 6, 9]
    assert rows(raw) == [
        {
            "client_id": "client-0001", "geboortejaar": "1980", "startdatum": "2027-03-31", "bedrag": "12.5",
            "maatschappelijk_initiatief": "Wiershoeck", "kolom_h": "extra",
        },
        {
            "client_id": "client-0002", "geboortejaar": "123456782", "startdatum": "31-03-2027", "bedrag": "n.v.t.",
            "maatschappelijk_initiatief": None, "kolom_h": None,
        },
        {
            "client_id": "client-0003", "geboortejaar": "1980", "startdatum": "2027-03-31 12:30:00", "bedrag": "-0.25",
            "maatschappelijk_initiatief": "  Odensehuis ", "kolom_h": None,
        },
    ]
    assert raw.row_numbers.type == "int32"


def test_xlsx_header_on_row_one():
    raw = read_delivery(simple_xlsx(), "x.xlsx")
    assert (raw.header_row, numbers(raw), rows(raw)) == (1, [2], [{"client_id": "client-0001", "gebied": "west"}])


def test_xlsx_title_mentioning_client_is_not_the_header():
    def fill(workbook, sheets):
        sheets[0].write(0, 0, "Per client één regel")
        sheets[0].write(1, 0, "client id's zijn pseudoniemen")
        sheets[0].write_row(2, 0, ["CLIENT_ID", "gebied"])
        sheets[0].write_row(3, 0, ["c-1", "NA"])

    raw = read_delivery(xlsx(fill), "x.xlsx")
    assert (raw.header_row, numbers(raw), rows(raw)) == (3, [4], [{"client_id": "c-1", "gebied": "NA"}])


def test_xlsx_header_found_far_down_the_sheet():
    def fill(workbook, sheets):
        for row in range(1500):
            sheets[0].write(row, 0, f"toelichting {row}")
        sheets[0].write_row(1500, 0, ["client_id", "gebied"])
        sheets[0].write_row(1501, 0, ["c-1", "west"])

    raw = read_delivery(xlsx(fill), "x.xlsx")
    assert (raw.header_row, numbers(raw)) == (1501, [1502])


def test_xlsx_mixed_types_within_a_column():
    def fill(workbook, sheets):
        date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = sheets[0]
        sheet.write_row(0, 0, ["client_id", "einddatum", "geboortejaar"])
        sheet.write_row(1, 0, ["c-1"])
        sheet.write_datetime(1, 1, dt.datetime(2027, 1, 31), date)
        sheet.write_string(1, 2, "1980")
        sheet.write_row(2, 0, ["c-2", "lopend", 1975])
        sheet.write_row(3, 0, ["c-3", None, 1.5])
        sheet.write_boolean(4, 0, True)

    raw = read_delivery(xlsx(fill), "x.xlsx")
    assert numbers(raw) == [2, 3, 4, 5]
    assert raw.table.column("einddatum").to_pylist() == ["2027-01-31", "lopend", None, None]
    assert raw.table.column("geboortejaar").to_pylist() == ["1980", "1975", "1.5", None]
    assert raw.table.column("client_id").to_pylist() == ["c-1", "c-2", "c-3", "true"]


def test_xlsx_cells_without_references_are_placed_like_excel_does():
    raw = read_delivery(
        with_sheet_xml(
            f'<row r="2">{text_cell("client_id")}{text_cell("gebied")}</row>'
            f"<row>{text_cell('c-1')}{text_cell('west')}</row><row/><row>{text_cell('c-2')}</row>"
        ),
        "x.xlsx",
    )
    assert (raw.header_row, numbers(raw)) == (2, [3, 5])
    assert rows(raw) == [{"client_id": "c-1", "gebied": "west"}, {"client_id": "c-2", "gebied": None}]


def test_xlsx_namespace_prefixed_sheet_loads():
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>client_id</x:t></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>c-1</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    raw = read_delivery(rezip(simple_xlsx(), replace={"xl/worksheets/sheet1.xml": sheet.encode()}), "x.xlsx")
    assert (numbers(raw), rows(raw)) == ([3], [{"client_id": "c-1"}])


def test_xlsx_without_client_id_header_is_refused():
    def fill(workbook, sheets):
        sheets[0].write_row(0, 0, ["klant", "gebied"])
        sheets[0].write_row(1, 0, ["c-1", "west"])

    assert refused(xlsx(fill), "x.xlsx") == (
        "Geen kopregel met de kolom client_id (of jaar, voor gebiedsgegevens) gevonden op het eerste werkblad.")


def test_xlsx_with_client_id_only_on_the_second_sheet_is_refused():
    def fill(workbook, sheets):
        sheets[0].write(0, 0, "Zie het tweede tabblad")
        sheets[1].write_row(0, 0, ["client_id"])
        sheets[1].write_row(1, 0, ["c-1"])

    message = refused(xlsx(fill, sheets=("Voorblad", "Gegevens")), "x.xlsx")
    assert message.startswith("Geen kopregel met de kolom client_id")


def test_xlsx_header_only_has_no_data_rows():
    def fill(workbook, sheets):
        sheets[0].write_row(0, 0, ["client_id", "gebied"])
        sheets[0].write_row(2, 0, ["  ", ""])

    assert refused(xlsx(fill), "x.xlsx") == "Het bestand bevat geen gegevensregels."


def test_an_empty_workbook_has_no_header():
    assert refused(xlsx(lambda workbook, sheets: None), "x.xlsx").startswith("Geen kopregel")


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("data", [b"", b"\n\n\r\n", b"   \n\t\n", b";;;\n,,\n"])
def test_empty_files_are_refused(data):
    assert refused(data) == "Het bestand is leeg."


@pytest.mark.parametrize(
    "data",
    [b"client_id;gebied\n", b"client_id;gebied", b"client_id;gebied\r\n\r\n;;\n   \n", b"\n\nclient_id\n"],
)
def test_a_header_without_data_rows_is_refused(data):
    assert refused(data) == "Het bestand bevat geen gegevensregels."


@pytest.mark.parametrize(
    "data",
    [
        b"client_id;gebied\nc-1;we\x00st\n",  # a NUL byte
        bytes(range(256)) * 4,
        b"client_id;gebied\nc-1;\x81\x8d\x8f\x90\x9d\xff\xfe\n",  # neither UTF-8 nor Windows-1252
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),  # an old .xls (OLE) header
    ],
)
def test_binary_bytes_named_csv_are_refused(data):
    assert refused(data, "levering.csv") == "Dit bestand is geen leesbaar CSV- of XLSX-bestand."


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(out.getvalue(), "x.xlsx") == "Dit bestand is geen leesbaar CSV- of XLSX-bestand."


def test_a_truncated_workbook_is_refused():
    data = simple_xlsx()
    assert refused(data[: len(data) // 2], "x.xlsx").startswith("Het Excel-bestand is onveilig of beschadigd")


def test_oversize_files_are_refused_naming_the_limit():
    message = refused(PLAIN + b"x" * (1024 * 1024), max_bytes=1024 * 1024)
    assert message == "Het bestand is 1,1 MB; de grens is 1 MB."


def test_the_limit_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("GONMETRICS_MAX_UPLOAD_MB", "2")  # read when used, not at import
    assert refused(PLAIN + b"x" * (2 * 1024 * 1024)) == "Het bestand is 2,1 MB; de grens is 2 MB."
    assert too_large(2 * 1024 * 1024) is None


def unsafe(data: bytes, **kwargs) -> str:
    message = refused(data, "levering.xlsx", **kwargs)
    assert message.startswith("Het Excel-bestand is onveilig of beschadigd: ")
    return message


def test_zip_bomb_entry_is_refused():
    assert "zip-bom" in unsafe(rezip(simple_xlsx(), add={"xl/media/image1.png": bytes(20_000_000)}))


def test_too_much_unpacked_data_in_total_is_refused():
    rng = random.Random(1)
    filler = b"".join(bytes([rng.randrange(256)]) * 100 for _ in range(20_000))  # 2 MB, ratio ~40
    data = rezip(simple_xlsx(), add={"xl/media/image1.bin": filler})
    assert "uitgepakt is het groter dan" in unsafe(data, max_bytes=60_000)
    assert read_delivery(data, "x.xlsx", max_bytes=200_000).columns == ["client_id", "gebied"]


def test_too_many_entries_are_refused():
    data = rezip(simple_xlsx(), add={f"xl/media/{i}.txt": b"" for i in range(10_001)})
    assert "meer dan 10.000 onderdelen" in unsafe(data)


@pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "/etc/evil.xml", "xl\\evil.xml", "C:/evil.xml"])
def test_path_traversal_entries_are_refused(name):
    assert "ongeldige naam" in unsafe(rezip(simple_xlsx(), add={name: b"<x/>"}))


def test_duplicate_entries_are_refused():
    sheet = part(simple_xlsx(), "xl/worksheets/sheet1.xml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name we want
        data = rezip(simple_xlsx(), add={"xl/worksheets/sheet1.xml": sheet})
    assert "twee keer" in unsafe(data)


def test_macro_parts_are_refused():
    assert "macro" in unsafe(rezip(simple_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    types = part(simple_xlsx(), "[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
    )
    assert b"macroEnabled" in types
    assert "macro" in unsafe(rezip(simple_xlsx(), replace={"[Content_Types].xml": types}))


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    ("part_name", "prefix"),
    [
        ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
        ("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        ("xl/sharedStrings.xml", BILLION_LAUGHS),
        ("xl/workbook.xml", "<!doctype x>"),
        ("[Content_Types].xml", '<!DOCTYPE Types SYSTEM "http://example.invalid/t.dtd">'),
    ],
)
def test_doctype_and_entity_declarations_are_refused(part_name, prefix):
    original = part(simple_xlsx(), part_name).decode()
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    data = rezip(simple_xlsx(), replace={part_name: (prefix + body).encode()})
    assert "DOCTYPE- of ENTITY-declaratie" in unsafe(data)


def test_utf16_parts_are_refused():
    sheet = part(simple_xlsx(), "xl/worksheets/sheet1.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert "UTF-16" in unsafe(rezip(simple_xlsx(), replace={"xl/worksheets/sheet1.xml": sheet.encode("utf-16")}))


def memory_bombs() -> dict[str, bytes]:
    """Workbooks on which calamine would try to allocate far more memory than exists."""
    wide_row = "".join(f"<c><v>{random.Random(i).random()}</v></c>" for i in range(16_000))  # no zip-bomb ratio
    sheets = {
        # A cell in the last row and column: 17 billion cells.
        "far-cell": f'<row r="1">{text_cell("client_id", "A1")}</row><row r="2">{text_cell("x", "XFD1048576")}</row>',
        # The same, hidden as the second r attribute of a cell (calamine uses the last one).
        "second-r": '<row r="1"><c r="A1" r="XFD1048576" t="inlineStr"><is><t>client_id</t></is></c></row>',
        # ... or written with single quotes and spaces.
        "odd-quotes": "<row r='1'><c r = 'XFD1048576' t='inlineStr'><is><t>client_id</t></is></c></row>",
        # ... or behind a comment that holds a look-alike of a plain cell.
        "comment": f'<row r="1">{text_cell("client_id", "A1")}</row><!-- <c r="A2"> --><c r=\'XFD1048576\'/>',
        # A wide row of cells without references above a far-away explicit row.
        "positional": f'<row r="1">{wide_row}</row><row r="1048576">{text_cell("x", "A1048576")}</row>',
        # A reference beyond Excel's grid.
        "beyond-grid": f'<row r="1">{text_cell("client_id", "A99999999")}</row>',
    }
    bombs = {name: with_sheet_xml(cells) for name, cells in sheets.items()}
    strings = part(simple_xlsx(), "xl/sharedStrings.xml").decode()
    hostile = strings.replace('uniqueCount="4"', 'uniqueCount="4000000000"')
    assert hostile != strings
    bombs["unique-count"] = rezip(simple_xlsx(), replace={"xl/sharedStrings.xml": hostile.encode()})
    return bombs


@pytest.fixture(scope="module")
def memory_bomb_messages() -> dict[str, str]:
    """Read the bombs in a child process: should a guard regress, calamine aborts that
    process on the failed allocation instead of this test run."""
    child = (
        "import json, pickle, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))\n"
        "from gonmetrics.errors import UnreadableFile\n"
        "from gonmetrics.read import read_delivery\n"
        "for name, data in pickle.load(sys.stdin.buffer).items():\n"
        "    try:\n"
        "        read_delivery(data, name + '.xlsx')\n"
        "        message = 'read'\n"
        "    except UnreadableFile as err:\n"
        "        message = str(err)\n"
        "    print(json.dumps([name, message]), flush=True)\n"
    )
    bombs = memory_bombs()
    result = subprocess.run(
        [sys.executable, "-c", child], input=pickle.dumps(bombs), capture_output=True,
        cwd=REPO, timeout=300, check=False,
    )
    messages = dict(json.loads(line) for line in result.stdout.splitlines())
    crash = result.stderr.decode(errors="replace")[-2000:]
    return {name: messages.get(name, f"child process ended with {result.returncode}: {crash}") for name in bombs}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("far-cell", "miljoen cellen"),
        ("second-r", "miljoen cellen"),
        ("odd-quotes", "miljoen cellen"),
        ("comment", "miljoen cellen"),
        ("positional", "miljoen cellen"),
        ("beyond-grid", "buiten elk werkblad"),
        ("unique-count", "aantal teksten"),
    ],
)
def test_workbooks_that_would_exhaust_memory_are_refused(memory_bomb_messages, name, reason):
    message = memory_bomb_messages[name]
    assert message.startswith("Het Excel-bestand is onveilig of beschadigd: ")
    assert reason in message


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID_CSV = PLAIN.replace(b"\n", b"\r\n") + "c-3;Café;1990\r\n".encode()
VALID_XLSX = xlsx(delivery_workbook, sheets=("Gegevens", "Toelichting"))


def outcome(data: bytes, name: str) -> str:
    """Reading may succeed or be refused; any other exception fails the test."""
    try:
        raw = read_delivery(data, name)
    except UnreadableFile as err:
        assert str(err)
        return "refused"
    assert raw.table.num_rows == len(raw.row_numbers) > 0
    assert raw.table.column_names == raw.columns
    return "read"


def mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    mutated = bytearray(data)
    for position, value in flips:
        mutated[position % len(mutated)] = value
    return bytes(mutated[:cut] if cut else mutated)


flips_strategy = st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), max_size=8)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.csv", "x.xlsx", "x"]))
def test_fuzz_random_bytes(data, name):
    assert outcome(data, name) in {"read", "refused"}


@FUZZ
@given(flips_strategy, st.one_of(st.none(), st.integers(1, len(VALID_CSV))))
def test_fuzz_mutated_csv(flips, cut):
    assert outcome(mutate(VALID_CSV, flips, cut), "x.csv") in {"read", "refused"}


@FUZZ
@given(flips_strategy, st.one_of(st.none(), st.integers(1, len(VALID_XLSX))))
def test_fuzz_mutated_xlsx_bytes(flips, cut):
    assert outcome(mutate(VALID_XLSX, flips, cut), "x.xlsx") in {"read", "refused"}


@FUZZ
@given(
    st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml",
                     "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]),
    flips_strategy,
    st.one_of(st.none(), st.integers(1, 5000)),
)
def test_fuzz_mutated_xlsx_parts(name, flips, cut):
    """Corrupt the XML inside a well-formed archive, so calamine itself sees the damage."""
    content = mutate(part(VALID_XLSX, name), flips, cut)
    assert outcome(rezip(VALID_XLSX, replace={name: content}), "x.xlsx") in {"read", "refused"}


# --------------------------------------------------------------------------- timing (opt-in)


@pytest.mark.skipif(not os.environ.get("GON_READ_BENCH"), reason="set GON_READ_BENCH=1 to time large files")
def test_time_large_files(capsys):
    """Prints read times for a 1,000,000-row CSV and a 100,000-row XLSX; asserts only the content."""
    rng = random.Random(3)
    header = (
        "aanbieder;peildatum;client_id;gebied;geboortejaar;ondersteuning;product;doelgroep;"
        "startdatum;einddatum;maatschappelijk_initiatief;uitvoerder"
    )
    areas, kinds = ["centrum", "west", "oost", "zuid"], ["basis", "aanvullend"]
    lines = [header] + [
        f"Zorggroep Noord;2027-03-31;p{rng.getrandbits(60):015x};{areas[i % 4]};{1930 + i % 90};{kinds[i % 2]};"
        f"begeleiding;ouderen;2026-0{1 + i % 9}-1{i % 10};{'2027-02-15' if i % 3 == 0 else ''};"
        f"{'Wiershoeck' if i % 7 == 0 else ''};{'Zorggroep Noord' if i % 2 else ''}"
        for i in range(1_000_000)
    ]
    csv_data = ("\n".join(lines) + "\n").encode()

    def fill(workbook, sheets):
        date = workbook.add_format({"num_format": "dd-mm-yyyy"})
        sheet = sheets[0]
        sheet.write_row(0, 0, header.split(";"))
        for i in range(1, 100_001):
            sheet.write_row(i, 0, ["Zorggroep Noord", None, f"p{i:015x}", areas[i % 4], 1930 + i % 90, kinds[i % 2],
                                   "begeleiding", "ouderen"])
            sheet.write_datetime(i, 1, dt.datetime(2027, 3, 31), date)
            sheet.write_datetime(i, 8, dt.datetime(2026, 1, 1) + dt.timedelta(days=i % 400), date)

    xlsx_data = xlsx(fill)
    for label, data, expected_rows in [("CSV", csv_data, 1_000_000), ("XLSX", xlsx_data, 100_000)]:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            raw = read_delivery(data, label, max_bytes=1 << 30)
            times.append(time.perf_counter() - start)
        assert raw.table.num_rows == expected_rows
        assert numbers(raw)[-1] == expected_rows + 1
        with capsys.disabled():
            print(f"\n{label}: {len(data) / 1e6:.1f} MB, {expected_rows:,} rows: "
                  f"median {sorted(times)[2]:.3f} s, best {min(times):.3f} s")


def test_a_narrow_file_far_below_the_cell_limit_is_not_counted_twice():
    # 300,000 lines of 3 fields: within both limits whatever they hold (900,000 cells), so
    # the pass that counts only filled lines (for files that may break a limit) is skipped.
    data = b"client_id;gebied;jaar\n" + b"abc;west;2027\n" * 299_999 + b"\n"
    with patch.object(read_module, "_filled_lines", side_effect=AssertionError("counted again")):
        raw = read_module.read_delivery(data, "smal.csv", max_bytes=1 << 30)
    assert raw.table.num_rows == 299_999 and raw.row_numbers[-1].as_py() == 300_000
