"""Reading a delivery (CSV or XLSX bytes) into text columns with the row numbers the user sees.

Nothing here interprets values: every cell comes back as text (or None when empty) and
`validate` applies the contract. What this module does decide is whether the bytes are a
readable, safe file at all, where the header is, which rows hold data, which row
number each of them has in the file (the line number in a CSV, the sheet row in an XLSX),
and where a BSN-like value stands in what it does not hand on (title rows, header, a
workbook's other sheets).

The bytes are only ever held in memory: a delivery may hold citizen service numbers,
which must not be written anywhere, not even to a temporary file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import re
import string
import zipfile
import zlib
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from xml.parsers import expat

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import settings
from .errors import UnreadableFile
from .sensitive import Cell, bsn_like_word, first_bsn_cell, quoted
from .upload_limit import too_large
from .upload_limit import megabytes as _megabytes
from .vocab import normalise_header

# The contract's limits: a delivery beyond them is refused before it is parsed or validated.
MAX_DATA_ROWS = 2_000_000
MAX_COLUMNS = 200
# As many cells as complete rows of a 50 MB file can hold; more come only from short
# lines padded with empty cells, which cost memory all the same (measured: 2,000,000
# lines of one field under a header of 200 columns took 4.6 GB).
_MAX_CSV_CELLS = 50_000_000

_NOT_READABLE = "Dit bestand is geen leesbaar CSV- of XLSX-bestand."
_EMPTY = "Het bestand is leeg."
_NOT_A_WORKBOOK = ("Dit bestand heet .xlsx maar is geen Excel-werkmap. Is het een CSV-bestand, sla het dan op "
                   "met de extensie .csv; anders opnieuw opslaan als Excel-werkmap (.xlsx).")
_NO_DATA = "Het bestand bevat geen gegevensregels."
_NO_HEADER = ("Geen kopregel met de kolom client_id (of jaar, voor gebiedsgegevens) gevonden op het eerste "
              "werkblad.")
_LINE_BREAK = re.compile(rb"\r\n?|\n")
_BLANK_LINES = re.compile(rb'(?:[ \t\v\f;,"]*(?:\r\n?|\n))*')
# The system allocator returns a large file's text to the OS when it is freed; Arrow's
# default pool keeps it (measured: ~120 MB less peak memory for a 1M-row extract).
_POOL = pa.system_memory_pool()


@dataclass
class RawTable:
    """A delivery as read: all cells as text, with the row numbers the user sees.

    `headers` are the header cells as written (stripped); a column whose header cell is
    empty but which holds data is reported under its generated name `kolom_<letter>`
    (XLSX) or `kolom_<position>` (CSV), both in `headers` and in `columns`.
    """

    headers: list[str]
    columns: list[str]
    table: pa.Table
    row_numbers: pa.Array
    header_row: int
    fmt: str
    # The first BSN-like cell outside the data (never its value): the title rows and the
    # header, and a workbook's other sheets, which the archive of raw files keeps too.
    bsn_above_data: Cell | None = None
    bsn_in_other_sheets: Cell | None = None


def read_delivery(data: bytes, file_name: str, max_bytes: int | None = None) -> RawTable:
    """Read a CSV or XLSX delivery; raise UnreadableFile (Dutch message) for anything else.

    The format is decided by the content: binary bytes named .csv are refused as
    unreadable, and so is a file named .xlsx that is not a workbook (a renamed text file
    would otherwise load as something else than its sender thinks it is).
    """
    limit = settings.max_upload_bytes() if max_bytes is None else max_bytes
    if not data:
        raise UnreadableFile(_EMPTY)
    if problem := too_large(len(data), limit):
        raise UnreadableFile(problem)
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, limit)
    if file_name.lower().endswith(".xlsx"):
        raise UnreadableFile(_NOT_A_WORKBOOK)
    return _read_csv(data)


# --------------------------------------------------------------------------- CSV


def _read_csv(data: bytes) -> RawTable:
    data, start = _as_utf8(data)
    header_start, header_end, body_start, header_row = _header_line(data, start)
    line = data[header_start:header_end].decode("utf-8")
    delimiter = _pick_delimiter(line)
    # The header's fields, at most: a quoted delimiter only makes the bound looser.
    breaks = _line_breaks(data, body_start)  # a pass over the bytes: counted once, used twice
    rows = _data_lines(data, body_start, delimiter, min(line.count(delimiter) + 1, MAX_COLUMNS), breaks)
    if rows > MAX_DATA_ROWS:
        raise _too_many_rows()
    parsed = None
    if line.count('"') % 2 == 0:  # otherwise the header itself runs on over a line break
        try:
            headers = next(csv.reader([line], delimiter=delimiter))
        except csv.Error:
            raise UnreadableFile(f"Regel {header_row} is geen geldige CSV-regel.", row=header_row) from None
        _check_width(len(headers), rows)
        parsed = _parse_csv_fast(data, body_start, header_row, delimiter, len(headers), breaks)
    if parsed is None:
        headers, arrays, row_numbers = _parse_csv_slow(data[header_start:].decode("utf-8"), header_row, delimiter, rows)
    else:
        arrays, row_numbers = parsed
    labels = [str(i + 1) for i in range(len(headers))]
    raw = _assemble(headers, arrays, row_numbers, header_row, "csv", labels)
    raw.bsn_above_data = first_bsn_cell([pa.array([h], pa.string()) for h in headers], labels, header_row)
    return raw


def _as_utf8(data: bytes) -> tuple[bytes, int]:
    """The text as UTF-8 bytes and the offset past a byte-order mark."""
    if b"\x00" in data:
        raise UnreadableFile(_NOT_READABLE)
    try:
        _arrow_bytes(data).cast(pa.large_string())  # validates UTF-8 without building a str
    except pa.ArrowInvalid:
        try:
            return data.decode("cp1252").encode("utf-8"), 0
        except UnicodeDecodeError:
            raise UnreadableFile(_NOT_READABLE) from None
    return data, len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0


def _header_line(data: bytes, start: int) -> tuple[int, int, int, int]:
    """Where the first non-blank line starts and ends, where the next one starts, and its number.

    CR, LF and CRLF all end a line, as they do for Arrow and for Python's csv module. The
    blank lines before it are skipped by one regex: a file may hold millions of them.
    """
    header_start = _BLANK_LINES.match(data, start).end()
    found = _LINE_BREAK.search(data, header_start)
    end, next_start = (found.start(), found.end()) if found else (len(data), len(data))
    if not data[header_start:end].translate(None, b' \t\v\f;,"'):
        raise UnreadableFile(_EMPTY)
    return header_start, end, next_start, 1 + _line_breaks(data, start, header_start)


def _line_breaks(data: bytes, start: int, end: int | None = None) -> int:
    newlines = data.count(b"\n", start, end)
    if data.find(b"\r", start, end) < 0:  # most files: a quick look spares two counts
        return newlines
    return newlines + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _dutch_number(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _check_width(columns: int, rows: int | None = None) -> None:
    """Refuse more than MAX_COLUMNS columns, and for a CSV more than _MAX_CSV_CELLS cells:
    Arrow holds every cell, also the empty ones that a short line leaves to pad."""
    if columns > MAX_COLUMNS:
        raise UnreadableFile(
            f"Het bestand heeft {_dutch_number(columns)} kolommen; de grens is {_dutch_number(MAX_COLUMNS)}."
        )
    if rows is not None and rows * columns > _MAX_CSV_CELLS:
        millions = _MAX_CSV_CELLS // 1_000_000
        raise UnreadableFile(
            f"Het bestand heeft {_dutch_number(rows)} gegevensregels van {columns} kolommen: meer dan "
            f"{millions} miljoen cellen; de grens is {millions} miljoen."
        )


def _data_lines(data: bytes, body_start: int, delimiter: str, width: int, breaks: int) -> int:
    """An upper bound on the data rows, counted before parsing them: the lines after the
    header (`breaks` + 1) or, when that many could break a limit (rows, or cells of rows
    `width` wide), those of them that hold more than white space, quotes and delimiters
    (the lines the reader ignores; counting those costs a pass over the bytes).

    A quoted line break makes two lines of one record, so a file just under a limit that
    has them may be refused: an accepted reading of the limits, which spares parsing a
    file that is too large.
    """
    lines = breaks + 1
    if lines <= min(MAX_DATA_ROWS, _MAX_CSV_CELLS // width):
        return lines
    return _filled_lines(data, body_start, delimiter)


def _too_many_rows() -> UnreadableFile:
    limit = _dutch_number(MAX_DATA_ROWS)
    return UnreadableFile(f"Het bestand heeft meer dan {limit} gegevensregels; de grens is {limit}.")


_COUNT_CHUNK = 1 << 23


def _filled_lines(data: bytes, start: int, delimiter: str) -> int:
    """Lines of data[start:] with a byte other than white space, a quote or the delimiter.

    In chunks, so that the byte arrays stay small whatever the file's size.
    """
    kinds = np.ones(256, np.uint8)  # 1: content, 2: line break, 0: blank
    kinds[list(b" \t\v\f\x1c\x1d\x1e\x1f\"" + delimiter.encode())] = 0
    kinds[list(b"\r\n")] = 2
    filled, last = 0, 2
    for offset in range(start, len(data), _COUNT_CHUNK):
        chunk = kinds[np.frombuffer(data, np.uint8, count=min(_COUNT_CHUNK, len(data) - offset), offset=offset)]
        chunk = chunk[chunk != 0]
        if len(chunk):
            # A line holds something where content is followed by a line break.
            filled += np.count_nonzero((chunk[:-1] == 1) & (chunk[1:] == 2)) + int(last == 1 and chunk[0] == 2)
            last = chunk[-1]
    return filled + int(last == 1)


def _pick_delimiter(line: str) -> str:
    outside_quotes = "".join(line.split('"')[::2])
    return "," if outside_quotes.count(",") > outside_quotes.count(";") else ";"


def _is_blank_record(text: str, delimiter: str) -> bool:
    """True for a line of empty or whitespace-only fields, read as the slow path reads it."""
    try:
        return not any(field.strip() for field in next(csv.reader([text], delimiter=delimiter), []))
    except csv.Error:
        return False


def _parse_csv_fast(data: bytes, body_start: int, header_row: int, delimiter: str, width: int, breaks: int):
    """Arrow's reader, with each record mapped to its line; None when that mapping is not exact.
    `breaks`: the line breaks after body_start.

    Arrow gives no line numbers, so the mapping rests on counting: when records plus
    skipped rows equal the non-empty lines, no record spans a line break and record k is
    the k-th non-empty line that Arrow did not skip. Rows Arrow skips (another field count
    than the header) are reported with their ordinal among the non-empty lines.
    """
    body_end = len(data)  # for counting lines: trailing line breaks end no record
    while body_end > body_start and data[body_end - 1] in b"\r\n":
        body_end -= 1
    if body_end <= body_start:
        return [pa.array([], pa.string())] * width, pa.array([], pa.int32())
    # A lone CR ends a line for Arrow but not for our count, and could cancel out an
    # empty line or a quoted line break unnoticed.
    if data.find(b"\r", body_start, body_end) >= 0 and (
        data.count(b"\r", body_start, body_end) != data.count(b"\r\n", body_start, body_end)
    ):
        return None
    names = [f"f{i}" for i in range(width)]
    body = pa.py_buffer(data)[body_start:]  # an unterminated quote at the end takes them in
    try:
        table, skipped = _arrow_csv(body, names, delimiter, threads=True) or _arrow_csv(
            body, names, delimiter, threads=False
        )
    except pa.ArrowInvalid:
        return None
    rows = table.num_rows + len(skipped)
    # The trailing line breaks apart, the body has only CRLF and LF (see above).
    if rows == breaks - _line_breaks(data, body_end) + 1:
        lines = np.arange(1, rows + 1)  # no empty line, no record over a line break
    else:
        lines = _non_empty_lines(data, body_start, body_end)
        if rows != len(lines):
            return None
    record_lines = lines + header_row
    if skipped:
        record_lines = np.delete(record_lines, [number - 1 for number, _, _ in skipped])
    short_lines, padded = [], []
    for number, fields, text in skipped:
        if _is_blank_record(text, delimiter):
            continue
        line_number = header_row + int(lines[number - 1])
        if fields > width:
            raise UnreadableFile(f"Regel {line_number} heeft meer velden dan de kopregel.", row=line_number)
        short_lines.append(line_number)
        padded.append(text + delimiter * (width - fields))  # Excel drops trailing empty fields
    if padded:
        extra, bad = _arrow_csv(pa.py_buffer("\n".join(padded).encode("utf-8")), names, delimiter, threads=False)
        if bad or extra.num_rows != len(padded):
            return None
        table = pa.concat_tables([table, extra])
        record_lines = np.concatenate([record_lines, short_lines])
        order = np.argsort(record_lines, kind="stable")
        table, record_lines = table.take(order), record_lines[order]
    return table.columns, pa.array(record_lines.astype(np.int32))


def _non_empty_lines(data: bytes, start: int, end: int) -> np.ndarray:
    """1-based numbers (within data[start:end]) of the lines that hold at least one byte."""
    text = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    breaks = np.flatnonzero(text == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))
    lengths = np.concatenate((breaks, [len(text)])) - starts
    ends_in_cr = (lengths > 0) & (text[np.maximum(starts + lengths - 1, 0)] == ord("\r"))
    return np.flatnonzero(lengths - ends_in_cr > 0) + 1


def _arrow_csv(body: pa.Buffer, names: list[str], delimiter: str, threads: bool):
    """All-text table and the rows skipped for another field count: (number, fields, text).

    Threaded, Arrow neither numbers skipped rows nor skips them quickly, so there the first
    one ends the read with None and the caller reads again serially.
    """
    skipped = []

    def skip(row):
        skipped.append((row.number, row.actual_columns, row.text))
        return "error" if threads else "skip"

    try:
        table = pacsv.read_csv(
            body,
            memory_pool=_POOL,
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=skip
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],  # only empty cells; Arrow's defaults would turn "NA" or "null" into None
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid:
        if threads and skipped:
            return None
        raise
    return table, skipped


def _parse_csv_slow(text: str, header_row: int, delimiter: str, rows: int):
    """Python's csv module, which knows each record's line: for what Arrow cannot map.

    The cells go to Arrow in batches: as Python strings, a large file would take gigabytes.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
        _check_width(len(headers), rows)
        columns: list[list[str | None]] = [[] for _ in headers]
        batches: list[list[pa.Array]] = [[] for _ in headers]
        lines, consumed = [], reader.line_num
        for record in reader:
            line_number, consumed = header_row + consumed, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if len(record) > len(headers):
                raise UnreadableFile(f"Regel {line_number} heeft meer velden dan de kopregel.", row=line_number)
            record += [""] * (len(headers) - len(record))
            for column, value in zip(columns, record):
                column.append(value or None)
            lines.append(line_number)
            if len(columns[0]) == _SLOW_BATCH_ROWS:
                _to_batches(columns, batches)
        _to_batches(columns, batches)
    except csv.Error:
        line_number = header_row + reader.line_num - 1
        raise UnreadableFile(f"Regel {line_number} is geen geldige CSV-regel.", row=line_number) from None
    return headers, [pa.chunked_array(batch, pa.string()) for batch in batches], pa.array(lines, pa.int32())


