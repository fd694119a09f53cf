"""Validation of a delivery against the contract, in DuckDB.

`validate(raw)` takes what `read.read_delivery` produced (all cells as text) and
returns either the typed rows to store or every error with its row, column and a
short Dutch explanation. Every rule is a (column, condition, message) triple over
the trimmed text (x_*) and parsed values (p_*) of a row. One scan parses every row
and flags those that break any rule; only the flagged rows are parsed again to
name their errors, so a valid million-row file costs one pass. Before the rules, every
cell is scanned for a BSN-like value (gonmetrics.sensitive); its finding comes first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import quarters, sensitive, vocab
from .read import RawTable

MAX_REPORTED_ERRORS = 100
_BATCH_ROWS = 32_768
_WS = " \t\r\n\u00a0"
_SQUEEZED = "lower(regexp_replace({}, '\\s+', ' ', 'g'))"  # a name compared case- and spacing-insensitively
_EDGE_WS = r"^[ \t\r\n\x{00A0}]|[ \t\r\n\x{00A0}]$"  # RE2: a cell that starts or ends with _WS

# Elfproef of a number below 10^9: 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11
# (shared/stack-notes.md); digit d(9-k) is (n // 10^k) % 10. Integer arithmetic: fast
# enough for a million numeric pseudonyms.
_BSN_MACRO = (
    "CREATE OR REPLACE TEMP MACRO passes_elfproef(n) AS ("
    + " + ".join(f"{k + 1} * ((n // {10 ** k}) % 10)" for k in range(1, 9))
    + " - n % 10) % 11 = 0"
)
# How a value is quoted in a message. A value of eight digits or more may be or hold a
# BSN and is never echoed (as in sensitive.quoted); only the date forms are exempt: they
# hold no BSN-like word and are no BSN-like client_id.
_SHOW_MACRO = (
    "CREATE OR REPLACE TEMP MACRO shown(v) AS CASE WHEN length(regexp_replace(v, '[^0-9]', '', 'g')) >= 8 "
    r"AND NOT regexp_full_match(v, '\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/]\d{1,2}[-/]\d{4}') "
    f"THEN '{sensitive.HIDDEN}' ELSE '''' || left(v, 60) || CASE WHEN length(v) > 60 THEN '…' ELSE '' END || '''' END"
)
_DATE_MACRO = (
    "CREATE OR REPLACE TEMP MACRO parse_date(v) AS CASE "
    r"WHEN regexp_full_match(v, '\d{4}-\d{1,2}-\d{1,2}') THEN try_strptime(v, '%Y-%m-%d') "
    r"WHEN regexp_full_match(v, '\d{1,2}[-/]\d{1,2}[-/]\d{4}') THEN try_strptime(replace(v, '/', '-'), '%d-%m-%Y') "
    "END::DATE"
)
_BSN_MESSAGE = (
    "Deze waarde lijkt een burgerservicenummer (negen cijfers die de elfproef doorstaan). "
    "Het hele bestand is geweigerd en niets ervan is bewaard. Lever gepseudonimiseerde gegevens aan."
)


@dataclass
class Validated:
    """The outcome of validating one delivery."""

    kind: str | None
    rows_read: int
    errors: list[dict] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    sensitive: bool = False  # BSN-like data or identifier columns: nothing may be kept
    aanbieder: str | None = None
    peildatum: dt.date | None = None
    years: list[int] = field(default_factory=list)  # an area table's years, ascending
    rows: pa.Table | None = None  # typed rows to store; None when refused

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _mapping(expr: str, table: dict[str, str]) -> str:
    """SQL that maps accepted spellings (case-insensitive, runs of spaces as one) to their code.

    The exact spelling is tried first; spaces are squeezed (a regex, slower) only where that fails.
    """
    whens = " ".join(f"WHEN {_sql_str(k)} THEN {_sql_str(v)}" for k, v in table.items())
    return f"coalesce(CASE lower({expr}) {whens} END, CASE {_SQUEEZED.format(expr)} {whens} END)"


def _listing(table: dict[str, str]) -> str:
    return ", ".join(sorted(set(table.values())))


class Rule(NamedTuple):
    """A hard rule for one row: where `condition` holds, `column` gets `message` (SQL text)."""

    column: str
    condition: str
    message: str


def _lit(text: str) -> str:
    return _sql_str(text)


def _unparsable(col: str, what: str, hint: str) -> Rule:
    """A filled cell of `col` that its parser could not read: '<what> <value><hint>'."""
    return Rule(col, f"x_{col} IS NOT NULL AND p_{col} IS NULL", f"{_lit(what + ' ')} || shown(x_{col}) || {_lit(hint)}")


def _unknown(column: str, table: dict[str, str]) -> Rule:
    return _unparsable(column, "Onbekende waarde", f". Toegestaan: {_listing(table)}.")


def _is_identifier_header(column: str) -> bool:
    squashed = re.sub(r"[\s_\-]", "", column)
    return any(squashed == re.sub(r"[\s_\-]", "", h) for h in vocab.IDENTIFIER_HEADERS)


# Columns of many distinct values, trimmed row by row; every other column is trimmed and
# parsed once per distinct text (_create_lookups).
_PER_ROW = frozenset({"client_id"})


def _create_lookups(con, spec: dict[str, bool], present: set[str]) -> set[str]:
    """lookup_<col>: per distinct raw text t of a column the row of its first occurrence,
    whether it may hold a BSN-like word (sensitive.PREFILTER), its trimmed text x_<col>
    and, where the column has one, its parsed value p_<col>. Categories, dates and years
    hold few distinct texts, so each is scanned and parsed once instead of once per row.
    Returns the columns that have a lookup."""
    parsers = _parsers(spec)
    looked_up = {col for col in spec if col in present and col not in _PER_ROW}
    for col in looked_up:
        parsed = f", {parsers[col]} AS p_{col}" if col in parsers else ""
        con.execute(f"""
            CREATE TEMP TABLE lookup_{col} AS
            SELECT t, first_row, regexp_matches(t, {_sql_str(sensitive.PREFILTER)}) AS suspect, x_{col}{parsed}
            FROM (SELECT t, first_row, {_trimmed('t')} AS x_{col}
                  FROM (SELECT {_ident(col)} AS t, min(_row) AS first_row FROM raw GROUP BY ALL))
        """)
    return looked_up


def _clean_columns(spec: dict[str, bool], present: set[str]) -> list[str]:
    """x_<col> (trimmed text or NULL; a missing optional column is all NULL) and p_<col>."""
    parsers = _parsers(spec)
    columns = []
    for col in spec:
        if col not in present:
            columns.append(f"NULL::VARCHAR AS x_{col}")
            if col in parsers:  # a missing column parses as a NULL of the parsed type
                columns.append(f"{parsers[col].replace(f'x_{col}', 'NULL::VARCHAR')} AS p_{col}")
        elif col in _PER_ROW:
            columns.append(f"{_trimmed('raw.' + _ident(col))} AS x_{col}")
        else:
            columns.append(f"lookup_{col}.x_{col}")
            if col in parsers:
                columns.append(f"lookup_{col}.p_{col}")
    return columns


def _lookup_joins(spec: dict[str, bool], present: set[str]) -> str:
    return " ".join(f"LEFT JOIN lookup_{col} ON raw.{_ident(col)} = lookup_{col}.t"
                    for col in spec if col in present and col not in _PER_ROW)


def _trimmed(column: str) -> str:
    """The cell without surrounding white space, NULL when nothing is left."""
    # Trimming a set of characters is slow; most cells have nothing to trim.
    return (f"CASE WHEN regexp_matches({column}, {_sql_str(_EDGE_WS)}) THEN nullif(trim({column}, {_sql_str(_WS)}), '') "
            f"ELSE nullif({column}, '') END")


# The area table's numbers (extract-format.md section 3), RE2 over the trimmed text. A
# whole number: plain digits or dots grouping thousands (`243.800`; `24.38` is neither).
_WHOLE = r"\d+|\d{1,3}(?:\.\d{3})+"
# An amount: Dutch (dots group thousands, a comma and one or two decimals), or plain digits
# with a '.' and one or two decimals (also how a native Excel number is read); a euro sign
# may stand in front. `1.234` is Dutch (1234 euro): the plain form never has three decimals.
_EURO = r"^€[\s\x{00A0}]*"
_DUTCH_AMOUNT = rf"(?:€[\s\x{{00A0}}]*)?(?:{_WHOLE})(?:,\d{{1,2}})?"
_PLAIN_AMOUNT = r"(?:€[\s\x{00A0}]*)?\d+\.\d{1,2}"


def _whole_number(x: str) -> str:
    """SQL: the whole number ≥ 0 written in x, or NULL (also when it does not fit)."""
    return f"CASE WHEN regexp_full_match({x}, {_sql_str(_WHOLE)}) THEN try_cast(replace({x}, '.', '') AS BIGINT) END"


def _amount(x: str) -> str:
    """SQL: the amount in euros written in x, or NULL (also beyond DECIMAL(15, 2))."""
    bare = f"regexp_replace({x}, {_sql_str(_EURO)}, '')"
    return (f"CASE WHEN regexp_full_match({x}, {_sql_str(_DUTCH_AMOUNT)}) "
            f"THEN try_cast(replace(replace({bare}, '.', ''), ',', '.') AS DECIMAL(15, 2)) "
            f"WHEN regexp_full_match({x}, {_sql_str(_PLAIN_AMOUNT)}) THEN try_cast({bare} AS DECIMAL(15, 2)) END")


# Per column with a parsed form p_<col>: its SQL over the trimmed text x_<col>. A column
# name means the same in every kind of delivery.
_PARSERS = {
    "gebied": _mapping("x_gebied", vocab.AREA_SYNONYMS),
    "doelgroep": _mapping("x_doelgroep", vocab.DOELGROEP),
    "peildatum": "parse_date(x_peildatum)",
    "geboortejaar": r"CASE WHEN regexp_full_match(x_geboortejaar, '\d{4}') THEN x_geboortejaar::INTEGER END",
    "ondersteuning": _mapping("x_ondersteuning", vocab.ONDERSTEUNING),
    "product": _mapping("x_product", vocab.PRODUCT),
    "startdatum": "parse_date(x_startdatum)",
    "einddatum": "parse_date(x_einddatum)",
    "toeleiding": _mapping("x_toeleiding", vocab.TOELEIDING),
    "beschikking_duur": _mapping("x_beschikking_duur", vocab.BESCHIKKING_DUUR),
    "aanmelddatum": "parse_date(x_aanmelddatum)",
    "jaar": r"CASE WHEN regexp_full_match(x_jaar, '\d{4}') THEN x_jaar::INTEGER END",
    "inwoners": _whole_number("x_inwoners"),
    "inwoners_75plus": _whole_number("x_inwoners_75plus"),
    "lumpsum_euro": _amount("x_lumpsum_euro"),
}


def _parsers(spec: dict[str, bool]) -> dict[str, str]:
    return {col: sql for col, sql in _PARSERS.items() if col in spec}


def _row_rules(spec: dict[str, bool], kind: str) -> list[Rule]:
    checks = [
        Rule(col, f"x_{col} IS NULL", _lit("Verplichte waarde ontbreekt."))
        for col, required in spec.items()
        if required
    ]
    checks.append(_unparsable("gebied", "Onbekend gebied",
                              ". Toegestaan: centrum, west, oost, zuid of de naam van het gebied."))
    if kind == vocab.KIND_AREA:
        return checks + _area_rules()
    checks += _client_rules()
    return checks + (_provider_rules() if kind == vocab.KIND_PROVIDER else _wij_rules())


def _client_rules() -> list[Rule]:
    """The rules of the quarterly extracts' common columns."""
    return [  # a BSN-like client_id is found by _first_bsn_cell, before these rules
        Rule(
            "client_id",
            r"x_client_id IS NOT NULL AND NOT regexp_full_match(x_client_id, '[A-Za-z0-9_\-]{8,64}')",
            "'Ongeldig pseudoniem ' || shown(x_client_id) || ': 8 tot 64 tekens, alleen letters, cijfers, _ en -.'",
        ),
        _unknown("doelgroep", vocab.DOELGROEP),
        _date_rule("peildatum"),
        Rule(
            "peildatum",
            "p_peildatum IS NOT NULL AND file_peildatum IS NOT NULL AND p_peildatum <> file_peildatum",
            "'Peildatum ' || shown(x_peildatum) || ' verschilt van de peildatum in regel ' || file_peildatum_row || "
            "'; een bestand heeft één peildatum.'",
        ),
        Rule(
            "geboortejaar",
            "x_geboortejaar IS NOT NULL AND (p_geboortejaar IS NULL OR p_geboortejaar < 1900 "
            "OR p_geboortejaar > year(coalesce(file_peildatum, current_date)))",
            "'Onmogelijk geboortejaar ' || shown(x_geboortejaar) || ': een heel jaartal van 1900 tot het jaar van de peildatum.'",
        ),
    ]


