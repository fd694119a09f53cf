"""BSN-like values anywhere in a delivery refuse it whole, are never stored and never
echoed (extract-format.md, "BSNs outside client_id"); file names cannot forge report
lines. Every expected value is worked out by hand in a comment.

Elfproef sums used below (9*d1 + 8*d2 + ... + 2*d8 - d9):
  123456782: 9+16+21+24+25+24+21+16-2 = 154 = 14*11  -> passes
  123456781: 9+16+21+24+25+24+21+16-1 = 155           -> fails
  012345672: 0+8+14+18+20+20+18+14-2 = 110 = 10*11    -> passes (the 8-digit 12345672)
  120044699: 9+16+0+0+20+16+18+18-9 = 88 = 8*11       -> passes (inside a hex pseudonym)
"""

from __future__ import annotations

import io
import json
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from gonmetrics.cli import _report_lines
from gonmetrics.load import check
from gonmetrics.sensitive import PREFILTER, bsn_like_client_id, bsn_like_word
from tests.conftest import PROVIDER_HEADER, ROW, WIJ_ROW, provider_csv, wij_csv

BSN = "123456782"


def replace_field(row: str, index: int, value: str) -> str:
    fields = row.split(";")
    fields[index] = value
    return ";".join(fields)


def workbook(sheets: dict[str, list[list[str | int]]]) -> bytes:
    """Text cells as text, whole numbers as native Excel numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, int):
                    sheet.write_number(r, c, value)
                elif value != "":
                    sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


PROVIDER_COLUMNS = PROVIDER_HEADER.split(";")


def provider_xlsx(above: list[list[str]] = (), other_sheet: list[list[str]] | None = None) -> bytes:
    sheets = {"Levering": [*above, PROVIDER_COLUMNS, ROW.split(";")]}
    if other_sheet is not None:
        sheets["Toelichting"] = other_sheet
    return workbook(sheets)


def everything_shown(report) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False) + report.file + "\n".join(_report_lines(report))


# (name, data, file name, expected (row, column) of the finding, the value as written)
REFUSED = [
    ("uitvoerder", provider_csv(replace_field(ROW, 11, f"Team {BSN}")), (2, "uitvoerder"), BSN),
    ("initiatief", provider_csv(replace_field(ROW, 10, f"bsn: {BSN}.")), (2, "maatschappelijk_initiatief"), BSN),
    ("aanbieder", provider_csv(replace_field(ROW, 0, "Zorg BV 1234.56.782")), (2, "aanbieder"), "1234.56.782"),
    ("hoofdaanbieder", wij_csv(replace_field(WIJ_ROW, 7, "123 456 782")), (2, "hoofdaanbieder"), "123 456 782"),
    ("free text", provider_csv(ROW + ";bel bsn 123.456.782 na", header=PROVIDER_HEADER + ";Notitie"),
     (2, "Notitie"), "123.456.782"),
    ("bsn as header", provider_csv(ROW + ";x", header=PROVIDER_HEADER + f";{BSN}"), (1, "13"), BSN),
    ("8-digit client_id", provider_csv(replace_field(ROW, 2, "12345672")), (2, "client_id"), "12345672"),
    ("9-digit client_id with leading zero", provider_csv(replace_field(ROW, 2, "012345672")), (2, "client_id"),
     "12345672"),
    ("client_id .0", provider_csv(replace_field(ROW, 2, f"{BSN}.0")), (2, "client_id"), BSN),
    ("client_id zero-width space", provider_csv(replace_field(ROW, 2, "1234\u200b56782")), (2, "client_id"),
     "1234\u200b56782"),
    ("client_id spaced and soft hyphen", provider_csv(replace_field(ROW, 2, "1234\u00ad5678 2")), (2, "client_id"),
     "1234\u00ad5678 2"),
    ("xlsx title row", provider_xlsx(above=[[f"Levering kwartaal 1, dossier {BSN}"], []]), (1, "A"), BSN),
    ("xlsx second sheet", provider_xlsx(other_sheet=[["Toelichting"], [], ["", f"{BSN}"]]),
     (3, "B (werkblad 2)"), BSN),
    ("xlsx sheet name", workbook({"Levering": [PROVIDER_COLUMNS, ROW.split(";")], BSN: [["x"]]}),
     (None, "naam van werkblad 2"), BSN),
    ("xlsx numeric 8-digit client_id", workbook({"Levering": [PROVIDER_COLUMNS, [*ROW.split(";")[:2], 12345672,
                                                                                   *ROW.split(";")[3:]]]}),
     (2, "client_id"), "12345672"),
    ("wij 8-digit client_id with no-break spaces", wij_csv(replace_field(WIJ_ROW, 1, "1234\u00a05672")),
     (2, "client_id"), "1234\u00a05672"),
]


@pytest.mark.parametrize(("data", "where", "written"), [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_bsn_like_value_refuses_the_file_names_the_cell_and_keeps_nothing(store, data, where, written):
    store.ingest(provider_csv(ROW), "eerder.csv", user="test")  # an archive and a manifest exist
    archived_before = sorted(p.name for p in store.archive_dir.iterdir())

    report = store.ingest(data, "levering.xlsx" if data.startswith(b"PK") else "levering.csv", user="test")

    assert report.status == "refused" and report.sensitive
    assert (report.errors[0]["row"], report.errors[0]["column"]) == where
    assert "burgerservicenummer" in report.errors[0]["message"]
    shown = everything_shown(report)
    assert written not in shown and "123456782" not in shown and "12345672" not in shown
    assert sorted(p.name for p in store.archive_dir.iterdir()) == archived_before
    manifest = store.manifest_path.read_text(encoding="utf-8")
    assert "123456782" not in manifest and "levering" not in manifest
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 1


ACCEPTED = [
    ("amount", provider_csv(ROW + ";2864902.25", header=PROVIDER_HEADER + ";bedrag")),
    ("hex pseudonym", provider_csv(replace_field(ROW, 2, "416d9f3a120044699e1f"))),
    ("fails elfproef", provider_csv(replace_field(ROW, 11, "123456781"))),
    ("ten digits", provider_csv(replace_field(ROW, 11, "1234567820"))),
    ("9-digit client_id failing elfproef", provider_csv(replace_field(ROW, 2, "123456781"))),
    ("8-digit client_id failing elfproef", provider_csv(replace_field(ROW, 2, "12345671"))),  # 0..: 109
    ("two groups", provider_csv(replace_field(ROW, 11, "Team 12345 6782"))),  # a 5-digit group
    ("xlsx with a harmless second sheet", provider_xlsx(above=[["Kwartaal 1 2027"]], other_sheet=[["12.345"]])),
]


@pytest.mark.parametrize("data", [case[1] for case in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_numbers_that_are_no_bsn_load(data):
    report = check(data, "levering.xlsx" if data.startswith(b"PK") else "levering.csv")
    assert report.status == "accepted", report.errors
    assert not report.sensitive


def many_errors_with_a_bsn_in_row_140() -> bytes:
    rows = []
    for line in range(2, 153):  # 151 rows, each with an unknown area
        row = replace_field(replace_field(ROW, 2, f"client-{line:05d}"), 3, "Noord")
        if line == 140:
            row = replace_field(row, 11, f"uitgevoerd door {BSN}")
        rows.append(row)
    return provider_csv(*rows)


def test_bsn_finding_comes_first_among_many_errors():
    report = check(many_errors_with_a_bsn_in_row_140(), "q1.csv")
    assert report.sensitive
    assert (report.errors[0]["row"], report.errors[0]["column"]) == (140, "uitvoerder")
    assert report.error_count == 152  # the finding and 151 unknown areas
    assert BSN not in everything_shown(report)


def test_bsn_finding_comes_first_when_a_required_column_is_missing():
    header = PROVIDER_HEADER.replace(";gebied", "")
    row = replace_field(ROW, 11, BSN).replace(";west", "")
    report = check(provider_csv(row, header=header), "q1.csv")
    assert report.sensitive
    assert (report.errors[0]["row"], report.errors[0]["column"]) == (2, "uitvoerder")
    assert any(e["message"] == "Verplichte kolom 'gebied' ontbreekt." for e in report.errors)


def test_a_file_of_only_a_bsn_client_id_column_is_sensitive():
    report = check(b"client_id\n123456782\n", "q1.csv")
    assert report.sensitive
    assert (report.errors[0]["row"], report.errors[0]["column"]) == (2, "client_id")


@pytest.mark.parametrize(("field", "value"), [
    (3, "12.34.56.78"),  # an unknown area of eight digits
    (2, "12345672.5"),  # an invalid pseudonym around an 8-digit BSN
])
def test_error_messages_never_quote_eight_or_more_digits(field, value):
    report = check(provider_csv(replace_field(ROW, field, value)), "q1.csv")
    assert report.status == "refused"
    first_eight_digits = re.sub(r"\D", "", value)[:8]
    assert first_eight_digits not in re.sub(r"\D", "", everything_shown(report))


def test_a_different_aanbieder_of_eight_digits_is_not_quoted():
    report = check(provider_csv(ROW, replace_field(ROW, 0, "12345672")), "q1.csv")
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "aanbieder")]
    assert "12345672" not in everything_shown(report)


def test_dates_are_still_quoted_in_messages():
    report = check(provider_csv(replace_field(ROW, 8, "2027-04-01")), "q1.csv")
    assert report.errors[0]["message"] == "Startdatum '2027-04-01' ligt na de peildatum."


def test_an_extra_column_named_by_digits_is_not_quoted_in_its_warning():
    report = check(provider_csv(ROW + ";x", header=PROVIDER_HEADER + ";12345672"), "q1.csv")
    assert report.status == "accepted"
    assert len(report.warnings) == 1 and "12345672" not in report.warnings[0]


def test_a_repeated_header_of_digits_is_not_quoted():
    report = check(provider_csv(ROW + ";x;y", header=PROVIDER_HEADER + ";12345672;12345672"), "q1.csv")
    assert report.status == "refused"
    assert "12345672" not in everything_shown(report)


def test_a_line_break_in_a_file_name_cannot_forge_report_lines():
    report = check(provider_csv(replace_field(ROW, 3, "Noord")), "a\nregel 2: vals.csv")
    assert report.file == "a regel 2: vals.csv"
    lines = _report_lines(report)
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert lines[0].startswith("a regel 2: vals.csv: GEWEIGERD")


def test_control_characters_and_bsns_in_file_names_are_replaced():
    report = check(provider_csv(ROW), f"q1\r\0\tlevering {BSN}.csv")
    assert report.file == "q1   levering ***.csv"


def test_a_long_file_name_is_shortened_keeping_its_extension():
    report = check(provider_csv(ROW), "x" * 4996 + ".csv")
    assert report.file == "x" * 116 + ".csv"
    assert report.accepted


@pytest.mark.parametrize(("text", "expected"), [
    ("Team 123456782", True),
    ("bsn: 123456782.", True),
    ("1234.56.782", True),
    ("123 456 782", True),
    ("123456782.0", True),
    ("12 34 56 782", True),  # 2+2+2+3
    ("nr 12.123456782", True),  # a nine-digit group after a separator
    ("1\u200b23456782", True),  # an invisible character inside
    ("2864902.25", False),
    ("416d9f3a120044699e1f", False),  # 120044699 passes, but between letters
    ("a123456782", False),
    ("1234567820", False),  # ten digits
    ("123456781", False),  # fails the elfproef
    ("123  456  782", False),  # double spaces: three words of three digits
    ("12345 6782", False),  # a group of five
    ("1 23456782", False),  # a group of one
    ("client-123456782", True),
])
def test_bsn_like_word(text, expected):
    assert bsn_like_word(text) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("123456782", True),
    ("12345672", True),  # 012345672
    ("000000000", True),
    ("00000000", True),
    (" 1234 5678 2 ", True),
    ("123.456.782", True),
    ("123456782.0", True),
    ("\ufeff123456782", True),
    ("123456781", False),
    ("12345671", False),  # 012345671: 109
    ("1234567", False),
    ("client-123456782", False),  # not as a whole; the word rule refuses it (a hyphen is no letter)
])
def test_bsn_like_client_id(value, expected):
    assert bsn_like_client_id(value) is expected


def prefilter_matches(text: str) -> bool:
    return pc.match_substring_regex(pa.array([text]), PREFILTER)[0].as_py()


# Texts made of what matters to the rule: digits, separators, letters and invisible characters.
PIECES = st.sampled_from(["123456782", "12", "345", "6782", "0", "9", " ", ".", "  ", "a", "é", "-", "\u200b",
                          "\u00ad", "\u00a0", "x1", "120044699"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_prefilter_lets_every_bsn_like_word_through(text):
    if bsn_like_word(text):
        assert prefilter_matches(text)