_SLOW_BATCH_ROWS = 65_536


def _to_batches(columns: list[list[str | None]], batches: list[list[pa.Array]]) -> None:
    for column, batch in zip(columns, batches):
        batch.append(pa.array(column, pa.string()))
        column.clear()


# --------------------------------------------------------------------------- XLSX

_HEADER_SEARCH_ROWS = 1000  # look here first; the whole sheet only when needed
_MAX_ZIP_ENTRIES = 10_000
_MAX_COMPRESSION_RATIO = 200
_MAX_UNZIPPED_BYTES = 1 << 30
_UNZIPPED_PER_UPLOAD_BYTE = 20
# calamine allocates rows x columns cells (32 bytes each) for the used range of a sheet.
_MAX_SHEET_CELLS = 16_000_000
_PIECE_BYTES = 1 << 24  # parts are decompressed and scanned in pieces of about this size
_MAX_RUN_BYTES = 1 << 24
# Reading a workbook (calamine, its Arrow copy, then validation) takes about this much
# memory per byte of cell text (as _CellText bounds it) and per cell of the used range.
# Measured peaks: 1.2 GB for 462 MB of text in 480,000 cells; 1.2 GB for 1,048,575 rows
# of 12 columns (135 MB of text); 1.2 GB for 900,000 rows of 15 numbers (no validation).
_READ_BYTES_PER_TEXT_BYTE = 2.5
_READ_BYTES_PER_CELL = 64
_MAX_READ_BYTES = 1300 << 20
_NUMBER_TEXT_BYTES = 16  # a number's printed form is at most this much longer than in the XML
_NEAR_INDEXES = 1 << 22  # uses of shared strings counted one by one below this index

