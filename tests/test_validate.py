"""Every hard rule of extract-format.md refuses the file, naming row and column;
every tolerated variation loads. Files are written by hand, expectations too."""

from __future__ import annotations

import datetime as dt

import pytest

from gonmetrics.load import check
from tests.conftest import PROVIDER_HEADER, ROW, WIJ_HEADER, WIJ_ROW, provider_csv, wij_csv


def replace_field(row: str, index: int, value: str) -> str:
    fields = row.split(";")
    fields[index] = value
    return ";".join(fields)


def errors_at(report) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in report.errors}


# (description, provider row changes {field index: value}, expected column)
PROVIDER_ERRORS = [
    ("unknown area", {3: "Noord"}, "gebied"),
    ("unknown ondersteuning", {5: "licht"}, "ondersteuning"),
    ("unknown product", {6: "huishoudelijke hulp"}, "product"),
    ("unknown doelgroep", {7: "jeugd"}, "doelgroep"),
    ("unparsable startdatum", {8: "2026-13-01"}, "startdatum"),
    ("unparsable einddatum", {9: "gisteren"}, "einddatum"),
    ("year too early", {4: "1899"}, "geboortejaar"),
    ("year after peildatum", {4: "2028"}, "geboortejaar"),
    ("year not a number", {4: "19x0"}, "geboortejaar"),
    ("einddatum before startdatum", {8: "2027-02-01", 9: "2027-01-31"}, "einddatum"),
    ("einddatum before the quarter", {8: "2026-01-01", 9: "2026-12-31"}, "einddatum"),
    ("startdatum after peildatum", {8: "2027-04-01"}, "startdatum"),
    ("initiative on aanvullend", {5: "aanvullend"}, "maatschappelijk_initiatief"),
    ("empty required value", {7: "  "}, "doelgroep"),
    ("client_id too short", {2: "abc"}, "client_id"),
    ("client_id with a space", {2: "client 0001"}, "client_id"),
]


@pytest.mark.parametrize("description, changes, column", PROVIDER_ERRORS, ids=[p[0] for p in PROVIDER_ERRORS])
def test_provider_hard_error_names_row_and_column(description, changes, column):
    bad = ROW
    for index, value in changes.items():
        bad = replace_field(bad, index, value)
    # The bad row is on line 3, after a valid row on line 2.
    report = check(provider_csv(ROW.replace("client-0001", "client-0002"), bad), "q1.csv")
    assert report.status == "refused"
    assert (3, column) in errors_at(report)
    assert all(e["row"] == 3 for e in report.errors), report.errors
    assert report.typed_rows is None


WIJ_ERRORS = [
    ("unknown toeleiding", {6: "wachtlijst"}, "toeleiding"),
    ("unknown beschikking_duur", {8: "kort"}, "beschikking_duur"),
    ("beschikking_duur without aanvullend", {6: "basis"}, "beschikking_duur"),
    ("aanmelddatum before the quarter", {4: "2026-12-31"}, "aanmelddatum"),
    ("aanmelddatum after peildatum", {4: "2027-04-01"}, "aanmelddatum"),
    ("unknown area label", {2: "Noord en Ten Boer"}, "gebied"),
]


@pytest.mark.parametrize("description, changes, column", WIJ_ERRORS, ids=[p[0] for p in WIJ_ERRORS])
def test_wij_hard_error_names_row_and_column(description, changes, column):
    bad = WIJ_ROW
    for index, value in changes.items():
        bad = replace_field(bad, index, value)
    report = check(wij_csv(WIJ_ROW.replace("client-0001", "client-0002"), bad), "wij.csv")
    assert report.status == "refused"
    assert report.kind == "wij"
    assert errors_at(report) == {(3, column)}


def test_missing_required_column_is_named_on_the_header_row():
    header = PROVIDER_HEADER.replace(";doelgroep", "")
    row = replace_field(ROW, 7, "DELETE").replace(";DELETE", "")
    report = check(provider_csv(row, header=header), "q1.csv")
    assert report.status == "refused"
    assert errors_at(report) == {(1, "doelgroep")}


def test_peildatum_not_a_quarter_end():
    report = check(provider_csv(replace_field(ROW, 1, "2027-03-30")), "q1.csv")
    assert report.status == "refused"
    assert (2, "peildatum") in errors_at(report)


