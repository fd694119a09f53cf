"""Downloads: CSV and XLSX that Excel opens in a Dutch locale without running any
formula, and the printable report of the Voortgang page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from gonmetrics import report_html
from gonmetrics.charts import Chart
from gonmetrics.downloads import to_csv_bytes, to_xlsx_bytes

HOSTILE = pd.DataFrame({
    "Gebied": ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "West"],
    "Aandeel": ["12,5 %", "1,0 %", "−3,0 procentpunt", "x", "< 10", "", "23,4 %"],
    "Gebruikers": [1234, 5, -3, 0, 7, 8, 9],
    "Waarde": [0.125, 0.5, None, 1.0, 2.5, 3.0, 4.0],
})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_is_semicolon_separated_utf8_with_bom_and_dutch_decimals():
    data = to_csv_bytes(HOSTILE)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["Gebied", "Aandeel", "Gebruikers", "Waarde"]
    assert rows[1][1:] == ["12,5 %", "1234", "0,125"]
    assert rows[7] == ["West", "23,4 %", "9", "4,0"]


def test_csv_neutralises_formulas_in_text_cells():
    rows = list(csv.reader(io.StringIO(to_csv_bytes(HOSTILE).decode("utf-8-sig"), newline=""), delimiter=";"))
    hostile = [row[0] for row in rows[1:7]]
    assert all(cell.startswith("'") for cell in hostile), hostile
    assert [cell[1:] for cell in hostile] == list(HOSTILE["Gebied"][:6])
    assert rows[3][2] == "-3"  # a negative number stays a number


def test_xlsx_never_holds_a_formula_and_keeps_numbers_numeric():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(HOSTILE))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    hostile = [sheet.cell(r, 1).value for r in range(2, 8)]
    assert all(cell.value.startswith("'") and cell.data_type == "s" for cell in [sheet.cell(r, 1) for r in range(2, 8)])
    assert hostile[:5] == ["'" + v for v in HOSTILE["Gebied"][:5]]  # (openpyxl shows the CR as _x000D_)
    assert sheet.cell(2, 3).value == 1234 and sheet.cell(2, 3).data_type == "n"
    assert sheet.cell(4, 3).value == -3
    assert sheet.cell(4, 4).value is None
    assert sheet["A1"].font.bold


def test_xlsx_header_is_neutralised_too():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"=cmd": ["a"]})))).active
    assert sheet["A1"].value == "'=cmd" and sheet["A1"].data_type == "s"


@pytest.fixture
def report() -> str:
    fig = go.Figure(go.Scatter(x=["K1<br>2027"], y=[12.5])).update_layout(separators=",.")
    chart = Chart(fig, "Aandeel basisondersteuning in West: 12,5 % in K1 2027.",
                  pd.DataFrame({"Kwartaal": ["K1 2027"], "Aandeel": ["12,5 %"]}), "share_basis_west")
    sections = [report_html.Section("In het kort", bullets=["In West <b>groeit</b> het aandeel."]),
                report_html.Section("De stad", charts=[("Aandeel basisondersteuning", chart), ("Nog een", chart)])]
    return report_html.render("Voortgang, K1 2027", ["Kleine aantallen zijn afgeschermd."], sections,
                              notices=["Demodata: verzonnen gegevens."], made=dt.date(2027, 5, 1))


def test_report_is_one_dutch_printable_document(report):
    assert report.startswith("<!DOCTYPE html>") and '<html lang="nl">' in report
    assert "@media print" in report and "size: A4" in report
    headings = re.findall(r"<h([1-6])>", report)
    assert headings[0] == "1" and headings.count("1") == 1
    assert all(int(b) - int(a) <= 1 for a, b in zip(headings, headings[1:]))  # no skipped levels
    assert "Gemaakt op 01-05-2027" in report and "Demodata: verzonnen gegevens." in report


def test_report_opens_offline_with_charts_and_tables(report):
    assert report.count("Plotly.newPlot") == 2
    assert len(re.findall(r"<script[^>]*>", report)) == 3  # plotly.js once, then one per chart
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", report)  # nothing fetched from elsewhere
    assert report.count("<caption>Gegevens bij de grafiek: Aandeel basisondersteuning</caption>") == 1
    assert '<figcaption>Aandeel basisondersteuning in West: 12,5 % in K1 2027.</figcaption>' in report
    assert 'role="img" aria-label="Aandeel basisondersteuning in West: 12,5 % in K1 2027."' in report
    assert '"separators":",."' in report


def test_report_escapes_text(report):
    assert "<b>groeit</b>" not in report and "&lt;b&gt;groeit&lt;/b&gt;" in report


@pytest.mark.parametrize("cell, safe", [
    ("\n=HYPERLINK(\"http://x\")", "'\n=HYPERLINK(\"http://x\")"),  # a line break before a formula
    ("Zorg\x00 BV", "Zorg BV"),  # NUL cuts a cell short in some readers and is invalid in XLSX
    ("=1+1\x00", "'=1+1"),
])
def test_line_breaks_and_nul_are_neutralised_in_both_formats(cell, safe):
    frame = pd.DataFrame({"Naam": [cell]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == [safe]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert sheet["A2"].value == safe and sheet["A2"].data_type == "s"


def test_a_notice_comes_first_in_both_formats():
    frame = pd.DataFrame({"Gebied": ["West"], "Gebruikers": [12]})
    text = to_csv_bytes(frame, "DEMODATA: synthetische gegevens, geen echte cijfers").decode("utf-8-sig")
    assert text.splitlines()[:3] == ["# DEMODATA: synthetische gegevens, geen echte cijfers", "Gebied;Gebruikers",
                                     "West;12"]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "DEMODATA: synthetische gegevens"))).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["DEMODATA: synthetische gegevens", None], ["Gebied", "Gebruikers"], ["West", 12]]
