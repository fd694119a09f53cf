"""Every figure of the catalogue (catalogue.py, after shared/metrics.md), computed in DuckDB
SQL over the current deliveries.

The provider measures all derive from one fact relation (client_facts_sql): one row per
client per area (plus 'stad') per quarter; the WIJ measures from the registrations of the
current WIJ extracts (registration_facts_sql). Both are aggregated into cells (cells_sql,
wij_cells_sql), the cells into one row of measures per quarter and area, and those into
the figures' rows. What needs several quarters (the transition from the baseline quarter),
the area table or distinct organisations is computed when the export runs (given_sql). The export is one long table, one row per (metric, gebied, peildatum),
sorted by peildatum, the catalogue's order and AREA_ORDER.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from . import catalogue, quarters, settings
from .catalogue import ACTIVE, MI_BASIS, OTHER_UITVOERDER, REFERRED, UITVOERDER, YOUTH_MH, age_at, age_group_case
from .targets import next_point, target_frame, target_table
from .vocab import AREAS, CITY, KIND_PROVIDER, KIND_WIJ

EXPORT_COLUMNS = ["metric", "gebied", "peildatum", "numerator", "denominator", "value", "target"]
AREA_ORDER = (*AREAS, CITY)
WIJ_NAME = "WIJ Groningen"
# The outlook is fitted on the quarters Q-3 ... Q that have a value (metrics.md section 2).
OUTLOOK_QUARTERS = 4


def _values(column: str, names) -> str:
    """A constant lookup relation (column, column_rank) from a fixed vocabulary."""
    rows = ", ".join(f"('{name}', {rank})" for rank, name in enumerate(names))
    return f"(VALUES {rows}) AS {column}_order({column}, {column}_rank)"


def _area_bits() -> str:
    """Each area as one bit; 'stad' is the mask of all four, so it matches any area."""
    rows = [f"('{area}', {1 << n})" for n, area in enumerate(AREAS)] + [f"('{CITY}', {(1 << len(AREAS)) - 1})"]
    return f"(VALUES {', '.join(rows)}) AS areas(gebied, bit)"


def trajectories_sql(where: str) -> str:
    """The rows of current_trajectories matching `where`, with `uitvoerder_key` (catalogue.
    UITVOERDER) and `other_uitvoerder` (catalogue.OTHER_UITVOERDER). The names are normalised
    once per distinct spelling, not per row: a regular expression per row is what would cost."""
    return f"""(
        SELECT t.*, n.uitvoerder_key, n.other_uitvoerder
        FROM current_trajectories t
        JOIN (SELECT uitvoerder AS spelled, aanbieder, {UITVOERDER} AS uitvoerder_key,
                     {OTHER_UITVOERDER} AS other_uitvoerder
              FROM (SELECT DISTINCT coalesce(uitvoerder, '') AS uitvoerder, aanbieder FROM current_trajectories)) n
          ON coalesce(t.uitvoerder, '') = n.spelled AND t.aanbieder = n.aanbieder
        WHERE {where}
    )"""


def client_facts_sql(only_peildatum: str | None = None) -> str:
    """SELECT of the fact relation: one row per (peildatum, client_id, gebied incl. 'stad').

    has_basis / has_aanvullend / has_mi_basis look at the client's active trajectories in
    that area ('stad': in all areas); geboortejaar follows the tie rule over all of the
    client's active trajectories in the quarter, whatever the area. `only_peildatum`: an
    SQL expression (e.g. a parameter) restricting the relation to one quarter.
    """
    only = f"AND peildatum = {only_peildatum}" if only_peildatum else ""
    return f"""
    WITH clients AS (  -- one pass over the active trajectories: per client, where what is active
        SELECT peildatum, client_id,
               bit_or(bit) AS area_bits,
               bit_or(bit) FILTER (ondersteuning = 'basis') AS basis_bits,
               bit_or(bit) FILTER (ondersteuning = 'aanvullend') AS aanvullend_bits,
               bit_or(bit) FILTER ({MI_BASIS}) AS mi_bits,
               bit_or(bit) FILTER (other_uitvoerder) AS other_bits,
               -- struct order = the tie rule: latest startdatum, then highest geboortejaar
               max({{'startdatum': startdatum, 'geboortejaar': geboortejaar}}).geboortejaar AS geboortejaar
        FROM {trajectories_sql(f"{ACTIVE} {only}")} JOIN {_area_bits()} USING (gebied)
        GROUP BY peildatum, client_id
    )
    SELECT peildatum, client_id, areas.gebied,
           coalesce((basis_bits & areas.bit) <> 0, false) AS has_basis,
           coalesce((aanvullend_bits & areas.bit) <> 0, false) AS has_aanvullend,
           coalesce((mi_bits & areas.bit) <> 0, false) AS has_mi_basis,
           coalesce((other_bits & areas.bit) <> 0, false) AS has_other_uitvoerder,
           geboortejaar,
           {age_at('peildatum')} AS age
    FROM clients JOIN {_area_bits()} ON (area_bits & areas.bit) <> 0
    """


def _facts(source: str) -> str:
    """The catalogue's stored measures of a source, as SELECT items over its facts."""
    return ", ".join(f"{m.fact} AS {m.column}" for m in catalogue.measures_of(source) if m.fact)


