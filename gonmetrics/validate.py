"""Validation of a delivery against the contract, in one DuckDB pass.

`validate(raw)` takes what `read.read_delivery` produced (all cells as text) and
returns either the typed rows to store or every error with its row, column and a
short Dutch explanation. Each row's errors are collected as a list of structs in
a single projection, so a million-row file costs one scan, not one per rule.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from . import vocab
from .read import RawTable

MAX_REPORTED_ERRORS = 100
_WS = " \t\r\n\u00a0"

# Elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (shared/stack-notes.md).
_BSN_MACRO = (
    "CREATE OR REPLACE TEMP MACRO is_bsn(v) AS coalesce(regexp_full_match(v, '[0-9]{9}') AND ("
    + " + ".join(f"{9 - i} * (ord(substr(v, {i + 1}, 1)) - 48)" for i in range(8))
    + " - (ord(substr(v, 9, 1)) - 48)) % 11 = 0, false)"
)
# How a value is quoted in a message; a BSN-like value is never echoed.
_SHOW_MACRO = (
    "CREATE OR REPLACE TEMP MACRO shown(v) AS CASE WHEN is_bsn(v) THEN '(waarde verborgen)' "
    "ELSE '''' || left(v, 60) || CASE WHEN length(v) > 60 THEN '…' ELSE '' END || '''' END"
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
    rows: pa.Table | None = None  # typed rows to store; None when refused

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _mapping(expr: str, table: dict[str, str]) -> str:
    """SQL CASE that maps accepted spellings (lower-cased) to their code."""
    whens = " ".join(f"WHEN {_sql_str(k)} THEN {_sql_str(v)}" for k, v in table.items())
    return f"CASE lower(regexp_replace({expr}, '\\s+', ' ', 'g')) {whens} END"


def _listing(table: dict[str, str]) -> str:
    return ", ".join(sorted(set(table.values())))


def _error(column: str, condition: str, message_sql: str) -> str:
    return f"CASE WHEN {condition} THEN {{'c': {_sql_str(column)}, 'm': {message_sql}}} END"


def _lit(text: str) -> str:
    return _sql_str(text)


def _unknown(column: str, table: dict[str, str]) -> str:
    return _error(
        column,
        f"x_{column} IS NOT NULL AND p_{column} IS NULL",
        f"'Onbekende waarde ' || shown(x_{column}) || '. Toegestaan: {_listing(table)}.'",
    )


def _is_identifier_header(column: str) -> bool:
    squashed = re.sub(r"[\s_\-]", "", column)
    return any(squashed == re.sub(r"[\s_\-]", "", h) for h in vocab.IDENTIFIER_HEADERS)


def _clean_columns(spec: dict[str, bool], present: set[str]) -> list[str]:
    """x_<col>: trimmed text or NULL; a missing optional column is all NULL."""
    out = []
    for col in spec:
        if col in present:
            out.append(f"nullif(trim({_ident(col)}, {_sql_str(_WS)}), '') AS x_{col}")
        else:
            out.append(f"NULL::VARCHAR AS x_{col}")
    return out


def _common_parsed(kind_columns: dict[str, bool]) -> list[str]:
    parsed = [
        f"{_mapping('x_gebied', vocab.AREA_SYNONYMS)} AS p_gebied",
        f"{_mapping('x_doelgroep', vocab.DOELGROEP)} AS p_doelgroep",
        "parse_date(x_peildatum) AS p_peildatum",
        r"CASE WHEN regexp_full_match(x_geboortejaar, '\d{4}') THEN x_geboortejaar::INTEGER END AS p_geboortejaar",
    ]
    if "ondersteuning" in kind_columns:
        parsed += [
            f"{_mapping('x_ondersteuning', vocab.ONDERSTEUNING)} AS p_ondersteuning",
            f"{_mapping('x_product', vocab.PRODUCT)} AS p_product",
            "parse_date(x_startdatum) AS p_startdatum",
            "parse_date(x_einddatum) AS p_einddatum",
        ]
    else:
        parsed += [
            f"{_mapping('x_toeleiding', vocab.TOELEIDING)} AS p_toeleiding",
            f"{_mapping('x_beschikking_duur', vocab.BESCHIKKING_DUUR)} AS p_beschikking_duur",
            "parse_date(x_aanmelddatum) AS p_aanmelddatum",
        ]
    return parsed


def _row_checks(spec: dict[str, bool], provider: bool) -> list[str]:
    """One CASE per rule; each yields {'c': column, 'm': message} or NULL."""
    checks = [
        _error(col, f"x_{col} IS NULL", _lit("Verplichte waarde ontbreekt."))
        for col, required in spec.items()
        if required
    ]
    checks += [
        _error("client_id", "is_bsn(x_client_id)", _lit(_BSN_MESSAGE)),
        _error(
            "client_id",
            r"x_client_id IS NOT NULL AND NOT is_bsn(x_client_id) AND NOT regexp_full_match(x_client_id, '[A-Za-z0-9_\-]{8,64}')",
            "'Ongeldig pseudoniem ' || shown(x_client_id) || ': 8 tot 64 tekens, alleen letters, cijfers, _ en -.'",
        ),
        _error(
            "gebied",
            "x_gebied IS NOT NULL AND p_gebied IS NULL",
            "'Onbekend gebied ' || shown(x_gebied) || '. Toegestaan: centrum, west, oost, zuid of de naam van het gebied.'",
        ),
        _unknown("doelgroep", vocab.DOELGROEP),
        _error(
            "peildatum",
            "x_peildatum IS NOT NULL AND p_peildatum IS NULL",
            "'Onleesbare datum ' || shown(x_peildatum) || '. Gebruik 2027-03-31 of 31-03-2027.'",
        ),
        _error(
            "peildatum",
            "p_peildatum IS NOT NULL AND file_peildatum IS NOT NULL AND p_peildatum <> file_peildatum",
            "'Peildatum ' || shown(x_peildatum) || ' verschilt van de peildatum in regel ' || file_peildatum_row || "
            "'; een bestand heeft één peildatum.'",
        ),
        _error(
            "geboortejaar",
            "x_geboortejaar IS NOT NULL AND (p_geboortejaar IS NULL OR p_geboortejaar < 1900 "
            "OR p_geboortejaar > year(coalesce(file_peildatum, current_date)))",
            "'Onmogelijk geboortejaar ' || shown(x_geboortejaar) || ': een heel jaartal van 1900 tot het jaar van de peildatum.'",
        ),
    ]
    if provider:
        checks += _provider_checks()
    else:
        checks += _wij_checks()
    return checks


def _date_check(col: str) -> str:
    return _error(
        col,
        f"x_{col} IS NOT NULL AND p_{col} IS NULL",
        f"'Onleesbare datum ' || shown(x_{col}) || '. Gebruik 2027-03-31 of 31-03-2027.'",
    )


def _provider_checks() -> list[str]:
    return [
        _unknown("ondersteuning", vocab.ONDERSTEUNING),
        _unknown("product", vocab.PRODUCT),
        _date_check("startdatum"),
        _date_check("einddatum"),
        _error(
            "aanbieder",
            "x_aanbieder IS NOT NULL AND file_aanbieder IS NOT NULL AND k_aanbieder <> file_aanbieder",
            "'Aanbieder ' || shown(x_aanbieder) || ' verschilt van de aanbieder in regel ' || file_aanbieder_row || "
            "'; een bestand komt van één aanbieder.'",
        ),
        _error(
            "startdatum",
            "p_startdatum > file_peildatum",
            "'Startdatum ' || shown(x_startdatum) || ' ligt na de peildatum.'",
        ),
        _error(
            "einddatum",
            "p_einddatum < p_startdatum",
            "'Einddatum ' || shown(x_einddatum) || ' ligt vóór de startdatum.'",
        ),
        _error(
            "einddatum",
            "p_einddatum >= p_startdatum AND p_einddatum < quarter_start",
            "'Einddatum ' || shown(x_einddatum) || ' ligt vóór het begin van het kwartaal; "
            "dit traject hoort niet in deze levering.'",
        ),
        _error(
            "maatschappelijk_initiatief",
            "x_maatschappelijk_initiatief IS NOT NULL AND p_ondersteuning = 'aanvullend'",
            _lit("Een maatschappelijk initiatief mag alleen bij basisondersteuning staan, niet bij aanvullend."),
        ),
    ]


def _wij_checks() -> list[str]:
    return [
        _unknown("toeleiding", vocab.TOELEIDING),
        _unknown("beschikking_duur", vocab.BESCHIKKING_DUUR),
        _date_check("aanmelddatum"),
        _error(
            "aanmelddatum",
            "p_aanmelddatum NOT BETWEEN quarter_start AND file_peildatum",
            "'Aanmelddatum ' || shown(x_aanmelddatum) || ' valt niet in het kwartaal van de peildatum.'",
        ),
        _error(
            "beschikking_duur",
            "x_beschikking_duur IS NOT NULL AND p_toeleiding <> 'aanvullend'",
            _lit("Beschikkingsduur mag alleen ingevuld zijn bij toeleiding 'aanvullend'."),
        ),
    ]


def _store_columns(spec: dict[str, bool]) -> str:
    """The typed columns as stored (see schema.sql), in the contract's order."""
    out = ["_row AS row_no"]
    for col in spec:
        if col in ("aanbieder", "peildatum"):
            continue
        out.append(f"{_value(col)} AS {col}")
    return ", ".join(out)