def _date_rule(col: str) -> Rule:
    return _unparsable(col, "Onleesbare datum", ". Gebruik 2027-03-31 of 31-03-2027.")


def _provider_rules() -> list[Rule]:
    return [
        _unknown("ondersteuning", vocab.ONDERSTEUNING),
        _unknown("product", vocab.PRODUCT),
        _date_rule("startdatum"),
        _date_rule("einddatum"),
        Rule(
            "aanbieder",
            # compared case- and spacing-insensitively; the (slow) squeezing only where the text differs
            "x_aanbieder IS NOT NULL AND file_aanbieder IS NOT NULL AND CASE WHEN x_aanbieder = file_aanbieder_text "
            f"THEN false ELSE {_SQUEEZED.format('x_aanbieder')} <> file_aanbieder END",
            "'Aanbieder ' || shown(x_aanbieder) || ' verschilt van de aanbieder in regel ' || file_aanbieder_row || "
            "'; een bestand komt van één aanbieder.'",
        ),
        Rule(
            "startdatum",
            "p_startdatum > file_peildatum",
            "'Startdatum ' || shown(x_startdatum) || ' ligt na de peildatum.'",
        ),
        Rule(
            "einddatum",
            "p_einddatum < p_startdatum",
            "'Einddatum ' || shown(x_einddatum) || ' ligt vóór de startdatum.'",
        ),
        Rule(
            "einddatum",
            "p_einddatum >= p_startdatum AND p_einddatum < quarter_start",
            "'Einddatum ' || shown(x_einddatum) || ' ligt vóór het begin van het kwartaal; "
            "dit traject hoort niet in deze levering.'",
        ),
        Rule(
            "maatschappelijk_initiatief",
            "x_maatschappelijk_initiatief IS NOT NULL AND p_ondersteuning = 'aanvullend'",
            _lit("Een maatschappelijk initiatief mag alleen bij basisondersteuning staan, niet bij aanvullend."),
        ),
    ]