def test_two_peildatum_values_and_two_providers():
    other = replace_field(replace_field(ROW, 1, "2027-06-30"), 2, "client-0002")
    third = replace_field(replace_field(ROW, 0, "Andere Zorg"), 2, "client-0003")
    report = check(provider_csv(ROW, other, third), "q1.csv")
    assert errors_at(report) == {(3, "peildatum"), (4, "aanbieder")}
    assert "regel 2" in report.errors[0]["message"]


def test_duplicate_row_names_the_first_occurrence():
    report = check(provider_csv(ROW, replace_field(ROW, 2, "client-0002"), ROW), "q1.csv")
    assert errors_at(report) == {(4, "client_id")}
    assert "regel 2" in report.errors[0]["message"]


def test_rows_differing_only_in_an_optional_column_are_duplicates():
    other = replace_field(ROW, 11, "Onderaannemer BV")
    report = check(provider_csv(ROW, other), "q1.csv")
    assert errors_at(report) == {(3, "client_id")}


@pytest.mark.parametrize("client_id", ["123456782", "000000000", " 111222333 "])
def test_bsn_like_client_id_refuses_whole_file_and_never_echoes_it(client_id):
    # 123456782: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-2 = 154 = 14*11.
    # 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6*11.
    report = check(provider_csv(ROW, replace_field(ROW, 2, client_id)), "q1.csv")
    assert report.status == "refused" and report.sensitive
    assert errors_at(report) == {(3, "client_id")}
    assert client_id.strip() not in str(report.as_json())


def test_nine_digits_failing_the_elfproef_is_a_valid_pseudonym():
    # 123456781: 9+16+21+24+25+24+21+16-1 = 155, not divisible by 11.
    report = check(provider_csv(replace_field(ROW, 2, "123456781")), "q1.csv")
    assert report.status == "accepted", report.errors
    assert report.typed_rows.column("client_id").to_pylist() == ["123456781"]


@pytest.mark.parametrize("header", ["BSN", "Burgerservicenummer", "naam", "Achternaam", "voornaam", "Adres",
                                    "straat", "Huisnummer", "geboortedatum", "Telefoon", "email", "E-mail", " e mail "])
def test_identifier_column_refuses_whole_file(header):
    report = check(provider_csv(ROW + ";x", header=PROVIDER_HEADER + ";" + header), "q1.csv")
    assert report.status == "refused" and report.sensitive
    assert (1, header.strip()) in errors_at(report)


def test_extra_column_holding_a_bsn_refuses_without_echo():
    report = check(provider_csv(ROW + ";123456782", header=PROVIDER_HEADER + ";dossier"), "q1.csv")
    assert report.status == "refused" and report.sensitive
    assert "123456782" not in str(report.as_json())


def test_extra_column_is_ignored_with_a_warning_and_not_stored():
    report = check(provider_csv(ROW + ";geheim", header=PROVIDER_HEADER + ";Opmerking"), "q1.csv")
    assert report.status == "accepted"
    assert any("Opmerking" in w for w in report.warnings)
    assert "opmerking" not in report.typed_rows.column_names
    assert "geheim" not in str(report.typed_rows.to_pylist())


def test_error_values_are_quoted_but_long_ones_are_cut():
    long_area = "x" * 200
    report = check(provider_csv(replace_field(ROW, 3, long_area)), "q1.csv")
    message = report.errors[0]["message"]
    assert "'" + "x" * 60 + "…'" in message and "x" * 61 not in message


def test_large_files_report_the_first_100_errors_and_the_total():
    rows = [replace_field(replace_field(ROW, 2, f"client-{i:05d}"), 3, "Noord") for i in range(250)]
    report = check(provider_csv(*rows), "q1.csv")
    assert report.error_count == 250
    assert len(report.errors) == 100
    assert [e["row"] for e in report.errors] == list(range(2, 102))