# Columns with a parsed form p_<col>; the others are kept as trimmed text x_<col>.
_PARSED = frozenset({
    "peildatum", "gebied", "doelgroep", "geboortejaar", "ondersteuning", "product", "startdatum",
    "einddatum", "toeleiding", "beschikking_duur", "aanmelddatum",
})


def _value(col: str) -> str:
    return f"p_{col}" if col in _PARSED else f"x_{col}"


def _header_problems(raw: RawTable, spec: dict[str, bool]) -> tuple[list[dict], list[str], bool]:
    errors, warnings, sensitive = [], [], False
    for header, col in zip(raw.headers, raw.columns):
        if _is_identifier_header(col):
            sensitive = True
            errors.append({
                "row": raw.header_row, "column": header,
                "message": "Deze kolom bevat direct identificerende gegevens. Het hele bestand is geweigerd "
                           "en niets ervan is bewaard. Lever alleen de kolommen van het aanleverformat aan.",
            })
        elif col not in spec:
            warnings.append(f"Kolom '{header}' hoort niet bij het aanleverformat en is genegeerd (niet opgeslagen).")
    for col, required in spec.items():
        if required and col not in raw.columns:
            errors.append({"row": raw.header_row, "column": col, "message": f"Verplichte kolom '{col}' ontbreekt."})
    return errors, warnings, sensitive