def _count_rule(col: str) -> Rule:
    return _unparsable(col, "Ongeldig aantal", ": een heel getal van 0 of meer, zoals 243800 of 243.800.")


def _area_rules() -> list[Rule]:
    return [
        Rule(
            "jaar",
            "x_jaar IS NOT NULL AND (p_jaar IS NULL OR p_jaar NOT BETWEEN 2000 AND 2100)",
            "'Ongeldig jaar ' || shown(x_jaar) || ': een heel jaartal van 2000 tot en met 2100.'",
        ),
        _count_rule("inwoners"),
        _count_rule("inwoners_75plus"),
        Rule(
            "inwoners_75plus",
            "p_inwoners_75plus > p_inwoners",
            "'Meer inwoners van 75 jaar en ouder (' || shown(x_inwoners_75plus) || ') dan inwoners (' || "
            "shown(x_inwoners) || ').'",
        ),
        _unparsable("lumpsum_euro", "Ongeldig bedrag",
                    ": een bedrag van 0 of meer in euro, zoals 1.234.567,89, 1234567,89, € 1.234.567 of 1234567.89."),
    ]


def _wij_rules() -> list[Rule]:
    return [
        _unknown("toeleiding", vocab.TOELEIDING),
        _unknown("beschikking_duur", vocab.BESCHIKKING_DUUR),
        _date_rule("aanmelddatum"),
        Rule(
            "aanmelddatum",
            "p_aanmelddatum NOT BETWEEN quarter_start AND file_peildatum",
            "'Aanmelddatum ' || shown(x_aanmelddatum) || ' valt niet in het kwartaal van de peildatum.'",
        ),
        Rule(
            "beschikking_duur",
            "x_beschikking_duur IS NOT NULL AND p_toeleiding <> 'aanvullend'",
            _lit("Beschikkingsduur mag alleen ingevuld zijn bij toeleiding 'aanvullend'."),
        ),
    ]