# Patterns for pyarrow's RE2 engine, which scans a part much faster than Python's re.
# A cell or row tag not written `<c r="` / `<row r="` (or with a namespace prefix), or a cell
# tag with a second r attribute (calamine takes the last one).
_IRREGULAR_TAG = r'<(?:c|row)(?:[>/\t\n\r\f\v]| (?:[^r]|r[^=]|r=[^"]))|:(?:c|row)\b|<c r="[^<]*[\s:]r\s*='
_TAG_KIND = re.compile(rb"<(?:[^\s<>/:!?]+:)?(c|row)\b")
_R_VALUE = re.compile(rb"""[\s:]r\s*=\s*["']([^"'<]*)""")
_REF_PARTS = re.compile(rb"([A-Za-z]*)(\d+)")
_UNIQUE_COUNT = re.compile(rb"""uniqueCount\s*=\s*["']([^"']*)""")


def _unsafe(reason: str) -> UnreadableFile:
    return UnreadableFile(f"Het Excel-bestand is onveilig of beschadigd: {reason}.")


def _read_xlsx(data: bytes, max_bytes: int) -> RawTable:
    _check_workbook(data, max_bytes)
    try:
        workbook = fastexcel.read_excel(data)
        # Before the first sheet is loaded: one sheet in memory at a time.
        in_other_sheets = _bsn_in_other_sheets(workbook)
        sheet, batch = _load_sheet(workbook, 0)
    except fastexcel.FastExcelError as err:
        raise _unsafe("het werkblad kan niet worden gelezen") from err
    labels = [_column_letters(column.absolute_index) for column in sheet.selected_columns]
    del sheet  # calamine's copy of every cell: from here on the Arrow batch holds them
    _check_width(batch.num_columns)  # calamine's used range spans the cells that hold a value
    header_index = _header_index(batch)
    if header_index is None:
        raise UnreadableFile(_NO_HEADER)
    # Empty rows under the header count too: only a generated workbook gets near the
    # limit, as Excel's grid ends at row 1,048,576.
    if batch.num_rows - header_index - 1 > MAX_DATA_ROWS:
        raise _too_many_rows()
    headers = [column[header_index].as_py() for column in batch.columns]
    arrays = [_excel_text(column) for column in batch.slice(header_index + 1).columns]
    row_numbers = pa.array(np.arange(header_index + 2, batch.num_rows + 1, dtype=np.int32))
    raw = _assemble(headers, arrays, row_numbers, header_index + 1, "xlsx", labels)
    raw.bsn_above_data = first_bsn_cell(batch.slice(0, header_index + 1).columns, labels, 1)
    raw.bsn_in_other_sheets = in_other_sheets
    return raw