def cells_sql(only_peildatum: str | None = None) -> str:
    """SELECT of the provider cells: per (peildatum, gebied incl. 'stad', age_group) every
    provider measure of the catalogue with a fact. Materialised as `fact_cells`."""
    return f"""
    SELECT peildatum, gebied, {age_group_case('age')} AS age_group, {_facts(KIND_PROVIDER)}
    FROM ({client_facts_sql(only_peildatum)})
    GROUP BY ALL
    """


def registration_facts_sql() -> str:
    """SELECT of one row per registration of the current WIJ extracts: what the WIJ measures
    need of it, with wait_days = the days to the first start on or after the registration,
    with any provider, in any area, of the client (NULL when there is none). Each distinct
    start counts once: trajectories recur in every quarter's extract."""
    return f"""
    SELECT r.peildatum, r.gebied, r.toeleiding, r.beschikking_duur,
           {YOUTH_MH} AS youth_mh,
           {REFERRED} AS referred,
           (s.startdatum - r.aanmelddatum)::INTEGER AS wait_days
    FROM current_registrations r
    ASOF LEFT JOIN (SELECT DISTINCT client_id, startdatum FROM current_trajectories) s
        ON s.client_id = r.client_id AND s.startdatum >= r.aanmelddatum
    """


def wij_cells_sql() -> str:
    """SELECT of the WIJ cells: per (peildatum, gebied incl. 'stad') every WIJ measure of the
    catalogue with a fact, over registration_facts_sql. Materialised as `fact_wij`."""
    return f"""
    SELECT peildatum, CASE WHEN grouping(gebied) = 1 THEN '{CITY}' ELSE gebied END AS gebied, {_facts(KIND_WIJ)}
    FROM ({registration_facts_sql()})
    GROUP BY GROUPING SETS ((peildatum, gebied), (peildatum))
    """


def _quarters_sql(source: str) -> str:
    return f"(SELECT DISTINCT peildatum FROM quarter_uploads WHERE kind = '{source}')"


def given_sql() -> str:
    """SELECT of the provider measures computed whole when the export runs (catalogue._given
    and `uitvoerders`), per provider quarter and area incl. 'stad': they need several
    quarters (the transition) or the area table, or count distinct organisations. Columns:
    peildatum, gebied, uitvoerders, baseline_users, kept, kept_same, inwoners,
    inwoners_75plus, lumpsum_euro (each NULL where metrics.md gives it no row)."""
    return f"""
    WITH active AS MATERIALIZED (  -- read by both: one pass over the trajectories
        SELECT peildatum, client_id, gebied, uitvoerder_key AS uitvoerder FROM {trajectories_sql(ACTIVE)}
    ),
    organisations AS (
        SELECT peildatum, CASE WHEN grouping(gebied) = 1 THEN '{CITY}' ELSE gebied END AS gebied,
               count(DISTINCT uitvoerder) AS uitvoerders
        FROM active GROUP BY GROUPING SETS ((peildatum, gebied), (peildatum))
    ),
    {_transition_sql(settings.baseline())},
    {_context_sql()}
    SELECT q.peildatum, gebied_order.gebied, o.uitvoerders, t.baseline_users, t.kept, t.kept_same,
           c.inwoners, c.inwoners_75plus, c.lumpsum_euro
    FROM {_quarters_sql(KIND_PROVIDER)} q CROSS JOIN {_values('gebied', AREA_ORDER)}
    LEFT JOIN organisations o USING (peildatum, gebied)
    LEFT JOIN transition t USING (peildatum, gebied)
    LEFT JOIN context c ON c.jaar = year(q.peildatum) AND c.gebied = gebied_order.gebied
    """


