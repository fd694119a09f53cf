"""Targets (streefwaarden): the editable table of year-end minimums, the target of a
quarter and the status words (shared/metrics.md, version 2, section 2).

A quarter's target is the minimum of its governing point: the first point of the
metric's table within the four quarters from it (Q <= P <= Q+3). There is no line
between points: the minimum at the year end is what counts, all year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalogue, quarters
from .errors import InvalidTargets

if TYPE_CHECKING:  # pandas is imported where it is used: opening a store (Store._create_schema)
    import pandas as pd  # must not pay its ~0.3 s, which the command line's start would

DEFAULT_TARGETS = Path(__file__).resolve().parent.parent / "data" / "targets.csv"

# The five status words, the same on every page, chart and report.
ACHIEVED = "gehaald"
MISSED = "niet gehaald"
ON_TRACK = "op koers"
OFF_TRACK = "niet op koers"
UNKNOWN = "onbekend"
STATUS_WORDS = (ACHIEVED, MISSED, ON_TRACK, OFF_TRACK, UNKNOWN)

# Version 1 drew its line from these invented starting points; version 2 has none.
V1_STARTING_POINTS = (("share_basis", dt.date(2026, 12, 31), 0.0), ("share_mi", dt.date(2026, 12, 31), 0.15))
V1_DEFAULT = (*V1_STARTING_POINTS, ("share_basis", dt.date(2027, 12, 31), 0.15),
              ("share_basis", dt.date(2028, 12, 31), 0.30), ("share_basis", dt.date(2029, 12, 31), 0.50),
              ("share_basis", dt.date(2030, 12, 31), 0.70), ("share_mi", dt.date(2030, 12, 31), 0.15))
TABLE_VERSION = "2"
VERSION_KEY = "targets_version"  # in the meta table: which version the targets table follows

Points = "pd.DataFrame | Iterable[tuple[str, dt.date, float]]"


def target_table(con) -> pd.DataFrame:
    """The raw targets table: metric, peildatum (date), minimum."""
    frame = con.execute("SELECT metric, peildatum, minimum FROM targets ORDER BY metric, peildatum").df()
    frame["peildatum"] = frame["peildatum"].dt.date
    return frame


def metric_points(points: Points, metric: str) -> list[tuple[dt.date, float]]:
    """The (peildatum, minimum) points of one metric, in date order."""
    return sorted((_as_date(day), float(minimum)) for m, day, minimum in _rows(points) if m == metric)


def year_end_goals(points: Points, metric: str) -> list[tuple[dt.date, float]]:
    """The (peildatum, minimum) points of one metric: every point is a goal (the note's
    year-end minimums)."""
    return metric_points(points, metric)


def governing_point(points: Points, metric: str, peildatum: dt.date) -> tuple[dt.date, float] | None:
    """The first point P of the metric with Q <= P <= Q+3, as (peildatum, minimum), or None."""
    return first_point_within(points, metric, _as_date(peildatum), 0, 3)


def first_point_within(points: Points, metric: str, peildatum: dt.date, first: int, last: int):
    """The first point of the metric from `first` to `last` quarters after `peildatum`
    (both included), as (peildatum, minimum), or None."""
    here = quarters.index(_as_date(peildatum))
    return next(((day, minimum) for day, minimum in metric_points(points, metric)
                 if first <= quarters.index(day) - here <= last), None)


def next_point(points: Points, metric: str, peildatum: dt.date) -> tuple[dt.date, float] | None:
    """The point P' the required shift aims at: the first with Q < P' <= Q+4, or None."""
    return first_point_within(points, metric, _as_date(peildatum), 1, 4)


def target_for(points: Points, metric: str, peildatum: dt.date) -> float | None:
    """The target of `metric` in the quarter ending `peildatum`: its governing point's minimum."""
    point = governing_point(points, metric, peildatum)
    return None if point is None else point[1]


def target_frame(points: Points, days: Iterable[dt.date], which=governing_point) -> pd.DataFrame:
    """metric, peildatum, target, point (the peildatum of the point `which` picks, by default
    the governing point) for every metric in `points` and every quarter of `days` with one."""
    import pandas as pd

    points = list(_rows(points))
    rows = [
        (metric, quarter, minimum, day)
        for metric in sorted({p[0] for p in points})
        for quarter in sorted(set(days))
        if (point := which(points, metric, quarter)) is not None
        for day, minimum in [point]
    ]
    return pd.DataFrame(rows, columns=["metric", "peildatum", "target", "point"]).astype({"target": "float64"})