def _load_sheet(workbook: fastexcel.ExcelReader, index: int) -> tuple[fastexcel.ExcelSheet, pa.RecordBatch]:
    """All cells as text; header_row=None with skip_rows=0 makes calamine start at sheet
    row 1 instead of at the first non-empty row, so batch row i is sheet row i + 1."""
    sheet = workbook.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    return sheet, sheet.to_arrow()


def _bsn_in_other_sheets(workbook: fastexcel.ExcelReader) -> Cell | None:
    """The first BSN-like sheet name (of any sheet), else the first BSN-like cell on the
    sheets after the first; each sheet is bounded by _check_workbook like the first one."""
    for number, name in enumerate(workbook.sheet_names, start=1):
        if bsn_like_word(name):
            return Cell(None, f"naam van werkblad {number}")
    for index in range(1, len(workbook.sheet_names)):
        sheet, batch = _load_sheet(workbook, index)
        labels = [_column_letters(column.absolute_index) for column in sheet.selected_columns]
        if found := first_bsn_cell(batch.columns, labels, 1, f" (werkblad {index + 1})"):
            return found
    return None


# The header row is the first row with a cell that reads client_id (the extracts) or, on a
# sheet without one, jaar (the area table): a title cell "Jaar" above an extract's header
# does not move it.
_HEADER_ANCHORS = ("client_id", "jaar")