def _transition_sql(baseline: dt.date) -> str:
    """CTEs (over `active`) ending in `transition`: per quarter Q after the baseline B and area
    A ('stad': the city), the users of A at B (baseline_users), those of them who are users
    of any area at Q (kept), and of those the ones with an active trajectory at Q with the
    uitvoerder of one of their active trajectories in A at B (kept_same). No rows at all
    when B has no provider figures."""
    b = f"DATE '{baseline.isoformat()}'"
    return f"""
    at_baseline AS (
        SELECT DISTINCT client_id, gebied, uitvoerder FROM active WHERE peildatum = {b}
        UNION ALL
        SELECT DISTINCT client_id, '{CITY}', uitvoerder FROM active WHERE peildatum = {b}
    ),
    baseline_users AS (SELECT gebied, count(DISTINCT client_id) AS baseline_users FROM at_baseline GROUP BY gebied),
    followed AS (  -- per later quarter, area of B and client of B who is still a user
        SELECT l.peildatum, b.gebied, b.client_id, bool_or(l.uitvoerder = b.uitvoerder) AS same
        FROM at_baseline b
        JOIN (SELECT DISTINCT peildatum, client_id, uitvoerder FROM active WHERE peildatum > {b}) l USING (client_id)
        GROUP BY l.peildatum, b.gebied, b.client_id
    ),
    transition AS (
        SELECT q.peildatum, gebied_order.gebied, coalesce(u.baseline_users, 0) AS baseline_users,
               count(f.client_id) AS kept, count(f.client_id) FILTER (f.same) AS kept_same
        FROM {_quarters_sql(KIND_PROVIDER)} q CROSS JOIN {_values('gebied', AREA_ORDER)}
        LEFT JOIN baseline_users u ON u.gebied = gebied_order.gebied
        LEFT JOIN followed f ON f.peildatum = q.peildatum AND f.gebied = gebied_order.gebied
        WHERE q.peildatum > {b}
          AND EXISTS (SELECT 1 FROM quarter_uploads WHERE kind = '{KIND_PROVIDER}' AND peildatum = {b})
        GROUP BY q.peildatum, gebied_order.gebied, u.baseline_users
    )"""


def _context_sql() -> str:
    """CTE `context`: per year and area the current area table's row, and for 'stad' the sums
    of the four areas, only in a year that has all four."""
    areas = ", ".join(f"'{area}'" for area in AREAS)
    return f"""
    context AS (
        SELECT jaar, gebied, inwoners, inwoners_75plus, lumpsum_euro FROM current_area_rows
        UNION ALL
        SELECT jaar, '{CITY}', sum(inwoners), sum(inwoners_75plus), sum(lumpsum_euro)
        FROM current_area_rows
        GROUP BY jaar
        HAVING count(DISTINCT gebied) FILTER (gebied IN ({areas})) = {len(AREAS)}
    )"""


def _rows_sql(source: str, cells: str, given: str | None = None) -> str:
    """SELECT of the rows of every figure of `source` (spreads aside) for every quarter of
    that source and every area, also one without cells: `cells` has the columns of
    cells_sql or wij_cells_sql, `given` those of given_sql. A figure that `requires` a
    measure has no row where that measure is empty."""
    totals = ", ".join(f"{m.total_sql()} AS {m.column}" for m in catalogue.measures_of(source))
    rows = ",\n            ".join(
        f"{{'metric': '{f.id}', 'numerator': {_measure_sql(f.numerator)}::DOUBLE, "
        f"'denominator': {_measure_sql(f.denominator)}, 'value': {catalogue.value_sql(f)}, "
        f"'present': {'true' if f.requires is None else f'{_measure_sql(f.requires)} IS NOT NULL'}}}"
        for f in catalogue.FIGURES if f.of is None and catalogue.source_of(f) == source
    )
    join_given = f"LEFT JOIN {given} USING (peildatum, gebied)" if given else ""
    return f"""
    SELECT * EXCLUDE (present) FROM (
        SELECT peildatum, gebied, unnest([
                {rows}
            ], recursive := true)
        FROM (
            SELECT peildatum, gebied, {totals}
            FROM {_quarters_sql(source)}
            CROSS JOIN {_values('gebied', AREA_ORDER)}
            LEFT JOIN {cells} USING (peildatum, gebied)
            {join_given}
            GROUP BY peildatum, gebied
        )
    )
    WHERE present"""