def test_tolerated_spellings_load_to_canonical_values():
    header = ("Client ID ; AANBIEDER;Peildatum;Gebied;geboortejaar;Ondersteuning;Product;Doelgroep;"
              "Startdatum;Maatschappelijk initiatief")  # columns reordered, einddatum/uitvoerder left out
    rows = [
        " client-0001 ; Zorg BV ;31-03-2027; Centrum/Oude Wijken ;1980;Algemene Voorziening;Kortdurend Verblijf;PSYCHISCH;1-2-2026;Odensehuis",
        "client-0002;Zorg BV;31/03/2027;Zuid en Haren;1950;MAATWERK;dagbesteding;ouderen;2026-01-01;",
        "client-0003;zorg bv;2027-03-31;oost en ten boer;1999;aanvullende ondersteuning;begeleiding;overig;2027-03-31; ",
        "client-0004;Zorg BV;2027-03-31;Centrum en Oude Wijken;2000;Basisondersteuning;begeleiding;overig;2027-01-01;",
    ]
    report = check(provider_csv(*rows, header=header), "q1.csv")
    assert report.status == "accepted", report.errors
    assert report.kind == "aanbieder"
    assert report.aanbieder == "Zorg BV" and report.peildatum == dt.date(2027, 3, 31)
    got = report.typed_rows.to_pylist()
    assert [(r["client_id"], r["gebied"], r["ondersteuning"], r["product"], r["doelgroep"]) for r in got] == [
        ("client-0001", "centrum", "basis", "kortdurend_verblijf", "psychisch"),
        ("client-0002", "zuid", "aanvullend", "dagbesteding", "ouderen"),
        ("client-0003", "oost", "aanvullend", "begeleiding", "overig"),
        ("client-0004", "centrum", "basis", "begeleiding", "overig"),
    ]
    assert got[0]["startdatum"] == dt.date(2026, 2, 1)
    assert got[0]["maatschappelijk_initiatief"] == "Odensehuis"
    assert got[1]["maatschappelijk_initiatief"] is None and got[2]["maatschappelijk_initiatief"] is None
    assert [r["row_no"] for r in got] == [2, 3, 4, 5]


def test_wij_extract_is_recognised_by_aanmelddatum_and_loads():
    rows = [WIJ_ROW, "2027-03-31;client-0002;Oost;1990;31-03-2027;Psychisch;Lichte_Ondersteuning;;"]
    report = check(wij_csv(*rows), "wij.csv")
    assert report.status == "accepted", report.errors
    assert report.kind == "wij" and report.aanbieder is None
    got = report.typed_rows.to_pylist()
    assert got[1]["aanmelddatum"] == dt.date(2027, 3, 31)
    assert got[1]["toeleiding"] == "lichte_ondersteuning" and got[1]["beschikking_duur"] is None


def test_a_column_of_many_distinct_texts_is_checked_alike(monkeypatch):
    """Columns of few distinct texts are checked dictionary-encoded, others as plain text
    (validate._as_scanned): both give the same errors, rows and messages. Every provider
    error of PROVIDER_ERRORS on its own line, from line 3 on, plus a repeated row."""
    from gonmetrics import validate

    rows = [ROW.replace("client-0001", "client-0100")]
    for number, (_, changes, _) in enumerate(PROVIDER_ERRORS):
        bad = replace_field(ROW, 2, f"client-{number:04d}")
        for index, value in changes.items():
            bad = replace_field(bad, index, value)
        rows.append(bad)
    data = provider_csv(*rows, rows[0])
    encoded = check(data, "q1.csv")
    monkeypatch.setattr(validate, "_MAX_DICTIONARY", 0)  # no column is encoded
    plain = check(data, "q1.csv")
    assert {(3 + n, column) for n, (_, _, column) in enumerate(PROVIDER_ERRORS)} <= errors_at(encoded)
    assert (3 + len(PROVIDER_ERRORS), "client_id") in errors_at(encoded)  # the repeat of line 2
    assert encoded.errors == plain.errors and encoded.error_count == plain.error_count > len(PROVIDER_ERRORS)


def test_valid_rows_are_stored_alike_encoded_or_plain(monkeypatch):
    from gonmetrics import validate

    data = provider_csv(ROW, replace_field(replace_field(ROW, 2, "client-0002"), 3, " Oost "))
    encoded = check(data, "q1.csv")
    monkeypatch.setattr(validate, "_MAX_DICTIONARY", 0)
    plain = check(data, "q1.csv")
    assert encoded.accepted and encoded.typed_rows.equals(plain.typed_rows)
    assert encoded.typed_rows.column("gebied").to_pylist() == ["west", "oost"]