def _header_index(batch: pa.RecordBatch) -> int | None:
    for anchor in _HEADER_ANCHORS:
        index = _find_header_row(batch.slice(0, _HEADER_SEARCH_ROWS), anchor)
        if index is None and batch.num_rows > _HEADER_SEARCH_ROWS:
            index = _find_header_row(batch, anchor)
        if index is not None:
            return index
    return None


def _find_header_row(batch: pa.RecordBatch, anchor: str) -> int | None:
    """Index of the first row with a cell that reads `anchor`, in any tolerated spelling."""
    best = None
    word = anchor.partition("_")[0]  # a fast filter: `Client ID` holds "client"
    for column in batch.columns:
        hits = pc.indices_nonzero(pc.fill_null(pc.match_substring(column, word, ignore_case=True), False))
        for index in hits.to_numpy():
            if best is not None and index >= best:
                break
            if normalise_header(column[index].as_py()) == anchor:
                best = int(index)
                break
    return best


def _excel_text(column: pa.Array) -> pa.Array:
    """Date cells come out as 'YYYY-MM-DD 00:00:00'; the contract's date form is ISO.

    A text cell typed exactly like that is shortened too: calamine's text gives no way to
    tell the two apart, and the date it means is the same. A column without such a cell is
    not copied: a large workbook's text is held once less.
    """
    if not pc.any(pc.match_substring_regex(column, _MIDNIGHT)).as_py():
        return column
    return pc.replace_substring_regex(column, pattern=_MIDNIGHT, replacement=r"\1")


_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?Z?$"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - ord("A") + 1
    return number


def _check_workbook(data: bytes, max_bytes: int) -> None:
    """Refuse hostile workbooks before calamine parses them (zip bombs, XXE, macros, ...)."""
    with _zip_errors():
        archive = zipfile.ZipFile(io.BytesIO(data))
    with archive:
        entries = archive.infolist()
        _check_entries(entries, max_bytes)
        if "xl/workbook.xml" not in {entry.filename for entry in entries}:
            raise UnreadableFile(_NOT_READABLE)
        # Every part, whatever its name: calamine follows the relationships, so a sheet
        # may live under any name, and it reads past junk before the first tag.
        text, cells = _CellText(), 0
        for entry in entries:
            cells = max(cells, _check_part(entry.filename, functools.partial(_pieces, archive, entry), text))
    if _READ_BYTES_PER_TEXT_BYTE * text.upper_bound() + _READ_BYTES_PER_CELL * cells > _MAX_READ_BYTES:
        raise _unsafe(f"uitgepakt vragen de cellen meer dan {_dutch_number(_MAX_READ_BYTES >> 20)} MB geheugen")


@contextlib.contextmanager
def _zip_errors():
    """What zipfile raises for damaged, encrypted or exotic archives, as a refusal."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as err:
        raise _unsafe("het zip-archief is beschadigd of versleuteld") from err


def _check_entries(entries: list[zipfile.ZipInfo], max_bytes: int) -> None:
    if len(entries) > _MAX_ZIP_ENTRIES:
        raise _unsafe(f"het bevat meer dan {_MAX_ZIP_ENTRIES:,} onderdelen".replace(",", "."))
    limit = min(_UNZIPPED_PER_UPLOAD_BYTE * max_bytes, _MAX_UNZIPPED_BYTES)
    names, total = set(), 0
    for entry in entries:
        name = entry.filename
        if name.startswith("/") or "\\" in name or ".." in name or re.match(r"[A-Za-z]:", name):
            raise _unsafe("een onderdeel heeft een ongeldige naam")
        if name in names:  # two parsers may each pick another one of the two
            raise _unsafe("een onderdeel komt twee keer voor")
        names.add(name)
        if name.lower().endswith("vbaproject.bin") or "/macrosheets/" in name.lower():
            raise _unsafe("het bevat macro's")
        if entry.file_size > _MAX_COMPRESSION_RATIO * entry.compress_size:
            raise _unsafe("een onderdeel is verdacht sterk gecomprimeerd (zip-bom)")
        total += entry.file_size
        if total > limit:
            raise _unsafe(f"uitgepakt is het groter dan {_megabytes(limit)} MB")


def _pieces(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part decompressed piece by piece, never whole, each piece ending just before a
    '<': no pattern looked for spans a '<' after its first byte, so none is cut in two."""
    with _zip_errors():
        stream = archive.open(entry)
    with stream:
        rest = b""
        while True:
            with _zip_errors():
                block = stream.read(_PIECE_BYTES)  # checks the CRC at the end, so declared sizes cannot lie
            if not block:
                break
            rest += block
            cut = rest.rfind(b"<")
            if cut > 0:
                yield rest[:cut]
                rest = rest[cut:]
            elif len(rest) > _MAX_RUN_BYTES:  # far beyond the longest text a cell can hold
                raise _unsafe(f"een onderdeel heeft meer dan {_megabytes(_MAX_RUN_BYTES)} MB zonder XML-opmaak")
        if rest:
            yield rest