def _measure_sql(name: str | None) -> str:
    return "NULL" if name is None else catalogue.measure(name).column


def _spread_sql(f: catalogue.Figure) -> str:
    """City only: how far apart the areas' values of another figure lie in a quarter."""
    return f"""
    SELECT peildatum, '{CITY}' AS gebied, '{f.id}' AS metric, NULL AS numerator, NULL AS denominator,
           CASE WHEN count(value) >= 2 THEN max(value) - min(value) END AS value
    FROM figure_rows
    WHERE metric = '{f.of}' AND gebied <> '{CITY}'
    GROUP BY peildatum"""


def export_sql(materialised: bool = False) -> str:
    """The whole export as one query: from the materialised cells (`fact_cells`,
    `fact_wij`), or computed from scratch over the current deliveries. Needs the relation
    `governing_frame` (metrics._governing)."""
    if materialised:
        cells = {KIND_PROVIDER: "fact_cells", KIND_WIJ: "fact_wij"}
    else:
        cells = {KIND_PROVIDER: f"({cells_sql()})", KIND_WIJ: f"({wij_cells_sql()})"}
    given = {KIND_PROVIDER: f"({given_sql()})"}
    figure_rows = "\n    UNION ALL BY NAME\n".join(_rows_sql(source, table, given.get(source))
                                                  for source, table in cells.items())
    spreads = [f for f in catalogue.FIGURES if f.kind == catalogue.SPREAD]
    return f"""
    WITH governing AS (
        SELECT metric, peildatum::DATE AS peildatum, target, point::DATE AS point FROM governing_frame
    ),
    figure_rows AS MATERIALIZED ({figure_rows}),  -- read five times: compute it once
    all_rows AS (
        SELECT metric, gebied, peildatum, numerator, denominator, value FROM figure_rows
        {''.join(f"UNION ALL BY NAME {_spread_sql(f)}" for f in spreads)}
        {''.join(f"UNION ALL BY NAME {_outlook_sql(f)}" for f in catalogue.outlooks())}
        {''.join(f"UNION ALL BY NAME {_shift_sql(f)}" for f in catalogue.shifts())}
    )
    SELECT metric, gebied, peildatum, numerator::DOUBLE AS numerator, denominator::BIGINT AS denominator,
           value::DOUBLE AS value, target::DOUBLE AS target
    FROM all_rows
    JOIN {_values('metric', catalogue.ids())} USING (metric)
    JOIN {_values('gebied', AREA_ORDER)} USING (gebied)
    LEFT JOIN governing USING (metric, peildatum)
    ORDER BY peildatum, metric_rank, gebied_rank
    """


def _outlook_sql(f: catalogue.Figure) -> str:
    """For every quarter Q of the `of` figure whose governing point P lies after Q: the
    least-squares line through (quarter, value) over Q-3 ... Q, read at P and clipped to
    [0, 1]; empty below two values. Quarters count from Q, so the fit stays exact."""
    q, h, p = (quarters.index_sql(day) for day in ("o.peildatum", "h.peildatum", "g.point"))
    fit = f"regr_{{}}(h.value, {h} - {q})"
    return f"""
    SELECT '{f.id}' AS metric, o.gebied, o.peildatum, NULL AS numerator, NULL AS denominator,
           CASE WHEN count(h.value) >= 2
                THEN greatest(0, least(1, {fit.format('intercept')} + {fit.format('slope')} * any_value({p} - {q})))
           END AS value
    FROM figure_rows o
    JOIN governing g ON g.metric = o.metric AND g.peildatum = o.peildatum AND g.point > o.peildatum
    LEFT JOIN figure_rows h ON h.metric = o.metric AND h.gebied = o.gebied AND h.value IS NOT NULL
         AND {h} BETWEEN {q} - {OUTLOOK_QUARTERS - 1} AND {q}
    WHERE o.metric = '{f.of}'
    GROUP BY o.gebied, o.peildatum
    """


