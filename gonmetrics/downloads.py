"""Tables as files for Excel users in a Dutch locale: CSV (`;`, UTF-8 with BOM) and XLSX.

Both neutralise formula injection: a text cell that a spreadsheet would read as a
formula (starting with = + - @, tab, carriage return or line feed) gets a leading
apostrophe, NUL characters are dropped (they cut a cell short in some readers), and the
XLSX writer never turns text into a formula. These are the only ways out of the app for
tables: Streamlit's own table download is off (`client.disableDataExport`).
"""

from __future__ import annotations

import io

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell):
    """Text without NULs, and with a leading ' where a spreadsheet would evaluate it;
    anything else is unchanged."""
    if not isinstance(cell, str):
        return cell
    cell = cell.replace("\0", "")
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    # Column names are cells too.
    safe = df.rename(columns=lambda c: neutralise(str(c)))
    return safe.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(neutralise))


def to_csv_bytes(df: pd.DataFrame, notice: str | None = None) -> bytes:
    """`;`-separated, `,` as decimal sign, UTF-8 with BOM: Excel in a Dutch locale opens it as is.
    A notice (such as the demo's) comes first, as a comment line."""
    text = _safe(df).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ((f"# {notice}\r\n" if notice else "") + text).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, notice: str | None = None, sheet: str = "Gegevens") -> bytes:
    """One sheet with a bold header (below the notice, if any); text is always written as
    text, never as a formula."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    safe = _safe(df)
    header = 0
    if notice:
        ws.write_string(0, 0, notice, bold)
        header = 1
    for col, name in enumerate(safe.columns):
        ws.write_string(header, col, str(name), bold)
        ws.set_column(col, col, max(10, min(60, len(str(name)) + 2)))
    for row, values in enumerate(safe.itertuples(index=False), start=header + 1):
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