_PER_FILE = ("aanbieder", "peildatum")  # one value per file: kept with the upload, not per row


def _value(col: str) -> str:
    """A column as stored: its parsed form where it has one, else its trimmed text."""
    return f"p_{col}" if col in _PARSERS else f"x_{col}"


def _header_problems(raw: RawTable, spec: dict[str, bool]) -> tuple[list[dict], list[str], bool]:
    errors, warnings, identifying = [], [], False
    for header, col in zip(raw.headers, raw.columns):
        if _is_identifier_header(col):
            identifying = True
            errors.append({
                "row": raw.header_row, "column": header,
                "message": "Deze kolom bevat direct identificerende gegevens. Het hele bestand is geweigerd "
                           "en niets ervan is bewaard. Lever alleen de kolommen van het aanleverformat aan.",
            })
        elif col not in spec:
            warnings.append(f"Kolom {sensitive.quoted(header)} hoort niet bij het aanleverformat en is genegeerd "
                            "(niet opgeslagen).")
    for col, required in spec.items():
        if required and col not in raw.columns:
            errors.append({"row": raw.header_row, "column": col, "message": f"Verplichte kolom '{col}' ontbreekt."})
    return errors, warnings, identifying


_SPECS = {
    vocab.KIND_PROVIDER: vocab.PROVIDER_COLUMNS,
    vocab.KIND_WIJ: vocab.WIJ_COLUMNS,
    vocab.KIND_AREA: vocab.AREA_TABLE_COLUMNS,
}