def _check_part(name: str, pieces: Callable[[], Iterator[bytes]], text: _CellText) -> int:
    """Check one part, reading it again only for what its first reading calls for; returns
    the cells of its used range (what calamine allocates should it be the first sheet)."""
    declares = declared_in_text = irregular = False
    rows = columns = strings = 0
    unique_counts: list[bytes] = []
    text.start_part()
    for index, piece in enumerate(pieces()):
        # calamine decodes UTF-16 parts, which would hide a DOCTYPE from the byte checks below.
        if index == 0 and piece.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
            raise _unsafe("een onderdeel is in UTF-16 gecodeerd")
        if b"<!" in piece:  # a declaration, a comment or CDATA
            declares = True
            lowered = piece.lower()
            declared_in_text = declared_in_text or b"<!doctype" in lowered or b"<!entity" in lowered
        if name.lower() == "[content_types].xml" and re.search(rb"(?i)macroenabled|macrosheet", piece):
            raise _unsafe("het bevat macro's")
        scan = _arrow_bytes(piece)
        if b"uniqueCount" in piece:
            unique_counts += _UNIQUE_COUNT.findall(piece)
        strings += text.add(scan)
        # Look-alikes in comments or text only add to these bounds; they cannot hide a cell.
        extent = None if irregular else _cell_extent_plain(piece, scan)
        if extent is None:
            irregular = True
        else:
            rows, columns = max(rows, extent[0]), max(columns, extent[1])
    text.end_part()
    if declares:
        _check_declarations(pieces(), declared_in_text)
    _check_string_count(unique_counts, strings)
    if irregular:
        rows, columns = _cell_extent_any(pieces())
    if rows * columns > _MAX_SHEET_CELLS:
        raise _unsafe(f"een werkblad beslaat meer dan {_MAX_SHEET_CELLS // 1_000_000} miljoen cellen")
    return rows * columns


class _Declared(Exception):
    pass


def _check_declarations(pieces: Iterator[bytes], declared_in_text: bool) -> None:
    """No DTD, entity or external reference, whatever the part: in well-formed XML the
    expat handlers that defusedxml sets refuse them (on a parser that builds nothing, so a
    large part is checked in pieces), and any spelling of a declaration in the rest."""
    def declared(*_):
        raise _Declared

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = parser.ExternalEntityRefHandler = declared
    try:
        for piece in pieces:
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except _Declared:
        raise _unsafe("het bevat een DOCTYPE- of ENTITY-declaratie") from None
    except (expat.ExpatError, ValueError):
        if declared_in_text:
            raise _unsafe("het bevat een DOCTYPE- of ENTITY-declaratie") from None


def _arrow_bytes(content: bytes) -> pa.Array:
    """The bytes as a one-element binary array for pyarrow's kernels, without a copy."""
    offsets = pa.py_buffer(np.array([0, len(content)], dtype=np.int64))
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(content)])


def _check_string_count(unique_counts: list[bytes], strings: int) -> None:
    """calamine reserves memory for `uniqueCount` shared strings before reading any."""
    for value in unique_counts:
        digits = re.sub(rb"\D", b"", value).lstrip(b"0")
        if len(digits) > 9 or int(digits or b"0") > strings + 1000:
            raise _unsafe("het opgegeven aantal teksten klopt niet")


