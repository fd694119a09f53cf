"""Tables as files for Excel users in a Dutch locale: CSV (`;`, UTF-8 with BOM) and XLSX.

Both neutralise formula injection: a text cell that a spreadsheet would read as a
formula (starting with = + - @, tab or carriage return) gets a leading apostrophe,
and the XLSX writer never turns text into a formula.
"""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    """Text that a spreadsheet would evaluate gets a leading ' ; anything else is unchanged."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    # Column names are cells too.
    safe = df.rename(columns=lambda c: neutralise(str(c)))
    return safe.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(neutralise))


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """`;`-separated, `,` as decimal sign, UTF-8 with BOM: Excel in a Dutch locale opens it as is."""
    return _safe(df).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "Gegevens") -> bytes:
    """One sheet with a bold header; text is always written as text, never as a formula."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    safe = _safe(df)
    for col, name in enumerate(safe.columns):
        ws.write_string(0, col, str(name), bold)
        ws.set_column(col, col, max(10, min(60, len(str(name)) + 2)))
    for row, values in enumerate(safe.itertuples(index=False), start=1):
        for col, cell in enumerate(values):
            _write(ws, row, col, cell)
    book.close()
    return out.getvalue()


def _write(ws, row: int, col: int, cell) -> None:
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        ws.write_blank(row, col, None)
    elif pd.api.types.is_bool(cell):
        ws.write_boolean(row, col, bool(cell))
    elif pd.api.types.is_number(cell):
        ws.write_number(row, col, float(cell))
    else:
        ws.write_string(row, col, str(cell))