def kind_of(columns: list[str]) -> str:
    """The kind of delivery, by its columns (extract-format.md): an area table has `inwoners`,
    a WIJ extract `aanmelddatum`; anything else is read as a provider extract."""
    if "inwoners" in columns:
        return vocab.KIND_AREA
    return vocab.KIND_WIJ if "aanmelddatum" in columns else vocab.KIND_PROVIDER


def validate(raw: RawTable) -> Validated:
    """Check every rule of the contract. Consumes `raw`: its table is released as soon as
    it is no longer needed, so that a large file is not held twice."""
    kind = kind_of(raw.columns)
    spec = _SPECS[kind]
    result = Validated(kind=kind, rows_read=raw.table.num_rows)
    header_errors, result.warnings, result.sensitive = _header_problems(raw, spec)

    # A private in-memory database that never spills to disk: a refused file may hold BSNs.
    con = duckdb.connect(config={"temp_directory": ""})
    try:
        con.execute("SET enable_progress_bar = false")  # its bar would break `ingest --json`
        for macro in (_BSN_MACRO, _SHOW_MACRO, _DATE_MACRO):
            con.execute(macro)
        present = set(raw.columns)
        raw.table = _as_scanned(raw, spec)  # the text as read goes: it is not held twice
        con.register("raw", raw.table)
        looked_up = _create_lookups(con, spec, present)  # also what the BSN scan and file facts read
        if bsn := _first_bsn_cell(con, raw, looked_up):
            result.sensitive = True
            header_errors.insert(0, {"row": bsn.row, "column": bsn.column, "message": _BSN_MESSAGE})
        if any(e["message"].startswith("Verplichte kolom") for e in header_errors):
            return _finish(result, header_errors, [], 0)
        _file_facts(con, present, kind, looked_up)
        rules = _row_rules(spec, kind)
        checked = _check_rows(con, spec, present, rules, _repeat_rule(kind)[0])
        any_bad = pc.any(checked.column("bad")).as_py()
        if not any_bad:
            # Only flagged rows are read again: free the text (about as large as the file) now.
            con.unregister("raw")
            raw.table = None
        row_errors, row_error_count = _collect_row_errors(con, kind, present, rules if any_bad else [])
        if not header_errors and row_error_count == 0:
            stored = [col for col in spec if col not in _PER_FILE]
            result.rows = checked.select(["_row", *stored]).rename_columns(["row_no", *stored])
            if kind == vocab.KIND_AREA:
                # An area table is stored under 31 December of its latest year (store.py).
                result.years = [y for (y,) in con.execute("SELECT DISTINCT jaar FROM checked ORDER BY 1").fetchall()]
                result.peildatum = dt.date(result.years[-1], 12, 31)
            else:
                result.peildatum, result.aanbieder = con.execute(
                    "SELECT file_peildatum, file_aanbieder_text FROM file_facts"
                ).fetchone()
        return _finish(result, header_errors, row_errors, row_error_count)
    finally:
        con.close()