def validate(raw: RawTable) -> Validated:
    provider = "aanmelddatum" not in raw.columns
    kind = vocab.KIND_PROVIDER if provider else vocab.KIND_WIJ
    spec = vocab.PROVIDER_COLUMNS if provider else vocab.WIJ_COLUMNS
    result = Validated(kind=kind, rows_read=raw.table.num_rows)
    header_errors, result.warnings, result.sensitive = _header_problems(raw, spec)

    con = duckdb.connect()  # private in-memory database: the data never touches disk
    try:
        for macro in (_BSN_MACRO, _SHOW_MACRO, _DATE_MACRO):
            con.execute(macro)
        con.register("raw", raw.table.append_column("_row", raw.row_numbers))
        extra = [c for c in raw.columns if c not in spec]
        if extra and _extra_column_has_bsn(con, extra):
            result.sensitive = True
            header_errors.append({
                "row": raw.header_row, "column": ", ".join(extra),
                "message": "Een extra kolom bevat een waarde die een burgerservicenummer lijkt. " + _BSN_MESSAGE.split(". ", 1)[1],
            })
        if any(e["message"].startswith("Verplichte kolom") for e in header_errors):
            return _finish(result, header_errors, [], 0)
        _build_clean(con, spec, set(raw.columns), provider)
        row_errors, row_error_count = _collect_row_errors(con, spec, provider)
        if result.error_count == 0 and not header_errors and row_error_count == 0:
            result.rows = con.sql(f"SELECT {_store_columns(spec)} FROM clean ORDER BY _row").to_arrow_table()
            result.peildatum, result.aanbieder = con.execute(
                "SELECT file_peildatum, file_aanbieder_text FROM clean LIMIT 1"
            ).fetchone()
        return _finish(result, header_errors, row_errors, row_error_count)
    finally:
        con.close()