def _shift_sql(f: catalogue.Figure) -> str:
    """For every quarter Q of the `of` share whose shift aims at a point P': the smallest whole
    n >= 0 with (numerator + n) / denominator >= minimum(P'), exactly (the minimum as a decimal:
    0.15 x 1380 is 207, where a float says 207.00000000000003); per quarter to P'."""
    q, p = quarters.index_sql("o.peildatum"), quarters.index_sql("g.point")
    needed = f"greatest(0, ceil(g.target::DECIMAL(18, 9) * o.denominator) - o.numerator)"
    return f"""
    SELECT '{f.id}' AS metric, o.gebied, o.peildatum,
           CASE WHEN o.denominator > 0 THEN {needed} END AS numerator,
           {p} - {q} AS denominator,
           CASE WHEN o.denominator > 0 THEN {needed} / ({p} - {q}) END AS value
    FROM figure_rows o
    JOIN governing g ON g.metric = '{f.id}' AND g.peildatum = o.peildatum
    WHERE o.metric = '{f.of}'
    """


def export_frame(con, *, materialised: bool | None = None) -> pd.DataFrame:
    """The machine-readable export of metrics.md: one row per (metric, gebied, peildatum).

    Columns EXPORT_COLUMNS; peildatum as datetime.date, numerator Float64 (whole numbers,
    but lumpsum_per_user's numerator is euros with cents), denominator Int64, value/target
    float64 (NaN where empty). Sorted by peildatum, the catalogue order, AREA_ORDER.
    Reads the materialised cells when they are up to date (facts_fresh), else computes
    every figure from the current deliveries; `materialised` forces one or the other.
    """
    if materialised is None:
        materialised = facts_fresh(con)
    days = [row[0] for row in con.execute("SELECT DISTINCT peildatum FROM quarter_uploads").fetchall()]
    governing = _governing(target_table(con), days)
    con.register("governing_frame", governing)
    try:
        frame = con.execute(export_sql(materialised)).df()
    finally:
        con.unregister("governing_frame")
    frame["peildatum"] = frame["peildatum"].dt.date
    return frame.astype({"numerator": "Float64", "denominator": "Int64", "value": "float64",
                         "target": "float64"})[EXPORT_COLUMNS]


def _governing(points: pd.DataFrame, days) -> pd.DataFrame:
    """metric, peildatum, target, point of every quarter in `days`: the governing point, also
    under each outlook's id (its target is that of the figure it extends), and under each
    shift's id the point it aims at (next_point)."""
    frame = target_frame(points, days)
    copies = [frame[frame["metric"] == f.of].assign(metric=f.id) for f in catalogue.outlooks()]
    aims = target_frame(points, days, next_point)
    shifts = [aims[aims["metric"] == f.of].assign(metric=f.id) for f in catalogue.shifts()]
    frame = pd.concat([frame, *copies, *shifts], ignore_index=True)
    return frame.assign(peildatum=pd.to_datetime(frame["peildatum"]), point=pd.to_datetime(frame["point"]))


# --- materialised facts -------------------------------------------------------------
#
# The export reads two small tables instead of every current trajectory and registration:
#   fact_cells  cells_sql(): per provider quarter, area and age group the stored provider measures
#   fact_wij    wij_cells_sql(): per WIJ quarter and area the stored WIJ measures
# Their columns follow the catalogue: refresh_all_facts (re)creates them from its SELECTs.
# Store._make_current calls refresh_facts in the transaction that changes a delivery slot:
# a provider extract's quarter of fact_cells is recomputed, and fact_wij whole (a provider
# extract moves waits in any WIJ quarter; about 0.06 s at city scale). fact_state.sources
# records which uploads were current when the facts were last brought up to date;
# export_frame uses the facts only while that still matches current_uploads and the tables
# still have the catalogue's columns (anything that writes the tables directly, such as a
# test helper, falls back to the computation from scratch, or calls refresh_all_facts).