def _as_scanned(raw: RawTable, spec: dict[str, bool]) -> pa.Table:
    """raw's text with its row numbers `_row`, as DuckDB scans it. In batches of a bounded
    size: DuckDB hands a registered table's batches to its threads, and a workbook's text
    arrives as one batch. A column of the format with a lookup (_create_lookups) is
    dictionary-encoded when it holds few distinct texts: grouping and joining it then hash
    each distinct text once, and the text is held once instead of once per row."""
    columns = []
    for name, column in zip(raw.table.column_names, raw.table.columns):
        if name in spec and name not in _PER_ROW:
            encoded = pc.dictionary_encode(column)
            # Each batch brings its dictionary along, which DuckDB reads per batch.
            if all(len(chunk.dictionary) <= _MAX_DICTIONARY for chunk in encoded.chunks):
                column = encoded
        columns.append(column)
    table = pa.Table.from_arrays([*columns, raw.row_numbers], names=[*raw.table.column_names, "_row"])
    return pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), table.schema)


_MAX_DICTIONARY = _BATCH_ROWS // 4


def _finish(result: Validated, header_errors: list[dict], row_errors: list[dict], row_error_count: int) -> Validated:
    errors = header_errors + row_errors
    result.error_count = len(header_errors) + row_error_count
    result.errors = errors[:MAX_REPORTED_ERRORS]
    if result.error_count:
        result.rows = None
    return result


def _first_bsn_cell(con: duckdb.DuckDBPyConnection, raw: RawTable, looked_up: set[str]) -> sensitive.Cell | None:
    """The first BSN-like cell of the file: in the rows above the data (title rows, header),
    in the data (by row, then column), or on the workbook's other sheets."""
    return raw.bsn_above_data or _first_bsn_in_data(con, raw, looked_up) or raw.bsn_in_other_sheets


def _first_bsn_in_data(con: duckdb.DuckDBPyConnection, raw: RawTable, looked_up: set[str]) -> sensitive.Cell | None:
    """RE2 selects the distinct values that may be BSN-like (with the row of their first
    occurrence); the exact check runs on those, in file order, up to the first hit.

    One regex per row over its cells joined by chr(1) picks the rows to look at: no match
    of the prefilter can span that character, so a row matches when one of its cells does,
    and most rows are done with one call instead of one per cell. A column with a lookup
    (`_create_lookups`) was prefiltered per distinct text: only its suspect texts select rows,
    and most often it has none. The client_id is looked at on its own: one of eight or nine
    plain digits that fail the elfproef is settled here (no BSN), so that a file of numeric
    pseudonyms does not send every row on."""
    scanned = {index: col for index, col in enumerate(raw.columns) if col not in sensitive.NOT_SCANNED}
    others = [_ident(col) for col in scanned.values() if col != "client_id" and col not in looked_up]
    may_be = []
    if others:
        may_be.append(f"regexp_matches(concat_ws(chr(1), {', '.join(others)}), {_sql_str(sensitive.PREFILTER)})")
    may_be += [f"{_ident(col)} IN (SELECT t FROM lookup_{col} WHERE suspect)"
               for col in _with_suspects(con, [col for col in scanned.values() if col in looked_up])]
    is_client_id = "false"
    if "client_id" in raw.columns:
        may_be.append(_client_id_may_be_bsn(_ident("client_id")))
        is_client_id = f"col = '{raw.columns.index('client_id')}'"
    if not may_be:  # only number columns: nothing to scan
        return None
    suspects = con.execute(f"""
        SELECT col::INTEGER AS col, v, min(_row) AS row_no
        FROM (UNPIVOT (SELECT _row, {", ".join(f'{_ident(col)} AS "{index}"' for index, col in scanned.items())}
                       FROM raw WHERE {" OR ".join(may_be)})
              ON COLUMNS(* EXCLUDE _row) INTO NAME col VALUE v)
        WHERE CASE WHEN {is_client_id} THEN {_client_id_may_be_bsn("v")}
                   ELSE regexp_matches(v, {_sql_str(sensitive.PREFILTER)}) END
        GROUP BY ALL ORDER BY row_no, col
    """)
    while batch := suspects.fetchmany(10_000):
        for index, value, row in batch:
            client_id = raw.columns[index] == "client_id"
            if (client_id and sensitive.bsn_like_client_id(value)) or sensitive.bsn_like_word(value):
                header = raw.headers[index]
                return sensitive.Cell(row, header if sensitive.may_echo(header) else sensitive.HIDDEN)
    return None