class _CellText:
    """An upper bound on the cell text that calamine, and then Arrow, will hold.

    It adds up the text of every <t> element; for the <v> of a cell that is not a shared
    string, its text plus what printing the number may add; and for the <v> of a shared
    string cell, the length of the string with that index (in whichever part holds the
    longest): calamine copies a shared string into every cell that uses it, so a workbook
    of kilobytes could otherwise fill gigabytes.
    """

    def __init__(self) -> None:
        self.text = self.far_uses = 0
        self.uses = np.zeros(0, np.int64)  # per index below _NEAR_INDEXES: shared string cells that hold it
        self.lengths = np.zeros(0, np.int64)  # per shared string index: its longest text in any part
        self.start_part()

    def start_part(self) -> None:
        self.part_lengths, self.part_strings, self.in_shared_cell = np.zeros(0, np.int64), 0, False

    def end_part(self) -> None:
        self.lengths = _add_at(self.lengths, self.part_lengths, np.maximum)

    def add(self, scan: pa.Array) -> int:
        """Take in one piece; returns the number of <si> elements that start in it."""
        segments = pc.list_flatten(pc.split_pattern(scan, b"<"))  # every element name starts a segment
        prefixed = pc.match_substring_regex(scan, r"<[^\s<>/:!?]+:(?:t|v|c|si)\b")[0].as_py()
        # An element's text follows the '>' of its tag (a segment without one counts whole).
        text = pc.binary_length(segments).to_numpy() - pc.find_substring(segments, ">").to_numpy() - 1
        is_t, is_v, is_c, is_si = _named(segments, ("t", "v", "c", "si"), prefixed)
        shared = is_v & self._in_shared_cell(segments, is_c)
        numbers = is_v & ~shared
        self.text += int(text[is_t].sum() + text[numbers].sum()) + _NUMBER_TEXT_BYTES * int(numbers.sum())
        self._count_uses(pc.filter(segments, pa.array(shared)))
        string_index = np.cumsum(is_si) - 1 + self.part_strings  # the <si> a segment belongs to
        inside = is_t & (string_index >= 0)
        per_string = np.bincount(string_index[inside], weights=text[inside]).astype(np.int64)
        self.part_lengths = _add_at(self.part_lengths, per_string, np.add)
        started = int(is_si.sum())
        self.part_strings += started
        return started

    def _in_shared_cell(self, segments: pa.Array, is_c: np.ndarray) -> np.ndarray:
        """Per segment: whether the last cell tag up to it (maybe in an earlier piece) has t="s"."""
        tags = pc.filter(segments, pa.array(is_c))
        flags = _regex_hits(tags, ' t="s"', r"""[\s:]t\s*=\s*["']s["']""")
        flags = np.append(flags, self.in_shared_cell)  # index -1: before this piece's first cell
        if len(tags):
            self.in_shared_cell = bool(flags[-2])
        return flags[np.cumsum(is_c) - 1]

    def _count_uses(self, values: pa.Array) -> None:
        # Most are written `v>12`: their digits are read without the regex.
        digits = pc.cast(pc.binary_slice(values, 2, 15), pa.large_string(), safe=False)  # 13: too long
        length = pc.binary_length(digits)
        plain = pc.and_(pc.and_(pc.starts_with(values, "v>"), pc.ascii_is_decimal(digits)),
                        pc.and_(pc.greater_equal(length, 1), pc.less_equal(length, 12)))
        others = pc.filter(values, pc.invert(plain))
        spelled = pc.struct_field(pc.extract_regex(others, r"^(?:[^\s<>/:!?]+:)?v[^>]*>\s*(?P<n>\d{1,12})\s*$"), [0])
        spelled = pc.cast(pc.drop_null(spelled), pa.large_string(), safe=False)
        numbers = np.concatenate([pc.cast(pc.filter(digits, plain), pa.int64()).to_numpy(),
                                  pc.cast(spelled, pa.int64()).to_numpy()])
        near = numbers < _NEAR_INDEXES
        self.far_uses += int((~near).sum())
        self.uses = _add_at(self.uses, np.bincount(numbers[near]), np.add)

    def upper_bound(self) -> int:
        shared = int(self.uses[: len(self.lengths)] @ self.lengths[: len(self.uses)])
        far = self.far_uses * int(self.lengths[_NEAR_INDEXES:].max(initial=0))
        return self.text + shared + far


def _regex_hits(values: pa.Array, literal: str, pattern: str) -> np.ndarray:
    """Per value: whether `pattern` matches; `literal` is a text every match of which is a
    match of `pattern` too, found without the regex (the regex runs only where it is not)."""
    found = pc.match_substring(values, literal).to_numpy(zero_copy_only=False)
    rest = np.flatnonzero(~found)
    if len(rest):
        found[rest] = pc.match_substring_regex(values.take(pa.array(rest)), pattern).to_numpy(zero_copy_only=False)
    return found


def _named(segments: pa.Array, names: tuple[str, ...], prefixed: bool) -> list[np.ndarray]:
    """Per name: which segments (text after a '<') open or close an element of exactly that name."""
    if prefixed:
        return [pc.match_substring_regex(segments, rf"^(?:[^\s<>/:!?]+:)?{name}(?:[\s>/]|$)")
                .to_numpy(zero_copy_only=False) for name in names]
    # The name's bytes, then none or one that ends a name: read straight from Arrow's buffers
    # (a large sheet has millions of segments; string kernels per name cost several passes).
    offsets = np.frombuffer(segments.buffers()[1], np.int64)[segments.offset: segments.offset + len(segments) + 1]
    data = np.frombuffer(segments.buffers()[2] or b"\0", np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)

    @functools.cache
    def byte(k: int) -> np.ndarray:  # byte k of every segment; 0 where it is shorter
        return np.where(lengths > k, data[np.minimum(starts + k, len(data) - 1)], 0)

    found = []
    for name in names:
        mask = lengths >= len(name)
        for k, char in enumerate(name.encode()):
            mask &= byte(k) == char
        found.append(mask & ((lengths == len(name)) | _NAME_ENDS[byte(len(name))]))
    return found