def status(value: float | None, target: float | None, outlook: float | None, at_point: bool) -> str | None:
    """The status word of a quarter: at its governing point (`at_point`) gehaald / niet
    gehaald on the value; before it op koers / niet op koers on the outlook, onbekend
    without one. None without a value or a target."""
    if _missing(value) or _missing(target):
        return None
    if at_point:
        return ACHIEVED if value >= target else MISSED
    if _missing(outlook):
        return UNKNOWN
    return ON_TRACK if outlook >= target else OFF_TRACK


def drop_v1_starting_points(con) -> str | None:
    """Bring a targets table of version 1 to version 2, once: the version-1 default
    becomes the version-2 default; an edited table loses its starting points (the
    points of 2026-12-31). Returns what changed (for the audit log), or None."""
    rows = set(target_table(con).itertuples(index=False, name=None))
    if rows == set(V1_DEFAULT):
        con.execute("DELETE FROM targets")
        insert_defaults(con)
        return "standaardtabel versie 1 vervangen door versie 2 (minimums aan het eind van elk jaar)"
    starts = [(metric, day) for metric, day, _ in rows if day == V1_STARTING_POINTS[0][1]]
    for metric, day in starts:
        con.execute("DELETE FROM targets WHERE metric = ? AND peildatum = ?", [metric, day])
    return f"beginpunten van versie 1 verwijderd: {', '.join(sorted(m for m, _ in starts))}" if starts else None


def insert_defaults(con) -> None:
    """The default table (data/targets.csv) into an empty targets table."""
    con.execute("INSERT INTO targets SELECT metric, peildatum::DATE, minimum::DOUBLE "
                "FROM read_csv(?, header=true, all_varchar=true)", [str(DEFAULT_TARGETS)])


def set_targets(con, frame: pd.DataFrame) -> None:
    """Replace the whole targets table by `frame` (metric, peildatum, minimum). Run it inside
    the caller's transaction (Store.replace_targets), which also bumps the data version.

    Raises InvalidTargets (Dutch message listing every problem) before changing anything.
    """
    rows = _validated(frame)
    con.execute("DELETE FROM targets")
    con.executemany("INSERT INTO targets VALUES (?, ?, ?)", rows)  # never empty: _validated refuses that


def _validated(frame: pd.DataFrame) -> list[tuple[str, dt.date, float]]:
    missing = [c for c in ("metric", "peildatum", "minimum") if c not in frame.columns]
    if missing:
        raise InvalidTargets(f"De streefwaarden missen de kolom(men): {', '.join(missing)}.")
    if frame.empty:  # Store() would silently seed the defaults again into an empty table
        raise InvalidTargets("Een lege tabel met streefwaarden kan niet worden opgeslagen.")
    problems, rows, seen, allowed = [], [], set(), catalogue.with_target()
    for line, (metric, peildatum, minimum) in enumerate(
        frame[["metric", "peildatum", "minimum"]].itertuples(index=False), start=1
    ):
        where = f"regel {line}"
        if metric not in allowed:
            problems.append(f"{where}: '{metric}' is geen cijfer waarvoor een streefwaarde kan gelden")
        day = _parse_date(peildatum)
        if day is None or not quarters.is_end(day):
            problems.append(f"{where}: peildatum '{peildatum}' is niet de laatste dag van een kwartaal")
        value = _parse_share(minimum)
        if value is None:
            problems.append(f"{where}: minimum '{minimum}' is geen getal tussen 0 en 1")
        if day is not None and (metric, day) in seen:
            problems.append(f"{where}: {metric} op {day} staat er twee keer in")
        seen.add((metric, day))
        rows.append((metric, day, value))
    if problems:
        raise InvalidTargets("De streefwaarden zijn niet opgeslagen. " + "; ".join(problems) + ".")
    return rows


def _parse_date(value) -> dt.date | None:
    # Only unambiguous forms: a date object or ISO text (never guess 01-03 vs 03-01).
    if isinstance(value, dt.datetime):  # also pd.Timestamp, whose NaT is a datetime too
        return None if _missing(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _parse_share(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0.0 <= number <= 1.0 else None  # NaN fails both comparisons


def _rows(points: Points):
    if hasattr(points, "itertuples"):  # a DataFrame
        return points[["metric", "peildatum", "minimum"]].itertuples(index=False)
    return points


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _missing(x) -> bool:
    import pandas as pd

    return x is None or bool(pd.isna(x))