def _with_suspects(con: duckdb.DuckDBPyConnection, columns: list[str]) -> list[str]:
    """Those of `columns` whose lookup holds a text that may be BSN-like."""
    if not columns:
        return []
    found = " UNION ALL ".join(f"(SELECT {_sql_str(col)} FROM lookup_{col} WHERE suspect LIMIT 1)" for col in columns)
    return [col for (col,) in con.execute(found).fetchall()]


def _client_id_may_be_bsn(value: str) -> str:
    """SQL: the client_id may be BSN-like or hold a BSN-like word; eight or nine plain
    digits are decided here."""
    plain = f"length({value}) IN (8, 9) AND regexp_full_match({value}, '[0-9]+')"
    may_be = (f"regexp_matches({value}, {_sql_str(sensitive.PREFILTER)}) "
              f"OR regexp_full_match({value}, {_sql_str(sensitive.CLIENT_ID_PREFILTER)})")
    return f"CASE WHEN {plain} THEN passes_elfproef(try_cast({value} AS INTEGER)) ELSE {may_be} END"


_NO_FACT = "(SELECT NULL AS v, NULL::VARCHAR AS text, NULL::INTEGER AS row_no)"


def _file_facts(con: duckdb.DuckDBPyConnection, present: set[str], kind: str, looked_up: set[str]) -> None:
    """file_facts: one row with what every row is checked against: the file's peildatum
    and aanbieder, those of its first row that has one (with that row's number)."""
    def first(column: str, value_sql: str) -> str:
        if column not in present:
            return _NO_FACT
        # Per distinct text (its lookup, or grouped here): a column that holds one value is parsed once.
        texts = (f"(SELECT x_{column} AS text, first_row AS row_no FROM lookup_{column})" if column in looked_up
                 else f"(SELECT {_trimmed(_ident(column))} AS text, min(_row) AS row_no FROM raw GROUP BY ALL)")
        return f"""(SELECT {value_sql.format('text')} AS v, text, row_no
                    FROM {texts} WHERE v IS NOT NULL ORDER BY row_no LIMIT 1)"""

    aanbieder = first("aanbieder", _SQUEEZED) if kind == vocab.KIND_PROVIDER else _NO_FACT
    con.execute(f"""
        CREATE TEMP TABLE file_facts AS
        SELECT p.v::DATE AS file_peildatum, p.row_no AS file_peildatum_row,
               a.v AS file_aanbieder, a.text AS file_aanbieder_text, a.row_no AS file_aanbieder_row,
               {quarters.start_sql('p.v::DATE')} AS quarter_start
        FROM (SELECT 1) LEFT JOIN {first("peildatum", "parse_date({})")} p ON true LEFT JOIN {aanbieder} a ON true
    """)


def _parsed_sql(spec: dict[str, bool], present: set[str], where: str = "") -> str:
    """Every row of raw (or those `where` selects) as trimmed text x_*, parsed values p_*
    and the file-wide facts."""
    xs = ", ".join(_clean_columns(spec, present))
    return f"""
        SELECT *
        FROM (SELECT raw._row, {xs} FROM raw {_lookup_joins(spec, present)} {where}) CROSS JOIN file_facts
    """


def _any_rule(rules: list[Rule]) -> str:
    return "coalesce(" + " OR ".join(f"({rule.condition})" for rule in rules) + ", false)"


def _check_rows(con, spec: dict[str, bool], present: set[str], rules: list[Rule], keys: list[str]) -> pa.Table:
    """checked: per row its number, its values as they would be stored (named by column),
    whether it breaks any rule, and `_same`, a hash of what makes two rows the same (`keys`,
    _repeat_rule). Arrow, so that the rows to store are a slice of it."""
    values = ", ".join(f"{_value(col)} AS {col}" for col in spec)
    same = ", ".join(_value(col) for col in keys)
    checked = con.sql(f"SELECT _row, {values}, {_any_rule(rules)} AS bad, hash({same}) AS _same "
                      f"FROM ({_parsed_sql(spec, present)})")
    table = checked.to_arrow_reader().read_all()  # streamed: the result is not held twice
    con.register("checked", table)
    return table