_NAME_ENDS = np.zeros(256, bool)
_NAME_ENDS[list(b">/ \t\n\r")] = True


def _add_at(total: np.ndarray, more: np.ndarray, combine) -> np.ndarray:
    """`combine` of two arrays indexed alike, the shorter one taken as padded with zeros."""
    if len(more) > len(total):
        total, more = more.copy(), total
    combine(total[: len(more)], more, out=total[: len(more)])
    return total


def _cell_extent_plain(content: bytes, scan: pa.Array) -> tuple[int, int] | None:
    """Rows and columns of the used range when every cell is written `<c r="A1"`; else None."""
    if pc.match_substring_regex(scan, _IRREGULAR_TAG)[0].as_py():
        return None
    if b'<c r="' not in content:
        return 0, 0
    pieces = pc.list_flatten(pc.split_pattern(scan, b'<c r="')).slice(1)
    # Each piece must start with 1-3 letters, 1-7 digits and a quote. Plain kernels rather
    # than a regex: a large sheet has millions of cells. The cast skips UTF-8 checks; the
    # kernels below look at ASCII bytes only.
    heads = pc.cast(pc.binary_slice(pieces, 0, 11), pa.large_string(), safe=False)
    refs = pc.list_element(pc.split_pattern(heads, '"', max_splits=1), 0)
    letters = pc.ascii_rtrim(refs, "0123456789")
    digits = pc.ascii_ltrim(refs, string.ascii_letters)
    n_letters, n_digits = pc.binary_length(letters), pc.binary_length(digits)
    plain = pc.all(pc.and_(
        pc.and_(pc.less(pc.binary_length(refs), pc.binary_length(heads)),  # the quote is there
                pc.and_(pc.ascii_is_alpha(letters), pc.ascii_is_decimal(digits))),
        pc.and_(pc.and_(pc.greater_equal(n_letters, 1), pc.less_equal(n_letters, 3)),
                pc.and_(pc.greater_equal(n_digits, 1), pc.less_equal(n_digits, 7))),
    )).as_py()
    if not plain:
        return None
    rows = pc.max(pc.cast(digits, pa.int64())).as_py()
    letters = pc.ascii_upper(letters)
    widest = pc.max(pc.filter(letters, pc.equal(n_letters, pc.max(n_letters)))).as_py()
    return rows, _column_number(widest.encode())


def _cell_extent_any(pieces: Iterator[bytes]) -> tuple[int, int]:
    """Upper bounds for any spelling: a cell or row without `r` follows the previous one."""
    rows = columns = row_tags = widest = cells = 0
    for piece in pieces:
        for value in set(_R_VALUE.findall(piece)):
            ref = _REF_PARTS.fullmatch(value)
            if not ref:
                continue  # calamine refuses such a reference
            letters, digits = ref.groups()
            if len(letters) > 3 or len(digits.lstrip(b"0")) > 7:
                raise _unsafe("een celverwijzing ligt buiten elk werkblad")
            rows = max(rows, int(digits))
            columns = max(columns, _column_number(letters))
        # Cell tags since the last row tag, carried over from the previous piece.
        runs = b"".join(_TAG_KIND.findall(piece)).split(b"row")
        cells += len(runs[0])
        for run in runs[1:]:
            widest, cells = max(widest, cells), len(run)
        row_tags += len(runs) - 1
    return rows + row_tags, columns + max(widest, cells)


# --------------------------------------------------------------------------- both


def _assemble(
    headers: list[str | None],
    arrays: list,
    row_numbers: pa.Array,
    header_row: int,
    fmt: str,
    labels: list[str],
) -> RawTable:
    """Drop empty rows and unnamed empty columns, name the columns, refuse duplicates."""
    table = pa.Table.from_arrays([*arrays, row_numbers], names=[*(f"f{i}" for i in range(len(arrays))), "_row"])
    blank_rows = _blank_rows(table.columns[:-1])
    if blank_rows is not None:
        table = table.filter(pc.invert(blank_rows))
    if table.num_rows == 0:
        raise UnreadableFile(_NO_DATA)
    kept, names, shown = [], [], []
    for index, (header, label) in enumerate(zip(headers, labels)):
        header = (header or "").strip()
        if not header:
            if pc.all(_blank(table.column(index))).as_py():
                continue
            header = f"kolom_{label}"
        name = normalise_header(header)
        if name in names:
            raise UnreadableFile(
                f"De kolom {quoted(header)} staat meer dan één keer in de kopregel (regel {header_row})."
            )
        kept.append(index)
        names.append(name)
        shown.append(header)
    return RawTable(
        headers=shown,
        columns=names,
        table=table.select(kept).rename_columns(names),
        row_numbers=table.column("_row").combine_chunks(),
        header_row=header_row,
        fmt=fmt,
    )


def _blank(column) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)


def _blank_rows(columns: list) -> pa.ChunkedArray | None:
    """Mask of rows whose cells are all empty or whitespace; None when there are none."""
    mask = None
    for column in columns:
        blank = _blank(column)
        mask = blank if mask is None else pc.and_(mask, blank)
        if not pc.any(mask).as_py():
            return None
    return mask