def _finish(result: Validated, header_errors: list[dict], row_errors: list[dict], row_error_count: int) -> Validated:
    errors = header_errors + row_errors
    result.error_count = len(header_errors) + row_error_count
    result.errors = errors[:MAX_REPORTED_ERRORS]
    if result.error_count:
        result.rows = None
        result.sensitive = result.sensitive or any(e["message"] == _BSN_MESSAGE for e in errors)
    return result


def _extra_column_has_bsn(con: duckdb.DuckDBPyConnection, extra: list[str]) -> bool:
    ors = " OR ".join(f"is_bsn(trim({_ident(c)}, {_sql_str(_WS)}))" for c in extra)
    return bool(con.execute(f"SELECT coalesce(bool_or({ors}), false) FROM raw").fetchone()[0])


def _build_clean(con: duckdb.DuckDBPyConnection, spec: dict[str, bool], present: set[str], provider: bool) -> None:
    """clean: trimmed text (x_*), parsed values (p_*) and the file-wide facts every row is checked against."""
    xs = ", ".join(_clean_columns(spec, present))
    ps = ", ".join(_common_parsed(spec))
    # k_aanbieder: the provider name compared case- and spacing-insensitively.
    aanbieder = (
        "lower(regexp_replace(x_aanbieder, '\\s+', ' ', 'g')) AS k_aanbieder"
        if provider
        else "NULL::VARCHAR AS k_aanbieder, NULL::VARCHAR AS x_aanbieder"
    )
    con.execute(f"CREATE TEMP TABLE cleaned AS SELECT _row, {xs} FROM raw")
    con.execute(f"CREATE TEMP TABLE parsed AS SELECT *, {ps}, {aanbieder} FROM cleaned")
    # The file's peildatum and aanbieder are those of its first row that has one.
    con.execute(
        """
        CREATE TEMP TABLE clean AS
        WITH first_p AS (
            SELECT p_peildatum AS file_peildatum, _row AS file_peildatum_row
            FROM parsed WHERE p_peildatum IS NOT NULL ORDER BY _row LIMIT 1
        ), first_a AS (
            SELECT k_aanbieder AS file_aanbieder, x_aanbieder AS file_aanbieder_text, _row AS file_aanbieder_row
            FROM parsed WHERE k_aanbieder IS NOT NULL ORDER BY _row LIMIT 1
        )
        SELECT parsed.*, first_p.*, first_a.*,
               date_trunc('quarter', first_p.file_peildatum)::DATE AS quarter_start
        FROM parsed
        LEFT JOIN first_p ON true
        LEFT JOIN first_a ON true
        """
    )


def _collect_row_errors(con, spec: dict[str, bool], provider: bool) -> tuple[list[dict], int]:
    checks = ",\n".join(_row_checks(spec, provider))
    keys = ", ".join(_value(c) for c, required in spec.items() if required)
    con.execute(
        f"""
        CREATE TEMP TABLE row_errors AS
        WITH checked AS (
            SELECT _row, [e FOR e IN [{checks}] IF e IS NOT NULL] AS errs,
                   min(_row) OVER (PARTITION BY {keys}) AS first_same
            FROM clean
        )
        SELECT _row AS err_row, e.c AS err_column, e.m AS message
        FROM (SELECT _row, unnest(errs) AS e FROM checked)
        UNION ALL
        SELECT _row, 'client_id', 'Deze regel is gelijk aan regel ' || first_same || ' in alle verplichte kolommen.'
        FROM checked WHERE first_same < _row
        UNION ALL
        SELECT file_peildatum_row, 'peildatum',
               'Peildatum ' || strftime(file_peildatum, '%d-%m-%Y') || ' is niet de laatste dag van een kwartaal.'
        FROM (SELECT DISTINCT file_peildatum, file_peildatum_row FROM clean)
        WHERE file_peildatum <> last_day(file_peildatum) OR month(file_peildatum) NOT IN (3, 6, 9, 12)
        """
    )
    count = con.execute("SELECT count(*) FROM row_errors").fetchone()[0]
    head = con.execute(
        "SELECT err_row, err_column, message FROM row_errors ORDER BY err_row, err_column LIMIT ?", [MAX_REPORTED_ERRORS]
    ).fetchall()
    return [{"row": r, "column": c, "message": m} for r, c, m in head], count