def _repeat_rule(kind: str) -> tuple[list[str], str, str]:
    """What makes two rows the same, the column to name and the message (SQL over the
    first such row, first_same): an area table has one row per year and area, an extract
    no row twice in all of its required columns."""
    if kind == vocab.KIND_AREA:
        return (["jaar", "gebied"], "gebied",
                "'Dit jaar en gebied staan al in regel ' || d.first_same || '; elk gebied heeft één regel per jaar.'")
    return ([c for c, required in _SPECS[kind].items() if required], "client_id",
            "'Deze regel is gelijk aan regel ' || d.first_same || ' in alle verplichte kolommen.'")


def _collect_row_errors(con, kind: str, present: set[str], rules: list[Rule]) -> tuple[list[dict], int]:
    """The errors of the rows that checked flagged (named by `rules`; none when no row was
    flagged), the repeated rows, and a peildatum that is not a quarter end: the first
    MAX_REPORTED_ERRORS (by row, column) and the count.

    The errors are counted without being built, and only the first of each kind get a
    message (a bounded top-N in DuckDB): memory does not grow with the number of errors.
    """
    spec = _SPECS[kind]
    keys, repeat_column, repeat_message = _repeat_rule(kind)
    same = " AND ".join(f"c.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    # Made once, for the count and for the first errors. By the hash first (checked._same, a
    # column of numbers): the exact comparison only where two rows may be equal.
    con.execute(f"""CREATE TEMP TABLE repeated AS
            SELECT {", ".join(keys)}, min(_row) AS first_same, count(*) AS copies
            FROM checked
            WHERE _same IN (SELECT _same FROM checked GROUP BY _same HAVING count(*) > 1)
            GROUP BY ALL HAVING count(*) > 1
        """)
    repeats = con.execute("SELECT sum(copies - 1) FROM repeated").fetchone()[0] or 0
    not_quarter_end = f"""FROM file_facts
        WHERE NOT {quarters.is_end_sql('file_peildatum')}"""
    firsts = [
        f"""SELECT file_peildatum_row AS err_row, 'peildatum' AS err_column,
               'Peildatum ' || strftime(file_peildatum, '%d-%m-%Y') || ' is niet de laatste dag van een kwartaal.'
               AS message
        {not_quarter_end}""",
    ]
    if repeats:  # else no pass over every row for them
        firsts.append(f"""SELECT c._row, {_sql_str(repeat_column)}, {repeat_message}
            FROM checked c JOIN repeated d ON {same} WHERE d.first_same < c._row""")
    counts = [f"SELECT count(*) {not_quarter_end}"]
    if rules:
        flagged = "WHERE _row IN (SELECT _row FROM checked WHERE bad{})"
        named = ", ".join(
            f"CASE WHEN {rule.condition} THEN {{'c': {_sql_str(rule.column)}, 'm': {rule.message}}} END"
            for rule in rules
        )
        # Every flagged row has an error, so the first errors lie in the first flagged rows.
        first_flagged = _parsed_sql(spec, present, flagged.format(f" ORDER BY _row LIMIT {MAX_REPORTED_ERRORS}"))
        firsts.append(f"""SELECT _row, e.c, e.m
            FROM (SELECT _row, unnest([e FOR e IN [{named}] IF e IS NOT NULL]) AS e FROM ({first_flagged}))""")
        failing = " + ".join(f"CASE WHEN {rule.condition} THEN 1 ELSE 0 END" for rule in rules)
        counts.append(f"SELECT sum({failing}) FROM ({_parsed_sql(spec, present, flagged.format(''))})")
    count = repeats + sum(con.execute(query).fetchone()[0] or 0 for query in counts)
    head = con.execute(
        "\nUNION ALL\n".join(f"SELECT * FROM ({query} ORDER BY 1, 2 LIMIT {MAX_REPORTED_ERRORS})" for query in firsts)
        + " ORDER BY 1, 2 LIMIT ?",
        [MAX_REPORTED_ERRORS],
    ).fetchall()
    return [{"row": r, "column": c, "message": m} for r, c, m in head], count
