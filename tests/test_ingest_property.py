"""Random valid deliveries, written in random tolerated spellings (CSV and XLSX),
load to exactly the rows they were made from."""

from __future__ import annotations

import csv
import datetime as dt
import io

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonmetrics import vocab
from gonmetrics.load import check

PEILDATUM = dt.date(2027, 6, 30)
QUARTER_START = dt.date(2027, 4, 1)
PROVIDER = "Zorggroep Één & Café"

AREA_SPELLINGS = {code: [code, code.upper(), label, label.upper(), f"  {label} "] for code, label in vocab.AREAS.items()}
AREA_SPELLINGS["centrum"] += ["Centrum en Oude Wijken", "centrum/oude wijken"]
SYNONYMS = {
    "ondersteuning": {"basis": ["basis", "Basisondersteuning", "ALGEMENE VOORZIENING"],
                      "aanvullend": ["aanvullend", "Aanvullende ondersteuning", "maatwerk", "Maatwerkvoorziening"]},
    "product": {"begeleiding": ["begeleiding", "Begeleiding"], "dagbesteding": ["DAGBESTEDING"],
                "kortdurend_verblijf": ["kortdurend_verblijf", "Kortdurend verblijf"]},
}

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=PEILDATUM)


@st.composite
def trajectory(draw, index: int):
    basis = draw(st.booleans())
    start = draw(dates)
    end = draw(st.none() | st.dates(min_value=max(start, QUARTER_START), max_value=dt.date(2029, 1, 1)))
    return {
        "client_id": f"GRN-{index:06d}-{draw(st.sampled_from(['a', 'B', '_x', '-9']))}",
        "gebied": draw(st.sampled_from(list(vocab.AREAS))),
        "geboortejaar": draw(st.integers(1900, 2027)),
        "ondersteuning": "basis" if basis else "aanvullend",
        "product": draw(st.sampled_from(list(SYNONYMS["product"]))),
        "doelgroep": draw(st.sampled_from(list(vocab.DOELGROEP))),
        "startdatum": start,
        "einddatum": end,
        "maatschappelijk_initiatief": draw(st.none() | st.sampled_from(["Wiershoeck", "Odensehuis"])) if basis else None,
        "uitvoerder": draw(st.none() | st.just("Onderaannemer BV")),
    }


@st.composite
def delivery(draw):
    n = draw(st.integers(1, 12))
    rows = [draw(trajectory(i)) for i in range(n)]
    style = {
        "fmt": draw(st.sampled_from(["csv", "xlsx"])),
        "delimiter": draw(st.sampled_from([";", ","])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "order": draw(st.permutations(list(vocab.PROVIDER_COLUMNS))),
        "header": draw(st.sampled_from([str, str.upper, lambda h: f" {h.replace('_', ' ').title()} "])),
        "date": draw(st.sampled_from(["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "native"])),
        "pad": draw(st.sampled_from(["", " "])),
        "title_rows": draw(st.integers(0, 2)),
        "blank_lines": draw(st.booleans()),
        "seed": draw(st.randoms(use_true_random=False)),
    }
    return rows, style


def spell(column: str, value, style) -> object:
    rnd = style["seed"]
    if value is None:
        return rnd.choice(["", "  "])
    if column == "gebied":
        return rnd.choice(AREA_SPELLINGS[value])
    if column in SYNONYMS:
        return rnd.choice(SYNONYMS[column][value])
    if column == "doelgroep":
        return rnd.choice([value, value.upper(), value.title()])
    if isinstance(value, dt.date):
        if style["date"] == "native" and style["fmt"] == "xlsx":
            return value
        fmt = "%Y-%m-%d" if style["date"] == "native" else style["date"]
        return value.strftime(fmt)
    return f"{style['pad']}{value}{style['pad']}"


def cells(rows, style) -> tuple[list[str], list[list]]:
    header = [style["header"](c) for c in style["order"]]
    fixed = {"aanbieder": PROVIDER, "peildatum": PEILDATUM}
    body = [[spell(c, fixed.get(c, row.get(c)), style) for c in style["order"]] for row in rows]
    return header, body


def to_csv(header, body, style) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style["delimiter"], quoting=style["quoting"], lineterminator=style["newline"])
    writer.writerow(header)
    for line in body:
        writer.writerow(line)
        if style["blank_lines"]:
            out.write(style["newline"] + style["delimiter"] * 3 + style["newline"])
    return out.getvalue().encode(style["encoding"])


def to_xlsx(header, body, style) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Levering")
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    r = 0
    for t in range(style["title_rows"]):
        sheet.write(r, 0, f"Aanlevering {PROVIDER} (titelregel {t + 1})")
        r += 2  # a title row followed by an empty row
    for c, text in enumerate(header):
        sheet.write_string(r, c, text)
    for line in body:
        r += 1
        for c, value in enumerate(line):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif style["order"][c] == "geboortejaar" and not style["pad"]:
                sheet.write_number(r, c, int(value))  # a numeric cell, as Excel makes it
            else:
                sheet.write_string(r, c, value)
        if style["blank_lines"]:
            r += 1
    book.add_worksheet("Toelichting").write(0, 0, "genegeerd")
    book.close()
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delivery())
def test_tolerated_spellings_load_to_the_same_rows(case):
    rows, style = case
    header, body = cells(rows, style)
    data = to_xlsx(header, body, style) if style["fmt"] == "xlsx" else to_csv(header, body, style)
    report = check(data, f"levering.{style['fmt']}")
    assert report.status == "accepted", report.errors
    assert report.aanbieder == PROVIDER and report.peildatum == PEILDATUM
    loaded = [{k: v for k, v in r.items() if k != "row_no"} for r in report.typed_rows.to_pylist()]
    assert loaded == rows