_SOURCES = "sources"


def _fact_tables() -> dict[str, str]:
    """fact table -> the SELECT that fills it from the current deliveries."""
    return {"fact_cells": cells_sql(), "fact_wij": wij_cells_sql()}


def _current_ids(con) -> list[int]:
    return sorted(row[0] for row in con.execute("SELECT upload_id FROM current_uploads").fetchall())


def _ids_text(ids) -> str:
    return ",".join(str(i) for i in sorted(ids))


def _recorded_sources(con) -> str | None:
    row = con.execute("SELECT value FROM fact_state WHERE key = ?", [_SOURCES]).fetchone()
    return row[0] if row else None


def _record_sources(con, ids) -> None:
    con.execute("INSERT OR REPLACE INTO fact_state VALUES (?, ?)", [_SOURCES, _ids_text(ids)])


def _columns(con, relation: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()]


def _tables_match(con) -> bool:
    """Whether every fact table exists with the columns the catalogue gives it now."""
    present = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    return all(table in present and _columns(con, table) == _columns(con, f"({select})")
               for table, select in _fact_tables().items())


def facts_fresh(con) -> bool:
    """Whether the materialised facts belong to the deliveries that are current now."""
    return _recorded_sources(con) == _ids_text(_current_ids(con)) and _tables_match(con)


def refresh_all_facts(con) -> None:
    """Recompute every materialised fact from the current deliveries (e.g. after a rebuild).
    Run it inside the caller's transaction."""
    for table, select in _fact_tables().items():
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select}")
    _record_sources(con, _current_ids(con))


def refresh_facts(con, upload_id: int, previous: int | None) -> None:
    """Bring the facts up to date after `upload_id` became the current upload of its slot,
    replacing `previous` (None: the slot was empty): a provider extract's quarter of the
    provider cells, and the WIJ cells whole. Run it inside the transaction that changed
    current_uploads; when the facts were not up to date before this change, everything is
    recomputed instead."""
    now = _current_ids(con)
    from .vocab import KIND_AREA

    area_ids = {i for (i,) in con.execute("SELECT upload_id FROM uploads WHERE kind = ?", [KIND_AREA]).fetchall()}
    if upload_id in area_ids:
        # An area table feeds no fact table (its figures are computed at export time from
        # current_area_rows): the facts stay valid while the quarterly uploads they were made
        # of are current, and only the record of the current ids follows the change.
        recorded = {int(i) for i in (_recorded_sources(con) or "").split(",") if i}
        quarterly = {i for (i,) in con.execute("SELECT upload_id FROM quarter_uploads").fetchall()}
        if recorded - area_ids == quarterly and _tables_match(con):
            _record_sources(con, now)
        else:
            refresh_all_facts(con)
        return
    before = [i for i in now if i != upload_id] + ([previous] if previous is not None else [])
    if not before:
        # The store's first upload: the facts of no upload are empty tables; brought up to
        # date below like any others, a first provider extract computes only its quarter.
        for table, select in _fact_tables().items():
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM ({select}) LIMIT 0")
        _record_sources(con, before)
    if (_recorded_sources(con) or "") != _ids_text(before) or not _tables_match(con):
        refresh_all_facts(con)
        return
    if previous == upload_id:
        return
    kind, peildatum = con.execute("SELECT kind, peildatum FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
    if kind == KIND_PROVIDER:
        con.execute("DELETE FROM fact_cells WHERE peildatum = ?", [peildatum])
        con.execute(f"INSERT INTO fact_cells BY NAME {cells_sql('$peildatum')}", {"peildatum": peildatum})
    # A provider extract moves only the waits of WIJ registrations: without a current one,
    # fact_wij was empty and stays so (spared: a pass over every current trajectory).
    if kind != KIND_PROVIDER or con.execute("SELECT 1 FROM current_registrations LIMIT 1").fetchone():
        con.execute(f"CREATE OR REPLACE TABLE fact_wij AS {wij_cells_sql()}")
    _record_sources(con, now)


def export_csv(frame: pd.DataFrame, notice: str | None = None) -> str:
    """The export as CSV text: comma, ISO dates, '.' decimals, six decimals for shares,
    whole numbers for counts (a lump sum in euros with two decimals), empty cells for missing values, '\\n' line ends. In a
    protected frame a withheld count is its mark ("< 10", "x") and a withheld share empty.
    A notice (the demo's, cli.md) comes first as one comment line."""
    out = io.StringIO()
    if notice:
        out.write(f"# {notice}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    counts = catalogue.ids_of(catalogue.COUNT)
    euros = catalogue.ids_of(catalogue.PER_USER)
    for row in frame[EXPORT_COLUMNS].itertuples(index=False):
        writer.writerow([
            row.metric,
            row.gebied,
            row.peildatum.isoformat(),
            _cents(row.numerator) if row.metric in euros else _whole(row.numerator),
            _whole(row.denominator),
            _whole(row.value) if row.metric in counts else _decimal(row.value),
            _decimal(row.target),
        ])
    return out.getvalue()


def _whole(x) -> str:
    if isinstance(x, str):  # a protected cell (privacy.protect): its mark, "< 10" or "x"
        return x
    return "" if pd.isna(x) else str(int(round(x)))


def _cents(x) -> str:
    if isinstance(x, str):
        return x
    return "" if pd.isna(x) else f"{x:.2f}"


def _decimal(x) -> str:
    if isinstance(x, str):  # a share that privacy.protect withheld: ""
        return x
    return "" if pd.isna(x) else f"{x:.6f}"


# --- outlook ----------------------------------------------------------------


def outlook(frame: pd.DataFrame, gebied: str, metric: str = "share_basis") -> pd.DataFrame:
    """The outlook rows of an export frame (outlook:<metric>) for one area, oldest first:
    peildatum, value (the line read at the governing year end), target."""
    rows = frame[(frame["metric"] == f"{catalogue.OUTLOOK}:{metric}") & (frame["gebied"] == gebied)]
    return rows.sort_values("peildatum")[["peildatum", "value", "target"]].reset_index(drop=True)


# --- delivery status --------------------------------------------------------


def delivery_status(con) -> pd.DataFrame:
    """Per quarter (first to last with any current delivery) and per provider that ever
    delivered, plus WIJ: delivered, and missing = not delivered although it delivered
    the quarter before. Columns: peildatum, kind, aanbieder, delivered, missing."""
    first, last = con.execute("SELECT min(peildatum), max(peildatum) FROM quarter_uploads").fetchone()
    days = quarters.ends(first, last) if first else []
    frame = con.execute(f"""
        WITH slots AS (  -- every provider that ever delivered, named as in its latest quarter
            SELECT c.kind, c.slot,
                   CASE WHEN c.kind = '{KIND_WIJ}' THEN '{WIJ_NAME}' ELSE arg_max(u.aanbieder, c.peildatum) END
                       AS aanbieder
            FROM quarter_uploads c JOIN uploads u USING (upload_id)
            GROUP BY c.kind, c.slot
        ),
        quarters AS (SELECT unnest($days::DATE[]) AS peildatum),
        grid AS (
            SELECT q.peildatum, s.kind, s.slot, s.aanbieder, c.upload_id IS NOT NULL AS delivered
            FROM quarters q CROSS JOIN slots s
            LEFT JOIN quarter_uploads c ON c.kind = s.kind AND c.slot = s.slot AND c.peildatum = q.peildatum
        )
        SELECT peildatum, kind, aanbieder, delivered,
               NOT delivered AND coalesce(lag(delivered) OVER (PARTITION BY kind, slot ORDER BY peildatum), false)
                   AS missing
        FROM grid
        ORDER BY peildatum, kind, slot
    """, {"days": days}).df()
    frame["peildatum"] = frame["peildatum"].dt.date
    return frame.astype({"delivered": bool, "missing": bool})


def provisional_quarters(con) -> set[dt.date]:
    """Quarters in which some provider (or WIJ) that delivered the quarter before is missing."""
    return missing_in(delivery_status(con))


def missing_in(status: pd.DataFrame) -> set[dt.date]:
    """The quarters of a delivery_status frame in which a delivery is missing."""
    return set(status.loc[status["missing"], "peildatum"])
